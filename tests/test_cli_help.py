"""Every option of every ``iclsym`` sub-command states its default (or that it is required) in ``--help``."""

import argparse

import pytest

from iclsym.cli import COMMANDS, build_parser


def _leaf_parsers(parser, prefix=()):
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        yield prefix, parser
    for action in subs:
        for name, child in action.choices.items():
            yield from _leaf_parsers(child, prefix + (name,))


def _commands():
    top = build_parser()
    return [(" ".join(path), p) for path, p in _leaf_parsers(top)]


def test_every_registered_command_is_checked():
    names = {path.split()[0] for path, _ in _commands()}
    assert names == set(COMMANDS)


@pytest.mark.parametrize("path,parser", _commands(), ids=[p for p, _ in _commands()])
def test_help_states_defaults(path, parser):
    text = " ".join(parser.format_help().split())
    for action in parser._actions:
        if not action.option_strings or isinstance(action, (argparse._HelpAction, argparse._VersionAction)):
            continue
        if action.help is argparse.SUPPRESS:
            continue
        formatter = parser._get_formatter()
        shown = formatter._expand_help(action) if action.help else ""
        shown = " ".join(shown.split())
        assert "default" in shown.lower() or "(required)" in shown, (path, action.option_strings, shown)
        assert shown in text

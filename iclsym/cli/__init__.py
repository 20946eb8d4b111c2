"""Command-line interface: ``iclsym`` / ``python -m iclsym``.

Sub-commands live in :mod:`iclsym.cli`, one module each, exposing
``HELP``, ``add_arguments(parser)`` and ``run(args) -> int``.  Command modules
import their heavy dependencies inside ``run`` so that ``iclsym --help`` is fast.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

#: sub-command name -> module under iclsym.cli
COMMANDS = {
    "derive": "derive",
    "eval": "eval_",
    "simulate": "simulate",
    "sweep": "sweep",
    "figures": "figures",
    "depth": "depth",
    "alignment": "alignment",
    "extrapolate": "extrapolate",
}


class DefaultsHelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """States every option's default in ``--help``, unless its help text already does.

    A required option says so; a default of ``None`` reads "(default: none)".
    """

    def _get_help_string(self, action):
        text = action.help or ""
        if ("default" in text.lower() or action.default is argparse.SUPPRESS or not action.option_strings
                or isinstance(action, (argparse._HelpAction, argparse._VersionAction))):
            return text
        if action.required:
            return text + " (required)"
        if action.nargs == 0:  # a flag
            return text + (" (default: on)" if action.default == action.const else " (default: off)")
        if action.default is None:
            return text + " (default: none)"
        return text + " (default: %(default)s)"


def _use_formatter(parser: argparse.ArgumentParser) -> None:
    """Give ``parser`` and its nested sub-command parsers the :class:`DefaultsHelpFormatter`."""
    parser.formatter_class = DefaultsHelpFormatter
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                _use_formatter(child)


def build_parser() -> argparse.ArgumentParser:
    from iclsym import __version__

    parser = argparse.ArgumentParser(
        prog="iclsym",
        description="In-context learning of linear regression by linear attention: "
        "theory, derivations, simulations and the paper's figures.",
    )
    parser.add_argument("--version", action="version", version=f"iclsym {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name, modname in COMMANDS.items():
        try:
            mod = importlib.import_module(f"iclsym.cli.{modname}")
        except ModuleNotFoundError as exc:
            if exc.name != f"iclsym.cli.{modname}":
                raise
            continue
        p = sub.add_parser(name, help=mod.HELP, description=mod.HELP)
        mod.add_arguments(p)
        _use_formatter(p)
        p.set_defaults(_run=mod.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args._run(args) or 0)
    except (ValueError, TypeError) as exc:
        # Bad input: a clear one-line message, no traceback.
        text = "; ".join(line.strip() for line in str(exc).splitlines() if line.strip())
        parser.exit(2, f"iclsym {args.command}: error: {text}\n")
    except MemoryError:
        parser.exit(2, f"iclsym {args.command}: error: ran out of memory; reduce the sizes\n")
    except BrokenPipeError:
        # the reader of the output went away (e.g. `iclsym eval ... | head -1`): stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("\ninterrupted; finished results are kept", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

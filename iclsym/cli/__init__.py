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

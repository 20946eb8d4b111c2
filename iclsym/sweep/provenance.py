"""Provenance of outputs: what produced a report, an export or a figure.

Every file iclsym writes for a user records the iclsym version, the code fingerprint of each job
kind whose results it holds (:mod:`iclsym.sweep.fingerprint`), the Python and NumPy versions, the
command line and the time, so a number can always be traced back to the code that made it.

Examples
--------
>>> info = provenance(["toy"])
>>> sorted(info)
['command', 'created', 'fingerprints', 'iclsym_version', 'numpy_version', 'python_version']
>>> len(info["fingerprints"]["toy"])
64
"""

from __future__ import annotations

import datetime
import platform
import shlex
import sys

import numpy as np

__all__ = ["provenance", "provenance_lines"]


def provenance(kinds=()) -> dict:
    """The provenance record for outputs holding results of ``kinds``."""
    from iclsym import __version__
    from iclsym.sweep.kinds import get_kind

    return {
        "iclsym_version": __version__,
        "fingerprints": {kind: get_kind(kind).fingerprint() for kind in sorted(set(kinds))},
        "python_version": platform.python_version(),
        "numpy_version": np.__version__,
        "command": " ".join(shlex.quote(a) for a in ([_program()] + sys.argv[1:])),
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }


def _program() -> str:
    name = sys.argv[0] if sys.argv and sys.argv[0] else "python"
    return "iclsym" if name.endswith(("iclsym", "__main__.py")) else name


def provenance_lines(info: dict) -> list[str]:
    """``key: value`` lines of a provenance record (fingerprints one per kind).

    >>> provenance_lines({"iclsym_version": "0.2.0", "fingerprints": {"toy": "ab"}})
    ['iclsym_version: 0.2.0', 'fingerprint[toy]: ab']
    """
    out = []
    for key, value in info.items():
        if key == "fingerprints":
            out += [f"fingerprint[{kind}]: {fp}" for kind, fp in value.items()]
        else:
            out.append(f"{key}: {value}")
    return out

"""Memory estimates: refuse a computation that cannot fit before allocating anything.

Examples
--------
>>> available_bytes() > 0
True
>>> check_fits(10 * 2**20, "a small array")
>>> check_fits(2**70, "simulation at d = 8, k = 1e20")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
ValueError: simulation at d = 8, k = 1e20 needs about 1.1e+12 GiB of memory, more than the ... GiB available; reduce the sizes
"""

from __future__ import annotations

import os

__all__ = ["available_bytes", "check_fits", "format_gib"]


def available_bytes() -> int:
    """Memory available to this process now: ``MemAvailable`` of /proc/meminfo, else physical memory."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return int(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):  # pragma: no cover - exotic platforms
        return 2**62


def format_gib(nbytes: float) -> str:
    gib = nbytes / 2**30
    return f"{gib:.3g}"


def check_fits(nbytes: float, what: str) -> None:
    """Raise ``ValueError`` if ``nbytes`` exceed the memory available now (estimate stated)."""
    free = available_bytes()
    if nbytes > free:
        raise ValueError(f"{what} needs about {format_gib(nbytes)} GiB of memory, more than the "
                         f"{format_gib(free)} GiB available; reduce the sizes")

"""Argument checks of the nets package (ValueError naming the argument and its allowed range)."""

from __future__ import annotations

import math
import numbers

__all__ = ["check_real"]


def check_real(name: str, value, minimum: float | None = None, strict: bool = False,
               maximum: float | None = None) -> float:
    """A finite real number, optionally bounded below (``strict``: exclusive) and above.

    Examples
    --------
    >>> check_real("lr", 1e-3, minimum=0.0, strict=True)
    0.001
    >>> check_real("lr", 0.0, minimum=0.0, strict=True)
    Traceback (most recent call last):
    ...
    ValueError: lr must be a finite number > 0.0; got 0.0
    """
    bound = "" if minimum is None else (f" > {minimum}" if strict else f" >= {minimum}")
    if maximum is not None:
        bound += f" and <= {maximum}"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a finite number{bound}; got {value!r}")
    x = float(value)
    ok = math.isfinite(x)
    if ok and minimum is not None:
        ok = x > minimum if strict else x >= minimum
    if ok and maximum is not None:
        ok = x <= maximum
    if not ok:
        raise ValueError(f"{name} must be a finite number{bound}; got {value!r}")
    return x

"""Argument validation of the deep-attention package (its own names; see ``docs/symbols.md``).

Paper 3 (Bordelon, Letey, Pehlevan, *Theory of Scaling Laws for In-Context Regression*) reuses
letters of papers 1-2 with other meanings.  Inside :mod:`iclsym.deep`:

* ``alpha = P/D`` -- labelled context pairs per dimension (``inf``: population, ``Sigmahat = Sigma``);
* ``queries = K/D`` -- query tokens per context per dimension (paper 3's ``kappa``);
* ``batch = B/D`` -- contexts per SGD step per dimension (paper 3's ``tau``);
* ``L`` depth, ``width`` (``N``) residual-stream width, ``sigma2`` label-noise variance,
  ``gamma`` the scalar step (``Gamma = gamma I``), ``nu`` capacity and ``beta`` source exponents.

Every public function validates through this module: bad input raises ``ValueError`` naming
the argument and its allowed range.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = ["check_positive", "check_nonneg", "check_int", "check_setting", "check_alpha", "SETTINGS"]

#: the data settings of paper 3
SETTINGS = ("iso", "fs", "rrs")


def _float_array(name, value):
    if isinstance(value, (bool, np.bool_, str, bytes)):
        raise ValueError(f"{name} must be a real number; got {value!r}")
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a real number or array; got {value!r}") from None
    if np.isnan(arr).any():
        raise ValueError(f"{name} must not be NaN")
    return arr


def check_positive(name: str, value, allow_inf: bool = False, maximum: float | None = None):
    """``value`` as float (array) after checking ``0 < value`` (``<= inf`` if ``allow_inf``).

    Examples
    --------
    >>> float(check_positive("alpha", 2))
    2.0
    >>> check_positive("alpha", 0)
    Traceback (most recent call last):
    ...
    ValueError: alpha must satisfy 0 < alpha < inf; got 0
    """
    arr = _float_array(name, value)
    top = "<= inf" if allow_inf else "< inf"
    rng = f"0 < {name} {top}" if maximum is None else f"0 < {name} <= {maximum:g}"
    bad = (arr <= 0) | (~np.isfinite(arr) if not allow_inf else np.isneginf(arr))
    if maximum is not None:
        bad |= arr > maximum
    if bad.any():
        raise ValueError(f"{name} must satisfy {rng}; got {value!r}")
    return arr if arr.ndim else float(arr)


def check_alpha(value):
    """Context pairs per dimension ``alpha = P/D``: ``0 < alpha <= inf`` (``inf`` = population).

    Examples
    --------
    >>> check_alpha("inf")
    Traceback (most recent call last):
    ...
    ValueError: alpha must be a real number; got 'inf'
    >>> check_alpha(float("inf"))
    inf
    """
    return check_positive("alpha", value, allow_inf=True)


def check_nonneg(name: str, value):
    """``value`` as float after checking ``0 <= value < inf``.

    Examples
    --------
    >>> check_nonneg("sigma2", -1)
    Traceback (most recent call last):
    ...
    ValueError: sigma2 must satisfy 0 <= sigma2 < inf; got -1
    """
    arr = _float_array(name, value)
    if ((arr < 0) | ~np.isfinite(arr)).any():
        raise ValueError(f"{name} must satisfy 0 <= {name} < inf; got {value!r}")
    return arr if arr.ndim else float(arr)


def check_int(name: str, value, minimum: int = 1, maximum: int | None = None) -> int:
    """An integer ``minimum <= value (<= maximum)``.

    Examples
    --------
    >>> check_int("L", 4)
    4
    >>> check_int("L", 0)
    Traceback (most recent call last):
    ...
    ValueError: L must be an integer >= 1; got 0
    """
    ok = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if not ok and isinstance(value, float) and value.is_integer():
        value, ok = int(value), True
    rng = f">= {minimum}" if maximum is None else f"in [{minimum}, {maximum}]"
    if not ok or value < minimum or (maximum is not None and value > maximum):
        raise ValueError(f"{name} must be an integer {rng}; got {value!r}")
    return int(value)


def check_setting(value) -> str:
    """One of ``'iso'``, ``'fs'``, ``'rrs'``.

    Examples
    --------
    >>> check_setting("RRS")
    'rrs'
    """
    v = str(value).lower()
    if v not in SETTINGS:
        raise ValueError(f"setting must be one of {', '.join(SETTINGS)}; got {value!r}")
    return v


def is_inf(x) -> bool:
    """``True`` for ``+inf`` (population limit)."""
    return isinstance(x, (int, float, np.floating)) and math.isinf(float(x))

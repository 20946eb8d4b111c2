"""Validated parameters: the asymptotic ratios and the finite sizes.

The paper's scaling limit (Lu et al. 2024, Sec. 2) sends ``d -> inf`` with

* ``alpha = ell / d``   (context length per dimension),
* ``tau   = n / d**2``  (pretraining sequences per parameter),
* ``kappa = k / d``     (task diversity; ``inf`` = a fresh task per sequence),
* ``rho``               (label-noise variance),
* ``lam``               (ridge strength, with the paper's ``(n/d) lam`` scaling)

held fixed.  Every public entry point of :mod:`iclsym` validates through this
module, so that bad input fails early with a message naming the parameter and
its allowed range instead of surfacing as a NaN from deep inside NumPy.

The canonical order is always ``(alpha, tau, kappa, rho, lam)``.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, replace

import numpy as np

__all__ = [
    "PARAM_NAMES",
    "RANGES",
    "Params",
    "Sizes",
    "check_theory_args",
    "check_param",
    "check_scalar",
    "check_size",
    "check_choice",
    "check_computable",
    "COMPUTABLE_RANGE",
]

#: Canonical order of the asymptotic parameters.
PARAM_NAMES = ("alpha", "tau", "kappa", "rho", "lam")

# name -> (lower bound, lower bound included?, allow +inf?, human-readable range)
RANGES: dict[str, tuple[float, bool, bool, str]] = {
    "alpha": (0.0, False, False, "0 < alpha < inf"),
    "tau": (0.0, False, False, "0 < tau < inf"),
    "kappa": (0.0, False, True, "0 < kappa <= inf (inf: a fresh task per sequence)"),
    "rho": (0.0, True, False, "0 <= rho < inf"),
    "lam": (0.0, True, False, "0 <= lam < inf"),
}


def _as_float_array(name: str, value) -> np.ndarray:
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a real number or array of real numbers, got bool")
    try:
        arr = np.asarray(value)
    except Exception as exc:  # pragma: no cover - exotic objects
        raise TypeError(f"{name} must be a real number or array, got {type(value).__name__}") from exc
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.integer)
    ):
        raise TypeError(
            f"{name} must be a real number or array of real numbers, got dtype {arr.dtype}"
        )
    return arr.astype(np.float64, copy=False)


def check_param(name: str, value) -> np.ndarray:
    """Validate one asymptotic parameter (scalar or array) and return it as float64.

    Parameters
    ----------
    name : {'alpha', 'tau', 'kappa', 'rho', 'lam'}
    value : array_like

    Raises
    ------
    TypeError
        If the value is not real-valued.
    ValueError
        If any entry is NaN or outside ``RANGES[name]``.

    Examples
    --------
    >>> float(check_param("kappa", float("inf")))
    inf
    >>> check_param("tau", -1.0)
    Traceback (most recent call last):
    ...
    ValueError: tau must satisfy 0 < tau < inf; got -1.0
    """
    if name not in RANGES:
        raise ValueError(f"unknown parameter {name!r}; expected one of {PARAM_NAMES}")
    lo, lo_incl, allow_inf, text = RANGES[name]
    if type(value) is float or (type(value) is int and abs(value) <= 2**53):  # one Python number: the same rule
        v = float(value)
        if v == v and (v >= lo if lo_incl else v > lo) and (v < math.inf or allow_inf):
            return np.array(v)
    arr = _as_float_array(name, value)
    bad = np.isnan(arr)
    bad |= (arr < lo) if lo_incl else (arr <= lo)
    bad |= np.isinf(arr) if not allow_inf else np.isneginf(arr)
    if np.any(bad):
        first = float(arr[bad].flat[0])
        raise ValueError(f"{name} must satisfy {text}; got {first!r}")
    return arr


def check_theory_args(alpha, tau, kappa, rho, lam=0.0, computable: bool = False):
    """Validate and broadcast ``(alpha, tau, kappa, rho, lam)``.

    Returns five float64 arrays of the common broadcast shape (0-d for
    scalars).  This is the single entry check used by every theory function; the NumPy
    evaluators pass ``computable=True`` to refuse values outside :data:`COMPUTABLE_RANGE`.

    Examples
    --------
    >>> a, t, k, r, l = check_theory_args(1.0, [0.5, 2.0], float("inf"), 0.1)
    >>> t.shape, float(k[0]), float(l[1])
    ((2,), inf, 0.0)
    >>> check_theory_args(1.0, 0.5, 0.0, 0.1)
    Traceback (most recent call last):
    ...
    ValueError: kappa must satisfy 0 < kappa <= inf (inf: a fresh task per sequence); got 0.0
    """
    arrs = [check_param(n, v) for n, v in zip(PARAM_NAMES, (alpha, tau, kappa, rho, lam))]
    if computable:
        check_computable(*arrs)
    if all(a.ndim == 0 for a in arrs):  # one point: nothing to broadcast
        return tuple(arrs)
    try:
        return tuple(np.broadcast_arrays(*arrs))
    except ValueError as exc:
        shapes = ", ".join(f"{n}{a.shape}" for n, a in zip(PARAM_NAMES, arrs))
        raise ValueError(f"parameters do not broadcast together: {shapes}") from exc


#: Finite, non-zero parameter values the NumPy (float64) evaluators compute without overflow or
#: underflow: ``1e-50 <= value <= 1e50`` for ``alpha, tau, kappa`` (``kappa = inf`` is exact) and
#: ``value <= 1e50`` for ``rho, lam`` (any small value, and 0, is fine).  Checked over random points and the corners of the box by
#: tests/onelayer/theory/test_computable_range.py; beyond it (``x* = (1 + rho)/alpha`` or the root
#: near ``1e160``) squares overflow.  The mpmath evaluators (``precise``, ``--dps``) have no such limit.
COMPUTABLE_RANGE = (1e-50, 1e50)


_NUMPY_HINT = " (the mpmath evaluators, e.g. --dps 30, have no such limit)"


def check_computable(*arrays, names=PARAM_NAMES, what="the NumPy evaluators compute", hint=_NUMPY_HINT):
    """Refuse finite non-zero values outside :data:`COMPUTABLE_RANGE` (validated float arrays).

    Examples
    --------
    >>> check_computable(np.array(1e3), np.array(2.0), np.array(np.inf), np.array(0.0), np.array(0.0))
    >>> check_computable(np.array(1e155), np.array(2.0), np.array(1.0), np.array(0.0), np.array(0.0))
    Traceback (most recent call last):
    ...
    ValueError: alpha = 1e+155 is outside the range the NumPy evaluators compute, 1e-50 <= alpha <= 1e+50 (the mpmath evaluators, e.g. --dps 30, have no such limit)
    """
    lo, hi = COMPUTABLE_RANGE
    for name, arr in zip(names, arrays):
        a = np.abs(arr)
        floor = 0.0 if name in ("rho", "lam") else lo
        bad = np.isfinite(a) & (a != 0) & ((a < floor) | (a > hi))
        if np.any(bad):
            first = float(np.asarray(arr)[bad].flat[0])
            text = f"{name} <= {hi:g}" if floor == 0 else f"{lo:g} <= {name} <= {hi:g}"
            raise ValueError(f"{name} = {first:g} is outside the range {what}, {text}{hint}")


def check_scalar(name: str, value) -> float:
    """:func:`check_param` for a parameter that must be a single number.

    Examples
    --------
    >>> check_scalar("lam", 0.1)
    0.1
    >>> check_scalar("lam", [0.1, 0.2])
    Traceback (most recent call last):
    ...
    ValueError: lam must be a scalar here; got shape (2,)
    """
    arr = check_param(name, value)
    if arr.ndim != 0:
        raise ValueError(f"{name} must be a scalar here; got shape {arr.shape}")
    return float(arr)


def check_size(name: str, value, minimum: int = 1, allow_inf: bool = False, maximum: int | None = None) -> int | float:
    """Validate a finite size (``d``, ``ell``, ``k``, ``n``, ``runs`` ...).

    Examples
    --------
    >>> check_size("d", 100, minimum=2)
    100
    >>> check_size("d", 1, minimum=2)
    Traceback (most recent call last):
    ...
    ValueError: d must be an integer >= 2; got 1
    """
    if allow_inf and isinstance(value, numbers.Real) and math.isinf(value) and value > 0:
        return math.inf
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        if isinstance(value, numbers.Real) and float(value).is_integer():
            value = int(value)
        else:
            extra = " or inf" if allow_inf else ""
            raise ValueError(f"{name} must be an integer >= {minimum}{extra}; got {value!r}")
    value = int(value)
    if value < minimum:
        extra = " or inf" if allow_inf else ""
        raise ValueError(f"{name} must be an integer >= {minimum}{extra}; got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be an integer with {minimum} <= {name} <= {maximum}; got {value}")
    return value


def check_choice(name: str, value, allowed: tuple) -> str:
    """Validate a named option against its allowed values.

    Examples
    --------
    >>> check_choice("method", "cg", ("auto", "cg"))
    'cg'
    >>> check_choice("method", "lu", ("auto", "cg"))
    Traceback (most recent call last):
    ...
    ValueError: method must be one of ('auto', 'cg'); got 'lu'
    """
    if value not in allowed:
        raise ValueError(f"{name} must be one of {allowed}; got {value!r}")
    return value


def _round_half_up(x: float) -> int:
    return int(math.floor(x + 0.5))


@dataclass(frozen=True)
class Params:
    """One point ``(alpha, tau, kappa, rho, lam)`` of the asymptotic theory.

    Examples
    --------
    >>> p = Params(alpha=10, tau=2, kappa=0.5, rho=0.01, lam=1e-5)
    >>> p.as_tuple()
    (10.0, 2.0, 0.5, 0.01, 1e-05)
    >>> Params(alpha=1, tau=1, kappa=1, rho=-0.1)
    Traceback (most recent call last):
    ...
    ValueError: rho must satisfy 0 <= rho < inf; got -0.1
    """

    alpha: float
    tau: float
    kappa: float
    rho: float
    lam: float = 0.0

    def __post_init__(self):
        for name in PARAM_NAMES:
            object.__setattr__(self, name, check_scalar(name, getattr(self, name)))

    def as_tuple(self) -> tuple[float, float, float, float, float]:
        return tuple(getattr(self, n) for n in PARAM_NAMES)

    def as_dict(self) -> dict[str, float]:
        return {n: getattr(self, n) for n in PARAM_NAMES}

    def replace(self, **changes) -> "Params":
        return replace(self, **changes)

    def sizes(self, d: int) -> "Sizes":
        """Finite sizes at dimension ``d`` (round-half-up of the ratios)."""
        return Sizes.from_params(d, self)


@dataclass(frozen=True)
class Sizes:
    """Finite sizes ``(d, ell, k, n)`` of one simulated problem.

    ``k = inf`` means a fresh task per pretraining sequence.

    Examples
    --------
    >>> s = Sizes.from_params(100, Params(alpha=10, tau=2, kappa=0.5, rho=0.01))
    >>> s.d, s.ell, s.k, s.n
    (100, 1000, 50, 20000)
    >>> s.effective(Params(alpha=10, tau=2, kappa=0.5, rho=0.01)).kappa
    0.5
    >>> Sizes(d=1, ell=3, k=2, n=10)
    Traceback (most recent call last):
    ...
    ValueError: d must be an integer >= 2; got 1
    """

    d: int
    ell: int
    k: int | float
    n: int

    def __post_init__(self):
        object.__setattr__(self, "d", check_size("d", self.d, minimum=2))
        object.__setattr__(self, "ell", check_size("ell", self.ell, minimum=1))
        object.__setattr__(self, "k", check_size("k", self.k, minimum=1, allow_inf=True))
        object.__setattr__(self, "n", check_size("n", self.n, minimum=1))

    @classmethod
    def from_params(cls, d: int, params: Params) -> "Sizes":
        d = check_size("d", d, minimum=2)
        ell = max(1, _round_half_up(params.alpha * d))
        k = math.inf if math.isinf(params.kappa) else max(1, _round_half_up(params.kappa * d))
        n = max(1, _round_half_up(params.tau * d * d))
        return cls(d=d, ell=ell, k=k, n=n)

    @property
    def alpha(self) -> float:
        return self.ell / self.d

    @property
    def tau(self) -> float:
        return self.n / self.d**2

    @property
    def kappa(self) -> float:
        return self.k / self.d

    def effective(self, params: Params) -> Params:
        """The ratios actually realised at these sizes (compare theory here)."""
        return Params(self.alpha, self.tau, self.kappa, params.rho, params.lam)

"""Job kinds: which importable function runs a Monte Carlo or training job, and its coordinates.

A kind declares the function (an importable path ``"module:function"``, never a Python object, so
jobs pickle to process pools and Dask workers) and its **coordinates**: every keyword argument the
function takes, each with a type and (optionally) a default.  Coordinates are what a job *is*:
they are the key of the result store and the dimensions of an exported dataset, so two jobs that
differ in any coordinate -- a parameter or an option such as the ridge solver -- are different
points and are never averaged together.  A job function is called as
``fn(seed=seed, **coordinates)`` and returns a dict of JSON-serialisable values.

Each model declares its kinds in a small module listed in :data:`KIND_MODULES` (imported lazily by
:func:`kinds`); ``toy`` below is a cheap stand-in used by the tests of the sweep machinery.
Every kind also has a **code fingerprint** (:mod:`iclsym.sweep.fingerprint`): the store reuses a
result only if it was produced by the same code.
"""

from __future__ import annotations

import importlib
import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from iclsym.core.params import PARAM_NAMES, check_param, check_size

__all__ = [
    "Coord", "JobKind", "KIND_MODULES", "REQUIRED", "kinds", "get_kind", "register_kind", "resolve", "run_job",
    "run_job_timed", "toy_job", "TOY",
]

#: modules whose import registers job kinds (one per model)
KIND_MODULES = ("iclsym.onelayer.jobs", "iclsym.deep.kinds")


class _Required:
    def __repr__(self):
        return "REQUIRED"


#: marker: a coordinate without a default
REQUIRED = _Required()
_TYPES = {float: "REAL", int: "INTEGER", str: "TEXT", bool: "INTEGER"}


@dataclass(frozen=True)
class Coord:
    """One coordinate of a job kind.

    Attributes
    ----------
    name : str
        Keyword argument of the job function.
    type : {float, int, str, bool}
    default : optional
        Value used when a grid does not give one (:data:`REQUIRED`: must be given).
    minimum : int, optional
        Smallest allowed value of an ``int`` coordinate.
    seeded : bool
        Whether the coordinate enters the job's seed.  Options that select *how* a result is
        computed (a solver, a sampler) are not seeded: jobs that differ only in them share their
        random numbers (common random numbers), which isolates the option's effect.

    Examples
    --------
    >>> Coord("alpha", float, param="alpha").check(1)
    1.0
    >>> Coord("queries", float, allow_inf=True).check("inf")
    inf
    >>> Coord("d", int, minimum=2).check(1)
    Traceback (most recent call last):
    ...
    ValueError: d must be an integer >= 2; got 1
    """

    name: str
    type: type = float
    default: Any = REQUIRED
    minimum: int | float | None = None
    seeded: bool = True
    allow_inf: bool = False
    param: str | None = None

    def __post_init__(self):
        if self.type not in _TYPES:
            raise ValueError(f"coordinate type must be one of float, int, str, bool; got {self.type!r}")

    def check(self, value):
        """The canonical value of this coordinate (validated; ``1`` and ``1.0`` are the same float).

        A float coordinate with ``param`` set is validated as that parameter of papers 1-2
        (:func:`iclsym.core.params.check_param`); otherwise it must be a finite number (``inf``
        too if ``allow_inf``) and at least ``minimum`` if given.
        """
        if self.type is float:
            if isinstance(value, str) and value.strip().lower() in ("inf", "+inf", "infinity"):
                value = math.inf
            if self.param is not None:
                arr = check_param(self.param, value)
                if np.ndim(arr) != 0:
                    raise ValueError(f"{self.name} must be a single number in a job; got shape {np.shape(arr)}")
                return float(arr) + 0.0  # -0.0 and 0.0 are one value (one seed, one key)
            if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
                raise ValueError(f"{self.name} must be a real number; got {value!r}")
            v = float(value)
            if math.isnan(v) or (math.isinf(v) and not (self.allow_inf and v > 0)):
                allowed = "a finite number or inf" if self.allow_inf else "a finite number"
                raise ValueError(f"{self.name} must be {allowed}; got {value!r}")
            if self.minimum is not None and v < self.minimum:
                raise ValueError(f"{self.name} must be >= {self.minimum}; got {value!r}")
            return v + 0.0
        if self.type is int:
            return check_size(self.name, value, minimum=self.minimum if self.minimum is not None else -(2**62))
        if self.type is bool:
            if not isinstance(value, (bool, np.bool_)):
                raise ValueError(f"{self.name} must be true or false; got {value!r}")
            return bool(value)
        if not isinstance(value, str):
            raise ValueError(f"{self.name} must be a string; got {value!r}")
        return value

    @property
    def sql_type(self) -> str:
        return _TYPES[self.type]


@dataclass(frozen=True)
class JobKind:
    """A registered job kind: its function and its coordinates (see the module docstring).

    Examples
    --------
    >>> TOY.coordinate_names[:3], TOY.target
    (('alpha', 'tau', 'kappa'), 'iclsym.sweep.kinds:toy_job')
    """

    name: str
    target: str
    coords: tuple[Coord, ...]
    description: str = ""

    def __post_init__(self):
        if ":" not in self.target:
            raise ValueError(f"target must be 'module:function'; got {self.target!r}")
        names = [c.name for c in self.coords]
        if len(set(names)) != len(names) or {"seed", "run", "kind"} & set(names):
            raise ValueError(f"coordinates of {self.name!r} must be distinct and not seed/run/kind; got {names}")
        if not self.name.isidentifier():
            raise ValueError(f"kind name must be an identifier; got {self.name!r}")

    @property
    def coordinate_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.coords)

    def coord(self, name: str) -> Coord:
        for c in self.coords:
            if c.name == name:
                return c
        raise ValueError(f"{name!r} is not a coordinate of job kind {self.name!r}; coordinates: {self.coordinate_names}")

    def canonical(self, values: dict) -> tuple:
        """Validated coordinate values in declaration order, defaults filled in."""
        unknown = set(values) - set(self.coordinate_names)
        if unknown:
            raise ValueError(f"unknown coordinate(s) {sorted(unknown)} for job kind {self.name!r}; "
                             f"coordinates: {self.coordinate_names}")
        out = []
        for c in self.coords:
            if c.name in values:
                out.append(c.check(values[c.name]))
            elif c.default is REQUIRED:
                raise ValueError(f"job kind {self.name!r} needs a value for {c.name!r}")
            else:
                out.append(c.check(c.default))
        return tuple(out)

    def declaration(self) -> str:
        """Text of the declaration (part of the fingerprint: a changed default changes the code)."""
        return f"{self.name}|{self.target}|" + ";".join(
            f"{c.name}:{c.type.__name__}:{c.default!r}:{c.minimum}:{c.seeded}:{c.allow_inf}:{c.param}"
            for c in self.coords)

    def fingerprint(self) -> str:
        """SHA-256 of the code closure of the target module and of this declaration."""
        from iclsym.sweep.fingerprint import source_fingerprint

        return source_fingerprint(self.target.partition(":")[0], self.declaration())


_REGISTRY: dict[str, JobKind] = {}
_LOADED = False


def register_kind(kind: JobKind) -> JobKind:
    """Register a job kind (or replace one with the same name)."""
    _REGISTRY[kind.name] = kind
    return kind


def kinds() -> dict[str, JobKind]:
    """All registered kinds (imports :data:`KIND_MODULES` once).

    >>> sorted(kinds())[:3]
    ['aligned', 'deep_attention', 'deep_mc']
    """
    global _LOADED
    if not _LOADED:
        _LOADED = True
        for name in KIND_MODULES:
            importlib.import_module(name)
    return _REGISTRY


def get_kind(name: str) -> JobKind:
    """The kind called ``name``; ``ValueError`` naming the known kinds otherwise."""
    table = kinds()
    if name not in table:
        raise ValueError(f"kind must be one of {sorted(table)}; got {name!r}")
    return table[name]


def resolve(target: str):
    """Import ``"module:function"`` and return the function.

    Examples
    --------
    >>> resolve("iclsym.sweep.kinds:toy_job").__name__
    'toy_job'
    """
    module, _, name = target.partition(":")
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise ValueError(f"cannot import job function {target!r}: {exc}") from exc


def run_job(kind: str, target: str, coords: dict, seed: int) -> dict:
    """Run one job in the current process and return its result dict.

    This is the function shipped to workers: every argument is plain data.

    Examples
    --------
    >>> out = run_job("toy", "iclsym.sweep.kinds:toy_job", {"alpha": 1.0, "tau": 2.0, "kappa": 0.5,
    ...               "rho": 0.1, "lam": 0.0, "d": 8, "scale": 1.0, "sleep": 0.0}, 123)
    >>> sorted(out)[:3]
    ['d', 'e_icl', 'e_idg']
    """
    fn = resolve(target)
    result = fn(seed=seed, **coords)
    if not isinstance(result, dict):
        raise TypeError(f"job function {target} must return a dict; got {type(result).__name__}")
    return result


def run_job_timed(kind: str, target: str, coords: dict, seed: int):
    """:func:`run_job` plus its wall time in seconds (what executors ship to workers)."""
    t0 = time.perf_counter()
    result = run_job(kind, target, coords, seed)
    return result, time.perf_counter() - t0


def toy_job(alpha, tau, kappa, rho, lam, d, seed, scale=1.0, sleep=0.0) -> dict:
    """Cheap deterministic stand-in for a simulation (tests of the sweep machinery).

    Returns seeded Gaussian noise around a smooth function of the parameters, so that
    different seeds give different numbers and the same seed gives the same numbers.
    ``sleep`` seconds of waiting make it a slow job (tests of interrupted sweeps); a negative
    ``scale`` makes it fail (tests of failed jobs).

    Examples
    --------
    >>> a = toy_job(1.0, 2.0, 0.5, 0.1, 0.0, 8, seed=7)
    >>> b = toy_job(1.0, 2.0, 0.5, 0.1, 0.0, 8, seed=7)
    >>> a == b, set(a) >= {"e_icl", "e_idg", "g_task"}
    (True, True)
    """
    if scale < 0:
        raise ValueError(f"scale must be >= 0; got {scale}")
    if sleep > 0:
        time.sleep(sleep)
    rng = np.random.default_rng(seed)
    z = rng.standard_normal(2) * scale / d
    e_idg = float(rho + 1.0 / (1.0 + alpha * tau) + z[0])
    e_icl = float(e_idg + max(0.0, 1.0 - kappa) + z[1])
    return {"e_icl": e_icl, "e_idg": e_idg, "g_task": e_icl - e_idg, "d": int(d), "solver": "toy"}


#: the test kind: the five parameters, ``d``, and two options that change the result or its timing
TOY = register_kind(JobKind(
    "toy", "iclsym.sweep.kinds:toy_job",
    tuple(Coord(n, param=n) for n in PARAM_NAMES[:4]) + (Coord("lam", default=0.0, param="lam"), Coord("d", int, minimum=2),
                                                Coord("scale", default=1.0), Coord("sleep", default=0.0, seeded=False)),
    "a cheap stand-in for a simulation (tests)",
))

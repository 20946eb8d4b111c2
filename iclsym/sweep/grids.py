"""Grids of Monte Carlo jobs and their deterministic seeds (DESIGN §8, "Sweeps and scale").

A job is ``(kind, alpha, tau, kappa, rho, lam, d, run)`` plus options.  Its seed is derived
from ``numpy.random.SeedSequence(base_seed, spawn_key=...)`` with the spawn key built from the
job's coordinates (exact bit patterns of the float parameters), so the numbers a job produces
depend only on what the job *is* -- never on which executor ran it or in what order.
"""

from __future__ import annotations

import itertools
import json
import struct
import zlib
from dataclasses import dataclass, field

import numpy as np

from iclsym.core.params import PARAM_NAMES, check_param, check_size
from iclsym.sweep.kinds import KINDS

__all__ = ["Job", "grid", "job_seed", "COORDS"]

#: the sweep coordinates (dimensions of an exported dataset), in order
COORDS = ("kind",) + PARAM_NAMES + ("d", "run")


def _float_words(x: float) -> tuple[int, int]:
    (bits,) = struct.unpack("<Q", struct.pack("<d", float(x)))
    return bits >> 32, bits & 0xFFFFFFFF


def job_seed(base_seed: int, kind: str, params: dict, d: int, run: int) -> int:
    """The integer seed of one job: a function of its coordinates only.

    ``SeedSequence(base_seed, spawn_key=(crc32(kind), float bits of alpha..lam, d, run))``;
    the first 63 bits of its state are returned (so the seed fits a signed SQLite INTEGER).

    Examples
    --------
    >>> p = dict(alpha=1.0, tau=2.0, kappa=0.5, rho=0.1, lam=0.0)
    >>> job_seed(0, "ridge", p, 40, 0) == job_seed(0, "ridge", dict(p), 40, 0)
    True
    >>> job_seed(0, "ridge", p, 40, 0) == job_seed(0, "ridge", p, 40, 1)
    False
    """
    key = [zlib.crc32(kind.encode("utf-8"))]
    for name in PARAM_NAMES:
        key.extend(_float_words(params[name]))
    key.extend([int(d), int(run)])
    state = np.random.SeedSequence(int(base_seed), spawn_key=tuple(key)).generate_state(2, np.uint32)
    return int((int(state[0]) << 31) ^ int(state[1])) & (2**63 - 1)


def _canonical(value: float) -> float:
    # one representation per number: 1 and 1.0 and np.float64(1) give the same key
    return float(value)


@dataclass(frozen=True)
class Job:
    """One Monte Carlo job of a sweep.

    Attributes
    ----------
    kind : str
        A registered job kind (:data:`iclsym.sweep.kinds.KINDS`).
    alpha, tau, kappa, rho, lam : float
        The asymptotic parameters (``kappa = inf``: a fresh task per sequence).
    d : int
        Dimension.
    run : int
        Index of the independent repetition.
    base_seed : int
        Seed of the whole sweep; the job's own seed is :attr:`seed`.
    options : tuple of (str, value) pairs
        Extra keyword arguments of the job function (JSON-serialisable), part of the key.

    Examples
    --------
    >>> j = Job("toy", 1, 2, 0.5, 0.1, 0.0, d=8, run=0)
    >>> j.params["tau"], j.seed == Job("toy", 1.0, 2.0, 0.5, 0.1, 0, d=8, run=0).seed
    (2.0, True)
    """

    kind: str
    alpha: float
    tau: float
    kappa: float
    rho: float
    lam: float
    d: int
    run: int = 0
    base_seed: int = 0
    options: tuple = field(default=())

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {sorted(KINDS)}; got {self.kind!r}")
        for name in PARAM_NAMES:
            value = check_param(name, getattr(self, name))
            if value.ndim != 0:
                raise ValueError(f"{name} must be a scalar in a Job; got shape {value.shape}")
            object.__setattr__(self, name, _canonical(value))
        object.__setattr__(self, "d", check_size("d", self.d, minimum=2))
        object.__setattr__(self, "run", check_size("run", self.run, minimum=0))
        object.__setattr__(self, "base_seed", check_size("base_seed", self.base_seed, minimum=0))
        opts = dict(self.options)
        try:
            json.dumps(opts, sort_keys=True)
        except TypeError as exc:
            raise TypeError(f"options must be JSON-serialisable: {exc}") from exc
        object.__setattr__(self, "options", tuple(sorted(opts.items())))

    @property
    def params(self) -> dict[str, float]:
        return {n: getattr(self, n) for n in PARAM_NAMES}

    @property
    def seed(self) -> int:
        return job_seed(self.base_seed, self.kind, self.params, self.d, self.run)

    @property
    def options_json(self) -> str:
        return json.dumps(dict(self.options), sort_keys=True)

    @property
    def target(self) -> str:
        return KINDS[self.kind].target

    def call_args(self) -> tuple:
        """Plain-data arguments of :func:`iclsym.sweep.kinds.run_job` for this job."""
        names = KINDS[self.kind].params
        return (self.kind, self.target, {n: self.params[n] for n in names}, self.d, self.seed, dict(self.options))


def _as_list(name, values):
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{name} must be a number or a list of numbers; got {values!r}")
    if np.ndim(values) == 0:
        return [values]
    return list(np.asarray(values).ravel().tolist())


def grid(kind="ridge", *, alpha, tau, kappa, rho, lam=0.0, d, runs=1, base_seed=0, options=None):
    """Cartesian product of jobs (the ``iclsym sweep`` grid).

    Every parameter is a number or a list; ``runs`` independent repetitions each.

    Examples
    --------
    >>> jobs = grid("toy", alpha=[1, 10], tau=[0.5, 2], kappa=0.5, rho=0.01, lam=1e-5, d=8, runs=3)
    >>> len(jobs), len({j.seed for j in jobs})
    (12, 12)
    """
    runs = check_size("runs", runs, minimum=1)
    axes = {
        "alpha": _as_list("alpha", alpha),
        "tau": _as_list("tau", tau),
        "kappa": _as_list("kappa", kappa),
        "rho": _as_list("rho", rho),
        "lam": _as_list("lam", lam),
        "d": _as_list("d", d),
    }
    opts = tuple(sorted((options or {}).items()))
    out = []
    for a, t, k, r, l, dd in itertools.product(*axes.values()):
        for run in range(runs):
            out.append(Job(kind, a, t, k, r, l, d=dd, run=run, base_seed=base_seed, options=opts))
    return out


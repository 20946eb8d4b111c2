"""Jobs, grids of jobs and their deterministic seeds.

A job is its kind, its coordinates (declared by the kind, :mod:`iclsym.sweep.kinds`), the index
``run`` of an independent repetition and the sweep's ``base_seed``.  Its seed comes from
``numpy.random.SeedSequence(base_seed, spawn_key=...)`` with the spawn key built from the kind,
the seeded coordinates (exact bit patterns of floats) and ``run``, so the numbers a job produces
depend only on what the job *is* -- never on which executor ran it or in what order.
"""

from __future__ import annotations

import itertools
import json
import struct
import zlib
from dataclasses import dataclass

import numpy as np

from iclsym.core.params import check_size
from iclsym.sweep.kinds import get_kind

__all__ = ["Job", "grid", "job_seed", "MAX_SEED"]

#: largest base seed (the seeds are stored as signed 64-bit SQLite integers)
MAX_SEED = 2**63 - 1


def _float_words(x: float) -> tuple[int, int]:
    (bits,) = struct.unpack("<Q", struct.pack("<d", float(x)))
    return bits >> 32, bits & 0xFFFFFFFF


def _key_words(value) -> list[int]:
    if isinstance(value, bool):
        return [int(value)]
    if isinstance(value, float):
        return list(_float_words(value))
    if isinstance(value, int):
        return [value & 0xFFFFFFFF] if 0 <= value < 2**32 else list(_float_words(float(value)))
    return [zlib.crc32(str(value).encode("utf-8"))]


def job_seed(base_seed: int, kind: str, seeded: dict, run: int) -> int:
    """The integer seed of one job: a function of its kind, seeded coordinates and ``run`` only.

    ``SeedSequence(base_seed, spawn_key=(crc32(kind), words of each seeded coordinate, run))``
    (floats as their two 32-bit words, ints as themselves, strings as crc32); the first 63 bits of
    its state are returned (so the seed fits a signed SQLite INTEGER).

    Examples
    --------
    >>> p = dict(alpha=1.0, tau=2.0, kappa=0.5, rho=0.1, lam=0.0, d=40)
    >>> job_seed(0, "ridge", p, 0) == job_seed(0, "ridge", dict(p), 0)
    True
    >>> job_seed(0, "ridge", p, 0) == job_seed(0, "ridge", p, 1)
    False
    """
    key = [zlib.crc32(kind.encode("utf-8"))]
    for value in seeded.values():
        key.extend(_key_words(value))
    key.append(int(run))
    state = np.random.SeedSequence(int(base_seed), spawn_key=tuple(key)).generate_state(2, np.uint32)
    return int((int(state[0]) << 31) ^ int(state[1])) & (2**63 - 1)


@dataclass(frozen=True)
class Job:
    """One job of a sweep.

    Attributes
    ----------
    kind : str
        A registered job kind (:func:`iclsym.sweep.kinds.kinds`).
    values : tuple
        Coordinate values in the kind's declaration order (see :meth:`of`).
    run : int
        Index of the independent repetition.
    base_seed : int
        Seed of the whole sweep; the job's own seed is :attr:`seed`.

    Examples
    --------
    >>> j = Job.of("toy", alpha=1, tau=2, kappa=0.5, rho=0.1, d=8)
    >>> j.coords["tau"], j.coords["lam"], j.seed == Job.of("toy", alpha=1.0, tau=2.0, kappa=0.5, rho=0.1, d=8).seed
    (2.0, 0.0, True)
    """

    kind: str
    values: tuple
    run: int = 0
    base_seed: int = 0

    def __post_init__(self):
        spec = get_kind(self.kind)
        if isinstance(self.values, dict):
            values = spec.canonical(self.values)
        else:
            values = spec.canonical(dict(zip(spec.coordinate_names, self.values)))
            if len(self.values) != len(spec.coords):
                raise ValueError(f"job of kind {self.kind!r} needs {len(spec.coords)} coordinate values; "
                                 f"got {len(self.values)}")
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "run", check_size("run", self.run, minimum=0))
        object.__setattr__(self, "base_seed", check_size("seed", self.base_seed, minimum=0, maximum=MAX_SEED))

    @classmethod
    def of(cls, kind: str, *, run: int = 0, base_seed: int = 0, **coords) -> "Job":
        """A job from keyword coordinates (defaults filled in, values validated)."""
        return cls(kind, coords, run=run, base_seed=base_seed)

    @property
    def spec(self):
        return get_kind(self.kind)

    @property
    def coords(self) -> dict:
        """Coordinate name -> value (declaration order)."""
        return dict(zip(self.spec.coordinate_names, self.values))

    def __getattr__(self, name):
        # coordinates read as attributes (job.alpha, job.d); only called for unknown attributes
        if name.startswith("_") or name in ("kind", "values", "run", "base_seed"):
            raise AttributeError(name)
        coords = self.coords
        if name in coords:
            return coords[name]
        raise AttributeError(f"job of kind {self.kind!r} has no coordinate {name!r}")

    @property
    def seed(self) -> int:
        seeded = {c.name: v for c, v in zip(self.spec.coords, self.values) if c.seeded}
        return job_seed(self.base_seed, self.kind, seeded, self.run)

    @property
    def target(self) -> str:
        return self.spec.target

    def call_args(self) -> tuple:
        """Plain-data arguments of :func:`iclsym.sweep.kinds.run_job` for this job."""
        return (self.kind, self.target, self.coords, self.seed)

    def __str__(self):
        inner = ", ".join(f"{k}={v!r}" for k, v in self.coords.items())
        return f"{self.kind}({inner}, run={self.run})"


def _as_list(name, values):
    if isinstance(values, (str, bytes)):
        return [values]
    if np.ndim(values) == 0:
        return [values.item() if isinstance(values, np.generic) else values]
    out = list(np.asarray(values, dtype=object).ravel().tolist())
    if not out:
        raise ValueError(f"{name} must not be empty")
    return out


def grid(kind="ridge", *, runs=1, base_seed=0, options=None, **axes):
    """Cartesian product of jobs (the ``iclsym sweep`` grid).

    Every coordinate is a value or a list of values; coordinates not given take their default;
    ``runs`` independent repetitions each.  ``options`` is a dict of further coordinates (the
    command line's ``--option KEY=VALUE``).

    Examples
    --------
    >>> jobs = grid("toy", alpha=[1, 10], tau=[0.5, 2], kappa=0.5, rho=0.01, lam=1e-5, d=8, runs=3)
    >>> len(jobs), len({j.seed for j in jobs})
    (12, 12)
    >>> grid("toy", alpha=1, tau=1, kappa=1, rho=0.1)
    Traceback (most recent call last):
    ...
    ValueError: job kind 'toy' needs a value for 'd'
    """
    spec = get_kind(kind)
    runs = check_size("runs", runs, minimum=1)
    axes = dict(axes)
    for key, value in (options or {}).items():
        if key in axes:
            raise ValueError(f"{key} is given both as a coordinate and as an option")
        axes[key] = value
    unknown = set(axes) - set(spec.coordinate_names)
    if unknown:
        raise ValueError(f"unknown coordinate(s) {sorted(unknown)} for job kind {kind!r}; "
                         f"coordinates: {spec.coordinate_names}")
    names = [n for n in spec.coordinate_names if n in axes]
    # one job per distinct value (1 and 1.0 are the same value; order kept)
    lists = [list(dict.fromkeys(spec.coord(n).check(v) for v in _as_list(n, axes[n]))) for n in names]
    out = []
    for combo in itertools.product(*lists):
        values = dict(zip(names, combo))
        for run in range(runs):
            out.append(Job(kind, values, run=run, base_seed=base_seed))
    return out


def canonical_json(coords: dict) -> str:
    """Coordinates as canonical JSON text (stable across runs; ``inf`` kept)."""
    return json.dumps(coords, sort_keys=True)

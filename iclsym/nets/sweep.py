"""Jobs of the trained-network figures, a resumable result store and a local process-pool runner.

A :class:`NetJob` is ``(kind, coords, run, base_seed)``: ``kind`` names a job function of
:data:`KINDS` (``fn(*, seed, **coords) -> dict``), ``coords`` its keyword arguments (JSON
scalars), ``run`` the independent repetition.  Its seed is a function of those alone
(``numpy.random.SeedSequence(base_seed, spawn_key=...)``), never of the executor.

:class:`NetStore` keeps one SQLite row per finished job (written as soon as it finishes; a
killed sweep resumes with nothing lost or repeated) and exposes ``frame(kind, **where)``, the
only store method the figure modules use.  :func:`run` executes pending jobs in worker processes
(spawned, one XLA thread each), the runs of a point together, longest first.

This module imports neither JAX nor the job functions in the parent process.
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
import sys
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from iclsym.core.params import check_size

__all__ = ["KINDS", "KIND_COORDS", "curve_keys", "NetJob", "NetStore", "run", "run_one", "run_bundle", "mean_se",
           "xla_single_thread_flags"]

#: job kind -> importable job function
KINDS = {
    "net_icl": "iclsym.nets.jobs:icl_job",
    "net_alignment": "iclsym.nets.jobs:alignment_job",
    "net_depth": "iclsym.nets.jobs:depth_job",
}

#: the coordinates the figure modules give each kind (keyword arguments of its function besides ``seed``)
KIND_COORDS = {
    "net_icl": ("arch", "d", "alpha", "tau", "kappa", "rho", "steps", "lr", "batch_frac", "schedule", "n_test"),
    "net_alignment": ("arch", "d", "alpha", "tau", "kappa", "rho", "train_power", "steps", "lr", "batch_frac",
                      "schedule", "n_test"),
    "net_depth": ("arch", "depth", "d", "width", "alpha", "queries", "batch", "steps", "lr", "evals", "n_test"),
}


def curve_keys(steps: int, evals: int) -> list:
    """The step numbers at which :func:`depth_job` records the test loss (``evals`` + 1 points, from 0).

    Examples
    --------
    >>> curve_keys(1000, 4)
    [0, 250, 500, 750, 1000]
    """
    steps = check_size("steps", steps, minimum=1)
    evals = check_size("evals", evals, minimum=1)
    if steps % evals:
        raise ValueError(f"steps ({steps}) must be a multiple of evals ({evals})")
    return [i * (steps // evals) for i in range(evals + 1)]


def _canonical(value):
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if isinstance(value, str):
        return value
    raise TypeError(f"job coordinates must be JSON scalars (bool, int, float, str); got {type(value).__name__}")


@dataclass(frozen=True)
class NetJob:
    """One training run of a sweep.

    Examples
    --------
    >>> j = NetJob("net_icl", {"arch": "full_linear", "d": 8, "tau": 1.0}, run=0)
    >>> j.seed == NetJob("net_icl", {"tau": 1.0, "d": 8, "arch": "full_linear"}, run=0).seed
    True
    >>> j.seed == NetJob("net_icl", {"arch": "full_linear", "d": 8, "tau": 1.0}, run=1).seed
    False
    """

    kind: str
    coords: dict
    run: int = 0
    base_seed: int = 0

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {sorted(KINDS)}; got {self.kind!r}")
        object.__setattr__(self, "coords", {k: _canonical(v) for k, v in sorted(dict(self.coords).items())})
        if not isinstance(self.run, int) or self.run < 0:
            raise ValueError(f"run must be a non-negative int; got {self.run!r}")

    def __hash__(self):
        return hash((self.kind, self.coords_json, self.run, self.base_seed))

    @property
    def coords_json(self) -> str:
        return json.dumps(self.coords, sort_keys=True)

    @property
    def seed(self) -> int:
        key = (zlib.crc32(self.kind.encode()), zlib.crc32(self.coords_json.encode()), int(self.run))
        state = np.random.SeedSequence(int(self.base_seed), spawn_key=key).generate_state(2, np.uint32)
        return int((int(state[0]) << 31) ^ int(state[1])) & (2**63 - 1)

    @property
    def target(self) -> str:
        return KINDS[self.kind]

    def cost(self) -> float:
        """A rough relative cost (for longest-first scheduling)."""
        c = self.coords
        size = c.get("tau", 1.0) * c.get("d", 1) ** 2 * c.get("batch_frac", 0.1) if "tau" in c else c.get("batch", 1)
        blocks = {"full_linear": 0.3, "softmax": 1.0}.get(c.get("arch"), 2.5) * c.get("depth", 1)
        return float(c.get("steps", 1)) * max(size, 1.0) * c.get("d", 1) * blocks


def run_one(job: NetJob) -> tuple[dict, float]:
    """Run one job in this process; ``(result, seconds)``."""
    import importlib

    module, _, name = job.target.partition(":")
    fn = getattr(importlib.import_module(module), name)
    t0 = time.perf_counter()
    result = fn(seed=job.seed, **job.coords)
    return result, time.perf_counter() - t0


_SCHEMA = """
CREATE TABLE IF NOT EXISTS net_results (
    kind TEXT NOT NULL, coords TEXT NOT NULL, run INTEGER NOT NULL, base_seed INTEGER NOT NULL,
    seed INTEGER NOT NULL, result TEXT NOT NULL, seconds REAL, finished REAL,
    UNIQUE (kind, coords, run, base_seed)
);
"""


class NetStore:
    """SQLite store of finished :class:`NetJob` results.

    Examples
    --------
    >>> s = NetStore(":memory:")
    >>> j = NetJob("net_icl", {"d": 4, "tau": 1.0})
    >>> s.add(j, {"e_icl": 1.5}), s.add(j, {"e_icl": 2.0}), s.is_done(j)
    (True, False, True)
    >>> s.frame("net_icl")[["d", "tau", "run", "e_icl"]].to_dict("records")
    [{'d': 4, 'tau': 1.0, 'run': 0, 'e_icl': 1.5}]
    """

    def __init__(self, path):
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._con = sqlite3.connect(self.path, timeout=60.0)
        self._con.execute("PRAGMA journal_mode=WAL")
        self._con.executescript(_SCHEMA)
        self._con.commit()

    def add(self, job: NetJob, result: dict, seconds: float | None = None) -> bool:
        cur = self._con.execute(
            "INSERT OR IGNORE INTO net_results VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (job.kind, job.coords_json, job.run, job.base_seed, job.seed, json.dumps(result, sort_keys=True),
             seconds, time.time()))
        self._con.commit()
        return cur.rowcount == 1

    def is_done(self, job: NetJob) -> bool:
        row = self._con.execute("SELECT 1 FROM net_results WHERE kind=? AND coords=? AND run=? AND base_seed=?",
                                (job.kind, job.coords_json, job.run, job.base_seed)).fetchone()
        return row is not None

    def __len__(self):
        return int(self._con.execute("SELECT COUNT(*) FROM net_results").fetchone()[0])

    def frame(self, kind: str, **where):
        """One row per finished job of ``kind``: coordinates, ``run``, ``seed``, ``seconds``, result fields.

        ``where`` filters on coordinates (exact equality).
        """
        import pandas as pd

        rows = []
        for coords, run_, seed, result, seconds in self._con.execute(
                "SELECT coords, run, seed, result, seconds FROM net_results WHERE kind=?", (kind,)):
            rec = json.loads(coords)
            if any(rec.get(k) != v for k, v in where.items()):
                continue
            rec.update({"run": run_, "seed": seed, "job_seconds": seconds})
            rec.update(json.loads(result))
            rows.append(rec)
        return pd.DataFrame(rows)


def xla_single_thread_flags() -> str:
    """``XLA_FLAGS`` value that keeps XLA's CPU backend on one thread (one worker per core)."""
    return "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"


def _init_worker():
    os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") + " " + xla_single_thread_flags()).strip()
    os.environ.setdefault("ICLSYM_NO_PROGRESS", "1")
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"


def run_bundle(jobs) -> list:
    """Run jobs that differ only in ``run`` one after the other in this process: ``[(result, seconds)]``.

    They share every compiled function (same shapes and static arguments), so only the first
    one compiles; each still computes from its own seed, so the numbers are those of
    :func:`run_one`.
    """
    return [run_one(j) for j in jobs]


def run(jobs, store: NetStore, workers: int = 2, progress=None, longest_first: bool = True) -> dict:
    """Run the jobs not yet in ``store`` on ``workers`` spawned processes (``0``: in this process).

    The runs of one point (same kind and coordinates) go to one worker as a bundle
    (:func:`run_bundle`: one compilation for all of them).  ``longest_first`` orders the bundles by
    :meth:`NetJob.cost` (best load balance); otherwise in the given order (e.g. to finish one
    figure before the next starts).

    Returns ``{"ran": int, "skipped": int, "seconds": wall time, "job_seconds": summed job time}``.
    """
    pending = list(dict.fromkeys(j for j in jobs if not store.is_done(j)))
    skipped = len(set(jobs)) - len(pending)
    bundles = {}
    for j in pending:
        bundles.setdefault((j.kind, j.coords_json), []).append(j)
    bundles = list(bundles.values())
    if longest_first:
        bundles.sort(key=lambda b: -b[0].cost() * len(b))
    t0 = time.perf_counter()
    total = 0.0
    show = sys.stderr.isatty() if progress is None else bool(progress)
    bar = None
    if show and pending:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(pending), desc="jobs")

    def record(bundle, outcomes):
        nonlocal total
        for j, (res, sec) in zip(bundle, outcomes):
            store.add(j, res, sec)
            total += sec
        if bar is not None:
            bar.update(len(bundle))

    if workers == 0:
        for b in bundles:
            record(b, run_bundle(b))
    elif bundles:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor, as_completed

        with ProcessPoolExecutor(workers, mp_context=mp.get_context("spawn"), initializer=_init_worker) as pool:
            futures = {pool.submit(run_bundle, b): b for b in bundles}
            for fut in as_completed(futures):
                record(futures[fut], fut.result())
    if bar is not None:
        bar.close()
    return {"ran": len(pending), "skipped": skipped, "seconds": time.perf_counter() - t0, "job_seconds": total}


def mean_se(values) -> tuple[float, float, int]:
    """Mean, standard error and count of the finite values.

    Examples
    --------
    >>> mean_se([1.0, 3.0, float("nan")])
    (2.0, 1.0, 2)
    """
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return math.nan, math.nan, 0
    return float(x.mean()), float(x.std(ddof=1) / math.sqrt(x.size)) if x.size > 1 else math.nan, int(x.size)

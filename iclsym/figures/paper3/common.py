"""Shared machinery of the paper-3 figures: job descriptions, a result store interface and a local runner.

A paper-3 job is ``DeepJob(kind, coords, run, base_seed)``: ``kind`` is one of :data:`KINDS`
(importable job functions ``fn(*, seed, **coords) -> dict``), ``coords`` its keyword arguments
(JSON scalars).  Its seed depends only on what the job is (``SeedSequence`` keyed by the kind,
the JSON of the coordinates and the run index).  The figure modules read results through
:func:`rows`, which accepts any store with ``rows(kind)`` returning flat dicts of coordinates and
result fields -- :class:`MemoryStore` here, or the project's sweep store once the kinds are
registered there.
"""

from __future__ import annotations

import json
import math
import time
import zlib
from dataclasses import dataclass, field

import numpy as np

__all__ = ["KINDS", "DeepJob", "MemoryStore", "rows", "run_jobs", "mean_se", "group", "curve"]

#: job kind -> importable target (the lead registers these with the sweep machinery)
KINDS = {
    "deep_train": "iclsym.deep.jobs:train_job",
    "deep_mc": "iclsym.deep.jobs:mc_job",
    "deep_attention": "iclsym.deep.jobs:attention_job",
}


def _canon(v):
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return "inf" if math.isinf(v) and v > 0 else float(v)
    return str(v)


@dataclass(frozen=True)
class DeepJob:
    """One job of a paper-3 figure.

    Examples
    --------
    >>> j = DeepJob("deep_mc", {"setting": "iso", "alpha": 1.0, "L": 2, "D": 8, "gamma": 0.5, "n": 10})
    >>> j.seed == DeepJob("deep_mc", dict(j.coords)).seed, sorted(j.call())
    (True, ['risk', 'risk_se'])
    """

    kind: str
    coords: tuple | dict
    run: int = 0
    base_seed: int = 2510
    options: tuple = field(default=())

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {sorted(KINDS)}; got {self.kind!r}")
        items = self.coords.items() if isinstance(self.coords, dict) else self.coords
        object.__setattr__(self, "coords", tuple(sorted((str(k), _canon(v)) for k, v in items)))

    @property
    def params(self) -> dict:
        """Coordinates as keyword arguments (``"inf"`` back to ``float('inf')``)."""
        return {k: (float("inf") if v == "inf" else v) for k, v in self.coords}

    @property
    def key(self) -> str:
        return json.dumps([self.kind, self.coords, self.run, self.base_seed], sort_keys=True)

    @property
    def seed(self) -> int:
        spawn = (zlib.crc32(self.kind.encode()), zlib.crc32(json.dumps(self.coords).encode()), int(self.run))
        st = np.random.SeedSequence(int(self.base_seed), spawn_key=spawn).generate_state(2, np.uint32)
        return int((int(st[0]) << 31) ^ int(st[1])) & (2 ** 63 - 1)

    @property
    def target(self) -> str:
        return KINDS[self.kind]

    def call(self) -> dict:
        from iclsym.sweep.kinds import resolve

        return resolve(self.target)(seed=self.seed, **self.params)


class MemoryStore:
    """A minimal in-memory result store with ``add``, ``is_done`` and ``rows(kind)``.

    Examples
    --------
    >>> s = MemoryStore(); j = DeepJob("deep_mc", {"alpha": 1.0})
    >>> s.add(j, {"risk": 0.5}); s.rows("deep_mc")[0]["risk"], s.is_done(j)
    (0.5, True)
    """

    def __init__(self):
        self._rows: dict[str, dict] = {}

    def add(self, job: DeepJob, result: dict, seconds: float | None = None) -> None:
        rec = {"kind": job.kind, "run": job.run, **job.params, **result}
        if seconds is not None:
            rec["job_seconds"] = seconds
        self._rows[job.key] = rec

    def is_done(self, job: DeepJob) -> bool:
        return job.key in self._rows

    def rows(self, kind: str | None = None, **where) -> list[dict]:
        out = [r for r in self._rows.values() if kind is None or r["kind"] == kind]
        return [r for r in out if all(r.get(k) == v for k, v in where.items())]

    def __len__(self):
        return len(self._rows)


def _run_one(job):
    t0, c0 = time.perf_counter(), time.process_time()
    res = dict(job.call())
    res.setdefault("job_cpu_seconds", time.process_time() - c0)
    return job, res, time.perf_counter() - t0


def run_jobs(jobs, store, workers: int = 1, progress: bool = False) -> float:
    """Run the jobs not yet in ``store`` (``workers`` processes, one BLAS thread each); return seconds.

    Examples
    --------
    >>> s = MemoryStore()
    >>> _ = run_jobs([DeepJob("deep_mc", {"setting": "iso", "D": 8, "n": 10, "gamma": 0.1})], s)
    >>> len(s)
    1
    """
    t0 = time.perf_counter()
    todo = [j for j in jobs if not store.is_done(j)]
    if workers <= 1:
        for i, j in enumerate(todo):
            job, res, sec = _run_one(j)
            store.add(job, res, sec)
            if progress:
                print(f"[{i + 1}/{len(todo)}] {job.kind} {dict(job.coords)} {sec:.1f} s", flush=True)
    else:
        import multiprocessing as mp

        from iclsym.sweep.kinds import blas_env, limit_blas_threads

        with blas_env(1), mp.get_context("spawn").Pool(workers, initializer=limit_blas_threads) as pool:
            for i, (job, res, sec) in enumerate(pool.imap_unordered(_run_one, todo)):
                store.add(job, res, sec)
                if progress:
                    print(f"[{i + 1}/{len(todo)}] {job.kind} {dict(job.coords)} {sec:.1f} s", flush=True)
    return time.perf_counter() - t0


def rows(store, kind: str, **where) -> list[dict]:
    """Result rows of ``kind`` matching ``where`` (``inf`` compared as a float).

    Examples
    --------
    >>> rows(MemoryStore(), "deep_mc")
    []
    """
    out = []
    for r in store.rows(kind):
        r = {k: (float("inf") if v == "inf" else v) for k, v in r.items()}
        if all(_eq(r.get(k), v) for k, v in where.items()):
            out.append(r)
    return out


def _eq(a, b):
    if isinstance(b, float) or isinstance(a, float):
        try:
            return a is not None and float(a) == float(b)
        except (TypeError, ValueError):
            return False
    return a == b


def mean_se(values) -> tuple[float, float]:
    """Mean and standard error of the finite values.

    Examples
    --------
    >>> mean_se([1.0, 3.0])
    (2.0, 1.0)
    """
    x = np.asarray(values, float)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return math.nan, math.nan
    return float(x.mean()), float(x.std(ddof=1) / math.sqrt(x.size)) if x.size > 1 else math.nan


def group(rs, key, field):
    """``{key value: (mean, se)}`` of ``field`` over runs.

    Examples
    --------
    >>> group([{"L": 1, "risk": 1.0}, {"L": 1, "risk": 3.0}], "L", "risk")
    {1: (2.0, 1.0)}
    """
    out = {}
    for r in rs:
        out.setdefault(r[key], []).append(r[field])
    return {k: mean_se(v) for k, v in sorted(out.items())}


def curve(rs, field="risk"):
    """Mean over runs of a recorded history: ``(steps, mean of field)`` (empty if none).

    Examples
    --------
    >>> h = json.dumps({"step": [0, 10], "risk": [1.0, 0.5]})
    >>> curve([{"history": h}, {"history": h}])
    (array([ 0, 10]), array([1. , 0.5]))
    """
    hs = [json.loads(r["history"]) for r in rs if r.get("history")]
    if not hs:
        return np.zeros(0, int), np.zeros(0)
    steps = np.asarray(hs[0]["step"])
    A = np.array([np.asarray(h[field], float) for h in hs if len(h[field]) == steps.size])
    ok = np.isfinite(A)
    cnt = ok.sum(axis=0)
    vals = np.where(cnt > 0, np.where(ok, A, 0.0).sum(axis=0) / np.maximum(cnt, 1), np.nan)
    return steps, vals

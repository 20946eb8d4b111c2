"""Shared helpers of the paper-3 figures: jobs, selecting stored rows, averaging runs and curves.

Paper-3 jobs are ordinary sweep jobs (:class:`iclsym.sweep.grids.Job`) of the kinds declared in
:mod:`iclsym.deep.kinds` (``deep_train``, ``deep_mc``, ``deep_attention``); they run through the
same executors into the same resumable store as every other kind.
"""

from __future__ import annotations

import json
import math

import numpy as np

from iclsym.figures.common import mean_se
from iclsym.sweep.grids import Job

__all__ = ["deep_job", "rows", "histories", "group", "curve"]


def deep_job(kind: str, coords: dict, run: int = 0, base_seed: int = 2510) -> Job:
    """A paper-3 sweep job (coordinates not given take the kind's defaults).

    Examples
    --------
    >>> j = deep_job("deep_mc", {"setting": "iso", "alpha": 1.0, "L": 2, "D": 8, "gamma": 0.5, "n": 10})
    >>> j.seed == deep_job("deep_mc", dict(reversed(list(j.coords.items())))).seed
    True
    """
    return Job(kind, coords, run=run, base_seed=base_seed)


def rows(store, kind: str, **where) -> list[dict]:
    """Result rows of ``kind`` matching ``where`` (``inf`` compared as a float).

    Examples
    --------
    >>> from iclsym.sweep import ResultStore
    >>> rows(ResultStore(":memory:"), "deep_mc")
    []
    """
    out = []
    for r in store.rows(kind):
        r = {k: (float("inf") if v == "inf" else v) for k, v in r.items()}
        if all(_eq(r.get(k), v) for k, v in where.items()):
            out.append(r)
    return out


def histories(store, kind: str, **where) -> list[dict]:
    """The recorded training histories (decoded JSON) of the rows of ``kind`` matching ``where``.

    Examples
    --------
    >>> from iclsym.sweep import ResultStore
    >>> histories(ResultStore(":memory:"), "deep_train", L=1)
    []
    """
    return _decoded(rows(store, kind, **where))


def _decoded(rs) -> list[dict]:
    return [json.loads(r["history"]) for r in rs if r.get("history")]


def _eq(a, b):
    if isinstance(b, float) or isinstance(a, float):
        try:
            return a is not None and float(a) == float(b)
        except (TypeError, ValueError):
            return False
    return a == b


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
    return {k: mean_se(v)[:2] for k, v in sorted(out.items())}


def curve(rs, field="risk"):
    """Mean over runs of a recorded history: ``(steps, mean of field)`` (empty if none).

    Examples
    --------
    >>> h = json.dumps({"step": [0, 10], "risk": [1.0, 0.5]})
    >>> curve([{"history": h}, {"history": h}])
    (array([ 0, 10]), array([1. , 0.5]))
    """
    hs = _decoded(rs)
    if not hs:
        return np.zeros(0, int), np.zeros(0)
    steps = np.asarray(hs[0]["step"])
    A = np.array([np.asarray(h[field], float) for h in hs if len(h[field]) == steps.size])
    ok = np.isfinite(A)
    cnt = ok.sum(axis=0)
    vals = np.where(cnt > 0, np.where(ok, A, 0.0).sum(axis=0) / np.maximum(cnt, 1), np.nan)
    return steps, vals

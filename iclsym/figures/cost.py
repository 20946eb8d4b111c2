"""Expected cost of a figure run from measured per-job timings, scaled by ``d`` (DESIGN §8).

Per-job costs scale as a power of ``d`` at fixed ratios: a direct ridge solve (dual or
primal Cholesky; ``n = tau d^2`` sequences, ``p = d(d+1)`` features) costs O(d^6); a CG solve
O(iterations * n d^2) = O(d^4); a dMMSE run with a fixed number of test contexts O(k d^2) = O(d^3).
A job's cost is estimated from a stored job at the same ``(kind, alpha, tau, kappa, rho, lam)``
(any ``d``), scaled by ``(d / d_measured)^power``; a point never measured borrows the timing
of the nearest measured point of its kind (distance in log-parameters).
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np

__all__ = ["POWER", "estimate_seconds", "format_duration"]

#: cost exponent in d by solver / job kind
POWER = {"cg": 4.0, "dual": 6.0, "primal": 6.0, "dmmse": 3.0}


def _power(kind: str, method) -> float:
    if kind == "dmmse":
        return POWER["dmmse"]
    return POWER.get(str(method), 6.0)


def format_duration(seconds: float) -> str:
    """Human-readable duration.

    Examples
    --------
    >>> format_duration(42), format_duration(3 * 3600 + 60)
    ('42 s', '3.0 h')
    """
    if not math.isfinite(seconds):
        return "unknown"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def _log_coords(key) -> np.ndarray:
    # (kind, alpha, tau, kappa, rho, lam) -> log coordinates; kappa = inf mapped far away
    _, alpha, tau, kappa, rho, lam = key
    kappa = 1e6 if math.isinf(kappa) else kappa
    return np.log10([alpha, tau, kappa, rho + 1e-6, lam + 1e-9])


def estimate_seconds(jobs, store) -> tuple[float, int]:
    """Estimated total job time (CPU-seconds) of ``jobs`` from timings in ``store``.

    Returns ``(seconds, n_unmeasured)``; ``n_unmeasured`` jobs had no measurement at their
    point and borrowed the nearest measured point of their kind (``nan`` if the kind was
    never measured).  Jobs already in the store cost nothing.

    Examples
    --------
    >>> from iclsym.sweep import Job, ResultStore
    >>> store = ResultStore(":memory:")
    >>> _ = store.add(Job("toy", 1, 20, 0.5, 0.1, 0, d=10), {"method": "cg"}, seconds=1.0)
    >>> estimate_seconds([Job("toy", 1, 20, 0.5, 0.1, 0, d=20)], store)
    (16.0, 0)
    """
    measured = defaultdict(list)  # point -> [(d, seconds, power)]
    for row in store.rows():
        secs = row.get("job_seconds")
        if secs is None or not math.isfinite(secs):
            continue
        key = (row["kind"], row["alpha"], row["tau"], row["kappa"], row["rho"], row["lam"])
        measured[key].append((row["d"], secs, _power(row["kind"], row.get("method"))))
    by_kind = defaultdict(list)
    for key in measured:
        by_kind[key[0]].append(key)
    total, missing = 0.0, 0
    for job in store.pending(jobs):
        key = (job.kind, job.alpha, job.tau, job.kappa, job.rho, job.lam)
        if key not in measured:
            missing += 1
            if not by_kind[job.kind]:
                total = math.nan
                continue
            here = _log_coords(key)
            key = min(by_kind[job.kind], key=lambda k: float(np.abs(_log_coords(k) - here).sum()))
        d0 = max(m[0] for m in measured[key])
        at_d0 = [(s, p) for d, s, p in measured[key] if d == d0]
        secs = float(np.median([s for s, _ in at_d0]))
        total += secs * (job.d / d0) ** at_d0[0][1]
    return total, missing

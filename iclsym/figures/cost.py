"""Expected cost of a figure run from measured per-job timings, scaled by ``d`` (DESIGN §8).

Per-job costs scale as a power of ``d`` at fixed ratios: a direct ridge solve (dual or
primal Cholesky; ``n = tau d^2`` sequences, ``p = d(d+1)`` features) costs O(d^6); a CG solve
O(iterations * n d^2) = O(d^4); a dMMSE run with a fixed number of test contexts O(k d^2) = O(d^3).
A job's cost is estimated from a stored job at the same ``(kind, alpha, tau, kappa, rho, lam)``
(any ``d``), scaled by ``(d / d_measured)^power``; points never measured get the median
scaled cost of their kind.
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


def estimate_seconds(jobs, store) -> tuple[float, int]:
    """Estimated total job time (CPU-seconds) of ``jobs`` from timings in ``store``.

    Returns ``(seconds, n_unmeasured)``; ``n_unmeasured`` jobs had no measurement at their
    point and were given the median of their kind (``nan`` if the kind was never measured).
    Jobs already in the store cost nothing.
    """
    measured = defaultdict(list)  # point -> [(d, seconds, power)]
    for row in store.rows():
        secs = row.get("job_seconds")
        if secs is None or not math.isfinite(secs):
            continue
        key = (row["kind"], row["alpha"], row["tau"], row["kappa"], row["rho"], row["lam"])
        measured[key].append((row["d"], secs, _power(row["kind"], row.get("method"))))
    pending = store.pending(jobs)
    per_job, missing = [], []
    for job in pending:
        key = (job.kind, job.alpha, job.tau, job.kappa, job.rho, job.lam)
        if key in measured:
            d0 = max(m[0] for m in measured[key])
            at_d0 = [(s, p) for d, s, p in measured[key] if d == d0]
            secs = float(np.median([s for s, _ in at_d0]))
            power = at_d0[0][1]
            per_job.append((job.kind, secs * (job.d / d0) ** power))
        else:
            missing.append(job)
    total = sum(s for _, s in per_job)
    by_kind = defaultdict(list)
    for kind, s in per_job:
        by_kind[kind].append(s)
    for job in missing:
        total += float(np.median(by_kind[job.kind])) if by_kind[job.kind] else math.nan
    return total, len(missing)

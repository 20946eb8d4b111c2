"""Expected cost of a figure run from measured per-job timings, scaled by a relative cost.

A job's relative cost is its kind's ``cost`` function of the coordinates when the kind declares one
(the trained networks: steps x minibatch size x d x blocks, :func:`iclsym.nets.kinds.relative_cost`),
otherwise a power of ``d`` at fixed ratios: a direct ridge solve (dual or primal Cholesky;
``n = tau d^2`` sequences, ``p = d(d+1)`` features) costs O(d^6); a CG solve O(iterations * n d^2)
= O(d^4); a dMMSE run with a fixed number of test contexts O(k d^2) = O(d^3); kinds with neither
are not scaled.  A job's time is estimated from the stored jobs of the same kind at the same
coordinates except ``d`` (the most costly ones measured), scaled by the ratio of relative costs;
a point never measured borrows the timing of the nearest measured point of its kind (distance in
log-coordinates).
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


def relative_cost(kind: str, coords: dict, solver=None) -> float:
    """The relative cost of a job (see the module docstring).

    Examples
    --------
    >>> relative_cost("toy", {"d": 10}, "cg") / relative_cost("toy", {"d": 5}, "cg")
    16.0
    """
    from iclsym.sweep.kinds import get_kind, resolve

    spec = get_kind(kind)
    if spec.cost is not None:
        return float(resolve(spec.cost)(coords))
    if "d" in coords:
        return float(coords["d"]) ** _power(kind, solver)
    return 1.0


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


def _point(kind: str, coords: dict) -> tuple:
    """A job's point without ``d``: ``(kind, (name, value), ...)`` over the other coordinates."""
    return (kind,) + tuple((k, v) for k, v in coords.items() if k != "d")


def _log_coords(point) -> np.ndarray:
    """Numeric coordinates of a point as log10 (``inf`` mapped far away; zeros shifted)."""
    out = []
    for _, value in point[1:]:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            v = 1e6 if math.isinf(value) else abs(float(value))
            out.append(math.log10(v + 1e-9))
    return np.asarray(out)


def _distance(a, b) -> float:
    """Distance between two points of a kind: sum of |log| differences; other values (text, ``None``,
    a number against a non-number) are far apart when they differ."""
    total = 0.0
    for (_, x), (_, y) in zip(a[1:], b[1:]):
        if _is_number(x) and _is_number(y):
            total += float(np.abs(_log_coords((None, ("", x))) - _log_coords((None, ("", y)))).sum())
        elif x != y:
            total += 100.0
    return total


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def estimate_seconds(jobs, store) -> tuple[float, int]:
    """Estimated total job time (CPU-seconds) of ``jobs`` from timings in ``store``.

    Returns ``(seconds, n_unmeasured)``; ``n_unmeasured`` jobs had no measurement at their
    point and borrowed the nearest measured point of their kind (``nan`` if the kind was
    never measured).  Jobs already in the store cost nothing.

    Examples
    --------
    >>> from iclsym.sweep import Job, ResultStore
    >>> store = ResultStore(":memory:")
    >>> _ = store.add(Job.of("toy", alpha=1, tau=20, kappa=0.5, rho=0.1, d=10), {"solver": "cg"}, seconds=1.0)
    >>> estimate_seconds([Job.of("toy", alpha=1, tau=20, kappa=0.5, rho=0.1, d=20)], store)
    (16.0, 0)
    """
    jobs = list(jobs)
    measured = defaultdict(list)  # point -> [(relative cost, seconds, solver)]
    for kind in sorted({job.kind for job in jobs}):
        names = store_coordinates(kind)
        for row in store.rows(kind):
            secs = row.get("job_seconds")
            if secs is None or not math.isfinite(secs):
                continue
            coords = {n: row[n] for n in names}
            point = _point(kind, coords)
            measured[point].append((relative_cost(kind, coords, row.get("solver")), secs, row.get("solver")))
    by_kind = defaultdict(list)
    for point in measured:
        by_kind[point[0]].append(point)
    total, missing = 0.0, 0
    for job in store.pending(jobs):
        point = _point(job.kind, job.coords)
        if point not in measured:
            missing += 1
            if not by_kind[job.kind]:
                total = math.nan
                continue
            point = min(by_kind[job.kind], key=lambda p: _distance(p, _point(job.kind, job.coords)))
        c0 = max(m[0] for m in measured[point])
        at_c0 = [(s, solver) for c, s, solver in measured[point] if c == c0]
        secs = float(np.median([s for s, _ in at_c0]))
        total += secs * relative_cost(job.kind, job.coords, at_c0[0][1]) / c0
    return total, missing


def store_coordinates(kind: str) -> tuple[str, ...]:
    """The coordinate names of ``kind`` (rows carry them as columns)."""
    from iclsym.sweep.kinds import get_kind

    return get_kind(kind).coordinate_names

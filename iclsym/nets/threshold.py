"""Interpolation threshold of trained networks and its scaling exponent (NumPy only).

Lu et al. locate the interpolation threshold of each architecture where the training error
after a fixed number of steps jumps in value and in run-to-run spread, and fit
``log n* = a log d + b`` (their exponents: 1.87 full linear attention, 1.66 one softmax block,
2.13 two softmax blocks + MLP, 2.08 three blocks).  This module states that rule precisely.

**Rule.**  For one architecture and dimension, each independent run ``r`` gives the final
training error ``E_r(n)`` on a grid ``n_1 < ... < n_m``.  Its threshold ``n*_r`` is the first
upward crossing of the level ``rho`` (the label-noise variance) by ``E_r``, interpolated
linearly in ``(log n, log E)`` between the bracketing grid points.  Reason: a model that
interpolates fits its training labels below the noise level, while past the threshold the
training error of the best fit is about ``e_min (1 - p/n)`` with ``e_min``, the error of the
best predictor in the class, far above ``rho`` at ``alpha = 1`` (so the crossing sits within
a fraction ``rho/e_min`` of the parameter count ``p``).  For the reduced linear model
``p = d (d + 1)`` and the rule recovers ``n* ~ d^2``.

**Uncertainty.**  ``log n*`` of a dimension is the mean of ``log n*_r`` over runs, with standard
error ``max(sd_r / sqrt(R), w / sqrt(12))``: the run-to-run standard error, floored by the
grid resolution (``w`` = the mean log-width of the bracketing grid intervals; a crossing known
only to lie within an interval of width ``w`` has at least that uniform-distribution spread).
A run whose curve never crosses the level inside the grid has no threshold; a dimension with
fewer than half of its runs bracketed is reported as not bracketed.

**Exponent.**  Weighted least squares of ``log n*`` on ``log d`` (weights ``1/SE^2``).  The 95 %
interval is the t-interval with ``m - 2`` degrees of freedom, its standard error scaled up by
the Birge ratio ``sqrt(chi2/(m - 2))`` when the scatter about the line exceeds the stated
errors (never scaled down).  :func:`bootstrap_exponent` gives an independent check:
percentile interval of the slope over resampled runs.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

__all__ = ["crossing", "threshold", "fit_exponent", "bootstrap_exponent", "double_descent"]


def crossing(n, errors, level: float) -> float:
    """First upward crossing of ``level`` by ``errors(n)``, interpolated in ``(log n, log E)``.

    ``nan`` when the curve starts at or above the level or never reaches it.

    Examples
    --------
    >>> round(crossing([100, 200, 400], [1e-4, 1e-2, 1e-1], 1e-3), 6)   # geometric midpoint
    141.421356
    >>> crossing([100, 200], [1e-4, 1e-4], 1e-3)
    nan
    """
    n = np.asarray(n, dtype=float)
    e = np.asarray(errors, dtype=float)
    if n.shape != e.shape or n.ndim != 1:
        raise ValueError(f"n and errors must be 1-d arrays of the same length; got {n.shape} and {e.shape}")
    if level <= 0:
        raise ValueError(f"level must be > 0; got {level}")
    order = np.argsort(n)
    n, e = n[order], np.maximum(e[order], 1e-300)
    if not np.all(np.isfinite(e)) or e[0] >= level:
        return math.nan
    above = np.nonzero(e >= level)[0]
    if above.size == 0:
        return math.nan
    j = int(above[0])
    x0, x1 = math.log(n[j - 1]), math.log(n[j])
    y0, y1 = math.log(e[j - 1]), math.log(e[j])
    t = (math.log(level) - y0) / (y1 - y0)
    return math.exp(x0 + t * (x1 - x0))


def _bracket_width(n, errors, level):
    n = np.sort(np.asarray(n, dtype=float))
    e = np.asarray(errors, dtype=float)[np.argsort(np.asarray(n, dtype=float))]
    above = np.nonzero(e >= level)[0]
    if above.size == 0 or above[0] == 0:
        return math.nan
    return math.log(n[above[0]]) - math.log(n[above[0] - 1])


def threshold(n, errors_by_run, level: float) -> dict:
    """Threshold of one (architecture, dimension) from its runs (see the module docstring).

    Parameters
    ----------
    n : (m,) array
        Grid of pretraining-set sizes.
    errors_by_run : (R, m) array
        Final training errors, one row per run (``nan`` for a missing job).
    level : float
        The crossing level (the label-noise variance ``rho``).

    Returns
    -------
    dict with ``n_star`` (``exp`` of the mean ``log n*_r``), ``log_n_star``, ``se_log`` (its
    standard error), ``runs`` (bracketed runs), ``runs_total``, ``bracketed`` (bool) and
    ``per_run`` (list of ``n*_r``).

    Examples
    --------
    >>> t = threshold([100, 200, 400], [[1e-4, 1e-2, 0.1], [1e-4, 1e-3, 0.1]], 1e-3)
    >>> round(t["n_star"]), t["runs"], t["bracketed"]
    (168, 2, True)
    """
    E = np.atleast_2d(np.asarray(errors_by_run, dtype=float))
    per_run, widths = [], []
    for row in E:
        ok = np.isfinite(row)
        per_run.append(crossing(np.asarray(n, float)[ok], row[ok], level) if ok.sum() >= 2 else math.nan)
        widths.append(_bracket_width(np.asarray(n, float)[ok], row[ok], level) if ok.sum() >= 2 else math.nan)
    logs = np.log(np.asarray([v for v in per_run if math.isfinite(v)]))
    R = logs.size
    out = {"per_run": per_run, "runs": int(R), "runs_total": int(E.shape[0])}
    if R == 0 or 2 * R < E.shape[0]:
        out.update(n_star=math.nan, log_n_star=math.nan, se_log=math.nan, bracketed=False)
        return out
    w = float(np.nanmean([x for x, v in zip(widths, per_run) if math.isfinite(v)]))
    se_runs = float(np.std(logs, ddof=1) / math.sqrt(R)) if R > 1 else 0.0
    se = max(se_runs, w / math.sqrt(12.0))
    mean = float(np.mean(logs))
    out.update(n_star=math.exp(mean), log_n_star=mean, se_log=se, bracketed=True)
    return out


def fit_exponent(d, log_n_star, se_log, confidence: float = 0.95) -> dict:
    """Weighted fit ``log n* = a log d + b`` with a t-interval on ``a`` (see the module docstring).

    Returns ``{"value": a, "ci": [lo, hi], "se": ..., "intercept": b, "birge": ..., "dof": m - 2,
    "points": m}``; ``value`` and ``ci`` are ``nan`` with fewer than 3 finite points.

    Examples
    --------
    >>> d = np.array([8.0, 12.0, 16.0, 20.0])
    >>> f = fit_exponent(d, 2 * np.log(d) + 0.1, [0.02] * 4)
    >>> round(f["value"], 6), f["ci"][0] < 2 < f["ci"][1]
    (2.0, True)
    """
    d = np.asarray(d, dtype=float)
    y = np.asarray(log_n_star, dtype=float)
    s = np.asarray(se_log, dtype=float)
    ok = np.isfinite(d) & np.isfinite(y) & np.isfinite(s) & (s > 0) & (d > 0)
    m = int(ok.sum())
    nan = {"value": math.nan, "ci": [math.nan, math.nan], "se": math.nan, "intercept": math.nan,
           "birge": math.nan, "dof": max(m - 2, 0), "points": m}
    if m < 3:
        return nan
    x, y, w = np.log(d[ok]), y[ok], 1.0 / s[ok] ** 2
    X = np.stack([x, np.ones_like(x)], axis=1)
    cov = np.linalg.inv(X.T @ (w[:, None] * X))
    a, b = cov @ (X.T @ (w * y))
    chi2 = float(np.sum(w * (y - a * x - b) ** 2))
    dof = m - 2
    birge = max(1.0, math.sqrt(chi2 / dof))
    se = math.sqrt(cov[0, 0]) * birge
    t = float(stats.t.ppf(0.5 + confidence / 2, dof))
    return {"value": float(a), "ci": [float(a - t * se), float(a + t * se)], "se": float(se),
            "intercept": float(b), "birge": float(birge), "dof": dof, "points": m}


def bootstrap_exponent(curves: dict, level: float, n_boot: int = 2000, seed: int = 0,
                       confidence: float = 0.95) -> dict:
    """Percentile interval of the slope over runs resampled with replacement (an independent check).

    ``curves`` maps ``d -> (n, errors_by_run)``.  Each replicate resamples the runs of every
    ``d``, recomputes each ``d``'s threshold (the mean of its drawn runs' ``log n*_r``, the rule of
    :func:`threshold`) and fits ``log n*`` on ``log d`` by least squares.

    Examples
    --------
    >>> n = np.array([50.0, 100, 200, 400, 800])
    >>> curves = {d: (n, [np.where(n < d * d, 1e-4, 0.1), np.where(n < 1.1 * d * d, 1e-4, 0.1)])
    ...           for d in (8, 12, 16, 20)}
    >>> b = bootstrap_exponent(curves, 1e-2, n_boot=200)
    >>> 1.0 < b["value"] < 3.0, b["replicates"]
    (True, 200)
    """
    rng = np.random.default_rng(seed)
    ds = sorted(curves)
    # per-run thresholds do not depend on which runs are drawn: compute them once
    per_run = {d: np.log(np.asarray(threshold(curves[d][0], curves[d][1], level)["per_run"], dtype=float))
               for d in ds}

    def slope(pick):
        xs, ys = [], []
        for d in ds:
            v = per_run[d][pick[d]]
            ok = np.isfinite(v)
            if ok.sum() and 2 * ok.sum() >= v.size:
                xs.append(math.log(d))
                ys.append(float(v[ok].mean()))
        if len(xs) < 2:
            return math.nan
        return float(np.polyfit(xs, ys, 1)[0])

    point = slope({d: np.arange(per_run[d].size) for d in ds})
    reps = np.array([slope({d: rng.integers(0, per_run[d].size, per_run[d].size) for d in ds})
                     for _ in range(n_boot)])
    reps = reps[np.isfinite(reps)]
    q = (1 - confidence) / 2
    ci = [float(np.quantile(reps, q)), float(np.quantile(reps, 1 - q))] if reps.size else [math.nan, math.nan]
    return {"value": point, "ci": ci, "replicates": int(reps.size)}


def double_descent(n, mean, se, z: float = 2.0) -> dict:
    """Does a test-error curve rise to an interior peak and fall again?

    ``significant`` when the peak exceeds both the smallest-``n`` and the largest-``n`` value by
    more than ``z`` combined standard errors.

    Examples
    --------
    >>> r = double_descent([1, 2, 3, 4], [1.0, 3.0, 2.0, 0.5], [0.1] * 4)
    >>> r["peak_n"], r["significant"]
    (2.0, True)
    """
    n = np.asarray(n, dtype=float)
    mean = np.asarray(mean, dtype=float)
    se = np.nan_to_num(np.asarray(se, dtype=float), nan=0.0)
    order = np.argsort(n)
    n, mean, se = n[order], mean[order], se[order]
    j = int(np.nanargmax(mean))
    rise = (mean[j] - mean[0]) / max(math.hypot(se[j], se[0]), 1e-300)
    fall = (mean[j] - mean[-1]) / max(math.hypot(se[j], se[-1]), 1e-300)
    interior = 0 < j < n.size - 1
    return {"peak_n": float(n[j]), "peak": float(mean[j]), "z_rise": float(rise), "z_fall": float(fall),
            "significant": bool(interior and rise > z and fall > z)}

"""Shared helpers of the figure modules: aggregation over runs, plotting style, saving.

Simulation points are the mean over independent runs with the standard error of the mean
(``std(ddof=1)/sqrt(runs)``), as docs/onelayer/dmmse.md, docs/onelayer/figures.md ask ("standard errors of means").
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from iclsym.onelayer import finite_size as fs

__all__ = [
    "aggregate", "compare_rows", "errorbar", "finite_max", "finite_or_nan", "mean_se", "new_figure", "plain_log_ticks",
    "report_rows", "save", "sim_caption", "sim_points", "theory_at_points",
]



def select_figures(items, figures, paper) -> list[str]:
    """Figure-module names from ``--only`` items: a module's name or its number without ``fig``.

    >>> select_figures(["2", "fig1", "context"], ("fig1", "fig2", "context"), 2)
    ['context', 'fig1', 'fig2']
    >>> select_figures(["5"], ("fig1", "fig6c"), 3)
    Traceback (most recent call last):
    ...
    ValueError: only must list paper-3 figures among 1, 6c; got '5'
    """
    names = set()
    for item in items:
        key = str(item).strip().lower()
        name = next((n for n in (key, f"fig{key}") if n in figures), None)
        if name is None:
            allowed = ", ".join(f.removeprefix("fig") for f in figures)
            raise ValueError(f"only must list paper-{paper} figures among {allowed}; got {item!r}")
        names.add(name)
    return sorted(names)


def mean_se(values) -> tuple[float, float, int]:
    """Mean, standard error of the mean and count of the finite values.

    Examples
    --------
    >>> mean_se([1.0, 2.0, 3.0])
    (2.0, 0.5773502691896258, 3)
    >>> mean_se([4.0])[1]
    nan
    """
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = int(x.size)
    if n == 0:
        return math.nan, math.nan, 0
    se = float(np.std(x, ddof=1) / math.sqrt(n)) if n > 1 else math.nan
    return float(np.mean(x)), se, n


def aggregate(frame, fields, extra=()):
    """Group a one-row-per-job frame by point and return mean/SE columns per field.

    Output columns: the point keys (``kind`` and every coordinate of the kind,
:func:`iclsym.sweep.store.point_keys`: runs that differ in any coordinate, options included, are
separate points), ``runs``, then ``<field>_mean`` and ``<field>_se``
    for each field, then the mean of each ``extra`` column (e.g. ``alpha_eff``).

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"kind": "toy", "alpha": 1.0, "tau": 1.0, "kappa": 1.0, "rho": 0.1,
    ...                   "lam": 0.0, "d": 8, "scale": 1.0, "sleep": 0.0, "e_icl": [1.0, 3.0]})
    >>> row = aggregate(f, ["e_icl"]).iloc[0]
    >>> float(row["e_icl_mean"]), float(row["e_icl_se"]), int(row["runs"])
    (2.0, 1.0, 2)
    """
    import pandas as pd

    from iclsym.sweep.store import point_keys

    keys = point_keys(frame["kind"].iloc[0])
    records = []
    for key, sub in frame.groupby(keys, sort=True):
        rec = dict(zip(keys, key))
        rec["runs"] = len(sub)
        for f in fields:
            m, se, _ = mean_se(sub[f]) if f in sub else (math.nan, math.nan, 0)
            rec[f + "_mean"] = m
            rec[f + "_se"] = se
        for f in extra:
            rec[f] = float(np.mean(sub[f])) if f in sub else math.nan
        records.append(rec)
    return pd.DataFrame(records)


def sim_points(store, kind: str, fields, extra=(), **where):
    """Aggregated simulation points from a result store (empty frame if none).

    Examples
    --------
    >>> from iclsym.sweep import ResultStore
    >>> len(sim_points(ResultStore(":memory:"), "ridge", ["e_icl"]))
    0
    """
    import pandas as pd

    from iclsym.sweep.store import point_keys

    frame = store.frame(kind, **where)
    if frame.empty:
        return pd.DataFrame(columns=point_keys(kind) + ["runs"])
    return aggregate(frame, fields, extra)


def new_figure(ncols: int = 1, width: float = 4.6, height: float = 3.6):
    """A matplotlib figure (Agg backend) with ``ncols`` panels side by side."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, ncols, figsize=(width * ncols, height), squeeze=False, constrained_layout=True)
    return fig, list(axes[0])


def save(fig, out_dir, stem: str) -> list[Path]:
    """Write ``stem.png`` and ``stem.pdf`` in ``out_dir``; close the figure; return the paths.

    ``out_dir`` is a folder path or an :class:`iclsym.cli.outputs.OutputFolder` (which refuses to
    overwrite files iclsym did not write, records what it writes, and may carry a ``provenance``
    record that goes into the files' metadata).
    """
    import json

    import matplotlib.pyplot as plt

    info = getattr(out_dir, "provenance", None)
    paths = []
    for ext in ("png", "pdf"):
        name = f"{stem}.{ext}"
        if hasattr(out_dir, "claim"):
            path = out_dir.claim(name)
        else:
            Path(out_dir).mkdir(parents=True, exist_ok=True)
            path = Path(out_dir) / name
        meta = None
        if info:
            text = json.dumps(info, sort_keys=True)
            software = f"iclsym {info.get('iclsym_version', '')}"
            meta = {"Software": software, "Description": text} if ext == "png" else {"Creator": software,
                                                                                     "Subject": text}
        fig.savefig(path, dpi=150, metadata=meta)
        if hasattr(out_dir, "record"):
            out_dir.record(path)
        paths.append(path)
    plt.close(fig)
    return paths


def theory_at_points(agg, fn, lam=None, per_parameter: bool = False):
    """Evaluate a theory function at the *effective* ratios of aggregated simulation points.

    docs/onelayer/model.md, docs/onelayer/finite-size.md: finite-``d`` simulations realise ``ell/d``, ``k/d``, ``n/d^2`` only up to
    rounding, so theory is compared at the ratios actually used (columns ``alpha_eff``,
    ``tau_eff``, ``kappa_eff`` when present, else the nominal ones).  With
    ``per_parameter=True`` the sample ratio is ``tau_p = n/(d(d+1))`` instead, the finite-``d``
    parameter count (see :mod:`iclsym.onelayer.finite_size`).
    """
    if len(agg) == 0:
        return np.zeros(0)

    def col(name):
        nominal = agg[name].to_numpy(dtype=float)
        if name + "_eff" not in agg:
            return nominal
        eff = agg[name + "_eff"].to_numpy(dtype=float)
        return np.where(np.isnan(eff), nominal, eff)

    tau = col("tau")
    if per_parameter:
        tau = fs.tau_per_parameter(tau, agg["d"].to_numpy(dtype=float))
    lam_values = agg["lam"].to_numpy(dtype=float) if lam is None else np.broadcast_to(float(lam), len(agg))
    return np.asarray(fn(col("alpha"), tau, col("kappa"), agg["rho"].to_numpy(dtype=float), lam_values),
                      dtype=float)


def compare_rows(figure: str, panel: str, agg, field: str, fn) -> list[dict]:
    """:func:`report_rows` with ``fn`` evaluated at ``tau = n/d^2`` and at ``tau_p = n/(d(d+1))``."""
    return report_rows(figure, panel, agg, field, theory_at_points(agg, fn),
                       theory_at_points(agg, fn, per_parameter=True))


def report_rows(figure: str, panel: str, agg, field: str, theory=None, theory_p=None) -> list[dict]:
    """Rows of the theory-vs-simulation table of ``report.md``.

    ``rel_gap = (mean - theory)/theory`` and ``z = (mean - theory)/SE``.  When ``theory_p`` (the
    theory at ``tau_p = n/(d(d+1))``) is given, each row also carries the finite-size
    ``allowance``, whether the point is ``within`` it, the ``c_needed`` to include it and the
    ``steep_in_tau`` flag (:mod:`iclsym.onelayer.finite_size`); otherwise those are NaN/None.

    Examples
    --------
    >>> import pandas as pd
    >>> agg = pd.DataFrame({"kind": ["toy"], "alpha": [1.0], "tau": [2.0], "kappa": [0.5], "rho": [0.1],
    ...                     "lam": [0.0], "d": [8], "runs": [3], "e_icl_mean": [1.1], "e_icl_se": [0.05]})
    >>> r = report_rows("1", "A", agg, "e_icl", np.array([1.0]), np.array([1.01]))[0]
    >>> round(r["rel_gap"], 3), round(r["z"], 3), round(r["allowance"], 4), r["within"]
    (0.1, 2.0, 1.335, True)
    """
    rows = []
    for i, (_, p) in enumerate(agg.iterrows()):
        mean, se, d = float(p[field + "_mean"]), float(p[field + "_se"]), int(p["d"])
        th = math.nan if theory is None else float(theory[i])
        th_p = math.nan if theory_p is None else float(theory_p[i])
        finite = math.isfinite(th)
        judged = finite and math.isfinite(th_p) and math.isfinite(se) and th != 0
        allow = float(fs.allowance(th, th_p, se, d)) if judged else math.nan
        rows.append({
            "figure": figure, "panel": panel, "kind": p["kind"], "field": field,
            **{c: float(p[c]) if c in p else math.nan for c in ("alpha", "tau", "kappa", "rho", "lam")},
            "d": d, "runs": int(p["runs"]),
            "mean": mean, "se": se, "theory": th, "theory_p": th_p,
            "rel_gap": (mean - th) / th if finite and th != 0 else math.nan,
            "z": (mean - th) / se if finite and se > 0 else math.nan,
            "allowance": allow,
            "within": bool(abs(mean - th) <= allow) if judged else None,
            "c_needed": float(fs.c_needed(mean, se, th, th_p, d)) if judged else math.nan,
            "steep_in_tau": bool(fs.steep_in_tau(th, th_p, d)) if judged else False,
        })
    return rows


def errorbar(ax, x, agg, field, **kw):
    """Simulation points: mean with a standard-error bar (no bar where only one run)."""
    if len(agg) == 0:
        return None
    se = agg[field + "_se"].to_numpy(dtype=float)
    return ax.errorbar(x, agg[field + "_mean"].to_numpy(dtype=float), yerr=np.where(np.isfinite(se), se, 0.0),
                       fmt=kw.pop("fmt", "o"), ms=kw.pop("ms", 4.5), capsize=kw.pop("capsize", 2.5), **kw)


def finite_or_nan(values):
    """Theory values with non-finite entries (the ridgeless pole) replaced by NaN for plotting.

    Examples
    --------
    >>> finite_or_nan([1.0, float("inf")])
    array([ 1., nan])
    """
    v = np.asarray(values, dtype=float)
    return np.where(np.isfinite(v), v, np.nan)


def finite_max(values, default: float = 0.0) -> float:
    """Largest finite entry (``default`` when there is none) -- no All-NaN warnings.

    Examples
    --------
    >>> finite_max([1.0, float("nan"), 3.0]), finite_max([float("nan")], 2.0)
    (3.0, 2.0)
    """
    v = np.asarray(values, dtype=float).ravel()
    v = v[np.isfinite(v)]
    return float(v.max()) if v.size else float(default)


def plain_log_ticks(ax, axis: str = "y") -> None:
    """Label log-axis ticks as plain numbers (``2``, ``5`` ...) instead of ``2 x 10^0``."""
    from matplotlib.ticker import FuncFormatter

    fmt = FuncFormatter(lambda v, _pos: f"{v:g}")
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(fmt)
    target.set_minor_formatter(fmt)


def sim_caption(settings, kind: str = "ridge") -> str:
    """Short text describing the simulation setting (for titles and legends).

    Examples
    --------
    >>> from iclsym.figures.settings import quick
    >>> sim_caption(quick())
    'd=48, 3 runs'
    """
    if kind == "dmmse":
        return f"d={settings.d_dmmse}, {settings.runs_dmmse} runs"
    return f"d={settings.d}, {settings.runs} runs"

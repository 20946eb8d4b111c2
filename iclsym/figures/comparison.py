"""Single-``d`` comparison columns for tables and exports (``iclsym simulate``, ``iclsym sweep``).

Every simulated point of the ridge kind gets, per quantity, the theory at its effective ratios,
the theory at ``tau_p = n/p``, the z-score, the finite-size allowance and the verdict
(:func:`iclsym.onelayer.finite_size.judge`), as columns ``<quantity>_<suffix>``.
"""

from __future__ import annotations

import numpy as np

from iclsym.onelayer import finite_size as fs

__all__ = ["FIELDS", "comparison_table", "frame_with_comparison", "dataset_with_comparison", "result_columns"]

FIELDS = ("e_icl", "e_idg", "g_task")
_EFF = ("alpha_eff", "tau_eff", "kappa_eff")


def _eff(table, name):
    nominal = table[name].to_numpy(dtype=float)
    if name + "_eff" not in table:
        return nominal
    eff = table[name + "_eff"].to_numpy(dtype=float)
    return np.where(np.isnan(eff), nominal, eff)


def comparison_table(frame):
    """Aggregate a one-row-per-run frame of the ridge kind and add the comparison columns.

    Returns the :func:`iclsym.figures.common.aggregate` table (``<q>_mean``, ``<q>_se``, the mean
    effective ratios) with ``<q>_theory, <q>_theory_p, <q>_z, <q>_allowance, <q>_verdict`` for
    each quantity ``q`` present. Frames of other kinds are aggregated without comparison.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"kind": "ridge", "alpha": 10.0, "tau": 2.0, "kappa": float("inf"), "rho": 0.01,
    ...                   "lam": 0.1, "d": 48, "method": "auto", "assignment": "balanced", "task_dist": "sphere",
    ...                   "sampler": "conditional", "e_icl": [0.19, 0.20], "alpha_eff": 10.0, "tau_eff": 2.0,
    ...                   "kappa_eff": float("inf")})
    >>> t = comparison_table(f)
    >>> round(float(t["e_icl_theory"][0]), 4), t["e_icl_verdict"][0]
    (0.1894, 'within allowance')
    """
    from iclsym.figures.common import aggregate

    fields = [f for f in FIELDS if f in frame.columns]
    table = aggregate(frame, fields, [c for c in _EFF if c in frame.columns])
    if frame["kind"].iloc[0] != "ridge" or table.empty:
        return table
    for f in fields:
        cols = fs.judge(f, table[f + "_mean"], table[f + "_se"], _eff(table, "alpha"), _eff(table, "tau"),
                        _eff(table, "kappa"), table["rho"].to_numpy(dtype=float), table["lam"].to_numpy(dtype=float),
                        table["d"].to_numpy(dtype=float))
        for suffix in fs.SUFFIXES:
            table[f"{f}_{suffix}"] = cols[suffix]
    return table


def _added(table):
    return [c for c in table.columns if any(c == f"{f}_{s}" for f in FIELDS for s in fs.SUFFIXES)]


def frame_with_comparison(frame, table):
    """The per-run ``frame`` with the point-level comparison columns of ``table`` joined on the point.

    What ``iclsym sweep --export FILE.csv`` writes: every run row repeats its point's theory,
    z-score, allowance and verdict.
    """
    from iclsym.sweep.store import point_keys

    cols = _added(table)
    if not cols:
        return frame
    keys = point_keys(frame["kind"].iloc[0])
    return frame.merge(table[keys + cols], on=keys, how="left")


def dataset_with_comparison(ds, table):
    """Add the comparison columns of ``table`` to a sweep dataset as variables over the point dims (no ``run``)."""
    import xarray as xr

    from iclsym.sweep.store import point_keys

    cols = _added(table)
    if not cols or not len(ds.dims):
        return ds
    keys = point_keys(table["kind"].iloc[0])
    extra = xr.Dataset.from_dataframe(table[keys + cols].set_index(keys))
    return ds.merge(extra)


def result_columns(res: dict) -> dict:
    """Comparison columns of one :func:`iclsym.onelayer.simulation.simulate` result (``simulate --json``).

    Examples
    --------
    >>> from iclsym.onelayer.simulation.run import simulate
    >>> cols = result_columns(simulate(1.0, 2.0, 0.5, 0.1, 1e-3, 8, runs=2, seed=0, progress=False))
    >>> sorted(cols)[:3]
    ['e_icl_allowance', 'e_icl_theory', 'e_icl_theory_p']
    """
    out = {}
    for f in FIELDS:
        cols = fs.judge(f, res[f + "_mean"], res[f + "_se"], res["alpha_eff"], res["tau_eff"], res["kappa_eff"],
                        res["rho"], res["lam"], res["d"])
        for suffix in fs.SUFFIXES:
            v = cols[suffix][0]
            out[f"{f}_{suffix}"] = v if isinstance(v, str) else float(v)
    return out


def _short(verdict) -> str:
    if not isinstance(verdict, str) or verdict.startswith("no verdict"):
        return "—"
    text = "within" if verdict.startswith("within") else "OUTSIDE"
    return text + ("*" if "steep" in verdict else "")


def _cell(value, spec: str) -> str:
    """``value`` formatted by ``spec``; ``—`` where it is undefined (NaN: e.g. the SE of a single run)."""
    return "—" if value != value else format(value, spec)


def format_table(table, coords) -> str:
    """Text table of :func:`comparison_table`: per point, mean ± SE, theory at the effective ratios, z, verdict.

    ``coords``: the coordinate columns to show. ``*`` marks a point steep in ``tau``.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"kind": ["ridge"], "alpha": [10.0], "runs": [2], "e_icl_mean": [0.19],
    ...                   "e_icl_se": [0.01], "e_icl_theory": [0.1894], "e_icl_z": [0.06],
    ...                   "e_icl_verdict": ["within allowance"]})
    >>> print(format_table(t, ["alpha"]).splitlines()[1])
          10         2         0.19 ± 0.01        0.1894   +0.06    within
    >>> one = t.assign(runs=[1], e_icl_se=[float("nan")], e_icl_z=[float("nan")], e_icl_verdict=["no verdict"])
    >>> print(format_table(one, ["alpha"]).splitlines()[1])      # one run: no SE, no z
          10         1         0.19 ± —           0.1894       —         —
    """
    fields = [f for f in FIELDS if f + "_mean" in table]
    judged = all(f + "_theory" in table for f in fields)
    cols = list(coords) + ["runs"]
    width = {c: max(8, len(c)) for c in cols}
    head = "  ".join(f"{c:>{width[c]}}" for c in cols)
    for f in fields:
        head += f"  {f:>22}" + (f"  {'theory':>8}  {'z':>6}  {'verdict':>8}" if judged else "")
    lines = [head]
    for _, row in table.iterrows():
        line = "  ".join(f"{row[c]:>{width[c]}.4g}" if not isinstance(row[c], str) else f"{row[c]:>{width[c]}}"
                         for c in cols)
        for f in fields:
            line += f"  {row[f + '_mean']:>11.5g} ± {_cell(row[f + '_se'], '.2g'):<8}"
            if judged:
                line += (f"  {row[f + '_theory']:>8.5g}  {_cell(row[f + '_z'], '+.2f'):>6}"
                         f"  {_short(row[f + '_verdict']):>8}")
        lines.append(line)
    if judged:
        lines.append("theory: d -> inf formulas at the effective ratios (ell/d, k/d, n/d^2 as realised); z = (mean - "
                     "theory)/SE; verdict: within the finite-size allowance of iclsym.onelayer.finite_size "
                     "(* steep in tau). For a verdict that can fail: iclsym extrapolate.")
    return "\n".join(lines)

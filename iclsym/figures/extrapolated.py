"""Extrapolated mode of the figure report: each linear-attention point simulated at several ``d``
and extrapolated to ``d = inf`` (:mod:`iclsym.onelayer.extrapolation`, docs/onelayer/extrapolation.md).

The verdict of a point is whether the theory lies in the 95 % confidence interval of the
extrapolated value ``e_inf``: a check that fails when the theory is off by more than the
statistical uncertainty, unlike the single-``d`` allowance of :mod:`iclsym.onelayer.finite_size`
(kept as a secondary column). Points where the ``1/d`` expansion does not hold over the simulated
sizes (next to the ridgeless pole, the slow ``kappa = 1`` regime, a significant lack of fit) are
flagged with the reason and neither passed nor failed.
"""

from __future__ import annotations

import math

import numpy as np

from iclsym.onelayer import extrapolation as ex

__all__ = ["extrapolated_rows", "summarize", "summary_text", "format_table", "report_section", "wrong_theory"]

_NAMES = ("alpha", "tau", "kappa", "rho", "lam")


def _samples(store, settings, row):
    """Runs of the point of ``row`` at each extrapolation size (this sweep's base seed and runs only)."""
    where = {n: row[n] for n in _NAMES}
    where.update(settings.job_options)
    rows = store.rows(settings.ridge_kind, **where)
    ds, samples = [], []
    for d, runs in zip(settings.extrapolate_d, settings.extrapolate_runs):
        vals = [float(r[row["field"]]) for r in rows
                if int(r["d"]) == d and int(r["base_seed"]) == settings.base_seed and int(r["run"]) < runs]
        if len(vals) >= 2:
            ds.append(d)
            samples.append(np.array(vals))
    return ds, samples


def wrong_theory(field: str, alpha, tau, kappa, rho, lam, *, rho_factor: float = 1.1, scale: float = 1.0) -> float:
    """A deliberately wrong theory: ``scale`` times the right formula evaluated with ``rho_factor * rho``.

    Used to show that the extrapolated verdict can fail (``benchmarks/finite_size.py --extrapolate``):
    ``rho -> 1.1 rho`` is a wrong noise level; ``scale = 1.05`` is a 5 % error everywhere, the size
    that the single-``d`` allowance cannot see.

    Examples
    --------
    >>> from iclsym.onelayer.theory import e_icl
    >>> wrong_theory("e_icl", 10.0, 2.0, 0.5, 0.1, 1e-5) == float(e_icl(10.0, 2.0, 0.5, 0.11, 1e-5))
    True
    >>> wrong_theory("e_icl", 10.0, 2.0, 0.5, 0.1, 1e-5, rho_factor=1.0, scale=1.05) == 1.05 * float(e_icl(10.0, 2.0, 0.5, 0.1, 1e-5))
    True
    """
    from iclsym.onelayer import theory

    return scale * float(getattr(theory, field)(alpha, tau, kappa, rho_factor * rho, lam))


def extrapolated_rows(store, settings, rows, *, theory=None, n_boot=1000) -> list[dict]:
    """Extrapolate every linear-attention row of the single-size comparison (``rows`` of the figure modules).

    Parameters
    ----------
    store : iclsym.sweep.ResultStore
    settings : iclsym.figures.settings.Settings
        In extrapolated mode (:func:`iclsym.figures.settings.extrapolated`).
    rows : list of dict
        Rows of the figure modules' ``points`` (at the largest size); rows without a theory value
        (dMMSE) are skipped.
    theory : callable, optional
        ``theory(field, alpha, tau, kappa, rho, lam) -> float`` to judge against instead of
        :mod:`iclsym.onelayer.theory` (e.g. :func:`wrong_theory`); flags and the effective-ratio
        shift always use the library theory.

    Returns
    -------
    list of dict
        One row per point and quantity: the figure row's ``figure, panel, field`` and parameters,
        ``sizes``, ``runs``, the extrapolation (``inf, ci_lo, ci_hi, se_inf, model, slope, p_lof``),
        ``theory``, ``z``, ``rel_half_width``, ``verdict``, ``reasons``, and the single-size
        ``d, mean, se, allowance, within``.
    """
    if not settings.extrapolate_d:
        raise ValueError("settings are not in extrapolated mode: give extrapolate_d (iclsym figures --extrapolate)")
    out = []
    for row in rows:
        if row["kind"] != settings.ridge_kind or not math.isfinite(row.get("theory", math.nan)):
            continue
        ds, samples = _samples(store, settings, row)
        if len(ds) < 2:
            continue
        params = tuple(row[n] for n in _NAMES)
        res = ex.extrapolate_samples(row["field"], params, ds, samples, n_boot=n_boot)
        if theory is not None:
            value = float(theory(row["field"], *params))
            res = ex.Extrapolated(res.field, res.params, res.fit, value, ex.verdict(res.fit, value, res.reasons),
                                  res.reasons)
        d = res.as_dict()
        out.append({
            "figure": row["figure"], "panel": row["panel"], "field": row["field"],
            **{n: row[n] for n in _NAMES},
            "sizes": d["d"], "runs": d["runs"], "inf": d["inf"], "ci_lo": d["ci"][0], "ci_hi": d["ci"][1],
            "ci_boot_lo": d["ci_bootstrap"][0], "ci_boot_hi": d["ci_bootstrap"][1], "se_inf": d["se"],
            "model": d["model"], "slope": d["slope"], "p_lof": d["p_lack_of_fit"], "theory": d["theory"],
            "z": d["z"], "rel_half_width": d["rel_half_width"], "verdict": d["verdict"], "reasons": d["reasons"],
            "d": row["d"], "mean": row["mean"], "se": row["se"], "allowance": row.get("allowance", math.nan),
            "within": row.get("within"),
        })
    return out


def summarize(ext_rows) -> dict:
    """Counts of the extrapolated verdicts.

    Returns ``points``, ``judged`` (not flagged), ``agree``, ``fraction_agree`` (of the judged),
    ``median_rel_half_width`` (of the judged, CI half-width over ``|theory|``), ``flagged`` and
    ``within_allowance`` (of the judged, the single-size check).

    Examples
    --------
    >>> summarize([{"verdict": "agrees", "rel_half_width": 0.01, "within": True},
    ...            {"verdict": "flagged", "rel_half_width": 0.5, "within": True}])["fraction_agree"]
    1.0
    """
    judged = [r for r in ext_rows if r["verdict"] != "flagged"]
    agree = sum(r["verdict"] == "agrees" for r in judged)
    hw = [r["rel_half_width"] for r in judged if math.isfinite(r["rel_half_width"])]
    return {
        "points": len(ext_rows), "judged": len(judged), "agree": agree,
        "fraction_agree": agree / len(judged) if judged else math.nan,
        "median_rel_half_width": float(np.median(hw)) if hw else math.nan,
        "flagged": len(ext_rows) - len(judged),
        "within_allowance": sum(bool(r["within"]) for r in judged),
    }


def summary_text(ext_rows) -> str:
    """One line: how many judged points agree, the median relative CI half-width, flags."""
    s = summarize(ext_rows)
    if not s["points"]:
        return "No point was extrapolated."
    text = (f"{s['points']} points: **{s['agree']} of {s['judged']} judged points agree with the theory within "
            f"their 95% CI** ({100 * s['fraction_agree']:.0f}%); median CI half-width "
            f"{100 * s['median_rel_half_width']:.2f}% of the theory; {s['flagged']} flagged (not judged); "
            f"single-size allowance: {s['within_allowance']} of {s['judged']} within")
    return text


def _fmt(x, digits=4):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    return f"{x:.{digits}g}"


def format_table(ext_rows) -> str:
    """Markdown table of extrapolated rows.

    Examples
    --------
    >>> row = {"figure": "1", "panel": "A", "field": "e_idg", "alpha": 1.0, "tau": 2.0, "kappa": 0.5,
    ...        "rho": 0.01, "lam": 1e-5, "sizes": [24, 32], "runs": [10, 10], "inf": 1.01, "ci_lo": 0.99,
    ...        "ci_hi": 1.03, "model": "1/d", "slope": 3.0, "theory": 1.0, "z": 1.0, "rel_half_width": 0.02,
    ...        "verdict": "agrees", "reasons": [], "d": 32, "mean": 1.1, "se": 0.01, "allowance": 0.3,
    ...        "within": True}
    >>> format_table([row]).splitlines()[2]
    '| 1 | A | e_idg | 1 | 2 | 0.5 | 0.01 | 1e-05 | 24,32 | 10,10 | 1.01 [0.99, 1.03] | 1/d | 3 | 1 | +1.00 | 2.00% | agrees | yes (d = 32) |'
    """
    head = ("| fig | panel | quantity | alpha | tau | kappa | rho | lam | sizes d | runs | e_inf [95% CI] | model "
            "| slope a | theory | z | half-width | verdict | single-d allowance |")
    lines = [head, "|" + "---|" * 18]
    for r in ext_rows:
        verdict = r["verdict"] if r["verdict"] != "disagrees" else "**disagrees**"
        if r["reasons"]:
            verdict += ": " + "; ".join(r["reasons"])
        within = "—" if r["within"] is None else ("yes" if r["within"] else "no")
        z = "—" if not math.isfinite(r["z"]) else f"{r['z']:+.2f}"
        hw = "—" if not math.isfinite(r["rel_half_width"]) else f"{100 * r['rel_half_width']:.2f}%"
        lines.append(
            f"| {r['figure']} | {r['panel']} | {r['field']} | {_fmt(r['alpha'])} | {_fmt(r['tau'])} | "
            f"{_fmt(r['kappa'])} | {_fmt(r['rho'])} | {_fmt(r['lam'])} | {','.join(map(str, r['sizes']))} | "
            f"{','.join(map(str, r['runs']))} | {_fmt(r['inf'])} [{_fmt(r['ci_lo'])}, {_fmt(r['ci_hi'])}] | "
            f"{r['model']} | {_fmt(r['slope'], 3)} | {_fmt(r['theory'])} | {z} | {hw} | {verdict} | "
            f"{within} (d = {r['d']}) |")
    return "\n".join(lines)


def report_section(ext_rows, settings) -> str:
    """The ``report.md`` section of the extrapolated mode."""
    sizes = ", ".join(f"d = {d} ({r} runs)" for d, r in zip(settings.extrapolate_d, settings.extrapolate_runs))
    parts = [
        "## Extrapolated to d = ∞",
        "",
        f"Every linear-attention point was simulated at {sizes} and fitted by `e(d) = e_inf + a/d` (a `b/d^2` "
        "term is added only when the lack of fit of the first is significant at the 1% level), after moving "
        "each mean to the nominal ratios with the theory's rounding shift. The interval is Welch-Satterthwaite's "
        "95% `t` interval of the weighted fit (checked by a bootstrap over runs). **Verdict: the theory at the "
        "nominal ratios lies in the interval (agrees) or not (disagrees).** Points next to the ridgeless pole "
        "or in the slow kappa = 1 regime, and fits that fail their lack-of-fit test, are flagged with the "
        "reason and not judged. The single-size allowance of the table above is repeated as the last column. "
        "Method: docs/onelayer/extrapolation.md.",
        "",
        "- " + summary_text(ext_rows),
        "",
        format_table(ext_rows),
        "",
    ]
    return "\n".join(parts)

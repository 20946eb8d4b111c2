"""The report of ``iclsym figures --paper 2`` (``report_paper2.md``).

The report has the theory-vs-simulation table (theory at each point's effective ratios and at the
simulation's ``d``, with the finite-size allowance of :mod:`iclsym.onelayer.finite_size`) and the
Spearman correlations of Fig. 2.
"""

from __future__ import annotations

import math
from pathlib import Path

__all__ = ["write_report", "spearman_lines"]

def _fmt(x, digits=4):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    return f"{x:.{digits}g}"


def spearman_lines(store, settings, names) -> list[str]:
    """The Spearman correlations of Fig. 2: the theory family, and the simulated one when it was run."""
    from iclsym.figures.paper2 import fig2

    lines = [fig2.format_spearman(fig2.spearman_table(), "theory over the Fig. 2 family")]
    sim = fig2.simulated_family(store, settings) if "fig2" in names else []
    if sim:
        lines.append(fig2.format_spearman(fig2.spearman_table(sim), f"simulated e_ICL (d = {settings.d})"))
    return lines


def write_report(out_dir, settings, rows, figures, timings: dict, spearman, trained=()) -> Path:
    """Write ``report_paper2.md`` in ``out_dir`` (a path or an output folder; see
    :func:`iclsym.figures.common.save`): theory vs simulation per point, Spearman table, timings,
    and the trained transformer's Spearman table (Fig. 3) when it was run."""
    from iclsym.figures.report import format_table, trained_section
    from iclsym.onelayer import finite_size as fs

    compared = [r for r in rows if not math.isnan(r["rel_gap"])]
    judged = [r for r in compared if r.get("within") is not None]
    zs = [abs(r["z"]) for r in compared if not math.isnan(r["z"])]
    summary = "No simulation point has a theory value to compare with."
    if compared:
        gaps = sorted(abs(r["rel_gap"]) for r in compared)
        summary = (f"{len(compared)} points: median |relative gap| {100 * gaps[len(gaps) // 2]:.1f}%, max "
                   f"{100 * gaps[-1]:.1f}%; {sum(z <= 4 for z in zs)} of {len(zs)} within 4 SE; "
                   f"{sum(r['within'] for r in judged)} of {len(judged)} within the finite-size allowance")
    parts = [
        "# iclsym: reproduction of Letey et al. (2025), Pretrain-Test Task Alignment",
        "",
        f"Mode **{settings.mode}**: linear attention (ridge, lam = {settings.lam_sim:g}) simulated at d = {settings.d} "
        f"(Figs. 1, 2, optimal), {settings.d_rank} (Fig. 6), {settings.d_context} (test context) with {settings.runs} "
        f"runs per point; base seed {settings.base_seed}.  Theory curves at the paper's d; the theory in the table "
        "is evaluated at each simulation's d (finite-d eigenvalues) and effective ratios.",
        "",
        "Figures: " + ", ".join(f"[{p.name}]({p.name})" for p in figures if p.suffix == ".png"),
        "",
        "## Spearman correlations (Fig. 2)",
        "",
    ]
    parts += [f"- {line}" for line in spearman]
    parts += ["", "## Timings", ""]
    parts += [f"- {k}: {v}" for k, v in timings.items()]
    parts += [
        "",
        "## Theory vs simulation",
        "",
        "`rel. gap = (mean - theory)/theory`, `z = (mean - theory)/SE`.  Finite-d simulations sit O(1/d) above the "
        "d -> inf theory (docs/onelayer/alignment.md; the 1/d approach is checked by benchmarks/alignment_mc.py), so "
        f"a large |z| alone is expected.  Allowance: `{fs.N_SE:g} SE + |e(n/p) - e(n/d^2)| + C |e|/d`, C = "
        f"{fs.C_FINITE_SIZE:g} (calibrated on the paper-1 figures; docs/onelayer/finite-size.md).  Spike tests measure "
        "a single direction of Gamma and fluctuate most.",
        "",
        "- " + summary,
        "",
        format_table(rows),
        "",
    ]
    parts += trained_section("Trained transformer (Fig. 3)", list(trained),
                             "Spearman correlation of the trained transformer's ICL error with each measure over all "
                             "(kappa, test) points, per kappa, and the paper's value (docs/nets.md).")
    from iclsym.figures.report import provenance_section, write_text_output

    return write_text_output(out_dir, "report_paper2.md", parts + provenance_section(out_dir))

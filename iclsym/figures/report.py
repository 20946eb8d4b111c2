"""``report.md`` of a figure run: closed forms used, and theory vs simulation per point.

For every simulated point the report gives:

* mean ± SE over runs;
* the theory value at the simulation's effective ratios and ``lam``;
* the relative gap ``(mean - theory)/theory`` and the z-score ``(mean - theory)/SE``;
* the stated finite-size allowance ``4 SE + |e(tau_p) - e(tau)| + C |e|/d`` of
  :mod:`iclsym.onelayer.finite_size`, and whether the point is within it.

Finite-``d`` simulations sit O(1/d) above the asymptotic theory (docs/onelayer/finite-size.md), so a large
``|z|`` alone is expected at ``d = 100`` with 10 runs. The allowance is the check.
"""

from __future__ import annotations

import math
from pathlib import Path

from iclsym.onelayer import finite_size as fs

__all__ = ["closed_forms_text", "write_report", "format_table", "write_text_output", "provenance_section"]

def _repo_root() -> Path:
    return Path(__file__).resolve().parents[2]


def closed_forms_text(root: Path | None = None) -> tuple[str, str]:
    """The closed forms to quote: the derivations' write-up ``derivations/out/limits.md`` of a checkout.

    Returns ``(source, markdown)``; without a checkout (an installed package) the text points to
    the documentation instead of restating formulas.

    Examples
    --------
    >>> source, text = closed_forms_text(Path("/nonexistent"))
    >>> source, "docs/onelayer/asymptotic-theory.md" in text
    ('docs', True)
    """
    root = _repo_root() if root is None else Path(root)
    path = root / "derivations" / "out" / "limits.md"
    if path.is_file():
        return "derivations/out/limits.md", path.read_text(encoding="utf-8")
    return "docs", ("The formulas are derived in the repository's `derivations/` and written up in "
                    "docs/onelayer/asymptotic-theory.md and docs/onelayer/limits.md.")


def _fmt(x, digits=4) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    if isinstance(x, float) and math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return f"{x:.{digits}g}"


def _verdict(r) -> str:
    if r.get("within") is None:
        return "—"
    return ("yes" if r["within"] else "**no**") + (" (steep in tau)" if r.get("steep_in_tau") else "")


def format_table(rows) -> str:
    """Markdown table of theory-vs-simulation rows (see :func:`iclsym.figures.common.report_rows`).

    Examples
    --------
    >>> print(format_table([{"figure": "1", "panel": "A", "kind": "ridge", "field": "e_idg", "alpha": 1.0,
    ...     "tau": 2.0, "kappa": 0.5, "rho": 0.01, "lam": 1e-05, "d": 40, "runs": 3, "mean": 1.1, "se": 0.05,
    ...     "theory": 1.0, "theory_p": 1.01, "rel_gap": 0.1, "z": 2.0, "allowance": 0.435, "within": True,
    ...     "steep_in_tau": False}]).splitlines()[2])
    | 1 | A | ridge | e_idg | 1 | 2 | 0.5 | 0.01 | 1e-05 | 40 | 3 | 1.1 ± 0.05 | 1 | 1.01 | +10.0% | +2.00 | 0.435 | yes |
    """
    head = ("| fig | panel | kind | quantity | alpha | tau | kappa | rho | lam | d | runs | simulation (mean ± SE) "
            "| theory | theory at n/p | rel. gap | z | allowance | within |")
    lines = [head, "|" + "---|" * 18]
    for r in rows:
        gap = "—" if math.isnan(r["rel_gap"]) else f"{100 * r['rel_gap']:+.1f}%"
        z = "—" if math.isnan(r["z"]) else f"{r['z']:+.2f}"
        lines.append(
            f"| {r['figure']} | {r['panel']} | {r['kind']} | {r['field']} | {_fmt(r['alpha'])} | {_fmt(r['tau'])} | "
            f"{_fmt(r['kappa'])} | {_fmt(r['rho'])} | {_fmt(r['lam'])} | {r['d']} | {r['runs']} | "
            f"{_fmt(r['mean'])} ± {_fmt(r['se'], 2)} | {_fmt(r['theory'])} | {_fmt(r.get('theory_p', math.nan))} | "
            f"{gap} | {z} | {_fmt(r.get('allowance', math.nan), 3)} | {_verdict(r)} |"
        )
    return "\n".join(lines)


def _summary_line(compared) -> str:
    gaps = sorted(abs(r["rel_gap"]) for r in compared)
    zs = [abs(r["z"]) for r in compared if not math.isnan(r["z"])]
    text = (f"{len(compared)} points: median |relative gap| {100 * gaps[len(gaps) // 2]:.1f}%, "
            f"max {100 * gaps[-1]:.1f}%")
    if zs:
        text += f"; {sum(z <= 4 for z in zs)} of {len(zs)} within 4 SE"
    judged = [r for r in compared if r.get("within") is not None]
    if judged:
        c = max(r["c_needed"] for r in judged)
        steep = sum(r["steep_in_tau"] for r in judged)
        text += (f"; **{sum(r['within'] for r in judged)} of {len(judged)} within the finite-size allowance** "
                 f"(largest C needed {c:.2f}")
        text += f"; {steep} steep in tau)" if steep else ")"
    return text


def _summary(rows) -> str:
    """Overall and per-panel agreement (median relative gap, share within 4 SE and within the allowance)."""
    compared = [r for r in rows if not math.isnan(r["rel_gap"])]
    if not compared:
        return "No simulation point has a theory value to compare with."
    lines = [f"- all: {_summary_line(compared)}"]
    panels = sorted({(r["figure"], r["panel"]) for r in compared})
    for fig, panel in panels:
        sub = [r for r in compared if (r["figure"], r["panel"]) == (fig, panel)]
        lines.append(f"- Fig. {fig}{panel}: {_summary_line(sub)}")
    return "\n".join(lines)


def free_table(rows, skip=("note",)) -> list[str]:
    """Markdown lines of a table of rows with any keys (columns in order of first appearance, a last
    ``note`` column); for measured quantities that have no theory column (trained networks, fits).

    Examples
    --------
    >>> free_table([{"figure": "5", "value": 1.23456, "note": "x"}])
    ['| figure | value | note |', '|---|---|---|', '| 5 | 1.235 | x |']
    """
    def fmt(x):
        if x is None or (isinstance(x, float) and math.isnan(x)):
            return "—"
        return f"{x:.4g}" if isinstance(x, float) else str(x)

    keys = []
    for r in rows:
        keys += [k for k in r if k not in keys and k not in skip]
    lines = ["| " + " | ".join(keys) + " | note |", "|" + "---|" * (len(keys) + 1)]
    return lines + ["| " + " | ".join(fmt(r.get(k)) for k in keys) + f" | {r.get('note', '')} |" for r in rows]


def trained_section(title: str, rows, intro: str) -> list[str]:
    """A report section for trained-network rows (``[]`` when there are none)."""
    if not rows:
        return []
    return [f"## {title}", "", intro, ""] + free_table(rows) + [""]


def write_report(out_dir, settings, rows, figures, timings: dict, root: Path | None = None,
                 extrapolated=None, extra=()) -> Path:
    """Write ``out_dir/report.md`` and return its path (``out_dir``: a path or an output folder, see
    :func:`iclsym.figures.common.save`).

    ``extrapolated``: rows of :func:`iclsym.figures.extrapolated.extrapolated_rows` (extrapolated
    mode), reported in their own section before the single-size table.  ``extra``: more lines
    (e.g. :func:`trained_section`), before the closed forms.
    """
    source, forms = closed_forms_text(root)
    parts = [
        "# iclsym: reproduction of Lu et al. (2024)",
        "",
        f"Mode **{settings.mode}**: linear attention simulated at d = {settings.d} with {settings.runs} runs per "
        f"point; dMMSE at d = {settings.d_dmmse}, {settings.runs_dmmse} runs, {settings.n_test} test contexts per "
        f"run; base seed {settings.base_seed}.",
        "",
        "Figures: " + ", ".join(f"[{p.name}]({p.name})" for p in figures if p.suffix == ".png"),
        "",
        "## Timings",
        "",
    ]
    parts += [f"- {k}: {v}" for k, v in timings.items()]
    parts += [""]
    if extrapolated is not None:
        from iclsym.figures.extrapolated import report_section

        parts += [report_section(extrapolated, settings)]
    parts += [
        "## Theory vs simulation" + (f" at the largest size (d = {settings.d})" if extrapolated is not None else ""),
        "",
        "Theory is evaluated at each simulation's effective ratios (`ell/d`, `k/d`, `n/d^2` as realised) and at "
        "the simulation's `lam`. `rel. gap = (mean - theory)/theory`, `z = (mean - theory)/SE`. Finite-d "
        "simulations carry an O(1/d) bias (docs/onelayer/finite-size.md), so a large |z| alone is expected. The stated "
        f"finite-size allowance is `{fs.N_SE:g} SE + |e(n/p) - e(n/d^2)| + C |e|/d` with C = {fs.C_FINITE_SIZE:g}. "
        "Here p = d(d+1) is the parameter count of Gamma. The finite-d interpolation peak sits at n = p, not at "
        "n = d^2, and that shift is the dominant finite-size effect next to `tau = 1`. C was calibrated on "
        "separate simulations of the Fig. 1-2 points at d = 50 and 70 (`benchmarks/finite_size.py`); Fig. 4's "
        "g_task rows use the same rule without a calibration of their own. See `iclsym.onelayer.finite_size`. "
        "'C needed' is the smallest C that would include every point listed. A point is marked 'steep in tau' "
        "when the shift term is larger than the C term. dMMSE has no closed form (simulation only).",
        "",
        _summary(rows),
        "",
        format_table(rows),
        "",
        *extra,
        f"## Closed forms used (from {source})",
        "",
        forms.strip(),
        "",
    ]
    parts += provenance_section(out_dir)
    return write_text_output(out_dir, "report.md", parts)


def provenance_section(out_dir) -> list[str]:
    """Markdown lines of the provenance record an output folder carries (none for a plain path)."""
    info = getattr(out_dir, "provenance", None)
    if not info:
        return []
    from iclsym.sweep.provenance import provenance_lines

    return ["## Provenance", ""] + [f"- {line}" for line in provenance_lines(info)] + [""]


def write_text_output(out_dir, name: str, lines) -> Path:
    """Write ``lines`` (joined by newlines) as ``name`` in ``out_dir``: a folder path, or an output
    folder that refuses files iclsym did not write and records what it writes
    (:class:`iclsym.cli.outputs.OutputFolder`)."""
    if hasattr(out_dir, "claim"):
        path = out_dir.claim(name)
    else:
        Path(out_dir).mkdir(parents=True, exist_ok=True)
        path = Path(out_dir) / name
    path.write_text("\n".join(lines), encoding="utf-8")
    if hasattr(out_dir, "record"):
        out_dir.record(path)
    return path

"""``iclsym figures --paper 2``: run the paper-2 figure modules, write the figures and ``report.md``.

Same machinery as the paper-1 figures (a resumable result store, the sweep runner, one module per figure);
the report has the theory-vs-simulation table (theory at each point's effective ratios and at the
simulation's ``d``, with the finite-size allowance of :mod:`iclsym.onelayer.finite_size`) and the
Spearman correlations of Fig. 2.
"""

from __future__ import annotations

import importlib
import math
import time
from pathlib import Path

__all__ = ["NAMES", "normalise_only", "run_figures", "write_report"]

#: figure modules of paper 2 by the names ``--only`` accepts
NAMES = {"1": "fig1", "2": "fig2", "4": "fig4", "6": "fig6", "fig1": "fig1", "fig2": "fig2", "fig4": "fig4",
         "fig6": "fig6", "context": "context", "optimal": "optimal"}


def normalise_only(names) -> list[str]:
    """Module names from ``--only`` items (numbers or names).

    >>> normalise_only(["fig1", "6", "context"])
    ['context', 'fig1', 'fig6']
    >>> normalise_only(["3"])
    Traceback (most recent call last):
    ...
    ValueError: only must list paper-2 figures among 1, 2, 4, 6, context, optimal; got '3'
    """
    out = set()
    for n in names:
        key = str(n).strip().lower()
        if key not in NAMES:
            raise ValueError(f"only must list paper-2 figures among 1, 2, 4, 6, context, optimal; got {n!r}")
        out.add(NAMES[key])
    return sorted(out)


def _fmt(x, digits=4):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    return f"{x:.{digits}g}"


def write_report(out_dir, settings, rows, figures, timings: dict, spearman_lines) -> Path:
    """Write ``out_dir/report.md`` (theory vs simulation per point, Spearman table, timings)."""
    from iclsym.figures.report import format_table
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
    parts += [f"- {line}" for line in spearman_lines]
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
    path = Path(out_dir) / "report.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


def run_figures(args) -> int:
    """The body of ``iclsym figures --paper 2`` (arguments of :mod:`iclsym.cli.figures`)."""
    from iclsym.cli.sweep import executor_from_args
    from iclsym.figures.paper2 import FIGURES
    from iclsym.figures.paper2 import fig2 as fig2_module
    from iclsym.figures.paper2.settings import for_mode, full
    from iclsym.figures.cost import estimate_seconds, format_duration
    from iclsym.sweep import ResultStore, default_workers, run_sweep

    t_start = time.perf_counter()
    settings = for_mode(args.mode)
    changes = {}
    if args.d is not None:
        changes.update(d=args.d, d_rank=args.d, d_context=args.d)
    if args.runs is not None:
        changes.update(runs=args.runs)
    if changes:
        settings = settings.replace(**changes)
    names = normalise_only(args.only) if args.only else list(FIGURES)
    modules = [importlib.import_module(f"iclsym.figures.paper2.{n}") for n in names]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    store = ResultStore(args.store or out / "results.sqlite")
    workers = args.workers or (1 if args.serial else default_workers())
    jobs = [job for m in modules for job in m.jobs(settings)]
    print(f"iclsym figures --paper 2 --{settings.mode}: {', '.join(names)}; linear attention d = {settings.d} "
          f"(Fig. 6: {settings.d_rank}, context: {settings.d_context}) x {settings.runs} runs; store {store.path}")
    executor = None
    try:
        if settings.mode == "full" or args.estimate_only:
            cpu, missing = estimate_seconds(jobs, store)
            print(f"expected cost: {len(store.pending(jobs))} of {len(jobs)} jobs to run, ~{format_duration(cpu)} job "
                  f"time (~{format_duration(cpu / workers)} on {workers} workers)"
                  + (f"; {missing} jobs at untimed points" if missing else ""))
            if args.estimate_only:
                return 0
        t_sweep = time.perf_counter()
        summary = None
        if jobs:
            executor = executor_from_args(args)
            summary = run_sweep(jobs, store, executor, progress=args.progress, desc="simulations")
            print(f"simulations: {summary}")
        t_plot = time.perf_counter()
        paths, rows = [], []
        for name, module in zip(names, modules):
            t0 = time.perf_counter()
            paths += module.plot(store, settings, out)
            rows += module.points(store, settings)
            print(f"{name}: {time.perf_counter() - t0:.1f} s -> {out / (name + '.png')}")
        spearman = [fig2_module.format_spearman(fig2_module.spearman_table(), "theory over the Fig. 2 family")]
        sim_recs = fig2_module.simulated_family(store, settings) if "fig2" in names else []
        if sim_recs:
            spearman.append(fig2_module.format_spearman(fig2_module.spearman_table(sim_recs),
                                                        f"simulated e_ICL (d = {settings.d})"))
        timings = {
            "wall time of this run": f"{time.perf_counter() - t_start:.1f} s",
            "simulations (wall)": f"{t_plot - t_sweep:.1f} s" + (f" ({summary})" if summary else ""),
            "theory + plotting": f"{time.perf_counter() - t_plot:.1f} s",
            "workers": str(workers),
        }
        if settings.mode != "full":
            full_jobs = [job for m in modules for job in m.jobs(full())]
            cpu, _ = estimate_seconds(full_jobs, store)
            timings["estimate for --full"] = f"{len(full_jobs)} jobs, ~{format_duration(cpu)} job time"
        report = write_report(out, settings, rows, paths, timings, spearman)
        failed = summary.failed if summary else 0
        if failed:
            print(f"WARNING: {failed} simulation jobs failed; first error: {summary.errors[0][1]}")
        print(f"report: {report}")
        for k, v in timings.items():
            print(f"{k}: {v}")
        return 1 if failed else 0
    finally:
        if executor is not None:
            executor.close()
        store.close()

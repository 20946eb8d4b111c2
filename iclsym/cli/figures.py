"""``iclsym figures``: reproduce the paper's Figures 1-4 (theory lines + simulation points) and a report.

``--quick`` (default) simulates at reduced ``d`` and runs and finishes in minutes on a laptop;
``--full`` uses the paper's ``d = 100``, 10 runs, and prints its expected cost first.  Results
go to a resumable SQLite store (default ``OUT/results.sqlite``), so an interrupted run picks up
where it stopped, and ``--full`` after ``--quick`` into the same ``--out`` reuses the quick
run's timings for its cost estimate.
"""

from __future__ import annotations

import argparse
import importlib
import time
from pathlib import Path

from iclsym.cli.sweep import add_executor_arguments, executor_from_args

HELP = ("reproduce a paper's figures (--paper 1: Lu et al. Figs. 1-4; --paper 2: Letey et al.) with a report "
        "(--quick: minutes, reduced d; --full: paper scale)")


def _only(text: str) -> list[str]:
    """Figure names for ``--only``: numbers or names, comma-separated (checked against ``--paper`` in ``run``)."""
    names = [part.strip().lower() for part in text.split(",") if part.strip()]
    if not names:
        raise ValueError(f"only must list figures; got {text!r}")
    return names


def _only_paper1(names) -> list[str]:
    out = []
    for part in names:
        part = part.removeprefix("fig")
        if part not in ("1", "2", "3", "4"):
            raise ValueError(f"only must list figure numbers among 1,2,3,4; got {','.join(names)!r}")
        out.append(f"fig{part}")
    return sorted(set(out))


def add_arguments(p):
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--quick", dest="mode", action="store_const", const="quick",
                      help="reduced d and runs: minutes on 2 cores (default)")
    mode.add_argument("--full", dest="mode", action="store_const", const="full",
                      help="the paper's d = 100, 10 runs (hours; prints the expected cost first)")
    mode.add_argument("--tiny", dest="mode", action="store_const", const="tiny", help=argparse.SUPPRESS)
    p.set_defaults(mode="quick")
    p.add_argument("--paper", type=int, choices=(1, 2), default=1,
                   help="1: Lu et al. (2024), Figs. 1-4 (default); 2: Letey et al. (2025), Figs. 1, 2, 4, 6, "
                        "test context, optimal pretraining")
    p.add_argument("--only", type=_only, default=None,
                   help="comma-separated figures, e.g. 1,2 (paper 2 also: context, optimal)")
    p.add_argument("--out", default="iclsym-figures", help="output directory (figures, report.md, store)")
    p.add_argument("--d", type=int, default=None, help="override the simulation dimension")
    p.add_argument("--runs", type=int, default=None, help="override the runs per point")
    p.add_argument("--estimate-only", action="store_true", help="print the expected cost and exit")
    add_executor_arguments(p)


def _settings(args):
    from iclsym.figures.settings import for_mode

    settings = for_mode(args.mode)
    changes = {}
    if args.d is not None:
        changes.update(d=args.d, d_dmmse=args.d)
    if args.runs is not None:
        changes.update(runs=args.runs, runs_dmmse=args.runs)
    return settings.replace(**changes) if changes else settings


def _estimate_text(jobs, store, workers):
    from iclsym.figures.cost import estimate_seconds, format_duration

    cpu, missing = estimate_seconds(jobs, store)
    pending = len(store.pending(jobs))
    text = (f"{pending} of {len(jobs)} jobs to run; estimated job time {format_duration(cpu)} "
            f"(~{format_duration(cpu / workers)} on {workers} workers)")
    if missing:
        text += f"; {missing} jobs at points never timed borrowed the nearest timed point"
    return text


def run(args) -> int:
    from iclsym.figures import FIGURES
    from iclsym.figures.report import write_report
    from iclsym.figures.settings import quick
    from iclsym.sweep import ResultStore, default_workers, run_sweep

    if getattr(args, "paper", 1) == 2:
        from iclsym.figures.paper2.run import run_figures

        return run_figures(args)
    t_start = time.perf_counter()
    settings = _settings(args)
    names = _only_paper1(args.only) if args.only else list(FIGURES[1])
    modules = [importlib.import_module(f"iclsym.figures.paper1.{n}") for n in names]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    store = ResultStore(args.store or out / "results.sqlite")
    workers = args.workers or (1 if args.serial else default_workers())
    jobs = [job for m in modules for job in m.jobs(settings)]
    print(f"iclsym figures --{settings.mode}: {', '.join(names)}; linear attention d={settings.d} x {settings.runs} "
          f"runs, dMMSE d={settings.d_dmmse} x {settings.runs_dmmse} runs; store {store.path}")
    executor = None
    try:
        if settings.mode == "full" or args.estimate_only:

            kinds = {job.kind for job in jobs}
            if any(not store.rows(kind) for kind in kinds):
                print("no timings in the store yet: calibrating with one run of the quick setting first")
                cal = quick().replace(runs=1, runs_dmmse=1)
                executor = executor_from_args(args)
                run_sweep([j for m in modules for j in m.jobs(cal)], store, executor, progress=args.progress,
                          desc="calibration")
            print("expected cost: " + _estimate_text(jobs, store, workers))
            if args.estimate_only:
                return 0
        t_sweep = time.perf_counter()
        summary = None
        if jobs:
            executor = executor or executor_from_args(args)
            summary = run_sweep(jobs, store, executor, progress=args.progress, desc="simulations")
            print(f"simulations: {summary}")
        t_plot = time.perf_counter()
        paths, rows = [], []
        for name, module in zip(names, modules):
            t0 = time.perf_counter()
            paths += module.plot(store, settings, out)
            rows += module.points(store, settings)
            print(f"{name}: {time.perf_counter() - t0:.1f} s -> {out / (name + '.png')}")
        wall = time.perf_counter() - t_start
        timings = {
            "wall time of this run": f"{wall:.1f} s",
            "simulations (wall)": f"{t_plot - t_sweep:.1f} s" + (f" ({summary})" if summary else ""),
            "theory + plotting": f"{time.perf_counter() - t_plot:.1f} s",
            "workers": str(workers),
        }
        if settings.mode != "full":
            from iclsym.figures.settings import full

            full_jobs = [job for m in modules for job in m.jobs(full())]
            timings["estimate for --full"] = _estimate_text(full_jobs, store, workers)
        report = write_report(out, settings, rows, paths, timings)
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

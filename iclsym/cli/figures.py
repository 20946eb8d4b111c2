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

HELP = "reproduce the paper's Figures 1-4 (--quick: minutes, reduced d; --full: paper scale) with a report"


def _only(text: str) -> list[str]:
    names = []
    for part in text.split(","):
        part = part.strip().lower().removeprefix("fig")
        if part not in ("1", "2", "3", "4"):
            raise ValueError(f"only must list figure numbers among 1,2,3,4; got {text!r}")
        names.append(f"fig{part}")
    return sorted(set(names))


def _sizes(text: str) -> list[tuple[int, int | None]]:
    """``D1,D2,...`` or ``D1:R1,D2:R2,...`` (runs per size) for ``--extrapolate``."""
    out = []
    for part in text.split(","):
        d, _, runs = part.strip().partition(":")
        try:
            out.append((int(d), int(runs) if runs else None))
        except ValueError:
            raise ValueError(f"extrapolate must look like 24,32,48 or 24:40,32:20; got {text!r}") from None
    return out


def add_arguments(p):
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--quick", dest="mode", action="store_const", const="quick",
                      help="reduced d and runs: minutes on 2 cores (default)")
    mode.add_argument("--full", dest="mode", action="store_const", const="full",
                      help="the paper's d = 100, 10 runs (hours; prints the expected cost first)")
    mode.add_argument("--tiny", dest="mode", action="store_const", const="tiny", help=argparse.SUPPRESS)
    p.set_defaults(mode="quick")
    p.add_argument("--only", type=_only, default=None, help="comma-separated figure numbers, e.g. 1,2")
    p.add_argument("--out", default="iclsym-figures", help="output directory (figures, report.md, store)")
    p.add_argument("--d", type=int, default=None, help="override the simulation dimension")
    p.add_argument("--runs", type=int, default=None, help="override the runs per point")
    p.add_argument("--estimate-only", action="store_true", help="print the expected cost and exit")
    p.add_argument("--extrapolate", type=_sizes, default=None, metavar="D1[:R1],D2[:R2],...",
                   help="extrapolated mode: simulate every linear-attention point at these d (R runs each, "
                        "default --runs or 10) and judge e_inf against the theory (docs/onelayer/extrapolation.md)")
    add_executor_arguments(p)


def _settings(args):
    from iclsym.figures.settings import for_mode

    settings = for_mode(args.mode)
    changes = {}
    if args.d is not None:
        changes.update(d=args.d, d_dmmse=args.d)
    if args.runs is not None:
        changes.update(runs=args.runs, runs_dmmse=args.runs)
    settings = settings.replace(**changes) if changes else settings
    if args.extrapolate:
        from iclsym.figures.settings import extrapolated

        default = args.runs if args.runs is not None else 10
        settings = extrapolated(settings, [d for d, _ in args.extrapolate],
                                [default if r is None else r for _, r in args.extrapolate])
    return settings


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

    t_start = time.perf_counter()
    settings = _settings(args)
    names = args.only or list(FIGURES[1])
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
        ext = None
        if settings.extrapolate_d:
            from iclsym.figures.extrapolated import extrapolated_rows, summary_text

            ext = extrapolated_rows(store, settings, rows)
            print("extrapolated: " + summary_text(ext).replace("**", ""))
        report = write_report(out, settings, rows, paths, timings, extrapolated=ext)
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

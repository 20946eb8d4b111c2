"""``iclsym figures``: reproduce a paper's figures (theory lines + simulation or training points) and a report.

``--paper 1`` (default): Lu et al. (2024), Figs. 1-6; ``--paper 2``: Letey et al. (2025); ``--paper 3``:
Bordelon et al. (2025).  Figures that train attention networks (paper 1 Figs. 5-6, paper 2 Fig. 3, paper 3
Figs. 6c and 9) need the ``nets`` extra (JAX); their jobs run through the same store and executors.  ``--quick`` (default) runs at reduced sizes and finishes in minutes on a
laptop; ``--full`` uses the paper's sizes and prints its expected cost first.  Results go to a
resumable SQLite store (default ``OUT/results.sqlite``), so an interrupted run picks up where it
stopped, and ``--full`` after ``--quick`` into the same ``--out`` reuses the quick run's timings for
its cost estimate.  Besides the figures and ``report*.md``, every run writes a machine-readable
``report*.json`` (the rows of the report, timings, provenance, and each figure's named entries such as
``fig5.threshold_exponent.<arch>``).
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import time

from iclsym.cli.sweep import add_executor_arguments, check_executor_args, executor_from_args

HELP = ("reproduce a paper's figures with a report (--paper 1: Lu et al. Figs. 1-6; 2: Letey et al.; "
        "3: Bordelon et al.; --quick: minutes, reduced sizes; --full: paper scale)")


def _items(text: str) -> list[str]:
    items = [part.strip() for part in text.split(",") if part.strip()]
    if not items:
        raise ValueError(f"only must list figures, e.g. 1,2; got {text!r}")
    return items


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
                      help="reduced sizes and runs: minutes on 2 cores (default)")
    mode.add_argument("--full", dest="mode", action="store_const", const="full",
                      help="the paper's sizes (hours; prints the expected cost first)")
    mode.add_argument("--tiny", dest="mode", action="store_const", const="tiny", help=argparse.SUPPRESS)
    p.set_defaults(mode="quick")
    p.add_argument("--paper", choices=("1", "2", "3", "all"), default="1",
                   help="1: Lu et al. (2024), Figs. 1-6 (default); 2: Letey et al. (2025); 3: Bordelon et al. (2025); "
                        "all: the three papers one after the other into one output folder")
    p.add_argument("--only", type=_items, default=None,
                   help="comma-separated figures of the paper, e.g. 5,6 (paper 2 also: context, optimal; paper 3 "
                        "also: 6c); default: all of them")
    p.add_argument("--out", default="iclsym-figures",
                   help="output folder for figures, reports and the store (default iclsym-figures); files in it "
                        "that iclsym did not write are never overwritten")
    p.add_argument("--d", type=int, default=None,
                   help="override the simulation dimension (default: the mode's; trained-network figures keep theirs)")
    p.add_argument("--runs", type=int, default=None,
                   help="override the runs per point (default: the mode's; trained-network figures keep theirs)")
    p.add_argument("--estimate-only", action="store_true", help="print the expected cost and exit")
    p.add_argument("--extrapolate", type=_sizes, default=None, metavar="D1[:R1],D2[:R2],...",
                   help="paper 1: simulate every linear-attention point at these d (R runs each, default --runs or "
                        "10) and judge e_inf against the theory (docs/onelayer/extrapolation.md)")
    add_executor_arguments(p)


def _estimate_text(jobs, store, workers):
    from iclsym.figures.cost import estimate_seconds, format_duration

    cpu, missing = estimate_seconds(jobs, store)
    pending = len(store.pending(jobs))
    text = (f"{pending} of {len(jobs)} jobs to run; estimated job time {format_duration(cpu)} "
            f"(~{format_duration(cpu / workers)} on {workers} workers)")
    if missing:
        text += f"; {missing} jobs at points never timed borrowed the nearest timed point"
    return text


def _json_value(v):
    """A JSON value: non-finite floats as ``null``/``"inf"``, NumPy scalars as numbers, containers recursed."""
    if isinstance(v, float) and not math.isfinite(v):
        return None if math.isnan(v) else ("inf" if v > 0 else "-inf")
    if isinstance(v, dict):
        return {str(k): _json_value(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_json_value(x) for x in v]
    if hasattr(v, "tolist"):
        return _json_value(v.tolist())
    if isinstance(v, (str, int, float, bool)) or v is None:
        return v
    return str(v)


def write_json_report(out, name: str, paper: int, settings, rows, timings, extras: dict):
    """``name.json``: the report's rows, timings, extras (named entries such as
    ``fig5.threshold_exponent.full_linear = {"value", "ci"}``) and provenance."""
    from dataclasses import asdict, is_dataclass

    from iclsym.figures.report import write_text_output

    data = {"paper": paper, "mode": settings.mode,
            "settings": {k: _json_value(v) for k, v in (asdict(settings) if is_dataclass(settings) else {}).items()},
            "timings": timings, "rows": [{k: _json_value(v) for k, v in r.items()} for r in rows]}
    data.update(_json_value(extras))
    data["provenance"] = getattr(out, "provenance", {})
    return write_text_output(out, f"{name}.json", [json.dumps(data, indent=1, allow_nan=False)])


def run(args) -> int:
    if args.paper != "all":
        return _run_paper(args, int(args.paper))
    if args.only:
        raise ValueError("only selects figures of one paper; --paper all draws every figure (give --paper 1, 2 or 3)")
    if args.extrapolate:
        raise ValueError("extrapolate is available for --paper 1; got --paper all")
    return max(_run_paper(args, number) for number in (1, 2, 3))


def _run_paper(args, number: int) -> int:
    from iclsym.cli.outputs import OutputFolder, check_store_path
    from iclsym.figures import PAPERS
    from iclsym.sweep import ResultStore, default_workers, run_sweep
    from iclsym.sweep.provenance import provenance

    t_start = time.perf_counter()
    check_executor_args(args)
    paper = importlib.import_module(PAPERS[number])
    for name, value in (("d", args.d), ("runs", args.runs)):
        if value is not None and value < 1:
            raise ValueError(f"{name} must be an integer >= 1; got {value}")
    settings = paper.settings_for(args.mode, d=args.d, runs=args.runs)
    if args.extrapolate:
        if number != 1:
            raise ValueError(f"extrapolate is available for --paper 1; got --paper {number}")
        from iclsym.figures.settings import extrapolated

        default = args.runs if args.runs is not None else 10
        settings = extrapolated(settings, [d for d, _ in args.extrapolate],
                                [default if r is None else r for _, r in args.extrapolate])
    names = paper.select(args.only) if args.only else list(paper.FIGURES)
    modules = [importlib.import_module(f"{PAPERS[number]}.{n}") for n in names]
    out = OutputFolder(args.out)
    jobs = list(dict.fromkeys(job for m in modules for job in m.jobs(settings)))
    out.provenance = provenance({job.kind for job in jobs})
    stems = [paper.PREFIX + n for n in names]
    for stem in stems:  # refuse before any work if an output would overwrite a file iclsym did not write
        out.claim(f"{stem}.png"), out.claim(f"{stem}.pdf")
    out.claim(f"{paper.REPORT}.md"), out.claim(f"{paper.REPORT}.json")
    store = ResultStore(out.path / "results.sqlite" if args.store is None else check_store_path(args.store))
    workers = args.workers or (1 if args.serial else default_workers())
    print(f"iclsym figures --paper {number} --{settings.mode}: {', '.join(names)}; {paper.describe(settings)}; "
          f"store {store.path}")
    executor = None
    try:
        if settings.mode == "full" or args.estimate_only:
            if any(not store.rows(kind) for kind in {job.kind for job in jobs}):
                cal_mode = "quick" if settings.mode == "full" else "tiny"  # the next smaller mode
                print(f"no timings in the store yet: calibrating with one run of the {cal_mode} setting first")
                cal = paper.settings_for(cal_mode, runs=1)
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
        from iclsym.sweep.threads import one_blas_thread

        with one_blas_thread():  # theory and plotting make many small LAPACK calls
            for name, stem, module in zip(names, stems, modules):
                t0 = time.perf_counter()
                paths += module.plot(store, settings, out)
                rows += module.points(store, settings)
                print(f"{name}: {time.perf_counter() - t0:.1f} s -> {out.path / (stem + '.png')}")
        timings = {
            "wall time of this run": f"{time.perf_counter() - t_start:.1f} s",
            "simulations (wall)": f"{t_plot - t_sweep:.1f} s" + (f" ({summary})" if summary else ""),
            "theory + plotting": f"{time.perf_counter() - t_plot:.1f} s",
            "workers": str(workers),
        }
        if settings.mode != "full":
            full_jobs = [job for m in modules for job in m.jobs(paper.settings_for("full"))]
            timings["estimate for --full"] = _estimate_text(full_jobs, store, workers)
        report = paper.write_report(out, settings, rows, paths, timings, store, names)
        extras = {}
        for module in modules:
            extras.update(getattr(module, "report_entries", lambda store, settings: {})(store, settings))
        write_json_report(out, paper.REPORT, number, settings, rows, timings, extras)
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

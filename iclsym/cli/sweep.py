"""``iclsym sweep``: run a user-defined grid of Monte Carlo jobs into a resumable store.

Example::

    iclsym sweep --alpha 1,10 --tau 0.5,2 --kappa 0.5 --rho 0.01 --lam 1e-5 --d 40 --runs 3 \\
        --store results.sqlite --export out.nc
"""

from __future__ import annotations

import argparse
import json
import sys

HELP = "run a grid of simulations (process pool or Dask) into a resumable SQLite store; export netCDF/CSV"


def _floats(text: str) -> list[float]:
    try:
        return [float(x) for x in text.split(",") if x.strip()]
    except ValueError as exc:
        raise ValueError(f"expected comma-separated numbers, got {text!r}") from exc


def _ints(text: str) -> list[int]:
    try:
        return [int(x) for x in text.split(",") if x.strip()]
    except ValueError as exc:
        raise ValueError(f"expected comma-separated integers, got {text!r}") from exc


def _value(text: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def _option(text: str) -> tuple[str, object]:
    """``KEY=VALUE`` or ``KEY=V1,V2,...`` (a list: one axis of the grid); values parsed as JSON if they can be."""
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise ValueError(f"--option must look like KEY=VALUE; got {text!r}")
    items = [_value(v.strip()) for v in value.split(",")] if "," in value else [_value(value)]
    return key, items if len(items) > 1 else items[0]


def add_executor_arguments(p):
    """Flags shared by the commands that run jobs: where the jobs run and where results go."""
    p.add_argument("--store", default=None, help="SQLite result store (re-running skips finished jobs)")
    p.add_argument("--workers", type=int, default=None,
                   help="local worker processes, or workers of a started --cluster (default: all cores)")
    p.add_argument("--scheduler", default=None, help="address of a running Dask scheduler, e.g. tcp://host:8786")
    p.add_argument("--cluster", choices=("local", "slurm", "pbs"), default=None,
                   help="start a Dask cluster (slurm/pbs need dask-jobqueue)")
    p.add_argument("--serial", action="store_true", help="run jobs in this process (debugging)")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="show a progress bar (default: when stderr is a terminal)")


def check_executor_args(args) -> None:
    """Refuse contradictory executor flags before any work (one-line errors)."""
    if args.serial and (args.scheduler or args.cluster):
        raise ValueError("--serial runs jobs in this process; it cannot be combined with --scheduler or --cluster")
    if args.scheduler and args.cluster:
        raise ValueError("--scheduler (a running Dask scheduler) and --cluster (start one) exclude each other")
    if args.workers is not None:
        if args.workers < 1:
            raise ValueError(f"workers must be an integer >= 1; got {args.workers}")
        if args.serial or args.scheduler:
            raise ValueError("--workers sets the local pool or a started --cluster; it has no effect with "
                             "--serial or --scheduler")


def executor_from_args(args):
    from iclsym.sweep import make_executor

    check_executor_args(args)
    return make_executor("serial" if args.serial else None, workers=args.workers,
                         scheduler=args.scheduler, cluster=args.cluster)


#: flags that set coordinates of the same name (when the kind has them)
COORD_FLAGS = ("alpha", "tau", "kappa", "rho", "lam", "d")


def add_arguments(p):
    p.add_argument("--kind", default="ridge",
                   help="job kind (default ridge: linear attention trained by ridge regression; also dmmse, toy, "
                        "and the kinds of the other models)")
    p.add_argument("--alpha", type=_floats, default=None, help="context length ell/d (comma-separated list)")
    p.add_argument("--tau", type=_floats, default=None, help="pretraining sequences n/d^2")
    p.add_argument("--kappa", type=_floats, default=None, help="task diversity k/d ('inf' allowed)")
    p.add_argument("--rho", type=_floats, default=None, help="label-noise variance")
    p.add_argument("--lam", type=_floats, default=None, help="ridge strength (default: the kind's, 0 for ridge)")
    p.add_argument("--d", type=_ints, default=None, help="dimension(s)")
    p.add_argument("--runs", type=int, default=1, help="independent runs per point (default 1)")
    p.add_argument("--seed", type=int, default=0, help="base seed of the sweep, 0 <= seed < 2**63 (default 0)")
    p.add_argument("--option", type=_option, action="append", default=[],
                   help="any other coordinate of the kind as KEY=VALUE or KEY=V1,V2 (repeatable), "
                        "e.g. method=cg (ridge solver) or n_test=500 (dmmse)")
    p.add_argument("--export", action="append", default=[],
                   help="write the results of this grid to FILE.nc (netCDF) or FILE.csv (repeatable)")
    add_executor_arguments(p)


def run(args) -> int:
    from iclsym.cli.outputs import check_export, check_store_path
    from iclsym.figures.comparison import comparison_table, dataset_with_comparison, frame_with_comparison
    from iclsym.sweep import ResultStore, grid, run_sweep
    from iclsym.sweep.provenance import provenance
    from iclsym.sweep.store import dataset_from_frame, write_csv, write_netcdf

    # everything is checked before the store is opened or any job runs
    check_executor_args(args)
    axes = {name: getattr(args, name) for name in COORD_FLAGS if getattr(args, name) is not None}
    jobs = grid(args.kind, runs=args.runs, base_seed=args.seed, options=dict(args.option), **axes)
    store_path = ":memory:" if args.store is None else check_store_path(args.store)
    exports = [check_export(path, store_path) for path in args.export]
    if len({p.resolve() for p in exports}) != len(exports):
        raise ValueError("each --export must name a different file")
    store = ResultStore(store_path)
    try:
        executor = executor_from_args(args)
        try:
            summary = run_sweep(jobs, store, executor, progress=args.progress)
        finally:
            executor.close()
        print(summary)
        for job, error in summary.errors[:10]:
            print(f"  FAILED {job}: {error}", file=sys.stderr)
        frame = _frame_of(store, jobs)
        table = comparison_table(frame) if not frame.empty else None
        _print_table(frame, table)
        info = provenance([args.kind])
        for path in exports:
            if path.suffix == ".csv":
                write_csv(frame_with_comparison(frame, table) if table is not None else frame, path, info)
            else:
                ds = dataset_from_frame(frame)
                write_netcdf(dataset_with_comparison(ds, table) if table is not None else ds, path, info)
            print(f"wrote {path}")
    finally:
        store.close()
    return 1 if summary.failed else 0


def _frame_of(store, jobs):
    """Rows of the store that belong to this grid."""
    import pandas as pd

    wanted = {store.key(j) for j in jobs}
    rows = [r for r in store.rows(jobs[0].kind) if store.row_key(r) in wanted]
    return pd.DataFrame(rows)


def _print_table(frame, table) -> None:
    """Mean ± SE per point; for linear-attention jobs also the theory at the effective ratios, z and verdict."""
    if frame.empty:
        return
    from iclsym.figures.comparison import format_table
    from iclsym.sweep.store import point_keys

    coords = [c for c in point_keys(frame["kind"].iloc[0])[1:] if table[c].nunique() > 1 or c in COORD_FLAGS]
    print(format_table(table, coords))

"""Calibrate and check the finite-size allowance of :mod:`iclsym.onelayer.finite_size` (Figs. 1-2).

Simulates every Fig. 1-2 point at the calibration sizes (default ``d = 50`` and ``70``, 3 runs,
the ``--full`` figure table and seeds; the seeds depend on ``d``, so these runs are independent
of the ``d = 100`` runs that the allowance is later applied to). For each size it prints:

* the largest ``C`` needed (:func:`iclsym.onelayer.finite_size.c_needed`) over all points, its 90th
  percentile, and the worst points;
* the same with the parameter-count term left out, which shows what that term does;
* ``d * rel. gap`` at the worst points. A flat value across ``d`` means an O(1/d) gap.

It ends with ``PASS`` if the largest needed ``C`` is at most ``C_FINITE_SIZE``, the constant
that the report uses.

With ``--validate STORE --d 100 --runs 10`` it reads the ``iclsym figures --full --only 1,2``
store and prints how many points fall within the allowance; it runs no new simulations there,
because every job is already stored.

Usage: ``python benchmarks/finite_size.py [--d 50 70] [--runs 3] [--store DIR] [--workers N]``.
Both sizes take about 3.5 min on 2 cores. Results are kept in ``DIR/d<d>.sqlite``, so a re-run
is instant.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from iclsym.onelayer import finite_size as fs
from iclsym.figures.paper1 import fig1, fig2
from iclsym.figures.settings import full
from iclsym.sweep import ResultStore, default_workers, run_sweep
from iclsym.sweep.executors import make_executor


def rows_at(d: int, runs: int, store_path: Path, workers: int) -> list[dict]:
    settings = full().replace(d=d, d_dmmse=d, runs=runs, runs_dmmse=runs)
    store = ResultStore(store_path)
    try:
        jobs = [j for m in (fig1, fig2) for j in m.jobs(settings)]
        pending = store.pending(jobs)
        if pending:
            executor = make_executor(workers=workers)
            try:
                t0 = time.perf_counter()
                summary = run_sweep(jobs, store, executor, desc=f"d={d}")
                print(f"d={d}: {summary} ({time.perf_counter() - t0:.0f} s)")
            finally:
                executor.close()
        return [r for m in (fig1, fig2) for r in m.points(store, settings) if r["within"] is not None]
    finally:
        store.close()


def describe(d: int, rows: list[dict]) -> float:
    need = np.array([r["c_needed"] for r in rows])
    # the same with the parameter-count term dropped (theory_p := theory)
    need0 = np.array([float(fs.c_needed(r["mean"], r["se"], r["theory"], r["theory"], d)) for r in rows])
    within = sum(r["within"] for r in rows)
    print(f"\nd = {d}: {len(rows)} points; {within} within the allowance with C = {fs.C_FINITE_SIZE:g}")
    print(f"  C needed: max {need.max():.2f}, 90th percentile {np.quantile(need, 0.9):.2f}, "
          f"median {np.median(need):.2f}")
    print(f"  without the parameter-count term: max {need0.max():.2f}, 90th percentile {np.quantile(need0, 0.9):.2f}")
    print("  worst points (C needed | d * rel. gap | d * SE/theory):")
    for i in np.argsort(-need)[:5]:
        r = rows[i]
        print(f"    Fig. {r['figure']}{r['panel']} {r['field']} alpha={r['alpha']:g} tau={r['tau']:g} "
              f"kappa={r['kappa']:g} lam={r['lam']:g}: {need[i]:.2f} | {d * r['rel_gap']:+.2f} | "
              f"{d * r['se'] / abs(r['theory']):.2f}")
    return float(need.max())


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--d", type=int, nargs="+", default=[50, 70])
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--store", type=Path, default=Path("finite-size-study"),
                   help="directory of the result stores (one per d)")
    p.add_argument("--validate", type=Path, default=None,
                   help="an existing store (e.g. of `iclsym figures --full --only 1,2`): report, do not calibrate")
    p.add_argument("--workers", type=int, default=None)
    args = p.parse_args(argv)
    workers = args.workers or default_workers()
    worst = []
    for d in args.d:
        if args.validate is not None:
            path = args.validate
        else:
            args.store.mkdir(parents=True, exist_ok=True)
            path = args.store / f"d{d}.sqlite"
        worst.append(describe(d, rows_at(d, args.runs, path, workers)))
    c = max(worst)
    verdict = "PASS" if c <= fs.C_FINITE_SIZE else "FAIL"
    role = "validation" if args.validate is not None else "calibration"
    print(f"\n{role}: largest C needed {c:.2f} vs C_FINITE_SIZE = {fs.C_FINITE_SIZE:g}: {verdict}")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    raise SystemExit(main())

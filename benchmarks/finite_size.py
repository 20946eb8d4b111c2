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

**Extrapolated mode** (``--extrapolate 24:40,32:40,48:20,64:20``; docs/onelayer/extrapolation.md):
simulates every linear-attention point of Figs. 1, 2 and 4 (quick figure table) at each size with
the given runs (``DIR/extrapolated.sqlite``; points flagged for every quantity at the smallest size,
e.g. next to the ridgeless pole, are not simulated since they are not judged), extrapolates each to
``d = inf`` and prints one ``PASS``/``FAIL`` line per target:

* the fraction of judged (not flagged) points whose 95 % interval contains the theory (>= 90 %);
* the median CI half-width relative to the theory (<= 2 %);
* the same fit with only the first 10 runs at ``d = 24, 32, 48, 64``: median half-width <= 5 %;
* a deliberately wrong theory (``rho`` replaced by ``1.1 rho``) is rejected at most judged points;
* the wall time of one extrapolated point (``d = 24, 32, 48, 64, 96``, 10 runs each, 2 workers,
  ``--time-point``) <= 60 s, printed with ``os.getloadavg()``.
"""

from __future__ import annotations

import argparse
import math
import os
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


def _pairs(text):
    out = []
    for part in text.split(","):
        d, _, r = part.partition(":")
        out.append((int(d), int(r) if r else 10))
    return out


def _line(target: str, ok: bool, measured: str) -> str:
    return f"{'PASS' if ok else 'FAIL'}: {target}: {measured}"


def _judged(job, settings) -> bool:
    """False for a point flagged for every quantity (it is not judged, so it is not simulated)."""
    from iclsym.onelayer import theory
    from iclsym.onelayer.extrapolation import flags

    p = (job.alpha, job.tau, job.kappa, job.rho, job.lam)
    fields = [f for f in ("e_icl", "e_idg", "g_task") if float(getattr(theory, f)(*p)) != 0.0]
    return any(not flags(f, *p, min(settings.extrapolate_d)) for f in fields)


def extrapolated_study(pairs, store_dir: Path, workers: int, time_point: bool, summarize_only: bool = False) -> int:
    """The extrapolated acceptance targets (see the module docstring)."""
    from iclsym.figures.extrapolated import extrapolated_rows, summarize, wrong_theory
    from iclsym.figures.paper1 import fig4
    from iclsym.figures.settings import extrapolated, quick
    from iclsym.onelayer.extrapolation import extrapolate

    modules = (fig1, fig2, fig4)
    settings = extrapolated(quick(), [d for d, _ in pairs], [r for _, r in pairs])
    store_dir.mkdir(parents=True, exist_ok=True)
    store = ResultStore(store_dir / "extrapolated.sqlite")
    lines = []
    try:
        jobs = [j for m in modules for j in m.jobs(settings) if j.kind == settings.ridge_kind and _judged(j, settings)]
        jobs.sort(key=lambda j: j.tau * j.d**2)  # cheap (small n) first: an interrupted study has whole points
        if store.pending(jobs) and not summarize_only:
            executor = make_executor(workers=workers)
            try:
                t0 = time.perf_counter()
                summary = run_sweep(jobs, store, executor, desc="extrapolated")
                print(f"simulations: {summary} ({time.perf_counter() - t0:.0f} s, load {os.getloadavg()})")
            finally:
                executor.close()
        single = [r for m in modules for r in m.points(store, settings)]
        full = (list(settings.extrapolate_d), list(settings.extrapolate_runs))
        rows = [r for r in extrapolated_rows(store, settings, single) if (r["sizes"], r["runs"]) == full]
        incomplete = len({(r["alpha"], r["tau"], r["kappa"], r["lam"]) for r in single
                          if r["kind"] == settings.ridge_kind}) - len({(r["alpha"], r["tau"], r["kappa"], r["lam"])
                                                                        for r in rows})
        if incomplete:
            print(f"{incomplete} points without every size and run in the store are left out (not simulated: "
                  "flagged, or --summarize-only before the sweep finished)")
        s = summarize(rows)
        sizes = ", ".join(f"d={d} x {r}" for d, r in zip(settings.extrapolate_d, settings.extrapolate_runs))
        print(f"\nextrapolated ({sizes}): {s['points']} point-quantities, {s['judged']} judged, "
              f"{s['flagged']} flagged")
        for r in rows:
            if r["verdict"] == "disagrees":
                print(f"  disagrees: Fig. {r['figure']}{r['panel']} {r['field']} alpha={r['alpha']:g} tau={r['tau']:g} "
                      f"kappa={r['kappa']:g} lam={r['lam']:g}: e_inf {r['inf']:.4g} "
                      f"[{r['ci_lo']:.4g}, {r['ci_hi']:.4g}] vs theory {r['theory']:.4g} (z {r['z']:+.2f})")
        reasons = {}
        for r in rows:
            for why in r["reasons"]:
                key = why.split(":")[0]
                reasons[key] = reasons.get(key, 0) + 1
        print("  flagged: " + (", ".join(f"{k}: {v}" for k, v in sorted(reasons.items())) or "none"))
        lines.append(_line(f"e_inf agrees with the theory within its 95% CI at >= 90% of judged points ({sizes})",
                           s["fraction_agree"] >= 0.9,
                           f"{s['agree']} of {s['judged']} = {100 * s['fraction_agree']:.1f}%"))
        lines.append(_line(f"median CI half-width <= 2% of the theory ({sizes})", s["median_rel_half_width"] <= 0.02,
                           f"{100 * s['median_rel_half_width']:.2f}%"))
        if all(d in settings.extrapolate_d for d in (24, 32, 48, 64)) and min(settings.extrapolate_runs) >= 10:
            s10 = settings.replace(extrapolate_d=(24, 32, 48, 64), extrapolate_runs=(10,) * 4)
            t10 = summarize(extrapolated_rows(store, s10, single))
            lines.append(_line("median CI half-width <= 5% of the theory at d = 24, 32, 48, 64 with 10 runs (the first "
                               "10 runs of each size)", t10["median_rel_half_width"] <= 0.05,
                               f"{100 * t10['median_rel_half_width']:.2f}% over {t10['judged']} judged points; "
                               f"{t10['agree']} of {t10['judged']} agree"))
        for label, kw in (("rho -> 1.1 rho", dict(rho_factor=1.1)),
                          ("5% too high (1.05 x theory)", dict(rho_factor=1.0, scale=1.05)),
                          ("5% too low (0.95 x theory)", dict(rho_factor=1.0, scale=0.95))):
            wrong = [w for w in extrapolated_rows(store, settings, single, n_boot=0,
                                                  theory=lambda *a, kw=kw: wrong_theory(*a, **kw))
                     if (w["sizes"], w["runs"]) == full]
            judged = [w for w in wrong if w["verdict"] != "flagged"]
            rejected = sum(w["verdict"] == "disagrees" for w in judged)
            frac = rejected / len(judged) if judged else math.nan
            # where the wrong theory differs from the right one by more than the interval's half-width
            right = {(w["figure"], w["panel"], w["field"], w["alpha"], w["tau"], w["kappa"], w["lam"]): w
                     for w in rows}
            big = [w for w in judged if abs(w["theory"] - right[(w["figure"], w["panel"], w["field"], w["alpha"],
                   w["tau"], w["kappa"], w["lam"])]["theory"]) > 0.5 * (w["ci_hi"] - w["ci_lo"])]
            big_rej = sum(w["verdict"] == "disagrees" for w in big)
            lines.append(_line(f"a wrong theory ({label}) is rejected at most (> 50%) judged points", frac > 0.5,
                               f"{rejected} of {len(judged)} = {100 * frac:.1f}% rejected; {big_rej} of {len(big)} "
                               "where it moves the theory by more than the CI half-width"))
    finally:
        store.close()
    if time_point:
        point = (10.0, 2.0, 0.5, 0.01, 1e-5)
        point_store = store_dir / "timed_point.sqlite"
        if point_store.exists():
            point_store.unlink()
        load0 = os.getloadavg()
        executor = make_executor(workers=2)
        t0 = time.perf_counter()
        try:
            extrapolate(*point, d=(24, 32, 48, 64, 96), runs=10, store=point_store, executor=executor)
        finally:
            executor.close()
        wall = time.perf_counter() - t0
        lines.append(_line("one extrapolated point (alpha=10, tau=2, kappa=0.5, rho=0.01, lam=1e-5; d = 24, 32, "
                           "48, 64, 96 x 10 runs; simulations + fit, fresh store, 2 workers) <= 60 s", wall <= 60.0,
                           f"{wall:.1f} s (load average before {tuple(round(x, 2) for x in load0)}, after "
                           f"{tuple(round(x, 2) for x in os.getloadavg())})"))
    print()
    for line in lines:
        print(line)
    return 0 if all(line.startswith("PASS") for line in lines) else 1


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--d", type=int, nargs="+", default=[50, 70])
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--store", type=Path, default=Path("finite-size-study"),
                   help="directory of the result stores (one per d)")
    p.add_argument("--validate", type=Path, default=None,
                   help="an existing store (e.g. of `iclsym figures --full --only 1,2`): report, do not calibrate")
    p.add_argument("--workers", type=int, default=None)
    p.add_argument("--extrapolate", type=_pairs, default=None, metavar="D1:R1,D2:R2,...",
                   help="extrapolated mode: sizes and runs per size (see the module docstring)")
    p.add_argument("--time-point", action="store_true",
                   help="with --extrapolate: also time one extrapolated point (d up to 96, 10 runs each)")
    p.add_argument("--summarize-only", action="store_true",
                   help="with --extrapolate: run no simulation, judge the points whose runs are all stored")
    args = p.parse_args(argv)
    workers = args.workers or default_workers()
    if args.extrapolate is not None:
        return extrapolated_study(args.extrapolate, args.store, workers, args.time_point, args.summarize_only)
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
    import sys

    from iclsym.sweep.store import StoreError

    try:
        raise SystemExit(main())
    except StoreError as exc:  # e.g. a store of an older iclsym: one line, the store left unchanged
        print(f"finite_size.py: error: {exc}", file=sys.stderr)
        raise SystemExit(2)

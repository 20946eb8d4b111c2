"""Benchmark of the finite-d simulator (docs/onelayer/solvers.md).

Run:  .venv/bin/python benchmarks/simulate.py [--quick]

Prints, on this machine:

1. environment: BLAS build, thread-related environment variables, threadpoolctl info;
2. numpy matmul GFLOP/s (large square ``gemm``), the reference for the fractions below;
3. the primal Gram step (``dsyrk`` over Kronecker feature chunks) at ``d = 100``:
   GFLOP/s as a fraction of the matmul rate (target >= 70 %), and the same for one CG
   operator application (the ``CG_PENALTY`` of the auto cost model);
4. the conditional sampler: sequences per second at ``d = 100, ell = 1000`` (target >= 1e5);
5. seconds per run of ``simulate_once`` (sampling + ``Gamma*`` + both exact errors) at
   ``d = 100, kappa 0.5, rho 0.01, alpha 10`` for ``tau in {0.5, 2}``, ``lam in {1e-5, 0.1}``
   (targets: every ``lam = 0.1`` run <= 2 s; ``lam = 1e-5``: tau 0.5 <= 3 s, tau 2 <= 40 s);
6. peak memory of the process after those runs (``ru_maxrss``; target <= 3 GiB);
7. the speed-up over *a straightforward dense NumPy pipeline* (one sequence at a time through the
   reference sampler, dense ``n x p`` features, ``Phi^T Phi`` by matmul, ``np.linalg.solve``), run
   end to end here -- at a smaller ``d`` (40; quick: 20) always, and at ``d = 100`` for both ``tau``
   in full mode (several GiB and minutes); target >= 20x for ``lam = 0.1`` at ``d = 100`` (full mode:
   quick mode makes no ``d = 100`` claim);
8. the BLAS thread policy (:mod:`iclsym.core.threads`: one thread per run): ``simulate_once`` at
   ``d = 48`` and ``64``, ``tau = 2``, timed idle and under one competing busy process, with the
   policy and with two BLAS threads; target: with the policy, loaded <= 2 x idle.

PASS/FAIL is printed per target.  Timings are wall-clock and depend on machine load: on
a shared machine report them with that caveat.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import sys
import time
import warnings

import numpy as np

from iclsym.core.params import Params, Sizes
from iclsym.onelayer.simulation import e_icl_exact, e_idg_exact, simulate_once
from iclsym.onelayer.simulation._solver_auto import CG_PENALTY
from iclsym.onelayer.simulation._solver_direct import gram_lower
from iclsym.onelayer.simulation._solver_ops import RidgeOperator
from iclsym.onelayer.simulation.samplers import as_generator, pretraining_tasks, reference_sample, sample_sequences

ALPHA, KAPPA, RHO = 10.0, 0.5, 0.01
D = 100
TAUS = (0.5, 2.0)
LAMS = (1e-5, 0.1)
TARGET_SECONDS = {(0.5, 0.1): 2.0, (2.0, 0.1): 2.0, (0.5, 1e-5): 3.0, (2.0, 1e-5): 40.0}
TARGET_GRAM_FRACTION = 0.70
TARGET_SEQ_PER_S = 1e5
TARGET_PEAK_GIB = 3.0
TARGET_SPEEDUP_LAM01 = 20.0


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def best_of(f, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return min(times)


def peak_gib() -> float:
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return kib / 2**20


# ----------------------------------------------------------------------------- environment
def print_environment():
    print("== environment")
    print(f"python {platform.python_version()}, numpy {np.__version__}, cpus {os.cpu_count()}, "
          f"load average {os.getloadavg()}")
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        print(f"  {var}={os.environ.get(var, '<unset>')}")
    try:
        blas = np.__config__.CONFIG["Build Dependencies"]["blas"]
        print(f"  numpy BLAS: {blas.get('name')} {blas.get('version')} ({blas.get('openblas configuration', '')})")
    except Exception as exc:  # pragma: no cover - config layout differs between numpy versions
        print(f"  numpy BLAS: unknown ({exc})")
    try:
        import threadpoolctl

        for info in threadpoolctl.threadpool_info():
            print(f"  threadpoolctl: {info.get('internal_api')} {info.get('version')} "
                  f"threads={info.get('num_threads')} arch={info.get('architecture')}")
    except ImportError:
        print("  threadpoolctl: not installed")


# ------------------------------------------------------------------------------ kernels
def matmul_gflops(size, repeats):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((size, size))
    b = rng.standard_normal((size, size))
    a @ b  # warm-up
    t = best_of(lambda: a @ b, repeats)
    return 2.0 * size**3 / t / 1e9


def solve_gflops(size, repeats):
    rng = np.random.default_rng(1)
    a = rng.standard_normal((size, size)) + size * np.eye(size)
    b = rng.standard_normal(size)
    t = best_of(lambda: np.linalg.solve(a, b), repeats)
    return (2.0 / 3.0) * size**3 / t / 1e9


def model_data(d, n, seed=0):
    params = Params(ALPHA, n / d**2, KAPPA, RHO)
    sizes = Sizes.from_params(d, params)
    rng = as_generator(seed)
    _, tasks = pretraining_tasks(n, sizes.k, d, rng)
    return sample_sequences(tasks, sizes.ell, RHO, rng)


def gram_fraction(n_rows, gemm_size, repeats):
    """Best Gram rate over best matmul rate, the two measured alternately (load drifts)."""
    xq, h, _ = model_data(D, n_rows)
    p = D * (D + 1)
    rng = np.random.default_rng(0)
    a = rng.standard_normal((gemm_size, gemm_size))
    b = rng.standard_normal((gemm_size, gemm_size))
    gram_lower(xq[:64], h[:64])  # warm-up
    a @ b
    t_gram, t_gemm = [], []
    for _ in range(repeats):
        t_gemm.append(best_of(lambda: a @ b, 1))
        t_gram.append(best_of(lambda: gram_lower(xq, h), 1))
    gram_rate = n_rows * p * (p + 1) / min(t_gram) / 1e9  # useful flops of the lower triangle
    gemm_rate = 2.0 * gemm_size**3 / min(t_gemm) / 1e9
    return gram_rate, gemm_rate, min(t_gram)


def cg_step_fraction(n_rows, gemm_size, repeats):
    """Best CG-operator rate over best matmul rate, the two measured alternately."""
    xq, h, _ = model_data(D, n_rows)
    op = RidgeOperator(xq, h)
    g = np.ones((D, D + 1))
    rng = np.random.default_rng(0)
    a = rng.standard_normal((gemm_size, gemm_size))
    op.normal(g, 0.1)
    t_op, t_gemm = [], []
    for _ in range(repeats):
        t_gemm.append(best_of(lambda: a @ a, 1))
        t_op.append(best_of(lambda: op.normal(g, 0.1), 5))
    rate = 4.0 * n_rows * D * (D + 1) / min(t_op) / 1e9
    return rate, rate / (2.0 * gemm_size**3 / min(t_gemm) / 1e9)


def sampler_rate(n, repeats):
    sizes = Sizes.from_params(D, Params(ALPHA, n / D**2, KAPPA, RHO))
    rng = as_generator(3)
    _, tasks = pretraining_tasks(n, sizes.k, D, rng)
    t = best_of(lambda: sample_sequences(tasks, sizes.ell, RHO, rng), repeats)
    return n / t


# ------------------------------------------------------------------------- naive pipeline
def naive_run(tau, lam, d, seed=0):
    """One sequence at a time through the reference sampler; dense normal equations."""
    params = Params(ALPHA, tau, KAPPA, RHO, lam)
    s = Sizes.from_params(d, params)
    rng = as_generator(seed)
    t0 = time.perf_counter()
    W, tasks = pretraining_tasks(s.n, s.k, d, rng)
    rows = [reference_sample(tasks[mu : mu + 1], s.ell, RHO, rng) for mu in range(s.n)]
    xq = np.vstack([r[0] for r in rows])
    h = np.vstack([r[1] for r in rows])
    y = np.concatenate([r[2] for r in rows])
    t1 = time.perf_counter()
    phi = np.einsum("mi,mj->mij", xq, h).reshape(s.n, d * (d + 1))
    a = phi.T @ phi
    a[np.diag_indices(d * (d + 1))] += (s.n / d) * lam
    gamma = np.linalg.solve(a, phi.T @ y).reshape(d, d + 1)
    t2 = time.perf_counter()
    e_icl_exact(gamma, s.ell, RHO)
    e_idg_exact(gamma, W, s.ell, RHO)
    t3 = time.perf_counter()
    return {"sample": t1 - t0, "solve": t2 - t1, "errors": t3 - t2, "total": t3 - t0, "n": s.n}


def naive_seconds_per_sequence(d, count):
    sizes = Sizes.from_params(d, Params(ALPHA, 1.0, KAPPA, RHO))
    rng = as_generator(4)
    _, tasks = pretraining_tasks(count, sizes.k, d, rng)
    t0 = time.perf_counter()
    for mu in range(count):
        reference_sample(tasks[mu : mu + 1], sizes.ell, RHO, rng)
    return (time.perf_counter() - t0) / count


def naive_model(tau, d, t_seq, gemm_rate, lu_rate):
    """Predicted naive seconds: per-sequence sampling + Phi^T Phi (matmul) + LU solve."""
    n = round(tau * d * d)
    p = d * (d + 1)
    return n * t_seq + 2.0 * n * p * p / (gemm_rate * 1e9) + (2.0 / 3.0) * p**3 / (lu_rate * 1e9)


# ----------------------------------------------------------------------------- thread policy
def _busy():  # pragma: no cover - runs in a child process
    while True:
        pass


def thread_study(repeats):
    """``{(d, lam, threads, load): best seconds}`` of one run at ``tau = 2``; load in {"idle", "busy"}."""
    import multiprocessing

    from threadpoolctl import threadpool_limits

    from iclsym.onelayer.simulation.run import _run

    def one(d, lam, threads):
        with threadpool_limits(threads):
            return best_of(lambda: _run(ALPHA, 2.0, KAPPA, RHO, lam, d, 0, "auto", "balanced", "sphere",
                                        "conditional"), repeats)

    out = {}
    for load in ("idle", "busy"):
        proc = multiprocessing.get_context("spawn").Process(target=_busy, daemon=True) if load == "busy" else None
        if proc is not None:
            proc.start()
            time.sleep(1.0)
        try:
            for d in (48, 64):
                for lam in (1e-5, 0.1):
                    one(d, lam, 1)  # warm-up
                    for threads in (1, 2):
                        out[(d, lam, threads, load)] = one(d, lam, threads)
        finally:
            if proc is not None:
                proc.terminate()
                proc.join()
    return out


# ----------------------------------------------------------------------------------- main
def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats and smaller side measurements")
    args = ap.parse_args(argv)
    quick = args.quick
    reps = 1 if quick else 2
    results = []

    print_environment()

    print("\n== dense kernels")
    gemm = matmul_gflops(2000 if quick else 3000, 2 if quick else 3)
    lu = solve_gflops(2000 if quick else 3000, 2)
    print(f"numpy matmul: {gemm:.1f} GFLOP/s; np.linalg.solve (LU): {lu:.1f} GFLOP/s")

    n_gram = 600 if quick else 1500
    g_rate, g_gemm, g_t = gram_fraction(n_gram, 2000 if quick else 3000, 2 if quick else 3)
    g_frac = g_rate / g_gemm
    ok = g_frac >= TARGET_GRAM_FRACTION
    print(f"primal Gram (dsyrk, d={D}, p={D*(D+1)}, {n_gram} rows, {g_t:.2f} s): {g_rate:.1f} GFLOP/s "
          f"= {100*g_frac:.0f} % of matmul measured alternately ({g_gemm:.1f} GFLOP/s) "
          f"(target >= {100*TARGET_GRAM_FRACTION:.0f} %) {verdict(ok)}")
    results.append(("Gram GFLOP/s fraction", ok))
    c_rate, c_frac = cg_step_fraction(5000, 2000, 3)
    print(f"CG operator step (n=5000): {c_rate:.1f} GFLOP/s = {100*c_frac:.0f} % of matmul measured alternately "
          f"(auto cost model uses CG_PENALTY={CG_PENALTY:g} relative to direct-solver flops)")

    print("\n== conditional sampler")
    rate = sampler_rate(20000, 3)
    ok = rate >= TARGET_SEQ_PER_S
    print(f"d={D}, ell={round(ALPHA*D)}: {rate:.3g} sequences/s (target >= {TARGET_SEQ_PER_S:.0e}) {verdict(ok)}")
    results.append(("sampler sequences/s", ok))

    print(f"\n== simulate_once at d={D}, alpha={ALPHA:g}, kappa={KAPPA:g}, rho={RHO:g} "
          f"(best of {reps}; sample / solve / errors split of the best)")
    fast, seed0_e_icl = {}, {}
    for tau in TAUS:
        for lam in LAMS:
            runs = []
            for r in range(reps):
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    runs.append(simulate_once(ALPHA, tau, KAPPA, RHO, lam, D, seed=r))
            best = min(runs, key=lambda o: o["seconds"])
            fast[(tau, lam)] = best["seconds"]
            seed0_e_icl[(tau, lam)] = runs[0]["e_icl"]
            target = TARGET_SECONDS[(tau, lam)]
            ok = best["seconds"] <= target
            results.append((f"run tau={tau:g} lam={lam:g}", ok))
            print(f"tau={tau:g} lam={lam:g}: {best['seconds']:.2f} s (median {statistics.median(o['seconds'] for o in runs):.2f}) "
                  f"[{best['seconds_sample']:.2f} / {best['seconds_solve']:.2f} / {best['seconds_errors']:.3f}] "
                  f"solver={best['solver']} it={best['iterations']} res={best['rel_residual']:.1e} "
                  f"cond~{best['cond_estimate']:.2g} e_icl={best['e_icl']:.4f} e_idg={best['e_idg']:.4f} "
                  f"(target <= {target:g} s) {verdict(ok)}" + (f"  warnings: {[str(w.message) for w in caught]}" if caught else ""))

    if not quick:
        print("\n== forced primal solve at tau=2, lam=1e-5 (what auto avoids; worst-case memory)")
        t0 = time.perf_counter()
        out = simulate_once(ALPHA, 2.0, KAPPA, RHO, 1e-5, D, seed=0, method="primal")
        print(f"{time.perf_counter() - t0:.1f} s (solve {out['seconds_solve']:.1f} s), solver={out['solver']}, "
              f"res={out['rel_residual']:.1e}, |e_icl - auto| = {abs(out['e_icl'] - seed0_e_icl[(2.0, 1e-5)]):.2e}")

    peak = peak_gib()
    ok = peak <= TARGET_PEAK_GIB
    print(f"\n== peak memory (ru_maxrss of this process so far): {peak:.2f} GiB "
          f"(target <= {TARGET_PEAK_GIB:g} GiB) {verdict(ok)}")
    results.append(("peak memory", ok))

    d_small = 20 if quick else 40
    print("\n== straightforward implementation (reference sampler one sequence at a time, dense Phi, "
          "Phi^T Phi, np.linalg.solve)")
    naive_seconds_per_sequence(d_small, 5)  # warm-up
    t_seq_small = naive_seconds_per_sequence(d_small, 200)
    t_seq = naive_seconds_per_sequence(D, 50 if quick else 200)
    print(f"reference sampler, one sequence: {1e3*t_seq_small:.2f} ms at d={d_small}, {1e3*t_seq:.2f} ms at d={D}")
    simulate_once(ALPHA, 0.5, KAPPA, RHO, 0.1, d_small, seed=0)  # warm-up (first BLAS/LAPACK calls)
    for tau in TAUS:
        for lam in LAMS:
            nv = naive_run(tau, lam, d_small)
            fs = min(simulate_once(ALPHA, tau, KAPPA, RHO, lam, d_small, seed=0)["seconds"] for _ in range(3))
            pred = naive_model(tau, d_small, t_seq_small, gemm, lu)
            print(f"measured d={d_small} tau={tau:g} lam={lam:g}: naive {nv['total']:.2f} s "
                  f"[sample {nv['sample']:.2f}, solve {nv['solve']:.2f}] (model {pred:.2f} s), fast {fs:.3f} s, "
                  f"ratio {nv['total']/fs:.0f}x")
    if not quick:
        # the straightforward pipeline at full size, run end to end (it does not depend on lam)
        for tau in TAUS:
            nv = naive_run(tau, 0.1, D)
            print(f"measured d={D} tau={tau:g}: naive {nv['total']:.1f} s [sample {nv['sample']:.1f}, "
                  f"solve {nv['solve']:.1f}] (model {naive_model(tau, D, t_seq, gemm, lu):.1f} s)")
            for lam in LAMS:
                ratio = nv["total"] / fast[(tau, lam)]
                line = (f"measured d={D} tau={tau:g} lam={lam:g}: naive {nv['total']:.0f} s vs fast "
                        f"{fast[(tau, lam)]:.2f} s: {ratio:.0f}x")
                if lam == 0.1:
                    ok = ratio >= TARGET_SPEEDUP_LAM01
                    line += f" (target >= {TARGET_SPEEDUP_LAM01:g}x) {verdict(ok)}"
                    results.append((f"speed-up over the dense pipeline, d={D} tau={tau:g} lam=0.1", ok))
                print(line)
    else:
        print(f"(quick mode: the dense pipeline is not run at d={D}; no speed-up is claimed there)")

    print("\n== BLAS thread policy: simulate_once at tau=2, idle and under one competing busy process")
    study = thread_study(1 if quick else 2)
    for d in (48, 64):
        for lam in (1e-5, 0.1):
            idle1, busy1 = study[(d, lam, 1, "idle")], study[(d, lam, 1, "busy")]
            idle2, busy2 = study[(d, lam, 2, "idle")], study[(d, lam, 2, "busy")]
            ok = busy1 <= 2.0 * idle1
            results.append((f"thread policy d={d} lam={lam:g}: loaded <= 2 x idle", ok))
            print(f"d={d} lam={lam:g}: one BLAS thread (the policy) idle {idle1:.3f} s, loaded {busy1:.3f} s "
                  f"({busy1 / idle1:.2f}x; target <= 2x) {verdict(ok)}; two threads idle {idle2:.3f} s, "
                  f"loaded {busy2:.3f} s ({busy2 / idle2:.2f}x)")

    print("\n== summary")
    for name, ok in results:
        print(f"{verdict(ok)}  {name}")
    print(f"(load average at end {os.getloadavg()}; timings on a loaded machine are pessimistic)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

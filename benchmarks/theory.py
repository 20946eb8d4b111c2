"""Speed and accuracy of the one-layer theory evaluators, against baselines run in the same process.

    python benchmarks/theory.py [--n 1000000] [--baseline-points 200] [--repeat 3]

Targets (one PASS/FAIL line each):

1. vectorised ``errors()`` at ``n`` random points: ``lam > 0`` <= 2 s and ``lam = 0`` <= 0.5 s for 10^6;
2. one point as Python floats (the scalar fast path): ridgeless ``e_icl``/``e_idg``/``g_task`` <= 10 us
   per call and within 4x of the *baseline A* timed here; ridge (``lam > 0``) <= 40 us per call and
   within 15x of baseline A;
3. the scalar path equals the vectorised one to 1e-15 (relative) on the random points;
4. vectorised ``errors()`` >= 10^4 x faster per point than *baseline B*.

Baselines (each run here, on this machine, in this run):

* **A -- a plain-Python closed form**: the paper's ridgeless ``e_ICL`` (the ``tau < 1`` and ``tau > 1``
  formulas with ``M_kappa`` in closed form), written with :mod:`math`, one call per point -- the
  cost of the authors' ridgeless closed form in a Python loop;
* **B -- a re-implementation of the authors' method for the ridge error**: for each point,
  ``scipy.optimize.fsolve`` of the fixed point from 100 log-spaced starting guesses, roots rounded
  to 6 decimals, the smallest positive one taken (their method, not their code), then the ridge
  formula.  Its accuracy against iclsym is printed too.

Points: alpha in [0.1, 1e3], tau in [0.05, 50], kappa in [0.05, 1e3] (log-uniform), rho in [0, 2],
lam in [1e-9, 10] (log-uniform).  Timings are wall-clock best-of-``repeat``; the load average is
printed beside them (a loaded machine makes every timing pessimistic).
"""

from __future__ import annotations

import argparse
import math
import os
import time
import warnings

import numpy as np
from scipy.optimize import fsolve

from iclsym.onelayer.theory import e_icl, e_idg, errors, g_task

TARGETS = {"ridge_1e6_s": 2.0, "ridgeless_1e6_s": 0.5, "scalar_ridgeless_us": 10.0, "scalar_ridge_us": 40.0,
           "ratio_ridgeless": 4.0, "ratio_ridge": 15.0, "agreement": 1e-15, "speedup_B": 1e4}


def verdict(ok) -> str:
    return "PASS" if ok else "FAIL"


def sample(n, seed=0):
    rng = np.random.default_rng(seed)
    alpha = 10 ** rng.uniform(-1, 3, n)
    tau = 10 ** rng.uniform(math.log10(0.05), math.log10(50), n)
    kappa = 10 ** rng.uniform(math.log10(0.05), 3, n)
    rho = rng.uniform(0, 2, n)
    lam = 10 ** rng.uniform(-9, 1, n)
    return alpha, tau, kappa, rho, lam


def best_time(fn, repeat):
    best = math.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


# --- baseline A: the ridgeless closed form in plain Python -------------------------------------

def _M(z, kappa):
    b = z + 1 - 1 / kappa
    return 2 / (b + math.sqrt(b * b + 4 * z / kappa))


def closed_form_e_icl(alpha, tau, kappa, rho):
    """The paper's ridgeless e_ICL, plain Python (baseline A)."""
    xs = (1 + rho) / alpha
    if tau < 1:
        mu = xs * _M(xs, kappa / tau)
        return (tau * (1 + xs) / (1 - tau) * (1 - tau * (1 - mu) ** 2 - (1 - rho / xs) * mu)
                - 2 * tau * (1 - mu) + 1 + rho)
    m = _M(xs, kappa)
    k_star = 1 / (1 - kappa * (m / (kappa + m)) ** 2)
    return ((k_star - 1 / (tau - 1)) * (1 + xs) * (xs * m) ** 2 + (3 - 2 * tau) / (tau - 1) * m * xs**2
            + (1 + (1 + rho) * m / (tau - 1)) * xs + rho * m / (tau - 1) + rho)


# --- baseline B: the authors' method for the ridge error -----------------------------------------

def _Mp(z, kappa, M):
    return -(M * M / kappa + M) / (2 * z * M / kappa + z + 1 - 1 / kappa)


def authors_method(alpha, tau, kappa, rho, lam, guesses=np.logspace(-8, 4, 100)):
    """fsolve from 100 guesses, roots rounded to 6 decimals, smallest positive root (baseline B)."""
    xs = (1 + rho) / alpha

    def F(e):
        return [1 - tau + tau * lam / e[0] - e[0] * _M(xs + e[0], kappa)] if e[0] > 0 else [1e10]

    roots = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for g in guesses:
            roots.append(round(float(fsolve(F, [g])[0]), 6))
    positive = [r for r in roots if r > 0]
    eps = min(positive) if positive else math.nan
    nu = xs + eps
    S = _M(nu, kappa)
    Sp = _Mp(nu, kappa, S)
    c_e = (rho + nu - nu**2 * S - eps * (1 - 2 * nu * S - nu**2 * Sp)) / (1 - 2 * eps * S - eps**2 * Sp - tau)
    return (1 + xs) * (1 - 2 * nu * S - nu**2 * Sp - c_e * (S + eps * Sp)) - 2 * (1 - nu * S) + 1 + rho


def per_call_us(fn, points, repeat):
    """Best-of-``repeat`` microseconds per call of ``fn(*point)`` over ``points``."""
    best = math.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        for p in points:
            fn(*p)
        best = min(best, (time.perf_counter() - t0) / len(points))
    return best * 1e6


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=1_000_000, help="points of the vectorised timing (default 10^6)")
    p.add_argument("--baseline-points", type=int, default=200, help="points of baseline B (default 200)")
    p.add_argument("--repeat", type=int, default=3, help="best of this many repetitions (default 3)")
    args = p.parse_args(argv)
    n = args.n
    print(f"iclsym theory benchmark: cpu count {os.cpu_count()}, load average {os.getloadavg()[0]:.2f}")
    alpha, tau, kappa, rho, lam = sample(n)
    zero = np.zeros(n)

    # 1. vectorised throughput
    t_ridge = best_time(lambda: errors(alpha, tau, kappa, rho, lam), args.repeat) * 1e6 / n
    t_zero = best_time(lambda: errors(alpha, tau, kappa, rho, zero), args.repeat) * 1e6 / n
    print(f"{verdict(t_ridge <= TARGETS['ridge_1e6_s'])}: vectorised errors(), lam > 0: {t_ridge:.3f} s per 10^6 "
          f"points (target <= {TARGETS['ridge_1e6_s']:g} s)")
    print(f"{verdict(t_zero <= TARGETS['ridgeless_1e6_s'])}: vectorised errors(), lam = 0: {t_zero:.3f} s per 10^6 "
          f"points (target <= {TARGETS['ridgeless_1e6_s']:g} s)")

    # 2. scalar calls vs baseline A, in the same run
    m = 2000
    pts0 = [(float(alpha[i]), float(tau[i]), float(kappa[i]), float(rho[i])) for i in range(m)
            if abs(tau[i] - 1) > 1e-3]
    base = per_call_us(closed_form_e_icl, pts0, args.repeat)
    print(f"baseline A (the paper's ridgeless closed form, plain Python, math module): {base:.2f} us per call")
    for fn in (e_icl, e_idg, g_task):
        us = per_call_us(fn, [pt + (0.0,) for pt in pts0], args.repeat)
        ok = us <= TARGETS["scalar_ridgeless_us"] and us <= TARGETS["ratio_ridgeless"] * base
        print(f"{verdict(ok)}: scalar {fn.__name__}(floats), lam = 0: {us:.2f} us per call = {us / base:.2f} x "
              f"baseline A (targets <= {TARGETS['scalar_ridgeless_us']:g} us and <= {TARGETS['ratio_ridgeless']:g} x)")
    pts = [(float(alpha[i]), float(tau[i]), float(kappa[i]), float(rho[i]), float(lam[i])) for i in range(m)]
    for fn in (e_icl, e_idg, g_task):
        us = per_call_us(fn, pts, args.repeat)
        ok = us <= TARGETS["scalar_ridge_us"] and us <= TARGETS["ratio_ridge"] * base
        print(f"{verdict(ok)}: scalar {fn.__name__}(floats), lam > 0: {us:.2f} us per call = {us / base:.2f} x "
              f"baseline A (targets <= {TARGETS['scalar_ridge_us']:g} us and <= {TARGETS['ratio_ridge']:g} x)")

    # 3. scalar path == vectorised path
    vec = np.array(errors(alpha[:m], tau[:m], kappa[:m], rho[:m], lam[:m]))
    sca = np.array([errors(*pt) for pt in pts]).T
    rel = float(np.max(np.abs(sca - vec) / np.abs(vec)))
    print(f"{verdict(rel <= TARGETS['agreement'])}: scalar vs vectorised (e_icl, e_idg, g_task) on {m} points: "
          f"max relative difference {rel:.1e} (target <= {TARGETS['agreement']:g})")

    # 4. vectorised vs baseline B
    k = min(args.baseline_points, n)
    t0 = time.perf_counter()
    ref = np.array([authors_method(alpha[i], tau[i], kappa[i], rho[i], lam[i]) for i in range(k)])
    t_b = (time.perf_counter() - t0) / k * 1e6
    speedup = t_b / t_ridge
    e1 = np.asarray(errors(alpha[:k], tau[:k], kappa[:k], rho[:k], lam[:k])[0])
    err = np.abs(ref - e1) / e1
    print(f"baseline B (a re-implementation of the authors' method: scalar fsolve from 100 starting guesses, "
          f"roots rounded to 6 decimals, smallest positive root): {t_b / 1e3:.2f} ms per point on {k} points; "
          f"its e_ICL vs iclsym: median relative difference {np.nanmedian(err):.1e}, max {np.nanmax(err):.1e}, "
          f"{int(np.isnan(err).sum())} NaN")
    print(f"{verdict(speedup >= TARGETS['speedup_B'])}: vectorised errors() vs baseline B, per point: "
          f"{speedup:,.0f} x faster (target >= {TARGETS['speedup_B']:,.0f} x)")
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()

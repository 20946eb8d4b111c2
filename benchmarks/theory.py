"""Speed of the vectorized theory (vectorised evaluation): prints timings.

    python benchmarks/theory.py [--n 1000000] [--scalar-points 300] [--repeat 3]

1. ``e_icl + e_idg`` at ``n`` random points with ``lam > 0`` (target <= 2 s for 10^6),
2. the same with ``lam = 0`` (closed-form ridgeless root; target <= 0.5 s),
3. the ratio to a per-point scalar implementation that solves ``F(eps) = 0`` with
   ``scipy.optimize.fsolve`` from many starting guesses (the approach of public code for the
   paper, docs/onelayer/finite-size.md): timed on ``--scalar-points`` points and extrapolated to ``n``
   (target >= 10^4 x).  The scalar reference lives here only; iclsym never uses fsolve.

Points: alpha in [0.1, 1e3], tau in [0.05, 50], kappa in [0.05, 1e3] (log-uniform),
rho in [0, 2], lam in [1e-9, 10] (log-uniform).  Timings are wall-clock best-of-``repeat``;
on a shared machine they vary with load.
"""

from __future__ import annotations

import argparse
import math
import os
import time
import warnings

import numpy as np
from scipy.optimize import fsolve

from iclsym.onelayer.theory import e_icl, e_idg, errors


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


# --- scalar reference: one point at a time, fsolve from many guesses -------------------------


def _M(z, kappa):
    b = z + 1 - 1 / kappa
    return 2 / (b + math.sqrt(b * b + 4 * z / kappa))


def _Mp(z, kappa, M):
    return -(M * M / kappa + M) / (2 * z * M / kappa + z + 1 - 1 / kappa)


def scalar_point(alpha, tau, kappa, rho, lam, guesses=np.logspace(-8, 4, 100)):
    xs = (1 + rho) / alpha

    def F(e):
        e = e[0]
        if e <= 0:  # fsolve wanders off the domain: push it back
            return [1e10]
        return [1 - tau + tau * lam / e - e * _M(xs + e, kappa)]

    roots = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for g in guesses:
            sol, info, ier, _ = fsolve(F, [g], full_output=True)
            if ier == 1 and sol[0] > 0:
                roots.append(sol[0])
    eps = min(roots) if roots else math.nan
    nu = xs + eps
    S = _M(nu, kappa)
    Sp = _Mp(nu, kappa, S)
    c_e = (rho + nu - nu**2 * S - eps * (1 - 2 * nu * S - nu**2 * Sp)) / (1 - 2 * eps * S - eps**2 * Sp - tau)
    e1 = (1 + xs) * (1 - 2 * nu * S - nu**2 * Sp - c_e * (S + eps * Sp)) - 2 * (1 - nu * S) + 1 + rho
    return e1, -tau * c_e


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=1_000_000)
    p.add_argument("--scalar-points", type=int, default=300)
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args(argv)
    n = args.n
    print(f"iclsym theory benchmark: n = {n:,} random points; cpu count {os.cpu_count()}; "
          f"load average {os.getloadavg()[0]:.2f} (shared machine: timings are indicative)")
    alpha, tau, kappa, rho, lam = sample(n)
    zero = np.zeros(n)

    t_ridge_shared = best_time(lambda: errors(alpha, tau, kappa, rho, lam), args.repeat)
    t_ridge_sep = best_time(lambda: (e_icl(alpha, tau, kappa, rho, lam), e_idg(alpha, tau, kappa, rho, lam)), args.repeat)
    t_0_shared = best_time(lambda: errors(alpha, tau, kappa, rho, zero), args.repeat)
    t_0_sep = best_time(lambda: (e_icl(alpha, tau, kappa, rho, zero), e_idg(alpha, tau, kappa, rho, zero)), args.repeat)
    print(f"lam > 0: errors() [e_icl, e_idg, g_task, one root solve]: {t_ridge_shared:.3f} s   "
          f"e_icl() + e_idg() [two solves]: {t_ridge_sep:.3f} s   (target <= 2 s for 10^6)")
    print(f"lam = 0: errors(): {t_0_shared:.3f} s   e_icl() + e_idg(): {t_0_sep:.3f} s   (target <= 0.5 s for 10^6)")

    m = min(args.scalar_points, n)
    t0 = time.perf_counter()
    ref = [scalar_point(alpha[i], tau[i], kappa[i], rho[i], lam[i]) for i in range(m)]
    t_scalar = (time.perf_counter() - t0) / m
    e1_vec, _, _ = errors(alpha[:m], tau[:m], kappa[:m], rho[:m], lam[:m])
    ref_e1 = np.array([r[0] for r in ref])
    rel = np.abs(ref_e1 - e1_vec) / e1_vec
    extrapolated = t_scalar * n
    print(f"scalar fsolve reference (100 starting guesses as in docs/onelayer/finite-size.md, smallest converged positive root): "
          f"{t_scalar * 1e3:.2f} ms/point on {m} points -> extrapolated {extrapolated:,.0f} s for {n:,}")
    print(f"speed-up of errors() over the scalar reference: {extrapolated / t_ridge_shared:,.0f} x   (target >= 10^4 x)")
    print(f"(scalar reference vs iclsym on those points: median rel. diff {np.nanmedian(rel):.1e}, "
          f"{np.mean(rel > 1e-3) * 100:.1f} % of points off by > 1e-3, {np.isnan(rel).sum()} NaN)")


if __name__ == "__main__":
    main()

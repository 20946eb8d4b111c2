"""Validation numbers of the deep-attention theory: one ``PASS``/``FAIL`` line per target.

Targets (each checked two independent ways):

1. Catalan closed form of ``R*_L`` vs the Brent minimum of the exact MP quadrature: max abs
   difference over ``L <= 64``, ``alpha in [0.05, 20]`` (target ``1e-10``);
2. ISO Monte Carlo at ``D = 200`` vs ``R_L(gamma)`` (target ``|MC - theory| <= 3 SE + 2 %``), with z;
3. finite-alpha RRS contour vs Monte Carlo at ``D = 150`` for six ``(P, L)`` pairs (same target);
4. SGD-trained Gamma-models at ``D = 32``: ISO vs the finite-D Monte Carlo optimum of ``gamma I``,
   RRS (``alpha = inf``) vs ``min_gamma R`` (target: within 3 %, common random numbers).

Baselines are named in each line.  Run: ``python benchmarks/depth_validation.py [--quick]``
(``--quick``: targets 1-3 only, about a minute).
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from scipy import optimize  # noqa: E402

from iclsym.deep import iso, structured  # noqa: E402
from iclsym.deep.data import power_law_spectrum  # noqa: E402
from iclsym.deep.montecarlo import context_risks, mc_risk  # noqa: E402
from iclsym.deep.train import train_gamma  # noqa: E402


def line(ok, text):
    print(f"{'PASS' if ok else 'FAIL'} {text}", flush=True)
    return ok


def catalan():
    worst = 0.0
    for L in (1, 2, 3, 5, 8, 13, 32, 64):
        for a in np.geomspace(0.05, 20, 9):
            res = optimize.minimize_scalar(lambda g: float(iso.iso_risk(g, a, L)),
                                           bounds=(0.0, float(iso.gamma_stability_edge(a, L))), method="bounded",
                                           options={"xatol": 1e-10})
            worst = max(worst, abs(float(iso.iso_risk_star(a, L)) - res.fun))
    return line(worst <= 1e-10, f"Catalan R*_L vs quadrature optimum: max |diff| {worst:.2e} (target 1e-10; "
                                "baseline: Brent minimum of the exact MP quadrature)")


def iso_mc():
    ok = True
    for alpha, L, frac, s2 in [(0.5, 1, 1.0, 0.0), (1.0, 2, 1.0, 0.0), (2.0, 4, 1.0, 0.0), (1.0, 8, 0.5, 0.0),
                               (1.5, 2, 1.0, 0.5)]:
        g = float(iso.iso_gamma_star(alpha, L)) * frac
        th = float(iso.iso_risk(g, alpha, L, s2))
        m, se = mc_risk("iso", g, alpha, L, 200, 400, seed=21, sigma2=s2)
        ok &= line(abs(m - th) <= 3 * se + 0.02 * th,
                   f"ISO MC D=200 alpha={alpha} L={L} gamma={g:.3f} sigma2={s2}: MC {m:.4f} +- {se:.4f}, "
                   f"theory {th:.4f}, z = {(m - th) / se:+.2f}, rel {(m - th) / th:+.2%} (target 3 SE + 2 %)")
    return ok


def rrs_mc():
    ok = True
    D = 150
    lam, om = power_law_spectrum(D, 1.5, 1.0)
    for P, L, g in [(75, 1, 0.5), (150, 2, 1.0), (300, 4, 2.5), (75, 8, 3.0), (600, 2, 1.5), (150, 1, 0.6)]:
        th = structured.rrs_risk(g, P / D, lam, om, L)
        m, se = mc_risk("rrs", g, P / D, L, D, 800, seed=22, nu=1.5, beta=1.0)
        ok &= line(abs(m - th) <= 3 * se + 0.02 * th,
                   f"RRS contour vs MC D=150 P={P} L={L} gamma={g}: MC {m:.4f} +- {se:.4f}, contour {th:.4f}, "
                   f"z = {(m - th) / se:+.2f}, rel {(m - th) / th:+.2%} (target 3 SE + 2 %)")
    return ok


def trained():
    ok = True
    D = 32
    for alpha, L in [(0.5, 1), (1.0, 2), (2.0, 4), (1.0, 8), (4.0, 2)]:
        r = train_gamma("iso", D, alpha, L, 1500, 8.0, 0.3, queries=1.0, seed=1, decay=0.5)
        P = int(round(alpha * D))
        tr = context_risks("iso", r.Gamma, P, L, D, 1500, np.random.default_rng(99)).mean()
        g0 = float(iso.iso_gamma_star(alpha, L))
        best = min(context_risks("iso", g, P, L, D, 1500, np.random.default_rng(99)).mean()
                   for g in np.linspace(0.3 * g0, 1.3 * g0, 41))
        ok &= line(tr <= 1.03 * best, f"trained ISO D=32 alpha={alpha} L={L}: {tr:.4f} vs finite-D MC optimum of "
                                      f"gamma I {best:.4f} (gap {tr / best - 1:+.2%}; asymptotic R*_L "
                                      f"{float(iso.iso_risk_star(alpha, L)):.4f}; target 3 %)")
    lam, om = power_law_spectrum(D, 1.5, 0.8)
    for L in (1, 2, 4, 8):
        r = train_gamma("rrs", D, np.inf, L, 2000, 4.0, 0.5 * L, queries=np.inf, seed=1, decay=0.5, nu=1.5, beta=0.8)
        g, v = structured.rrs_optimal_inf(lam, om, L)
        tr = context_risks("rrs", r.Gamma, None, L, D, 1000, np.random.default_rng(9), lam, om).mean()
        ref = context_risks("rrs", g, None, L, D, 1000, np.random.default_rng(9), lam, om).mean()
        ok &= line(tr / ref <= 1.03, f"trained RRS D=32 alpha=inf L={L}: {tr:.4f} vs min_gamma R {v:.4f} "
                                     f"(same-context MC of gamma* I {ref:.4f}; gap {tr / ref - 1:+.2%}; target 3 %)")
    return ok


def main() -> int:
    t0 = time.perf_counter()
    ok = catalan() & iso_mc() & rrs_mc()
    if "--quick" not in sys.argv:
        ok &= trained()
    print(f"total {time.perf_counter() - t0:.1f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

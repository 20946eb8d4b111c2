"""Monte Carlo check of the asymptotic theory, including the derived ridge e_IDG.

Finite-d runs (`iclsym.onelayer.simulation.simulate`: exact test errors of the trained Gamma, the
paper's Lemma 1) are compared with the theory at the *effective* ratios alpha_eff, tau_eff, kappa_eff
the sizes realise, within the project's stated finite-size allowance
(:func:`iclsym.onelayer.finite_size.allowance`, docs/onelayer/finite-size.md).  Measured (runs = 4,
seed 7) d * (mean - theory) over the points below: at d = 64 between -0.8 and 2.0 (largest: e_ICL
at tau = 2, kappa = 0.5), at d = 100 between -0.4 and 1.0; at d = 24..32 up to 2.2.
"""

import numpy as np
import pytest

from iclsym.onelayer import finite_size as fs
from iclsym.onelayer.simulation import simulate
from iclsym.onelayer.theory import errors

#: (alpha, tau, kappa, rho, lam): kappa < 1 and > 1 (and inf), tau < 1 and > 1, lam in {0.1, 1}
POINTS = [
    (2.0, 0.5, 0.5, 0.1, 0.1),
    (2.0, 2.0, 0.5, 0.1, 0.1),
    (2.0, 0.5, 2.0, 0.1, 1.0),
    (2.0, 2.0, 2.0, 0.1, 1.0),
    (1.0, 1.5, 0.3, 0.5, 1.0),
    (4.0, 0.7, 1.5, 0.1, 0.1),
    (3.0, 1.3, np.inf, 0.2, 0.1),
]


def deviations(point, d, runs, seed):
    """``name -> (mean - theory, SE, theory, theory at n/p)`` for e_icl and e_idg at this d's effective ratios."""
    s = simulate(*point, d, runs=runs, seed=seed, progress=False)
    r0 = s["runs"][0]
    th = errors(r0["alpha_eff"], r0["tau_eff"], r0["kappa_eff"], point[3], point[4])
    th_p = errors(r0["alpha_eff"], fs.tau_per_parameter(r0["tau_eff"], d), r0["kappa_eff"], point[3], point[4])
    return {
        name: (s[f"{name}_mean"] - float(th[j]), s[f"{name}_se"], float(th[j]), float(th_p[j]))
        for j, name in enumerate(("e_icl", "e_idg"))
    }


def assert_within(point, d, dev):
    for name, (delta, se, theory, theory_p) in dev.items():
        print(f"{point} d={d} {name}: mean - theory = {delta:+.4f}, SE {se:.4f}, d*dev {d * delta:+.2f}")
        # the stated allowance: 4 SE, the parameter-count shift and C |e|/d
        assert abs(delta) <= fs.allowance(theory, theory_p, se, d), (point, d, name, delta, se)


@pytest.mark.mc
@pytest.mark.ci
@pytest.mark.parametrize("point", [POINTS[0], POINTS[3]], ids=["tau<1,kappa<1", "tau>1,kappa>1"])
def test_theory_matches_simulation_small_d(point):
    d = 40
    assert_within(point, d, deviations(point, d, runs=3, seed=11))


@pytest.mark.slow
@pytest.mark.mc
@pytest.mark.parametrize("point", POINTS)
def test_theory_matches_simulation_d100(point):
    d = 100
    assert_within(point, d, deviations(point, d, runs=4, seed=12))


@pytest.mark.slow
@pytest.mark.mc
def test_finite_size_gap_shrinks():
    """The finite-size gap |mean - theory| shrinks from d = 64 to d = 128.

    Two points with a clear O(1/d) excess (tau > 1, kappa = 0.5 and kappa = inf), 8 runs each.
    Measured (10 runs): e_ICL - theory = 0.019 +- 0.008 (d = 64) -> 0.0088 +- 0.0014 (d = 128) at
    kappa = inf, 0.031 +- 0.008 -> 0.010 +- 0.002 at kappa = 0.5, so the summed gap is expected to
    drop by ~0.03 against a sampling noise of ~0.012 (a ~2.5 sigma margin)."""
    gaps, noise = {}, {}
    for d in (64, 128):
        devs = [deviations(p, d, runs=8, seed=13) for p in (POINTS[1], POINTS[6])]
        gaps[d] = sum(abs(v[0]) for dev in devs for v in dev.values())
        noise[d] = np.sqrt(sum(v[1] ** 2 for dev in devs for v in dev.values()))
    print("summed |mean - theory|:", gaps, "noise (quadrature sum of SE):", noise)
    assert gaps[128] < gaps[64], (gaps, noise)

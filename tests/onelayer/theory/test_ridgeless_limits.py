"""lam -> 0+ of the ridge theory: docs/onelayer/asymptotic-theory.md's ridgeless formulas, continuity in lam,
and kappa = inf (e_ICL = e_IDG)."""

import mpmath
import numpy as np
import pytest

from iclsym.onelayer._generated import asymptotic_mpmath as design
from iclsym.onelayer.theory import e_icl, e_idg, errors, g_task
from iclsym.onelayer.theory import precise as tmp


def test_lam0_equals_design_ridgeless_formulas():
    """The lam -> 0+ limit (closed-form root + r -> max(tau - 1, 0)) reproduces the paper's
    ridgeless e_ICL / e_IDG on both sides of tau = 1, at 50 digits and in NumPy."""
    rng = np.random.default_rng(31)
    worst_mp = mpmath.mpf(0)
    for i in range(120):
        alpha, kappa, rho = 10 ** rng.uniform(-1, 3), 10 ** rng.uniform(-1.3, 3), rng.uniform(0, 2)
        tau = rng.uniform(0.05, 0.98) if i % 2 else rng.uniform(1.02, 50)
        got = tmp.errors(alpha, tau, kappa, rho, 0.0, dps=50)
        with mpmath.workdps(65):
            a, t, k, r = (mpmath.mpf(v) for v in (alpha, tau, kappa, rho))
            if tau < 1:
                ref = (design.ridgeless_e_icl_below(a, t, k, r), design.ridgeless_e_idg_below(a, t, k, r))
            else:
                ref = (design.ridgeless_e_icl_above(a, t, k, r), design.ridgeless_e_idg_above(a, t, k, r))
            for g_, r_ in zip(got, ref):
                worst_mp = max(worst_mp, abs(g_ - r_) / r_)
        e1, e2 = float(e_icl(alpha, tau, kappa, rho)), float(e_idg(alpha, tau, kappa, rho))
        assert e1 == pytest.approx(float(ref[0]), rel=1e-12)
        assert e2 == pytest.approx(float(ref[1]), rel=1e-12)
    assert worst_mp < mpmath.mpf(10) ** -45


def test_ridgeless_root_equals_design_eps0():
    for alpha, tau, kappa, rho in [(1, 0.2, 0.5, 0.01), (30, 0.7, 2.0, 1.0), (0.5, 0.05, 0.07, 0.0)]:
        with mpmath.workdps(50):
            ref = design.ridgeless_eps0(*(mpmath.mpf(v) for v in (alpha, tau, kappa, rho)))
            assert abs(tmp.solve_eps(alpha, tau, kappa, rho, dps=50) - ref) < mpmath.mpf(10) ** -45 * ref


@pytest.mark.parametrize("tau", [0.4, 0.95, 1.05, 3.0])
@pytest.mark.parametrize("kappa", [0.3, 2.0])
def test_lam_to_zero_is_linear(tau, kappa):
    """(e(lam) - e(0))/lam converges as lam -> 0+ (gap proportional to lam), at 80 digits."""
    alpha, rho = 4.0, 0.1
    with mpmath.workdps(80):
        e0 = tmp.errors(alpha, tau, kappa, rho, 0, dps=80)
        lams = [mpmath.mpf(10) ** -p for p in (20, 25, 30)]
        slopes = [[(e - z) / lam for e, z in zip(tmp.errors(alpha, tau, kappa, rho, lam, dps=80), e0)] for lam in lams]
        for j in range(2):  # e_icl, e_idg
            s1, s2, s3 = (s[j] for s in slopes)
            assert abs(s3 - s2) < abs(s2 - s1)  # Cauchy: the ratio converges
            assert abs(s3 - s2) <= mpmath.mpf(10) ** -20 * (1 + abs(s3))  # change ~ lam


@pytest.mark.parametrize("tau", [0.5, 2.0])
def test_numpy_continuity_in_lam(tau):
    """NumPy at lam = 1e-12, 1e-10 = its lam = 0 value + (50-digit slope) lam, to rounding."""
    e_at_0 = np.array(errors(2.0, tau, 0.6, 0.05, 0.0)[:2])
    with mpmath.workdps(50):
        m0 = tmp.errors(2.0, tau, 0.6, 0.05, 0, dps=50)[:2]
        m1 = tmp.errors(2.0, tau, 0.6, 0.05, mpmath.mpf("1e-30"), dps=50)[:2]
        slope = np.array([float((a - b) / mpmath.mpf("1e-30")) for a, b in zip(m1, m0)])
    for lam in (1e-12, 1e-10):
        e_lam = np.array(errors(2.0, tau, 0.6, 0.05, lam)[:2])
        assert np.allclose(e_lam, e_at_0 + slope * lam, rtol=1e-14, atol=0)
        assert np.all(np.abs(e_lam - e_at_0) > 0.1 * np.abs(slope) * lam)  # a real change, resolved


def test_kappa_inf_icl_equals_idg():
    for tau in (0.3, 1.0, 1.7):
        for lam in (0.0, 1e-7, 0.5):
            if tau == 1.0 and lam == 0.0:
                continue
            e1, e2, g = tmp.errors(10, tau, float("inf"), 0.2, lam, dps=50)
            assert abs(e1 - e2) < mpmath.mpf(10) ** -45 * e1
            assert g == 0
            assert float(g_task(10, tau, np.inf, 0.2, lam)) == 0.0


def test_pole_is_inf_not_nan():
    e1, e2, g = errors(3.0, 1.0, [0.5, 2.0, np.inf], 0.1)
    assert np.all(e1 == np.inf) and np.all(e2 == np.inf)
    assert np.array_equal(g, [np.inf, np.inf, 0.0])
    assert tmp.e_icl(3.0, 1.0, 0.5, 0.1) == mpmath.inf
    # lam > 0: finite through tau = 1
    assert np.all(np.isfinite(errors(3.0, 1.0, [0.5, np.inf], 0.1, 1e-9)[0]))

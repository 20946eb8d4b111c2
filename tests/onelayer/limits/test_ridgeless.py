"""lam -> 0+ of the ridge theory: derived closed forms vs the full 50-digit theory (docs/onelayer/asymptotic-theory.md)."""

import mpmath
import numpy as np
import pytest

from iclsym.onelayer.symbolic import limits as L
from iclsym.onelayer.theory import limits as TL
from iclsym.onelayer import theory

# (alpha, tau, kappa, rho): both sides of tau = 1, kappa below/above 1 and inf
POINTS_ABOVE = [(1, 1.5, 0.5, 0.01), (3, 2.0, 0.7, 0.3), (0.5, 4.0, 3.0, 1.0), (10, 1.2, float("inf"), 0.1), (7, 20, 1.0, 0.5)]
POINTS_BELOW = [(1, 0.2, 0.5, 0.01), (3, 0.6, 0.7, 0.3), (0.5, 0.9, 3.0, 1.0), (10, 0.5, float("inf"), 0.1), (7, 0.5, 0.5, 0.5)]


def test_symbolic_checks_vanish():
    """eps0 identity and closed forms = the paper's formulas (targets), proved modulo the MP quadratic."""
    r = L.derive_ridgeless()
    assert r.checks and all(v == 0 for v in r.checks.values()), r.checks
    assert r.eps_over_lam_above == L.limit_symbols().tau / (L.limit_symbols().tau - 1)


def _closed(mp50, a, t, k, r):
    if t > 1:
        return mp50.gen.ridgeless_above(mp50.mpf(a), mp50.mpf(t), mp50.ik(k), mp50.mpf(r), mp50.m_star(a, k, r))
    return mp50.gen.ridgeless_below(mp50.mpf(a), mp50.mpf(t), mp50.ik(k), mp50.mpf(r), mp50.mt_star(a, t, k, r))


@pytest.mark.parametrize("point", POINTS_ABOVE + POINTS_BELOW)
def test_closed_form_equals_full_theory_at_lam_zero(mp50, point):
    a, t, k, r = point
    e_icl, e_idg = _closed(mp50, *point)
    ref_icl = mp50.full.e_icl(a, t, k, r, 0, dps=50)
    ref_idg = mp50.full.e_idg(a, t, k, r, 0, dps=50)
    assert abs(e_icl / ref_icl - 1) < mpmath.mpf("1e-40")
    assert abs(e_idg / ref_idg - 1) < mpmath.mpf("1e-40")


@pytest.mark.parametrize("point", POINTS_ABOVE + POINTS_BELOW)
def test_lam_to_zero_limit_and_slope(mp50, point):
    """e(lam) -> e(0) with e(lam) - e(0) = B lam + O(lam^2): slope 1 and coefficient B."""
    a, t, k, r = point
    e0 = _closed(mp50, *point)
    if t > 1:
        B = mp50.gen.lam_slope_above(mp50.mpf(a), mp50.mpf(t), mp50.ik(k), mp50.mpf(r), mp50.m_star(a, k, r))
    else:
        B = mp50.gen.lam_slope_below(mp50.mpf(a), mp50.mpf(t), mp50.ik(k), mp50.mpf(r), mp50.mt_star(a, t, k, r))
    l1, l2 = mpmath.mpf("1e-14"), mpmath.mpf("1e-16")
    for i, fn in enumerate((mp50.full.e_icl, mp50.full.e_idg)):
        d1 = fn(a, t, k, r, l1, dps=50) - e0[i]
        d2 = fn(a, t, k, r, l2, dps=50) - e0[i]
        assert abs(mp50.slope(l1, d1, l2, d2) - 1) < 1e-4
        # B lam + O(lam^2): relative error of the ratio is O(lam) = 1e-16 (times an O(1..100) constant)
        assert abs(d2 / l2 / B[i] - 1) < 1e-10


@pytest.mark.parametrize("point", POINTS_ABOVE)
def test_eps_over_lam_above(mp50, point):
    a, t, k, r = point
    lam = mpmath.mpf("1e-30")
    eps = mp50.full.solve_eps(a, t, k, r, lam, dps=50)
    assert abs(eps / lam / (mp50.mpf(t) / (mp50.mpf(t) - 1)) - 1) < 1e-25


@pytest.mark.parametrize("point", POINTS_BELOW)
def test_eps0_below(mp50, point):
    """eps0 = (1 - tau)/(tau M_{kappa/tau}(x*)) = (1 - tau) x*/(tau mu*)."""
    a, t, k, r = point
    eps0 = (1 - mp50.mpf(t)) / (mp50.mpf(t) * mp50.mt_star(a, t, k, r))
    ref = mp50.full.solve_eps(a, t, k, r, 0, dps=50)
    assert abs(eps0 / ref - 1) < mpmath.mpf("1e-40")


def test_numpy_wrapper_matches_numpy_theory():
    rng = np.random.default_rng(5)
    alpha = 10 ** rng.uniform(-1, 2, 400)
    tau = 10 ** rng.uniform(-1.5, 1.5, 400)
    kappa = np.where(rng.random(400) < 0.1, np.inf, 10 ** rng.uniform(-1, 1, 400))
    rho = rng.uniform(0, 1, 400)
    e_icl, e_idg = TL.ridgeless(alpha, tau, kappa, rho)
    away = np.abs(tau - 1) > 0.05
    np.testing.assert_allclose(e_icl[away], theory.e_icl(alpha, tau, kappa, rho)[away], rtol=1e-9)
    np.testing.assert_allclose(e_idg[away], theory.e_idg(alpha, tau, kappa, rho)[away], rtol=1e-9)
    assert np.all(np.isinf(TL.ridgeless(1.0, [1.0], 0.5, 0.1)[0]))


def test_wrapper_validates():
    with pytest.raises(ValueError, match="tau"):
        TL.ridgeless(1.0, -1.0, 0.5, 0.1)
    with pytest.raises(ValueError, match="kappa"):
        TL.lam_slope(1.0, 2.0, 0.0, 0.1)

"""The ridge fixed point F(eps) = 0: branch rule, bracket, asymptotics, vectorization."""

import mpmath
import numpy as np
import pytest

from iclsym.onelayer.theory import precise as tmp
from iclsym.onelayer.theory import solve_eps, stieltjes_mp
from iclsym.core.spectra import MarchenkoPastur
from iclsym.onelayer.theory.fixed_point import eps_bracket


def h_numpy(eps, alpha, tau, kappa, rho, lam):
    """-F(eps), from the public Stieltjes transform (not the solver's internals)."""
    xs = (1 + rho) / alpha
    return eps * stieltjes_mp(xs + eps, kappa) - (1 - tau) - tau * lam / eps


@pytest.mark.parametrize(
    "alpha, tau, kappa, rho, lam",
    [(1, 0.2, 0.5, 0.01, 1e-5), (10, 2.0, 0.5, 0.01, 1e-6), (100, 0.9, 3.0, 0.5, 1e-3),
     (0.3, 20.0, 0.1, 1.0, 1e-9), (10, 1.0, np.inf, 0.01, 0.1), (1e3, 0.05, 0.05, 0.0, 10.0)],
)
def test_unique_sign_change_at_the_root(alpha, tau, kappa, rho, lam):
    """Branch rule: h = -F changes sign exactly once on a wide log grid, at solve_eps."""
    root = float(solve_eps(alpha, tau, kappa, rho, lam))
    grid = np.logspace(-14, 8, 4001)
    sign = np.sign(h_numpy(grid, alpha, tau, kappa, rho, lam))
    changes = np.flatnonzero(np.diff(sign) != 0)
    assert changes.size == 1
    assert grid[changes[0]] <= root <= grid[changes[0] + 1]
    # and mpmath's independent root (anderson on its own bracket) agrees
    ref = tmp.solve_eps(alpha, tau, kappa, rho, lam, dps=40)
    assert root == pytest.approx(float(ref), rel=1e-13)
    with mpmath.workdps(40):
        xs = (1 + mpmath.mpf(rho)) / alpha
        kap = mpmath.inf if np.isinf(kappa) else mpmath.mpf(kappa)
        t = mpmath.mpf(tau)
        F = 1 - t + t * mpmath.mpf(lam) / ref - ref * tmp.stieltjes_mp(xs + ref, kap, dps=40)
        assert abs(F) < mpmath.mpf(10) ** -30


def test_bracket_contains_the_root(points):
    alpha, tau, kappa, rho, lam = points(300, seed=21)
    lam = np.where(lam == 0, 1e-7, lam)
    xs = (1 + rho) / alpha
    L, H = eps_bracket(xs, tau, MarchenkoPastur(kappa), lam)
    for i in range(0, 300, 3):
        r = tmp.solve_eps(alpha[i], tau[i], kappa[i], rho[i], lam[i], dps=30)
        assert L[i] * (1 - 1e-14) <= float(r) <= H[i] * (1 + 1e-14)


def test_ridgeless_root_closed_form_and_threshold():
    """lam = 0: eps0 = (1 - tau)/(tau M_{kappa/tau}(x*)) for tau < 1 (vs a numerical root of
    eps M(x* + eps) = 1 - tau at 40 digits), eps = 0 for tau >= 1."""
    rng = np.random.default_rng(3)
    for _ in range(30):
        alpha, tau, kappa, rho = 10 ** rng.uniform(-1, 3), rng.uniform(0.05, 0.999), 10 ** rng.uniform(-1.3, 3), rng.uniform(0, 2)
        got = float(solve_eps(alpha, tau, kappa, rho))
        ref = tmp.solve_eps(alpha, tau, kappa, rho, 0.0, dps=40)
        assert got == pytest.approx(float(ref), rel=1e-13)
    assert np.all(solve_eps(2.0, [1.0, 1.5, 30.0], 0.5, 0.1) == 0)


@pytest.mark.parametrize("tau", [1.5, 4.0])
def test_small_lam_above_threshold(tau):
    """tau > 1: eps ~ tau lam/(tau - 1) as lam -> 0+ (at 50 digits, lam down to 1e-40)."""
    with mpmath.workdps(50):
        ratios = [tmp.solve_eps(3.0, tau, 0.7, 0.2, lam, dps=50) / (tau * mpmath.mpf(lam) / (tau - 1)) for lam in (1e-20, 1e-30, 1e-40)]
        assert abs(ratios[-1] - 1) < mpmath.mpf(10) ** -15
        assert abs(ratios[-1] - 1) < abs(ratios[0] - 1)
    got = float(solve_eps(3.0, tau, 0.7, 0.2, 1e-12))
    assert got == pytest.approx(tau * 1e-12 / (tau - 1), rel=1e-9)


def test_large_lam():
    """lam -> inf: eps M(x* + eps) -> 1 forces tau lam/eps -> tau, so eps ~ lam.
    (docs/onelayer/asymptotic-theory.md writes eps ~ tau lam; the equation F = 0 gives eps ~ lam.)"""
    for tau in (0.3, 1.0, 7.0):
        eps = solve_eps(2.0, tau, 0.5, 0.1, [1e4, 1e8])
        assert np.allclose(eps / np.array([1e4, 1e8]), 1.0, rtol=1e-3)


def test_vectorized_shapes_and_validation():
    eps = solve_eps(np.ones((4, 1)), np.array([0.5, 2.0, 1.0]), 0.7, 0.1, 1e-3)
    assert eps.shape == (4, 3)
    assert isinstance(solve_eps(1.0, 0.5, 1.0, 0.1), float)
    with pytest.raises(ValueError, match="lam"):
        solve_eps(1.0, 0.5, 1.0, 0.1, -1.0)
    with pytest.raises(ValueError, match="tau"):
        solve_eps(1.0, np.nan, 1.0, 0.1)
    with pytest.raises(ValueError, match="kappa"):
        tmp.solve_eps(1.0, 0.5, -1.0, 0.1)

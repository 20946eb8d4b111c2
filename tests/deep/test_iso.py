"""ISO theory: exact quadrature vs the Narayana polynomial (exact rationals), the Catalan closed
form vs the numerical optimum, the symbolic stationarity of gamma*, limits and asymptotics."""

import math
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from scipy import optimize

from iclsym.deep import iso
from iclsym.deep.symbolic import iso as S


def _poly_exact(gamma: Fraction, alpha: Fraction, L: int, sigma2: Fraction = Fraction(0)) -> Fraction:
    """The Narayana polynomial in exact rational arithmetic (independent of the quadrature)."""
    c = 1 / alpha
    m = [Fraction(1)] + [sum(Fraction(math.comb(j, k) * math.comb(j, k - 1), j) * c ** (k - 1)
                             for k in range(1, j + 1)) for j in range(1, 2 * L + 1)]
    s = gamma / L
    bias = sum(math.comb(2 * L, j) * (-s) ** j * m[j] for j in range(2 * L + 1))
    a = [0] + [(-1) ** (i + 1) * math.comb(L, i) for i in range(1, L + 1)]
    noise = sum(a[i] * a[k] * s ** (i + k) * m[i + k - 1] for i in range(1, L + 1) for k in range(1, L + 1))
    return bias + sigma2 / alpha * noise


@pytest.mark.parametrize("L", [1, 2, 3, 7, 16, 40])
@pytest.mark.parametrize("alpha", [Fraction(1, 4), Fraction(1), Fraction(3, 1)])
def test_quadrature_equals_exact_narayana_polynomial(L, alpha):
    for g_over_L in (Fraction(1, 5), Fraction(1, 2)):
        for s2 in (Fraction(0), Fraction(1, 2)):
            gamma = g_over_L * L
            exact = float(_poly_exact(gamma, alpha, L, s2))
            num = float(iso.iso_risk(float(gamma), float(alpha), L, float(s2)))
            # exact quadrature: only rounding of O(L) operations (1e-12 relative)
            assert num == pytest.approx(exact, rel=1e-12, abs=1e-13)


def test_expanded_polynomial_cancels_but_quadrature_does_not():
    """The float64 Narayana polynomial loses its digits near L = 40; the quadrature keeps them."""
    L, alpha, gamma = 40, Fraction(1), Fraction(20)
    exact = float(_poly_exact(gamma, alpha, L))
    assert abs(iso.iso_risk(20.0, 1.0, L) - exact) < 1e-13
    assert abs(iso.iso_risk_polynomial(20.0, 1.0, L) - exact) > 1e-6


@pytest.mark.parametrize("L", [1, 2, 3, 5, 8, 13, 32, 64])
def test_catalan_closed_form_equals_quadrature_optimum(L):
    """Catalan R*_L = min_gamma of the quadrature risk (Brent, not the closed-form gamma*), 1e-10."""
    for alpha in np.geomspace(0.05, 20.0, 9):
        res = optimize.minimize_scalar(lambda g: float(iso.iso_risk(g, alpha, L)),
                                       bounds=(0.0, float(iso.gamma_stability_edge(alpha, L))),
                                       method="bounded", options={"xatol": 1e-10})
        assert float(iso.iso_risk_star(alpha, L)) == pytest.approx(res.fun, abs=1e-10)
        # no step beats gamma* = L alpha/(1 + alpha) (the minimum is flat in gamma at large L, so
        # compare values, not Brent's argmin); rounding of the quadrature is ~1e-15
        assert float(iso.iso_risk(L * alpha / (1 + alpha), alpha, L)) <= res.fun + 1e-14


@pytest.mark.parametrize("L", [1, 2, 3, 4, 5, 6])
def test_gamma_star_is_stationary_symbolically(L):
    checks = S.check_gamma_star(L)
    assert checks["stationary"] == 0
    assert checks["catalan"] == 0


def test_r_star_l1_symbolic_and_numeric():
    s = S.symbols()
    assert sp.simplify(S.catalan_closed_form(1, s.alpha) - 1 / (1 + s.alpha)) == 0
    a = np.geomspace(0.05, 20, 7)
    assert np.allclose(iso.iso_risk_star(a, 1), 1 / (1 + a), rtol=1e-14)
    assert np.allclose(iso.iso_risk(a / (1 + a), a, 1), 1 / (1 + a), rtol=1e-13)


def test_paper_after_result_1_value_is_not_the_risk():
    """The paper's (1 + alpha)^-2 for the L = 1 optimum is not the risk 1/(1 + alpha)."""
    a = 2.0
    assert iso.iso_risk_star(a, 1) == pytest.approx(1 / 3, rel=1e-14)
    assert abs(iso.iso_risk_star(a, 1) - (1 + a) ** -2) > 0.2


def test_table_of_optimal_risks():
    table = {0.5: [0.667, 0.593, 0.541, 0.513, 0.502], 1.0: [0.500, 0.375, 0.273, 0.196, 0.140],
             2.0: [0.333, 0.185, 0.083, 0.027, 0.005]}
    for a, vals in table.items():
        got = [round(float(iso.iso_risk_star(a, L)), 3) for L in (1, 2, 4, 8, 16)]
        assert got == vals


def test_limits_and_asymptotics():
    for a in (0.3, 0.7, 1.5, 3.0):
        assert iso.iso_risk_star(a, 4000) == pytest.approx(max(1 - a, 0.0), abs=1e-12)
    for L in (64, 1024, 4096):
        exact = math.exp(math.lgamma(2 * L + 1) - 2 * math.lgamma(L + 1) - L * math.log(4))
        assert iso.iso_risk_star(1.0, L) == pytest.approx(exact, rel=1e-12)
        # C(2L, L)/4^L = (1 - 1/(8L) + ...)/sqrt(pi L)
        assert iso.iso_risk_star(1.0, L) * math.sqrt(math.pi * L) == pytest.approx(1 - 1 / (8 * L), abs=1 / L ** 2)
    # gap ~ r^(2L) L^(-3/2): the ratio of successive gaps tends to r^2
    a = 2.0
    r2 = (2 * math.sqrt(a) / (1 + a)) ** 2
    g = [iso.iso_risk_star(a, L) for L in (200, 201)]
    assert g[1] / g[0] == pytest.approx(r2 * (200 / 201) ** 1.5, rel=1e-3)


def test_stable_for_hundreds_of_layers():
    for L in (100, 300, 800):
        g = iso.iso_gamma_star(0.8, L)
        assert iso.iso_risk(g, 0.8, L) == pytest.approx(iso.iso_risk_star(0.8, L), abs=1e-12)
        assert abs(iso.iso_risk_grad(g, 0.8, L)) < 1e-12 * L


def test_noisy_optimum():
    g, r = iso.iso_optimal(2.0, 1, sigma2=0.5)
    assert g == pytest.approx(1 / (1 + 1.5 / 2.0), rel=1e-14)
    assert r == pytest.approx(1.5 / 3.5, rel=1e-14)
    # L > 1: grid + Brent vs a fine brute-force grid
    for L in (2, 16):
        g, r = iso.iso_optimal(1.0, L, sigma2=0.25)
        gs = np.linspace(0, float(iso.gamma_stability_edge(1.0, L)), 20001)
        rs = iso.iso_risk(gs, 1.0, L, 0.25)
        assert r <= rs.min() + 1e-12
        assert r == pytest.approx(rs.min(), abs=1e-8)   # grid spacing ~5e-5: grid error << 1e-8
        assert abs(iso.iso_risk_grad(g, 1.0, L, 0.25)) < 1e-6


def test_vectorised_and_population():
    a = np.array([0.5, 1.0, np.inf])
    r = iso.iso_risk(np.array([0.3, 0.5, 0.7]), a, 2)
    assert r.shape == (3,)
    assert r[2] == pytest.approx((1 - 0.35) ** 4)
    assert iso.iso_risk_star(np.inf, 5) == 0.0


@pytest.mark.parametrize("bad", [dict(alpha=0.0), dict(alpha=-1.0), dict(sigma2=-0.1)])
def test_bad_input(bad):
    kw = dict(gamma=0.5, alpha=1.0, L=2, sigma2=0.0)
    kw.update(bad)
    with pytest.raises(ValueError, match=list(bad)[0]):
        iso.iso_risk(**kw)
    with pytest.raises(ValueError, match="L"):
        iso.iso_risk(0.5, 1.0, 0)

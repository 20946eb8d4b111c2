"""Monte Carlo checks: ISO risk of gamma I at D = 200 and the finite-alpha RRS contour risk at D = 150.

Tolerance: |MC - theory| <= 3 SE + 2 % of theory.  3 SE bounds the sampling error (two-sided
p ~ 0.003 per point); 2 % bounds the finite-D bias of the proportional-limit theory (O(1/D)).
"""

import numpy as np
import pytest

from iclsym.deep import iso, structured
from iclsym.deep.data import power_law_spectrum
from iclsym.deep.montecarlo import mc_risk

ISO_CASES = [
    (0.5, 1, None, 0.0), (1.0, 2, None, 0.0), (2.0, 4, None, 0.0), (1.0, 8, 0.5, 0.0), (1.5, 2, None, 0.5),
]
RRS_CASES = [  # (P, L, gamma) at D = 150
    (75, 1, 0.5), (150, 2, 1.0), (300, 4, 2.5), (75, 8, 3.0), (600, 2, 1.5), (150, 1, 0.6),
]


def _iso(alpha, L, frac, s2, n, seed):
    g = float(iso.iso_gamma_star(alpha, L)) * (1.0 if frac is None else frac)
    theory = float(iso.iso_risk(g, alpha, L, s2))
    m, se = mc_risk("iso", g, alpha, L, 200, n, seed=seed, sigma2=s2)
    return m, se, theory


@pytest.mark.mc
@pytest.mark.slow
@pytest.mark.parametrize("case", ISO_CASES)
def test_iso_mc_d200(case):
    m, se, th = _iso(*case, n=300, seed=11)
    assert abs(m - th) <= 3 * se + 0.02 * th, (m, se, th, (m - th) / se)


@pytest.mark.mc
@pytest.mark.slow
@pytest.mark.ci
def test_iso_mc_d200_ci():
    m, se, th = _iso(1.0, 2, None, 0.0, n=120, seed=5)
    assert abs(m - th) <= 3 * se + 0.02 * th, (m, se, th)


def _rrs(P, L, g, n, seed):
    D = 150
    lam, om = power_law_spectrum(D, 1.5, 1.0)
    th = structured.rrs_risk(g, P / D, lam, om, L)
    m, se = mc_risk("rrs", g, P / D, L, D, n, seed=seed, nu=1.5, beta=1.0)
    return m, se, th


@pytest.mark.mc
@pytest.mark.slow
@pytest.mark.parametrize("case", RRS_CASES)
def test_rrs_contour_vs_mc_d150(case):
    m, se, th = _rrs(*case, n=600, seed=3)
    assert abs(m - th) <= 3 * se + 0.02 * th, (m, se, th, (m - th) / se)


@pytest.mark.mc
@pytest.mark.slow
@pytest.mark.ci
def test_rrs_contour_vs_mc_d150_ci():
    m, se, th = _rrs(150, 2, 1.0, n=150, seed=4)
    assert abs(m - th) <= 3 * se + 0.02 * th, (m, se, th)

"""Property-based tests over the whole parameter domain (docs/architecture.md)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from iclsym.onelayer.theory import errors, solve_eps


def log_uniform(lo, hi):
    return st.floats(np.log10(lo), np.log10(hi)).map(lambda p: float(10.0**p))


alphas = log_uniform(1e-4, 1e6)
taus = st.one_of(log_uniform(1e-4, 1e4), st.just(1.0), st.floats(0.999, 1.001))
kappas = st.one_of(log_uniform(1e-4, 1e8), st.just(float("inf")))
rhos = st.one_of(st.just(0.0), st.floats(0.0, 100.0))
lams = st.one_of(st.just(0.0), log_uniform(1e-15, 1e4))


@settings(max_examples=300)
@given(alphas, taus, kappas, rhos, lams)
def test_finite_no_nan_and_above_noise_floor(alpha, tau, kappa, rho, lam):
    e1, e2, g = errors(alpha, tau, kappa, rho, lam)
    eps = solve_eps(alpha, tau, kappa, rho, lam)
    assert not any(np.isnan(v) for v in (e1, e2, g, eps))
    assert eps >= 0 and np.isfinite(eps)
    if lam == 0 and tau == 1:  # the interpolation pole
        assert e1 == np.inf and e2 == np.inf
        return
    assert np.isfinite(e1) and np.isfinite(e2) and np.isfinite(g)
    # Both errors are rho plus sums of non-negative traces (see iclsym.onelayer.symbolic.asymptotic):
    assert e1 >= rho * (1 - 1e-12)
    assert e2 >= rho * (1 - 1e-12)
    assert g == 0 or not np.isinf(kappa)


@settings(max_examples=200)
@given(alphas, taus.filter(lambda t: abs(t - 1) > 0.05), kappas, rhos)
def test_continuity_in_lam_at_zero(alpha, tau, kappa, rho):
    e0 = np.array(errors(alpha, tau, kappa, rho, 0.0)[:2])
    e_small = np.array(errors(alpha, tau, kappa, rho, 1e-13)[:2])
    assert np.allclose(e_small, e0, rtol=1e-6, atol=0)


@settings(max_examples=200)
@given(alphas, taus, rhos, lams)
def test_large_kappa_approaches_kappa_inf(alpha, tau, rho, lam):
    if lam == 0 and tau == 1:
        return
    e_inf = np.array(errors(alpha, tau, np.inf, rho, lam)[:2])
    e_big = np.array(errors(alpha, tau, 1e12, rho, lam)[:2])
    assert np.allclose(e_big, e_inf, rtol=1e-6, atol=0)
    assert abs(errors(alpha, tau, 1e12, rho, lam)[2]) <= 1e-6 * e_inf[0]

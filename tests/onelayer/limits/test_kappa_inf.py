"""kappa -> inf (unstructured tasks): closed forms, e_ICL = e_IDG, ridge fixed point in closed form."""

import mpmath
import numpy as np
import pytest

from iclsym.onelayer.symbolic import limits as L
from iclsym.onelayer.theory import limits as TL

INF = float("inf")


def test_symbolic_checks():
    k = L.derive_kappa_inf()
    assert all(v == 0 for v in k.checks.values()), k.checks


@pytest.mark.parametrize("alpha,tau,rho", [(1, 0.2, 0.01), (10, 0.9, 0.5), (0.3, 1.1, 1.0), (5, 30, 0.0)])
def test_kappa_inf_closed_form_vs_full_theory(mp50, alpha, tau, rho):
    above, below = mp50.gen.kappa_inf_ridgeless(mp50.mpf(alpha), mp50.mpf(tau), mp50.mpf(rho))
    e = above if tau > 1 else below
    for fn in (mp50.full.e_icl, mp50.full.e_idg):
        assert abs(e / fn(alpha, tau, INF, rho, 0, dps=50) - 1) < mpmath.mpf("1e-40")


@pytest.mark.parametrize("kappa", [1e6, 1e8])
def test_large_kappa_approaches_kappa_inf(kappa):
    """Finite kappa -> inf converges to the kappa = inf closed form, at rate O(1/kappa)."""
    alpha, tau, rho = 3.0, np.array([0.4, 2.5]), 0.2
    e_inf = TL.kappa_inf_ridgeless(alpha, tau, rho)
    e_icl, e_idg = TL.ridgeless(alpha, tau, kappa, rho)
    assert np.all(np.abs(e_icl / e_inf - 1) < 100 / kappa)
    assert np.all(np.abs(e_idg / e_inf - 1) < 100 / kappa)


@pytest.mark.parametrize("alpha,tau,rho,lam", [(1, 0.2, 0.01, 1e-3), (10, 1.0, 0.5, 1e-6), (0.3, 3.0, 1.0, 2.0)])
def test_ridge_eps_closed_form(mp50, alpha, tau, rho, lam):
    eps = mp50.gen.kappa_inf_eps(mp50.mpf(alpha), mp50.mpf(tau), mp50.mpf(rho), mp50.mpf(lam))
    assert abs(eps / mp50.full.solve_eps(alpha, tau, INF, rho, lam, dps=50) - 1) < mpmath.mpf("1e-40")

"""Optimal context length alpha* (docs/onelayer/limits.md, Fig. 3) vs independent brute force."""

import mpmath
import numpy as np
import pytest

from iclsym.onelayer import theory
from iclsym.onelayer.theory import limits as TL
from iclsym.onelayer.theory.optimal import DECREASING, INCREASING, INTERIOR, alpha_star, phase_diagram


def _brute(tau, kappa, rho, which, n=20001):
    """argmin of the NumPy theory (fixed point + ridge errors; not the closed forms) on a dense grid."""
    alpha = np.geomspace(1e-2, 1e3, n)
    e = (theory.e_icl if which == "icl" else theory.e_idg)(alpha, tau, kappa, rho)
    return alpha[np.argmin(e)], e


@pytest.mark.parametrize(
    "tau,kappa,rho,which",
    [(0.5, 0.3, 0.5, "icl"), (0.5, 0.3, 0.5, "idg"), (20, 0.25, 0.5, "icl"), (0.5, 0.1, 0.01, "idg"),
     (20, 0.75, 0.05, "icl"), (0.5, 1.5, 0.1, "icl"), (20, 2.0, 0.5, "icl")],
)
def test_alpha_star_matches_dense_brute_force(tau, kappa, rho, which):
    a, kind = alpha_star(tau, kappa, rho, which, return_kind=True)
    ref, e = _brute(tau, kappa, rho, which)
    step = np.log(1e5) / 20000
    if kind == INTERIOR:
        assert abs(np.log(a / ref)) <= step  # within one step of the dense grid
    else:
        assert kind == DECREASING and np.isinf(a) and ref == 1e3 and np.all(np.diff(e) <= 0)


def test_derivative_matches_full_theory_finite_difference(mp50):
    """de/dalpha (generated) vs a central difference of the 50-digit full theory."""
    for tau, kappa, rho in [(0.5, 0.3, 0.5), (20, 0.75, 0.05), (3, float("inf"), 0.1)]:
        alpha = 2.0
        e_icl, de_icl, e_idg, de_idg = TL.ridgeless_with_derivative(alpha, tau, kappa, rho)
        h = mpmath.mpf("1e-15")
        for de, fn in ((de_icl, mp50.full.e_icl), (de_idg, mp50.full.e_idg)):
            fd = (fn(alpha + h, tau, kappa, rho, 0, dps=50) - fn(alpha - h, tau, kappa, rho, 0, dps=50)) / (2 * h)
            assert abs(float(fd) - float(de)) <= 1e-10 * max(1.0, abs(float(fd)))


def test_interior_minimum_is_a_zero_of_the_derivative():
    a = alpha_star([0.5, 20.0], [0.3, 0.25], 0.5, "icl")
    e, de, _, _ = TL.ridgeless_with_derivative(a, np.array([0.5, 20.0]), np.array([0.3, 0.25]), 0.5)
    assert np.all(np.abs(de * a) < 1e-9 * e)


def test_flags_and_no_nan():
    kappa = np.linspace(0.1, 2.1, 41)
    rho = np.linspace(0.01, 1, 7)
    for tau, which in [(0.5, "icl"), (0.5, "idg"), (20, "icl")]:
        pd = phase_diagram(tau, kappa, rho, which)
        assert pd.alpha_star.shape == (7, 41) and not np.isnan(pd.alpha_star).any()
        assert set(np.unique(pd.kind)) <= {INCREASING, INTERIOR, DECREASING}
        fin = pd.kind == INTERIOR
        assert np.all((pd.alpha_star[fin] > 1e-2) & (pd.alpha_star[fin] < 1e3))
        assert np.all(np.isinf(pd.alpha_star[pd.kind == DECREASING]))
    # Increasing everywhere in a window above the minimum: alpha* = 0 flag
    a, kind = alpha_star(0.5, 0.3, 0.5, "icl", alpha_min=5.0, alpha_max=50.0, return_kind=True)
    assert kind == INCREASING and a == 0.0


def test_validation():
    with pytest.raises(ValueError, match="which"):
        alpha_star(0.5, 0.3, 0.5, "bogus")
    with pytest.raises(ValueError, match="lam"):
        alpha_star(0.5, 0.3, 0.5, "icl", lam=0.1)
    with pytest.raises(ValueError, match="tau"):
        alpha_star(1.0, 0.3, 0.5)
    with pytest.raises(ValueError, match="kappa"):
        alpha_star(0.5, -0.3, 0.5)


from hypothesis import given, strategies as st  # noqa: E402


@given(
    tau=st.one_of(st.floats(0.05, 0.95), st.floats(1.05, 50.0)),
    kappa=st.one_of(st.floats(0.05, 5.0), st.just(float("inf"))),
    rho=st.floats(0.0, 2.0),
    which=st.sampled_from(["icl", "idg"]),
)
def test_alpha_star_property(tau, kappa, rho, which):
    """Never NaN; an interior alpha* is a minimum of the NumPy theory against its neighbours."""
    a, kind = alpha_star(tau, kappa, rho, which, return_kind=True)
    assert not np.isnan(a)
    fn = theory.e_icl if which == "icl" else theory.e_idg
    if kind == INTERIOR:
        assert 1e-2 <= a <= 1e3
        e0 = float(fn(a, tau, kappa, rho))
        for f in (0.99, 1.01):
            assert e0 <= float(fn(a * f, tau, kappa, rho)) * (1 + 1e-12)
    elif kind == DECREASING:
        assert np.isinf(a)
        assert float(fn(1e3, tau, kappa, rho)) <= float(fn(1e3 * 0.999, tau, kappa, rho)) * (1 + 1e-12)

"""Interpolation peak at tau = 1 (docs/onelayer/limits.md): ridgeless simple pole, finite ridge peak."""

import mpmath
import pytest

from iclsym.onelayer.symbolic import limits as L

POINTS = [(1, 0.5, 0.01), (10, 1.0, 0.01), (3, 2.5, 0.3), (0.7, float("inf"), 1.0)]


def test_symbolic_residues_match_design_from_both_sides():
    p = L.derive_pole()
    assert p.checks and all(v == 0 for v in p.checks.values()), p.checks
    assert set(p.orders.values()) == {1}
    pk = L.derive_peak()
    assert all(v == 0 for v in pk.checks.values()), pk.checks


@pytest.mark.parametrize("point", POINTS)
@pytest.mark.parametrize("side", [1, -1], ids=["above", "below"])
def test_simple_pole_order_and_residue(mp50, point, side):
    a, k, r = point
    C = mp50.gen.pole_residue(mp50.mpf(a), mp50.ik(k), mp50.mpf(r), mp50.m_star(a, k, r))
    h1, h2 = mpmath.mpf("1e-10"), mpmath.mpf("1e-12")
    for i, fn in enumerate((mp50.full.e_icl, mp50.full.e_idg)):
        e1 = fn(a, 1 + side * h1, k, r, 0, dps=50)
        e2 = fn(a, 1 + side * h2, k, r, 0, dps=50)
        assert abs(mp50.slope(h1, e1, h2, e2) + 1) < 1e-4
        # h e(h) = C + O(h); Richardson on (h1, h2) removes the O(h) term
        rich = (h1 * (h2 * e2) - h2 * (h1 * e1)) / (h1 - h2)
        assert abs(rich / C[i] - 1) < 1e-15
        assert abs(h2 * e2 / C[i] - 1) < 1e-9


@pytest.mark.parametrize("point", POINTS)
def test_finite_peak_height_lam_to_zero(mp50, point):
    """At tau = 1, e = A lam^(-1/2) + O(1): slope -1/2 and coefficient A = C/(2 sqrt(m*))."""
    a, k, r = point
    A = mp50.gen.peak_coefficient(mp50.mpf(a), mp50.ik(k), mp50.mpf(r), mp50.m_star(a, k, r))
    C = mp50.gen.pole_residue(mp50.mpf(a), mp50.ik(k), mp50.mpf(r), mp50.m_star(a, k, r))
    m = mp50.m_star(a, k, r)
    l1, l2 = mpmath.mpf("1e-24"), mpmath.mpf("1e-28")
    for i, fn in enumerate((mp50.full.e_icl, mp50.full.e_idg)):
        assert abs(A[i] / (C[i] / (2 * mpmath.sqrt(m))) - 1) < mpmath.mpf("1e-40")
        e1 = fn(a, 1, k, r, l1, dps=50)
        e2 = fn(a, 1, k, r, l2, dps=50)
        assert abs(mp50.slope(l1, e1, l2, e2) + mpmath.mpf(1) / 2) < 1e-4
        # e sqrt(lam) = A + O(sqrt(lam)) = A + O(1e-14)
        assert abs(e2 * mpmath.sqrt(l2) / A[i] - 1) < 1e-10

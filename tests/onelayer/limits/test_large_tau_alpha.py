"""tau -> inf, alpha -> inf and the kappa = 1 transition (docs/onelayer/limits.md) vs the full 50-digit theory."""

import mpmath
import pytest

from iclsym.onelayer.theory import limits as TL

mpf = mpmath.mpf


@pytest.mark.parametrize("point", [(1, 0.5, 0.01), (10, 1.0, 0.3), (3, 2.5, 1.0), (0.5, float("inf"), 0.1)])
def test_tau_inf_limit_and_one_over_tau(mp50, point):
    a, k, r = point
    e_icl, e_idg, D_icl, D_idg = mp50.gen.tau_inf(mp50.mpf(a), mp50.ik(k), mp50.mpf(r), mp50.m_star(a, k, r))
    t1, t2 = mpf("1e10"), mpf("1e12")
    for fn, lim, D in ((mp50.full.e_icl, e_icl, D_icl), (mp50.full.e_idg, e_idg, D_idg)):
        d1 = fn(a, t1, k, r, 0, dps=50) - lim
        d2 = fn(a, t2, k, r, 0, dps=50) - lim
        assert abs(mp50.slope(t1, d1, t2, d2) + 1) < 1e-4
        assert abs(d2 * t2 / D - 1) < 1e-9  # O(1/tau) relative error


# tau = 1e40 stands for tau = inf (its 1/tau effects are ~1e-32 of the alpha^-p terms tested)
TAU_INF = mpf("1e40")


@pytest.mark.parametrize("kappa", [0.3, 0.8, 1.0, 1.5, 4.0])
@pytest.mark.parametrize("rho", [0.01, 0.5])
def test_alpha_inf_after_tau_inf(mp50, kappa, rho):
    """e - L ~ A alpha^-p: L = rho + max(0, 1 - kappa) / rho / max(0, 1 - kappa); p and A derived."""
    out = TL.alpha_inf_tau_inf(kappa, rho)
    a1, a2 = mpf("1e8"), mpf("1e10")
    for name in ("e_icl", "e_idg", "g_task"):
        L, A, p = (float(v) for v in out[name])
        expected_L = {"e_icl": rho + max(0.0, 1 - kappa), "e_idg": rho, "g_task": max(0.0, 1 - kappa)}[name]
        assert L == pytest.approx(expected_L, rel=1e-13, abs=1e-15)

        def full(alpha):
            e_icl = mp50.full.e_icl(alpha, TAU_INF, kappa, rho, 0, dps=50)
            e_idg = mp50.full.e_idg(alpha, TAU_INF, kappa, rho, 0, dps=50)
            return {"e_icl": e_icl, "e_idg": e_idg, "g_task": e_icl - e_idg}[name]

        # L above is a float: take the differences against the exact limit
        Lmp = mpf(rho) * (name != "g_task") + (max(0, 1 - mpf(kappa)) if name != "e_idg" else 0)
        d1, d2 = full(a1) - Lmp, full(a2) - Lmp
        assert abs(mp50.slope(a1, d1, a2, d2) + p) < 1e-4, (name, p)
        # next order is relatively alpha^-1/2 (kappa = 1) or alpha^-1: 1e-5 at alpha = 1e10
        assert abs(d2 * a2**p / A - 1) < 1e-4, (name, A)


def test_g_task_transition_exponents():
    """g_task approaches max(0, 1 - kappa) like alpha^-2 for kappa != 1, alpha^-1/2 at kappa = 1."""
    p = [float(TL.alpha_inf_tau_inf(k, 0.1)["g_task"][2]) for k in (0.5, 1.0, 2.0)]
    assert p == [2.0, 0.5, 2.0]
    p_icl = [float(TL.alpha_inf_tau_inf(k, 0.1)["e_icl"][2]) for k in (0.5, 1.0, 2.0)]
    assert p_icl == [1.0, 0.5, 1.0]


CASES = [  # (tau, kappa): kappa vs kappa_c = min(tau, 1)
    (2.0, 0.5), (2.0, 1.0), (2.0, 1.7), (20.0, 0.25),
    (0.5, 0.2),
    (0.5, 0.5), (0.5, 0.9), (0.5, 2.0),
]


@pytest.mark.parametrize("tau,kappa", CASES)
@pytest.mark.parametrize("rho", [0.1, 1.0])
def test_alpha_inf_fixed_tau(mp50, tau, kappa, rho):
    """e ~ A alpha^q: q = 1 for kappa < min(tau,1), 1/2 at the boundary, 0 (finite limit) above."""
    out = TL.alpha_inf_fixed_tau(tau, kappa, rho)
    kc = min(tau, 1.0)
    a1, a2 = mpf("1e10"), mpf("1e12")
    for name, fn in (("e_icl", mp50.full.e_icl), ("e_idg", mp50.full.e_idg)):
        A, q, c = (float(v) for v in out[name])
        e1, e2 = fn(a1, tau, kappa, rho, 0, dps=50), fn(a2, tau, kappa, rho, 0, dps=50)
        if q == 0:
            assert kappa > kc or name == "e_idg"
            assert abs(e2 / mpf(c) - 1) < 1e-5  # corrections O(alpha^-1/2) at worst
            assert A == pytest.approx(c, rel=1e-14)
        else:
            assert q == (1.0 if kappa < kc else 0.5)
            assert abs(mp50.slope(a1, e1, a2, e2) - q) < 1e-4
            assert abs(e2 / a2**q / mpf(A) - 1) < 1e-5
    if kappa < kc:  # docs/onelayer/limits.md: e_ICL/alpha -> (rho/(1+rho)) (1-kappa)/(tau-1) or (tau-kappa)/(1-tau)
        A = float(out["e_icl"][0])
        expect = rho / (1 + rho) * ((1 - kappa) / (tau - 1) if tau > 1 else (tau - kappa) / (1 - tau))
        assert A == pytest.approx(expect, rel=1e-13)


def test_idg_diverges_only_at_kappa_equal_tau_below_one():
    """IDG is finite as alpha -> inf except at the boundary kappa = tau < 1 (alpha^1/2, coefficient rho/2 ...)."""
    qs = {(t, k): float(TL.alpha_inf_fixed_tau(t, k, 0.1)["e_idg"][1]) for t, k in CASES}
    assert qs.pop((0.5, 0.5)) == 0.5
    assert set(qs.values()) == {0.0}


@pytest.mark.parametrize("kappa", [0.3, 0.8, 1.0, 2.0])
@pytest.mark.parametrize("c", [0.2, 1.0])
def test_g_task_along_tau_proportional_to_alpha(mp50, kappa, c):
    rho = 0.01
    lim = float(TL.g_task_tau_prop_alpha(c, kappa, rho))
    expect = (1 - kappa) * (1 + rho / (c * (1 + rho))) if kappa < 1 else 0.0
    assert lim == pytest.approx(expect, rel=1e-13, abs=1e-15)
    alpha = mpf("1e12")
    g = mp50.full.g_task(alpha, c * alpha, kappa, rho, 0, dps=50)
    assert abs(g - mpf(expect)) < 1e-5  # approach O(alpha^-1/2) at kappa = 1: 1e-6 here


@pytest.mark.parametrize("tau,kappa", [(0.5, 0.2), (0.9, 0.3)])
@pytest.mark.parametrize("rho", [0.1, 1.0])
def test_linear_growth_below_one_moderate_alpha(mp50, tau, kappa, rho):
    """tau < 1, kappa < tau at moderate alpha = 1e5, 1e6 (the alpha = 1e10, 1e12 case is above).

    Here e_ICL = A alpha + c + O(1/alpha): the slope differs from 1 by ~c/(A alpha) ~ 1e-5 and
    e/alpha from A by the same relative amount.
    """
    A, q, c = (float(v) for v in TL.alpha_inf_fixed_tau(tau, kappa, rho)["e_icl"])
    assert q == 1.0 and A == pytest.approx(rho / (1 + rho) * (tau - kappa) / (1 - tau), rel=1e-13)
    a1, a2 = mpf("1e5"), mpf("1e6")
    e1, e2 = mp50.full.e_icl(a1, tau, kappa, rho, 0, dps=50), mp50.full.e_icl(a2, tau, kappa, rho, 0, dps=50)
    assert abs(mp50.slope(a1, e1 - mpf(c), a2, e2 - mpf(c)) - 1) < 1e-4
    assert abs((e2 - mpf(c)) / a2 / mpf(A) - 1) < 1e-4
    B, qi, ci = (float(v) for v in TL.alpha_inf_fixed_tau(tau, kappa, rho)["e_idg"])
    assert qi == 0.0
    assert abs(mp50.full.e_idg(a2, tau, kappa, rho, 0, dps=50) / mpf(ci) - 1) < 1e-4

"""FS and RRS theory: per-mode closed form vs numerical ODE, alpha = inf optima, width/context laws,
the generated exponents vs their symbolic derivation, the gradient-flow convention."""

import math

import numpy as np
import pytest
import sympy as sp

from iclsym.deep import dynamics, structured
from iclsym.deep.data import power_law_spectrum
from iclsym.deep.exponents import exponents, compute_optimal_shape
from iclsym.deep.symbolic import fs as FS
from iclsym.deep.symbolic.exponents import derive_exponents


@pytest.mark.parametrize("L", [1, 2, 4, 8])
def test_fs_closed_form_equals_numerical_flow(L):
    lam, om = power_law_spectrum(12, 1.25, 1.25)
    t = np.array([0.0, 0.3, 3.0, 30.0, 300.0])
    g_num = dynamics.fs_flow_numeric(t, lam, om, L, rtol=1e-12)
    g_cf = structured.fs_mode_gamma(t, lam, om, L)
    # LSODA at rtol 1e-12 against the closed form
    assert np.allclose(g_num, g_cf, rtol=1e-8, atol=1e-10)
    R_cf = structured.fs_risk_time(t, lam, om, L)
    assert np.allclose(structured.fs_loss(g_num, lam, om, L), R_cf, rtol=1e-8, atol=1e-12)


def test_fs_symbolic_mode_solution():
    assert all(v == 0 for v in FS.check_mode_solution().values())
    assert all(v == 0 for v in FS.check_mode_solution(1).values())


def test_fs_optimum_has_zero_loss_and_depth_is_unnecessary():
    lam, om = power_law_spectrum(20, 1.5, 1.0)
    for L in (1, 3, 9):
        assert structured.fs_loss(L / lam, lam, om, L) == pytest.approx(0.0, abs=1e-30)
    assert structured.fs_ood_risk(lam, om, 0.0, 4) == pytest.approx(0.0, abs=1e-12)


def test_fs_ood_depth_helps_then_hurts():
    """Brittleness: deeper models are better for small rotations and worse beyond a crossover."""
    lam, om = power_law_spectrum(16, 1.25, 1.25)
    th_small, th_big = 0.01, 0.25
    r = {L: structured.fs_ood_risk(lam, om, [th_small, th_big], L) for L in (1, 4)}
    assert r[4][0] < r[1][0]
    assert r[4][1] > r[1][1]


def test_rrs_depth_helps_at_infinite_context():
    lam, om = power_law_spectrum(32, 1.5, 0.8)
    vals = [structured.rrs_optimal_inf(lam, om, L)[1] for L in (1, 2, 4, 8)]
    assert np.all(np.diff(vals) < 0)
    # reference values at D = 32, nu = 1.5, beta = 0.8 (min_gamma R, 3 decimals)
    assert [round(v, 3) for v in vals] == [0.197, 0.117, 0.060, 0.029]
    # the optimal gamma lam_1/L rises towards the stability edge 2
    g4 = structured.rrs_optimal_inf(*power_law_spectrum(4000, 1.5, 1.0), 4)[0] / 4
    g256 = structured.rrs_optimal_inf(*power_law_spectrum(4000, 1.5, 1.0), 256)[0] / 256
    assert 1.4 < g4 < g256 < 2.0


def test_rrs_finite_alpha_tends_to_population():
    lam, om = power_law_spectrum(60, 1.5, 1.0)
    r_inf = structured.rrs_loss_inf(1.5, lam, om, 2)
    r_big = structured.rrs_risk(1.5, 2000.0, lam, om, 2)
    assert r_big == pytest.approx(r_inf, rel=2e-3)
    assert structured.rrs_risk(1.5, np.inf, lam, om, 2) == r_inf


def test_rrs_contour_reduces_to_iso_closed_form():
    """Flat spectrum: the contour risk must equal the exact MP quadrature (two independent routes)."""
    from iclsym.deep import iso

    D = 400
    lam, om = np.ones(D), np.full(D, 1.0 / D)
    for alpha, L, g, s2 in [(0.5, 1, 0.3, 0.0), (2.0, 3, 1.5, 0.0), (1.5, 2, 1.0, 0.5)]:
        want = float(iso.iso_risk(g, alpha, L, s2))
        got = structured.rrs_risk(g, alpha, lam, om, L, sigma2=s2)
        # deterministic equivalent of a flat spectrum = MP law (exact); contour rtol 1e-9
        assert got == pytest.approx(want, rel=1e-7)


def test_contour_ill_conditioned_message():
    lam, om = power_law_spectrum(60, 1.5, 1.0)
    with pytest.raises(structured.ContourError, match="Monte Carlo"):
        structured.rrs_risk(60.0, 0.5, lam, om, 64)


def test_width_and_context_laws_decrease_and_saturate():
    lam, om = power_law_spectrum(4000, 1.25, 1.0)
    N = np.array([8, 16, 32, 64])
    w = structured.width_law(N, lam, om)
    c = structured.context_law(N, lam, om)
    assert np.all(np.diff(w) < 0) and np.all(np.diff(c) < 0)
    assert structured.width_law(4000, lam, om) == 0.0
    with pytest.raises(ValueError, match="P"):
        structured.context_law(5000, lam, om)


def test_generated_exponents_match_symbolic():
    nu, beta, out = derive_exponents()
    for nv, bv in [(1.25, 0.5), (1.5, 1.0), (1.25, 1.5), (2.0, 3.0)]:
        e = exponents(nv, bv)
        for k, v in e.items():
            assert v == pytest.approx(float(out[k].subs({nu: nv, beta: bv})), rel=1e-14)
        assert e["fs_time"] == pytest.approx(nv * bv / (nv * bv + 2 * nv + 1))
        assert e["rrs_time"] == pytest.approx(bv / (2 + bv))
        assert e["width"] == pytest.approx(nv * min(bv, 1))
        assert e["context"] == pytest.approx(nv * min(bv, 2))
        assert e["full_attention_time"] == pytest.approx(5 * bv / (5 * bv + 2))
    assert exponents(1.25, 1.0)["compute"] == pytest.approx(1.25 / (4 * 1.25 + 2))
    s = compute_optimal_shape(1.25, 0.8)
    assert s["L_per_N"] == pytest.approx(1.25) and s["t_per_L"] == pytest.approx(2.8)


def test_paper_fs_time_exponent_is_wrong():
    """Fitted FS slope at nu = beta = 1.25 is 0.3086 (iclsym's formula), not the paper's 0.328."""
    lam, om = power_law_spectrum(200_000, 1.25, 1.25)
    q = 1.25 * 1.25 + 2 * 1.25 + 1
    t = np.geomspace(100.0 ** q, 2000.0 ** q, 8)
    R = structured.fs_risk_time(t, lam, om, 4)
    slope = -np.polyfit(np.log(t), np.log(R), 1)[0]
    assert slope == pytest.approx(exponents(1.25, 1.25)["fs_time"], abs=2e-3)
    assert abs(slope - 1.25 / (1.25 + 1.25 ** 2 + 1)) > 0.015


def test_gradient_flow_convention_factor():
    """dgamma/dt = -dR/dgamma: the closed form R_k(t) uses exactly this (no factor 1/2 or 2)."""
    lam, om = np.array([1.0]), np.array([1.0])
    t = np.array([0.0, 0.1])
    g = dynamics.fs_flow_numeric(t, lam, om, 1)
    # L = 1: gamma(t) = 1 - exp(-2 t)
    assert g[-1, 0] == pytest.approx(1 - math.exp(-0.2), rel=1e-9)
    assert structured.fs_risk_time(0.1, lam, om, 1) == pytest.approx(math.exp(-0.4), rel=1e-12)


def test_untied_symmetric_equals_tied_flow():
    """The alpha = inf RRS loss is symmetric in per-layer steps: a symmetric untied flow with lr L equals tied."""
    lam, om = power_law_spectrum(30, 1.5, 1.0)
    L = 3

    def loss_untied(gs):
        return np.sum(om * lam * np.prod([(1 - g * lam / L) ** 2 for g in gs], axis=0))

    g = 0.7
    eps = 1e-6
    dl = (loss_untied([g + eps, g, g]) - loss_untied([g - eps, g, g])) / (2 * eps)
    assert L * dl == pytest.approx(float(structured.rrs_loss_inf_grad(g, lam, om, L)), rel=1e-6)


def test_width_law_vs_haar_projected_spectrum():
    """Two routes to the width floor: the deterministic equivalent ``k_N sum omega lam/(lam + k_N)``
    and the Haar-averaged effective spectrum of a rank-N preconditioner (its mu = 0 part).
    Tolerance 5 %: the deterministic equivalent is leading order (measured 1.6 % at D = 256, N = 64;
    the average over 16 rotations is itself a few tenths of a percent noisy)."""
    lam, om = power_law_spectrum(256, 1.25, 0.5)
    mu, c, floor = structured.projected_spectrum(lam, om, 64, n_rot=16)
    assert floor == pytest.approx(float(structured.width_law(64, lam, om)), rel=0.05)
    # the effective spectrum carries the rest of the risk: total at gamma = 0 is 1
    assert floor + c.sum() == pytest.approx(1.0, rel=1e-12)

"""The exact finite-d test error (the paper's Lemma 1, docs/onelayer/lemma1.md), checked independently.

* SymPy identity against the paper's matrix formula (typed here as the independent statement);
* the coefficients against the stated table (docs/onelayer/lemma1.md) with general sigma2 (typed here);
* exact Gauss-Hermite quadrature of E(y - <Gamma, H_Z>)^2 at small d for random Gamma,
  fixed tasks and Gaussian tasks (numpy only, shares nothing with the engine);
* Monte Carlo at moderate d;
* generated NumPy / mpmath modules vs the engine and vs each other (the simulator's
  error functional, iclsym.onelayer.simulation.exact_error, uses the generated module).
"""

import io
import itertools

import mpmath
import numpy as np
import pytest
import sympy as sp

import iclsym.onelayer._generated.lemma1 as gen
import iclsym.onelayer._generated.lemma1_mpmath as gen_mp
from iclsym.cli.derive import derive, repo_root
from iclsym.onelayer.symbolic import lemma1 as m
from iclsym.onelayer.simulation.exact_error import exact_error

S = m.symbols()
T_GR, T_gmu, T_GG, T_GRG, T_gGmu, T_gg = S.T


# --------------------------------------------------------------------------- symbolic identities

def _design_error(G, g, mu, R, ell, rho):
    """docs/onelayer/lemma1.md, typed as stated (tasks of norm sqrt(d)): explicit matrices."""
    d = G.shape[0]
    alpha = ell / d
    Gamma = G.row_join(g)
    A = R.col_join((1 + rho) * mu.T)
    B11 = sp.eye(d) / alpha + (1 + 1 / ell) * R / (1 + rho)
    B = B11.row_join((1 + 2 / ell) * mu).col_join(((1 + 2 / ell) * mu.T).row_join(sp.Matrix([[(1 + rho) * (1 + 2 / ell)]])))
    return 1 + rho - sp.Rational(2, d) * (Gamma * A).trace() + (1 + rho) / d * (Gamma * B * Gamma.T).trace()


def _traces(G, g, mu, R):
    d = G.shape[0]
    return {
        T_GR: (G * R).trace() / d,
        T_gmu: (g.T * mu)[0, 0] / d,
        T_GG: (G * G.T).trace() / d,
        T_GRG: (G * R * G.T).trace() / d,
        T_gGmu: (g.T * G * mu)[0, 0] / d,
        T_gg: (g.T * g)[0, 0] / d,
    }


@pytest.mark.parametrize("d", [2, 3])
def test_error_functional_equals_design_matrix_formula(d):
    G = sp.Matrix(d, d, lambda i, j: sp.Symbol(f"G{i}{j}"))
    g = sp.Matrix(d, 1, lambda i, _: sp.Symbol(f"g{i}"))
    mu = sp.Matrix(d, 1, lambda i, _: sp.Symbol(f"mu{i}"))
    R = sp.Matrix(d, d, lambda i, j: sp.Symbol(f"R{min(i, j)}{max(i, j)}"))
    derived = m.error_functional().subs(S.sigma2, 1).subs(_traces(G, g, mu, R)).subs(S.d, d)
    design = _design_error(G, g, mu, R, S.ell, S.rho)
    assert sp.simplify(sp.expand(derived - design)) == 0


def test_coefficients_equal_contract_statement():
    s, rho, d, ell = S.sigma2, S.rho, S.d, S.ell
    v = s + rho
    stated = (v, -2, -2 * v, v * d / ell, 1 + 1 / ell, 2 * (1 + 2 / ell) * v, (1 + 2 / ell) * v**2)
    derived = m.error_coefficients()
    assert len(derived) == 7
    for name, a, b in zip(("c0", "c_GR", "c_gmu", "c_GG", "c_GRG", "c_gGmu", "c_gg"), derived, stated):
        assert sp.simplify(a - b) == 0, name


def test_gaussian_task_correction_equals_design():
    assert sp.simplify(m.gaussian_task_correction() - 2 / S.d * (1 + 2 / S.ell)) == 0


def test_direct_expansion_equals_composition_from_moments():
    direct = m._as_T(m.average_over_tasks(m.error_given_task_direct()))
    assert sp.simplify(direct - m.error_functional()) == 0


def test_structure_checks_hold_and_can_fail():
    checks = m.structure_checks()
    assert len(checks) == 6 and all(checks.values()), checks
    M = m.derive_moments()
    # negative control: drop the 1/ell correction of the w w^T block -> the check must see it
    wrong = M.ss.scale(1) - M.ss.scale(1 / S.ell)
    assert not (M.ss - wrong).simplified().is_zero()


# --------------------------------------------------------------------------- exact quadrature

def _gauss_hermite(n_vars, n_nodes=3):
    """Tensor Gauss-Hermite rule (exact for per-variable degree <= 5; here <= 4)."""
    t, wt = np.polynomial.hermite_e.hermegauss(n_nodes)
    wt = wt / wt.sum()
    idx = np.array(list(itertools.product(range(n_nodes), repeat=n_vars)))
    return t[idx], np.prod(wt[idx], axis=1)


def _squared_error(z, d, ell, rho, w, Gamma):
    """(y_{ell+1} - <Gamma, H_Z>)^2 from standard normals z (columns: x_1..x_ell, x_q, eps)."""
    X = z[:, : d * ell].reshape(-1, ell, d) / np.sqrt(d)
    xq = z[:, d * ell : d * ell + d] / np.sqrt(d)
    noise = np.sqrt(rho) * z[:, d * ell + d : d * ell + d + ell + 1]
    w = np.broadcast_to(w, (z.shape[0], d))
    y = np.einsum("nid,nd->ni", X, w) + noise[:, :ell]
    yq = np.einsum("nd,nd->n", xq, w) + noise[:, ell]
    h = np.concatenate([(d / ell) * np.einsum("ni,nid->nd", y, X), np.mean(y**2, axis=1)[:, None]], axis=1)
    pred = np.einsum("nd,de,ne->n", xq, Gamma, h)
    return (yq - pred) ** 2


@pytest.mark.parametrize("d,ell", [(2, 1), (2, 2), (3, 1)])
def test_error_exact_quadrature_fixed_tasks(d, ell):
    """Exact E[(y - <Gamma, H_Z>)^2 | w] for a random Gamma, and a two-task law of equal norms."""
    rng = np.random.default_rng(7 * d + ell)
    rho = 0.3
    Gamma = rng.standard_normal((d, d + 1))
    w1 = rng.standard_normal(d)
    w1 *= np.sqrt(1.7 * d) / np.linalg.norm(w1)  # sigma2 = 1.7
    w2 = rng.standard_normal(d)
    w2 *= np.sqrt(1.7 * d) / np.linalg.norm(w2)
    z, weights = _gauss_hermite(d * ell + d + ell + 1)
    exact = [weights @ _squared_error(z, d, ell, rho, w, Gamma) for w in (w1, w2)]
    for w, e in zip((w1, w2), exact):
        assert exact_error(Gamma, ell, rho, w, np.outer(w, w), 1.7) == pytest.approx(e, rel=1e-11)
    mu, R = (w1 + w2) / 2, (np.outer(w1, w1) + np.outer(w2, w2)) / 2
    assert exact_error(Gamma, ell, rho, mu, R, 1.7) == pytest.approx(np.mean(exact), rel=1e-11)


@pytest.mark.parametrize("ell", [1, 2])
def test_error_exact_quadrature_gaussian_tasks(ell):
    """w ~ N(0, I_d) integrated exactly too: sphere ICL formula + the Gaussian correction."""
    d, rho = 2, 0.3
    rng = np.random.default_rng(40 + ell)
    Gamma = rng.standard_normal((d, d + 1))
    n_ctx = d * ell + d + ell + 1
    z, weights = _gauss_hermite(n_ctx + d)
    exact = weights @ _squared_error(z[:, :n_ctx], d, ell, rho, z[:, n_ctx:], Gamma)
    sphere = exact_error(Gamma, ell, rho, np.zeros(d), np.eye(d), 1.0)
    g = Gamma[:, d]
    assert exact == pytest.approx(sphere + gen.gaussian_task_correction(d, ell, rho) * (g @ g) / d, rel=1e-11)
    assert abs(exact - sphere) > 1e-3  # the correction is really needed


# --------------------------------------------------------------------------- Monte Carlo

@pytest.mark.mc
def test_error_monte_carlo_icl():
    """Fresh sphere task per sequence (ICL) at d = 12, ell = 6; |z| < 4 with C = 0: the
    formula is exact at finite d, so no 1/d allowance."""
    d, ell, rho, n = 12, 6, 0.5, 40_000
    rng = np.random.default_rng(2024)
    Gamma = rng.standard_normal((d, d + 1)) / d
    Gamma[:, :d] += np.eye(d) * 0.8
    w = rng.standard_normal((n, d))
    w *= np.sqrt(d) / np.linalg.norm(w, axis=1, keepdims=True)
    z = rng.standard_normal((n, d * ell + d + ell + 1))
    err = _squared_error(z, d, ell, rho, w, Gamma)
    theory = exact_error(Gamma, ell, rho, np.zeros(d), np.eye(d), 1.0)
    zscore = (err.mean() - theory) / (err.std(ddof=1) / np.sqrt(n))
    print(f"\nLemma 1 ICL error, d={d}, ell={ell}, n={n}: MC {err.mean():.5f} theory {theory:.5f} z={zscore:+.2f}")
    assert abs(zscore) < 4


# --------------------------------------------------------------------------- generated code

def _random_points(rng, n=20):
    return [(int(rng.integers(2, 200)), int(rng.integers(1, 300)), float(rng.uniform(0, 3)), float(rng.uniform(0.2, 3)))
            for _ in range(n)]


def test_generated_numpy_and_mpmath_match_engine():
    rng = np.random.default_rng(11)
    exact = m.error_coefficients()
    corr = m.gaussian_task_correction()
    mpmath.mp.dps = 50
    for d, ell, rho, sigma2 in _random_points(rng):
        vals = {S.d: d, S.ell: ell, S.rho: sp.Rational(str(rho)), S.sigma2: sp.Rational(str(sigma2))}
        ref = [sp.N(c.subs(vals), 60) for c in exact]
        got_np = gen.error_coefficients(d, ell, rho, sigma2)
        got_mp = gen_mp.error_coefficients(d, ell, mpmath.mpf(str(rho)), mpmath.mpf(str(sigma2)))
        for r, a, b in zip(ref, got_np, got_mp):
            assert float(a) == pytest.approx(float(r), rel=1e-13, abs=1e-15)
            assert abs(mpmath.mpf(b) - mpmath.mpf(str(r))) <= mpmath.mpf(10) ** -45 * (1 + abs(mpmath.mpf(str(r))))
        rc = sp.N(corr.subs(vals), 60)
        assert gen.gaussian_task_correction(d, ell, rho) == pytest.approx(float(rc), rel=1e-14)
        assert abs(gen_mp.gaussian_task_correction(d, ell, rho) - mpmath.mpf(str(rc))) <= mpmath.mpf(10) ** -45


def test_generated_numpy_broadcasts():
    d = np.array([10, 20, 40])
    sigma2 = np.array([[0.5], [1.0]])
    c = gen.error_coefficients(d, 5, 0.1, sigma2)
    assert np.shape(c[3]) == (2, 3)  # c_GG = (sigma2 + rho) d / ell depends on both
    assert c[3][1, 2] == pytest.approx(1.1 * 40 / 5)
    assert np.shape(c[6]) == (2, 1)
    assert c[6][1, 0] == pytest.approx((1 + 2 / 5) * 1.1**2)


def test_lemma1_outputs_are_current():
    buf = io.StringIO()
    assert derive(repo_root(), only="lemma1", check=True, out=buf) == 0, buf.getvalue()

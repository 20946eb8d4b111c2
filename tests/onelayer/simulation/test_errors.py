"""Exact finite-d test error (docs/onelayer/lemma1.md, Lemma 1) vs brute-force Monte Carlo.

The Monte Carlo side never uses the formula: fresh sequences built token by token
(reference sampler), squared error of the prediction ``xq^T Gamma h``, mean and SE.
Tolerance |z| < 4 (seeded).
"""

import math

import numpy as np
import pytest

from iclsym.onelayer._generated.lemma1 import error_coefficients, gaussian_task_correction
from iclsym.onelayer.simulation.exact_error import e_icl_exact, e_idg_exact, error_traces, exact_error, mc_test_error
from iclsym.onelayer.simulation.samplers import as_generator, sample_tasks

Z_MAX = 4.0
N_TEST = 120_000


def _random_gamma(d, rng, scale_g=1.0):
    """A generic Gamma: 0.7 I plus a random matrix, and a random last column."""
    G = 0.7 * np.eye(d) + rng.standard_normal((d, d)) / math.sqrt(d)
    g = scale_g * rng.standard_normal((d, 1))
    return np.hstack([G, g])


def _bank_gamma(W, rng):
    """A Gamma that 'memorises' the bank: 0.8 x the projection on span(W), plus noise."""
    d = W.shape[1]
    P = W.T @ np.linalg.solve(W @ W.T, W)
    G = 0.8 * P + 0.2 * rng.standard_normal((d, d)) / math.sqrt(d)
    return np.hstack([G, 0.3 * rng.standard_normal((d, 1))])


# (d, ell, rho)
CASES = [(3, 1, 0.2), (4, 3, 0.0), (5, 8, 0.5), (6, 2, 0.1)]


@pytest.mark.mc
@pytest.mark.parametrize("d, ell, rho", CASES)
@pytest.mark.parametrize("task_dist", ["sphere", "gaussian"])
def test_icl_exact_matches_monte_carlo(d, ell, rho, task_dist):
    rng = as_generator(np.random.SeedSequence([d, ell, int(100 * rho), len(task_dist)]))
    Gamma = _random_gamma(d, rng)
    exact = e_icl_exact(Gamma, ell, rho, task_dist)
    mean, se = mc_test_error(Gamma, ell, rho, rng, N_TEST, task_dist=task_dist)
    z = (mean - exact) / se
    print(f"ICL {task_dist} d={d} ell={ell} rho={rho}: exact {exact:.5f} MC {mean:.5f} +- {se:.5f} z={z:.2f}")
    assert abs(z) < Z_MAX


@pytest.mark.mc
@pytest.mark.parametrize("d, ell, rho", CASES)
def test_gaussian_correction_is_needed(d, ell, rho):
    """Gaussian tasks with a large last column: the MC resolves the correction term.

    With the correction |z| < 4; without it the MC rejects the formula (|z| > 4), so this
    test fails if the correction were missing.
    """
    rng = as_generator(np.random.SeedSequence([d, ell, int(100 * rho), 7]))
    Gamma = np.hstack([0.3 * np.eye(d), np.ones((d, 1))])
    exact = e_icl_exact(Gamma, ell, rho, "gaussian")
    mean, se = mc_test_error(Gamma, ell, rho, rng, N_TEST, task_dist="gaussian")
    corr = gaussian_task_correction(d, ell, rho) * float(Gamma[:, d] @ Gamma[:, d]) / d
    z = (mean - exact) / se
    print(f"ICL gaussian, large g, d={d} ell={ell} rho={rho}: z={z:.2f}, z without correction={(mean - exact + corr) / se:.2f}")
    assert abs(z) < Z_MAX
    assert abs(mean - (exact - corr)) / se > Z_MAX


@pytest.mark.mc
@pytest.mark.parametrize("d, ell, rho", CASES)
@pytest.mark.parametrize("task_dist", ["sphere", "gaussian"])
def test_idg_exact_matches_monte_carlo(d, ell, rho, task_dist):
    rng = as_generator(np.random.SeedSequence([d, ell, int(100 * rho), len(task_dist), 1]))
    W = sample_tasks(2, d, rng, task_dist)  # a small bank, and a Gamma adapted to it
    Gamma = _bank_gamma(W, rng)
    exact = e_idg_exact(Gamma, W, ell, rho)
    mean, se = mc_test_error(Gamma, ell, rho, rng, N_TEST, W=W)
    z = (mean - exact) / se
    print(f"IDG {task_dist} d={d} ell={ell} rho={rho}: exact {exact:.5f} MC {mean:.5f} +- {se:.5f} z={z:.2f}")
    assert abs(z) < Z_MAX
    # the MC rejects the wrong law (the ICL formula), so this check can fail
    assert abs(mean - e_icl_exact(Gamma, ell, rho, task_dist)) / se > Z_MAX


def test_idg_on_sphere_bank_equals_moment_formula():
    """Per-task average == e(Gamma; mu_hat, R_hat) with the d x d R_hat (two code paths)."""
    rng = as_generator(3)
    d, ell, rho = 7, 5, 0.3
    W = sample_tasks(11, d, rng)
    Gamma = _random_gamma(d, rng)
    via_moments = exact_error(Gamma, ell, rho, W.mean(0), W.T @ W / len(W))
    assert e_idg_exact(Gamma, W, ell, rho) == pytest.approx(via_moments, rel=1e-12)


def test_icl_equals_moment_formula_and_hand_values():
    rng = as_generator(4)
    d, ell, rho = 6, 3, 0.2
    Gamma = _random_gamma(d, rng)
    assert e_icl_exact(Gamma, ell, rho) == pytest.approx(exact_error(Gamma, ell, rho, np.zeros(d), np.eye(d)), rel=1e-12)
    # Gamma = [I/(1 + 1/ell + d/ell(1+rho)) | 0]: the best multiple of s; by hand with mu=0, R=I:
    # e = 1 + rho - 2c + c^2 ((1+rho) d/ell + 1 + 1/ell), minimised at c = 1/((1+rho) d/ell + 1 + 1/ell)
    c = 1.0 / ((1 + rho) * d / ell + 1 + 1 / ell)
    G = np.hstack([c * np.eye(d), np.zeros((d, 1))])
    assert e_icl_exact(G, ell, rho) == pytest.approx(1 + rho - c, rel=1e-12)


def test_gaussian_correction_only_touches_last_column():
    rng = as_generator(5)
    d, ell, rho = 5, 2, 0.1
    Gamma = _random_gamma(d, rng)
    diff = e_icl_exact(Gamma, ell, rho, "gaussian") - e_icl_exact(Gamma, ell, rho, "sphere")
    # docs/onelayer/lemma1.md: extra (2/d^2)(1 + 2/ell)|gamma|^2
    assert diff == pytest.approx(2 / d**2 * (1 + 2 / ell) * float(Gamma[:, d] @ Gamma[:, d]), rel=1e-12)


def test_coefficients_match_contract():
    """The coefficient table of docs/onelayer/lemma1.md, written out independently."""
    d, ell, rho, s = 9, 4, 0.3, 1.2
    v = s + rho
    expect = (v, -2, -2 * v, v * d / ell, 1 + 1 / ell, 2 * (1 + 2 / ell) * v, (1 + 2 / ell) * v**2)
    assert error_coefficients(d, ell, rho, s) == pytest.approx(expect, rel=1e-14)
    sig = np.array([0.5, 1.0, 2.0])
    assert np.asarray(error_coefficients(d, ell, rho, sig)[6]).shape == (3,)


def test_traces_by_definition():
    rng = as_generator(6)
    d = 4
    Gamma = _random_gamma(d, rng)
    mu = rng.standard_normal(d)
    A = rng.standard_normal((d, d))
    R = A @ A.T
    G, g = Gamma[:, :d], Gamma[:, d]
    expect = (1, np.trace(G @ R) / d, g @ mu / d, np.trace(G @ G.T) / d, np.trace(G @ R @ G.T) / d, g @ G @ mu / d, g @ g / d)
    assert error_traces(Gamma, mu, R) == pytest.approx(expect, rel=1e-12)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: e_icl_exact(np.zeros((3, 3)), 2, 0.1), "Gamma must have shape"),
        (lambda: e_icl_exact(np.zeros((3, 4)), 0, 0.1), "ell must be"),
        (lambda: e_icl_exact(np.zeros((3, 4)), 2, -1.0), "rho must satisfy"),
        (lambda: e_icl_exact(np.zeros((3, 4)), 2, 0.1, "laplace"), "task_dist"),
        (lambda: e_idg_exact(np.zeros((3, 4)), np.ones((2, 4)), 2, 0.1), "W must be"),
        (lambda: e_icl_exact(np.full((3, 4), np.inf), 2, 0.1), "Gamma must be finite"),
    ],
)
def test_error_input_validation(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("task_dist", ["sphere", "gaussian"])
def test_errors_never_below_noise_floor(task_dist):
    """Property: e = rho + E|w - Gamma h|^2/d >= rho for every Gamma, ell, rho (ICL and IDG), and
    the Gaussian-task ICL error is never below the sphere one (the correction is >= 0)."""
    from hypothesis import given
    from hypothesis import strategies as st

    @given(
        d=st.integers(2, 6),
        ell=st.integers(1, 50),
        rho=st.floats(0.0, 5.0),
        seed=st.integers(0, 2**32 - 1),
        scale=st.floats(1e-3, 1e3),
    )
    def check(d, ell, rho, seed, scale):
        rng = as_generator(seed)
        Gamma = scale * rng.standard_normal((d, d + 1))
        W = sample_tasks(3, d, rng, task_dist)
        for e in (e_icl_exact(Gamma, ell, rho, task_dist), e_idg_exact(Gamma, W, ell, rho)):
            assert np.isfinite(e) and e >= rho * (1 - 1e-12) - 1e-12 * scale**2
        assert e_icl_exact(Gamma, ell, rho, "gaussian") >= e_icl_exact(Gamma, ell, rho, "sphere")

    check()

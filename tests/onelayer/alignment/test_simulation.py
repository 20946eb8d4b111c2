"""Finite-d simulation with Gaussian tasks of any covariance: the exact error for N(mu, C) test tasks against
Lemma 1 and brute-force Monte Carlo, the task law, and the job function."""

import numpy as np
import pytest

from iclsym.core.covariances import covariance, from_matrix
from iclsym.core.tasks import task_law
from iclsym.onelayer.simulation.exact_error import e_icl_exact, exact_error
from iclsym.onelayer.simulation.structured import (
    gaussian_test_error, mc_gaussian_test_error, parse_tests, simulate_aligned_once,
)


def _gamma(d, seed, scale=1.0):
    rng = np.random.default_rng(seed)
    return scale * rng.standard_normal((d, d + 1)) / d


def test_derivation_reduces_to_lemma1_gaussian_icl_error():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[3] / "derivations" / "onelayer" / "gaussian_tasks.py"
    spec = importlib.util.spec_from_file_location("gaussian_tasks_derivation", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert mod.reduction_holds()


@pytest.mark.parametrize("d,ell", [(4, 3), (9, 20)])
def test_identity_covariance_is_lemma1_gaussian_icl(d, ell):
    G = _gamma(d, d)
    assert abs(gaussian_test_error(G, ell, 0.3, np.ones(d)) - e_icl_exact(G, ell, 0.3, "gaussian")) < 1e-13


def test_zero_covariance_is_lemma1_point_mass():
    """C = 0: the task is the point mass mu, Lemma 1 with R = mu mu^T and sigma2 = |mu|^2/d."""
    d, ell = 6, 5
    G = _gamma(d, 1)
    mu = np.random.default_rng(2).standard_normal(d)
    ref = exact_error(G, ell, 0.2, mu, np.outer(mu, mu), sigma2=float(mu @ mu) / d)
    assert abs(gaussian_test_error(G, ell, 0.2, np.zeros(d), mu) - ref) < 1e-12 * abs(ref)


def test_diagonal_and_full_forms_agree():
    d = 7
    G = _gamma(d, 3)
    c = covariance("powerlaw:0.9", d)
    assert abs(gaussian_test_error(G, 4, 0.1, c) - gaussian_test_error(G, 4, 0.1, np.diag(c.diag))) < 1e-13


@pytest.mark.mc
@pytest.mark.parametrize("case", [pytest.param("spike", marks=pytest.mark.ci), "rotated-with-mean", "lowrank"])
def test_exact_error_matches_brute_force_monte_carlo(case):
    """|z| < 4 against the reference sampler (every context token built), 2e5 fresh test sequences."""
    d, ell, rho = 6, 5, 0.2
    G = _gamma(d, 11, scale=1.5)
    rng = np.random.default_rng(12)
    mu = None
    if case == "spike":
        C = covariance("spike:2", d)
    elif case == "lowrank":
        C = covariance("lowrank:0.5", d)
    else:
        A = rng.standard_normal((d, d))
        C = from_matrix(A @ A.T)
        mu = 0.7 * rng.standard_normal(d)
    exact = gaussian_test_error(G, ell, rho, C, mu)
    mean, se = mc_gaussian_test_error(G, ell, rho, C, seed=13, n_test=200_000, mu=mu)
    assert abs(mean - exact) < 4 * se, (mean, exact, se)


@pytest.mark.mc
def test_gaussian_covariance_law_samples_its_covariance():
    law = task_law("gaussian:ramp")
    W = law.sample(40_000, 5, np.random.default_rng(0))
    emp = W.T @ W / len(W)
    C = covariance("ramp", 5).matrix()
    # entries of the sample covariance have sd ~ sqrt((C_ii C_jj + C_ij^2)/n) < 0.012: 5 sd
    assert np.max(np.abs(emp - C)) < 0.06


def test_job_function_is_reproducible_and_reports_every_test():
    kw = dict(train="powerlaw:0.9", tests="powerlaw:0.9, spike:0 ,identity")
    a = simulate_aligned_once(1.0, 2.0, 0.5, 0.1, 1e-3, 8, seed=4, **kw)
    b = simulate_aligned_once(1.0, 2.0, 0.5, 0.1, 1e-3, 8, seed=4, **kw)
    assert a["e_icl[spike:0]"] == b["e_icl[spike:0]"] and a["e_icl"] == a["e_icl[powerlaw:0.9]"]
    assert a["tests"] == "powerlaw:0.9,spike:0,identity"
    inf = simulate_aligned_once(1.0, 2.0, np.inf, 0.1, 1e-3, 8, seed=4, train="ramp", tests="ramp")
    assert inf["e_idg"] == inf["e_icl"]  # k = inf: the bank is the training law
    longer = simulate_aligned_once(1.0, 2.0, 0.5, 0.1, 1e-3, 8, seed=4, alpha_test=4.0, **kw)
    assert longer["ell_test"] == 32 and longer["e_idg"] == a["e_idg"]


def test_job_function_rejects_bad_specs_before_training():
    with pytest.raises(ValueError, match="covariance spec 'spike:99'"):
        simulate_aligned_once(1.0, 2.0, 0.5, 0.1, 1e-3, 8, seed=0, tests="spike:99")
    with pytest.raises(ValueError, match="covariance spec 'cube'"):
        simulate_aligned_once(1.0, 2.0, 0.5, 0.1, 1e-3, 8, seed=0, train="cube")
    with pytest.raises(ValueError, match="tests must name"):
        parse_tests(" , ")


def test_job_function_refuses_what_memory_cannot_hold():
    """The aligned run shares the pretraining half of simulate_once, with its memory check (before: it tried)."""
    with pytest.raises(ValueError, match=r"needs about .* GiB of memory"):
        simulate_aligned_once(1.0, 2.0, 1e8, 0.1, 1e-3, 8, seed=0, train="ramp", tests="ramp")

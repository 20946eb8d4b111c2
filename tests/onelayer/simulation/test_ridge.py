"""Tests of the pretraining ridge solver (docs/onelayer/model.md "Pretraining", §8 "Choosing a ridge solver").

The reference is independent of the code under test: the ``n x p`` feature matrix is built
row by row with ``numpy.kron`` and the ridge problem is solved as the augmented least-squares
problem ``[Phi; sqrt((n/d) lam) I] vec Gamma ~ [y; 0]`` with ``numpy.linalg.lstsq`` (SVD).

Tolerances.  For any approximate solution ``x`` of ``A x = b`` (``A`` symmetric positive
definite), ``||x - x*|| / ||x*|| <= cond_2(A) ||A x - b|| / ||b||`` exactly; the test
recomputes ``cond_2(A)`` and the residual densely, so this bound is rigorous up to rounding
in the check itself (allowed for by ``ROUNDING * eps * cond_2(A)``).  Separately, every
solution must be accurate to ``max(1e-6, ROUNDING * eps * cond_2(A))``: ``1e-6`` is the
CG forward-error stopping tolerance (``fwd_tol`` in ``_ridge_cg``) and ``eps * cond`` the
float64 limit of any backward-stable solve of the normal equations (the reference has an
error of the same order, since the least-squares sensitivity is ``cond(Phi_aug)^2 =
cond(A)``).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from iclsym.onelayer.simulation.solver import METHODS, RidgeResult, solve_ridge
from iclsym.onelayer.simulation.samplers import as_generator, pretraining_tasks, sample_sequences

EPS = np.finfo(np.float64).eps
#: Multiple of ``eps * cond_2(A)`` allowed for rounding (in the reference lstsq, in the
#: dense residual computed by the test, and in the solver): a few times ``sqrt(p)`` for
#: ``p <= 72``.
ROUNDING = 50.0


def _data(d, n, seed, alpha=2.0, kappa=0.5, rho=0.1):
    """Sequences from the model itself (bank of ``kappa d`` sphere tasks, ``ell = alpha d``)."""
    rng = as_generator(seed)
    k = max(1, round(kappa * d))
    _, tasks = pretraining_tasks(n, k, d, rng)
    return sample_sequences(tasks, max(1, round(alpha * d)), rho, rng)


def _features(xq, h):
    return np.array([np.kron(x, g) for x, g in zip(xq, h)])


def _reference(xq, h, y, lam):
    n, d = xq.shape
    phi = _features(xq, h)
    p = phi.shape[1]
    shift = n / d * lam
    aug = np.vstack([phi, np.sqrt(shift) * np.eye(p)])
    rhs = np.concatenate([y, np.zeros(p)])
    x = np.linalg.lstsq(aug, rhs, rcond=None)[0]
    a = phi.T @ phi + shift * np.eye(p)
    return x, a, phi.T @ y


def _solve_quietly(*args, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = solve_ridge(*args, **kwargs)
    return res, caught


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("lam", [1e-9, 1e-5, 0.1, 1.0])
@pytest.mark.parametrize("n_over_p", [0.5, 3.0])
@pytest.mark.parametrize("d", [4, 6, 8])
def test_matches_dense_least_squares(d, n_over_p, lam, method):
    p = d * (d + 1)
    n = int(n_over_p * p)
    xq, h, y = _data(d, n, seed=1000 * d + int(10 * n_over_p))
    x_ref, a, b = _reference(xq, h, y, lam)
    res, _ = _solve_quietly(xq, h, y, lam, method, rtol=1e-12)
    assert isinstance(res, RidgeResult)
    assert res.Gamma.shape == (d, d + 1)
    x = res.Gamma.ravel()
    cond = np.linalg.cond(a)
    res_dense = np.linalg.norm(a @ x - b) / np.linalg.norm(b)
    err = np.linalg.norm(x - x_ref) / np.linalg.norm(x_ref)
    # rigorous forward-error bound from the residual (module docstring)
    assert err <= cond * res_dense * (1 + 1e-6) + ROUNDING * EPS * cond
    # accuracy: CG fwd_tol 1e-6, or the float64 limit eps * cond (module docstring)
    assert err <= max(1e-6, ROUNDING * EPS * cond), (res.method, err, cond)
    # the reported residual is the true one (up to rounding of size eps * cond)
    assert abs(res.rel_residual - res_dense) <= 1e-3 * res_dense + ROUNDING * EPS * cond
    assert res.seconds >= 0.0 and res.iterations >= 0
    if method != "auto":
        assert res.method.startswith(method)


def test_auto_uses_each_regime():
    # small lam, n < p: dual; lam large with n >= p at d = 20: cg is cheaper than direct
    xq, h, y = _data(20, 200, seed=5)
    assert solve_ridge(xq, h, y, 1e-6).method == "dual"
    xq, h, y = _data(20, 20 * 20 * 3, seed=6)
    assert solve_ridge(xq, h, y, 1.0).method == "cg"
    xq, h, y = _data(20, 20 * 21 + 5, seed=7)  # n/p just above 1, tiny lam: primal
    assert solve_ridge(xq, h, y, 1e-9).method == "primal"


def test_auto_cg_budget_is_capped_by_maxiter():
    xq, h, y = _data(20, 20 * 20 * 3, seed=6)
    res = solve_ridge(xq, h, y, 1.0, maxiter=1)
    assert res.method == "cg->primal" and res.rel_residual <= 1e-8


@pytest.mark.parametrize("n_over_p", [0.5, 3.0])
def test_cg_fallback_when_maxiter_too_small(n_over_p):
    d = 6
    n = int(n_over_p * d * (d + 1))
    xq, h, y = _data(d, n, seed=11)
    res = solve_ridge(xq, h, y, 1e-3, "cg", maxiter=2)
    direct = "dual" if n < d * (d + 1) else "primal"
    assert res.method == f"cg->{direct}"
    assert res.rel_residual <= 1e-8
    x_ref, a, _ = _reference(xq, h, y, 1e-3)
    err = np.linalg.norm(res.Gamma.ravel() - x_ref) / np.linalg.norm(x_ref)
    assert err <= max(1e-6, ROUNDING * EPS * np.linalg.cond(a))


def test_cg_below_p_with_tiny_lam_is_not_garbage():
    # n < p: the null space of Phi has eigenvalue (n/d) lam; a small residual alone would
    # accept a wrong Gamma there (the stopping rule of _ridge_cg bounds the error instead)
    d = 6
    n = 21
    xq, h, y = _data(d, n, seed=12)
    x_ref, a, _ = _reference(xq, h, y, 1e-9)
    res, _ = _solve_quietly(xq, h, y, 1e-9, "cg")
    err = np.linalg.norm(res.Gamma.ravel() - x_ref) / np.linalg.norm(x_ref)
    assert err <= max(1e-6, ROUNDING * EPS * np.linalg.cond(a)), (res.method, err)


def test_singular_ridgeless_problem_warns_and_returns_min_norm():
    # h with two equal columns: Phi has an exact null space; lam = 0 with n > p
    d = 5
    xq, h, y = _data(d, 120, seed=13)
    h[:, 1] = h[:, 0]
    with pytest.warns(UserWarning, match="condition number"):
        res = solve_ridge(xq, h, y, 0.0, "primal")
    assert res.method == "primal-eigh"
    phi = _features(xq, h)
    x_ref = np.linalg.lstsq(phi, y, rcond=None)[0]  # minimum-norm least squares
    err = np.linalg.norm(res.Gamma.ravel() - x_ref) / np.linalg.norm(x_ref)
    assert err <= 1e-8  # the pseudo-inverse of a matrix with cond(nonzero part) ~ 1e3
    assert np.isfinite(res.rel_residual) and res.rel_residual <= 1e-8


def test_ill_conditioned_but_factorable_warns_with_condition_number():
    # an exact null space (equal columns of h) lifted only by lam = 1e-13: Cholesky succeeds
    # but cond(A) ~ 7e13, so float64 guarantees only ~eps * cond ~ 1e-2 relative accuracy
    d = 5
    xq, h, y = _data(d, 120, seed=13)
    h[:, 1] = h[:, 0]
    with pytest.warns(UserWarning, match=r"beyond float64 resolution: condition number ~[0-9.]+e\+13"):
        res = solve_ridge(xq, h, y, 1e-13, "primal")
    assert res.method == "primal"
    x_ref, a, b = _reference(xq, h, y, 1e-13)
    x = res.Gamma.ravel()
    cond = np.linalg.cond(a)
    res_dense = np.linalg.norm(a @ x - b) / np.linalg.norm(b)
    err = np.linalg.norm(x - x_ref) / np.linalg.norm(x_ref)
    assert err <= cond * res_dense * (1 + 1e-6) + ROUNDING * EPS * cond


def test_singular_dual_kernel_falls_back_to_pseudo_inverse():
    # n > p with lam = 0: the n x n kernel has rank p, Cholesky fails; the pseudo-inverse
    # gives Gamma = Phi^T K^+ y = Phi^+ y, the least-squares solution
    d = 5
    xq, h, y = _data(d, 120, seed=13)
    with pytest.warns(UserWarning, match="minimum-norm"):
        res = solve_ridge(xq, h, y, 0.0, "dual")
    assert res.method == "dual-eigh"
    phi = _features(xq, h)
    x_ref = np.linalg.lstsq(phi, y, rcond=None)[0]
    err = np.linalg.norm(res.Gamma.ravel() - x_ref) / np.linalg.norm(x_ref)
    assert err <= 1e-8  # cond(Phi)^2 ~ 3e2 here: rounding ~ p eps 3e2 ~ 2e-12, wide margin


def test_near_interpolation_threshold_tiny_lam():
    # n = p (tau ~ 1), lam = 1e-9: the hardest regime; the answer must be right or warned
    d = 8
    n = d * (d + 1)
    xq, h, y = _data(d, n, seed=14)
    x_ref, a, _ = _reference(xq, h, y, 1e-9)
    res, caught = _solve_quietly(xq, h, y, 1e-9)
    cond = np.linalg.cond(a)
    err = np.linalg.norm(res.Gamma.ravel() - x_ref) / np.linalg.norm(x_ref)
    assert np.isfinite(res.cond_estimate) and res.cond_estimate > 1.0
    assert err <= max(1e-6, ROUNDING * EPS * cond) or any(
        "condition number" in str(w.message) for w in caught
    )


@pytest.mark.parametrize("method", ["dual", "primal", "cg", "auto"])
def test_bit_identical_for_same_inputs(method):
    d = 12
    xq, h, y = _data(d, 3 * d * (d + 1), seed=15)
    r1 = solve_ridge(xq, h, y, 1e-3, method)
    r2 = solve_ridge(xq.copy(), h.copy(), y.copy(), 1e-3, method)
    assert np.array_equal(r1.Gamma, r2.Gamma)
    assert r1.method == r2.method and r1.iterations == r2.iterations


def test_primal_gram_chunking_does_not_change_the_answer():
    d = 5
    xq, h, y = _data(d, 100, seed=16)
    ref = solve_ridge(xq, h, y, 1e-2, "primal").Gamma
    for chunk in (1, 7, 1000):
        g = solve_ridge(xq, h, y, 1e-2, "primal", chunk=chunk).Gamma
        np.testing.assert_allclose(g, ref, rtol=0, atol=1e-12 * np.abs(ref).max())


def test_zero_labels_give_zero_gamma():
    xq, h, _ = _data(4, 30, seed=17)
    for method in ("dual", "primal", "cg"):
        res = solve_ridge(xq, h, np.zeros(30), 0.1, method)
        assert np.all(res.Gamma == 0.0) and res.rel_residual == 0.0


_GOOD = _data(3, 10, seed=18)


@pytest.mark.parametrize(
    "change, exc, match",
    [
        ({"xq": _GOOD[0][:, :2]}, ValueError, "h must have shape"),
        ({"xq": _GOOD[0].ravel()}, ValueError, "xq must be a 2-d array"),
        ({"h": _GOOD[1][:5]}, ValueError, "h must have shape"),
        ({"y": _GOOD[2][:5]}, ValueError, "y must have shape"),
        ({"y": _GOOD[2][:, None]}, ValueError, "y must be a 1-d array"),
        ({"xq": np.where(np.eye(10, 3) > 0, np.nan, _GOOD[0])}, ValueError, "xq must contain only finite"),
        ({"h": np.full((10, 4), np.inf)}, ValueError, "h must contain only finite"),
        ({"y": np.array(["a"] * 10)}, TypeError, "y must be a real array"),
        ({"lam": -1e-3}, ValueError, "lam must satisfy"),
        ({"lam": float("nan")}, ValueError, "lam must satisfy"),
        ({"lam": float("inf")}, ValueError, "lam must satisfy"),
        ({"lam": [0.1, 0.2]}, ValueError, "lam must be a scalar"),
        ({"method": "lu"}, ValueError, "method must be one of"),
        ({"rtol": 0.0}, ValueError, "rtol must satisfy"),
        ({"rtol": "1e-8"}, TypeError, "rtol must be a real number"),
        ({"maxiter": 0}, ValueError, "maxiter must be an integer"),
        ({"chunk": 0}, ValueError, "chunk must be an integer"),
    ],
)
def test_bad_inputs_raise_naming_the_argument(change, exc, match):
    args = {"xq": _GOOD[0], "h": _GOOD[1], "y": _GOOD[2], "lam": 0.1}
    kwargs = {}
    for key, value in change.items():
        (args if key in args else kwargs)[key] = value
    with pytest.raises(exc, match=match):
        solve_ridge(args["xq"], args["h"], args["y"], args["lam"], **kwargs)

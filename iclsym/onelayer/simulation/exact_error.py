"""Exact finite-``d`` test errors of a reduced-linear-attention matrix ``Gamma`` (the paper's Lemma 1).

``e(Gamma; mu, R)`` is the paper's Lemma 1: the expected squared error on a fresh sequence
whose task has mean ``mu`` and second moment ``R``, written through six normalised traces
of ``Gamma = [G | g]`` and the coefficients of :mod:`iclsym.onelayer._generated.lemma1` (derived by
``derivations/onelayer/lemma1.py``; docs/onelayer/lemma1.md).  ``e_ICL``: ``mu = 0, R = I``; ``e_IDG``: the empirical law of the bank.

:func:`mc_test_error` is the brute-force check: fresh sequences through the reference
sampler, returning the mean squared error and its standard error.
"""

from __future__ import annotations

import math

import numpy as np

from iclsym.core.params import check_param, check_size
from iclsym.onelayer._generated.lemma1 import error_coefficients, gaussian_task_correction
from iclsym.core.tasks import task_law
from iclsym.onelayer.simulation.samplers import as_generator, sample_sequences, sample_tasks

__all__ = ["error_traces", "exact_error", "e_icl_exact", "e_idg_exact", "mc_test_error"]

#: rows per chunk of the Monte Carlo estimator
_MC_CHUNK = 20_000


def _check_gamma(Gamma) -> np.ndarray:
    Gamma = np.asarray(Gamma, dtype=np.float64)
    if Gamma.ndim != 2 or Gamma.shape[1] != Gamma.shape[0] + 1 or Gamma.shape[0] < 2:
        raise ValueError(f"Gamma must have shape (d, d+1) with d >= 2; got {Gamma.shape}")
    if not np.all(np.isfinite(Gamma)):
        raise ValueError("Gamma must be finite")
    return Gamma


def _combine(coefs, traces):
    return sum(c * t for c, t in zip(coefs, traces))


def _traces(Gamma, mu=None, R=None, W=None):
    """Lemma 1's trace variables ``(1, T_GR, T_gmu, T_GG, T_GRG, T_gGmu, T_gg)`` of ``Gamma = [G | g]``.

    ``T_GR = tr(G R)/d``, ``T_gmu = g.mu/d``, ``T_GG = tr(G G^T)/d``, ``T_GRG = tr(G R G^T)/d``,
    ``T_gGmu = g^T G mu/d``, ``T_gg = |g|^2/d`` (docs/onelayer/lemma1.md) for test tasks with mean
    ``mu`` and second moment ``R``.  ``mu = R = None``: an isotropic test law (``mu = 0``,
    ``R = I``), cost ``O(d^2)``.  ``W`` ``(k, d)``: one point-mass law per row (``mu = w_j``,
    ``R = w_j w_j^T``), returning arrays over the rows, cost ``O(k d^2)``.  The leading ``1``
    pairs with ``c0``.
    """
    d = Gamma.shape[0]
    G, g = Gamma[:, :d], Gamma[:, d]
    T_GG = float(np.einsum("ij,ij->", G, G)) / d
    T_gg = float(g @ g) / d
    if W is not None:
        GW = W @ G.T  # rows G w_j
        return (1.0, np.einsum("jd,jd->j", W, GW) / d, (W @ g) / d, T_GG, np.einsum("jd,jd->j", GW, GW) / d,
                (GW @ g) / d, T_gg)
    if R is None:
        return (1.0, float(np.trace(G)) / d, 0.0, T_GG, T_GG, 0.0, T_gg)
    Gmu = G @ mu
    return (1.0, float(np.einsum("ij,ji->", G, R)) / d, float(g @ mu) / d, T_GG,
            float(np.einsum("ij,jk,ik->", G, R, G)) / d, float(g @ Gmu) / d, T_gg)


def error_traces(Gamma, mu, R):
    """The trace variables ``(1, T_GR, T_gmu, T_GG, T_GRG, T_gGmu, T_gg)`` for a test law with mean
    ``mu`` and second moment ``R`` (docs/onelayer/lemma1.md; the leading ``1`` pairs with ``c0``).

    Examples
    --------
    >>> d = 2; Gamma = np.hstack([np.eye(d), np.ones((d, 1))])
    >>> [float(t) for t in error_traces(Gamma, np.zeros(d), np.eye(d))]
    [1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0]
    """
    Gamma = _check_gamma(Gamma)
    d = Gamma.shape[0]
    mu = np.asarray(mu, dtype=np.float64)
    R = np.asarray(R, dtype=np.float64)
    if mu.shape != (d,) or R.shape != (d, d):
        raise ValueError(f"mu must have shape ({d},) and R shape ({d}, {d}); got {mu.shape}, {R.shape}")
    return _traces(Gamma, mu, R)


def exact_error(Gamma, ell, rho, mu, R, sigma2=1.0):
    """Exact test error ``e(Gamma; mu, R)`` (the paper's Lemma 1; docs/onelayer/lemma1.md).

    Exact for any test-task law with mean ``mu``, second moment ``R`` and all norms
    ``|w|^2 = sigma2 d``.

    Examples
    --------
    >>> d = 3; Z = np.zeros((d, d + 1))
    >>> exact_error(Z, 5, 0.1, np.zeros(d), np.eye(d))  # Gamma = 0 predicts 0: error 1 + rho
    1.1
    """
    ell = check_size("ell", ell, minimum=1)
    rho = float(check_param("rho", rho))
    traces = error_traces(Gamma, mu, R)
    return float(_combine(error_coefficients(Gamma.shape[0], ell, rho, sigma2), traces))


def e_icl_exact(Gamma, ell, rho, task_dist="sphere"):
    """Exact ICL error: a fresh test task from an isotropic law, ``mu = 0``, ``R = I`` (Lemma 1).

    ``task_dist`` is a task law or its spec (:mod:`iclsym.core.tasks`): on the sphere the norm is
    fixed; ``"gaussian"`` (``w ~ N(0, I)``) adds :func:`gaussian_task_correction` to ``c_gg``.
    Cost ``O(d^2)``.

    Examples
    --------
    >>> d = 4; Gamma = np.hstack([np.eye(d), np.zeros((d, 1))])  # predicts x^T s
    >>> round(e_icl_exact(Gamma, 8, 0.0), 12)  # 1 - 2 + (d/ell) + (1 + 1/ell)
    0.625
    """
    Gamma = _check_gamma(Gamma)
    d = Gamma.shape[0]
    ell = check_size("ell", ell, minimum=1)
    rho = float(check_param("rho", rho))
    law = task_law(task_dist, "task_dist")
    if not law.isotropic or law.c_tr != 1.0:
        raise ValueError(f"task_dist must be an isotropic law with E|w|^2/d = 1 here; got {law.spec!r}")
    coefs = list(error_coefficients(d, ell, rho, 1.0))
    if not law.fixed_norm:
        coefs[6] = coefs[6] + gaussian_task_correction(d, ell, rho)
    return float(_combine(coefs, _traces(Gamma)))


def e_idg_exact(Gamma, W, ell, rho):
    """Exact IDG error: the test task uniform on the bank ``W`` ``(k, d)`` (Lemma 1).

    Averages the conditional error given each bank task, with that task's own
    ``sigma2_j = |w_j|^2/d``; on a sphere bank this equals
    ``e(Gamma; mu_hat, R_hat)``, and it stays exact for banks of unequal norms
    (Gaussian tasks).  Cost ``O(k d^2)``, no ``d x d`` ``R_hat`` is formed.

    Examples
    --------
    >>> d = 3; W = np.sqrt(d) * np.eye(d)[:1]; Gamma = np.zeros((d, d + 1))
    >>> e_idg_exact(Gamma, W, 4, 0.2)
    1.2
    """
    Gamma = _check_gamma(Gamma)
    d = Gamma.shape[0]
    W = np.asarray(W, dtype=np.float64)
    if W.ndim != 2 or W.shape[1] != d or W.shape[0] < 1:
        raise ValueError(f"W must be a (k, {d}) bank of tasks with k >= 1; got shape {W.shape}")
    ell = check_size("ell", ell, minimum=1)
    rho = float(check_param("rho", rho))
    sigma2 = np.einsum("jd,jd->j", W, W) / d
    return float(np.mean(_combine(error_coefficients(d, ell, rho, sigma2), _traces(Gamma, W=W))))


def mc_test_error(Gamma, ell, rho, seed, n_test, W=None, task_dist="sphere", sampler="reference"):
    """Brute-force Monte Carlo test error: ``(mean, standard error)`` of the squared error.

    ``n_test`` fresh sequences from ``sampler`` (default: the reference sampler, which builds
    every context token).  Test tasks are fresh draws from ``task_dist`` (ICL) or, when a
    bank ``W`` is given, uniform draws from it (IDG).

    Examples
    --------
    >>> d = 3; m, se = mc_test_error(np.zeros((d, d + 1)), 4, 0.5, seed=0, n_test=4000)
    >>> abs(m - 1.5) < 5 * se
    True
    """
    Gamma = _check_gamma(Gamma)
    d = Gamma.shape[0]
    n_test = check_size("n_test", n_test, minimum=2)
    if W is None:
        def draw(m, rng):
            return sample_tasks(m, d, rng, task_dist)
    else:
        bank = np.asarray(W, dtype=np.float64)

        def draw(m, rng):
            return bank[rng.integers(0, len(bank), size=m)]
    return mc_mean_se(Gamma, ell, rho, as_generator(seed), n_test, draw, sampler)


def mc_mean_se(Gamma, ell, rho, rng, n_test, draw, sampler) -> tuple[float, float]:
    """``(mean, SE)`` of the squared query error of ``Gamma`` over ``n_test`` fresh sequences of length
    ``ell`` whose tasks ``draw(m, rng)`` returns (``(m, d)``), in chunks; the brute-force check of the exact
    errors for every task law."""
    total = total2 = 0.0
    for lo in range(0, n_test, _MC_CHUNK):
        m = min(_MC_CHUNK, n_test - lo)
        xq, h, y = sample_sequences(draw(m, rng), ell, rho, rng, sampler)
        err = (y - np.einsum("mj,mj->m", xq @ Gamma, h)) ** 2
        total += float(err.sum())
        total2 += float((err * err).sum())
    mean = total / n_test
    var = max(total2 / n_test - mean * mean, 0.0) * n_test / (n_test - 1)
    return mean, math.sqrt(var / n_test)

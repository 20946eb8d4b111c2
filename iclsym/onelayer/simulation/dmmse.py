"""The finite-task Bayes baseline, dMMSE (docs/onelayer/dmmse.md; the paper's Fig. 4 comparison).

Under the uniform prior on the bank ``{w_j}``, the posterior mean given a context
``(X, y)`` is ``w_hat = sum_j p_j w_j`` with
``log p_j = -|y - X w_j|^2/(2 rho) + const = (w_j^T X^T y - w_j^T X^T X w_j/2)/rho + const``,
so only the sufficient statistics ``X^T X`` and ``X^T y`` of a context matter (``|y|^2``
cancels in the normalisation).  With ``X^T X = F F^T`` and ``X^T e = sqrt(rho) F z``
(``z`` standard normal), ``X^T y = F c`` with ``c = F^T w + sqrt(rho) z``, hence

    log p_j = ( (F^T w_j) . c - |F^T w_j|^2/2 ) / rho + const.

``F`` is drawn directly: for ``ell >= d`` by the Bartlett decomposition of the Wishart
``X^T X ~ W_d(ell, I/d)`` (``F = L/sqrt(d)``, ``L`` lower triangular with
``L_ii^2 ~ chi2(ell - i + 1)``, standard normals below the diagonal); for ``ell < d`` as
``F = X^T`` itself.  The cost per context is ``O(k d min(ell, d))`` -- never ``O(k ell d)``
for ``ell > d``.  Log-weights are max-shifted before exponentiation.

Given the context, the expected squared error on the query is exactly
``rho + |w - w_hat|^2/d`` (the query is independent of the context), which is what is
averaged (a conditional expectation: lower variance than sampling the query).
"""

from __future__ import annotations

import math
import time

import numpy as np

from iclsym.core.params import Params, Sizes, check_size
from iclsym.core.tasks import task_law
from iclsym.onelayer.simulation.samplers import as_generator, sample_tasks

__all__ = ["wishart_factor", "posterior_mean", "dmmse_errors", "dmmse_once"]

#: float64 elements of the per-batch ``(m, k, r)`` array of projected tasks
_BATCH_ELEMENTS = 8_000_000


def wishart_factor(m, ell, d, rng):
    """``m`` factors ``F`` ``(m, d, r)`` with ``F F^T`` distributed as ``X^T X`` (``X`` ``ell x d``, ``N(0, 1/d)``).

    ``r = min(ell, d)``: Bartlett factor ``L/sqrt(d)`` when ``ell >= d``, else ``X^T``.

    Examples
    --------
    >>> F = wishart_factor(2000, 7, 3, as_generator(0))
    >>> F.shape, bool(np.allclose((F @ F.transpose(0, 2, 1)).mean(0), 7 / 3 * np.eye(3), atol=0.2))
    ((2000, 3, 3), True)
    """
    if ell < d:
        return np.transpose(rng.standard_normal((m, ell, d)), (0, 2, 1)) / math.sqrt(d)
    L = np.tril(rng.standard_normal((m, d, d)), -1)
    df = ell - np.arange(d)  # ell, ell - 1, ..., ell - d + 1  (all >= 1)
    L[:, np.arange(d), np.arange(d)] = np.sqrt(2.0 * rng.standard_gamma(df / 2.0, size=(m, d)))
    return L / math.sqrt(d)


def posterior_mean(W, F, c, rho):
    """Posterior mean ``w_hat`` ``(m, d)`` over the bank ``W`` ``(k, d)`` (docs/onelayer/dmmse.md).

    ``F`` ``(m, d, r)`` and ``c`` ``(m, r)`` encode ``X^T X = F F^T``, ``X^T y = F c``.

    Examples
    --------
    >>> W = np.array([[1.0, 0.0], [0.0, 1.0]]); F = np.eye(2)[None] * 3.0
    >>> posterior_mean(W, F, (F[0].T @ W[0])[None], 0.01).round(6)  # noiseless context of task 0
    array([[1., 0.]])
    """
    P = np.einsum("kd,mdr->mkr", W, F, optimize=True)  # F^T w_j
    score = np.einsum("mkr,mr->mk", P, c) - 0.5 * np.einsum("mkr,mkr->mk", P, P)
    # max-shift *before* dividing by rho: every shifted score is <= 0, so a tiny rho gives -inf
    # (weight 0) or 0 (weight 1), never inf - inf
    score -= score.max(axis=1, keepdims=True)
    with np.errstate(over="ignore", divide="ignore"):
        p = np.exp(score / rho)
    p /= p.sum(axis=1, keepdims=True)
    return p @ W


def dmmse_errors(W, tasks, ell, rho, rng):
    """Per-context dMMSE errors ``rho + |w - w_hat|^2/d`` for test tasks ``tasks`` ``(m, d)``.

    Each row of ``tasks`` gets its own context (its own ``F`` and noise).  Memory is
    bounded by processing contexts in batches.

    Examples
    --------
    >>> W = sample_tasks(1, 4, as_generator(0))  # one task: w_hat = w_1 exactly
    >>> dmmse_errors(W, W.repeat(3, 0), 5, 0.1, as_generator(1))
    array([0.1, 0.1, 0.1])
    """
    W = np.asarray(W, dtype=np.float64)
    tasks = np.asarray(tasks, dtype=np.float64)
    if W.ndim != 2 or tasks.ndim != 2 or tasks.shape[1] != W.shape[1]:
        raise ValueError(f"W (k, d) and tasks (m, d) must share d; got shapes {W.shape}, {tasks.shape}")
    ell = check_size("ell", ell, minimum=1)
    return _errors(W, [tasks], ell, rho, rng)[0]


def _errors(W, task_sets, ell, rho, rng):
    """Errors for several task sets sharing contexts' ``F`` and noise ``z`` (paired)."""
    k, d = W.shape
    m = len(task_sets[0])
    r = min(ell, d)
    batch = max(1, _BATCH_ELEMENTS // (k * r + d * r))
    out = [np.empty(m) for _ in task_sets]
    for lo in range(0, m, batch):
        hi = min(m, lo + batch)
        F = wishart_factor(hi - lo, ell, d, rng)
        z = math.sqrt(rho) * rng.standard_normal((hi - lo, r))
        for tasks, err in zip(task_sets, out):
            w = tasks[lo:hi]
            c = np.einsum("mdr,md->mr", F, w) + z
            w_hat = posterior_mean(W, F, c, rho)
            err[lo:hi] = rho + np.einsum("md,md->m", w - w_hat, w - w_hat) / d
    return out


def _mean_se(x):
    return float(np.mean(x)), float(np.std(x, ddof=1) / math.sqrt(len(x)))


def dmmse_once(alpha: float, kappa: float, rho: float, d: int, seed, n_test: int = 1000,
               task_dist: str = "sphere") -> dict:
    """One dMMSE run: a bank, then ``n_test`` ICL and IDG test contexts (docs/onelayer/dmmse.md).

    ``ell = round(alpha d)``, ``k = round(kappa d)`` (the rounding of
    :meth:`iclsym.core.params.Sizes.from_params`).  Context ``i`` of the ICL set and context
    ``i`` of the IDG set share the context tokens and noise and differ only in the task
    (fresh vs drawn from the bank), so ``g_task``'s standard error comes from the paired
    differences.

    Returns
    -------
    dict
        ``e_icl, e_idg, g_task`` (means over contexts), ``se_e_icl, se_e_idg, se_g_task``
        (standard errors of those means), ``alpha_eff, kappa_eff, d, ell, k, n_test,
        rho, seconds``.

    Examples
    --------
    >>> r = dmmse_once(2.0, 0.5, 0.1, 8, seed=0, n_test=50)
    >>> sorted(k for k in r if k.startswith("se_"))
    ['se_e_icl', 'se_e_idg', 'se_g_task']
    """
    t0 = time.perf_counter()
    params = Params(alpha, 1.0, kappa, rho)  # tau is unused by dMMSE
    if math.isinf(params.kappa):
        raise ValueError("kappa must be finite for dMMSE (the posterior is over a finite bank); got inf")
    if params.rho <= 0.0:
        raise ValueError(f"rho must satisfy 0 < rho < inf for dMMSE (the likelihood needs noise); got {params.rho}")
    sizes = Sizes.from_params(d, params)
    n_test = check_size("n_test", n_test, minimum=2)
    law = task_law(task_dist, "task_dist")
    rng = as_generator(seed)
    W = sample_tasks(sizes.k, sizes.d, rng, law)
    fresh = sample_tasks(n_test, sizes.d, rng, law)
    from_bank = W[rng.integers(0, sizes.k, size=n_test)]
    err_icl, err_idg = _errors(W, [fresh, from_bank], sizes.ell, params.rho, rng)
    out = {}
    for name, x in (("e_icl", err_icl), ("e_idg", err_idg), ("g_task", err_icl - err_idg)):
        out[name], out["se_" + name] = _mean_se(x)
    out.update(
        alpha_eff=sizes.alpha,
        kappa_eff=sizes.kappa,
        d=sizes.d,
        ell=sizes.ell,
        k=sizes.k,
        n_test=n_test,
        rho=params.rho,
        task_dist=law.spec,
        seconds=time.perf_counter() - t0,
    )
    return out

"""Matrix-free preconditioned conjugate gradients for the ridge normal equations (DESIGN §8).

Solves ``A vec Gamma = b`` with ``A = Phi^T Phi + shift I``, ``shift = (n/d) lam``,
``b = Phi^T y``, applying ``A`` as ``Gamma -> sum_mu x_mu (x_mu^T Gamma h_mu) h_mu^T +
shift Gamma`` (two ``O(n d^2)`` matrix products; no ``p x p`` matrix).

Preconditioner.  The query token is independent of the context and ``E[x x^T] = I/d``
(DESIGN §2), so ``E[A] Gamma = Gamma (h^T h / d + shift I) = (n/d) Gamma (C_h + lam I)``
with ``C_h = h^T h / n``.  The preconditioner applies the inverse of that expected
operator, ``R -> R M^{-1}`` with ``M = h^T h / d + shift I`` (a ``(d+1) x (d+1)`` Cholesky
computed once).

Condition estimate.  The CG coefficients define the Lanczos tridiagonal matrix of the
preconditioned operator; the ratio of its extreme eigenvalues (Ritz values) is a lower
bound on the condition number of ``M^{-1/2} A M^{-1/2}`` that is usually close after a
few tens of iterations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg

from ._ridge_ops import adjoint, normal_op

__all__ = ["CGSolution", "solve_cg"]


@dataclass
class CGSolution:
    """Raw output of :func:`solve_cg`."""

    Gamma: np.ndarray
    iterations: int
    converged: bool
    cond_estimate: float


def _ritz_cond(alphas, betas) -> float:
    k = len(alphas)
    if k == 0:
        return float("nan")
    a = np.asarray(alphas)
    b = np.asarray(betas[: k - 1])
    diag = 1.0 / a
    diag[1:] += b / a[:-1]
    off = np.sqrt(b) / a[:-1]
    ritz = scipy.linalg.eigvalsh_tridiagonal(diag, off, check_finite=False)
    lo = float(ritz[0])
    return float(ritz[-1]) / lo if lo > 0.0 else float("inf")


def solve_cg(xq, h, y, shift, rtol, maxiter) -> CGSolution:
    """Preconditioned CG from ``Gamma = 0`` until ``||r|| <= rtol ||b||`` or ``maxiter``.

    ``r`` is the recursively updated residual; the caller verifies the true residual.

    Examples
    --------
    >>> rng = np.random.default_rng(0); xq = rng.normal(size=(200, 3)) / 3**0.5
    >>> h = rng.normal(size=(200, 4)); y = rng.normal(size=200)
    >>> sol = solve_cg(xq, h, y, 1.0, 1e-10, 200)
    >>> sol.converged, sol.iterations < 40
    (True, True)
    """
    n, d = xq.shape
    b = adjoint(xq, h, y)
    nb = float(np.linalg.norm(b))
    gamma = np.zeros_like(b)
    if nb == 0.0:
        return CGSolution(gamma, 0, True, float("nan"))
    m = (h.T @ h) / d
    m[np.diag_indices_from(m)] += shift
    try:
        fac = scipy.linalg.cho_factor(m, lower=True, check_finite=False)
    except np.linalg.LinAlgError:  # h^T h singular and shift = 0: jitter the diagonal
        m[np.diag_indices_from(m)] += 1e-12 * np.trace(m) / m.shape[0]
        fac = scipy.linalg.cho_factor(m, lower=True, check_finite=False)

    def precondition(r):
        return scipy.linalg.cho_solve(fac, r.T, check_finite=False).T

    r = b.copy()
    z = precondition(r)
    pdir = z.copy()
    rz = float(np.vdot(r, z))
    alphas, betas = [], []
    converged = False
    it = 0
    while it < maxiter:
        ap = normal_op(xq, h, pdir, shift)
        pap = float(np.vdot(pdir, ap))
        if not pap > 0.0:  # breakdown (operator not positive definite numerically)
            break
        alpha = rz / pap
        gamma += alpha * pdir
        r -= alpha * ap
        it += 1
        alphas.append(alpha)
        if float(np.linalg.norm(r)) <= rtol * nb:
            converged = True
            break
        z = precondition(r)
        rz_new = float(np.vdot(r, z))
        beta = rz_new / rz
        betas.append(beta)
        rz = rz_new
        pdir *= beta
        pdir += z
    return CGSolution(gamma, it, converged, _ritz_cond(alphas, betas))

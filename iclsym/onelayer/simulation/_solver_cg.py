"""Matrix-free preconditioned conjugate gradients for the ridge normal equations (docs/onelayer/solvers.md).

Solves ``A vec Gamma = b`` with ``A = Phi^T Phi + shift I``, ``shift = (n/d) lam``,
``b = Phi^T y``, applying ``A`` as ``Gamma -> sum_mu x_mu (x_mu^T Gamma h_mu) h_mu^T +
shift Gamma`` (two ``O(n d^2)`` matrix products; no ``p x p`` matrix).

Preconditioner.  The query token is independent of the context and ``E[x x^T] = I/d``
(docs/onelayer/model.md), so ``E[A] Gamma = Gamma (h^T h / d + shift I) = (n/d) Gamma (C_h + lam I)``
with ``C_h = h^T h / n``.  The preconditioner applies the inverse of that expected
operator, ``R -> R M^{-1}`` with ``M = h^T h / d + shift I``: the ``(d+1) x (d+1)`` inverse
is formed once from a symmetric eigendecomposition (eigenvalues floored at ``1e-12`` of the
largest if ``M`` is singular) and applied without BLAS (see ``_dot``).

Condition estimate.  The CG coefficients define the Lanczos tridiagonal matrix of the
preconditioned operator; its extreme eigenvalues (Ritz values) lie inside the spectrum of
``M^{-1/2} A M^{-1/2}`` and their ratio is a lower bound on its condition number that is
usually close after a few tens of iterations.

Stopping rule (two conditions).  A small normal-equations residual ``r = b - A x`` alone
does not make ``x`` accurate: ``||x - x*|| <= ||r|| / lambda_min(A)``.  When ``n < p`` the
feature matrix has a null space, so ``lambda_min(A) = shift`` exactly, and the
preconditioner (which does not preserve the row space of ``Phi``) lets CG leave error
there that the residual barely sees.  CG therefore stops only when

* ``||r|| <= rtol ||b||``, and
* ``||r|| <= fwd_tol * lambda_lo * ||x||``, a bound ``fwd_tol`` on the relative error of
  ``x``, with ``lambda_lo = shift`` if ``n < p`` (rigorous) and otherwise
  ``max(shift, theta_min * lambda_min(M))`` where ``theta_min`` is the smallest Ritz
  value of the preconditioned operator (``x^T A x >= mu_min lambda_min(M) |x|^2``; an
  estimate, since Ritz values can miss eigenvalues the right-hand side does not excite).

With ``shift = 0`` and ``n < p`` the second condition can never hold; CG then returns at
once, unconverged, and the caller falls back to a direct solve.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg

from ._solver_ops import RidgeOperator

__all__ = ["CGSolution", "solve_cg"]


@dataclass
class CGSolution:
    """Raw output of :func:`solve_cg`."""

    Gamma: np.ndarray
    iterations: int
    converged: bool
    cond_estimate: float


def _dot(a, b) -> float:
    # Not BLAS: OpenBLAS threads even small ddot/gemm calls, and under CPU contention the
    # thread hand-off costs tens of milliseconds per call (measured), dwarfing the work.
    return float(np.einsum("ij,ij->", a, b))


def _ritz_values(alphas, betas) -> np.ndarray:
    k = len(alphas)
    a = np.asarray(alphas)
    b = np.asarray(betas[: k - 1])
    diag = 1.0 / a
    diag[1:] += b / a[:-1]
    off = np.sqrt(b) / a[:-1]
    return scipy.linalg.eigvalsh_tridiagonal(diag, off, check_finite=False)


def _cond(ritz) -> float:
    if ritz.size == 0:
        return float("nan")
    lo = float(ritz[0])
    return float(ritz[-1]) / lo if lo > 0.0 else float("inf")


def solve_cg(op: RidgeOperator, y, shift, rtol, maxiter, fwd_tol=1e-6) -> CGSolution:
    """Preconditioned CG from ``Gamma = 0`` until the stopping rule above or ``maxiter``.

    ``r`` is the recursively updated residual; the caller verifies the true residual.

    Examples
    --------
    >>> rng = np.random.default_rng(0); xq = rng.normal(size=(200, 3)) / 3**0.5
    >>> h = rng.normal(size=(200, 4)); y = rng.normal(size=200)
    >>> sol = solve_cg(RidgeOperator(xq, h), y, 1.0, 1e-10, 200)
    >>> sol.converged, sol.iterations < 40
    (True, True)
    >>> solve_cg(RidgeOperator(xq[:5], h[:5]), y[:5], 0.0, 1e-10, 200).converged  # n < p, lam 0
    False
    """
    xq, h = op.xq, op.h
    n, d = xq.shape
    b = op.adjoint(y)
    nb = float(np.linalg.norm(b))
    gamma = np.zeros_like(b)
    if nb == 0.0:
        return CGSolution(gamma, 0, True, float("nan"))
    null_space = n < d * h.shape[1]
    if null_space and shift == 0.0:  # the error bound below can never be met: do not iterate
        return CGSolution(gamma, 0, False, float("nan"))
    m = op.hth / d
    m[np.diag_indices_from(m)] += shift
    w, v = np.linalg.eigh(m)  # numpy's eigh: scipy's default driver took ~0.3 s at d = 100 here
    if not w[0] > 0.0:  # h^T h singular and shift = 0: jitter the spectrum
        w = np.maximum(w, 1e-12 * float(np.max(w)))
    m_min = float(w[0])
    m_inv = (v / w) @ v.T

    def precondition(r):
        return np.einsum("ij,jk->ik", r, m_inv)

    r = b.copy()
    z = precondition(r)
    pdir = z.copy()
    rz = _dot(r, z)
    alphas, betas = [], []
    converged = False
    it = 0
    while it < maxiter:
        ap = op.normal(pdir, shift)
        pap = _dot(pdir, ap)
        if not pap > 0.0:  # breakdown (operator not positive definite numerically)
            break
        alpha = rz / pap
        gamma += alpha * pdir
        r -= alpha * ap
        it += 1
        alphas.append(alpha)
        nr = _dot(r, r) ** 0.5
        if nr <= rtol * nb:
            if null_space:
                lam_lo = shift
            else:
                ritz = _ritz_values(alphas, betas)
                lam_lo = max(shift, float(ritz[0]) * m_min)
            if nr <= fwd_tol * lam_lo * _dot(gamma, gamma) ** 0.5:
                converged = True
                break
        z = precondition(r)
        rz_new = _dot(r, z)
        beta = rz_new / rz
        betas.append(beta)
        rz = rz_new
        pdir *= beta
        pdir += z
    return CGSolution(gamma, it, converged, _cond(_ritz_values(alphas, betas)))

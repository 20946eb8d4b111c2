"""Direct (factorisation-based) ridge solvers: dual kernel and primal Gram (docs/onelayer/solvers.md).

Both solve the paper's ridge problem (docs/onelayer/model.md)

    min_Gamma  sum_mu (y_mu - xq_mu^T Gamma h_mu)^2 + shift ||Gamma||_F^2,   shift = (n/d) lam

* :func:`solve_dual` -- ``(K + shift I) a = y`` with the ``n x n`` kernel
  ``K = (xq xq^T) * (h h^T)`` (elementwise; ``K = Phi Phi^T`` because
  ``<x (kron) h, x' (kron) h'> = (x.x')(h.h')``), then ``Gamma = xq^T diag(a) h``.
  Cost ``O(n^2 d + n^3/3)``; the natural choice when ``n < p = d(d+1)``.
* :func:`solve_primal` -- ``(Phi^T Phi + shift I) vec Gamma = Phi^T y`` with the ``p x p``
  Gram accumulated over chunks of sequences by the symmetric rank-k BLAS update
  ``dsyrk`` (lower triangle only).  Cost ``O(n p^2 + p^3/3)``.

Both factor with Cholesky (LAPACK ``potrf`` through :func:`scipy.linalg.cho_factor`),
estimate the 1-norm condition number of the factored matrix with LAPACK ``dpocon``
(``1/rcond``; the 1-norm itself is computed exactly from the stored lower triangle), and
apply a few steps of fixed-precision iterative refinement whose residual is computed
matrix-free in ``O(n d^2)``.  If Cholesky fails (the matrix is not numerically positive
definite, e.g. ``lam = 0`` with a singular kernel) they fall back to a symmetric
eigendecomposition and the pseudo-inverse (eigenvalues below ``size * eps * max``
dropped), i.e. the minimum-norm least-squares solution; the method name then gets the
suffix ``"-eigh"``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg
from scipy.linalg.blas import dsyrk
from scipy.linalg.lapack import dpocon

from ._solver_ops import RidgeOperator

__all__ = ["DirectSolution", "solve_dual", "solve_primal", "default_chunk", "gram_lower"]

_EPS = float(np.finfo(np.float64).eps)
#: Maximum number of iterative-refinement steps after a Cholesky solve.
MAX_REFINE = 3


@dataclass
class DirectSolution:
    """Raw output of a direct solve (wrapped into ``RidgeResult`` by ``solve_ridge``)."""

    Gamma: np.ndarray
    method: str
    refinements: int
    cond_estimate: float


def default_chunk(p: int) -> int:
    """Rows per ``dsyrk`` chunk: about 32 MiB of features, at least 256 rows.

    >>> default_chunk(10100)
    415
    """
    return max(256, (32 * 2**20) // (8 * p))


def _sym_norm1_lower(a: np.ndarray, block: int = 1024) -> float:
    """1-norm of the symmetric matrix whose lower triangle is stored in ``a`` (upper = 0)."""
    m = a.shape[0]
    colsum = np.zeros(m)
    rowsum = np.zeros(m)
    for j0 in range(0, m, block):
        blk = np.abs(a[:, j0 : j0 + block])
        colsum[j0 : j0 + block] = blk.sum(axis=0)
        rowsum += blk.sum(axis=1)
    return float(np.max(colsum + rowsum - np.abs(np.diag(a))))


def gram_lower(xq: np.ndarray, h: np.ndarray, chunk: int | None = None) -> np.ndarray:
    """Lower triangle of ``Phi^T Phi`` (``p x p``, Fortran order; upper triangle zero).

    Rows of ``Phi`` are ``xq_mu (kron) h_mu``; they are built ``chunk`` at a time as a
    C-ordered ``(m, p)`` block, whose transpose is a Fortran-ordered ``(p, m)`` block that
    ``dsyrk`` (``trans=0, lower=1``) consumes without a copy, accumulating in place.

    Examples
    --------
    >>> rng = np.random.default_rng(0); xq = rng.normal(size=(7, 2)); h = rng.normal(size=(7, 3))
    >>> phi = np.einsum("mi,mj->mij", xq, h).reshape(7, 6)
    >>> bool(np.allclose(gram_lower(xq, h, chunk=3), np.tril(phi.T @ phi)))
    True
    """
    n, d = xq.shape
    p = d * h.shape[1]
    chunk = default_chunk(p) if chunk is None else chunk
    gram = np.zeros((p, p), order="F")
    buf = np.empty((chunk, d, h.shape[1]))
    for i0 in range(0, n, chunk):
        m = min(chunk, n - i0)
        block = buf[:m]
        np.multiply(xq[i0 : i0 + m, :, None], h[i0 : i0 + m, None, :], out=block)
        out = dsyrk(1.0, block.reshape(m, p).T, beta=1.0, c=gram, trans=0, lower=1, overwrite_c=1)
        if out is not gram:  # pragma: no cover - would mean scipy copied the accumulator
            gram = out
    return gram


def _cholesky_solve_refined(mat, anorm, rhs, apply_a, rtol):
    """Cholesky-factor ``mat`` (lower, in place), solve, refine; raise LinAlgError if not PD."""
    fac = scipy.linalg.cho_factor(mat, lower=True, overwrite_a=True, check_finite=False)
    rcond, info = dpocon(fac[0], anorm, uplo="L")
    cond = float("inf") if info != 0 or rcond <= 0.0 else 1.0 / float(rcond)
    x = scipy.linalg.cho_solve(fac, rhs, check_finite=False)
    nb = float(np.linalg.norm(rhs))
    steps = 0
    res = rhs - apply_a(x)
    nres = float(np.linalg.norm(res))
    while steps < MAX_REFINE and nb > 0.0 and nres > rtol * nb:
        x_new = x + scipy.linalg.cho_solve(fac, res, check_finite=False)
        res_new = rhs - apply_a(x_new)
        nres_new = float(np.linalg.norm(res_new))
        steps += 1
        if not nres_new < nres:
            break
        x, res, nres = x_new, res_new, nres_new
    return x, steps, cond


def _eigh_pinv_solve(mat_lower, rhs, shift):
    """Minimum-norm solution of ``(M + shift I) x = rhs`` via ``eigh`` (lower triangle)."""
    w, v = scipy.linalg.eigh(mat_lower, lower=True, overwrite_a=True, check_finite=False)
    w = w + shift
    wmax = float(np.max(np.abs(w))) if w.size else 0.0
    keep = w > mat_lower.shape[0] * _EPS * wmax
    coef = np.where(keep, (v.T @ rhs) / np.where(keep, w, 1.0), 0.0)
    cond = float("inf") if not np.all(keep) else wmax / float(np.min(w))
    return v @ coef, cond


def _solve_shifted(build, rhs, apply_a, shift, rtol, name):
    """Solve ``(M + shift I) x = rhs`` for the symmetric matrix ``M = build()`` (lower triangle).

    Cholesky with iterative refinement (``apply_a`` applies ``M + shift I`` matrix-free); if the
    factorisation fails, ``M`` is rebuilt and solved by the ``eigh`` pseudo-inverse (method
    ``name + "-eigh"``).  Returns ``(x, method, refinement_steps, cond_estimate)``.
    """
    mat = build()
    mat[np.diag_indices(mat.shape[0])] += shift
    anorm = _sym_norm1_lower(mat)
    try:
        x, steps, cond = _cholesky_solve_refined(mat, anorm, rhs, apply_a, rtol)
    except np.linalg.LinAlgError:
        x = None
    if x is not None:
        return x, name, steps, cond
    del mat  # outside the except block, so the traceback no longer holds the factor
    x, cond = _eigh_pinv_solve(build(), rhs, shift)
    return x, name + "-eigh", 0, cond


def _dual_kernel_lower(xq, h, block: int = 1024):
    """Lower triangle of ``K = (xq xq^T) * (h h^T)`` (Fortran order, upper triangle zero).

    The ``h`` Gram is applied one column block at a time, so the peak memory is one
    ``n x n`` matrix plus an ``n x block`` temporary.

    >>> rng = np.random.default_rng(0); xq = rng.normal(size=(9, 2)); h = rng.normal(size=(9, 3))
    >>> bool(np.allclose(_dual_kernel_lower(xq, h, block=4), np.tril((xq @ xq.T) * (h @ h.T))))
    True
    """
    n = xq.shape[0]
    k = dsyrk(1.0, xq.T, trans=1, lower=1)
    for j0 in range(0, n, block):
        j1 = min(n, j0 + block)
        k[j0:, j0:j1] *= h[j0:] @ h[j0:j1].T
    return k


def solve_dual(op: RidgeOperator, y, shift, rtol):
    """Dual (kernel) ridge solve; see the module docstring.

    Examples
    --------
    >>> rng = np.random.default_rng(1); xq = rng.normal(size=(5, 2)); h = rng.normal(size=(5, 3))
    >>> y = rng.normal(size=5); op = RidgeOperator(xq, h)
    >>> sol = solve_dual(op, y, 0.0, 1e-12)   # n = 5 < p = 6: interpolates
    >>> bool(np.allclose(op.forward(sol.Gamma), y)), sol.method
    (True, 'dual')
    """
    xq, h = op.xq, op.h

    def apply_k(a):
        return op.forward(op.adjoint(a)) + shift * a

    a, method, steps, cond = _solve_shifted(lambda: _dual_kernel_lower(xq, h), y, apply_k, shift, rtol, "dual")
    return DirectSolution(op.adjoint(a), method, steps, cond)


def solve_primal(op: RidgeOperator, y, shift, rtol, chunk=None):
    """Primal (Gram / normal equations) ridge solve; see the module docstring.

    Examples
    --------
    >>> rng = np.random.default_rng(2); xq = rng.normal(size=(40, 2)); h = rng.normal(size=(40, 3))
    >>> G = rng.normal(size=(2, 3)); op = RidgeOperator(xq, h); y = op.forward(G)
    >>> sol = solve_primal(op, y, 0.0, 1e-12)   # noiseless, n > p: recovers G
    >>> bool(np.allclose(sol.Gamma, G)), sol.method
    (True, 'primal')
    """
    xq, h = op.xq, op.h
    d, dp1 = xq.shape[1], h.shape[1]
    rhs = op.adjoint(y).ravel()

    def apply_a(v):
        return op.normal(v.reshape(d, dp1), shift).ravel()

    x, method, steps, cond = _solve_shifted(lambda: gram_lower(xq, h, chunk), rhs, apply_a, shift, rtol, "primal")
    return DirectSolution(x.reshape(d, dp1), method, steps, cond)

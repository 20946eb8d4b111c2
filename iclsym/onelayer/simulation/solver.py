"""The pretraining ridge regression for ``Gamma*`` (docs/onelayer/model.md "Pretraining", §8, §10).

Solves the paper's ridge problem (Lu et al. 2024, eq. for ``Gamma*``; docs/onelayer/model.md)

    Gamma* = argmin_Gamma  sum_{mu=1}^n (y_mu - xq_mu^T Gamma h_mu)^2 + (n/d) lam ||Gamma||_F^2

for ``Gamma`` in ``R^{d x (d+1)}``, i.e. linear least squares in ``p = d(d+1)`` parameters
with features ``vec H_mu = xq_mu (kron) h_mu``.  Three solvers:

``"dual"``
    Cholesky of the ``n x n`` kernel ``(xq xq^T) * (h h^T) + (n/d) lam I``
    (:mod:`._solver_direct`).  Best when ``n < p``.
``"primal"``
    Cholesky of the ``p x p`` Gram ``Phi^T Phi + (n/d) lam I`` accumulated with ``dsyrk``
    (:mod:`._solver_direct`).  For ``n >= p`` with tiny ``lam`` near ``tau = 1``.
``"cg"``
    Matrix-free preconditioned conjugate gradients, ``O(n d^2)`` per iteration
    (:mod:`._solver_cg`).  Fast when ``lam`` is moderate or ``tau`` is well above 1.
    If it does not reach ``rtol`` within ``maxiter`` iterations (or its true residual
    misses ``rtol``) the direct method is used instead and ``method`` records it,
    e.g. ``"cg->primal"``.
``"auto"``
    Chooses by a measured cost model of the three (:mod:`._solver_auto`): CG when its
    predicted iterations make it cheaper than the direct solve (dual if ``n < p`` else
    primal), with an iteration budget after which the direct solve takes over.

Whatever the method, the relative residual of the normal equations
``||(Phi^T Phi + (n/d) lam I) vec Gamma - Phi^T y|| / ||Phi^T y||`` is computed matrix-free
for the returned ``Gamma`` and reported.  A :class:`UserWarning` naming the condition
number is issued when the solve is ill-conditioned beyond what float64 can resolve
(``cond_estimate * eps > COND_WARN_EPS_FACTOR``) or when the final residual misses
``rtol``.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass

import numpy as np

from iclsym.core.params import check_choice, check_scalar, check_size

from ._solver_auto import choose_method, direct_method
from ._solver_cg import solve_cg
from ._solver_direct import solve_dual, solve_primal
from ._solver_ops import RidgeOperator

__all__ = ["RidgeResult", "solve_ridge", "METHODS"]

#: Allowed values of ``method``.
METHODS = ("auto", "dual", "primal", "cg")

_EPS = float(np.finfo(np.float64).eps)
#: Warn when ``cond_estimate * eps`` exceeds this: the float64 forward-error bound of the
#: factored system is then worse than 0.1 % (fewer than ~3 guaranteed digits in ``Gamma``).
#: At ``d = 100`` the figure regimes stay below it (largest seen: ``cond ~ 2.3e11`` at
#: ``n = p``, ``lam = 1e-9``, i.e. ``cond * eps ~ 5e-5``).
COND_WARN_EPS_FACTOR = 1e-3


@dataclass(frozen=True)
class RidgeResult:
    """Result of :func:`solve_ridge`.

    Attributes
    ----------
    Gamma : ndarray, shape (d, d+1)
        The ridge solution ``Gamma*`` (prediction ``xq^T Gamma h``).
    method : str
        Method actually used: ``"dual"``, ``"primal"``, ``"cg"``, a fallback chain such as
        ``"cg->primal"``, or ``"dual-eigh"`` / ``"primal-eigh"`` when Cholesky failed and a
        pseudo-inverse was used.
    iterations : int
        CG iterations plus iterative-refinement steps of a direct solve.
    rel_residual : float
        Relative residual of the normal equations for the returned ``Gamma``.
    cond_estimate : float
        Direct: ``1/rcond`` from LAPACK ``dpocon`` (1-norm) of the factored matrix (the
        dual kernel or the primal Gram, both including the ridge).  CG (converged): ratio
        of the extreme Ritz values of the preconditioned operator (a lower bound).
    seconds : float
        Wall-clock time of the solve.
    """

    Gamma: np.ndarray
    method: str
    iterations: int
    rel_residual: float
    cond_estimate: float
    seconds: float


def _check_matrix(name, value, ndim):
    try:
        arr = np.asarray(value)
    except Exception as exc:  # pragma: no cover - exotic objects
        raise TypeError(f"{name} must be a real array") from exc
    if arr.dtype == object or arr.dtype == bool or not (
        np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.integer)
    ):
        raise TypeError(f"{name} must be a real array, got dtype {arr.dtype}")
    if arr.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-d array; got shape {arr.shape}")
    arr = np.ascontiguousarray(arr, dtype=np.float64)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must contain only finite values")
    return arr


def _check_inputs(xq, h, y, lam, method, rtol, maxiter, chunk):
    xq = _check_matrix("xq", xq, 2)
    h = _check_matrix("h", h, 2)
    y = _check_matrix("y", y, 1)
    n, d = xq.shape
    check_size("n (rows of xq)", n, minimum=1)
    check_size("d (columns of xq)", d, minimum=1)
    if h.shape != (n, d + 1):
        raise ValueError(f"h must have shape (n, d+1) = {(n, d + 1)} to match xq; got {h.shape}")
    if y.shape != (n,):
        raise ValueError(f"y must have shape (n,) = {(n,)} to match xq; got {y.shape}")
    lam = check_scalar("lam", lam)
    check_choice("method", method, METHODS)
    if isinstance(rtol, bool) or not isinstance(rtol, (int, float, np.floating, np.integer)):
        raise TypeError(f"rtol must be a real number; got {type(rtol).__name__}")
    if not (0.0 < float(rtol) < 1.0):
        raise ValueError(f"rtol must satisfy 0 < rtol < 1; got {rtol!r}")
    maxiter = check_size("maxiter", maxiter, minimum=1)
    if chunk is not None:
        chunk = check_size("chunk", chunk, minimum=1)
    return xq, h, y, lam, float(rtol), maxiter, chunk


def solve_ridge(
    xq,
    h,
    y,
    lam,
    method: str = "auto",
    *,
    rtol: float = 1e-8,
    maxiter: int = 2000,
    chunk: int | None = None,
) -> RidgeResult:
    """Ridge solution ``Gamma*`` of the pretraining problem (docs/onelayer/model.md, docs/onelayer/solvers.md).

    Parameters
    ----------
    xq : array_like, shape (n, d)
        Query tokens ``x_{ell+1}`` of the ``n`` pretraining sequences.
    h : array_like, shape (n, d+1)
        Context features ``h = [s; q]``.
    y : array_like, shape (n,)
        Labels ``y_{ell+1}``.
    lam : float
        Ridge strength ``lam >= 0`` (the penalty is ``(n/d) lam ||Gamma||_F^2``).
    method : {"auto", "dual", "primal", "cg"}
        Solver; see the module docstring.
    rtol : float
        Relative tolerance on the normal-equations residual (CG stopping rule, target of
        iterative refinement, threshold of the CG fallback and of the warning).
    maxiter : int
        Maximum CG iterations before falling back to a direct solve.
    chunk : int, optional
        Sequences per ``dsyrk`` block of the primal Gram (default about 32 MiB).

    Returns
    -------
    RidgeResult

    Raises
    ------
    ValueError, TypeError
        Inconsistent shapes, non-finite values, ``lam < 0``, unknown ``method``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> xq = rng.normal(size=(50, 3)); h = rng.normal(size=(50, 4)); y = rng.normal(size=50)
    >>> res = solve_ridge(xq, h, y, lam=0.1)
    >>> res.Gamma.shape, res.method, res.rel_residual < 1e-8
    ((3, 4), 'primal', True)
    >>> solve_ridge(xq, h[:, :3], y, lam=0.1)
    Traceback (most recent call last):
    ...
    ValueError: h must have shape (n, d+1) = (50, 4) to match xq; got (50, 3)
    """
    xq, h, y, lam, rtol, maxiter, chunk = _check_inputs(xq, h, y, lam, method, rtol, maxiter, chunk)
    t0 = time.perf_counter()
    n, d = xq.shape
    shift = n / d * lam
    op = RidgeOperator(xq, h)
    budget = maxiter
    if method == "auto":
        c_h = np.linalg.eigvalsh(op.hth / n)
        chosen, budget = choose_method(n, d, lam, float(c_h[0]), float(c_h[-1]), rtol, maxiter)
    else:
        chosen = method

    def direct(name):
        if name == "dual":
            return solve_dual(op, y, shift, rtol)
        return solve_primal(op, y, shift, rtol, chunk)

    if chosen == "cg":
        sol = solve_cg(op, y, shift, rtol, budget)
        gamma, iterations, cond, name = sol.Gamma, sol.iterations, sol.cond_estimate, "cg"
        rel = op.residual(y, gamma, shift)
        if not (sol.converged and rel <= rtol):
            fallback = direct_method(n, d)
            dsol = direct(fallback)
            gamma, cond = dsol.Gamma, dsol.cond_estimate
            iterations += dsol.refinements
            name = f"cg->{dsol.method}"
            rel = op.residual(y, gamma, shift)
    else:
        dsol = direct(chosen)
        gamma, iterations, cond, name = dsol.Gamma, dsol.refinements, dsol.cond_estimate, dsol.method
        rel = op.residual(y, gamma, shift)

    if name.endswith("-eigh"):
        warnings.warn(
            f"ridge system is numerically singular (condition number ~{cond:.3g}; method "
            f"{name}, lam={lam:g}, n={n}, d={d}): returned the minimum-norm solution of the "
            f"pseudo-inverse; relative residual {rel:.3g}",
            UserWarning,
            stacklevel=2,
        )
    elif cond * _EPS > COND_WARN_EPS_FACTOR:
        warnings.warn(
            f"ridge system is ill-conditioned beyond float64 resolution: condition number "
            f"~{cond:.3g} (method {name}, lam={lam:g}, n={n}, d={d}); relative residual "
            f"{rel:.3g}",
            UserWarning,
            stacklevel=2,
        )
    elif not rel <= rtol:
        warnings.warn(
            f"ridge solve missed rtol={rtol:g}: relative residual {rel:.3g} "
            f"(method {name}, condition number ~{cond:.3g})",
            UserWarning,
            stacklevel=2,
        )
    return RidgeResult(gamma, name, int(iterations), float(rel), float(cond), time.perf_counter() - t0)

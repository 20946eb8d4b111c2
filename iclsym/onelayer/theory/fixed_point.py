"""The effective regularisation of the one-layer model: ``F(eps) = 0`` at ``x* = (c_tr + rho)/alpha``.

The root of ``F(eps) = 1 - tau + tau lam/eps - eps M(x* + eps)`` for any spectral law of ``R_hat``
(its uniqueness proof, bracket and Newton solver: :mod:`iclsym.core.spectra.fixed_point`);
:func:`solve_eps` is the isotropic-task case (the Marchenko–Pastur law), :func:`x_star` the one place
the context noise ``x*`` is written (docs/onelayer/asymptotic-theory.md).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from iclsym.core.params import check_theory_args
from iclsym.core.spectra import MarchenkoPastur
from iclsym.core.spectra.fixed_point import (
    MAX_NEWTON, NEWTON_RTOL, eps_bracket, ridgeless_root_by_newton, solve_fixed_point,
)

__all__ = ["x_star", "solve_eps", "solve_fixed_point", "ridgeless_root_by_newton", "eps_bracket",
           "MAX_NEWTON", "NEWTON_RTOL"]


def x_star(alpha, rho, c_tr=1.0):
    """Context noise per coordinate of ``s``: ``x* = (c_tr + rho)/alpha``.

    ``c_tr = tr C/d`` is the task power per dimension (``|w|^2/d``; 1 for the isotropic tasks
    of Lu et al. 2024); the one place the numeric code writes this combination
    (:func:`iclsym.onelayer.symbolic.asymptotic.x_star` is its symbolic twin).

    >>> x_star(10.0, 0.5)
    0.15
    >>> x_star(2.0, 0.01, c_tr=3.0)
    1.505
    """
    return (c_tr + rho) / alpha


def solve_eps(alpha: ArrayLike, tau: ArrayLike, kappa: ArrayLike, rho: ArrayLike, lam: ArrayLike = 0.0) -> float | np.ndarray:
    """Effective regularisation ``eps``: the root of ``F(eps) = 0`` for isotropic tasks.

    Branch rule: the unique positive root for ``lam > 0``; for ``lam = 0`` the unique root of
    ``eps M(x* + eps) = 1 - tau`` if ``tau < 1`` and ``0`` if ``tau >= 1`` (the ``lam -> 0+``
    limit).  Proof, bracket and solver in :mod:`iclsym.onelayer.theory.fixed_point`.

    Parameters
    ----------
    alpha, tau, kappa, rho, lam : array_like
        Broadcast together; ``kappa = inf`` allowed.

    Returns
    -------
    ndarray or float

    Examples
    --------
    >>> round(float(solve_eps(1.0, 0.5, np.inf, 0.0)), 12)   # (1 - tau)(1 + x*)/tau
    2.0
    >>> float(solve_eps(1.0, 2.0, 0.5, 0.1))
    0.0
    >>> e = float(solve_eps(1.0, 2.0, 0.5, 0.1, lam=1e-8)); round(e / 2e-8, 4)   # ~ tau lam/(tau-1)
    1.0
    """
    from iclsym.onelayer.theory import scalar

    fast = scalar.point(alpha, tau, kappa, rho, lam, "eps")
    if fast is not None:
        return fast
    alpha, tau, kappa, rho, lam = check_theory_args(alpha, tau, kappa, rho, lam, computable=True)
    eps = solve_fixed_point(x_star(alpha, rho), tau, lam, MarchenkoPastur(ik=1.0 / kappa))
    return eps[()] if eps.ndim == 0 else eps

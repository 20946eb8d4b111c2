"""Asymptotic test errors of ridge-pretrained linear attention, vectorized NumPy.

``e_icl`` is the ridge ICL error of Lu et al. (2024) (docs/onelayer/asymptotic-theory.md); ``e_idg``
is the ridge IDG error derived in ``notebooks/02_ridge_theory.py`` (``e_IDG = -tau c_e``);
``g_task = e_icl - e_idg``.  The formulas are evaluated in the cancellation-free forms generated
into :mod:`iclsym.onelayer._generated.asymptotic` by ``derivations/onelayer/asymptotic.py``; the
traces of the Marchenko–Pastur law come from :class:`iclsym.core.spectra.MarchenkoPastur`, the
root from :mod:`iclsym.onelayer.theory.fixed_point`; this module only assembles them.  One point
given as Python numbers takes the scalar fast path (:mod:`iclsym.onelayer.theory.scalar`: the same
formulas on floats, a float out).

``lam = 0`` is the ``lam -> 0+`` limit of the ridge forms: ``eps`` is the closed-form ridgeless
root and ``r = tau lam/eps`` is replaced by its limit ``max(tau - 1, 0)``.  These reproduce the
paper's ridgeless formulas (checked in ``tests/onelayer/theory``).  At ``lam = 0, tau = 1`` the
errors are ``inf`` (the interpolation pole); nothing in the domain returns NaN.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from iclsym.core._generated import marchenko_pastur as _mp
from iclsym.core.params import check_theory_args
from iclsym.core.spectra import MarchenkoPastur
from iclsym.onelayer._generated import asymptotic as _gen
from iclsym.onelayer.theory import scalar as _scalar
from iclsym.onelayer.theory.fixed_point import solve_fixed_point, x_star

__all__ = ["e_icl", "e_idg", "g_task", "ridge_state", "errors"]


def ridge_state(alpha, tau, kappa, rho, lam=0.0) -> dict:
    """Validated inputs, the root ``eps`` and the traces at ``nu = x* + eps`` (broadcast arrays).

    Keys: ``alpha, tau, kappa, rho, lam, xs, ik, eps, nu, r, S, D, P, T1, T2, U``.

    >>> st = ridge_state(1.0, 0.5, np.inf, 0.0)
    >>> float(st["eps"]), float(st["S"])   # nu = 1 + 2: S = 1/(1 + nu)
    (2.0, 0.25)
    """
    alpha, tau, kappa, rho, lam = check_theory_args(alpha, tau, kappa, rho, lam, computable=True)
    xs = x_star(alpha, rho)
    ik = 1.0 / kappa
    law = MarchenkoPastur(ik=ik)
    eps = solve_fixed_point(xs, tau, lam, law)
    nu = xs + eps
    with np.errstate(divide="ignore", invalid="ignore"):
        ridge = lam > 0
        r = np.where(ridge, tau * lam / np.where(ridge, eps, 1.0), np.maximum(tau - 1, 0.0))
        S, D = law.parts(nu)
        P, T1, T2, U = _mp.stable_traces(nu, ik, S, D)
    return dict(
        alpha=alpha, tau=tau, kappa=kappa, rho=rho, lam=lam, xs=xs, ik=ik, eps=eps, nu=nu, r=r,
        S=S, D=D, P=P, T1=T1, T2=T2, U=U,
    )


def _unwrap(a):
    return a[()] if a.ndim == 0 else a


def _no_nan(st, *values):
    """Refuse to return a NaN (never expected inside the computable range; a defect if it happens)."""
    for v in values:
        bad = np.isnan(v)
        if np.any(bad):
            i = np.flatnonzero(np.broadcast_to(bad, st["tau"].shape))[0]
            point = ", ".join(f"{n}={np.ravel(st[n])[i]:g}" for n in ("alpha", "tau", "kappa", "rho", "lam"))
            raise ValueError(f"the theory evaluated to NaN at {point} (please report this point)")
    return values


def _errors(st):
    with np.errstate(divide="ignore", invalid="ignore"):
        return _gen.ridge_errors(st["xs"], st["rho"], st["tau"], st["eps"], st["r"], st["P"], st["T2"], st["U"])


def _gap(st):
    with np.errstate(divide="ignore", invalid="ignore"):
        g = _gen.g_task_gap(
            st["xs"], st["rho"], st["tau"], st["eps"], st["r"], st["nu"], st["ik"],
            st["S"], st["D"], st["P"], st["T2"], st["U"],
        )
    # Ridgeless pole (tau = 1, lam = 0) with kappa = inf: 0 * inf; g_task = 0 for kappa = inf.
    return np.where(np.isnan(g) & (st["ik"] == 0), 0.0, g)


def errors(alpha: ArrayLike, tau: ArrayLike, kappa: ArrayLike, rho: ArrayLike,
           lam: ArrayLike = 0.0) -> tuple[float | np.ndarray, float | np.ndarray, float | np.ndarray]:
    """``(e_icl, e_idg, g_task)`` sharing one root solve (docs/onelayer/asymptotic-theory.md).

    >>> e1, e2, g = errors(10.0, 2.0, np.inf, 0.01, 0.1)
    >>> bool(abs(e1 - e2) < 1e-14), float(g)
    (True, 0.0)
    """
    fast = _scalar.point(alpha, tau, kappa, rho, lam)
    if fast is not None:
        return fast[1:]
    st = ridge_state(alpha, tau, kappa, rho, lam)
    e1, e2 = _errors(st)
    e1, e2, g = _no_nan(st, e1, e2, _gap(st))
    return _unwrap(e1), _unwrap(e2), _unwrap(g)


def e_icl(alpha: ArrayLike, tau: ArrayLike, kappa: ArrayLike, rho: ArrayLike, lam: ArrayLike = 0.0) -> float | np.ndarray:
    """Asymptotic ICL error of ridge-pretrained linear attention (docs/onelayer/asymptotic-theory.md, paper Result 1).

    ``c_e = N/(df2 - tau)``, ``e_ICL = (1 + x*)(T2 - c_e (S + eps S')) - 2 T1 + 1 + rho`` with
    ``eps`` from :func:`iclsym.onelayer.theory.solve_eps`; ``lam = 0`` gives the ridgeless limit and
    ``inf`` at ``tau = 1``.

    Parameters
    ----------
    alpha, tau, kappa, rho, lam : array_like
        Broadcast together (``kappa = inf``: unstructured tasks).

    Examples
    --------
    >>> round(float(e_icl(1.0, 0.2, 0.5, 0.01, 1e-5)), 10)
    1.0384973864
    >>> float(e_icl(1.0, 1.0, 0.5, 0.01))
    inf
    """
    fast = _scalar.point(alpha, tau, kappa, rho, lam, "e_icl")
    if fast is not None:
        return fast
    st = ridge_state(alpha, tau, kappa, rho, lam)
    e1, _ = _errors(st)
    return _unwrap(_no_nan(st, e1)[0])


def e_idg(alpha: ArrayLike, tau: ArrayLike, kappa: ArrayLike, rho: ArrayLike, lam: ArrayLike = 0.0) -> float | np.ndarray:
    """Asymptotic in-distribution (bank-task) error, ridge and ridgeless.

    ``e_IDG = tau (sigma_eff^2 + eps^2 (1/d) tr R^2 Sigma^{-1} (Sigma + eps)^{-2})/(tau - df2)
    = -tau c_e`` (derived in ``notebooks/02_ridge_theory.py``); reduces to docs/onelayer/asymptotic-theory.md's
    ridgeless IDG formulas as ``lam -> 0+``.

    Examples
    --------
    >>> round(float(e_idg(1.0, 0.2, 0.5, 0.01)), 10)
    0.8012133344
    >>> float(e_idg(1.0, 2.0, 0.5, 0.01)) > 0.01
    True
    """
    fast = _scalar.point(alpha, tau, kappa, rho, lam, "e_idg")
    if fast is not None:
        return fast
    st = ridge_state(alpha, tau, kappa, rho, lam)
    _, e2 = _errors(st)
    return _unwrap(_no_nan(st, e2)[0])


def g_task(alpha: ArrayLike, tau: ArrayLike, kappa: ArrayLike, rho: ArrayLike, lam: ArrayLike = 0.0) -> float | np.ndarray:
    """Task-generalisation gap ``g_task = e_ICL - e_IDG`` (docs/onelayer/model.md), computed without
    subtracting the two errors (it vanishes like ``1/kappa``; exactly 0 at ``kappa = inf``).

    Examples
    --------
    >>> float(g_task(10.0, 2.0, np.inf, 0.01, 1e-3))
    0.0
    >>> bool(g_task(10.0, 2.0, 0.5, 0.01, 1e-3) > 0)
    True
    """
    fast = _scalar.point(alpha, tau, kappa, rho, lam, "g_task")
    if fast is not None:
        return fast
    st = ridge_state(alpha, tau, kappa, rho, lam)
    return _unwrap(_no_nan(st, _gap(st))[0])

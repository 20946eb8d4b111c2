"""Gradient-flow dynamics of the deep-attention theory.

**Convention** (used throughout :mod:`iclsym.deep` and its docs): scalar parameters follow

    d theta/dt = -dR/d theta,

with ``R`` the excess risk (population loss minus the noise floor).  Thus at ``alpha = inf``:
FS per mode ``dgamma_k/dt = 2 w_k lam_k (1 - gamma_k lam_k/L)^(2L-1)``; RRS (and ISO) with one
shared ``gamma``: ``dgamma/dt = -R'(gamma)``; full linear attention with ``gamma = w^5`` and a
balanced initialisation: ``dw/dt = -5 w^4 R'(w^5)``.  The closed form of the FS modes
(:func:`iclsym.deep.structured.fs_mode_risk`) is written in this convention.

An online-SGD run with step ``lr D`` on ``(1/2) MSE`` (:mod:`iclsym.deep.train`) follows these
flows at time ``t = lr * steps / 2`` for a shared ``Gamma = gamma I`` and ``t = lr D steps / 2``
for the per-mode (diagonal) FS parameters (:func:`flow_time`).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.integrate import solve_ivp

from iclsym.deep import iso as _iso
from iclsym.deep import structured as _st
from iclsym.deep.params import check_alpha, check_int, check_nonneg, check_positive, check_setting

__all__ = ["scalar_flow", "iso_flow", "rrs_flow", "fs_flow", "fs_flow_numeric", "full_attention_flow",
           "flow_time"]


def flow_time(steps, lr, setting: str, D: int):
    """Gradient-flow time of ``steps`` SGD steps of :mod:`iclsym.deep.train` (see module doc).

    Examples
    --------
    >>> flow_time(100, 0.1, "rrs", 32), flow_time(100, 0.1, "fs", 32)
    (5.0, 160.0)
    """
    setting = check_setting(setting)
    base = np.asarray(steps, float) * float(lr) / 2.0
    out = base * D if setting == "fs" else base
    return float(out) if out.ndim == 0 else out


def scalar_flow(t, grad, theta0: float = 0.0, power: int = 1, rtol: float = 1e-10):
    """Integrate ``dtheta/dt = -power theta^(power-1) R'(theta^power)`` and return ``gamma = theta^power``
    at the (sorted, non-negative) times ``t``.

    ``grad`` is ``R'(gamma)``.  ``power = 1`` is the plain flow on ``gamma``; ``power = 5`` the
    full-attention flow with ``gamma = w^5``.

    Examples
    --------
    >>> g = scalar_flow([0.0, 1.0], lambda x: 2 * (x - 1.0))      # gamma' = -2 (gamma - 1)
    >>> round(float(g[1]), 8) == round(1 - math.exp(-2), 8)
    True
    """
    t = np.asarray(t, float)
    if t.ndim != 1 or np.any(np.diff(t) < 0) or (t.size and t[0] < 0):
        raise ValueError("t must be a sorted 1-d array of times >= 0")
    power = check_int("power", power)

    def rhs(_, y):
        th = y[0]
        return [-power * th ** (power - 1) * float(grad(th ** power))]

    ts = t[t > 0]
    out = np.full(t.shape, float(theta0) ** power)
    if ts.size:
        sol = solve_ivp(rhs, (0.0, ts[-1]), [float(theta0)], t_eval=ts, method="LSODA", rtol=rtol,
                        atol=1e-14 * max(1.0, abs(theta0)))
        if not sol.success:
            raise ArithmeticError(f"gradient flow failed: {sol.message}")
        out[t > 0] = sol.y[0] ** power
    return out


def iso_flow(t, alpha, L: int, sigma2: float = 0.0, power: int = 1, theta0: float = 0.0):
    """ISO gradient flow ``(gamma(t), R(t))`` from ``gamma = theta0^power``.

    Examples
    --------
    >>> g, R = iso_flow([0.0, 1e4], 1.0, 2)
    >>> round(float(g[-1]), 6), round(float(R[-1]), 6)          # -> gamma* = L alpha/(1+alpha) = 1
    (1.0, 0.375)
    """
    L = check_int("L", L)
    alpha = float(check_alpha(alpha))
    sigma2 = float(check_nonneg("sigma2", sigma2))
    g = scalar_flow(t, lambda x: _iso.iso_risk_grad(x, alpha, L, sigma2), theta0, power)
    return g, np.asarray(_iso.iso_risk(g, alpha, L, sigma2))


def rrs_flow(t, lam, omega, L, power: int = 1, theta0: float = 0.0):
    """RRS (``alpha = inf``) gradient flow ``(gamma(t), R(t))``; ``L`` an int or ``inf``.

    ``power = 5``, small ``theta0 > 0``: full linear attention (``gamma = w^5``).

    Examples
    --------
    >>> from iclsym.deep.data import power_law_spectrum
    >>> g, R = rrs_flow([0.0, 10.0], *power_law_spectrum(16, 1.5, 1.0), 2)
    >>> bool(R[1] < R[0] == 1.0)
    True
    """
    g = scalar_flow(t, lambda x: _st.rrs_loss_inf_grad(x, lam, omega, L), theta0, power)
    return g, np.asarray(_st.rrs_loss_inf(g, lam, omega, L))


def fs_flow(t, lam, omega, L):
    """FS per-mode flow ``(gamma_k(t), R(t))`` from the closed form (``L`` int; ``R`` also for ``inf``).

    Examples
    --------
    >>> g, R = fs_flow([0.0], [1.0], [1.0], 2)
    >>> float(R[0])
    1.0
    """
    R = _st.fs_risk_time(np.asarray(t, float), lam, omega, L)
    g = None if (isinstance(L, float) and math.isinf(L)) else _st.fs_mode_gamma(np.asarray(t, float), lam, omega, L)
    return g, np.asarray(R)


def fs_flow_numeric(t, lam, omega, L: int, rtol: float = 1e-11):
    """The FS per-mode flow integrated numerically (an independent check of the closed form).

    Examples
    --------
    >>> g = fs_flow_numeric([0.0, 0.5], [1.0], [1.0], 2)
    >>> round(float(g[-1, 0]), 8) == round(float(fs_flow([0.0, 0.5], [1.0], [1.0], 2)[0][-1, 0]), 8)
    True
    """
    lam, omega = _st.check_spectrum(lam, omega)
    L = check_int("L", L)
    t = np.asarray(t, float)
    w = omega * lam

    def rhs(_, g):
        return 2.0 * w * lam * (1.0 - g * lam / L) ** (2 * L - 1)

    ts = t[t > 0]
    out = np.zeros(t.shape + lam.shape)
    if ts.size:
        sol = solve_ivp(rhs, (0.0, ts[-1]), np.zeros_like(lam), t_eval=ts, method="LSODA", rtol=rtol, atol=1e-14)
        out[t > 0] = sol.y.T
    return out


def full_attention_flow(t, setting: str = "rrs", alpha=1.0, L: int = 1, lam=None, omega=None, w0: float = 0.05):
    """Full linear attention (``W_x, W_q, W_k, W_v`` trained, balanced small init): ``gamma = w^5``.

    ``setting='iso'`` uses :func:`iso_flow` at ``alpha``; ``'rrs'`` the ``alpha = inf`` RRS loss with
    the spectra ``lam, omega`` (``L`` may be ``inf``).  Returns ``(gamma(t), R(t))``.

    Examples
    --------
    >>> g, R = full_attention_flow([0.0, 1e4], "iso", alpha=1.0, L=1)
    >>> bool(R[-1] < 0.51)
    True
    """
    setting = check_setting(setting)
    check_positive("w0", w0)
    if setting == "iso":
        return iso_flow(t, alpha, L, power=5, theta0=w0)
    return rrs_flow(t, lam, omega, L, power=5, theta0=w0)

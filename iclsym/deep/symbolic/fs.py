"""Symbolic FS (fixed structured covariance) theory at ``alpha = inf``: the per-mode gradient flow.

With commuting ``Sigma = diag(lam)``, ``Omega = diag(omega)`` and a diagonal ``Gamma`` the risk
decouples, ``R = sum_k w_k (1 - gamma_k lam_k/L)^(2L)`` with ``w_k = omega_k lam_k``, and the
gradient flow ``dgamma_k/dt = -dR/dgamma_k = 2 w_k lam_k (1 - gamma_k lam_k/L)^(2L-1)`` from
``gamma_k(0) = 0`` has the closed form

    R_k(t) = w_k [1 + 4 (1 - 1/L) w_k lam_k^2 t]^(-L/(L-1))          (L > 1),
    R_k(t) = w_k exp(-4 w_k lam_k^2 t)                               (L = 1).

(``w_k lam_k^2 = omega_k lam_k^3``.)
"""

from __future__ import annotations

import sympy as sp

__all__ = ["fs_symbols", "mode_solution", "check_mode_solution"]


def fs_symbols():
    t, w, lam = sp.symbols("t w lam", positive=True)
    L = sp.Symbol("L", positive=True)
    return t, w, lam, L


def mode_solution(L=None):
    """``(gamma_k(t), R_k(t))`` for depth ``L`` (symbolic ``L > 1`` by default; ``L = 1`` exact)."""
    t, w, lam, Ls = fs_symbols()
    L = Ls if L is None else sp.Integer(L)
    if L == 1:
        u = sp.exp(-2 * w * lam ** 2 * t)
    else:
        u = (1 + 4 * (1 - 1 / L) * w * lam ** 2 * t) ** (-1 / (2 * L - 2))
    gamma = L * (1 - u) / lam
    R = w * u ** (2 * L)
    return sp.simplify(gamma), sp.simplify(R)


def check_mode_solution(L=None) -> dict:
    """Residuals (0) of the ODE, the initial condition and the risk of :func:`mode_solution`.

    For symbolic ``L`` the check runs in ``s = 1 + 4 (1 - 1/L) w lam^2 t`` (chain rule), where
    the powers combine without branch questions (``s > 0``).
    """
    t, w, lam, Ls = fs_symbols()
    if L is not None and int(L) == 1:
        gamma, R = mode_solution(1)
        ode = sp.diff(gamma, t) - 2 * w * lam * (1 - gamma * lam) ** 1
        return {"ode": sp.simplify(ode), "initial": sp.simplify(gamma.subs(t, 0)),
                "risk": sp.simplify(w * (1 - gamma * lam) ** 2 - R)}
    Lv = Ls if L is None else sp.Integer(L)
    s = sp.Symbol("s", positive=True)
    u = s ** (-1 / (2 * Lv - 2))
    gamma = Lv * (1 - u) / lam
    dsdt = 4 * (1 - 1 / Lv) * w * lam ** 2
    ode = sp.diff(gamma, s) * dsdt - 2 * w * lam * (u) ** (2 * Lv - 1)
    risk = w * u ** (2 * Lv) - w * s ** (-Lv / (Lv - 1))
    return {"ode": sp.simplify(sp.powdenest(ode, force=True)),
            "initial": sp.simplify(gamma.subs(s, 1)),
            "risk": sp.simplify(sp.powdenest(risk, force=True))}

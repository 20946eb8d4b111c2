"""Symbolic ridge theory: the self-consistency equation and the asymptotic errors.

Everything here is an expression in the paper's symbols (DESIGN section 4):

* ``xs = (1 + rho)/alpha`` -- the context noise ``x*`` per coordinate of ``s``;
* ``eps`` -- the effective regularisation, root of ``F(eps) = 0``;
* ``nu = xs + eps``, ``S = M_kappa(nu)``, ``Sp = M_kappa'(nu)``.

Functions take the Stieltjes values ``S, Sp`` as arguments so a derivation can
keep them as symbols (then substitute the closed form of
:func:`iclsym.symbolic.stieltjes.stieltjes_mp`) or expand them.

``ridgeless_targets`` records the ridgeless statements of DESIGN section 4 *as
targets*: derivations (``lam -> 0+`` of the ridge forms) must reproduce them;
nothing numeric is built from them without that check.
"""

from __future__ import annotations

from types import SimpleNamespace

import sympy as sp

from iclsym.symbolic.stieltjes import stieltjes_mp, stieltjes_mp_derivative

__all__ = [
    "symbols",
    "x_star",
    "fixed_point_F",
    "e_icl_ridge",
    "ridgeless_targets",
]


def symbols() -> SimpleNamespace:
    """The paper's symbols, all positive (``rho`` and ``lam`` may be set to 0 by substitution)."""
    names = "alpha tau kappa rho lam eps z"
    ns = SimpleNamespace(**{n: sp.Symbol(n, positive=True) for n in names.split()})
    ns.S, ns.Sp = sp.symbols("S Sp", real=True)
    return ns


def x_star(alpha, rho):
    """``x* = (1 + rho)/alpha``: the variance per coordinate of the context noise in ``s``."""
    return (1 + rho) / alpha


def fixed_point_F(eps, tau, lam, xs, M_at):
    """``F(eps) = 1 - tau + tau lam/eps - eps M_kappa(xs + eps)`` (DESIGN section 4).

    ``M_at`` is the value ``M_kappa(xs + eps)`` (an expression or symbol).

    >>> s = symbols()
    >>> fixed_point_F(s.eps, s.tau, s.lam, s.z, s.S)
    -S*eps - tau + 1 + lam*tau/eps
    """
    return 1 - tau + tau * lam / eps - eps * M_at


def e_icl_ridge(xs, rho, tau, eps, S, Sp):
    """Ridge ICL error (DESIGN section 4), with ``S = M(nu)``, ``Sp = M'(nu)``, ``nu = xs + eps``.

    Returns ``(e_icl, c_e)``.
    """
    nu = xs + eps
    c_e = (rho + nu - nu**2 * S - eps * (1 - 2 * nu * S - nu**2 * Sp)) / (
        1 - 2 * eps * S - eps**2 * Sp - tau
    )
    e = (1 + xs) * (1 - 2 * nu * S - nu**2 * Sp - c_e * (S + eps * Sp)) - 2 * (1 - nu * S) + 1 + rho
    return e, c_e


def stieltjes_pair(nu, kappa):
    """``(M_kappa(nu), M_kappa'(nu))`` in closed form (``kappa`` may be ``sympy.oo``)."""
    M = stieltjes_mp(nu, kappa)
    return M, stieltjes_mp_derivative(M, nu, kappa)


def ridgeless_targets(alpha, tau, kappa, rho) -> SimpleNamespace:
    """The ridgeless statements of DESIGN section 4 (targets for the ``lam -> 0+`` derivation).

    Returns a namespace with ``e_icl_below``, ``e_icl_above`` (``tau < 1`` / ``tau > 1``),
    ``e_idg_below``, ``e_idg_above``, and the auxiliary ``m_star``, ``mu_star``, ``k_star``,
    ``eps0``, ``c``.
    """
    xs = x_star(alpha, rho)
    m = stieltjes_mp(xs, kappa)
    mu = xs * stieltjes_mp(xs, kappa / tau if kappa is not sp.oo else sp.oo)
    if kappa is sp.oo:
        k_star = sp.Integer(1)
    else:
        k_star = 1 / (1 - kappa * (m / (kappa + m)) ** 2)
    e_icl_below = (
        tau * (1 + xs) / (1 - tau) * (1 - tau * (1 - mu) ** 2 - (1 - rho / xs) * mu)
        - 2 * tau * (1 - mu)
        + 1
        + rho
    )
    e_icl_above = (
        (k_star - 1 / (tau - 1)) * (1 + xs) * (xs * m) ** 2
        + (3 - 2 * tau) / (tau - 1) * m * xs**2
        + (1 + (1 + rho) * m / (tau - 1)) * xs
        + rho * m / (tau - 1)
        + rho
    )
    eps0 = (1 - tau) * xs / (tau * mu)
    if kappa is sp.oo:
        c = sp.Integer(1)
    else:
        c = 1 / (1 - kappa / (1 + kappa * eps0 / (1 - tau)) ** 2)
    e_idg_below = tau * (
        (xs + eps0) ** 2 / eps0
        + (rho + xs - 2 * xs * (1 - tau) * (xs / eps0 + 1)) / (1 - tau - c * (1 - tau) ** 2)
    )
    e_idg_above = tau * (rho + xs * (1 - xs * m)) / (tau - 1)
    return SimpleNamespace(
        e_icl_below=e_icl_below,
        e_icl_above=e_icl_above,
        e_idg_below=e_idg_below,
        e_idg_above=e_idg_above,
        m_star=m,
        mu_star=mu,
        k_star=k_star,
        eps0=eps0,
        c=c,
        x_star=xs,
    )

"""Symbolic ISO theory: Narayana moments, the risk polynomials, the optimal step and the
Catalan closed form of ``R*_L`` (exact rational arithmetic in ``alpha``).

Marchenko-Pastur moments (ratio ``c = 1/alpha``): ``m_j = sum_{k=1..j} N(j, k) c^(k-1)`` with the
Narayana numbers ``N(j, k) = C(j, k) C(j, k-1)/j``.  The ISO risk of ``L`` GD steps with
``Gamma = gamma I`` is a polynomial in ``gamma``:

    bias  = sum_{j=0..2L} C(2L, j) (-gamma/L)^j m_j,
    noise = (sigma2/alpha) sum_{i,k=1..L} a_i a_k (gamma/L)^(i+k) m_{i+k-1},  a_i = (-1)^(i+1) C(L, i).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

__all__ = ["symbols", "narayana", "moment", "risk_bias", "risk_noise", "catalan_closed_form",
           "catalan_tail_form", "check_gamma_star", "check_catalan", "noisy_l1", "limits", "sgd_l1",
           "IsoSymbols"]


@dataclass
class IsoSymbols:
    gamma: sp.Symbol = field(default_factory=lambda: sp.Symbol("gamma", positive=True))
    alpha: sp.Symbol = field(default_factory=lambda: sp.Symbol("alpha", positive=True))
    sigma2: sp.Symbol = field(default_factory=lambda: sp.Symbol("sigma2", nonnegative=True))
    L: sp.Symbol = field(default_factory=lambda: sp.Symbol("L", positive=True, integer=True))


def symbols() -> IsoSymbols:
    return IsoSymbols()


def narayana(j: int, k: int) -> sp.Integer:
    """``N(j, k) = C(j, k) C(j, k-1)/j``.

    >>> [narayana(4, k) for k in range(1, 5)]
    [1, 6, 6, 1]
    """
    return sp.binomial(j, k) * sp.binomial(j, k - 1) / j


def moment(j: int, alpha) -> sp.Expr:
    """MP moment ``m_j(alpha)``.

    >>> a = sp.Symbol("a", positive=True); sp.expand(moment(2, a))
    1 + 1/a
    """
    if j == 0:
        return sp.Integer(1)
    return sp.Add(*[narayana(j, k) * alpha ** (-(k - 1)) for k in range(1, j + 1)])


def risk_bias(L: int, gamma, alpha) -> sp.Expr:
    """Noiseless ISO risk polynomial of depth ``L``.

    >>> s = symbols(); sp.expand(risk_bias(1, s.gamma, s.alpha))
    gamma**2 - 2*gamma + 1 + gamma**2/alpha
    """
    return sp.Add(*[sp.binomial(2 * L, j) * (-gamma / L) ** j * moment(j, alpha) for j in range(2 * L + 1)])


def risk_noise(L: int, gamma, alpha, sigma2) -> sp.Expr:
    """Noise part of the ISO risk polynomial of depth ``L``.

    >>> s = symbols(); sp.simplify(risk_noise(1, s.gamma, s.alpha, s.sigma2))
    gamma**2*sigma2/alpha
    """
    a = [None] + [(-1) ** (i + 1) * sp.binomial(L, i) for i in range(1, L + 1)]
    tot = sp.Add(*[a[i] * a[k] * (gamma / L) ** (i + k) * moment(i + k - 1, alpha)
                   for i in range(1, L + 1) for k in range(1, L + 1)])
    return sigma2 / alpha * tot


def catalan_closed_form(L: int, alpha) -> sp.Expr:
    """``R*_L = 1 - (alpha/(1+alpha)) sum_{n<L} Cat_n x^n``, ``x = alpha/(1+alpha)^2``."""
    x = alpha / (1 + alpha) ** 2
    return 1 - alpha / (1 + alpha) * sp.Add(*[sp.catalan(n) * x ** n for n in range(L)])


def catalan_tail_form(alpha, L=None):
    """The generating function identity behind the tail form: ``(alpha/(1+alpha)) sum_n Cat_n x^n
    = min(1, alpha)``; returned as ``(C(x), value for alpha < 1, value for alpha > 1)``."""
    x = sp.Symbol("x", positive=True)
    gen = (1 - sp.sqrt(1 - 4 * x)) / (2 * x)
    xa = alpha / (1 + alpha) ** 2
    # sqrt(1 - 4x) = |1 - alpha|/(1 + alpha)
    below = sp.simplify(alpha / (1 + alpha) * gen.subs(sp.sqrt(1 - 4 * x), (1 - alpha) / (1 + alpha)).subs(x, xa))
    above = sp.simplify(alpha / (1 + alpha) * gen.subs(sp.sqrt(1 - 4 * x), (alpha - 1) / (1 + alpha)).subs(x, xa))
    return gen, below, above


def check_gamma_star(L: int, s: IsoSymbols | None = None) -> dict:
    """Residuals (should all be 0) of: ``dR/dgamma`` at ``gamma* = L alpha/(1+alpha)``;
    ``R(gamma*)`` minus the Catalan closed form; and the sign of ``d^2R/dgamma^2`` (a positive
    rational function: returned as its numerator with all coefficients checked positive -> 0)."""
    s = s or symbols()
    R = risk_bias(L, s.gamma, s.alpha)
    gs = L * s.alpha / (1 + s.alpha)
    d1 = sp.cancel(sp.diff(R, s.gamma).subs(s.gamma, gs))
    d0 = sp.cancel(R.subs(s.gamma, gs) - catalan_closed_form(L, s.alpha))
    return {"stationary": d1, "catalan": d0}


def check_catalan(L: int, s: IsoSymbols | None = None) -> sp.Expr:
    return check_gamma_star(L, s)["catalan"]


def noisy_l1(s: IsoSymbols | None = None):
    """``L = 1`` with noise: ``(gamma*, R*)`` from ``dR/dgamma = 0``."""
    s = s or symbols()
    R = sp.expand(risk_bias(1, s.gamma, s.alpha) + risk_noise(1, s.gamma, s.alpha, s.sigma2))
    (g,) = sp.solve(sp.diff(R, s.gamma), s.gamma)
    return sp.simplify(g), sp.simplify(R.subs(s.gamma, g)), R


def limits(s: IsoSymbols | None = None) -> dict:
    """``R*_L`` asymptotics: ``alpha = 1`` exact form ``C(2L, L)/4^L`` and its ``1/sqrt(pi L)``
    limit; the gap ratio ``r = 2 sqrt(alpha)/(1 + alpha)`` (``4x = r^2``)."""
    s = s or symbols()
    n = sp.Symbol("n", positive=True, integer=True)
    Ls = sp.Symbol("L", positive=True)
    exact_a1 = sp.binomial(2 * Ls, Ls) / 4 ** Ls
    # C(2L, L)/4^L = Gamma(L + 1/2)/(sqrt(pi) Gamma(L + 1)) (Legendre duplication), and
    # Gamma(L + 1/2) sqrt(L)/Gamma(L + 1) -> 1
    dup = sp.simplify(sp.gammasimp(sp.gamma(2 * Ls + 1) / sp.gamma(Ls + 1) ** 2 / 4 ** Ls
                                   * sp.sqrt(sp.pi) * sp.gamma(Ls + 1) / sp.gamma(Ls + sp.Rational(1, 2))))
    ratio = dup * sp.limit(sp.gamma(Ls + sp.Rational(1, 2)) * sp.sqrt(Ls) / sp.gamma(Ls + 1), Ls, sp.oo)
    x = s.alpha / (1 + s.alpha) ** 2
    r = 2 * sp.sqrt(s.alpha) / (1 + s.alpha)
    return {"alpha1_exact": exact_a1, "alpha1_ratio_limit": ratio, "r": r,
            "four_x_minus_r2": sp.simplify(4 * x - r ** 2), "n": n}


def sgd_l1(s: IsoSymbols | None = None) -> dict:
    """``L = 1`` online SGD recursion ``C(t+1) = a C(t) + b`` (leading order in ``1/D``) and its
    stability condition and floor, in ``eta``, ``ia = 1/alpha``, ``batch``, ``iq = 1/queries``."""
    s = s or symbols()
    eta, batch = sp.symbols("eta batch", positive=True)
    ia, iq, qn = sp.symbols("ia iq qn", nonnegative=True)
    cbar = 1 + (1 + s.sigma2) * ia
    k = (1 + iq) / batch
    a = (1 - eta * cbar) ** 2 + eta ** 2 * k * cbar ** 2
    b = eta ** 2 / batch * ((1 + iq) * (cbar - 1) + qn * cbar * s.sigma2 * iq)
    eta_max = sp.solve(sp.Eq(sp.expand(a), 1), eta)
    eta_max = [e for e in eta_max if e != 0][0]
    return {"eta": eta, "batch": batch, "ia": ia, "iq": iq, "qn": qn, "cbar": cbar, "a": a, "b": b,
            "floor": sp.simplify(b / (1 - a)), "eta_max": sp.simplify(eta_max)}

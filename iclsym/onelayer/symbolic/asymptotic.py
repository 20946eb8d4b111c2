"""Symbolic ridge theory: the self-consistency equation and the asymptotic errors.

Everything here is an expression in the paper's symbols (docs/onelayer/asymptotic-theory.md):

* ``xs = (1 + rho)/alpha`` -- the context noise ``x*`` per coordinate of ``s``;
* ``eps`` -- the effective regularisation, root of ``F(eps) = 0``;
* ``nu = xs + eps``, ``S = M_kappa(nu)``, ``Sp = M_kappa'(nu)``.

Functions take the Stieltjes values ``S, Sp`` as arguments so a derivation can
keep them as symbols (then substitute the closed form of
:func:`iclsym.engine.stieltjes.stieltjes_mp`) or expand them.

``ridgeless_targets`` records the ridgeless statements of docs/onelayer/asymptotic-theory.md *as
targets*: derivations (``lam -> 0+`` of the ridge forms) must reproduce them;
nothing numeric is built from them without that check.
"""

from __future__ import annotations

from types import SimpleNamespace

import sympy as sp

from iclsym.engine.stieltjes import mp_stable_traces, stieltjes_mp, stieltjes_mp_derivative

__all__ = [
    "symbols",
    "x_star",
    "fixed_point_F",
    "e_icl_ridge",
    "ridgeless_targets",
    "ridgeless_targets_in",
    "stieltjes_pair",
    "ridge_errors_stable",
    "g_task_stable",
    "e_idg_ridge",
    "mp_moment",
    "mp_trace",
    "e_idg_deterministic_equivalent",
    "fixed_point_deterministic_equivalent",
    "error_integrands_shifted",
    "error_deterministic_equivalent",
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
    """``F(eps) = 1 - tau + tau lam/eps - eps M_kappa(xs + eps)`` (docs/onelayer/asymptotic-theory.md).

    ``M_at`` is the value ``M_kappa(xs + eps)`` (an expression or symbol).

    >>> s = symbols()
    >>> fixed_point_F(s.eps, s.tau, s.lam, s.z, s.S)
    -S*eps - tau + 1 + lam*tau/eps
    """
    return 1 - tau + tau * lam / eps - eps * M_at


def e_icl_ridge(xs, rho, tau, eps, S, Sp):
    """Ridge ICL error (docs/onelayer/asymptotic-theory.md), with ``S = M(nu)``, ``Sp = M'(nu)``, ``nu = xs + eps``.

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
    """The ridgeless statements of docs/onelayer/asymptotic-theory.md (targets for the ``lam -> 0+`` derivation).

    Returns a namespace with ``e_icl_below``, ``e_icl_above`` (``tau < 1`` / ``tau > 1``),
    ``e_idg_below``, ``e_idg_above``, and the auxiliary ``m_star``, ``mu_star``, ``k_star``,
    ``eps0``, ``c``.
    """
    xs = x_star(alpha, rho)
    m = stieltjes_mp(xs, kappa)
    mt = stieltjes_mp(xs, kappa / tau if kappa is not sp.oo else sp.oo)
    return ridgeless_targets_in(xs, m, mt, tau, kappa, rho)


def ridgeless_targets_in(xs, m, mt, tau, kappa, rho) -> SimpleNamespace:
    """:func:`ridgeless_targets` written in ``x* = xs``, ``m = M_kappa(x*)`` and ``mt = M_{kappa/tau}(x*)``.

    The limit derivations pass symbols for ``m`` and ``mt`` and reduce modulo their MP quadratics.
    """
    mu = xs * mt
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


# ---------------------------------------------------------------------------------------------
# Cancellation-free forms and the ridge IDG error (derived in notebooks/02_ridge_theory.py).
# ---------------------------------------------------------------------------------------------
#
# Every trace is an integral  int f(t) dmu(t)  over the MP law of R_hat with f >= 0; written
# through S = M(nu) and the discriminant root D (iclsym.engine.stieltjes.mp_stable_traces) it
# is evaluated without subtracting large numbers.


def _numerator_and_denominator(xs, rho, eps, r, nu, P, T2, U):
    """``(N, V, eps V + r)`` of :func:`ridge_errors_stable` (shared with :func:`g_task_stable`)."""
    V = U + xs * P
    return rho + xs * T2 + nu**2 * U, V, eps * V + r


def ridge_errors_stable(xs, rho, tau, eps, r, P, T2, U):
    """``(e_icl, e_idg)`` of the ridge theory in cancellation-free form.

    ``r`` is ``tau lam/eps`` (its ``lam -> 0+`` limit is ``max(tau - 1, 0)``); by the fixed
    point ``F(eps) = 0`` the denominator ``tau - df2`` of the paper's ``c_e`` equals
    ``eps (S + eps M') + tau lam/eps = eps V + r > 0``.  With ``nu = xs + eps``:

    * ``N = rho + nu - nu**2 S - eps (1 - 2 nu S - nu**2 S') = rho + xs T2 + nu**2 U``
    * ``e_IDG = tau N/(eps V + r)``,  ``V = S + eps S' = U + xs P``
    * ``e_ICL = rho + nu**2 P + xs T2 + (1 + xs) N V/(eps V + r)``

    >>> s = symbols()
    >>> e_icl, e_idg = ridge_errors_stable(s.z, s.rho, s.tau, s.eps, 0, *sp.symbols("P T2 U"))
    >>> sp.simplify(e_idg - s.tau * (s.rho + s.z * sp.Symbol("T2")
    ...             + (s.z + s.eps)**2 * sp.Symbol("U")) / (s.eps * (sp.Symbol("U") + s.z * sp.Symbol("P"))))
    0
    """
    nu = xs + eps
    N, V, den = _numerator_and_denominator(xs, rho, eps, r, nu, P, T2, U)
    e_idg = tau * N / den
    e_icl = rho + nu**2 * P + xs * T2 + (1 + xs) * N * V / den
    return e_icl, e_idg


def g_task_stable(xs, rho, tau, eps, r, nu, ik, S, D, P, T2, U):
    """``g_task = e_ICL - e_IDG`` without subtracting the two errors.

    ``P - U = int (1-t)/(t+nu)**2 = ik S**2 (2 + ik S)/(D (1 + ik S))`` and
    ``(1 + xs) V - df2 = int (t+xs)(1-t)/(t+nu)**2 = xs (P - U) + U (1 + nu - D)`` with
    ``1 + nu - D = ik (2 - 2 nu - ik)/(1 + nu + D)``: both vanish like ``1/kappa``.
    """
    t = mp_stable_traces(nu, ik, S, D)
    N, _, den = _numerator_and_denominator(xs, rho, eps, r, nu, P, T2, U)
    PmU = t.PmU
    W = xs * PmU + U * t.one_nu_D
    return nu**2 * PmU + N * W / den


def e_idg_ridge(xs, rho, tau, eps, S, Sp):
    """Ridge IDG error in the paper's variables: ``e_IDG = -tau c_e = tau N/(tau - df2)``.

    Derived in ``notebooks/02_ridge_theory.py`` (deterministic equivalent of ridge regression
    on the Gaussian-equivalent features ``x (kron) s``; see :func:`e_idg_deterministic_equivalent`).
    """
    _, c_e = e_icl_ridge(xs, rho, tau, eps, S, Sp)
    return -tau * c_e


def mp_moment(j, kappa):
    """``int t**j dmu(t)`` of the MP law of ``R_hat`` (``j <= 2``): 1, 1, ``1 + 1/kappa``."""
    ik = 0 if kappa is sp.oo else 1 / kappa
    return (sp.Integer(1), sp.Integer(1), 1 + ik)[j]


def mp_trace(f, t, kappa, M):
    """Reduce ``(1/d) tr f(R_hat) = int f(t) dmu(t)`` for rational ``f`` to Stieltjes values.

    Partial fractions in ``t``; a term ``c/(t + a)**k`` integrates to
    ``c (-1)**(k-1)/(k-1)! M^{(k-1)}(a)``, and polynomial terms to the moments of the MP law.
    ``M(a, j)`` must return (a symbol for) the ``j``-th derivative of ``M_kappa`` at ``a``.

    >>> t, x = sp.symbols("t x", positive=True)
    >>> M = lambda a, j: sp.Function("M")(a) if j == 0 else sp.Derivative(sp.Function("M")(a), a, j)
    >>> mp_trace(t / (t + x), t, sp.oo, M)
    -x*M(x) + 1
    """
    f = sp.apart(sp.together(f), t)
    total = sp.Integer(0)
    for term in sp.Add.make_args(f):
        num, den = sp.fraction(sp.factor(term))
        if not den.has(t):
            poly = sp.Poly(sp.expand(num / den), t)
            for (j,), c in poly.terms():
                total += c * mp_moment(j, kappa)
            continue
        coeff, factors = sp.factor_list(den, t)
        if len(factors) != 1 or sp.degree(factors[0][0], t) != 1 or num.has(t):
            raise ValueError(f"mp_trace: unexpected partial-fraction term {term}")
        base, k = factors[0]
        lead = sp.Poly(base, t).LC()
        a = sp.simplify((base / lead).subs(t, 0))
        c = num / (coeff * lead**k)
        total += c * (-1) ** (k - 1) / sp.factorial(k - 1) * M(a, k - 1)
    return sp.expand(total)


def e_idg_deterministic_equivalent(xs, rho, tau, eps, t, kappa, M):
    """Ridge IDG error from the deterministic equivalent, reduced to Stieltjes values.

    Pretraining is ridge regression on features ``x (kron) s`` with covariance
    ``(1/d) I (kron) Sigma``, ``Sigma = R_hat + xs I``; the target is linear with coefficient
    ``Gamma_0 = R_hat Sigma^{-1}`` plus noise of variance
    ``sigma_eff**2 = rho + (1/d) tr R_hat (I - Sigma^{-1} R_hat) = rho + xs int t/(t+xs)``.
    The standard deterministic equivalent of ridge gives the same-distribution test error
    ``tau (sigma_eff**2 + eps**2 (1/d) tr R^2 Sigma^{-1} (Sigma+eps)^{-2}) / (tau - df2)``,
    ``df2 = (1/d) tr Sigma^2 (Sigma+eps)^{-2}``.  Returns ``(numerator, df2)``.
    """
    nu = xs + eps
    sigma2 = rho + xs * mp_trace(t / (t + xs), t, kappa, M)
    bias = eps**2 * mp_trace(t**2 / ((t + xs) * (t + nu) ** 2), t, kappa, M)
    df2 = mp_trace((t + xs) ** 2 / (t + nu) ** 2, t, kappa, M)
    return sigma2 + bias, df2


def fixed_point_deterministic_equivalent(xs, tau, lam, eps, t, kappa, M):
    """The ridge self-consistency from the deterministic equivalent, reduced to ``M``.

    Ridge on ``n = tau d**2`` samples of ``d**2`` features with covariance ``I (kron) Sigma``
    (``Sigma = R_hat + xs``) and penalty ``n lam``: the effective regulariser solves
    ``lam = eps (1 - df1/n)``, ``df1 = tr_{d^2} C (C + eps)^{-1} = d tr_d Sigma (Sigma+eps)^{-1}``,
    i.e. ``tau lam - eps (tau - (1/d) tr Sigma (Sigma + eps)^{-1}) = 0``.  Returns that left side.
    """
    df1 = mp_trace((t + xs) / (t + xs + eps), t, kappa, M)
    return tau * lam - eps * (tau - df1)


def error_integrands_shifted(xs, eps, t, t_test):
    """Integrands (in the eigenvalue ``t`` of ``R_hat``) of the deterministic-equivalent test error.

    The trained ``Gamma`` has mean ``Gamma_bar = R_hat (Sigma + eps)^{-1}`` with eigenvalues
    ``gamma = t/(t + nu)``.  A test law whose task second moment has eigenvalue ``t_test``
    (``t`` for IDG, ``1`` for ICL) gives, per eigen-direction,

    * bias + context noise: ``(1 - gamma)**2 t_test + xs gamma**2``
      (from ``E|w - Gamma s|**2``, ``s = w + N(0, xs)``);
    * variance weight: ``(t_test + xs)(t + xs)/(t + nu)**2`` (test-feature covariance times
      the training ``Sigma (Sigma + eps)^{-2}``).

    Returns ``(bias, variance_weight, df2)`` with ``df2 = (t + xs)**2/(t + nu)**2``.
    """
    nu = xs + eps
    gamma = t / (t + nu)
    bias = (1 - gamma) ** 2 * t_test + xs * gamma**2
    weight = (t_test + xs) * (t + xs) / (t + nu) ** 2
    df2 = (t + xs) ** 2 / (t + nu) ** 2
    return bias, weight, df2


def error_deterministic_equivalent(xs, rho, tau, eps, t, kappa, M, test="idg"):
    """Deterministic-equivalent test error of ridge pretraining for the IDG or ICL test law.

    ``e = rho + int bias + N int weight/(tau - int df2)`` with the training numerator
    ``N = rho + int [(1 - gamma)**2 t + xs gamma**2]`` (the IDG bias + noise; equal to
    ``sigma_eff**2 + eps**2 (1/d) tr R^2 Sigma^{-1} (Sigma+eps)^{-2}``).  This is the standard
    ridge deterministic equivalent with a train/test shift of the task law; ``test = 'icl'``
    reproduces the paper's ``e_ICL`` and ``'idg'`` gives ``e_IDG = -tau c_e``.
    """
    if test not in ("icl", "idg"):
        raise ValueError(f"test must be 'icl' or 'idg'; got {test!r}")
    train_bias, _, df2 = error_integrands_shifted(xs, eps, t, t)
    bias, weight, _ = error_integrands_shifted(xs, eps, t, t if test == "idg" else sp.Integer(1))
    N = rho + mp_trace(train_bias, t, kappa, M)
    return rho + mp_trace(bias, t, kappa, M) + N * mp_trace(weight, t, kappa, M) / (tau - mp_trace(df2, t, kappa, M))

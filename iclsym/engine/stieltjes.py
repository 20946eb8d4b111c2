"""Marchenko–Pastur Stieltjes transform, symbolically.

``M_kappa(z) = lim (1/d) tr (R_hat + z I)^{-1}`` for ``R_hat = (1/k) sum_j w_j w_j^T``,
``k = kappa d``, tasks isotropic with ``|w|^2/d -> 1`` (docs/onelayer/asymptotic-theory.md).  It
solves the quadratic

    Q(M) = (z/kappa) M**2 + (z + 1 - 1/kappa) M - 1 = 0.

**Branch rule** (the one place it is stated; the numeric and mpmath evaluators implement the
same closed form).  For real ``z > 0`` the two roots of ``Q`` have product ``-kappa/z < 0``, so
exactly one is positive; ``M_kappa(z) = int dmu(t)/(t + z)`` of a probability measure on
``[0, inf)`` is positive, so the physical root is the positive one:

    M_kappa(z) = 2 / (b + D),   b = z + 1 - 1/kappa,   D = sqrt(b**2 + 4 z/kappa),

written without cancellation (the denominator is positive for ``z > 0`` whatever the sign of
``b``).  ``D = dQ/dM`` at the root.  Off the real axis the same expression, with the principal
square root, is the Herglotz branch (``Im M < 0`` for ``Im z > 0``) as long as ``Re z > 0``;
writing the root as ``sqrt(z + lam_-) sqrt(z + lam_+)``, ``lam_pm = (1 pm kappa**(-1/2))**2``,
extends it to the whole upper half-plane (this is what :mod:`iclsym.core.spectra` does).
``other_branch=True`` returns the second root of ``Q``.

Everything the numeric code needs beyond ``M`` itself is derived here from ``Q`` and generated
by ``derivations/core/marchenko_pastur.py``: the derivatives ``M'``, ``M''`` (implicit
differentiation), their values at ``z = 0`` for ``kappa > 1``, and cancellation-free forms of the
traces ``int f(t) dmu(t)`` that the ridge theory uses.
"""

from __future__ import annotations

from types import SimpleNamespace

import sympy as sp

__all__ = [
    "mp_quadratic",
    "stieltjes_mp",
    "stieltjes_mp_derivative",
    "stieltjes_mp_inf",
    "mp_derivatives",
    "mp_derivatives_at_zero",
    "mp_stable_traces",
]


def mp_quadratic(M, z, kappa):
    """The self-consistent quadratic ``Q(M)`` whose positive root is ``M_kappa(z)``.

    >>> M, z, k = sp.symbols("M z kappa", positive=True)
    >>> sp.expand(mp_quadratic(M, z, k) * k)
    M**2*z + M*kappa*z + M*kappa - M - kappa
    """
    return (z / kappa) * M**2 + (z + 1 - 1 / kappa) * M - 1


def stieltjes_mp(z, kappa, other_branch: bool = False):
    """Closed form of ``M_kappa(z)`` (physical branch; see the module docstring).

    ``kappa = sympy.oo`` gives ``1/(1 + z)``.

    >>> z, k = sp.symbols("z kappa", positive=True)
    >>> M = stieltjes_mp(z, k)
    >>> sp.simplify(mp_quadratic(M, z, k))
    0
    >>> stieltjes_mp(z, sp.oo)
    1/(z + 1)
    """
    if kappa is sp.oo:
        if other_branch:
            raise ValueError("kappa = inf has a single root: other_branch is not available")
        return 1 / (1 + z)
    b = z + 1 - 1 / kappa
    disc = sp.sqrt(b**2 + 4 * z / kappa)
    if other_branch:
        return (-b - disc) / (2 * z / kappa)
    return 2 / (b + disc)


def stieltjes_mp_derivative(M, z, kappa):
    """``dM/dz`` by implicit differentiation of ``Q(M) = 0``, as a function of ``M``.

    >>> z, k = sp.symbols("z kappa", positive=True)
    >>> M = stieltjes_mp(z, k)
    >>> sp.simplify(stieltjes_mp_derivative(M, z, k) - sp.diff(M, z))
    0
    """
    if kappa is sp.oo:
        return -M**2
    Mv, zv = sp.Dummy("M"), sp.Dummy("z")
    Q = mp_quadratic(Mv, zv, kappa)
    return (-sp.diff(Q, zv) / sp.diff(Q, Mv)).subs({Mv: M, zv: z})


def stieltjes_mp_inf(z):
    """``kappa = inf`` (unstructured tasks): ``R_hat -> I`` and ``M = 1/(1 + z)``."""
    return 1 / (1 + z)


def mp_derivatives(z, ik, M, D):
    """``(M'(z), M''(z))`` as functions of ``M = M_kappa(z)`` and ``D = dQ/dM = 2 z ik M + z + 1 - ik``.

    ``M'`` by implicit differentiation of ``Q(M(z), z) = 0`` (``ik = 1/kappa``): ``M' = -Q_z/Q_M``
    with ``Q_M = D``, the square root of the discriminant.  ``M''`` by the chain rule in ``M`` and
    ``D``, with ``D' = (z + 1 + ik)/D`` from ``D**2 = (z + 1 - ik)**2 + 4 z ik``.  Both come out as
    sums of positive terms over powers of ``D`` (no cancellation for real ``z > 0``).

    >>> z, ik, M, D = sp.symbols("z ik M D", positive=True)
    >>> d1, d2 = mp_derivatives(z, ik, M, D)
    >>> d1, d2
    (-M*(M*ik + 1)/D, M*(M*ik + 1)*(D*(2*M*ik + 1) + ik + z + 1)/D**3)
    >>> sp.simplify(d2.subs({ik: 0, M: 1 / (1 + z), D: 1 + z}) - sp.diff(1 / (1 + z), z, 2))
    0
    """
    Mv, zv, Dv = sp.Dummy("M"), sp.Dummy("z"), sp.Dummy("D")
    Q = zv * ik * Mv**2 + (zv + 1 - ik) * Mv - 1
    Q_M = sp.diff(Q, Mv)
    if sp.expand(Q_M**2 - ((zv + 1 - ik) ** 2 + 4 * zv * ik) - 4 * zv * ik * Q) != 0:
        raise AssertionError("dQ/dM is not the square root of the discriminant at the root")
    d1 = sp.factor(-sp.diff(Q, zv) / Dv)
    D1 = sp.diff((zv + 1 - ik) ** 2 + 4 * zv * ik, zv) / (2 * Dv)
    d2 = sp.factor(sp.diff(d1, Mv) * d1 + sp.diff(d1, Dv) * D1)
    d2 = sp.collect(d2, Dv)
    sub = {Mv: M, zv: z, Dv: D}
    return d1.subs(sub), d2.subs(sub)


def mp_derivatives_at_zero(ik):
    """``(M(0), M'(0), M''(0))`` for ``kappa > 1`` (``ik = 1/kappa < 1``): the ``z -> 0`` limits.

    At ``z = 0`` the quadratic is linear, ``(1 - ik) M = 1``; the derivatives follow from
    :func:`mp_derivatives` with ``D = 1 - ik``.

    >>> mp_derivatives_at_zero(sp.Rational(1, 2))
    (2, -8, 96)
    """
    z, M, D = sp.symbols("z M D")
    M0 = 1 / (1 - ik)
    d1, d2 = mp_derivatives(z, ik, M, D)
    at0 = {z: 0, M: M0, D: 1 - ik}
    return sp.simplify(M0), sp.simplify(d1.subs(at0)), sp.simplify(d2.subs(at0))


def mp_stable_traces(nu, ik, S, D) -> SimpleNamespace:
    """Cancellation-free traces of the MP law at ``nu`` (``ik = 1/kappa``, ``S = M(nu)``, ``D``).

    With ``t`` an eigenvalue of ``R_hat`` (``int t dmu = 1``, ``int t**2 dmu = 1 + ik``):

    * ``P  = -M'(nu)                   = int 1/(t+nu)**2``
    * ``T1 = 1 - nu S                  = int t/(t+nu)``
    * ``T2 = 1 - 2 nu S - nu**2 M'(nu) = int t**2/(t+nu)**2``
    * ``U  = S + nu M'(nu)             = int t/(t+nu)**2``
    * ``PmU = P - U                     = int (1-t)/(t+nu)**2``
    * ``one_nu_D = 1 + nu - D``        (``-> 0`` like ``ik``)

    Each is a positive integral rewritten with the quadratic ``1 - nu S = S/(1 + ik S)`` and
    ``M' = -S (1 + ik S)/D`` so that it is evaluated without subtracting large numbers;
    ``D - nu = (D**2 - nu**2)/(D + nu)`` with ``D**2 - nu**2 = 2 nu (1 + ik) + (1 - ik)**2 > 0``.

    >>> nu, S, D = sp.symbols("nu S D", positive=True)
    >>> t = mp_stable_traces(nu, 0, S, nu + 1)
    >>> (t.P, t.T1, t.T2, t.U)
    (S/(nu + 1), S, S/(nu + 1), S/(nu + 1))
    """
    one_ikS = 1 + ik * S
    P = S * one_ikS / D
    T1 = S / one_ikS
    U = S / (D * one_ikS)
    T2 = U * (2 * nu * (1 + ik) + (1 - ik) ** 2) / (D + nu)
    PmU = ik * S**2 * (2 + ik * S) / (D * one_ikS)
    one_nu_D = ik * (2 - 2 * nu - ik) / (1 + nu + D)
    return SimpleNamespace(P=P, T1=T1, T2=T2, U=U, PmU=PmU, one_nu_D=one_nu_D)

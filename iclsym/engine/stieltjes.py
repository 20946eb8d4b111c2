"""Marchenko–Pastur Stieltjes transform, symbolically (DESIGN section 4).

``M_kappa(z) = lim (1/d) tr (R_hat + z I)^{-1}`` for ``R_hat = (1/k) sum_j w_j w_j^T``,
``k = kappa d``, solves the quadratic

    Q(M) = (z/kappa) M**2 + (z + 1 - 1/kappa) M - 1 = 0.

**Branch rule** (the one place it is stated; the numeric and mpmath evaluators
implement the same closed form).  For real ``z > 0`` the two roots of ``Q`` have
product ``-kappa/z < 0``, so exactly one is positive; ``M_kappa(z) = int dmu(t)/(t + z)``
of a probability measure on ``[0, inf)`` is positive, so the physical root is the
positive one:

    M_kappa(z) = 2 / (b + sqrt(b**2 + 4 z/kappa)),   b = z + 1 - 1/kappa,

written without cancellation (the denominator is positive for ``z > 0`` whatever
the sign of ``b``).  Off the real axis the same expression, with the principal
square root, is the Herglotz branch (``Im M < 0`` for ``Im z > 0``) as long as
``Re z > 0``; writing the root as ``sqrt(z + lam_-) sqrt(z + lam_+)``,
``lam_pm = (1 pm kappa**(-1/2))**2``, extends it to the whole upper half-plane (this is what
the numeric :func:`iclsym.onelayer.theory.stieltjes_mp` does).  ``other_branch=True`` returns the
second root of ``Q``.
"""

from __future__ import annotations

import sympy as sp

__all__ = ["mp_quadratic", "stieltjes_mp", "stieltjes_mp_derivative", "stieltjes_mp_inf"]


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

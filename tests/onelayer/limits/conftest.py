"""Helpers for the limit tests: the generated closed forms at 50 digits and the full theory.

The *full theory* is :mod:`iclsym.onelayer.theory.precise` (ridge fixed point solved at ``dps``
digits, errors from docs/onelayer/asymptotic-theory.md); the *closed forms* are :mod:`iclsym.onelayer._generated.limits_mpmath`
(derived by ``derivations/onelayer/limits.py``).  The two share only the Marchenko-Pastur transform.
"""

from types import SimpleNamespace

import mpmath
import pytest

from iclsym.onelayer._generated import limits_mpmath as gen
from iclsym.onelayer.theory import precise as full

DPS = 50


def mpf(x):
    return mpmath.mpf(x) if not isinstance(x, mpmath.mpf) else x


def xs(alpha, rho):
    return (1 + mpf(rho)) / mpf(alpha)


def m_star(alpha, kappa, rho):
    """``M_kappa(x*)`` at 50 digits."""
    return full.stieltjes_mp(xs(alpha, rho), kappa, dps=DPS)


def mt_star(alpha, tau, kappa, rho):
    """``M_{kappa/tau}(x*)`` at 50 digits."""
    kt = mpmath.inf if kappa == mpmath.inf or kappa == float("inf") else mpf(kappa) / mpf(tau)
    return full.stieltjes_mp(xs(alpha, rho), kt, dps=DPS)


def ik(kappa):
    return mpmath.mpf(0) if kappa in (float("inf"), mpmath.inf) else 1 / mpf(kappa)


def slope(x1, y1, x2, y2):
    """log-log slope between two points."""
    return (mpmath.log(abs(y2)) - mpmath.log(abs(y1))) / (mpmath.log(x2) - mpmath.log(x1))


@pytest.fixture
def mp50():
    with mpmath.workdps(DPS):
        yield SimpleNamespace(gen=gen, full=full, m_star=m_star, mt_star=mt_star, ik=ik, xs=xs,
                              slope=slope, mpf=mpf, dps=DPS)

"""Asymptotic theory of ICL by ridge-pretrained linear attention (docs/onelayer/asymptotic-theory.md).

Vectorized NumPy evaluators (broadcast over ``(alpha, tau, kappa, rho, lam)``, ``kappa = inf``
allowed, ``inf`` at the ridgeless pole ``tau = 1``, never NaN in the domain):

* :func:`stieltjes_mp` -- Marchenko–Pastur Stieltjes transform ``M_kappa(z)`` and derivatives;
* :func:`solve_eps`    -- the ridge fixed point ``F(eps) = 0`` (unique positive root);
* :func:`e_icl`, :func:`e_idg`, :func:`g_task` -- the test errors (ridge and ridgeless).

:mod:`iclsym.onelayer.theory.precise` has the same functions in mpmath (``dps=`` keyword).  This package
never imports SymPy: the formulas come from the generated :mod:`iclsym.onelayer._generated.asymptotic`.

>>> from iclsym.onelayer.theory import e_icl, e_idg, g_task
>>> round(float(e_icl(10.0, 2.0, float("inf"), 0.01, 0.1)), 12) == round(float(e_idg(10.0, 2.0, float("inf"), 0.01, 0.1)), 12)
True
>>> float(g_task(10.0, 2.0, float("inf"), 0.01, 0.1))
0.0
"""

from iclsym.onelayer.theory.asymptotic import e_icl, e_idg, errors, g_task
from iclsym.onelayer.theory.fixed_point import solve_eps
from iclsym.core.spectra import stieltjes_mp

__all__ = ["stieltjes_mp", "solve_eps", "e_icl", "e_idg", "g_task", "errors"]

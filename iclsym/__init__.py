"""iclsym: the exactly solvable theory of in-context learning by linear attention.

Reference: Y. M. Lu, M. I. Letey, J. A. Zavatone-Veth, A. Maiti, C. Pehlevan,
*Asymptotic theory of in-context learning by linear attention*, arXiv:2405.11751.

This module is a thin facade; the work is done in

* :mod:`iclsym.core.params`    -- validated ``(alpha, tau, kappa, rho, lam)`` and sizes ``(d, ell, k, n)``
* :mod:`iclsym.onelayer.theory`    -- vectorized NumPy and mpmath (:mod:`iclsym.onelayer.theory.precise`) evaluators of
  the asymptotic errors; closed forms in limits (:mod:`iclsym.onelayer.theory.limits`) and the optimal
  context length (:mod:`iclsym.onelayer.theory.optimal`)
* :mod:`iclsym.onelayer.simulation`  -- finite-``d`` samplers, ridge solvers, exact test errors, dMMSE
* :mod:`iclsym.sweep`     -- parameter grids, executors (processes / Dask), resumable store
* :mod:`iclsym.figures`   -- the paper's figures
* :mod:`iclsym.onelayer.symbolic`  -- SymPy derivations (derivation time only)

Names are imported lazily, so ``import iclsym`` is cheap and never imports SymPy.

>>> import iclsym
>>> iclsym.Params(alpha=1, tau=0.5, kappa=2, rho=0.1).kappa
2.0
>>> float(iclsym.e_icl(1.0, 1.0, 0.5, 0.01))  # ridgeless interpolation pole (DESIGN section 5)
inf
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS = {
    "Params": "iclsym.core.params",
    "Sizes": "iclsym.core.params",
    "check_theory_args": "iclsym.core.params",
    "stieltjes_mp": "iclsym.onelayer.theory",
    "solve_eps": "iclsym.onelayer.theory",
    "e_icl": "iclsym.onelayer.theory",
    "e_idg": "iclsym.onelayer.theory",
    "g_task": "iclsym.onelayer.theory",
    "errors": "iclsym.onelayer.theory",
    "alpha_star": "iclsym.onelayer.theory.optimal",
    "phase_diagram": "iclsym.onelayer.theory.optimal",
    "simulate_once": "iclsym.onelayer.simulation",
    "dmmse_once": "iclsym.onelayer.simulation",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'iclsym' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return __all__

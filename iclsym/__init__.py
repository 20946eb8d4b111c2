"""iclsym: the exactly solvable theory of in-context learning by linear attention.

Reference: Y. M. Lu, M. I. Letey, J. A. Zavatone-Veth, A. Maiti, C. Pehlevan,
*Asymptotic theory of in-context learning by linear attention*, arXiv:2405.11751.

This module is a thin facade; the work is done in

* :mod:`iclsym.params`    -- validated ``(alpha, tau, kappa, rho, lam)`` and sizes ``(d, ell, k, n)``
* :mod:`iclsym.theory`    -- vectorized NumPy and mpmath (:mod:`iclsym.theory.mp`) evaluators of
  the asymptotic errors; closed forms in limits (:mod:`iclsym.theory.limits`) and the optimal
  context length (:mod:`iclsym.theory.optimal`)
* :mod:`iclsym.simulate`  -- finite-``d`` samplers, ridge solvers, exact test errors, dMMSE
* :mod:`iclsym.sweep`     -- parameter grids, executors (processes / Dask), resumable store
* :mod:`iclsym.figures`   -- the paper's figures
* :mod:`iclsym.symbolic`  -- SymPy derivations (derivation time only)

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
    "Params": "iclsym.params",
    "Sizes": "iclsym.params",
    "check_theory_args": "iclsym.params",
    "stieltjes_mp": "iclsym.theory",
    "solve_eps": "iclsym.theory",
    "e_icl": "iclsym.theory",
    "e_idg": "iclsym.theory",
    "g_task": "iclsym.theory",
    "errors": "iclsym.theory",
    "alpha_star": "iclsym.theory.optimal",
    "phase_diagram": "iclsym.theory.optimal",
    "simulate_once": "iclsym.simulate",
    "dmmse_once": "iclsym.simulate",
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

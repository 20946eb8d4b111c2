"""iclsym: exactly solvable theories of in-context learning of linear regression by attention.

The papers (docs/index.md):

1. Y. M. Lu, M. I. Letey, J. A. Zavatone-Veth, A. Maiti, C. Pehlevan, *Asymptotic theory of
   in-context learning by linear attention*, arXiv:2405.11751 (PNAS 2025);
2. M. I. Letey, J. A. Zavatone-Veth, Y. M. Lu, C. Pehlevan, *Pretrain-Test Task Alignment Governs
   Generalization in In-Context Learning*, arXiv:2509.26551;
3. B. Bordelon, M. I. Letey, C. Pehlevan, *Theory of Scaling Laws for In-Context Regression:
   Depth, Width, Context and Time*, arXiv:2510.01098.

This module is a thin facade over (docs/architecture.md):

* :mod:`iclsym.core`      -- parameters, task laws, spectral laws (NumPy)
* :mod:`iclsym.engine`    -- the SymPy engine: Wick moments, tensor contraction, code generation
* :mod:`iclsym.onelayer`  -- papers 1-2: ridge-trained linear attention (theory, precise
  (mpmath) evaluators, limits, optimal context length, finite-``d`` simulation, dMMSE)
* :mod:`iclsym.sweep`     -- job kinds, grids, executors (processes / Dask), resumable store
* :mod:`iclsym.figures`   -- the papers' figures, :mod:`iclsym.cli` -- the ``iclsym`` command

Names are imported lazily, so ``import iclsym`` is cheap and never imports SymPy.

>>> import iclsym
>>> iclsym.Params(alpha=1, tau=0.5, kappa=2, rho=0.1).kappa
2.0
>>> float(iclsym.e_icl(1.0, 1.0, 0.5, 0.01))  # ridgeless interpolation pole (docs/onelayer/limits.md)
inf
"""

from __future__ import annotations

import importlib

__version__ = "0.3.0"  # changes whenever behaviour does; CHANGELOG.md and CITATION.cff follow it

# public name -> module that defines it
_EXPORTS = {
    "Params": "iclsym.core.params",
    "Sizes": "iclsym.core.params",
    "check_theory_args": "iclsym.core.params",
    "stieltjes_mp": "iclsym.core.spectra",
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

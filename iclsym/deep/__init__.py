"""Deep linear attention: the theory of Bordelon, Letey and Pehlevan, *Theory of Scaling Laws for
In-Context Regression: Depth, Width, Context and Time* (ICLR 2026).

Paper 3 reuses letters of papers 1-2 with other meanings; inside this namespace ``alpha = P/D``
(context pairs per dimension), ``queries = K/D``, ``batch = B/D`` (see ``docs/symbols.md``).

Submodules (imported on demand; the numeric path needs only NumPy/SciPy):

* :mod:`iclsym.deep.data` -- spectra, Haar rotations, ISO/FS/RRS context samplers;
* :mod:`iclsym.deep.model` -- the explicit network and the Gamma-model (reduction);
* :mod:`iclsym.deep.iso` -- exact ISO risk, optimal step, Catalan closed form, ``L = 1`` SGD recursion;
* :mod:`iclsym.deep.structured` -- FS per-mode flow, RRS losses, finite-``alpha`` contour risk,
  width and context laws;
* :mod:`iclsym.deep.dynamics` -- gradient-flow ODEs; :mod:`iclsym.deep.exponents` -- scaling exponents;
* :mod:`iclsym.deep.montecarlo`, :mod:`iclsym.deep.train`, :mod:`iclsym.deep.attention` (JAX),
  :mod:`iclsym.deep.jobs` -- Monte Carlo, SGD training and sweep job functions.

Examples
--------
>>> from iclsym.deep import iso
>>> float(iso.iso_risk_star(1.0, 1))
0.5
"""

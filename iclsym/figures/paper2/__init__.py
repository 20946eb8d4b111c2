"""Figures of Letey et al. (2025), *Pretrain-Test Task Alignment Governs Generalization in In-Context
Learning* (docs/onelayer/alignment.md), one module per figure with ``jobs(settings)``,
``plot(store, settings, out_dir)`` and ``points(store, settings)`` (the interface of
:mod:`iclsym.figures.paper1`); settings in :mod:`iclsym.figures.paper2.settings`.

* ``fig1``    -- e_ICL and e_misalign against kappa, spike tests on a descending ramp;
* ``fig2``    -- e_ICL against the four candidate measures (Spearman correlations printed);
* ``fig4``    -- heat map: steeper pretraining than the test (theory);
* ``fig6``    -- half-rank pretraining;
* ``context`` -- test-time context length;
* ``optimal`` -- optimal pretraining for an isotropic test (and the optimum over the spectrum).
"""

#: the figure modules, in order
FIGURES = ("fig1", "fig2", "fig4", "fig6", "context", "optimal")

__all__ = ["FIGURES"]

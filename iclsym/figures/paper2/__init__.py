"""Figures of Letey et al. (2025), *Pretrain-Test Task Alignment Governs Generalization in In-Context
Learning* (docs/onelayer/alignment.md), one module per figure with ``jobs(settings)``,
``plot(store, settings, out_dir)`` and ``points(store, settings)`` (the interface of
:mod:`iclsym.figures.paper1`); settings in :mod:`iclsym.figures.paper2.settings`.

* ``fig1``    -- e_ICL and e_misalign against kappa, spike tests on a descending ramp;
* ``fig2``    -- e_ICL against the four candidate measures (Spearman correlations printed);
* ``fig3``    -- a trained transformer's ICL error against the same measures (:mod:`iclsym.nets`);
* ``fig4``    -- heat map: steeper pretraining than the test (theory);
* ``fig6``    -- half-rank pretraining;
* ``context`` -- test-time context length;
* ``optimal`` -- optimal pretraining for an isotropic test (and the optimum over the spectrum).
"""

#: the figure modules, in order
FIGURES = ("fig1", "fig2", "fig3", "fig4", "fig6", "context", "optimal")
TITLE = "Letey et al. (2025), pretrain-test task alignment"
#: prefix of the output files (``p2_fig1.png`` ...) and the report's name
PREFIX = "p2_"
REPORT = "report_paper2"

__all__ = ["FIGURES", "TITLE", "PREFIX", "REPORT", "select", "settings_for", "describe", "write_report"]


def select(items) -> list[str]:
    """Module names from ``--only`` items (``1``, ``fig1``, ``context`` ...).

    >>> select(["fig1", "6", "context"])
    ['context', 'fig1', 'fig6']
    """
    from iclsym.figures.common import select_figures

    return select_figures(items, FIGURES, 2)


def settings_for(mode: str, d=None, runs=None):
    """The mode's settings with ``--d`` (all simulated dimensions) and ``--runs`` overrides."""
    from iclsym.figures.paper2.settings import for_mode

    s = for_mode(mode)
    changes = {}
    if d is not None:
        changes.update(d=d, d_rank=d, d_context=d)
    if runs is not None:
        changes.update(runs=runs)
    return s.replace(**changes) if changes else s


def describe(s) -> str:
    from iclsym.nets.settings import of

    return (f"linear attention d = {s.d} (Fig. 6: {s.d_rank}, context: {s.d_context}) x {s.runs} runs; "
            f"trained transformer (Fig. 3) d = {of(s).p2_d}")


def write_report(out, settings, rows, paths, timings, store, names=FIGURES):
    from iclsym.figures.paper2.report import spearman_lines, write_report as _write

    trained = [r for r in rows if r.get("figure") == "3 (paper 2)"]
    return _write(out, settings, [r for r in rows if r not in trained], paths, timings,
                  spearman_lines(store, settings, names), trained)

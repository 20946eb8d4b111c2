"""Figure modules of paper 3 (Bordelon, Letey, Pehlevan: deep linear attention).

Each module has ``jobs(settings)``, ``plot(store, settings, out_dir)`` and
``points(store, settings)`` (as :mod:`iclsym.figures.paper1.fig1`), with
:class:`iclsym.figures.paper3.settings.Paper3Settings`.  Jobs are sweep jobs of the kinds of
:mod:`iclsym.deep.kinds`; ``iclsym figures --paper 3`` runs them into the resumable store, and
:func:`reproduce` runs everything locally in memory.

Cost of ``quick`` (2 worker processes, measured while other work kept the 2-core machine at a
load average of about 12, so wall times are upper bounds): 232 s wall in total.  CPU seconds:
43 training jobs (``deep_train``) 67 s (max 4 s per job), 32 Monte Carlo jobs (``deep_mc``) 2 s,
2 full-attention jobs (``deep_attention``, JAX) 14 s, plotting in the main process 16 s -- about
100 CPU seconds, i.e. one to two minutes on an idle 2-core machine.
"""

from __future__ import annotations

FIGURES = ("fig1", "fig2", "fig3", "fig4", "fig5", "fig6", "fig6c", "fig7", "fig8", "fig9")
TITLE = "Bordelon et al. (2025), deep linear attention"
#: prefix of the output files (``p3_fig1.png`` ...) and the report's name
PREFIX = "p3_"
REPORT = "report_paper3"

__all__ = ["FIGURES", "TITLE", "PREFIX", "REPORT", "select", "settings_for", "describe", "write_report", "modules",
           "reproduce"]


def select(items) -> list[str]:
    """Module names from ``--only`` items (``1`` ... ``9``, ``6c``, or ``fig1`` ...).

    >>> select(["6", "fig1"])
    ['fig1', 'fig6']
    """
    from iclsym.figures.common import select_figures

    return select_figures(items, FIGURES, 3)


def settings_for(mode: str, d=None, runs=None):
    """The mode's settings; ``--d`` sets every training and Monte Carlo dimension, ``--runs`` the runs."""
    from iclsym.figures.paper3.settings import for_mode

    s = for_mode(mode)
    changes = {}
    if d is not None:
        changes.update({name: d for name in ("D_iso", "D_fs", "D_rrs", "D_mc", "D_sgd", "D_att")})
    if runs is not None:
        changes.update(runs=runs)
    return s.replace(**changes) if changes else s


def describe(s) -> str:
    from iclsym.nets.settings import of

    n = of(s)
    return (f"SGD training D = {s.D_iso} (ISO), {s.D_fs} (FS), {s.D_rrs} (RRS) x {s.runs} runs; "
            f"Monte Carlo D = {s.D_mc}; softmax stacks (Figs. 6c, 9) d = {n.p3_d}, L in {list(n.p3_depths)}")


def write_report(out, settings, rows, paths, timings, store, names=FIGURES):
    """``report_paper3.md``: trained / Monte Carlo values against the theory, per figure."""
    from iclsym.figures.report import free_table, provenance_section, write_text_output

    parts = [f"# iclsym: reproduction of {TITLE}", "",
             f"Mode **{settings.mode}**: {describe(settings)}; base seed {settings.base_seed}.", "",
             "Figures: " + ", ".join(f"[{p.name}]({p.name})" for p in paths if p.suffix == ".png"), "",
             "## Timings", ""] + [f"- {k}: {v}" for k, v in timings.items()]
    parts += ["", "## Measured vs theory", "",
              "`rel_gap = (measured - theory)/theory`; notes say which theory a row is compared with "
              "(asymptotic or finite-D; docs/deep/index.md).  Figs. 6c and 9 are trained softmax networks "
              "(no theory): their rows give the final test loss per depth and the depth ordering.", ""]
    parts += free_table(rows) if rows else ["No point has been run."]
    parts += [""] + provenance_section(out)
    return write_text_output(out, "report_paper3.md", parts)


def modules():
    import importlib

    return [importlib.import_module(f"iclsym.figures.paper3.{name}") for name in FIGURES]


def reproduce(mode: str = "quick", out_dir="figures_paper3", workers: int = 2, only=None, progress: bool = True):
    """Run every paper-3 job in an in-memory store, draw the figures, return ``(store, points, seconds)``."""
    import time

    from iclsym.figures.paper3.settings import for_mode
    from iclsym.sweep import ResultStore, make_executor, run_sweep
    from iclsym.sweep.threads import one_blas_thread

    s = for_mode(mode)
    store = ResultStore(":memory:")
    mods = [m for m in modules() if only is None or m.__name__.rsplit(".", 1)[1] in only]
    t0 = time.perf_counter()
    jobs = [j for m in mods for j in m.jobs(s)]
    run_sweep(jobs, store, make_executor("serial" if workers <= 1 else None, workers=workers), progress=progress)
    pts = []
    # one BLAS thread: small LAPACK calls are orders of magnitude slower when threads oversubscribe
    with one_blas_thread():
        for m in mods:
            m.plot(store, s, out_dir)
            pts += m.points(store, s)
    return store, pts, time.perf_counter() - t0

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

FIGURES = ("fig1", "fig2", "fig3", "fig4", "fig5", "fig6", "fig7", "fig8")


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

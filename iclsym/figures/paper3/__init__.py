"""Figure modules of paper 3 (Bordelon, Letey, Pehlevan: deep linear attention).

Each module has ``jobs(settings)``, ``plot(store, settings, out_dir)`` and
``points(store, settings)`` (as :mod:`iclsym.figures.paper1.fig1`), with
:class:`iclsym.figures.paper3.settings.Paper3Settings`.  Jobs are
:class:`iclsym.figures.paper3.common.DeepJob` of the kinds in
:data:`iclsym.figures.paper3.common.KINDS`.  :func:`reproduce` runs everything locally.

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
    """Run every paper-3 job in a :class:`~iclsym.figures.paper3.common.MemoryStore`, draw the figures,
    return ``(store, points, seconds)``."""
    import time

    from iclsym.figures.paper3.common import MemoryStore, run_jobs
    from iclsym.figures.paper3.settings import for_mode

    s = for_mode(mode)
    store = MemoryStore()
    mods = [m for m in modules() if only is None or m.__name__.rsplit(".", 1)[1] in only]
    t0 = time.perf_counter()
    jobs = [j for m in mods for j in m.jobs(s)]
    run_jobs(jobs, store, workers=workers, progress=progress)
    pts = []
    # one BLAS thread: small LAPACK calls are orders of magnitude slower when threads oversubscribe
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        for m in mods:
            m.plot(store, s, out_dir)
            pts += m.points(store, s)
    return store, pts, time.perf_counter() - t0

"""Paper 3 Fig. 6c (Bordelon et al.): untied softmax attention layers with 1/L residual scaling: depth still helps.

Trained networks: :func:`iclsym.nets.jobs.depth_job` with ``arch="deep_softmax"``; authors' setting
``d = 64``, width 128, 128 context pairs, 20,000 AdamW steps, ``L`` in {1, 2, 4, 8, 16}.  Rows and
rules: :mod:`iclsym.figures.paper3._depth`.
"""

from __future__ import annotations

from iclsym.figures.paper3 import _depth

__all__ = ["jobs", "points", "plot", "report_entries", "ARCH", "KIND"]

ARCH = "deep_softmax"
KIND = _depth.KIND
FIGURE = "fig6c"


def jobs(settings) -> list:
    """One online-training job per depth and run.

    Examples
    --------
    >>> from iclsym.nets.settings import tiny
    >>> len(jobs(tiny()))
    2
    """
    return _depth.jobs(settings, ARCH)


def points(store, settings) -> list:
    """Report rows: final test loss per depth and the depth ordering.

    Examples
    --------
    >>> from iclsym.sweep import ResultStore
    >>> from iclsym.nets.settings import tiny
    >>> points(ResultStore(":memory:"), tiny())
    []
    """
    return _depth.points(store, settings, ARCH, FIGURE)


def report_entries(store, settings) -> dict:
    """``{"fig6c.final_loss.L<L>": {"value", "se"}, "fig6c.depth_ordering": {"value", "monotone"}}``."""
    return _depth.report_entries(store, settings, ARCH, FIGURE)


def plot(store, settings, out_dir) -> list:
    """Draw the figure to ``out_dir/p3_fig6c.png`` and ``.pdf``."""
    return _depth.plot(store, settings, out_dir, ARCH, FIGURE, "Paper 3, Fig. 6c  untied softmax attention layers with 1/L residual scaling: depth still helps")

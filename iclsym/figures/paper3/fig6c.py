"""Paper 3 Fig. 6c (Bordelon et al.): untied softmax attention layers with 1/L residual scaling: depth still helps.

Trained networks: :func:`iclsym.nets.jobs.depth_job` with ``arch="deep_softmax"``; authors' setting
``d = 64``, width 128, 128 context pairs, 20,000 AdamW steps, ``L`` in {1, 2, 4, 8, 16}.  Rows and
rules: :mod:`iclsym.figures.paper3._depth`.
"""

from __future__ import annotations

from iclsym.figures.paper3._depth import KIND, DepthFigure

__all__ = ["jobs", "points", "plot", "report_entries", "ARCH", "KIND", "FIGURE"]

ARCH = "deep_softmax"
FIGURE = "fig6c"
_FIGURE = DepthFigure(ARCH, FIGURE, "Paper 3, Fig. 6c  untied softmax attention layers with 1/L residual scaling: depth still helps")
jobs, points, plot, report_entries = _FIGURE.jobs, _FIGURE.points, _FIGURE.plot, _FIGURE.report_entries

"""The papers' figures, one package per paper and one module per figure.

Each figure module exposes ``jobs(settings)`` (the sweep jobs it needs), ``plot(store, settings,
out_dir)`` (theory lines + simulation or training points -> PNG and PDF) and ``points(store,
settings)`` (theory-vs-measurement rows for the report).  Each paper package
(``iclsym.figures.paper<N>``) states its ``FIGURES``, output ``PREFIX`` and ``REPORT`` name and
provides ``select``, ``settings_for``, ``describe`` and ``write_report``; ``iclsym figures --paper N``
runs them (docs/onelayer/figures.md).  Shared machinery: :mod:`.common`, :mod:`.report`,
:mod:`.settings`, :mod:`.cost`.
"""

#: the paper packages ``iclsym figures --paper N`` knows
PAPERS = {1: "iclsym.figures.paper1", 2: "iclsym.figures.paper2", 3: "iclsym.figures.paper3"}

__all__ = ["PAPERS"]

"""The paper's figures (docs/onelayer/figures.md), one module per figure.

Each module ``figN`` exposes ``jobs(settings)`` (the Monte Carlo jobs it needs),
``plot(store, settings, out_dir)`` (theory lines + simulation points -> PNG and PDF) and
``points(store, settings)`` (theory vs simulation rows for the report).  The
``iclsym figures`` command runs them all; see :mod:`iclsym.figures.settings`.
"""

#: figure modules by paper: ``iclsym.figures.paper<N>.<name>``
FIGURES = {1: ("fig1", "fig2", "fig3", "fig4")}

__all__ = ["FIGURES"]

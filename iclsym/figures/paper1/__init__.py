"""Figures 1-6 of Lu et al. (2024), *Asymptotic theory of in-context learning by linear attention*.

One module per figure (``jobs(settings)``, ``plot(store, settings, out_dir)``,
``points(store, settings)``, optionally ``report_entries(store, settings)`` for ``report.json``).
Figs. 1-4 are the theory against ridge-trained linear attention (settings in
:mod:`iclsym.figures.settings`); Figs. 5-6 train attention networks (:mod:`iclsym.nets`, the
``nets`` extra; settings in :mod:`iclsym.nets.settings`, same mode).  The report is
:func:`iclsym.figures.report.write_report` (theory vs simulation with the finite-size allowance)
with a section for the trained networks.  This package's constants and functions are what
``iclsym figures --paper 1`` needs.
"""

from __future__ import annotations

__all__ = ["FIGURES", "TITLE", "PREFIX", "REPORT", "select", "settings_for", "describe", "write_report"]

#: the figure modules, in order
FIGURES = ("fig1", "fig2", "fig3", "fig4", "fig5", "fig6")
#: the figures that train networks (JAX)
TRAINED = ("fig5", "fig6")
TITLE = "Lu et al. (2024), Figs. 1-6"
#: prefix of the output files (``fig1.png`` ...) and the report's name
PREFIX = ""
REPORT = "report"


def select(items) -> list[str]:
    """Module names from ``--only`` items (``1``, ``fig1`` ...).

    >>> select(["2", "fig1"])
    ['fig1', 'fig2']
    """
    names = set()
    for item in items:
        part = str(item).strip().lower().removeprefix("fig")
        if f"fig{part}" not in FIGURES:
            raise ValueError(f"only must list paper-1 figures among 1, 2, 3, 4, 5, 6; got {item!r}")
        names.add(f"fig{part}")
    return sorted(names)


def settings_for(mode: str, d=None, runs=None):
    """The mode's settings with ``--d`` / ``--runs`` overrides."""
    from iclsym.figures.settings import for_mode

    s = for_mode(mode)
    changes = {}
    if d is not None:
        changes.update(d=d, d_dmmse=d)
    if runs is not None:
        changes.update(runs=runs, runs_dmmse=runs)
    return s.replace(**changes) if changes else s


def describe(s) -> str:
    from iclsym.nets.settings import of

    n = of(s)
    return (f"linear attention d={s.d} x {s.runs} runs, dMMSE d={s.d_dmmse} x {s.runs_dmmse} runs; "
            f"trained networks (Figs. 5-6) d in {list(n.fig5_d)}")


def write_report(out, settings, rows, paths, timings, store, names=FIGURES):
    from iclsym.figures.report import trained_section, write_report as _write

    trained = [r for r in rows if r.get("figure") in ("5", "6")]
    rows = [r for r in rows if r not in trained]
    ext = None
    if settings.extrapolate_d:  # extrapolated mode (iclsym figures --extrapolate)
        from iclsym.figures.extrapolated import extrapolated_rows, summary_text

        ext = extrapolated_rows(store, settings, rows)
        print("extrapolated: " + summary_text(ext).replace("**", ""))
    intro = ("Figs. 5-6 train attention networks (iclsym.nets; docs/nets.md): the interpolation threshold "
             "(first crossing of rho by the final training error), the fitted exponent of n* against d with its 95 % "
             "CI (and a bootstrap CI), the double-descent peak, and the kappa of the memorisation -> ICL transition. "
             "They are measured at the mode's training budget; `paper` gives the paper's value.")
    return _write(out, settings, rows, paths, timings, extrapolated=ext,
                  extra=trained_section("Trained networks (Figs. 5-6)", trained, intro))

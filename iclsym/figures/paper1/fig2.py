"""Paper Fig. 2: test error vs context length ``alpha`` for several task diversities (docs/onelayer/figures.md, docs/onelayer/limits.md).

* A -- ridgeless IDG error, ``tau = 0.5``, ``rho = 0.5``, ``kappa`` in {0.1, 0.3, 0.5, 0.7, 2};
* B -- ridgeless ICL error, ``tau = 0.5``, ``rho = 0.1``, ``kappa`` in {0.2, 0.4, 0.5, 0.6, 1.5};
* C -- ridgeless ICL error, ``tau = 20``, ``rho = 0.5``, ``kappa`` in {0.25, 0.75, 1, 1.1, 2}.

The ICL error is non-monotonic in ``alpha``: for ``kappa < min(tau, 1)`` and ``rho > 0`` it grows
linearly at large ``alpha`` (docs/onelayer/limits.md, "order of limits"), so there is an optimal context length.
Theory lines are ridgeless (``lam = 0``); simulations use ``lam = 1e-5``.
"""

from __future__ import annotations

import numpy as np

from iclsym.figures.common import (
    compare_rows, errorbar, finite_or_nan, new_figure, plain_log_ticks, save, sim_caption, sim_points,
)
from iclsym.sweep.grids import Job

__all__ = ["jobs", "points", "plot", "PANELS"]

_ALPHA_BC = (2.35, 5.5, 9.62, 22.7, 100.0, 1000.0)
#: docs/onelayer/figures.md table, Fig. 2 (sims at lam_sim; theory ridgeless)
PANELS = {
    "A": dict(field="e_idg", alpha=(1.0, 5.6, 6.15, 7.4, 100.0, 1000.0), kappa=(0.1, 0.3, 0.5, 0.7, 2.0),
              tau=0.5, rho=0.5),
    "B": dict(field="e_icl", alpha=_ALPHA_BC, kappa=(0.2, 0.4, 0.5, 0.6, 1.5), tau=0.5, rho=0.1),
    "C": dict(field="e_icl", alpha=_ALPHA_BC, kappa=(0.25, 0.75, 1.0, 1.1, 2.0), tau=20.0, rho=0.5),
}
LAM_SIM = 1e-5
FIELDS = ("e_icl", "e_idg", "g_task")
EXTRA = ("alpha_eff", "tau_eff", "kappa_eff")
COLORS = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple")


def _theory():
    from iclsym.onelayer import theory

    return theory


def _sim_alphas(settings, panel):
    alphas = PANELS[panel]["alpha"]
    if settings.reduced and PANELS[panel]["tau"] > 2:
        # quick mode: tau = 20 jobs are the most expensive of all figures (n = 20 d^2 sequences);
        # keep four alphas that show the shape (small, near the minimum, the linear growth)
        return tuple(a for i, a in enumerate(alphas) if i in (0, 2, 4, 5))
    return alphas


def jobs(settings) -> list[Job]:
    """Monte Carlo jobs of Fig. 2 (all panels; quick/tiny modes keep 4 of the 6 alphas at tau = 20).

    Examples
    --------
    >>> from iclsym.figures.settings import tiny, full
    >>> len(jobs(tiny())) == (5 * 6 + 5 * 6 + 5 * 4) * tiny().runs, len(jobs(full())) == 90 * full().runs
    (True, True)
    """
    out = []
    for name, p in PANELS.items():
        for kappa in p["kappa"]:
            for alpha in _sim_alphas(settings, name):
                out += settings.ridge_jobs(alpha, p["tau"], kappa, p["rho"], LAM_SIM)
    return out


def _sims(store, settings, p):
    sims = sim_points(store, settings.ridge_kind, FIELDS, EXTRA, d=settings.d, tau=p["tau"], rho=p["rho"], lam=LAM_SIM)
    if len(sims):
        sims = sims[sims["alpha"].isin(p["alpha"]) & sims["kappa"].isin(p["kappa"])]
    return sims


def points(store, settings) -> list[dict]:
    """Theory-vs-simulation rows (theory at the simulations' effective ratios and ``lam``).

    Examples
    --------
    >>> from iclsym.sweep import ResultStore
    >>> from iclsym.figures.settings import tiny
    >>> points(ResultStore(":memory:"), tiny())
    []
    """
    th = _theory()
    rows = []
    for name, p in PANELS.items():
        sims = _sims(store, settings, p)
        fn = th.e_idg if p["field"] == "e_idg" else th.e_icl
        rows += compare_rows("2", name, sims, p["field"], fn)
    return rows


def plot(store, settings, out_dir) -> list:
    """Draw Fig. 2 (three panels) to ``out_dir/fig2.png`` and ``.pdf``."""
    th = _theory()
    alpha = np.logspace(-0.5, 3.3, settings.dense)
    fig, axes = new_figure(3)
    titles = {
        "A": "A: IDG error vs context length",
        "B": "B: ICL error vs context length (non-monotonic)",
        "C": "C: ICL error vs context length, large $\\tau$",
    }
    for ax, (name, p) in zip(axes, PANELS.items()):
        fn = th.e_idg if p["field"] == "e_idg" else th.e_icl
        sims = _sims(store, settings, p)
        for kappa, color in zip(p["kappa"], COLORS):
            y = finite_or_nan(fn(alpha, p["tau"], kappa, p["rho"], 0.0))
            ax.plot(alpha, y, color=color, lw=1.6, label=rf"$\kappa={kappa:g}$")
            sub = sims[sims["kappa"] == kappa] if len(sims) else sims
            errorbar(ax, sub["alpha"] if len(sub) else [], sub, p["field"], color=color)
        ax.set_xscale("log")
        ax.set_yscale("log")
        lo, hi = ax.get_ylim()
        if hi / lo < 30:  # less than ~1.5 decades: minor ticks get labels, print them plainly
            plain_log_ticks(ax)
        label = "IDG" if p["field"] == "e_idg" else "ICL"
        ax.set_xlabel(r"context length per dimension $\alpha = \ell/d$")
        ax.set_ylabel(rf"{label} error $e_{{\mathrm{{{label}}}}}$")
        ax.set_title(titles[name] + "\n" + rf"$\tau={p['tau']:g}$, $\rho={p['rho']:g}$; sims $\lambda={LAM_SIM:g}$, "
                     + sim_caption(settings), fontsize=9)
        ax.legend(fontsize=7, title="lines: theory ($\\lambda=0$)\npoints: sim ± SE", title_fontsize=7)
    fig.suptitle("Fig. 2  Linear attention: test error vs context length for several task diversities "
                 r"$\kappa = k/d$", fontsize=10)
    return save(fig, out_dir, "fig2")

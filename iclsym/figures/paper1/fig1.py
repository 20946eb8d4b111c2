"""Paper Fig. 1: sample-wise double descent in the pretraining-set size ``tau`` (docs/onelayer/figures.md, docs/onelayer/limits.md).

* A -- ridgeless IDG error vs ``tau`` for ``alpha`` in {1, 10, 100} (``kappa = 0.5``, ``rho = 0.01``);
* B -- ridgeless ICL error vs ``tau``, same parameters;
* C -- ridge ICL error vs ``tau`` at ``alpha = 10``, ``kappa = inf`` for ``lam`` in {1e-5, 0.1, 1}.

Theory: :func:`iclsym.onelayer.theory.e_idg` / :func:`iclsym.onelayer.theory.e_icl` (ridgeless ``lam = 0`` in A/B:
a pole at ``tau = 1``; ridge in C: finite peak).  Simulations: linear attention trained by
ridge regression at ``lam = 1e-5`` (A/B) and at the panel's ``lam`` (C).
"""

from __future__ import annotations

import numpy as np

from iclsym.figures.common import (
    compare_rows, errorbar, finite_max, finite_or_nan, new_figure, save, sim_caption, sim_points,
)
from iclsym.sweep.grids import Job

__all__ = ["jobs", "points", "plot", "PARAMS"]

#: docs/onelayer/figures.md table, Fig. 1
PARAMS = {
    "AB": dict(tau=(0.2, 0.5, 0.85, 1.15, 1.5, 2.0), alpha=(1.0, 10.0, 100.0), kappa=0.5, rho=0.01, lam=1e-5),
    "C": dict(tau=(0.2, 0.5, 0.85, 1.0, 1.15, 1.5, 2.0), alpha=10.0, kappa=np.inf, rho=0.01, lam=(1e-5, 0.1, 1.0)),
}
FIELDS = ("e_icl", "e_idg", "g_task")
EXTRA = ("alpha_eff", "tau_eff", "kappa_eff")
COLORS = ("tab:blue", "tab:orange", "tab:green")


def _theory():
    from iclsym.onelayer import theory

    return theory


def jobs(settings) -> list[Job]:
    """Monte Carlo jobs of Fig. 1 (all panels): 18 points for A/B, 21 for C, ``runs`` each.

    Examples
    --------
    >>> from iclsym.figures.settings import tiny
    >>> len(jobs(tiny())) == (18 + 21) * tiny().runs
    True
    """
    out = []
    ab, c = PARAMS["AB"], PARAMS["C"]
    for alpha in ab["alpha"]:
        for tau in ab["tau"]:
            out += settings.ridge_jobs(alpha, tau, ab["kappa"], ab["rho"], ab["lam"])
    for lam in c["lam"]:
        for tau in c["tau"]:
            out += settings.ridge_jobs(c["alpha"], tau, c["kappa"], c["rho"], lam)
    return out


def _sims(store, settings, **where):
    return sim_points(store, settings.ridge_kind, FIELDS, EXTRA, d=settings.d, **where)


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
    ab, c = PARAMS["AB"], PARAMS["C"]
    rows = []
    sims = _sims(store, settings, kappa=ab["kappa"], rho=ab["rho"], lam=ab["lam"])
    sims = sims[sims["alpha"].isin(ab["alpha"]) & sims["tau"].isin(ab["tau"])] if len(sims) else sims
    rows += compare_rows("1", "A", sims, "e_idg", th.e_idg)
    rows += compare_rows("1", "B", sims, "e_icl", th.e_icl)
    sims = _sims(store, settings, alpha=c["alpha"], kappa=c["kappa"], rho=c["rho"])
    sims = sims[sims["lam"].isin(c["lam"]) & sims["tau"].isin(c["tau"])] if len(sims) else sims
    rows += compare_rows("1", "C", sims, "e_icl", th.e_icl)
    return rows


def _log_limits(ax, curves, sims_max, floor=None):
    vals = np.concatenate([np.ravel(v) for v in curves])
    vals = vals[np.isfinite(vals) & (vals > 0)]
    if vals.size == 0:
        return
    lo = vals.min() if floor is None else floor
    hi = max(vals.max(), sims_max)
    ax.set_ylim(lo / 1.6, hi * 1.6)


def plot(store, settings, out_dir) -> list:
    """Draw Fig. 1 (three panels) to ``out_dir/fig1.png`` and ``.pdf``."""
    th = _theory()
    ab, c = PARAMS["AB"], PARAMS["C"]
    tau = np.linspace(0.05, 2.2, settings.dense)
    away = np.abs(tau - 1.0) > 0.12  # y-range from the curve away from the pole
    fig, (ax_a, ax_b, ax_c) = new_figure(3)
    sims_ab = _sims(store, settings, kappa=ab["kappa"], rho=ab["rho"], lam=ab["lam"])
    for ax, field, fn, name in ((ax_a, "e_idg", th.e_idg, "IDG"), (ax_b, "e_icl", th.e_icl, "ICL")):
        curves, top = [], 0.0
        for alpha, color in zip(ab["alpha"], COLORS):
            y = finite_or_nan(fn(alpha, tau, ab["kappa"], ab["rho"], 0.0))
            ax.plot(tau, y, color=color, lw=1.6, label=rf"theory $\alpha={alpha:g}$")
            curves.append(y[away])
            sims = sims_ab[sims_ab["alpha"] == alpha] if len(sims_ab) else sims_ab
            if len(sims):
                errorbar(ax, sims["tau"], sims, field, color=color, label=rf"sim $\alpha={alpha:g}$")
                top = max(top, finite_max(sims[field + "_mean"]))
        ax.axvline(1.0, color="0.6", ls=":", lw=1)
        ax.set_yscale("log")
        _log_limits(ax, curves, top)
        ax.set_xlabel(r"pretraining sequences per parameter $\tau = n/d^2$")
        ax.set_ylabel(rf"{name} error $e_{{\mathrm{{{name}}}}}$")
        panel = "A" if name == "IDG" else "B"
        ax.set_title(f"{panel}: ridgeless {name} error vs $\\tau$ (double descent)\n"
                     rf"$\kappa={ab['kappa']:g}$, $\rho={ab['rho']:g}$; sims $\lambda={ab['lam']:g}$, "
                     + sim_caption(settings), fontsize=9)
        ax.legend(fontsize=7, ncol=2)
    sims_c = _sims(store, settings, alpha=c["alpha"], kappa=c["kappa"], rho=c["rho"])
    curves, top = [], 0.0
    for lam, color in zip(c["lam"], COLORS):
        y = finite_or_nan(th.e_icl(c["alpha"], tau, c["kappa"], c["rho"], lam))
        ax_c.plot(tau, y, color=color, lw=1.6, label=rf"theory $\lambda={lam:g}$")
        curves.append(y)
        sims = sims_c[sims_c["lam"] == lam] if len(sims_c) else sims_c
        if len(sims):
            errorbar(ax_c, sims["tau"], sims, "e_icl", color=color, label=rf"sim $\lambda={lam:g}$")
            top = max(top, finite_max(sims["e_icl_mean"]))
    ax_c.axvline(1.0, color="0.6", ls=":", lw=1)
    ax_c.set_yscale("log")
    _log_limits(ax_c, curves, top)
    ax_c.set_xlabel(r"pretraining sequences per parameter $\tau = n/d^2$")
    ax_c.set_ylabel(r"ICL error $e_{\mathrm{ICL}}$")
    ax_c.set_title("C: ridge regularisation tames the peak at $\\tau=1$\n"
                   rf"$\alpha={c['alpha']:g}$, $\kappa=\infty$, $\rho={c['rho']:g}$; " + sim_caption(settings),
                   fontsize=9)
    ax_c.legend(fontsize=7, ncol=2, loc="upper left")
    fig.suptitle("Fig. 1  Linear attention: test error vs pretraining-set size (theory: lines, simulation: "
                 "points ± SE)", fontsize=10)
    return save(fig, out_dir, "fig1")

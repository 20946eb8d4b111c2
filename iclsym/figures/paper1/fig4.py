"""Paper Fig. 4: the task-generalisation gap ``g_task`` vs task diversity ``kappa``.

See docs/onelayer/figures.md, docs/onelayer/limits.md and docs/onelayer/dmmse.md.

Linear attention (theory + simulation) against the finite-task Bayes-optimal baseline (dMMSE,
simulation) along the path ``tau = c alpha`` with ``c = 0.2``, ``rho = 0.01``:

* A -- log-log axes, ``alpha`` in {6, 10, 20};
* B -- log-linear axes, ``alpha`` in {10, 20, 40}.

Reference curves (docs/onelayer/limits.md), drawn from the closed forms derived with SymPy
(:mod:`iclsym.onelayer.theory.limits`): ``tau -> inf`` then ``alpha -> inf``,
``g_task -> max(0, 1 - kappa)`` (the memorisation -> ICL transition at ``kappa = 1``), and the
limit along ``tau = c alpha``: ``g_task -> (1 - kappa) [1 + rho / (c (1 + rho))]`` for
``kappa < 1`` and ``0`` otherwise.  dMMSE keeps an O(1) gap for ``kappa`` of order one.
"""

from __future__ import annotations

import numpy as np

from iclsym.figures.common import (
    aggregate, compare_rows, errorbar, finite_or_nan, new_figure, report_rows, save, sim_caption, sim_points,
)
from iclsym.sweep.grids import Job

__all__ = ["jobs", "points", "plot", "PANELS", "dmmse_kappas"]

C_PATH = 0.2
RHO = 0.01
LAM_SIM = 1e-6
KAPPA_SIM = (0.2, 0.5, 1.0, 10.0, 50.0)
KAPPA_RANGE = (0.08, 96.0)
PANELS = {"A": dict(alpha=(6.0, 10.0, 20.0), yscale="log"), "B": dict(alpha=(10.0, 20.0, 40.0), yscale="linear")}
FIELDS = ("e_icl", "e_idg", "g_task")
EXTRA = ("alpha_eff", "tau_eff", "kappa_eff")
COLORS = {6.0: "tab:blue", 10.0: "tab:orange", 20.0: "tab:green", 40.0: "tab:red"}


def _theory():
    from iclsym.onelayer import theory

    return theory


def _limit_curves(kappa):
    """The two asymptotes, from the closed forms derived with SymPy (:mod:`iclsym.onelayer.theory.limits`)."""
    from iclsym.onelayer.theory import limits

    return (limits.alpha_inf_tau_inf(kappa, RHO)["g_task"][0],
            limits.g_task_tau_prop_alpha(C_PATH, kappa, RHO))


def dmmse_kappas(settings):
    """Log-spaced kappa in [0.08, 96] at which dMMSE is simulated (paper: 31 values).

    Examples
    --------
    >>> from iclsym.figures.settings import full
    >>> k = dmmse_kappas(full()); len(k), round(k[0], 2), round(k[-1], 2)
    (31, 0.08, 96.0)
    """
    return tuple(float(k) for k in np.logspace(np.log10(KAPPA_RANGE[0]), np.log10(KAPPA_RANGE[1]),
                                               settings.dmmse_kappas))


def _alphas():
    return sorted({a for p in PANELS.values() for a in p["alpha"]})


def jobs(settings) -> list[Job]:
    """Monte Carlo jobs of Fig. 4: linear attention at 5 kappa, dMMSE on the kappa grid.

    Four alphas (6, 10, 20, 40) with ``tau = 0.2 alpha``.

    Examples
    --------
    >>> from iclsym.figures.settings import tiny
    >>> s = tiny()
    >>> len(jobs(s)) == 4 * 5 * s.runs + 4 * s.dmmse_kappas * s.runs_dmmse
    True
    """
    out = []
    for alpha in _alphas():
        tau = C_PATH * alpha
        for kappa in KAPPA_SIM:
            out += settings.ridge_jobs(alpha, tau, kappa, RHO, LAM_SIM)
        for kappa in dmmse_kappas(settings):
            out += [Job.of(settings.dmmse_kind, alpha=alpha, kappa=kappa, rho=RHO, d=settings.d_dmmse, run=r,
                           base_seed=settings.base_seed, n_test=settings.n_test)
                    for r in range(settings.runs_dmmse)]
    return out


def _ridge_sims(store, settings, alpha):
    sims = sim_points(store, settings.ridge_kind, FIELDS, EXTRA, d=settings.d, alpha=alpha, tau=C_PATH * alpha,
                      rho=RHO, lam=LAM_SIM)
    return sims[sims["kappa"].isin(KAPPA_SIM)] if len(sims) else sims


def _dmmse_sims(store, settings, alpha):
    """dMMSE points: mean over runs; SE across runs, or the within-run SE when there is one run."""
    frame = store.frame(settings.dmmse_kind, d=settings.d_dmmse, alpha=alpha, rho=RHO)
    if frame.empty:
        return frame
    frame = frame[frame["kappa"].isin(dmmse_kappas(settings))]
    agg = aggregate(frame, FIELDS, extra=("se_g_task",))
    one = agg["runs"] == 1
    agg.loc[one, "g_task_se"] = agg.loc[one, "se_g_task"]
    return agg


def points(store, settings) -> list[dict]:
    """Theory-vs-simulation rows for linear attention, and the dMMSE points (no closed form).

    Examples
    --------
    >>> from iclsym.sweep import ResultStore
    >>> from iclsym.figures.settings import tiny
    >>> points(ResultStore(":memory:"), tiny())
    []
    """
    th = _theory()
    rows = []
    for alpha in _alphas():
        sims = _ridge_sims(store, settings, alpha)
        rows += compare_rows("4", "A/B", sims, "g_task", th.g_task)
    for alpha in _alphas():
        rows += report_rows("4", "A/B dMMSE", _dmmse_sims(store, settings, alpha), "g_task", None)
    return rows


def plot(store, settings, out_dir) -> list:
    """Draw Fig. 4 (two panels) to ``out_dir/fig4.png`` and ``.pdf``."""
    th = _theory()
    kappa = np.logspace(np.log10(KAPPA_RANGE[0]), np.log10(KAPPA_RANGE[1]), settings.dense)
    fig, axes = new_figure(2, width=5.6, height=5.2)
    for ax, (name, p) in zip(axes, PANELS.items()):
        for alpha in p["alpha"]:
            color = COLORS[alpha]
            y = finite_or_nan(th.g_task(alpha, C_PATH * alpha, kappa, RHO, LAM_SIM))
            ax.plot(kappa, y, color=color, lw=1.6, label=rf"linear attn. theory $\alpha={alpha:g}$")
            sims = _ridge_sims(store, settings, alpha)
            errorbar(ax, sims["kappa"] if len(sims) else [], sims, "g_task", color=color, fmt="o",
                     label=rf"linear attn. sim $\alpha={alpha:g}$")
            dm = _dmmse_sims(store, settings, alpha)
            if len(dm):
                errorbar(ax, dm["kappa"], dm, "g_task", color=color, fmt="^--", ms=3.5, lw=0.8, mfc="none",
                         label=rf"dMMSE sim $\alpha={alpha:g}$")
        lim_alpha, lim_path = _limit_curves(kappa)
        ax.plot(kappa, lim_alpha, color="k", ls=":", lw=1.4, label=r"$\alpha\to\infty$: $\max(0,1-\kappa)$")
        ax.plot(kappa, lim_path, color="0.45", ls="--", lw=1.2,
                label=rf"$\alpha\to\infty$ along $\tau={C_PATH:g}\alpha$")
        ax.axvline(1.0, color="0.7", lw=0.8)
        ax.set_xscale("log")
        ax.set_yscale(p["yscale"])
        ys = np.concatenate([np.asarray(ln.get_ydata(), dtype=float) for ln in ax.get_lines()] + [np.zeros(0)])
        top = min(4.0, max(1.25, float(ys[np.isfinite(ys)].max(initial=0.0))))
        if p["yscale"] == "log":
            ax.set_ylim(1e-3, 1.5 * top)
        else:
            ax.set_ylim(-0.05, 1.08 * top)
        ax.set_xlabel(r"task diversity $\kappa = k/d$")
        ax.set_ylabel(r"task-generalisation gap $g_{\mathrm{task}} = e_{\mathrm{ICL}} - e_{\mathrm{IDG}}$")
        ax.set_title(f"{name}: {'log-log' if name == 'A' else 'log-linear'} axes; $\\tau = {C_PATH:g}\\alpha$, "
                     rf"$\rho={RHO:g}$" + "\n" + f"linear attn. sims $\\lambda={LAM_SIM:g}$, {sim_caption(settings)}; "
                     f"dMMSE {sim_caption(settings, 'dmmse')}", fontsize=8.5)
    handles = {}
    for ax in axes:  # one shared legend below the panels (no duplicate entries)
        for h, lab in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(lab, h)
    fig.legend(list(handles.values()), list(handles.keys()), loc="outside lower center", ncol=4, fontsize=7)
    fig.suptitle(r"Fig. 4  Linear attention crosses over to in-context learning at $\kappa = 1$; "
                 "the Bayes-optimal dMMSE baseline does not", fontsize=10)
    return save(fig, out_dir, "fig4")

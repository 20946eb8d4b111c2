"""Paper 3, Fig. 4: RRS (randomly rotated) power-law data -- depth matters even at infinite context.

* A -- time law ``R ~ t^(-beta/(2+beta))`` (``N, P, L = inf``) for ``beta in {0.5, 1, 2, 4}``;
* B -- landscape ``R(gamma)`` at ``alpha = inf`` for ``L = 1 ... 64`` (minimum ``~ L^-beta``);
* C -- loss vs time for several ``L``: SGD-trained Gamma-models (points, time ``t = lr steps/2``)
  vs the gradient flow (lines), levelling off at ``min_gamma R ∝ L^-beta`` (dotted).

``nu = 1.5``; theory :mod:`iclsym.deep.structured` / :mod:`iclsym.deep.dynamics`.
"""

from __future__ import annotations

import numpy as np

from iclsym.figures.paper3.common import deep_job, histories

__all__ = ["jobs", "points", "plot", "PARAMS", "rrs_coords", "rrs_histories"]

KIND = "deep_train"
PARAMS = {"nu": 1.5, "beta": 1.0, "betas": (0.5, 1.0, 2.0, 4.0), "land_Ls": (1, 2, 4, 8, 16, 32, 64), "D_theory": 4096}


def lr_for(L: int) -> float:
    """``lr = 0.5 L`` (the curvature of the RRS loss in ``gamma`` falls with ``L`` near the optimum)."""
    return 0.5 * L


def rrs_coords(s, L, tied=True):
    """Coordinates of an RRS SGD job at depth ``L`` (tied or untied layers; Figs. 4C and 8)."""
    return dict(setting="rrs", alpha="inf", L=int(L), D=s.D_rrs, steps=s.steps_rrs, batch=2.0, lr=lr_for(L),
                queries="inf", decay=0.0, record=max(1, s.steps_rrs // 30), nu=PARAMS["nu"], beta=PARAMS["beta"],
                tied=bool(tied), n_eval=0)


def jobs(settings, tied=True) -> list:
    """RRS training jobs, one per depth.

    Examples
    --------
    >>> from iclsym.figures.paper3.settings import tiny
    >>> len(jobs(tiny()))
    2
    """
    return [deep_job(KIND, rrs_coords(settings, L, tied), run=r, base_seed=settings.base_seed)
            for L in settings.rrs_Ls for r in range(settings.runs)]


def rrs_histories(store, s, L, tied=True):
    """The recorded training histories of the RRS jobs at depth ``L``."""
    return histories(store, KIND, setting="rrs", D=s.D_rrs, steps=s.steps_rrs, L=L, tied=tied)


def points(store, settings) -> list[dict]:
    """Final SGD training loss vs the gradient flow at the same time.

    Examples
    --------
    >>> from iclsym.sweep import ResultStore
    >>> from iclsym.figures.paper3.settings import tiny
    >>> points(ResultStore(":memory:"), tiny())
    []
    """
    from iclsym.deep.data import power_law_spectrum
    from iclsym.deep.dynamics import flow_time, rrs_flow

    s = settings
    lam, om = power_law_spectrum(s.D_rrs, PARAMS["nu"], PARAMS["beta"])
    out = []
    for L in s.rrs_Ls:
        hs = rrs_histories(store, s, L)
        if not hs:
            continue
        m = float(np.mean([np.mean(h["risk"][-3:]) for h in hs]))
        st = hs[0]["step"]
        t = np.array([flow_time(st[-3], lr_for(L), "rrs", s.D_rrs), flow_time(st[-1], lr_for(L), "rrs", s.D_rrs)])
        _, R = rrs_flow(np.concatenate([[0.0], t]), lam, om, L)
        th = float(np.mean(R[1:]))
        out.append({"figure": "3.4", "panel": "C", "L": L, "D": s.D_rrs, "measured": m, "theory": th,
                    "rel_gap": (m - th) / th})
    return out


def plot(store, settings, out_dir) -> list:
    """Draw Fig. 4 to ``out_dir/p3_fig4.png``/``.pdf``."""
    import matplotlib

    from iclsym.deep.data import power_law_spectrum
    from iclsym.deep.dynamics import flow_time, rrs_flow
    from iclsym.deep.structured import rrs_loss_inf, rrs_optimal_inf
    from iclsym.figures.common import new_figure, save

    s = settings
    cmap = matplotlib.colormaps["viridis"]
    fig, (ax_a, ax_b, ax_c) = new_figure(3)
    t = np.concatenate([[0.0], np.geomspace(1e-1, 1e7, s.dense // 3)])
    for i, b in enumerate(PARAMS["betas"]):
        lam, om = power_law_spectrum(PARAMS["D_theory"], PARAMS["nu"], b)
        _, R = rrs_flow(t, lam, om, float("inf"))
        col = cmap(i / len(PARAMS["betas"]))
        ax_a.plot(t[1:], R[1:], color=col, lw=1.4, label=rf"$\beta={b:g}$")
        e = b / (2 + b)
        j = len(t) // 2
        ax_a.plot(t[1:], 2.0 * R[j] * (t[1:] / t[j]) ** -e, ls="--", color=col, lw=0.8)
    ax_a.set_xscale("log")
    ax_a.set_yscale("log")
    ax_a.set_ylim(1e-6, 2)
    ax_a.set_xlabel("time $t$")
    ax_a.set_ylabel("excess risk")
    ax_a.set_title(r"A: $L=\infty$: $R\sim t^{-\beta/(2+\beta)}$ (dashed), D = 4096", fontsize=9)
    ax_a.legend(fontsize=7)
    lam, om = power_law_spectrum(s.D_rrs, PARAMS["nu"], PARAMS["beta"])
    for i, L in enumerate(PARAMS["land_Ls"]):
        g = np.linspace(0.0, 2.2 * L / lam.max(), s.dense)
        ax_b.plot(g / L, rrs_loss_inf(g, lam, om, L), color=cmap(i / len(PARAMS["land_Ls"])), lw=1.3, label=f"$L={L}$")
    ax_b.set_yscale("log")
    ax_b.set_ylim(1e-3, 2)
    ax_b.set_xlabel(r"$\gamma/L$")
    ax_b.set_ylabel(r"$R(\gamma)$, $\alpha=\infty$")
    ax_b.set_title(f"B: landscape, D = {s.D_rrs}", fontsize=9)
    ax_b.legend(fontsize=7, ncol=2)
    T = max(flow_time(s.steps_rrs, lr_for(L), "rrs", s.D_rrs) for L in s.rrs_Ls)
    tc = np.concatenate([[0.0], np.geomspace(1e-2, 3 * T, s.dense // 3)])
    for i, L in enumerate(s.rrs_Ls):
        col = cmap(i / len(s.rrs_Ls))
        _, R = rrs_flow(tc, lam, om, L)
        ax_c.plot(tc[1:], R[1:], color=col, lw=1.4, label=f"$L={L}$")
        ax_c.axhline(rrs_optimal_inf(lam, om, L)[1], color=col, ls=":", lw=1)
        for h in rrs_histories(store, s, L)[:1]:
            st = np.asarray(h["step"][1:])
            ax_c.plot(flow_time(st, lr_for(L), "rrs", s.D_rrs), h["risk"][1:], "o", color=col, ms=3)
    ax_c.set_xscale("log")
    ax_c.set_yscale("log")
    ax_c.set_xlabel("time $t$")
    ax_c.set_ylabel("excess risk")
    ax_c.set_title(r"C: SGD (points) vs flow; floors $\min_\gamma R\propto L^{-\beta}$", fontsize=9)
    ax_c.legend(fontsize=7)
    fig.suptitle(f"Paper 3 Fig. 4  RRS, nu = 1.5, beta = 1 ({s.mode})", fontsize=10)
    return save(fig, out_dir, "p3_fig4")

"""Paper 3, Fig. 8 (appendix): untied layers follow the same power laws, and the per-layer steps
``gamma_l(t)`` stay balanced.

RRS, ``alpha = inf``, ``nu = 1.5``, ``beta = 1``; untied SGD with step ``lr L`` (equal to the tied
dynamics from a symmetric start).  Measured: the layers stay together while the loss follows the
tied flow, then SGD noise separates them once the tied model is near its optimum (the symmetric
point is not the untied optimum; at ``L = 2`` the two steps split and the loss drops below the
tied floor) -- see ``docs/deep/errors.md``.  A: loss vs time (points) against the tied gradient flow
(lines); B: the per-layer ``gamma_l(t)`` (points) against the flow's ``gamma(t)`` (lines).
"""

from __future__ import annotations

import numpy as np

from iclsym.figures.paper3 import fig4
from iclsym.figures.paper3.fig4 import PARAMS as P4

__all__ = ["jobs", "points", "plot"]


def jobs(settings) -> list:
    """Untied RRS training jobs, one per depth (the jobs of Fig. 4C with untied layers).

    Examples
    --------
    >>> from iclsym.figures.paper3.settings import tiny
    >>> len(jobs(tiny()))
    2
    """
    return fig4.jobs(settings, tied=False)


def _hist(store, s, L):
    return fig4.rrs_histories(store, s, L, tied=False)


def points(store, settings) -> list[dict]:
    """Largest relative spread of the per-layer steps at the end of training.

    Examples
    --------
    >>> from iclsym.sweep import ResultStore
    >>> from iclsym.figures.paper3.settings import tiny
    >>> points(ResultStore(":memory:"), tiny())
    []
    """
    out = []
    for L in settings.rrs_Ls:
        for h in _hist(store, settings, L)[:1]:
            g = np.asarray(h["gamma_l"][-1])
            out.append({"figure": "3.8", "panel": "B", "L": L, "field": "layer_spread_rel",
                        "measured": float((g.max() - g.min()) / g.mean())})
    return out


def plot(store, settings, out_dir) -> list:
    """Draw Fig. 8 to ``out_dir/p3_fig8.png``/``.pdf``."""
    import matplotlib

    from iclsym.deep.data import power_law_spectrum
    from iclsym.deep.dynamics import flow_time, rrs_flow
    from iclsym.figures.common import new_figure, save

    s = settings
    cmap = matplotlib.colormaps["viridis"]
    lam, om = power_law_spectrum(s.D_rrs, P4["nu"], P4["beta"])
    fig, (ax_a, ax_b) = new_figure(2)
    T = max(flow_time(s.steps_rrs, fig4.lr_for(L), "rrs", s.D_rrs) for L in s.rrs_Ls)
    t = np.concatenate([[0.0], np.geomspace(1e-2, 3 * T, s.dense // 3)])
    for i, L in enumerate(s.rrs_Ls):
        col = cmap(i / len(s.rrs_Ls))
        g, R = rrs_flow(t, lam, om, L)
        ax_a.plot(t[1:], R[1:], color=col, lw=1.4, label=f"$L={L}$")
        ax_b.plot(t[1:], g[1:], color=col, lw=1.4, label=f"$L={L}$")
        for h in _hist(store, s, L)[:1]:
            st = flow_time(np.asarray(h["step"][1:]), fig4.lr_for(L), "rrs", s.D_rrs)
            ax_a.plot(st, h["risk"][1:], "o", color=col, ms=3)
            gl = np.asarray(h["gamma_l"][1:])
            for l in range(gl.shape[1]):
                ax_b.plot(st, gl[:, l], ".", color=col, ms=3)
    for ax, lab in ((ax_a, "excess risk"), (ax_b, r"per-layer steps $\gamma_l$")):
        ax.set_xscale("log")
        ax.set_xlabel("time $t$")
        ax.set_ylabel(lab)
        ax.legend(fontsize=7)
    ax_a.set_yscale("log")
    ax_a.set_title("A: untied SGD (points) vs tied gradient flow (lines)", fontsize=9)
    ax_b.set_title(r"B: per-layer $\gamma_l(t)$ (points) vs the tied $\gamma(t)$ (lines)", fontsize=9)
    fig.suptitle(f"Paper 3 Fig. 8  untied layers, RRS, D = {s.D_rrs} ({s.mode})", fontsize=10)
    return save(fig, out_dir, "p3_fig8")

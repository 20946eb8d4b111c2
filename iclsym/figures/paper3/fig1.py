"""Paper 3, Fig. 1: SGD-trained deep linear attention on ISO data (D = 32).

* A -- training loss vs step for several ``alpha`` at the largest depth;
* B -- training loss vs step for several depths ``L`` at ``alpha = 1`` (depth helps most near 1);
* C -- final loss vs ``alpha``: trained models (Monte Carlo risk of the trained ``Gamma``) against
  ``L``-step GD at the optimal step (theory: the Catalan closed form ``R*_L``).

Training: :func:`iclsym.deep.jobs.train_job` (online SGD of the Gamma-model, ``queries = 1``).
"""

from __future__ import annotations

import numpy as np

from iclsym.figures.paper3.common import deep_job, curve, group, rows

__all__ = ["jobs", "points", "plot", "lr_for"]

KIND = "deep_train"


def lr_for(alpha: float) -> float:
    """SGD step used for ISO at ``alpha``: ``0.5/(1 + 1/alpha)`` (below the curvature bound
    ``4/R''(0) = 1/(1 + 1/alpha)`` of the ``gamma`` dynamics at every depth).

    Examples
    --------
    >>> lr_for(1.0)
    0.25
    """
    return 0.5 / (1.0 + 1.0 / float(alpha))


def _coords(s, alpha, L):
    return dict(setting="iso", alpha=float(alpha), L=int(L), D=s.D_iso, steps=s.steps_iso, batch=s.batch_iso,
                lr=lr_for(alpha), queries=1.0, decay=0.5, record=max(1, s.steps_iso // 25), n_eval=s.n_eval)


def _points(s):
    Lmax = max(s.fig1_Ls)
    pts = {(a, Lmax) for a in s.fig1_alphas} | {(1.0, L) for L in s.fig1_Ls}
    pts |= {(a, L) for a in s.fig1_alphas for L in s.fig1_Ls}
    return sorted(pts)


def jobs(settings) -> list:
    """Training jobs: every ``(alpha, L)`` of the grid, ``runs`` each.

    Examples
    --------
    >>> from iclsym.figures.paper3.settings import tiny
    >>> len(jobs(tiny()))
    4
    """
    return [deep_job(KIND, _coords(settings, a, L), run=r, base_seed=settings.base_seed)
            for a, L in _points(settings) for r in range(settings.runs)]


def _sel(store, s, **kw):
    return rows(store, KIND, setting="iso", D=s.D_iso, steps=s.steps_iso, **kw)


def points(store, settings) -> list[dict]:
    """Trained final risk vs the asymptotic ``R*_L`` (rel_gap) for every trained ``(alpha, L)``.

    Examples
    --------
    >>> from iclsym.sweep import ResultStore
    >>> from iclsym.figures.paper3.settings import tiny
    >>> points(ResultStore(":memory:"), tiny())
    []
    """
    from iclsym.deep.iso import iso_risk_star

    out = []
    for a, L in _points(settings):
        rs = _sel(store, settings, alpha=a, L=L)
        if not rs:
            continue
        m, se = group(rs, "L", "risk")[L]
        th = float(iso_risk_star(a, L))
        out.append({"figure": "3.1", "panel": "C", "alpha": a, "L": L, "D": settings.D_iso, "runs": len(rs),
                    "measured": m, "se": se, "theory": th, "rel_gap": (m - th) / th,
                    "note": "theory = asymptotic R*_L (finite-D optimum is higher by O(1/D))"})
    return out


def plot(store, settings, out_dir) -> list:
    """Draw Fig. 1 to ``out_dir/p3_fig1.png``/``.pdf``."""
    from iclsym.deep.iso import iso_risk_star
    from iclsym.figures.common import new_figure, save

    s = settings
    fig, (ax_a, ax_b, ax_c) = new_figure(3)
    Lmax = max(s.fig1_Ls)
    cmap = __import__("matplotlib").colormaps["viridis"]
    for i, a in enumerate(s.fig1_alphas):
        col = cmap(i / max(1, len(s.fig1_alphas) - 1))
        st, r = curve(_sel(store, s, alpha=a, L=Lmax))
        if st.size:
            ax_a.plot(st[1:], r[1:], color=col, lw=1.4, label=rf"$\alpha={a:g}$")
        ax_a.axhline(float(iso_risk_star(a, Lmax)), color=col, ls=":", lw=1)
    for i, L in enumerate(s.fig1_Ls):
        col = cmap(i / max(1, len(s.fig1_Ls) - 1))
        st, r = curve(_sel(store, s, alpha=1.0, L=L))
        if st.size:
            ax_b.plot(st[1:], r[1:], color=col, lw=1.4, label=f"$L={L}$")
        ax_b.axhline(float(iso_risk_star(1.0, L)), color=col, ls=":", lw=1)
    ag = np.geomspace(min(s.fig1_alphas) / 1.5, max(s.fig1_alphas) * 1.5, s.dense)
    for i, L in enumerate(s.fig1_Ls):
        col = cmap(i / max(1, len(s.fig1_Ls) - 1))
        ax_c.plot(ag, iso_risk_star(ag, L), color=col, lw=1.4, label=f"theory $L={L}$")
        g = {}
        for a in s.fig1_alphas:
            rs = _sel(store, s, alpha=a, L=L)
            if rs:
                g[a] = group(rs, "L", "risk")[L]
        if g:
            xs = np.array(list(g))
            ms = np.array([v[0] for v in g.values()])
            ses = np.nan_to_num(np.array([v[1] for v in g.values()]))
            ax_c.errorbar(xs, ms, yerr=ses, fmt="o", color=col, ms=4)
    from matplotlib.ticker import NullFormatter

    for ax in (ax_a, ax_b):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel("SGD step")
        ax.set_ylabel("training excess risk")
        ax.legend(fontsize=7)
    ax_b.set_yscale("linear")
    ax_a.set_title(f"A: $L={Lmax}$, varying $\\alpha$ (dotted: $R^*_L$)", fontsize=9)
    ax_b.set_title("B: $\\alpha=1$, varying depth (dotted: $R^*_L$)", fontsize=9)
    ax_c.set_xscale("log")
    ax_c.set_yscale("log")
    ax_c.xaxis.set_minor_formatter(NullFormatter())
    ax_c.set_xlabel(r"context pairs per dimension $\alpha = P/D$")
    ax_c.set_ylabel("final excess risk")
    ax_c.set_title("C: trained (points) vs $L$-step GD at the optimal step", fontsize=9)
    ax_c.legend(fontsize=7)
    fig.suptitle(f"Paper 3 Fig. 1  ISO, SGD-trained Gamma-model, D = {s.D_iso} ({s.mode})", fontsize=10)
    return save(fig, out_dir, "p3_fig1")

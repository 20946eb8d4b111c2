"""Paper 3, Fig. 2: the ISO loss landscape in the step ``gamma/L`` of in-context GD.

* A -- ``R_L(gamma)`` vs ``gamma/L`` at ``alpha = 0.5`` for ``L = 1 ... 32`` (the optimum
  ``gamma*/L = alpha/(1 + alpha)`` is the same for every depth);
* B -- the same at ``alpha = 2``;
* C -- label noise ``sigma in {0, 0.25, 0.5, 0.75, 1}`` at ``L = 16``, ``alpha = 1``.

Theory: the exact quadrature :func:`iclsym.deep.iso.iso_risk`; points: Monte Carlo of ``gamma I``
at finite ``D`` (:func:`iclsym.deep.jobs.mc_job`).
"""

from __future__ import annotations

import numpy as np

from iclsym.figures.paper3.common import deep_job, group, rows

__all__ = ["jobs", "points", "plot", "PARAMS"]

KIND = "deep_mc"
PARAMS = {"Ls": (1, 2, 4, 8, 16, 32), "alphas": (0.5, 2.0), "mc_Ls": (1, 4, 16), "mc_fracs": (0.2, 0.45, 0.7, 0.95),
          "sigmas": (0.0, 0.25, 0.5, 0.75, 1.0), "mc_sigmas": (0.0, 1.0), "L_noise": 16, "alpha_noise": 1.0}


def _steps(alpha):
    """Monte Carlo steps ``gamma/L``: fractions of the stability edge ``2/(1 + alpha^-1/2)^2``."""
    from iclsym.deep.iso import gamma_stability_edge

    edge = float(gamma_stability_edge(alpha, 1))
    return [round(f * edge, 6) for f in PARAMS["mc_fracs"]]


def _pts():
    p = PARAMS
    out = [(a, L, s, 0.0) for a in p["alphas"] for L in p["mc_Ls"] for s in _steps(a)]
    out += [(p["alpha_noise"], p["L_noise"], s, sg ** 2) for sg in p["mc_sigmas"] for s in _steps(p["alpha_noise"])]
    return out


def _coords(st, a, L, s, s2):
    return dict(setting="iso", alpha=a, L=L, D=st.D_mc, gamma=float(s * L), n=st.n_mc, sigma2=s2)


def jobs(settings) -> list:
    """Monte Carlo points (``runs`` each).

    Examples
    --------
    >>> from iclsym.figures.paper3.settings import tiny
    >>> len(jobs(tiny()))
    32
    """
    return [deep_job(KIND, _coords(settings, *p), run=r, base_seed=settings.base_seed)
            for p in _pts() for r in range(settings.runs)]


def points(store, settings) -> list[dict]:
    """Monte Carlo vs ``R_L(gamma)`` with ``z = (MC - theory)/SE``.

    Examples
    --------
    >>> from iclsym.sweep import ResultStore
    >>> from iclsym.figures.paper3.settings import tiny
    >>> points(ResultStore(":memory:"), tiny())
    []
    """
    from iclsym.deep.iso import iso_risk

    out = []
    for a, L, s, s2 in _pts():
        rs = rows(store, KIND, setting="iso", D=settings.D_mc, alpha=a, L=L, gamma=float(s * L), sigma2=s2)
        if not rs:
            continue
        m = float(np.mean([r["risk"] for r in rs]))
        se = float(np.sqrt(np.sum([r["risk_se"] ** 2 for r in rs])) / len(rs))
        th = float(iso_risk(s * L, a, L, s2))
        out.append({"figure": "3.2", "panel": "C" if s2 or (a, L) == (PARAMS["alpha_noise"], PARAMS["L_noise"]) else
                    ("A" if a == 0.5 else "B"), "alpha": a, "L": L, "gamma": s * L, "sigma2": s2, "D": settings.D_mc,
                    "measured": m, "se": se, "theory": th, "rel_gap": (m - th) / th, "z": (m - th) / se})
    return out


def plot(store, settings, out_dir) -> list:
    """Draw Fig. 2 to ``out_dir/p3_fig2.png``/``.pdf``."""
    from iclsym.deep.iso import gamma_stability_edge, iso_risk
    from iclsym.figures.common import new_figure, save

    import matplotlib

    cmap = matplotlib.colormaps["plasma"]
    p = PARAMS
    fig, axes = new_figure(3)
    for ax, a, panel in zip(axes[:2], p["alphas"], "AB"):
        top = float(gamma_stability_edge(a, 1)) * 1.05
        x = np.linspace(0.0, top, settings.dense)
        for i, L in enumerate(p["Ls"]):
            col = cmap(i / len(p["Ls"]))
            ax.plot(x, iso_risk(x * L, a, L), color=col, lw=1.4, label=f"$L={L}$")
            rs = rows(store, KIND, setting="iso", D=settings.D_mc, alpha=a, L=L, sigma2=0.0)
            if rs:
                g = group(rs, "gamma", "risk")
                ax.plot([k / L for k in g], [v[0] for v in g.values()], "o", color=col, ms=4)
        ax.axvline(a / (1 + a), color="0.5", ls=":", lw=1)
        ax.set_ylim(0, 1.2)
        ax.set_xlabel(r"step size $\gamma/L$")
        ax.set_ylabel(r"excess risk $R_L(\gamma)$")
        ax.set_title(rf"{panel}: $\alpha={a:g}$ (dotted: $\gamma^*/L=\alpha/(1+\alpha)$); points: MC D={settings.D_mc}",
                     fontsize=9)
        ax.legend(fontsize=7, ncol=2)
    ax = axes[2]
    a, L = p["alpha_noise"], p["L_noise"]
    x = np.linspace(0.0, float(gamma_stability_edge(a, 1)), settings.dense)
    for i, sg in enumerate(p["sigmas"]):
        col = cmap(i / len(p["sigmas"]))
        ax.plot(x, iso_risk(x * L, a, L, sg ** 2), color=col, lw=1.4, label=rf"$\sigma={sg:g}$")
        rs = rows(store, KIND, setting="iso", D=settings.D_mc, alpha=a, L=L, sigma2=sg ** 2)
        if rs:
            g = group(rs, "gamma", "risk")
            ax.plot([k / L for k in g], [v[0] for v in g.values()], "o", color=col, ms=4)
    ax.set_ylim(0, 2.0)
    ax.set_xlabel(r"step size $\gamma/L$")
    ax.set_ylabel("excess risk")
    ax.set_title(rf"C: label noise, $L={L}$, $\alpha={a:g}$", fontsize=9)
    ax.legend(fontsize=7)
    fig.suptitle("Paper 3 Fig. 2  ISO landscape of L-step in-context GD (lines: exact theory)", fontsize=10)
    return save(fig, out_dir, "p3_fig2")

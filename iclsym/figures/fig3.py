"""Paper Fig. 3: phase diagrams of the optimal context length ``alpha*`` over ``(kappa, rho)``.

DESIGN §7 and §5 ("optimal context length"): for each ``(kappa, rho)`` the error is minimised
over ``alpha`` in ``[1e-2, 1e3]``; colour shows ``log10 alpha*`` where the minimum is interior and
grey where the error is monotone in ``alpha`` (no finite optimum).  The dashed line marks
``kappa = min(tau, 1)``, left of which the ICL error grows linearly in ``alpha``.

Panels: ICL at ``tau = 0.5``, IDG at ``tau = 0.5``, ICL at ``tau = 20``.  Theory only
(:func:`iclsym.theory.optimal.alpha_star`, one vectorized call per panel).
"""

from __future__ import annotations

import numpy as np

from iclsym.figures.common import new_figure, save

__all__ = ["jobs", "points", "plot", "PANELS", "optimal_grid"]

#: DESIGN §7 table, Fig. 3: (label, tau, which)
PANELS = (("A", 0.5, "icl"), ("B", 0.5, "idg"), ("C", 20.0, "icl"))
KAPPA_RANGE = (0.1, 2.1)
RHO_RANGE = (0.01, 1.0)
ALPHA_RANGE = (1e-2, 1e3)


def jobs(settings) -> list:
    """Fig. 3 is theory only: no Monte Carlo jobs."""
    return []


def points(store, settings) -> list[dict]:
    """No simulation points (theory only)."""
    return []


def optimal_grid(tau: float, which: str, n: int):
    """``alpha*`` on an ``n x n`` grid: kappa linear in [0.1, 2.1], rho log-spaced in [0.01, 1].

    Returns ``(kappa, rho, alpha_star)`` with ``alpha_star`` of shape ``(n_rho, n_kappa)``;
    entries that are not a finite interior optimum inside ``ALPHA_RANGE`` are NaN (monotone).
    """
    from iclsym.theory import optimal

    kappa = np.linspace(*KAPPA_RANGE, n)
    rho = np.logspace(np.log10(RHO_RANGE[0]), np.log10(RHO_RANGE[1]), n)
    a = np.asarray(optimal.alpha_star(tau, kappa[None, :], rho[:, None], which=which), dtype=float)
    a = np.broadcast_to(a, (rho.size, kappa.size))
    interior = np.isfinite(a) & (a > ALPHA_RANGE[0]) & (a < ALPHA_RANGE[1])
    return kappa, rho, np.where(interior, a, np.nan)


def plot(store, settings, out_dir) -> list:
    """Draw Fig. 3 (three phase diagrams) to ``out_dir/fig3.png`` and ``.pdf``."""
    import matplotlib as mpl

    fig, axes = new_figure(3, width=4.4, height=3.7)
    norm = mpl.colors.Normalize(vmin=np.log10(ALPHA_RANGE[0]), vmax=np.log10(ALPHA_RANGE[1]))
    cmap = mpl.colormaps["viridis"].copy()
    cmap.set_bad("0.78")
    mesh = None
    for ax, (label, tau, which) in zip(axes, PANELS):
        kappa, rho, a = optimal_grid(tau, which, settings.phase_grid)
        mesh = ax.pcolormesh(kappa, rho, np.ma.masked_invalid(np.log10(a)), cmap=cmap, norm=norm, shading="nearest")
        finite = np.isfinite(a)
        if finite.sum() > 4 and np.nanmax(a) > np.nanmin(a) * 1.5:
            levels = [lv for lv in (-1, 0, 1, 2) if np.nanmin(np.log10(a)) < lv < np.nanmax(np.log10(a))]
            if levels:
                cs = ax.contour(kappa, rho, np.log10(a), levels=levels, colors="white", linewidths=0.7)
                ax.clabel(cs, fmt=lambda v: rf"$10^{{{v:g}}}$", fontsize=6)
        ax.axvline(min(tau, 1.0), color="k", ls="--", lw=1.2, label=rf"$\kappa=\min(\tau,1)={min(tau, 1.0):g}$")
        ax.set_yscale("log")
        ax.set_xlabel(r"task diversity $\kappa = k/d$")
        ax.set_ylabel(r"label noise $\rho$")
        name = which.upper()
        ax.set_title(f"{label}: optimal context length for {name}, $\\tau={tau:g}$\n"
                     "grey: error monotone in $\\alpha$ (no finite optimum)", fontsize=9)
        ax.legend(fontsize=7, loc="lower right")
    fig.colorbar(mesh, ax=axes, label=r"$\log_{10}\,\alpha^*$  (argmin of the error over $\alpha$)", shrink=0.9)
    fig.suptitle(r"Fig. 3  Phase diagrams of the optimal context length $\alpha^*(\kappa, \rho)$ (ridgeless theory)",
                 fontsize=10)
    return save(fig, out_dir, "fig3")

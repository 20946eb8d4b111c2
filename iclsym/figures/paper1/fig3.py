"""Paper Fig. 3: phase diagrams of the optimal context length ``alpha*`` over ``(kappa, rho)``.

docs/onelayer/figures.md, docs/onelayer/limits.md ("optimal context length"): for each ``(kappa, rho)`` the error is minimised
over ``alpha`` in ``[1e-2, 1e3]``; colour shows ``log10 alpha*`` where the minimum is interior and
grey where the error is monotone in ``alpha`` (no finite optimum).  The dashed line marks
``kappa = min(tau, 1)``, left of which the ICL error grows linearly in ``alpha``.

Panels: ICL at ``tau = 0.5``, IDG at ``tau = 0.5``, ICL at ``tau = 20``.  Theory only
(:func:`iclsym.onelayer.theory.optimal.phase_diagram`, one vectorized call per panel; a vectorized scan of
the error over ``alpha`` when that module is not available, and as a cross-check in the tests).
"""

from __future__ import annotations

import numpy as np

from iclsym.figures.common import new_figure, save

__all__ = ["jobs", "points", "plot", "PANELS", "alpha_star_scan", "optimal_grid"]

#: docs/onelayer/figures.md table, Fig. 3: (label, tau, which)
PANELS = (("A", 0.5, "icl"), ("B", 0.5, "idg"), ("C", 20.0, "icl"))
KAPPA_RANGE = (0.1, 2.1)
RHO_RANGE = (0.01, 1.0)
ALPHA_RANGE = (1e-2, 1e3)


def jobs(settings) -> list:
    """Fig. 3 is theory only: no Monte Carlo jobs.

    Examples
    --------
    >>> jobs(None)
    []
    """
    return []


def points(store, settings) -> list[dict]:
    """No simulation points (theory only).

    Examples
    --------
    >>> points(None, None)
    []
    """
    return []


def alpha_star_scan(tau: float, kappa, rho, which: str, n_alpha: int = 400):
    """``alpha*`` by scanning the error over log-spaced ``alpha`` in ``ALPHA_RANGE`` (vectorized).

    An independent route to the optimum (no root finding): the ridgeless error is evaluated
    on ``n_alpha`` log-spaced context lengths for every ``(kappa, rho)``; where the smallest
    value is interior, the minimum is refined by a parabola through the three grid points
    around it (in ``log alpha``); where it sits at an end of the range the error is monotone
    there and NaN is returned.

    Examples
    --------
    >>> a = alpha_star_scan(0.5, np.array([0.2, 1.5]), np.array([0.1, 0.1]), "icl", 200)
    >>> bool(np.isfinite(a[0])), bool(np.isnan(a[1]))
    (True, True)
    """
    from iclsym.onelayer import theory

    fn = {"icl": theory.e_icl, "idg": theory.e_idg}[which]
    kappa, rho = np.broadcast_arrays(np.asarray(kappa, dtype=float), np.asarray(rho, dtype=float))
    u = np.linspace(np.log10(ALPHA_RANGE[0]), np.log10(ALPHA_RANGE[1]), n_alpha)
    e = np.asarray(fn(10.0 ** u, tau, kappa[..., None], rho[..., None], 0.0), dtype=float)
    i = np.argmin(np.where(np.isfinite(e), e, np.inf), axis=-1)
    interior = (i > 0) & (i < n_alpha - 1)
    j = np.clip(i, 1, n_alpha - 2)
    take = lambda k: np.take_along_axis(e, k[..., None], axis=-1)[..., 0]  # noqa: E731
    e0, e1, e2 = take(j - 1), take(j), take(j + 1)
    curv = e0 - 2.0 * e1 + e2
    shift = np.where(curv > 0, 0.5 * (e0 - e2) / np.where(curv > 0, curv, 1.0), 0.0)
    u_star = u[j] + np.clip(shift, -1.0, 1.0) * (u[1] - u[0])
    return np.where(interior, 10.0 ** u_star, np.nan)


def optimal_grid(tau: float, which: str, n: int):
    """``alpha*`` on an ``n x n`` grid: kappa linear in [0.1, 2.1], rho log-spaced in [0.01, 1].

    Uses :func:`iclsym.onelayer.theory.optimal.phase_diagram` when available, else :func:`alpha_star_scan`.
    Returns ``(kappa, rho, alpha_star)`` with ``alpha_star`` of shape ``(n_rho, n_kappa)``;
    entries that are not a finite interior optimum inside ``ALPHA_RANGE`` are NaN (monotone).
    """
    kappa = np.linspace(*KAPPA_RANGE, n)
    rho = np.logspace(np.log10(RHO_RANGE[0]), np.log10(RHO_RANGE[1]), n)
    try:
        from iclsym.onelayer.theory import optimal
    except ImportError:
        a = np.broadcast_to(alpha_star_scan(tau, kappa[None, :], rho[:, None], which), (rho.size, kappa.size))
        interior = np.isfinite(a)
    else:
        pd = optimal.phase_diagram(tau, kappa, rho, which, alpha_min=ALPHA_RANGE[0], alpha_max=ALPHA_RANGE[1])
        a, interior = pd.alpha_star, pd.kind == optimal.INTERIOR
    return kappa, rho, np.where(interior, a, np.nan)


def plot(store, settings, out_dir) -> list:
    """Draw Fig. 3 (three phase diagrams) to ``out_dir/fig3.png`` and ``.pdf``."""
    import matplotlib as mpl

    fig, axes = new_figure(3, width=4.4, height=3.7)
    norm = mpl.colors.Normalize(vmin=np.log10(ALPHA_RANGE[0]), vmax=np.log10(ALPHA_RANGE[1]))
    cmap = mpl.colormaps["viridis"].with_extremes(bad="0.78")
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

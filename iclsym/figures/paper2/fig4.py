"""Letey et al. Fig. 4: when does a steeper pretraining spectrum help?  (theory only)

``d = 100``, ``alpha = 1``, ``tau = 4``, ``rho = 0.01``; test power law ``p_te = 0.9``; pretraining power law
``p_tr = p_te + Delta`` with ``Delta`` in ``[-0.5, 2.0]`` (51) against ``kappa`` in ``[0.1, 2.1]`` (81).  The map is
the percent improvement ``-100 (e(p_tr) - e(p_te))/e(p_te)`` of ``e_ICL`` over matched pretraining, with its
zero contour: a steeper pretraining spectrum helps at low kappa; more kappa removes the advantage.  All
4131 points are one vectorised call (the fixed point is solved over 51 spectra x 81 kappa at once).
"""

from __future__ import annotations

import numpy as np

from iclsym.figures.common import new_figure, save

__all__ = ["jobs", "points", "plot", "PARAMS", "improvement_map"]

PARAMS = dict(d=100, alpha=1.0, tau=4.0, rho=0.01, p_test=0.9, kappa=(0.1, 2.1, 81), delta=(-0.5, 2.0, 51))


def improvement_map(d=PARAMS["d"]):
    """``(kappa, delta, improvement)`` with ``improvement[i, j]`` at ``delta[i]``, ``kappa[j]`` (percent)."""
    from iclsym.core.covariances import power_law
    from iclsym.onelayer.theory.alignment import alignment_errors

    kappa = np.linspace(*PARAMS["kappa"][:2], PARAMS["kappa"][2])
    delta = np.linspace(*PARAMS["delta"][:2], PARAMS["delta"][2])
    c = power_law(d, PARAMS["p_test"]).diag
    eigs = np.stack([power_law(d, PARAMS["p_test"] + dl).diag for dl in delta])[:, None, :]
    e = alignment_errors(eigs, c, PARAMS["alpha"], PARAMS["tau"], kappa, PARAMS["rho"])["e_icl"]
    e0 = alignment_errors(c, c, PARAMS["alpha"], PARAMS["tau"], kappa, PARAMS["rho"])["e_icl"]
    return kappa, delta, -100 * (e - e0) / e0


def jobs(settings) -> list:
    """Theory only: no simulation jobs.

    >>> jobs(None)
    []
    """
    return []


def points(store, settings) -> list[dict]:
    """Theory only: nothing to compare.

    >>> points(None, None)
    []
    """
    return []


def plot(store, settings, out_dir) -> list:
    """Draw Fig. 4 to ``out_dir/fig4.png`` and ``.pdf``."""
    kappa, delta, imp = improvement_map()
    fig, (ax,) = new_figure(1, width=5.6, height=4.2)
    lim = float(np.nanmax(np.abs(imp)))
    mesh = ax.pcolormesh(kappa, delta, imp, cmap="RdBu", vmin=-lim, vmax=lim, shading="auto")
    ax.contour(kappa, delta, imp, levels=[0.0], colors="k", linewidths=1.2)
    fig.colorbar(mesh, ax=ax, label=r"improvement $-100\,(e(p_{tr}) - e(p_{te}))/e(p_{te})$ [%]")
    ax.set_xlabel(r"task diversity $\kappa$")
    ax.set_ylabel(r"$p_{tr} - p_{te}$ (steeper pretraining above 0)")
    ax.set_title("Letey et al. Fig. 4 (theory): test power law 0.9, d = 100, alpha = 1, tau = 4\n"
                 "black: zero contour (matched pretraining is optimal on it)", fontsize=9)
    return save(fig, out_dir, "p2_fig4")

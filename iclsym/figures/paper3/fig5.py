"""Paper 3, Fig. 5: compute ``C = t N^2 L`` (context fixed, ``alpha = inf``), RRS, ``nu = 1.25``, ``beta = 1``.

* A -- width only at ``L = 1``: the curves run into a depth floor;
* B -- depth only at ``N = 8``: the curves run into a width floor;
* C -- joint scaling ``L ∝ N^nu``: the envelope follows ``C^(-nu beta/((3 + beta) nu + 2))``.

Theory only: the rank-``N`` preconditioner's effective spectrum
(:func:`iclsym.deep.structured.projected_spectrum`, Haar-averaged) and the scalar gradient flow
(:func:`iclsym.deep.dynamics.rrs_flow`).  No jobs.
"""

from __future__ import annotations

import numpy as np

__all__ = ["jobs", "points", "plot", "PARAMS", "risk_vs_compute"]

PARAMS = {"nu": 1.25, "beta": 1.0, "D": 128, "widths": (2, 4, 8, 16, 32), "depths": (1, 2, 4, 8, 16, 32),
          "N_fixed": 8, "n_rot": 16, "joint_N": (2, 4, 8, 16, 32)}


def jobs(settings) -> list:
    """Fig. 5 is pure theory (no jobs).

    >>> jobs(None)
    []
    """
    return []


def points(store, settings) -> list[dict]:
    """No simulated points.

    >>> points(None, None)
    []
    """
    return []


def risk_vs_compute(N: int, L: int, t, D: int = 128, nu: float = 1.25, beta: float = 1.0, n_rot: int = 16):
    """``(C, R)`` along the gradient flow of a rank-``N``, depth-``L`` model: ``C = t N^2 L``.

    Examples
    --------
    >>> C, R = risk_vs_compute(4, 2, [0.0, 10.0], D=16, n_rot=2)
    >>> float(R[0]) == 1.0 and bool(R[1] < 1.0)
    True
    """
    from iclsym.deep.data import power_law_spectrum
    from iclsym.deep.dynamics import rrs_flow
    from iclsym.deep.structured import projected_spectrum

    lam, om = power_law_spectrum(D, nu, beta)
    mu, c, floor = projected_spectrum(lam, om, N, n_rot=n_rot, seed=N)
    t = np.asarray(t, float)
    _, R = rrs_flow(t, mu, c / mu, L)
    return t * N * N * L, R + floor


def plot(store, settings, out_dir) -> list:
    """Draw Fig. 5 to ``out_dir/p3_fig5.png``/``.pdf``."""
    import matplotlib

    from iclsym.deep.exponents import exponents
    from iclsym.figures.common import new_figure, save

    p = PARAMS
    D = p["D"] if settings is None or settings.mode != "tiny" else 32
    nrot = p["n_rot"] if settings is None or settings.mode != "tiny" else 2
    cmap = matplotlib.colormaps["viridis"]
    t = np.concatenate([[0.0], np.geomspace(1e-2, 1e7, 120)])
    fig, (ax_a, ax_b, ax_c) = new_figure(3)
    for i, N in enumerate(p["widths"]):
        C, R = risk_vs_compute(N, 1, t, D, p["nu"], p["beta"], nrot)
        ax_a.plot(C[1:], R[1:], color=cmap(i / len(p["widths"])), lw=1.4, label=f"$N={N}$")
    for i, L in enumerate(p["depths"]):
        C, R = risk_vs_compute(p["N_fixed"], L, t, D, p["nu"], p["beta"], nrot)
        ax_b.plot(C[1:], R[1:], color=cmap(i / len(p["depths"])), lw=1.4, label=f"$L={L}$")
    env_C = np.geomspace(1e1, 1e12, 200)
    env = np.full(env_C.shape, np.inf)
    for i, N in enumerate(p["joint_N"]):
        L = max(1, int(round(N ** p["nu"] / 2)))
        C, R = risk_vs_compute(N, L, t, D, p["nu"], p["beta"], nrot)
        ax_c.plot(C[1:], R[1:], color=cmap(i / len(p["joint_N"])), lw=1.2, label=f"$N={N}, L={L}$")
        env = np.minimum(env, np.interp(np.log(env_C), np.log(C[1:]), R[1:], left=np.inf, right=R[-1]))
    e = exponents(p["nu"], p["beta"])["compute"]
    k = np.searchsorted(env_C, 1e5)
    if np.isfinite(env[k]):
        ax_c.plot(env_C, env[k] * (env_C / env_C[k]) ** -e, "k--", lw=1, label=rf"$C^{{-{e:.3f}}}$")
    for ax, title in ((ax_a, "A: width only, $L=1$ (depth floor)"),
                      (ax_b, f"B: depth only, $N={p['N_fixed']}$ (width floor)"),
                      (ax_c, r"C: joint $L\propto N^{\nu}$; dashed: $C^{-\nu\beta/((3+\beta)\nu+2)}$")):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_ylim(3e-3, 1.5)
        ax.set_xlabel(r"compute $C = t N^2 L$")
        ax.set_ylabel("excess risk")
        ax.set_title(title, fontsize=9)
        ax.legend(fontsize=7)
    fig.suptitle(f"Paper 3 Fig. 5  compute-optimal shape (theory; RRS, D = {D}, nu = 1.25, beta = 1)", fontsize=10)
    return save(fig, out_dir, "p3_fig5")

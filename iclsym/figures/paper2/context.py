"""Letey et al. appendix figure: test-time context length.

``d = 150``, ``alpha = 2``, ``tau = 4``, ``kappa = 1``, ``rho = 0.01``, ``lam = 1e-4``; ``alpha_test`` log-spaced
``0.1 ... 1000``; ``C_train = C_test`` in {``I``, power law 1, power law 1.5}.  ``alpha_test`` enters only
``e_scalar`` (through ``x*_te = (c_te + rho)/alpha_test``): the curves differ by a constant ``e_misalign`` and
share the ``1/alpha_test`` decay of ``e_scalar - rho``.
"""

from __future__ import annotations

import numpy as np

from iclsym.figures.common import errorbar, new_figure, save
from iclsym.figures.paper2.common import aligned_points, rows_for

__all__ = ["jobs", "points", "plot", "PARAMS"]

PARAMS = dict(d=150, alpha=2.0, tau=4.0, kappa=1.0, rho=0.01, lam=1e-4, covs=("identity", "powerlaw:1", "powerlaw:1.5"),
              alpha_test=(0.1, 1000.0), alpha_test_sim=(0.3, 3.0, 30.0, 300.0))
COLORS = ("tab:blue", "tab:orange", "tab:green")


def jobs(settings) -> list:
    """One job per (covariance, simulated alpha_test, run); jobs of one covariance share their seeds (the
    same ``Gamma``), since ``alpha_test`` only changes the test.

    >>> from iclsym.figures.paper2.settings import tiny
    >>> len(jobs(tiny())) == 3 * 4 * tiny().runs
    True
    """
    out = []
    for cov in PARAMS["covs"]:
        for at in PARAMS["alpha_test_sim"]:
            out += settings.jobs(settings.d_context, alpha=PARAMS["alpha"], tau=PARAMS["tau"], kappa=PARAMS["kappa"],
                                 rho=PARAMS["rho"], lam=PARAMS["lam"], train=cov, tests=cov, alpha_test=at)
    return out


def _sims(store, settings, cov):
    return aligned_points(store, settings, [f"e_icl[{cov}]"], d=settings.d_context, train=cov, alpha=PARAMS["alpha"],
                          tau=PARAMS["tau"], rho=PARAMS["rho"], kappa=PARAMS["kappa"], lam=PARAMS["lam"])


def points(store, settings) -> list[dict]:
    """Theory vs simulation rows.

    >>> from iclsym.sweep import ResultStore
    >>> from iclsym.figures.paper2.settings import tiny
    >>> points(ResultStore(":memory:"), tiny())
    []
    """
    rows = []
    for cov in PARAMS["covs"]:
        rows += rows_for("ctx", cov, _sims(store, settings, cov), f"e_icl[{cov}]", cov, cov)
    return rows


def plot(store, settings, out_dir) -> list:
    """Draw the test-context figure to ``out_dir/context.png`` and ``.pdf``."""
    from iclsym.core.covariances import covariance
    from iclsym.onelayer.theory.alignment import alignment_errors

    d = PARAMS["d"]
    at = np.logspace(np.log10(PARAMS["alpha_test"][0]), np.log10(PARAMS["alpha_test"][1]), settings.dense)
    fig, (ax_l, ax_r) = new_figure(2)
    for cov, color in zip(PARAMS["covs"], COLORS):
        lam = covariance(cov, d).diag
        r = alignment_errors(lam, lam, PARAMS["alpha"], PARAMS["tau"], PARAMS["kappa"], PARAMS["rho"], PARAMS["lam"],
                             alpha_test=at)
        ax_l.plot(at, r["e_icl"], color=color, lw=1.6, label=f"C_train = C_test = {cov}")
        ax_r.plot(at, r["e_scalar"] - PARAMS["rho"], color=color, lw=1.6, label=f"{cov}: e_scalar - rho")
        ax_r.plot(at, np.broadcast_to(r["e_misalign"], at.shape), color=color, lw=1.0, ls="--",
                  label=f"{cov}: e_misalign")
        sims = _sims(store, settings, cov)
        if len(sims):
            errorbar(ax_l, sims["alpha_test"], sims, f"e_icl[{cov}]", color=color)
    for ax in (ax_l, ax_r):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(r"test context length $\alpha_{test} = \ell_{test}/d$")
    ax_l.set_ylabel(r"$e_{\mathrm{ICL}}$")
    ax_l.set_title(f"theory d = 150 (lines); linear attention d = {settings.d_context}, {settings.runs} runs\n"
                   r"$\alpha=2$, $\tau=4$, $\kappa=1$, $\lambda=10^{-4}$", fontsize=9)
    ax_r.set_title(r"$\alpha_{test}$ enters only $e_{\mathrm{scalar}}$ ($\propto 1/\alpha_{test}$);"
                   "\n" + r"$e_{\mathrm{misalign}}$ (dashed) does not change", fontsize=9)
    ax_l.legend(fontsize=7)
    ax_r.legend(fontsize=6)
    fig.suptitle("Letey et al. appendix: test-time context length", fontsize=10)
    return save(fig, out_dir, "p2_context")

"""Letey et al. Fig. 6 (appendix): pretraining on half the directions.

``d = 80``, ``alpha = tau = 80``, ``rho = 0.01``; ``C_train`` = eigenvalue 2 on half the coordinates and 0 on the
rest (``lowrank:0.5``); tests: ``C_train``, ``I``, the power law ``(j+1)^-0.5`` (aligned with the pretrained
half), the reversed power law ``(d-j)^-0.5`` (weight on the unseen half), and a rank-one spike on a pretrained
direction.  Directions never seen in pretraining are never learned: only aligned tests reach error ~ rho.
"""

from __future__ import annotations

import numpy as np

from iclsym.figures.common import errorbar, new_figure, save
from iclsym.figures.paper2.common import aligned_points, rows_for

__all__ = ["jobs", "points", "plot", "PARAMS", "TESTS"]

PARAMS = dict(d=80, alpha=80.0, tau=80.0, rho=0.01, train="lowrank:0.5", kappa_sim=(0.2, 0.6, 1.0, 1.4, 1.8, 2.2),
              kappa_theory=(0.1, 2.3))
TESTS = (("C_test = C_train", "lowrank:0.5"), ("identity", "identity"), ("aligned power law (j+1)^-0.5", "powerlaw:0.5"),
         ("unaligned power law (d-j)^-0.5", "revpowerlaw:0.5"), ("spike on a pretrained direction", "spike:0"))
COLORS = ("black", "tab:blue", "tab:green", "tab:red", "tab:purple")


def jobs(settings) -> list:
    """One job per (kappa, run) at ``d_rank``.

    >>> from iclsym.figures.paper2.settings import tiny
    >>> len(jobs(tiny())) == 6 * tiny().runs
    True
    """
    out = []
    for kappa in PARAMS["kappa_sim"]:
        out += settings.jobs(settings.d_rank, alpha=PARAMS["alpha"], tau=PARAMS["tau"], kappa=kappa, rho=PARAMS["rho"],
                             lam=settings.lam_sim, train=PARAMS["train"], tests=",".join(s for _, s in TESTS))
    return out


def _sims(store, settings):
    return aligned_points(store, settings, [f"e_icl[{s}]" for _, s in TESTS], d=settings.d_rank,
                          train=PARAMS["train"], alpha=PARAMS["alpha"], tau=PARAMS["tau"], rho=PARAMS["rho"])


def points(store, settings) -> list[dict]:
    """Theory vs simulation rows.

    >>> from iclsym.sweep import ResultStore
    >>> from iclsym.figures.paper2.settings import tiny
    >>> points(ResultStore(":memory:"), tiny())
    []
    """
    sims = _sims(store, settings)
    rows = []
    for _, spec in TESTS:
        rows += rows_for("6", "-", sims, f"e_icl[{spec}]", PARAMS["train"], spec)
    return rows


def plot(store, settings, out_dir) -> list:
    """Draw Fig. 6 to ``out_dir/fig6.png`` and ``.pdf``."""
    from iclsym.core.covariances import aligned_spectrum, covariance
    from iclsym.onelayer.theory.alignment import alignment_errors

    d = PARAMS["d"]
    kappa = np.linspace(*PARAMS["kappa_theory"], settings.dense)
    train = covariance(PARAMS["train"], d)
    sims = _sims(store, settings)
    fig, (ax,) = new_figure(1, width=5.6, height=4.2)
    for (label, spec), color in zip(TESTS, COLORS):
        eig, c = aligned_spectrum(train, covariance(spec, d))
        e = alignment_errors(eig, c, PARAMS["alpha"], PARAMS["tau"], kappa, PARAMS["rho"])["e_icl"]
        ax.plot(kappa, e, color=color, lw=1.6, label=label)
        if len(sims):
            errorbar(ax, sims["kappa"], sims, f"e_icl[{spec}]", color=color)
    ax.axhline(PARAMS["rho"], color="0.6", ls=":", lw=1)
    ax.set_yscale("log")
    ax.set_xlabel(r"task diversity $\kappa$")
    ax.set_ylabel(r"$e_{\mathrm{ICL}}$")
    ax.set_title("Letey et al. Fig. 6: C_train = 2 on half the directions, 0 on the rest\n"
                 f"theory d = 80 (lines), simulation d = {settings.d_rank}, {settings.runs} runs; "
                 r"$\alpha=\tau=80$; dotted: $\rho$", fontsize=9)
    ax.legend(fontsize=7)
    return save(fig, out_dir, "p2_fig6")

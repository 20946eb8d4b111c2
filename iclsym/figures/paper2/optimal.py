"""Optimal pretraining for an isotropic test (Letey et al., from the authors' data), and iclsym's optimum.

``d = 120``, ``alpha = 0.4``, ``tau = 5``, ``rho = 0.01``, ``kappa`` in ``0.1 ... 1.1``; ``C_test = I``;
``C_train = I`` (matched) against rank one (``spike:0``).  Rank-one pretraining beats matched pretraining at
low kappa; the theory's crossover is found by a root solve (near ``kappa = 0.85``).  Right panel (beyond
the paper): the best spike factor ``f`` of ``spike:0:f`` (a family from rank one to ``I``) at each kappa,
and the gain of the spectrum optimised over all of ``R^d`` (:mod:`iclsym.onelayer.theory.optimal_spectrum`).
"""

from __future__ import annotations

import numpy as np

from iclsym.figures.common import errorbar, new_figure, save
from iclsym.figures.paper2.common import aligned_points, rows_for

__all__ = ["jobs", "points", "plot", "PARAMS", "crossover"]

PARAMS = dict(d=120, alpha=0.4, tau=5.0, rho=0.01, kappa=(0.1, 1.1), kappa_sim=(0.1, 0.3, 0.5, 0.7, 0.9, 1.1),
              trains=("identity", "spike:0"))
COLORS = ("tab:blue", "tab:red")


def _e(train, kappa, d=PARAMS["d"]):
    from iclsym.core.covariances import aligned_spectrum, covariance
    from iclsym.onelayer.theory.alignment import alignment_errors

    eig, c = aligned_spectrum(covariance(train, d), covariance("identity", d))
    return alignment_errors(eig, c, PARAMS["alpha"], PARAMS["tau"], kappa, PARAMS["rho"])["e_icl"]


def crossover(d=PARAMS["d"]) -> float:
    """The kappa where rank-one and matched pretraining give the same ``e_ICL`` (Brent's method).

    >>> 0.8 < crossover() < 0.9
    True
    """
    from scipy.optimize import brentq

    return float(brentq(lambda k: float(_e("spike:0", k, d) - _e("identity", k, d)), 0.2, 1.5, xtol=1e-12))


def jobs(settings) -> list:
    """One job per (pretraining covariance, kappa, run).

    >>> from iclsym.figures.paper2.settings import tiny
    >>> len(jobs(tiny())) == 2 * 6 * tiny().runs
    True
    """
    out = []
    for train in PARAMS["trains"]:
        for kappa in PARAMS["kappa_sim"]:
            out += settings.jobs(settings.d, alpha=PARAMS["alpha"], tau=PARAMS["tau"], kappa=kappa, rho=PARAMS["rho"],
                                 lam=settings.lam_sim, train=train, tests="identity")
    return out


def _sims(store, settings, train):
    return aligned_points(store, settings, ["e_icl[identity]"], d=settings.d, train=train, alpha=PARAMS["alpha"],
                          tau=PARAMS["tau"], rho=PARAMS["rho"])


def points(store, settings) -> list[dict]:
    """Theory vs simulation rows.

    >>> from iclsym.sweep import ResultStore
    >>> from iclsym.figures.paper2.settings import tiny
    >>> points(ResultStore(":memory:"), tiny())
    []
    """
    rows = []
    for train in PARAMS["trains"]:
        rows += rows_for("opt", train, _sims(store, settings, train), "e_icl[identity]", train, "identity")
    return rows


def plot(store, settings, out_dir) -> list:
    """Draw the optimal-pretraining figure to ``out_dir/optimal.png`` and ``.pdf``."""
    from iclsym.onelayer.theory.optimal_spectrum import best_in_family, optimal_spectrum

    kappa = np.linspace(*PARAMS["kappa"], settings.dense)
    kc = crossover()
    print(f"optimal pretraining for C_test = I (d = 120, alpha = 0.4, tau = 5): rank-one beats matched for "
          f"kappa < {kc:.4f}")
    fig, (ax_l, ax_r) = new_figure(2)
    for train, color in zip(PARAMS["trains"], COLORS):
        ax_l.plot(kappa, _e(train, kappa), color=color, lw=1.6, label=f"C_train = {train}")
        sims = _sims(store, settings, train)
        if len(sims):
            errorbar(ax_l, sims["kappa"], sims, "e_icl[identity]", color=color)
    ax_l.axvline(kc, color="0.5", ls=":", lw=1)
    ax_l.set_xlabel(r"task diversity $\kappa$")
    ax_l.set_ylabel(r"$e_{\mathrm{ICL}}$ for $C_{test} = I$")
    ax_l.set_title(f"crossover (theory) at kappa = {kc:.3f}; theory d = 120,\n"
                   f"linear attention d = {settings.d}, {settings.runs} runs; alpha = 0.4, tau = 5", fontsize=9)
    ax_l.legend(fontsize=7)
    ks = np.linspace(0.15, 1.1, 12 if settings.mode != "tiny" else 3)
    d_opt = 40
    c = np.ones(d_opt)
    fam, full_e, matched = [], [], []
    for k in ks:
        f_best, e_best = best_in_family("spike", c, PARAMS["alpha"], PARAMS["tau"], k, PARAMS["rho"])
        fam.append((f_best, e_best))
        res = optimal_spectrum(c, PARAMS["alpha"], PARAMS["tau"], k, PARAMS["rho"], random_starts=1, max_iter=200)
        full_e.append(res["e_icl"])
        matched.append(float(_e("identity", k, d_opt)))
    matched = np.array(matched)
    ax_r.plot(ks, 100 * (matched - np.array([e for _, e in fam])) / matched, "o-", color="tab:red",
              label="best spike factor f (spike:0:f)")
    ax_r.plot(ks, 100 * (matched - np.array(full_e)) / matched, "s--", color="k", label="optimum over the spectrum")
    ax_r.set_xlabel(r"task diversity $\kappa$")
    ax_r.set_ylabel("improvement over C_train = I [%]")
    ax_r.set_title(f"beyond the paper (d = {d_opt}): optimal pretraining spectrum for C_test = I", fontsize=9)
    ax_r.legend(fontsize=7)
    fig.suptitle("Optimal pretraining for an isotropic test", fontsize=10)
    return save(fig, out_dir, "p2_optimal")

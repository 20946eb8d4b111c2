"""Letey et al. Fig. 2: e_ICL against the four candidate measures over a family of test covariances.

``C_train`` = power law 0.9, ``kappa`` in {0.2, 0.5, 1, 2, 10}; tests: power laws ``p`` in 0.4 ... 1.4 (11),
flat low-rank covariances (rank fraction 0.2 ... 1), and ``C_test = C_train``; ``d = 100``, ``alpha = 2``,
``tau = 4``, ``rho = 0.01``.  Panels: ``e_ICL`` against ``e_misalign`` (the alignment measure), the
resolvent measure ``tr(C_test F)/d``, the "simple" measure ``tr(C_test C_train^{-1})/d`` and ``1/CKA``.
The Spearman rank correlation of ``e_ICL`` with each measure over the whole family is printed (the paper
reports 0.99 / 0.98 / 0.96 / 0.39 for trained transformers, its Fig. 3).  Simulations: linear attention at
two kappa values, every test on the same trained ``Gamma``.
"""

from __future__ import annotations

import numpy as np

from iclsym.figures.common import new_figure, save
from iclsym.figures.paper2.common import aligned_points, rows_for

__all__ = ["jobs", "points", "plot", "PARAMS", "TESTS", "family", "spearman_table", "format_spearman"]

PARAMS = dict(d=100, alpha=2.0, tau=4.0, rho=0.01, train="powerlaw:0.9", kappas=(0.2, 0.5, 1.0, 2.0, 10.0),
              kappa_sim=(0.5, 2.0))
#: the test family: power laws, low-rank flat covariances, and C_train itself
TESTS = tuple([f"powerlaw:{p:g}" for p in np.round(np.linspace(0.4, 1.4, 11), 2)]
              + [f"lowrank:{f:g}" for f in (0.2, 0.4, 0.6, 0.8, 1.0)] + ["powerlaw:0.9"])
MEASURES = (("e_misalign", r"$e_{\mathrm{misalign}}$ (alignment)"), ("resolvent", r"resolvent $tr(C_{test}F)/d$"),
            ("simple", r"simple $tr(C_{test}C_{train}^{-1})/d$"), ("inv_cka", r"$1/\mathrm{CKA}$"))
COLORS = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple")


def _tests():
    seen, out = set(), []
    for t in TESTS:
        if t not in seen:
            seen.add(t)
            out.append(t)
    return out


def family(d=PARAMS["d"], kappas=PARAMS["kappas"]) -> list[dict]:
    """Theory over the family: one record per (kappa, test) with ``e_icl`` and the four measures."""
    from iclsym.core.covariances import aligned_spectrum, covariance
    from iclsym.onelayer.theory.alignment import alignment_errors, inv_cka, simple_measure

    train = covariance(PARAMS["train"], d)
    tests = _tests()
    covs = [covariance(t, d) for t in tests]
    pairs = [aligned_spectrum(train, C) for C in covs]
    eig = pairs[0][0]
    c = np.stack([p[1] for p in pairs])[:, None, :]  # (tests, 1, d)
    r = alignment_errors(eig, c, PARAMS["alpha"], PARAMS["tau"], np.asarray(kappas), PARAMS["rho"])
    simple = [float(simple_measure(eig, p[1])) for p in pairs]
    cka = [inv_cka(train, C) for C in covs]
    out = []
    for i, t in enumerate(tests):
        for j, k in enumerate(kappas):
            out.append(dict(test=t, kappa=float(k), e_icl=float(r["e_icl"][i, j]),
                            e_misalign=float(r["e_misalign"][i, j]), resolvent=float(r["resolvent"][i, j]),
                            simple=simple[i], inv_cka=cka[i]))
    return out


def spearman_table(records=None, field="e_icl") -> dict:
    """Spearman rank correlation of ``field`` with each measure over the records (default: the theory family).

    >>> t = spearman_table()
    >>> t["e_misalign"] > t["inv_cka"]
    True
    """
    from scipy.stats import spearmanr

    records = family() if records is None else records
    y = np.array([r[field] for r in records])
    return {m: float(spearmanr(y, np.array([r[m] for r in records])).statistic) for m, _ in MEASURES}


def format_spearman(table: dict, what: str) -> str:
    """One line: ``Spearman(e_ICL, measure)`` for the four measures, and the paper's transformer values."""
    paper = {"e_misalign": 0.99, "resolvent": 0.98, "simple": 0.96, "inv_cka": 0.39}
    parts = [f"{m} {table[m]:.3f} (paper, transformers: {paper[m]:.2f})" for m, _ in MEASURES]
    return f"Spearman correlation of e_ICL with each measure, {what}: " + "; ".join(parts)


def jobs(settings) -> list:
    """One job per (simulated kappa, run); every test of the family on the same trained ``Gamma``.

    >>> from iclsym.figures.paper2.settings import tiny
    >>> len(jobs(tiny())) == 2 * tiny().runs
    True
    """
    out = []
    for kappa in PARAMS["kappa_sim"]:
        out += settings.jobs(settings.d, alpha=PARAMS["alpha"], tau=PARAMS["tau"], kappa=kappa, rho=PARAMS["rho"],
                             lam=settings.lam_sim, train=PARAMS["train"], tests=",".join(_tests()))
    return out


def _sims(store, settings):
    fields = [f"e_icl[{t}]" for t in _tests()]
    return aligned_points(store, settings, fields, d=settings.d, train=PARAMS["train"], alpha=PARAMS["alpha"],
                          tau=PARAMS["tau"], rho=PARAMS["rho"])


def simulated_family(store, settings) -> list[dict]:
    """Simulated ``e_icl`` with the theory measures at the simulation's ``d`` (for a simulated Spearman table)."""
    sims = _sims(store, settings)
    if not len(sims):
        return []
    theory = {(r["test"], r["kappa"]): r for r in family(settings.d, PARAMS["kappa_sim"])}
    out = []
    for _, p in sims.iterrows():
        for t in _tests():
            rec = dict(theory[(t, float(p["kappa"]))])
            rec["e_icl"] = float(p[f"e_icl[{t}]_mean"])
            out.append(rec)
    return out


def points(store, settings) -> list[dict]:
    """Theory vs simulation rows for every test of the family.

    >>> from iclsym.sweep import ResultStore
    >>> from iclsym.figures.paper2.settings import tiny
    >>> points(ResultStore(":memory:"), tiny())
    []
    """
    sims = _sims(store, settings)
    rows = []
    for t in _tests():
        rows += rows_for("2", "all", sims, f"e_icl[{t}]", PARAMS["train"], t)
    return rows


def plot(store, settings, out_dir) -> list:
    """Draw Fig. 2 (four panels) to ``out_dir/fig2.png`` and ``.pdf``; print the Spearman correlations."""
    recs = family()
    table = spearman_table(recs)
    print(format_spearman(table, f"theory over the Fig. 2 family ({len(recs)} points, d = {PARAMS['d']})"))
    sim_recs = simulated_family(store, settings)
    if sim_recs:
        print(format_spearman(spearman_table(sim_recs), f"linear-attention simulations (d = {settings.d}, "
                                                        f"{len(sim_recs)} points)"))
    fig, axes = new_figure(4, width=3.8)
    for ax, (m, label) in zip(axes, MEASURES):
        for k, color in zip(PARAMS["kappas"], COLORS):
            sub = [r for r in recs if r["kappa"] == k]
            pw = [r for r in sub if r["test"].startswith("powerlaw")]
            lr = [r for r in sub if r["test"].startswith("lowrank")]
            ax.scatter([r[m] for r in pw], [r["e_icl"] for r in pw], s=14, color=color, marker="o",
                       label=rf"$\kappa={k:g}$")
            ax.scatter([r[m] for r in lr], [r["e_icl"] for r in lr], s=18, color=color, marker="s")
        if m in ("simple", "inv_cka"):
            ax.set_xscale("log")
        ax.set_xlabel(label)
        ax.set_ylabel(r"$e_{\mathrm{ICL}}$ (theory)")
        ax.set_title(f"Spearman {table[m]:.3f}", fontsize=9)
    axes[0].legend(fontsize=7)
    fig.suptitle("Letey et al. Fig. 2  e_ICL vs candidate measures; C_train = power law 0.9 (d = 100, alpha = 2, "
                 "tau = 4); circles: power-law tests, squares: low-rank tests", fontsize=10)
    return save(fig, out_dir, "p2_fig2")

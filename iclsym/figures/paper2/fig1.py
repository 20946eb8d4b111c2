"""Letey et al. Fig. 1: e_ICL and e_misalign against task diversity for spike tests on a descending ramp.

``d = 120``, ``alpha = 2``, ``tau = 4``, ``rho = 0.01``; ``C_train`` the descending ramp ``d, d-1, ..., 1``
(trace ``d``); tests ``C_test = C_train`` and rank-one spikes on directions 1, 79, 99, 109, 120 (of 120).
Left: ``e_ICL`` (theory, and simulations of linear attention at ``lam = 1e-6`` ± SE); right: the
alignment measure ``e_misalign`` (theory).  Aligned spikes improve monotonically with kappa, mid-spectrum
spikes have an interior maximum, and the weakest direction gets worse with more task diversity.
"""

from __future__ import annotations

import numpy as np

from iclsym.figures.common import errorbar, new_figure, save
from iclsym.figures.paper2.common import aligned_points, rows_for, spike_index

__all__ = ["jobs", "points", "plot", "PARAMS", "tests_at", "theory_curves"]

PARAMS = dict(d=120, alpha=2.0, tau=4.0, rho=0.01, train="ramp", directions=(0, 78, 98, 108, 119),
              kappa_sim=(0.1, 2.1), kappa_theory=(0.05, 2.2))
COLORS = ("black", "tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple")


def tests_at(d) -> list[tuple[str, str]]:
    """``[(label, spec at d)]``: ``C_train`` and the five spikes (the paper's directions, 1-based labels)."""
    out = [("C_test = C_train", PARAMS["train"])]
    for i in PARAMS["directions"]:
        out.append((f"spike on direction {i + 1}/120", f"spike:{spike_index(i, d)}"))
    return out


def _sim_kappas(settings):
    lo, hi = PARAMS["kappa_sim"]
    return tuple(float(k) for k in np.round(np.linspace(lo, hi, settings.sim_kappas), 6))


def jobs(settings) -> list:
    """One job per (kappa, run): every test is evaluated on the same trained ``Gamma``.

    >>> from iclsym.figures.paper2.settings import tiny
    >>> len(jobs(tiny())) == tiny().sim_kappas * tiny().runs
    True
    """
    d = settings.d
    tests = ",".join(spec for _, spec in tests_at(d))
    out = []
    for kappa in _sim_kappas(settings):
        out += settings.jobs(d, alpha=PARAMS["alpha"], tau=PARAMS["tau"], kappa=kappa, rho=PARAMS["rho"],
                             lam=settings.lam_sim, train=PARAMS["train"], tests=tests)
    return out


def theory_curves(kappa, d=PARAMS["d"]) -> dict:
    """``{label: (e_icl, e_misalign)}`` over ``kappa`` at dimension ``d`` (ridgeless theory)."""
    from iclsym.core.covariances import aligned_spectrum, covariance
    from iclsym.onelayer.theory.alignment import alignment_errors

    out = {}
    train = covariance(PARAMS["train"], d)
    for label, spec in tests_at(d):
        eig, c = aligned_spectrum(train, covariance(spec, d))
        r = alignment_errors(eig, c, PARAMS["alpha"], PARAMS["tau"], kappa, PARAMS["rho"])
        out[label] = (r["e_icl"], r["e_misalign"])
    return out


def _sims(store, settings):
    d = settings.d
    fields = [f"e_icl[{spec}]" for _, spec in tests_at(d)]
    return aligned_points(store, settings, fields, d=d, train=PARAMS["train"], alpha=PARAMS["alpha"],
                          tau=PARAMS["tau"], rho=PARAMS["rho"])


def points(store, settings) -> list[dict]:
    """Theory vs simulation rows (theory at the runs' effective ratios and the simulation's ``d``).

    >>> from iclsym.sweep import ResultStore
    >>> from iclsym.figures.paper2.settings import tiny
    >>> points(ResultStore(":memory:"), tiny())
    []
    """
    sims = _sims(store, settings)
    rows = []
    for label, spec in tests_at(settings.d):
        rows += rows_for("1", "left", sims, f"e_icl[{spec}]", PARAMS["train"], spec)
    return rows


def plot(store, settings, out_dir) -> list:
    """Draw Fig. 1 to ``out_dir/fig1.png`` and ``.pdf``."""
    kappa = np.linspace(*PARAMS["kappa_theory"], settings.dense)
    curves = theory_curves(kappa)
    sims = _sims(store, settings)
    fig, (ax_l, ax_r) = new_figure(2)
    top = max(float(np.max(e)) for e, _ in curves.values())
    for (label, spec), color in zip(tests_at(settings.d), COLORS):
        e, m = curves[label]
        ax_l.plot(kappa, e, color=color, lw=1.6, label=label)
        ax_r.plot(kappa, m, color=color, lw=1.6, label=label)
        if len(sims):
            errorbar(ax_l, sims["kappa"], sims, f"e_icl[{spec}]", color=color)
    ax_l.set_ylim(0, 1.3 * top)  # simulated points at tiny k (k = kappa d < 2) may lie far above
    ax_l.set_xlabel(r"task diversity $\kappa = k/d$")
    ax_l.set_ylabel(r"$e_{\mathrm{ICL}}$")
    ax_l.set_title("ICL error: theory (d = 120, lines) and linear attention\n"
                   f"(d = {settings.d}, {settings.runs} runs, points ± SE); " + r"$\alpha=2$, $\tau=4$, $\rho=0.01$",
                   fontsize=9)
    ax_r.set_xlabel(r"task diversity $\kappa = k/d$")
    ax_r.set_ylabel(r"alignment measure $e_{\mathrm{misalign}} = \langle C_{test}, K\rangle$")
    ax_r.set_title(r"$e_{\mathrm{misalign}}$ (theory): aligned directions improve with $\kappa$," + "\n"
                   "the weakest direction gets worse (specialisation vs generalisation)", fontsize=9)
    ax_l.legend(fontsize=7)
    fig.suptitle("Letey et al. Fig. 1  C_train = descending ramp diag(d, ..., 1); rank-one test spikes", fontsize=10)
    return save(fig, out_dir, "p2_fig1")

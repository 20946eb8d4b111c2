"""Paper 3, Fig. 3: FS (fixed structured covariance), ``nu = beta = 1.25``, ``alpha = inf``.

* A -- per-mode steps ``gamma_k(t)`` at ``L = 4``: SGD (points) vs the closed form;
* B -- losses for ``L = 1, 2, 4, 8`` vs time: one power law ``t^(-nu beta/(nu beta + 2 nu + 1))``
  at every depth;
* C -- out-of-distribution loss of the FS optimum vs rotation angle ``theta`` of the test
  covariance: depth helps for small ``theta`` and hurts beyond a crossover.

SGD time map: ``t = lr D steps/2`` (per-mode parameters, :func:`iclsym.deep.dynamics.flow_time`).
"""

from __future__ import annotations

import numpy as np

from iclsym.figures.paper3.common import deep_job, histories

__all__ = ["jobs", "points", "plot", "PARAMS"]

KIND = "deep_train"
PARAMS = {"nu": 1.25, "beta": 1.25, "Ls": (1, 2, 4, 8), "L_modes": 4, "modes": (0, 1, 3, 7), "thetas": (0.0, 0.25)}


def lr_for(D: int) -> float:
    """``lr = 0.5/D``: per-mode time ``0.25`` per step, well below the mode-1 curvature bound."""
    return 0.5 / D


def _coords(s, L):
    return dict(setting="fs", alpha="inf", L=int(L), D=s.D_fs, steps=s.steps_fs, batch=2.0, lr=lr_for(s.D_fs),
                queries="inf", decay=0.0, record=max(1, s.steps_fs // 40), nu=PARAMS["nu"], beta=PARAMS["beta"],
                n_eval=0)


def jobs(settings) -> list:
    """FS training jobs for every depth.

    Examples
    --------
    >>> from iclsym.figures.paper3.settings import tiny
    >>> len(jobs(tiny()))
    4
    """
    return [deep_job(KIND, _coords(settings, L), run=r, base_seed=settings.base_seed)
            for L in PARAMS["Ls"] for r in range(settings.runs)]


def _hist(store, s, L):
    return histories(store, KIND, setting="fs", D=s.D_fs, steps=s.steps_fs, L=L)


def points(store, settings) -> list[dict]:
    """Final SGD loss vs the per-mode closed form at the same flow time.

    Examples
    --------
    >>> from iclsym.sweep import ResultStore
    >>> from iclsym.figures.paper3.settings import tiny
    >>> points(ResultStore(":memory:"), tiny())
    []
    """
    from iclsym.deep.data import power_law_spectrum
    from iclsym.deep.dynamics import flow_time
    from iclsym.deep.structured import fs_risk_time

    s = settings
    lam, om = power_law_spectrum(s.D_fs, PARAMS["nu"], PARAMS["beta"])
    out = []
    for L in PARAMS["Ls"]:
        hs = _hist(store, s, L)
        if not hs:
            continue
        m = float(np.mean([h["risk"][-1] for h in hs]))
        t = flow_time(hs[0]["step"][-1], lr_for(s.D_fs), "fs", s.D_fs)
        th = float(fs_risk_time(t, lam, om, L))
        out.append({"figure": "3.3", "panel": "B", "L": L, "D": s.D_fs, "t": t, "measured": m, "theory": th,
                    "rel_gap": (m - th) / th})
    return out


def plot(store, settings, out_dir) -> list:
    """Draw Fig. 3 to ``out_dir/p3_fig3.png``/``.pdf``."""
    import matplotlib

    from iclsym.deep.data import power_law_spectrum
    from iclsym.deep.dynamics import flow_time
    from iclsym.deep.exponents import exponents
    from iclsym.deep.structured import fs_mode_gamma, fs_ood_risk, fs_risk_time
    from iclsym.figures.common import new_figure, save

    s = settings
    cmap = matplotlib.colormaps["viridis"]
    lam, om = power_law_spectrum(s.D_fs, PARAMS["nu"], PARAMS["beta"])
    fig, (ax_a, ax_b, ax_c) = new_figure(3)
    T = flow_time(s.steps_fs, lr_for(s.D_fs), "fs", s.D_fs)
    t = np.geomspace(1e-2, max(T, 1.0) * 10, s.dense)
    L4 = PARAMS["L_modes"]
    g = fs_mode_gamma(t, lam, om, L4)
    hs = _hist(store, s, L4)
    for i, k in enumerate([k for k in PARAMS["modes"] if k < s.D_fs]):
        col = cmap(i / len(PARAMS["modes"]))
        ax_a.plot(t, g[:, k] * lam[k] / L4, color=col, lw=1.4, label=f"mode {k + 1}")
        if hs and "diag" in hs[0]:
            st = np.asarray(hs[0]["step"])
            d = np.asarray(hs[0]["diag"])[:, k]
            ax_a.plot(flow_time(st, lr_for(s.D_fs), "fs", s.D_fs), d * lam[k] / L4, "o", color=col, ms=3)
    ax_a.set_xscale("log")
    ax_a.set_xlabel("time $t$")
    ax_a.set_ylabel(r"$\gamma_k \lambda_k / L$")
    ax_a.set_title(f"A: per-mode steps, $L={L4}$ (lines: closed form)", fontsize=9)
    ax_a.legend(fontsize=7)
    for i, L in enumerate(PARAMS["Ls"]):
        col = cmap(i / len(PARAMS["Ls"]))
        ax_b.plot(t, fs_risk_time(t, lam, om, L), color=col, lw=1.4, label=f"$L={L}$")
        for h in _hist(store, s, L)[:1]:
            st = np.asarray(h["step"][1:])
            ax_b.plot(flow_time(st, lr_for(s.D_fs), "fs", s.D_fs), h["risk"][1:], "o", color=col, ms=3)
    e = exponents(PARAMS["nu"], PARAMS["beta"])["fs_time"]
    ax_b.plot(t, 0.5 * (t / t[0]) ** -e * float(fs_risk_time(t[0], lam, om, 1)), "k--", lw=1,
              label=rf"$t^{{-{e:.3f}}}$")
    ax_b.set_xscale("log")
    ax_b.set_yscale("log")
    ax_b.set_ylim(1e-4, 2)
    ax_b.set_xlabel("time $t$")
    ax_b.set_ylabel("excess risk")
    ax_b.set_title(r"B: every depth, one law $t^{-\nu\beta/(\nu\beta+2\nu+1)}$", fontsize=9)
    ax_b.legend(fontsize=7)
    th = np.linspace(*PARAMS["thetas"], 41)
    for i, L in enumerate(PARAMS["Ls"]):
        ax_c.plot(th, fs_ood_risk(lam, om, th, L), color=cmap(i / len(PARAMS["Ls"])), lw=1.4, label=f"$L={L}$")
    ax_c.set_yscale("log")
    ax_c.set_xlabel(r"rotation angle $\theta$ of the test covariance")
    ax_c.set_ylabel("OOD excess risk")
    ax_c.set_title(r"C: trained to $L\Sigma^{-1}$, tested on $e^{\theta S}\Sigma e^{-\theta S}$", fontsize=9)
    ax_c.legend(fontsize=7)
    fig.suptitle(f"Paper 3 Fig. 3  FS, nu = beta = 1.25, D = {s.D_fs} ({s.mode})", fontsize=10)
    return save(fig, out_dir, "p3_fig3")

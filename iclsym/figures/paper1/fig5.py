"""Paper Fig. 5 (Lu et al.): double descent in trained networks and the ``n ~ d^2`` interpolation threshold.

* a, b, c -- ICL test error against ``tau = n/d^2`` for full linear attention, one softmax
  attention block, and two softmax blocks with a one-layer MLP (``alpha = 1``, ``kappa = inf``,
  ``rho = 0.01``), one curve per ``d``;
* d -- the interpolation threshold ``n*`` against ``d`` with the fit ``log n* = a log d + b``
  (paper: ``a`` = 1.87 full linear, 1.66 softmax, 2.13 two blocks, 2.08 three blocks).

The threshold rule and its uncertainty are those of :mod:`iclsym.nets.threshold` (first crossing
of the label-noise level ``rho`` by the final training error; the thresholds are those of the
training budget of the settings, as in the paper, where they are taken at a fixed number of
steps).  Panel a also shows the asymptotic ridgeless ICL error of the reduced linear model
(:func:`iclsym.onelayer.theory.e_icl`, pole at ``tau = 1``) for orientation: the trained
full linear attention has ``O(d)`` parameters more than ``Gamma`` and is trained by AdamW for a
finite number of steps, so its peak sits slightly above ``tau = 1`` and is finite.
"""

from __future__ import annotations

import math

import numpy as np

from iclsym.nets import settings as net_settings
from iclsym.nets import threshold as th
from iclsym.figures.common import mean_se
from iclsym.nets.kinds import cost, net_job

__all__ = ["jobs", "points", "plot", "curves", "thresholds", "threshold_exponents", "report_entries", "KIND",
           "PAPER_EXPONENTS"]

KIND = "net_icl"
#: the exponents Lu et al. report for panel d
PAPER_EXPONENTS = {"full_linear": 1.87, "softmax": 1.66, "softmax2_mlp": 2.13, "softmax3_mlp": 2.08}
LABELS = {"full_linear": "full linear attention", "softmax": "1 softmax block",
          "softmax2_mlp": "2 softmax blocks + MLP", "softmax3_mlp": "3 softmax blocks + MLP"}
COLORS = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple")


def _coords(s, arch, d, tau):
    return dict(arch=arch, d=int(d), alpha=s.alpha, tau=float(tau), kappa=math.inf, rho=s.rho, n_test=s.n_test,
                **s.fig5_train[arch].coords())


def jobs(settings) -> list:
    """One training job per architecture, ``d``, ``tau`` and run.

    Examples
    --------
    >>> from iclsym.nets.settings import tiny
    >>> len(jobs(tiny()))
    18
    """
    s = net_settings.of(settings)
    return sorted((net_job(KIND, _coords(s, arch, d, tau), run=r, base_seed=s.base_seed)
                   for arch in s.fig5_archs for d in s.fig5_d for tau in s.fig5_taus[arch]
                   for r in range(s.fig5_runs[arch])), key=cost, reverse=True)  # longest first


def curves(store, settings) -> dict:
    """``{arch: {d: {"n", "tau", "train" (runs x taus), "e_icl", "se"}}}`` from the store (runs in rows)."""
    s = net_settings.of(settings)
    frame = store.frame(KIND)
    out = {}
    if frame.empty:
        return out
    for arch in s.fig5_archs:
        t = s.fig5_train[arch]
        sub = frame[(frame["arch"] == arch) & np.isinf(frame["kappa"].astype(float)) & (frame["alpha"] == s.alpha)
                    & (frame["rho"] == s.rho) & (frame["steps"] == t.steps) & (frame["lr"] == t.lr)]
        for d in s.fig5_d:
            sd = sub[sub["d"] == d]
            taus = [tau for tau in s.fig5_taus[arch] if (sd["tau"] == tau).any()]
            if not taus:
                continue
            runs = range(s.fig5_runs[arch])
            train = np.full((len(runs), len(taus)), np.nan)
            test = np.full((len(runs), len(taus)), np.nan)
            for j, tau in enumerate(taus):
                for _, row in sd[sd["tau"] == tau].iterrows():
                    if row["run"] < train.shape[0]:
                        train[row["run"], j] = row["train_error"]
                        test[row["run"], j] = row["e_icl"]
            stats = [mean_se(test[:, j]) for j in range(len(taus))]
            out.setdefault(arch, {})[d] = {
                "tau": np.array(taus), "n": np.array([round(tau * d * d) for tau in taus], dtype=float),
                "train": train, "test": test,
                "e_icl": np.array([m for m, _, _ in stats]), "se": np.array([se for _, se, _ in stats]),
            }
    return out


def thresholds(store, settings) -> dict:
    """``{arch: {d: threshold dict}}`` (:func:`iclsym.nets.threshold.threshold` at level ``rho``)."""
    s = net_settings.of(settings)
    return {arch: {d: th.threshold(c["n"], c["train"], s.rho) for d, c in by_d.items()}
            for arch, by_d in curves(store, settings).items()}


def _exponent(thr):
    ds = sorted(thr)
    return th.fit_exponent(ds, [thr[d]["log_n_star"] for d in ds], [thr[d]["se_log"] for d in ds])


def threshold_exponents(store, settings) -> dict:
    """``{arch: fit}`` of :func:`iclsym.nets.threshold.fit_exponent` for every architecture with data."""
    return {arch: _exponent(thr) for arch, thr in thresholds(store, settings).items()}


def report_entries(store, settings) -> dict:
    """The machine-readable ``report.json`` entries of Fig. 5.

    ``{"fig5.threshold_exponent.<arch>": {"value": a, "ci": [lo, hi]}}`` for every architecture
    run (``full_linear``, ``softmax``, ``softmax2_mlp``, and ``softmax3_mlp`` when run); ``nan``
    where fewer than three dimensions have a bracketed threshold.

    Examples
    --------
    >>> from iclsym.sweep import ResultStore
    >>> from iclsym.nets.settings import tiny
    >>> report_entries(ResultStore(":memory:"), tiny())
    {}
    """
    return {f"fig5.threshold_exponent.{arch}": {"value": fit["value"], "ci": list(fit["ci"])}
            for arch, fit in threshold_exponents(store, settings).items()}


def points(store, settings) -> list:
    """Report rows: per (arch, d) the threshold and the double-descent test; per arch the exponent.

    Examples
    --------
    >>> from iclsym.sweep import ResultStore
    >>> from iclsym.nets.settings import tiny
    >>> points(ResultStore(":memory:"), tiny())
    []
    """
    s = net_settings.of(settings)
    rows = []
    cur = curves(store, settings)
    for arch, by_d in cur.items():
        thr = {}
        for d, c in by_d.items():
            t = th.threshold(c["n"], c["train"], s.rho)
            thr[d] = t
            dd = th.double_descent(c["tau"], c["e_icl"], c["se"])
            rows.append({"figure": "5", "panel": "d", "arch": arch, "d": int(d), "quantity": "threshold n*",
                         "value": t["n_star"], "tau_star": t["n_star"] / d**2, "se_log": t["se_log"],
                         "runs": t["runs"], "bracketed": t["bracketed"], "parameters_reduced": d * (d + 1)})
            rows.append({"figure": "5", "panel": "abc", "arch": arch, "d": int(d), "quantity": "double descent (tau of the test-error peak)",
                         "value": dd["peak_n"], "peak": dd["peak"], "z_rise": dd["z_rise"],
                         "z_fall": dd["z_fall"], "significant": dd["significant"]})
        fit = _exponent(thr)
        boot = th.bootstrap_exponent({d: (c["n"], c["train"]) for d, c in by_d.items()}, s.rho)
        rows.append({"figure": "5", "panel": "d", "arch": arch, "quantity": "threshold exponent a",
                     "value": fit["value"], "ci": fit["ci"], "se": fit["se"], "birge": fit["birge"],
                     "dof": fit["dof"], "bootstrap_ci": boot["ci"], "paper": PAPER_EXPONENTS.get(arch, math.nan),
                     "d_values": sorted(int(x) for x in by_d)})
    return rows


def plot(store, settings, out_dir) -> list:
    """Draw Fig. 5 (four panels) to ``out_dir/fig5.png`` and ``.pdf``."""
    from iclsym.figures.common import finite_or_nan, new_figure, save

    s = net_settings.of(settings)
    cur = curves(store, settings)
    panel_archs = [a for a in ("full_linear", "softmax", "softmax2_mlp") if a in s.fig5_archs]
    fig, axes = new_figure(len(panel_archs) + 1)
    for ax, arch, letter in zip(axes, panel_archs, "abc"):
        for d, color in zip(s.fig5_d, COLORS):
            c = cur.get(arch, {}).get(d)
            if c is None:
                continue
            ax.errorbar(c["tau"], c["e_icl"], yerr=np.nan_to_num(c["se"]), fmt="o-", ms=3.5, lw=1.2, capsize=2,
                        color=color, label=f"d={d}")
        if arch == "full_linear":
            from iclsym.onelayer import theory

            tau = np.linspace(0.3, max(s.fig5_taus[arch]), 300)
            y = finite_or_nan(theory.e_icl(s.alpha, tau, math.inf, s.rho, 0.0))
            ax.plot(tau, np.where(np.abs(tau - 1) > 0.03, y, np.nan), color="0.5", lw=1, ls="--",
                    label="reduced model, ridgeless theory")
        ax.axvline(1.0, color="0.7", ls=":", lw=1)
        ax.set_yscale("log")
        ax.set_xlabel(r"$\tau = n/d^2$")
        ax.set_ylabel(r"ICL test error")
        t = s.fig5_train[arch]
        ax.set_title(f"{letter}: {LABELS[arch]}\n{t.steps} AdamW steps, lr {t.lr:g}, batch {t.batch_frac:g} n",
                     fontsize=9)
        ax.legend(fontsize=7)
    ax = axes[-1]
    dgrid = np.array([min(s.fig5_d) * 0.9, max(s.fig5_d) * 1.1])
    for arch, color in zip(s.fig5_archs, COLORS):
        by_d = cur.get(arch)
        if not by_d:
            continue
        thr = {d: th.threshold(c["n"], c["train"], s.rho) for d, c in by_d.items()}
        ds = np.array([d for d in sorted(thr) if thr[d]["bracketed"]], dtype=float)
        if ds.size == 0:
            continue
        ns = np.array([thr[d]["n_star"] for d in ds])
        err = np.array([thr[d]["se_log"] for d in ds]) * ns
        fit = _exponent(thr)
        label = LABELS[arch]
        if math.isfinite(fit["value"]):
            label += f": a = {fit['value']:.2f} [{fit['ci'][0]:.2f}, {fit['ci'][1]:.2f}]"
            ax.plot(dgrid, np.exp(fit["intercept"]) * dgrid ** fit["value"], color=color, lw=1)
        ax.errorbar(ds, ns, yerr=err, fmt="o", ms=4, capsize=2, color=color, label=label)
    ax.plot(dgrid, dgrid**2, color="0.6", ls=":", lw=1, label=r"$n = d^2$")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("d")
    ax.set_ylabel(r"interpolation threshold $n^*$")
    ax.set_title(f"d: threshold (train error crosses rho={s.rho:g}); fit log n* = a log d + b, 95% CI", fontsize=9)
    ax.legend(fontsize=6.5)
    fig.suptitle(f"Fig. 5  Trained networks: double descent in n and the n ~ d^2 threshold "
                 f"(alpha={s.alpha:g}, kappa=inf, rho={s.rho:g}; {s.mode} mode)", fontsize=10)
    return save(fig, out_dir, "fig5")

"""Paper Fig. 6 (Lu et al.): the memorisation -> in-context-learning transition in a trained transformer.

Two softmax blocks with a one-layer MLP trained at ``alpha = 1``, ``tau = 10``, ``rho = 0.01`` on a
bank of ``k = kappa d`` tasks; the task-generalisation gap ``g_task = e_ICL - e_IDG`` against
``kappa = k/d`` for several ``d``.  The paper's claim: the transition sits at ``k ~ d``, so the
curves for different ``d`` collapse against ``kappa`` and ``g_task`` falls through ``kappa ~ 1``.

Transition location (stated rule): ``kappa_half``, where ``g_task`` first falls below half of its
value at the smallest ``kappa`` of the grid, interpolated linearly in ``(log kappa, g_task)``;
per run, then mean and standard error of ``log kappa_half`` over runs (floored by the grid
resolution as in :mod:`iclsym.nets.threshold`).  Collapse: the chi-square of the ``log kappa_half``
of all ``d`` about their weighted mean.  The reduced linear model's asymptotic ``g_task``
(:func:`iclsym.onelayer.theory.g_task`, ridgeless) is drawn for orientation, with its own
``kappa_half`` by the same rule.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from iclsym.nets import settings as net_settings
from iclsym.figures.common import mean_se
from iclsym.nets.kinds import cost, net_job

__all__ = ["jobs", "points", "plot", "curves", "half_point", "transitions", "report_entries", "KIND"]

KIND = "net_icl"
COLORS = ("tab:blue", "tab:orange", "tab:green", "tab:red")


def _coords(s, d, kappa):
    return dict(arch=s.fig6_arch, d=int(d), alpha=s.alpha, tau=s.fig6_tau, kappa=float(kappa), rho=s.rho,
                n_test=s.n_test, **s.fig6_train.coords())


def jobs(settings) -> list:
    """One training job per ``d``, ``kappa`` and run.

    Examples
    --------
    >>> from iclsym.nets.settings import tiny
    >>> len(jobs(tiny()))
    4
    """
    s = net_settings.of(settings)
    return sorted((net_job(KIND, _coords(s, d, kappa), run=r, base_seed=s.base_seed)
                   for d in s.fig6_d for kappa in s.fig6_kappas for r in range(s.fig6_runs)), key=cost, reverse=True)


def half_point(kappa, g) -> float:
    """First ``kappa`` where ``g`` falls below ``g[0]/2``, linear in ``(log kappa, g)``; ``nan`` if never.

    Examples
    --------
    >>> round(half_point([0.5, 1.0, 2.0], [1.0, 0.8, 0.2]), 4)
    1.4142
    """
    k = np.asarray(kappa, dtype=float)
    g = np.asarray(g, dtype=float)
    if k.size < 2 or not np.all(np.isfinite(g)) or g[0] <= 0:
        return math.nan
    level = g[0] / 2
    below = np.nonzero(g < level)[0]
    if below.size == 0:
        return math.nan
    j = int(below[0])
    t = (level - g[j - 1]) / (g[j] - g[j - 1])
    return float(math.exp(math.log(k[j - 1]) + t * (math.log(k[j]) - math.log(k[j - 1]))))


def curves(store, settings) -> dict:
    """``{d: {"kappa", "g" (runs x kappas), "e_icl", "e_idg" (means), "g_mean", "g_se", ...}}``."""
    s = net_settings.of(settings)
    frame = store.frame(KIND)
    out = {}
    if frame.empty:
        return out
    t = s.fig6_train
    sub = frame[(frame["arch"] == s.fig6_arch) & (frame["tau"] == s.fig6_tau) & (frame["alpha"] == s.alpha)
                & (frame["rho"] == s.rho) & (frame["steps"] == t.steps) & (frame["lr"] == t.lr)
                & np.isfinite(frame["kappa"].astype(float))]
    for d in s.fig6_d:
        sd = sub[sub["d"] == d]
        kappas = [k for k in s.fig6_kappas if (sd["kappa"] == k).any()]
        if not kappas:
            continue
        fields = {f: np.full((s.fig6_runs, len(kappas)), np.nan) for f in ("g_task", "e_icl", "e_idg")}
        for j, k in enumerate(kappas):
            for _, row in sd[sd["kappa"] == k].iterrows():
                if row["run"] < s.fig6_runs:
                    for f in fields:
                        fields[f][row["run"], j] = row[f]
        c = {"kappa": np.array(kappas), "g": fields["g_task"]}
        for f, arr in fields.items():
            st = [mean_se(arr[:, j]) for j in range(len(kappas))]
            c[f + "_mean"] = np.array([m for m, _, _ in st])
            c[f + "_se"] = np.array([se for _, se, _ in st])
        out[d] = c
    return out


def _transition(kappa, g_runs):
    per_run = [half_point(kappa, row) for row in g_runs]
    logs = np.log([v for v in per_run if math.isfinite(v)])
    if logs.size == 0 or 2 * logs.size < len(per_run):
        return {"kappa_half": math.nan, "se_log": math.nan, "runs": int(logs.size), "per_run": per_run}
    j = np.searchsorted(kappa, math.exp(logs.mean()))
    j = min(max(j, 1), len(kappa) - 1)
    width = math.log(kappa[j]) - math.log(kappa[j - 1])
    se_runs = float(logs.std(ddof=1) / math.sqrt(logs.size)) if logs.size > 1 else 0.0
    return {"kappa_half": float(math.exp(logs.mean())), "se_log": max(se_runs, width / math.sqrt(12.0)),
            "runs": int(logs.size), "per_run": per_run}


def transitions(store, settings) -> dict:
    """``{d: {"kappa_half", "se_log", "runs", "per_run"}}`` (rule in the module docstring)."""
    return {d: _transition(c["kappa"], c["g"]) for d, c in curves(store, settings).items()}


def _collapse(tr):
    ds = [d for d in sorted(tr) if math.isfinite(tr[d]["kappa_half"])]
    if len(ds) < 2:
        return {"chi2": math.nan, "dof": 0, "p_value": math.nan, "kappa_half_common": math.nan}
    x = np.log([tr[d]["kappa_half"] for d in ds])
    w = 1.0 / np.array([tr[d]["se_log"] for d in ds]) ** 2
    mean = float(np.sum(w * x) / np.sum(w))
    chi2 = float(np.sum(w * (x - mean) ** 2))
    return {"chi2": chi2, "dof": len(ds) - 1, "p_value": float(stats.chi2.sf(chi2, len(ds) - 1)),
            "kappa_half_common": math.exp(mean)}


def _theory_half(s, kappa_min):
    from iclsym.onelayer import theory

    k = np.geomspace(kappa_min, 20.0, 400)
    return half_point(k, theory.g_task(s.alpha, s.fig6_tau, k, s.rho, 0.0))


def report_entries(store, settings) -> dict:
    """``{"fig6.transition_kappa.d<d>": {"value": kappa_half, "ci": [lo, hi]}}`` (95 %, normal in log).

    Examples
    --------
    >>> from iclsym.sweep import ResultStore
    >>> from iclsym.nets.settings import tiny
    >>> report_entries(ResultStore(":memory:"), tiny())
    {}
    """
    out = {}
    for d, t in transitions(store, settings).items():
        v, se = t["kappa_half"], t["se_log"]
        out[f"fig6.transition_kappa.d{d}"] = {"value": v, "ci": [v * math.exp(-1.96 * se), v * math.exp(1.96 * se)]}
    return out


def points(store, settings) -> list:
    """Report rows: per ``d`` the transition ``kappa_half`` and ``g_task`` at the grid ends; the collapse test.

    Examples
    --------
    >>> from iclsym.sweep import ResultStore
    >>> from iclsym.nets.settings import tiny
    >>> points(ResultStore(":memory:"), tiny())
    []
    """
    s = net_settings.of(settings)
    cur = curves(store, settings)
    if not cur:
        return []
    tr = {d: _transition(c["kappa"], c["g"]) for d, c in cur.items()}
    rows = []
    for d, c in cur.items():
        rows.append({"figure": "6", "panel": "", "d": int(d), "quantity": "kappa_half",
                     "value": tr[d]["kappa_half"], "se_log": tr[d]["se_log"], "runs": tr[d]["runs"],
                     "g_first": float(c["g_task_mean"][0]), "g_last": float(c["g_task_mean"][-1]),
                     "g_last_se": float(c["g_task_se"][-1]), "kappa_first": float(c["kappa"][0]),
                     "kappa_last": float(c["kappa"][-1])})
    col = _collapse(tr)
    kmin = min(float(c["kappa"][0]) for c in cur.values())
    rows.append({"figure": "6", "panel": "", "quantity": "collapse of kappa_half across d", "value": col["chi2"],
                 "dof": col["dof"], "p_value": col["p_value"], "kappa_half_common": col["kappa_half_common"],
                 "theory_kappa_half_reduced_linear": _theory_half(s, kmin)})
    return rows


def plot(store, settings, out_dir) -> list:
    """Draw Fig. 6 (two panels) to ``out_dir/fig6.png`` and ``.pdf``."""
    from iclsym.figures.common import new_figure, save
    from iclsym.onelayer import theory

    s = net_settings.of(settings)
    cur = curves(store, settings)
    fig, (ax_g, ax_e) = new_figure(2)
    tr = {d: _transition(c["kappa"], c["g"]) for d, c in cur.items()}
    for d, color in zip(s.fig6_d, COLORS):
        c = cur.get(d)
        if c is None:
            continue
        kh = tr[d]["kappa_half"]
        label = f"d={d}" + (f", kappa_1/2={kh:.2f}" if math.isfinite(kh) else "")
        ax_g.errorbar(c["kappa"], c["g_task_mean"], yerr=np.nan_to_num(c["g_task_se"]), fmt="o-", ms=4, capsize=2,
                      color=color, label=label)
        ax_e.errorbar(c["kappa"], c["e_icl_mean"], yerr=np.nan_to_num(c["e_icl_se"]), fmt="o-", ms=4, capsize=2,
                      color=color, label=f"ICL, d={d}")
        ax_e.errorbar(c["kappa"], c["e_idg_mean"], yerr=np.nan_to_num(c["e_idg_se"]), fmt="s--", ms=3.5,
                      capsize=2, color=color, alpha=0.7, label=f"IDG, d={d}")
    k = np.geomspace(min(s.fig6_kappas) * 0.8, max(s.fig6_kappas) * 1.25, 300)
    ax_g.plot(k, theory.g_task(s.alpha, s.fig6_tau, k, s.rho, 0.0), color="0.5", ls="--", lw=1,
              label="reduced linear model, theory")
    from matplotlib.ticker import FuncFormatter, NullFormatter

    for ax in (ax_g, ax_e):
        ax.set_xscale("log")
        ax.set_xticks(s.fig6_kappas)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.axvline(1.0, color="0.7", ls=":", lw=1)
        ax.set_xlabel(r"task diversity $\kappa = k/d$")
    ax_g.axhline(0.0, color="0.8", lw=0.8)
    ax_g.set_ylabel(r"$g_{task} = e_{ICL} - e_{IDG}$")
    t = s.fig6_train
    ax_g.set_title(f"a: task-generalisation gap ({s.fig6_arch}, {t.steps} steps, lr {t.lr:g})", fontsize=9)
    ax_e.set_ylabel("test error")
    ax_e.set_title("b: ICL (fresh tasks) and IDG (bank tasks) errors", fontsize=9)
    ax_g.legend(fontsize=7)
    ax_e.legend(fontsize=6, ncol=2)
    fig.suptitle(f"Fig. 6  Memorisation -> ICL transition in a trained transformer (alpha={s.alpha:g}, "
                 f"tau={s.fig6_tau:g}, rho={s.rho:g}; {s.mode} mode)", fontsize=10)
    return save(fig, out_dir, "fig6")

"""Paper Fig. 3 (Letey et al.): a trained transformer's ICL error against four alignment measures.

A two-block softmax transformer with a GELU MLP and LayerNorm is pretrained at ``d = 20``,
``alpha = 2``, ``tau = 4``, ``rho = 0.01`` on a bank of ``k = kappa d`` Gaussian tasks
``w ~ N(0, C_train)`` (``C_train`` the power law 0.9, trace ``d``), ``kappa`` in {0.2, 0.5, 1, 2, 10},
and tested on fresh tasks ``w ~ N(0, C_test)`` for the test family of Fig. 2 (power laws
``p = 0.4 ... 1.4``, which include ``C_test = C_train``, and flat low-rank covariances of rank
fraction 0.2 ... 1).  Each panel plots the ICL error against one measure; the paper reports the
Spearman correlations 0.99 (``e_misalign``), 0.98 (resolvent), 0.96 ("simple"
``tr(C_test C_train^-1)/d``) and 0.39 (``1/CKA``) -- the ICL error lines up with the misalignment
measure.  The measures are those of Fig. 2 (:func:`iclsym.figures.paper2.fig2.family`, the
paper-2 theory at the trained model's ``d``).  Correlations are computed over all (``kappa``,
test) points, as in the paper, and per ``kappa``.

The pretraining data follow ``settings.p2_contexts``: ``quick`` draws fresh tokens every step over the
fixed task bank (the authors' public sampler); on a fixed set of ``n = tau d^2`` contexts the network
interpolates and its ICL error reflects memorisation (``docs/nets.md``).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from iclsym.figures.common import mean_se
from iclsym.figures.paper2 import fig2
from iclsym.nets import settings as net_settings
from iclsym.nets.kinds import cost, net_job

__all__ = ["jobs", "points", "plot", "measures", "table", "report_entries", "KIND", "MEASURES"]

KIND = "net_alignment"
#: the four measures (the names of :data:`iclsym.figures.paper2.fig2.MEASURES`) and their axis labels
MEASURES = tuple(name for name, _ in fig2.MEASURES)
LABELS = dict(fig2.MEASURES)
P = fig2.PARAMS


def _coords(s, kappa):
    return dict(arch=s.p2_arch, d=s.p2_d, alpha=P["alpha"], tau=P["tau"], kappa=float(kappa), rho=P["rho"],
                train=P["train"], tests=",".join(fig2.test_specs()), n_test=s.n_test, **s.p2_train.coords(),
                contexts=s.p2_contexts)


def jobs(settings) -> list:
    """One training job per ``kappa`` and run (each tests every covariance).

    Examples
    --------
    >>> from iclsym.nets.settings import tiny
    >>> len(jobs(tiny()))
    2
    """
    s = net_settings.of(settings)
    return sorted((net_job(KIND, _coords(s, kappa), run=r, base_seed=s.base_seed)
                   for kappa in s.p2_kappas for r in range(s.p2_runs)), key=cost, reverse=True)


def measures(d, kappas) -> dict:
    """The four measures at every (``kappa``, test) point: ``{(kappa, test): {measure: value, "theory": e_ICL}}``.

    The paper-2 theory of Fig. 2 (:func:`iclsym.figures.paper2.fig2.family`) at dimension ``d``.

    Examples
    --------
    >>> m = measures(10, (1.0,))
    >>> len(m), sorted(m[(1.0, "powerlaw:0.9")])
    (16, ['e_misalign', 'inv_cka', 'resolvent', 'simple', 'theory'])
    """
    return {(r["kappa"], r["test"]): {**{name: r[name] for name in MEASURES}, "theory": r["e_icl"]}
            for r in fig2.family(d, tuple(float(k) for k in kappas))}


def _points_frame(store, settings):
    s = net_settings.of(settings)
    frame = store.frame(KIND)
    if frame.empty:
        return []
    # only the runs of these settings: every coordinate but kappa (and the test list) must match, so that
    # runs of another recipe kept in the same resumable store are not averaged in
    for name, value in _coords(s, s.p2_kappas[0]).items():
        if name not in ("kappa", "tests"):
            frame = frame[frame[name] == value]
    theory = measures(s.p2_d, s.p2_kappas)
    out = []
    for kappa in s.p2_kappas:
        sub = frame[frame["kappa"] == kappa]
        if sub.empty:
            continue
        for test in fig2.test_specs():
            m, se, runs = mean_se(sub[f"e_icl[{test}]"])
            out.append({"kappa": kappa, "test": test, "e_icl": m, "se": se, "runs": runs, **theory[(kappa, test)]})
    return out


def _spearman(x, y):
    x, y = np.asarray(x, float), np.asarray(y, float)
    ok = np.isfinite(x) & np.isfinite(y)
    if ok.sum() < 3:
        return math.nan, int(ok.sum())
    return float(stats.spearmanr(x[ok], y[ok]).statistic), int(ok.sum())


def table(store, settings) -> dict:
    """Spearman correlation of the trained model's ICL error with each measure: ``{measure: (rho_s, points)}``."""
    pts = _points_frame(store, settings)
    return {m: _spearman([p[m] for p in pts], [p["e_icl"] for p in pts]) for m in MEASURES}


def report_entries(store, settings) -> dict:
    """``{"fig3p2.spearman.<measure>": {"value": rho_s, "points": n}}``.

    Examples
    --------
    >>> from iclsym.sweep import ResultStore
    >>> from iclsym.nets.settings import tiny
    >>> report_entries(ResultStore(":memory:"), tiny())["fig3p2.spearman.e_misalign"]["points"]
    0
    """
    return {f"fig3p2.spearman.{m}": {"value": r, "points": n} for m, (r, n) in table(store, settings).items()}


def points(store, settings) -> list:
    """Report rows: the Spearman table (all points and per ``kappa``) next to the paper's values.

    Examples
    --------
    >>> from iclsym.sweep import ResultStore
    >>> from iclsym.nets.settings import tiny
    >>> points(ResultStore(":memory:"), tiny())
    []
    """
    pts = _points_frame(store, settings)
    if not pts:
        return []
    rows = []
    for m in MEASURES:
        r, n = _spearman([p[m] for p in pts], [p["e_icl"] for p in pts])
        per = {str(k): _spearman([p[m] for p in pts if p["kappa"] == k], [p["e_icl"] for p in pts if p["kappa"] == k])[0]
               for k in sorted({p["kappa"] for p in pts})}
        rows.append({"figure": "3 (paper 2)", "panel": m, "quantity": "Spearman(e_ICL, measure)", "value": r,
                     "points": n, "paper": fig2.PAPER_SPEARMAN[m], "per_kappa": per})
    return rows


def plot(store, settings, out_dir) -> list:
    """Draw the four panels to ``out_dir/p2_fig3.png`` and ``.pdf``."""
    from iclsym.figures.common import new_figure, save

    s = net_settings.of(settings)
    pts = _points_frame(store, settings)
    fig, axes = new_figure(4, width=3.8)
    cmap = __import__("matplotlib").colormaps["viridis"]
    kappas = sorted({p["kappa"] for p in pts})
    for ax, m in zip(axes, MEASURES):
        for i, k in enumerate(kappas):
            sub = [p for p in pts if p["kappa"] == k]
            color = cmap(i / max(1, len(kappas) - 1))
            ax.errorbar([p[m] for p in sub], [p["e_icl"] for p in sub], yerr=[np.nan_to_num(p["se"]) for p in sub],
                        fmt="o", ms=3.5, capsize=1.5, color=color, label=f"kappa={k:g}")
        r, n = _spearman([p[m] for p in pts], [p["e_icl"] for p in pts])
        ax.set_xlabel(LABELS[m])
        ax.set_ylabel("ICL error (trained transformer)")
        ax.set_title(f"Spearman {r:.2f} (paper {fig2.PAPER_SPEARMAN[m]:.2f}), {n} points", fontsize=9)
    if kappas:
        axes[0].legend(fontsize=7)
    t = s.p2_train
    fig.suptitle(f"Paper 2, Fig. 3  ICL error of a trained {s.p2_arch} (d={s.p2_d}, alpha={P['alpha']:g}, "
                 f"tau={P['tau']:g}, C_train {P['train']}; {t.steps} steps, lr {t.lr:g}, {s.p2_contexts} contexts; "
                 f"{s.mode} mode) vs four measures",
                 fontsize=10)
    return save(fig, out_dir, "p2_fig3")

"""Shared body of Bordelon et al.'s depth figures (6c: untied softmax layers; 9: with MLP blocks).

Online AdamW training of ``L`` untied residual softmax-attention layers with a ``1/L`` residual
scaling (:func:`iclsym.nets.jobs.depth_job`, isotropic data, ``alpha = P/d``), test loss against
step for each ``L``.  The claim: depth still helps.  Reported: the final test loss per ``L``
(mean and standard error over runs) and the depth ordering -- the Spearman correlation between
``L`` and the final loss over all runs, and, for each consecutive pair ``L < L'``, the z-score of
``loss(L) - loss(L')`` (positive: deeper is better).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from iclsym.nets import settings as net_settings
from iclsym.figures.common import mean_se
from iclsym.nets.kinds import cost, curve_keys, net_job

KIND = "net_depth"
COLORS = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown")


def coords(s, arch, depth):
    return dict(arch=arch, depth=int(depth), d=s.p3_d, width=s.p3_width, alpha=s.p3_alpha, queries=s.p3_queries,
                batch=s.p3_batch, steps=s.p3_steps, lr=s.p3_lr, evals=s.p3_evals, n_test=s.n_test)


def jobs(settings, arch) -> list:
    s = net_settings.of(settings)
    return sorted((net_job(KIND, coords(s, arch, L), run=r, base_seed=s.base_seed) for L in s.p3_depths
                   for r in range(s.p3_runs)), key=cost, reverse=True)


def curves(store, settings, arch) -> dict:
    """``{L: {"steps", "loss" (runs x marks)}}``."""
    s = net_settings.of(settings)
    frame = store.frame(KIND)
    if frame.empty:
        return {}
    frame = frame[(frame["arch"] == arch) & (frame["d"] == s.p3_d) & (frame["width"] == s.p3_width)
                  & (frame["steps"] == s.p3_steps) & (frame["lr"] == s.p3_lr)]
    marks = curve_keys(s.p3_steps, s.p3_evals)
    out = {}
    for L in s.p3_depths:
        sub = frame[frame["depth"] == L]
        if sub.empty:
            continue
        out[L] = {"steps": np.array(marks), "loss": np.array([[row[f"loss_{m}"] for m in marks]
                                                              for _, row in sub.iterrows()], dtype=float)}
    return out


def ordering(cur) -> dict:
    Ls = sorted(cur)
    finals = {L: cur[L]["loss"][:, -1] for L in Ls}
    xs = [L for L in Ls for _ in finals[L]]
    ys = [v for L in Ls for v in finals[L]]
    rho = float(stats.spearmanr(xs, ys).statistic) if len(set(xs)) > 1 else math.nan
    pairs = []
    for a, b in zip(Ls, Ls[1:]):
        ma, sa, _ = mean_se(finals[a])
        mb, sb, _ = mean_se(finals[b])
        se = math.hypot(sa, sb) if math.isfinite(sa) and math.isfinite(sb) else math.nan
        pairs.append({"L": a, "L_next": b, "gain": ma - mb, "z": (ma - mb) / se if se and math.isfinite(se) else math.nan})
    return {"spearman_L_loss": rho, "pairs": pairs,
            "monotone": all(p["gain"] > 0 for p in pairs) if pairs else False}


def points(store, settings, arch, figure) -> list:
    cur = curves(store, settings, arch)
    if not cur:
        return []
    rows = []
    for L, c in sorted(cur.items()):
        m, se, runs = mean_se(c["loss"][:, -1])
        rows.append({"figure": figure, "panel": "", "arch": arch, "L": L, "quantity": "final test loss",
                     "value": m, "se": se, "runs": runs})
    o = ordering(cur)
    rows.append({"figure": figure, "panel": "", "arch": arch, "quantity": "depth ordering",
                 "value": o["spearman_L_loss"], "monotone": o["monotone"], "pairs": o["pairs"]})
    return rows


def report_entries(store, settings, arch, figure) -> dict:
    cur = curves(store, settings, arch)
    if not cur:
        return {}
    out = {}
    for L, c in sorted(cur.items()):
        m, se, _ = mean_se(c["loss"][:, -1])
        out[f"{figure}.final_loss.L{L}"] = {"value": m, "se": se}
    o = ordering(cur)
    out[f"{figure}.depth_ordering"] = {"value": o["spearman_L_loss"], "monotone": o["monotone"]}
    return out


def plot(store, settings, out_dir, arch, figure, title) -> list:
    from iclsym.figures.common import new_figure, save

    s = net_settings.of(settings)
    cur = curves(store, settings, arch)
    fig, (ax, ax2) = new_figure(2)
    finals = []
    for (L, c), color in zip(sorted(cur.items()), COLORS):
        m = np.nanmean(c["loss"], axis=0)
        ax.plot(np.maximum(c["steps"], 1), m, color=color, lw=1.5, label=f"L={L}")
        for row in c["loss"]:
            ax.plot(np.maximum(c["steps"], 1), row, color=color, lw=0.5, alpha=0.35)
        finals.append((L, *mean_se(c["loss"][:, -1])[:2]))
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("test MSE (fresh contexts)")
    ax.set_title(f"loss vs step (d={s.p3_d}, width {s.p3_width}, P={round(s.p3_alpha * s.p3_d)}, "
                 f"{s.p3_queries} queries, batch {s.p3_batch})", fontsize=9)
    ax.legend(fontsize=7)
    if finals:
        L, m, se = map(np.asarray, zip(*finals))
        ax2.errorbar(L, m, yerr=np.nan_to_num(se), fmt="o-", capsize=2)
    ax2.set_xscale("log", base=2)
    ax2.set_xlabel("depth L")
    ax2.set_ylabel(f"test MSE at step {s.p3_steps}")
    ax2.set_title("final loss vs depth (mean ± SE over runs)", fontsize=9)
    fig.suptitle(f"{title} ({s.mode} mode; AdamW lr {s.p3_lr:g})", fontsize=10)
    return save(fig, out_dir, "p3_" + figure)


class DepthFigure:
    """One of the depth figures: its architecture, name and title, and the figure-module functions.

    Examples
    --------
    >>> from iclsym.nets.settings import tiny
    >>> from iclsym.sweep import ResultStore
    >>> f = DepthFigure("deep_softmax", "fig6c", "title")
    >>> len(f.jobs(tiny())), f.points(ResultStore(":memory:"), tiny()), f.report_entries(ResultStore(":memory:"), tiny())
    (2, [], {})
    """

    def __init__(self, arch: str, figure: str, title: str):
        self.arch, self.figure, self.title = arch, figure, title

    def jobs(self, settings) -> list:
        """One online-training job per depth and run."""
        return jobs(settings, self.arch)

    def points(self, store, settings) -> list:
        """Report rows: final test loss per depth and the depth ordering."""
        return points(store, settings, self.arch, self.figure)

    def report_entries(self, store, settings) -> dict:
        """``{"<figure>.final_loss.L<L>": {"value", "se"}, "<figure>.depth_ordering": {"value", "monotone"}}``."""
        return report_entries(store, settings, self.arch, self.figure)

    def plot(self, store, settings, out_dir) -> list:
        """Draw the figure to ``out_dir/p3_<figure>.png`` and ``.pdf``."""
        return plot(store, settings, out_dir, self.arch, self.figure, self.title)


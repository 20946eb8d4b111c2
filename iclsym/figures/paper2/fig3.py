"""Paper Fig. 3 (Letey et al.): a trained transformer's ICL error against four alignment measures.

A two-block softmax transformer with a GELU MLP and LayerNorm is pretrained at ``d = 20``,
``alpha = 2``, ``tau = 4``, ``rho = 0.01`` on a bank of ``k = kappa d`` Gaussian tasks
``w ~ N(0, C_train)`` (``C_train`` the power law 0.9, trace ``d``), ``kappa`` in {0.2, 0.5, 1, 2, 10},
and tested on fresh tasks ``w ~ N(0, C_test)`` for the power laws ``p = 0.4 ... 1.4``, the flat
low-rank covariances (rank fraction 0.2 ... 1) and ``C_test = C_train``.  Each panel plots the
ICL error against one measure; the paper reports the Spearman correlations
0.99 (``e_misalign``), 0.98 (resolvent), 0.96 ("simple" ``tr(C_test C_train^-1)/d``) and 0.39
(``1/CKA``) -- the ICL error lines up with the misalignment measure.

The four measures enter through one function, :func:`measures`.  The two covariance-only
measures (simple, ``1/CKA``) are computed here; the two that need the paper-2 asymptotic theory
(``e_misalign = (1/d) tr(C_test K)`` and the resolvent ``(1/d) tr(C_test F(nu))``) come from
:func:`_theory_kernel`, a compact evaluation of that theory's ridgeless fixed point kept private
to this module (all covariances here are diagonal in one basis) until the project's paper-2
theory module replaces it; it reduces to paper 1's ridgeless ``e_ICL`` for ``C_train = C_test = I``
(tested).  Correlations are computed over all (``kappa``, test) points, as in the paper, and per
``kappa``.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize, stats

from iclsym.nets import covariances
from iclsym.nets import settings as net_settings
from iclsym.nets.sweep import NetJob, mean_se

__all__ = ["jobs", "points", "plot", "measures", "table", "report_entries", "KIND", "MEASURES", "PAPER_SPEARMAN"]

KIND = "net_alignment"
MEASURES = ("misalign", "resolvent", "simple", "inv_cka")
#: Spearman correlations Letey et al. report for the trained transformer
PAPER_SPEARMAN = {"misalign": 0.99, "resolvent": 0.98, "simple": 0.96, "inv_cka": 0.39}
LABELS = {"misalign": r"$e_{misalign} = \frac{1}{d}\mathrm{tr}(C_{test}K)$",
          "resolvent": r"resolvent $\frac{1}{d}\mathrm{tr}(C_{test}F(\nu))$",
          "simple": r"$\frac{1}{d}\mathrm{tr}(C_{test}C_{train}^{-1})$", "inv_cka": r"$1/\mathrm{CKA}$"}
ALPHA, TAU, RHO, TRAIN_POWER = 2.0, 4.0, 0.01, 0.9


def _coords(s, kappa):
    return dict(arch=s.p2_arch, d=s.p2_d, alpha=ALPHA, tau=TAU, kappa=float(kappa), rho=RHO,
                train_power=TRAIN_POWER, n_test=s.n_test, **s.p2_train.coords())


def jobs(settings) -> list:
    """One training job per ``kappa`` and run (each tests every covariance).

    Examples
    --------
    >>> from iclsym.nets.settings import tiny
    >>> len(jobs(tiny()))
    2
    """
    s = net_settings.of(settings)
    return [NetJob(KIND, _coords(s, kappa), run=r, base_seed=s.base_seed)
            for kappa in s.p2_kappas for r in range(s.p2_runs)]


def _theory_kernel(alpha, tau, kappa, rho, lam):
    """Ridgeless paper-2 theory for ``C_train = diag(lam)`` (trace ``d``): ``(e_scalar(c_te=1), kernel k(lam), F(lam))``.

    Follows the generalised Marchenko-Pastur fixed point and the transfer kernel
    ``k(l) = g/(a l + nu) - (xi g - nu^2)(b l + 1)/(a l + nu)^2`` of Letey et al. (the
    project's ``docs/`` pages give the derivation).
    """
    lam = np.asarray(lam, dtype=float)
    rho_tr = float(lam.mean()) + rho

    def state(z):
        if math.isinf(kappa):
            a = 1.0
        else:
            def f(delta):
                return delta - np.mean(lam / (lam / (1.0 + delta) + z)) / kappa
            hi = float(np.mean(lam)) / (kappa * z) + 1.0
            a = 1.0 / (1.0 + optimize.brentq(f, 0.0, hi, xtol=1e-14, rtol=1e-14))
        F = 1.0 / (a * lam + z)
        M = F.mean()
        s2, s2l = (F**2).mean(), (lam * F**2).mean()
        ik = 0.0 if math.isinf(kappa) else 1.0 / kappa
        Mp = -(s2 + M * s2l * ik) / (1.0 + z * s2l * ik)
        b = (M + z * Mp) * ik
        return a, b, M, Mp, F

    x0 = rho_tr / alpha
    xi = 0.0
    if tau < 1:
        xi = optimize.brentq(lambda x: x * state(x + x0)[2] - (1.0 - tau), 1e-14, 1e6, xtol=1e-15, rtol=1e-14)
    nu = x0 + xi
    a, b, M, Mp, F = state(nu)
    Q = 1.0 - 2.0 * xi * M - xi**2 * Mp
    g = (rho + nu - nu**2 * M - xi * (1.0 - 2.0 * nu * M - nu**2 * Mp)) / (tau - Q)
    e_scalar = rho + ((1.0 + rho) / alpha) * (1.0 + (g - 2.0 * nu) * M + (xi * g - nu**2) * Mp)
    kern = g * F - (xi * g - nu**2) * (b * lam + 1.0) * F**2
    return e_scalar, kern, F


def _cka(A, B):
    d = A.size
    H = np.eye(d) - np.ones((d, d)) / d
    A, B = np.diag(A), np.diag(B)

    def c(X, Y):
        return float(np.trace(H @ X @ H @ Y)) / (d - 1) ** 2

    return c(A, B) / math.sqrt(c(A, A) * c(B, B))


def measures(d, alpha, tau, kappa, rho, train_spectrum, test_spectrum) -> dict:
    """The four alignment measures of one (pretraining, test) pair of diagonal covariances.

    The single place where the figure gets its measures: ``misalign`` (``(1/d) tr(C_test K)``),
    ``resolvent`` (``(1/d) tr(C_test F(nu))``), ``simple`` (``(1/d) tr(C_test C_train^-1)``, ``nan``
    when ``C_train`` is singular) and ``inv_cka`` (``1/CKA`` with centred CKA; ``nan`` when either
    covariance is a multiple of the identity, where centred CKA is 0/0).

    Examples
    --------
    >>> I = (1.0,) * 4
    >>> m = measures(4, 2.0, 4.0, 1.0, 0.01, I, I)
    >>> round(m["simple"], 12), m["inv_cka"]
    (1.0, nan)
    """
    lam = np.asarray(train_spectrum, dtype=float)
    c = np.asarray(test_spectrum, dtype=float)
    _, kern, F = _theory_kernel(alpha, tau, kappa, rho, lam)
    simple = float(np.mean(c / lam)) if np.all(lam > 0) else math.nan
    with np.errstate(invalid="ignore", divide="ignore"):
        cka = _cka(lam, c) if np.ptp(lam) > 0 and np.ptp(c) > 0 else math.nan
    return {"misalign": float(np.mean(c * kern)), "resolvent": float(np.mean(c * F)), "simple": simple,
            "inv_cka": 1.0 / cka if cka and math.isfinite(cka) else math.nan}


def _points_frame(store, settings):
    s = net_settings.of(settings)
    frame = store.frame(KIND)
    if frame.empty:
        return []
    t = s.p2_train
    frame = frame[(frame["arch"] == s.p2_arch) & (frame["d"] == s.p2_d) & (frame["steps"] == t.steps)
                  & (frame["lr"] == t.lr)]
    tests = covariances.alignment_tests(s.p2_d, TRAIN_POWER)
    out = []
    for kappa in s.p2_kappas:
        sub = frame[frame["kappa"] == kappa]
        if sub.empty:
            continue
        for name, spec in tests.items():
            m, se, runs = mean_se(sub[f"e_icl_{name}"])
            meas = measures(s.p2_d, ALPHA, TAU, kappa, RHO, tests["train"], spec)
            out.append({"kappa": kappa, "test": name, "e_icl": m, "se": se, "runs": runs, **meas})
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
    >>> from iclsym.nets.sweep import NetStore
    >>> from iclsym.nets.settings import tiny
    >>> report_entries(NetStore(":memory:"), tiny())["fig3p2.spearman.misalign"]["points"]
    0
    """
    return {f"fig3p2.spearman.{m}": {"value": r, "points": n} for m, (r, n) in table(store, settings).items()}


def points(store, settings) -> list:
    """Report rows: the Spearman table (all points and per ``kappa``) next to the paper's values.

    Examples
    --------
    >>> from iclsym.nets.sweep import NetStore
    >>> from iclsym.nets.settings import tiny
    >>> points(NetStore(":memory:"), tiny())
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
                     "points": n, "paper": PAPER_SPEARMAN[m], "per_kappa": per})
    return rows


def plot(store, settings, out_dir) -> list:
    """Draw the four panels to ``out_dir/fig3_paper2.png`` and ``.pdf``."""
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
        ax.set_title(f"Spearman {r:.2f} (paper {PAPER_SPEARMAN[m]:.2f}), {n} points", fontsize=9)
    if kappas:
        axes[0].legend(fontsize=7)
    t = s.p2_train
    fig.suptitle(f"Paper 2, Fig. 3  ICL error of a trained {s.p2_arch} (d={s.p2_d}, alpha={ALPHA:g}, tau={TAU:g}, "
                 f"C_train power law {TRAIN_POWER:g}; {t.steps} steps, lr {t.lr:g}; {s.mode} mode) vs four measures",
                 fontsize=10)
    return save(fig, out_dir, "fig3_paper2")

"""Extrapolation of finite-``d`` simulations to ``d = inf`` (docs/onelayer/extrapolation.md).

A simulation at dimension ``d`` sits ``O(1/d)`` away from the asymptotic theory
(docs/onelayer/finite-size.md). Instead of allowing for that gap, this module removes it: the same
parameter point is simulated at several ``d``, the means are fitted by

    e(d) = e_inf + a/d            (the "1/d" model)
    e(d) = e_inf + a/d + b/d^2    (the "1/d^2" model, used only when the first one fails)

and ``e_inf`` gets a 95 % confidence interval. The verdict then asks whether the theory lies in
that interval, which is a check that can fail.

The steps, each stated in docs/onelayer/extrapolation.md:

1. **Effective ratios.** The sizes ``ell = round(alpha d)``, ``k = round(kappa d)``,
   ``n = round(tau d^2)`` realise the ratios only up to rounding, and the rounding error jumps
   with ``d``. Each mean is moved to the nominal ratios by subtracting the theory difference
   ``T(ratios realised at d) - T(nominal ratios)`` (:func:`rounding_shift`). This uses only the
   local slope of the theory; it is tiny wherever the theory is smooth and is reported.
2. **Weights.** The variance of one run falls with ``d``; the per-``d`` sample variances
   (``runs - 1`` degrees of freedom each) are pooled by a power law ``v(d) = c d^(-g)``
   fitted to their logarithms, and the weighted least-squares fit uses ``runs/v(d)``.
   The weights affect only efficiency, not validity.
3. **Standard error.** The covariance of the fit is the sandwich with the *raw* per-``d``
   variances, so it does not depend on the power law being right; the interval is
   ``e_inf +- t_nu SE`` with Satterthwaite's degrees of freedom ``nu`` (Welch's method for a
   linear combination of independent means).
4. **Model selection.** The "1/d" model is kept unless its lack of fit
   ``Q = sum_d runs_d r_d^2 / v(d)`` is significant at the 1 % level, with the null distribution
   of ``Q`` simulated for exactly this design (sizes, runs, estimated variances, so the noise
   of the variance estimates is accounted for). Then the ``1/d^2`` term is added (at least four
   ``d`` needed); if that fit is rejected too, the point is flagged ``poor fit``.
5. **Bootstrap check.** Runs are resampled within each ``d`` and the chosen model is refitted
   (weights re-estimated); the percentile interval is reported beside the ``t`` interval.

Points where the expansion in ``1/d`` does not hold over the simulated sizes are flagged, not
judged (:func:`flags`): next to the ridgeless pole, where the parameter-count shift
``n = d(d+1)`` vs ``n = d^2`` moves the theory by more than 10 % at the smallest ``d``; and in the
window ``|kappa - 1| < d^(-2/3)`` around the hard edge of the bank's Marchenko-Pastur law, when
the theory moves by more than 10 % across that window.

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> ds = (24, 32, 48, 64)
>>> samples = [1.0 + 5.0 / d + (2.0 / d) * rng.standard_normal(10) for d in ds]
>>> fit = fit_extrapolation(ds, samples, rng=1)
>>> fit.model, bool(fit.ci[0] < 1.0 < fit.ci[1])
('1/d', True)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field as _field

import numpy as np

from iclsym.core.params import Params, Sizes, check_choice, check_size

__all__ = [
    "FIELDS", "LEVEL", "LOF_LEVEL", "FLAG_SHIFT", "DEFAULT_D", "ExtrapolationFit", "Extrapolated",
    "fit_extrapolation", "rounding_shift", "flags", "verdict", "extrapolate_samples", "extrapolate_rows",
    "extrapolation_jobs", "extrapolate", "parse_runs",
]

#: error quantities extrapolated
FIELDS = ("e_icl", "e_idg", "g_task")
#: confidence level of the interval for ``e_inf``
LEVEL = 0.95
#: significance level of the lack-of-fit test that adds the ``1/d^2`` term
LOF_LEVEL = 0.01
#: relative change of the theory across a finite-size window above which a point is flagged
FLAG_SHIFT = 0.10
#: default sizes of an extrapolation
DEFAULT_D = (24, 32, 48, 64)
_MODELS = {"1/d": 2, "1/d^2": 3}


# --------------------------------------------------------------------------------------------
# the fit
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ExtrapolationFit:
    """Result of :func:`fit_extrapolation` (every array has one entry per ``d``).

    Attributes
    ----------
    d, runs : tuple of int
    mean, se : ndarray
        Mean over runs and its standard error at each ``d`` (before the shift).
    shift : ndarray
        What was subtracted from each mean (:func:`rounding_shift`).
    model : str
        ``"1/d"`` or ``"1/d^2"`` (see the module docstring for the rule).
    inf, se_inf, dof : float
        The extrapolated value ``e_inf``, its standard error and Satterthwaite's degrees of freedom.
    ci : tuple of float
        ``e_inf -+ t_dof SE`` at level ``level``.
    ci_bootstrap : tuple of float
        Percentile interval of ``e_inf`` of the chosen model from resampling runs within each ``d``
        (NaN if not computed): a check of the ``t`` interval.
    slope, curvature : float
        ``a`` and ``b`` of ``e_inf + a/d + b/d^2`` (``b = 0`` for the ``1/d`` model).
    p_linear, p_model : float
        Lack-of-fit p-values of the ``1/d`` model and of the chosen model (NaN without spare
        degrees of freedom).
    poor_fit : bool
        The chosen model's lack of fit is significant at :data:`LOF_LEVEL` too.
    level : float
    """

    d: tuple
    runs: tuple
    mean: np.ndarray
    se: np.ndarray
    shift: np.ndarray
    model: str
    inf: float
    se_inf: float
    dof: float
    ci: tuple
    ci_bootstrap: tuple
    slope: float
    curvature: float
    p_linear: float
    p_model: float
    poor_fit: bool
    level: float = LEVEL

    @property
    def half_width(self) -> float:
        """Half-width of :attr:`ci`."""
        return 0.5 * (self.ci[1] - self.ci[0])


def _design(d, k):
    x = 1.0 / np.asarray(d, dtype=float)
    return np.stack([x**j for j in range(k)], axis=-1)


def _smooth_variances(d, var, runs):
    """Power law ``c d^-g`` fitted to ``log var`` (each with its chi-square log bias removed).

    ``var`` has shape ``(..., n_d)``. Zero variances (a quantity without noise) are kept as given.
    """
    from scipy.special import digamma

    var = np.asarray(var, dtype=float)
    nu = np.asarray(runs, dtype=float) - 1.0
    if var.shape[-1] < 3 or np.any(var <= 0):
        return var
    # E log(chi2_nu / nu) = digamma(nu/2) - log(nu/2)
    bias = digamma(nu / 2.0) - np.log(nu / 2.0)
    logd = np.log(np.asarray(d, dtype=float))
    A = np.stack([np.ones_like(logd), logd], axis=-1)
    wts = nu  # var(log chi2_nu/nu) ~ 2/nu
    Aw = A * wts[:, None]
    coef = ((np.log(var) - bias) @ Aw) @ np.linalg.inv(A.T @ Aw)  # (..., 2); the 2x2 matrix is symmetric
    return np.exp(coef[..., :1] + coef[..., 1:] * logd)


def _wls(X, y, w):
    """Batched weighted least squares. ``y``, ``w``: ``(B, n)``. Returns ``beta (B, k)``, ``L (B, k, n)``."""
    XtW = np.einsum("nk,bn->bkn", X, w)
    G = XtW @ X
    L = np.linalg.solve(G, XtW)
    beta = np.einsum("bkn,bn->bk", L, y)
    return beta, L


def _lof(X, y, w, beta):
    r = y - beta @ X.T
    return np.sum(w * r * r, axis=-1)


def _lof_p_value(X, d, runs, v_true, q_obs, sims, rng):
    """Null distribution of the lack-of-fit statistic for this design, by simulation.

    Data with exactly the fitted model, normal means with variance ``v_true/runs`` and sample
    variances ``v_true chi2_(runs-1)/(runs-1)``, are pushed through the same smoothing and fit.
    Returns the p-value of ``q_obs``.
    """
    n = len(d)
    runs = np.asarray(runs, dtype=float)
    means = rng.standard_normal((sims, n)) * np.sqrt(v_true / runs)
    var = v_true * rng.chisquare(runs - 1.0, size=(sims, n)) / (runs - 1.0)
    vs = _smooth_variances(d, var, runs)
    w = runs / vs
    beta, _ = _wls(X, means, w)
    q = _lof(X, means, w, beta)
    return float((1.0 + np.sum(q >= q_obs)) / (sims + 1.0))


def _fit_one(d, y, var, runs, k):
    X = _design(d, k)
    vs = _smooth_variances(d, var[None, :], runs)[0]
    w = runs / vs
    beta, L = _wls(X, y[None, :], w[None, :])
    return X, vs, w, beta[0], L[0]


def fit_extrapolation(d, samples, shift=None, *, model="auto", level=LEVEL, n_boot=1000, n_null=2000, rng=0):
    """Fit ``e(d) = e_inf + a/d (+ b/d^2)`` to runs at several ``d`` and give ``e_inf`` a confidence interval.

    Parameters
    ----------
    d : sequence of int
        At least two distinct sizes.
    samples : sequence of 1-d arrays
        The runs at each size (at least two per size: a standard error is needed).
    shift : array_like, optional
        Subtracted from each size's mean before the fit (the effective-ratio correction of
        :func:`rounding_shift`); default zero.
    model : {"auto", "1/d", "1/d^2"}
        ``"auto"`` applies the rule of the module docstring.
    level : float
        Confidence level (default 0.95).
    n_boot : int
        Bootstrap resamples for :attr:`ExtrapolationFit.ci_bootstrap` (0: skip).
    n_null : int
        Simulations of the lack-of-fit null distribution (0: no test; ``"auto"`` then keeps ``1/d``).
    rng : int or numpy.random.Generator
        Randomness of the bootstrap and the null simulation (the fit itself is deterministic).

    Returns
    -------
    ExtrapolationFit

    Examples
    --------
    >>> fit = fit_extrapolation([20, 40], [[1.1, 1.3, 1.2], [1.05, 1.15, 1.1]], n_boot=0)
    >>> round(fit.inf, 6), round(fit.slope, 6), fit.model
    (1.0, 4.0, '1/d')
    """
    check_choice("model", model, ("auto", "1/d", "1/d^2"))
    if not 0.0 < float(level) < 1.0:
        raise ValueError(f"level must satisfy 0 < level < 1; got {level!r}")
    d = np.asarray([check_size("d", x, minimum=2) for x in np.atleast_1d(d)], dtype=int)
    if len(set(d.tolist())) != len(d) or len(d) < 2:
        raise ValueError(f"d must hold at least two distinct sizes; got {d.tolist()}")
    order = np.argsort(d)
    d = d[order]
    if len(samples) != len(order):
        raise ValueError(f"samples must hold one array of runs per d ({len(order)}); got {len(samples)}")
    samples = [np.asarray(samples[i], dtype=float).ravel() for i in order]
    for di, s in zip(d, samples):
        if s.size < 2 or not np.all(np.isfinite(s)):
            raise ValueError(f"samples at d = {di} must hold at least two finite runs; got {s.size} "
                             f"({int(np.sum(~np.isfinite(s)))} not finite)")
    shift = np.zeros(len(d)) if shift is None else np.asarray(shift, dtype=float)[order]
    if shift.shape != (len(d),) or not np.all(np.isfinite(shift)):
        raise ValueError(f"shift must hold one finite number per d; got {shift!r}")
    rng = np.random.default_rng(rng)
    runs = np.array([s.size for s in samples], dtype=float)
    mean = np.array([s.mean() for s in samples])
    var = np.array([s.var(ddof=1) for s in samples])
    y = mean - shift
    n = len(d)

    if np.all(var == 0):  # no Monte Carlo noise at all (e.g. g_task at kappa = inf): exact fit of the 1/d model
        k = 2
        beta = np.linalg.lstsq(_design(d, k), y, rcond=None)[0]
        return ExtrapolationFit(tuple(d.tolist()), tuple(int(r) for r in runs), mean, np.zeros(n), shift, "1/d",
                                float(beta[0]), 0.0, math.inf, (float(beta[0]),) * 2, (float(beta[0]),) * 2,
                                float(beta[1]), 0.0, math.nan, math.nan, False, float(level))

    def lof_test(k):
        if n <= k or not n_null:
            return math.nan
        X, vs, w, beta, _ = _fit_one(d, y, var, runs, k)
        q = float(_lof(X, y[None, :], w[None, :], beta[None, :])[0])
        return _lof_p_value(X, d, runs, vs, q, n_null, rng)

    p_lin = lof_test(2)
    p_quad = math.nan
    if model == "auto":
        k = 3 if (n >= 4 and p_lin < LOF_LEVEL) else 2
    else:
        k = _MODELS[model]
    if k > n:
        raise ValueError(f"model {model!r} needs at least {k} sizes; got {n}")
    if k == 3:
        p_quad = lof_test(3)
    p_model = p_lin if k == 2 else p_quad
    X, vs, w, beta, L = _fit_one(d, y, var, runs, k)
    u = L[0] ** 2 * var / runs  # contributions to Var(e_inf), sandwich with the raw variances
    se_inf = float(math.sqrt(np.sum(u)))
    dof = float(np.sum(u) ** 2 / np.sum(u**2 / (runs - 1.0))) if se_inf > 0 else math.inf
    from scipy.stats import t as student_t

    half = float(student_t.ppf(0.5 + level / 2.0, dof)) * se_inf if math.isfinite(dof) else 0.0
    ci = (float(beta[0] - half), float(beta[0] + half))
    ci_boot = (math.nan, math.nan)
    if n_boot:
        ci_boot = _bootstrap(d, samples, shift, k, level, n_boot, rng)
    return ExtrapolationFit(
        tuple(int(x) for x in d), tuple(int(r) for r in runs), mean, np.sqrt(var / runs), shift,
        "1/d" if k == 2 else "1/d^2", float(beta[0]), se_inf, dof, ci, ci_boot, float(beta[1]),
        float(beta[2]) if k == 3 else 0.0, float(p_lin), float(p_model),
        bool(p_model < LOF_LEVEL), float(level))


def _bootstrap(d, samples, shift, k, level, n_boot, rng):
    """Percentile interval of ``e_inf`` for the chosen model: runs resampled within each ``d``, weights re-estimated."""
    n = len(d)
    runs = np.array([s.size for s in samples], dtype=float)
    ys = np.empty((n_boot, n))
    vs = np.empty((n_boot, n))
    for j, s in enumerate(samples):
        draw = s[rng.integers(0, s.size, size=(n_boot, s.size))]
        ys[:, j] = draw.mean(axis=1) - shift[j]
        vs[:, j] = draw.var(axis=1, ddof=1)
    var = np.array([s.var(ddof=1) for s in samples])
    ok = np.all(vs > 1e-8 * var, axis=1)  # a resample of (nearly) identical runs has no usable weight
    ys, vs = ys[ok], vs[ok]
    w = runs / _smooth_variances(d, vs, runs)
    beta, _ = _wls(_design(d, k), ys, w)
    lo, hi = np.quantile(beta[:, 0], [0.5 - level / 2.0, 0.5 + level / 2.0])
    return float(lo), float(hi)


# --------------------------------------------------------------------------------------------
# theory: effective-ratio shift, flags, verdict
# --------------------------------------------------------------------------------------------
def _theory(field_name, alpha, tau, kappa, rho, lam):
    from iclsym.onelayer import theory

    return np.asarray(getattr(theory, check_choice("field", field_name, FIELDS))(alpha, tau, kappa, rho, lam),
                      dtype=float)


def rounding_shift(field_name, alpha, tau, kappa, rho, lam, d):
    """``T(ratios realised at d) - T(nominal ratios)`` for each ``d`` (the theory ``T`` of ``field_name``).

    The sizes are ``ell = round(alpha d)``, ``k = round(kappa d)``, ``n = round(tau d^2)``
    (:class:`iclsym.core.params.Sizes`); subtracting this shift from a simulated mean moves it to
    the nominal ratios, so the means at different ``d`` differ only by finite-size effects.

    Examples
    --------
    >>> rounding_shift("e_icl", 10.0, 2.0, 0.5, 0.01, 1e-5, [24, 25]).round(4).tolist()
    [0.0, -0.018]
    """
    params = Params(alpha, tau, kappa, rho, lam)
    eff = [Sizes.from_params(int(x), params).effective(params) for x in np.atleast_1d(d)]
    t_eff = _theory(field_name, [p.alpha for p in eff], [p.tau for p in eff], [p.kappa for p in eff], rho, lam)
    return t_eff - _theory(field_name, alpha, tau, kappa, rho, lam)


def flags(field_name, alpha, tau, kappa, rho, lam, d_min) -> list[str]:
    """Reasons why the ``1/d`` expansion cannot be trusted at this point over sizes ``>= d_min``.

    * **near the ridgeless pole / steep in tau**: the finite-``d`` interpolation threshold is at
      ``n = d(d + 1)``, not ``n = d^2`` (docs/onelayer/finite-size.md); if moving ``tau`` to
      ``tau d/(d + 1)`` changes the theory by more than :data:`FLAG_SHIFT` (10 %) at ``d_min``, the
      neglected higher orders of that shift are comparable to the interval.
    * **slow kappa = 1 regime**: ``|kappa - 1| < d_min^(-2/3)``, the Tracy-Widom window of the hard
      edge of the bank's Marchenko-Pastur law, where finite-``d`` corrections are not a series in
      ``1/d``; flagged when the theory changes by more than 10 % across that window.

    Examples
    --------
    >>> flags("e_icl", 10.0, 1.0, float("inf"), 0.01, 1e-5, 24)[0][:40]
    'near the ridgeless pole tau = 1: the n ='
    >>> flags("e_icl", 10.0, 2.0, 0.5, 0.01, 1e-5, 24)
    []
    """
    d_min = check_size("d_min", d_min, minimum=2)
    out = []
    t0 = float(_theory(field_name, alpha, tau, kappa, rho, lam))
    scale = abs(t0)
    if not math.isfinite(t0):
        return [f"theory is not finite ({t0}) at this point"]
    if scale == 0.0:
        return out
    t_p = float(_theory(field_name, alpha, tau * d_min / (d_min + 1.0), kappa, rho, lam))
    rel = abs(t_p - t0) / scale
    if not rel <= FLAG_SHIFT:
        where = "near the ridgeless pole tau = 1" if abs(tau - 1.0) < 0.5 else "steep in tau"
        out.append(f"{where}: the n = d(d+1) vs n = d^2 shift changes the theory by {100 * rel:.0f}% at "
                   f"d = {d_min} (> {100 * FLAG_SHIFT:.0f}%)")
    if math.isfinite(kappa):
        width = d_min ** (-2.0 / 3.0)
        if abs(kappa - 1.0) < width:
            ks = np.array([max(kappa - width, 0.5 * kappa), kappa + width])
            rel_k = float(np.max(np.abs(_theory(field_name, alpha, tau, ks, rho, lam) - t0))) / scale
            if not rel_k <= FLAG_SHIFT:
                out.append(f"slow kappa = 1 regime: |kappa - 1| < d^(-2/3) = {width:.2f} at d = {d_min} and the "
                           f"theory changes by {100 * rel_k:.0f}% across that window (> {100 * FLAG_SHIFT:.0f}%)")
    return out


def verdict(fit: ExtrapolationFit, theory: float, reasons=()) -> str:
    """``"agrees"`` (theory inside the interval), ``"disagrees"``, or ``"flagged"`` (with ``reasons``,
    or a poor fit); flagged points are neither passed nor failed.

    Examples
    --------
    >>> fit = fit_extrapolation([20, 40], [[1.1, 1.3, 1.2], [1.05, 1.15, 1.1]], n_boot=0)
    >>> verdict(fit, 1.0), verdict(fit, 2.0), verdict(fit, 1.0, ["steep"])
    ('agrees', 'disagrees', 'flagged')
    """
    if reasons or fit.poor_fit or not math.isfinite(theory):
        return "flagged"
    return "agrees" if fit.ci[0] <= theory <= fit.ci[1] else "disagrees"


@dataclass
class Extrapolated:
    """One quantity of one parameter point extrapolated to ``d = inf``, with its verdict.

    ``as_dict()`` gives the JSON of ``iclsym extrapolate``: ``inf``, ``ci``, ``slope`` and the rest.
    """

    field: str
    params: dict
    fit: ExtrapolationFit
    theory: float
    verdict: str
    reasons: list = _field(default_factory=list)

    @property
    def z(self) -> float:
        """``(e_inf - theory)/SE``."""
        return (self.fit.inf - self.theory) / self.fit.se_inf if self.fit.se_inf > 0 else math.nan

    @property
    def rel_half_width(self) -> float:
        """CI half-width relative to ``|theory|`` (NaN when the theory is 0)."""
        return self.fit.half_width / abs(self.theory) if self.theory else math.nan

    def as_dict(self) -> dict:
        f = self.fit
        reasons = list(self.reasons) + (["poor fit: the lack of fit of the chosen model is significant "
                                         f"(p = {f.p_model:.3g})"] if f.poor_fit else [])
        return {
            "inf": f.inf, "ci": list(f.ci), "slope": f.slope, "curvature": f.curvature, "se": f.se_inf,
            "dof": f.dof, "ci_bootstrap": list(f.ci_bootstrap), "model": f.model, "p_lack_of_fit": f.p_model,
            "p_lack_of_fit_linear": f.p_linear, "theory": self.theory, "z": self.z,
            "rel_half_width": self.rel_half_width, "verdict": self.verdict, "reasons": reasons,
            "d": list(f.d), "runs": list(f.runs), "mean": f.mean.tolist(), "se_at_d": f.se.tolist(),
            "shift": f.shift.tolist(), "level": f.level,
        }


def extrapolate_samples(field_name, params, d, samples, *, model="auto", n_boot=1000, rng=0) -> Extrapolated:
    """Extrapolate the runs ``samples`` (one array per ``d``) of ``field_name`` at ``params`` and judge them.

    ``params`` is ``(alpha, tau, kappa, rho, lam)`` or a dict of them (nominal ratios). The theory is
    :mod:`iclsym.onelayer.theory` at the nominal ratios; the means are moved there first
    (:func:`rounding_shift`).

    Examples
    --------
    >>> import numpy as np
    >>> from iclsym.onelayer.theory import e_icl
    >>> p = (10.0, 2.0, np.inf, 0.01, 0.1)
    >>> rng = np.random.default_rng(3)
    >>> e = float(e_icl(*p))
    >>> runs = [e * (1 + 4.0 / d + rng.standard_normal(10) / d) for d in (24, 32, 48, 64)]
    >>> extrapolate_samples("e_icl", p, (24, 32, 48, 64), runs).verdict
    'agrees'
    """
    if isinstance(params, dict):
        params = tuple(params[n] for n in ("alpha", "tau", "kappa", "rho", "lam"))
    p = Params(*params)
    shift = rounding_shift(field_name, *p.as_tuple(), d)
    fit = fit_extrapolation(d, samples, shift, model=model, n_boot=n_boot, rng=rng)
    theory = float(_theory(field_name, *p.as_tuple()))
    reasons = flags(field_name, *p.as_tuple(), min(fit.d))
    return Extrapolated(field_name, p.as_dict(), fit, theory, verdict(fit, theory, reasons), reasons)


def extrapolate_rows(rows, fields=FIELDS, **kwargs) -> dict:
    """Extrapolate store rows (one dict per run, e.g. :meth:`iclsym.sweep.ResultStore.rows`) of one point.

    The rows must share ``alpha, tau, kappa, rho, lam`` and span at least two ``d``; returns
    ``{field: Extrapolated}``. ``kwargs`` go to :func:`extrapolate_samples`.
    """
    rows = list(rows)
    if not rows:
        raise ValueError("rows must not be empty")
    names = ("alpha", "tau", "kappa", "rho", "lam")
    points = {tuple(float(r[n]) for n in names) for r in rows}
    if len(points) != 1:
        raise ValueError(f"rows must belong to one parameter point; got {len(points)}")
    params = points.pop()
    ds = sorted({int(r["d"]) for r in rows})
    out = {}
    for f in fields:
        samples = [np.array([float(r[f]) for r in rows if int(r["d"]) == x]) for x in ds]
        out[f] = extrapolate_samples(f, params, ds, samples, **kwargs)
    return out


# --------------------------------------------------------------------------------------------
# running the simulations through the sweep machinery
# --------------------------------------------------------------------------------------------
def parse_runs(runs, d) -> tuple:
    """Runs per size: one int for every ``d``, or one per ``d``.

    Examples
    --------
    >>> parse_runs(10, (24, 32)), parse_runs([40, 10], (24, 32))
    ((10, 10), (40, 10))
    """
    if np.ndim(runs) == 0:
        runs = [runs] * len(d)
    runs = tuple(check_size("runs", r, minimum=2) for r in runs)
    if len(runs) != len(d):
        raise ValueError(f"runs must be one number or one per d ({len(d)}); got {len(runs)}")
    return runs


def extrapolation_jobs(alpha, tau, kappa, rho, lam, d=DEFAULT_D, runs=10, *, base_seed=0, kind="ridge",
                       options=None) -> list:
    """The sweep jobs of one extrapolated point: ``runs`` independent runs at each size in ``d``.

    Examples
    --------
    >>> jobs = extrapolation_jobs(1.0, 2.0, 0.5, 0.1, 1e-5, d=(8, 12), runs=(3, 2))
    >>> [(j.d, j.run) for j in jobs]
    [(8, 0), (8, 1), (8, 2), (12, 0), (12, 1)]
    """
    from iclsym.sweep.grids import Job

    d = tuple(check_size("d", x, minimum=2) for x in np.atleast_1d(d))
    if len(set(d)) < 2 or len(set(d)) != len(d):
        raise ValueError(f"d must list at least two distinct sizes; got {list(d)}")
    runs = parse_runs(runs, d)
    return [Job.of(kind, alpha=alpha, tau=tau, kappa=kappa, rho=rho, lam=lam, d=x, run=r, base_seed=base_seed,
                   **(options or {}))
            for x, rr in zip(d, runs) for r in range(rr)]


def extrapolate(alpha, tau, kappa, rho, lam, d=DEFAULT_D, runs=10, *, store=None, executor=None, base_seed=0,
                options=None, fields=FIELDS, progress=None, n_boot=1000, model="auto", rng=0) -> dict:
    """Simulate one point at several ``d`` (resumable, any executor) and extrapolate to ``d = inf``.

    Parameters
    ----------
    alpha, tau, kappa, rho, lam : float
        The point (nominal ratios).
    d : sequence of int
        Sizes (default 24, 32, 48, 64).
    runs : int or sequence of int
        Runs per size (at least 2 each).
    store : ResultStore or path, optional
        Result store (default: in memory); finished runs are reused.
    executor : optional
        As for :func:`iclsym.sweep.run_sweep` (default: a local process pool).
    base_seed : int
        Seed of the sweep (job seeds derive from it and the job's coordinates, ``d`` included).
    options : dict, optional
        Further coordinates of the ridge kind (``method``, ``task_dist`` ...).

    Returns
    -------
    dict
        ``{field: Extrapolated}`` and ``"summary"``: the :class:`iclsym.sweep.SweepSummary`.

    Examples
    --------
    >>> out = extrapolate(2.0, 2.0, float("inf"), 0.1, 0.1, d=(8, 10, 12), runs=3, executor="serial",
    ...                   n_boot=0, progress=False)
    >>> sorted(out["e_icl"].as_dict())[:4], out["g_task"].fit.inf
    (['ci', 'ci_bootstrap', 'curvature', 'd'], 0.0)
    """
    from iclsym.sweep import ResultStore, run_sweep

    jobs = extrapolation_jobs(alpha, tau, kappa, rho, lam, d, runs, base_seed=base_seed, options=options)
    own = not isinstance(store, ResultStore)
    store = ResultStore(":memory:" if store is None else store) if own else store
    try:
        summary = run_sweep(jobs, store, executor, progress=progress, desc="extrapolate")
        if summary.failed:
            raise RuntimeError(f"{summary.failed} of {summary.total} simulations failed; first: "
                               f"{summary.errors[0][1]}")
        wanted = {store.key(j) for j in jobs}
        rows = [r for r in store.rows(jobs[0].kind) if store.row_key(r) in wanted]
    finally:
        if own:
            store.close()
    out = extrapolate_rows(rows, fields, model=model, n_boot=n_boot, rng=rng)
    out["summary"] = summary
    return out

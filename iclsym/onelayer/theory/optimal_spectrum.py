"""The pretraining spectrum that minimises e_ICL for a given test covariance (beyond Letey et al. 2025).

For a test diagonal ``c`` (``C_test`` in the eigenbasis chosen for ``C_train``) and the budget
``tr C_train = d`` (``mean lam = 1``), minimise ``e_ICL(lam)`` (docs/onelayer/alignment.md):

* within one-parameter families (:func:`best_in_family`: spike factor, power-law exponent, rank fraction),
  by bounded scalar minimisation;
* over the whole spectrum (:func:`optimal_spectrum`), by L-BFGS on ``lam = d softmax(theta)`` with the exact
  gradient (:func:`gradient`).

**Gradient through the fixed point.**  ``e_ICL = Phi(a, eps, x*, r, s)`` with spectral sums
``s_k = mean_i f_k(lam_i, c_i, a, nu)`` and ``a``, ``eps`` fixed by ``chi(a) = a - 1 + ik a S1l = 0`` and
``h(eps) = eps M - (1 - tau) - r = 0`` (``r = tau lam/eps``; ``eps = 0`` fixed for ``tau > 1`` ridgeless).
``Phi``, ``chi``, ``h``, the summands and every partial derivative are derived in
:func:`iclsym.onelayer.symbolic.alignment.gradient_pieces` and generated; this module assembles the
adjoint of the ``2 x 2`` implicit system: with ``D_y G = dG/dy + sum_k dG/ds_k mean df_k/dy``,

    mu = J^{-T} (D_a Phi, D_eps Phi),   J = [[D_a chi, D_eps chi], [D_a h, D_eps h]],
    dE/dlam_j = w_j [g_j(Phi) - mu_1 g_j(chi) - mu_2 g_j(h)],  g_j(G) = sum_k dG/ds_k df_k/dlam(lam_j) + D_x* G/alpha,

(``x* = (mean lam + rho)/alpha`` moves with the spectrum).  Checked against finite differences.
"""

from __future__ import annotations

import numpy as np

from iclsym.onelayer._generated import alignment as _gen
from iclsym.onelayer.theory.alignment import alignment_errors, alignment_state

__all__ = ["gradient", "optimal_spectrum", "best_in_family", "FAMILIES"]

_K = 7  # number of spectral sums (M, S2, S1l, S2l, S2ll, C2, C2l)


def gradient(eigenvalues, test_diag, alpha, tau, kappa, rho, lam=0.0, *, alpha_test=None):
    """``(e_icl, d e_icl / d lam_j)`` for one parameter point (``eigenvalues``, ``test_diag``: 1-d, length ``m``,
    uniform weights; the gradient is with respect to each eigenvalue, trace not held fixed).

    >>> from iclsym.core.covariances import covariance
    >>> lam, c = covariance("powerlaw:0.9", 20).diag, covariance("ramp", 20).diag
    >>> e, g = gradient(lam, c, 2.0, 4.0, 0.5, 0.01)
    >>> h = 1e-6; dl = np.zeros(20); dl[3] = h
    >>> fd = (alignment_errors(lam + dl, c, 2.0, 4.0, 0.5, 0.01)["e_icl"]
    ...       - alignment_errors(lam - dl, c, 2.0, 4.0, 0.5, 0.01)["e_icl"]) / (2 * h)
    >>> bool(abs(g[3] / fd - 1) < 1e-6)
    True
    """
    lam_v = np.asarray(eigenvalues, dtype=np.float64)
    c = np.asarray(test_diag, dtype=np.float64)
    if lam_v.ndim != 1 or c.shape != lam_v.shape:
        raise ValueError("gradient: eigenvalues and test_diag must be 1-d of the same length")
    m = lam_v.size
    w = 1.0 / m
    st = alignment_state(lam_v, alpha, tau, kappa, rho, lam)
    a, eps, xs, nu = (float(st[k]) for k in ("a", "eps", "xs", "nu"))
    ik = 1.0 / float(st["kappa"])
    tau_f, ridge = float(st["tau"]), float(st["lam"])
    c_te = float(c.mean())
    at = float(st["alpha"]) if alpha_test is None else float(alpha_test)
    xt = (c_te + float(st["rho"])) / at
    if ridge > 0:
        r, dr_deps, free_eps = tau_f * ridge / eps, -tau_f * ridge / eps**2, True
    elif tau_f < 1:
        r, dr_deps, free_eps = 0.0, 0.0, True
    else:
        r, dr_deps, free_eps = tau_f - 1.0, 0.0, False
    u = a * lam_v + nu
    inv = 1.0 / u
    sums = [(inv).mean(), (inv * inv).mean(), (lam_v * inv).mean(), (lam_v * inv * inv).mean(),
            (lam_v * lam_v * inv * inv).mean(), (c * inv * inv).mean(), (c * lam_v * inv * inv).mean()]
    parts = _gen.objective_partials(float(st["rho"]), xt, ik, xs, eps, r, a, *sums)
    phi = float(parts[0])
    dphi_a, dphi_eps, dphi_xs, dphi_r = (float(v) for v in parts[1:5])
    dphi_s = np.array([float(v) for v in parts[5:]])
    der = _gen.gradient_summands(lam_v, c, a, nu)
    df_dlam = np.stack([np.broadcast_to(v, lam_v.shape) for v in der[:_K]])        # (7, m)
    mean_df_da = np.array([np.mean(np.broadcast_to(v, lam_v.shape)) for v in der[_K:2 * _K]])
    mean_df_dnu = np.array([np.mean(np.broadcast_to(v, lam_v.shape)) for v in der[2 * _K:]])
    # chi = a - 1 + ik a S1l (sum index 2); h = eps M - (1 - tau) - r (sum index 0)
    dchi_s = np.zeros(_K)
    dchi_s[2] = ik * a
    dh_s = np.zeros(_K)
    dh_s[0] = eps

    def total(d_scalar_a, d_scalar_eps, d_scalar_xs, ds):
        """(D_a, D_eps, D_x*) of a function with explicit partials and sum-partials ``ds``."""
        return (d_scalar_a + ds @ mean_df_da, d_scalar_eps + ds @ mean_df_dnu, d_scalar_xs + ds @ mean_df_dnu)

    Da_phi, De_phi, Dx_phi = total(dphi_a, dphi_eps + dphi_r * dr_deps, dphi_xs, dphi_s)
    Da_chi, De_chi, Dx_chi = total(1 + ik * sums[2], 0.0, 0.0, dchi_s)
    Da_h, De_h, Dx_h = total(0.0, sums[0] - dr_deps, 0.0, dh_s)
    if free_eps:
        J = np.array([[Da_chi, De_chi], [Da_h, De_h]])
        mu1, mu2 = np.linalg.solve(J.T, np.array([Da_phi, De_phi]))
    else:
        mu1, mu2 = Da_phi / Da_chi, 0.0
    alpha_f = float(st["alpha"])
    g = (dphi_s @ df_dlam - mu1 * (dchi_s @ df_dlam) - mu2 * (dh_s @ df_dlam)) * w
    g += (Dx_phi - mu1 * Dx_chi - mu2 * Dx_h) * w / alpha_f
    return phi, g


def _minimise(c, alpha, tau, kappa, rho, lam, start, max_iter, gtol):
    from scipy.optimize import minimize

    m = c.size
    theta0 = np.log(np.maximum(np.asarray(start, dtype=float), 1e-300))

    def lam_of(theta):
        z = np.exp(theta - theta.max())
        return m * z / z.sum()

    def fun(theta):
        lv = lam_of(theta)
        e, g = gradient(lv, c, alpha, tau, kappa, rho, lam)
        p = lv / m
        return e, m * p * (g - p @ g)

    res = minimize(fun, theta0, jac=True, method="L-BFGS-B", options=dict(maxiter=max_iter, gtol=gtol))
    return lam_of(res.x), float(res.fun), int(res.nit)


def optimal_spectrum(test_diag, alpha, tau, kappa, rho, lam=0.0, *, starts=None, random_starts=2, seed=0,
                     max_iter=500, gtol=1e-9) -> dict:
    """Minimise ``e_ICL`` over the pretraining eigenvalues (``mean lam = 1``, ``lam >= 0``) for a test diagonal.

    Parametrisation ``lam = m softmax(theta)`` (positive, trace ``m``); L-BFGS-B with the exact gradient of
    :func:`gradient`.  The landscape is not convex and symmetric spectra are stationary points (``C_train = I``
    for an isotropic test), so the search is multi-start: the best member of each family of
    :func:`best_in_family` and ``random_starts`` random spectra, each perturbed by ``1e-3`` relative noise
    (seeded).  Returns the best ``eigenvalues``, ``e_icl``, and ``starts`` (``[(name, e_icl, iterations)]``).

    >>> c = np.r_[3.0, np.zeros(9)]             # rank-one test on direction 0
    >>> r = optimal_spectrum(c, 2.0, 4.0, 1.0, 0.01, random_starts=0, max_iter=100)
    >>> bool(r["eigenvalues"][0] == r["eigenvalues"].max())
    True
    """
    c = np.asarray(test_diag, dtype=np.float64)
    m = c.size
    rng = np.random.default_rng(seed)
    order = np.argsort(-c, kind="stable")  # family members put their weight on the test's strongest directions
    cands = []
    if starts is None:
        for fam in FAMILIES:
            t, _ = best_in_family(fam, c[order], alpha, tau, kappa, rho, lam)
            spec = np.empty(m)
            spec[order] = np.maximum(_family(fam, m, t), 1e-12)
            cands.append((f"{fam} {t:.4g}", spec))
        for i in range(random_starts):
            cands.append((f"random {i}", rng.exponential(size=m)))
    else:
        cands = [(f"start {i}", np.asarray(s0, dtype=float)) for i, s0 in enumerate(starts)]
    best = None
    log = []
    for name, s0 in cands:
        s0 = np.maximum(s0, 1e-12) * (1 + 1e-3 * rng.standard_normal(m))
        s0 = m * s0 / s0.sum()
        lv, e, it = _minimise(c, alpha, tau, kappa, rho, lam, s0, max_iter, gtol)
        log.append((name, e, it))
        if best is None or e < best[1]:
            best = (lv, e)
    e_uniform = float(alignment_errors(np.ones(m), c, alpha, tau, kappa, rho, lam)["e_icl"])
    return dict(eigenvalues=best[0], e_icl=best[1], e_icl_uniform=e_uniform, starts=log)


def _family(name, m, t):
    from iclsym.core.covariances import low_rank, power_law, spike

    if name == "spike":
        return spike(m, 0, t).diag
    if name == "powerlaw":
        return power_law(m, t).diag
    if name == "lowrank":
        return low_rank(m, t).diag
    raise ValueError(f"family must be one of {FAMILIES}; got {name!r}")


#: the one-parameter families of :func:`best_in_family` and their parameter ranges
FAMILIES = {"spike": (0.0, 1.0), "powerlaw": (-2.0, 6.0), "lowrank": (0.0, 1.0)}


def best_in_family(family, test_diag, alpha, tau, kappa, rho, lam=0.0):
    """``(best parameter, e_ICL)`` within a family ordered like the test's diagonal (index 0 strongest):
    ``spike`` factor in ``[0, 1]`` (``spike:0:f``: rank one ... ``I``), ``powerlaw`` exponent in ``[-2, 6]``,
    ``lowrank`` fraction in ``(0, 1]`` (scanned on the ``m`` possible ranks).

    >>> f, e = best_in_family("spike", np.ones(20), 0.4, 5.0, 0.3, 0.01)
    >>> f < 0.5        # at low kappa a concentrated pretraining spectrum helps an isotropic test
    True
    """
    from scipy.optimize import minimize_scalar

    c = np.asarray(test_diag, dtype=np.float64)
    m = c.size
    if family not in FAMILIES:
        raise ValueError(f"family must be one of {tuple(FAMILIES)}; got {family!r}")
    lo, hi = FAMILIES[family]
    if family == "lowrank":
        fr = np.arange(1, m + 1) / m
        eig = np.stack([_family("lowrank", m, f) for f in fr])
        e = alignment_errors(eig, c, alpha, tau, kappa, rho, lam)["e_icl"]
        i = int(np.argmin(e))
        return float(fr[i]), float(e[i])

    def f(t):
        return float(alignment_errors(_family(family, m, t), c, alpha, tau, kappa, rho, lam)["e_icl"])

    grid = np.linspace(lo, hi, 41)
    vals = [f(t) for t in grid]
    i = int(np.argmin(vals))
    a, b = grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)]
    res = minimize_scalar(f, bounds=(a, b), method="bounded", options=dict(xatol=1e-8))
    return (float(res.x), float(res.fun)) if res.fun <= vals[i] else (float(grid[i]), float(vals[i]))

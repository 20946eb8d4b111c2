"""Structured covariances: FS (fixed) and RRS (randomly rotated) theory of deep linear attention.

* **FS, alpha = inf** -- ``Gamma = L Sigma^-1`` gives zero loss at every depth.  With a diagonal
  ``Gamma = diag(gamma_k)`` the risk decouples, ``R = sum_k w_k (1 - gamma_k lam_k/L)^(2L)``
  (``w_k = omega_k lam_k``), and the gradient flow from 0 has the per-mode closed form
  ``R_k(t) = w_k [1 + 4 (1 - 1/L) w_k lam_k^2 t]^(-L/(L-1))`` (``L = 1``: ``w_k exp(-4 w_k lam_k^2 t)``).
* **RRS** -- averaging over the rotation keeps ``Gamma = gamma I``, and since ``gamma I`` commutes
  with the rotation the risk is that of ``L``-step GD with a scalar step on ``N(0, Lambda)`` data:
  at ``alpha = inf`` ``R(gamma) = sum_k w_k (1 - gamma lam_k/L)^(2L)``; at finite ``alpha`` the
  two-point deterministic equivalent with a contour integral (:func:`rrs_risk`).
* **Width and context laws** (``t, L -> inf``): deterministic equivalents of a rank-``N``
  preconditioner and of the minimum-norm in-context solution from ``P`` samples.

Spectra ``lam``, ``omega`` are arrays of length ``D`` (:func:`iclsym.deep.data.power_law_spectrum`).
See ``docs/deep/fs.md`` and ``docs/deep/rrs.md``.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize

from iclsym.deep._generated import fs_modes as _fs
from iclsym.deep.params import check_alpha, check_int, check_nonneg, check_positive

__all__ = ["check_spectrum", "fs_loss", "fs_optimal_inf", "fs_mode_risk", "fs_mode_gamma", "fs_risk_time", "fs_ood_risk",
           "rrs_loss_inf", "rrs_loss_inf_grad", "rrs_optimal_inf", "rrs_risk", "ContourError",
           "width_law", "context_law", "solve_delta", "projected_spectrum"]


class ContourError(ArithmeticError):
    """The contour integral of the finite-``alpha`` RRS risk is ill-conditioned at these arguments."""


def check_spectrum(lam, omega) -> tuple[np.ndarray, np.ndarray]:
    """Validate spectra: positive ``lam``, non-negative ``omega``, equal lengths.

    Examples
    --------
    >>> check_spectrum([1.0, 0.5], [1.0, 0.0])[0].tolist()
    [1.0, 0.5]
    """
    lam = np.asarray(lam, dtype=float)
    omega = np.asarray(omega, dtype=float)
    if lam.ndim != 1 or lam.shape != omega.shape or lam.size == 0:
        raise ValueError("lam and omega must be 1-d arrays of the same positive length")
    if not (np.all(np.isfinite(lam)) and np.all(lam > 0)):
        raise ValueError("lam must be finite and > 0")
    if not (np.all(np.isfinite(omega)) and np.all(omega >= 0)):
        raise ValueError("omega must be finite and >= 0")
    return lam, omega


def fs_loss(gammas, lam, omega, L: int):
    """FS risk at ``alpha = inf`` of a diagonal ``Gamma = diag(gammas)`` (or scalar ``gamma I``).

    Examples
    --------
    >>> lam = np.array([1.0, 0.25]); om = np.array([0.5, 2.0])
    >>> float(fs_loss(3 / lam, lam, om, 3))      # Gamma = L Sigma^-1: zero loss
    0.0
    """
    L = check_int("L", L)
    lam, omega = check_spectrum(lam, omega)
    g = np.asarray(gammas, float)
    return np.sum(omega * lam * (1.0 - g * lam / L) ** (2 * L), axis=-1)[()]


def fs_optimal_inf(lam, L: int):
    """FS optimum at ``alpha = inf``: per-mode steps ``gamma_k = L/lam_k`` (``Gamma = L Sigma^-1``), risk 0.

    Examples
    --------
    >>> g, r = fs_optimal_inf([1.0, 0.5], 2)
    >>> g.tolist(), r
    ([2.0, 4.0], 0.0)
    """
    L = check_int("L", L)
    lam, _ = check_spectrum(lam, np.zeros(np.size(lam)))
    return L / lam, 0.0


def fs_mode_risk(t, lam, omega, L: int):
    """Per-mode FS risks ``R_k(t)`` under gradient flow from ``Gamma = 0`` (shape ``t.shape + (D,)``).

    ``L = inf`` (``float('inf')``) gives ``w_k/(1 + 4 w_k lam_k^2 t)``.

    Examples
    --------
    >>> lam = np.array([1.0]); om = np.array([1.0])
    >>> round(float(fs_mode_risk(0.25, lam, om, 1)[0]), 12) == round(math.exp(-1.0), 12)
    True
    >>> float(fs_mode_risk(0.5, lam, om, 2)[0])                # 1/(1 + 4 * 1/2 * 1/2)^2
    0.25
    """
    lam, omega = check_spectrum(lam, omega)
    t = np.asarray(check_nonneg("t", t), float)[..., None]
    w = omega * lam
    if isinstance(L, float) and math.isinf(L):
        return w / (1.0 + 4.0 * w * lam ** 2 * t)
    L = check_int("L", L)
    if L == 1:
        return _fs.mode_risk_l1(t, w, lam)
    return _fs.mode_risk(t, float(L), w, lam)


def fs_mode_gamma(t, lam, omega, L: int):
    """Per-mode steps ``gamma_k(t)`` of the FS gradient flow (shape ``t.shape + (D,)``).

    Examples
    --------
    >>> lam = np.array([2.0]); om = np.array([0.5])
    >>> round(float(fs_mode_gamma(1e40, lam, om, 3)[0]), 6)      # -> L/lam
    1.5
    """
    lam, omega = check_spectrum(lam, omega)
    L = check_int("L", L)
    t = np.asarray(check_nonneg("t", t), float)[..., None]
    w = omega * lam
    if L == 1:
        return _fs.mode_gamma_l1(t, w, lam)
    return _fs.mode_gamma(t, float(L), w, lam)


def fs_risk_time(t, lam, omega, L):
    """Total FS risk ``R(t) = sum_k R_k(t)`` under gradient flow (``L`` int or ``inf``).

    Examples
    --------
    >>> from iclsym.deep.data import power_law_spectrum
    >>> lam, om = power_law_spectrum(8, 1.25, 1.25)
    >>> float(fs_risk_time(0.0, lam, om, 4))
    1.0
    """
    return np.sum(fs_mode_risk(t, lam, omega, L), axis=-1)[()]


def fs_ood_risk(lam, omega, theta, L: int, S=None, seed: int = 0):
    """Out-of-distribution risk of the FS optimum ``Gamma = L Sigma^-1`` on a rotated test covariance.

    ``Sigma' = e^(theta S) Sigma e^(-theta S)``, ``Omega' = e^(theta S) Omega e^(-theta S)`` with ``S``
    antisymmetric (default: a fixed random antisymmetric matrix of unit Frobenius norm per
    ``sqrt(D)``, from ``seed``); ``R_OOD = tr[Omega' M^T Sigma' M]``, ``M = (I - Sigma^-1 Sigma')^L``.

    Examples
    --------
    >>> float(fs_ood_risk([1.0, 0.5], [1.0, 1.0], 0.0, 3))
    0.0
    """
    from scipy.linalg import expm

    lam, omega = check_spectrum(lam, omega)
    L = check_int("L", L)
    D = lam.size
    if S is None:
        A = np.random.default_rng(seed).standard_normal((D, D))
        S = (A - A.T) / np.linalg.norm(A - A.T) * math.sqrt(D)
    S = np.asarray(S, float)
    out = []
    for th in np.atleast_1d(np.asarray(theta, float)):
        U = expm(th * S)
        Sp = U @ np.diag(lam) @ U.T
        Op = U @ np.diag(omega) @ U.T
        M = np.linalg.matrix_power(np.eye(D) - Sp / lam[:, None], L)
        out.append(float(np.trace(Op @ M.T @ Sp @ M)))
    return np.array(out).reshape(np.shape(theta))[()]


def rrs_loss_inf(gamma, lam, omega, L):
    """RRS (and FS with ``Gamma = gamma I``) risk at ``alpha = inf``: ``sum_k w_k (1 - gamma lam_k/L)^(2L)``;
    ``L = inf`` gives ``sum_k w_k exp(-2 gamma lam_k)``.  Broadcasts over ``gamma``.

    Examples
    --------
    >>> float(rrs_loss_inf(0.0, [1.0, 0.5], [0.5, 1.0], 2))
    1.0
    """
    lam, omega = check_spectrum(lam, omega)
    g = np.asarray(gamma, float)[..., None]
    w = omega * lam
    if isinstance(L, float) and math.isinf(L):
        return np.sum(w * np.exp(-2.0 * g * lam), axis=-1)[()]
    L = check_int("L", L)
    return np.sum(w * (1.0 - g * lam / L) ** (2 * L), axis=-1)[()]


def rrs_loss_inf_grad(gamma, lam, omega, L):
    """``dR/dgamma`` of :func:`rrs_loss_inf`.

    Examples
    --------
    >>> float(rrs_loss_inf_grad(0.0, [1.0], [1.0], 3))
    -2.0
    """
    lam, omega = check_spectrum(lam, omega)
    g = np.asarray(gamma, float)[..., None]
    w = omega * lam
    if isinstance(L, float) and math.isinf(L):
        return np.sum(-2.0 * w * lam * np.exp(-2.0 * g * lam), axis=-1)[()]
    L = check_int("L", L)
    return np.sum(-2.0 * w * lam * (1.0 - g * lam / L) ** (2 * L - 1), axis=-1)[()]


def rrs_optimal_inf(lam, omega, L: int, grid: int = 2001):
    """``(gamma*, R*) = argmin/min_gamma`` of the ``alpha = inf`` RRS risk (depth law ``R* ~ L^-beta``).

    The minimiser lies in ``(0, 2L/lam_1)`` (beyond it mode 1 diverges); grid + bounded Brent.

    Examples
    --------
    >>> from iclsym.deep.data import power_law_spectrum
    >>> g, r = rrs_optimal_inf(*power_law_spectrum(32, 1.5, 0.8), 1)
    >>> round(float(r), 3)
    0.197
    """
    lam, omega = check_spectrum(lam, omega)
    L = check_int("L", L)
    top = 2.0 * L / lam.max()
    gs = np.linspace(0.0, top, grid)
    rs = rrs_loss_inf(gs, lam, omega, L)
    i = int(np.argmin(rs))
    lo, hi = gs[max(i - 1, 0)], gs[min(i + 1, grid - 1)]
    res = optimize.minimize_scalar(lambda g: float(rrs_loss_inf(g, lam, omega, L)), bounds=(lo, hi),
                                   method="bounded", options={"xatol": 1e-13 * top})
    if res.fun <= rs[i]:
        return float(res.x), float(res.fun)
    return float(gs[i]), float(rs[i])


# ----------------------------------------------------------------------------- finite alpha


def solve_delta(z, lam, P, delta0=None, tol=1e-14, max_iter=100):
    """``delta(z) = (1/P) sum_k lam_k/(lam_k/(1+delta) - z)`` by Newton continuation along ``z``.

    ``z`` is a 1-d array of points traversed in order (a contour); the first point must lie on
    the real axis to the right of the spectrum or the left of 0, where the root is real.

    Examples
    --------
    >>> d = solve_delta(np.array([-1.0]), np.ones(10), 10)      # D = P: delta = (1/(1+1)) ...
    >>> bool(abs(d[0] - 1 / (1 / (1 + d[0]) + 1)) < 1e-12)
    True
    """
    lam = np.asarray(lam, float)
    z = np.asarray(z, complex)
    out = np.empty(z.shape, complex)
    d = complex(delta0) if delta0 is not None else complex(-lam.sum() / (P * z[0]) if z[0] != 0 else 0.0)
    for i, zi in enumerate(z):
        for _ in range(max_iter):
            m = 1.0 + d
            den = lam / m - zi
            F = d - np.sum(lam / den) / P
            dF = 1.0 - np.sum(lam * lam / (m * m) / (den * den)) / P
            step = F / dF
            d -= step
            if abs(step) <= tol * (1.0 + abs(d)):
                break
        else:
            raise ContourError(f"delta(z) did not converge at z = {zi:.4g}")
        out[i] = d
    return out


def _contour(a, b, rho, n):
    """Bernstein ellipse with foci ``a, b`` and parameter ``rho > 1``: nodes and ``dz/dth``."""
    th = 2.0 * np.pi * np.arange(n) / n
    c, h = (a + b) / 2.0, (b - a) / 4.0
    e = np.exp(1j * th)
    z = c + h * (rho * e + 1.0 / (rho * e))
    dz = h * 1j * (rho * e - 1.0 / (rho * e))
    return z, dz


_CONTOUR_CACHE: dict = {}


def _contour_kernel(lam, omega, P, n, rho, margin):
    """The gamma-independent part of the contour integral (cached): nodes, weights, the
    two-point matrix ``T`` and the one-point noise vector."""
    key = (hash(lam.tobytes()), hash(omega.tobytes()), float(P), int(n), float(rho), float(margin))
    hit = _CONTOUR_CACHE.get(key)
    if hit is not None:
        return hit
    D = lam.size
    top = lam.max() * (1.0 + math.sqrt(D / P)) ** 2
    a, b = -margin * top, top * (1.0 + margin)
    z, dz = _contour(a, b, rho, n)
    d = solve_delta(z, lam, P)          # continuation from the rightmost (real) node
    m = 1.0 + d
    Rb = 1.0 / (lam[None, :] / m[:, None] - z[:, None])             # (n, D)
    wgt = dz / (1j * n)                                               # (1/2 pi i) oint f dz ~ sum f wgt
    A = Rb * np.sqrt(omega * lam)[None, :]
    RL = Rb * lam[None, :]
    S = RL @ RL.T / P                                                 # (n, n)
    mm = np.outer(m, m)
    T = (A @ A.T) * mm / (mm - S)
    noise_vec = -wgt * np.sum(RL, axis=1)                             # times f(z) = z q(z)^2
    if len(_CONTOUR_CACHE) > 32:
        _CONTOUR_CACHE.clear()
    _CONTOUR_CACHE[key] = (z, wgt, T, noise_vec)
    return _CONTOUR_CACHE[key]


def _rrs_contour_value(gamma, lam, omega, L, P, sigma2, n, rho, margin):
    z, wgt, T, noise_vec = _contour_kernel(lam, omega, P, n, rho, margin)
    fac = (1.0 - gamma * z / L) ** L * wgt
    terms = fac[:, None] * T * fac[None, :]
    bias = terms.sum()
    cond = np.abs(terms).sum()
    noise, cond_n = 0.0, 0.0
    if sigma2 > 0:
        # (sigma2/P) E tr[Lambda f(Sigmahat)], f(z) = z q(z)^2, q = (1 - p)/z (a polynomial)
        s = gamma / L
        u = 1.0 - s * z
        g = np.ones_like(u)
        for _ in range(L - 1):
            g = 1.0 + u * g
        tn = z * (s * g) ** 2 * noise_vec
        noise = sigma2 / P * tn.sum()
        cond_n = sigma2 / P * np.abs(tn).sum()
    return complex(bias), complex(noise), float(cond), float(cond_n)


def rrs_risk(gamma, alpha, lam, omega, L: int, sigma2: float = 0.0, nodes: int = 256, rho: float = 1.25,
             margin: float = 0.04, rtol: float = 1e-9, max_nodes: int = 8192):
    """RRS excess risk of ``Gamma = gamma I`` at finite ``alpha = P/D`` (two-point deterministic equivalent).

    ``R = E tr[Omega p(Sigmahat) Lambda p(Sigmahat)] + (sigma2/P) E tr[Lambda Sigmahat q(Sigmahat)^2]``
    with ``p(z) = (1 - gamma z/L)^L``, ``q = (1 - p)/z``; resolvents replaced by their deterministic
    equivalents ``Rb_k(z) = 1/(lam_k/(1 + delta(z)) - z)`` and the two-point function

        T(z, z') = sum_k w_k Rb_k(z) Rb_k(z') m m' / (m m' - S),  m = 1 + delta,
        S = (1/P) sum_k lam_k^2 Rb_k(z) Rb_k(z'),

    integrated by the trapezoid rule on a Bernstein ellipse around ``[0, lam_max (1 + alpha^-1/2)^2]``
    (node count doubled until two estimates agree to ``rtol``).  ``alpha = inf`` returns
    :func:`rrs_loss_inf`.  Raises :class:`ContourError` (with the advice to use Monte Carlo,
    :func:`iclsym.deep.montecarlo.mc_risk`) when ``|p|`` is so large on the contour that the
    integral loses its digits (large ``gamma`` or ``L``) or the node count does not converge.

    Examples
    --------
    >>> from iclsym.deep.data import power_law_spectrum
    >>> lam, om = power_law_spectrum(60, 1.5, 1.0)
    >>> r = rrs_risk(1.0, 2.0, lam, om, 2)
    >>> bool(0.0 < r < 1.0)
    True
    """
    L = check_int("L", L)
    lam, omega = check_spectrum(lam, omega)
    alpha = float(check_alpha(alpha))
    sigma2 = float(check_nonneg("sigma2", sigma2))
    gamma = float(gamma)
    if not math.isfinite(gamma):
        raise ValueError("gamma must be a finite real number")
    if math.isinf(alpha):
        return float(rrs_loss_inf(gamma, lam, omega, L))
    P = alpha * lam.size
    n = check_int("nodes", nodes, minimum=16)
    prev = None
    while n <= max_nodes:
        with np.errstate(over="ignore", invalid="ignore"):
            b, v, cb, cv = _rrs_contour_value(gamma, lam, omega, L, P, sigma2, n, rho, margin)
        val = b.real + v.real
        lost = (cb + cv) * 1e-16 / max(abs(val), 1e-300) if math.isfinite(cb + cv + val) else math.inf
        if lost > rtol:
            raise ContourError(
                f"finite-alpha RRS contour is ill-conditioned at gamma = {gamma:g}, L = {L}, alpha = {alpha:g}: "
                + ("|p(z)| overflows on the contour; " if math.isinf(lost) else
                   f"|p(z)| on the contour makes the integral lose {lost:.1e} relative accuracy; ")
                + "use Monte Carlo (iclsym.deep.montecarlo.mc_risk) for these arguments")
        if prev is not None and abs(val - prev) <= rtol * max(abs(val), 1e-12):
            return float(val)
        prev, n = val, 2 * n
    raise ContourError(
        f"finite-alpha RRS contour did not converge with {max_nodes} nodes at gamma = {gamma:g}, L = {L}, "
        f"alpha = {alpha:g}; use Monte Carlo (iclsym.deep.montecarlo.mc_risk) for these arguments")


def _solve_k(target, lam, power):
    """``k > 0`` with ``sum_k lam/(lam + k) = target`` (``power`` 1) -- monotone, bracketed root."""
    f = lambda lk: np.sum(lam / (lam + math.exp(lk))) - target  # noqa: E731
    lo, hi = math.log(lam.min()) - 60.0, math.log(lam.max()) + 60.0
    return math.exp(optimize.brentq(f, lo, hi, xtol=1e-14, rtol=1e-15))


def width_law(N, lam, omega):
    """Width law: risk of a rank-``N`` (random-subspace) preconditioner at ``t, L, P = inf``:
    ``R_N = k_N sum_k omega_k lam_k/(lam_k + k_N)`` with ``N = sum_k lam_k/(lam_k + k_N)``
    (``R_N = 0`` for ``N >= D``).  Vectorised over ``N``.

    Examples
    --------
    >>> from iclsym.deep.data import power_law_spectrum
    >>> lam, om = power_law_spectrum(200, 1.25, 1.0)
    >>> bool(width_law(8, lam, om) > width_law(16, lam, om) > 0)
    True
    """
    lam, omega = check_spectrum(lam, omega)
    Ns = np.atleast_1d(np.asarray(N, float))
    out = np.zeros(Ns.shape)
    for i, n in enumerate(Ns):
        check_positive("N", n)
        if n >= lam.size:
            continue
        k = _solve_k(n, lam, 1)
        out[i] = k * np.sum(omega * lam / (lam + k))
    return out.reshape(np.shape(N))[()]


def context_law(P, lam, omega):
    """Context law (minimum-norm limit ``t, L, N = inf``):
    ``R_P = k^2 sum_k omega_k lam_k/(lam_k + k)^2 / (1 - (1/P) sum_k lam_k^2/(lam_k + k)^2)``
    with ``P = sum_k lam_k/(lam_k + k)`` (defined for ``P < D``).  Vectorised over ``P``.

    Examples
    --------
    >>> from iclsym.deep.data import power_law_spectrum
    >>> lam, om = power_law_spectrum(400, 1.25, 1.0)
    >>> bool(context_law(16, lam, om) > context_law(32, lam, om) > 0)
    True
    """
    lam, omega = check_spectrum(lam, omega)
    Ps = np.atleast_1d(np.asarray(P, float))
    out = np.empty(Ps.shape)
    for i, p in enumerate(Ps):
        check_positive("P", p)
        if p >= lam.size:
            raise ValueError(f"P must be < D = {lam.size} for the minimum-norm context law; got {p:g}")
        k = _solve_k(p, lam, 1)
        r = lam / (lam + k)
        out[i] = k * k * np.sum(omega * lam / (lam + k) ** 2) / (1.0 - np.sum(r * r) / p)
    return out.reshape(np.shape(P))[()]


def projected_spectrum(lam, omega, N: int, n_rot: int = 32, seed: int = 0):
    """Effective spectrum of a rank-``N`` preconditioner ``Gamma = gamma Pi`` in the RRS setting
    (``alpha = inf``), averaged over ``n_rot`` Haar rotations.

    With ``Pi`` a Haar-random rank-``N`` projection, ``p(A) = (I - gamma A/L)^L`` for ``A = Pi Sigma``
    and ``S = Sigma^(1/2) Pi Sigma^(1/2) = U diag(mu) U^T``, the risk is
    ``tr[Omega p(A)^T Sigma p(A)] = sum_i c_i (1 - gamma mu_i/L)^(2L)`` with
    ``c_i = (U^T Sigma^(1/2) Omega Sigma^(1/2) U)_ii``: the alpha = inf RRS loss of the spectrum
    ``(mu, c)`` (:func:`rrs_loss_inf` with ``lam = mu``, ``omega = c/mu``).  Returns ``(mu, c)``
    for the modes with ``mu > 0`` and the width floor ``sum_{mu = 0} c`` (reached at ``t, L = inf``;
    compare :func:`width_law`).

    Examples
    --------
    >>> from iclsym.deep.data import power_law_spectrum
    >>> lam, om = power_law_spectrum(16, 1.5, 1.0)
    >>> mu, c, floor = projected_spectrum(lam, om, 16, n_rot=1)      # full rank: the spectrum itself
    >>> abs(round(floor, 12)), bool(np.allclose(np.sort(mu)[::-1], lam))
    (0.0, True)
    """
    from iclsym.deep.data import haar_orthogonal

    lam, omega = check_spectrum(lam, omega)
    D = lam.size
    N = check_int("N", N, minimum=1, maximum=D)
    n_rot = check_int("n_rot", n_rot)
    rng = np.random.default_rng(seed)
    sl = np.sqrt(lam)
    W = omega * lam
    mus, cs = [], []
    floor = 0.0
    for _ in range(n_rot):
        Q = haar_orthogonal(D, rng)[:, :N]                 # Pi = Q Q^T in the eigenbasis of Sigma
        B = sl[:, None] * Q                                # S = B B^T, rank N
        # nonzero eigenpairs of S from the N x N Gram matrix B^T B
        mu, V = np.linalg.eigh(B.T @ B)
        mu = np.clip(mu, 0.0, None)
        keep = mu > 1e-14 * mu.max()
        U = (B @ V[:, keep]) / np.sqrt(mu[keep])
        c = np.einsum("ki,k,ki->i", U, W, U)
        mus.append(mu[keep])
        cs.append(c / n_rot)
        floor += (W.sum() - c.sum()) / n_rot
    return np.concatenate(mus), np.concatenate(cs), float(floor)

"""ISO (isotropic) theory of deep linear attention: the risk of ``L`` steps of in-context GD.

With ``Gamma = gamma I``, ``x ~ N(0, I)``, ``beta ~ N(0, I/D)`` and ``D -> inf`` at fixed
``alpha = P/D`` (context pairs per dimension), ``Sigmahat`` follows the Marchenko-Pastur law
``rho_alpha`` (ratio ``c = 1/alpha``; atom ``1 - alpha`` at 0 when ``alpha < 1``) and the excess
risk of ``L`` steps of GD with step ``gamma/L`` is

    R_L(gamma) = int rho(l) (1 - gamma l/L)^(2L) dl + (sigma2/alpha) int rho(l) [1 - (1 - gamma l/L)^L]^2 / l dl.

**Quadrature that is exact and stable.**  With ``u = 1 - gamma l/L`` and ``g = sum_{j<L} u^j``,
``(1 - u^L)/l = (gamma/L) g`` is a polynomial, so both integrands become polynomials in ``l``
once the mass is written as ``1 = [1 - alpha]_+ + int_cont rho``:

    bias  = 1 - (2/pi) int_0^pi sin^2(th) (gamma/L) g(u) (1 + u^L) dth,
    noise = (sigma2/alpha) (2/pi) int_0^pi sin^2(th) (gamma/L)^2 g(u)^2 dth,
    l = 1 + c + 2 sqrt(c) cos th.

Gauss-Chebyshev quadrature of the second kind with ``L + 2`` nodes integrates these exactly
(no cancellation, unlike the expanded Narayana polynomial, which loses all digits near
``L ~ 12`` in float64); it is stable for ``L`` in the thousands.

**Closed forms** (Catalan closed form of ``R*_L``, see ``docs/deep/iso.md``): the noiseless
risk is convex in ``gamma`` with minimiser ``gamma* = L alpha/(1 + alpha)`` for every ``L``, and

    R*_L(alpha) = 1 - (alpha/(1+alpha)) sum_{n<L} Cat_n x^n
                = [1 - alpha]_+ + (alpha/(1+alpha)) sum_{n>=L} Cat_n x^n,   x = alpha/(1+alpha)^2.

Gradient-flow convention (all of :mod:`iclsym.deep`): scalar parameters follow
``d theta/dt = -dR/d theta`` with ``R`` the excess risk.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize

from iclsym.deep._generated import iso_closed as _gen
from iclsym.deep.params import check_alpha, check_int, check_nonneg

__all__ = ["iso_risk", "iso_risk_parts", "iso_risk_grad", "iso_gamma_star", "iso_risk_star",
           "iso_optimal", "narayana_moment", "iso_risk_polynomial", "mp_moment", "sgd_l1_coefficients",
           "sgd_l1_curve", "sgd_l1_dist_identity", "gamma_stability_edge"]


def _nodes(L: int, extra: int = 2):
    """Gauss-Chebyshev (2nd kind) nodes ``cos th_i`` and weights for ``int_0^pi sin^2 th f(cos th) dth``."""
    n = max(L + extra, 8)
    th = np.arange(1, n + 1) * np.pi / (n + 1)
    return np.cos(th), (np.pi / (n + 1)) * np.sin(th) ** 2


def _geom(u, L):
    """``g = sum_{j<L} u^j`` and ``u^(L-1)`` by a stable recurrence (any real ``u``)."""
    g = np.ones_like(u)
    for _ in range(L - 1):
        g = 1.0 + u * g
    return g, u ** (L - 1)


def _prep(gamma, alpha, sigma2):
    gamma = np.asarray(gamma, dtype=float)
    alpha = np.asarray(check_alpha(alpha), dtype=float)
    sigma2 = np.asarray(check_nonneg("sigma2", sigma2), dtype=float)
    if np.isnan(gamma).any() or np.isinf(gamma).any():
        raise ValueError("gamma must be a finite real number")
    return np.broadcast_arrays(gamma, alpha, sigma2)


def iso_risk_parts(gamma, alpha, L: int, sigma2=0.0):
    """``(bias, noise)`` of the ISO risk ``R_L(gamma)`` (broadcast over ``gamma, alpha, sigma2``).

    ``alpha = inf`` is the population limit ``Sigmahat = I`` (bias ``(1 - gamma/L)^(2L)``, no noise).

    Examples
    --------
    >>> b, v = iso_risk_parts(0.5, 2.0, 1, sigma2=1.0)     # 1 - 2g + (1 + c) g^2, c sigma2 g^2
    >>> round(float(b), 12), round(float(v), 12)
    (0.375, 0.125)
    """
    L = check_int("L", L)
    gamma, alpha, sigma2 = _prep(gamma, alpha, sigma2)
    finite = np.isfinite(alpha)
    c = np.where(finite, 1.0 / np.where(finite, alpha, 1.0), 0.0)
    x, w = _nodes(L)
    shape = gamma.shape
    l = 1.0 + c[..., None] + 2.0 * np.sqrt(c)[..., None] * x          # (..., n)
    s = (gamma / L)[..., None]
    u = 1.0 - s * l
    g, _ = _geom(u, L)
    pL = u ** L
    bias = 1.0 - (2.0 / np.pi) * np.sum(w * s * g * (1.0 + pL), axis=-1)
    noise = (2.0 / np.pi) * np.sum(w * (s * g) ** 2, axis=-1) * sigma2 * c
    pop = (1.0 - gamma / L) ** (2 * L)
    bias = np.where(finite, bias, pop).reshape(shape)
    noise = np.where(finite, noise, 0.0).reshape(shape)
    return (bias[()], noise[()])


def iso_risk(gamma, alpha, L: int, sigma2=0.0):
    """Excess ISO risk ``R_L(gamma)`` of ``L`` GD steps with ``Gamma = gamma I`` (``R = 1`` at ``gamma = 0``).

    Examples
    --------
    >>> round(float(iso_risk(1.0, 1.0, 2)), 12)      # Narayana: 1 - 2g + (3/2 + ...) ...
    0.375
    >>> round(float(iso_risk(8.0, float("inf"), 4)), 12)   # (1 - 2)^8 = 1 at the stability edge
    1.0
    """
    b, v = iso_risk_parts(gamma, alpha, L, sigma2)
    return b + v


def iso_risk_grad(gamma, alpha, L: int, sigma2=0.0):
    """``dR_L/dgamma`` (exact quadrature as for :func:`iso_risk`).

    Examples
    --------
    >>> float(iso_risk_grad(2.0 / 3.0, 2.0, 1))      # gamma* = alpha/(1 + alpha)
    0.0
    """
    L = check_int("L", L)
    gamma, alpha, sigma2 = _prep(gamma, alpha, sigma2)
    finite = np.isfinite(alpha)
    c = np.where(finite, 1.0 / np.where(finite, alpha, 1.0), 0.0)
    x, w = _nodes(L)
    shape = gamma.shape
    l = 1.0 + c[..., None] + 2.0 * np.sqrt(c)[..., None] * x
    s = (gamma / L)[..., None]
    u = 1.0 - s * l
    g, uLm1 = _geom(u, L)
    pL = u * uLm1
    db = -2.0 * (2.0 / np.pi) * np.sum(w * pL * uLm1, axis=-1)
    dn = (2.0 / np.pi) * np.sum(w * 2.0 * s * g * uLm1, axis=-1) * sigma2 * c
    pop = -2.0 * (1.0 - gamma / L) ** (2 * L - 1)
    out = np.where(finite, db + dn, pop).reshape(shape)
    return out[()]


def iso_gamma_star(alpha, L: int):
    """Noiseless optimal step ``gamma* = L alpha/(1 + alpha)`` (``L`` at ``alpha = inf``).

    Examples
    --------
    >>> float(iso_gamma_star(1.0, 4))
    2.0
    """
    L = check_int("L", L)
    a = np.asarray(check_alpha(alpha), float)
    out = np.where(np.isfinite(a), _gen.gamma_star(L, np.where(np.isfinite(a), a, 1.0)), float(L))
    return out[()]


def _catalan_head(x, L):
    """``sum_{n<L} Cat_n x^n`` (terms by the ratio ``Cat_{n+1}/Cat_n = 2(2n+1)/(n+2)``)."""
    term = np.ones_like(x)
    total = np.zeros_like(x)
    for n in range(L):
        total = total + term
        term = term * x * (2.0 * (2 * n + 1) / (n + 2))
    return total


def _catalan_tail(x, L, tol=1e-18, max_terms=200_000):
    """``sum_{n>=L} Cat_n x^n`` for ``4x < 1`` (geometric convergence; log-space first term)."""
    lc = math.lgamma(2 * L + 1) - math.lgamma(L + 1) - math.lgamma(L + 2)
    term = np.exp(lc + L * np.log(x))
    total = np.zeros_like(x)
    n = L
    while True:
        total = total + term
        term = term * x * (2.0 * (2 * n + 1) / (n + 2))
        n += 1
        if np.all(term <= tol * np.maximum(total, 1e-300)) or n - L > max_terms:
            return total


def iso_risk_star(alpha, L: int):
    """The Catalan closed form of the optimal noiseless ISO risk ``R*_L(alpha) = R_L(gamma*)``.

    Uses the head sum where it converges slowly (``alpha`` near 1) and the tail sum
    ``[1 - alpha]_+ + (alpha/(1+alpha)) sum_{n>=L} Cat_n x^n`` elsewhere (no cancellation when
    ``R*`` is small).  ``L = 1``: ``1/(1 + alpha)``; ``alpha = 1``: ``C(2L, L)/4^L ~ 1/sqrt(pi L)``.

    Examples
    --------
    >>> [round(float(iso_risk_star(1.0, L)), 6) for L in (1, 2, 4, 8, 16)]
    [0.5, 0.375, 0.273438, 0.196381, 0.139950]
    >>> float(iso_risk_star(float("inf"), 3))
    0.0
    """
    L = check_int("L", L)
    a = np.atleast_1d(np.asarray(check_alpha(alpha), float))
    out = np.zeros(a.shape)
    fin = np.isfinite(a)
    af = np.where(fin, a, 1.0)
    x = af / (1.0 + af) ** 2
    r2 = 4.0 * x
    use_tail = fin & (r2 < 0.9)
    head = fin & ~use_tail
    if head.any():
        out[head] = 1.0 - (af[head] / (1.0 + af[head])) * _catalan_head(x[head], L)
    if use_tail.any():
        at = af[use_tail]
        out[use_tail] = np.maximum(1.0 - at, 0.0) + (at / (1.0 + at)) * _catalan_tail(x[use_tail], L)
    out = np.where(fin, out, 0.0)
    return out.reshape(np.shape(alpha))[()] if np.ndim(alpha) else float(out[0])


def gamma_stability_edge(alpha, L: int):
    """Largest ``gamma`` with ``|1 - gamma l/L| <= 1`` on the MP support: ``2L/(1 + alpha^-1/2)^2``.

    Examples
    --------
    >>> float(gamma_stability_edge(1.0, 2))
    1.0
    """
    L = check_int("L", L)
    a = np.asarray(check_alpha(alpha), float)
    lmax = np.where(np.isfinite(a), (1.0 + 1.0 / np.sqrt(np.where(np.isfinite(a), a, 1.0))) ** 2, 1.0)
    return (2.0 * L / lmax)[()]


def _optimal_one(alpha, L, sigma2, grid):
    if sigma2 == 0.0:
        return float(iso_gamma_star(alpha, L)), float(iso_risk_star(alpha, L))
    if L == 1 and np.isfinite(alpha):
        g, r = _gen.noisy_l1_optimum(alpha, sigma2)
        return float(g), float(r)
    top = float(gamma_stability_edge(alpha, L))
    gs = np.linspace(0.0, top, grid)
    rs = iso_risk(gs, alpha, L, sigma2)
    i = int(np.argmin(rs))
    lo, hi = gs[max(i - 1, 0)], gs[min(i + 1, grid - 1)]
    res = optimize.minimize_scalar(lambda g: float(iso_risk(g, alpha, L, sigma2)), bounds=(lo, hi),
                                   method="bounded", options={"xatol": 1e-12 * max(top, 1.0)})
    if res.fun <= rs[i]:
        return float(res.x), float(res.fun)
    return float(gs[i]), float(rs[i])


def iso_optimal(alpha, L: int, sigma2=0.0, grid: int = 801):
    """Optimal step and risk ``(gamma_opt, R_opt)`` of the ISO model, vectorised over ``alpha, sigma2``.

    Noiseless: the closed forms ``gamma* = L alpha/(1+alpha)`` and the Catalan ``R*_L``.
    ``L = 1`` with noise: ``gamma* = 1/(1 + (1+sigma2)/alpha)``, ``R* = (1+sigma2)/(alpha+1+sigma2)``.
    Otherwise (no closed form): a dense grid on ``[0, gamma_edge]`` and bounded Brent refinement.

    Examples
    --------
    >>> g, r = iso_optimal(2.0, 1, sigma2=1.0)
    >>> round(float(g), 12), round(float(r), 12)
    (0.5, 0.5)
    """
    L = check_int("L", L)
    a, s = np.broadcast_arrays(np.asarray(check_alpha(alpha), float),
                               np.asarray(check_nonneg("sigma2", sigma2), float))
    gs, rs = np.empty(a.shape), np.empty(a.shape)
    for idx in np.ndindex(a.shape):
        gs[idx], rs[idx] = _optimal_one(float(a[idx]), L, float(s[idx]), grid)
    return gs[()], rs[()]


def narayana_moment(j: int, alpha: float) -> float:
    """MP moment ``m_j = int rho(l) l^j dl = sum_{k=1..j} N(j, k) alpha^-(k-1)`` (``m_0 = 1``).

    Examples
    --------
    >>> narayana_moment(2, 1.0), narayana_moment(3, 2.0)
    (2.0, 2.75)
    """
    j = check_int("j", j, minimum=0)
    c = 1.0 / float(check_alpha(alpha))
    if j == 0:
        return 1.0
    return float(sum(math.comb(j, k) * math.comb(j, k - 1) // j * c ** (k - 1) for k in range(1, j + 1)))


def mp_moment(j: int, alpha: float) -> float:
    """``m_j`` by the quadrature of :func:`iso_risk` (an independent route; exact for ``j <= 2n``).

    Examples
    --------
    >>> round(mp_moment(3, 2.0), 12)
    2.75
    """
    j = check_int("j", j, minimum=0)
    c = 1.0 / float(check_alpha(alpha))
    x, w = _nodes(j + 2)
    l = 1.0 + c + 2.0 * math.sqrt(c) * x
    if j == 0:
        return 1.0
    return float((2.0 / np.pi) * np.sum(w * l ** (j - 1)))


def iso_risk_polynomial(gamma: float, alpha: float, L: int, sigma2: float = 0.0) -> float:
    """``R_L(gamma)`` from the expanded Narayana polynomial (reference only: it cancels
    catastrophically in float64 for ``L >~ 12``; use :func:`iso_risk`).

    Examples
    --------
    >>> round(iso_risk_polynomial(1.0, 1.0, 2), 12)
    0.375
    """
    L = check_int("L", L)
    s = float(gamma) / L
    m = [narayana_moment(j, alpha) for j in range(2 * L + 1)]
    bias = sum(math.comb(2 * L, j) * (-s) ** j * m[j] for j in range(2 * L + 1))
    a = [(-1) ** (i + 1) * math.comb(L, i) for i in range(L + 1)]
    noise = sum(a[i] * a[k] * s ** (i + k) * m[i + k - 1] for i in range(1, L + 1) for k in range(1, L + 1))
    return bias + float(sigma2) / float(alpha) * noise


def sgd_l1_coefficients(eta, alpha, batch, queries, sigma2=0.0, query_noise: bool = False):
    """Online SGD at ``L = 1`` (ISO): ``C(t+1) = a C(t) + b`` with ``C = ||Gamma - I/cbar||_F^2 / D``.

    Step ``eta D`` on the loss ``(1/2) mean (y - f)^2`` with ``B = batch D`` contexts and
    ``K = queries D`` queries per step, ``cbar = 1 + (1 + sigma2)/alpha``.  Returns
    ``(a, b, floor, risk_floor)`` with ``floor = b/(1 - a)`` (``inf`` when ``a >= 1``: divergence)
    and the excess-risk floor ``(1 - 1/cbar) + cbar floor``.

    Examples
    --------
    >>> a, b, fl, rf = sgd_l1_coefficients(0.1, 1.0, 1.0, 1.0)
    >>> round(float(a), 6), round(float(b), 6)
    (0.72, 0.02)
    """
    eta = check_nonneg("eta", eta)
    alpha = check_alpha(alpha)
    batch = _pos("batch", batch)
    queries = _pos("queries", queries)
    sigma2 = check_nonneg("sigma2", sigma2)
    alpha = np.asarray(alpha, float)
    ia = np.where(np.isfinite(alpha), 1.0 / np.where(np.isfinite(alpha), alpha, 1.0), 0.0)
    a, b = _gen.sgd_l1_ab(eta, ia, batch, 1.0 / np.asarray(queries, float), sigma2, 1.0 if query_noise else 0.0)
    a, b = np.asarray(a, float), np.asarray(b, float)
    cbar = 1.0 + (1.0 + np.asarray(sigma2)) * ia
    with np.errstate(divide="ignore", invalid="ignore"):
        floor = np.where(a < 1.0, b / (1.0 - a), np.inf)
    return a[()], b[()], floor[()], ((1.0 - 1.0 / cbar) + cbar * floor)[()]


def _pos(name, v):
    from iclsym.deep.params import check_positive

    return check_positive(name, v, allow_inf=True)


def sgd_l1_curve(steps: int, eta, alpha, batch, queries, sigma2=0.0, C0: float | None = None,
                 query_noise: bool = False):
    """``C(t)`` for ``t = 0..steps`` from ``Gamma = 0`` (``C0 = 1/cbar^2``) and the excess risk.

    Returns ``(C, risk)`` arrays of length ``steps + 1``.

    Examples
    --------
    >>> C, R = sgd_l1_curve(2, 0.1, 1.0, 1.0, 1.0)
    >>> round(float(R[0]), 12)
    1.0
    """
    steps = check_int("steps", steps, minimum=0)
    a, b, _, _ = sgd_l1_coefficients(eta, alpha, batch, queries, sigma2, query_noise)
    ia = 0.0 if not np.isfinite(alpha) else 1.0 / float(alpha)
    cbar = 1.0 + (1.0 + float(sigma2)) * ia
    C = np.empty(steps + 1)
    C[0] = 1.0 / cbar ** 2 if C0 is None else float(C0)
    for t in range(steps):
        C[t + 1] = a * C[t] + b
    return C, (1.0 - 1.0 / cbar) + cbar * C


def sgd_l1_dist_identity(steps: int, eta, alpha, batch, queries, sigma2=0.0, query_noise: bool = False):
    """``||Gamma - I||_F^2/D`` along the ``L = 1`` online-SGD recursion from ``Gamma = 0``.

    With ``m(t) = tr(Gamma)/D - 1/cbar`` (``m(t+1) = (1 - eta cbar) m(t)``, ``m(0) = -1/cbar``):
    ``||Gamma - I||^2/D = C + 2 (1/cbar - 1) m + (1 - 1/cbar)^2`` -- the quantity the paper plots as
    the "loss" of its ``L = 1`` SGD result; its floor at ``sigma2 = 0`` and small steps is
    ``(1 + alpha)^-2``.

    Examples
    --------
    >>> d = sgd_l1_dist_identity(2000, 0.01, 1.0, 100.0, 100.0)
    >>> round(float(d[0]), 12), round(float(d[-1]), 3)                    # 1 at Gamma = 0; ~ (1+alpha)^-2
    (1.0, 0.25)
    """
    C, _ = sgd_l1_curve(steps, eta, alpha, batch, queries, sigma2, query_noise=query_noise)
    ia = 0.0 if not np.isfinite(alpha) else 1.0 / float(alpha)
    cbar = 1.0 + (1.0 + float(sigma2)) * ia
    m = -(1.0 / cbar) * (1.0 - float(eta) * cbar) ** np.arange(C.size)
    return C + 2.0 * (1.0 / cbar - 1.0) * m + (1.0 - 1.0 / cbar) ** 2

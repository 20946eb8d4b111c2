"""The alignment theory in mpmath at any precision, independent of the NumPy path.

Same quantities as :mod:`iclsym.onelayer.theory.alignment` (docs/onelayer/alignment.md), computed another
way:

* the fixed point ``chi(a) = a - 1 + (1/kappa) mean a lam/(a lam + z) = 0`` and the effective ridge
  (root of ``h(eps) = eps M(x* + eps) - (1 - tau) - tau lam/eps``) are solved with mpmath's
  Anderson–Björck bracketing solver (``findroot(..., solver="anderson")``) on explicit brackets
  whose sign change is checked (not Newton from a lower bound);
* ``M'``, ``b``, ``Q``, ``q``, ``e_scalar`` and ``k(lam)`` are the paper's formulas **as written**
  (generated into :mod:`iclsym.core._generated.discrete_spectrum_mpmath` and
  :mod:`iclsym.onelayer._generated.alignment_mpmath`), not the cancellation-free forms; at high
  precision the cancellation is harmless;
* every sum is an ``mpmath.fsum`` at ``dps + GUARD`` digits; results are rounded to ``dps``.

Inputs may be floats (taken exactly), ``mpf`` or decimal strings.

>>> r = errors([1, 1], [1, 1], 2, 4, 1, "0.01", dps=30)
>>> from iclsym.onelayer.theory import precise
>>> abs(r["e_icl"] - precise.e_icl(2, 4, 1, "0.01", dps=30)) < mpmath.mpf(10) ** -28
True
"""

from __future__ import annotations

import mpmath

from iclsym.core._generated import discrete_spectrum_mpmath as _ds
from iclsym.onelayer._generated import alignment_mpmath as _al

__all__ = ["GUARD", "solve_a", "law_terms", "solve_eps", "errors", "kernel"]

#: guard digits carried beyond the requested ``dps``
GUARD = 15


def _mp(x):
    return mpmath.mpf(x) if not isinstance(x, str) else mpmath.mpf(x)


def _spectrum(eigenvalues, weights):
    lam = [_mp(v) for v in eigenvalues]
    if not lam or any(v < 0 for v in lam) or max(lam) <= 0:
        raise ValueError("eigenvalues must be >= 0 and not all 0")
    if weights is None:
        w = [mpmath.mpf(1) / len(lam)] * len(lam)
    else:
        w = [_mp(v) for v in weights]
        if len(w) != len(lam):
            raise ValueError("weights must match the eigenvalues")
    return lam, w


def _ik(kappa):
    k = _mp(kappa)
    if not k > 0:
        raise ValueError(f"kappa must satisfy 0 < kappa <= inf; got {kappa!r}")
    return mpmath.mpf(0) if mpmath.isinf(k) else 1 / k


def _chi(a, lam, w, z, ik):
    return a - 1 + ik * mpmath.fsum(wi * a * li / (a * li + z) for li, wi in zip(lam, w))


def _bracketed_root(f, lo, hi, what):
    flo, fhi = f(lo), f(hi)
    if flo == 0:
        return lo
    if fhi == 0:
        return hi
    if flo * fhi > 0:
        raise ArithmeticError(f"{what}: the bracket [{mpmath.nstr(lo, 8)}, {mpmath.nstr(hi, 8)}] does not change sign")
    return mpmath.findroot(f, (lo, hi), solver="anderson")


def solve_a(lam, w, z, ik):
    """The root ``a`` of ``chi`` in ``[z/(z + c ik), 1]`` (``chi`` is increasing; ``a = 1`` at ``ik = 0``)."""
    if ik == 0:
        return mpmath.mpf(1)
    c = mpmath.fsum(wi * li for li, wi in zip(lam, w))
    lo = z / (z + c * ik)
    return _bracketed_root(lambda a: _chi(a, lam, w, z, ik), lo * (1 - mpmath.eps * 8), mpmath.mpf(1),
                           "fixed point chi(a)")


def law_terms(lam, w, z, ik):
    """``(a, M, M', b)`` at ``z``: ``M = mean 1/(a lam + z)``, ``M'`` and ``b`` as the paper writes them."""
    a = solve_a(lam, w, z, ik)
    M = mpmath.fsum(wi / (a * li + z) for li, wi in zip(lam, w))
    S2 = mpmath.fsum(wi / (a * li + z) ** 2 for li, wi in zip(lam, w))
    S2l = mpmath.fsum(wi * li / (a * li + z) ** 2 for li, wi in zip(lam, w))
    Mp = _ds.paper_derivative(z, ik, M, S2, S2l)
    b = _ds.paper_b(z, ik, M, Mp)
    return a, M, Mp, b


def _positive_root(A, B, C):
    """Positive root of ``A e^2 - B e - C = 0``."""
    return (B + mpmath.sqrt(B * B + 4 * A * C)) / (2 * A)


def solve_eps(lam, w, xs, tau, ridge, ik):
    """Effective ridge: ``0`` for ``tau >= 1`` ridgeless; otherwise the root of ``h`` on the bracket
    ``[L_a, H]`` (``M(z) <= 1/z`` and Jensen's ``M(z) >= 1/(c + z)``, docs/onelayer/asymptotic-theory.md)."""
    if ridge == 0 and tau >= 1:
        return mpmath.mpf(0)
    c = mpmath.fsum(wi * li for li, wi in zip(lam, w))

    def h(e):
        return e * law_terms(lam, w, xs + e, ik)[1] - (1 - tau) - tau * ridge / e

    lo = _positive_root(tau, (1 - tau) * xs + tau * ridge, xs * tau * ridge)
    hi = _positive_root(tau, (1 - tau) * (c + xs) + tau * ridge, (c + xs) * tau * ridge)
    return _bracketed_root(h, lo * (1 - mpmath.eps * 8), hi * (1 + mpmath.eps * 8), "effective ridge h(eps)")


def errors(eigenvalues, test_diag, alpha, tau, kappa, rho, lam=0, *, alpha_test=None, weights=None,
           dps: int = 30) -> dict:
    """``e_icl, e_scalar, e_misalign, q, sigma, lambda_tilde, e_idg, resolvent`` (and ``a, b, M, Mp``) at
    ``dps`` digits for one parameter point.  ``inf`` at the ridgeless pole ``tau = 1``.

    >>> r = errors([2, 0], [0, 2], 10, 4, 1, "0.01", dps=20)   # test direction outside C_train's range
    >>> r["e_misalign"] > 1
    True
    """
    if dps < 15:
        raise ValueError(f"dps must be an integer >= 15; got {dps}")
    with mpmath.workdps(dps + GUARD):
        lam_s, w = _spectrum(eigenvalues, weights)
        c = [_mp(v) for v in test_diag]
        if len(c) != len(lam_s) or any(v < 0 for v in c):
            raise ValueError("test_diag must be >= 0 and match the eigenvalues")
        alpha, tau, rho, ridge = _mp(alpha), _mp(tau), _mp(rho), _mp(lam)
        at = alpha if alpha_test is None else _mp(alpha_test)
        ik = _ik(kappa)
        c_tr = mpmath.fsum(wi * li for li, wi in zip(lam_s, w))
        c_te = mpmath.fsum(wi * ci for ci, wi in zip(c, w))
        xs = (c_tr + rho) / alpha
        xt = (c_te + rho) / at
        if ridge == 0 and tau == 1:
            inf = mpmath.inf
            out = dict(e_icl=inf, e_scalar=inf, e_misalign=inf, q=inf, sigma=xs, lambda_tilde=mpmath.mpf(0),
                       e_idg=inf, resolvent=None)
            return {k: (+v if isinstance(v, mpmath.mpf) else v) for k, v in out.items()}
        eps = solve_eps(lam_s, w, xs, tau, ridge, ik)
        nu = xs + eps
        a, M, Mp, b = law_terms(lam_s, w, nu, ik)
        Q, q = _al.paper_q(rho, tau, xs, eps, M, Mp)
        e_scalar = _al.paper_e_scalar(rho, xt, xs, eps, q, M, Mp)
        e_mis = mpmath.fsum(wi * ci * _al.paper_kernel(li, a, b, xs, eps, q) for li, ci, wi in zip(lam_s, c, w))
        resolvent = mpmath.fsum(wi * ci / (a * li + nu) for li, ci, wi in zip(lam_s, c, w))
        out = dict(e_icl=e_scalar + e_mis, e_scalar=e_scalar, e_misalign=e_mis, q=q, sigma=nu, lambda_tilde=eps,
                   e_idg=tau * q, resolvent=resolvent, a=a, b=b, M=M, Mp=Mp)
    with mpmath.workdps(dps):
        return {k: +v for k, v in out.items()}


def kernel(t, eigenvalues, alpha, tau, kappa, rho, lam=0, *, weights=None, dps: int = 30):
    """``k(t)`` as the paper writes it, at ``dps`` digits (one parameter point, ``t`` a number or list)."""
    with mpmath.workdps(dps + GUARD):
        lam_s, w = _spectrum(eigenvalues, weights)
        r = errors(eigenvalues, [0] * len(lam_s), alpha, tau, kappa, rho, lam, weights=weights, dps=dps + GUARD)
        ts = [t] if not isinstance(t, (list, tuple)) else list(t)
        xs = r["sigma"] - r["lambda_tilde"]
        vals = [_al.paper_kernel(_mp(v), r["a"], r["b"], xs, r["lambda_tilde"], r["q"]) for v in ts]
    with mpmath.workdps(dps):
        vals = [+v for v in vals]
    return vals if isinstance(t, (list, tuple)) else vals[0]

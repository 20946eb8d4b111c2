"""The self-consistency ``F(eps) = 0`` of a spectral law: the effective regularisation of ridge regression.

``F(eps) = 1 - tau + tau lam/eps - eps M(x* + eps)``, ``x* = (c + rho)/alpha`` with
``c = int t dmu = tr R_hat/d`` the task power per dimension (:func:`x_star`; ``c = 1`` for the
isotropic tasks of Lu et al. 2024).  ``M`` is the Stieltjes transform of the law (``M_kappa``,
Marchenko–Pastur, for isotropic tasks); see docs/onelayer/asymptotic-theory.md.

**Branch rule and proof.**  Write ``M(z) = int dmu(t)/(t + z)`` with ``mu`` the spectral law of
``R_hat`` (supported on ``t >= 0``, mean ``int t dmu = c``) and

    h(eps) = eps M(x* + eps) - (1 - tau) - tau lam/eps = -F(eps).

* ``g(eps) = eps M(x* + eps) = int eps/(t + x* + eps) dmu`` is a mixture of the functions
  ``eps/(c + eps)`` (``c = t + x* > 0``), each strictly increasing and strictly concave, from
  ``0`` at ``eps = 0`` to ``1`` as ``eps -> inf``; so is ``g``.
* ``-tau lam/eps`` is increasing and concave (strictly, when ``lam > 0``).

Hence ``h`` is strictly increasing and concave on ``eps > 0``.  For ``lam > 0``,
``h -> -inf`` as ``eps -> 0+`` and ``h -> tau > 0`` as ``eps -> inf``: **exactly one positive
root**.  For ``lam = 0``, ``h(0+) = tau - 1``: if ``tau < 1`` there is exactly one root (of
``g(eps) = 1 - tau``); if ``tau >= 1``, ``h > 0`` on ``eps > 0`` and the ``lam -> 0+`` limit of
the root is ``eps = 0`` (``eps ~ tau lam/(tau - 1)``).  As ``lam -> inf``, ``g -> 1`` forces
``tau lam/eps -> tau``, so ``eps ~ lam`` (not ``tau lam``; checked in
tests/onelayer/theory/test_fixed_point.py).

**Bracket.**  ``M(z) <= 1/z`` (``t >= 0``), ``M(z) <= M(x*) = m*`` for ``z >= x*``, and
``M(z) >= 1/(c + z)`` (Jensen, ``int t dmu = c``).  Each bound replaces ``g`` by an explicit
function, and the root of the bounded equation is the positive root of a quadratic:

* lower ``L_a``: ``eps/(x* + eps) = 1 - tau + tau lam/eps``;
* lower ``L_m``: ``eps m* = 1 - tau + tau lam/eps``;
* lower ``eps_0`` (``tau < 1``): the ``lam = 0`` root, in closed form below;
* upper ``H``:   ``eps/(c + x* + eps) = 1 - tau + tau lam/eps``.

**Ridgeless root** (``tau < 1``): the law's ``ridgeless_root``; for Marchenko–Pastur the closed form
``eps_0 = (1 - tau)/(tau M_{kappa/tau}(x*))`` (checked against the mpmath root solve); for other laws
:func:`ridgeless_root_by_newton`, the same Newton iteration with ``lam = 0``.

**Solver.**  Newton's method started at ``L = max(L_a, L_m, eps_0) <= root``.  Because ``h`` is
increasing and concave, each tangent lies above ``h``: Newton iterates from the left of the
root increase monotonically and never overshoot, so no safeguard beyond a clip at ``L`` is
needed; convergence is quadratic near the root.  With ``lam = 0`` and ``tau < 1`` the same
argument holds (``h(0+) = tau - 1 < 0``), which is how laws without a closed-form ridgeless root
solve it.  All points iterate together on arrays with a
convergence mask (the active set shrinks; no Python loop over points).
"""

from __future__ import annotations

import numpy as np

__all__ = ["solve_fixed_point", "ridgeless_root_by_newton", "eps_bracket", "MAX_NEWTON", "NEWTON_RTOL"]

#: Cap on Newton iterations (measured need: see tests/onelayer/theory/test_fixed_point.py).
MAX_NEWTON = 200
#: A step smaller than this (relative) means the next error is ~ its square: converged.
NEWTON_RTOL = 1e-12


def _positive_root(A, B, C):
    """Positive root of ``A e**2 - B e - C = 0`` (``A > 0``, ``C >= 0``), without cancellation."""
    disc = np.sqrt(B * B + 4 * A * C)
    pos = B >= 0
    with np.errstate(divide="ignore", invalid="ignore"):
        big = (B + disc) / (2 * A)
        small = np.where(disc - B > 0, 2 * C / np.where(pos, 1.0, disc - B), 0.0)
    return np.where(pos, big, small)


def _lower_start(xs, tau, law, lam, eps0):
    """``L = max(L_a, L_m, eps_0) <= root``: where the Newton iteration starts."""
    one_m_tau = 1 - tau
    m_star = law.stieltjes(xs)
    L_a = _positive_root(tau, one_m_tau * xs + tau * lam, xs * tau * lam)
    L_m = _positive_root(m_star, one_m_tau, tau * lam)
    return np.maximum(np.maximum(L_a, L_m), eps0)


def eps_bracket(xs, tau, law, lam):
    """Analytic bracket ``(L, H)`` of the positive root (see the module docstring).

    Arguments are validated float arrays (``xs = x*``) and a spectral law
    (:mod:`iclsym.core.spectra`).  The solver needs only ``L``; ``H`` documents (and tests) where
    the root lies.

    >>> from iclsym.core.spectra import MarchenkoPastur
    >>> law = MarchenkoPastur(np.array(np.inf))
    >>> L, H = eps_bracket(np.array(1.0), np.array(0.5), law, np.array(0.0))
    >>> float(L), float(H)   # kappa = inf, lam = 0: the root is (1 - tau)(1 + x*)/tau = 2
    (2.0, 2.0)
    """
    L = _lower_start(xs, tau, law, lam, law.ridgeless_root(xs, tau))
    c = law.mean
    H = _positive_root(tau, (1 - tau) * (c + xs) + tau * lam, (c + xs) * tau * lam)
    return L, np.maximum(H, L)


def _newton(xs, tau, law, lam, L):
    """Newton from the left on ``h(eps)``; arrays are 1-d; ``lam > 0``, or ``lam = 0`` with ``tau < 1``.

    Works on compacted copies of the still-active points (converged points are written out
    and dropped each iteration), so late iterations cost only what is left.
    """
    eps = np.empty_like(L)
    noise = 8 * np.finfo(np.float64).eps
    idx = np.arange(L.size)
    e, x, t, k, tl, lo = L.copy(), xs, tau, law, tau * lam, L
    for _ in range(MAX_NEWTON):
        if idx.size == 0:
            break
        nu = x + e
        S, P, T1, U = k.newton_terms(nu)
        # h = eps S - (1 - tau) - tau lam/eps.  At the root its terms are of size
        # max(eps S, tau lam/eps); with 1 - eps S = x* S + T1 (a sum of positive terms) the
        # equal form tau - tau lam/eps - (1 - eps S) has terms max(1 - eps S, tau lam/eps).
        # Use the one with the smaller terms, so rounding noise in h stays relative to the
        # smaller of eps S and 1 - eps S (e.g. tau << 1, or tau ~ 1 with tiny lam).
        eS = e * S
        one_m_eS = x * S + T1
        pole = tl / e
        h = np.where(eS <= one_m_eS, eS - (1 - t) - pole, t - pole - one_m_eS)
        scale = np.maximum(np.minimum(eS, one_m_eS), pole)
        with np.errstate(over="ignore"):
            # tiny lam (eps ~ tau lam/(tau - 1) near 1e-300): pole/e overflows, the step is 0 and the
            # start, the bound L_m, is the root to rounding (its error is O(eps/x*))
            dh = U + x * P + pole / e
        # No upper clip is needed: from the left the iterates never pass the root, and a
        # rounding-induced start on the right lands back on the left (tangents lie above h).
        new = np.maximum(e - h / dh, lo)
        # Converged when the move is below NEWTON_RTOL (the next error is ~ its square), or h
        # is at its rounding-noise level (stops 2-cycles between neighbouring floats).
        done = (np.abs(new - e) <= NEWTON_RTOL * new) | (np.abs(h) <= noise * scale)
        eps[idx[done]] = new[done]
        # Drop converged points once they are a quarter of the working set (compaction costs a
        # copy of every array; converged points left in simply stay converged).
        if 4 * np.count_nonzero(done) >= done.size:
            keep = ~done
            idx, e, x, t, tl, lo = (a[keep] for a in (idx, new, x, t, tl, lo))
            k = k.take(keep)
        else:
            e = new
    if idx.size:
        raise RuntimeError(f"solve_eps: Newton did not converge at {idx.size} points (please report)")
    return eps


def ridgeless_root_by_newton(law, x, tau):
    """Root of ``eps M(x + eps) = 1 - tau`` (``tau < 1``; ``0`` where ``tau >= 1``) for any law.

    The ``lam = 0`` case of the Newton solve, started at ``max(L_a, L_m)``; for laws without a
    closed-form ridgeless root.  ``x``, ``tau`` are 1-d float arrays matching ``law``.

    >>> from iclsym.core.spectra import MarchenkoPastur
    >>> law = MarchenkoPastur(np.array([0.5, 2.0]))
    >>> x, tau = np.array([1.0, 0.3]), np.array([0.4, 0.8])
    >>> bool(np.allclose(ridgeless_root_by_newton(law, x, tau), law.ridgeless_root(x, tau), rtol=1e-12))
    True
    """
    out = np.zeros_like(x)
    below = tau < 1
    if np.any(below):
        zero = np.zeros(int(np.count_nonzero(below)))
        sub = law.take(below)
        L = _lower_start(x[below], tau[below], sub, zero, zero)
        out[below] = _newton(x[below], tau[below], sub, zero, L)
    return out


def solve_fixed_point(xs, tau, lam, law):
    """Root ``eps`` for validated, broadcast float arrays and a spectral law of matching shape.

    The branch rule of the module docstring: the unique positive root for ``lam > 0``; the
    law's ridgeless root for ``lam = 0``.
    """
    shape = xs.shape
    xs, tau, lam = (np.ravel(a) for a in (xs, tau, lam))
    law = law.ravel()
    eps = law.ridgeless_root(xs, tau)
    ridge = lam > 0
    if np.any(ridge):
        sub = law.take(ridge)
        L = _lower_start(xs[ridge], tau[ridge], sub, lam[ridge], eps[ridge])
        eps[ridge] = _newton(xs[ridge], tau[ridge], sub, lam[ridge], L)
    return eps.reshape(shape)

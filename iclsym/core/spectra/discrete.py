"""The discrete-spectrum law: the generalised Marchenko–Pastur fixed point in the eigenvalues of ``C``.

Tasks ``w ~ N(0, C)`` (Letey et al. 2025).  The bank second moment ``S_hat = (1/k) sum_j w_j w_j^T``
(``k = kappa d``) has the deterministic equivalent ``(S_hat + z)^{-1} ~ F(z) = (a C + z)^{-1}`` with
``a = a(z)`` the root of

    chi(a) = a - 1 + (1/kappa) mean_i a lam_i/(a lam_i + z) = 0,          0 < a <= 1,

and ``M(z) = mean_i 1/(a lam_i + z)`` (docs/onelayer/alignment.md; derivation and every trace in
:mod:`iclsym.engine.discrete_spectrum`, generated into :mod:`iclsym.core._generated.discrete_spectrum`).

**Uniqueness.**  ``a lam/(a lam + z)`` is increasing and concave in ``a`` (``z > 0``), so ``chi`` is
strictly increasing and concave on ``a > 0``, with ``chi(0+) = -1 < 0`` and ``chi(1) >= 0``: exactly
one root in ``(0, 1]`` (``a = 1`` iff ``kappa = inf`` or ``C = 0``).

**Bracket.**  Three explicit lower bounds, each a point where ``chi <= 0``:

* Jensen (``t -> a t/(a t + z)`` is concave): ``mean a lam/(a lam + z) <= a c/(a c + z)``, ``c = mean lam``,
  so the isotropic root ``a_iso`` (the Marchenko–Pastur quadratic of trace ``c``,
  ``c a^2 + (z - c + c/kappa) a - z = 0``) is a lower bound, exact for ``C = c I``;
* ``a lam/(a lam + z) <= a lam/z``: ``a >= z/(z + c/kappa)``;
* ``a lam/(a lam + z) < 1`` on the ``r d`` positive eigenvalues: ``a >= 1 - r/kappa``;

and ``a <= 1``.

**Solver.**  Newton's method on ``chi`` from ``L = max`` of the lower bounds.  ``chi`` is increasing
and concave, so every tangent lies above it: iterates increase monotonically and never overshoot,
convergence is quadratic, and the relative quadratic constant ``a |chi''|/(2 chi')`` is below 1
(``a S3ll <= S2l``), so a step below ``1e-9 a`` leaves an error below ``1e-18 a``.  The
formulation in ``a`` is well conditioned at both ends: ``chi' = 1 + z S2l/kappa >= 1`` and the terms
of ``chi`` are of size ``max(a, 1)``.  All points iterate together with a shrinking active set.
Since ``a(z)`` increases with ``z`` (``da/dz = b >= 0``), the last root is kept and reused as a
lower bound when the law is next solved at larger ``z`` (the fixed-point solver's Newton iterates
increase): a warm start, never a wrong one.

Vectorised over parameter points *and* over the spectrum: ``eigenvalues`` has shape
``batch + (m,)`` where ``batch`` broadcasts with the parameter arrays (one shared spectrum, or one
per point); optional ``weights`` (summing to 1 along the last axis) let repeated eigenvalues be
stored once.  ``kappa = inf`` is ``ik = 0`` exactly (``a = 1``, ``F = (C + z)^{-1}``).
"""

from __future__ import annotations

import numpy as np

from iclsym.core._generated import discrete_spectrum as _gen
from iclsym.core.params import check_param

__all__ = ["DiscreteSpectrum", "NEWTON_RTOL", "MAX_NEWTON"]

#: a Newton step below this (relative) leaves an error below its square (see the module docstring)
NEWTON_RTOL = 1e-9
#: cap on Newton iterations of the fixed point in ``a``
MAX_NEWTON = 100


def _check_eigenvalues(eigenvalues) -> np.ndarray:
    lam = np.asarray(eigenvalues, dtype=np.float64)
    if lam.ndim < 1 or lam.shape[-1] < 1:
        raise ValueError(f"eigenvalues must be an array with the spectrum on its last axis; got shape {lam.shape}")
    if not np.all(np.isfinite(lam)) or np.any(lam < 0):
        raise ValueError("eigenvalues must be finite and >= 0 (a covariance is positive semi-definite)")
    if np.any(lam.max(axis=-1) <= 0):
        raise ValueError("eigenvalues must not all be 0 (the task covariance must have a positive trace)")
    return lam


def _check_weights(weights, lam) -> np.ndarray | None:
    if weights is None:
        return None
    w = np.asarray(weights, dtype=np.float64)
    if w.shape[-1:] != lam.shape[-1:] or not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError("weights must be finite, >= 0 and match the eigenvalues on the last axis")
    if not np.allclose(w.sum(axis=-1), 1.0, rtol=1e-12, atol=0):
        raise ValueError("weights must sum to 1 along the last axis")
    return w


def _positive_root_quadratic(A, B, C):
    """Positive root of ``A e^2 - B e - C = 0`` (``A > 0``, ``C >= 0``), without cancellation."""
    disc = np.sqrt(B * B + 4 * A * C)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(B >= 0, (B + disc) / (2 * A), 2 * C / (disc - B))


def _iso_root(z, ik, c):
    """Positive root of ``c a^2 + (z - c + c ik) a - z = 0`` (the isotropic ``a``), without cancellation."""
    B = z - c * (1 - ik)
    D = np.sqrt(B * B + 4 * c * z)
    with np.errstate(divide="ignore", invalid="ignore"):
        # B >= 0: 2z/(B + D); B < 0: (D - B)/(2c)
        return np.where(B >= 0, 2 * z / (B + D), (D - B) / (2 * c))


def _chi_newton_step(a, z, ik, s1, s2, maximum, minimum):
    """One Newton step on ``chi(a) = a - 1 + ik a S1l`` (``chi' = 1 + ik z S2l >= 1``) from ``a`` with the sums
    ``s1 = S1l``, ``s2 = S2l`` at ``a``: ``(new a, converged)``.  The iterates only increase (tangents lie
    above ``chi``) and ``a <= 1``.  ``maximum``/``minimum``: ``np.maximum``/``np.minimum`` on arrays, the
    builtins on floats."""
    step = (a - 1 + ik * a * s1) / (1 + ik * z * s2)
    new = minimum(maximum(a - step, a), 1.0)
    return new, (new - a) <= NEWTON_RTOL * new


class DiscreteSpectrum:
    """Spectral law of ``S_hat`` for Gaussian tasks ``N(0, C)`` with the eigenvalues of ``C`` given.

    Implements the spectral-law interface of :mod:`iclsym.core.spectra` (``mean, parts, traces,
    newton_terms, stieltjes, ridgeless_root, ravel, take``) by the fixed point of the module docstring.

    Parameters
    ----------
    eigenvalues : array_like, shape ``batch + (m,)``
        Eigenvalues of ``C`` (``>= 0``, not all 0; ``C`` may be singular).
    kappa : array_like, optional
        Task diversity ``k/d`` (validated, ``0 < kappa <= inf``).
    ik : ndarray, optional
        ``1/kappa`` directly (already validated).
    weights : array_like, optional
        Weights of the eigenvalues (summing to 1 on the last axis); default uniform.

    Examples
    --------
    >>> law = DiscreteSpectrum([1.0, 1.0], np.array([0.5, np.inf]))   # C = I: Marchenko-Pastur
    >>> [round(float(v), 12) for v in law.stieltjes(np.array([1.0, 1.0]))]
    [0.707106781187, 0.5]
    >>> law = DiscreteSpectrum([2.0, 0.0], 1.0)       # half rank, z = 1: chi = a - 1 + a/(2a + 1), a^2 = 1/2
    >>> round(float(law.solve_a(np.array(1.0))), 12)
    0.707106781187
    """

    def __init__(self, eigenvalues, kappa=None, *, ik=None, weights=None, _checked=False, _warm=None):
        if (kappa is None) == (ik is None):
            raise TypeError("DiscreteSpectrum needs exactly one of kappa= or ik=")
        if ik is None:
            with np.errstate(divide="ignore"):
                ik = 1.0 / check_param("kappa", kappa)
        self.ik = np.asarray(ik, dtype=np.float64)
        if _checked:
            self.lam, self.weights = eigenvalues, weights
        else:
            self.lam = _check_eigenvalues(eigenvalues)
            self.weights = _check_weights(weights, self.lam)
        m = self.lam.shape[-1]
        w = self.weights
        # the spectral mean is a matrix-vector product with one weight vector, unless weights vary by point
        if w is None:
            self._wvec = np.full(m, 1.0 / m)
        elif int(np.prod(w.shape[:-1], dtype=np.int64)) == 1:
            self._wvec = w.reshape(m)
        else:
            self._wvec = None
        self._warm = _warm
        self._moments = None

    # ------------------------------------------------------------------ spectral means
    def spectral_mean(self, x) -> np.ndarray:
        """``mean_i x_i`` over the last axis (weighted when weights are given)."""
        if self._wvec is not None:
            return x @ self._wvec
        return (x * self.weights).sum(axis=-1)

    def _spectral_moments(self):
        if self._moments is None:
            self._moments = (self.spectral_mean(self.lam), self.spectral_mean((self.lam > 0).astype(np.float64)))
        return self._moments

    @property
    def mean(self):
        """``int t dmu(t) = mean_i lam_i = tr C/d`` (``E S_hat = C``)."""
        return self._spectral_moments()[0]

    @property
    def positive_fraction(self):
        """Fraction ``r`` of positive eigenvalues (the rank of ``C`` over ``d``)."""
        return self._spectral_moments()[1]

    # ------------------------------------------------------------------ shape handling
    def _leading_shared(self) -> bool:
        return int(np.prod(self.lam.shape[:-1], dtype=np.int64)) == 1

    def ravel(self) -> "DiscreteSpectrum":
        """The law flattened to 1-d parameter points, matching ``numpy.ravel`` of the parameter arrays."""
        m = self.lam.shape[-1]
        shape = np.broadcast_shapes(self.lam.shape[:-1], self.ik.shape)
        ik = np.broadcast_to(self.ik, shape).ravel()
        if self._leading_shared():
            lam = self.lam.reshape(1, m)
        else:
            lam = np.broadcast_to(self.lam, shape + (m,)).reshape(-1, m)
        w = self.weights
        if w is not None:
            w = w.reshape(1, m) if int(np.prod(w.shape[:-1], dtype=np.int64)) == 1 else (
                np.broadcast_to(w, shape + (m,)).reshape(-1, m))
        warm = self._warm
        if warm is not None:
            warm = (warm[0].ravel(), warm[1].ravel()) if warm[0].shape == shape else None
        return DiscreteSpectrum(lam, ik=ik, weights=w, _checked=True, _warm=warm)

    def take(self, index) -> "DiscreteSpectrum":
        """The law at a subset of the (1-d, raveled) parameter points."""
        lam = self.lam if self.lam.shape[0] == 1 else self.lam[index]
        w = self.weights
        if w is not None and w.shape[0] != 1:
            w = w[index]
        warm = None if self._warm is None else (self._warm[0][index], self._warm[1][index])
        out = DiscreteSpectrum(lam, ik=self.ik[index], weights=w, _checked=True, _warm=warm)
        if self._moments is not None and self.lam.shape[0] == 1 and np.ndim(self._moments[0]) == 1 \
                and self._moments[0].shape[0] == 1:
            out._moments = self._moments
        return out

    # ------------------------------------------------------------------ the fixed point
    def lower_bound(self, z):
        """``L = max(a_iso, z/(z + c/kappa), 1 - r/kappa) <= a(z)`` (module docstring)."""
        c, r = self._spectral_moments()
        ik = self.ik
        L = np.maximum(_iso_root(z, ik, c), z / (z + c * ik))
        return np.minimum(np.maximum(L, 1 - r * ik), 1.0)

    def solve_a(self, z):
        """The root ``a(z)`` of the fixed point for real ``z > 0`` (broadcast with the parameters)."""
        z = np.asarray(z, dtype=np.float64)
        shape = np.broadcast_shapes(z.shape, self.ik.shape, self.lam.shape[:-1])
        L = self.lower_bound(z)
        if L.shape != shape:
            L = np.broadcast_to(L, shape)
        if z.shape != shape:
            z = np.broadcast_to(z, shape)
        if self._warm is not None and self._warm[0].shape == shape:
            zc, ac = self._warm
            L = np.where(z >= zc, np.maximum(L, ac), L)
        a = self._newton(z, L, shape)
        self._warm = (z, a)
        return a

    def _newton(self, z, L, shape):
        m = self.lam.shape[-1]
        shared = self._leading_shared()
        lam = self.lam.reshape(1, m) if shared else np.broadcast_to(self.lam, shape + (m,)).reshape(-1, m)
        wv = self._wvec
        wts = None
        if wv is None:
            wts = np.broadcast_to(self.weights, shape + (m,)).reshape(-1, m)
        zf = z.ravel()
        af = np.array(L, dtype=np.float64).ravel()
        ikf = self.ik.ravel() if self.ik.shape == shape else np.broadcast_to(self.ik, shape).ravel()
        if af.size == 1 and shared and wv is not None:
            # one point: the same iteration on floats and one spectrum vector (no per-step array bookkeeping)
            return np.full(shape, self._newton_point(float(zf[0]), float(af[0]), float(ikf[0]), lam[0], wv))
        out = af.copy()
        idx = None  # all points active
        for _ in range(MAX_NEWTON):
            inv = 1.0 / (af[:, None] * lam + zf[:, None])
            lw = lam * inv
            if wts is None:
                s1 = lw @ wv
                s2 = (lw * inv) @ wv
            else:
                s1 = (lw * wts).sum(axis=1)
                s2 = (lw * inv * wts).sum(axis=1)
            new, done = _chi_newton_step(af, zf, ikf, s1, s2, np.maximum, np.minimum)
            if idx is None:
                out = new
            else:
                out[idx] = new
            if done.all():
                return out.reshape(shape)
            if done.any():
                keep = ~done
                if idx is None:
                    out = out.copy()
                    idx = np.flatnonzero(keep)
                else:
                    idx = idx[keep]
                af, zf, ikf = new[keep], zf[keep], ikf[keep]
                if not shared:
                    lam = lam[keep]
                    wts = None if wts is None else wts[keep]
            else:
                af = new
        raise RuntimeError("discrete-spectrum fixed point: Newton did not converge (please report)")

    @staticmethod
    def _newton_point(z, a, ik, lam, wv):
        """:meth:`_newton` at one point: Python floats ``z, a, ik``, one spectrum ``lam`` and its weights."""
        for _ in range(MAX_NEWTON):
            inv = 1.0 / (a * lam + z)
            lw = lam * inv
            a, done = _chi_newton_step(a, z, ik, float(lw @ wv), float((lw * inv) @ wv), max, min)
            if done:
                return a
        raise RuntimeError("discrete-spectrum fixed point: Newton did not converge (please report)")

    # ------------------------------------------------------------------ sums and traces
    def sums(self, z, a=None, third=False):
        """``(a, M, S2, S1l, S2l, S2ll)`` at ``z`` (and ``(S3, S3l, S3ll)`` when ``third``): the
        positive spectral sums of :mod:`iclsym.engine.discrete_spectrum` (``u = a lam + z``)."""
        z = np.asarray(z, dtype=np.float64)
        if a is None:
            a = self.solve_a(z)
        lam = self.lam
        inv = 1.0 / (a[..., None] * lam + z[..., None])
        lw = lam * inv
        inv2 = inv * inv
        mean = self.spectral_mean
        out = (a, mean(inv), mean(inv2), mean(lw), mean(lw * inv), mean(lw * lw))
        if third:
            inv3 = inv2 * inv
            out += (mean(inv3), mean(lw * inv2), mean(lw * lw * inv))
        return out

    def state(self, z, a=None) -> dict:
        """Everything at ``z``: ``a, b, M, P (= -M'), T1, T2, U`` and the sums ``S2, S1l, S2l, S2ll``
        (``a``: the already solved ``a(z)``, if known)."""
        a, M, S2, S1l, S2l, S2ll = self.sums(z, a=a)
        b, P, T1, T2, U = _gen.stable_traces(z, self.ik, a, S2, S1l, S2l, S2ll)
        return dict(a=a, b=b, M=M, P=P, T1=T1, T2=T2, U=U, S2=S2, S1l=S1l, S2l=S2l, S2ll=S2ll)

    def parts(self, z):
        """``(M(z), a(z))``."""
        a, M, *_ = self.sums(z)
        return M, a

    def newton_terms(self, z):
        """``(S, P, T1, U)`` at ``z`` (``S = M(z)``, no cancellation)."""
        st = self.state(z)
        return st["M"], st["P"], st["T1"], st["U"]

    def traces(self, z):
        """``(S, P, T1, T2, U)`` at ``z`` (no cancellation)."""
        st = self.state(z)
        return st["M"], st["P"], st["T1"], st["T2"], st["U"]

    def stieltjes(self, z, deriv: int = 0):
        """``M^{(deriv)}(z)`` for real ``z > 0``, ``deriv`` in ``{0, 1, 2}`` (no validation of ``z``)."""
        if deriv not in (0, 1, 2):
            raise ValueError(f"deriv must be 0, 1 or 2; got {deriv!r}")
        z = np.asarray(z, dtype=np.float64)
        if deriv == 0:
            return self.sums(z)[1]
        if deriv == 1:
            return -self.state(z)["P"]
        a, M, S2, S1l, S2l, S2ll, S3, S3l, S3ll = self.sums(z, third=True)
        return _gen.second_derivative(z, self.ik, a, M, S2, S3, S2l, S3l, S3ll)

    def ridgeless_root(self, x, tau):
        """Root of ``eps M(x + eps) = 1 - tau`` for ``tau < 1`` (else 0), by the fixed-point solver's Newton
        iteration (:func:`iclsym.core.spectra.fixed_point.ridgeless_root_by_newton`); no closed form
        for a general spectrum.  ``x``, ``tau`` broadcast with the law's points."""
        from iclsym.core.spectra.fixed_point import ridgeless_root_by_newton

        x, tau = np.asarray(x, dtype=np.float64), np.asarray(tau, dtype=np.float64)
        shape = np.broadcast_shapes(x.shape, tau.shape, self.ik.shape, self.lam.shape[:-1])
        law = DiscreteSpectrum(self.lam, ik=np.broadcast_to(self.ik, shape), weights=self.weights, _checked=True)
        flat = law.ravel()
        root = ridgeless_root_by_newton(flat, np.broadcast_to(x, shape).ravel().astype(np.float64),
                                        np.broadcast_to(tau, shape).ravel().astype(np.float64))
        return root.reshape(shape)

    # ------------------------------------------------------------------ effective ridge and a together
    def solve_joint(self, xs, tau, lam):
        """``(eps, a)``: the effective ridge and ``a(x* + eps)`` in one scalar solve (``tau < 1`` or ``lam > 0``;
        1-d arrays matching the law's points; ``kappa = inf`` included).

        At the fixed point ``z M(z) = 1 - t`` with ``t = kappa (1 - a)`` (``a = 1 - t/kappa``), so the ridge
        equation ``eps M(x* + eps) = 1 - tau + tau lam/eps`` becomes, for given ``t``, the quadratic
        ``(tau - t) eps^2 - B eps - C = 0``, ``B = (1 - tau) x* + tau lam``, ``C = tau lam x*``, whose positive
        root ``eps(t)`` exists for ``t < tau`` and increases with ``t``.  What remains is the fixed point itself,

            phi(t) = a S1l(a, x* + eps(t)) - t = 0,        0 <= t < min(tau, kappa),

        with ``phi(0) = S1l > 0``, ``phi -> -t < 0`` at the upper end, and ``phi' <= -1`` (``a S2ll <= S1l``):
        exactly one root, found by Newton's method safeguarded by bisection.  ``t`` stays ``O(1)`` for every
        ``kappa`` (``kappa = inf``: ``a = 1``, ``t = S1l``), so ``a = 1 - t/kappa`` and ``tau - t`` carry no
        cancellation.  The same root as the nested solve of
        :func:`iclsym.core.spectra.fixed_point.solve_fixed_point` at the cost of one inner solve.
        """
        xs, tau, lam = (np.ascontiguousarray(v, dtype=np.float64).ravel() for v in (xs, tau, lam))
        n = xs.size
        m = self.lam.shape[-1]
        shared = self._leading_shared()
        lamv = self.lam.reshape(1, m) if shared else self.lam.reshape(-1, m)
        wv = self._wvec
        wts = None if wv is not None else self.weights.reshape(-1, m)
        ik = np.broadcast_to(self.ik, (n,)).copy()
        B = (1 - tau) * xs + tau * lam
        C = tau * lam * xs
        with np.errstate(divide="ignore"):
            hi = np.minimum(tau, np.where(ik > 0, 1.0 / np.where(ik > 0, ik, 1.0), np.inf))
        lo = np.zeros(n)
        # start: t = S1l at a = 1 (the value of phi(0) + 0), clipped into the bracket
        e0 = _positive_root_quadratic(tau, B, C)
        s10 = self.spectral_mean(lamv / (lamv + (xs + e0)[:, None]))
        t = np.clip(s10, 1e-3 * hi, (1 - 1e-3) * hi)
        out = t.copy()
        idx = np.arange(n)
        t_, B_, C_ = tau, B, C
        x_ = xs
        for _ in range(MAX_NEWTON):
            a = 1 - ik * t
            A = t_ - t
            e = _positive_root_quadratic(A, B_, C_)
            z = x_ + e
            inv = 1.0 / (a[:, None] * lamv + z[:, None])
            lw = lamv * inv
            lw2 = lw * inv
            if wts is None:
                s1, s2l, s2ll = lw @ wv, lw2 @ wv, (lw2 * lamv) @ wv
            else:
                s1, s2l, s2ll = (lw * wts).sum(1), (lw2 * wts).sum(1), (lw2 * lamv * wts).sum(1)
            phi = a * s1 - t
            # d eps/dt = eps^2/(2 A eps - B) > 0;  dphi/dt = -ik S1l + a (ik S2ll - S2l deps/dt) - 1 <= -1
            de = e * e / (2 * A * e - B_)
            dphi = -ik * s1 + a * (ik * s2ll - s2l * de) - 1
            pos = phi > 0
            lo = np.where(pos, t, lo)
            hi = np.where(pos, hi, t)
            new = t - phi / dphi
            outside = ~((new > lo) & (new < hi))
            new = np.where(outside, 0.5 * (lo + hi), new)
            done = (np.abs(new - t) <= 1e-12 * t) | (phi == 0) | (hi - lo <= 4e-16 * hi)
            # a converged point keeps its Newton iterate (never a replacement bisection midpoint)
            out[idx] = np.where(done & outside, t, new)
            if done.all():
                break
            keep = ~done
            idx, t, lo, hi = idx[keep], new[keep], lo[keep], hi[keep]
            x_, t_, B_, C_, ik = x_[keep], t_[keep], B_[keep], C_[keep], ik[keep]
            if not shared:
                lamv = lamv[keep]
                wts = None if wts is None else wts[keep]
        else:
            raise RuntimeError("discrete-spectrum joint solve: no convergence (please report)")
        ik = np.broadcast_to(self.ik, (n,))
        eps = _positive_root_quadratic(tau - out, B, C)
        return self._polish(xs, tau, lam, eps, 1 - ik * out)

    def _polish(self, xs, tau, lam, eps, a, steps=1):
        """Newton steps on the pair ``(chi, h) = 0`` in ``(a, eps)`` from a close start, with both residuals in
        cancellation-free forms: ``chi = a - 1 + ik a S1l`` and ``h = 1 - eps M - tau + tau lam/eps`` with
        ``1 - eps M`` written as ``x* M + a S1l`` or ``eps M`` kept, whichever has the smaller terms.  ``eps`` from ``t`` loses digits when ``eps >> x*`` (then
        ``tau - t`` is small); two steps restore full precision (quadratic convergence)."""
        lamv = self.lam.reshape(1, -1) if self._leading_shared() else self.lam.reshape(xs.size, -1)
        ik = np.broadcast_to(self.ik, xs.shape)
        mean = self.spectral_mean
        for _ in range(steps):
            z = xs + eps
            inv = 1.0 / (a[:, None] * lamv + z[:, None])
            lw = lamv * inv
            M, S2, S1l, S2l, S2ll = mean(inv), mean(inv * inv), mean(lw), mean(lw * inv), mean(lw * lw)
            with np.errstate(divide="ignore", invalid="ignore"):
                pole = np.where(lam > 0, tau * lam / eps, 0.0)
                chi = a - 1 + ik * a * S1l
                # h in whichever of the equal forms has the smaller terms (as the fixed-point solver):
                # 1 - eps M = x* M + a S1l when eps M is the larger, eps M itself when it is the smaller
                eM, rest = eps * M, xs * M + a * S1l
                h = np.where(eM <= rest, (1 - tau) + pole - eM, rest - tau + pole)
                j11, j12 = 1 + ik * z * S2l, -ik * a * S2l
                j21, j22 = eps * S2l, -xs * S2 - a * S2l - pole / eps
                det = j11 * j22 - j12 * j21
                da = (chi * j22 - h * j12) / det
                de = (j11 * h - j21 * chi) / det
            a = np.minimum(a - da, 1.0)
            eps = eps - de
        return eps, a

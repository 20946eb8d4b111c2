"""Fast path for one point given as Python numbers: the same formulas, without array overhead.

A researcher's loop or a ``scipy.optimize`` objective calls the theory one point at a time; NumPy's
per-call overhead (validation into arrays, broadcasting, ``where``) then dominates.  Here the same
evaluation -- the Marchenko–Pastur branch of :func:`iclsym.core.spectra.mp_parts`, the ridgeless
closed-form root, the Newton iteration of :mod:`iclsym.onelayer.theory.fixed_point` (same start,
same steps, same stopping rule), and the generated cancellation-free forms, which are plain
arithmetic -- runs on Python floats with :mod:`math`.  Results equal the vectorised path's to
rounding (tests/onelayer/theory/test_scalar_path.py checks 1e-15 relative over random points).

:func:`point` returns ``None`` whenever the inputs are not plain in-range numbers; the caller then
takes the vectorised path, which raises the usual errors.  So validation and its messages exist
in one place.
"""

from __future__ import annotations

import math

from iclsym.core._generated.marchenko_pastur_scalar import fixed_point_terms, stable_traces
from iclsym.core.params import COMPUTABLE_RANGE
from iclsym.core.spectra.marchenko_pastur import mp_parts_scalar
from iclsym.onelayer._generated.asymptotic_scalar import g_task_gap, ridge_errors
from iclsym.onelayer.theory.fixed_point import MAX_NEWTON, NEWTON_RTOL

__all__ = ["point"]

_LO, _HI = COMPUTABLE_RANGE
_NOISE = 8 * 2.220446049250313e-16
_INF = math.inf


def _positive_root(A, B, C):
    disc = math.sqrt(B * B + 4 * A * C)
    if B >= 0:
        return (B + disc) / (2 * A)
    return 2 * C / (disc - B) if disc - B > 0 else 0.0


def _in_range(a, t, k, r, lam) -> bool:
    """Plain finite numbers inside the domain and the computable range (else: the vectorised path)."""
    for v in (a, t, k, r, lam):
        if type(v) not in (float, int) or v != v:
            return False
    return (_LO <= a <= _HI and _LO <= t <= _HI and (_LO <= k <= _HI or k == _INF)
            and 0 <= r <= _HI and 0 <= lam <= _HI)


def _newton(xs, tau, ik, lam, L):
    """The scalar twin of ``fixed_point._newton`` (same update, clip and stopping rule)."""
    e, tl = L, tau * lam
    for _ in range(MAX_NEWTON):
        nu = xs + e
        S, D = mp_parts_scalar(nu, ik)
        P, T1, U = fixed_point_terms(nu, ik, S, D)
        eS = e * S
        one_m_eS = xs * S + T1
        pole = tl / e
        h = eS - (1 - tau) - pole if eS <= one_m_eS else tau - pole - one_m_eS
        scale = max(min(eS, one_m_eS), pole)
        try:
            dh = U + xs * P + pole / e
        except OverflowError:  # pragma: no cover - float division overflows to inf in CPython
            dh = _INF
        new = max(e - h / dh, L)
        if abs(new - e) <= NEWTON_RTOL * new or abs(h) <= _NOISE * scale:
            return new
        e = new
    raise RuntimeError("solve_eps: Newton did not converge (please report)")


def point(alpha, tau, kappa, rho, lam=0.0):
    """``(eps, e_icl, e_idg, g_task)`` for one point of Python numbers, or ``None`` (see the module).

    >>> [round(v, 12) for v in point(1.0, 0.2, 0.5, 0.01, 0.0)]
    [7.322730797895, 1.038497768559, 0.801213334409, 0.23728443415]
    >>> point(1.0, -1.0, 0.5, 0.01) is None
    True
    """
    if not _in_range(alpha, tau, kappa, rho, lam):
        return None
    alpha, tau, kappa, rho, lam = float(alpha), float(tau), float(kappa), float(rho), float(lam) + 0.0
    xs = (1.0 + rho) / alpha
    ik = 1.0 / kappa
    if tau < 1:
        M_sub, _ = mp_parts_scalar(xs, tau * ik)
        eps = (1 - tau) / (tau * M_sub)
    else:
        eps = 0.0
    if lam > 0:
        m_star, _ = mp_parts_scalar(xs, ik)
        L = max(_positive_root(tau, (1 - tau) * xs + tau * lam, xs * tau * lam),
                _positive_root(m_star, 1 - tau, tau * lam), eps)
        eps = _newton(xs, tau, ik, lam, L)
        r = tau * lam / eps
    else:
        r = max(tau - 1, 0.0)
        if tau == 1:  # the interpolation pole
            return 0.0, _INF, _INF, (0.0 if ik == 0 else _INF)
    nu = xs + eps
    S, D = mp_parts_scalar(nu, ik)
    P, _, T2, U = stable_traces(nu, ik, S, D)
    e_icl, e_idg = ridge_errors(xs, rho, tau, eps, r, P, T2, U)
    g = g_task_gap(xs, rho, tau, eps, r, nu, ik, S, D, P, T2, U)
    return eps, float(e_icl), float(e_idg), float(g)

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
from iclsym.core.spectra.fixed_point import MAX_NEWTON, NEWTON_RTOL

__all__ = ["point"]

_LO, _HI = COMPUTABLE_RANGE
_NOISE = 8 * 2.220446049250313e-16
_INF = math.inf


def _positive_root(A, B, C):
    disc = math.sqrt(B * B + 4 * A * C)
    if B >= 0:
        return (B + disc) / (2 * A)
    return 2 * C / (disc - B) if disc - B > 0 else 0.0


_PLAIN = {float, int}


def _in_range(a, t, k, r, lam) -> bool:
    """Plain numbers inside the domain and the computable range (NaN fails every comparison)."""
    return ({type(a), type(t), type(k), type(r), type(lam)} <= _PLAIN and _LO <= a <= _HI and _LO <= t <= _HI
            and (_LO <= k <= _HI or k == _INF) and 0 <= r <= _HI and 0 <= lam <= _HI)


def _newton(xs, tau, ik, lam, L):
    """The scalar twin of ``fixed_point._newton`` (same update, clip and stopping rule)."""
    e, tl, one_m_tau = L, tau * lam, 1 - tau
    for _ in range(MAX_NEWTON):
        nu = xs + e
        S, D = mp_parts_scalar(nu, ik)
        P, T1, U = fixed_point_terms(nu, ik, S, D)
        eS = e * S
        one_m_eS = xs * S + T1
        pole = tl / e
        if eS <= one_m_eS:
            h, smaller = eS - one_m_tau - pole, eS
        else:
            h, smaller = tau - pole - one_m_eS, one_m_eS
        scale = pole if pole > smaller else smaller
        dh = U + xs * P + pole / e  # an overflow of pole/e gives inf (a zero step), as in the vectorised path
        new = e - h / dh
        if new < L:
            new = L
        step = new - e
        if -NEWTON_RTOL * new <= step <= NEWTON_RTOL * new or -_NOISE * scale <= h <= _NOISE * scale:
            return new
        e = new
    raise RuntimeError("solve_eps: Newton did not converge (please report)")


#: what :func:`point` returns for each ``want``
_WANTS = ("all", "eps", "e_icl", "e_idg", "g_task")


def point(alpha, tau, kappa, rho, lam=0.0, want="all"):
    """One point of Python numbers, or ``None`` (see the module docstring).

    ``want="all"``: ``(eps, e_icl, e_idg, g_task)``; ``"eps"``, ``"e_icl"``, ``"e_idg"`` or
    ``"g_task"``: that value alone (only what it needs is computed).

    >>> [round(v, 12) for v in point(1.0, 0.2, 0.5, 0.01, 0.0)]
    [7.322730797895, 1.038497768559, 0.801213334409, 0.23728443415]
    >>> point(1.0, -1.0, 0.5, 0.01) is None
    True
    """
    if not _in_range(alpha, tau, kappa, rho, lam):
        return None
    xs = (1.0 + rho) / alpha
    ik = 1.0 / kappa
    if tau < 1:
        eps = (1 - tau) / (tau * mp_parts_scalar(xs, tau * ik)[0])
    else:
        eps = 0.0
    if lam > 0:
        m_star, _ = mp_parts_scalar(xs, ik)
        L = max(_positive_root(tau, (1 - tau) * xs + tau * lam, xs * tau * lam),
                _positive_root(m_star, 1 - tau, tau * lam), eps)
        eps = _newton(xs, tau, ik, lam, L)
        r = tau * lam / eps
    else:
        r = tau - 1.0 if tau > 1 else 0.0
        if tau == 1:  # the interpolation pole
            values = (0.0, _INF, _INF, (0.0 if ik == 0 else _INF))
            return values if want == "all" else values[_WANTS.index(want) - 1]
    if want == "eps":
        return eps + 0.0
    nu = xs + eps
    S, D = mp_parts_scalar(nu, ik)
    P, _, T2, U = stable_traces(nu, ik, S, D)
    if want == "g_task":
        return g_task_gap(xs, rho, tau, eps, r, nu, ik, S, D, P, T2, U) + 0.0
    e_icl, e_idg = ridge_errors(xs, rho, tau, eps, r, P, T2, U)
    if want == "e_icl":
        return e_icl + 0.0
    if want == "e_idg":
        return e_idg + 0.0
    return eps + 0.0, e_icl + 0.0, e_idg + 0.0, g_task_gap(xs, rho, tau, eps, r, nu, ik, S, D, P, T2, U) + 0.0

"""Closed forms in limits of the theory (docs/onelayer/asymptotic-theory.md, docs/onelayer/limits.md): thin NumPy wrappers.

The formulas are derived symbolically by ``derivations/onelayer/limits.py`` (see
``derivations/out/limits.md``) and generated into :mod:`iclsym.onelayer._generated.limits`.
This module validates the arguments (:func:`iclsym.core.params.check_theory_args`), computes
the Stieltjes values the closed forms need with :func:`iclsym.onelayer.theory.stieltjes_mp`
(``m = M_kappa(x*)``, ``mt = M_{kappa/tau}(x*)``, ``x* = (1 + rho)/alpha``) and selects the
branch by the side of ``tau = 1`` with ``numpy.where`` (no Python ``if`` on values).

Every function returns ``(icl, idg)`` arrays unless stated otherwise.
"""

from __future__ import annotations

import math

import numpy as np

from iclsym.onelayer._generated import limits as _gen
from iclsym.onelayer._generated import limits_scalar as _sgen
from iclsym.core.params import check_theory_args
from iclsym.core.params import COMPUTABLE_RANGE
from iclsym.core.spectra import mp_parts_scalar, stieltjes_mp
from iclsym.onelayer.theory.fixed_point import x_star

__all__ = [
    "ridgeless",
    "lam_slope",
    "pole_residue",
    "peak_coefficient",
    "tau_inf",
    "alpha_inf_tau_inf",
    "alpha_inf_fixed_tau",
    "g_task_tau_prop_alpha",
    "kappa_inf_ridgeless",
    "ridgeless_with_derivative",
]


def _ik(kappa):
    with np.errstate(divide="ignore"):
        return 1.0 / kappa


def _m(alpha, kappa, rho):
    return stieltjes_mp(x_star(alpha, rho), kappa)


def _mt(alpha, tau, kappa, rho):
    return stieltjes_mp(x_star(alpha, rho), kappa / tau)


def _by_side(tau, above, below, at_one):
    """Select per element: ``tau > 1`` -> above, ``tau < 1`` -> below, ``tau == 1`` -> at_one."""
    return tuple(
        np.where(tau > 1, a, np.where(tau < 1, b, at_one)) for a, b in zip(above, below)
    )


def _by_regime(kappa, crit, lt, eq, gt):
    """Select per element: ``kappa < crit`` -> lt, ``kappa > crit`` -> gt, ``kappa == crit`` -> eq (shape of ``kappa``)."""
    return np.where(kappa < crit, lt, np.where(kappa > crit, gt, eq)) * np.ones_like(kappa)


_LO, _HI = COMPUTABLE_RANGE
_FAIL = (ZeroDivisionError, OverflowError, ValueError)


def _plain(**values):
    """The arguments as Python floats when all are plain numbers inside the computable range
    (``kappa`` may be ``inf``, ``rho`` may be 0), else ``None``: the vectorised path then validates.

    One point given as Python numbers is evaluated on floats with the scalar flavour of the same
    generated closed forms (a float out); see :mod:`iclsym.onelayer.theory.scalar`.
    """
    out = []
    for name, v in values.items():
        if type(v) not in (float, int) or v != v:
            return None
        v = float(v)
        if name == "rho":
            ok = 0 <= v <= _HI
        elif name == "kappa":
            ok = _LO <= v <= _HI or v == math.inf
        else:
            ok = _LO <= v <= _HI
        if not ok:
            return None
        out.append(v)
    return out


def _m1(xs, ik):
    return mp_parts_scalar(xs, ik)[0]


def _side(tau, above, below, at_one):
    """Scalar ``_by_side``: call only the branch of ``tau``'s side."""
    if tau == 1:
        return at_one
    return above() if tau > 1 else below()


def _regime(kappa, crit, values):
    """Scalar ``_by_regime`` on a ``(lt, eq, gt)`` triple."""
    lt, eq, gt = values
    return lt if kappa < crit else (gt if kappa > crit else eq)


def _at_x_star(name, alpha, kappa, rho):
    """The generated closed form ``name(alpha, 1/kappa, rho, m*)`` with ``m* = M_kappa(x*)``: on floats
    when the point is plain (falling back to the vectorised path on a float failure), else validated and
    vectorised (``tau`` plays no role; it is checked at a harmless value)."""
    s = _plain(alpha=alpha, kappa=kappa, rho=rho)
    if s is not None:
        a, k, r = s
        ik = 1.0 / k
        try:
            return getattr(_sgen, name)(a, ik, r, _m1(x_star(a, r), ik))
        except _FAIL:
            pass
    alpha, _, kappa, rho, _ = check_theory_args(alpha, 2.0, kappa, rho, computable=True)
    return getattr(_gen, name)(alpha, _ik(kappa), rho, _m(alpha, kappa, rho))


def _by_tau_side(name, alpha, tau, kappa, rho, pole_sign):
    """The generated closed forms ``name_above`` (``tau > 1``, at ``M_kappa(x*)``) and ``name_below``
    (``tau < 1``, at ``M_{kappa/tau}(x*)``); ``pole_sign * inf`` at ``tau = 1``.  On floats when the point is
    plain (falling back to the vectorised path on a float failure), else validated and vectorised."""
    at_one = pole_sign * math.inf
    s = _plain(alpha=alpha, tau=tau, kappa=kappa, rho=rho)
    if s is not None:
        a, tt, k, r = s
        xs, ik = x_star(a, r), 1.0 / k
        try:
            return _side(tt, lambda: getattr(_sgen, name + "_above")(a, tt, ik, r, _m1(xs, ik)),
                         lambda: getattr(_sgen, name + "_below")(a, tt, ik, r, _m1(xs, 1.0 / (k / tt))),
                         (at_one, at_one))
        except _FAIL:
            pass
    alpha, tau, kappa, rho, _ = check_theory_args(alpha, tau, kappa, rho, computable=True)
    ik = _ik(kappa)
    with np.errstate(divide="ignore", invalid="ignore"):
        above = getattr(_gen, name + "_above")(alpha, tau, ik, rho, _m(alpha, kappa, rho))
        below = getattr(_gen, name + "_below")(alpha, tau, ik, rho, _mt(alpha, tau, kappa, rho))
    return _by_side(tau, above, below, at_one)


def ridgeless(alpha, tau, kappa, rho):
    """Ridgeless ``(e_ICL, e_IDG)`` from the derived closed forms (docs/onelayer/asymptotic-theory.md).

    ``tau > 1``: ridge forms at ``eps = 0``; ``tau < 1``: at ``eps0 = (1 - tau)/(tau M_{kappa/tau}(x*))``;
    ``tau = 1``: ``inf`` (the interpolation pole).

    >>> e_icl, e_idg = ridgeless(1.0, 0.2, 0.5, 0.01)
    >>> round(float(e_icl), 12), round(float(e_idg), 12)
    (1.038497768559, 0.801213334409)
    """
    return _by_tau_side("ridgeless", alpha, tau, kappa, rho, 1.0)


def _e_and_slope(alpha, tau, kappa, rho, which):
    """``(e, de/dalpha)`` for arrays of equal shape; ``tau`` strictly on one side per element.

    Each element uses the branch of its own side (``tau > 1``: ``M_kappa(x*)``;
    ``tau < 1``: ``M_{kappa/tau}(x*)``); only the needed branch is evaluated.
    """
    xs = x_star(alpha, rho)
    ik = 1.0 / kappa
    e = np.empty_like(alpha)
    de = np.empty_like(alpha)
    above = tau > 1
    for mask, side, kap in ((above, "above", kappa), (~above, "below", kappa / tau)):
        if not mask.any():
            continue
        fn = getattr(_gen, f"derivative_{which}_{side}")
        if mask.all():  # one side only (the phase-diagram case): no copies
            e[...], de[...] = fn(alpha, tau, ik, rho, stieltjes_mp(xs, kap))
            continue
        m = stieltjes_mp(xs[mask], kap[mask])
        e[mask], de[mask] = fn(alpha[mask], tau[mask], ik[mask], rho[mask], m)
    return e, de


def ridgeless_with_derivative(alpha, tau, kappa, rho):
    """``(e_ICL, de_ICL/dalpha, e_IDG, de_IDG/dalpha)``, ridgeless (for the optimal ``alpha``).

    ``tau = 1`` gives ``inf`` errors and ``0`` derivatives (the pole holds for every ``alpha``).
    The same evaluator serves :func:`iclsym.onelayer.theory.optimal.alpha_star`.

    >>> e, de, _, _ = ridgeless_with_derivative(10.0, 2.0, float("inf"), 0.5)
    >>> h = 1e-6
    >>> ep, _, _, _ = ridgeless_with_derivative(10.0 + h, 2.0, float("inf"), 0.5)
    >>> bool(abs((ep - e) / h - de) < 1e-6)
    True
    """
    s = _plain(alpha=alpha, tau=tau, kappa=kappa, rho=rho)
    if s is not None:
        a, tt, k, r = s
        xs, ik = x_star(a, r), 1.0 / k
        if tt == 1:
            return math.inf, 0.0, math.inf, 0.0
        side, ik_m = ("above", ik) if tt > 1 else ("below", 1.0 / (k / tt))
        try:
            m = _m1(xs, ik_m)
            e1, d1 = getattr(_sgen, f"derivative_icl_{side}")(a, tt, ik, r, m)
            e2, d2 = getattr(_sgen, f"derivative_idg_{side}")(a, tt, ik, r, m)
            return e1, d1, e2, d2
        except _FAIL:
            pass
    alpha, tau, kappa, rho, _ = check_theory_args(alpha, tau, kappa, rho, computable=True)
    alpha, tau, kappa, rho = np.broadcast_arrays(alpha, tau, kappa, rho)
    pole = tau == 1
    with np.errstate(divide="ignore", invalid="ignore"):
        e_icl, de_icl = _e_and_slope(alpha, tau, kappa, rho, "icl")
        e_idg, de_idg = _e_and_slope(alpha, tau, kappa, rho, "idg")
    return (np.where(pole, np.inf, e_icl), np.where(pole, 0.0, de_icl),
            np.where(pole, np.inf, e_idg), np.where(pole, 0.0, de_idg))


def lam_slope(alpha, tau, kappa, rho):
    """``B`` in ``e(lam) = e(0) + B lam + O(lam^2)`` as ``lam -> 0+``; ``(B_ICL, B_IDG)``.

    ``tau = 1`` gives ``-inf`` (there the correction is ``O(lam^{-1/2})``, see
    :func:`peak_coefficient`).

    >>> b_icl, b_idg = lam_slope(10.0, 2.0, float("inf"), 0.01)
    >>> bool(np.isclose(b_icl, b_idg))
    True
    """
    return _by_tau_side("lam_slope", alpha, tau, kappa, rho, -1.0)


def pole_residue(alpha, kappa, rho):
    """``(C_ICL, C_IDG)``: ridgeless ``e ~ C/|tau - 1|`` as ``tau -> 1`` (docs/onelayer/limits.md).

    >>> c_icl, c_idg = pole_residue(10.0, 1.0, 0.01)
    >>> bool(c_icl > c_idg > 0)
    True
    """
    return _at_x_star("pole_residue", alpha, kappa, rho)


def peak_coefficient(alpha, kappa, rho):
    """``(A_ICL, A_IDG)``: at ``tau = 1``, ``e = A lam^{-1/2} + O(1)`` as ``lam -> 0+``.

    ``A = C/(2 sqrt(m*))`` with ``C`` the pole residue.

    >>> a, _ = peak_coefficient(10.0, 0.5, 0.01)
    >>> c, _ = pole_residue(10.0, 0.5, 0.01)
    >>> bool(a > 0 and c > 0)
    True
    """
    return _at_x_star("peak_coefficient", alpha, kappa, rho)


def tau_inf(alpha, kappa, rho):
    """``tau -> inf`` at fixed ``alpha, kappa``: ``(e_ICL, e_IDG, D_ICL, D_IDG)``.

    ``e(tau) = e(inf) + D/tau + O(tau^{-2})`` (docs/onelayer/limits.md).

    >>> e_icl, e_idg, _, _ = tau_inf(10.0, float("inf"), 0.0)
    >>> bool(np.isclose(e_icl, e_idg))
    True
    """
    return _at_x_star("tau_inf", alpha, kappa, rho)


def alpha_inf_tau_inf(kappa, rho):
    """``tau = inf`` then ``alpha -> inf``: the ``kappa = 1`` transition (docs/onelayer/limits.md).

    Returns a dict ``{name: (L, A, p)}`` for ``e_icl, e_idg, g_task`` with
    ``e = L + A alpha^{-p} + o(alpha^{-p})``; the regime ``kappa < 1``, ``= 1``, ``> 1`` is
    selected per element.  ``L = rho + max(0, 1 - kappa)`` for ``e_icl``, ``rho`` for
    ``e_idg``, ``max(0, 1 - kappa)`` for ``g_task``.

    >>> out = alpha_inf_tau_inf([0.5, 1.0, 2.0], 0.1)
    >>> out["g_task"][0].tolist(), out["g_task"][2].tolist()
    ([0.5, 0.0, 0.0], [2.0, 0.5, 2.0])
    """
    s = _plain(kappa=kappa, rho=rho)
    if s is not None:
        k, r = s
        ik = 1.0 / k
        regime = "lt" if k < 1 else ("gt" if k > 1 else "eq")
        try:
            vals = getattr(_sgen, f"alpha_inf_tau_inf_{regime}")(ik, r)
            return {n: tuple(vals[3 * i: 3 * i + 3]) for i, n in enumerate(("e_icl", "e_idg", "g_task"))}
        except _FAIL:
            pass
    _, _, kappa, rho, _ = check_theory_args(1.0, 1.0, kappa, rho, computable=True)
    ik = _ik(kappa)
    with np.errstate(divide="ignore", invalid="ignore"):
        lt = _gen.alpha_inf_tau_inf_lt(ik, rho)
        eq = _gen.alpha_inf_tau_inf_eq(ik, rho)
        gt = _gen.alpha_inf_tau_inf_gt(ik, rho)
    vals = [_by_regime(kappa, 1.0, a, b, c) for a, b, c in zip(lt, eq, gt)]
    names = ("e_icl", "e_idg", "g_task")
    return {n: tuple(vals[3 * i: 3 * i + 3]) for i, n in enumerate(names)}


def alpha_inf_fixed_tau(tau, kappa, rho):
    """``alpha -> inf`` at fixed ``tau`` (ridgeless): ``{name: (A, q, c)}`` for ``e_icl, e_idg``.

    ``e = A alpha^q + ...`` with ``q = 1`` (linear growth: ``kappa < min(tau, 1)``, ``rho > 0``),
    ``q = 1/2`` (at ``kappa = min(tau, 1)``) or ``q = 0`` (finite limit ``A = c``); ``c`` is the
    ``alpha^0`` term.  ``tau = 1`` is the pole: ``inf``.

    >>> out = alpha_inf_fixed_tau(2.0, 0.5, 0.1)
    >>> A, q, _ = out["e_icl"]
    >>> float(q), bool(np.isclose(A, (0.1 / 1.1) * 0.5 / 1.0))
    (1.0, True)
    """
    s = _plain(tau=tau, kappa=kappa, rho=rho)
    if s is not None:
        tt, k, r = s
        ik, kc = 1.0 / k, min(tt, 1.0)
        if tt == 1:
            vals = [math.inf] * 6
        else:
            side = "above" if tt > 1 else "below"
            regime = "lt" if k < kc else ("gt" if k > kc else "eq")
            try:
                vals = list(getattr(_sgen, f"alpha_inf_fixed_tau_{side}_{regime}")(tt, ik, r))
            except _FAIL:
                vals = None
        if vals is not None:
            return {"e_icl": tuple(vals[0:3]), "e_idg": tuple(vals[3:6])}
    _, tau, kappa, rho, _ = check_theory_args(1.0, tau, kappa, rho, computable=True)
    ik = _ik(kappa)
    kc = np.minimum(tau, 1.0)
    res = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        sides = {}
        for side in ("above", "below"):
            lt = getattr(_gen, f"alpha_inf_fixed_tau_{side}_lt")(tau, ik, rho)
            eq = getattr(_gen, f"alpha_inf_fixed_tau_{side}_eq")(tau, ik, rho)
            gt = getattr(_gen, f"alpha_inf_fixed_tau_{side}_gt")(tau, ik, rho)
            sides[side] = [_by_regime(kappa, kc, a, b, c) for a, b, c in zip(lt, eq, gt)]
    vals = _by_side(tau, sides["above"], sides["below"], np.inf)
    res["e_icl"] = vals[0:3]
    res["e_idg"] = vals[3:6]
    return res


def g_task_tau_prop_alpha(c, kappa, rho):
    """``lim g_task`` along ``tau = c alpha``, ``alpha -> inf`` (paper Fig. 4 asymptote).

    ``(1 - kappa)(1 + rho/(c (1 + rho)))`` for ``kappa < 1``, ``0`` for ``kappa >= 1``.

    >>> float(g_task_tau_prop_alpha(0.2, 0.5, 0.01))  # doctest: +ELLIPSIS
    0.524752...
    """
    s = _plain(c=c, kappa=kappa, rho=rho)
    if s is not None:
        cc, k, r = s
        try:
            return _regime(k, 1.0, _sgen.g_task_tau_prop_alpha(cc, 1.0 / k, r))
        except _FAIL:
            pass
    c = np.asarray(c, dtype=np.float64)
    if np.any(~np.isfinite(c)) or np.any(c <= 0):
        raise ValueError(f"c must satisfy 0 < c < inf (tau = c alpha); got {c!r}")
    _, _, kappa, rho, _ = check_theory_args(1.0, 1.0, kappa, rho, computable=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        lt, eq, gt = _gen.g_task_tau_prop_alpha(c, _ik(kappa), rho)
    out = _by_regime(kappa, 1.0, lt, eq, gt)
    return float(out) if s is not None else out


def kappa_inf_ridgeless(alpha, tau, rho):
    """``kappa = inf`` ridgeless error (``e_ICL = e_IDG``), closed form in ``(alpha, tau, rho)``.

    >>> float(kappa_inf_ridgeless(10.0, 2.0, 0.0))  # doctest: +ELLIPSIS
    0.1818...
    """
    s = _plain(alpha=alpha, tau=tau, rho=rho)
    if s is not None:
        a, tt, r = s
        if tt == 1:
            return math.inf
        try:
            above, below = _sgen.kappa_inf_ridgeless(a, tt, r)
            return above if tt > 1 else below
        except _FAIL:
            pass
    alpha, tau, _, rho, _ = check_theory_args(alpha, tau, np.inf, rho, computable=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        above, below = _gen.kappa_inf_ridgeless(alpha, tau, rho)
    return _by_side(tau, (above,), (below,), np.inf)[0]

"""Limits, series and leading orders of the asymptotic theory (docs/onelayer/asymptotic-theory.md, docs/onelayer/limits.md).

Two layers live here:

* **Tools** -- small, generic helpers: :func:`reduce_modulo` (prove an identity
  between expressions containing an algebraic number, such as a Stieltjes value,
  by reducing the numerator modulo its minimal polynomial), :func:`series_root`
  (power-series branch of a root of ``P(y, t) = 0``), :func:`leading_term`
  (lowest-order term of a series) and :func:`total_eps_derivative` (``d/d eps``
  of an expression in ``eps, S = M_kappa(x* + eps), S' = M_kappa'(x* + eps)``).
* **Derivations** -- functions ``derive_*`` that take the ridge forms of
  :mod:`iclsym.onelayer.symbolic.asymptotic` to each limit of docs/onelayer/limits.md and return the
  result together with the checks that were carried out.  ``derivations/onelayer/limits.py``
  renders them to LaTeX and code; ``tests/limits`` evaluates them against the full
  theory at 50 digits.

Notation (all positive symbols): ``xs = x* = (1 + rho)/alpha``; ``m = M_kappa(x*)``;
``mt = M_{kappa/tau}(x*)`` (so ``mu* = x* mt``).  Everything is written in ``xs``;
code generation substitutes ``xs -> (1 + rho)/alpha``.

Small-``x*`` (``alpha -> inf``) expansions use ``u = x* M_k(x*)``, which solves
``P_k(u, z) = u**2/k + (z + 1 - 1/k) u - z = 0`` at ``z = x*``: at ``z = 0`` the roots
are ``u = 0`` and ``u = 1 - k``, and the physical branch (``M > 0``) is ``u -> 1 - k``
for ``k < 1``, ``u -> 0`` for ``k > 1``, and ``u ~ sqrt(z)`` at ``k = 1``.
To keep integer powers, expansions use ``t = sqrt(x*)``.
"""

from __future__ import annotations

from types import SimpleNamespace

import sympy as sp

from iclsym.onelayer.symbolic.asymptotic import e_icl_ridge, e_idg_ridge, fixed_point_F, ridgeless_targets_in, symbols
from iclsym.engine.stieltjes import stieltjes_mp_derivative

__all__ = [
    "limit_symbols",
    "reduce_modulo",
    "series_root",
    "leading_term",
    "series_coefficients",
    "total_eps_derivative",
    "mp_poly",
    "small_z_stieltjes",
    "derive_ridgeless",
    "derive_lam_correction",
    "derive_pole",
    "derive_peak",
    "derive_tau_inf",
    "derive_alpha_inf_after_tau_inf",
    "derive_alpha_inf_fixed_tau",
    "derive_tau_prop_alpha",
    "derive_kappa_inf",
    "derive_alpha_derivative",
]


# --------------------------------------------------------------------------------------
# symbols and tools
# --------------------------------------------------------------------------------------


def limit_symbols() -> SimpleNamespace:
    """Symbols used by the limit derivations (positive reals).

    ``xs`` is ``x*``, ``m`` is ``M_kappa(x*)``, ``mt`` is ``M_{kappa/tau}(x*)``,
    ``t`` is ``sqrt(x*)``, ``c`` the ratio ``tau/alpha`` of the Fig. 4 path.

    >>> s = limit_symbols()
    >>> s.xs, s.m, s.mt
    (x_star, m_star, mt_star)
    """
    s = symbols()
    s.xs = sp.Symbol("x_star", positive=True)
    s.m = sp.Symbol("m_star", positive=True)
    s.mt = sp.Symbol("mt_star", positive=True)
    s.t = sp.Symbol("t", positive=True)
    s.c = sp.Symbol("c", positive=True)
    s.u = sp.Symbol("u", positive=True)
    return s


def mp_poly(M, z, kappa):
    """Numerator polynomial of the MP quadratic: ``z M**2 + (kappa z + kappa - 1) M - kappa``.

    ``M_kappa(z)`` is its unique positive root (docs/onelayer/asymptotic-theory.md).

    >>> M, z, k = sp.symbols("M z kappa", positive=True)
    >>> mp_poly(M, z, k)
    M**2*z + M*(kappa*z + kappa - 1) - kappa
    """
    return z * M**2 + (kappa * z + kappa - 1) * M - kappa


def reduce_modulo(expr, M, Q):
    """Remainder of the numerator of ``expr`` modulo the polynomial ``Q`` in ``M``.

    If ``M`` is a root of ``Q`` and the denominator of ``expr`` does not vanish
    there, ``expr == 0`` at ``M`` **iff** the remainder vanishes at ``M``; a zero
    remainder (identically in the other symbols) is therefore a proof of the
    identity ``expr = 0`` for every parameter value (this is the minimal-polynomial
    argument used to match the paper's closed forms).

    >>> M, z = sp.symbols("M z", positive=True)
    >>> reduce_modulo(M**2 - z, M, M**2 - z)
    0
    >>> reduce_modulo(M**3, M, M**2 - z)
    M*z
    """
    num = sp.expand(sp.numer(sp.together(expr)))
    if num == 0:
        return sp.Integer(0)
    rem = sp.rem(sp.Poly(num, M), sp.Poly(sp.expand(Q), M))
    return sp.expand(rem.as_expr())


def series_root(P, y, t, y0, order):
    """Power-series root ``y(t) = y0 + c1 t + ... + c_order t**order`` of ``P(y, t) = 0``.

    The branch is fixed by ``y(0) = y0``; ``y0`` must be a simple root of
    ``P(., 0)`` (then every coefficient solves a linear equation -- the
    implicit-function theorem order by order).

    >>> y, t = sp.symbols("y t")
    >>> series_root(y**2 - 1 - t, y, t, 1, 3)
    t**3/16 - t**2/8 + t/2 + 1
    """
    dP = sp.diff(P, y).subs({y: y0, t: 0})
    if sp.simplify(dP) == 0:
        raise ValueError("y0 must be a simple root of P(., 0): dP/dy vanishes there")
    if sp.simplify(P.subs({y: y0, t: 0})) != 0:
        raise ValueError("y0 must be a root of P(., 0)")
    cs = sp.symbols(f"_c1:{order + 1}")
    ys = y0 + sum(c * t**i for i, c in enumerate(cs, start=1))
    expanded = sp.expand(P.subs(y, ys))
    sol = {}
    for i, c in enumerate(cs, start=1):
        coeff = sp.expand(expanded.coeff(t, i).subs(sol))
        slope = sp.diff(coeff, c)
        if slope.has(c) or slope == 0:  # cannot happen for a simple root y0
            raise ValueError(f"order {i}: the coefficient equation is not linear in c{i}")
        sol[c] = sp.factor(sp.cancel(-coeff.subs(c, 0) / slope))
    return sp.expand(ys.subs(sol))


def leading_term(expr, t, n=6):
    """Lowest-order term ``A t**p`` of ``expr`` as ``t -> 0+``; returns ``(A, p)``.

    ``n`` is the series order passed to SymPy (raise it if the first ``n`` orders
    cancel).

    >>> t = sp.Symbol("t", positive=True)
    >>> leading_term(3 / t + 1 + t, t)
    (3, -1)
    """
    powers = _laurent(sp.series(expr, t, 0, n).removeO(), t)
    nonzero = {p: sp.factor(sp.simplify(c)) for p, c in powers.items()}
    nonzero = {p: c for p, c in nonzero.items() if c != 0}
    if not nonzero:
        raise ValueError(f"all terms up to order {n} vanish; increase n")
    p = min(nonzero)
    return nonzero[p], p


def total_eps_derivative(expr, eps, S, Sp, xs, kappa):
    """``d expr / d eps`` where ``S = M_kappa(xs + eps)``, ``Sp = M_kappa'(xs + eps)``.

    ``Sp`` is eliminated in favour of ``S`` by the implicit derivative of the MP
    quadratic, and ``S'' = d Sp/d nu`` likewise, so the result is rational in
    ``(eps, S)``.

    >>> s = limit_symbols()
    >>> d = total_eps_derivative(s.S, s.eps, s.S, s.Sp, s.xs, s.kappa)
    >>> sp.simplify(d - stieltjes_mp_derivative(s.S, s.xs + s.eps, s.kappa))
    0
    """
    nu = xs + eps
    g = stieltjes_mp_derivative(S, nu, kappa)
    expr = expr.subs(Sp, g)
    return sp.diff(expr, eps) + sp.diff(expr, S) * g


def _ridge_errors(xs, rho, tau, eps, S, kappa):
    """(e_ICL, e_IDG) of the ridge forms with ``S' `` eliminated via the MP quadratic."""
    Sp = stieltjes_mp_derivative(S, xs + eps, kappa)
    e_icl, _ = e_icl_ridge(xs, rho, tau, eps, S, Sp)
    return e_icl, e_idg_ridge(xs, rho, tau, eps, S, Sp)


def _targets(s):
    """docs/onelayer/asymptotic-theory.md ridgeless targets written in ``xs, m, mt`` (symbols)."""
    return ridgeless_targets_in(s.xs, s.m, s.mt, s.tau, s.kappa, s.rho)


# --------------------------------------------------------------------------------------
# 1. ridgeless limit lam -> 0+
# --------------------------------------------------------------------------------------


def derive_ridgeless(s=None) -> SimpleNamespace:
    """``lam -> 0+`` of the ridge forms on each side of ``tau = 1`` (docs/onelayer/asymptotic-theory.md).

    * ``tau > 1``: ``F = 0`` gives ``lam = eps (tau - 1 + eps S)/tau``, so
      ``eps -> 0`` with ``eps/lam -> tau/(tau - 1)``; the errors are the ridge forms
      at ``eps = 0`` (``S = m``).
    * ``tau < 1``: ``eps -> eps0 > 0``, the root of ``eps M(x* + eps) = 1 - tau``.
      Claim ``eps0 = (1 - tau)/(tau mt)`` with ``M(x* + eps0) = tau mt``: proved by
      reducing ``Q_kappa(tau mt, x* + eps0)`` modulo ``Q_{kappa/tau}(mt, x*)`` (zero
      remainder), and ``tau mt > 0`` makes it the physical (positive) root.

    Each derived error is proved equal to the paper's formula (the target) by :func:`reduce_modulo`.
    Returns a namespace with ``e_icl_above, e_idg_above`` (in ``m``),
    ``e_icl_below, e_idg_below`` (in ``mt``), ``eps0``, ``eps_over_lam_above`` and
    ``checks`` (name -> remainder, all zero).

    >>> r = derive_ridgeless()
    >>> all(v == 0 for v in r.checks.values())
    True
    """
    s = s or limit_symbols()
    xs, tau, kappa, rho, lam, eps, m, mt = s.xs, s.tau, s.kappa, s.rho, s.lam, s.eps, s.m, s.mt
    checks = {}
    # tau > 1: eps(lam) from F = 0 with M(x* + eps) -> m continuous at eps = 0
    lam_of_eps = sp.solve(fixed_point_F(eps, tau, lam, xs, s.S), lam)[0]
    eps_over_lam = sp.limit(eps / lam_of_eps.subs(s.S, m), eps, 0)
    e_icl_above, e_idg_above = _ridge_errors(xs, rho, tau, sp.Integer(0), m, kappa)
    # tau < 1: eps0 and M(x* + eps0) = tau mt
    eps0 = (1 - tau) / (tau * mt)
    Q_t = mp_poly(mt, xs, kappa / tau)
    checks["Q_kappa(tau mt, x*+eps0) mod Q_{kappa/tau}(mt, x*)"] = reduce_modulo(
        mp_poly(tau * mt, xs + eps0, kappa), mt, Q_t
    )
    checks["eps0 M(x*+eps0) - (1 - tau)"] = sp.simplify(eps0 * tau * mt - (1 - tau))
    e_icl_below, e_idg_below = _ridge_errors(xs, rho, tau, eps0, tau * mt, kappa)
    T = _targets(s)
    Q_m = mp_poly(m, xs, kappa)
    checks["e_icl_above - target"] = reduce_modulo(e_icl_above - T.e_icl_above, m, Q_m)
    checks["e_idg_above - target"] = reduce_modulo(e_idg_above - T.e_idg_above, m, Q_m)
    checks["e_icl_below - target"] = reduce_modulo(e_icl_below - T.e_icl_below, mt, Q_t)
    checks["e_idg_below - target"] = reduce_modulo(e_idg_below - T.e_idg_below, mt, Q_t)
    checks["eps0 - target"] = sp.simplify(eps0 - T.eps0)
    return SimpleNamespace(
        e_icl_above=e_icl_above,
        e_idg_above=e_idg_above,
        e_icl_below=e_icl_below,
        e_idg_below=e_idg_below,
        eps0=eps0,
        eps_over_lam_above=sp.factor(eps_over_lam),
        targets=T,
        checks=checks,
    )


def derive_lam_correction(s=None) -> SimpleNamespace:
    """Leading ``O(lam)`` correction: ``e(lam) = e(0) + B lam + O(lam^2)`` on each side.

    ``B = (de/d eps)|_{eps(0)} * (d eps/d lam)|_{lam = 0}`` with, from ``F = 0``,
    ``d eps/d lam = tau/(tau - 1)`` (``tau > 1``, ``eps(0) = 0``) and
    ``d eps/d lam = tau/(eps0 (S + eps0 S'))`` (``tau < 1``).  Returns
    ``B_icl_above, B_idg_above`` (in ``m``) and ``B_icl_below, B_idg_below`` (in ``mt``).

    >>> r = derive_lam_correction()
    >>> sorted(k for k in vars(r) if k.startswith("B_"))
    ['B_icl_above', 'B_icl_below', 'B_idg_above', 'B_idg_below']
    """
    s = s or limit_symbols()
    xs, tau, kappa, rho, lam, eps, S, Sp, m, mt = (
        s.xs, s.tau, s.kappa, s.rho, s.lam, s.eps, s.S, s.Sp, s.m, s.mt,
    )
    e_icl, _ = e_icl_ridge(xs, rho, tau, eps, S, Sp)
    e_idg = e_idg_ridge(xs, rho, tau, eps, S, Sp)
    F = fixed_point_F(eps, tau, lam, xs, S)
    dF_dlam = sp.diff(F, lam)
    dF_deps = total_eps_derivative(F, eps, S, Sp, xs, kappa)
    out = {}
    # above: dF/deps at lam = 0 is singular at eps = 0; use lam(eps) = eps (tau - 1 + eps S)/tau
    lam_of_eps = sp.solve(F, lam)[0]
    dlam_deps_above = total_eps_derivative(lam_of_eps, eps, S, Sp, xs, kappa).subs(eps, 0)
    deps_dlam_above = sp.simplify(1 / dlam_deps_above)
    deps_dlam_below = sp.simplify((-dF_dlam / dF_deps).subs(lam, 0))
    eps0 = (1 - tau) / (tau * mt)
    for name, e in (("icl", e_icl), ("idg", e_idg)):
        de = total_eps_derivative(e, eps, S, Sp, xs, kappa)
        out[f"B_{name}_above"] = (de * deps_dlam_above).subs({eps: 0}).subs(S, m)
        out[f"B_{name}_below"] = (de * deps_dlam_below).subs({eps: eps0}).subs(S, tau * mt)
    return SimpleNamespace(
        deps_dlam_above=deps_dlam_above,
        deps_dlam_below=deps_dlam_below.subs(eps, eps0).subs(S, tau * mt),
        **out,
    )


# --------------------------------------------------------------------------------------
# 2. interpolation peak tau -> 1
# --------------------------------------------------------------------------------------


def derive_pole(s=None, ridgeless=None) -> SimpleNamespace:
    """Order and residue of the ridgeless pole at ``tau = 1`` from both sides (docs/onelayer/limits.md).

    ``C = lim |tau - 1| e`` taken from above (``m`` fixed) and from below
    (``mt = M_{kappa/tau}(x*) -> m`` continuously as ``tau -> 1``).  Checks that both
    sides agree with the stated ``C_IDG = rho + x* - x*^2 m``, ``C_ICL = (1 + x*) m C_IDG``
    (modulo the MP quadratic).  The pole is simple: ``C > 0`` because ``x* m < 1``.

    >>> r = derive_pole()
    >>> all(v == 0 for v in r.checks.values())
    True
    """
    s = s or limit_symbols()
    r = ridgeless or derive_ridgeless(s)
    xs, tau, kappa, rho, m, mt = s.xs, s.tau, s.kappa, s.rho, s.m, s.mt
    h = sp.Symbol("h", positive=True)  # |tau - 1|
    C, orders = {}, {}
    for name in ("icl", "idg"):
        for side, tau_h in (("above", 1 + h), ("below", 1 - h)):
            coeffs = series_coefficients(getattr(r, f"e_{name}_{side}").subs(tau, tau_h), h, 0)
            p = min(coeffs)
            orders[f"{name}_{side}"] = -p
            C[f"C_{name}_{side}"] = sp.factor(coeffs[p].subs(mt, m))
    C_idg = rho + xs - xs**2 * m
    C_icl = (1 + xs) * m * C_idg
    Q_m = mp_poly(m, xs, kappa)
    checks = {
        f"{k} - target": reduce_modulo(v - (C_icl if "icl" in k else C_idg), m, Q_m) for k, v in C.items()
    }
    return SimpleNamespace(C_icl=C_icl, C_idg=C_idg, checks=checks, orders=orders, **C)


def derive_peak(s=None) -> SimpleNamespace:
    """Finite peak height at ``tau = 1`` for small ``lam > 0`` (docs/onelayer/limits.md).

    At ``tau = 1``, ``F = 0`` reads ``lam = eps^2 M(x* + eps)``, so
    ``eps = sqrt(lam/m) (1 + O(sqrt(lam)))`` (:func:`series_root` in
    ``s = sqrt(lam)``).  Expanding the ridge errors in ``eps`` (``S = m + m1 eps + ...``)
    gives ``e = A/eps + O(1)``, hence ``e = A sqrt(m) lam^{-1/2} + O(1)``.
    Returns ``coef_icl, coef_idg`` (coefficient of ``lam^{-1/2}``, in ``m``),
    ``exponent = -1/2`` and ``eps_series``.

    >>> r = derive_peak()
    >>> r.exponent
    -1/2
    """
    s = s or limit_symbols()
    xs, rho, eps, m = s.xs, s.rho, s.eps, s.m
    m1, m2 = sp.symbols("m_1 m_2")
    S_ser = m + m1 * eps + m2 * eps**2 / 2
    Sp_ser = m1 + m2 * eps
    e_icl, _ = e_icl_ridge(xs, rho, 1, eps, S_ser, Sp_ser)
    e_idg = e_idg_ridge(xs, rho, 1, eps, S_ser, Sp_ser)
    A_icl, p_icl = leading_term(e_icl, eps, 1)
    A_idg, p_idg = leading_term(e_idg, eps, 1)
    if p_icl != -1 or p_idg != -1:
        raise ValueError(f"expected simple poles in eps, got orders {p_icl}, {p_idg}")
    # eps(lam) at tau = 1: q = sqrt(lam), eps = q y, P(y, q) = y^2 S(q y) - 1 = 0
    q, y = sp.symbols("q y", positive=True)
    P = sp.expand(y**2 * S_ser.subs(eps, q * y) - 1)
    y_ser = series_root(P, y, q, 1 / sp.sqrt(m), 1)
    checks = {"A_icl - C_ICL/(2m)": sp.simplify(A_icl - (1 + xs) * m * (rho + xs - xs**2 * m) / (2 * m)),
              "A_idg - C_IDG/(2m)": sp.simplify(A_idg - (rho + xs - xs**2 * m) / (2 * m))}
    return SimpleNamespace(
        coef_icl=sp.factor(A_icl * sp.sqrt(m)),
        coef_idg=sp.factor(A_idg * sp.sqrt(m)),
        exponent=sp.Rational(-1, 2),
        eps_series=sp.expand(q * y_ser),
        checks=checks,
    )


# --------------------------------------------------------------------------------------
# 3. tau -> inf, then alpha -> inf; alpha -> inf at fixed tau; tau = c alpha
# --------------------------------------------------------------------------------------


def derive_tau_inf(s=None, ridgeless=None) -> SimpleNamespace:
    """``tau -> inf`` at fixed ``alpha, kappa`` of the ridgeless ``tau > 1`` forms.

    Checks the stated limits ``e_IDG -> rho + x*(1 - x* m)`` and
    ``e_ICL -> k* (1 + x*)(x* m)^2 - 2 m x*^2 + x* + rho``; the approach is
    ``e(tau) = e(inf) + D/tau + O(tau^-2)`` with ``D`` returned as ``D_icl, D_idg``.

    >>> r = derive_tau_inf()
    >>> all(v == 0 for v in r.checks.values())
    True
    """
    s = s or limit_symbols()
    r = ridgeless or derive_ridgeless(s)
    xs, tau, kappa, rho, m = s.xs, s.tau, s.kappa, s.rho, s.m
    w = sp.Symbol("w", positive=True)  # w = 1/tau
    out, checks = {}, {}
    T = r.targets
    design = {
        "icl": T.k_star * (1 + xs) * (xs * m) ** 2 - 2 * m * xs**2 + xs + rho,
        "idg": rho + xs * (1 - xs * m),
    }
    Q_m = mp_poly(m, xs, kappa)
    for name in ("icl", "idg"):
        coeffs = series_coefficients(getattr(r, f"e_{name}_above").subs(tau, 1 / w), w, 2)
        if min(coeffs) < 0:
            raise ValueError(f"e_{name} diverges as tau -> inf")
        lim = coeffs.get(0, sp.Integer(0))
        out[f"e_{name}"] = lim
        out[f"D_{name}"] = coeffs.get(1, sp.Integer(0))
        checks[f"e_{name}(tau=inf) - target"] = reduce_modulo(lim - design[name], m, Q_m)
    return SimpleNamespace(checks=checks, design=design, **out)


def small_z_stieltjes(k, regime, s=None, order=4):
    """Small-``x*`` expansion of ``M_k(x*)`` on the physical branch, in ``t = sqrt(x*)``.

    ``regime`` is ``'<1'``, ``'=1'`` or ``'>1'`` (position of ``k`` relative to 1).
    Returns the truncated series of ``M_k(t**2)`` (a Laurent polynomial in ``t``).

    >>> s = limit_symbols()
    >>> M = small_z_stieltjes(s.kappa, ">1", s, 2)
    >>> M.subs(s.t, 0)
    kappa/(kappa - 1)
    """
    s = s or limit_symbols()
    t, z = s.t, sp.Symbol("z", positive=True)
    if regime == "=1":
        v = sp.Symbol("v", positive=True)
        # u = t v, z = t^2:  u^2 + z u - z = 0  ->  v^2 + t v - 1 = 0, v(0) = 1
        v_ser = series_root(v**2 + t * v - 1, v, t, 1, 2 * order)
        return sp.expand(v_ser / t)
    u = s.u
    P = sp.expand(u**2 / k + (z + 1 - 1 / k) * u - z)
    u0 = 1 - k if regime == "<1" else sp.Integer(0)
    if regime not in ("<1", ">1"):
        raise ValueError(f"regime must be one of '<1', '=1', '>1'; got {regime!r}")
    u_ser = series_root(P, u, z, u0, order)
    return sp.expand((u_ser / z).subs(z, t**2))


def _laurent(expr, t):
    """Split an expanded Laurent polynomial in ``t`` into ``{power: coefficient}`` (unsimplified)."""
    out = {}
    for term in sp.Add.make_args(sp.expand(expr)):
        coeff, p = term.as_coeff_exponent(t)
        if coeff.has(t):
            raise ValueError(f"cannot split {term} into coefficient * t**p")
        out[p] = out.get(p, 0) + coeff
    return out


def _ratio_series(a, b, n):
    """Series of ``A/B`` from Laurent coefficient dicts, powers below ``n`` (lazy ``cancel``)."""

    def first_nonzero(d):
        for p in sorted(d):
            c = sp.cancel(d[p])
            if c != 0:
                return p
        return None

    va, vb = first_nonzero(a), first_nonzero(b)
    if va is None:
        return {}
    if vb is None:
        raise ZeroDivisionError("denominator vanishes identically")
    v = va - vb
    b0 = sp.cancel(b[vb])
    c = []
    for k in range(max(0, n - v)):
        acc = a.get(va + k, 0)
        for l in range(1, k + 1):
            bl = b.get(vb + l, 0)
            if bl != 0:
                acc -= bl * c[k - l]
        c.append(sp.cancel(acc / b0))
    out = {v + k: sp.factor(ck) for k, ck in enumerate(c)}
    return {p: ck for p, ck in out.items() if ck != 0}


def series_coefficients(expr, t, n):
    """Coefficients ``{p: c_p}`` of the expansion of ``expr`` (rational in ``t``) below order ``n``.

    Numerator and denominator are expanded separately and divided as series
    (coefficients simplified with ``cancel``/``factor``; zeros dropped).

    >>> t = sp.Symbol("t", positive=True)
    >>> series_coefficients(1 / (t * (1 - t)), t, 2)
    {-1: 1, 0: 1, 1: 1}
    """
    num, den = sp.fraction(sp.together(expr))
    return _ratio_series(_laurent(num, t), _laurent(den, t), n)


def _small_x_expansion(expr, M, Q, M_series, s, n):
    """Expand ``expr`` (rational in ``x*`` and the algebraic ``M``, root of ``Q``) as ``x* -> 0``.

    Numerator and denominator are first reduced modulo ``Q`` (linear in ``M``), then
    ``M -> M_series`` (a Laurent polynomial in ``t = sqrt(x*)``) and ``x* -> t**2``.
    Returns ``{power of x*: coefficient}`` for powers below ``n/2``.
    """
    num, den = sp.fraction(sp.together(expr))
    Qp = sp.Poly(sp.expand(sp.numer(sp.together(Q))), M)

    def reduce(p):
        rem = sp.rem(sp.Poly(sp.expand(p), M), Qp).as_expr()
        return _laurent(rem.subs(s.xs, s.t**2).subs(M, M_series), s.t)

    coeffs = _ratio_series(reduce(num), reduce(den), n)
    return {sp.Rational(p, 2): c for p, c in coeffs.items()}


def _limit_and_leading(coeffs):
    """From ``{p: c}`` (powers of ``x*``): ``(limit, A, p)`` with ``e - limit ~ A x*^p``.

    A negative leading power means divergence; then ``limit = oo`` and ``(A, p)``
    is the divergent leading term.
    """
    powers = sorted(coeffs)
    if not powers:
        return sp.Integer(0), sp.Integer(0), sp.oo
    if powers[0] < 0:
        return sp.oo, coeffs[powers[0]], powers[0]
    lim = coeffs.get(0, sp.Integer(0))
    rest = [p for p in powers if p > 0]
    if not rest:
        return lim, sp.Integer(0), sp.oo
    return lim, coeffs[rest[0]], rest[0]


def derive_alpha_inf_after_tau_inf(s=None, tau_inf=None) -> SimpleNamespace:
    """``alpha -> inf`` of the ``tau = inf`` errors, per ``kappa`` regime (docs/onelayer/limits.md).

    For each regime ``kappa < 1``, ``kappa = 1``, ``kappa > 1`` returns the limit
    and the leading correction ``e - e(inf) ~ A x*^p`` (``x* = (1 + rho)/alpha``), for
    ``e_icl``, ``e_idg`` and ``g_task``.  Result: ``regimes[regime][name] = (limit, A, p)``.

    >>> r = derive_alpha_inf_after_tau_inf()
    >>> r.regimes["=1"]["g_task"][2]
    1/2
    """
    s = s or limit_symbols()
    ti = tau_inf or derive_tau_inf(s)
    xs, kappa, m = s.xs, s.kappa, s.m
    regimes = {}
    for regime, kap in (("<1", kappa), ("=1", sp.Integer(1)), (">1", kappa)):
        M = small_z_stieltjes(kap, regime, s, order=4)
        res = {}
        exprs = {
            "e_icl": ti.e_icl,
            "e_idg": ti.e_idg,
            "g_task": ti.e_icl - ti.e_idg,
        }
        for name, e in exprs.items():
            coeffs = _small_x_expansion(e.subs(kappa, kap), m, mp_poly(m, xs, kap), M, s, 5)
            res[name] = _limit_and_leading(coeffs)
        regimes[regime] = res
    return SimpleNamespace(regimes=regimes)


def derive_alpha_inf_fixed_tau(s=None, ridgeless=None) -> SimpleNamespace:
    """``alpha -> inf`` at fixed ``tau`` (docs/onelayer/limits.md, "order of limits matters").

    Regimes by the position of ``kappa`` relative to ``kappa_c = min(tau, 1)``
    (``tau > 1`` uses ``M_kappa``, ``tau < 1`` uses ``M_{kappa/tau}``).  For each side
    of ``tau = 1`` and regime ``'<'``, ``'='``, ``'>'`` returns, for ``e_icl`` and
    ``e_idg``, the leading term ``A x*^p`` of the expansion (``p < 0``: divergence
    ``~ alpha^{-p}``) and the constant term: ``out[side][regime][name] = (A, p, const)``.

    >>> r = derive_alpha_inf_fixed_tau()
    >>> r.out["above"]["<"]["e_icl"][1]
    -1
    """
    s = s or limit_symbols()
    r = ridgeless or derive_ridgeless(s)
    xs, tau, kappa, m, mt = s.xs, s.tau, s.kappa, s.m, s.mt
    out = {"above": {}, "below": {}}
    for side, sym, keff in (("above", m, kappa), ("below", mt, kappa / tau)):
        for regime, rg in (("<", "<1"), ("=", "=1"), (">", ">1")):
            if regime == "=":
                subs_k = {kappa: sp.Integer(1)} if side == "above" else {kappa: tau}
                M = small_z_stieltjes(sp.Integer(1), "=1", s, order=4)
            else:
                subs_k = {}
                M = small_z_stieltjes(keff, rg, s, order=4)
            res = {}
            for name in ("icl", "idg"):
                e = getattr(r, f"e_{name}_{side}").subs(subs_k)
                Q = mp_poly(sym, xs, keff.subs(subs_k))
                coeffs = _small_x_expansion(e, sym, Q, M, s, 1)
                p0 = min(coeffs)
                res[f"e_{name}"] = (coeffs[p0], p0, coeffs.get(0, sp.Integer(0)))
            out[side][regime] = res
    return SimpleNamespace(out=out)


def derive_tau_prop_alpha(s=None, ridgeless=None) -> SimpleNamespace:
    """``g_task`` along the paper's Fig. 4 path ``tau = c alpha``, ``alpha -> inf``.

    With ``tau = c (1 + rho)/x*`` (``tau > 1`` eventually), returns
    ``g_task`` limits for ``kappa < 1``, ``= 1``, ``> 1``: ``limits[regime]``.

    >>> r = derive_tau_prop_alpha()
    >>> r.limits[">1"]
    0
    """
    s = s or limit_symbols()
    r = ridgeless or derive_ridgeless(s)
    xs, tau, kappa, rho, m, c = s.xs, s.tau, s.kappa, s.rho, s.m, s.c
    g = r.e_icl_above - r.e_idg_above
    limits = {}
    for regime, kap in (("<1", kappa), ("=1", sp.Integer(1)), (">1", kappa)):
        M = small_z_stieltjes(kap, regime, s, order=3)
        e = sp.cancel(g.subs({tau: c * (1 + rho) / xs}).subs(kappa, kap))
        coeffs = _small_x_expansion(e, m, mp_poly(m, xs, kap), M, s, 1)
        limits[regime] = _limit_and_leading(coeffs)[0]
    return SimpleNamespace(limits=limits)


# --------------------------------------------------------------------------------------
# 4. kappa -> inf
# --------------------------------------------------------------------------------------


def derive_kappa_inf(s=None, ridgeless=None) -> SimpleNamespace:
    """``kappa -> inf``: ``M = 1/(1 + z)``; ridgeless closed forms, ``e_ICL = e_IDG``.

    Also the ridge ``kappa = inf`` fixed point in closed form: ``F = 0`` becomes
    ``tau eps^2 - B eps - tau lam (1 + x*) = 0``, ``B = (1 - tau)(1 + x*) + tau lam``,
    whose unique positive root is ``eps = (B + sqrt(B^2 + 4 tau^2 lam (1 + x*)))/(2 tau)``.

    >>> r = derive_kappa_inf()
    >>> all(v == 0 for v in r.checks.values())
    True
    """
    s = s or limit_symbols()
    r = ridgeless or derive_ridgeless(s)
    xs, tau, kappa, lam, eps, m, mt = s.xs, s.tau, s.kappa, s.lam, s.eps, s.m, s.mt
    ik = sp.Symbol("iota", positive=True)  # 1/kappa
    out, checks = {}, {}
    for side, sym in (("above", m), ("below", mt)):
        for name in ("icl", "idg"):
            e = getattr(r, f"e_{name}_{side}").subs(kappa, 1 / ik)
            e = sp.limit(sp.cancel(e), ik, 0)
            out[f"e_{name}_{side}"] = sp.factor(sp.cancel(e.subs(sym, 1 / (1 + xs))))
        checks[f"e_icl_{side} - e_idg_{side}"] = sp.simplify(out[f"e_icl_{side}"] - out[f"e_idg_{side}"])
    B = (1 - tau) * (1 + xs) + tau * lam
    eps_closed = (B + sp.sqrt(B**2 + 4 * tau**2 * lam * (1 + xs))) / (2 * tau)
    F = fixed_point_F(eps, tau, lam, xs, 1 / (1 + xs + eps))
    checks["F(eps_closed)"] = sp.simplify(sp.numer(sp.together(F)).subs(eps, eps_closed))
    return SimpleNamespace(eps_ridge=eps_closed, checks=checks, **out)


# --------------------------------------------------------------------------------------
# 5. d e / d alpha for the optimal context length
# --------------------------------------------------------------------------------------


def derive_alpha_derivative(s=None, ridgeless=None) -> SimpleNamespace:
    """``d e/d alpha`` of the ridgeless errors, for the optimal context length ``alpha*``.

    ``x* = (1 + rho)/alpha`` so ``d/d alpha = -(x*^2/(1 + rho)) d/d x*``, and
    ``dm/dx* = M_kappa'(x*)``, ``dmt/dx* = M_{kappa/tau}'(x*)`` by implicit
    differentiation (rational in ``m``, ``mt``).  Returns ``de_{icl,idg}_{above,below}``.

    >>> r = derive_alpha_derivative()
    >>> r.de_idg_above.has(limit_symbols().m)
    True
    """
    s = s or limit_symbols()
    r = ridgeless or derive_ridgeless(s)
    xs, tau, kappa, rho, m, mt = s.xs, s.tau, s.kappa, s.rho, s.m, s.mt
    dm = stieltjes_mp_derivative(m, xs, kappa)
    dmt = stieltjes_mp_derivative(mt, xs, kappa / tau)
    out = {}
    for side, sym, dsym in (("above", m, dm), ("below", mt, dmt)):
        for name in ("icl", "idg"):
            # the paper's form (proved equal to the derived one on the MP curve, hence so are
            # their derivatives along it); it is the shortest, which matters for speed.
            e = getattr(r.targets, f"e_{name}_{side}")
            de_dxs = sp.diff(e, xs) + sp.diff(e, sym) * dsym
            out[f"de_{name}_{side}"] = -(xs**2 / (1 + rho)) * de_dxs
            out[f"e_{name}_{side}"] = e
    return SimpleNamespace(**out)

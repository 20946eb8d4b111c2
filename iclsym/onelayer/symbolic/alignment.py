"""Structured task covariances (Letey et al. 2025): the ICL error, its split and the spectral kernel, derived.

Pretraining tasks ``w ~ N(0, C_train)``, test tasks ``w ~ N(0, C_test)``.  The derivation follows the
deterministic-equivalent route of the isotropic ridge theory (docs/onelayer/asymptotic-theory.md,
:func:`iclsym.onelayer.symbolic.asymptotic.error_deterministic_equivalent`): ridge pretraining on the
features ``x (kron) s`` gives a trained ``Gamma`` with mean ``Gamma_bar = S_hat (S_hat + nu)^{-1}``
(``S_hat`` the bank second moment, ``nu = x* + eps``) plus a fluctuation whose size is
``q = N/(tau - df2)``; a test law with task second moment ``C_test`` and context noise ``x*_te`` per
coordinate then has the error

    e = rho + (1/d) tr[C_test (1 - gamma)^2] + x*_te (1/d) tr gamma^2
            + q ((1/d) tr[C_test Sigma (Sigma + eps)^{-2}] + x*_te (1/d) tr Sigma (Sigma + eps)^{-2}),

``gamma = S_hat (S_hat + nu)^{-1}``, ``Sigma = S_hat + x*``, all matrix functions of ``S_hat``.  Each
trace ``(1/d) tr[C_test f(S_hat)]`` with ``f`` rational reduces (partial fractions in the eigenvalue
``t`` of ``S_hat``) to the anisotropic deterministic equivalents

    (S_hat + z)^{-1} ~ F(z) = (a C_train + z)^{-1},   (S_hat + z)^{-2} ~ F2 = F (b C_train + I) F,

(:mod:`iclsym.engine.discrete_spectrum`) and ``S_hat ~ C_train`` for the polynomial part: a mean over
the eigenvalues ``lam_i`` of ``C_train`` of ``c_i x (summand)``, ``c_i = u_i^T C_test u_i``.  The
coefficient of ``c_i`` is the **spectral kernel** ``k(lam_i)``; the rest is ``e_scalar``.  With
``eps`` the ridge root this is the ridge error for general spectra (not in the paper); with the
ridgeless root and ``r = tau lam/eps -> max(tau - 1, 0)`` it is the paper's ``e_ICL``.

The derived forms are proved equal (for every spectrum, modulo the fixed point) to the paper's
as-written formulas and to the cancellation-free forms the NumPy path evaluates; the reduction to
Lu et al. (2024) (``C_train = C_test = I``) is an identity modulo the Marchenko–Pastur quadratic.
"""

from __future__ import annotations

from functools import lru_cache
from types import SimpleNamespace

import sympy as sp

from iclsym.engine import discrete_spectrum as ds

__all__ = [
    "symbols", "de_trace", "derive_errors", "paper_forms", "stable_forms", "check_forms", "reduction_to_paper1",
    "kernel_derivative", "kernel_turning_point", "kernel_limits",
]


@lru_cache(maxsize=None)
def symbols() -> SimpleNamespace:
    """Symbols: those of :func:`iclsym.engine.discrete_spectrum.symbols` plus the model's.

    ``t`` (eigenvalue of ``S_hat``), ``c`` (``c_i``), ``xs`` (``x*``), ``xt`` (``x*_te``), ``eps``
    (lambda-tilde), ``nu`` (sigma), ``q``, ``rho``, ``tau``, ``r`` (``tau lam/eps``), ``N``, ``V``.
    """
    s = ds.symbols()
    pos = dict(positive=True)
    ns = SimpleNamespace(**vars(s))
    for name in ("t", "xs", "xt", "eps", "tau", "q", "N", "V", "r"):
        setattr(ns, name, sp.Symbol(name, **pos))
    ns.rho = sp.Symbol("rho", nonnegative=True)
    ns.c = sp.Symbol("c", nonnegative=True)
    ns.nu = ns.xs + ns.eps
    return ns


def _summand_of_resolvent_power(q, coeff):
    """Summand (in ``lam``) of the deterministic equivalent of ``coeff (S_hat + nu)^{-q}`` (``q = 1, 2``)."""
    s = symbols()
    u = s.a * s.lam + s.nu
    if q == 1:
        return coeff / u
    if q == 2:
        return coeff * (s.b * s.lam + 1) / u**2
    raise ValueError(f"deterministic equivalent of (S_hat + nu)^-{q} is not needed here")


def de_trace(f) -> sp.Expr:
    """Summand ``h(lam)`` with ``(1/d) tr[C f(S_hat)] ~ mean_i c_i h(lam_i)`` (``f`` rational in ``t``).

    Partial fractions in ``t``: ``(t + nu)^{-1} -> 1/(a lam + nu)``, ``(t + nu)^{-2} -> (b lam + 1)/(a lam + nu)^2``,
    ``t^0 -> 1``, ``t -> lam`` (``E S_hat = C_train``).

    >>> s = symbols()
    >>> sp.simplify(de_trace(s.t / (s.t + s.nu)) - (1 - s.nu / (s.a * s.lam + s.nu)))
    0
    """
    s = symbols()
    f = sp.apart(sp.together(f), s.t)
    total = sp.Integer(0)
    for term in sp.Add.make_args(f):
        num, den = sp.fraction(sp.factor(term))
        if not den.has(s.t):
            poly = sp.Poly(sp.expand(num / den), s.t)
            for (j,), coeff in poly.terms():
                if j > 1:
                    raise ValueError("de_trace: polynomial part of degree > 1")
                total += coeff * (s.lam if j else 1)
            continue
        coeff, factors = sp.factor_list(den, s.t)
        (base, q), = factors
        if num.has(s.t) or sp.simplify(base - (s.t + s.nu)) != 0:
            raise ValueError(f"de_trace: unexpected partial-fraction term {term}")
        total += _summand_of_resolvent_power(q, num / coeff)
    return total


@lru_cache(maxsize=None)
def derive_errors() -> SimpleNamespace:
    """The deterministic-equivalent errors, derived (module docstring).

    Returns summands (functions of ``lam``; means over the spectrum of ``C_train``, the ``kernel`` also
    weighted by ``c``) and scalars, with ``q``, ``eps``, ``xs``, ``xt`` symbolic:

    * ``kernel`` -- ``k(lam)``: ``e_misalign = mean_i c_i k(lam_i)``;
    * ``scalar`` -- summand of ``e_scalar - rho``;
    * ``N`` -- summand of ``N - rho`` (the training error numerator; the bank is the test law);
    * ``df2`` -- summand of ``df2 = (1/d) tr Sigma^2 (Sigma + eps)^{-2}``;
    * ``idg_weight`` -- summand of ``(1/d) tr[S_hat Sigma (Sigma+eps)^{-2}] + x* (1/d) tr Sigma (Sigma+eps)^{-2}``
      (the bank as test law), so that ``e_IDG = rho + N_summands + q idg_weight``.
    """
    s = symbols()
    t, nu, xs, xt = s.t, s.nu, s.xs, s.xt
    one_minus_gamma_sq = (nu / (t + nu)) ** 2
    gamma_sq = (t / (t + nu)) ** 2
    weight = (t + xs) / (t + nu) ** 2
    kernel = de_trace(one_minus_gamma_sq) + s.q * de_trace(weight)
    scalar = xt * de_trace(gamma_sq) + s.q * xt * de_trace(weight)
    # the bank as the test law: test second moment S_hat itself (t f(t)) and noise x*
    N = de_trace(t * one_minus_gamma_sq) + xs * de_trace(gamma_sq)
    idg_weight = de_trace(t * weight) + xs * de_trace(weight)
    df2 = de_trace((t + xs) ** 2 / (t + nu) ** 2)
    return SimpleNamespace(kernel=kernel, scalar=scalar, N=N, df2=df2, idg_weight=idg_weight)


def paper_forms() -> SimpleNamespace:
    """The paper's as-written formulas (with ``M, Mp = M'`` at ``nu``, ``F, F2`` summands).

    ``xi = eps`` (lambda-tilde), ``Q = 1 - 2 xi M - xi^2 M'``,
    ``q = [rho + nu - nu^2 M - xi (1 - 2 nu M - nu^2 M')]/(tau - Q)`` (ridgeless: ``tau - Q``; the ridge
    generalisation ``tau - Q -> eps V + r`` is :func:`stable_forms`' denominator),
    ``e_scalar = rho + x*_te [1 + (q - 2 nu) M + (xi q - nu^2) M']``,
    ``k(lam) = q/(a lam + nu) - (xi q - nu^2)(b lam + 1)/(a lam + nu)^2``.
    """
    s = symbols()
    Mp = sp.Symbol("Mp", real=True)
    nu, xi, M, g = s.nu, s.eps, s.M, s.q
    u = s.a * s.lam + nu
    return SimpleNamespace(
        Mp=Mp,
        Q=1 - 2 * xi * M - xi**2 * Mp,
        q_numerator=s.rho + nu - nu**2 * M - xi * (1 - 2 * nu * M - nu**2 * Mp),
        e_scalar=s.rho + s.xt * (1 + (g - 2 * nu) * M + (xi * g - nu**2) * Mp),
        kernel=g / u - (xi * g - nu**2) * (s.b * s.lam + 1) / u**2,
    )


def stable_forms() -> SimpleNamespace:
    """Cancellation-free forms (sums of positive terms; ``P = -M'``, traces of
    :func:`iclsym.engine.discrete_spectrum.stable_forms` at ``z = nu``).

    * ``k(lam) = [q (lam (a - eps b) + x*) + nu^2 (b lam + 1)]/(a lam + nu)^2``, with ``a - eps b > 0``;
    * ``e_scalar = rho + x*_te (T2 + q V)``, ``V = U + x* P``;
    * ``N = rho + x* T2 + nu^2 U``, ``tau - df2 = eps V + r`` at the root (``r = tau lam/eps``);
    * ``q = N/(eps V + r)``, ``e_IDG = tau q``.
    """
    s = symbols()
    u = s.a * s.lam + s.nu
    P, T2, U = sp.symbols("P T2 U", positive=True)
    V = U + s.xs * P
    return SimpleNamespace(
        P=P, T2=T2, U=U, V=V,
        kernel=(s.q * (s.lam * (s.a - s.eps * s.b) + s.xs) + s.nu**2 * (s.b * s.lam + 1)) / u**2,
        e_scalar=s.rho + s.xt * (T2 + s.q * V),
        N=s.rho + s.xs * T2 + s.nu**2 * U,
        q=(s.rho + s.xs * T2 + s.nu**2 * U) / (s.eps * V + s.r),
    )


@lru_cache(maxsize=None)
def check_forms() -> dict[str, bool]:
    """Prove the derived, the paper's and the stable forms equal (for every spectrum, modulo the fixed point).

    >>> all(check_forms().values())
    True
    """
    s = symbols()
    D = derive_errors()
    pf = paper_forms()
    st = stable_forms()
    st_ds = ds.stable_forms()
    z = s.z
    # named traces at z = nu (stable forms of the engine), b derived
    b = ds.derive_b()
    Mp = -st_ds.P.subs(s.b, b)
    repl = {st.P: st_ds.P, st.T2: st_ds.T2, st.U: st_ds.U}

    def nu_to_z(e):
        return sp.sympify(e).subs(s.xs, z - s.eps)

    def mean(summand):
        return ds.canonical(nu_to_z(summand).subs(s.b, b))

    out = {}
    # kernel: derived == paper == stable (a summand identity once b is the derived a')
    out["kernel: derived = paper's k(lam)"] = sp.simplify(nu_to_z(D.kernel - pf.kernel)) == 0
    out["kernel: derived = stable form"] = sp.simplify(nu_to_z(D.kernel - st.kernel)) == 0
    # e_scalar
    derived_scalar = s.rho + mean(D.scalar)
    paper_scalar = nu_to_z(pf.e_scalar).subs(pf.Mp, Mp)
    stable_scalar = nu_to_z(st.e_scalar.subs(repl)).subs(s.b, b)
    out["e_scalar: derived = paper"] = ds.equal_mod_fixed_point(derived_scalar, paper_scalar)
    out["e_scalar: derived = stable"] = ds.equal_mod_fixed_point(derived_scalar, stable_scalar)
    # N (numerator of q)
    derived_N = s.rho + mean(D.N)
    out["N: derived = paper's numerator of q"] = ds.equal_mod_fixed_point(
        derived_N, nu_to_z(pf.q_numerator).subs(pf.Mp, Mp))
    out["N: derived = stable"] = ds.equal_mod_fixed_point(derived_N, nu_to_z(st.N.subs(repl)).subs(s.b, b))
    # df2 = Q, and tau - Q = eps V + r at the root h = eps M - (1 - tau) - tau lam/eps = 0, i.e. r = tau - 1 + eps M
    derived_df2 = mean(D.df2)
    out["df2 = Q = 1 - 2 eps M - eps^2 M'"] = ds.equal_mod_fixed_point(
        derived_df2, nu_to_z(pf.Q).subs(pf.Mp, Mp))
    V = nu_to_z(st.V.subs(repl)).subs(s.b, b)
    r_at_root = s.tau - 1 + s.eps * s.R[1]
    out["tau - df2 = eps V + r at the fixed point"] = ds.equal_mod_fixed_point(
        s.tau - derived_df2, s.eps * V + r_at_root)
    # e_IDG = rho + N + q idg_weight = tau q when q = N/(tau - df2)
    g_val = derived_N / (s.tau - derived_df2)
    idg = derived_N + g_val * mean(D.idg_weight)
    out["e_IDG = tau q"] = ds.equal_mod_fixed_point(sp.together(idg - s.tau * g_val), 0)
    return out


@lru_cache(maxsize=None)
def reduction_to_paper1() -> dict[str, bool]:
    """``C_train = C_test = I``, ``x*_te = x*``: ``e_scalar + e_misalign`` is the ridge ``e_ICL`` of
    Lu et al. (2024) (:func:`iclsym.onelayer.symbolic.asymptotic.e_icl_ridge`) and ``tau q`` its ``e_IDG``,
    identically modulo the Marchenko–Pastur quadratic, for every ``eps`` (ridge and ridgeless).

    With a single eigenvalue 1 the spectral means are explicit in ``a``: ``M = 1/(a + nu)`` etc.;
    the fixed point is the quadratic ``a^2 + (nu - 1 + ik) a - nu = 0`` in ``a``.

    >>> all(reduction_to_paper1().values())
    True
    """
    from iclsym.onelayer.symbolic.asymptotic import e_icl_ridge, e_idg_ridge

    s = symbols()
    D = derive_errors()
    b = ds.derive_b()
    z = s.z

    def one(summand):
        """mean over the single eigenvalue 1 (c = 1), as a rational function of a (z = nu)."""
        return sp.together(summand.subs(s.xs, z - s.eps).subs(s.b, b).subs(s.lam, 1)
                           .subs({s.R[1]: 1 / (s.a + z), s.R[2]: 1 / (s.a + z) ** 2}))

    M = 1 / (s.a + z)
    Mp = one(-(s.S2 + s.b * s.S2l)).subs({s.S2: 1 / (s.a + z) ** 2, s.S2l: 1 / (s.a + z) ** 2})
    xs = z - s.eps
    N = s.rho + one(D.N)
    df2 = one(D.df2)
    g = N / (s.tau - df2)
    ours = s.rho + one(D.scalar).subs(s.xt, xs) + one(D.kernel)
    ours = ours.subs(s.q, g)
    paper_icl, _ = e_icl_ridge(xs, s.rho, s.tau, s.eps, M, Mp)
    paper_idg = e_idg_ridge(xs, s.rho, s.tau, s.eps, M, Mp)
    quad = sp.Poly(s.a**2 + (z - 1 + s.ik) * s.a - z, s.a)

    def zero_mod_quadratic(expr):
        num, _ = sp.fraction(sp.together(expr))
        return sp.Poly(sp.expand(num), s.a).rem(quad).is_zero

    # the isotropic fixed point is that quadratic: chi(a) with lam = 1 times (a + z)
    chi = (s.a - 1 + s.ik * s.a / (s.a + z)) * (s.a + z)
    return {
        "fixed point with C = I is the quadratic": sp.cancel(chi - quad.as_expr()) == 0,
        "e_ICL (C_train = C_test = I) = Lu et al. ridge e_ICL": zero_mod_quadratic(ours - paper_icl),
        "tau q = Lu et al. ridge e_IDG": zero_mod_quadratic(s.tau * g - paper_idg),
    }


def kernel_derivative() -> SimpleNamespace:
    """``dk/dlam = (alpha1 nu - 2 a alpha0 - a alpha1 lam)/(a lam + nu)^3``: the numerator is linear in
    ``lam`` with slope ``-a alpha1 < 0`` (``alpha1 = q (a - eps b) + nu^2 b``, ``alpha0 = q x* + nu^2``).

    >>> kd = kernel_derivative(); sp.simplify(kd.derivative - kd.form)
    0
    """
    s = symbols()
    k = stable_forms().kernel
    alpha1 = s.q * (s.a - s.eps * s.b) + s.nu**2 * s.b
    alpha0 = s.q * s.xs + s.nu**2
    form = (alpha1 * s.nu - 2 * s.a * alpha0 - s.a * alpha1 * s.lam) / (s.a * s.lam + s.nu) ** 3
    return SimpleNamespace(derivative=sp.diff(k, s.lam), form=form, alpha1=alpha1, alpha0=alpha0)


def kernel_turning_point() -> SimpleNamespace:
    """The kernel is unimodal: increasing for ``lam < lam_c`` and decreasing for ``lam > lam_c``,

        lam_c = nu/a - 2 alpha0/alpha1,

    and for ``eps = 0`` (``tau > 1``, ridgeless) ``lam_c < 0``: ``k`` is decreasing on ``lam >= 0`` (the
    paper's ordering).  Proof of the last claim: ``lam_c < 0`` iff ``alpha1 nu < 2 a alpha0``, i.e.
    ``q a nu + nu^3 b < 2 a q nu + 2 a nu^2``, which holds since ``nu b < a`` (``b nu = a ik nu S2l/(1 +
    ik nu S2l) < a``).  Returns ``lam_c`` and the inequality at ``eps = 0`` as ``margin = 2 a alpha0 -
    alpha1 nu`` written as a sum of positive terms given ``a - nu b > 0``.

    >>> tp = kernel_turning_point(); s = symbols()
    >>> sp.simplify(tp.margin_eps0 - tp.margin_eps0_positive)
    0
    """
    s = symbols()
    kd = kernel_derivative()
    lam_c = s.nu / s.a - 2 * kd.alpha0 / kd.alpha1
    margin = sp.expand((2 * s.a * kd.alpha0 - kd.alpha1 * s.nu).subs(s.eps, 0))
    x = s.xs
    positive = s.q * s.a * x + x**2 * (s.a - x * s.b) + s.a * x**2
    return SimpleNamespace(lam_c=lam_c, margin_eps0=margin, margin_eps0_positive=sp.expand(positive))


def kernel_limits() -> SimpleNamespace:
    """Closed forms of ``k(lam)`` in three limits (derived from :func:`stable_forms` by substitution/limit):

    * ``kappa -> inf``: ``a = 1``, ``b = 0``: ``k = [q (lam + x*) + nu^2]/(lam + nu)^2`` (``F = (C + nu)^{-1}``);
    * ``tau -> inf`` (``eps = 0``, ``q -> 0`` like ``N/tau``): ``k = x*^2 (b lam + 1)/(a lam + x*)^2``, the
      bias of the mean predictor ``Gamma_bar``;
    * ``alpha -> inf`` with ``tau > 1`` (``eps = 0``, ``nu = x* -> 0``): for ``lam > 0``,
      ``k -> q0/(a0 lam)`` with ``a0 = a(0+)`` and ``q0 = rho/(tau - 1)``; for ``lam = 0`` (directions
      outside the range of ``C_train``) ``k = 1 + q/x* -> inf`` like ``rho/((tau - 1) x*)``.
    """
    s = symbols()
    k = stable_forms().kernel
    a0, q0 = sp.symbols("a0 q0", positive=True)
    kappa_inf = sp.simplify(k.subs({s.a: 1, s.b: 0}))
    tau_inf = sp.simplify(k.subs({s.eps: 0, s.q: 0}))
    k_eps0 = k.subs(s.eps, 0)
    alpha_inf = sp.limit(k_eps0.subs({s.a: a0, s.q: q0}), s.xs, 0, "+")
    alpha_inf_null = sp.simplify(k_eps0.subs(s.lam, 0))
    return SimpleNamespace(kappa_inf=kappa_inf, tau_inf=tau_inf, alpha_inf=alpha_inf, alpha_inf_null=alpha_inf_null,
                           a0=a0, q0=q0)


# ----------------------------------------------------------------------------- gradient through the fixed point
#: the spectral sums e_ICL depends on, with their summands (``u = a lam + nu``; ``c`` the test diagonal)
GRADIENT_SUMS = ("M", "S2", "S1l", "S2l", "S2ll", "C2", "C2l")


@lru_cache(maxsize=None)
def gradient_pieces() -> SimpleNamespace:
    """What the gradient of ``e_ICL`` with respect to the eigenvalues of ``C_train`` needs (derived).

    ``e_ICL = Phi(a, eps, x*, r, s)`` is explicit in the scalars and the spectral sums
    ``s_k = mean_i f_k(lam_i, c_i, a, nu)`` (:data:`GRADIENT_SUMS`); ``a`` and ``eps`` are fixed by
    ``chi = a - 1 + ik a S1l = 0`` and ``h = eps M - (1 - tau) - r`` with ``r = tau lam/eps`` (ridge) --
    for the ridgeless ``tau < 1`` root ``r = 0``, and for ``tau > 1`` ridgeless ``eps = 0`` is fixed.
    The gradient is assembled by the adjoint of the 2 x 2 implicit system
    (:func:`iclsym.onelayer.theory.optimal_spectrum.gradient`).  Returned: the summands ``f``, their
    partial derivatives ``df_dlam, df_da, df_dnu``; ``Phi`` and its partials (``dPhi`` keyed by symbol);
    ``chi``, ``h`` and their partials.
    """
    s = symbols()
    nu_s = sp.Symbol("nu", positive=True)
    u = s.a * s.lam + nu_s
    f = {"M": 1 / u, "S2": u**-2, "S1l": s.lam / u, "S2l": s.lam / u**2, "S2ll": s.lam**2 / u**2,
         "C2": s.c / u**2, "C2l": s.c * s.lam / u**2}
    S = {k: sp.Symbol(k, positive=True) for k in GRADIENT_SUMS}
    nu = s.xs + s.eps
    den = 1 + s.ik * nu * S["S2l"]
    b = s.ik * s.a * S["S2l"] / den
    P = S["S2"] + b * S["S2l"]
    T2 = s.a**2 * S["S2ll"] + nu**2 * b * S["S2l"]
    U = s.a * S["S2l"] / den
    V = U + s.xs * P
    N = s.rho + s.xs * T2 + nu**2 * U
    q = N / (s.eps * V + s.r)
    phi = s.rho + s.xt * (T2 + q * V) + q * ((s.a - s.eps * b) * S["C2l"] + s.xs * S["C2"]) + nu**2 * (
        b * S["C2l"] + S["C2"])
    chi = s.a - 1 + s.ik * s.a * S["S1l"]
    h = s.eps * S["M"] - (1 - s.tau) - s.r
    scal = (s.a, s.eps, s.xs, s.r)
    return SimpleNamespace(
        nu=nu_s, f=f, S=S,
        df_dlam={k: sp.diff(v, s.lam) for k, v in f.items()},
        df_da={k: sp.diff(v, s.a) for k, v in f.items()},
        df_dnu={k: sp.diff(v, nu_s) for k, v in f.items()},
        phi=phi, dphi_scalars=tuple(sp.diff(phi, x) for x in scal), dphi_sums=tuple(sp.diff(phi, S[k]) for k in
                                                                                     GRADIENT_SUMS),
        chi=chi, dchi_a=sp.diff(chi, s.a), dchi_S1l=sp.diff(chi, S["S1l"]),
        h=h, dh_eps=sp.diff(h, s.eps), dh_M=sp.diff(h, S["M"]), dh_r=sp.diff(h, s.r),
    )

"""Symbolic identities behind the ridge theory (SymPy; docs/architecture.md, tiers 1 and 3).

Identities in ``S = M(nu)`` hold modulo the MP quadratic ``nu ik S^2 + (nu + 1 - ik) S - 1``
(``ik = 1/kappa``; its S-derivative gives ``D = 2 nu ik S + nu + 1 - ik``).  They are checked
exactly in the rational-function field QQ(S, params): the numerator of ``lhs - rhs`` has zero
pseudo-remainder by the quadratic, i.e. the quadratic divides it (it is primitive and
irreducible in S), which proves the identity on the physical branch.
"""

import sympy as sp
from sympy import QQ
from sympy.polys.fields import field

from iclsym.onelayer.symbolic.asymptotic import (
    e_icl_ridge,
    e_idg_deterministic_equivalent,
    error_deterministic_equivalent,
    fixed_point_deterministic_equivalent,
    fixed_point_F,
    e_idg_ridge,
    g_task_stable,
    ridge_errors_stable,
    ridgeless_targets,
)
from iclsym.engine.stieltjes import mp_derivatives, mp_stable_traces, stieltjes_mp_derivative


def stable_traces(nu, ik, S, D):
    t = mp_stable_traces(nu, ik, S, D)
    return t.P, t.T1, t.T2, t.U


def vanishes_mod_quadratic(diff, quad):
    """``diff`` (field element) is 0 modulo ``quad`` (generator 0 of the field is S)."""
    return diff.numer.prem(quad.numer, 0) == 0


def ridge_field():
    K, S, xs, rho, tau, eps, ik = field("S,xs,rho,tau,eps,ik", QQ)
    z = xs + eps
    quad = z * ik * S**2 + (z + 1 - ik) * S - 1
    return K, S, xs, rho, tau, eps, ik, z, quad


def test_stieltjes_derivative_is_the_implicit_one():
    nu, k, M = sp.symbols("nu kappa M", positive=True)
    expected = -(M**2 / k + M) / (2 * nu * M / k + nu + 1 - 1 / k)
    assert sp.simplify(stieltjes_mp_derivative(M, nu, k) - expected) == 0


def test_stable_traces_equal_the_literal_ones():
    K, S, xs, rho, tau, eps, ik, z, quad = ridge_field()
    D = 2 * z * ik * S + z + 1 - ik
    Sp = -(ik * S**2 + S) / D  # implicit derivative of the quadratic
    stable = stable_traces(z, ik, S, D)
    literal = (-Sp, 1 - z * S, 1 - 2 * z * S - z**2 * Sp, S + z * Sp)
    for a, b in zip(stable, literal):
        assert vanishes_mod_quadratic(a - b, quad)
    assert not vanishes_mod_quadratic(stable[2] - (1 - z * S), quad)  # the check can fail
    extra = mp_stable_traces(z, ik, S, D)
    assert vanishes_mod_quadratic(extra.PmU - (literal[0] - literal[3]), quad)
    # 1 + nu - D, with D the discriminant root (D**2 = (nu + 1 - ik)**2 + 4 nu ik on the branch)
    assert vanishes_mod_quadratic((1 + z - D) * (1 + z + D) - extra.one_nu_D * (1 + z + D), quad)


def test_engine_derivatives_equal_derivatives_of_the_closed_form():
    """M' and M'' of the engine (implicit differentiation) against sympy.diff of the closed form,
    at 50 digits on random points (both kappa < 1 and kappa > 1)."""
    from iclsym.engine.stieltjes import stieltjes_mp

    z, k = sp.symbols("z kappa", positive=True)
    M = stieltjes_mp(z, k)
    D = sp.sqrt((z + 1 - 1 / k) ** 2 + 4 * z / k)
    d1, d2 = mp_derivatives(z, 1 / k, M, D)
    for zz, kk in [("0.3", "0.5"), ("2.5", "4"), ("0.01", "1.7"), ("7", "0.1")]:
        at = {z: sp.Rational(zz), k: sp.Rational(kk)}
        for mine, ref in ((d1, sp.diff(M, z)), (d2, sp.diff(M, z, 2))):
            a, b = sp.N(mine.subs(at), 50), sp.N(ref.subs(at), 50)
            assert abs(a - b) <= sp.Float("1e-45") * abs(b)


def test_stable_errors_equal_design_at_the_fixed_point():
    """With r = tau lam/eps = eps S - (1 - tau) (F = 0), the cancellation-free e_ICL, e_IDG and
    g_task equal the paper's e_ICL, -tau c_e and their difference."""
    K, S, xs, rho, tau, eps, ik, z, quad = ridge_field()
    D = 2 * z * ik * S + z + 1 - ik
    Sp = -(ik * S**2 + S) / D
    P, T1, T2, U = stable_traces(z, ik, S, D)
    r = eps * S - (1 - tau)
    e_icl_s, e_idg_s = ridge_errors_stable(xs, rho, tau, eps, r, P, T2, U)
    e_icl_d, _ = e_icl_ridge(xs, rho, tau, eps, S, Sp)
    e_idg_d = e_idg_ridge(xs, rho, tau, eps, S, Sp)
    assert vanishes_mod_quadratic(e_icl_s - e_icl_d, quad)
    assert vanishes_mod_quadratic(e_idg_s - e_idg_d, quad)
    g = g_task_stable(xs, rho, tau, eps, r, z, ik, S, D, P, T2, U)
    assert vanishes_mod_quadratic(g - (e_icl_s - e_idg_s), quad)
    # without the fixed point (r = 0) the ridge forms differ: the check is not vacuous
    e_icl_0, _ = ridge_errors_stable(xs, rho, tau, eps, 0 * r, P, T2, U)
    assert not vanishes_mod_quadratic(e_icl_0 - e_icl_d, quad)


def test_deterministic_equivalent_gives_minus_tau_c_e():
    """e_IDG from the deterministic equivalent of ridge (traces reduced by partial fractions in
    the eigenvalue t; the M(x*) terms of sigma_eff^2 and of the bias cancel) equals -tau c_e."""
    xs, rho, tau, eps, t, kappa = sp.symbols("xs rho tau eps t kappa", positive=True)
    names = {}

    def M(a, j):
        return names.setdefault((sp.simplify(a - xs), j), sp.Symbol(f"M{j}_{len(names)}"))

    num, df2 = e_idg_deterministic_equivalent(xs, rho, tau, eps, t, kappa, M)
    assert M(0 + xs, 0) not in sp.expand(num).free_symbols  # M(x*) cancels
    S_, Sp_ = M(xs + eps, 0), M(xs + eps, 1)
    assert sp.simplify(df2 - (1 - 2 * eps * S_ - eps**2 * Sp_)) == 0
    assert sp.simplify(tau * num / (tau - df2) - e_idg_ridge(xs, rho, tau, eps, S_, Sp_)) == 0


def test_kappa_inf_icl_equals_idg_identically():
    xs, rho, tau, eps = sp.symbols("xs rho tau eps", positive=True)
    S_inf = 1 / (1 + xs + eps)
    e1, _ = e_icl_ridge(xs, rho, tau, eps, S_inf, -S_inf**2)
    e2 = e_idg_ridge(xs, rho, tau, eps, S_inf, -S_inf**2)
    assert sp.simplify(e1 - e2) == 0


def test_ridgeless_above_threshold_symbolically():
    """tau > 1: the lam -> 0+ root is eps = 0, and the paper's e_ICL, e_IDG at eps = 0 are exactly
    its ridgeless tau > 1 formulas (with m* = M(x*), k* = [1 - kappa (m*/(kappa + m*))^2]^-1)."""
    alpha, kappa, m, rho, tau = sp.symbols("alpha kappa m rho tau", positive=True)
    tg = ridgeless_targets(alpha, tau, kappa, rho)
    x_e = (1 + rho) / alpha
    b = x_e + 1 - 1 / kappa
    sq = sp.sqrt(b**2 + 4 * x_e / kappa)  # m* = 2/(b + sq): replace sq by 2/m - b
    above = [e.xreplace({sq: 2 / m - b}) for e in (tg.e_icl_above, tg.e_idg_above)]
    for e in above:  # rational in (m, parameters): no square root left
        assert all(p.exp != sp.Rational(1, 2) for p in e.atoms(sp.Pow))
        assert e.free_symbols <= {alpha, kappa, m, rho, tau}
    K, m_, a_, k_, r_, t_ = field([m, alpha, kappa, rho, tau], QQ)
    x = (1 + r_) / a_
    quad = x / k_ * m_**2 + (x + 1 - 1 / k_) * m_ - 1
    Sp = -(m_**2 / k_ + m_) / (2 * x * m_ / k_ + x + 1 - 1 / k_)
    e1, _ = e_icl_ridge(x, r_, t_, 0, m_, Sp)
    e2 = e_idg_ridge(x, r_, t_, 0, m_, Sp)
    assert vanishes_mod_quadratic(e1 - K.from_expr(above[0]), quad)
    assert vanishes_mod_quadratic(e2 - K.from_expr(above[1]), quad)


def test_shifted_test_law_reproduces_design_icl_and_gives_idg():
    """One deterministic-equivalent formula with the test task law as input: the ICL law
    (second moment I) gives the paper's e_ICL, the IDG law (R_hat) gives -tau c_e; the ridge
    self-consistency of the same equivalent is eps F(eps)."""
    xs, rho, tau, eps, t, kappa, lam = sp.symbols("xs rho tau eps t kappa lam", positive=True)
    names = {}

    def M(a, j):
        return names.setdefault((sp.simplify(a - xs), j), sp.Symbol(f"M{j}_{len(names)}"))

    S_, Sp_ = M(xs + eps, 0), M(xs + eps, 1)
    e_icl_de = error_deterministic_equivalent(xs, rho, tau, eps, t, kappa, M, test="icl")
    e_idg_de = error_deterministic_equivalent(xs, rho, tau, eps, t, kappa, M, test="idg")
    assert sp.simplify(e_icl_de - e_icl_ridge(xs, rho, tau, eps, S_, Sp_)[0]) == 0
    assert sp.simplify(e_idg_de - e_idg_ridge(xs, rho, tau, eps, S_, Sp_)) == 0
    assert sp.simplify(e_icl_de - e_idg_de) != 0
    fp = fixed_point_deterministic_equivalent(xs, tau, lam, eps, t, kappa, M)
    assert sp.simplify(fp - eps * fixed_point_F(eps, tau, lam, xs, S_)) == 0

"""The generalised Marchenko–Pastur fixed point of a discrete spectrum, symbolically.

Tasks ``w ~ N(0, C)`` with eigenvalues ``lam_i`` of ``C``; the bank second moment
``S_hat = (1/k) sum_j w_j w_j^T`` (``k = kappa d``) has the deterministic equivalent

    (S_hat + z)^{-1}  ~  F(z) = (a C + z I)^{-1},        M(z) = mean_i 1/(a lam_i + z),

where ``a = a(z)`` is the root in ``(0, 1]`` of the fixed point (docs/onelayer/alignment.md)

    chi(a) = a - 1 + (1/kappa) mean_i a lam_i/(a lam_i + z) = 0

(equivalently ``a = 1/(1 + delta)``, ``delta = (1/kappa) mean lam/(a lam + z)``; and
``a = 1 - 1/kappa + z M/kappa``).  Everything below is *derived* from ``chi``: the derivative
``b = a'(z)`` by implicit differentiation, ``M'``, ``M''``, and the cancellation-free forms of the
traces the ridge theory needs, which are proved equal to the derived ones modulo ``chi = 0``.

**Canonical basis.**  A spectral mean of a rational function of ``lam`` is reduced exactly by
substituting ``lam = (u - z)/a`` (``u = a lam + z``) and expanding in powers of ``u``:
``mean u^{-q} = R_q`` and ``mean u^j`` for ``j >= 0`` (polynomial moments ``m_j = mean lam^j``).
Two expressions are equal as spectral means iff their canonical forms agree, for *every*
spectrum; the fixed point is one more linear relation, ``z R_1 = 1 - kappa (1 - a)``.
Derivatives follow from ``d R_q/dz = -q mean (a' lam + 1)/u^{q+1}``.

**Named positive sums** (what the numeric code accumulates; every one a mean of positive terms):
``M = mean 1/u``, ``S2 = mean 1/u^2``, ``S1l = mean lam/u``, ``S2l = mean lam/u^2``,
``S2ll = mean lam^2/u^2``, and ``S3, S3l, S3ll`` (``1, lam, lam^2`` over ``u^3``).
"""

from __future__ import annotations

from functools import lru_cache
from types import SimpleNamespace

import sympy as sp

__all__ = [
    "symbols", "NAMED", "canonical", "to_canonical", "fixed_point", "relation", "equal_mod_fixed_point",
    "derive_b", "derive_derivatives", "stable_forms", "check_stable_forms", "isotropic_reduction",
]


@lru_cache(maxsize=None)
def symbols() -> SimpleNamespace:
    """The symbols: eigenvalue ``lam``, ``u = a lam + z``, ``a``, ``z``, ``ik = 1/kappa``, ``kappa``,
    the canonical basis ``R1, R2, R3, R4`` and moments ``m1, m2``, the named sums, and ``b, bp``
    (``a'``, ``a''``).

    >>> s = symbols(); s.names
    ('M', 'S2', 'S1l', 'S2l', 'S2ll', 'S3', 'S3l', 'S3ll')
    """
    pos = dict(positive=True)
    ns = SimpleNamespace(
        lam=sp.Symbol("lambda", nonnegative=True), u=sp.Symbol("u", **pos), a=sp.Symbol("a", **pos),
        z=sp.Symbol("z", **pos), ik=sp.Symbol("ik", nonnegative=True), kappa=sp.Symbol("kappa", **pos),
        b=sp.Symbol("b", nonnegative=True), bp=sp.Symbol("bp", real=True),
    )
    ns.R = {q: sp.Symbol(f"R{q}", **pos) for q in range(1, 6)}
    ns.m = {j: sp.Symbol(f"m{j}", nonnegative=True) for j in range(1, 5)}
    ns.names = ("M", "S2", "S1l", "S2l", "S2ll", "S3", "S3l", "S3ll")
    for name in ns.names:
        setattr(ns, name, sp.Symbol(name, **pos))
    return ns


def NAMED() -> dict:
    """Summand of each named sum: ``{symbol: f(lam)}`` with ``u = a lam + z``.

    >>> s = symbols(); NAMED()[s.S2l]
    lambda/(a*lambda + z)**2
    """
    s = symbols()
    u = s.a * s.lam + s.z
    return {s.M: 1 / u, s.S2: u**-2, s.S1l: s.lam / u, s.S2l: s.lam / u**2, s.S2ll: s.lam**2 / u**2,
            s.S3: u**-3, s.S3l: s.lam / u**3, s.S3ll: s.lam**2 / u**3}


def canonical(f) -> sp.Expr:
    """``mean f(lam)`` in the canonical basis ``R_q = mean u^{-q}``, ``m_j = mean lam^j``.

    ``f`` is rational in ``lam`` with poles only at ``u = a lam + z = 0``.

    >>> s = symbols()
    >>> canonical(s.lam / (s.a * s.lam + s.z))
    -R1*z/a + 1/a
    """
    s = symbols()
    g = sp.expand(sp.together(f).subs(s.lam, (s.u - s.z) / s.a))
    num, den = sp.fraction(sp.together(g))
    den_poly = sp.Poly(den, s.u)
    if len(den_poly.terms()) != 1:
        raise ValueError(f"canonical: denominator {den} is not a power of u = a lam + z")
    (k,), c = den_poly.terms()[0]
    total = sp.Integer(0)
    for (j,), coeff in sp.Poly(num, s.u).terms():
        power = j - k
        coeff = coeff / c
        if power < 0:
            total += coeff * s.R[-power]
        elif power == 0:
            total += coeff
        else:
            # mean u^p = mean (a lam + z)^p = sum_i binom(p, i) a^i z^(p-i) m_i
            total += coeff * sum(sp.binomial(power, i) * s.a**i * s.z ** (power - i) * (s.m[i] if i else 1)
                                 for i in range(power + 1))
    return sp.expand(total)


def to_canonical(expr) -> sp.Expr:
    """Replace every named sum in ``expr`` by its canonical form.

    >>> s = symbols(); sp.simplify(to_canonical(s.a * s.S1l + s.z * s.M))
    1
    """
    return expr.subs({name: canonical(f) for name, f in NAMED().items()}, simultaneous=True)


def fixed_point() -> sp.Expr:
    """``chi = a - 1 + ik mean a lam/(a lam + z)`` in the canonical basis.

    >>> fixed_point()
    a + ik*(-R1*z + 1) - 1
    """
    s = symbols()
    return s.a - 1 + s.ik * canonical(s.a * s.lam / (s.a * s.lam + s.z))


def relation() -> dict:
    """The fixed point solved for ``R1`` (``ik > 0``): ``{R1: (a - 1 + ik)/(ik z)}``.

    >>> relation()
    {R1: (a + ik - 1)/(ik*z)}
    """
    s = symbols()
    (sol,) = sp.solve(fixed_point(), s.R[1])
    return {s.R[1]: sp.factor(sol)}


def equal_mod_fixed_point(e1, e2) -> bool:
    """Whether two expressions in named/canonical sums agree for every spectrum on ``chi = 0``.

    >>> s = symbols()
    >>> equal_mod_fixed_point(s.M, (s.a - 1 + s.ik) / (s.ik * s.z))
    True
    """
    diff = to_canonical(sp.sympify(e1) - sp.sympify(e2))
    return sp.simplify(sp.together(diff.subs(relation()))) == 0


def _d_dz(expr, b):
    """Total ``d/dz`` of an expression in ``a, z`` and the canonical ``R_q`` (``m_j`` are constants),
    with ``a' = b``: ``dR_q/dz = -q mean (b lam + 1)/u^{q+1}``."""
    s = symbols()
    total = sp.diff(expr, s.z) + b * sp.diff(expr, s.a)
    for q, Rq in s.R.items():
        if expr.has(Rq):
            if q + 1 not in s.R:
                raise ValueError("derivative needs a higher canonical sum than R5")
            u = s.a * s.lam + s.z
            dRq = canonical(-q * (b * s.lam + 1) / u ** (q + 1))
            total += sp.diff(expr, Rq) * dRq
    return total


@lru_cache(maxsize=None)
def derive_b() -> sp.Expr:
    """``b = a'(z)`` by implicit differentiation of ``chi(a(z), z) = 0``, in the canonical basis.

    >>> s = symbols(); equal_mod_fixed_point(derive_b(), s.ik * s.a * s.S2l / (1 + s.ik * s.z * s.S2l))
    True
    """
    s = symbols()
    (sol,) = sp.solve(_d_dz(fixed_point(), s.b), s.b)
    return sp.factor(sol)


@lru_cache(maxsize=None)
def derive_derivatives() -> SimpleNamespace:
    """``M = R1`` and its derivatives ``M'``, ``M''`` (canonical basis), with ``b = a'`` and ``bp = a''``.

    ``M'`` is written with the symbol ``b``; ``M''`` with ``b`` and ``bp``; ``bp`` itself is returned.

    >>> D = derive_derivatives(); s = symbols()
    >>> equal_mod_fixed_point(D.M1.subs(s.b, derive_b()), -(s.S2 + derive_b() * s.S2l))
    True
    """
    s = symbols()
    M = s.R[1]
    M1 = sp.expand(_d_dz(M, s.b))
    # M1 holds the symbol b = a'(z), itself a function of z: its derivative is bp = a''
    M2 = sp.expand(_d_dz(M1, s.b) + sp.diff(M1, s.b) * s.bp)
    b_expr = derive_b()
    bp = sp.factor(_d_dz(b_expr, b_expr))
    return SimpleNamespace(M=M, M1=M1, M2=M2, b=b_expr, bp=bp)


def stable_forms() -> SimpleNamespace:
    """Cancellation-free forms, in the named positive sums, of what the ridge theory needs at ``z``.

    * ``b = ik a S2l/(1 + ik z S2l)`` (``= a'(z) >= 0``);
    * ``P = -M' = S2 + b S2l``;
    * ``T1 = 1 - z M = a S1l``;
    * ``T2 = 1 - 2 z M - z^2 M' = a^2 S2ll + z^2 b S2l``;
    * ``U = M + z M' = a S2l/(1 + ik z S2l)`` (``a - z b = a/(1 + ik z S2l) > 0``);
    * ``M'' = 2 (S3 + 2 b S3l + b^2 S3ll) - bp S2l`` (not sign-definite term by term).

    Each is proved equal to the derived expression by :func:`check_stable_forms`.
    """
    s = symbols()
    den = 1 + s.ik * s.z * s.S2l
    b = s.ik * s.a * s.S2l / den
    return SimpleNamespace(
        b=b, P=s.S2 + b * s.S2l, T1=s.a * s.S1l, T2=s.a**2 * s.S2ll + s.z**2 * b * s.S2l, U=s.a * s.S2l / den,
        M2=2 * (s.S3 + 2 * b * s.S3l + b**2 * s.S3ll) - s.bp * s.S2l,
    )


def check_stable_forms() -> dict[str, bool]:
    """Prove each stable form equal to the derived one modulo the fixed point (for every spectrum).

    >>> all(check_stable_forms().values())
    True
    """
    s = symbols()
    D = derive_derivatives()
    st = stable_forms()
    b = D.b
    M1 = D.M1.subs(s.b, b)
    return {
        "b = a'": equal_mod_fixed_point(st.b, b),
        "P = -M'": equal_mod_fixed_point(st.P.subs(s.b, b), -M1),
        "T1 = 1 - z M": equal_mod_fixed_point(st.T1, 1 - s.z * D.M),
        "T2 = 1 - 2 z M - z^2 M'": equal_mod_fixed_point(st.T2, 1 - 2 * s.z * D.M - s.z**2 * M1),
        "U = M + z M'": equal_mod_fixed_point(st.U, D.M + s.z * M1),
        "M'' (named sums)": equal_mod_fixed_point(st.M2.subs(s.bp, D.bp), D.M2.subs({s.bp: D.bp, s.b: b})),
        "M' as in the paper: -(S2 + M S2l ik)/(1 + z S2l ik)": equal_mod_fixed_point(
            -(s.S2 + s.M * s.S2l * s.ik) / (1 + s.z * s.S2l * s.ik), M1),
        "b = (M + z M') ik": equal_mod_fixed_point(b, (D.M + s.z * M1) * s.ik),
    }


def isotropic_reduction() -> dict[str, bool]:
    """``C = c I`` (every ``lam_i = c``): ``M`` solves the Marchenko–Pastur quadratic of trace ``c``.

    With one eigenvalue ``c`` the fixed point gives ``a = 1 - ik + ik z M`` and ``M = 1/(a c + z)``;
    eliminating ``a`` gives ``(c ik z) M^2 + (z + c - c ik) M - 1 = 0`` (``c = 1``: the MP quadratic).

    >>> all(isotropic_reduction().values())
    True
    """
    s = symbols()
    c, M = sp.Symbol("c", positive=True), sp.Symbol("M", positive=True)
    a_of_M = 1 - s.ik + s.ik * s.z * M  # the relation z R1 = 1 - kappa (1 - a), R1 = M
    eq = sp.expand((M * (a_of_M * c + s.z) - 1))
    target = c * s.ik * s.z * M**2 + (s.z + c - c * s.ik) * M - 1
    from iclsym.engine.stieltjes import mp_quadratic

    mp = sp.expand(mp_quadratic(M, s.z, s.kappa).subs(s.kappa, 1 / s.ik))
    return {
        "M (a c + z) = 1 is the quadratic": sp.expand(eq - target) == 0,
        "c = 1: the Marchenko-Pastur quadratic": sp.expand(target.subs(c, 1) - mp) == 0,
    }

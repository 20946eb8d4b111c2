"""High-precision (mpmath) evaluators of the asymptotic theory of the one-layer model.

Same signatures as :mod:`iclsym.onelayer.theory` plus ``dps`` (decimal digits of the result).  The
formulas are the paper's *as written* (generated into
:mod:`iclsym.onelayer._generated.asymptotic_mpmath`; the Marchenko–Pastur closed form and its
derivatives into :mod:`iclsym.core._generated.marchenko_pastur_mpmath`), not the rewritten forms
of the NumPy path, so the two are independent.

**Verified digits.**  Every value is computed twice, at ``dps + GUARD`` and at ``dps + GUARD +
CHECK_DIGITS + 3 S`` working digits (``S = sum |log10|`` of the inputs: cancellation between terms of
very different size can lose about that many digits, and a result garbled at the first precision
must not agree with the second by accident), and returned only if the two agree to ``dps`` digits;
otherwise the working precision grows (``+ CHECK_DIGITS``, then doubling) until two consecutive
evaluations agree, up to ``MAX_WORKING_DPS``, beyond which a ``ValueError`` names the point.
Cancellation (e.g. ``g_task = e_ICL - e_IDG`` far below ``e_ICL``, or the literal formulas at
``x* -> 0``) therefore costs time, never silent digits.  The fixed point is solved by Newton's
method from the left inside the analytic bracket of :mod:`iclsym.onelayer.theory.fixed_point`
(monotone convergence, the same argument as the NumPy solver); a solve that fails at one precision
is retried at the next.

Inputs may be floats, ``mpmath.mpf`` or decimal strings (kept exactly, e.g.
``tau = mpf(1) - mpf('1e-30')``).  Scalars return ``mpmath.mpf``; array inputs return a NumPy
object array of ``mpf``.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np

from iclsym.core._generated import marchenko_pastur_mpmath as _mp
from iclsym.core.params import check_param, check_theory_args
from iclsym.onelayer._generated import asymptotic_mpmath as _gen
from iclsym.onelayer.theory.fixed_point import x_star

__all__ = ["stieltjes_mp", "solve_eps", "e_icl", "e_idg", "g_task", "errors", "evaluate", "GUARD",
           "CHECK_DIGITS", "MAX_WORKING_DPS"]

#: Extra working digits beyond ``dps`` of the first evaluation.
GUARD = 15
#: Extra digits of the checking evaluation (and the first step by which the precision grows).
CHECK_DIGITS = 40
#: Largest working precision tried before the point is refused.
MAX_WORKING_DPS = 4000


def _check_dps(dps):
    if isinstance(dps, bool) or not isinstance(dps, (int, np.integer)) or dps < 15:
        raise ValueError(f"dps must be an integer >= 15; got {dps!r}")
    return int(dps)


def _mpf(x):
    """Exact conversion: mpf values (and decimal strings) keep every digit."""
    if isinstance(x, mpmath.mpf):
        return x
    if isinstance(x, str):
        return mpmath.mpf(x)
    return mpmath.mpf(float(x)) if np.isfinite(float(x)) else mpmath.inf


def _as_float(x):
    try:
        return float(x)
    except (TypeError, ValueError):
        raise TypeError(f"expected a real number (float, int, mpmath.mpf or decimal string); got {x!r}") from None


def _check_mp_args(names, values):
    """Validate (as floats, via iclsym.core.params) and broadcast the exact values (object arrays)."""
    objs = [np.asarray(v, dtype=object) for v in values]
    floats = [np.vectorize(_as_float, otypes=[float])(o) if o.size else o.astype(float) for o in objs]
    if names == "theory":
        check_theory_args(*floats)
    else:
        for name, f in zip(names, floats):
            check_param(name, f)
    return np.broadcast_arrays(*objs)


def _stieltjes_scalar(z, kappa, deriv):
    """``M_kappa^{(deriv)}(z)`` at the current working precision (the closed form and its derivatives)."""
    ik = 1 / kappa
    if isinstance(z, mpmath.mpc):
        # Principal sqrt of b^2 + 4 z/kappa is the Herglotz branch only for Re z > 0: use the
        # factored discriminant sqrt(z + lam_-) sqrt(z + lam_+) (see iclsym.core.spectra).
        sq = mpmath.sqrt(ik)
        D = mpmath.sqrt(z + (1 - sq) ** 2) * mpmath.sqrt(z + (1 + sq) ** 2)
        M = 2 / (z + 1 - ik + D)
    elif z == 0:
        if kappa <= 1:
            return (mpmath.inf, -mpmath.inf, mpmath.inf)[deriv]
        return _mp.stieltjes_at_zero(ik)[deriv]
    else:
        M = _mp.stieltjes_closed_form(z, kappa)
        D = 2 * z * ik * M + z + 1 - ik  # dQ/dM at the root: the discriminant's square root
    if deriv == 0:
        return M
    return _mp.stieltjes_derivatives(z, ik, M, D)[deriv - 1]


def _agree(a, b, dps, exact) -> bool:
    """Two evaluations agree to ``dps`` significant digits.

    Infinities must match.  A zero counts only where it is exact by construction (``exact[i]``: e.g.
    ``g_task`` at ``kappa = inf``); a zero produced by cancellation at two precisions proves nothing,
    so it never agrees and the precision grows until the value is resolved.
    """
    for x, y, ex in zip(a, b, exact):
        if isinstance(x, mpmath.mpc) or isinstance(y, mpmath.mpc):
            if abs(x - y) > mpmath.mpf(10) ** (-dps) * abs(y):
                return False
        elif mpmath.isinf(x) or mpmath.isinf(y):
            if x != y:
                return False
        elif y == 0 or x == 0:
            if not (ex and x == y):
                return False
        elif abs(x - y) > mpmath.mpf(10) ** (-dps) * abs(y):
            return False
    return True


def _scale_digits(values) -> int:
    """``sum |log10 v|`` over the finite non-zero inputs: a bound on the decades intermediate terms span.

    The formulas are rational in the inputs (and square roots) of low degree, so a cancellation
    can lose at most a small multiple of this many digits; the checking evaluation adds three times
    it, so that a result garbled by cancellation at the first precision cannot agree with it.
    """
    total = 0.0
    for v in values:
        x = abs(_mpf(v))
        if x != 0 and not mpmath.isinf(x):
            total += abs(float(mpmath.log10(x)))
    return int(math.ceil(total))


def _verified(compute, dps, what, exact=(), inputs=()):
    """``compute()`` (a tuple of mpmath values at the current precision) with ``dps`` verified digits.

    See the module docstring: two evaluations at increasing working precision must agree; the
    second has ``CHECK_DIGITS + 3 * _scale_digits(inputs)`` more digits.  ``exact[i]`` marks values
    that are exactly zero by construction when they are zero.
    """
    exact = tuple(exact) + (False,) * 8

    def attempt(work):
        with mpmath.workdps(work):
            try:
                return compute()
            except (ArithmeticError, ZeroDivisionError, ValueError, OverflowError):
                return None

    work = dps + GUARD
    prev = attempt(work)
    step = CHECK_DIGITS + 3 * _scale_digits(inputs)
    while True:
        nxt = work + step
        if nxt > MAX_WORKING_DPS:
            raise ValueError(f"{what}: could not verify {dps} digits with up to {MAX_WORKING_DPS} working digits "
                             "(the evaluation is too ill-conditioned at this point)")
        cur = attempt(nxt)
        if prev is not None and cur is not None and _agree(prev, cur, dps, exact):
            with mpmath.workdps(dps):
                return tuple(+v for v in cur)
        prev, work, step = cur, nxt, max(step, nxt)


def _vectorize(fn, *args):
    """Apply a scalar function over broadcast NumPy arrays (object result)."""
    arrs = np.broadcast_arrays(*[np.asarray(a) for a in args])
    if arrs[0].ndim == 0:
        return fn(*[a[()] for a in arrs])
    out = np.empty(arrs[0].shape, dtype=object)
    for idx in np.ndindex(out.shape):
        out[idx] = fn(*[a[idx] for a in arrs])
    return out


def stieltjes_mp(z, kappa, deriv: int = 0, dps: int = 50):
    """``M_kappa(z)`` (or its ``deriv``-th derivative) at ``dps`` digits.

    ``z`` real ``>= 0`` or complex with ``Im z > 0``; ``kappa = inf`` gives ``1/(1 + z)``.

    >>> print(stieltjes_mp(1, float("inf"), dps=20))
    0.5
    >>> print(stieltjes_mp(0, 2, dps=20))
    2.0
    >>> mpmath.im(stieltjes_mp(0.1 + 1j, 0.5)) < 0
    True
    """
    dps = _check_dps(dps)
    if deriv not in (0, 1, 2):
        raise ValueError(f"deriv must be 0, 1 or 2; got {deriv!r}")
    (kappa,) = _check_mp_args(("kappa",), (kappa,))

    def one(z1, k1):
        with mpmath.workdps(dps + GUARD):
            zz = mpmath.mpc(z1) if isinstance(z1, (complex, np.complexfloating, mpmath.mpc)) else mpmath.mpf(z1)
        if isinstance(zz, mpmath.mpc) and zz.imag == 0:
            zz = zz.real
        if (isinstance(zz, mpmath.mpf) and zz < 0) or (isinstance(zz, mpmath.mpc) and zz.imag < 0):
            raise ValueError("z must be real >= 0 or complex with Im z > 0")
        return _verified(lambda: (_stieltjes_scalar(zz, _mpf(k1), deriv),), dps,
                         f"stieltjes_mp(z={z1}, kappa={k1})", inputs=(abs(zz), k1))[0]

    with mpmath.workdps(dps):
        return _vectorize(one, np.asarray(z, dtype=object), kappa)


def _positive_root(A, B, C):
    disc = mpmath.sqrt(B * B + 4 * A * C)
    if B >= 0:
        return (B + disc) / (2 * A)
    return 2 * C / (disc - B) if C > 0 else mpmath.mpf(0)


#: Cap on the Newton iterations of the mpmath fixed-point solve (monotone from the left, quadratic
#: near the root; a failure is retried at higher precision by the verification).
MAX_NEWTON_MP = 500


def _solve_scalar(xs, tau, kappa, lam):
    """Root of F at the working precision; the branch rule of iclsym.onelayer.theory.fixed_point.

    Newton's method from the left on ``h = -F`` (increasing and concave on ``eps > 0``, so the
    iterates increase monotonically to the root), started at the analytic lower bound
    ``max(L_a, L_m, eps_0)`` and kept inside the bracket ``[L_a, H]`` of the NumPy solver.
    """
    if lam == 0 and tau >= 1:
        return mpmath.mpf(0)
    ik = 1 / kappa

    def h_and_slope(e):  # h = -F(e) and h'(e) = M + e M' + tau lam/e^2 at z = x* + e
        z = xs + e
        M = _mp.stieltjes_closed_form(z, kappa)
        M1 = _mp.stieltjes_derivatives(z, ik, M, 2 * z * ik * M + z + 1 - ik)[0]
        return -_gen.fixed_point_F(e, tau, lam, xs, M), M + e * M1 + tau * lam / e**2

    lo = _positive_root(tau, (1 - tau) * xs + tau * lam, xs * tau * lam)  # M(z) <= 1/z
    hi = _positive_root(tau, (1 - tau) * (1 + xs) + tau * lam, (1 + xs) * tau * lam)  # Jensen
    if mpmath.isinf(kappa) or hi <= lo:  # kappa = inf: M(z) = 1/(1+z), the upper bound is the root
        return hi
    start = max(lo, _positive_root(_mp.stieltjes_closed_form(xs, kappa), 1 - tau, tau * lam))  # M(z) <= M(x*)
    if tau < 1:
        start = max(start, (1 - tau) / (tau * _mp.stieltjes_closed_form(xs, kappa / tau)))  # lam = 0 root
    tol = mpmath.mpf(10) ** (-(mpmath.mp.dps - 5))
    e = start
    for _ in range(MAX_NEWTON_MP):
        value, slope = h_and_slope(e)
        new = min(max(e - value / slope, lo), hi)
        if abs(new - e) <= tol * new:
            return new
        if new <= e:  # from the left the iterates only increase: this is the rounding-noise floor of h
            return e
        e = new
    raise ArithmeticError(f"solve_eps: Newton did not converge in {MAX_NEWTON_MP} steps (at {e})")


def _state(alpha, tau, kappa, rho, lam):
    alpha, tau, kappa, rho, lam = (_mpf(v) for v in (alpha, tau, kappa, rho, lam))
    xs = x_star(alpha, rho)
    eps = _solve_scalar(xs, tau, kappa, lam)
    return xs, tau, kappa, rho, lam, eps


def _errors_scalar(alpha, tau, kappa, rho, lam, with_eps=False):
    xs, tau, kappa, rho, lam, eps = _state(alpha, tau, kappa, rho, lam)
    if with_eps:
        return (eps,) + _errors_at(xs, tau, kappa, rho, eps)
    return _errors_at(xs, tau, kappa, rho, eps)


def _errors_at(xs, tau, kappa, rho, eps):
    nu = xs + eps
    S = _stieltjes_scalar(nu, kappa, 0)
    Sp = _stieltjes_scalar(nu, kappa, 1)
    try:
        e1 = _gen.e_icl_as_written(xs, rho, tau, eps, S, Sp)
        e2 = _gen.e_idg_as_written(xs, rho, tau, eps, S, Sp)
    except ZeroDivisionError:  # ridgeless pole tau = 1
        return mpmath.inf, mpmath.inf, (mpmath.mpf(0) if mpmath.isinf(kappa) else mpmath.inf)
    # kappa = inf: R_hat = I and the two errors are the same expression.
    return e1, e2, (mpmath.mpf(0) if mpmath.isinf(kappa) else e1 - e2)


_OUTPUTS = ("eps", "e_icl", "e_idg", "g_task")


def _evaluate(which, alpha, tau, kappa, rho, lam, dps):
    """Shared body of the public functions: ``which`` is ``'eps'``, an error name, ``'all'`` or ``'point'``."""
    dps = _check_dps(dps)
    args = _check_mp_args("theory", (alpha, tau, kappa, rho, lam))

    def one(*a):
        def compute():
            return (_state(*a)[-1],) if which == "eps" else _errors_scalar(*a, with_eps=True)
        point = ", ".join(f"{n}={v}" for n, v in zip(("alpha", "tau", "kappa", "rho", "lam"), a))
        _, tau, kappa, _, lam = (_mpf(v) for v in a)
        # zeros by construction: eps for lam = 0, tau >= 1; g_task for kappa = inf
        exact = (lam == 0 and tau >= 1, False, False, mpmath.isinf(kappa))
        vals = _verified(compute, dps, f"precise evaluation at {point}", exact, inputs=a)
        if which == "point":
            return dict(zip(_OUTPUTS, vals))
        if which == "eps":
            return vals[0]
        if which == "all":
            return vals[1:]
        return vals[_OUTPUTS.index(which)]

    return _vectorize(one, *args)


def solve_eps(alpha, tau, kappa, rho, lam=0.0, dps: int = 50) -> mpmath.mpf:
    """Root ``eps`` of ``F(eps) = 0`` at ``dps`` digits.

    Branch rule as :func:`iclsym.onelayer.theory.solve_eps`: the unique positive root (``lam > 0``),
    the root of ``eps M(x* + eps) = 1 - tau`` (``lam = 0, tau < 1``), ``0`` (``lam = 0, tau >= 1``).
    Solver: Newton from the left inside the bracket ``M(z) <= 1/z`` / Jensen (monotone).

    >>> print(solve_eps(1, 0.5, float("inf"), 0, dps=20))
    2.0
    """
    return _evaluate("eps", alpha, tau, kappa, rho, lam, dps)


def e_icl(alpha, tau, kappa, rho, lam=0.0, dps: int = 50) -> mpmath.mpf:
    """Ridge / ridgeless ``e_ICL`` at ``dps`` digits (the paper's formula as written).

    >>> print(mpmath.nstr(e_icl(1, 0.2, 0.5, 0.01, 1e-5, dps=30), 20))
    1.0384973864348702116
    """
    return _evaluate("e_icl", alpha, tau, kappa, rho, lam, dps)


def e_idg(alpha, tau, kappa, rho, lam=0.0, dps: int = 50) -> mpmath.mpf:
    """Ridge / ridgeless ``e_IDG = -tau c_e`` at ``dps`` digits (derived in notebooks/02_ridge_theory.py).

    >>> print(mpmath.nstr(e_idg(1, 0.2, 0.5, 0.01, dps=30), 20))
    0.80121333440889760137
    """
    return _evaluate("e_idg", alpha, tau, kappa, rho, lam, dps)


def g_task(alpha, tau, kappa, rho, lam=0.0, dps: int = 50) -> mpmath.mpf:
    """``g_task = e_ICL - e_IDG`` at ``dps`` digits (difference taken with guard digits).

    >>> print(g_task(10, 2, float("inf"), 0.01, 0.1, dps=20))
    0.0
    """
    return _evaluate("g_task", alpha, tau, kappa, rho, lam, dps)


def errors(alpha, tau, kappa, rho, lam=0.0, dps: int = 50) -> tuple[mpmath.mpf, mpmath.mpf, mpmath.mpf]:
    """``(e_icl, e_idg, g_task)`` at ``dps`` digits sharing one root solve.

    >>> [mpmath.nstr(v, 8) for v in errors(1, 0.2, 0.5, 0.01, dps=20)]
    ['1.0384978', '0.80121333', '0.23728443']
    """
    return _evaluate("all", alpha, tau, kappa, rho, lam, dps)


def evaluate(alpha, tau, kappa, rho, lam=0.0, dps: int = 50):
    """``{eps, e_icl, e_idg, g_task}`` at ``dps`` digits from one root solve.

    >>> r = evaluate(1, 0.5, float("inf"), 0, dps=20); print(r["eps"], r["g_task"])
    2.0 0.0
    """
    return _evaluate("point", alpha, tau, kappa, rho, lam, dps)

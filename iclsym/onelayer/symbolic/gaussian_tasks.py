"""The exact finite-``d`` test error for Gaussian test tasks ``w ~ N(mu, C)`` of any covariance, derived.

Lemma 1 (:mod:`iclsym.onelayer.symbolic.lemma1`, docs/onelayer/lemma1.md) gives the error of ``Gamma = [G | g]``
*given* the task ``w``: an affine function of the trace variables with ``mu = w``, ``R = w w^T`` and
coefficients polynomial in ``sigma2 = |w|^2/d`` (``c_gg`` is quadratic).  As a function of ``w`` it is a
polynomial of degree 4.  For ``w = mu + z``, ``z ~ N(0, C)``, the task average is taken here by Wick
pairing of ``z`` with covariance ``C`` (:func:`iclsym.engine.tensornet.expect` with a named covariance):
Gaussian fourth moments of ``C``.  The result is written in the trace variables (all divided by ``d``)

    t_C = tr C, t_CC = tr C^2, t_mm = |mu|^2, t_mCm = mu^T C mu,
    T_GC = tr(G C), T_GCG = tr(G C G^T), T_GG = tr(G G^T), T_gg = |g|^2,
    T_gm = g.mu, T_gGm = g^T G mu, T_gCm = g^T C mu, T_gGCm = g^T G C mu, T_mGm = mu^T G mu, T_GmGm = |G mu|^2.

For ``C = I`` and ``mu = 0`` it reduces to the Gaussian-task ICL error of Lemma 1
(:func:`iclsym.onelayer.symbolic.lemma1.gaussian_icl_error`), which pairs ``w`` in one pass with the
tokens (an independent route); both are checked in the tests.
"""

from __future__ import annotations

from functools import lru_cache
from types import SimpleNamespace

import sympy as sp

from iclsym.engine.tensornet import expect, fresh_index, mat, vec
from iclsym.onelayer.symbolic import lemma1

__all__ = ["symbols", "TRACE_NAMES", "conditional_error_in_w", "gaussian_task_error", "coefficients"]

#: the trace variables of the result, in the order of the generated function's arguments
TRACE_NAMES = ("t_C", "t_CC", "t_mm", "t_mCm", "T_GC", "T_GCG", "T_GG", "T_gg", "T_gm", "T_gGm", "T_gCm", "T_gGCm",
               "T_mGm", "T_GmGm")


def symbols() -> SimpleNamespace:
    """``d, ell, rho`` and the trace variables (:data:`TRACE_NAMES`)."""
    S = lemma1.symbols()
    T = {n: sp.Symbol(n, real=True) for n in TRACE_NAMES}
    return SimpleNamespace(d=S.d, ell=S.ell, rho=S.rho, T=T)


def _w(i):
    """``w_i = mu_i + z_i`` (``z`` the centred Gaussian part)."""
    return vec("mu", i) + vec("z", i)


def _sigma2():
    i = fresh_index()
    return (1 / symbols().d) * (_w(i) * _w(i))


def conditional_error_in_w():
    """Lemma 1's error given ``w`` as a tensor expression polynomial in ``w = mu + z``.

    ``sigma2`` in the coefficients becomes ``|w|^2/d``; the trace variables become
    ``T_GR = w^T G w/d``, ``T_gmu = g.w/d``, ``T_GRG = |G w|^2/d``, ``T_gGmu = g^T G w/d``.
    """
    S = lemma1.symbols()
    d = S.d
    coeffs = lemma1.error_coefficients()
    s2 = S.sigma2

    def poly_in_sigma2(c):
        p = sp.Poly(sp.expand(c), s2)
        out = 0
        for (k,), a in p.terms():
            term = a
            for _ in range(k):
                term = term * _sigma2()
            out = out + term
        return out

    a, b, e = fresh_index(), fresh_index(), fresh_index()
    traces = [
        1,
        (1 / d) * (_w(a) * mat("G", a, b) * _w(b)),                     # T_GR = tr(G w w^T)/d
        (1 / d) * (vec("g", a) * _w(a)),                                # T_gmu = g.w/d
        (1 / d) * (mat("G", a, b) * mat("G", a, b)),                    # T_GG
        (1 / d) * (mat("G", a, b) * _w(b) * mat("G", a, e) * _w(e)),    # T_GRG = |G w|^2/d
        (1 / d) * (vec("g", a) * mat("G", a, b) * _w(b)),               # T_gGmu = g^T G w/d
        (1 / d) * (vec("g", a) * vec("g", a)),                          # T_gg
    ]
    total = 0
    for c, t in zip(coeffs, traces):
        total = total + poly_in_sigma2(c) * t
    return total


def _names():
    """Canonical engine components -> ``d * trace variable``."""
    S = symbols()
    T = S.T
    d = S.d
    defs = {
        "t_C": mat("C", "a", "a"),
        "t_CC": mat("C", "a", "b") * mat("C", "b", "a"),
        "t_mm": vec("mu", "a") * vec("mu", "a"),
        "t_mCm": vec("mu", "a") * mat("C", "a", "b") * vec("mu", "b"),
        "T_GC": mat("G", "a", "b") * mat("C", "b", "a"),
        "T_GCG": mat("G", "a", "b") * mat("C", "b", "c") * mat("G", "a", "c"),
        "T_GG": mat("G", "a", "b") * mat("G", "a", "b"),
        "T_gg": vec("g", "a") * vec("g", "a"),
        "T_gm": vec("g", "a") * vec("mu", "a"),
        "T_gGm": vec("g", "a") * mat("G", "a", "b") * vec("mu", "b"),
        "T_gCm": vec("g", "a") * mat("C", "a", "b") * vec("mu", "b"),
        "T_gGCm": vec("g", "a") * mat("G", "a", "b") * mat("C", "b", "c") * vec("mu", "c"),
        "T_mGm": vec("mu", "a") * mat("G", "a", "b") * vec("mu", "b"),
        "T_GmGm": mat("G", "a", "b") * vec("mu", "b") * mat("G", "a", "c") * vec("mu", "c"),
    }
    names = {}
    for n, expr in defs.items():
        res = expect(expr, dim=d, symmetric=("C",))
        ((key, coeff),) = res.data.items()
        (comp,) = key
        names[comp] = d * T[n] / coeff
    return names


@lru_cache(maxsize=None)
def gaussian_task_error() -> sp.Expr:
    """``E_w e(Gamma | w)`` for ``w ~ N(mu, C)``, in the trace variables (exact, any ``d``, ``ell``).

    >>> S = symbols(); e = gaussian_task_error()
    >>> c_gg = e.coeff(S.T["T_gg"]).subs({S.T["t_mm"]: 0, S.T["t_mCm"]: 0})
    >>> sp.simplify(c_gg - (S.ell + 2) * ((S.rho + S.T["t_C"])**2 + 2 * S.T["t_CC"] / S.d) / S.ell)
    0
    """
    S = symbols()
    res = expect(conditional_error_in_w(), random_vectors={"z": "C"}, dim=S.d, symmetric=("C",))
    names = _names()
    for key in res.data:
        for comp in key:
            if comp not in names:
                raise ValueError(f"component {comp!r} is not one of the trace variables")
    return sp.expand(res.as_scalar(names))


def coefficients() -> dict:
    """The error as ``{monomial in the trace variables: factored coefficient}`` (for display).

    >>> S = symbols(); coefficients()[S.T["T_GC"]]
    -2
    """
    S = symbols()
    poly = sp.Poly(gaussian_task_error(), *S.T.values())
    out = {}
    for mono, c in zip(poly.monoms(), poly.coeffs()):
        out[sp.Mul(*[v**k for v, k in zip(S.T.values(), mono)])] = sp.factor(c)
    return out

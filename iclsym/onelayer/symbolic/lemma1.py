"""Conditional moments of the reduced linear-attention features (the paper's Lemma 1).

Setting (docs/onelayer/model.md): tokens ``x_i ~ N(0, I_d/d)`` i.i.d., labels
``y_i = <w, x_i> + eps_i`` with ``eps_i ~ N(0, rho)``; features

    s = (d/ell) sum_{i<=ell} y_i x_i,   q = (1/ell) sum_{i<=ell} y_i^2,   h = [s; q],
    H_Z = x_{ell+1} h^T,   prediction <Gamma, H_Z> = x_{ell+1}^T (G s + g q),  Gamma = [G | g].

Everything is *derived* with the Wick engine of :mod:`iclsym.engine.tensornet`, with
``d, ell, rho`` and ``sigma2 = |w|^2/d`` symbolic: the conditional moments of ``h`` given
``w``, the label-feature and feature-feature moments, the conditional error given ``h``, and
the exact finite-``d`` test error ``e(Gamma; mu, R)`` of docs/onelayer/lemma1.md (tasks with mean
``mu``, second moment ``R`` and norm ``sqrt(d sigma2)``), written in the trace variables of
docs/onelayer/lemma1.md:

    T_GR = tr(G R)/d, T_gmu = g.mu/d, T_GG = tr(G G^T)/d, T_GRG = tr(G R G^T)/d,
    T_gGmu = g^T G mu/d, T_gg = |g|^2/d.

Gaussian tasks ``w ~ N(0, I_d)`` are handled by pairing ``w`` too (:func:`gaussian_icl_error`).
"""

from __future__ import annotations

from functools import lru_cache
from types import SimpleNamespace

import sympy as sp

from iclsym.engine.tensornet import (
    Contracted,
    Factor,
    TExpr,
    component_str,
    context_sum,
    contract,
    delta,
    eps,
    fresh_index,
    expect,
    mat,
    vec,
    x,
)

__all__ = [
    "symbols",
    "QUERY",
    "label",
    "s_vec",
    "q_scalar",
    "prediction",
    "lemma1_expect",
    "derive_moments",
    "conditional_error_given_h",
    "error_given_task",
    "error_given_task_direct",
    "average_over_tasks",
    "trace_variables",
    "error_functional",
    "error_coefficients",
    "gaussian_icl_error",
    "gaussian_task_correction",
    "structure_checks",
    "tensor_latex",
    "latex",
    "join_latex",
    "index_latex",
]

#: Token label of the query ``x_{ell+1}`` (not summed; independent of the context).
QUERY = "query"

_d, _ell, _rho, _sigma2 = sp.symbols("d ell rho sigma2", positive=True)


def symbols() -> SimpleNamespace:
    """The symbols of Lemma 1: ``d, ell, rho, sigma2`` (positive) and the trace variables.

    >>> S = symbols(); S.d, S.ell, S.rho, S.sigma2
    (d, ell, rho, sigma2)
    >>> S.T
    (T_GR, T_gmu, T_GG, T_GRG, T_gGmu, T_gg)
    """
    T = sp.symbols("T_GR T_gmu T_GG T_GRG T_gGmu T_gg", real=True)
    return SimpleNamespace(d=_d, ell=_ell, rho=_rho, sigma2=_sigma2, T=T)


# --------------------------------------------------------------------------- the model

def label(token: str) -> TExpr:
    """``y_t = <w, x_t> + eps_t`` (fresh summation index).

    >>> lemma1_expect(label("t") * label("t")).as_scalar()
    rho + sigma2
    """
    b = fresh_index()
    return vec("w", b) * x(token, b) + eps(token)


def s_vec(a: str) -> TExpr:
    """Component ``a`` of ``s = (d/ell) sum_i y_i x_i``.

    >>> lemma1_expect(s_vec("a"))
    (1)*[a] w
    """
    return (_d / _ell) * context_sum(lambda i: label(i) * x(i, a))


def q_scalar() -> TExpr:
    """``q = (1/ell) sum_i y_i^2``.

    >>> len(q_scalar())      # (<w,x> + eps)^2 expands to four terms
    4
    """
    return (1 / _ell) * context_sum(lambda i: label(i) * label(i))


def prediction() -> TExpr:
    """``<Gamma, H_Z> = sum_ab G_ab x_a s_b + sum_a g_a x_a q`` (``x = x_{ell+1}``).

    >>> lemma1_expect(prediction()).as_scalar()       # the query is centred
    0
    """
    a, b, c = fresh_index(), fresh_index(), fresh_index()
    return mat("G", a, b) * x(QUERY, a) * s_vec(b) + vec("g", c) * x(QUERY, c) * q_scalar()


def lemma1_expect(expr: TExpr, tasks: str = "fixed") -> Contracted:
    """Expectation under the model of docs/onelayer/model.md.

    ``tasks='fixed'``: conditional on ``w`` with ``|w|^2 = d sigma2``;
    ``tasks='gaussian'``: also over ``w ~ N(0, I_d)``.

    >>> str(lemma1_expect(q_scalar()).as_scalar())
    'rho + sigma2'
    """
    common = dict(cov_x=1 / _d, var_eps=_rho, n_tokens=_ell, dim=_d, symmetric=("R",))
    if tasks == "fixed":
        return expect(expr, norms={"w": _d * _sigma2}, **common)
    if tasks == "gaussian":
        return expect(expr, random_vectors={"w": sp.Integer(1)}, **common)
    raise ValueError(f"tasks must be 'fixed' or 'gaussian'; got {tasks!r}")


@lru_cache(maxsize=None)
def derive_moments() -> SimpleNamespace:
    """All conditional moments of Lemma 1 given ``w`` (docs/onelayer/lemma1.md), derived by Wick.

    Free index labels: ``a, b`` (and ``c, e`` for the fourth-order feature moments), with
    ``H_Z[a, b] = x_a h_b``.

    Returns a namespace of :class:`~iclsym.engine.tensornet.Contracted`:
    ``s, q`` (means), ``ss, sq, qq`` (second moments of ``h``), ``yy = E y_{ell+1}^2``,
    ``yH_s, yH_q`` (``E[y_{ell+1} H_Z]``, ``s`` and ``q`` columns) and ``HH_ss, HH_sq, HH_qq``
    (blocks of ``E[vec H_Z vec H_Z^T]``: ``E[x_a s_b x_c s_e]``, ``E[x_a s_b x_c q]``,
    ``E[x_a q x_c q]``).

    >>> M = derive_moments()
    >>> M.q.as_scalar()
    rho + sigma2
    """
    xq = lambda a: x(QUERY, a)  # noqa: E731
    y = label(QUERY)
    out = SimpleNamespace()
    out.s = lemma1_expect(s_vec("a"))
    out.q = lemma1_expect(q_scalar())
    out.ss = lemma1_expect(s_vec("a") * s_vec("b"))
    out.sq = lemma1_expect(s_vec("a") * q_scalar())
    out.qq = lemma1_expect(q_scalar() * q_scalar())
    out.yy = lemma1_expect(y * y)
    out.yH_s = lemma1_expect(y * xq("a") * s_vec("b"))
    out.yH_q = lemma1_expect(y * xq("a") * q_scalar())
    out.HH_ss = lemma1_expect(xq("a") * s_vec("b") * xq("c") * s_vec("e"))
    out.HH_sq = lemma1_expect(xq("a") * s_vec("b") * xq("c") * q_scalar())
    out.HH_qq = lemma1_expect(xq("a") * q_scalar() * xq("c") * q_scalar())
    return out


def conditional_error_given_h() -> Contracted:
    """``E[(y_{ell+1} - <Gamma, H_Z>)^2 | w, h]`` with ``s`` (vector ``'s'``) and ``q`` fixed.

    Only the query token and its noise are random.  docs/onelayer/lemma1.md states the result
    ``rho + (1/d) |w - G s - g q|^2``.

    >>> r = conditional_error_given_h().as_scalar()
    >>> sorted(map(str, r.free_symbols))[:4]
    ['d', 'g^T G s', 'g^T g', 'g^T w']
    """
    a, b, c = fresh_index(), fresh_index(), fresh_index()
    qh = sp.Symbol("q")
    pred = mat("G", a, b) * x(QUERY, a) * vec("s", b) + qh * vec("g", c) * x(QUERY, c)
    resid = label(QUERY) - pred
    return lemma1_expect(resid * resid)


def error_given_task() -> Contracted:
    """``E[(y_{ell+1} - <Gamma, H_Z>)^2 | w]`` assembled from the derived moments.

    ``E y^2 - 2 <Gamma, E[y H_Z]> + <Gamma (x) Gamma, E[vec H vec H^T]>``, with the moment
    tensors of :func:`derive_moments` contracted against ``G`` and ``g``.

    >>> (error_given_task() - error_given_task_direct()).simplified().is_zero()
    True
    """
    M = derive_moments()
    G = lambda r, c: mat("G", r, c)  # noqa: E731
    g = lambda r: vec("g", r)  # noqa: E731
    total = M.yy.to_texpr()
    total = total - 2 * (G("a", "b") * M.yH_s.to_texpr()) - 2 * (g("a") * M.yH_q.to_texpr())
    total = total + G("a", "b") * G("c", "e") * M.HH_ss.to_texpr()
    total = total + 2 * (G("a", "b") * g("c") * M.HH_sq.to_texpr())
    total = total + g("a") * g("c") * M.HH_qq.to_texpr()
    return lemma1_expect(total)


def error_given_task_direct(tasks: str = "fixed") -> Contracted:
    """The same conditional error by one direct expansion of ``(y - <Gamma, H_Z>)^2``.

    ``tasks='gaussian'`` also averages over ``w ~ N(0, I_d)``.

    >>> sorted(map(str, error_given_task_direct("gaussian").as_scalar().free_symbols))
    ['d', 'ell', 'g^T g', 'rho', 'tr(G G^T)', 'tr(G)']
    """
    r = label(QUERY) - prediction()
    return lemma1_expect(r * r, tasks=tasks)


def average_over_tasks(result: Contracted) -> Contracted:
    """Average a result over a task law with mean ``mu`` and second moment ``R``.

    Valid for results of degree <= 2 in ``w`` (after ``|w|^2 -> d sigma2``): one ``w`` becomes
    ``mu``, a pair ``w_a w_b`` becomes ``R_ab``.

    >>> average_over_tasks(lemma1_expect(vec("w", "a") * vec("w", "b") + vec("w", "a")))
    (1)*[a] R [b] + (1)*[a] mu
    """
    out = Contracted()
    for key, coeff in result.data.items():
        (term,) = Contracted({key: 1}).to_texpr().terms
        factors = list(term.factors)
        ws = [i for i, f in enumerate(factors) if f.kind == "vec" and f.name == "w"]
        if len(ws) == 1:
            factors[ws[0]] = Factor("vec", "mu", factors[ws[0]].slots)
        elif len(ws) == 2:
            i, j = ws
            r = Factor("mat", "R", (factors[i].slots[0], factors[j].slots[0]))
            factors = [f for k, f in enumerate(factors) if k not in ws] + [r]
        elif len(ws) > 2:
            raise ValueError(f"term of degree {len(ws)} in w: needs more than the second moment of the task law")
        scalar, k2 = contract(factors, dim=_d, symmetric=("R",), norms={"w": _d * _sigma2})
        out.add(k2, coeff * scalar)
    return out.simplified()


@lru_cache(maxsize=None)
def trace_variables() -> dict:
    """Map the canonical components of the traces to ``d * T_*`` (docs/onelayer/lemma1.md).

    >>> len(trace_variables())
    9
    """
    S = symbols()
    T_GR, T_gmu, T_GG, T_GRG, T_gGmu, T_gg = S.T
    defs = [
        (T_GR, mat("G", "a", "b") * mat("R", "b", "a")),
        (T_gmu, vec("g", "a") * vec("mu", "a")),
        (T_GG, mat("G", "a", "b") * mat("G", "a", "b")),
        (T_GRG, mat("G", "a", "b") * mat("R", "b", "c") * mat("G", "a", "c")),
        (T_gGmu, vec("g", "a") * mat("G", "a", "b") * vec("mu", "b")),
        (T_gg, vec("g", "a") * vec("g", "a")),
        # isotropic tasks (R = I, as in the Gaussian ICL computation): tr(G) plays T_GR
        (T_GR, mat("G", "a", "a")),
    ]
    names = {}
    for T, expr in defs:
        res = lemma1_expect(expr)
        ((key, coeff),) = res.data.items()
        (comp,) = key
        names[comp] = _d * T / coeff
    # Isotropic tasks: tr(G G^T) is T_GG (already present); tr(G^T G) is the same loop.
    # Tasks of fixed norm: w^T w never appears (replaced by d sigma2 in the contraction).
    names[("chain", ("v", "mu"), (), ("v", "mu"))] = sp.Symbol("|mu|^2")
    names[("chain", ("v", "g"), (), ("v", "w"))] = sp.Symbol("g^T w")
    return names


def _as_T(result: Contracted) -> sp.Expr:
    names = trace_variables()
    for key in result.data:
        for comp in key:
            if comp not in names:
                raise ValueError(f"component {comp!r} is not one of the trace variables of Lemma 1")
    return sp.expand(result.as_scalar(names))


@lru_cache(maxsize=None)
def error_functional() -> sp.Expr:
    """The exact finite-``d`` test error ``e(Gamma; mu, R)`` in the trace variables (Lemma 1).

    Derived from the conditional moments (:func:`error_given_task`) and the task average
    (:func:`average_over_tasks`); tasks have norm ``sqrt(d sigma2)``.

    >>> error_functional().coeff(symbols().T[0])       # c_GR
    -2
    """
    return _as_T(average_over_tasks(error_given_task()))


def error_coefficients() -> tuple:
    """``(c0, c_GR, c_gmu, c_GG, c_GRG, c_gGmu, c_gg)`` of :func:`error_functional` (the order of docs/onelayer/lemma1.md).

    >>> c = error_coefficients(); c[0], c[1]
    (rho + sigma2, -2)
    """
    S = symbols()
    e = error_functional()
    poly = sp.Poly(e, *S.T)
    if poly.total_degree() > 1:
        raise ValueError("error functional is not affine in the trace variables")
    c0 = poly.coeff_monomial(1)
    coeffs = [poly.coeff_monomial(T) for T in S.T]
    return tuple(sp.factor(c) for c in [c0] + coeffs)


@lru_cache(maxsize=None)
def gaussian_icl_error() -> sp.Expr:
    """ICL error for Gaussian tasks ``w ~ N(0, I_d)``, derived by pairing ``w`` as well.

    In the trace variables with ``R = I``: ``tr(G)/d -> T_GR``, ``tr(G G^T)/d -> T_GG``.

    >>> gaussian_icl_error().coeff(symbols().T[0])
    -2
    """
    res = error_given_task_direct(tasks="gaussian")
    return _as_T(res)


def gaussian_task_correction() -> sp.Expr:
    """Extra coefficient of ``T_gg`` for Gaussian tasks versus tasks on the sphere (ICL).

    Derived as ``e_gauss - e_sphere(mu=0, R=I, sigma2=1)``, checked to be proportional to
    ``T_gg``; docs/onelayer/lemma1.md states ``(2/d)(1 + 2/ell)``.

    >>> gaussian_task_correction()
    2*(ell + 2)/(d*ell)
    """
    S = symbols()
    T_GR, T_gmu, T_GG, T_GRG, T_gGmu, T_gg = S.T
    sphere = error_functional().subs({T_GRG: T_GG, T_gmu: 0, T_gGmu: 0, S.sigma2: 1})
    diff = sp.expand(gaussian_icl_error() - sphere)
    corr = sp.factor(diff.coeff(T_gg))
    if sp.simplify(diff - corr * T_gg) != 0:
        raise ValueError(f"Gaussian-task difference is not proportional to T_gg: {diff}")
    return corr


# --------------------------------------------------------------------------- structure and display

def structure_checks() -> dict[str, bool]:
    """Check the factorised forms of docs/onelayer/lemma1.md on the derived tensors.

    * ``E[y_{ell+1} H_Z | w] = (1/d) w E[h | w]^T`` (both blocks of ``h``);
    * ``E[vec H_Z vec H_Z^T | w] = E[h h^T | w] (x) I_d/d``, i.e.
      ``E[x_a h_b x_c h_e] = (1/d) delta_ac E[h_b h_e]`` (all three blocks);
    * ``E[(y - <Gamma, H_Z>)^2 | w, h] = rho + (1/d)|w - G s - g q|^2``.

    >>> all(structure_checks().values())
    True
    """
    M = derive_moments()
    w_a = lemma1_expect(vec("w", "a"))
    I_ac = lemma1_expect(delta("a", "c")).scale(1 / _d)
    s_b = lemma1_expect(s_vec("b"))
    ss_be = lemma1_expect(s_vec("b") * s_vec("e"))
    sq_b = lemma1_expect(s_vec("b") * q_scalar())
    out = {
        "yH_s = w E[s]^T / d": (M.yH_s - (w_a * s_b).scale(1 / _d)).simplified().is_zero(),
        "yH_q = w E[q] / d": (M.yH_q - (w_a * M.q).scale(1 / _d)).simplified().is_zero(),
        "HH_ss = E[s s^T] (x) I/d": (M.HH_ss - I_ac * ss_be).simplified().is_zero(),
        "HH_sq = E[s q] (x) I/d": (M.HH_sq - I_ac * sq_b).simplified().is_zero(),
        "HH_qq = E[q^2] I/d": (M.HH_qq - I_ac * M.qq).simplified().is_zero(),
    }
    qh = sp.Symbol("q")
    r = lambda i: vec("w", i) - mat("G", i, "_j") * vec("s", "_j") - qh * vec("g", i)  # noqa: E731
    target = _rho + (1 / _d) * (r("_k") * r("_k"))
    out["E[err^2 | w, h] = rho + |w - Gamma h|^2 / d"] = (
        conditional_error_given_h() - lemma1_expect(target)
    ).simplified().is_zero()
    return out


def _comp_latex(comp) -> str:
    """LaTeX of a component whose free ends are vectors/identity (display of Lemma 1 only)."""
    if comp[0] == "chain":
        _, e1, word, e2 = comp
        if not word:
            ends = sorted([e1, e2])
            if ends[0][0] == "f" and ends[1][0] == "f":
                return "I_d"
            if ends[0][0] == "f":
                return ends[1][1]
            return rf"{e1[1]}^\top {e2[1]}"
    return component_str(comp).replace("^T", r"^\top")


def join_latex(pairs) -> str:
    """Join ``(coefficient, body)`` pairs into a signed LaTeX sum (``body`` may be empty).

    >>> print(join_latex([(sp.Integer(-2), "x"), (sp.Symbol("a") + 1, "y"), (sp.Integer(3), "")]))
    - 2 x + \\left(a + 1\\right) y + 3
    """
    out = ""
    for coeff, body in pairs:
        coeff = sp.factor(coeff)
        sign = "-" if coeff.could_extract_minus_sign() else "+"
        mag = -coeff if sign == "-" else coeff
        if body:
            c = "" if mag == 1 else (latex(mag) if not isinstance(mag, sp.Add) else r"\left(" + latex(mag) + r"\right)")
            term = f"{c} {body}".strip()
        else:
            term = latex(mag)
        out += f" {sign} {term}" if out or sign == "-" else term
    return out.strip() or "0"


def tensor_latex(result: Contracted, free_order: tuple[str, ...] = ()) -> str:
    r"""LaTeX of a derived moment in the basis ``{1, w, I_d, w w^T}``.

    Rank-2 terms with two vector chains print as ``w w^T`` (row index first in ``free_order``).

    >>> print(tensor_latex(derive_moments().ss, ("a", "b")))
    \frac{d \left(\rho + \sigma^2\right)}{\ell} I_d + \frac{\ell + 1}{\ell} w w^\top
    """
    parts = []
    for key, coeff in sorted(result.data.items(), key=lambda kv: (len(kv[0]), repr(kv[0]))):
        comps = list(key)
        if len(comps) == 2 and all(c[0] == "chain" for c in comps):
            # outer product: order by free index position
            def pos(c):
                labs = [e[1] for e in (c[1], c[3]) if e[0] == "f"]
                return free_order.index(labs[0]) if labs and labs[0] in free_order else 0

            comps.sort(key=pos)
            body = " ".join(_comp_latex(c) for c in comps)
            body = body.replace("w w", r"w w^\top")
        else:
            body = " ".join(_comp_latex(c) for c in comps)
        parts.append((coeff, body))
    return join_latex(parts)


def index_latex(result: Contracted) -> str:
    r"""LaTeX of a derived tensor in index notation (``\delta_{ac}``, ``w_b``, scalars).

    >>> print(index_latex(derive_moments().HH_qq))
    \frac{\left(\ell + 2\right) \left(\rho + \sigma^2\right)^{2}}{d \ell} \delta_{ac}
    """

    def comp_tex(comp):
        if comp[0] == "chain" and not comp[2]:
            e1, e2 = comp[1], comp[3]
            if e1[0] == "f" and e2[0] == "f":
                return rf"\delta_{{{e1[1]}{e2[1]}}}"
            if e1[0] == "f" or e2[0] == "f":
                free, other = (e1, e2) if e1[0] == "f" else (e2, e1)
                return f"{other[1]}_{{{free[1]}}}"
        return component_str(comp).replace("^T", r"^\top")

    def order(comp):
        labs = [e[1] for e in (comp[1], comp[3]) if e[0] == "f"] if comp[0] == "chain" else []
        return (min(labs) if labs else "~", repr(comp))

    pairs = []
    for key, coeff in sorted(result.data.items(), key=lambda kv: (len(kv[0]), repr(kv[0]))):
        pairs.append((coeff, " ".join(comp_tex(c) for c in sorted(key, key=order))))
    return join_latex(pairs)


def latex(expr) -> str:
    """LaTeX with the paper's spelling of the symbols (``sigma2`` -> ``\\sigma^2``, ``T_gGmu`` -> ...).

    >>> print(latex(symbols().sigma2 + symbols().rho))
    \\rho + \\sigma^2
    """
    S = symbols()
    names = {S.sigma2: r"\sigma^2"}
    tex = dict(zip(S.T, [r"T_{GR}", r"T_{g\mu}", r"T_{GG}", r"T_{GRG}", r"T_{gG\mu}", r"T_{gg}"]))
    names.update(tex)
    return sp.latex(expr, symbol_names=names)

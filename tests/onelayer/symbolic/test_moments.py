"""The Gaussian moment engine (iclsym.engine.wick / tensornet / moments), checked independently.

* sympy.stats on random monomials of Gaussian components (hypothesis, explicit small d, ell);
* exact Gauss-Hermite quadrature of every derived Lemma-1 moment at d = 2 (numpy, no engine);
* brute-force Monte Carlo of every derived moment at several (d, ell) (|z| < 4).
"""

import itertools

import numpy as np
import pytest
import sympy as sp
import sympy.stats as ss
from hypothesis import given, settings
from hypothesis import strategies as st

from iclsym.onelayer.symbolic import lemma1 as m
from iclsym.engine import tensornet as tn
from iclsym.engine.wick import gaussian_moment, perfect_matchings, set_partitions

S = m.symbols()


# --------------------------------------------------------------------------- combinatorics

@pytest.mark.parametrize("n", range(0, 9))
def test_matchings_and_partitions_count(n):
    # (n-1)!! matchings for even n; Bell numbers of partitions (independent: sympy.bell)
    n_match = len(list(perfect_matchings(range(n))))
    assert n_match == (sp.factorial2(n - 1) if n % 2 == 0 else 0)
    parts = list(set_partitions(list(range(n))))
    assert len(parts) == sp.bell(n)
    assert len({tuple(sorted(tuple(sorted(b)) for b in p)) for p in parts}) == len(parts)


# --------------------------------------------------------------------------- vs sympy.stats

@settings(max_examples=12)
@given(st.lists(st.integers(0, 3), min_size=1, max_size=6), st.integers(0, 4))
def test_gaussian_moment_matches_sympy_stats(components, noise_power):
    # independent normals with variances 1/2, 1/3, 1, 2 (explicit covariance) and one noise
    var = [sp.Rational(1, 2), sp.Rational(1, 3), sp.Integer(1), sp.Integer(2)]
    X = [ss.Normal(f"X{k}", 0, sp.sqrt(v)) for k, v in enumerate(var)]
    cov = sp.diag(*var)
    expected = ss.E(sp.Mul(*[X[k] for k in components]))
    assert sp.simplify(gaussian_moment(components, cov) - expected) == 0


@settings(max_examples=15)
@given(st.data())
def test_engine_monomial_matches_sympy_stats(data):
    """Engine (abstract indices, d symbolic) vs sympy.stats on explicit components, d in 1..3.

    Component k of token t is ``x(t, a) e_k(a)`` for a basis vector e_k; a fixed vector w
    contracts with a fresh query component each time it appears.
    """
    d = data.draw(st.integers(1, 3), label="d")
    xfactors = data.draw(
        st.lists(st.tuples(st.sampled_from(["query", "c1"]), st.integers(0, d - 1)), max_size=6), label="x"
    )
    noise_power = data.draw(st.integers(0, 2), label="noise power")
    n_w = data.draw(st.integers(0, 2), label="w factors")
    rho = sp.Rational(1, 3)
    w_val = [sp.Rational(3, 2), -1, sp.Rational(1, 2)][:d]
    expr = tn.const(1)
    ref = sp.Integer(1)
    Xs = {(t, k): ss.Normal(f"x_{t}_{k}", 0, sp.sqrt(sp.Rational(1, d))) for t in ("query", "c1") for k in range(d)}
    E_noise = ss.Normal("eps_q", 0, sp.sqrt(rho))
    for j, (tok, k) in enumerate(xfactors):
        a = f"a{j}"
        expr = expr * (tn.x(tok, a) * tn.vec(f"e{k}", a))
        ref *= Xs[(tok, k)]
    for j in range(n_w):
        b = f"b{j}"
        expr = expr * (tn.vec("w", b) * tn.x("query", b))
        ref *= sum(w_val[k] * Xs[("query", k)] for k in range(d))
    for _ in range(noise_power):
        expr = expr * tn.eps("query")
        ref *= E_noise
    res = tn.expect(expr, cov_x=1 / S.d, var_eps=S.rho, dim=S.d)
    # evaluate chains between basis vectors / w numerically
    basis = {f"e{k}": [1 if i == k else 0 for i in range(d)] for k in range(d)}
    basis["w"] = w_val
    names = {}
    for key in res.data:
        for comp in key:
            assert comp[0] == "chain" and not comp[2], comp
            u, v = basis[comp[1][1]], basis[comp[3][1]]
            names[comp] = sum(ui * vi for ui, vi in zip(u, v))
    got = res.as_scalar(names).subs({S.d: d, S.rho: rho})
    assert sp.simplify(got - ss.E(sp.expand(ref))) == 0


_MENU = ["S0", "S1", "P00", "P01", "N", "Y0"]


def _menu_expr(name, d):
    """Context sums as engine expressions (basis vectors e0, e1)."""
    if name[0] == "S":
        k = int(name[1])
        return tn.context_sum(lambda i: tn.x(i, "_m") * tn.vec(f"e{k}", "_m"))
    if name[0] == "P":
        k, l = int(name[1]), int(name[2])
        return tn.context_sum(lambda i: tn.x(i, "_m") * tn.vec(f"e{k}", "_m") * tn.x(i, "_n") * tn.vec(f"e{l}", "_n"))
    if name == "N":
        return tn.context_sum(lambda i: tn.eps(i) * tn.eps(i))
    k = int(name[1])
    return tn.context_sum(lambda i: tn.eps(i) * tn.x(i, "_m") * tn.vec(f"e{k}", "_m"))


def _menu_explicit(name, X, N, ell):
    if name[0] == "S":
        return sum(X[i][int(name[1])] for i in range(ell))
    if name[0] == "P":
        return sum(X[i][int(name[1])] * X[i][int(name[2])] for i in range(ell))
    if name == "N":
        return sum(N[i] ** 2 for i in range(ell))
    return sum(N[i] * X[i][int(name[1])] for i in range(ell))


def _independent_moment(poly_expr, variances):
    """E of a polynomial in independent centred normals: expand, then product of 1-D
    sympy.stats moments (independence) -- a reference that shares nothing with the engine."""
    syms = list(variances)
    poly = sp.Poly(sp.expand(poly_expr), *syms)
    cache = {}
    total = sp.Integer(0)
    for powers, coeff in poly.terms():
        term = coeff
        for sym, p in zip(syms, powers):
            if p:
                if (sym, p) not in cache:
                    cache[(sym, p)] = ss.E(ss.Normal("Z", 0, sp.sqrt(variances[sym])) ** p)
                term *= cache[(sym, p)]
        total += term
    return sp.simplify(total)


@settings(max_examples=15)
@given(st.lists(st.sampled_from(_MENU), min_size=1, max_size=3), st.integers(1, 3))
def test_engine_token_sums_match_explicit_sums(names, ell):
    """Products of context sums: engine with symbolic ell (falling factorials) vs explicit
    sums over ell tokens at d = 2, averaged with sympy.stats 1-D moments."""
    d, rho = 2, sp.Rational(2, 5)
    expr = tn.const(1)
    for name in names:
        expr = expr * _menu_expr(name, d)
    res = tn.expect(expr, cov_x=1 / S.d, var_eps=S.rho, n_tokens=S.ell, dim=S.d)
    names_val = {}
    for key in res.data:
        for comp in key:
            names_val[comp] = 1 if comp[1][1] == comp[3][1] else 0
    got = res.as_scalar(names_val).subs({S.d: d, S.rho: rho, S.ell: ell})
    X = [[sp.Symbol(f"x{i}{k}") for k in range(d)] for i in range(ell)]
    N = [sp.Symbol(f"n{i}") for i in range(ell)]
    variances = {X[i][k]: sp.Rational(1, d) for i in range(ell) for k in range(d)}
    variances.update({N[i]: rho for i in range(ell)})
    ref = _independent_moment(sp.Mul(*[_menu_explicit(n, X, N, ell) for n in names]), variances)
    assert sp.simplify(got - ref) == 0


# --------------------------------------------------------------------------- exact quadrature

def _gauss_hermite(n_vars, n_nodes=3):
    """Tensor Gauss-Hermite rule for n_vars standard normals; exact for per-variable degree
    <= 2 n_nodes - 1 (all moments here have per-variable degree <= 4)."""
    t, wt = np.polynomial.hermite_e.hermegauss(n_nodes)
    wt = wt / wt.sum()
    idx = np.array(list(itertools.product(range(n_nodes), repeat=n_vars)))
    return t[idx], np.prod(wt[idx], axis=1)


def _quadrature_model(d, ell, rho, w):
    z, weights = _gauss_hermite(d * ell + d + ell + 1)
    X = z[:, : d * ell].reshape(-1, ell, d) / np.sqrt(d)
    xq = z[:, d * ell : d * ell + d] / np.sqrt(d)
    noise = np.sqrt(rho) * z[:, d * ell + d :]
    y = X @ w + noise[:, :ell]
    yq = xq @ w + noise[:, ell]
    s = (d / ell) * np.einsum("ni,nid->nd", y, X)
    q = np.mean(y**2, axis=1)
    return weights, s, q, xq, yq


def _moment_table(s, q, xq, yq):
    """Brute-force integrands of every derived moment (keys of derive_moments), as products of
    per-sample factors: vectors (n, d) carry the free indices in order, scalars (n,) do not."""
    return {
        "s": [s],
        "q": [q],
        "ss": [s, s],
        "sq": [s, q],
        "qq": [q, q],
        "yy": [yq, yq],
        "yH_s": [yq, xq, s],
        "yH_q": [yq, xq, q],
        "HH_ss": [xq, s, xq, s],
        "HH_sq": [xq, s, xq, q],
        "HH_qq": [xq, q, xq, q],
    }


FREE = "abce"
#: free index labels of the derived moments (see iclsym.onelayer.symbolic.lemma1.derive_moments)
LABELS = {"s": "a", "ss": "ab", "sq": "a", "yH_s": "ab", "yH_q": "a", "HH_ss": "abce", "HH_sq": "abc", "HH_qq": "ac"}


def _free(factors):
    return tuple(FREE[: sum(f.ndim == 2 for f in factors)])


def _full_tensor(factors):
    """Per-sample tensor with the free indices in order (small d only)."""
    letters = iter(FREE)
    subs = ["n" + (next(letters) if f.ndim == 2 else "") for f in factors]
    return np.einsum(",".join(subs) + "->n" + "".join(_free(factors)), *factors)


def _projected(factors, dirs):
    """Per-sample projection of the tensor on one direction per free index."""
    it = iter(dirs)
    out = 1.0
    for f in factors:
        out = out * (f @ next(it) if f.ndim == 2 else f)
    return out


@pytest.mark.parametrize("ell", [1, 2])
def test_moments_exact_quadrature(ell):
    """Every derived moment equals an exact Gauss-Hermite integral at d = 2 (|w|^2 != d)."""
    d, rho = 2, 0.37
    w = np.array([1.1, -0.6])
    values = {S.d: d, S.ell: ell, S.rho: rho, S.sigma2: w @ w / d}
    weights, s, q, xq, yq = _quadrature_model(d, ell, rho, w)
    M = m.derive_moments()
    for name, factors in _moment_table(s, q, xq, yq).items():
        exact = np.tensordot(weights, _full_tensor(factors), axes=(0, 0))
        theory = getattr(M, name).evaluate(values, {"w": w}, tuple(LABELS.get(name, "")))
        np.testing.assert_allclose(theory, exact, rtol=1e-10, atol=1e-12, err_msg=name)


# --------------------------------------------------------------------------- Monte Carlo

MC_CASES = [(2, 1), (3, 2), (5, 4), (8, 3)]


def _mc_sample(d, ell, rho, w, n, rng):
    X = rng.standard_normal((n, ell, d)) / np.sqrt(d)
    xq = rng.standard_normal((n, d)) / np.sqrt(d)
    noise = np.sqrt(rho) * rng.standard_normal((n, ell + 1))
    y = X @ w + noise[:, :ell]
    yq = xq @ w + noise[:, ell]
    s = (d / ell) * np.einsum("ni,nid->nd", y, X)
    q = np.mean(y**2, axis=1)
    return s, q, xq, yq


def _project(tensor, vecs):
    out = tensor
    for v in reversed(vecs):
        out = out @ v
    return out


@pytest.mark.mc
@pytest.mark.parametrize("d,ell", MC_CASES, ids=[f"d{d}-ell{l}" for d, l in MC_CASES])
def test_moments_monte_carlo(d, ell, request):
    """Brute-force sequences (x_i ~ N(0, I/d)) vs every derived moment, projected on random
    directions.  Tolerance |z| < 4 with C = 0: the moments are exact at finite d (no 1/d
    allowance needed); 4 SE keeps the per-check false-alarm rate ~6e-5."""
    rng = np.random.default_rng(1000 * d + ell)
    rho = 0.4
    w = rng.standard_normal(d)
    w *= np.sqrt(1.3 * d) / np.linalg.norm(w)  # sigma2 = 1.3: exercises general sigma2
    n = 40_000
    s, q, xq, yq = _mc_sample(d, ell, rho, w, n, rng)
    values = {S.d: d, S.ell: ell, S.rho: rho, S.sigma2: 1.3}
    M = m.derive_moments()
    zs = {}
    for name, factors in _moment_table(s, q, xq, yq).items():
        free = _free(factors)
        theory = getattr(M, name).evaluate(values, {"w": w}, tuple(LABELS.get(name, "")))
        for rep in range(2):
            dirs = [rng.standard_normal(d) for _ in free]
            samples = _projected(factors, dirs)
            mean, se = samples.mean(), samples.std(ddof=1) / np.sqrt(n)
            zs[f"{name}[{rep}]"] = (mean - _project(theory, dirs)) / se
            if not free:
                break
    print(f"\nLemma 1 moments, Monte Carlo z-scores at d={d}, ell={ell} (n={n}):")
    print("  " + "  ".join(f"{k}={v:+.2f}" for k, v in zs.items()))
    bad = {k: v for k, v in zs.items() if abs(v) >= 4}
    assert not bad, bad


# --------------------------------------------------------------------------- bad input

def test_engine_rejects_ill_formed_input():
    with pytest.raises(ValueError, match="tasks must be"):
        m.lemma1_expect(tn.const(1), tasks="uniform")
    with pytest.raises(ValueError, match="n_tokens is required"):
        tn.expect(tn.context_sum(lambda i: tn.eps(i)))
    with pytest.raises(ValueError, match="occurs 3 times"):
        tn.contract([tn.Factor("vec", "u", ("a",))] * 3, dim=S.d)
    with pytest.raises(ValueError, match="deterministic"):
        tn.contract([tn.Factor("x", "t", ("a",))], dim=S.d)
    with pytest.raises(ValueError, match="degree 4 in w"):
        w4 = tn.vec("w", "a") * tn.vec("w", "b") * tn.vec("w", "c") * tn.vec("w", "e")
        m.average_over_tasks(m.lemma1_expect(w4))
    with pytest.raises(ValueError, match="non-negative int"):
        tn.x("t", "a") ** -1
    with pytest.raises(ValueError, match="free indices"):
        m.derive_moments().s.as_scalar()

"""Abstract-index tensor expressions of Gaussian tokens, their expectations and contractions.

This is the general part of the moment engine behind the paper's Lemma 1 (docs/onelayer/lemma1.md).
An expression is a sum of terms ``coeff * prod(factors)`` summed over context-token labels,
with factors

* ``x(t, a)``   -- component ``a`` of token ``t`` (centred Gaussian, covariance ``cov_x * I``),
* ``eps(t)``    -- label noise of token ``t`` (centred Gaussian, variance ``var_eps``),
* ``vec(u, a)``, ``mat(M, a, b)``, ``delta(a, b)`` -- deterministic tensors,

in Einstein convention: an index label occurring twice in a term is summed over
``1..dim``; one occurring once is free.  Summed token labels run over the ``n_tokens``
i.i.d. context tokens; other token labels (the query) are fixed and independent of them.

:func:`expect` takes the expectation: it splits the token sums by index coincidences
(set partitions, falling-factorial multiplicities), applies Isserlis/Wick pairing within each
token (a pair of components gives ``cov_x * delta``, a pair of noises ``var_eps``), optionally
pairs Gaussian random vectors (``w ~ N(0, I)``), and contracts the resulting network of
deltas, vectors and matrices (:func:`contract`) into a canonical sum of products of

* chains ``u^T M_1 ... M_k v`` whose ends are vectors or free indices, and
* loops ``tr(M_1 ... M_k)`` (an empty loop is ``dim``).

Vectors of known norm (``|w|^2 = d sigma2``) are reduced on the fly.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping, Sequence

import numpy as np
import sympy as sp

from iclsym.engine.wick import double_factorial, falling_factorial, perfect_matchings, set_partitions

__all__ = [
    "Factor",
    "Term",
    "TExpr",
    "Contracted",
    "x",
    "eps",
    "vec",
    "mat",
    "delta",
    "const",
    "context_sum",
    "expect",
    "contract",
    "component_str",
    "fresh_index",
]

_counter = itertools.count()


def fresh_index(prefix: str = "i") -> str:
    """A new, unique label (dummy indices and token labels start with ``_``).

    >>> fresh_index() != fresh_index()
    True
    """
    return f"_{prefix}{next(_counter)}"


_fresh = fresh_index


@dataclass(frozen=True)
class Factor:
    """One factor of a term: ``kind`` in ``{'x', 'eps', 'vec', 'mat', 'delta'}``.

    ``name`` is the token label for ``x``/``eps`` and the tensor name for ``vec``/``mat``.
    """

    kind: str
    name: str
    slots: tuple[str, ...]


@dataclass(frozen=True)
class Term:
    """``coeff * prod(factors)`` summed over the context-token labels ``sums``."""

    coeff: sp.Expr
    factors: tuple[Factor, ...]
    sums: tuple[str, ...] = ()

    def labels(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for f in self.factors:
            for s in f.slots:
                counts[s] = counts.get(s, 0) + 1
        return counts

    def freshened(self) -> "Term":
        """A copy with fresh dummy-index and summed-token labels (free labels kept)."""
        ren = {lab: _fresh("i") for lab, c in self.labels().items() if c == 2}
        tok = {t: _fresh("t") for t in self.sums}
        factors = []
        for f in self.factors:
            name = tok.get(f.name, f.name) if f.kind in ("x", "eps") else f.name
            factors.append(Factor(f.kind, name, tuple(ren.get(s, s) for s in f.slots)))
        return Term(self.coeff, tuple(factors), tuple(tok[t] for t in self.sums))


class TExpr:
    """A sum of :class:`Term` s; supports ``+ - *`` (with fresh dummies) and integer powers.

    Examples
    --------
    >>> d = sp.Symbol("d")
    >>> e = vec("w", "a") * x("q", "a")            # <w, x_q>
    >>> expect(e * e, cov_x=1 / d).as_scalar()      # E <w, x>^2 = |w|^2/d
    w^T w/d
    """

    def __init__(self, terms: Iterable[Term] = ()):
        self.terms = tuple(t for t in terms if t.coeff != 0)

    @staticmethod
    def lift(other) -> "TExpr":
        if isinstance(other, TExpr):
            return other
        return TExpr([Term(sp.sympify(other), ())])

    def __add__(self, other):
        return TExpr(self.terms + TExpr.lift(other).terms)

    __radd__ = __add__

    def __neg__(self):
        return TExpr(Term(-t.coeff, t.factors, t.sums) for t in self.terms)

    def __sub__(self, other):
        return self + (-TExpr.lift(other))

    def __rsub__(self, other):
        return TExpr.lift(other) - self

    def __mul__(self, other):
        other = TExpr.lift(other)
        out = []
        for a in self.terms:
            for b in other.terms:
                b = b.freshened()
                out.append(Term(a.coeff * b.coeff, a.factors + b.factors, a.sums + b.sums))
        return TExpr(out)

    __rmul__ = __mul__

    def __pow__(self, k: int):
        if not isinstance(k, int) or k < 0:
            raise ValueError(f"k must be a non-negative int, got {k!r}")
        out = TExpr.lift(1)
        for _ in range(k):
            out = out * self
        return out

    def __len__(self):
        return len(self.terms)


def _single(kind: str, name: str, slots: Sequence[str]) -> TExpr:
    return TExpr([Term(sp.Integer(1), (Factor(kind, name, tuple(slots)),))])


def x(token: str, index: str) -> TExpr:
    """Component ``index`` of the Gaussian token ``token``.

    >>> x("t", "a").terms[0].factors
    (Factor(kind='x', name='t', slots=('a',)),)
    """
    return _single("x", token, (index,))


def eps(token: str) -> TExpr:
    """Label noise of token ``token``.

    >>> expect(eps("t") * eps("t"), var_eps=sp.Symbol("rho")).as_scalar()
    rho
    """
    return _single("eps", token, ())


def vec(name: str, index: str) -> TExpr:
    """Deterministic vector ``name`` (or a random Gaussian one, see :func:`expect`).

    >>> expect(vec("u", "a") * vec("v", "a")).as_scalar()
    u^T v
    """
    return _single("vec", name, (index,))


def mat(name: str, row: str, col: str) -> TExpr:
    """Deterministic matrix entry ``name[row, col]``.

    >>> expect(mat("G", "a", "b") * mat("G", "a", "b")).as_scalar()      # Frobenius norm
    tr(G G^T)
    """
    return _single("mat", name, (row, col))


def delta(a: str, b: str) -> TExpr:
    """Kronecker delta (identity matrix).

    >>> d = sp.Symbol("d"); expect(delta("a", "a"), dim=d).as_scalar()
    d
    """
    return _single("delta", "", (a, b))


def const(value) -> TExpr:
    """A scalar constant (a SymPy expression).

    >>> expect(const(3)).as_scalar()
    3
    """
    return TExpr.lift(value)


def context_sum(body: Callable[[str], TExpr]) -> TExpr:
    """``sum_{i=1}^{n_tokens} body(i)`` over the i.i.d. context tokens.

    >>> rho, ell = sp.symbols("rho ell")
    >>> noise = context_sum(lambda i: eps(i) * eps(i))
    >>> expect(noise * noise, var_eps=rho, n_tokens=ell).as_scalar().factor()   # ell(ell-1) + 3 ell
    ell*rho**2*(ell + 2)
    """
    tok = _fresh("t")
    inner = body(tok)
    return TExpr(Term(t.coeff, t.factors, t.sums + (tok,)) for t in inner.terms)


# --------------------------------------------------------------------------- contraction

def _rev(word, symmetric):
    return tuple((n, 0 if n in symmetric else 1 - t) for n, t in reversed(word))


def _norm_word(word, symmetric):
    return tuple((n, 0 if n in symmetric else t) for n, t in word)


def _canonical_chain(e1, word, e2, symmetric):
    a = ("chain", e1, word, e2)
    b = ("chain", e2, _rev(word, symmetric), e1)
    return min(a, b, key=repr)


def _canonical_loop(word, symmetric):
    cands = []
    for w in (word, _rev(word, symmetric)):
        for k in range(len(w)):
            cands.append(w[k:] + w[:k])
    return ("loop", min(cands, key=repr))


def contract(
    factors: Sequence[Factor],
    *,
    dim,
    symmetric: Iterable[str] = (),
    norms: Mapping[str, sp.Expr] | None = None,
) -> tuple[sp.Expr, tuple]:
    """Contract a network of ``vec``/``mat``/``delta`` factors.

    Returns ``(scalar, key)``: ``scalar`` collects empty loops (``dim``) and chains
    ``u^T u`` of vectors with a known squared norm (``norms[u]``); ``key`` is the sorted
    tuple of the remaining canonical components (chains and loops).

    Examples
    --------
    >>> d = sp.Symbol("d")
    >>> f = [Factor("delta", "", ("a", "b")), Factor("delta", "", ("b", "a"))]
    >>> contract(f, dim=d)
    (d, ())
    >>> f = [Factor("vec", "w", ("a",)), Factor("mat", "G", ("b", "a"))]
    >>> contract(f, dim=d)[1]
    (('chain', ('f', 'b'), (('G', 0),), ('v', 'w')),)
    """
    symmetric = frozenset(symmetric)
    norms = dict(norms or {})
    occ: dict[str, list[tuple[int, int]]] = {}
    for fi, f in enumerate(factors):
        if f.kind not in ("vec", "mat", "delta"):
            raise ValueError(f"factors must be deterministic (vec/mat/delta); got kind {f.kind!r}")
        for pos, lab in enumerate(f.slots):
            occ.setdefault(lab, []).append((fi, pos))
    for lab, o in occ.items():
        if len(o) > 2:
            raise ValueError(f"index {lab!r} occurs {len(o)} times; each index may occur at most twice")
    visited = [False] * len(factors)
    free_done: set[str] = set()
    scalar = sp.Integer(1)
    comps = []

    def walk(label, came_from, stop_at=None):
        """Follow the chain from ``label``; return (word, end)."""
        word = []
        while True:
            others = [o for o in occ[label] if o != came_from]
            if not others:
                free_done.add(label)
                return word, ("f", label)
            fi, pos = others[0]
            if stop_at is not None and fi == stop_at:
                return word, None
            f = factors[fi]
            visited[fi] = True
            if f.kind == "vec":
                return word, ("v", f.name)
            if f.kind == "mat":
                word.append((f.name, 0 if pos == 0 else 1))
            label, came_from = f.slots[1 - pos], (fi, 1 - pos)

    for fi, f in enumerate(factors):
        if f.kind == "vec" and not visited[fi]:
            visited[fi] = True
            word, end = walk(f.slots[0], (fi, 0))
            word = _norm_word(tuple(word), symmetric)
            e1 = ("v", f.name)
            if not word and end == e1 and f.name in norms:
                scalar *= norms[f.name]
            else:
                comps.append(_canonical_chain(e1, word, end, symmetric))
    for lab, o in occ.items():
        if len(o) == 1 and lab not in free_done:
            free_done.add(lab)
            word, end = walk(lab, None)
            comps.append(_canonical_chain(("f", lab), _norm_word(tuple(word), symmetric), end, symmetric))
    for fi, f in enumerate(factors):
        if not visited[fi]:
            visited[fi] = True
            word = [(f.name, 0)] if f.kind == "mat" else []
            rest, _ = walk(f.slots[1], (fi, 1), stop_at=fi)
            word = _norm_word(tuple(word + rest), symmetric)
            if word:
                comps.append(_canonical_loop(word, symmetric))
            else:
                scalar *= dim
    return scalar, tuple(sorted(comps, key=repr))


def component_str(comp) -> str:
    """Readable form of a component: ``u^T G G^T v``, ``tr(G R)``, ``[a] G w``.

    >>> component_str(("loop", (("G", 0), ("G", 1))))
    'tr(G G^T)'
    >>> component_str(("chain", ("v", "g"), (("G", 0),), ("v", "w")))
    'g^T G w'
    """
    def word_str(word):
        return " ".join(n + ("^T" if t else "") for n, t in word)

    if comp[0] == "loop":
        return f"tr({word_str(comp[1])})"
    _, e1, word, e2 = comp
    left = f"{e1[1]}^T" if e1[0] == "v" else f"[{e1[1]}]"
    right = e2[1] if e2[0] == "v" else f"[{e2[1]}]"
    return " ".join(p for p in (left, word_str(word), right) if p)


# --------------------------------------------------------------------------- results

class Contracted:
    """A canonical sum ``sum_key coeff * prod(components of key)`` (result of :func:`expect`)."""

    def __init__(self, data: Mapping[tuple, sp.Expr] | None = None):
        self.data = {k: v for k, v in (data or {}).items()}

    def add(self, key, coeff):
        self.data[key] = self.data.get(key, sp.Integer(0)) + coeff

    def simplified(self) -> "Contracted":
        """Coefficients factored; zero entries dropped."""
        out = {}
        for k, v in self.data.items():
            v = sp.factor(sp.cancel(v))
            if v != 0:
                out[k] = v
        return Contracted(out)

    def __add__(self, other: "Contracted"):
        out = Contracted(self.data)
        for k, v in other.data.items():
            out.add(k, v)
        return out

    def __neg__(self):
        return Contracted({k: -v for k, v in self.data.items()})

    def __sub__(self, other):
        return self + (-other)

    def scale(self, c) -> "Contracted":
        return Contracted({k: c * v for k, v in self.data.items()})

    def __mul__(self, other: "Contracted"):
        """Product of two results with disjoint free indices."""
        out = Contracted()
        for k1, v1 in self.data.items():
            for k2, v2 in other.data.items():
                out.add(tuple(sorted(k1 + k2, key=repr)), v1 * v2)
        return out

    def is_zero(self) -> bool:
        return all(sp.simplify(v) == 0 for v in self.data.values())

    def free_labels(self) -> set[str]:
        out = set()
        for key in self.data:
            for comp in key:
                if comp[0] == "chain":
                    out |= {e[1] for e in (comp[1], comp[3]) if e[0] == "f"}
        return out

    def to_texpr(self) -> TExpr:
        """Back to a factor network (fresh dummy labels), for further contraction."""
        terms = []
        for key, coeff in self.data.items():
            factors = []
            for comp in key:
                factors += _component_factors(comp)
            terms.append(Term(coeff, tuple(factors)))
        return TExpr(terms)

    def as_scalar(self, names: Mapping[tuple, sp.Expr] | None = None) -> sp.Expr:
        """A SymPy scalar; components are looked up in ``names`` or become readable symbols."""
        if self.free_labels():
            raise ValueError(f"result has free indices {sorted(self.free_labels())}; cannot be a scalar")
        names = dict(names or {})
        total = sp.Integer(0)
        for key, coeff in self.data.items():
            term = coeff
            for comp in key:
                term *= names[comp] if comp in names else sp.Symbol(component_str(comp))
            total += term
        return total

    def evaluate(self, values: Mapping, tensors: Mapping[str, np.ndarray], free: Sequence[str] = (), dim=None):
        """Numeric value (``numpy.ndarray`` with axes ``free``) for numeric symbols and tensors.

        ``dim`` defaults to the length of the tensors' first axis.

        >>> d = sp.Symbol("d")
        >>> r = expect(x("t", "a") * x("t", "b") * vec("w", "c") * vec("w", "c"), cov_x=1 / d, dim=d)
        >>> r.evaluate({d: 2}, {"w": np.array([1.0, 2.0])}, ("a", "b"))
        array([[2.5, 0. ],
               [0. , 2.5]])
        """
        if dim is None:
            dims = {np.shape(t)[0] for t in tensors.values()}
            if len(dims) != 1:
                raise ValueError(f"dim must be given when the tensors do not fix it (first-axis lengths {sorted(dims)})")
            (dim,) = dims
        total = 0.0
        for key, coeff in self.data.items():
            c = float(sp.sympify(coeff).subs(values))
            factors = []
            for comp in key:
                factors += _component_factors(comp)
            total = total + c * _einsum(factors, tensors, free, dim)
        return np.asarray(total) * np.ones([dim] * len(free))

    def __repr__(self):
        parts = [f"({v})*" + "*".join(component_str(c) for c in k) if k else f"({v})" for k, v in self.data.items()]
        return " + ".join(parts) if parts else "0"


def _component_factors(comp) -> list[Factor]:
    if comp[0] == "loop":
        word = comp[1]
        labels = [_fresh("i") for _ in word]
        return [
            Factor("mat", n, (labels[i], labels[(i + 1) % len(word)]) if t == 0 else (labels[(i + 1) % len(word)], labels[i]))
            for i, (n, t) in enumerate(word)
        ]
    _, e1, word, e2 = comp
    labels = [e1[1] if e1[0] == "f" else _fresh("i")]
    labels += [_fresh("i") for _ in word[:-1]]
    if word:
        labels.append(e2[1] if e2[0] == "f" else _fresh("i"))
    out = []
    if e1[0] == "v":
        out.append(Factor("vec", e1[1], (labels[0],)))
    for i, (n, t) in enumerate(word):
        out.append(Factor("mat", n, (labels[i], labels[i + 1]) if t == 0 else (labels[i + 1], labels[i])))
    last = labels[-1]
    if e2[0] == "v":
        out.append(Factor("vec", e2[1], (last,)))
    elif not word:
        if e1[0] == "f":
            out.append(Factor("delta", "", (e1[1], e2[1])))
        else:
            # vector with a free index: relabel its slot to the free label
            out[-1] = Factor("vec", e1[1], (e2[1],))
    return out


def _einsum(factors, tensors, free, dim):
    letters: dict[str, str] = {}
    pool = iter("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")

    def let(lab):
        if lab not in letters:
            letters[lab] = next(pool)
        return letters[lab]

    subs, ops = [], []
    for f in factors:
        subs.append("".join(let(s) for s in f.slots))
        ops.append(np.eye(dim) if f.kind == "delta" else np.asarray(tensors[f.name], dtype=float))
    out = "".join(let(s) for s in free)
    if not ops:
        return np.ones([dim] * len(free)) if free else 1.0
    return np.einsum(",".join(subs) + "->" + out, *ops)


# --------------------------------------------------------------------------- expectation

def expect(
    expr: TExpr,
    *,
    cov_x=1,
    var_eps=0,
    n_tokens=None,
    random_vectors: Mapping[str, sp.Expr] | None = None,
    norms: Mapping[str, sp.Expr] | None = None,
    dim=None,
    symmetric: Iterable[str] = (),
) -> Contracted:
    """Expectation of a :class:`TExpr` over its Gaussian tokens (and random vectors).

    Parameters
    ----------
    expr : TExpr
    cov_x : sympy.Expr
        Covariance scale of token components: ``E x_a x_b = cov_x delta_ab`` (``1/d`` here).
    var_eps : sympy.Expr
        Noise variance (``rho``).
    n_tokens : sympy.Expr
        Number of context tokens a summed token label runs over (``ell``).
    random_vectors : mapping name -> variance or covariance name
        Vectors that are themselves centred Gaussian, ``E u_a u_b = var * delta_ab``
        (Gaussian tasks: ``{'w': 1}``); their pairings are taken too.  A string value names a
        covariance matrix instead: ``E u_a u_b = C_ab`` (``{'z': 'C'}``; list ``C`` in ``symmetric``).
    norms : mapping name -> squared norm
        Deterministic vectors of known squared norm (``{'w': d * sigma2}``).
    dim : sympy.Expr
        Dimension (value of an empty loop ``delta_aa``); defaults to the symbol ``d``.
    symmetric : iterable of str
        Names of symmetric matrices (``R``).

    Examples
    --------
    >>> d, ell = sp.symbols("d ell", positive=True)
    >>> q = context_sum(lambda i: x(i, "a") * x(i, "a")) * (1 / ell)     # (1/ell) sum_i |x_i|^2
    >>> expect(q * q, cov_x=1 / d, n_tokens=ell, dim=d).as_scalar().factor()
    (d*ell + 2)/(d*ell)
    """
    dim = sp.Symbol("d", positive=True) if dim is None else dim
    random_vectors = dict(random_vectors or {})
    result = Contracted()
    for term in expr.terms:
        if term.sums and n_tokens is None:
            raise ValueError("n_tokens is required for expressions with context sums")
        for partition in set_partitions(list(term.sums)):
            weight = falling_factorial(n_tokens, len(partition)) if term.sums else sp.Integer(1)
            rep = {t: block[0] for block in partition for t in block}
            xs: dict[str, list[str]] = {}
            n_eps: dict[str, int] = {}
            rand: dict[str, list[str]] = {}
            det = []
            for f in term.factors:
                if f.kind == "x":
                    xs.setdefault(rep.get(f.name, f.name), []).append(f.slots[0])
                elif f.kind == "eps":
                    tok = rep.get(f.name, f.name)
                    n_eps[tok] = n_eps.get(tok, 0) + 1
                elif f.kind == "vec" and f.name in random_vectors:
                    rand.setdefault(f.name, []).append(f.slots[0])
                else:
                    det.append(f)
            coeff = term.coeff * weight
            if any(k % 2 for k in n_eps.values()):
                continue
            for k in n_eps.values():
                coeff *= var_eps ** (k // 2) * double_factorial(k - 1)
            groups = [(slots, cov_x) for slots in xs.values()]
            groups += [(slots, random_vectors[name]) for name, slots in rand.items()]
            if any(len(slots) % 2 for slots, _ in groups):
                continue
            options = []
            for slots, var in groups:
                if isinstance(var, str):  # a named covariance matrix: each pair is C_ab
                    options.append([(sp.Integer(1), m, var) for m in perfect_matchings(slots)])
                else:
                    options.append([(var ** (len(slots) // 2), m, None) for m in perfect_matchings(slots)])
            for combo in itertools.product(*options):
                c = coeff
                factors = list(det)
                for var_pow, matching, cov in combo:
                    c *= var_pow
                    factors += [Factor("mat", cov, pair) if cov else Factor("delta", "", pair) for pair in matching]
                scalar, key = contract(factors, dim=dim, symmetric=symmetric, norms=norms)
                result.add(key, c * scalar)
    return result.simplified()


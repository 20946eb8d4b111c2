"""Isserlis/Wick pairings: the combinatorial core of the Gaussian moment engine.

For a centred Gaussian vector ``z`` with covariance ``C``, Isserlis' theorem gives

    E[z_{k_1} ... z_{k_{2m}}] = sum over perfect matchings P of {1..2m} of prod_{(a,b) in P} C_{k_a k_b},

and odd moments vanish.  Sums over ``ell`` i.i.d. tokens are handled by splitting the
summation indices by their coincidences (set partitions): a partition with ``m`` blocks
runs over ``ell (ell-1) ... (ell-m+1)`` ordered tuples of distinct tokens (the falling
factorial).  Both ingredients are used by :mod:`iclsym.engine.tensornet` to derive the
paper's Lemma 1 (docs/onelayer/lemma1.md).
"""

from __future__ import annotations

from typing import Iterator, Sequence, TypeVar

import sympy as sp

__all__ = ["perfect_matchings", "set_partitions", "falling_factorial", "gaussian_moment", "double_factorial"]

T = TypeVar("T")


def perfect_matchings(items: Sequence[T]) -> Iterator[list[tuple[T, T]]]:
    """All perfect matchings of ``items`` (none if ``len(items)`` is odd).

    There are ``(2m - 1)!!`` matchings of ``2m`` items; the first item is always paired
    first, so each matching is produced exactly once.

    Examples
    --------
    >>> list(perfect_matchings("abcd"))
    [[('a', 'b'), ('c', 'd')], [('a', 'c'), ('b', 'd')], [('a', 'd'), ('b', 'c')]]
    >>> list(perfect_matchings("abc"))
    []
    """
    items = list(items)
    if len(items) % 2:
        return
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for j, partner in enumerate(rest):
        remaining = rest[:j] + rest[j + 1 :]
        for tail in perfect_matchings(remaining):
            yield [(first, partner)] + tail


def set_partitions(items: Sequence[T]) -> Iterator[list[list[T]]]:
    """All set partitions of ``items`` (Bell-number many), blocks in order of first element.

    Examples
    --------
    >>> [len(p) for p in set_partitions("abc")]
    [3, 2, 2, 2, 1]
    """
    items = list(items)
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for part in set_partitions(rest):
        # ``first`` in a block of its own, or joined to one of the existing blocks
        yield [[first]] + part
        for j in range(len(part)):
            yield part[:j] + [[first] + part[j]] + part[j + 1 :]


def falling_factorial(x, m: int):
    """``x (x-1) ... (x-m+1)``: the number of ordered ``m``-tuples of distinct tokens out of ``x``.

    >>> falling_factorial(sp.Symbol("ell"), 2)
    ell*(ell - 1)
    >>> falling_factorial(5, 3)
    60
    """
    out = sp.Integer(1)
    for j in range(m):
        out *= x - j
    return out


def double_factorial(n: int) -> int:
    """``(n)!!`` for odd ``n >= -1`` (``(-1)!! = 1``): the number of pairings of ``n + 1`` items.

    >>> [double_factorial(k) for k in (-1, 1, 3, 5)]
    [1, 1, 3, 15]
    """
    out = 1
    while n > 1:
        out *= n
        n -= 2
    return out


def gaussian_moment(indices: Sequence[int], cov) -> sp.Expr:
    """``E[z_{k_1} ... z_{k_n}]`` for a centred Gaussian vector with covariance matrix ``cov``.

    Sum over perfect matchings of the products of covariance entries (Isserlis).

    Parameters
    ----------
    indices : sequence of int
        Component indices ``k_1, ..., k_n`` (repeats allowed).
    cov : sympy.Matrix or nested sequence
        Covariance matrix.

    Examples
    --------
    >>> s = sp.Symbol("s", positive=True)
    >>> gaussian_moment([0, 0, 0, 0], [[s]])
    3*s**2
    >>> gaussian_moment([0, 1, 0, 1], [[1, 0], [0, 2]])
    2
    """
    cov = sp.Matrix(cov)
    total = sp.Integer(0)
    for matching in perfect_matchings(list(range(len(indices)))):
        term = sp.Integer(1)
        for a, b in matching:
            term *= cov[indices[a], indices[b]]
        total += term
    return sp.expand(total)

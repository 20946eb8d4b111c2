"""Samplers of the finite-``d`` model (docs/onelayer/model.md, docs/onelayer/lemma1.md, "Consequence for simulation").

Everything takes a :class:`numpy.random.Generator` (see :func:`as_generator`); the same
seed gives bit-identical draws.  Shapes: ``m`` sequences, dimension ``d``; a sequence is
returned as the triple ``(xq, h, y)`` with

* ``xq`` ``(m, d)``  -- the query token ``x_{ell+1} ~ N(0, I/d)``;
* ``h``  ``(m, d+1)`` -- the features ``[s; q]``, ``s = (d/ell) X^T y``, ``q = |y|^2/ell``;
* ``y``  ``(m,)``    -- the query label ``y_{ell+1} = <w, x_{ell+1}> + eps``.

Two samplers produce the same law:

* :func:`reference_sample` builds the ``ell x d`` context explicitly (``O(ell d)`` per
  sequence) -- the definition, used to test the other one;
* :func:`conditional_sample` draws ``(xq, h, y)`` given the task ``w`` exactly with
  ``O(d)`` work per sequence (derivation in its docstring).
"""

from __future__ import annotations

import math

import numpy as np

from iclsym.core.params import check_choice, check_param, check_size
from iclsym.core.tasks import task_law

__all__ = [
    "ASSIGNMENTS",
    "as_generator",
    "sample_tasks",
    "assign_tasks",
    "pretraining_tasks",
    "reference_sample",
    "conditional_sample",
    "sample_sequences",
]

#: assignment of pretraining sequences to the bank
ASSIGNMENTS = ("balanced", "uniform")
#: elements of the ``(chunk, ell, d)`` context block the reference sampler builds at once
_REFERENCE_CHUNK_ELEMENTS = 4_000_000


def as_generator(seed) -> np.random.Generator:
    """A :class:`numpy.random.Generator` from an int, a ``SeedSequence`` or a ``Generator``.

    Examples
    --------
    >>> a = as_generator(3).standard_normal(2); b = as_generator(np.random.SeedSequence(3)).standard_normal(2)
    >>> bool(np.all(a == b))
    True
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, np.random.SeedSequence):
        return np.random.default_rng(seed)
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be a non-negative int, a numpy SeedSequence or a Generator; got {seed!r}")
    if seed < 0:
        raise ValueError(f"seed must be a non-negative int; got {seed}")
    return np.random.default_rng(int(seed))


def sample_tasks(k: int, d: int, rng: np.random.Generator, task_dist="sphere") -> np.ndarray:
    """Draw ``k`` i.i.d. tasks from a task law (:mod:`iclsym.core.tasks`), shape ``(k, d)``.

    ``task_dist`` is a law or its spec: ``"sphere"`` (uniform on the sphere of radius ``sqrt(d)``,
    so ``|w|^2/d = 1``) or ``"gaussian"`` (``N(0, I_d)``: same mean and second moment, random norm).

    Examples
    --------
    >>> W = sample_tasks(3, 5, as_generator(0))
    >>> W.shape, np.allclose((W**2).sum(1), 5.0)
    ((3, 5), True)
    """
    return task_law(task_dist, "task_dist").sample(k, d, rng)


def assign_tasks(n: int, k: int, rng: np.random.Generator, assignment: str = "balanced") -> np.ndarray:
    """Indices into the bank for ``n`` pretraining sequences (docs/onelayer/model.md), shape ``(n,)``.

    ``"balanced"``: every task ``n // k`` times, the ``n mod k`` extra sequences go to
    distinct tasks chosen at random, and the order is shuffled.  ``"uniform"``: i.i.d.
    uniform indices.

    Examples
    --------
    >>> a = assign_tasks(7, 3, as_generator(0))
    >>> sorted(np.bincount(a, minlength=3).tolist())
    [2, 2, 3]
    """
    n = check_size("n", n, minimum=1)
    k = check_size("k", k, minimum=1)
    check_choice("assignment", assignment, ASSIGNMENTS)
    if assignment == "uniform":
        return rng.integers(0, k, size=n)
    base = np.tile(np.arange(k), n // k)
    extra = rng.choice(k, size=n % k, replace=False)
    return rng.permutation(np.concatenate([base, extra]))


def pretraining_tasks(n, k, d, rng, task_dist="sphere", assignment="balanced"):
    """The bank and the task of each pretraining sequence.

    Returns ``(W, tasks)``: the bank ``W`` ``(k, d)`` (``None`` when ``k = inf``) and the
    per-sequence tasks ``(n, d)`` (``W[assign]``, or ``n`` fresh tasks when ``k = inf``).

    Examples
    --------
    >>> W, T = pretraining_tasks(6, 2, 4, as_generator(1))
    >>> W.shape, T.shape, bool(np.all(np.isin(T[:, 0], W[:, 0])))
    ((2, 4), (6, 4), True)
    >>> pretraining_tasks(6, float("inf"), 4, as_generator(1))[0] is None
    True
    """
    k = check_size("k", k, minimum=1, allow_inf=True)
    if math.isinf(k):
        return None, sample_tasks(n, d, rng, task_dist)
    W = sample_tasks(k, d, rng, task_dist)
    return W, W[assign_tasks(n, k, rng, assignment)]


def _check_tasks(w, ell, rho):
    w = np.asarray(w, dtype=np.float64)
    if w.ndim != 2 or w.shape[1] < 2:
        raise ValueError(f"w must be an (m, d) array of tasks with d >= 2; got shape {w.shape}")
    if not np.all(np.isfinite(w)):
        raise ValueError("w must be finite")
    ell = check_size("ell", ell, minimum=1)
    rho = float(check_param("rho", rho))
    return w, ell, rho


def _query(w, rho, rng):
    m, d = w.shape
    xq = rng.standard_normal((m, d)) / math.sqrt(d)
    y = np.einsum("md,md->m", xq, w) + math.sqrt(rho) * rng.standard_normal(m)
    return xq, y


def reference_sample(w, ell, rho, rng):
    """Sequences built token by token, the definition of docs/onelayer/model.md.

    For each row ``w`` of the task array: context ``X`` ``(ell, d)`` with i.i.d.
    ``N(0, 1/d)`` entries, labels ``y_i = <w, x_i> + eps_i`` with ``eps_i ~ N(0, rho)``,
    ``s = (d/ell) X^T y``, ``q = |y|^2/ell``, ``h = [s; q]``; then the query token and label.
    Cost ``O(ell d)`` per sequence (the context is built in bounded chunks).

    Parameters
    ----------
    w : (m, d) array
        One task per sequence.
    ell : int
        Context length.
    rho : float
        Label-noise variance.
    rng : numpy.random.Generator

    Returns
    -------
    xq : (m, d), h : (m, d+1), y : (m,)

    Examples
    --------
    >>> xq, h, y = reference_sample(np.ones((4, 3)), 5, 0.1, as_generator(0))
    >>> xq.shape, h.shape, y.shape
    ((4, 3), (4, 4), (4,))
    """
    w, ell, rho = _check_tasks(w, ell, rho)
    m, d = w.shape
    h = np.empty((m, d + 1))
    chunk = max(1, _REFERENCE_CHUNK_ELEMENTS // (ell * d))
    for lo in range(0, m, chunk):
        wc = w[lo : lo + chunk]
        X = rng.standard_normal((len(wc), ell, d)) / math.sqrt(d)
        yc = np.einsum("mid,md->mi", X, wc) + math.sqrt(rho) * rng.standard_normal((len(wc), ell))
        h[lo : lo + chunk, :d] = (d / ell) * np.einsum("mid,mi->md", X, yc)
        h[lo : lo + chunk, d] = np.einsum("mi,mi->m", yc, yc) / ell
    xq, y = _query(w, rho, rng)
    return xq, h, y


def conditional_sample(w, ell, rho, rng):
    """Exact ``O(d)``-per-sequence draw of ``(x_{ell+1}, h, y_{ell+1})`` given the task (docs/onelayer/lemma1.md).

    Derivation.  Fix ``w`` with ``r = |w|`` and ``u = w/r``.  Split each context token as
    ``x_i = a_i u + x_i^perp`` with ``a_i = <u, x_i> ~ N(0, 1/d)`` and ``x_i^perp ~ N(0, P/d)``,
    ``P = I - u u^T``, all independent (Gaussian rotation invariance).  The labels
    ``y_i = r a_i + e_i`` (``e_i ~ N(0, rho)``) depend only on ``(a, e)``, so

    * ``s = (d/ell) [ (sum_i y_i a_i) u + sum_i y_i x_i^perp ]``;
    * given ``(a, e)``, ``sum_i y_i x_i^perp ~ N(0, |y|^2 P/d)``, i.e. ``(|y|/sqrt(d)) P z``
      with ``P z`` a standard Gaussian of the ``(d-1)``-dimensional complement of ``u``;
    * ``sum_i y_i a_i = r |a|^2 + <a, e>`` and ``|y|^2 = r^2 |a|^2 + 2 r <a, e> + |e|^2``
      involve ``(a, e)`` only through the 2x2 Gram matrix ``G`` of the columns ``a, e``.

    Writing ``a = g/sqrt(d)``, ``e = sqrt(rho) f`` with ``(g_i, f_i)`` i.i.d. standard
    normal pairs, ``[g f]^T [g f]`` is a standard 2x2 Wishart with ``ell`` degrees of
    freedom; by the Bartlett decomposition it equals ``L L^T``,
    ``L = [[c_1, 0], [n_21, c_2]]`` with ``c_1^2 ~ chi2(ell)``, ``c_2^2 ~ chi2(ell - 1)``
    (``= 0`` when ``ell = 1``), ``n_21 ~ N(0, 1)``, independent.  Hence
    ``|a|^2 = c_1^2/d``, ``<a, e> = sqrt(rho/d) c_1 n_21``, ``|e|^2 = rho (n_21^2 + c_2^2)``
    (``rho = 0`` simply gives ``e = 0``).  ``q = |y|^2/ell``.

    The complement direction: draw ``z ~ N(0, I_{d-1})``, embed it as ``[0; z]`` (orthogonal
    to ``e_1``) and apply the Householder reflection ``H = I - 2 v v^T/|v|^2`` with
    ``v = e_1 + sign(u_1) u`` (the sign avoids cancellation; ``|v|^2 = 2 (1 + |u_1|) >= 2``).
    ``H`` is orthogonal and ``H e_1 = -sign(u_1) u``, so ``H`` maps the complement of
    ``e_1`` isometrically onto the complement of ``u``, and ``H [0; z]`` is a standard
    Gaussian there.  It is applied as ``x - 2 v (v.x)/|v|^2`` without forming matrices.
    The query token is independent of the context: ``x_{ell+1} ~ N(0, I/d)``,
    ``y_{ell+1} = <w, x_{ell+1}> + eps``.  Every step is vectorized over the ``m`` rows of
    ``w`` (each row its own task and norm, so Gaussian tasks need nothing special).

    Parameters and returns as in :func:`reference_sample`.

    Examples
    --------
    >>> xq, h, y = conditional_sample(np.ones((4, 3)), 5, 0.1, as_generator(0))
    >>> xq.shape, h.shape, y.shape
    ((4, 3), (4, 4), (4,))
    """
    w, ell, rho = _check_tasks(w, ell, rho)
    m, d = w.shape
    r = np.linalg.norm(w, axis=1)
    safe = r > 0
    u = np.where(safe[:, None], w / np.where(safe, r, 1.0)[:, None], 0.0)
    u[~safe, 0] = 1.0
    # Bartlett factors of the (a, e) Gram matrix
    c1sq = 2.0 * rng.standard_gamma(ell / 2.0, size=m)
    c2sq = 2.0 * rng.standard_gamma((ell - 1) / 2.0, size=m)
    n21 = rng.standard_normal(m)
    aa = c1sq / d
    ae = math.sqrt(rho / d) * np.sqrt(c1sq) * n21
    ee = rho * (n21 * n21 + c2sq)
    ya = r * aa + ae
    yy = np.maximum(r * r * aa + 2.0 * r * ae + ee, 0.0)
    # standard Gaussian in the complement of u via the Householder reflection
    z = rng.standard_normal((m, d - 1))
    sgn = np.where(u[:, 0] >= 0.0, 1.0, -1.0)
    v = sgn[:, None] * u
    v[:, 0] += 1.0
    vz = np.einsum("md,md->m", v[:, 1:], z)  # v . [0; z]
    perp = -(2.0 * vz / (2.0 * (1.0 + np.abs(u[:, 0]))))[:, None] * v
    perp[:, 1:] += z
    h = np.empty((m, d + 1))
    h[:, :d] = (d / ell) * (ya[:, None] * u + np.sqrt(yy / d)[:, None] * perp)
    h[:, d] = yy / ell
    xq, y = _query(w, rho, rng)
    return xq, h, y


_SAMPLERS = {"conditional": conditional_sample, "reference": reference_sample}


def sample_sequences(w, ell, rho, rng, sampler: str = "conditional"):
    """Dispatch to :func:`conditional_sample` (default) or :func:`reference_sample`.

    Examples
    --------
    >>> sample_sequences(np.ones((2, 3)), 4, 0.0, as_generator(0), "reference")[1].shape
    (2, 4)
    """
    check_choice("sampler", sampler, tuple(_SAMPLERS))
    return _SAMPLERS[sampler](w, ell, rho, rng)

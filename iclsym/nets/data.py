"""In-context regression data for the trained networks: one jit-compiled pipeline for all three papers.

A *context* is ``ell`` labelled tokens followed by ``n_query`` query tokens.  Token ``x`` and
label ``y = <w, x> + eps`` with ``eps ~ N(0, rho)`` (``rho`` is the noise *variance*), in the
convention of Lu et al. (the project's ``docs/``):

* tokens ``x ~ N(0, Sigma/d)`` with ``Sigma = diag(x_spectrum)`` (default ``I``);
* tasks on the sphere of radius ``sqrt(d)`` (paper 1, ``task="sphere"``) or Gaussian
  ``w ~ N(0, C)`` with ``C = diag(task_spectrum)`` (paper 2, ``task="gaussian"``; default ``C = I``);
* ``rotate=True``: the randomly-rotated-structured (RRS) law of Bordelon et al.: every context
  draws a Haar rotation ``O`` and uses ``O Sigma O^T`` and ``O C O^T`` (data and task rotated
  together);
* ``token_scale``: the network sees ``token_scale * x`` while labels use ``x``.  Paper 3's
  convention ``x ~ N(0, I)``, ``beta ~ N(0, I/D)`` is ``token_scale = sqrt(d)`` (same labels).

The network input is the token matrix ``Z`` of shape ``(ell + n_query, d + 1)`` with rows
``[x_i, y_i]`` and the query labels set to 0; the targets are the ``n_query`` query labels.

Every context is a deterministic function of ``(key, index)`` (``jax.random.fold_in``), so
a pretraining set of ``n`` contexts is either *materialised* once (when it fits in memory) or
*streamed* (regenerated batch by batch inside the jitted training step) with identical
numbers.  A bank of ``k`` tasks with a balanced assignment (every task ``n // k`` or
``n // k + 1`` times, shuffled) gives finite task diversity; ``k = inf`` draws a fresh task
per context.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import jax
import jax.numpy as jnp

from iclsym.core.params import check_choice, check_param, check_size

__all__ = [
    "ContextLaw", "Dataset", "TASKS", "haar_rotation",
    "sample_task", "sample_context", "sample_batch", "pretraining_set", "evaluation_set",
]

#: task laws: uniform on the sphere of radius sqrt(d) (paper 1), Gaussian N(0, C) (paper 2)
TASKS = ("sphere", "gaussian")
#: a pretraining set is materialised when its token array is below this many bytes
MATERIALISE_BYTES = 512 * 2**20
#: contexts generated per jitted call (fixed, so that any set size reuses one compilation)
BLOCK = 1024


def _check_spectrum(name, spec, d):
    if spec is None:
        return None
    spec = tuple(float(v) for v in spec)
    if len(spec) != d or not all(math.isfinite(v) and v >= 0 for v in spec):
        raise ValueError(f"{name} must be {d} finite non-negative eigenvalues; got {len(spec)} values")
    return spec


@dataclass(frozen=True)
class ContextLaw:
    """The law of one context (hashable: it is a static argument of the jitted pipeline).

    Attributes
    ----------
    d, ell : int
        Token dimension and number of labelled tokens.
    rho : float
        Label-noise variance.
    n_query : int
        Query tokens per context (1 in papers 1-2; ``K`` in paper 3).
    task : {"sphere", "gaussian"}
        Task law (see the module docstring).
    task_spectrum, x_spectrum : tuple of float or None
        Eigenvalues of the task covariance ``C`` (Gaussian tasks only) and of ``d`` times the
        token covariance; ``None`` is the identity.
    rotate : bool
        Randomly rotated structured covariances (a Haar rotation per context).
    token_scale : float
        Factor applied to the tokens the network sees.

    Examples
    --------
    >>> law = ContextLaw(d=4, ell=8, rho=0.01)
    >>> law.tokens, law.width
    (9, 5)
    """

    d: int
    ell: int
    rho: float
    n_query: int = 1
    task: str = "sphere"
    task_spectrum: tuple | None = None
    x_spectrum: tuple | None = None
    rotate: bool = False
    token_scale: float = 1.0

    def __post_init__(self):
        object.__setattr__(self, "d", check_size("d", self.d, minimum=1))
        object.__setattr__(self, "ell", check_size("ell", self.ell, minimum=1))
        object.__setattr__(self, "n_query", check_size("n_query", self.n_query, minimum=1))
        object.__setattr__(self, "rho", float(check_param("rho", self.rho)))
        check_choice("task", self.task, TASKS)
        object.__setattr__(self, "task_spectrum", _check_spectrum("task_spectrum", self.task_spectrum, self.d))
        object.__setattr__(self, "x_spectrum", _check_spectrum("x_spectrum", self.x_spectrum, self.d))
        if self.task == "sphere" and self.task_spectrum is not None:
            raise ValueError("task_spectrum needs task='gaussian' (sphere tasks are isotropic)")
        scale = float(self.token_scale)
        if not (math.isfinite(scale) and scale > 0):
            raise ValueError(f"token_scale must be a positive finite number; got {self.token_scale}")
        object.__setattr__(self, "token_scale", scale)

    @property
    def tokens(self) -> int:
        """Tokens per context, ``ell + n_query``."""
        return self.ell + self.n_query

    @property
    def width(self) -> int:
        """Token width ``d + 1`` (``[x, y]``)."""
        return self.d + 1


def haar_rotation(key, d: int):
    """A Haar-distributed ``d x d`` orthogonal matrix (QR of a Gaussian matrix with the sign fix).

    Examples
    --------
    >>> O = haar_rotation(jax.random.key(0), 3)
    >>> bool(jnp.allclose(O @ O.T, jnp.eye(3), atol=1e-5))
    True
    """
    q, r = jnp.linalg.qr(jax.random.normal(key, (d, d)))
    return q * jnp.sign(jnp.diagonal(r))[None, :]


def sample_task(key, law: ContextLaw):
    """One task vector ``(d,)`` in the unrotated basis.

    Examples
    --------
    >>> w = sample_task(jax.random.key(0), ContextLaw(d=5, ell=2, rho=0.0))
    >>> round(float(w @ w), 4)
    5.0
    """
    g = jax.random.normal(key, (law.d,))
    if law.task == "sphere":
        return g * (math.sqrt(law.d) / jnp.linalg.norm(g))
    if law.task_spectrum is not None:
        g = g * jnp.sqrt(jnp.asarray(law.task_spectrum, dtype=g.dtype))
    return g


def sample_context(key, law: ContextLaw, w=None):
    """One context: the token matrix ``Z`` ``(ell + n_query, d + 1)`` and the query labels ``(n_query,)``.

    ``w`` is the task (a bank task); ``None`` draws a fresh one from ``law``.

    Examples
    --------
    >>> Z, y = sample_context(jax.random.key(1), ContextLaw(d=3, ell=4, rho=0.0))
    >>> Z.shape, y.shape, float(Z[-1, -1])
    ((5, 4), (1,), 0.0)
    """
    k_task, k_x, k_eps, k_rot = jax.random.split(key, 4)
    if w is None:
        w = sample_task(k_task, law)
    x = jax.random.normal(k_x, (law.tokens, law.d)) / math.sqrt(law.d)
    if law.x_spectrum is not None:
        x = x * jnp.sqrt(jnp.asarray(law.x_spectrum, dtype=x.dtype))
    if law.rotate:
        O = haar_rotation(k_rot, law.d)
        w = O @ w
        x = x @ O.T
    y = x @ w + math.sqrt(law.rho) * jax.random.normal(k_eps, (law.tokens,))
    labels = y.at[law.ell:].set(0.0)
    Z = jnp.concatenate([law.token_scale * x, labels[:, None]], axis=1)
    return Z, y[law.ell:]


def sample_batch(key, law: ContextLaw, index, tasks=None):
    """Contexts number ``index`` ``(m,)`` of the stream ``key``: ``Z`` ``(m, T, d+1)``, ``y`` ``(m, n_query)``.

    Context ``i`` uses the key ``fold_in(key, i)``, so any subset of a set is reproducible on
    its own.  ``tasks`` ``(m, d)`` gives each context its task (``None``: fresh tasks).

    Examples
    --------
    >>> law = ContextLaw(d=3, ell=4, rho=0.1)
    >>> Z, y = sample_batch(jax.random.key(0), law, jnp.arange(5))
    >>> Z2, _ = sample_batch(jax.random.key(0), law, jnp.arange(3, 5))
    >>> Z.shape, bool(jnp.all(Z[3:] == Z2))
    ((5, 5, 4), True)
    """
    keys = jax.vmap(lambda i: jax.random.fold_in(key, i))(jnp.asarray(index))
    if tasks is None:
        return jax.vmap(lambda k: sample_context(k, law))(keys)
    return jax.vmap(lambda k, w: sample_context(k, law, w))(keys, tasks)


_sample_batch_jit = jax.jit(sample_batch, static_argnums=1)
_sample_batch_jit.__doc__ = "Jitted :func:`sample_batch` (``law`` static)."


@dataclass(frozen=True)
class Dataset:
    """A pretraining set of ``n`` contexts (a JAX pytree: arrays are leaves, the law is static).

    Attributes
    ----------
    law : ContextLaw
    n : int
        Number of contexts.
    key : jax PRNG key
        The context stream (context ``i`` is ``fold_in(key, i)``).
    bank : (k, d) array or None
        Task bank (``None``: a fresh task per context, ``k = inf``).
    assign : (n,) int array or None
        Bank index of each context.
    Z, y : arrays or None
        The materialised tokens ``(n, T, d+1)`` and labels ``(n, n_query)``; ``None`` when streamed.
    """

    law: ContextLaw
    n: int
    key: object
    bank: object = None
    assign: object = None
    Z: object = None
    y: object = None

    @property
    def materialised(self) -> bool:
        return self.Z is not None

    def batch(self, index):
        """Contexts ``index``: ``(Z, y)`` (traceable inside ``jit``)."""
        if self.Z is not None:
            return self.Z[index], self.y[index]
        tasks = None if self.bank is None else self.bank[self.assign[index]]
        return sample_batch(self.key, self.law, index, tasks)

    def tasks_of(self, index):
        """The task of each context in ``index`` (bank sets only)."""
        return self.bank[self.assign[index]]


jax.tree_util.register_dataclass(
    Dataset, data_fields=["key", "bank", "assign", "Z", "y"], meta_fields=["law", "n"])


def _balanced(key, n, k):
    base = jnp.tile(jnp.arange(k), n // k)
    extra = jax.random.choice(jax.random.fold_in(key, 1), k, (n % k,), replace=False)
    return jax.random.permutation(jax.random.fold_in(key, 2), jnp.concatenate([base, extra]))


def pretraining_set(key, law: ContextLaw, n: int, k=math.inf, materialise=None, chunk: int = None) -> Dataset:
    """The ``n`` pretraining contexts with a bank of ``k`` tasks (balanced assignment) or ``k = inf``.

    ``materialise=None`` materialises when the tokens take less than
    :data:`MATERIALISE_BYTES`; materialised and streamed sets hold the same numbers.

    Examples
    --------
    >>> law = ContextLaw(d=3, ell=6, rho=0.01)
    >>> a = pretraining_set(jax.random.key(0), law, 10, k=2, materialise=True)
    >>> b = pretraining_set(jax.random.key(0), law, 10, k=2, materialise=False)
    >>> bool(jnp.allclose(a.batch(jnp.arange(10))[0], b.batch(jnp.arange(10))[0]))
    True
    >>> sorted(jnp.bincount(a.assign).tolist())
    [5, 5]
    """
    n = check_size("n", n, minimum=1)
    k = check_size("k", k, minimum=1, allow_inf=True)
    chunk = BLOCK if chunk is None else check_size("chunk", chunk, minimum=1)
    k_bank, k_assign, k_ctx = jax.random.split(key, 3)
    bank = assign = None
    if not math.isinf(k):
        if law.rotate:
            raise ValueError("a finite task bank (k < inf) cannot be combined with rotate=True")
        bank = jax.vmap(lambda kk: sample_task(kk, law))(jax.random.split(k_bank, int(k)))
        assign = _balanced(k_assign, n, int(k))
    ds = Dataset(law, n, k_ctx, bank, assign)
    if materialise is None:
        materialise = n * law.tokens * law.width * 4 <= MATERIALISE_BYTES
    if not materialise:
        return ds
    Z, y = _generate(k_ctx, law, n, None if bank is None else bank[assign], chunk)
    return Dataset(law, n, k_ctx, bank, assign, Z, y)


def _generate(key, law, n, tasks=None, chunk=BLOCK):
    # contexts 0..n-1 in fixed-size blocks (the last one padded past n and cut): one
    # compilation per law and block size, whatever n
    Zs, ys = [], []
    for lo in range(0, n, chunk):
        idx = jnp.arange(lo, lo + chunk)
        t = None if tasks is None else tasks[jnp.minimum(idx, n - 1)]
        Z, y = _sample_batch_jit(key, law, idx, t)
        Zs.append(Z)
        ys.append(y)
    return jnp.concatenate(Zs)[:n], jnp.concatenate(ys)[:n]


def evaluation_set(key, law: ContextLaw, m: int, bank=None, tasks=None):
    """``m`` test contexts ``(Z, y)``: fresh tasks from ``law`` (ICL), uniform draws from ``bank`` (IDG),
    or the given ``tasks`` ``(m, d)``.

    Examples
    --------
    >>> Z, y = evaluation_set(jax.random.key(0), ContextLaw(d=3, ell=6, rho=0.01), 7)
    >>> Z.shape, y.shape
    ((7, 7, 4), (7, 1))
    """
    m = check_size("m", m, minimum=1)
    if bank is not None and tasks is not None:
        raise ValueError("give bank or tasks, not both")
    if bank is not None:
        tasks = bank[jax.random.randint(jax.random.fold_in(key, 7), (m,), 0, bank.shape[0])]
    if tasks is not None and tuple(tasks.shape) != (m, law.d):
        raise ValueError(f"tasks must have shape (m, d) = ({m}, {law.d}); got {tuple(tasks.shape)}")
    return _generate(key, law, m, tasks)

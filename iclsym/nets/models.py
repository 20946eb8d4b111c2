"""The trained architectures, as pure functions of a parameter pytree (JAX).

Every model maps token matrices ``Z`` ``(m, ell + n_query, d + 1)`` (rows ``[x_i, y_i]``, query
labels 0; see :mod:`iclsym.nets.data`) to predictions ``(m, n_query)`` of the query labels.

``"linear"`` -- full linear attention (Lu et al.; the reduction documented in
    :mod:`iclsym.onelayer.symbolic.reduction`).  One layer with a residual connection,
    ``f(Z) = Z + (1/ell) V Z M (Z^T K^T Q Z)`` in the column convention of that module (``M``
    removes the query columns from the keys and values), read out at the label slot of each
    query column:

        y_hat = (1/ell) sum_{i <= ell} (v . z_i) (z_i^T K^T Q z_q).

    ``K, Q`` are trainable ``(d+1) x (d+1)`` matrices; of ``V`` only its last row ``v`` reaches
    the readout (the other rows get no gradient and are not stored).  With ``v = [v21; v22]``
    and ``A = K^T Q`` the prediction is ``<Gamma, H_Z>`` plus the residual term
    ``(1/ell) v21^T (sum_i x_i x_i^T) A11 x_q``; ``reduced=True`` fixes ``v21 = 0``, which is the
    paper's reduced model ``y_hat = <Gamma, H_Z>`` with ``Gamma = [v22 A11^T/d | v22 a21]``
    (:func:`linear_gamma`).
``"softmax"`` -- blocks of single-head softmax attention in the layout of the authors' runs:
    a dense read-in to width ``h`` (default ``d``), then per block
    ``x <- LN(x + softmax(causal(q k^T / sqrt(h))) v)`` and, with an MLP,
    ``x <- LN(x + MLP(x))``; a dense readout of the query tokens.  ``mlp=1`` is a single dense
    layer (the "one-layer MLP" of paper 1's runs), ``mlp=2`` is dense-GELU-dense (paper 2).
``"deep_linear"`` / ``"deep_softmax"`` -- Bordelon et al.'s residual stack of width ``N``: read-in
    ``h_mu = W_in [x_mu; y_mu]``, ``L`` untied blocks
    ``h_mu <- h_mu + (1/L) s_mu sum_{nu <= ell} A_{mu nu} v_nu`` with ``s_mu = -1`` for labelled and
    ``+1`` for query tokens (the paper's +-1 mask; keys and values are the labelled tokens only),
    ``A_{mu nu} = (q_mu . k_nu)/ell`` (linear) or ``softmax_nu(q_mu . k_nu / sqrt(N))``; optional
    ``h <- h + (1/L) MLP(h)`` after each attention layer; readout ``w_o . h_mu`` at the queries.

Named presets are in :data:`ARCHS` (e.g. ``"softmax2_mlp"``: two softmax blocks with the
one-layer MLP, paper 1's Fig. 5c).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import jax
import jax.numpy as jnp

from iclsym.core.params import check_choice, check_size

__all__ = ["Arch", "ARCHS", "KINDS", "arch_from", "init_params", "predict", "loss", "linear_gamma",
           "parameter_count"]

KINDS = ("linear", "softmax", "deep_linear", "deep_softmax")


@dataclass(frozen=True)
class Arch:
    """An architecture (hashable: a static argument of jitted functions).

    Attributes
    ----------
    kind : {"linear", "softmax", "deep_linear", "deep_softmax"}
    depth : int
        Attention blocks (``L``).
    width : int or None
        Hidden width (``None``: ``d`` for ``"softmax"``, ``2 d`` for the deep stacks).
    mlp : int
        0 (none), 1 (one dense layer), 2 (dense-GELU-dense).
    layernorm : bool
        LayerNorm after each residual update (``"softmax"`` only).
    reduced : bool
        ``"linear"`` only: fix ``v21 = 0`` (the reduced model ``<Gamma, H_Z>``).

    Examples
    --------
    >>> Arch("softmax", depth=2, mlp=1).depth
    2
    """

    kind: str
    depth: int = 1
    width: int | None = None
    mlp: int = 0
    layernorm: bool = True
    reduced: bool = False

    def __post_init__(self):
        check_choice("kind", self.kind, KINDS)
        check_size("depth", self.depth, minimum=1)
        if self.width is not None:
            check_size("width", self.width, minimum=1)
        check_choice("mlp", self.mlp, (0, 1, 2))
        if self.kind == "linear" and (self.depth != 1 or self.mlp):
            raise ValueError("kind='linear' is one layer without MLP: depth must be 1 and mlp 0")
        if self.reduced and self.kind != "linear":
            raise ValueError("reduced=True applies to kind='linear' only")

    def hidden(self, d: int) -> int:
        if self.width is not None:
            return self.width
        return d if self.kind == "softmax" else 2 * d


#: named architectures of the papers' experiments
ARCHS = {
    "full_linear": Arch("linear"),
    "reduced_linear": Arch("linear", reduced=True),
    "softmax": Arch("softmax", depth=1),
    "softmax2_mlp": Arch("softmax", depth=2, mlp=1),
    "softmax3_mlp": Arch("softmax", depth=3, mlp=1),
    "softmax2_gelu": Arch("softmax", depth=2, mlp=2),
    "deep_linear": Arch("deep_linear"),
    "deep_softmax": Arch("deep_softmax"),
    "deep_softmax_mlp": Arch("deep_softmax", mlp=2),
}


def arch_from(name: str, depth: int | None = None, width: int | None = None) -> Arch:
    """A preset of :data:`ARCHS`, with the depth and width optionally replaced.

    Examples
    --------
    >>> arch_from("deep_softmax", depth=4).depth
    4
    """
    check_choice("arch", name, tuple(ARCHS))
    a = ARCHS[name]
    changes = {}
    if depth is not None:
        changes["depth"] = depth
    if width is not None:
        changes["width"] = width
    return replace(a, **changes) if changes else a


def _normal(key, shape, fan_in):
    return jax.random.normal(key, shape) / math.sqrt(fan_in)


def _dense(key, n_in, n_out, bias=True):
    p = {"w": _normal(key, (n_in, n_out), n_in)}
    if bias:
        p["b"] = jnp.zeros((n_out,))
    return p


def _layernorm_params(h):
    return {"scale": jnp.ones((h,)), "bias": jnp.zeros((h,))}


def _mlp_params(key, h, mlp):
    if mlp == 0:
        return None
    k1, k2 = jax.random.split(key)
    layers = [_dense(k1, h, h)]
    if mlp == 2:
        layers.append(_dense(k2, h, h))
    return layers


def init_params(key, arch: Arch, d: int):
    """Initial parameters (Gaussian, variance ``1/fan_in``; zero biases, unit LayerNorm scales).

    Examples
    --------
    >>> p = init_params(jax.random.key(0), ARCHS["full_linear"], 3)
    >>> p["K"].shape, p["v"].shape
    ((4, 4), (4,))
    """
    d = check_size("d", d, minimum=1)
    w = d + 1
    if arch.kind == "linear":
        kk, kq, kv = jax.random.split(key, 3)
        v = _normal(kv, (w,), w)
        if arch.reduced:
            v = v.at[:-1].set(0.0)
        return {"K": _normal(kk, (w, w), w), "Q": _normal(kq, (w, w), w), "v": v}
    h = arch.hidden(d)
    keys = jax.random.split(key, arch.depth + 2)
    params = {"in": _dense(keys[0], w, h, bias=arch.kind == "softmax"),
              "out": _dense(keys[1], h, 1, bias=arch.kind == "softmax")}
    blocks = []
    for kb in keys[2:]:
        kq, kk, kv, km = jax.random.split(kb, 4)
        b = {"q": _normal(kq, (h, h), h), "k": _normal(kk, (h, h), h), "v": _normal(kv, (h, h), h)}
        mlp = _mlp_params(km, h, arch.mlp)
        if mlp is not None:
            b["mlp"] = mlp
        if arch.kind == "softmax" and arch.layernorm:
            b["ln1"] = _layernorm_params(h)
            if mlp is not None:
                b["ln2"] = _layernorm_params(h)
        blocks.append(b)
    params["blocks"] = blocks
    return params


def parameter_count(params) -> int:
    """Number of trainable scalars.

    Examples
    --------
    >>> parameter_count(init_params(jax.random.key(0), ARCHS["full_linear"], 3))
    36
    """
    return int(sum(x.size for x in jax.tree_util.tree_leaves(params)))


def _apply_dense(p, x):
    y = x @ p["w"]
    return y + p["b"] if "b" in p else y


def _layernorm(p, x, eps=1e-6):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) * jax.lax.rsqrt(var + eps) * p["scale"] + p["bias"]


def _apply_mlp(layers, x):
    x = _apply_dense(layers[0], x)
    for p in layers[1:]:
        x = _apply_dense(p, jax.nn.gelu(x))
    return x


def _linear(params, arch, ell, Z):
    ctx, zq = Z[:, :ell], Z[:, ell:]
    v = params["v"]
    if arch.reduced:
        v = v.at[:-1].set(0.0)
    kz = ctx @ params["K"].T
    qz = zq @ params["Q"].T
    vz = ctx @ v
    scores = jnp.einsum("mid,mqd->mqi", kz, qz)
    return jnp.einsum("mqi,mi->mq", scores, vz) / ell


def _softmax(params, arch, ell, Z):
    h = arch.hidden(Z.shape[-1] - 1)
    x = _apply_dense(params["in"], Z)
    T = Z.shape[1]
    causal = jnp.tril(jnp.ones((T, T), dtype=bool))
    for b in params["blocks"]:
        q, k, v = x @ b["q"], x @ b["k"], x @ b["v"]
        s = jnp.einsum("mtd,msd->mts", q, k) / math.sqrt(h)
        s = jnp.where(causal, s, -jnp.inf)
        x = x + jax.nn.softmax(s, axis=-1) @ v
        if "ln1" in b:
            x = _layernorm(b["ln1"], x)
        if "mlp" in b:
            x = x + _apply_mlp(b["mlp"], x)
            if "ln2" in b:
                x = _layernorm(b["ln2"], x)
    return _apply_dense(params["out"], x[:, ell:])[..., 0]


def _deep(params, arch, ell, Z):
    h = arch.hidden(Z.shape[-1] - 1)
    T = Z.shape[1]
    L = len(params["blocks"])
    sign = jnp.where(jnp.arange(T) < ell, -1.0, 1.0)[None, :, None]
    x = _apply_dense(params["in"], Z)
    for b in params["blocks"]:
        q, k, v = x @ b["q"], x[:, :ell] @ b["k"], x[:, :ell] @ b["v"]
        s = jnp.einsum("mtd,msd->mts", q, k)
        if arch.kind == "deep_linear":
            a = s / ell
        else:
            a = jax.nn.softmax(s / math.sqrt(h), axis=-1)
        x = x + (sign * (a @ v)) / L
        if "mlp" in b:
            x = x + _apply_mlp(b["mlp"], x) / L
    return _apply_dense(params["out"], x[:, ell:])[..., 0]


_FORWARD = {"linear": _linear, "softmax": _softmax, "deep_linear": _deep, "deep_softmax": _deep}


def predict(params, arch: Arch, ell: int, Z):
    """Predictions ``(m, n_query)`` of the query labels of the contexts ``Z`` ``(m, ell + n_query, d + 1)``.

    Examples
    --------
    >>> from iclsym.nets.data import ContextLaw, sample_batch
    >>> law = ContextLaw(d=3, ell=5, rho=0.1)
    >>> Z, y = sample_batch(jax.random.key(0), law, jnp.arange(4))
    >>> f = jax.jit(predict, static_argnums=(1, 2))
    >>> [f(init_params(jax.random.key(1), ARCHS[a], 3), ARCHS[a], 5, Z).shape for a in ("full_linear", "softmax2_mlp")]
    [(4, 1), (4, 1)]
    """
    return _FORWARD[arch.kind](params, arch, ell, Z)


def loss(params, arch: Arch, ell: int, Z, y):
    """Mean squared error on the query labels (the training objective of all three papers).

    Examples
    --------
    >>> p = init_params(jax.random.key(0), ARCHS["full_linear"], 2)
    >>> float(loss(p, ARCHS["full_linear"], 2, jnp.zeros((1, 3, 3)), jnp.ones((1, 1))))
    1.0
    """
    return jnp.mean((predict(params, arch, ell, Z) - y) ** 2)


def linear_gamma(params, d: int, reduced: bool = False):
    """``Gamma = [(v22 A11^T + a21 v21^T)/d | v22 a21]`` ``(d, d+1)`` of a ``"linear"`` model, ``A = K^T Q``.

    The prediction equals ``<Gamma, H_Z>`` (with ``s = (d/ell) sum y_i x_i``, ``q = |y|^2/ell``)
    exactly when ``v21 = 0`` (:mod:`iclsym.onelayer.symbolic.reduction`); ``reduced=True`` uses
    ``v21 = 0`` whatever is stored (the ``reduced_linear`` model ignores those entries).

    Examples
    --------
    >>> import numpy as np
    >>> p = {"K": jnp.eye(3), "Q": jnp.eye(3), "v": jnp.array([0.0, 0.0, 2.0])}
    >>> np.asarray(linear_gamma(p, 2)).tolist()
    [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    """
    A = params["K"].T @ params["Q"]
    v21, v22 = params["v"][:d], params["v"][d]
    if reduced:
        v21 = jnp.zeros_like(v21)
    A11, a21 = A[:d, :d], A[d, :d]
    G = (v22 * A11.T + jnp.outer(a21, v21)) / d
    return jnp.concatenate([G, (v22 * a21)[:, None]], axis=1)

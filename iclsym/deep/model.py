"""Deep linear self-attention and its reduction to the Gamma-model (L steps of preconditioned GD).

**Network** (width ``N``, depth ``L``).  Read-in ``h_mu = W_x x_mu + w_y y_mu`` (query tokens carry
``y = 0``); ``L`` residual linear-attention blocks::

    h^{l+1}_mu = h^l_mu + (1/(L P)) sum_{nu <= P} M_{mu nu} (k^l_nu . q^l_mu) v^l_nu,
    q = W_q h,  k = W_k h,  v = W_v h,

with the mask ``M = -1`` for labelled ``mu`` and ``+1`` for query ``mu`` (keys and values come
from the ``P`` labelled tokens only); readout ``f = w_o . h^L`` at the query tokens.  Layers are
tied (one ``W_q, W_k, W_v``) or untied (arrays of shape ``(L, N, N)``).

**Gamma-model** (the convention of iclsym, tested against the network)::

    w_0 = 0,   w_{l+1} = w_l + (Gamma_l / L) (hhat - Sigmahat w_l),   f(x*) = x* . w_L,
    Sigmahat = X^T X / P,  hhat = X^T y / P.

Under the alignment assumptions (``W_x^T w_y = 0``; ``W_q w_y = W_k w_y = 0``; ``W_v`` reads and
writes only the label direction, ``W_v = c w_y w_y^T/|w_y|^2``; ``w_o . w_y = 1`` and
``w_o ⟂ range(W_x)``) the network output equals the Gamma-model with::

    Gamma_l = c_l W_x^T (W_q^l)^T W_k^l W_x,      c_l = w_y^T W_v^l w_y / |w_y|^2.

(The transpose matters for non-symmetric ``Gamma``: with ``A = W_x^T W_k^T W_q W_x`` the attention
score is ``x_nu^T A x_mu`` and the GD preconditioner in the recursion above is ``c A^T``.)
See ``docs/deep/reduction.md``.
"""

from __future__ import annotations

import numpy as np

from iclsym.deep.params import check_int

__all__ = ["gamma_model_predict", "gamma_model_weights", "network_forward", "aligned_weights",
           "gamma_of_weights", "layer_gammas"]


def layer_gammas(Gamma, L: int) -> np.ndarray:
    """``Gamma`` as an ``(L, D, D)`` stack (a single ``(D, D)`` matrix is tied across layers).

    Examples
    --------
    >>> layer_gammas(np.eye(2), 3).shape
    (3, 2, 2)
    """
    L = check_int("L", L)
    G = np.asarray(Gamma, dtype=float)
    if G.ndim == 2:
        return np.broadcast_to(G, (L,) + G.shape)
    if G.ndim == 3 and G.shape[0] == L:
        return G
    raise ValueError(f"Gamma must have shape (D, D) or (L, D, D) with L = {L}; got {G.shape}")


def gamma_model_weights(Gamma, Sigmahat, hhat, L: int) -> np.ndarray:
    """The in-context weights ``w_L`` of the Gamma-model (batched over leading axes of
    ``Sigmahat`` (..., D, D) and ``hhat`` (..., D)).

    Examples
    --------
    >>> S = np.eye(2); h = np.array([1.0, 2.0])
    >>> gamma_model_weights(np.eye(2), S, h, L=1).tolist()     # one full step solves it
    [1.0, 2.0]
    """
    G = layer_gammas(Gamma, L)
    Sigmahat = np.asarray(Sigmahat, float)
    hhat = np.asarray(hhat, float)
    w = np.zeros_like(hhat)
    for l in range(L):
        r = hhat - np.einsum("...ij,...j->...i", Sigmahat, w)
        w = w + (r @ G[l].T) / L
    return w


def gamma_model_predict(Gamma, X, y, Xq, L: int) -> np.ndarray:
    """Predictions ``x* . w_L`` of the Gamma-model at the queries ``Xq`` (..., K, D).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((40, 3)); b = np.array([1.0, -1.0, 0.5])
    >>> Xq = rng.standard_normal((2, 3)); S = X.T @ X / 40
    >>> f = gamma_model_predict(np.linalg.inv(S), X, X @ b, Xq, L=1)
    >>> bool(np.allclose(f, Xq @ b))
    True
    """
    X = np.asarray(X, float)
    P = X.shape[-2]
    Sigmahat = np.swapaxes(X, -1, -2) @ X / P
    hhat = np.einsum("...pd,...p->...d", X, np.asarray(y, float)) / P
    w = gamma_model_weights(Gamma, Sigmahat, hhat, L)
    return np.einsum("...kd,...d->...k", np.asarray(Xq, float), w)


def _stack(W, L):
    W = np.asarray(W, float)
    return np.broadcast_to(W, (L,) + W.shape) if W.ndim == 2 else W


def network_forward(weights: dict, X, y, Xq, L: int) -> np.ndarray:
    """The explicit deep linear self-attention network's predictions at the query tokens.

    ``weights`` has ``W_x`` (N, D), ``w_y`` (N,), ``w_o`` (N,) and ``W_q, W_k, W_v`` of shape
    ``(N, N)`` (tied) or ``(L, N, N)`` (untied).  ``X`` (..., P, D), ``y`` (..., P), ``Xq`` (..., K, D).
    No alignment is assumed here: this is the network itself.

    Examples
    --------
    >>> w = aligned_weights(3, 6, 2, np.random.default_rng(0))
    >>> rng = np.random.default_rng(1)
    >>> X, Xq = rng.standard_normal((10, 3)), rng.standard_normal((4, 3))
    >>> y = X @ np.ones(3)
    >>> f_net = network_forward(w, X, y, Xq, L=2)
    >>> f_gam = gamma_model_predict(gamma_of_weights(w, 2), X, y, Xq, L=2)
    >>> bool(np.allclose(f_net, f_gam, rtol=1e-12, atol=1e-12))
    True
    """
    L = check_int("L", L)
    X, Xq, y = np.asarray(X, float), np.asarray(Xq, float), np.asarray(y, float)
    P = X.shape[-2]
    Wx, wy, wo = (np.asarray(weights[k], float) for k in ("W_x", "w_y", "w_o"))
    Wq, Wk, Wv = (_stack(weights[k], L) for k in ("W_q", "W_k", "W_v"))
    h_lab = X @ Wx.T + y[..., None] * wy          # (..., P, N)
    h_q = Xq @ Wx.T                                # (..., K, N)
    for l in range(L):
        k = h_lab @ Wk[l].T
        v = h_lab @ Wv[l].T
        q_lab = h_lab @ Wq[l].T
        q_q = h_q @ Wq[l].T
        s_lab = q_lab @ np.swapaxes(k, -1, -2)     # (..., P, P): k_nu . q_mu
        s_q = q_q @ np.swapaxes(k, -1, -2)         # (..., K, P)
        h_lab = h_lab - (s_lab @ v) / (L * P)
        h_q = h_q + (s_q @ v) / (L * P)
    return h_q @ wo


def aligned_weights(D: int, N: int, L: int, rng, tied: bool = True, scale: float = 1.0) -> dict:
    """Random network weights satisfying the alignment assumptions (``N >= D + 1``).

    ``W_x`` random with range orthogonal to the label direction ``w_y``; ``W_q, W_k`` random with
    ``w_y`` in their kernels; ``W_v = c w_y w_y^T / |w_y|^2`` with random ``c``; ``w_o`` with
    ``w_o . w_y = 1`` and ``w_o ⟂ range(W_x)``.

    Examples
    --------
    >>> w = aligned_weights(2, 4, 3, np.random.default_rng(0), tied=False)
    >>> w["W_q"].shape, round(float(w["w_o"] @ w["w_y"]), 12)
    ((3, 4, 4), 1.0)
    """
    D, N, L = check_int("D", D), check_int("N", N, minimum=D + 1), check_int("L", L)
    wy = rng.standard_normal(N)
    u = wy / np.linalg.norm(wy)
    Pu = np.eye(N) - np.outer(u, u)
    Wx = Pu @ rng.standard_normal((N, D)) / np.sqrt(N)
    # w_o: along w_y plus a component orthogonal to both w_y and range(W_x)
    Qx, _ = np.linalg.qr(np.column_stack([u, Wx]))
    z = rng.standard_normal(N)
    z -= Qx @ (Qx.T @ z)
    wo = wy / (wy @ wy) + (z if N > D + 1 else 0.0)
    shape = (N, N) if tied else (L, N, N)
    Wq = scale * rng.standard_normal(shape) / np.sqrt(N) @ Pu
    Wk = scale * rng.standard_normal(shape) / np.sqrt(N) @ Pu
    c = rng.uniform(0.5, 1.5, size=() if tied else (L, 1, 1))
    Wv = c * np.outer(wy, wy) / (wy @ wy)
    return {"W_x": Wx, "w_y": wy, "w_o": wo, "W_q": Wq, "W_k": Wk, "W_v": Wv}


def gamma_of_weights(weights: dict, L: int) -> np.ndarray:
    """The Gamma-model preconditioners ``Gamma_l = c_l W_x^T W_q^T W_k W_x`` of aligned weights,
    shape ``(L, D, D)``.

    Examples
    --------
    >>> w = aligned_weights(2, 4, 1, np.random.default_rng(0))
    >>> gamma_of_weights(w, 1).shape
    (1, 2, 2)
    """
    L = check_int("L", L)
    Wx, wy = np.asarray(weights["W_x"], float), np.asarray(weights["w_y"], float)
    Wq, Wk, Wv = (_stack(weights[k], L) for k in ("W_q", "W_k", "W_v"))
    c = np.einsum("i,lij,j->l", wy, Wv, wy) / (wy @ wy)
    return c[:, None, None] * (Wx.T @ np.swapaxes(Wq, -1, -2) @ Wk @ Wx)

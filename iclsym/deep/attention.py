"""Full linear-attention parametrisation trained by SGD (JAX; imported lazily inside this module).

Trains ``W_x`` (N x D), ``W_q, W_k, W_v`` (N x N, tied across the ``L`` layers) of the explicit
deep linear self-attention network (:func:`iclsym.deep.model.network_forward`: ``1/(L P)``
scaling, the +-1 mask) with the label read-in and readout fixed, ``w_y = w_o = e_N``.  The
initialisation is small and balanced and respects the alignment (``W_x`` writes the ``x``
subspace, ``W_q, W_k`` read it, ``W_v`` maps the label channel to itself):

    W_x = s sqrt(2) [I_D; 0],   W_q = W_k = s P_x,   W_v = s sqrt(D) e_N e_N^T,

balanced in Frobenius norm (``|W_x|^2/2 = |W_q|^2 = |W_k|^2 = |W_v|^2 = D s^2``), so
``Gamma = (w_y^T W_v w_y) W_x^T W_q^T W_k W_x = 2 sqrt(D) s^5 I``.  Gradient flow conserves the
balance, and with the step ``lr D`` on ``(1/2) MSE`` the scalar ``gamma`` obeys

    dgamma/dstep = -(5/2) lr (2 sqrt(D))^(2/5) gamma^(8/5) R'(gamma),

which is the ``gamma = w^5`` theory (:func:`iclsym.deep.dynamics.full_attention_flow`,
``dgamma/dt = -25 gamma^(8/5) R'``) at ``t = steps lr (2 sqrt(D))^(2/5)/10`` from
``w0 = (2 sqrt(D))^(1/5) s`` (:func:`flow_time`, :func:`flow_w0`).  All weights are trained (nothing is frozen
except ``w_y = w_o``), so the alignment is learned, not imposed.
"""

from __future__ import annotations

import math
import time

import numpy as np

from iclsym.deep.params import check_alpha, check_int, check_positive, check_setting
from iclsym.deep.train import sample_batch

__all__ = ["init_params", "train_attention", "flow_time", "flow_w0"]


def flow_time(steps, lr: float, D: int):
    """Gradient-flow time of ``steps`` SGD steps of :func:`train_attention` (module doc).

    Examples
    --------
    >>> round(flow_time(10, 0.1, 16), 6)
    0.2
    """
    out = np.asarray(steps, float) * float(lr) * (2.0 * math.sqrt(D)) ** 0.4 / 10.0
    return float(out) if out.ndim == 0 else out


def flow_w0(scale: float, D: int) -> float:
    """``w(0) = (2 sqrt(D))^(1/5) scale`` of the balanced initialisation (``gamma = w^5``).

    Examples
    --------
    >>> round(flow_w0(0.5, 16) ** 5, 6)        # gamma(0) = 2 sqrt(D) s^5
    0.25
    """
    return (2.0 * math.sqrt(D)) ** 0.2 * float(scale)


def init_params(D: int, N: int, scale: float) -> dict:
    """The balanced aligned initialisation of the module doc (NumPy arrays).

    Examples
    --------
    >>> p = init_params(2, 4, 0.1)
    >>> sorted(p), p["W_x"].shape
    (['W_k', 'W_q', 'W_v', 'W_x'], (4, 2))
    """
    D, N = check_int("D", D), check_int("N", N, minimum=D + 1)
    Wx = np.zeros((N, D))
    Wx[:D, :D] = math.sqrt(2.0) * scale * np.eye(D)
    Px = np.zeros((N, N))
    Px[:D, :D] = np.eye(D)
    Wv = np.zeros((N, N))
    Wv[N - 1, N - 1] = scale * math.sqrt(D)
    return {"W_x": Wx, "W_q": scale * Px, "W_k": scale * Px.copy(), "W_v": Wv}


def _forward(params, X, y, Xq, L, N):
    import jax.numpy as jnp

    P = X.shape[-2]
    wy = jnp.zeros(N).at[N - 1].set(1.0)
    h_lab = X @ params["W_x"].T + y[..., None] * wy
    h_q = Xq @ params["W_x"].T
    for _ in range(L):
        k = h_lab @ params["W_k"].T
        v = h_lab @ params["W_v"].T
        s_lab = (h_lab @ params["W_q"].T) @ jnp.swapaxes(k, -1, -2)
        s_q = (h_q @ params["W_q"].T) @ jnp.swapaxes(k, -1, -2)
        h_lab = h_lab - (s_lab @ v) / (L * P)
        h_q = h_q + (s_q @ v) / (L * P)
    return h_q @ wy


def train_attention(setting: str, D: int, alpha, L: int, steps: int, batch: float, lr: float, *, N: int | None = None,
                    queries=1.0, nu: float = 1.5, beta: float = 1.0, scale: float = 0.3, seed: int = 0,
                    record_every: int = 0) -> dict:
    """SGD (optax) on ``(1/2) MSE`` of the full parametrisation; step ``lr D``.  Returns
    ``{"history": {"step", "risk", "gamma"}, "Gamma": (D, D), "seconds"}`` where ``risk`` is the
    windowed mean training excess risk and ``gamma = tr(Gamma)/D`` of the effective preconditioner
    ``Gamma = (w_y^T W_v w_y) W_x^T W_q^T W_k W_x``.

    Examples
    --------
    >>> out = train_attention("iso", 4, 1.0, 1, 3, 1.0, 0.1, seed=0)
    >>> sorted(out), out["Gamma"].shape, sorted(out["history"])
    (['Gamma', 'history', 'seconds'], (4, 4), ['gamma', 'risk', 'step'])
    """
    import jax
    import jax.numpy as jnp
    import optax

    jax.config.update("jax_enable_x64", True)
    setting = check_setting(setting)
    D, L = check_int("D", D, minimum=2), check_int("L", L)
    N = D + 1 if N is None else check_int("N", N, minimum=D + 1)
    steps = check_int("steps", steps, minimum=0)
    a = float(check_alpha(alpha))
    if math.isinf(a):
        raise ValueError("alpha must be finite for the explicit network (P tokens per context)")
    P = max(1, int(round(a * D)))
    K = max(1, int(round(float(check_positive("queries", queries)) * D)))
    n = max(1, int(round(float(check_positive("batch", batch)) * D)))
    lr = float(check_positive("lr", lr))
    from iclsym.deep.data import spectrum_for

    lam, omega = spectrum_for(setting, D, nu, beta)
    params = {k: jnp.asarray(v) for k, v in init_params(D, N, scale).items()}
    opt = optax.sgd(lr * D)
    state = opt.init(params)

    def loss_fn(p, X, y, Xq, yq):
        f = _forward(p, X, y, Xq, L, N)
        return 0.5 * jnp.mean((f - yq) ** 2)

    @jax.jit
    def step_fn(p, s, X, y, Xq, yq):
        loss, g = jax.value_and_grad(loss_fn)(p, X, y, Xq, yq)
        upd, s = opt.update(g, s, p)
        return optax.apply_updates(p, upd), s, loss

    rng = np.random.default_rng(seed)
    hist = {"step": [], "risk": [], "gamma": []}
    acc, cnt = 0.0, 0
    t0 = time.perf_counter()

    def gamma_of(p):
        Wx, Wq, Wk, Wv = (np.asarray(p[k]) for k in ("W_x", "W_q", "W_k", "W_v"))
        return Wv[N - 1, N - 1] * (Wx.T @ Wq.T @ Wk @ Wx)

    def record(step):
        G = gamma_of(params)
        hist["step"].append(step)
        hist["risk"].append(acc / cnt if cnt else float("nan"))
        hist["gamma"].append(float(np.trace(G) / D))

    if record_every:
        record(0)
    for step in range(steps):
        X, y, Xq, yq = _contexts(setting, n, D, P, K, rng, lam, omega)
        params, state, loss = step_fn(params, state, X, y, Xq, yq)
        acc += 2.0 * float(loss)
        cnt += 1
        if record_every and ((step + 1) % record_every == 0 or step + 1 == steps):
            record(step + 1)
            acc, cnt = 0.0, 0
    return {"history": hist, "Gamma": gamma_of(params), "seconds": time.perf_counter() - t0}


def _contexts(setting, n, D, P, K, rng, lam, omega):
    from iclsym.deep.data import sample_contexts

    c = sample_contexts(setting, n, D, P, K, rng, lam, omega)
    return c.X, c.y, c.Xq, c.yq

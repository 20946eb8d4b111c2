"""Online SGD of the Gamma-model (the reduced deep linear attention) on ISO / FS / RRS contexts.

Every step draws ``B = round(batch D)`` fresh contexts with ``P = round(alpha D)`` labelled pairs
(``alpha = inf``: population, ``Sigmahat = Sigma_c``, ``hhat = Sigma_c beta``) and
``K = round(queries D)`` queries (``queries = inf``: the exact query expectation), runs the
``L``-step recursion ``w_{l+1} = w_l + (Gamma_l/L)(hhat - Sigmahat w_l)`` and updates

    Gamma_l <- Gamma_l - lr D dl/dGamma_l,     l = (1/2) mean_queries (y - x . w_L)^2,

by exact back-propagation through the recursion.  Tied layers share one ``Gamma`` (its gradient
is the sum over layers); untied layers have their own, with the step multiplied by ``L`` so that
from a symmetric start their dynamics equal the tied ones (the loss is symmetric in the layers).
``width = N < D`` restricts every ``Gamma_l`` to the top-left ``N x N`` block (``Gamma = S^T G S``
with the coordinate selection ``S = [I_N, 0]``: a rank-``N`` preconditioner; in the RRS setting
the random rotation makes it a random subspace).  The last ``decay`` fraction of the steps
decays the step linearly to zero (to settle below the SGD noise floor).

Gradient-flow time of a run: :func:`iclsym.deep.dynamics.flow_time`.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field

import numpy as np

from iclsym.deep.data import haar_orthogonal, spectrum_for
from iclsym.deep.montecarlo import context_risks
from iclsym.deep.params import check_alpha, check_int, check_nonneg, check_positive, check_setting

__all__ = ["TrainResult", "train_gamma", "sample_batch"]


@dataclass
class TrainResult:
    """Outcome of :func:`train_gamma`: final ``Gamma`` stack ``(L, D, D)`` and the recorded history
    (``step``, windowed mean training ``risk`` = excess-risk estimate, per-layer ``gamma_l`` = tr/D,
    ``diag`` = diagonal of the layer-mean ``Gamma``, ``dist_I`` = ``||Gamma - I||_F^2/D``)."""

    Gamma: np.ndarray
    history: dict = field(default_factory=dict)
    seconds: float = 0.0
    diverged: bool = False


def sample_batch(setting, n, D, P, K, rng, lam, omega, sigma2=0.0):
    """One batch: ``(Sigmahat, hhat, Xq, yq, beta, Sigma)`` with ``P = None`` for population and
    ``K = None`` for exact queries (then ``Xq = yq = None``).

    Examples
    --------
    >>> lam, om = spectrum_for("rrs", 4)
    >>> out = sample_batch("rrs", 2, 4, 6, None, np.random.default_rng(0), lam, om)
    >>> [None if a is None else a.shape for a in out]
    [(2, 4, 4), (2, 4), None, None, (2, 4), (2, 4, 4)]
    """
    sl, so = np.sqrt(lam), np.sqrt(omega)
    beta = rng.standard_normal((n, D)) * so
    O = haar_orthogonal(D, rng, size=n) if setting == "rrs" else None
    if O is not None:
        beta = np.einsum("nij,nj->ni", O, beta)
        Sigma = (O * lam) @ np.swapaxes(O, -1, -2)
    else:
        Sigma = np.broadcast_to(np.diag(lam), (n, D, D))
    if P is None:
        Sh = Sigma
        hh = np.einsum("nij,nj->ni", Sigma, beta)
    else:
        X = rng.standard_normal((n, P, D)) * sl
        if O is not None:
            X = X @ np.swapaxes(O, -1, -2)
        y = np.einsum("npd,nd->np", X, beta)
        if sigma2 > 0:
            y = y + math.sqrt(sigma2) * rng.standard_normal(y.shape)
        Sh = np.swapaxes(X, -1, -2) @ X / P
        hh = np.einsum("npd,np->nd", X, y) / P
    if K is None:
        return Sh, hh, None, None, beta, Sigma
    Xq = rng.standard_normal((n, K, D)) * sl
    if O is not None:
        Xq = Xq @ np.swapaxes(O, -1, -2)
    yq = np.einsum("nkd,nd->nk", Xq, beta)
    if sigma2 > 0:
        yq = yq + math.sqrt(sigma2) * rng.standard_normal(yq.shape)
    return Sh, hh, Xq, yq, beta, Sigma


def _size(name, ratio, D):
    r = float(check_positive(name, ratio, allow_inf=True))
    return None if math.isinf(r) else max(1, int(round(r * D)))


def train_gamma(setting: str, D: int, alpha, L: int, steps: int, batch: float, lr: float, *,
                queries=1.0, sigma2: float = 0.0, tied: bool = True, width: int | None = None,
                nu: float = 1.5, beta: float = 1.0, seed: int = 0, record_every: int = 0,
                decay: float = 0.0, init: float = 0.0, lam=None, omega=None,
                on_divergence: str = "raise") -> TrainResult:
    """Train the Gamma-model by online SGD (see module doc).  ``Gamma`` starts at ``init * I``.

    When ``|Gamma|`` exceeds ``1e100`` (the step is beyond the stability edge) the run stops:
    ``on_divergence="raise"`` raises ``ArithmeticError``; ``"stop"`` returns the result so far
    with ``diverged=True``.

    Examples
    --------
    >>> r = train_gamma("iso", 8, float("inf"), 1, 200, 1.0, 0.5, queries=float("inf"), seed=0)
    >>> round(float(np.trace(r.Gamma[0]) / 8), 2)        # alpha = inf: gamma -> 1 (Gamma = I)
    1.0
    """
    setting = check_setting(setting)
    D, L = check_int("D", D, minimum=2), check_int("L", L)
    steps = check_int("steps", steps, minimum=0)
    check_alpha(alpha)
    P, K = _size("alpha", alpha, D), _size("queries", queries, D)
    n = _size("batch", batch, D)
    if n is None:
        raise ValueError("batch must satisfy 0 < batch < inf")
    lr = float(check_positive("lr", lr))
    sigma2 = float(check_nonneg("sigma2", sigma2))
    decay = float(check_nonneg("decay", decay))
    if decay > 1:
        raise ValueError(f"decay must satisfy 0 <= decay <= 1; got {decay}")
    N = D if width is None else check_int("width", width, minimum=1, maximum=D)
    if lam is None:
        lam, omega = spectrum_for(setting, D, nu, beta)
    lam, omega = np.asarray(lam, float), np.asarray(omega, float)
    rng = np.random.default_rng(seed)
    G = np.zeros((L, D, D))
    G[:, np.arange(N), np.arange(N)] = float(init)
    mask = np.zeros((D, D))
    mask[:N, :N] = 1.0
    every = record_every if record_every and record_every > 0 else 0
    hist = {"step": [], "risk": [], "gamma_l": [], "diag": [], "dist_I": []}
    acc, acc_n = 0.0, 0
    t0 = time.perf_counter()
    noise_floor = sigma2 if (K is not None) else 0.0

    def record(step):
        hist["step"].append(step)
        hist["risk"].append(acc / acc_n if acc_n else float("nan"))
        hist["gamma_l"].append([float(np.trace(G[l]) / D) for l in range(L)])
        Gm = G.mean(axis=0)
        hist["diag"].append(np.diag(Gm).tolist())
        hist["dist_I"].append(float(np.sum((Gm - np.eye(D)) ** 2) / D))

    if every:
        record(0)
    for step in range(steps):
        with np.errstate(over="ignore", invalid="ignore"):
            G, loss = _sgd_step(G, setting, n, D, P, K, L, rng, lam, omega, sigma2, mask, tied,
                                _eta(lr, D, step, steps, decay))
        if not (np.isfinite(loss) and np.all(np.abs(G) < 1e100)):
            if on_divergence == "raise":
                raise ArithmeticError(f"SGD diverged at step {step + 1} (lr = {lr:g} is beyond the stability edge)")
            return TrainResult(G, hist if every else {}, time.perf_counter() - t0, diverged=True)
        acc += 2.0 * loss - noise_floor
        acc_n += 1
        if every and ((step + 1) % every == 0 or step + 1 == steps):
            record(step + 1)
            acc, acc_n = 0.0, 0
    return TrainResult(G, hist if every else {}, time.perf_counter() - t0)


def _eta(lr, D, step, steps, decay):
    eta = lr * D
    if decay > 0 and step >= steps * (1 - decay):
        eta *= max(0.0, (steps - step) / (steps * decay))
    return eta


def _sgd_step(G, setting, n, D, P, K, L, rng, lam, omega, sigma2, mask, tied, eta):
    """One online-SGD step (exact back-propagation through the L-step recursion); returns (G, loss)."""
    Sh, hh, Xq, yq, b, Sigma = sample_batch(setting, n, D, P, K, rng, lam, omega, sigma2)
    w = np.zeros((n, D))
    rs = []
    for l in range(L):
        r = hh - np.einsum("nij,nj->ni", Sh, w)
        rs.append(r)
        w = w + r @ G[l].T / L
    if K is None:
        e = w - b
        Se = np.einsum("nij,nj->ni", Sigma, e)
        loss = 0.5 * float(np.mean(np.sum(e * Se, axis=1)))
        g = Se / n
    else:
        f = np.einsum("nkd,nd->nk", Xq, w)
        res = f - yq
        loss = 0.5 * float(np.mean(res ** 2))
        g = np.einsum("nkd,nk->nd", Xq, res) / (n * K)
    grads = np.empty_like(G)
    for l in range(L - 1, -1, -1):
        grads[l] = g.T @ rs[l] / L
        g = g - np.einsum("nij,nj->ni", Sh, g @ G[l]) / L
    grads *= mask
    if tied:
        G = G - eta * grads.sum(axis=0)[None]
    else:
        G = G - eta * L * grads
    return G, loss


def evaluate(setting, Gamma, D, alpha, L, n_eval, seed, nu=1.5, beta=1.0, sigma2=0.0, lam=None, omega=None):
    """Monte Carlo excess risk ``(mean, se)`` of a trained ``Gamma`` stack on fresh contexts.

    Examples
    --------
    >>> m, se = evaluate("iso", np.zeros((1, 4, 4)), 4, 1.0, 1, 20, seed=0)
    >>> bool(m > 0)
    True
    """
    if lam is None:
        lam, omega = spectrum_for(setting, D, nu, beta)
    P = None if math.isinf(float(alpha)) else max(1, int(round(float(alpha) * D)))
    r = context_risks(setting, Gamma, P, L, D, n_eval, np.random.default_rng(seed), lam, omega, sigma2)
    return float(r.mean()), float(r.std(ddof=1) / math.sqrt(r.size))


def history_json(hist: dict, keep_diag: bool = False) -> str:
    """A compact JSON string of a history (the sweep store keeps JSON scalars)."""
    h = {k: v for k, v in hist.items() if keep_diag or k != "diag"}
    return json.dumps(h, separators=(",", ":"))

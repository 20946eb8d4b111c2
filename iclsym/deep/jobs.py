"""Sweep job functions of the deep-attention package: ``fn(*, seed, **coords) -> dict`` of JSON scalars.

Coordinates (keyword arguments) use iclsym's paper-3 names: ``setting`` (``iso``/``fs``/``rrs``),
``alpha`` (``P/D``; ``inf`` allowed), ``L``, ``D``, ``width`` (``0``: full), ``steps``, ``batch``
(``B/D``), ``queries`` (``K/D``; ``inf``: exact query expectation), ``lr``, ``sigma2``, ``tied``,
``nu``, ``beta``, ``decay``, ``record`` (history interval; ``0``: none).  Curves come back as one
JSON string ``history`` (a JSON scalar).

* :func:`train_job` -- online SGD of the Gamma-model, then a Monte Carlo evaluation of the trained
  ``Gamma`` on ``n_eval`` fresh contexts (``risk``, ``risk_se``);
* :func:`mc_job` -- Monte Carlo excess risk of ``Gamma = gamma I`` (finite ``D``);
* :func:`attention_job` -- the full ``(W_x, W_q, W_k, W_v)`` parametrisation (needs JAX/optax).
"""

from __future__ import annotations

import json
import math

import numpy as np

from iclsym.deep.params import check_setting

__all__ = ["train_job", "mc_job", "attention_job"]


def _blas1():
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover
        return None
    return threadpool_limits(1)


def train_job(*, seed: int, setting: str = "iso", alpha: float = 1.0, L: int = 1, D: int = 32, steps: int = 1000,
              batch: float = 1.0, lr: float = 0.1, queries: float = 1.0, sigma2: float = 0.0, tied: bool = True,
              width: int = 0, nu: float = 1.5, beta: float = 1.0, decay: float = 0.3, record: int = 0,
              n_eval: int = 400) -> dict:
    """Train the Gamma-model (:func:`iclsym.deep.train.train_gamma`) and evaluate it.

    Returns ``risk, risk_se`` (Monte Carlo excess risk of the final ``Gamma``), ``gamma_mean``
    (``tr Gamma/D`` averaged over layers), ``offdiag_rms_rel`` (off-diagonal RMS / diagonal mean),
    ``layer_spread`` (max - min of the per-layer ``gamma_l``), ``seconds`` and ``history`` (JSON).

    Examples
    --------
    >>> out = train_job(seed=0, setting="iso", alpha=2.0, L=1, D=8, steps=50, batch=1.0, lr=0.2, n_eval=20)
    >>> sorted(out)[:4]
    ['diverged', 'gamma_mean', 'history', 'layer_spread']
    """
    from iclsym.deep.train import evaluate, history_json, train_gamma

    setting = check_setting(setting)
    lim = _blas1()
    try:
        res = train_gamma(setting, int(D), float(alpha), int(L), int(steps), float(batch), float(lr),
                          queries=float(queries), sigma2=float(sigma2), tied=bool(tied),
                          width=(int(width) if width else None), nu=float(nu), beta=float(beta), seed=int(seed),
                          record_every=int(record), decay=float(decay), on_divergence="stop")
        G = res.Gamma
        Dd = int(D)
        if res.diverged:
            return {"risk": math.inf, "risk_se": math.nan, "gamma_mean": math.nan, "offdiag_rms_rel": math.nan,
                    "layer_spread": math.nan, "seconds": float(res.seconds), "diverged": True,
                    "history": history_json(res.history) if record else ""}
        m, se = evaluate(setting, G, Dd, float(alpha), int(L), int(n_eval), seed=int(seed) + 7919, nu=nu, beta=beta,
                         sigma2=float(sigma2)) if n_eval else (math.nan, math.nan)
    finally:
        if lim is not None:
            lim.restore_original_limits()
    diag = np.array([np.trace(g) / Dd for g in G])
    off = G - np.array([np.diag(np.diag(g)) for g in G])
    rms = float(np.sqrt(np.mean(off ** 2)) * math.sqrt(Dd / max(Dd - 1, 1)))
    dm = float(diag.mean())
    return {
        "risk": m, "risk_se": se, "gamma_mean": dm,
        "offdiag_rms_rel": rms / abs(dm) if dm != 0 else math.nan,
        "layer_spread": float(diag.max() - diag.min()),
        "seconds": float(res.seconds), "diverged": False,
        "history": history_json(res.history, keep_diag=(setting == "fs")) if record else "",
    }


def mc_job(*, seed: int, setting: str = "iso", alpha: float = 1.0, L: int = 1, D: int = 32, gamma: float = 1.0,
           n: int = 400, sigma2: float = 0.0, nu: float = 1.5, beta: float = 1.0) -> dict:
    """Monte Carlo excess risk of ``Gamma = gamma I`` (:func:`iclsym.deep.montecarlo.mc_risk`).

    Examples
    --------
    >>> out = mc_job(seed=1, setting="iso", alpha=1.0, L=1, D=8, gamma=0.0, n=10)
    >>> sorted(out)
    ['risk', 'risk_se']
    """
    from iclsym.deep.montecarlo import mc_risk

    lim = _blas1()
    try:
        m, se = mc_risk(setting, float(gamma), float(alpha), int(L), int(D), int(n), seed=int(seed),
                        sigma2=float(sigma2), nu=float(nu), beta=float(beta))
    finally:
        if lim is not None:
            lim.restore_original_limits()
    return {"risk": m, "risk_se": se}


def attention_job(*, seed: int, setting: str = "iso", alpha: float = 1.0, L: int = 1, D: int = 16, width: int = 0,
                  steps: int = 1000, batch: float = 1.0, lr: float = 0.05, queries: float = 1.0, nu: float = 1.5,
                  beta: float = 1.0, scale: float = 0.3, record: int = 0) -> dict:
    """Train the full linear-attention parametrisation (:func:`iclsym.deep.attention.train_attention`).

    Returns ``gamma_final``, ``risk_final`` (last recorded window), ``seconds`` and ``history`` (JSON).
    """
    from iclsym.deep.attention import train_attention

    out = train_attention(setting, int(D), float(alpha), int(L), int(steps), float(batch), float(lr),
                          N=(int(width) if width else None), queries=float(queries), nu=float(nu), beta=float(beta),
                          scale=float(scale), seed=int(seed), record_every=int(record) or max(1, int(steps) // 20))
    h = out["history"]
    return {"gamma_final": float(np.trace(out["Gamma"]) / int(D)), "risk_final": float(h["risk"][-1]),
            "seconds": float(out["seconds"]), "history": json.dumps(h, separators=(",", ":"))}

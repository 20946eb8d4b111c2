"""dMMSE baseline (docs/onelayer/dmmse.md): checks derived independently of the implementation."""

import math

import numpy as np
import pytest
from scipy.special import softmax

from iclsym.onelayer.simulation.dmmse import dmmse_errors, dmmse_once, posterior_mean, wishart_factor
from iclsym.onelayer.simulation.samplers import as_generator, sample_tasks

Z_MAX = 4.0


def test_posterior_mean_matches_brute_force_likelihood():
    """Explicit context (X, y): p_j ~ exp(-|y - X w_j|^2 / (2 rho)) computed directly."""
    rng = as_generator(0)
    d, ell, k, rho = 6, 9, 7, 0.4
    W = sample_tasks(k, d, rng)
    for _ in range(5):
        X = rng.standard_normal((ell, d)) / math.sqrt(d)
        y = X @ W[2] + math.sqrt(rho) * rng.standard_normal(ell)
        p = softmax(-((y[:, None] - X @ W.T) ** 2).sum(0) / (2 * rho))
        # sufficient statistics: X^T X = F F^T, X^T y = F c with F = X^T, c = y
        w_hat = posterior_mean(W, X.T[None], y[None], rho)[0]
        np.testing.assert_allclose(w_hat, p @ W, rtol=1e-10, atol=1e-12)


def test_posterior_is_stable_for_tiny_noise():
    """Max-shifted log-weights: no overflow/NaN when |y - X w|^2/rho is ~1e6."""
    rng = as_generator(1)
    d, ell, rho = 5, 50, 1e-6
    W = sample_tasks(4, d, rng)
    X = rng.standard_normal((ell, d)) / math.sqrt(d)
    y = X @ W[1]
    w_hat = posterior_mean(W, X.T[None], y[None], rho)[0]
    np.testing.assert_allclose(w_hat, W[1], atol=1e-12)


@pytest.mark.parametrize("d, ell", [(4, 4), (5, 12), (6, 3)])
def test_wishart_factor_moments(d, ell):
    """F F^T ~ X^T X, X with i.i.d. N(0, 1/d) entries: E Q = (ell/d) I,
    Var Q_ii = 2 ell/d^2, Var Q_ij = ell/d^2 (i != j), E Q_11 Q_22 = ell^2/d^2 (independent columns)."""
    rng = as_generator(d * 100 + ell)
    m = 100_000
    F = wishart_factor(m, ell, d, rng)
    Q = F @ F.transpose(0, 2, 1)
    stats = {
        "Q_11": (Q[:, 0, 0], ell / d),
        "Q_dd": (Q[:, d - 1, d - 1], ell / d),
        "Q_12": (Q[:, 0, 1], 0.0),
        "Q_1d": (Q[:, 0, d - 1], 0.0),
        "Q_11^2": (Q[:, 0, 0] ** 2, 2 * ell / d**2 + (ell / d) ** 2),
        "Q_dd^2": (Q[:, d - 1, d - 1] ** 2, 2 * ell / d**2 + (ell / d) ** 2),
        "Q_12^2": (Q[:, 0, 1] ** 2, ell / d**2),
        "Q_2d^2": (Q[:, 1, d - 1] ** 2, ell / d**2),
        "Q_11 Q_22": (Q[:, 0, 0] * Q[:, 1, 1], (ell / d) ** 2),
    }
    for name, (x, expect) in stats.items():
        z = (x.mean() - expect) / (x.std(ddof=1) / math.sqrt(m))
        assert abs(z) < Z_MAX, f"{name}: {x.mean()} vs {expect}, z = {z:.2f}"


def test_one_task_bank_is_exact():
    """k = 1: w_hat = w_1 for every context, so e_IDG = rho exactly and
    e_ICL = rho + E|w - w_1|^2/d = rho + 2 (independent sphere tasks)."""
    r = dmmse_once(3.0, 0.1, 0.2, 10, seed=0, n_test=4000)  # k = round(0.1 * 10) = 1
    assert r["k"] == 1
    assert r["e_idg"] == pytest.approx(0.2, rel=1e-12) and r["se_e_idg"] < 1e-12
    z = (r["e_icl"] - 2.2) / r["se_e_icl"]
    assert abs(z) < Z_MAX, f"e_icl {r['e_icl']} vs 2.2, z = {z:.2f}"
    assert r["g_task"] == pytest.approx(r["e_icl"] - r["e_idg"], rel=1e-12)


def test_two_tasks_long_context_idg_is_noise_floor():
    """k = 2, ell = 400: the posterior log-odds between the two tasks are ~ell/(2 rho) |w1-w2|^2/d ~ 4000,
    so the posterior is the true task and e_IDG = rho (to rounding)."""
    r = dmmse_once(20.0, 0.1, 0.1, 20, seed=1, n_test=500)
    assert r["k"] == 2 and r["ell"] == 400
    assert r["e_idg"] == pytest.approx(0.1, rel=1e-9)


def test_long_context_icl_picks_the_nearest_bank_task():
    """ell -> inf: |y - X w_j|^2 ~ (ell/d)|w - w_j|^2 + const, so w_hat -> the bank task nearest to w
    (Euclidean, computed directly here).  Misranking needs the two nearest distances to tie within the
    relative O(sqrt(d/ell)) fluctuation of X^T X, so the fraction of contexts where w_hat is not the
    nearest task is <= C sqrt(d/ell); measured: 0.010, 0.0031, 0.00075 at ell = 1e4, 1e5, 1e6
    (i.e. C ~ 0.35-0.45); we allow C = 2."""
    rng = as_generator(2)
    d, k, ell, rho = 5, 3, 1_000_000, 0.05
    W = sample_tasks(k, d, rng)
    w = sample_tasks(20_000, d, rng)
    F = wishart_factor(len(w), ell, d, rng)
    c = np.einsum("mdr,md->mr", F, w) + math.sqrt(rho) * rng.standard_normal((len(w), d))
    w_hat = posterior_mean(W, F, c, rho)
    nearest = W[((w[:, None, :] - W[None]) ** 2).sum(-1).argmin(1)]
    frac = float((np.abs(w_hat - nearest).max(1) > 1e-6).mean())
    assert frac <= 2 * math.sqrt(d / ell), frac


def test_dmmse_errors_per_context():
    rng = as_generator(3)
    W = sample_tasks(1, 4, rng)
    np.testing.assert_allclose(dmmse_errors(W, np.repeat(W, 5, 0), 6, 0.3, rng), 0.3, rtol=1e-12)


def test_dmmse_reproducible():
    a = dmmse_once(2.0, 0.5, 0.1, 8, seed=np.random.SeedSequence(5), n_test=50)
    b = dmmse_once(2.0, 0.5, 0.1, 8, seed=5, n_test=50)
    assert a["e_icl"] == b["e_icl"] and a["e_idg"] == b["e_idg"]


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(kappa=math.inf), "kappa must be finite"),
        (dict(rho=0.0), "rho must satisfy 0 < rho"),
        (dict(alpha=-1.0), "alpha must satisfy"),
        (dict(d=1), "d must be an integer >= 2"),
        (dict(n_test=1), "n_test must be"),
    ],
)
def test_dmmse_validation(kwargs, match):
    args = dict(alpha=1.0, kappa=0.5, rho=0.1, d=8, seed=0, n_test=10)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        dmmse_once(**args)


def test_tiny_noise_is_the_noiseless_limit_not_nan():
    """rho -> 0: the posterior concentrates on the best-fitting bank task; never inf - inf."""
    r = dmmse_once(2.0, 0.5, 1e-320, 8, seed=0, n_test=50)
    assert all(np.isfinite(r[k]) for k in ("e_icl", "e_idg", "g_task", "se_e_icl"))
    assert r["e_idg"] == pytest.approx(1e-320, abs=1e-300)  # the bank task is found exactly

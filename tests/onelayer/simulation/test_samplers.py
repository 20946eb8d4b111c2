"""Samplers: the exact O(d) conditional sampler agrees in law with the token-by-token one.

References are (i) the other sampler (two-sample z-tests) and (ii) the exact conditional
moments of docs/onelayer/lemma1.md (the paper's formulas, written out here independently of the code).
Every z-test uses |z| < 4 (false-alarm rate ~6e-5 per statistic; everything is seeded).
"""

import math

import numpy as np
import pytest

from iclsym.onelayer.simulation.samplers import (
    as_generator,
    assign_tasks,
    conditional_sample,
    pretraining_tasks,
    reference_sample,
    sample_sequences,
    sample_tasks,
)

Z_MAX = 4.0


def _stats(w, xq, h, y):
    """Scalar statistics per sequence, for a single task ``w`` (all rows equal)."""
    d = w.shape[1]
    u = w[0] / np.linalg.norm(w[0])
    s, q = h[:, :d], h[:, d]
    su = s @ u
    s2 = np.einsum("md,md->m", s, s)
    perp2 = s2 - su**2
    xs = np.einsum("md,md->m", xq, s)
    return {
        "s.u": su,
        "(s.u)^2": su**2,
        "|s|^2": s2,
        "|Ps|^2": perp2,
        "s_last": s[:, -1],
        "s_last^2": s[:, -1] ** 2,
        "q": q,
        "q^2": q**2,
        "(s.u) q": su * q,
        "y": y,
        "y^2": y**2,
        "y (xq.s)": y * xs,
        "y q (xq.u)": y * q * (xq @ u),
        "|Ps|^2 q": perp2 * q,
    }


def _exact(w, d, ell, rho):
    """Exact E[stat | w] from docs/onelayer/lemma1.md (sigma2 = |w|^2/d)."""
    r2 = float(w[0] @ w[0])
    r = math.sqrt(r2)
    sig = r2 / d
    v = sig + rho
    wl = float(w[0, -1])
    return {
        "s.u": r,
        "(s.u)^2": (d / ell) * v + (1 + 1 / ell) * r2,
        "|s|^2": (d / ell) * v * d + (1 + 1 / ell) * r2,
        "|Ps|^2": (d / ell) * v * (d - 1),
        "s_last": wl,
        "s_last^2": (d / ell) * v + (1 + 1 / ell) * wl**2,
        "q": v,
        "q^2": (1 + 2 / ell) * v**2,
        "(s.u) q": (1 + 2 / ell) * v * r,
        "y": 0.0,
        "y^2": v,
        "y (xq.s)": r2 / d,  # E[w.xq xq.s] = w.E[s]/d
        "y q (xq.u)": (r / d) * v,
    }


def _mean_se(x):
    return x.mean(), x.std(ddof=1) / math.sqrt(len(x))


# (d, ell, rho, task): task "sphere", "pole+" (w = +sqrt(d) e_1), "pole-" (w = -sqrt(d) e_1), "short" (|w|^2/d = 0.3)
CASES = [
    (5, 1, 0.3, "sphere"),
    (8, 3, 0.0, "sphere"),
    (20, 7, 0.5, "sphere"),
    (6, 40, 0.1, "sphere"),
    (4, 2, 0.2, "pole+"),
    (4, 5, 0.0, "pole-"),
    (7, 1, 0.0, "short"),
]
N = 150_000


def _task(d, kind, rng):
    if kind == "sphere":
        return sample_tasks(1, d, rng)
    w = np.zeros((1, d))
    if kind == "short":
        w[0] = rng.standard_normal(d)
        return w * math.sqrt(0.3 * d) / np.linalg.norm(w)
    w[0, 0] = math.sqrt(d) * (1 if kind == "pole+" else -1)
    return w


@pytest.mark.parametrize("d, ell, rho, kind", CASES)
def test_samplers_agree_in_distribution(d, ell, rho, kind):
    rng = as_generator(np.random.SeedSequence([d, ell, int(1000 * rho), len(kind)]))
    w = _task(d, kind, rng)
    W = np.repeat(w, N, axis=0)
    ref = _stats(w, *reference_sample(W, ell, rho, rng))
    cond = _stats(w, *conditional_sample(W, ell, rho, rng))
    exact = _exact(w, d, ell, rho)
    worst = 0.0
    for name in ref:
        m1, se1 = _mean_se(ref[name])
        m2, se2 = _mean_se(cond[name])
        z = (m1 - m2) / math.hypot(se1, se2)
        assert abs(z) < Z_MAX, f"{name}: reference {m1} vs conditional {m2}, z = {z:.2f}"
        worst = max(worst, abs(z))
        if name in exact:
            for label, m, se in (("reference", m1, se1), ("conditional", m2, se2)):
                z = (m - exact[name]) / se
                assert abs(z) < Z_MAX, f"{label} {name}: {m} vs exact {exact[name]}, z = {z:.2f}"
                worst = max(worst, abs(z))
    print(f"d={d} ell={ell} rho={rho} {kind}: max |z| = {worst:.2f}")


@pytest.mark.parametrize("d, ell, rho", [(5, 1, 0.2), (10, 4, 0.0), (6, 30, 0.5)])
def test_gaussian_tasks_fresh_per_sequence(d, ell, rho):
    """Gaussian tasks (random norm): both samplers vs exact moments averaged over w ~ N(0, I).

    E q = 1 + rho; E q^2 = (1 + 2/ell) E(sigma2 + rho)^2 = (1 + 2/ell)((1 + rho)^2 + 2/d)
    (Var |w|^2/d = 2/d); E |s|^2 = (d/ell)(1 + rho) d + (1 + 1/ell) d; E s = 0.
    """
    rng = as_generator(d * 7919 + ell)
    exact = {
        "q": 1 + rho,
        "q^2": (1 + 2 / ell) * ((1 + rho) ** 2 + 2 / d),
        "|s|^2": (d / ell) * (1 + rho) * d + (1 + 1 / ell) * d,
        "s_1": 0.0,
        "y^2": 1 + rho,
    }
    for sampler in (reference_sample, conditional_sample):
        w = sample_tasks(N, d, rng, "gaussian")
        xq, h, y = sampler(w, ell, rho, rng)
        stats = {
            "q": h[:, d],
            "q^2": h[:, d] ** 2,
            "|s|^2": np.einsum("md,md->m", h[:, :d], h[:, :d]),
            "s_1": h[:, 0],
            "y^2": y**2,
        }
        for name, x in stats.items():
            m, se = _mean_se(x)
            z = (m - exact[name]) / se
            assert abs(z) < Z_MAX, f"{sampler.__name__} {name}: {m} vs {exact[name]}, z = {z:.2f}"


def test_conditional_sampler_draw_level_identity():
    """Per draw, with rho = 0 and ell = 1: y_1 = w.x_1, s = d y_1 x_1, q = y_1^2, so s.w = d q."""
    d = 9
    rng = as_generator(5)
    W = sample_tasks(1000, d, rng)
    xq, h, y = conditional_sample(W, 1, 0.0, rng)
    sw = np.einsum("md,md->m", h[:, :d], W)
    np.testing.assert_allclose(sw, d * h[:, d], rtol=1e-10)


def test_same_seed_bit_identical_and_different_seeds_differ():
    W = sample_tasks(50, 6, as_generator(0))
    for sampler in ("conditional", "reference"):
        a = sample_sequences(W, 4, 0.1, as_generator(np.random.SeedSequence(11)), sampler)
        b = sample_sequences(W, 4, 0.1, as_generator(11), sampler)
        c = sample_sequences(W, 4, 0.1, as_generator(12), sampler)
        for x, y_ in zip(a, b):
            assert np.array_equal(x, y_)
        assert not np.array_equal(a[1], c[1])


def test_task_banks():
    rng = as_generator(0)
    W = sample_tasks(400, 10, rng)
    np.testing.assert_allclose(np.linalg.norm(W, axis=1), math.sqrt(10), rtol=1e-13)
    # uniform on the sphere: E w w^T = I  (each entry of the mean of w w^T has SE <~ sqrt(2/400))
    assert np.abs(W.T @ W / 400 - np.eye(10)).max() < 4 * math.sqrt(2 / 400) * 1.5
    G = sample_tasks(20000, 3, rng, "gaussian")
    assert abs((G**2).mean() - 1.0) < 4 * math.sqrt(2 / 60000)
    with pytest.raises(ValueError, match="task_dist"):
        sample_tasks(3, 3, rng, "cauchy")


def test_assignments():
    rng = as_generator(1)
    a = assign_tasks(103, 10, rng)
    counts = np.bincount(a, minlength=10)
    assert counts.sum() == 103 and counts.min() == 10 and counts.max() == 11 and (counts == 11).sum() == 3
    assert not np.array_equal(a, np.sort(a))  # shuffled
    u = assign_tasks(100000, 4, rng, "uniform")
    assert np.abs(np.bincount(u) / 100000 - 0.25).max() < 4 * math.sqrt(0.25 * 0.75 / 100000)
    W, T = pretraining_tasks(30, 3, 5, rng)
    assert W.shape == (3, 5) and T.shape == (30, 5)
    assert sorted(np.unique(T @ W.T > 4.999, axis=0).sum(1).tolist()) == [1, 1, 1]
    W, T = pretraining_tasks(30, math.inf, 5, rng)
    assert W is None and len(np.unique(T[:, 0])) == 30
    with pytest.raises(ValueError, match="assignment"):
        assign_tasks(5, 2, rng, "round-robin")


@pytest.mark.parametrize(
    "bad, match",
    [
        (dict(w=np.ones(3)), "w must be an"),
        (dict(ell=0), "ell must be"),
        (dict(rho=-0.1), "rho must satisfy"),
        (dict(w=np.full((2, 3), np.nan)), "w must be finite"),
    ],
)
def test_sampler_input_validation(bad, match):
    args = dict(w=np.ones((2, 3)), ell=2, rho=0.1)
    args.update(bad)
    with pytest.raises(ValueError, match=match):
        conditional_sample(args["w"], args["ell"], args["rho"], as_generator(0))


def test_seed_validation():
    with pytest.raises(ValueError, match="seed"):
        as_generator(-1)
    with pytest.raises(TypeError, match="seed"):
        as_generator(1.5)

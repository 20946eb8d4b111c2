"""Training: convergence to the ridge solution, reproducibility, end-to-end jobs, resumable runs."""

import math

import numpy as np
import pytest

jax = pytest.importorskip("jax")

from iclsym.nets import data, jobs, models, train  # noqa: E402
from iclsym.onelayer.simulation.solver import solve_ridge  # noqa: E402


def _features(Z, d, ell):
    """``(xq, h, y)`` of the reduced model from token matrices (NumPy, float64)."""
    Z = np.asarray(Z, dtype=np.float64)
    X, yc, xq = Z[:, :ell, :d], Z[:, :ell, d], Z[:, ell, :d]
    h = np.concatenate([(d / ell) * np.einsum("mid,mi->md", X, yc), (yc**2).sum(1, keepdims=True) / ell], axis=1)
    return xq, h


@pytest.mark.ci
@pytest.mark.slow
def test_trained_linear_attention_matches_ridge_gamma_star():
    """Reduced linear attention trained to convergence predicts like the ridge Gamma* (lam -> 0).

    d = 3, ell = 6, n = 300 >> p = 12: the least-squares optimum over Gamma is unique, the
    reduced attention ``Gamma = [v22 A11^T/d | v22 a21]`` covers every Gamma, and full-batch AdamW
    without weight decay (cosine schedule) reaches it.  Tolerances: predictions on 1000 fresh
    contexts within 1e-4 relative RMS (float32 training reaches ~1e-7 here); Gamma itself within
    1e-3 relative (its least-determined directions are flatter than the predictions).
    """
    d, ell, n = 3, 6, 300
    law = data.ContextLaw(d=d, ell=ell, rho=0.01)
    ds = data.pretraining_set(jax.random.key(0), law, n)
    xq, h = _features(ds.Z, d, ell)
    y = np.asarray(ds.y, dtype=np.float64)[:, 0]
    G = solve_ridge(xq, h, y, 0.0).Gamma
    ridge_train = float(np.mean((y - np.einsum("md,de,me->m", xq, G, h)) ** 2))
    arch = models.ARCHS["reduced_linear"]
    fit = train.fit(arch, ds, models.init_params(jax.random.key(1), arch, d), jax.random.key(2), steps=3000,
                    lr=1e-2, batch=n, weight_decay=0.0, schedule="cosine", progress=False)
    p = fit.params
    Zt, _ = data.evaluation_set(jax.random.key(5), law, 1000)
    xt, ht = _features(Zt, d, ell)
    ridge_pred = np.einsum("md,de,me->m", xt, G, ht)
    net_pred = np.asarray(models.predict(p, models.ARCHS["reduced_linear"], ell, Zt), dtype=np.float64)[:, 0]
    assert math.sqrt(np.mean((net_pred - ridge_pred) ** 2) / np.mean(ridge_pred**2)) < 1e-4
    Gn = np.asarray(models.linear_gamma(p, d, reduced=True), dtype=np.float64)
    assert np.linalg.norm(Gn - G) / np.linalg.norm(G) < 1e-3
    assert fit.train_error == pytest.approx(ridge_train, rel=1e-4)


def test_icl_job_end_to_end_and_reproducible():
    """A tiny training job (seconds): same seed -> same numbers; another seed -> other numbers."""
    kw = dict(arch="full_linear", d=3, alpha=2.0, tau=4.0, kappa=2.0, rho=0.01, steps=50, lr=3e-3, n_test=64,
              progress=False)
    a, b, c = jobs.icl_job(seed=1, **kw), jobs.icl_job(seed=1, **kw), jobs.icl_job(seed=2, **kw)
    assert a["e_icl"] == b["e_icl"] and a["train_error"] == b["train_error"]
    assert a["e_icl"] != c["e_icl"]
    assert (a["n"], a["k"], a["ell"]) == (36, 6, 6)
    assert a["train_error"] < a["e_icl"] + 10 * a["se_e_icl"]  # sanity: no blow-up
    assert all(isinstance(v, (int, float, str, bool)) for v in a.values())


@pytest.mark.slow
def test_online_stream_and_eval_curve():
    r = jobs.depth_job(seed=0, arch="deep_linear", depth=2, d=4, width=8, alpha=2.0, queries=2, batch=8, steps=40,
                       lr=1e-2, n_test=32, evals=2, progress=False)
    assert set(k for k in r if k.startswith("loss_")) == {"loss_0", "loss_20", "loss_40"}
    assert r["e_test"] == r["loss_40"]


def test_fit_rejects_bad_arguments():
    law = data.ContextLaw(d=3, ell=6, rho=0.01)
    ds = data.pretraining_set(jax.random.key(0), law, 8)
    a = models.ARCHS["full_linear"]
    p = models.init_params(jax.random.key(0), a, 3)
    with pytest.raises(ValueError, match="lr"):
        train.fit(a, ds, p, jax.random.key(0), steps=1, lr=0.0, batch=2)
    with pytest.raises(ValueError, match="stream"):
        train.fit(a, ds, p, jax.random.key(0), steps=10, lr=1e-3, batch=2, order="stream")
    with pytest.raises(ValueError, match="schedule"):
        train.fit(a, ds, p, jax.random.key(0), steps=1, lr=1e-3, batch=2, schedule="linear")


def test_runs_resume_and_bundle_with_the_same_numbers_in_a_pool(tmp_path):
    """Net jobs run through the common sweep: resumable, the runs of a point bundled on one worker, and
    the same stored results from the serial executor and from a process pool."""
    from iclsym.nets.kinds import net_job
    from iclsym.sweep import ResultStore, make_executor, run_sweep
    from iclsym.sweep.executors import tasks

    coords = dict(arch="full_linear", d=3, alpha=2.0, tau=4.0, kappa=math.inf, rho=0.01, steps=20, lr=1e-2,
                  n_test=16)
    js = [net_job("net_icl", coords, run=r) for r in range(2)]
    assert [len(t) for t in tasks(js)] == [2]
    serial = ResultStore(tmp_path / "serial.sqlite")
    first = run_sweep(js[:1], serial, "serial")
    second = run_sweep(js, serial, "serial")
    assert (first.finished, second.finished, second.skipped) == (1, 1, 1)
    pooled = ResultStore(tmp_path / "pool.sqlite")
    assert run_sweep(js, pooled, make_executor(workers=2)).finished == 2
    keep = ("run", "seed", "e_icl", "train_error", "n_params")
    a = [{k: r[k] for k in keep} for r in serial.rows("net_icl")]
    b = [{k: r[k] for k in keep} for r in pooled.rows("net_icl")]
    assert a == b and a[0]["seed"] != a[1]["seed"]

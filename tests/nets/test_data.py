"""The in-context regression pipeline: task laws, label noise, RRS invariance, determinism."""

import math

import numpy as np
import pytest

jax = pytest.importorskip("jax")
import jax.numpy as jnp  # noqa: E402

from iclsym.core.covariances import power_law  # noqa: E402
from iclsym.nets import data  # noqa: E402


def test_sphere_tasks_have_norm_sqrt_d():
    law = data.ContextLaw(d=6, ell=2, rho=0.0)
    w = jax.vmap(lambda k: data.sample_task(k, law))(jax.random.split(jax.random.key(0), 50))
    np.testing.assert_allclose(np.sum(np.asarray(w) ** 2, axis=1), 6.0, rtol=1e-5)  # float32 round-off


@pytest.mark.mc
@pytest.mark.slow
def test_gaussian_tasks_and_label_noise():
    """Bank tasks w ~ N(0, C); the residual y - <w, x> of every token has variance rho.

    Tolerances: 5 standard errors of each Monte Carlo estimate (a false alarm rate < 1e-6 per check).
    """
    d, rho = 4, 0.3
    spec = tuple(power_law(d, 1.0).diag.tolist())
    law = data.ContextLaw(d=d, ell=8, rho=rho, task="gaussian", task_spectrum=spec)
    m = 20000
    w = np.asarray(jax.vmap(lambda k: data.sample_task(k, law))(jax.random.split(jax.random.key(1), m)))
    var = w.var(axis=0)
    np.testing.assert_array_less(np.abs(var - spec), 5 * np.array(spec) * math.sqrt(2 / m))
    ds = data.pretraining_set(jax.random.key(2), law, 4000, k=1)
    Z, yq = np.asarray(ds.Z), np.asarray(ds.y)
    w0 = np.asarray(ds.bank[0])
    resid = Z[:, :8, d] - Z[:, :8, :d] @ w0
    n = resid.size
    assert abs(resid.var() - rho) < 5 * rho * math.sqrt(2 / n)
    assert np.all(Z[:, 8, d] == 0.0)  # the query label slot is empty
    rq = yq[:, 0] - Z[:, 8, :d] @ w0
    assert abs(rq.var() - rho) < 5 * rho * math.sqrt(2 / rq.size)


@pytest.mark.mc
@pytest.mark.slow
def test_rrs_rotation_preserves_tr_c_sigma_and_isotropises_tokens():
    """RRS: E x x^T = (tr Sigma / d) I / d and E <w, x>^2 = tr(C Sigma)/d whatever the rotation.

    Tolerance: 5 standard errors (estimated from the sample) for the label variance; the token
    covariance entries within 5 x their own standard error sqrt(2/m)/d.
    """
    d = 5
    xs, ts = tuple(power_law(d, 1.5).diag.tolist()), tuple(power_law(d, 0.5).diag.tolist())
    law = data.ContextLaw(d=d, ell=3, rho=0.0, task="gaussian", task_spectrum=ts, x_spectrum=xs, rotate=True)
    Z, _ = data.evaluation_set(jax.random.key(3), law, 20000)
    Z = np.asarray(Z)
    x = Z[:, 0, :d]
    prods = x[:, :, None] * x[:, None, :]
    cov, se = prods.mean(0), prods.std(0) / math.sqrt(x.shape[0])
    assert np.all(np.abs(cov - np.eye(d) / d) < 5 * se)
    y = Z[:, 0, d]
    target = float(np.dot(xs, ts)) / d
    assert abs(np.mean(y**2) - target) < 5 * np.std(y**2) / math.sqrt(y.size)


@pytest.mark.slow
def test_streamed_and_materialised_sets_agree_and_blocks_are_consistent():
    law = data.ContextLaw(d=3, ell=4, rho=0.1)
    a = data.pretraining_set(jax.random.key(0), law, 50, k=7, materialise=True, chunk=16)
    b = data.pretraining_set(jax.random.key(0), law, 50, k=7, materialise=False)
    idx = jnp.array([0, 17, 49, 3])
    # float32: the two paths fuse the same arithmetic differently (round-off ~1e-7)
    np.testing.assert_allclose(np.asarray(a.batch(idx)[0]), np.asarray(b.batch(idx)[0]), rtol=1e-5, atol=1e-6)
    counts = np.bincount(np.asarray(a.assign), minlength=7)
    assert counts.min() >= 50 // 7 and counts.max() <= 50 // 7 + 1


def test_bad_laws_raise():
    with pytest.raises(ValueError, match="rho"):
        data.ContextLaw(d=3, ell=2, rho=-1.0)
    with pytest.raises(ValueError, match="task='gaussian'"):
        data.ContextLaw(d=2, ell=2, rho=0.0, task_spectrum=(1.0, 1.0))
    with pytest.raises(ValueError, match="task_spectrum"):
        data.ContextLaw(d=2, ell=2, rho=0.0, task="gaussian", task_spectrum=(1.0,))
    law = data.ContextLaw(d=2, ell=2, rho=0.0, rotate=True)
    with pytest.raises(ValueError, match="rotate"):
        data.pretraining_set(jax.random.key(0), law, 4, k=2)

"""Architectures: the linear model against the documented reduction, gradients against finite differences."""

import numpy as np
import pytest

jax = pytest.importorskip("jax")
import jax.numpy as jnp  # noqa: E402

from iclsym.nets import data, models  # noqa: E402
from iclsym.onelayer.symbolic import reduction  # noqa: E402

D, ELL = 3, 5


def _contexts(m=6, n_query=1, seed=0):
    law = data.ContextLaw(d=D, ell=ELL, rho=0.1, n_query=n_query)
    return data.sample_batch(jax.random.key(seed), law, jnp.arange(m))


def test_linear_attention_is_the_documented_layer():
    """``predict`` of ``"linear"`` equals the label slot of reduction.attention_output (an independent code path)."""
    with jax.enable_x64(True):
        arch = models.ARCHS["full_linear"]
        p = models.init_params(jax.random.key(3), arch, D)
        Z, _ = _contexts()
        pred = np.asarray(models.predict(p, arch, ELL, Z))[:, 0]
        V = np.array(jax.random.normal(jax.random.key(4), (D + 1, D + 1)))
        V[D] = np.asarray(p["v"])  # only the last row of V reaches the read-out
        KQ = np.asarray(p["K"]).T @ np.asarray(p["Q"])
        ref = [reduction.attention_output(V, KQ, np.asarray(z[:ELL, :D]).T, np.asarray(z[:ELL, D]),
                                          np.asarray(z[ELL, :D])) for z in Z]
        np.testing.assert_allclose(pred, ref, rtol=1e-12, atol=1e-12)  # same arithmetic, float64 round-off


def test_reduced_linear_is_bilinear_in_gamma():
    """With ``v21 = 0`` the prediction is ``<Gamma, H_Z>`` with ``Gamma = linear_gamma(params)``."""
    with jax.enable_x64(True):
        arch = models.ARCHS["reduced_linear"]
        p = models.init_params(jax.random.key(5), arch, D)
        p["v"] = p["v"].at[:D].set(0.0)
        Z, _ = _contexts()
        pred = np.asarray(models.predict(p, arch, ELL, Z))[:, 0]
        G = np.asarray(models.linear_gamma(p, D))
        ref = [np.sum(G * reduction.features(np.asarray(z[:ELL, :D]).T, np.asarray(z[:ELL, D]), np.asarray(z[ELL, :D])))
               for z in Z]
        np.testing.assert_allclose(pred, ref, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", [
    "full_linear", "softmax2_mlp",
    pytest.param("softmax2_gelu", marks=pytest.mark.slow), pytest.param("deep_linear", marks=pytest.mark.slow),
    pytest.param("deep_softmax_mlp", marks=pytest.mark.slow)])
def test_gradients_match_central_differences(name):
    """Directional derivative of the loss: autodiff vs central differences, float64.

    Tolerance 1e-6 relative: the central-difference truncation error is O(eps^2 |f'''|) ~ 1e-10
    and the round-off O(1e-16/eps) ~ 1e-11 at eps = 1e-5, both far below it.
    """
    with jax.enable_x64(True):
        arch = models.arch_from(name, depth=2) if name.startswith("deep") else models.ARCHS[name]
        Z, y = _contexts(m=4, n_query=2 if name.startswith("deep") else 1)
        p = models.init_params(jax.random.key(7), arch, D)
        leaves, tree = jax.tree_util.tree_flatten(p)
        keys = jax.random.split(jax.random.key(8), len(leaves))
        u = jax.tree_util.tree_unflatten(tree, [jax.random.normal(k, x.shape) for k, x in zip(keys, leaves)])

        def f(t):
            return models.loss(jax.tree_util.tree_map(lambda a, b: a + t * b, p, u), arch, ELL, Z, y)

        g = jax.grad(lambda q: models.loss(q, arch, ELL, Z, y))(p)
        auto = sum(float(jnp.vdot(a, b)) for a, b in zip(jax.tree_util.tree_leaves(g), jax.tree_util.tree_leaves(u)))
        eps = 1e-5
        fd = (float(f(eps)) - float(f(-eps))) / (2 * eps)
        assert abs(auto - fd) <= 1e-6 * max(1.0, abs(auto))


def test_deep_queries_do_not_see_each_other():
    """Keys and values are the labelled tokens only: a query's prediction ignores the other queries."""
    arch = models.arch_from("deep_softmax", depth=1)
    p = models.init_params(jax.random.key(0), arch, D)
    Z, _ = _contexts(m=2, n_query=3)
    Z2 = Z.at[:, ELL + 2, :D].set(5.0)
    f = jax.jit(models.predict, static_argnums=(1, 2))
    a, b = f(p, arch, ELL, Z), f(p, arch, ELL, Z2)
    np.testing.assert_array_equal(np.asarray(a[:, :2]), np.asarray(b[:, :2]))
    assert not np.allclose(np.asarray(a[:, 2]), np.asarray(b[:, 2]))


def test_bad_architectures_raise():
    with pytest.raises(ValueError, match="kind"):
        models.Arch("mamba")
    with pytest.raises(ValueError, match="depth must be 1"):
        models.Arch("linear", depth=2)
    with pytest.raises(ValueError, match="arch must be one of"):
        models.arch_from("resnet")

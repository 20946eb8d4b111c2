"""The explicit deep linear self-attention network equals the Gamma-model (L steps of
preconditioned in-context GD) under the alignment assumptions, with iclsym's convention
``w_{l+1} = w_l + (Gamma_l/L)(hhat - Sigmahat w_l)``, ``Gamma_l = c_l W_x^T W_q^T W_k W_x``."""

import numpy as np
import pytest

from iclsym.deep.model import aligned_weights, gamma_model_predict, gamma_of_weights, network_forward


@pytest.mark.parametrize("tied", [True, False])
@pytest.mark.parametrize("L", [1, 2, 3, 5])
def test_network_equals_gamma_model(tied, L):
    rng = np.random.default_rng(10 * L + tied)
    D, N, P, K = 5, 9, 7, 4
    w = aligned_weights(D, N, L, rng, tied=tied)
    X = rng.standard_normal((3, P, D))
    y = rng.standard_normal((3, P))          # arbitrary labels: the identity is algebraic
    Xq = rng.standard_normal((3, K, D))
    G = gamma_of_weights(w, L)
    assert np.abs(G[0] - G[0].T).max() > 1e-2   # non-symmetric Gamma: the convention is tested
    f_net = network_forward(w, X, y, Xq, L)
    f_gam = gamma_model_predict(G, X, y, Xq, L)
    scale = np.abs(f_gam).max()
    # exact algebraic identity: only float rounding separates the two
    assert np.abs(f_net - f_gam).max() <= 1e-12 * max(scale, 1.0)


def test_transposed_convention_is_wrong():
    """With ``Gamma^T`` in place of ``Gamma`` the predictions differ (the convention matters)."""
    rng = np.random.default_rng(3)
    D, N, P, K, L = 4, 7, 6, 3, 2
    w = aligned_weights(D, N, L, rng)
    X, y, Xq = rng.standard_normal((P, D)), rng.standard_normal(P), rng.standard_normal((K, D))
    G = gamma_of_weights(w, L)
    f_net = network_forward(w, X, y, Xq, L)
    f_t = gamma_model_predict(np.swapaxes(G, -1, -2), X, y, Xq, L)
    assert np.abs(f_net - f_t).max() > 1e-3


def test_alignment_violation_breaks_the_reduction():
    rng = np.random.default_rng(4)
    D, N, P, K, L = 3, 6, 5, 2, 2
    w = aligned_weights(D, N, L, rng)
    w["W_q"] = w["W_q"] + 0.3 * rng.standard_normal(w["W_q"].shape)   # queries now read the label
    X, y, Xq = rng.standard_normal((P, D)), rng.standard_normal(P), rng.standard_normal((K, D))
    f_net = network_forward(w, X, y, Xq, L)
    f_gam = gamma_model_predict(gamma_of_weights(w, L), X, y, Xq, L)
    assert np.abs(f_net - f_gam).max() > 1e-6

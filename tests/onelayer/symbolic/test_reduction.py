"""Linear attention -> <Gamma, H_Z> (iclsym.onelayer.symbolic.reduction), checked independently.

The forward pass here is written from the definition (explicit attention scores over the
context tokens), not with the module's matrix formula.
"""

import numpy as np
import pytest
import sympy as sp

from iclsym.onelayer.symbolic import reduction


def _forward(V, KQ, X, y, xq):
    """Independent forward pass: query column of Z + (1/ell) sum_j V z_j (z_j^T K^T Q z_query)."""
    d, ell = X.shape
    zq = np.concatenate([xq, [0.0]])
    out = zq.copy()  # residual connection
    for j in range(ell):
        zj = np.concatenate([X[:, j], [y[j]]])
        out = out + (V @ zj) * (zj @ KQ @ zq) / ell
    return out[d]


def _H(X, y, xq):
    d, ell = X.shape
    s = (d / ell) * sum(y[i] * X[:, i] for i in range(ell))
    q = sum(y[i] ** 2 for i in range(ell)) / ell
    return np.outer(xq, np.concatenate([s, [q]]))


CASES = [(1, 1), (2, 3), (5, 4), (8, 2)]


@pytest.mark.parametrize("d,ell", CASES)
def test_prediction_equals_bilinear_form_when_v21_is_zero(d, ell):
    rng = np.random.default_rng(100 * d + ell)
    for _ in range(5):
        V, KQ = rng.standard_normal((d + 1, d + 1)), rng.standard_normal((d + 1, d + 1))
        V[d, :d] = 0.0  # the paper's parametrisation: v21 = 0
        X, y, xq = rng.standard_normal((d, ell)), rng.standard_normal(ell), rng.standard_normal(d)
        yhat = _forward(V, KQ, X, y, xq)
        assert np.sum(reduction.gamma_from_attention(V, KQ) * _H(X, y, xq)) == pytest.approx(yhat, rel=1e-12, abs=1e-12)
        assert reduction.attention_output(V, KQ, X, y, xq) == pytest.approx(yhat, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("d,ell", CASES)
def test_general_v21_needs_the_residual_term(d, ell):
    rng = np.random.default_rng(7 + d + ell)
    V, KQ = rng.standard_normal((d + 1, d + 1)), rng.standard_normal((d + 1, d + 1))
    X, y, xq = rng.standard_normal((d, ell)), rng.standard_normal(ell), rng.standard_normal(d)
    yhat = _forward(V, KQ, X, y, xq)
    bilinear = np.sum(reduction.gamma_from_attention(V, KQ) * _H(X, y, xq))
    res = reduction.residual_term(V, KQ, X, xq)
    assert bilinear + res == pytest.approx(yhat, rel=1e-12, abs=1e-12)
    assert abs(res) > 1e-8  # generically nonzero: the reduction needs v21 = 0


def test_dropped_blocks_do_not_change_the_prediction():
    """V11, v12 and the last column of K^T Q (a12, a22) never reach the read-out."""
    d, ell = 4, 3
    rng = np.random.default_rng(3)
    V, KQ = rng.standard_normal((d + 1, d + 1)), rng.standard_normal((d + 1, d + 1))
    X, y, xq = rng.standard_normal((d, ell)), rng.standard_normal(ell), rng.standard_normal(d)
    base = _forward(V, KQ, X, y, xq)
    V2, KQ2 = V.copy(), KQ.copy()
    V2[:d, :] = rng.standard_normal((d, d + 1))
    KQ2[:, d] = rng.standard_normal(d + 1)
    assert _forward(V2, KQ2, X, y, xq) == pytest.approx(base, rel=1e-12)
    KQ2[d, 0] += 1.0  # a21 does matter
    assert abs(_forward(V2, KQ2, X, y, xq) - base) > 1e-6


@pytest.mark.parametrize("d,ell", [(1, 1), (2, 2), (3, 2)])
def test_symbolic_identity(d, ell):
    r = reduction.derive_reduction(d, ell)
    assert r.difference == 0
    expected_unused = {f"V[{i},{j}]" for i in range(d) for j in range(d + 1)} | {f"A[{i},{d}]" for i in range(d + 1)}
    assert r.unused == expected_unused
    # and the symbolic yhat agrees with the independent forward pass at a random numeric point
    rng = np.random.default_rng(d)
    vals = {sym: float(rng.standard_normal()) for sym in r.yhat.free_symbols}
    V = np.array([[vals.get(s, 0.0) for s in row] for row in r.V.tolist()])
    KQ = np.array([[vals.get(s, 0.0) for s in row] for row in r.KQ.tolist()])
    X = np.array([[vals.get(sp.Symbol(f"x[{i},{j}]"), 0.0) for j in range(ell)] for i in range(d)])
    y = np.array([vals.get(sp.Symbol(f"y[{i}]"), 0.0) for i in range(ell)])
    xq = np.array([vals.get(sp.Symbol(f"xq[{i}]"), 0.0) for i in range(d)])
    assert float(r.yhat.subs(vals)) == pytest.approx(_forward(V, KQ, X, y, xq), rel=1e-10)


def test_bad_input_raises():
    with pytest.raises(ValueError, match="d"):
        reduction.derive_reduction(0, 2)
    with pytest.raises(ValueError, match="ell"):
        reduction.derive_reduction(2, 0)
    with pytest.raises(ValueError, match="V must be a square"):
        reduction.gamma_from_attention(np.zeros((3, 2)), np.zeros((3, 3)))
    with pytest.raises(ValueError, match="same shape"):
        reduction.gamma_from_attention(np.zeros((3, 3)), np.zeros((4, 4)))
    with pytest.raises(ValueError, match="X must have shape"):
        reduction.attention_output(np.zeros((3, 3)), np.zeros((3, 3)), np.zeros((3, 2)), np.zeros(2), np.zeros(2))
    with pytest.raises(ValueError, match="y must have"):
        reduction.attention_output(np.zeros((3, 3)), np.zeros((3, 3)), np.zeros((2, 2)), np.zeros(3), np.zeros(2))

"""From single-layer linear attention to the bilinear model ``y_hat = <Gamma, H_Z>`` (docs/onelayer/model.md).

Convention.  Embedding (``(d+1) x (ell+1)``), the query label slot set to 0:

    Z = [[x_1 ... x_ell  x_{ell+1}],
         [y_1 ... y_ell  0        ]]

Output of one linear-attention layer with a residual connection,

    f(Z) = Z + (1/ell) V Z M (Z^T K^T Q Z),   M = diag(1, ..., 1, 0)  ((ell+1) x (ell+1)),

where the mask ``M`` removes the query column from the keys/values (it attends to the
context only).  The prediction is the label slot of the query column, ``y_hat = f(Z)[d, ell]``
(0-based).  Only the product ``A = K^T Q`` enters.  Blocks (``V11, A11`` are ``d x d``):

    V = [[V11, v12], [v21^T, v22]],     A = K^T Q = [[A11, a12], [a21^T, a22]].

Result (:func:`derive_reduction` verifies it symbolically at small sizes).  With
``z_i = [x_i; y_i]`` and ``z_q = [x_{ell+1}; 0]``, ``Z M Z^T = sum_{i<=ell} z_i z_i^T`` and

    y_hat = (1/ell) sum_i (v21^T x_i + v22 y_i) (x_i^T A11 + y_i a21^T) x_{ell+1}
          = <Gamma, H_Z> + (1/ell) v21^T (sum_i x_i x_i^T) A11 x_{ell+1},

    Gamma = [ (v22 A11^T + a21 v21^T)/d  |  v22 a21 ],   H_Z = x_{ell+1} [s; q]^T.

Which blocks drop out, and why:

* the residual ``Z`` and the last column ``(a12; a22)`` of ``K^T Q``: the query label slot is
  0, so ``Z[d, ell] = 0`` and ``A z_q`` only uses the first ``d`` columns of ``A``;
* ``V11, v12``: only the last row of ``V`` reaches the label slot that is read out;
* the extra term with ``v21`` and ``A11`` is not of the form ``<Gamma, H_Z>`` (it involves the
  context covariance ``sum_i x_i x_i^T``); the paper's reparametrisation sets ``v21 = 0``,
  under which the reduction is exact: ``Gamma = [v22 A11^T / d | v22 a21]``.

Constants: ``s`` carries the factor ``d/ell`` and ``q`` the factor ``1/ell``; the attention's
``1/ell`` is absorbed into them, and the remaining ``1/d`` of the ``s`` block is absorbed into
``G = v22 A11^T / d`` (the learnable ``Gamma`` is unconstrained, so no constant is lost).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import sympy as sp

from iclsym.core.params import check_size

__all__ = [
    "attention_output",
    "gamma_from_attention",
    "residual_term",
    "features",
    "derive_reduction",
]


def _embedding(X, y, xq, lib):
    d, ell = X.shape
    top = lib.hstack([X, xq.reshape(d, 1)])
    bottom = lib.hstack([y.reshape(1, ell), lib.zeros((1, 1))])
    return lib.vstack([top, bottom])


class _SympyLib:
    @staticmethod
    def hstack(parts):
        return sp.Matrix.hstack(*parts)

    @staticmethod
    def vstack(parts):
        return sp.Matrix.vstack(*parts)

    @staticmethod
    def zeros(shape):
        return sp.zeros(*shape)


def attention_output(V, KQ, X, y, xq):
    """The label slot of the query column of ``f(Z) = Z + (1/ell) V Z M (Z^T K^T Q Z)``.

    Works for SymPy matrices (exact) and NumPy arrays.

    Parameters
    ----------
    V, KQ : (d+1, d+1) arrays
        Value matrix and the product ``K^T Q``.
    X : (d, ell) array
        Context tokens as columns.
    y : (ell,) array
        Context labels.
    xq : (d,) array
        Query token.

    Examples
    --------
    >>> V = np.zeros((3, 3)); V[2, 2] = 1.0
    >>> KQ = np.eye(3)
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0]]); y = np.array([1.0, 2.0]); xq = np.array([1.0, 1.0])
    >>> float(attention_output(V, KQ, X, y, xq))     # (1/2) sum_i y_i <x_i, xq>
    1.5
    """
    symbolic = isinstance(V, sp.MatrixBase)
    if not symbolic:
        V, KQ = np.asarray(V, float), np.asarray(KQ, float)
    _check_data(_check_weights(V, KQ), X if symbolic else np.asarray(X), y, xq)
    if symbolic:
        X, y, xq = sp.Matrix(X), sp.Matrix(y), sp.Matrix(xq)
        Z = _embedding(X, y, xq, _SympyLib)
        ell = X.shape[1]
        mask = sp.diag(*([1] * ell + [0]))
        f = Z + sp.Rational(1, ell) * V * Z * mask * (Z.T * KQ * Z)
    else:
        X, y, xq = np.asarray(X, float), np.asarray(y, float), np.asarray(xq, float)
        Z = _embedding(X, y, xq, np)
        ell = X.shape[1]
        mask = np.diag([1.0] * ell + [0.0])
        f = Z + V @ Z @ mask @ (Z.T @ KQ @ Z) / ell
    d = X.shape[0]
    return f[d, ell]


def _check_weights(V, KQ):
    """Both weight matrices square ``(d+1) x (d+1)`` with ``d >= 1``; returns ``d``."""
    for name, M in (("V", V), ("KQ", KQ)):
        shape = getattr(M, "shape", None)
        if shape is None or len(shape) != 2 or shape[0] != shape[1] or shape[0] < 2:
            raise ValueError(f"{name} must be a square (d+1) x (d+1) matrix with d >= 1; got shape {shape}")
    if V.shape != KQ.shape:
        raise ValueError(f"V and KQ must have the same shape; got {V.shape} and {KQ.shape}")
    return V.shape[0] - 1


def _check_data(d, X, y, xq):
    X_shape = getattr(X, "shape", None)
    if X_shape is None or len(X_shape) != 2 or X_shape[0] != d or X_shape[1] < 1:
        raise ValueError(f"X must have shape (d, ell) = ({d}, ell >= 1) matching the weights; got {X_shape}")
    ell = X_shape[1]
    if y is not None and len(y) != ell:
        raise ValueError(f"y must have ell = {ell} entries; got {len(y)}")
    if len(xq) != d:
        raise ValueError(f"xq must have d = {d} entries; got {len(xq)}")


def _blocks(M, d):
    return M[:d, :d], M[:d, d], M[d, :d], M[d, d]


def gamma_from_attention(V, KQ):
    """``Gamma = [ (v22 A11^T + a21 v21^T)/d | v22 a21 ]`` (``d x (d+1)``) from the attention weights.

    Exact for the prediction when ``v21 = 0``; otherwise add :func:`residual_term`.

    >>> V = np.zeros((3, 3)); V[2, 2] = 2.0
    >>> gamma_from_attention(V, np.eye(3))
    array([[1., 0., 0.],
           [0., 1., 0.]])
    """
    symbolic = isinstance(V, sp.MatrixBase)
    if not symbolic:
        V, KQ = np.asarray(V, float), np.asarray(KQ, float)
    d = _check_weights(V, KQ)
    A11, _, a21, _ = _blocks(KQ, d)
    _, _, v21, v22 = _blocks(V, d)
    if symbolic:
        a21c = sp.Matrix(a21).reshape(d, 1)
        v21c = sp.Matrix(v21).reshape(d, 1)
        G = (v22 * A11.T + a21c * v21c.T) / d
        return sp.Matrix.hstack(G, v22 * a21c)
    a21, v21 = np.asarray(a21, float), np.asarray(v21, float)
    G = (v22 * np.asarray(A11, float).T + np.outer(a21, v21)) / d
    return np.hstack([G, (v22 * a21)[:, None]])


def residual_term(V, KQ, X, xq):
    """``(1/ell) v21^T (X X^T) A11 x_{ell+1}``: the part of ``y_hat`` outside ``<Gamma, H_Z>``.

    >>> V = np.zeros((3, 3)); float(residual_term(V, np.eye(3), np.eye(2), np.ones(2)))
    0.0
    """
    if not isinstance(V, sp.MatrixBase):
        V, KQ = np.asarray(V, float), np.asarray(KQ, float)
    d = _check_weights(V, KQ)
    _check_data(d, X if isinstance(V, sp.MatrixBase) else np.asarray(X), None, xq)
    A11, _, _, _ = _blocks(KQ, d)
    _, _, v21, _ = _blocks(V, d)
    if isinstance(V, sp.MatrixBase):
        X, xq = sp.Matrix(X), sp.Matrix(xq)
        ell = X.shape[1]
        return (sp.Matrix(v21).reshape(1, d) * X * X.T * A11 * xq)[0, 0] / ell
    X = np.asarray(X, float)
    return np.asarray(v21, float) @ X @ X.T @ np.asarray(A11, float) @ np.asarray(xq, float) / X.shape[1]


def features(X, y, xq):
    """``H_Z = x_{ell+1} [s; q]^T`` with ``s = (d/ell) sum y_i x_i``, ``q = (1/ell) sum y_i^2``.

    >>> features(np.eye(2), np.array([1.0, 1.0]), np.array([1.0, 0.0]))
    array([[1., 1., 1.],
           [0., 0., 0.]])
    """
    if isinstance(X, sp.MatrixBase):
        X, y, xq = sp.Matrix(X), sp.Matrix(y), sp.Matrix(xq)
        d, ell = X.shape
        s = X * y * sp.Rational(d, ell)
        q = (y.T * y)[0, 0] / ell
        return xq * sp.Matrix.vstack(s, sp.Matrix([[q]])).T
    X, y, xq = np.asarray(X, float), np.asarray(y, float), np.asarray(xq, float)
    d, ell = X.shape
    h = np.concatenate([(d / ell) * X @ y, [y @ y / ell]])
    return np.outer(xq, h)


def derive_reduction(d: int = 2, ell: int = 2) -> SimpleNamespace:
    """Verify the reduction exactly with symbolic weights and data at explicit ``d, ell``.

    Builds ``V``, ``K^T Q``, ``x_1..x_{ell+1}``, ``y_1..y_ell`` as matrices of independent
    symbols, expands ``y_hat`` and checks ``y_hat - <Gamma, H_Z> - residual == 0``.  Also lists
    the weight entries that ``y_hat`` depends on.

    Returns a namespace with ``yhat``, ``gamma``, ``H``, ``residual``, ``difference`` (expanded,
    must be 0), ``used`` / ``unused`` (names of weight entries), ``V``, ``KQ``.

    >>> r = derive_reduction(2, 2)
    >>> r.difference
    0
    >>> sorted(r.unused)
    ['A[0,2]', 'A[1,2]', 'A[2,2]', 'V[0,0]', 'V[0,1]', 'V[0,2]', 'V[1,0]', 'V[1,1]', 'V[1,2]']
    """
    d = check_size("d", d, minimum=1)
    ell = check_size("ell", ell, minimum=1)
    V = sp.Matrix(d + 1, d + 1, lambda i, j: sp.Symbol(f"V[{i},{j}]"))
    KQ = sp.Matrix(d + 1, d + 1, lambda i, j: sp.Symbol(f"A[{i},{j}]"))
    X = sp.Matrix(d, ell, lambda i, j: sp.Symbol(f"x[{i},{j}]"))
    y = sp.Matrix(ell, 1, lambda i, _: sp.Symbol(f"y[{i}]"))
    xq = sp.Matrix(d, 1, lambda i, _: sp.Symbol(f"xq[{i}]"))
    yhat = sp.expand(attention_output(V, KQ, X, y, xq))
    gamma = gamma_from_attention(V, KQ)
    H = features(X, y, xq)
    bilinear = sum(gamma[i, j] * H[i, j] for i in range(d) for j in range(d + 1))
    res = residual_term(V, KQ, X, xq)
    difference = sp.expand(yhat - bilinear - res)
    weights = set(V) | set(KQ)
    used = {str(s) for s in yhat.free_symbols & weights}
    unused = {str(s) for s in weights} - used
    return SimpleNamespace(
        yhat=yhat, gamma=gamma, H=H, residual=res, difference=difference, used=used, unused=unused, V=V, KQ=KQ
    )

"""Matrix-free operators of the reduced-linear-attention ridge problem (DESIGN §2, §8).

With ``p = d (d+1)`` parameters and the feature of sequence ``mu`` being
``vec H_mu = x_mu (kron) h_mu`` (``x_mu = xq[mu]`` the query token, ``h_mu = [s; q]``),
the prediction is ``<Gamma, x_mu h_mu^T> = x_mu^T Gamma h_mu``.  ``Gamma`` is stored as a
``(d, d+1)`` array whose C-order ravel is ``vec Gamma`` in the same ``kron`` convention, so
``Phi @ Gamma.ravel()`` equals :func:`forward`.

Every operator here costs ``O(n d^2)`` (two matrix products) and never forms the
``n x p`` feature matrix or a ``p x p`` matrix.
"""

from __future__ import annotations

import numpy as np

__all__ = ["forward", "adjoint", "normal_op", "normal_residual"]


def forward(xq: np.ndarray, h: np.ndarray, Gamma: np.ndarray) -> np.ndarray:
    """Predictions ``f_mu = xq_mu^T Gamma h_mu`` (``Phi vec Gamma``), shape ``(n,)``.

    Examples
    --------
    >>> xq = np.array([[1.0, 0.0], [0.0, 2.0]]); h = np.ones((2, 3))
    >>> forward(xq, h, np.arange(6.0).reshape(2, 3))
    array([ 3., 24.])
    """
    return np.einsum("mj,mj->m", xq @ Gamma, h)


def adjoint(xq: np.ndarray, h: np.ndarray, r: np.ndarray) -> np.ndarray:
    """``Phi^T r`` as a ``(d, d+1)`` array: ``sum_mu r_mu x_mu h_mu^T = xq^T diag(r) h``.

    Examples
    --------
    >>> xq = np.array([[1.0, 0.0], [0.0, 2.0]]); h = np.ones((2, 3))
    >>> adjoint(xq, h, np.array([1.0, -1.0]))
    array([[ 1.,  1.,  1.],
           [-2., -2., -2.]])
    """
    return xq.T @ (r[:, None] * h)


def normal_op(xq: np.ndarray, h: np.ndarray, Gamma: np.ndarray, shift: float) -> np.ndarray:
    """Normal-equations operator ``Gamma -> Phi^T Phi vec Gamma + shift Gamma``.

    ``shift`` is ``(n/d) lam``.

    Examples
    --------
    >>> xq = np.eye(2); h = np.ones((2, 3)); G = np.ones((2, 3))
    >>> normal_op(xq, h, G, 0.5)
    array([[3.5, 3.5, 3.5],
           [3.5, 3.5, 3.5]])
    """
    return adjoint(xq, h, forward(xq, h, Gamma)) + shift * Gamma


def normal_residual(xq, h, y, Gamma, shift, rhs=None) -> float:
    """Relative residual ``||A vec Gamma - b|| / ||b||`` of the normal equations.

    ``A = Phi^T Phi + shift I``, ``b = Phi^T y``; returns ``0`` when ``b = 0`` and
    ``Gamma = 0``, ``inf`` when ``b = 0`` but ``Gamma != 0``.

    Examples
    --------
    >>> xq = np.eye(2); h = np.ones((2, 3)); y = np.array([1.0, 2.0])
    >>> normal_residual(xq, h, y, np.zeros((2, 3)), 0.1)
    1.0
    """
    b = adjoint(xq, h, y) if rhs is None else rhs
    r = normal_op(xq, h, Gamma, shift) - b
    nb = float(np.linalg.norm(b))
    nr = float(np.linalg.norm(r))
    if nb == 0.0:
        return 0.0 if nr == 0.0 else float("inf")
    return nr / nb

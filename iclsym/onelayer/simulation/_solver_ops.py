"""Matrix-free operators of the reduced-linear-attention ridge problem (docs/onelayer/model.md, docs/onelayer/solvers.md).

With ``p = d (d+1)`` parameters and the feature of sequence ``mu`` being
``vec H_mu = x_mu (kron) h_mu`` (``x_mu = xq[mu]`` the query token, ``h_mu = [s; q]``),
the prediction is ``<Gamma, x_mu h_mu^T> = x_mu^T Gamma h_mu``.  ``Gamma`` is stored as a
``(d, d+1)`` array whose C-order ravel is ``vec Gamma`` in the same ``kron`` convention, so
``Phi @ Gamma.ravel()`` equals :meth:`RidgeOperator.forward`.

Every operator here costs ``O(n d^2)`` (two matrix products) and never forms the
``n x p`` feature matrix or a ``p x p`` matrix.  The adjoint is computed as
``((h^T diag(r)) xq)^T`` with a C-contiguous copy of ``h^T``: OpenBLAS is several times
slower on the equivalent ``xq^T (diag(r) h)`` (a transposed operand with a long inner
dimension), which dominated CG time.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg.blas import dsyrk

__all__ = ["RidgeOperator"]


class RidgeOperator:
    """``Phi``, ``Phi^T`` and ``Phi^T Phi + shift I`` for given ``xq (n, d)``, ``h (n, d+1)``.

    Examples
    --------
    >>> xq = np.array([[1.0, 0.0], [0.0, 2.0]]); h = np.ones((2, 3))
    >>> op = RidgeOperator(xq, h)
    >>> op.forward(np.arange(6.0).reshape(2, 3))
    array([ 3., 24.])
    >>> op.adjoint(np.array([1.0, -1.0]))
    array([[ 1.,  1.,  1.],
           [-2., -2., -2.]])
    >>> op.normal(np.ones((2, 3)), 0.5)
    array([[ 3.5,  3.5,  3.5],
           [12.5, 12.5, 12.5]])
    """

    def __init__(self, xq: np.ndarray, h: np.ndarray):
        self.xq = xq
        self.h = h
        self.hT = np.ascontiguousarray(h.T)
        self._hth = None

    @property
    def hth(self) -> np.ndarray:
        """``h^T h`` (``(d+1) x (d+1)``), computed once."""
        if self._hth is None:
            # dsyrk on the Fortran view h.T (trans=0) was the fastest of hT @ h, dsyrk(trans=1)
            # and chunked sums in measurements (dsyrk with trans=1 here was 50x slower)
            low = dsyrk(1.0, self.h.T, trans=0, lower=1)
            self._hth = low + np.tril(low, -1).T
        return self._hth

    def forward(self, Gamma: np.ndarray) -> np.ndarray:
        """Predictions ``f_mu = xq_mu^T Gamma h_mu`` (``Phi vec Gamma``), shape ``(n,)``."""
        return np.einsum("mj,mj->m", self.xq @ Gamma, self.h)

    def adjoint(self, r: np.ndarray) -> np.ndarray:
        """``Phi^T r`` as a ``(d, d+1)`` array: ``sum_mu r_mu x_mu h_mu^T``."""
        return ((self.hT * r) @ self.xq).T

    def normal(self, Gamma: np.ndarray, shift: float) -> np.ndarray:
        """``Phi^T Phi vec Gamma + shift Gamma`` (``shift = (n/d) lam``)."""
        return self.adjoint(self.forward(Gamma)) + shift * Gamma

    def residual(self, y: np.ndarray, Gamma: np.ndarray, shift: float) -> float:
        """Relative residual ``||A vec Gamma - b|| / ||b||`` of the normal equations.

        ``A = Phi^T Phi + shift I``, ``b = Phi^T y``; ``0`` if ``b = 0 = Gamma``, ``inf`` if
        ``b = 0 != Gamma``.

        Examples
        --------
        >>> op = RidgeOperator(np.eye(2), np.ones((2, 3)))
        >>> op.residual(np.array([1.0, 2.0]), np.zeros((2, 3)), 0.1)
        1.0
        """
        b = self.adjoint(y)
        nr = float(np.linalg.norm(self.normal(Gamma, shift) - b))
        nb = float(np.linalg.norm(b))
        if nb == 0.0:
            return 0.0 if nr == 0.0 else float("inf")
        return nr / nb

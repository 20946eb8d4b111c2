"""Marchenko–Pastur Stieltjes transform, vectorized NumPy: the spectral law of isotropic tasks.

``M_kappa(z) = lim (1/d) tr (R_hat + z I)^{-1}`` for the bank second moment
``R_hat = (1/k) sum_j w_j w_j^T``, ``k = kappa d``.  Its spectral law has support
``[lam_-, lam_+]``, ``lam_pm = (1 pm kappa^{-1/2})**2``, plus an atom ``1 - kappa`` at 0 when
``kappa < 1``.

**Branch rule** (stated and derived in :mod:`iclsym.engine.stieltjes`): ``M`` is the root of
``(z/kappa) M**2 + (z + 1 - 1/kappa) M - 1 = 0`` that is positive for real ``z > 0``, i.e.
``M = 2/(b + D)`` with ``b = z + 1 - 1/kappa`` and ``D**2 = b**2 + 4 z/kappa``.  Here ``D`` is
evaluated as ``sqrt(z + lam_-) sqrt(z + lam_+)`` (principal roots), which is the analytic
continuation off the cut ``[-lam_+, -lam_-]`` with ``D ~ z`` at infinity, so the same formula
is the Herglotz branch (``Im M < 0`` for ``Im z > 0``) everywhere in the upper half-plane.

Numerical stability: ``b`` may be large and negative (``kappa < 1``, small ``z``), where
``b + D`` cancels; there the algebraically equal ``M = (D - b)/(2 z/kappa)`` is used
(``(b + D)(D - b) = 4 z/kappa``).  ``1/kappa`` is used throughout, so ``kappa = inf`` is the
exact value ``1/kappa = 0`` (``M = 1/(1 + z)``) with no ``inf * 0``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

import math

from iclsym.core._generated import marchenko_pastur as _gen
from iclsym.core._generated import marchenko_pastur_scalar as _scalar
from iclsym.core.params import check_param

__all__ = ["MarchenkoPastur", "stieltjes_mp", "mp_parts", "mp_parts_scalar"]


def mp_parts(z, ik):
    """``(M, D)`` at ``z`` for ``ik = 1/kappa`` (no validation; arrays broadcast).

    ``z`` real ``> 0`` or complex off the cut.  The ridge evaluators need ``D`` as well (see
    :func:`iclsym.core._generated.marchenko_pastur.stable_traces`).

    >>> M, D = mp_parts(np.array([1.0]), np.array([0.0]))
    >>> float(M[0]), float(D[0])
    (0.5, 2.0)
    """
    if np.iscomplexobj(z):
        sq = np.sqrt(ik)
        D = np.sqrt(z + (1 - sq) ** 2) * np.sqrt(z + (1 + sq) ** 2)
        b = z + (1 - ik)
        # (b + D)(D - b) = 4 z ik: divide by the larger of the two factors (no cancellation;
        # at ik = 0 the smaller one is exactly 0).
        plus, minus = b + D, D - b
        use_minus = np.abs(minus) > np.abs(plus)
        with np.errstate(divide="ignore", invalid="ignore"):
            M = np.where(use_minus, minus / np.where(use_minus, 2 * z * ik, 1), 2 / np.where(use_minus, 1, plus))
        return M, D
    # Real z >= 0: D**2 = z (z + 2 (1 + ik)) + (1 - ik)**2, a sum of non-negative terms.
    D = np.sqrt(z * (z + 2 * (1 + ik)) + (1 - ik) ** 2)
    b = z + (1 - ik)
    s = np.abs(b) + D  # = b + D if b >= 0, = D - b if b < 0: never cancels
    M = np.empty(np.shape(s))
    np.divide(2.0, s, out=M)
    np.divide(s, 2 * z * ik, out=M, where=b < 0)
    return M, D


def mp_parts_scalar(z: float, ik: float):
    """:func:`mp_parts` for one real ``z >= 0`` given as a Python float (the same branch rule).

    >>> mp_parts_scalar(1.0, 0.0)
    (0.5, 2.0)
    """
    D = math.sqrt(z * (z + 2 * (1 + ik)) + (1 - ik) * (1 - ik))  # x*x: as NumPy squares arrays
    b = z + (1 - ik)
    s = abs(b) + D
    return (2.0 / s if not b < 0 else s / (2 * z * ik)), D


def stieltjes_mp(z: ArrayLike, kappa: ArrayLike, deriv: int = 0) -> complex | float | np.ndarray:
    """Marchenko–Pastur Stieltjes transform ``M_kappa(z)`` or its derivative.

    Parameters
    ----------
    z : array_like (real or complex)
        Real ``z >= 0`` (``z = 0`` gives ``kappa/(kappa - 1)`` for ``kappa > 1`` and ``inf``
        for ``kappa <= 1``), or complex ``z`` with ``Im z > 0`` (Herglotz branch).
    kappa : array_like
        Task diversity, ``0 < kappa <= inf``.
    deriv : {0, 1, 2}
        Order of the derivative in ``z``.

    Returns
    -------
    ndarray
        Broadcast over ``z`` and ``kappa``.

    Examples
    --------
    >>> float(stieltjes_mp(1.0, np.inf))
    0.5
    >>> float(stieltjes_mp(0.0, 2.0))
    2.0
    >>> float(stieltjes_mp(1.0, np.inf, deriv=1))
    -0.25
    >>> complex(stieltjes_mp(1j, 0.5)).imag < 0
    True
    """
    if deriv not in (0, 1, 2):
        raise ValueError(f"deriv must be 0, 1 or 2; got {deriv!r}")
    if type(z) in (float, int) and type(kappa) in (float, int) and 0 < z < math.inf and 0 < kappa:
        # one real point as Python numbers: the same formulas on floats (a float out)
        ik = 1.0 / kappa
        M, D = mp_parts_scalar(float(z), ik)
        return M if deriv == 0 else _scalar.stieltjes_derivatives(float(z), ik, M, D)[deriv - 1]
    kappa = check_param("kappa", kappa)
    z = np.asarray(z)
    if np.iscomplexobj(z):
        if np.any(~np.isfinite(z)) or np.any(z.imag < 0) or np.any((z.imag == 0) & (z.real < 0)):
            raise ValueError("z must be real >= 0 or complex with Im z > 0 (or Im z = 0, Re z >= 0)")
    else:
        z = z.astype(np.float64, copy=False)
        if np.any(np.isnan(z)) or np.any(z < 0):
            raise ValueError("z must satisfy z >= 0 on the real axis (Herglotz branch: use Im z > 0)")
    z, kappa = np.broadcast_arrays(z, kappa)
    ik = 1.0 / kappa
    with np.errstate(divide="ignore", invalid="ignore"):
        M, D = mp_parts(z, ik)
        if deriv == 0:
            out = M
        else:
            d1, d2 = _gen.stieltjes_derivatives(z, ik, M, D)
            out = d1 if deriv == 1 else d2
        # z = 0 on the real axis: pole (kappa <= 1) or the finite limit (kappa > 1).
        if not np.iscomplexobj(z) and np.any(z == 0):
            at0 = z == 0
            finite = ik < 1  # kappa > 1
            values0 = _gen.stieltjes_at_zero(np.where(finite, ik, 0.0))
            pole = (np.inf, -np.inf, np.inf)[deriv]
            out = np.where(at0, np.where(finite, values0[deriv], pole), out)
    return out[()] if out.ndim == 0 else out


class MarchenkoPastur:
    """The Marchenko–Pastur law of ``R_hat`` for isotropic tasks (``|w|^2/d -> 1``), aspect ``kappa``.

    Implements the spectral-law interface of :mod:`iclsym.core.spectra` with the closed form.
    ``kappa`` is stored as ``ik = 1/kappa`` (``kappa = inf`` is ``ik = 0``: no ``inf * 0``).

    Parameters
    ----------
    kappa : array_like, optional
        Task diversity ``k/d`` (validated, ``0 < kappa <= inf``).
    ik : ndarray, optional
        ``1/kappa`` directly (already validated; used internally).

    Examples
    --------
    >>> law = MarchenkoPastur(np.array([0.5, np.inf]))
    >>> [round(float(v), 12) for v in law.stieltjes(np.array([1.0, 1.0]))]
    [0.707106781187, 0.5]
    >>> float(law.take(np.array([1])).mean[0])
    1.0
    """

    def __init__(self, kappa=None, *, ik=None):
        if (kappa is None) == (ik is None):
            raise TypeError("MarchenkoPastur needs exactly one of kappa= or ik=")
        if ik is None:
            with np.errstate(divide="ignore"):
                ik = 1.0 / check_param("kappa", kappa)
        self.ik = np.asarray(ik, dtype=np.float64)

    @property
    def mean(self):
        """``int t dmu(t) = 1``."""
        return np.ones_like(self.ik)

    def take(self, index) -> "MarchenkoPastur":
        """The law at a subset of the (1-d) parameter points."""
        return MarchenkoPastur(ik=self.ik[index])

    def ravel(self) -> "MarchenkoPastur":
        """The law flattened to 1-d, matching ``numpy.ravel`` of the parameter arrays."""
        return MarchenkoPastur(ik=np.ravel(self.ik))

    def parts(self, z):
        """``(M(z), D(z))``; see :func:`mp_parts`."""
        return mp_parts(z, self.ik)

    def newton_terms(self, z):
        """``(S, P, T1, U)`` at ``z`` (``S = M(z)``, no cancellation)."""
        S, D = mp_parts(z, self.ik)
        P, T1, U = _gen.fixed_point_terms(z, self.ik, S, D)
        return S, P, T1, U

    def traces(self, z):
        """``(S, P, T1, T2, U)`` at ``z`` (no cancellation)."""
        S, D = mp_parts(z, self.ik)
        P, T1, T2, U = _gen.stable_traces(z, self.ik, S, D)
        return S, P, T1, T2, U

    def stieltjes(self, z, deriv: int = 0):
        """``M^{(deriv)}(z)`` for real ``z > 0`` (no validation)."""
        M, D = mp_parts(z, self.ik)
        return M if deriv == 0 else _gen.stieltjes_derivatives(z, self.ik, M, D)[deriv - 1]

    def ridgeless_root(self, x, tau):
        """Root of ``eps M(x + eps) = 1 - tau``: ``(1 - tau)/(tau M_{kappa/tau}(x))`` for ``tau < 1``, else 0.

        The closed form follows from the MP quadratic (docs/onelayer/asymptotic-theory.md).
        """
        M_sub, _ = mp_parts(x, tau * self.ik)
        return np.where(tau < 1, (1 - tau) / (tau * M_sub), 0.0)

"""Spectral laws of the bank second moment, behind one interface.

The ridge theory of the one-layer model sees the pretraining tasks only through the limiting
spectral law ``mu`` of the bank second moment ``R_hat = (1/k) sum_j w_j w_j^T`` (``k = kappa d``),
via its Stieltjes transform ``M(z) = int dmu(t)/(t + z) = lim (1/d) tr (R_hat + z)^{-1}`` and a few
traces ``int f(t) dmu(t)`` (docs/onelayer/asymptotic-theory.md).  A *spectral law* is an object
with

* ``mean`` -- ``int t dmu(t) = lim tr R_hat/d``, the task power per dimension (array);
* ``parts(z)`` -- ``(M(z), aux)``: the transform and whatever auxiliary value the law's stable
  traces need (for Marchenko–Pastur the discriminant root ``D``);
* ``traces(z)`` -- ``(S, P, T1, T2, U)`` = ``(M, -M', int t/(t+z), int t^2/(t+z)^2, int t/(t+z)^2)``
  evaluated without cancellation;
* ``newton_terms(z)`` -- ``(S, P, T1, U)`` (what the fixed-point solver needs);
* ``stieltjes(z, deriv)`` -- ``M`` or a derivative;
* ``ridgeless_root(x, tau)`` -- the root ``eps`` of ``eps M(x + eps) = 1 - tau`` for ``tau < 1``
  (``0`` for ``tau >= 1``), used as the ``lam = 0`` effective regularisation;
* ``ravel()`` and ``take(index)`` -- the law flattened to 1-d, and restricted to a subset of
  the (flattened) parameter points.

All arrays broadcast with the parameter arrays of the caller.  Implementations:

* :class:`MarchenkoPastur` -- isotropic tasks (sphere or ``N(0, I)``): the closed form;
* :class:`DiscreteSpectrum` -- structured tasks ``w ~ N(0, C)``: the generalised Marchenko–Pastur
  fixed point in the eigenvalues of ``C`` (docs/onelayer/alignment.md); for ``parts`` the auxiliary
  value is ``a(z)``, the coefficient of ``C`` in the deterministic equivalent ``(a C + z)^{-1}``.
"""

from iclsym.core.spectra.discrete import DiscreteSpectrum
from iclsym.core.spectra.marchenko_pastur import MarchenkoPastur, mp_parts, mp_parts_scalar, stieltjes_mp

__all__ = ["MarchenkoPastur", "DiscreteSpectrum", "mp_parts", "mp_parts_scalar", "stieltjes_mp"]

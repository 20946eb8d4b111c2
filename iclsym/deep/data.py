"""Data of paper 3: covariate and task spectra, Haar rotations, and context samplers.

Three settings (Bordelon, Letey, Pehlevan, *Theory of Scaling Laws for In-Context Regression*):

* ``iso`` -- ``x ~ N(0, I)``, task ``beta ~ N(0, I/D)``;
* ``fs``  -- fixed structured: ``x ~ N(0, Lambda)``, ``beta ~ N(0, Omega)`` with commuting
  (here: diagonal) ``Lambda = diag(lam)``, ``Omega = diag(omega)``, the same in every context;
* ``rrs`` -- randomly rotated structured: each context draws a Haar orthogonal ``O`` and uses
  ``Sigma = O Lambda O^T``, ``Omega_c = O Omega O^T`` (data and task rotated *together*).

Labels ``y = beta . x + sqrt(sigma2) eps``.  The power-law (source/capacity) spectrum is
``lam_k = k^-nu`` and ``omega_k lam_k = k^(-nu beta - 1) / Z`` with ``sum_k omega_k lam_k = 1``.
See ``docs/deep/model.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from iclsym.deep.params import check_int, check_nonneg, check_positive, check_setting

__all__ = ["power_law_spectrum", "iso_spectrum", "haar_orthogonal", "Contexts", "sample_contexts",
           "spectrum_for"]


def power_law_spectrum(D: int, nu: float, beta: float) -> tuple[np.ndarray, np.ndarray]:
    """Source/capacity spectra ``(lam, omega)`` of ``D`` modes.

    ``lam_k = k^-nu`` and ``omega_k lam_k = k^(-nu beta - 1)/Z``, normalised so that
    ``sum_k omega_k lam_k = 1`` (the risk at ``Gamma = 0`` is 1).

    Examples
    --------
    >>> lam, omega = power_law_spectrum(4, 1.0, 1.0)
    >>> lam.tolist(), round(float((omega * lam).sum()), 12)
    ([1.0, 0.5, 0.3333333333333333, 0.25], 1.0)
    """
    D = check_int("D", D, minimum=1)
    nu = float(check_positive("nu", nu))
    beta = float(check_positive("beta", beta))
    k = np.arange(1, D + 1, dtype=float)
    lam = k ** (-nu)
    wl = k ** (-nu * beta - 1.0)
    wl /= wl.sum()
    return lam, wl / lam


def iso_spectrum(D: int) -> tuple[np.ndarray, np.ndarray]:
    """Isotropic ``(lam, omega) = (1, 1/D)`` (risk 1 at ``Gamma = 0``).

    Examples
    --------
    >>> iso_spectrum(2)
    (array([1., 1.]), array([0.5, 0.5]))
    """
    D = check_int("D", D, minimum=1)
    return np.ones(D), np.full(D, 1.0 / D)


def spectrum_for(setting: str, D: int, nu: float = 1.5, beta: float = 1.0):
    """``(lam, omega)`` of a setting: isotropic for ``iso``, power law for ``fs``/``rrs``.

    Examples
    --------
    >>> spectrum_for("iso", 3)[0].tolist()
    [1.0, 1.0, 1.0]
    """
    return iso_spectrum(D) if check_setting(setting) == "iso" else power_law_spectrum(D, nu, beta)


def haar_orthogonal(D: int, rng, size: int | None = None) -> np.ndarray:
    """Haar-distributed orthogonal matrices: QR of a Gaussian matrix with the sign correction.

    ``Q R = G`` with ``Q <- Q diag(sign(diag R))`` (without the correction ``Q`` is not Haar).

    Examples
    --------
    >>> O = haar_orthogonal(5, np.random.default_rng(0))
    >>> bool(np.allclose(O @ O.T, np.eye(5)))
    True
    >>> haar_orthogonal(3, np.random.default_rng(0), size=4).shape
    (4, 3, 3)
    """
    shape = (D, D) if size is None else (size, D, D)
    G = rng.standard_normal(shape)
    Q, R = np.linalg.qr(G)
    s = np.sign(np.diagonal(R, axis1=-2, axis2=-1))
    s = np.where(s == 0, 1.0, s)
    return Q * s[..., None, :]


@dataclass
class Contexts:
    """A batch of contexts: ``X`` (n, P, D), ``y`` (n, P), queries ``Xq`` (n, K, D), ``yq`` (n, K),
    tasks ``beta`` (n, D) and, for ``rrs``, the rotations ``O`` (n, D, D) (else ``None``)."""

    X: np.ndarray
    y: np.ndarray
    Xq: np.ndarray
    yq: np.ndarray
    beta: np.ndarray
    O: np.ndarray | None = None


def sample_contexts(setting: str, n: int, D: int, P: int, K: int, rng, lam=None, omega=None,
                    sigma2: float = 0.0, query_noise: bool = True) -> Contexts:
    """Sample ``n`` independent contexts of ``P`` labelled pairs and ``K`` queries.

    ``lam``, ``omega`` (length ``D``) default to the isotropic spectrum; for ``iso`` they are
    ignored.  Query labels carry the label noise too unless ``query_noise=False``.

    Examples
    --------
    >>> c = sample_contexts("rrs", 3, 4, 5, 2, np.random.default_rng(1), *power_law_spectrum(4, 1.5, 1.0))
    >>> c.X.shape, c.yq.shape, c.O.shape
    ((3, 5, 4), (3, 2), (3, 4, 4))
    """
    setting = check_setting(setting)
    n, D = check_int("n", n), check_int("D", D)
    P, K = check_int("P", P), check_int("K", K)
    sigma2 = float(check_nonneg("sigma2", sigma2))
    if setting == "iso" or lam is None:
        lam, omega = iso_spectrum(D)
    lam, omega = np.asarray(lam, float), np.asarray(omega, float)
    if lam.shape != (D,) or omega.shape != (D,):
        raise ValueError(f"lam and omega must have length D = {D}")
    sl, so = np.sqrt(lam), np.sqrt(omega)
    X = rng.standard_normal((n, P, D)) * sl
    Xq = rng.standard_normal((n, K, D)) * sl
    beta = rng.standard_normal((n, D)) * so
    O = None
    if setting == "rrs":
        O = haar_orthogonal(D, rng, size=n)
        X = X @ np.swapaxes(O, -1, -2)
        Xq = Xq @ np.swapaxes(O, -1, -2)
        beta = np.einsum("nij,nj->ni", O, beta)
    y = np.einsum("npd,nd->np", X, beta)
    yq = np.einsum("nkd,nd->nk", Xq, beta)
    if sigma2 > 0:
        s = math.sqrt(sigma2)
        y = y + s * rng.standard_normal(y.shape)
        if query_noise:
            yq = yq + s * rng.standard_normal(yq.shape)
    return Contexts(X, y, Xq, yq, beta, O)

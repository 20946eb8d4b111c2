"""Pretrain–test task alignment (Letey et al. 2025): ``e_ICL = e_scalar + e_misalign``, vectorized NumPy.

Pretraining tasks ``w ~ N(0, C_train)``, test tasks ``w ~ N(0, C_test)`` (docs/onelayer/alignment.md).
The theory needs the eigenvalues ``lam_i`` of ``C_train`` and the diagonal ``c_i = u_i^T C_test u_i`` of
``C_test`` in that eigenbasis (:func:`iclsym.core.covariances.aligned_spectrum`):

1. ``x* = (c_tr + rho)/alpha`` (``c_tr = mean lam``); the effective ridge ``lambda_tilde = eps`` is the root of
   ``1 - tau + tau lam/eps - eps M(x* + eps) = 0`` with the discrete-spectrum ``M``
   (:class:`iclsym.core.spectra.DiscreteSpectrum`): ``0`` for ``tau > 1`` ridgeless, the root of
   ``eps M = 1 - tau`` for ``tau < 1`` ridgeless (no closed form for anisotropic spectra), the unique positive
   root for ``lam > 0`` -- solved together with the fixed point by
   :meth:`~iclsym.core.spectra.DiscreteSpectrum.solve_joint` (one scalar root; the nested solve of
   :func:`iclsym.onelayer.theory.fixed_point.solve_fixed_point` is the independent check);
2. ``sigma = nu = x* + eps``; the traces ``a, b, P, T2, U`` at ``nu``; ``N = rho + x* T2 + nu^2 U``,
   ``V = U + x* P``, ``q = N/(eps V + r)`` with ``r = tau lam/eps`` (ridgeless: ``max(tau - 1, 0)``);
3. ``e_scalar = rho + x*_te (T2 + q V)``, ``x*_te = (c_te + rho)/alpha_test``;
   ``e_misalign = mean_i c_i k(lam_i)``, ``k(lam) = [q (lam (a - eps b) + x*) + nu^2 (b lam + 1)]/(a lam + nu)^2``;
   ``e_IDG = tau q`` (bank tasks).

``lam > 0`` is the ridge extension derived in :mod:`iclsym.onelayer.symbolic.alignment` (not in the paper);
``lam = 0`` is the ``lam -> 0+`` limit, the paper's ridgeless theory, ``inf`` at the pole ``tau = 1``.  All
formulas are the cancellation-free forms generated into :mod:`iclsym.onelayer._generated.alignment`.
``C_train = C_test = I`` reproduces :func:`iclsym.onelayer.theory.e_icl` (Lu et al. 2024).

Shapes: ``eigenvalues`` is ``batch + (m,)`` (one spectrum shared by all points, or one per point),
``test_diag`` broadcasts with it (several test covariances at once); the parameters broadcast with
``batch``.  The fixed point is solved once per parameter point, whatever the number of tests.
"""

from __future__ import annotations

import math

import numpy as np

from iclsym.core.covariances import Covariance, aligned_spectrum, covariance
from iclsym.core.params import check_param, check_theory_args
from iclsym.core.spectra.discrete import DiscreteSpectrum, _check_eigenvalues, _check_weights
from iclsym.onelayer._generated import alignment as _gen
from iclsym.onelayer.theory.fixed_point import x_star

__all__ = [
    "alignment_state", "alignment_errors", "kernel", "kernel_turning_point", "compress_spectrum",
    "resolvent_measure", "simple_measure", "inv_cka", "evaluate", "OUTPUT_NAMES",
]

#: the outputs of :func:`evaluate` (and of ``iclsym alignment``)
OUTPUT_NAMES = ("e_icl", "e_scalar", "e_misalign", "q", "sigma", "lambda_tilde", "resolvent", "simple", "inv_cka")


def _unwrap(x):
    x = np.asarray(x)
    return x[()] if x.ndim == 0 else x


def alignment_state(eigenvalues, alpha, tau, kappa, rho, lam=0.0, *, weights=None) -> dict:
    """The pretraining side: ``eps`` (lambda-tilde), ``nu`` (sigma), the traces at ``nu`` and ``q``.

    Keys: ``alpha, tau, kappa, rho, lam, c_tr, xs, eps, nu, r, a, b, M, P, T1, T2, U, N, V, q, law``
    (arrays of the broadcast parameter shape; ``law`` the :class:`DiscreteSpectrum`).

    Examples
    --------
    >>> st = alignment_state([1.0, 1.0], 2.0, 4.0, np.inf, 0.0)     # C = I, kappa = inf: a = 1, M = 1/(1 + nu)
    >>> float(st["eps"]), float(st["nu"]), float(st["M"])
    (0.0, 0.5, 0.6666666666666666)
    """
    alpha, tau, kappa, rho, lam = check_theory_args(alpha, tau, kappa, rho, lam)
    eig = _check_eigenvalues(eigenvalues)
    w = _check_weights(weights, eig)
    shape = np.broadcast_shapes(alpha.shape, eig.shape[:-1])
    if shape != alpha.shape:
        alpha, tau, kappa, rho, lam = (np.broadcast_to(p, shape) for p in (alpha, tau, kappa, rho, lam))
    with np.errstate(divide="ignore"):
        ik = 1.0 / kappa
    law = DiscreteSpectrum(eig, ik=ik, weights=w, _checked=True)
    c_tr = np.broadcast_to(law.mean, shape)
    xs = x_star(alpha, rho, c_tr)
    eps, a = _solve(law, xs, tau, lam)
    nu = xs + eps
    st = law.state(nu, a=a)
    with np.errstate(divide="ignore", invalid="ignore"):
        ridge = lam > 0
        r = np.where(ridge, tau * lam / np.where(ridge, eps, 1.0), np.maximum(tau - 1, 0.0))
        N, V, q = _gen.pretraining_scalar(rho, xs, eps, r, nu, st["P"], st["T2"], st["U"])
    out = dict(alpha=alpha, tau=tau, kappa=kappa, rho=rho, lam=lam, c_tr=c_tr, xs=xs, eps=eps, nu=nu, r=r,
               N=N, V=V, q=q, law=law)
    out.update({k: st[k] for k in ("a", "b", "M", "P", "T1", "T2", "U")})
    return out


def _solve(law, xs, tau, lam):
    """``(eps, a(x* + eps))``: the joint solve of :meth:`DiscreteSpectrum.solve_joint` where the effective
    ridge is positive (``tau < 1`` or ``lam > 0``), else ``eps = 0`` and ``a(x*)``.  (The nested solve of
    :func:`iclsym.onelayer.theory.fixed_point.solve_fixed_point` gives the same root; it is the check in the
    tests.)"""
    shape = xs.shape
    if shape == () and law.lam.ndim == 1:  # one point: no raveling or selection
        if tau < 1 or lam > 0:
            eps, a = law.solve_joint(xs, tau, lam)
            return eps.reshape(()), a.reshape(())
        return np.zeros(()), law.solve_a(xs)
    flat = law.ravel()
    xs_f, tau_f, lam_f = (np.ravel(v) for v in (xs, tau, lam))
    eps = np.zeros(xs_f.size)
    a = np.empty(xs_f.size)
    joint = (tau_f < 1) | (lam_f > 0)
    if np.any(joint):
        sub = flat.take(joint) if not joint.all() else flat
        eps[joint], a[joint] = sub.solve_joint(xs_f[joint], tau_f[joint], lam_f[joint])
    if not np.all(joint):
        rest = ~joint
        sub = flat.take(rest) if rest.any() and not rest.all() else flat
        a[rest] = sub.solve_a(xs_f[rest])
    return eps.reshape(shape), a.reshape(shape)


def _c_sums(st, eig, c):
    """``(C1, C2, C2l) = mean c/u, mean c/u^2, mean c lam/u^2`` with ``u = a lam + nu``; ``c_te = mean c``
    (spectral means of the law: weighted when it has weights)."""
    inv = 1.0 / (st["a"][..., None] * eig + st["nu"][..., None])
    mean = st["law"].spectral_mean
    cinv = c * inv
    cinv2 = cinv * inv
    return mean(cinv), mean(cinv2), mean(cinv2 * eig), mean(np.broadcast_to(c, cinv.shape))


def alignment_errors(eigenvalues, test_diag, alpha, tau, kappa, rho, lam=0.0, *, alpha_test=None,
                     weights=None) -> dict:
    """``e_ICL``, its split and the pretraining scalars (docs/onelayer/alignment.md).

    Parameters
    ----------
    eigenvalues : array_like, shape ``batch + (m,)``
        Eigenvalues of ``C_train`` (``>= 0``; singular allowed).
    test_diag : array_like, broadcasting with ``eigenvalues``
        ``c_i = u_i^T C_test u_i`` (``>= 0``); extra leading axes evaluate several test covariances.
    alpha, tau, kappa, rho, lam : array_like
        Broadcast with ``batch`` (``kappa = inf`` allowed; ``lam = 0``: ridgeless).
    alpha_test : array_like, optional
        Test context length ``ell_test/d`` (default ``alpha``).
    weights : array_like, optional
        Weights of the eigenvalues (repeated eigenvalues stored once; :func:`compress_spectrum`).

    Returns
    -------
    dict
        ``e_icl, e_scalar, e_misalign, q, sigma, lambda_tilde, e_idg, resolvent, c_tr, c_te`` (arrays) and
        ``state`` (:func:`alignment_state`).  ``inf`` at the ridgeless pole ``tau = 1``.

    Examples
    --------
    >>> out = alignment_errors(np.ones(4), np.ones(4), 2.0, 4.0, 1.0, 0.01)
    >>> from iclsym.onelayer.theory import e_icl
    >>> bool(abs(out["e_icl"] - e_icl(2.0, 4.0, 1.0, 0.01)) < 1e-14)
    True
    >>> spikes = np.eye(3) * 3          # rank-one tests on each eigenvector of a descending ramp
    >>> e = alignment_errors([1.5, 1.0, 0.5], spikes, 2.0, 4.0, 1.0, 0.01)["e_misalign"]
    >>> bool(e[0] < e[1] < e[2])        # tau > 1: the kernel is ordered inversely to the eigenvalue
    True
    """
    st = alignment_state(eigenvalues, alpha, tau, kappa, rho, lam, weights=weights)
    eig = st["law"].lam
    c = np.asarray(test_diag, dtype=np.float64)
    if c.ndim < 1 or c.shape[-1] != eig.shape[-1] or not np.all(np.isfinite(c)) or np.any(c < 0):
        raise ValueError(f"test_diag must be finite, >= 0 and have the spectrum's length {eig.shape[-1]} on its "
                         f"last axis; got shape {c.shape}")
    C1, C2, C2l, c_te = _c_sums(st, eig, c)
    if alpha_test is None:
        at = st["alpha"]
    else:
        at = check_param("alpha", alpha_test)
    xt = (c_te + st["rho"]) / at
    q = st["q"]
    with np.errstate(divide="ignore", invalid="ignore"):
        e_scalar = _gen.e_scalar(st["rho"], xt, q, st["T2"], st["V"])
        e_mis = _gen.e_misalign(st["a"], st["b"], st["eps"], st["xs"], st["nu"], q, C2, C2l)
    # at the pole q = inf: e_misalign = inf unless C_test is 0 (then 0)
    e_mis = np.where(np.isinf(q) & (C2 == 0), 0.0, e_mis)
    return dict(
        e_icl=_unwrap(e_scalar + e_mis), e_scalar=_unwrap(e_scalar), e_misalign=_unwrap(e_mis), q=_unwrap(q),
        sigma=_unwrap(st["nu"]), lambda_tilde=_unwrap(st["eps"]), e_idg=_unwrap(st["tau"] * q),
        resolvent=_unwrap(C1), c_tr=_unwrap(st["c_tr"]), c_te=_unwrap(c_te), state=st,
    )


def kernel(t, state) -> np.ndarray:
    """The spectral transfer kernel ``k(t)`` at eigenvalue(s) ``t`` of ``C_train`` for a state of
    :func:`alignment_state` (``t`` broadcasts against the state's arrays with a trailing axis, or as given).

    A rank-one test ``C_test = d u u^T`` on an eigenvector with eigenvalue ``t`` has ``e_misalign = k(t)``.

    >>> st = alignment_state(np.linspace(0.1, 1.9, 10), 2.0, 4.0, 0.5, 0.01)
    >>> k = kernel(np.array([0.1, 1.0, 1.9]), st); bool(np.all(np.diff(k) < 0))
    True
    """
    t = np.asarray(t, dtype=np.float64)
    g = {k: np.asarray(state[k]) for k in ("a", "b", "eps", "xs", "nu", "q")}
    if all(v.ndim == 0 for v in g.values()):
        return _gen.kernel(t, g["a"], g["b"], g["eps"], g["xs"], g["nu"], g["q"])
    g = {k: v[..., None] for k, v in g.items()}
    return _gen.kernel(t, g["a"], g["b"], g["eps"], g["xs"], g["nu"], g["q"])


def kernel_turning_point(state) -> np.ndarray:
    """``lam_c``: the kernel increases for ``t < lam_c`` and decreases for ``t > lam_c``
    (derived in :func:`iclsym.onelayer.symbolic.alignment.kernel_turning_point`).

    The paper's ordering (``k`` decreasing in the eigenvalue) holds on ``t >= max(lam_c, 0)``; for
    ``tau > 1`` ridgeless ``lam_c < 0`` (the paper's theorem).  For ``tau < 1`` it may be positive, and
    then two eigenvalues below ``lam_c`` are ordered the other way.

    >>> st = alignment_state(np.r_[0.001, 0.002, np.ones(18)], 80.0, 0.9, 3.0, 0.01)
    >>> float(kernel_turning_point(st)) > 0.002      # both small eigenvalues on the rising side
    True
    >>> k = kernel(np.array([0.001, 0.002]), st); bool(k[0] < k[1])   # the weaker direction is learned better
    True
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        return _unwrap(_gen.kernel_turning_point(state["a"], state["b"], state["eps"], state["xs"], state["nu"],
                                                 state["q"]))


def compress_spectrum(eigenvalues, test_diag=None):
    """Store repeated eigenvalues once: ``(values, weights, test_sums)`` with ``test_diag`` averaged over
    each group (``k`` is equal within a group, so only the group's sum of ``c_i`` enters).

    ``eigenvalues`` must be 1-d.  Exact equality groups (``identity``, ``lowrank:f``, spikes).

    >>> v, w, c = compress_spectrum([2.0, 2.0, 0.0, 0.0], [1.0, 3.0, 0.0, 0.0])
    >>> v.tolist(), w.tolist(), c.tolist()
    ([0.0, 2.0], [0.5, 0.5], [0.0, 2.0])
    """
    eig = np.asarray(eigenvalues, dtype=np.float64)
    if eig.ndim != 1:
        raise ValueError(f"eigenvalues must be 1-d to be compressed; got shape {eig.shape}")
    values, inverse, counts = np.unique(eig, return_inverse=True, return_counts=True)
    weights = counts / eig.size
    if test_diag is None:
        return values, weights, None
    c = np.asarray(test_diag, dtype=np.float64)
    sums = np.zeros(c.shape[:-1] + (values.size,))
    np.add.at(sums, (..., inverse), c) if c.ndim == 1 else [np.add.at(s, inverse, row) for s, row in
                                                            zip(sums.reshape(-1, values.size), c.reshape(-1, eig.size))]
    return values, weights, sums / counts


def resolvent_measure(state, test_diag) -> np.ndarray:
    """``(1/d) tr(C_test F(nu))``, ``F = (a C_train + nu)^{-1}`` (a competitor measure of the paper).

    >>> st = alignment_state(np.ones(3), 2.0, 4.0, np.inf, 0.0)
    >>> float(resolvent_measure(st, np.ones(3)))   # 1/(1 + nu), nu = 1/2
    0.6666666666666666
    """
    c = np.asarray(test_diag, dtype=np.float64)
    C1, *_ = _c_sums(state, state["law"].lam, c)
    return _unwrap(C1)


def simple_measure(eigenvalues, test_diag) -> np.ndarray:
    """``(1/d) tr(C_test C_train^{-1})`` (the paper's "simple" measure).

    Raises
    ------
    ValueError
        If ``C_train`` is singular: the measure is undefined there.

    >>> float(simple_measure([2.0, 0.5], [1.0, 1.0]))
    1.25
    >>> simple_measure([2.0, 0.0], [1.0, 1.0])
    Traceback (most recent call last):
    ...
    ValueError: the simple measure tr(C_test C_train^-1)/d is undefined: C_train is singular (rank 1 of 2)
    """
    eig = np.asarray(eigenvalues, dtype=np.float64)
    c = np.asarray(test_diag, dtype=np.float64)
    if np.any(eig <= 0):
        rank = int(np.count_nonzero(eig[..., :] > 0)) if eig.ndim == 1 else "< d"
        raise ValueError(f"the simple measure tr(C_test C_train^-1)/d is undefined: C_train is singular "
                         f"(rank {rank} of {eig.shape[-1]})")
    return _unwrap((c / eig).mean(axis=-1))


def _centred_alignment(A, B):
    d = A.shape[0]
    HA = A - A.mean(axis=0, keepdims=True)
    HA = HA - HA.mean(axis=1, keepdims=True)
    HB = B - B.mean(axis=0, keepdims=True)
    HB = HB - HB.mean(axis=1, keepdims=True)
    return float(np.einsum("ij,ji->", HA, HB)) / (d - 1) ** 2


def inv_cka(C_train, C_test) -> float:
    """``1/CKA(C_train, C_test)``: centred kernel alignment ``cka(A, B) = tr(H A H B)/(d - 1)^2``,
    ``H = I - 11^T/d``, normalised by ``sqrt(cka(A, A) cka(B, B))`` (a competitor measure of the paper).

    Basis dependent (the centring is in the standard basis), so it takes the matrices (or
    :class:`~iclsym.core.covariances.Covariance` objects).  ``inf`` when the centred alignment is 0;
    ``ValueError`` when a centred covariance vanishes (``H C H = 0``: CKA undefined).

    >>> C = np.diag([3.0, 1.0, 0.5])
    >>> inv_cka(C, C)
    1.0
    """
    A = C_train.matrix() if isinstance(C_train, Covariance) else np.asarray(C_train, dtype=np.float64)
    B = C_test.matrix() if isinstance(C_test, Covariance) else np.asarray(C_test, dtype=np.float64)
    aa, bb = _centred_alignment(A, A), _centred_alignment(B, B)
    if aa <= 0 or bb <= 0:
        raise ValueError("1/CKA is undefined: a centred covariance H C H is 0")
    ab = _centred_alignment(A, B) / math.sqrt(aa * bb)
    return math.inf if ab == 0 else 1.0 / ab


def evaluate(train, test, d, alpha, tau, kappa, rho, lam=0.0, *, alpha_test=None) -> dict:
    """All outputs of the theory at one point, for covariances given as specs or :class:`Covariance` s.

    Returns floats ``e_icl, e_scalar, e_misalign, q, sigma, lambda_tilde, e_idg, resolvent`` and the
    competitor measures ``simple`` (``None`` when ``C_train`` is singular, with the reason in ``notes``)
    and ``inv_cka`` (``None`` when undefined), plus ``c_tr``, ``c_te``, ``rank_train``, ``notes``.

    >>> r = evaluate("identity", "identity", 50, 2.0, 4.0, 1.0, 0.01)
    >>> from iclsym.onelayer.theory import e_icl
    >>> bool(abs(r["e_icl"] - float(e_icl(2.0, 4.0, 1.0, 0.01))) < 1e-14), r["inv_cka"], r["simple"]
    (True, 1.0, 1.0)
    """
    Ct, Cs = covariance(train, d), covariance(test, d)
    eig, c = aligned_spectrum(Ct, Cs)
    values, weights, csum = compress_spectrum(eig, c)
    out = alignment_errors(values, csum, alpha, tau, kappa, rho, lam, alpha_test=alpha_test, weights=weights)
    res = {k: float(out[k]) for k in ("e_icl", "e_scalar", "e_misalign", "q", "sigma", "lambda_tilde", "e_idg",
                                     "resolvent", "c_tr", "c_te")}
    notes = []
    try:
        res["simple"] = float(simple_measure(eig, c))
    except ValueError as exc:
        res["simple"] = None
        notes.append(str(exc))
    try:
        res["inv_cka"] = inv_cka(Ct, Cs)
    except ValueError as exc:
        res["inv_cka"] = None
        notes.append(str(exc))
    res["rank_train"] = Ct.rank()
    res["notes"] = notes
    return res

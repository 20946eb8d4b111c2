"""Finite-``d`` simulation with Gaussian tasks of any covariance (Letey et al. 2025; docs/onelayer/alignment.md).

* :func:`gaussian_test_error` -- the *exact* finite-``d`` test error of a matrix ``Gamma`` for test tasks
  ``w ~ N(mu, C)`` (Lemma 1 averaged over Gaussian tasks, derived by ``derivations/onelayer/gaussian_tasks.py``);
* :func:`mc_gaussian_test_error` -- the brute-force check: fresh sequences through the reference sampler;
* :func:`simulate_aligned_once` -- one pretraining run on a bank drawn from ``N(0, C_train)`` and the exact
  errors of its ``Gamma*`` for several test covariances at once (a sweep job function: its keyword
  arguments are JSON scalars; ``train`` and ``tests`` are covariance specs of
  :mod:`iclsym.core.covariances`).
"""

from __future__ import annotations

import math
import time

import numpy as np

from iclsym.core.covariances import Covariance, covariance
from iclsym.core.params import Params, Sizes, check_param, check_size
from iclsym.core.tasks import GaussianCovariance
from iclsym.core.threads import one_blas_thread
from iclsym.onelayer._generated.gaussian_tasks import gaussian_task_error
from iclsym.onelayer.simulation.exact_error import _check_gamma, e_idg_exact, mc_mean_se
from iclsym.onelayer.simulation.run import pretrain, solver_fields
from iclsym.onelayer.simulation.samplers import as_generator

__all__ = ["gaussian_test_error", "mc_gaussian_test_error", "simulate_aligned_once", "parse_tests"]


def _as_covariance(C, d) -> Covariance:
    if isinstance(C, Covariance):
        if C.d != d:
            raise ValueError(f"C has dimension {C.d}; Gamma has d = {d}")
        return C
    if isinstance(C, str):
        return covariance(C, d)
    arr = np.asarray(C, dtype=np.float64)
    if arr.shape == (d,):
        return Covariance("", diag=arr)
    if arr.shape == (d, d):
        return Covariance("", full=0.5 * (arr + arr.T))
    raise ValueError(f"C must be a covariance spec, a Covariance, a ({d},) diagonal or a ({d}, {d}) matrix; "
                     f"got shape {arr.shape}")


def gaussian_test_error(Gamma, ell, rho, C, mu=None) -> float:
    """Exact test error of ``Gamma = [G | g]`` for test tasks ``w ~ N(mu, C)`` (any ``d``, ``ell``).

    ``C`` is a covariance spec, a :class:`~iclsym.core.covariances.Covariance`, a diagonal or a matrix
    (taken as given: no trace rescaling of arrays).  Cost ``O(d^2)`` for a diagonal ``C``, ``O(d^3)``
    otherwise.

    Examples
    --------
    >>> from iclsym.onelayer.simulation.exact_error import e_icl_exact
    >>> rng = np.random.default_rng(0); d = 5; Gamma = rng.standard_normal((d, d + 1)) / d
    >>> e1 = gaussian_test_error(Gamma, 7, 0.1, np.ones(d))            # C = I, mu = 0
    >>> bool(abs(e1 - e_icl_exact(Gamma, 7, 0.1, "gaussian")) < 1e-12)
    True
    """
    Gamma = _check_gamma(Gamma)
    d = Gamma.shape[0]
    ell = check_size("ell", ell, minimum=1)
    rho = float(check_param("rho", rho))
    Cv = _as_covariance(C, d)
    G, g = Gamma[:, :d], Gamma[:, d]
    mu = np.zeros(d) if mu is None else np.asarray(mu, dtype=np.float64)
    if mu.shape != (d,):
        raise ValueError(f"mu must have shape ({d},); got {mu.shape}")
    if Cv.is_diagonal:
        c = Cv.diag
        t_C, t_CC = c.sum(), (c * c).sum()
        T_GC = float(np.diag(G) @ c)
        T_GCG = float(np.einsum("ab,b,ab->", G, c, G))
        Cmu = c * mu
    else:
        Cm = Cv.full
        t_C, t_CC = float(np.trace(Cm)), float(np.einsum("ij,ji->", Cm, Cm))
        T_GC = float(np.einsum("ij,ji->", G, Cm))
        T_GCG = float(np.einsum("ab,bc,ac->", G, Cm, G))
        Cmu = Cm @ mu
    Gmu = G @ mu
    vals = dict(
        t_C=t_C, t_CC=t_CC, t_mm=float(mu @ mu), t_mCm=float(mu @ Cmu), T_GC=T_GC, T_GCG=T_GCG,
        T_GG=float(np.einsum("ij,ij->", G, G)), T_gg=float(g @ g), T_gm=float(g @ mu), T_gGm=float(g @ Gmu),
        T_gCm=float(g @ Cmu), T_gGCm=float(g @ (G @ Cmu)), T_mGm=float(mu @ Gmu), T_GmGm=float(Gmu @ Gmu),
    )
    return float(gaussian_task_error(d, ell, rho, **{k: v / d for k, v in vals.items()}))


def mc_gaussian_test_error(Gamma, ell, rho, C, seed, n_test, mu=None, sampler="reference"):
    """Brute-force Monte Carlo error for test tasks ``N(mu, C)``: ``(mean, standard error)``.

    Fresh tasks and sequences (default: the token-by-token reference sampler).

    >>> d = 3; m, se = mc_gaussian_test_error(np.zeros((d, d + 1)), 4, 0.5, "identity", seed=0, n_test=4000)
    >>> abs(m - 1.5) < 5 * se
    True
    """
    Gamma = _check_gamma(Gamma)
    d = Gamma.shape[0]
    n_test = check_size("n_test", n_test, minimum=2)
    Cv = _as_covariance(C, d)
    B = Cv.sqrt()
    mu = np.zeros(d) if mu is None else np.asarray(mu, dtype=np.float64)

    def draw(m, rng):
        z = rng.standard_normal((m, d))
        return mu + (z * B if B.ndim == 1 else z @ B.T)

    return mc_mean_se(Gamma, ell, rho, as_generator(seed), n_test, draw, sampler)


def parse_tests(tests) -> list[str]:
    """The test covariance specs of a job: a comma-separated string (specs contain no commas).

    >>> parse_tests("identity, spike:0,powerlaw:0.9")
    ['identity', 'spike:0', 'powerlaw:0.9']
    """
    if isinstance(tests, str):
        items = [t.strip() for t in tests.split(",")]
    else:
        items = [str(t).strip() for t in tests]
    items = [t for t in items if t]
    if not items:
        raise ValueError("tests must name at least one covariance spec (comma-separated)")
    return items


def simulate_aligned_once(alpha, tau, kappa, rho, lam, d, seed, *, train="identity", tests="identity",
                          alpha_test=0.0, method="auto", assignment="balanced", sampler="conditional") -> dict:
    """One pretraining run with tasks ``N(0, C_train)`` and the exact errors of ``Gamma*`` on each test.

    Parameters
    ----------
    alpha, tau, kappa, rho, lam : float
        The ratios (``kappa = inf``: a fresh task per sequence).
    d : int
        Dimension.
    seed : int or numpy.random.SeedSequence
    train : str
        Covariance spec of the pretraining tasks (:mod:`iclsym.core.covariances`).
    tests : str
        Comma-separated covariance specs of the test tasks ``N(0, C_test)``.
    alpha_test : float
        Test context length ``ell_test/d`` (``0``: the pretraining ``ell``).
    method, assignment, sampler : str
        As in :func:`iclsym.onelayer.simulation.run.simulate_once`.

    Returns
    -------
    dict
        ``e_icl[<spec>]`` for each test spec (exact finite-``d``), ``e_icl`` (the first test),
        ``e_idg`` (bank tasks; ``= e_icl[train]`` when ``k = inf``), ``tests``, ``train``, nominal and
        effective ratios, sizes ``d, ell, ell_test, k, n``, solver diagnostics and timings.

    Examples
    --------
    >>> r = simulate_aligned_once(1.0, 2.0, 0.5, 0.1, 1e-3, 8, seed=0, train="ramp", tests="ramp,spike:0")
    >>> sorted(k for k in r if k.startswith("e_icl")), r["k"]
    (['e_icl', 'e_icl[ramp]', 'e_icl[spike:0]'], 4)
    """
    with one_blas_thread():  # as simulate_once: the same numbers in this process as in any executor
        return _aligned_run(alpha, tau, kappa, rho, lam, d, seed, train, tests, alpha_test, method, assignment,
                            sampler)


def _aligned_run(alpha, tau, kappa, rho, lam, d, seed, train, tests, alpha_test, method, assignment, sampler):
    t0 = time.perf_counter()
    specs = parse_tests(tests)
    law = GaussianCovariance(train)
    params = Params(alpha, tau, kappa, rho, lam)
    sizes = Sizes.from_params(d, params)
    eff = sizes.effective(params)
    alpha_test = float(alpha_test)
    if not (math.isfinite(alpha_test) and alpha_test >= 0):
        raise ValueError(f"alpha_test must be >= 0 (0: the pretraining context length); got {alpha_test!r}")
    ell_test = sizes.ell if alpha_test == 0 else max(1, int(math.floor(alpha_test * sizes.d + 0.5)))
    test_covs = [covariance(s, sizes.d) for s in specs]  # validate before the expensive part
    res, W, t1, t2 = pretrain(params, sizes, law, seed, method, assignment, sampler)
    out = {}
    for spec, Cv in zip(specs, test_covs):
        out[f"e_icl[{spec}]"] = gaussian_test_error(res.Gamma, ell_test, params.rho, Cv)
    out["e_icl"] = out[f"e_icl[{specs[0]}]"]
    if W is None:
        out["e_idg"] = gaussian_test_error(res.Gamma, sizes.ell, params.rho, law.covariance(sizes.d))
    else:
        out["e_idg"] = e_idg_exact(res.Gamma, W, sizes.ell, params.rho)
    t3 = time.perf_counter()
    out.update(params.as_dict())
    out.update(alpha_eff=eff.alpha, tau_eff=eff.tau, kappa_eff=eff.kappa, alpha_test_eff=ell_test / sizes.d)
    out.update(d=sizes.d, ell=sizes.ell, ell_test=ell_test, k=sizes.k, n=sizes.n)
    out.update(train=train, tests=",".join(specs), method=method, **solver_fields(res), assignment=assignment,
               sampler=sampler, seconds=t3 - t0, seconds_sample=t1 - t0, seconds_solve=t2 - t1,
               seconds_errors=t3 - t2)
    return out

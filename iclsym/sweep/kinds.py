"""Job kinds: which importable function runs one Monte Carlo job (DESIGN §8, "Sweeps and scale").

A sweep job names its function by an importable path (``"module:function"``), never by a
Python object, so that it pickles to process pools and Dask workers.  The registry maps a
job *kind* to that path and to the parameter names the function takes (in the canonical
order ``alpha, tau, kappa, rho, lam``, then ``d`` and ``seed``).

``toy_job`` is a cheap deterministic stand-in used by the sweep tests.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import time
from dataclasses import dataclass

import numpy as np

__all__ = [
    "JobKind", "KINDS", "register_kind", "resolve", "run_job", "run_job_timed", "toy_job", "limit_blas_threads", "blas_env",
]

#: environment variables that cap the BLAS/OpenMP thread pools of a worker process
BLAS_THREAD_VARS = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "BLIS_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)


@dataclass(frozen=True)
class JobKind:
    """A registered job kind.

    Attributes
    ----------
    name : str
        Short name used in grids and in the result store (``"ridge"``, ``"dmmse"`` ...).
    target : str
        Importable path ``"package.module:function"``.
    params : tuple of str
        Which of ``alpha, tau, kappa, rho, lam`` the function takes (in that order),
        before ``d`` and ``seed``.
    """

    name: str
    target: str
    params: tuple[str, ...]


KINDS: dict[str, JobKind] = {}


def register_kind(name: str, target: str, params=("alpha", "tau", "kappa", "rho", "lam")) -> JobKind:
    """Register a job kind (or replace one with the same name).

    Examples
    --------
    >>> register_kind("toy", "iclsym.sweep.kinds:toy_job").target
    'iclsym.sweep.kinds:toy_job'
    """
    if ":" not in target:
        raise ValueError(f"target must be 'module:function'; got {target!r}")
    kind = JobKind(name, target, tuple(params))
    KINDS[name] = kind
    return kind


register_kind("ridge", "iclsym.onelayer.simulation:simulate_once")
register_kind("dmmse", "iclsym.onelayer.simulation:dmmse_once", params=("alpha", "kappa", "rho"))
register_kind("toy", "iclsym.sweep.kinds:toy_job")


def resolve(target: str):
    """Import ``"module:function"`` and return the function.

    Examples
    --------
    >>> resolve("iclsym.sweep.kinds:toy_job").__name__
    'toy_job'
    """
    module, _, name = target.partition(":")
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise ValueError(f"cannot import job function {target!r}: {exc}") from exc


def limit_blas_threads(n: int = 1) -> None:
    """Cap BLAS threads in this process (worker initializer; one BLAS thread per worker).

    Uses ``threadpoolctl`` when installed (effective even after NumPy was imported), and sets
    the usual environment variables in any case (effective only for libraries loaded
    afterwards -- which is why executors also start their workers inside :func:`blas_env`).

    Examples
    --------
    >>> limit_blas_threads(1); os.environ["OMP_NUM_THREADS"]
    '1'
    """
    for var in BLAS_THREAD_VARS:
        os.environ[var] = str(n)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(n)


@contextlib.contextmanager
def blas_env(n: int = 1):
    """Temporarily set the BLAS thread variables in this process's environment.

    Worker processes started inside the ``with`` block (spawned pools, a local Dask cluster)
    inherit them and load their BLAS with ``n`` threads: setting the variables *inside* a
    worker is too late once NumPy is imported there.

    Examples
    --------
    >>> before = os.environ.get("OPENBLAS_NUM_THREADS")
    >>> with blas_env(1):
    ...     os.environ["OPENBLAS_NUM_THREADS"]
    '1'
    >>> os.environ.get("OPENBLAS_NUM_THREADS") == before
    True
    """
    saved = {var: os.environ.get(var) for var in BLAS_THREAD_VARS}
    for var in BLAS_THREAD_VARS:
        os.environ[var] = str(n)
    try:
        yield
    finally:
        for var, value in saved.items():
            if value is None:
                os.environ.pop(var, None)
            else:
                os.environ[var] = value


def run_job(kind: str, target: str, params: dict, d: int, seed: int, options: dict) -> dict:
    """Run one job in the current process and return its result dict.

    This is the function shipped to workers: every argument is plain data.

    Examples
    --------
    >>> out = run_job("toy", "iclsym.sweep.kinds:toy_job", {"alpha": 1.0, "tau": 2.0, "kappa": 0.5,
    ...               "rho": 0.1, "lam": 0.0}, 8, 123, {})
    >>> sorted(out)[:3]
    ['d', 'e_icl', 'e_idg']
    """
    fn = resolve(target)
    result = fn(**params, d=d, seed=seed, **options)
    if not isinstance(result, dict):
        raise TypeError(f"job function {target} must return a dict; got {type(result).__name__}")
    return result


def toy_job(alpha, tau, kappa, rho, lam, d, seed, scale=1.0, sleep=0.0) -> dict:
    """Cheap deterministic stand-in for ``simulate_once`` (tests of the sweep machinery).

    Returns seeded Gaussian noise around a smooth function of the parameters, so that
    different seeds give different numbers and the same seed gives the same numbers.
    ``sleep`` seconds of waiting make it a slow job (tests of interrupted sweeps).

    Examples
    --------
    >>> a = toy_job(1.0, 2.0, 0.5, 0.1, 0.0, 8, seed=7)
    >>> b = toy_job(1.0, 2.0, 0.5, 0.1, 0.0, 8, seed=7)
    >>> a == b, set(a) >= {"e_icl", "e_idg", "g_task"}
    (True, True)
    """
    if sleep > 0:
        time.sleep(sleep)
    rng = np.random.default_rng(seed)
    z = rng.standard_normal(2) * scale / d
    e_idg = float(rho + 1.0 / (1.0 + alpha * tau) + z[0])
    e_icl = float(e_idg + max(0.0, 1.0 - kappa) + z[1])
    return {"e_icl": e_icl, "e_idg": e_idg, "g_task": e_icl - e_idg, "d": int(d), "method": "toy"}


def run_job_timed(kind: str, target: str, params: dict, d: int, seed: int, options: dict):
    """:func:`run_job` plus its wall time in seconds (what executors ship to workers).

    Examples
    --------
    >>> res, sec = run_job_timed("toy", "iclsym.sweep.kinds:toy_job", {"alpha": 1.0, "tau": 2.0,
    ...                          "kappa": 0.5, "rho": 0.1, "lam": 0.0}, 8, 1, {})
    >>> sec >= 0.0
    True
    """
    t0 = time.perf_counter()
    result = run_job(kind, target, params, d, seed, options)
    return result, time.perf_counter() - t0

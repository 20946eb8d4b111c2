"""Thread caps for sweep workers: one BLAS thread, and one XLA CPU thread for the JAX jobs.

Workers run one job at a time with one thread each, so ``workers`` processes share the cores
instead of oversubscribing them, and a job's arithmetic does not depend on how many threads its
process happened to have (iclsym.core.threads states the measured reason).
"""

from __future__ import annotations

import contextlib
import os

from iclsym.core.threads import one_blas_thread

__all__ = ["BLAS_THREAD_VARS", "XLA_SINGLE_THREAD", "single_thread_xla", "limit_blas_threads", "blas_env",
           "one_blas_thread"]

#: environment variables that cap the BLAS/OpenMP thread pools of a worker process
BLAS_THREAD_VARS = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "BLIS_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)
#: ``XLA_FLAGS`` option that keeps XLA's CPU backend (the JAX jobs) on one thread; read when JAX
#: starts its backend, so it must be in a worker's environment before the first JAX computation
XLA_SINGLE_THREAD = "--xla_cpu_multi_thread_eigen=false"


def _with_xla_flag(flags: str | None) -> str:
    flags = (flags or "").strip()
    return flags if XLA_SINGLE_THREAD in flags.split() else f"{flags} {XLA_SINGLE_THREAD}".strip()


def single_thread_xla() -> bool:
    """Put :data:`XLA_SINGLE_THREAD` in this process's ``XLA_FLAGS`` (read when JAX is imported).

    XLA's CPU matrix products round differently with one thread than with several, so the trained
    networks' float32 results depend on this setting (in the last bits); the sweep's workers, every
    process that imports :mod:`iclsym.nets`, and the tests use one thread.  Returns whether the
    setting takes effect (``False``: JAX was imported first and keeps its threads).

    Examples
    --------
    >>> isinstance(single_thread_xla(), bool)
    True
    """
    import sys

    os.environ["XLA_FLAGS"] = _with_xla_flag(os.environ.get("XLA_FLAGS"))
    return "jax" not in sys.modules


def limit_blas_threads(n: int = 1) -> None:
    """Cap BLAS threads in this process (worker initializer; one BLAS thread per worker).

    With ``n = 1`` it also calls :func:`single_thread_xla`.  Uses ``threadpoolctl`` (effective even
    after NumPy was imported) and sets the usual environment variables (effective only for
    libraries loaded afterwards -- which is why executors also start their workers inside
    :func:`blas_env`).

    Examples
    --------
    >>> limit_blas_threads(1); os.environ["OMP_NUM_THREADS"]
    '1'
    """
    for var in BLAS_THREAD_VARS:
        os.environ[var] = str(n)
    if n == 1:
        single_thread_xla()
    from threadpoolctl import threadpool_limits

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
    saved = {var: os.environ.get(var) for var in (*BLAS_THREAD_VARS, "XLA_FLAGS")}
    for var in BLAS_THREAD_VARS:
        os.environ[var] = str(n)
    if n == 1:
        os.environ["XLA_FLAGS"] = _with_xla_flag(saved["XLA_FLAGS"])
    try:
        yield
    finally:
        for var, value in saved.items():
            if value is None:
                os.environ.pop(var, None)
            else:
                os.environ[var] = value

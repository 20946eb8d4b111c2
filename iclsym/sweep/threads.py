"""BLAS thread caps for sweep workers.

Workers run one job at a time with one BLAS thread each, so ``workers`` processes share the cores
instead of oversubscribing them, and a job's arithmetic does not depend on how many threads its
process happened to have.
"""

from __future__ import annotations

import contextlib
import os

__all__ = ["BLAS_THREAD_VARS", "limit_blas_threads", "blas_env", "one_blas_thread"]

#: environment variables that cap the BLAS/OpenMP thread pools of a worker process
BLAS_THREAD_VARS = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "BLIS_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)



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


from iclsym.core.threads import one_blas_thread  # noqa: E402  (re-exported: the executors' policy)

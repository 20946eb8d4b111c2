"""BLAS thread policy of the numeric code: one BLAS thread per computation.

Measured on 2 cores (``benchmarks/simulate.py`` prints the study): the simulator's matrix work --
skinny CG products, small LAPACK calls, and at paper scale the Gram and Cholesky of the direct
solves -- gains at most a factor below 2 from a second BLAS thread on an idle machine, and loses
several-fold once another process competes for the cores (the threads wait for each other).  With
one thread a run's time depends only on its own work, and its floating-point reductions happen in
one order, so the same seed gives the same bytes whichever executor runs the job.  Parallelism comes
from running jobs side by side (process pool, Dask) instead.
"""

from __future__ import annotations

import contextlib

__all__ = ["one_blas_thread"]


@contextlib.contextmanager
def one_blas_thread():
    """Run the ``with`` block with one BLAS thread in this process (restored afterwards).

    Needs ``threadpoolctl`` (a dependency of iclsym); costs about a millisecond to enter.

    Examples
    --------
    >>> with one_blas_thread():
    ...     pass
    """
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        yield

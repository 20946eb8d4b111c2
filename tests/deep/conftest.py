"""Deep-attention tests: one BLAS thread (the machine has 2 shared cores; batched QR and small
matmuls are several times slower with oversubscribed BLAS threads)."""

import pytest


@pytest.fixture(autouse=True, scope="session")
def _one_blas_thread():
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover
        yield
        return
    with threadpool_limits(1):
        yield

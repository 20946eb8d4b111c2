"""Shared test configuration.

* mpmath's working precision is global state: reset it before every test.
* hypothesis: no per-example deadline (CI machines are shared, timing is noisy).
* JAX: one XLA CPU thread, set before any test module imports JAX -- the setting of the sweep's
  workers and of ``iclsym.nets.jobs``, so in-process and worker runs give the same numbers.
"""

from iclsym.sweep.threads import single_thread_xla

single_thread_xla()

import mpmath  # noqa: E402
import pytest  # noqa: E402
from hypothesis import settings  # noqa: E402

settings.register_profile("iclsym", deadline=None, max_examples=60, print_blob=True)
settings.load_profile("iclsym")


@pytest.fixture(autouse=True)
def _reset_mpmath_precision():
    mpmath.mp.dps = 15
    yield
    mpmath.mp.dps = 15

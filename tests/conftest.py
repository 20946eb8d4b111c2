"""Shared test configuration.

* mpmath's working precision is global state: reset it before every test.
* hypothesis: no per-example deadline (CI machines are shared, timing is noisy).
"""

import mpmath
import pytest
from hypothesis import settings

settings.register_profile("iclsym", deadline=None, max_examples=60, print_blob=True)
settings.load_profile("iclsym")


@pytest.fixture(autouse=True)
def _reset_mpmath_precision():
    mpmath.mp.dps = 15
    yield
    mpmath.mp.dps = 15

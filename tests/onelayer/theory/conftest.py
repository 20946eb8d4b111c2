"""Shared seeded parameter samplers for the theory tests (the domain of the issue's acceptance)."""

import numpy as np
import pytest


def sample_points(n, seed, near_pole=False):
    """``(alpha, tau, kappa, rho, lam)`` arrays: alpha in [0.1, 1e3], tau in [0.05, 50]
    (or ``|tau - 1|`` in [1e-12, 1e-6] when ``near_pole``), kappa in [0.05, 1e3] and inf (10 %),
    rho in [0, 2], lam = 0 (30 %) or log-uniform in [1e-9, 10]; all log-uniform except rho."""
    rng = np.random.default_rng(seed)
    alpha = 10 ** rng.uniform(-1, 3, n)
    if near_pole:
        tau = 1 + rng.choice([-1.0, 1.0], n) * 10 ** rng.uniform(-12, -6, n)
    else:
        tau = 10 ** rng.uniform(np.log10(0.05), np.log10(50), n)
    kappa = 10 ** rng.uniform(np.log10(0.05), 3, n)
    kappa[rng.random(n) < 0.1] = np.inf
    rho = rng.uniform(0, 2, n)
    lam = 10 ** rng.uniform(-9, 1, n)
    lam[rng.random(n) < 0.3] = 0.0
    return alpha, tau, kappa, rho, lam


@pytest.fixture
def points():
    return sample_points

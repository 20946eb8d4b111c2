"""The NumPy evaluators never return NaN inside their computable range and refuse values outside it."""

import itertools

import numpy as np
import pytest

from iclsym.core.params import COMPUTABLE_RANGE
from iclsym.onelayer.theory import errors, solve_eps
from iclsym.onelayer.theory.optimal import alpha_star

LO, HI = COMPUTABLE_RANGE
E = np.log10(HI)


def _check(a, t, k, r, lam):
    e1, e2, g = errors(a, t, k, r, lam)
    eps = solve_eps(a, t, k, r, lam)
    pole = (np.asarray(t) == 1) & (np.asarray(lam) == 0)
    for v in (e1, e2, g, eps):
        assert not np.isnan(v).any()
    for v in (e1, e2):
        assert np.all(np.isfinite(v) | pole)
        assert np.all(v >= 0)


def test_corners_of_the_box():
    vals = [LO, 10 ** (-E / 2), 1.0, 10 ** (E / 2), HI]
    grid = np.array(list(itertools.product(vals, vals + [1.0], vals + [np.inf], [0.0] + vals, [0.0] + vals))).T
    _check(*grid)


@pytest.mark.parametrize("seed", [0, 1])
def test_random_points_log_uniform_over_the_box(seed):
    rng = np.random.default_rng(seed)
    n = 20_000
    a, t, k, r, lam = (10 ** rng.uniform(-E, E, n) for _ in range(5))
    k[rng.random(n) < 0.1] = np.inf
    r[rng.random(n) < 0.1] = 0.0
    lam[rng.random(n) < 0.3] = 0.0
    _check(a, t, k, r, lam)


@pytest.mark.slow
def test_many_random_points():
    rng = np.random.default_rng(7)
    for _ in range(10):
        n = 50_000
        a, t, k, r, lam = (10 ** rng.uniform(-E, E, n) for _ in range(5))
        lam[rng.random(n) < 0.3] = 0.0
        _check(a, t, k, r, lam)


@pytest.mark.parametrize("name, value", [("alpha", 1e155), ("alpha", 1e-155), ("tau", 1e-154), ("kappa", 1e-154),
                                         ("rho", 1e156), ("lam", 1e300)])
def test_outside_the_range_is_a_clear_error(name, value):
    args = dict(alpha=1.0, tau=2.0, kappa=0.5, rho=0.1, lam=0.0)
    args[name] = value
    with pytest.raises(ValueError, match=f"{name} = .* is outside the range the NumPy evaluators compute"):
        errors(**args)


@pytest.mark.parametrize("tiny", [5e-324, 1e-300])
def test_tiny_noise_and_ridge_are_computed(tiny):
    vals = [LO, 1.0, HI]
    grid = np.array(list(itertools.product(vals, [LO, 0.5, 1.0, 2.0, HI], vals + [np.inf], [0.0, tiny, 1.0],
                                           [0.0, tiny]))).T
    _check(*grid)


def test_alpha_star_refuses_instead_of_inventing_a_minimiser():
    with pytest.raises(ValueError, match="tau = 1e-300 is outside"):
        alpha_star(1e-300, 0.3, 0.1)

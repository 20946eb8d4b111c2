import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

from iclsym.core.params import PARAM_NAMES, Params, Sizes, check_param, check_size, check_theory_args

GOOD = dict(alpha=1.0, tau=0.5, kappa=2.0, rho=0.1, lam=0.0)


@pytest.mark.parametrize(
    "name, bad",
    [
        ("alpha", 0.0), ("alpha", -1.0), ("alpha", math.inf), ("alpha", math.nan),
        ("tau", 0.0), ("tau", -0.5), ("tau", math.inf),
        ("kappa", 0.0), ("kappa", -1.0), ("kappa", math.nan), ("kappa", -math.inf),
        ("rho", -1e-3), ("rho", math.inf),
        ("lam", -1e-9), ("lam", math.nan),
    ],
)
def test_bad_values_name_the_parameter_and_range(name, bad):
    kw = dict(GOOD, **{name: bad})
    with pytest.raises(ValueError, match=rf"^{name} must satisfy .*{name}"):
        check_theory_args(*(kw[n] for n in PARAM_NAMES))
    with pytest.raises(ValueError, match=rf"^{name} must"):
        Params(**kw)


def test_bad_entry_inside_an_array_is_caught():
    with pytest.raises(ValueError, match=r"^tau must satisfy 0 < tau < inf; got -1\.0$"):
        check_theory_args(1.0, np.array([0.5, -1.0, 2.0]), 1.0, 0.1)


@pytest.mark.parametrize("bad", ["1.0", None, [1, "a"], True, 1 + 2j])
def test_non_real_values_raise_type_error(bad):
    with pytest.raises(TypeError, match="^alpha must be a real number"):
        check_param("alpha", bad)


def test_shapes_that_do_not_broadcast():
    with pytest.raises(ValueError, match="do not broadcast"):
        check_theory_args(np.ones(2), np.ones(3), 1.0, 0.1)


def test_kappa_inf_is_allowed_and_broadcasting_works():
    a, t, k, r, l = check_theory_args([1.0, 2.0], 0.5, math.inf, 0.1, [[0.0], [1.0]])
    assert a.shape == (2, 2) and np.all(np.isinf(k)) and l[1, 0] == 1.0


@pytest.mark.parametrize(
    "kw, name",
    [
        (dict(d=1, ell=1, k=1, n=1), "d"),
        (dict(d=10, ell=0, k=1, n=1), "ell"),
        (dict(d=10, ell=2, k=0, n=1), "k"),
        (dict(d=10, ell=2, k=1, n=0), "n"),
        (dict(d=10.5, ell=2, k=1, n=3), "d"),
        (dict(d=10, ell=2, k=math.nan, n=3), "k"),
        (dict(d=10, ell=math.inf, k=1, n=3), "ell"),
    ],
)
def test_bad_sizes(kw, name):
    with pytest.raises(ValueError, match=rf"^{name} must be an integer"):
        Sizes(**kw)


def test_sizes_from_params_and_effective_ratios():
    p = Params(alpha=0.555, tau=0.2, kappa=math.inf, rho=0.0)
    s = Sizes.from_params(20, p)
    assert (s.ell, s.n) == (11, 80) and math.isinf(s.k)
    eff = s.effective(p)
    assert eff.alpha == pytest.approx(11 / 20) and math.isinf(eff.kappa)
    assert check_size("runs", 3.0) == 3


@given(
    st.floats(1e-3, 1e3), st.floats(1e-3, 1e2), st.one_of(st.floats(1e-3, 1e3), st.just(math.inf)),
    st.floats(0, 10), st.floats(0, 10),
)
def test_valid_points_round_trip(alpha, tau, kappa, rho, lam):
    p = Params(alpha, tau, kappa, rho, lam)
    assert p.as_tuple() == (alpha, tau, kappa, rho, lam)
    s = p.sizes(7)
    assert s.ell >= 1 and s.n >= 1

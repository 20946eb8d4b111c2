"""The scalar fast path (one point as Python numbers) gives the vectorised results to 1e-15 and a float."""

import math

import numpy as np
import pytest

from iclsym.core.spectra import stieltjes_mp
from iclsym.onelayer.theory import e_icl, e_idg, errors, g_task, limits, solve_eps

N = 600


def _points(seed, names):
    rng = np.random.default_rng(seed)
    cols = {"alpha": 10 ** rng.uniform(-2, 3, N), "tau": 10 ** rng.uniform(-1.5, 1.5, N),
            "kappa": 10 ** rng.uniform(-1.5, 3, N), "rho": 10 ** rng.uniform(-3, 0.5, N),
            "lam": np.where(rng.random(N) < 0.4, 0.0, 10 ** rng.uniform(-8, 1, N)), "c": 10 ** rng.uniform(-2, 1, N)}
    cols["kappa"][rng.random(N) < 0.1] = np.inf
    cols["kappa"][rng.random(N) < 0.03] = 1.0
    cols["tau"][rng.random(N) < 0.03] = 1.0
    cols["rho"][rng.random(N) < 0.05] = 0.0
    return [cols[n] for n in names]


def _same(scalar, vector):
    scalar, vector = np.ravel(np.asarray(scalar, dtype=float)), np.ravel(np.asarray(vector, dtype=float))
    for s, v in zip(scalar, vector):
        if math.isinf(v) or v == 0 or math.isnan(v):
            assert s == v or (math.isnan(s) and math.isnan(v)), (s, v)
        else:
            assert abs(s - v) <= 1e-15 * abs(v), (s, v)


@pytest.mark.parametrize("fn", [e_icl, e_idg, g_task, solve_eps, errors])
def test_asymptotic_errors(fn):
    cols = _points(1, ("alpha", "tau", "kappa", "rho", "lam"))
    vector = np.array(fn(*cols))
    for i in range(N):
        args = [float(c[i]) for c in cols]
        got = fn(*args)
        assert all(type(g) is float for g in np.atleast_1d(got).tolist()) and not isinstance(got, np.ndarray)
        _same(got, vector[..., i])


@pytest.mark.parametrize("deriv", [0, 1, 2])
def test_stieltjes(deriv):
    z, kappa = _points(2, ("alpha", "kappa"))
    vector = stieltjes_mp(z, kappa, deriv)
    for i in range(N):
        got = stieltjes_mp(float(z[i]), float(kappa[i]), deriv)
        assert type(got) is float
        _same(got, vector[i])


CASES = [("ridgeless", ("alpha", "tau", "kappa", "rho")), ("lam_slope", ("alpha", "tau", "kappa", "rho")),
         ("ridgeless_with_derivative", ("alpha", "tau", "kappa", "rho")), ("pole_residue", ("alpha", "kappa", "rho")),
         ("peak_coefficient", ("alpha", "kappa", "rho")), ("tau_inf", ("alpha", "kappa", "rho")),
         ("kappa_inf_ridgeless", ("alpha", "tau", "rho")), ("g_task_tau_prop_alpha", ("c", "kappa", "rho")),
         ("alpha_inf_tau_inf", ("kappa", "rho")), ("alpha_inf_fixed_tau", ("tau", "kappa", "rho"))]


def _flat(result):
    if isinstance(result, dict):
        return [v for key in sorted(result) for v in result[key]]
    return list(result) if isinstance(result, tuple) else [result]


@pytest.mark.parametrize("name, names", CASES, ids=[c[0] for c in CASES])
def test_limits(name, names):
    fn = getattr(limits, name)
    cols = _points(3, names)
    with np.errstate(all="ignore"):
        vector = [np.broadcast_to(v, (N,)) for v in _flat(fn(*cols))]
    for i in range(N):
        got = _flat(fn(*[float(c[i]) for c in cols]))
        assert all(type(g) in (float, int) for g in got), (name, got)
        for g, v in zip(got, vector):
            _same(g, v[i])

"""Numbers do not change when the code is reorganised.

``tests/data/golden_onelayer.json`` holds values computed by iclsym 0.1.0, before the package was
split into ``core/``, ``engine/`` and one package per model: asymptotic errors (NumPy path) at 41
parameter points (11 hand-picked, 30 random over ``alpha in [0.1, 1e3]``, ``tau in [0.03, 30]``,
``kappa in [0.03, 100]``, ``rho in [1e-3, 3]``, ``lam`` 0 or in ``[1e-7, 10]``), 30-digit mpmath values
at 6 points, eight seeded :func:`simulate_once` runs covering every solver, sampler, assignment
and task law, and one seeded dMMSE run.  The current code must reproduce them.
"""

import json
import math
from pathlib import Path

import mpmath
import pytest

from iclsym.onelayer.simulation import dmmse_once, simulate_once
from iclsym.onelayer.theory import errors, precise, solve_eps

GOLDEN = json.loads((Path(__file__).resolve().parents[1] / "data" / "golden_onelayer.json").read_text())
PARAMS = ("alpha", "tau", "kappa", "rho", "lam")


@pytest.mark.parametrize("rec", GOLDEN["theory"], ids=lambda r: "-".join(f"{r[p]:.3g}" for p in PARAMS))
def test_theory_values_unchanged(rec):
    point = [rec[p] for p in PARAMS]
    e1, e2, g = errors(*point)
    # The NumPy path is evaluated by the same operations in the same order: bit-identical.
    assert (float(solve_eps(*point)), float(e1), float(e2), float(g)) == (
        rec["eps"], rec["e_icl"], rec["e_idg"], rec["g_task"])


@pytest.mark.parametrize("rec", GOLDEN["precise"], ids=lambda r: "-".join(f"{r[p]:.3g}" for p in PARAMS))
def test_precise_values_unchanged(rec):
    got = precise.evaluate(*[rec[p] for p in PARAMS], dps=30)
    for name in ("eps", "e_icl", "e_idg", "g_task"):
        assert mpmath.nstr(got[name], 30) == rec[name], name


@pytest.mark.parametrize("rec", GOLDEN["simulate_once"], ids=lambda r: f"{r['args'][:6]}-{r['options']}")
def test_seeded_simulation_unchanged(rec):
    a, t, k, r, lam, d, seed = rec["args"]
    res = simulate_once(a, t, k, r, lam, d, seed, **rec["options"])
    assert (res["ell"], res["k"], res["n"], res["solver"]) == (rec["ell"], rec["k"], rec["n"], rec["method"])
    for name in ("e_icl", "e_idg", "g_task"):
        # Same draws and the same solver; BLAS may sum in another order (threads): a few ulps of
        # Gamma's entries, amplified by at most the condition number of the ridge system.
        assert math.isclose(res[name], rec[name], rel_tol=1e-10, abs_tol=1e-12), name


def test_seeded_dmmse_unchanged():
    rec = GOLDEN["dmmse_once"]
    a, k, r, d, seed, n_test = rec["args"]
    res = dmmse_once(a, k, r, d, seed=seed, n_test=n_test)
    for name in ("e_icl", "e_idg", "g_task", "se_e_icl", "se_e_idg", "se_g_task"):
        assert math.isclose(res[name], rec[name], rel_tol=1e-12, abs_tol=1e-14), name

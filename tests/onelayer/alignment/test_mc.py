"""Monte Carlo acceptance: finite-d simulations with structured tasks approach the theory like 1/d.

For each setting of ``ACCEPTANCE`` (descending ramp with spike tests, power law 0.9 with power-law tests,
half-rank pretraining at large alpha and tau, the ridge extension at lam in {0.01, 0.1, 1}) the gap
``sim - theory`` (theory at each run's effective ratios and finite-d eigenvalues) is fitted by ``A/d + B``
over d in {40, 60, 80}; the assertion is ``|B| < 4 se(B)`` for every test covariance and for e_IDG
(4 standard errors: Monte Carlo noise of the fitted intercept; the fit itself is printed by
``benchmarks/alignment_mc.py``).  The ci subset runs one setting at small d.
"""

import pytest

from iclsym.onelayer.alignment_mc import ACCEPTANCE, approach


@pytest.mark.mc
@pytest.mark.slow
@pytest.mark.ci
def test_ridge_extension_approaches_theory_small_d():
    """Bounded version (d in {16, 24, 32}, 8 runs: enough for the standard errors themselves to be
    meaningful): extrapolated gap within 4 SE of 0."""
    res = approach((16, 24, 32), 8, seed=7, **ACCEPTANCE["ridge-1"])
    for field, fit in res["fits"].items():
        assert abs(fit["z_B"]) < 4, (field, fit)


@pytest.mark.mc
@pytest.mark.slow
@pytest.mark.parametrize("name", list(ACCEPTANCE))
def test_simulations_approach_theory_like_inverse_d(name):
    res = approach((40, 60, 80), 10, seed=2509, **ACCEPTANCE[name])
    for field, fit in res["fits"].items():
        assert abs(fit["z_B"]) < 4, (name, field, fit)
        assert fit["A1"] > -4 * fit["se_A1"], (name, field, fit)  # simulations sit above the theory (or at it)

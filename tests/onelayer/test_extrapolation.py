"""Extrapolation to d = inf (iclsym.onelayer.extrapolation): the fit, its interval, the model rule, the verdict.

The statistical claims are checked on synthetic data with a known ``e_inf`` (coverage of the 95 %
interval, calibration of the lack-of-fit test, detection of a wrong value); the Monte Carlo test
at the end runs the real simulations at small ``d``.
"""

import math

import numpy as np
import pytest

from iclsym.onelayer import extrapolation as ex
from iclsym.onelayer import theory
from iclsym.sweep import ResultStore

D = (24, 32, 48, 64)


def _synthetic(rng, d=D, runs=(10, 10, 10, 10), e_inf=1.0, a=5.0, b=0.0, rel_sd=2.0, noise="normal"):
    """Runs with mean e_inf + a/d + b/d^2 and standard deviation rel_sd/d (as measured: ~2/d relative)."""
    out = []
    for di, r in zip(d, runs):
        z = rng.standard_normal(r) if noise == "normal" else (rng.chisquare(3, r) - 3) / math.sqrt(6)
        out.append(e_inf + a / di + b / di**2 + rel_sd / di * z)
    return out


def test_noise_free_data_are_fitted_exactly():
    d = np.array([20, 30, 40, 60])
    fit = ex.fit_extrapolation(d, [np.full(3, 2.0 + 7.0 / x) for x in d], n_boot=0)
    assert fit.model == "1/d" and fit.inf == pytest.approx(2.0, rel=1e-12) and fit.slope == pytest.approx(7.0)
    assert fit.ci == (fit.inf, fit.inf)


def test_two_sizes_by_hand():
    # means 1.2 (d = 20) and 1.1 (d = 40): the line through (1/20, 1.2) and (1/40, 1.1) has intercept 1.0, slope 4
    fit = ex.fit_extrapolation([20, 40], [[1.1, 1.3, 1.2], [1.05, 1.15, 1.1]], n_boot=0)
    assert fit.inf == pytest.approx(1.0) and fit.slope == pytest.approx(4.0)
    # e_inf = 2 m_40 - m_20: Var = 4 (0.05^2/3) + (0.1^2/3); Satterthwaite dof from two 2-dof variances
    u = np.array([4 * 0.05**2 / 3, 0.1**2 / 3])
    assert fit.se_inf == pytest.approx(math.sqrt(u.sum()))
    assert fit.dof == pytest.approx(u.sum() ** 2 / np.sum(u**2 / 2))
    assert math.isnan(fit.p_linear)  # no spare degree of freedom


def test_shift_is_subtracted_and_order_does_not_matter():
    rng = np.random.default_rng(1)
    samples = _synthetic(rng)
    shift = np.array([0.01, -0.02, 0.0, 0.005])
    a = ex.fit_extrapolation(D, samples, shift, n_boot=0, rng=0)
    b = ex.fit_extrapolation(D[::-1], samples[::-1], shift[::-1], n_boot=0, rng=0)
    c = ex.fit_extrapolation(D, [s - h for s, h in zip(samples, shift)], n_boot=0, rng=0)
    assert a.inf == pytest.approx(b.inf, rel=1e-12) and a.inf == pytest.approx(c.inf, rel=1e-12)
    assert a.mean.tolist() == [s.mean() for s in samples]


@pytest.mark.parametrize("kwargs, match", [
    (dict(d=[24], samples=[[1.0, 2.0]]), "at least two distinct sizes"),
    (dict(d=[24, 24], samples=[[1.0, 2.0]] * 2), "at least two distinct sizes"),
    (dict(d=[24, 32], samples=[[1.0], [1.0, 2.0]]), "at least two finite runs"),
    (dict(d=[24, 32], samples=[[1.0, 2.0]]), "one array of runs per d"),
    (dict(d=[24, 32], samples=[[1.0, 2.0]] * 2, model="1/d^3"), "model must be one of"),
    (dict(d=[24, 32], samples=[[1.0, 2.0]] * 2, model="1/d^2"), "needs at least 3 sizes"),
    (dict(d=[1, 32], samples=[[1.0, 2.0]] * 2), "d must be an integer >= 2"),
    (dict(d=[24, 32], samples=[[1.0, math.nan]] * 2), "finite runs"),
])
def test_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ex.fit_extrapolation(**kwargs, n_boot=0)


def _coverage(reps, seed, **kw):
    rng = np.random.default_rng(seed)
    hit_t = hit_b = switched = 0
    half = []
    for _ in range(reps):
        fit = ex.fit_extrapolation(D, _synthetic(rng, **kw), n_boot=200, n_null=400, rng=rng)
        hit_t += fit.ci[0] <= 1.0 <= fit.ci[1]
        hit_b += fit.ci_bootstrap[0] <= 1.0 <= fit.ci_bootstrap[1]
        switched += fit.model != "1/d"
        half.append(fit.half_width)
    return hit_t / reps, hit_b / reps, switched / reps, float(np.median(half))


@pytest.mark.mc
@pytest.mark.slow
@pytest.mark.ci
def test_coverage_of_the_interval_on_synthetic_data():
    """The 95 % interval covers the known e_inf = 1 at the nominal rate (normal runs, the measured noise level).

    Measured when written (seed 11, 500 fits): t interval 0.926, bootstrap 0.906, 1/d^2 chosen in 1.6 %,
    median half-width 0.042. With the 1/d model forced the t interval covers 0.947 (1500 fits): the small
    shortfall of the automatic rule is the cost of choosing the model on the same data (about 1 %).
    """
    cov_t, cov_b, switched, half = _coverage(500, 11)
    # binomial SE of a 0.95 coverage over 500 fits is 0.0097: allow 3.5 SE either side
    assert abs(cov_t - 0.95) <= 0.034, cov_t
    # the percentile bootstrap of 10 runs is known to be a little narrow (n-1 vs n, no t quantile): 0.88 to 0.98
    assert 0.88 <= cov_b <= 0.98, cov_b
    # the lack-of-fit test at 1 % switches to 1/d^2 in about 1 % of null data sets (3.5 binomial SE: <= 3.5 %)
    assert switched <= 0.035, switched
    # relative noise 2/d and 10 runs at 24..64 give a half-width of about 4 % of e_inf (the design's ~4.1 %)
    assert 0.03 <= half <= 0.05, half


@pytest.mark.mc
@pytest.mark.slow
def test_coverage_with_skewed_runs_and_with_curvature():
    """Not in the default run. Skewed (chi-square_3) runs: measured 0.91 with 10 runs per size (the t interval
    assumes near-normal means). A strong 1/d^2 term (b = 40 a, detected only with many runs) is found by the
    lack-of-fit rule with 200 runs per size and the interval then covers."""
    cov_t, _, _, _ = _coverage(400, 12, noise="chi2")
    assert 0.87 <= cov_t <= 0.97, cov_t  # 0.9075 measured; about 3.5 binomial SE (0.014) around it
    cov_t, _, switched, _ = _coverage(200, 13, b=-200.0, runs=(200,) * 4)
    assert switched >= 0.9 and abs(cov_t - 0.95) <= 0.055, (cov_t, switched)


@pytest.mark.mc
@pytest.mark.slow
@pytest.mark.ci
def test_lack_of_fit_p_value_is_calibrated():
    # under the 1/d model the p-value is uniform: P(p < 0.1) = 0.1 (binomial SE over 400 fits 0.015; 3.5 SE)
    rng = np.random.default_rng(5)
    p = [ex.fit_extrapolation(D, _synthetic(rng), n_boot=0, n_null=400, rng=rng).p_linear for _ in range(400)]
    assert abs(np.mean(np.array(p) < 0.1) - 0.1) <= 0.053


def test_a_wrong_value_is_rejected():
    # e_inf = 1 with a half-width of ~4 %: a theory 15 % off is outside the interval (it is ~7 SE away)
    rng = np.random.default_rng(8)
    fit = ex.fit_extrapolation(D, _synthetic(rng), n_boot=0, rng=0)
    assert ex.verdict(fit, 1.0) == "agrees"
    assert ex.verdict(fit, 1.15) == "disagrees" and ex.verdict(fit, 0.85) == "disagrees"
    assert ex.verdict(fit, 1.0, ["near the pole"]) == "flagged"


def test_rounding_shift_vanishes_where_the_sizes_are_exact():
    # alpha = 2, kappa = 0.5, tau = 2 are realised exactly at even d
    assert np.all(ex.rounding_shift("e_icl", 2.0, 2.0, 0.5, 0.1, 1e-3, [24, 32]) == 0.0)
    # kappa d = 12.5 at d = 25 rounds to 13: the shift is the theory difference
    s = ex.rounding_shift("e_idg", 10.0, 2.0, 0.5, 0.01, 1e-5, [25])[0]
    assert s == pytest.approx(float(theory.e_idg(10.0, 2.0, 0.52, 0.01, 1e-5) - theory.e_idg(10.0, 2.0, 0.5, 0.01, 1e-5)))


def test_flags():
    assert ex.flags("e_icl", 10.0, 2.0, 0.5, 0.01, 1e-5, 24) == []
    pole = ex.flags("e_icl", 10.0, 1.0, np.inf, 0.01, 1e-5, 24)
    assert len(pole) == 1 and pole[0].startswith("near the ridgeless pole")
    assert ex.flags("e_idg", 1.0, 1.15, 0.5, 0.01, 1e-5, 24)[0].startswith("near the ridgeless pole")
    edge = ex.flags("e_icl", 1000.0, 20.0, 1.0, 0.5, 1e-5, 24)
    assert any(f.startswith("slow kappa = 1 regime") for f in edge), edge
    # outside the d^(-2/3) window there is no kappa flag
    assert not any(f.startswith("slow") for f in ex.flags("e_icl", 1000.0, 20.0, 2.0, 0.5, 1e-5, 24))


def test_jobs_and_runs():
    jobs = ex.extrapolation_jobs(1.0, 2.0, 0.5, 0.1, 1e-5, d=(8, 12), runs=(3, 2), options={"method": "dual"})
    assert [(j.d, j.run, j.method) for j in jobs] == [(8, 0, "dual"), (8, 1, "dual"), (8, 2, "dual"), (12, 0, "dual"),
                                                       (12, 1, "dual")]
    with pytest.raises(ValueError, match="runs must be one number or one per d"):
        ex.parse_runs([3, 4, 5], (8, 12))
    with pytest.raises(ValueError, match="runs must be an integer >= 2"):
        ex.parse_runs(1, (8, 12))


def test_extrapolate_resumes_from_the_store(tmp_path):
    path = tmp_path / "x.sqlite"
    args = (2.0, 2.0, 0.5, 0.1, 1e-3)
    first = ex.extrapolate(*args, d=(8, 10, 12), runs=3, store=path, executor="serial", n_boot=0, progress=False)
    again = ex.extrapolate(*args, d=(8, 10, 12), runs=3, store=path, executor="serial", n_boot=0, progress=False)
    assert first["summary"].finished == 9 and again["summary"].skipped == 9 and again["summary"].finished == 0
    assert again["e_icl"].fit.inf == first["e_icl"].fit.inf
    d = first["e_idg"].as_dict()
    assert set(d) >= {"inf", "ci", "slope", "theory", "verdict", "reasons"} and d["d"] == [8, 10, 12]
    with ResultStore(path) as store:
        assert len(store.rows("ridge")) == 9


@pytest.mark.mc
@pytest.mark.slow
@pytest.mark.ci
def test_real_simulations_agree_and_a_wrong_rho_is_rejected():
    """alpha = 10, tau = 2, kappa = inf, rho = 0.5, lam = 0.1 at d = 16, 24, 32 with 10 runs each.

    Measured when written (base seed 3): e_inf = 1.006 [0.968, 1.044], theory 1.035 (agrees, half-width
    3.7 %); the theory with rho replaced by 1.1 rho, 1.121, lies outside (rejected). A few seconds on a
    quiet core.
    """
    out = ex.extrapolate(10.0, 2.0, np.inf, 0.5, 0.1, d=(16, 24, 32), runs=10, executor="serial",
                         base_seed=3, n_boot=0, progress=False)
    e = out["e_icl"]
    assert e.reasons == [] and e.fit.model == "1/d"
    # the verdict itself (95 % interval: this seed was not chosen, it is the first one tried)
    assert e.verdict == "agrees", e.as_dict()
    assert e.rel_half_width <= 0.05  # 10 runs at 16, 24, 32 give ~4 % here (measured 3.65 %)
    wrong = float(theory.e_icl(10.0, 2.0, np.inf, 0.55, 0.1))
    assert ex.verdict(e.fit, wrong) == "disagrees"

"""The finite-size allowance of ``report.md`` (``iclsym.onelayer.finite_size``).

Two kinds of test: the arithmetic of the allowance and its report columns, checked against values
worked out by hand; and a Monte Carlo check of the physical claim the allowance rests on, namely
that at finite ``d`` the interpolation peak sits at ``n = p = d(d+1)`` and not at ``n = d^2``.
"""

import math

import numpy as np
import pandas as pd
import pytest

from iclsym.onelayer import theory
from iclsym.onelayer import finite_size as fs
from iclsym.figures.common import aggregate, compare_rows, report_rows
from iclsym.figures.report import _summary, format_table
from iclsym.onelayer.simulation.run import simulate


def test_allowance_terms_by_hand():
    # 4 SE + |shift| + C |e|/d with SE = 0.05, shift = 0.3, C = 9, e = 2, d = 60: 0.2 + 0.3 + 0.3
    assert float(fs.allowance(2.0, 2.3, 0.05, 60)) == pytest.approx(0.8)
    assert float(fs.allowance(2.0, 1.7, 0.05, 60)) == pytest.approx(0.8)  # the shift counts either way
    assert float(fs.allowance(-2.0, -2.0, 0.0, 60, c=3.0, n_se=2.0)) == pytest.approx(0.1)
    assert math.isnan(float(fs.allowance(2.0, 2.0, math.nan, 60)))  # one run: no SE, no verdict


def test_c_needed_is_the_boundary():
    rng = np.random.default_rng(0)
    theory_, se, d = rng.uniform(0.1, 5, 200), rng.uniform(0, 0.1, 200), rng.integers(20, 200, 200)
    theory_p = theory_ * rng.uniform(0.9, 1.1, 200)
    mean = theory_ * rng.uniform(0.7, 1.3, 200)
    c = fs.c_needed(mean, se, theory_, theory_p, d)
    assert np.all(c >= 0)
    gap = np.abs(mean - theory_)
    inside = c == 0
    # with C = c_needed the point is exactly on the boundary (or inside, when no C is needed)
    bound = fs.allowance(theory_, theory_p, se, d, c=c)
    assert inside.any() and (~inside).any()
    np.testing.assert_allclose(gap[~inside], bound[~inside], rtol=1e-12)
    assert np.all(gap[inside] <= bound[inside])
    # any smaller C excludes the point
    assert np.all(gap[~inside] > fs.allowance(theory_, theory_p, se, d, c=0.999 * c)[~inside])


def test_tau_per_parameter_and_steep_in_tau():
    assert float(fs.tau_per_parameter(1 + 1 / 50, 50)) == pytest.approx(1.0)  # n = d(d+1)
    np.testing.assert_allclose(fs.tau_per_parameter([0.5, 2.0], [10, 100]), [0.5 * 10 / 11, 2.0 * 100 / 101])
    # shift 1.0 > 9 * 10/100 = 0.9; shift 0.5 < 0.9
    assert fs.steep_in_tau([10.0, 10.0], [11.0, 9.5], 100).tolist() == [True, False]


def _agg(values, d=50, tau=2.0):
    frame = pd.DataFrame({"kind": "ridge", "alpha": 10.0, "tau": tau, "kappa": np.inf, "rho": 0.01, "lam": 1e-5,
                          "d": d, "method": "auto", "assignment": "balanced", "task_dist": "sphere",
                          "sampler": "conditional", "e_icl": values})
    return aggregate(frame, ["e_icl"])


def test_report_rows_carry_the_verdict():
    agg = _agg([1.0, 1.2, 1.4])  # mean 1.2, SE 0.2/sqrt(3)
    se = 0.2 / math.sqrt(3)
    row = report_rows("1", "C", agg, "e_icl", np.array([1.0]), np.array([1.2]))[0]
    assert row["allowance"] == pytest.approx(4 * se + 0.2 + 9 * 1.0 / 50)
    assert row["within"] is True and row["steep_in_tau"] is True  # shift 0.2 > 9 * 1.0/50
    assert row["c_needed"] == 0.0
    far = report_rows("1", "C", _agg([2.0, 2.2, 2.4]), "e_icl", np.array([1.0]), np.array([1.0]))[0]
    assert far["within"] is False
    assert far["c_needed"] == pytest.approx(50 * (1.2 - 4 * se))
    # no theory at n/p (dMMSE rows, or callers that pass none): no verdict, and the table says so
    none = report_rows("4", "dMMSE", agg, "e_icl", None)[0]
    assert none["within"] is None and math.isnan(none["allowance"])
    table = format_table([row, far, none]).splitlines()
    assert "allowance" in table[0] and "within" in table[0]
    assert table[2].endswith("| yes (steep in tau) |") and table[3].endswith("| **no** |")
    assert table[4].endswith("| — |")
    # one of the two is within; the far one needs C = 50 (1.2 - 4 SE) = 36.91; the first is steep in tau
    assert "**1 of 2 within the finite-size allowance** (largest C needed 36.91; 1 steep in tau)" in _summary(
        [row, far])


def test_compare_rows_uses_n_over_p():
    agg = _agg([1.0, 1.1], d=40, tau=1.0)
    row = compare_rows("1", "C", agg, "e_icl", theory.e_icl)[0]
    assert row["theory"] == pytest.approx(float(theory.e_icl(10.0, 1.0, np.inf, 0.01, 1e-5)))
    assert row["theory_p"] == pytest.approx(float(theory.e_icl(10.0, 40 / 41, np.inf, 0.01, 1e-5)))


@pytest.mark.mc
@pytest.mark.slow
@pytest.mark.ci
def test_finite_d_peak_is_at_n_equal_p():
    """At d = 40 (alpha = 10, kappa = inf, rho = 0.01, lam = 1e-5) the simulated error peaks at n = p = d(d+1).

    Measured when written (4 runs each, seed 7): 3.70 ± 0.35 at n = d^2, 21.3 ± 1.1 at n = p and
    3.75 ± 0.23 at n = p + d. The theory at n/d^2 gives 16.9, 4.05 and 2.12; the theory at n/p gives
    4.08, 16.9 and 4.15. So the theory at n/d^2 puts the peak at the wrong n, and the allowance's
    |e(n/p) - e(n/d^2)| term is what covers it.
    """
    d, runs = 40, 4
    p = d * (d + 1)
    res = {}
    for n in (d * d, p, p + d):
        s = simulate(10.0, n / d**2, np.inf, 0.01, 1e-5, d, runs, seed=7, progress=False)
        res[n] = (s["e_icl_mean"], s["e_icl_se"])

    def z(a, b):  # difference in combined standard errors (independent runs)
        (ma, sa), (mb, sb) = res[a], res[b]
        return (ma - mb) / math.hypot(sa, sb)

    # the peak: n = p beats both neighbours by more than 4 combined SE (tolerance: 4 SE, statistical)
    assert z(p, d * d) > 4 and z(p, p + d) > 4
    # the allowance covers every point, and without its shift term the point n = d^2 falls outside
    for n, (mean, se) in res.items():
        e = float(theory.e_icl(10.0, n / d**2, np.inf, 0.01, 1e-5))
        e_p = float(theory.e_icl(10.0, n / p, np.inf, 0.01, 1e-5))
        assert abs(mean - e) <= fs.allowance(e, e_p, se, d), (n, mean, se, e, e_p)
    mean, se = res[d * d]
    e = float(theory.e_icl(10.0, 1.0, np.inf, 0.01, 1e-5))
    assert abs(mean - e) > fs.allowance(e, e, se, d)

"""Figure modules produce non-empty PNG/PDF files and report rows with a tiny setting, and the
reference curves of Fig. 4 agree with the theory evaluators in their limits."""

import math

import numpy as np
import pytest

from iclsym.figures.paper1 import fig1, fig2, fig4
from iclsym.figures.common import aggregate, report_rows
from iclsym.figures.settings import tiny
from iclsym.sweep import ResultStore, SerialExecutor, run_sweep

SETTINGS = tiny()


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("figs") / "results.sqlite"
    store = ResultStore(path)
    jobs = [j for m in (fig1, fig2, fig4) for j in m.jobs(SETTINGS)]
    summary = run_sweep(jobs, store, SerialExecutor(), progress=False)
    assert summary.failed == 0, summary.errors[:1]
    yield store
    store.close()


@pytest.mark.parametrize("module", [fig1, fig2, fig4], ids=["fig1", "fig2", "fig4"])
def test_figure_files_and_rows(module, store, tmp_path):
    paths = module.plot(store, SETTINGS, tmp_path)
    assert sorted(p.suffix for p in paths) == [".pdf", ".png"]
    for p in paths:
        assert p.stat().st_size > 10_000, p  # a real picture, not an empty canvas
    assert paths[0].read_bytes()[:4] == b"\x89PNG" and paths[1].read_bytes()[:4] == b"%PDF"
    rows = module.points(store, SETTINGS)
    assert rows and all(r["runs"] >= 1 and math.isfinite(r["mean"]) for r in rows)
    compared = [r for r in rows if math.isfinite(r["theory"])]
    assert compared  # theory exists for the linear-attention points


def test_every_job_has_a_report_row(store):
    # each simulated (point, quantity) of figs 1, 2, 4 appears in the report exactly once per quantity/panel
    rows = fig1.points(store, SETTINGS)
    assert len(rows) == 2 * 6 * 3 + 7 * 3  # A and B share the 18 points; C has 21
    rows = fig4.points(store, SETTINGS)
    assert len(rows) == 4 * 5 + 4 * SETTINGS.dmmse_kappas


def test_report_z_and_gap_by_hand():
    import pandas as pd

    frame = pd.DataFrame({"kind": "toy", "alpha": 1.0, "tau": 2.0, "kappa": 0.5, "rho": 0.1, "lam": 0.0, "d": 8,
                          "scale": 1.0, "sleep": 0.0,
                          "e_icl": [1.0, 1.2, 1.4]})
    agg = aggregate(frame, ["e_icl"])
    row = report_rows("x", "y", agg, "e_icl", np.array([1.1]))[0]
    se = 0.2 / math.sqrt(3)  # sample std of (1.0, 1.2, 1.4) is 0.2
    assert row["se"] == pytest.approx(se)
    assert row["z"] == pytest.approx((1.2 - 1.1) / se)
    assert row["rel_gap"] == pytest.approx(0.1 / 1.1)


def g_task_limit_alpha(kappa):
    """The stated ``alpha -> inf`` (after ``tau -> inf``) limit, typed here: ``max(0, 1 - kappa)``."""
    return np.maximum(0.0, 1.0 - np.asarray(kappa, dtype=float))


def g_task_limit_path(kappa, rho, c):
    """The stated limit along ``tau = c alpha``, typed here: ``(1 - kappa)(1 + rho/(c (1 + rho)))`` or 0."""
    kappa = np.asarray(kappa, dtype=float)
    return np.where(kappa < 1.0, (1.0 - kappa) * (1.0 + rho / (c * (1.0 + rho))), 0.0)


@pytest.mark.parametrize("kappa", [0.2, 0.5, 0.9, 1.5, 10.0])
def test_fig4_path_limit_matches_theory(kappa):
    # docs/onelayer/limits.md: along tau = c alpha, g_task -> (1-kappa)[1 + rho/(c(1+rho))] (kappa<1), 0 (kappa>1),
    # approached like 1/alpha (measured: the gap shrinks tenfold per decade of alpha); C = 5 is a
    # conservative constant for that O(1/alpha) approach.
    from iclsym.onelayer.theory import g_task

    alpha, rho, c = 1e5, 0.01, fig4.C_PATH
    got = float(g_task(alpha, c * alpha, kappa, rho, 0.0))
    assert abs(got - float(g_task_limit_path(kappa, rho, c))) <= 5.0 / alpha


@pytest.mark.parametrize("kappa", [0.2, 0.5, 1.5, 10.0])
def test_fig4_alpha_limit_matches_theory(kappa):
    # docs/onelayer/limits.md: tau -> inf first, then alpha -> inf: g_task -> max(0, 1 - kappa); approach ~ 1/alpha
    # away from kappa = 1 (C = 5 as above).
    from iclsym.onelayer.theory import g_task

    alpha = 1e4
    got = float(g_task(alpha, 1e9, kappa, 0.01, 0.0))
    assert abs(got - float(g_task_limit_alpha(kappa))) <= 5.0 / alpha


def test_fig3_phase_diagram(tmp_path):
    from iclsym.figures.paper1 import fig3

    kappa, rho, a = fig3.optimal_grid(0.5, "icl", 9)
    assert a.shape == (9, 9)
    # docs/onelayer/limits.md: for kappa < min(tau, 1) and rho > 0 the ICL error grows linearly in alpha, so the
    # optimum is interior (finite) left of the line; at kappa = 2 > 1 the error decreases monotonically
    assert np.all(np.isfinite(a[:, kappa < 0.5]))
    assert np.all(np.isnan(a[:, kappa > 1.9]))
    paths = fig3.plot(None, SETTINGS, tmp_path)
    assert all(p.stat().st_size > 10_000 for p in paths)


def test_fig3_scan_is_a_minimum():
    # the scanned alpha* is a local minimum of the theory error: nudging alpha by 2 % either way
    # increases the error (the parabolic refinement is accurate well within 2 % in alpha)
    from iclsym.figures.paper1 import fig3
    from iclsym.onelayer.theory import e_icl

    kappa, rho = np.array([0.2, 0.3, 0.4]), np.array([0.5, 0.1, 1.0])
    a = fig3.alpha_star_scan(0.5, kappa, rho, "icl", 800)
    assert np.all(np.isfinite(a))
    mid = e_icl(a, 0.5, kappa, rho)
    assert np.all(e_icl(a * 1.02, 0.5, kappa, rho) > mid) and np.all(e_icl(a / 1.02, 0.5, kappa, rho) > mid)


def test_fig3_scan_agrees_with_optimal_module():
    # two independent routes to alpha*: iclsym.onelayer.theory.optimal's bracketed root of de/dalpha vs this module's scan of e
    from iclsym.figures.paper1 import fig3
    from iclsym.onelayer.theory import optimal

    rng = np.random.default_rng(3)
    for _, tau, which in fig3.PANELS:
        kappa = rng.uniform(0.1, 2.1, 40)
        rho = 10 ** rng.uniform(-2, 0, 40)
        scan = fig3.alpha_star_scan(tau, kappa, rho, which, 2000)
        exact, kind = optimal.alpha_star(tau, kappa, rho, which=which, return_kind=True)
        interior = kind == optimal.INTERIOR
        # the classification agrees except within a grid step of the window's ends
        near_edge = np.isfinite(scan) & ((scan < 1.02e-2) | (scan > 0.98e3))
        assert np.all((np.isfinite(scan) == interior) | near_edge)
        both = interior & np.isfinite(scan)
        assert both.sum() >= 5
        # scan step 5/2000 decades, parabolic refinement: well within 1 % in alpha
        np.testing.assert_allclose(scan[both], exact[both], rtol=1e-2)


def test_fig4_asymptotes_match_derived_closed_forms():
    # the curves drawn (iclsym.onelayer.theory.limits, derived with SymPy) equal the docs/onelayer/limits.md formulas
    from iclsym.onelayer.theory import limits

    kappa = np.logspace(np.log10(0.08), np.log10(96), 41)
    np.testing.assert_allclose(limits.g_task_tau_prop_alpha(0.2, kappa, 0.01),
                               g_task_limit_path(kappa, 0.01, 0.2), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(limits.alpha_inf_tau_inf(kappa, 0.01)["g_task"][0],
                               g_task_limit_alpha(kappa), rtol=1e-12, atol=1e-15)

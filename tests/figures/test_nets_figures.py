"""Trained-network figure modules on synthetic stores (no training): rows, report keys, plots.

The stores hold results shaped like the job functions' (``iclsym.nets.jobs``) with known
structure, so the analysis (threshold rule, exponent fit, transition location, Spearman table,
depth ordering) can be checked against the values put in.
"""

import math

import numpy as np
import pytest

pytest.importorskip("pandas")
pytest.importorskip("matplotlib")

from iclsym.figures.paper1 import fig5, fig6  # noqa: E402
from iclsym.figures.paper2 import fig3 as p2fig3  # noqa: E402
from iclsym.figures.paper3 import fig6c, fig9  # noqa: E402
from iclsym.nets import settings as net_settings  # noqa: E402
from iclsym.nets import threshold as th  # noqa: E402
from iclsym.sweep import ResultStore  # noqa: E402


def _fill(store, jobs, fn):
    for j in jobs:
        store.add(j, fn(j.coords, j.run))


def _fig5_settings():
    taus = tuple(np.round(np.geomspace(0.4, 4.0, 15), 4))
    s = net_settings.tiny()
    return s.replace(fig5_d=(8, 12, 16, 20), fig5_archs=("full_linear", "softmax"),
                     fig5_taus={"full_linear": taus, "softmax": taus},
                     fig5_runs={"full_linear": 3, "softmax": 3},
                     fig5_train={"full_linear": s.fig5_train["full_linear"], "softmax": s.fig5_train["full_linear"]})


def _fig5_result(c, run, exponent):
    d, tau = c["d"], c["tau"]
    n = round(tau * d * d)
    n_star = 1.1 * d**exponent * (1 + 0.02 * (run - 1))
    train = 1e-4 * (n / n_star) ** 2 if n < n_star else 0.5 * (1 - n_star / (1.02 * n)) + 0.02
    e = 1.0 + 3.0 / (1.0 + 20 * math.log(n / n_star) ** 2)  # a peak at n*
    return {"train_error": train, "e_icl": e, "e_idg": math.nan, "g_task": math.nan}


def test_fig5_recovers_a_known_exponent_and_reports_exact_keys(tmp_path):
    s = _fig5_settings()
    store = ResultStore(":memory:")
    _fill(store, fig5.jobs(s), lambda c, r: _fig5_result(c, r, 2.0 if c["arch"] == "full_linear" else 1.7))
    entries = fig5.report_entries(store, s)
    assert set(entries) == {"fig5.threshold_exponent.full_linear", "fig5.threshold_exponent.softmax"}
    for arch, a in (("full_linear", 2.0), ("softmax", 1.7)):
        e = entries[f"fig5.threshold_exponent.{arch}"]
        assert set(e) == {"value", "ci"}
        assert e["ci"][0] <= a <= e["ci"][1] and abs(e["value"] - a) < 0.05  # grid-interpolation error only
    rows = fig5.points(store, s)
    dd = [r for r in rows if r["quantity"].startswith("double descent")]
    assert len(dd) == 8 and all(r["significant"] for r in dd)
    paths = fig5.plot(store, s, tmp_path)
    assert all(p.exists() for p in paths)


def test_threshold_exponent_ci_covers_truth_under_noise():
    """Noisy per-run thresholds n*_r = c d^2 e^{0.05 z}: the 95 % t-interval covers a = 2 in most replicates."""
    rng = np.random.default_rng(0)
    n = np.geomspace(20, 2000, 40)
    ds, covered = (8, 12, 16, 20), 0
    for _ in range(60):
        logs, ses = [], []
        for d in ds:
            rows = [np.where(n < 1.2 * d**2 * math.exp(0.05 * rng.standard_normal()), 1e-4, 0.1) for _ in range(4)]
            t = th.threshold(n, rows, 1e-2)
            logs.append(t["log_n_star"])
            ses.append(t["se_log"])
        f = th.fit_exponent(ds, logs, ses)
        covered += f["ci"][0] <= 2.0 <= f["ci"][1]
    assert covered >= 50  # nominal 57 of 60; the grid floor makes it conservative


def test_fig6_transition_and_collapse(tmp_path):
    s = net_settings.tiny().replace(fig6_d=(8, 12, 16), fig6_kappas=(0.25, 0.5, 1.0, 2.0, 4.0), fig6_runs=2)
    store = ResultStore(":memory:")

    def result(c, run):
        g = 1.5 / (1 + (c["kappa"] / (1.0 + 0.05 * run)) ** 2)
        return {"g_task": g, "e_icl": 1.5 + 0.1 * g, "e_idg": 1.5 - 0.9 * g, "train_error": 0.1}

    _fill(store, fig6.jobs(s), result)
    tr = fig6.transitions(store, s)
    assert set(tr) == {8, 12, 16}
    for t in tr.values():  # g(0.25)/2 is reached at kappa with 1/(1+k^2) = 0.5/(1+1/16): k ~ 0.97
        assert 0.85 < t["kappa_half"] < 1.1
    rows = fig6.points(store, s)
    col = rows[-1]
    assert col["quantity"].startswith("collapse") and col["p_value"] > 0.05
    assert set(fig6.report_entries(store, s)) == {"fig6.transition_kappa.d8", "fig6.transition_kappa.d12",
                                                  "fig6.transition_kappa.d16"}
    assert all(p.exists() for p in fig6.plot(store, s, tmp_path))


def test_paper2_spearman_table_of_a_known_monotone_relation(tmp_path):
    """An ICL error that is a monotone function of e_misalign has Spearman 1 with it over every point."""
    s = net_settings.tiny().replace(p2_d=10, p2_kappas=(0.5, 2.0))
    store = ResultStore(":memory:")
    theory = p2fig3.measures(10, s.p2_kappas)

    def result(c, run):
        return {f"e_icl[{t}]": 0.3 + 2.0 * theory[(c["kappa"], t)]["e_misalign"] for t in c["tests"].split(",")}

    _fill(store, p2fig3.jobs(s), result)
    tab = p2fig3.table(store, s)
    assert tab["e_misalign"][0] == pytest.approx(1.0) and tab["e_misalign"][1] == 2 * len(p2fig3.fig2.test_specs())
    assert set(p2fig3.report_entries(store, s)) == {f"fig3p2.spearman.{m}" for m in p2fig3.MEASURES}
    assert all(p.exists() for p in p2fig3.plot(store, s, tmp_path))


def test_paper2_points_use_only_the_settings_training_recipe():
    """A store holding runs of another recipe (same steps and lr, other schedule / batch / contexts) for the same
    points -- e.g. an output folder reused after the quick settings changed -- must not mix them into the table."""
    s = net_settings.tiny().replace(p2_d=10, p2_kappas=(0.5, 2.0))
    store = ResultStore(":memory:")
    theory = p2fig3.measures(10, s.p2_kappas)

    def result(c, run):
        return {f"e_icl[{t}]": 0.3 + 2.0 * theory[(c["kappa"], t)]["e_misalign"] for t in c["tests"].split(",")}

    def reversed_result(c, run):
        return {f"e_icl[{t}]": 50.0 - 2.0 * theory[(c["kappa"], t)]["e_misalign"] for t in c["tests"].split(",")}

    _fill(store, p2fig3.jobs(s), result)
    for other in ({"schedule": "cosine"}, {"batch_frac": 0.5}, {"contexts": "fresh"}):
        jobs = [p2fig3.net_job(p2fig3.KIND, {**j.coords, **other}, run=j.run, base_seed=s.base_seed)
                for j in p2fig3.jobs(s)]
        _fill(store, jobs, reversed_result)
    pts = p2fig3._points_frame(store, s)
    assert len(pts) == 2 * len(p2fig3.fig2.test_specs()) and all(p["runs"] == 1 for p in pts)
    assert p2fig3.table(store, s)["e_misalign"][0] == pytest.approx(1.0)


@pytest.mark.parametrize("module", [fig6c, fig9])
def test_paper3_depth_ordering(module, tmp_path):
    s = net_settings.tiny().replace(p3_depths=(1, 2, 4), p3_runs=2)
    store = ResultStore(":memory:")

    def result(c, run):
        marks = range(0, s.p3_steps + 1, s.p3_steps // s.p3_evals)
        return {f"loss_{m}": 1.0 / (1 + m) + 0.2 / c["depth"] + 0.001 * run for m in marks}

    _fill(store, module.jobs(s), result)
    entries = module.report_entries(store, s)
    order = entries[f"{module.FIGURE}.depth_ordering"]
    assert order["monotone"] and order["value"] < -0.8
    assert all(p.exists() for p in module.plot(store, s, tmp_path))


def test_figure_jobs_are_valid_sweep_jobs_with_bundled_runs():
    from iclsym.sweep.executors import tasks

    for mode in ("quick", "full"):
        s = net_settings.for_mode(mode)
        for m in (fig5, fig6, p2fig3, fig6c, fig9):
            js = m.jobs(s)
            groups = tasks(js)
            assert sum(map(len, groups)) == len(js)
            assert all(len({(j.kind, j.values) for j in g}) == 1 for g in groups)  # one point per task


def test_figure_modules_do_not_import_jax():
    """JAX is imported only by the training modules: the figure modules and the runner read stores without it."""
    import subprocess
    import sys

    code = ("import sys, iclsym.nets.kinds, iclsym.figures.paper1.fig5, iclsym.figures.paper1.fig6, "
            "iclsym.figures.paper2.fig3, iclsym.figures.paper3.fig6c, iclsym.figures.paper3.fig9; "
            "print('jax' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"

"""Paper-3 figure modules: tiny settings run every job, draw every figure, and report points."""

import importlib.util

import pytest

from iclsym.figures import paper3
from iclsym.figures.paper3.common import deep_job
from iclsym.figures.paper3.settings import tiny
from iclsym.sweep import ResultStore, SerialExecutor, run_sweep

HAVE_JAX = importlib.util.find_spec("jax") is not None and importlib.util.find_spec("optax") is not None


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        yield


def test_job_seeds_depend_only_on_the_job():
    a = deep_job("deep_mc", {"alpha": 1.0, "L": 2})
    b = deep_job("deep_mc", {"L": 2, "alpha": 1.0})
    c = deep_job("deep_mc", {"L": 2, "alpha": 1.0}, run=1)
    assert a.seed == b.seed != c.seed
    with pytest.raises(ValueError, match="kind"):
        deep_job("nope", {})


def run_jobs(jobs, store):
    summary = run_sweep(jobs, store, SerialExecutor(), progress=False)
    assert summary.failed == 0, summary.errors[:1]


@pytest.mark.slow
def test_all_figures_tiny(tmp_path):
    s = tiny()
    store = ResultStore(":memory:")
    names = [n for n in paper3.FIGURES if HAVE_JAX or n != "fig6"]
    mods = [m for m in paper3.modules() if m.__name__.rsplit(".", 1)[1] in names]
    run_jobs([j for m in mods for j in m.jobs(s)], store)
    for m in mods:
        paths = m.plot(store, s, tmp_path)
        assert all(p.exists() for p in paths)
        for row in m.points(store, s):
            assert row["figure"].startswith("3.")


@pytest.mark.slow
@pytest.mark.ci
def test_one_figure_tiny_ci(tmp_path):
    """Bounded subset of test_all_figures_tiny for the default run: Fig. 7 (jobs, plot, points)."""
    from iclsym.figures.paper3 import fig7

    s = tiny()
    store = ResultStore(":memory:")
    run_jobs(fig7.jobs(s), store)
    assert all(p.exists() for p in fig7.plot(store, s, tmp_path))
    rows = fig7.points(store, s)
    assert len(rows) == 15 and all(r["theory"] > 0 for r in rows)

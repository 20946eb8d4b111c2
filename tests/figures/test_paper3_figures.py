"""Paper-3 figure modules: tiny settings run every job, draw every figure, and report points."""

import importlib.util

import pytest

from iclsym.figures import paper3
from iclsym.figures.paper3.common import DeepJob, MemoryStore, run_jobs
from iclsym.figures.paper3.settings import tiny

HAVE_JAX = importlib.util.find_spec("jax") is not None and importlib.util.find_spec("optax") is not None


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        yield


def test_job_seeds_depend_only_on_the_job():
    a = DeepJob("deep_mc", {"alpha": 1.0, "L": 2})
    b = DeepJob("deep_mc", {"L": 2, "alpha": 1.0})
    c = DeepJob("deep_mc", {"L": 2, "alpha": 1.0}, run=1)
    assert a.seed == b.seed != c.seed
    with pytest.raises(ValueError, match="kind"):
        DeepJob("nope", {})


@pytest.mark.slow
def test_all_figures_tiny(tmp_path):
    s = tiny()
    store = MemoryStore()
    names = [n for n in paper3.FIGURES if HAVE_JAX or n != "fig6"]
    mods = [m for m in paper3.modules() if m.__name__.rsplit(".", 1)[1] in names]
    run_jobs([j for m in mods for j in m.jobs(s)], store)
    for m in mods:
        paths = m.plot(store, s, tmp_path)
        assert all(p.exists() for p in paths)
        for row in m.points(store, s):
            assert row["figure"].startswith("3.")

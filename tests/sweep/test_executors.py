"""The same sweep gives identical numbers through every executor (seeds from SeedSequence, so
results do not depend on which worker ran what or in which order)."""

import math

import pytest

from iclsym.sweep import DaskExecutor, ProcessExecutor, ResultStore, SerialExecutor, grid, run_sweep

FIELDS = ("e_icl", "e_idg", "g_task")


def _jobs():
    return grid("toy", alpha=[1.0, 10.0], tau=[0.5, 2.0], kappa=[0.5, math.inf], rho=0.01, lam=1e-5, d=16,
                runs=2, base_seed=11)


def _values(store):
    return {(r["alpha"], r["tau"], r["kappa"], r["run"]): tuple(r[f] for f in FIELDS) for r in store.rows("toy")}


def _run(executor):
    store = ResultStore(":memory:")
    summary = run_sweep(_jobs(), store, executor, progress=False)
    assert summary.failed == 0 and summary.finished == 16
    return _values(store)


@pytest.fixture(scope="module")
def serial_values():
    return _run(SerialExecutor())


def test_process_pool_matches_serial(serial_values):
    assert len(serial_values) == 16
    assert _run(ProcessExecutor(workers=2)) == serial_values


def test_dask_local_cluster_matches_serial(serial_values):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        executor = DaskExecutor(scheduler=client)
        try:
            assert _run(executor) == serial_values
        finally:
            executor.close()


def test_order_does_not_matter(serial_values):
    store = ResultStore(":memory:")
    run_sweep(list(reversed(_jobs())), store, SerialExecutor(), progress=False)
    assert _values(store) == serial_values


def test_failed_job_is_reported_not_stored():
    store = ResultStore(":memory:")
    # a negative scale makes the toy job raise inside the worker
    jobs = grid("toy", alpha=1, tau=1, kappa=1, rho=0.1, d=8, runs=2, scale=-1.0)
    summary = run_sweep(jobs, store, SerialExecutor(), progress=False)
    assert (summary.failed, summary.finished, len(store)) == (2, 0, 0)
    assert "ValueError" in summary.errors[0][1] and "scale must be" in summary.errors[0][1]


def test_unknown_coordinate_is_refused_before_running():
    with pytest.raises(ValueError, match="unknown coordinate.*bogus"):
        grid("toy", alpha=1, tau=1, kappa=1, rho=0.1, d=8, options={"bogus": 1})


def test_missing_jobqueue_is_a_clear_error():
    try:
        import dask_jobqueue  # noqa: F401
    except ImportError:
        with pytest.raises(ValueError, match="dask-jobqueue"):
            DaskExecutor(cluster="slurm", workers=1)
    else:  # pragma: no cover - only where dask-jobqueue is installed
        pytest.skip("dask-jobqueue installed")


def test_cli_sweep_through_scheduler_address(serial_values, tmp_path, capsys):
    # `iclsym sweep --scheduler ADDRESS` (a running scheduler) gives the serial numbers too
    distributed = pytest.importorskip("distributed")
    from iclsym.cli import main
    from iclsym.sweep import read_netcdf

    store = tmp_path / "r.sqlite"
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        code = main(["sweep", "--kind", "toy", "--alpha", "1,10", "--tau", "0.5,2", "--kappa", "0.5,inf",
                     "--rho", "0.01", "--lam", "1e-5", "--d", "16", "--runs", "2", "--seed", "11",
                     "--store", str(store), "--scheduler", cluster.scheduler_address,
                     "--export", str(tmp_path / "r.nc"), "--no-progress"])
    assert code == 0
    assert "16 run, 0 failed" in capsys.readouterr().out
    with ResultStore(store) as s:
        assert _values(s) == serial_values
    ds = read_netcdf(tmp_path / "r.nc")
    assert int(ds.e_icl.count()) == 16


def test_registered_kinds_run_the_real_simulators():
    # the 'ridge' and 'dmmse' kinds resolve to iclsym.onelayer.simulation and give the same numbers in a
    # spawned worker as in this process (their seeds come from the job, not from the worker)
    jobs = grid("ridge", alpha=2.0, tau=[0.5, 2.0], kappa=0.5, rho=0.1, lam=1e-3, d=8, runs=1)
    jobs += grid("dmmse", alpha=2.0, kappa=[0.5, 2.0], rho=0.1, d=8, runs=1, options={"n_test": 20})
    serial, pool = ResultStore(":memory:"), ResultStore(":memory:")
    assert run_sweep(jobs, serial, SerialExecutor(), progress=False).finished == 4
    assert run_sweep(jobs, pool, ProcessExecutor(workers=2), progress=False).finished == 4
    for kind in ("ridge", "dmmse"):
        a = {(r.get("tau"), r["kappa"]): (r["e_icl"], r["e_idg"], r["g_task"]) for r in serial.rows(kind)}
        b = {(r.get("tau"), r["kappa"]): (r["e_icl"], r["e_idg"], r["g_task"]) for r in pool.rows(kind)}
        assert a == b and len(a) == 2


def _result_columns(path):
    import sqlite3

    con = sqlite3.connect(path)
    try:
        # every column but id, timing, seconds and finished (wall-clock bookkeeping)
        return {kind: sorted(r[1:-3] for r in con.execute(f"SELECT * FROM jobs_{kind}")) for kind in ("ridge", "dmmse")}
    finally:
        con.close()


@pytest.mark.slow
@pytest.mark.ci
def test_executors_give_bit_identical_stores(tmp_path):
    """Real simulations (dual, primal and CG solves, dMMSE) through the serial, process-pool and Dask
    executors: the stored results are the same bytes (every job runs with one BLAS thread)."""
    distributed = pytest.importorskip("distributed")
    jobs = grid("ridge", alpha=2.0, tau=[0.5, 1.3, 3.0], kappa=0.5, rho=0.1, lam=[1e-4, 1e-1], d=10, runs=2)
    jobs += grid("dmmse", alpha=2.0, kappa=[0.5, 2.0], rho=0.1, d=10, n_test=30, runs=2)
    paths = {}
    for name in ("serial", "processes", "dask"):
        paths[name] = tmp_path / f"{name}.sqlite"
        with ResultStore(paths[name]) as store:
            if name == "serial":
                executor = SerialExecutor()
            elif name == "processes":
                executor = ProcessExecutor(workers=2)
            else:
                cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                                   dashboard_address=None)
                executor = DaskExecutor(scheduler=distributed.Client(cluster))
            try:
                assert run_sweep(jobs, store, executor, progress=False).finished == len(jobs)
            finally:
                executor.close()
                if name == "dask":
                    executor.client.close()
                    cluster.close()
    ref = _result_columns(paths["serial"])
    assert len(ref["ridge"]) == 12 and len(ref["dmmse"]) == 4
    assert _result_columns(paths["processes"]) == ref
    assert _result_columns(paths["dask"]) == ref

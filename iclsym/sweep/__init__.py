"""Monte Carlo sweeps: grids of jobs, executors (serial / processes / Dask), a resumable store.

Each job kind declares its coordinates; the store keys results by those coordinates and by a
fingerprint of the code the kind runs (docs/architecture.md).  Typical use::

    from iclsym.sweep import grid, run_sweep, ResultStore
    jobs = grid("ridge", alpha=[1, 10], tau=[0.5, 2], kappa=0.5, rho=0.01, lam=1e-5, d=40, runs=3)
    with ResultStore("results.sqlite") as store:
        run_sweep(jobs, store)                 # local process pool; skips stored jobs
        ds = store.to_dataset("ridge")         # xarray over (kind, alpha, ..., d, method, ..., run)

>>> from iclsym.sweep import grid, run_sweep, ResultStore
>>> store = ResultStore(":memory:")
>>> run_sweep(grid("toy", alpha=1, tau=2, kappa=0.5, rho=0.1, d=8, runs=3), store, "serial").finished
3
"""

from iclsym.sweep.executors import DaskExecutor, ProcessExecutor, SerialExecutor, default_workers, make_executor
from iclsym.sweep.grids import Job, grid, job_seed
from iclsym.sweep.kinds import Coord, JobKind, get_kind, kinds, register_kind, toy_job
from iclsym.sweep.runner import SweepSummary, run_sweep
from iclsym.sweep.store import ResultStore, StoreError, dataset_from_frame, point_keys, read_csv, read_netcdf

__all__ = [
    "Coord",
    "DaskExecutor",
    "Job",
    "JobKind",
    "ProcessExecutor",
    "ResultStore",
    "SerialExecutor",
    "StoreError",
    "SweepSummary",
    "dataset_from_frame",
    "default_workers",
    "get_kind",
    "grid",
    "job_seed",
    "kinds",
    "make_executor",
    "point_keys",
    "read_csv",
    "read_netcdf",
    "register_kind",
    "run_sweep",
    "toy_job",
]

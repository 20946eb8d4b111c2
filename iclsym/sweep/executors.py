"""Executors that run sweep jobs: serial, a local process pool, Dask distributed (docs/architecture.md).

Every executor has one method, ``results(jobs)``, yielding ``(job, result, seconds, error)``
as jobs finish (any order).  Workers receive only plain data (see
:meth:`iclsym.sweep.grids.Job.call_args`) and run :func:`iclsym.sweep.kinds.run_job_timed`,
so nothing unpicklable crosses a process boundary.  Results are written by the parent (see
:mod:`iclsym.sweep.runner`), never by workers.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
import traceback

from iclsym.core.params import check_size
from iclsym.sweep.kinds import run_job_timed
from iclsym.sweep.threads import blas_env, limit_blas_threads, one_blas_thread

__all__ = ["SerialExecutor", "ProcessExecutor", "DaskExecutor", "make_executor", "default_workers", "CONNECT_TIMEOUT"]

#: seconds to wait for a Dask scheduler before giving up
CONNECT_TIMEOUT = 10


def default_workers() -> int:
    """Number of local worker processes: ``os.cpu_count()`` (at least 1).

    Examples
    --------
    >>> default_workers() >= 1
    True
    """
    return max(1, os.cpu_count() or 1)


def _exit_when_orphaned(parent_pid: int, period: float = 1.0) -> None:
    # a worker whose parent died (SIGKILL) would otherwise wait forever on its task queue
    while os.getppid() == parent_pid:
        time.sleep(period)
    os._exit(1)


def _init_worker(parent_pid: int) -> None:
    """Process-pool worker initializer: one BLAS thread, and exit if the parent dies."""
    limit_blas_threads(1)
    threading.Thread(target=_exit_when_orphaned, args=(parent_pid,), daemon=True).start()


def _error_text(exc: BaseException) -> str:
    return "".join(traceback.format_exception_only(type(exc), exc)).strip()


class SerialExecutor:
    """Run jobs one after the other in this process (debugging, tests), each with one BLAS thread.

    Examples
    --------
    >>> from iclsym.sweep.grids import grid
    >>> [r["d"] for _, r, _, _ in SerialExecutor().results(grid("toy", alpha=1, tau=1,
    ...     kappa=1, rho=0.1, d=8, runs=2))]
    [8, 8]
    """

    name = "serial"

    def results(self, jobs):
        for job in jobs:
            try:
                with one_blas_thread():  # as in the pool's workers: the same numbers
                    result, seconds = run_job_timed(*job.call_args())
            except Exception as exc:  # a failed job is reported, the sweep goes on
                yield job, None, None, _error_text(exc)
            else:
                yield job, result, seconds, None

    def close(self):
        pass


class ProcessExecutor:
    """A local process pool (``concurrent.futures``) with a 'spawn' context.

    Forked workers can inherit a BLAS thread pool in a bad state, so the pool never forks
    from the parent; workers are started inside :func:`iclsym.sweep.kinds.blas_env` so each
    loads its BLAS with one thread (``workers`` processes share the cores, not oversubscribe).

    Parameters
    ----------
    workers : int, optional
        Number of processes (default :func:`default_workers`).
    """

    name = "processes"

    def __init__(self, workers: int | None = None):
        self.workers = default_workers() if workers is None else check_size("workers", workers, 1)
        self.context = multiprocessing.get_context("spawn")

    def results(self, jobs):
        from concurrent.futures import ProcessPoolExecutor, as_completed

        jobs = list(jobs)
        if not jobs:
            return
        pool = ProcessPoolExecutor(
            max_workers=min(self.workers, len(jobs)),
            mp_context=self.context,
            initializer=_init_worker,
            initargs=(os.getpid(),),
        )
        done = False
        try:
            with blas_env(1):  # the first submit starts the worker processes: they inherit this
                futures = {pool.submit(run_job_timed, *job.call_args()): job for job in jobs}
            for fut in as_completed(futures):
                job = futures[fut]
                exc = fut.exception()
                if exc is not None:
                    yield job, None, None, _error_text(exc)
                else:
                    result, seconds = fut.result()
                    yield job, result, seconds, None
            done = True
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
            if not done:
                # interrupted (Ctrl-C, an error in the consumer): stop running jobs now instead of
                # waiting for them at exit; their results were never stored, a re-run redoes them
                for proc in list((getattr(pool, "_processes", None) or {}).values()):
                    proc.terminate()

    def close(self):
        pass


class DaskExecutor:
    """Dask distributed: an existing scheduler, a local cluster, or a SLURM/PBS cluster.

    Parameters
    ----------
    scheduler : str or distributed.Client, optional
        Address of a running scheduler (``"tcp://host:8786"``) or a connected client.
    cluster : {'local', 'slurm', 'pbs'}, optional
        Start a cluster instead: a ``distributed.LocalCluster`` (processes, one thread per
        worker) or a ``dask_jobqueue`` ``SLURMCluster``/``PBSCluster`` (requires
        ``pip install dask-jobqueue``; ``cluster_kwargs`` go to its constructor, e.g.
        ``cores``, ``memory``, ``queue``, ``walltime``), scaled to ``workers`` jobs.
    workers : int, optional
        Workers of a started cluster (default :func:`default_workers`).
    """

    name = "dask"

    def __init__(self, scheduler=None, cluster: str | None = None, workers: int | None = None,
                 cluster_kwargs: dict | None = None):
        try:
            from distributed import Client
        except ImportError as exc:  # pragma: no cover - dask is in the sweep extra
            raise ValueError("scheduler/cluster need dask distributed: pip install 'iclsym[sweep]'") from exc
        if (scheduler is None) == (cluster is None):
            raise ValueError("DaskExecutor needs exactly one of scheduler=ADDRESS or cluster='local'|'slurm'|'pbs'")
        self.workers = default_workers() if workers is None else check_size("workers", workers, 1)
        self._cluster = None
        self._own_client = True
        if scheduler is not None:
            if isinstance(scheduler, Client):
                self.client, self._own_client = scheduler, False
            else:
                try:
                    self.client = Client(str(scheduler), timeout=f"{CONNECT_TIMEOUT}s")
                except (OSError, TimeoutError, ValueError) as exc:
                    raise ValueError(f"cannot reach the Dask scheduler at {scheduler} within {CONNECT_TIMEOUT} s "
                                     f"({exc})") from None
        else:
            self._cluster = _start_cluster(cluster, self.workers, cluster_kwargs or {})
            self.client = Client(self._cluster)
        self.client.run(limit_blas_threads, 1)

    def results(self, jobs):
        from distributed import as_completed

        jobs = list(jobs)
        if not jobs:
            return
        futures = {}
        for job in jobs:
            fut = self.client.submit(run_job_timed, *job.call_args(), pure=False)
            futures[fut] = job
        try:
            for fut in as_completed(list(futures)):
                job = futures.pop(fut)
                if fut.status == "error":
                    yield job, None, None, _error_text(fut.exception())
                else:
                    result, seconds = fut.result()
                    yield job, result, seconds, None
                fut.release()
        finally:
            if futures:
                self.client.cancel(list(futures))

    def close(self):
        if self._own_client:
            self.client.close()
        if self._cluster is not None:
            self._cluster.close()


def _start_cluster(cluster: str, workers: int, kwargs: dict):
    if cluster == "local":
        from distributed import LocalCluster

        opts = dict(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
        opts.update(kwargs)
        with blas_env(1):  # worker processes inherit one BLAS thread each
            return LocalCluster(**opts)
    if cluster in ("slurm", "pbs"):
        try:
            import dask_jobqueue
        except ImportError as exc:
            raise ValueError(
                f"cluster={cluster!r} needs dask-jobqueue, which is not installed: "
                "pip install dask-jobqueue (or start a scheduler yourself and pass --scheduler ADDRESS)"
            ) from exc
        cls = dask_jobqueue.SLURMCluster if cluster == "slurm" else dask_jobqueue.PBSCluster
        opts = dict(cores=1, processes=1, memory="4GB")
        opts.update(kwargs)
        jq = cls(**opts)
        jq.scale(jobs=workers)
        return jq
    raise ValueError(f"cluster must be one of 'local', 'slurm', 'pbs'; got {cluster!r}")


def make_executor(executor: str | None = None, workers: int | None = None, scheduler=None,
                  cluster: str | None = None):
    """Pick an executor: ``scheduler``/``cluster`` -> Dask; ``'serial'``; default process pool.

    Examples
    --------
    >>> make_executor("serial").name, make_executor(workers=2).name
    ('serial', 'processes')
    """
    if scheduler is not None or cluster is not None:
        return DaskExecutor(scheduler=scheduler, cluster=cluster, workers=workers)
    if executor in (None, "processes", "process"):
        return ProcessExecutor(workers)
    if executor == "serial":
        return SerialExecutor()
    raise ValueError(f"executor must be 'serial' or 'processes' (or pass scheduler/cluster); got {executor!r}")

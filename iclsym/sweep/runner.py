"""Run a list of jobs through an executor into a result store (docs/architecture.md, "Sweeps and scale").

The parent process commits each result to the store the moment it arrives, so killing a
sweep loses at most the jobs that were still running; re-running the same sweep skips
everything already stored.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field

from iclsym.sweep.executors import SerialExecutor, make_executor
from iclsym.sweep.store import ResultStore

__all__ = ["SweepSummary", "run_sweep"]


@dataclass
class SweepSummary:
    """What one call of :func:`run_sweep` did."""

    total: int
    skipped: int
    finished: int = 0
    failed: int = 0
    seconds: float = 0.0
    job_seconds: float = 0.0
    errors: list = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{self.total} jobs: {self.skipped} already stored, {self.finished} run, "
            f"{self.failed} failed; wall {self.seconds:.1f} s, job time {self.job_seconds:.1f} s"
        )


def _progress(total: int, enabled: bool | None, desc: str):
    from tqdm import tqdm

    if enabled is None:
        enabled = sys.stderr.isatty()
    return tqdm(total=total, disable=not enabled, desc=desc, unit="job", leave=False)


def run_sweep(jobs, store, executor=None, progress: bool | None = None, desc: str = "sweep") -> SweepSummary:
    """Run the jobs not yet in ``store`` and commit each result as it finishes.

    Parameters
    ----------
    jobs : iterable of :class:`iclsym.sweep.grids.Job`
    store : ResultStore or path
    executor : executor object or name, optional
        ``None``: a local process pool; ``"serial"``; or an executor instance.
    progress : bool, optional
        Show a tqdm bar (default: only when stderr is a terminal).

    Examples
    --------
    >>> from iclsym.sweep.grids import grid
    >>> store = ResultStore(":memory:")
    >>> jobs = grid("toy", alpha=[1, 2], tau=1, kappa=1, rho=0.1, d=8, runs=2)
    >>> run_sweep(jobs, store, "serial").finished, run_sweep(jobs, store, "serial").skipped
    (4, 4)
    """
    t0 = time.perf_counter()
    own_store = not isinstance(store, ResultStore)
    if own_store:
        store = ResultStore(store)
    own_executor = executor is None or isinstance(executor, str)
    jobs = list(jobs)
    todo = store.pending(jobs)
    summary = SweepSummary(total=len(jobs), skipped=len(jobs) - len(todo))
    if todo and own_executor:
        executor = make_executor(executor)
    bar = _progress(len(todo), progress, desc)
    try:
        if todo:
            for job, result, seconds, error in executor.results(todo):
                if error is not None:
                    summary.failed += 1
                    summary.errors.append((job, error))
                else:
                    store.add(job, result, seconds)
                    summary.finished += 1
                    summary.job_seconds += seconds or 0.0
                bar.update(1)
    finally:
        bar.close()
        if own_executor and todo and not isinstance(executor, SerialExecutor):
            executor.close()
        if own_store:
            store.close()
        summary.seconds = time.perf_counter() - t0
    return summary

"""A sweep killed mid-way (SIGKILL or Ctrl-C) resumes with every job stored exactly once."""

import math
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from iclsym.sweep import ResultStore, SerialExecutor, grid, run_sweep

ARGS = ["--kind", "toy", "--alpha", "1,2,3,4,5", "--tau", "0.5,2", "--kappa", "0.5,inf", "--rho", "0.1",
        "--d", "8", "--runs", "2", "--seed", "5"]
N_JOBS = 5 * 2 * 2 * 2


def _count(path) -> int:
    try:
        con = sqlite3.connect(path, timeout=5)
        try:
            return con.execute("SELECT COUNT(*) FROM jobs_toy").fetchone()[0]
        finally:
            con.close()
    except sqlite3.OperationalError:  # not created yet
        return 0


def _start(store, extra):
    cmd = [sys.executable, "-m", "iclsym", "sweep", *ARGS, "--store", str(store), "--no-progress", *extra]
    # A child inherits an ignored SIGINT (and Python then keeps ignoring it), while a handled one is reset to the
    # default at exec: even when pytest runs as a background job (started with SIGINT ignored), the sweep starts
    # as from a terminal.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    finally:
        signal.signal(signal.SIGINT, previous)


def _wait_for_rows(path, proc, minimum, timeout=60.0):
    t0 = time.monotonic()
    while _count(path) < minimum:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() - t0 < timeout, "sweep made no progress"
        time.sleep(0.05)


def _expected():
    store = ResultStore(":memory:")
    jobs = grid("toy", alpha=[1, 2, 3, 4, 5], tau=[0.5, 2], kappa=[0.5, math.inf], rho=0.1, d=8, runs=2, base_seed=5)
    run_sweep(jobs, store, SerialExecutor(), progress=False)
    return {(r["alpha"], r["tau"], r["kappa"], r["run"]): r["e_icl"] for r in store.rows("toy")}


def _check_complete(path):
    con = sqlite3.connect(path)
    try:
        rows = con.execute("SELECT alpha, tau, kappa, run, result FROM jobs_toy").fetchall()
    finally:
        con.close()
    import json

    keys = [(a, t, k, r) for a, t, k, r, _ in rows]
    assert len(keys) == N_JOBS and len(set(keys)) == N_JOBS  # every job exactly once
    got = {(a, t, k, r): json.loads(res)["e_icl"] for a, t, k, r, res in rows}
    assert got == _expected()  # resumed numbers equal an uninterrupted run


def _children(pid):
    """PIDs whose parent is ``pid`` (Linux /proc)."""
    out = []
    for stat in os.listdir("/proc"):
        if stat.isdigit():
            try:
                with open(f"/proc/{stat}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(stat))
    return out


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.parametrize("how", ["sigkill-serial", "sigkill-processes", "sigint-processes"])
def test_resume_after_kill(tmp_path, how):
    store = tmp_path / "r.sqlite"
    # slow toy jobs (0.1 s each) so the kill lands mid-sweep; 'sleep' is a (non-seeded) coordinate, the same on restart
    extra = ["--option", "sleep=0.1"] + (["--serial"] if how.endswith("serial") else ["--workers", "2"])
    proc = _start(store, extra)
    try:
        _wait_for_rows(store, proc, 5)
        workers = _children(proc.pid) if os.path.isdir("/proc") else []
        if how.startswith("sigkill"):
            proc.send_signal(signal.SIGKILL)
            proc.wait(30)
            # orphaned pool workers notice their parent is gone and exit (no stray processes)
            t0 = time.monotonic()
            while any(_alive(w) for w in workers) and time.monotonic() - t0 < 15:
                time.sleep(0.1)
            assert not any(_alive(w) for w in workers)
        else:
            proc.send_signal(signal.SIGINT)
            out, err = proc.communicate(timeout=30)
            assert proc.returncode == 130, err
    finally:
        if proc.poll() is None:  # pragma: no cover - cleanup on failure
            proc.kill()
            proc.communicate()
    done = _count(store)
    assert 5 <= done < N_JOBS, f"kill did not land mid-sweep ({done} rows)"
    proc = _start(store, extra)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert f"{done} already stored, {N_JOBS - done} run" in out
    _check_complete(store)
    assert os.path.exists(store)

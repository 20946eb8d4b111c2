"""Changed code is recomputed: editing a file a job kind runs changes its fingerprint, and the store
then runs that kind's jobs again (and only that kind's)."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from iclsym.sweep.fingerprint import closure_files, package_root

ROOT = package_root()


def test_closure_of_the_simulator_kinds():
    ridge = closure_files("iclsym.onelayer.simulation.run")
    dmmse = closure_files("iclsym.onelayer.simulation.dmmse")
    assert "iclsym/onelayer/simulation/_solver_cg.py" in ridge and "iclsym/onelayer/_generated/lemma1.py" in ridge
    assert "iclsym/onelayer/simulation/_solver_cg.py" not in dmmse and "iclsym/onelayer/simulation/samplers.py" in dmmse
    assert "iclsym/onelayer/theory/asymptotic.py" not in ridge  # the simulator does not run the theory
    with pytest.raises(ValueError, match="iclsym module"):
        closure_files("numpy.linalg")


SCRIPT = """
import json, sys
import iclsym
from iclsym.sweep import ResultStore, SerialExecutor, grid, run_sweep
assert iclsym.__file__.startswith(sys.argv[2]), iclsym.__file__
jobs = grid("ridge", alpha=1.0, tau=[0.5, 2.0], kappa=0.5, rho=0.1, lam=1e-3, d=6, runs=1)
jobs += grid("dmmse", alpha=1.0, kappa=0.5, rho=0.1, d=6, n_test=10, runs=2)
with ResultStore(sys.argv[1]) as store:
    s = run_sweep(jobs, store, SerialExecutor(), progress=False)
    ridge = [j for j in jobs if j.kind == "ridge"]
    print(json.dumps({"finished": s.finished, "skipped": s.skipped, "ridge_pending": len(store.pending(ridge)),
                      "stale_ridge": store.count_stale("ridge"), "stale_dmmse": store.count_stale("dmmse")}))
"""


def _run(copy, store):
    env = dict(os.environ, PYTHONPATH=str(copy))
    proc = subprocess.run([sys.executable, "-c", SCRIPT, str(store), str(copy / "iclsym")], env=env, cwd=copy,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_editing_a_simulator_file_recomputes_its_jobs(tmp_path):
    copy = tmp_path / "checkout"
    shutil.copytree(ROOT / "iclsym", copy / "iclsym", ignore=shutil.ignore_patterns("__pycache__"))
    store = tmp_path / "results.sqlite"
    first = _run(copy, store)
    assert (first["finished"], first["skipped"]) == (4, 0)
    again = _run(copy, store)
    assert (again["finished"], again["skipped"]) == (0, 4)  # same code: everything reused
    solver = copy / "iclsym" / "onelayer" / "simulation" / "_solver_cg.py"
    solver.write_text(solver.read_text() + "\n# an edit to the ridge solver\n")
    edited = _run(copy, store)
    # the 2 ridge jobs run again; the 4 dMMSE jobs do not use the solver and are reused
    assert (edited["finished"], edited["skipped"]) == (2, 2)
    assert edited["stale_ridge"] == 2 and edited["stale_dmmse"] == 0
    assert Path(store).exists()

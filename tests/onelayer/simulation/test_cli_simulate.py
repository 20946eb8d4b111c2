"""``iclsym simulate``: table and JSON output, kappa = inf, bad input -> exit code 2."""

import json
import subprocess
import sys

import numpy as np
import pytest

from iclsym.cli import main
from iclsym.onelayer.simulation.run import simulate_once

ARGS = ["simulate", "--d", "8", "--alpha", "1", "--tau", "0.5", "--kappa", "0.5", "--rho", "0.1", "--lam", "1e-3", "--runs", "3", "--seed", "4"]


def test_json_output_matches_the_library(capsys):
    assert main(ARGS + ["--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert (res["d"], res["ell"], res["k"], res["n"]) == (8, 8, 4, 32)
    assert len(res["runs"]) == 3 and len(res["e_icl"]) == 3
    # run i of the CLI is simulate_once with the i-th spawned seed
    child = np.random.SeedSequence(4).spawn(3)[1]
    one = simulate_once(1.0, 0.5, 0.5, 0.1, 1e-3, 8, child)
    assert res["e_icl"][1] == one["e_icl"] and res["e_idg"][1] == one["e_idg"]
    assert res["e_icl_se"] == pytest.approx(np.std(res["e_icl"], ddof=1) / np.sqrt(3), rel=1e-12)


def test_table_output(capsys):
    assert main(ARGS + ["--method", "dual"]) == 0
    out = capsys.readouterr().out
    assert "effective ratios: alpha = 1, tau = 0.5, kappa = 0.5" in out
    assert "e_icl = " in out and "+-" in out and "dual" in out
    assert len([line for line in out.splitlines() if line.strip().startswith(("0 ", "1 ", "2 "))]) == 3


def test_kappa_inf(capsys):
    argv = ARGS[:]
    argv[argv.index("--kappa") + 1] = "inf"
    assert main(argv + ["--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["k"] == "inf" and res["kappa_eff"] == "inf"
    assert res["e_icl"] == res["e_idg"] and res["g_task_mean"] == 0.0


@pytest.mark.parametrize(
    "flag, value, match",
    [
        ("--tau", "-1", "tau must satisfy"),
        ("--kappa", "0", "kappa must satisfy"),
        ("--d", "1", "d must be an integer >= 2"),
        ("--runs", "0", "runs must be an integer >= 1"),
        ("--seed", "-3", "seed must be"),
        ("--rho", "nan", "rho must satisfy"),
    ],
)
def test_bad_input_exits_2(flag, value, match, capsys):
    argv = ARGS[:]
    argv[argv.index(flag) + 1] = value
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert match in capsys.readouterr().err


def test_subprocess_module_entry_point():
    proc = subprocess.run(
        [sys.executable, "-m", "iclsym", *ARGS, "--runs", "2", "--json"],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert len(json.loads(proc.stdout)["runs"]) == 2

"""``iclsym simulate`` and ``iclsym sweep`` say what they mean: theory at the effective ratios, z, allowance, verdict."""

import json
import math

import numpy as np
import pytest

from iclsym.cli import main
from iclsym.onelayer import finite_size as fs
from iclsym.onelayer import theory

ARGS = ["simulate", "--d", "10", "--alpha", "1.05", "--tau", "2", "--kappa", "0.5", "--rho", "0.1", "--lam", "1e-3",
        "--runs", "3", "--seed", "4"]


def test_simulate_json_has_theory_z_allowance_and_verdict(capsys):
    assert main(ARGS + ["--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    # ell = round(10.5) = 11 (half up): the theory is at alpha_eff = 1.1, not at the nominal 1.05
    assert res["alpha_eff"] == pytest.approx(1.1)
    for f, fn in (("e_icl", theory.e_icl), ("e_idg", theory.e_idg), ("g_task", theory.g_task)):
        th = float(fn(1.1, 2.0, 0.5, 0.1, 1e-3))
        th_p = float(fn(1.1, 2.0 * 10 / 11, 0.5, 0.1, 1e-3))
        assert res[f + "_theory"] == pytest.approx(th, rel=1e-12)
        assert res[f + "_theory_p"] == pytest.approx(th_p, rel=1e-12)
        assert res[f + "_z"] == pytest.approx((res[f + "_mean"] - th) / res[f + "_se"], rel=1e-12)
        allow = float(fs.allowance(th, th_p, res[f + "_se"], 10))
        assert res[f + "_allowance"] == pytest.approx(allow, rel=1e-12)
        within = abs(res[f + "_mean"] - th) <= allow
        assert res[f + "_verdict"].startswith("within allowance" if within else "OUTSIDE allowance")


def test_simulate_text_prints_theory_z_and_verdict(capsys):
    assert main(ARGS) == 0
    out = capsys.readouterr().out
    head = next(line for line in out.splitlines() if "theory n/p" in line)
    assert head.split() == ["theory", "theory", "n/p", "z", "allowance", "verdict"]
    rows = {line.split()[0]: line for line in out.splitlines() if line.strip().startswith(("e_icl ", "e_idg ", "g_task "))
            and "allowance" in line}
    assert set(rows) == {"e_icl", "e_idg", "g_task"}
    th = float(theory.e_icl(1.1, 2.0, 0.5, 0.1, 1e-3))
    assert f"{th:.5f}" in rows["e_icl"]
    assert "iclsym extrapolate" in out  # points to the verdict that can fail


def test_simulate_one_run_has_no_verdict(capsys):
    argv = ARGS[:]
    argv[argv.index("--runs") + 1] = "1"
    assert main(argv + ["--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["e_icl_z"] is None and res["e_icl_allowance"] is None  # NaN is written as null (valid JSON)
    assert res["e_icl_verdict"].startswith("no verdict")


def test_judge_catches_an_outlier():
    # a mean 30 SE and 50 % away from the theory at d = 100 is outside the allowance
    th = float(theory.e_icl(10.0, 2.0, np.inf, 0.01, 0.1))
    out = fs.judge("e_icl", [1.5 * th], [th / 60], [10.0], [2.0], [np.inf], 0.01, 0.1, [100])
    assert out["verdict"][0] == "OUTSIDE allowance" and out["z"][0] == pytest.approx(30.0)


def test_sweep_prints_and_exports_the_comparison(tmp_path, capsys):
    csv, nc = tmp_path / "r.csv", tmp_path / "r.nc"
    code = main(["sweep", "--alpha", "1,2", "--tau", "2", "--kappa", "0.5", "--rho", "0.1", "--lam", "1e-3",
                 "--d", "8", "--runs", "2", "--serial", "--no-progress", "--export", str(csv), "--export", str(nc)])
    assert code == 0
    out = capsys.readouterr().out
    assert "theory" in out and "verdict" in out and "effective ratios" in out
    from iclsym.sweep import read_csv

    frame = read_csv(csv)  # provenance comment lines skipped
    assert len(frame) == 4
    for s in fs.SUFFIXES:
        assert f"e_icl_{s}" in frame.columns
    one = frame[frame["alpha"] == 2.0]
    assert one["e_icl_theory"].nunique() == 1  # a point-level column repeated on its runs
    assert one["e_icl_theory"].iloc[0] == pytest.approx(float(theory.e_icl(2.0, 2.0, 0.5, 0.1, 1e-3)))
    mean, se = one["e_icl"].mean(), one["e_icl"].std(ddof=1) / math.sqrt(2)
    assert one["e_icl_z"].iloc[0] == pytest.approx((mean - one["e_icl_theory"].iloc[0]) / se)
    from iclsym.sweep import read_netcdf

    ds = read_netcdf(nc)
    assert "run" not in ds["e_icl_theory"].dims and "run" in ds["e_icl"].dims
    assert float(ds["e_icl_theory"].sel(alpha=2.0).squeeze()) == pytest.approx(one["e_icl_theory"].iloc[0])
    assert str(ds["g_task_verdict"].sel(alpha=2.0).squeeze().item()).startswith(("within", "OUTSIDE"))

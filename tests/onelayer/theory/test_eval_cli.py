"""``iclsym eval``: output, grids, --dps, --json, bad input."""

import json

import mpmath
import pytest

from iclsym.cli import main
from iclsym.onelayer.theory import precise as tmp


def run(capsys, *argv):
    code = main(["eval", *argv])
    return code, capsys.readouterr()


def test_single_point_json_matches_mpmath(capsys):
    code, out = run(capsys, "--alpha", "10", "--tau", "2", "--kappa", "0.5", "--rho", "0.01", "--lam", "1e-6", "--json")
    assert code == 0
    rec = json.loads(out.out)
    ref = tmp.evaluate(10, 2, 0.5, 0.01, 1e-6, dps=30)
    for key in ("eps", "e_icl", "e_idg", "g_task"):
        assert rec[key] == pytest.approx(float(ref[key]), rel=1e-12)
    assert (rec["alpha"], rec["tau"], rec["kappa"], rec["rho"], rec["lam"]) == (10, 2, 0.5, 0.01, 1e-6)


def test_grid_table_and_pole(capsys):
    code, out = run(capsys, "--alpha", "1,10", "--tau", "0.5,1", "--kappa", "inf", "--rho", "0.01")
    assert code == 0
    lines = out.out.strip().splitlines()
    assert lines[0].split() == ["alpha", "tau", "kappa", "rho", "lam", "eps", "e_icl", "e_idg", "g_task"]
    assert len(lines) == 1 + 4
    pole_rows = [ln.split() for ln in lines[1:] if ln.split()[1] == "1"]
    assert all(r[6] == "inf" and r[7] == "inf" for r in pole_rows)
    assert "nan" not in out.out.lower()


def test_dps_keeps_digits(capsys):
    code, out = run(capsys, "--alpha", "1", "--tau", "0.2", "--kappa", "0.5", "--rho", "0.01", "--dps", "40", "--json")
    assert code == 0
    rec = json.loads(out.out)
    ref = tmp.e_idg(1, 0.2, 0.5, 0.01, dps=40)
    with mpmath.workdps(40):
        assert abs(mpmath.mpf(rec["e_idg"]) - ref) < mpmath.mpf(10) ** -37
    assert len(rec["e_idg"].replace(".", "")) >= 38


@pytest.mark.parametrize(
    "argv, word",
    [
        (["--alpha", "1", "--tau", "-2", "--kappa", "1", "--rho", "0"], "tau"),
        (["--alpha", "1", "--tau", "2", "--kappa", "0", "--rho", "0"], "kappa"),
        (["--alpha", "x", "--tau", "2", "--kappa", "1", "--rho", "0"], "alpha"),
        (["--alpha", "1", "--tau", "2", "--kappa", "1", "--rho", "0", "--lam", "-1"], "lam"),
        (["--alpha", "1", "--tau", "2", "--kappa", "1", "--rho", "0", "--dps", "5"], "dps"),
    ],
)
def test_bad_input_names_the_parameter(capsys, argv, word):
    with pytest.raises(SystemExit) as exc:
        main(["eval", *argv])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert word in err and "Traceback" not in err

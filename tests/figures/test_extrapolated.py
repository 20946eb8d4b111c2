"""``iclsym figures --extrapolate``: the report's extrapolated section, its verdicts, flags and a wrong theory."""

import math

import pytest

from iclsym.cli import main
from iclsym.figures.extrapolated import extrapolated_rows, summarize, wrong_theory
from iclsym.figures.paper1 import fig1
from iclsym.figures.settings import extrapolated, tiny
from iclsym.sweep import ResultStore


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("ext")
    assert main(["figures", "--tiny", "--only", "1", "--extrapolate", "6:3,8:4", "--out", str(out), "--serial",
                 "--no-progress"]) == 0
    return out


def test_report_has_the_extrapolated_section(run_dir):
    text = (run_dir / "report.md").read_text()
    assert "## Extrapolated to d = ∞" in text and "d = 6 (3 runs), d = 8 (4 runs)" in text
    assert "judged points agree with the theory within their 95% CI" in text
    assert "## Theory vs simulation at the largest size (d = 8)" in text
    section = text.split("## Extrapolated", 1)[1].split("## Theory vs", 1)[0]
    assert "near the ridgeless pole" in section  # Fig. 1C at tau = 1 is flagged, not passed
    assert "single-d allowance" in section


def test_rows_flags_and_a_wrong_theory(run_dir):
    settings = extrapolated(tiny(), (6, 8), (3, 4))
    with ResultStore(run_dir / "results.sqlite") as store:
        single = fig1.points(store, settings)
        rows = extrapolated_rows(store, settings, single, n_boot=0)
        wrong = extrapolated_rows(store, settings, single, theory=lambda *a: wrong_theory(*a, rho_factor=30.0),
                                  n_boot=0)
    assert len(rows) == len(single) == 18 * 2 + 21
    assert all(r["sizes"] == [6, 8] and r["runs"] == [3, 4] and r["d"] == 8 for r in rows)
    pole = [r for r in rows if r["panel"] == "C" and r["tau"] == 1.0 and r["lam"] == 1e-5]
    assert len(pole) == 1 and all(r["verdict"] == "flagged" and r["reasons"] for r in pole)
    # flags do not depend on the theory judged against; a far wrong theory (rho -> 30 rho) is rejected where judged
    assert [r["verdict"] == "flagged" for r in rows] == [w["verdict"] == "flagged" for w in wrong]
    s, w = summarize(rows), summarize(wrong)
    assert s["judged"] == w["judged"] > 0
    assert w["agree"] < s["agree"], (s, w)  # tiny d and runs: wide intervals (the rate is measured in benchmarks)
    assert all(math.isfinite(r["inf"]) for r in rows)


def test_settings_validation(capsys):
    with pytest.raises(ValueError, match="at least two distinct sizes"):
        extrapolated(tiny(), (8,), 3)
    with pytest.raises(ValueError, match="runs must be one number or one per d"):
        extrapolated(tiny(), (8, 12), (3, 3, 3))
    with pytest.raises(SystemExit) as exc:
        main(["figures", "--tiny", "--extrapolate", "8;12"])
    assert exc.value.code == 2 and "--extrapolate" in capsys.readouterr().err

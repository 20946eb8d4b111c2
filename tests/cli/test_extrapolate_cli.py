"""``iclsym extrapolate``: text and JSON output (names ``inf``, ``ci``, ``slope`` per quantity), resume, bad input."""

import json

import pytest

from iclsym.cli import main

ARGS = ["extrapolate", "--alpha", "2", "--tau", "2", "--kappa", "0.5", "--rho", "0.1", "--lam", "1e-3",
        "--d", "8,10,12", "--runs", "3", "--serial", "--no-progress"]


def test_json_names(capsys, tmp_path):
    store = tmp_path / "s.sqlite"
    assert main(ARGS + ["--json", "--store", str(store)]) == 0
    doc = json.loads(capsys.readouterr().out)
    for name in ("e_icl", "e_idg", "g_task"):
        q = doc[name]
        assert set(q) >= {"inf", "ci", "slope", "theory", "z", "verdict", "reasons", "model"}
        assert len(q["ci"]) == 2 and q["ci"][0] <= q["inf"] <= q["ci"][1]
        assert q["d"] == [8, 10, 12] and q["runs"] == [3, 3, 3]
        assert q["verdict"] in ("agrees", "disagrees", "flagged")
    assert doc["point"]["alpha"] == 2.0
    # resumed from the store: same numbers, nothing re-run
    assert main(ARGS + ["--json", "--store", str(store)]) == 0
    assert json.loads(capsys.readouterr().out)["e_icl"]["inf"] == doc["e_icl"]["inf"]


def test_text(capsys):
    assert main(ARGS + ["--runs", "3,4,3"]) == 0
    out = capsys.readouterr().out
    assert "sizes d = 8 (3 runs), 10 (4 runs), 12 (3 runs)" in out
    assert out.count("agrees") + out.count("disagrees") + out.count("flagged") >= 3
    assert "9 jobs" not in out and "10 jobs" in out


@pytest.mark.parametrize("flag, value, match", [
    ("--d", "8", "at least two distinct sizes"),
    ("--runs", "1", "runs must be an integer >= 2"),
    ("--runs", "3,3", "runs must be one number or one per d"),
    ("--tau", "-1", "tau must satisfy"),
])
def test_bad_input_exits_2(flag, value, match, capsys):
    argv = ARGS[:]
    argv[argv.index(flag) + 1] = value
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert match in capsys.readouterr().err

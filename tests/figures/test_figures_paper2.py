"""``iclsym figures --paper 2``: the tiny setting end to end (figures, report, Spearman lines), bad --only."""

import pytest

from iclsym.cli import main


def test_tiny_run_writes_figures_and_report(tmp_path, capsys):
    out = tmp_path / "p2"
    assert main(["figures", "--paper", "2", "--tiny", "--only", "6", "--out", str(out), "--serial",
                 "--no-progress"]) == 0
    for name in ("p2_fig6.png", "report_paper2.md", "report_paper2.json"):
        assert (out / name).is_file()
    report = (out / "report_paper2.md").read_text()
    assert "Spearman correlation of e_ICL" in report and "| 6 |" in report
    # re-running reuses every stored job
    assert main(["figures", "--paper", "2", "--tiny", "--only", "6", "--out", str(out), "--serial",
                 "--no-progress"]) == 0
    assert "12 already stored, 0 run" in capsys.readouterr().out


def test_bad_only_for_paper2(tmp_path):
    with pytest.raises(SystemExit) as exc:
        main(["figures", "--paper", "2", "--tiny", "--only", "3", "--out", str(tmp_path)])
    assert exc.value.code == 2

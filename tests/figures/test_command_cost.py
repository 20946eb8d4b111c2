"""``iclsym figures`` end to end (tiny setting) and the d-scaling cost model."""

import math

import pytest

from iclsym.cli import main
from iclsym.figures.cost import estimate_seconds
from iclsym.sweep import Job, ResultStore


def test_figures_command_tiny(tmp_path, capsys):
    out = tmp_path / "figs"
    assert main(["figures", "--tiny", "--only", "4", "--out", str(out), "--serial", "--no-progress"]) == 0
    text = capsys.readouterr().out
    assert "wall time of this run" in text and "estimate for --full" in text
    assert (out / "fig4.png").stat().st_size > 10_000 and (out / "fig4.pdf").stat().st_size > 10_000
    report = (out / "report.md").read_text()
    assert "| 4 | A/B | ridge | g_task |" in report and "Closed forms used" in report
    # re-running resumes from the store: nothing is simulated again
    assert main(["figures", "--tiny", "--only", "4", "--out", str(out), "--serial", "--no-progress"]) == 0
    assert "0 run, 0 failed" in capsys.readouterr().out
    # --full prints its expected cost from the timings in the store (d-scaled) before any work
    assert main(["figures", "--full", "--estimate-only", "--only", "4", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "expected cost: 1440 of 1440 jobs to run" in text and "calibrating" not in text


def test_figures_command_rejects_bad_only(tmp_path):
    with pytest.raises(SystemExit) as exc:
        main(["figures", "--tiny", "--only", "7", "--out", str(tmp_path)])
    assert exc.value.code == 2


def test_cost_scales_with_d_power():
    store = ResultStore(":memory:")
    cg = Job.of("toy", alpha=1, tau=20, kappa=0.5, rho=0.1, lam=1e-5, d=10)
    direct = Job.of("toy", alpha=1, tau=0.5, kappa=0.5, rho=0.1, lam=1e-5, d=10)
    store.add(cg, {"solver": "cg"}, seconds=2.0)
    store.add(direct, {"solver": "dual"}, seconds=1.0)
    big = [Job.of("toy", alpha=1, tau=20, kappa=0.5, rho=0.1, lam=1e-5, d=20), Job.of("toy", alpha=1, tau=0.5, kappa=0.5, rho=0.1, lam=1e-5, d=20)]
    seconds, missing = estimate_seconds(big, store)
    assert missing == 0
    assert seconds == pytest.approx(2.0 * 2**4 + 1.0 * 2**6)  # CG ~ d^4, direct solves ~ d^6
    # a point never timed borrows the nearest timed point (here the tau = 0.5 one); stored jobs cost nothing
    other = Job.of("toy", alpha=1, tau=0.6, kappa=0.5, rho=0.1, lam=1e-5, d=20)
    seconds, missing = estimate_seconds(big + [other, cg], store)
    assert missing == 1 and seconds == pytest.approx(32 + 64 + 64)
    assert math.isnan(estimate_seconds([Job.of("dmmse", alpha=1, kappa=1, rho=0.1, d=8)], store)[0])

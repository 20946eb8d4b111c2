"""``iclsym depth``: risk and exponents sub-commands, JSON keys, bad input (exit 2, one line)."""

import json
import math
import subprocess
import sys

import pytest

from iclsym.cli import main
from iclsym.deep import iso, structured
from iclsym.deep.data import power_law_spectrum
from iclsym.deep.exponents import EXPONENT_KEYS


def _json(capsys, argv):
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_iso_optimal_and_gamma(capsys):
    out = _json(capsys, ["depth", "risk", "--setting", "iso", "--alpha", "2", "--L", "4", "--optimal", "--json"])
    assert out["risk"] == pytest.approx(float(iso.iso_risk_star(2.0, 4)), rel=1e-14)
    assert out["gamma"] == pytest.approx(4 * 2 / 3, rel=1e-14)
    out = _json(capsys, ["depth", "risk", "--setting", "iso", "--alpha", "1", "--L", "1", "--gamma", "0", "--json"])
    assert out["risk"] == 1.0 and out["gamma"] == 0.0
    out = _json(capsys, ["depth", "risk", "--setting", "iso", "--alpha", "1", "--L", "1", "--sigma2", "1",
                         "--optimal", "--json"])
    assert out["risk"] == pytest.approx(2 / 3) and out["gamma"] == pytest.approx(1 / 3)


def test_alpha_inf(capsys):
    out = _json(capsys, ["depth", "risk", "--setting", "iso", "--alpha", "inf", "--L", "3", "--optimal", "--json"])
    assert out["risk"] == 0.0 and out["gamma"] == 3.0
    out = _json(capsys, ["depth", "risk", "--setting", "fs", "--alpha", "inf", "--L", "3", "--optimal", "--json"])
    assert out["risk"] == 0.0 and out["gamma"] is None
    out = _json(capsys, ["depth", "risk", "--setting", "rrs", "--alpha", "inf", "--L", "4", "--optimal",
                         "--nu", "1.5", "--beta", "0.8", "--D", "32", "--json"])
    g, r = structured.rrs_optimal_inf(*power_law_spectrum(32, 1.5, 0.8), 4)
    assert out["risk"] == pytest.approx(r) and out["gamma"] == pytest.approx(g)


def test_rrs_finite_alpha(capsys):
    lam, om = power_law_spectrum(64, 1.5, 1.0)
    out = _json(capsys, ["depth", "risk", "--setting", "rrs", "--alpha", "2", "--L", "2", "--gamma", "1.5",
                         "--D", "64", "--json"])
    assert out["risk"] == pytest.approx(structured.rrs_risk(1.5, 2.0, lam, om, 2), rel=1e-12)
    opt = _json(capsys, ["depth", "risk", "--setting", "rrs", "--alpha", "2", "--L", "2", "--optimal",
                         "--D", "64", "--json"])
    assert opt["risk"] <= out["risk"] + 1e-12
    assert structured.rrs_risk(opt["gamma"] * 1.05, 2.0, lam, om, 2) >= opt["risk"]
    assert structured.rrs_risk(opt["gamma"] * 0.95, 2.0, lam, om, 2) >= opt["risk"]


def test_exponents_keys(capsys):
    out = _json(capsys, ["depth", "exponents", "--nu", "1.25", "--beta", "1", "--json"])
    assert tuple(out) == EXPONENT_KEYS == ("fs_time", "rrs_time", "depth", "width", "context",
                                           "full_attention_time", "compute")
    assert all(v > 0 for v in out.values())
    assert out["compute"] == pytest.approx(1.25 / (4 * 1.25 + 2))
    assert out["fs_time"] == pytest.approx(1.25 / (1.25 + 2.5 + 1))


@pytest.mark.parametrize("argv,flag", [
    (["risk", "--setting", "iso", "--alpha", "0", "--L", "1", "--optimal"], "--alpha"),
    (["risk", "--setting", "iso", "--alpha", "nan", "--L", "1", "--optimal"], "--alpha"),
    (["risk", "--setting", "iso", "--alpha", "1", "--L", "0", "--optimal"], "--L"),
    (["risk", "--setting", "iso", "--alpha", "1", "--L", "2.5", "--optimal"], "--L"),
    (["risk", "--setting", "iso", "--alpha", "1", "--L", "1", "--gamma", "-1"], "--gamma"),
    (["risk", "--setting", "iso", "--alpha", "1", "--L", "1", "--sigma2", "-1", "--optimal"], "--sigma2"),
    (["risk", "--setting", "xyz", "--alpha", "1", "--L", "1", "--optimal"], "--setting"),
    (["risk", "--setting", "rrs", "--alpha", "1", "--L", "1", "--optimal", "--D", "0"], "--D"),
    (["risk", "--setting", "rrs", "--alpha", "1", "--L", "1", "--optimal", "--nu", "-1"], "--nu"),
    (["exponents", "--nu", "1", "--beta", "0"], "--beta"),
])
def test_bad_input_exit_2(argv, flag):
    proc = subprocess.run([sys.executable, "-m", "iclsym", "depth", *argv], capture_output=True, text=True)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and flag in lines[0], proc.stderr


def test_text_output(capsys):
    assert main(["depth", "risk", "--setting", "iso", "--alpha", "1", "--L", "2", "--optimal"]) == 0
    out = capsys.readouterr().out
    assert "risk" in out and "gamma" in out
    assert main(["depth", "exponents", "--nu", "1.5", "--beta", "1"]) == 0
    assert "full_attention_time" in capsys.readouterr().out


def test_numeric_path_has_no_sympy():
    code = (
        "import sys\n"
        "import iclsym.deep, iclsym.deep.iso, iclsym.deep.structured, iclsym.deep.dynamics, iclsym.deep.train\n"
        "import iclsym.deep.montecarlo, iclsym.deep.jobs, iclsym.deep.exponents, iclsym.deep.model, iclsym.deep.attention\n"
        "import iclsym.cli.depth, iclsym.figures.paper3\n"
        "from iclsym.figures.paper3 import fig1, fig2, fig3, fig4, fig5, fig6, fig7, fig8, settings, common\n"
        "from iclsym.deep._generated import iso_closed, iso_closed_mpmath, fs_modes, fs_modes_mpmath\n"
        "from iclsym.deep._generated import scaling_exponents, scaling_exponents_mpmath\n"
        "bad = sorted(m for m in sys.modules if m == 'sympy' or m.startswith('sympy.') or m == 'jax')\n"
        "assert not bad, bad[:5]\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_mpmath_generated_agrees():
    import mpmath

    from iclsym.deep._generated import iso_closed, iso_closed_mpmath

    mpmath.mp.dps = 30
    for L in (1, 2, 3, 4):
        a = mpmath.mpf(3) / 7
        hi = getattr(iso_closed_mpmath, f"risk_star_l{L}")(a)
        assert float(hi) == pytest.approx(float(iso.iso_risk_star(3 / 7, L)), rel=1e-13)
        assert float(hi) == pytest.approx(float(getattr(iso_closed, f"risk_star_l{L}")(3 / 7)), rel=1e-13)
    assert math.isclose(float(iso_closed_mpmath.gamma_star(5, 2)), 10 / 3, rel_tol=1e-15)

"""``iclsym alignment``: outputs, JSON keys, mpmath digits, one-line errors with exit 2."""

import json

import pytest

from iclsym.cli import main

BASE = ["alignment", "--train", "powerlaw:0.9", "--test", "spike:0", "--d", "40", "--alpha", "2", "--tau", "4",
        "--kappa", "1", "--rho", "0.01"]


def test_json_has_exactly_the_named_keys(capsys):
    assert main(BASE + ["--json"]) == 0
    rec = json.loads(capsys.readouterr().out)
    for k in ("e_icl", "e_scalar", "e_misalign", "q", "sigma", "lambda_tilde", "resolvent", "simple", "inv_cka"):
        assert k in rec
    assert abs(rec["e_icl"] - rec["e_scalar"] - rec["e_misalign"]) < 1e-15
    assert rec["lambda_tilde"] == 0.0


def test_dps_agrees_with_numpy(capsys):
    assert main(BASE + ["--tau", "0.5", "--lam", "0.01", "--json"]) == 0
    np_rec = json.loads(capsys.readouterr().out)
    assert main(BASE + ["--tau", "0.5", "--lam", "0.01", "--dps", "40", "--json"]) == 0
    mp_rec = json.loads(capsys.readouterr().out)
    assert len(mp_rec["e_icl"].replace(".", "").lstrip("0")) >= 35
    assert abs(float(mp_rec["e_icl"]) / np_rec["e_icl"] - 1) < 1e-12


def test_text_output_and_singular_train(capsys):
    assert main(["alignment", "--train", "lowrank:0.5", "--test", "identity", "--d", "20", "--alpha", "4", "--tau",
                 "2", "--kappa", "inf", "--rho", "0.01", "--alpha-test", "8"]) == 0
    out = capsys.readouterr().out
    assert "simple  undefined" in out and "singular" in out and "e_misalign" in out


@pytest.mark.parametrize("flag,value,needle", [
    ("--alpha", "-1", "--alpha must satisfy 0 < alpha < inf"),
    ("--kappa", "0", "--kappa must satisfy 0 < kappa <= inf"),
    ("--rho", "x", "--rho must be a number with 0 <= rho < inf"),
    ("--d", "1.5", "--d must be an integer >= 2"),
    ("--lam", "-0.1", "--lam must satisfy 0 <= lam < inf"),
    ("--dps", "10", "--dps must be an integer >= 15"),
    ("--alpha-test", "0", "--alpha-test must satisfy 0 < alpha < inf"),
    ("--test", "spike:40", "--test: covariance spec 'spike:40'"),
    ("--train", "cube", "--train: covariance spec 'cube'"),
])
def test_bad_input_is_one_line_exit_2(flag, value, needle, capsys):
    args = list(BASE)
    if flag in args:
        args[args.index(flag) + 1] = value
    else:
        args += [flag, value]
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip()
    assert needle in err and "\n" not in err

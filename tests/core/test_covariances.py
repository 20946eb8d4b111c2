"""Covariance constructors and text specs (iclsym.core.covariances): shapes, trace d, bad specs, the pair reduction."""

import numpy as np
import pytest

from iclsym.core import covariances as cv

D = 12


@pytest.mark.parametrize("spec", ["identity", "powerlaw:0.9", "revpowerlaw:0.5", "ramp", "ramp-asc", "spike:0",
                                  "spike:3:0.5", "lowrank:0.5", "lowrank:0.2"])
def test_every_spec_has_trace_d_and_round_trips(spec):
    C = cv.covariance(spec, D)
    assert C.d == D and abs(C.trace - D) <= 1e-12 * D  # rescaled in one place (float rounding only)
    assert np.all(C.diag >= 0)
    again = cv.covariance(C.spec, D)
    assert np.array_equal(again.diag, C.diag)


def test_shapes_match_their_definitions():
    j = np.arange(D)
    pl = (j + 1.0) ** -0.9
    assert np.allclose(cv.covariance("powerlaw:0.9", D).diag, D * pl / pl.sum(), rtol=1e-14)
    rpl = (D - j) ** -0.5
    assert np.allclose(cv.covariance("revpowerlaw:0.5", D).diag, D * rpl / rpl.sum(), rtol=1e-14)
    ramp = D - j
    assert np.allclose(cv.covariance("ramp", D).diag, D * ramp / ramp.sum(), rtol=1e-14)
    assert np.allclose(cv.covariance("ramp-asc", D).diag, cv.covariance("ramp", D).diag[::-1], rtol=1e-14)
    s = cv.covariance("spike:0:0.5", D).diag
    assert np.all(s[1:] == 0.5) and s[0] == D - 0.5 * (D - 1)
    r1 = cv.covariance("spike:5", D).diag
    assert r1[5] == D and np.count_nonzero(r1) == 1
    lr = cv.covariance("lowrank:0.5", D).diag
    assert np.all(lr[: D // 2] == 2.0) and np.all(lr[D // 2:] == 0.0)


@pytest.mark.parametrize("spec", ["cube", "powerlaw", "powerlaw:x", "spike:12", "spike:-1", "spike:0:2",
                                  "lowrank:0", "lowrank:1.5", "ramp:1", "identity:2", "file:/nonexistent.npy", 3])
def test_bad_specs_are_one_line_errors_naming_spec_and_forms(spec):
    with pytest.raises(ValueError) as exc:
        cv.covariance(spec, D)
    msg = str(exc.value)
    assert "\n" not in msg and repr(spec) in msg and "allowed forms: identity, powerlaw:P" in msg


def test_file_spec_matrix_and_vector(tmp_path):
    rng = np.random.default_rng(0)
    A = rng.standard_normal((D, D))
    M = A @ A.T
    path = tmp_path / "C.npy"
    np.save(path, M)
    C = cv.covariance(f"file:{path}", D)
    assert C.full is not None and abs(C.trace - D) < 1e-12 * D
    assert np.allclose(C.matrix() * np.trace(M) / D, M, rtol=1e-13, atol=1e-13 * np.abs(M).max())
    np.save(path, np.arange(1.0, D + 1))
    assert cv.covariance(f"file:{path}", D).is_diagonal
    np.save(path, np.ones(D + 1))
    with pytest.raises(ValueError, match="expected"):
        cv.covariance(f"file:{path}", D)
    np.save(path, -M)
    with pytest.raises(ValueError, match="positive semi-definite"):
        cv.covariance(f"file:{path}", D)


def test_aligned_spectrum_of_rotated_pair_is_basis_free():
    """c_i = u_i^T C_test u_i: rotating both matrices together changes nothing."""
    rng = np.random.default_rng(1)
    Q, _ = np.linalg.qr(rng.standard_normal((D, D)))
    lam = cv.covariance("ramp", D).diag
    B = rng.standard_normal((D, D))
    Ct = B @ B.T
    lam_r, c_r = cv.aligned_spectrum(cv.from_matrix(Q @ np.diag(lam) @ Q.T), cv.from_matrix(Q @ Ct @ Q.T))
    lam_0, c_0 = cv.aligned_spectrum(cv.from_matrix(lam), cv.from_matrix(Ct))
    order = np.argsort(-lam_0)
    assert np.allclose(lam_r, lam_0[order], rtol=1e-12)
    assert np.allclose(c_r, c_0[order], rtol=1e-10, atol=1e-12)  # eigenvectors to ~1e-13 (eigh)
    assert abs(c_r.sum() - D) < 1e-10 * D  # trace of C_test kept


def test_singular_train_rank():
    assert cv.covariance("lowrank:0.5", D).rank() == D // 2
    assert cv.covariance("spike:0", D).rank() == 1

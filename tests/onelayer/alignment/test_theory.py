"""Alignment theory (docs/onelayer/alignment.md): reduction to Lu et al. (2024), NumPy vs 50-digit mpmath,
the split e_ICL = e_scalar + e_misalign, the kernel and its shape, the competitor measures, the pole."""

import mpmath
import numpy as np
import pytest

from iclsym.core.covariances import aligned_spectrum, covariance, from_matrix
from iclsym.onelayer import theory
from iclsym.onelayer.symbolic import alignment as sym
from iclsym.onelayer.theory import alignment as al
from iclsym.onelayer.theory import alignment_precise as P


def _domain(n, seed, tau_lo=0.05, tau_hi=20.0):
    rng = np.random.default_rng(seed)
    alpha = np.exp(rng.uniform(np.log(0.1), np.log(1000), n))
    tau = np.exp(rng.uniform(np.log(tau_lo), np.log(tau_hi), n))
    kappa = np.exp(rng.uniform(np.log(0.05), np.log(100), n))
    kappa[::7] = np.inf
    rho = rng.uniform(0, 1, n)
    return alpha, tau, kappa, rho


# ----------------------------------------------------------------------------- reduction to paper 1
def test_reduction_to_paper1_is_a_symbolic_identity():
    assert all(sym.reduction_to_paper1().values()), sym.reduction_to_paper1()


@pytest.mark.parametrize("lam", [0.0, 1e-6, 0.1, 3.0])
@pytest.mark.parametrize("side", ["below", "above"])
def test_reduction_to_paper1_numerically(lam, side):
    """C_train = C_test = I: e_ICL and tau q = e_IDG equal iclsym.onelayer.theory to 1e-13 (both sides of tau = 1)."""
    lo, hi = (0.05, 0.98) if side == "below" else (1.02, 20.0)
    alpha, tau, kappa, rho = _domain(600, 1, lo, hi)
    out = al.alignment_errors(np.ones(3), np.ones(3), alpha, tau, kappa, rho, lam)
    e1, e2, _ = theory.errors(alpha, tau, kappa, rho, lam)
    assert np.max(np.abs(out["e_icl"] / e1 - 1)) <= 1e-13
    assert np.max(np.abs(out["e_idg"] / e2 - 1)) <= 1e-13
    eps = theory.solve_eps(alpha, tau, kappa, rho, lam)
    assert np.allclose(out["lambda_tilde"], eps, rtol=1e-13, atol=0)


@pytest.mark.slow
def test_derived_paper_and_stable_forms_agree_symbolically():
    """Also enforced by ``iclsym derive --check`` (derivations/onelayer/alignment.py fails unless they hold)."""
    assert all(sym.check_forms().values()), sym.check_forms()


# ----------------------------------------------------------------------------- NumPy vs mpmath
def _random_case(rng, singular):
    m = int(rng.integers(10, 60))
    eig = rng.exponential(size=m) ** rng.uniform(0.5, 2.5)
    if singular:
        eig[rng.permutation(m)[: int(rng.integers(1, m - 1))]] = 0.0
    eig *= m / eig.sum()
    c = rng.exponential(size=m)
    params = dict(alpha=float(np.exp(rng.uniform(np.log(0.2), np.log(300)))),
                  tau=float(np.exp(rng.uniform(np.log(0.05), np.log(20)))),
                  kappa=float(np.exp(rng.uniform(np.log(0.05), np.log(100)))),
                  rho=float(rng.uniform(0, 1)), lam=float(rng.choice([0.0, 0.0, 1e-4, 0.3])))
    return eig, c, params


def _compare(eig, c, p, dps=50):
    r = P.errors(list(eig), list(c), p["alpha"], p["tau"], p["kappa"], p["rho"], p["lam"], dps=dps)
    o = al.alignment_errors(eig, c, p["alpha"], p["tau"], p["kappa"], p["rho"], p["lam"])
    worst = 0.0
    for key in ("e_icl", "e_scalar", "e_misalign", "q", "sigma", "lambda_tilde", "e_idg", "resolvent"):
        ref = r[key]
        if ref == 0:
            assert float(o[key]) == 0.0
            continue
        worst = max(worst, abs(float(o[key]) / float(ref) - 1))
    return worst


@pytest.mark.parametrize("seed", range(8))
def test_numpy_matches_50_digit_mpmath(seed):
    """Relative error <= 1e-12 over random spectra, half of them rank deficient, kappa in [0.05, 100]."""
    rng = np.random.default_rng(100 + seed)
    for singular in (False, True):
        eig, c, p = _random_case(rng, singular)
        assert _compare(eig, c, p) <= 1e-12, p


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(40))
def test_numpy_matches_50_digit_mpmath_many(seed):
    rng = np.random.default_rng(1000 + seed)
    for singular in (False, True):
        eig, c, p = _random_case(rng, singular)
        assert _compare(eig, c, p) <= 1e-12, p


# ----------------------------------------------------------------------------- structure of the split
def test_e_scalar_depends_on_the_test_only_through_its_trace():
    d = 40
    eig = covariance("powerlaw:0.9", d).diag
    tests = np.stack([covariance(s, d).diag for s in ("identity", "spike:0", "spike:39", "lowrank:0.3", "ramp")])
    out = al.alignment_errors(eig, tests, 2.0, np.array([0.6, 4.0])[:, None], 0.5, 0.01)
    assert np.allclose(out["e_scalar"], out["e_scalar"][:, :1], rtol=1e-14)
    assert np.all(np.ptp(out["e_misalign"], axis=1) > 0.01)


def test_isotropic_pretraining_gives_every_test_of_equal_trace_the_same_error():
    d = 30
    tests = np.stack([covariance(s, d).diag for s in ("identity", "spike:0", "spike:7", "powerlaw:1.5")])
    for tau in (0.5, 4.0):
        e = al.alignment_errors(np.ones(d), tests, 2.0, tau, 0.7, 0.01)["e_icl"]
        assert np.ptp(e) <= 1e-13 * e.max()


def test_rank_one_test_on_an_eigenvector_gives_the_kernel():
    d = 25
    eig = covariance("ramp", d).diag
    st = al.alignment_state(eig, 2.0, 4.0, 0.8, 0.01)
    for i in (0, 12, 24):
        c = covariance(f"spike:{i}", d).diag
        e_mis = al.alignment_errors(eig, c, 2.0, 4.0, 0.8, 0.01)["e_misalign"]
        assert abs(e_mis / float(al.kernel(eig[i], st)) - 1) < 1e-14


def test_alpha_test_enters_only_e_scalar():
    d = 20
    eig, c = covariance("powerlaw:1", d).diag, covariance("powerlaw:1", d).diag
    base = al.alignment_errors(eig, c, 2.0, 4.0, 1.0, 0.01, 1e-4)
    for at in (0.1, 10.0, 1000.0):
        o = al.alignment_errors(eig, c, 2.0, 4.0, 1.0, 0.01, 1e-4, alpha_test=at)
        assert o["e_misalign"] == base["e_misalign"] and o["q"] == base["q"]
        assert abs((o["e_scalar"] - 0.01) / (base["e_scalar"] - 0.01) - 2.0 / at) < 1e-13


def test_non_commuting_pair_through_the_matrix_route():
    """A rotated C_train with a Wishart C_test: the theory sees only (eigenvalues, c_i); rotating both
    together leaves every output unchanged."""
    d = 16
    rng = np.random.default_rng(4)
    Q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    X = rng.standard_normal((3 * d, d))
    Ctest = X.T @ X
    lamt = covariance("ramp", d).diag
    r1 = al.evaluate(from_matrix(Q @ np.diag(lamt) @ Q.T), from_matrix(Q @ Ctest @ Q.T), d, 2.0, 4.0, 1.0, 0.01)
    r2 = al.evaluate(from_matrix(lamt), from_matrix(Ctest), d, 2.0, 4.0, 1.0, 0.01)
    for k in ("e_icl", "e_misalign", "resolvent", "simple"):
        assert abs(r1[k] / r2[k] - 1) < 1e-11  # eigh rounding of the rotated matrices


# ----------------------------------------------------------------------------- kernel shape
def test_kernel_is_decreasing_for_tau_above_one():
    """The paper's ordering for tau > 1 (ridgeless): lam_c < 0 and k strictly decreasing, random spectra."""
    rng = np.random.default_rng(5)
    eig = rng.exponential(size=(200, 60)) ** 2
    eig *= 60 / eig.sum(1, keepdims=True)
    alpha, tau, kappa, rho = _domain(200, 6, 1.01, 30.0)
    st = al.alignment_state(eig, alpha, tau, kappa, rho)
    assert np.all(al.kernel_turning_point(st) < 0)
    t = np.sort(eig, axis=1)
    assert np.all(np.diff(al.kernel(t, st), axis=1) <= 0)


def test_kernel_is_unimodal_with_its_maximum_at_lam_c():
    eig = np.r_[0.001, 0.002, np.ones(18)]
    st = al.alignment_state(eig, 80.0, 0.9, 3.0, 0.01)
    lc = float(al.kernel_turning_point(st))
    t = np.linspace(0, 4 * lc, 401)
    k = al.kernel(t, st)
    i = int(np.argmax(k))
    assert abs(t[i] - lc) <= t[1] - t[0]
    assert np.all(np.diff(k[: i + 1]) > 0) and np.all(np.diff(k[i:]) < 0)


def test_tau_below_one_counterexample_confirmed_at_50_digits():
    """Two eigenvalues below lam_c > 0: the weaker direction has the *smaller* kernel (paper's ordering fails)."""
    eig = [0.001, 0.002] + [1.0] * 18
    k1, k2 = P.kernel([0.001, 0.002], eig, 80, "0.9", 3, "0.01", dps=50)
    assert k1 < k2 and (k2 - k1) / k2 > mpmath.mpf("1e-4")
    st = al.alignment_state(np.array(eig), 80.0, 0.9, 3.0, 0.01)
    kn = al.kernel(np.array([0.001, 0.002]), st)
    assert abs(kn[0] / float(k1) - 1) < 1e-12 and abs(kn[1] / float(k2) - 1) < 1e-12


def test_inversions_among_random_exponential_spectra():
    """At alpha = 80, tau = 0.9, kappa = 3, d = 100, i.i.d. exponential eigenvalues: inversions of the
    ordering occur (measured 18.5 % of 400 spectra); they are exactly the spectra with an eigenvalue on
    the rising side of the kernel, below lam_c."""
    rng = np.random.default_rng(0)
    eig = rng.exponential(size=(400, 100))
    eig *= 100 / eig.sum(1, keepdims=True)
    st = al.alignment_state(eig, 80.0, 0.9, 3.0, 0.01)
    k = np.take_along_axis(al.kernel(eig, st), np.argsort(eig, 1), 1)
    inverted = (np.diff(k, axis=1) > 0).any(1)
    lc = al.kernel_turning_point(st)
    assert 0.05 < inverted.mean() < 0.4
    assert np.all(inverted <= (eig < lc[:, None]).any(1))


# ----------------------------------------------------------------------------- measures, pole, limits
def test_measures():
    d = 10
    r = al.evaluate("powerlaw:0.9", "powerlaw:0.9", d, 2.0, 4.0, 1.0, 0.01)
    assert abs(r["inv_cka"] - 1.0) < 1e-12 and abs(r["simple"] - 1.0) < 1e-12
    r = al.evaluate("lowrank:0.5", "identity", d, 2.0, 4.0, 1.0, 0.01)
    assert r["simple"] is None and "singular" in r["notes"][0]
    with pytest.raises(ValueError, match="singular"):
        al.simple_measure(covariance("lowrank:0.5", d).diag, np.ones(d))


def test_pole_and_no_nan():
    eig, c = covariance("ramp", 20).diag, covariance("spike:3", 20).diag
    out = al.alignment_errors(eig, c, 2.0, 1.0, 0.5, 0.01)
    assert out["e_icl"] == np.inf and out["e_misalign"] == np.inf
    alpha, tau, kappa, rho = _domain(2000, 9)
    for lam in (0.0, 1e-3):
        o = al.alignment_errors(covariance("lowrank:0.3", 20).diag, c, alpha, tau, kappa, rho, lam)
        assert not any(np.isnan(o[k]).any() for k in ("e_icl", "e_scalar", "e_misalign", "q"))


@pytest.mark.parametrize("tau", [0.4, 3.0])
def test_ridge_tends_to_ridgeless(tau):
    eig, c = covariance("powerlaw:0.9", 30).diag, covariance("revpowerlaw:0.5", 30).diag
    e0 = al.alignment_errors(eig, c, 2.0, tau, 0.6, 0.01)["e_icl"]
    prev = None
    for lam in (1e-3, 1e-5, 1e-7):
        gap = abs(al.alignment_errors(eig, c, 2.0, tau, 0.6, 0.01, lam)["e_icl"] - e0)
        if prev is not None:
            assert gap < prev / 50  # O(lam): a factor 100 per step
        prev = gap
    assert prev < 1e-5 * e0


def test_kernel_limits_match_the_full_kernel():
    from iclsym.onelayer._generated import alignment as gen

    eig = covariance("ramp", 40).diag
    t = np.linspace(0.05, 2.0, 7)
    st = al.alignment_state(eig, 2.0, 4.0, np.inf, 0.01)
    assert np.allclose(al.kernel(t, st), gen.kernel_kappa_inf(t, st["eps"], st["xs"], st["q"]), rtol=1e-14)
    st = al.alignment_state(eig, 2.0, 1e9, 0.7, 0.01)
    assert np.allclose(al.kernel(t, st), gen.kernel_tau_inf(t, st["a"], st["b"], st["xs"]), rtol=1e-7)  # q ~ 1/tau

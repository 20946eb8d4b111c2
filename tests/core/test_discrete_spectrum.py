"""The discrete-spectrum law (generalised Marchenko-Pastur fixed point): reduction to MP, the bracket and
uniqueness, the independent mpmath solve, a sampled bank, vectorisation, weights."""

import mpmath
import numpy as np
import pytest

from iclsym.core.covariances import covariance
from iclsym.core.spectra import DiscreteSpectrum, MarchenkoPastur
from iclsym.onelayer.theory import alignment_precise as P
from iclsym.onelayer.theory.fixed_point import solve_fixed_point

KAPPAS = [0.05, 0.3, 1.0, 2.5, 40.0, np.inf]
Z = np.array([1e-3, 0.05, 0.4, 2.0, 30.0])


def random_spectrum(rng, m, singular=False):
    lam = rng.exponential(size=m) ** 2
    if singular:
        lam[rng.permutation(m)[: m // 2]] = 0.0
    return lam * m / lam.sum()


@pytest.mark.parametrize("kappa", KAPPAS)
def test_identity_spectrum_is_marchenko_pastur(kappa):
    law = DiscreteSpectrum(np.ones(7), np.full(Z.shape, kappa))
    mp = MarchenkoPastur(np.full(Z.shape, kappa))
    for got, ref in zip(law.traces(Z), mp.traces(Z)):
        assert np.allclose(got, ref, rtol=2e-15 * 8, atol=0)  # both cancellation-free: a few ulps
    for deriv in (0, 1, 2):
        assert np.allclose(law.stieltjes(Z, deriv), mp.stieltjes(Z, deriv), rtol=1e-14, atol=0)


@pytest.mark.parametrize("seed", range(6))
def test_root_is_in_the_bracket_and_unique(seed):
    rng = np.random.default_rng(seed)
    lam = random_spectrum(rng, 50, singular=seed % 2 == 1)
    kappa = np.array(KAPPAS[:-1])[:, None]
    law = DiscreteSpectrum(lam, kappa)
    z = Z[None, :]
    a = law.solve_a(z)
    L = law.lower_bound(z)
    assert np.all(L <= a * (1 + 1e-15)) and np.all(a <= 1)
    # chi changes sign once: negative on a grid below the root, positive above
    for f in (0.5, 0.9, 0.999):
        lo = a * f
        chi_lo = lo - 1 + lo * (lam * (1 / (lo[..., None] * lam + z[..., None]))).mean(-1) / kappa
        assert np.all(chi_lo < 0)
    hi = np.minimum(a * 1.001, 1.0)
    chi_hi = hi - 1 + hi * (lam / (hi[..., None] * lam + z[..., None])).mean(-1) / kappa
    assert np.all(chi_hi >= -1e-15)


@pytest.mark.parametrize("seed", range(4))
def test_against_independent_mpmath_solve(seed):
    """M and M' (derived forms, Newton) against 40-digit bracketed roots and the paper's M' formula."""
    rng = np.random.default_rng(10 + seed)
    lam = random_spectrum(rng, 30, singular=seed >= 2)
    for kappa in (0.05, 0.7, 12.0):
        law = DiscreteSpectrum(lam, kappa)
        for z in (1e-3, 0.3, 5.0):
            M, Mp = float(law.stieltjes(np.array(z))), float(law.stieltjes(np.array(z), 1))
            with mpmath.workdps(40):
                lm, w = P._spectrum(lam, None)
                _, Mr, Mpr, _ = P.law_terms(lm, w, mpmath.mpf(z), 1 / mpmath.mpf(kappa))
            assert abs(M / float(Mr) - 1) < 1e-14  # cancellation-free forms: rounding only
            assert abs(Mp / float(Mpr) - 1) < 1e-14


def test_second_derivative_matches_finite_difference_of_first():
    lam = covariance("powerlaw:0.9", 40).diag
    law = DiscreteSpectrum(lam, 0.6)
    z, h = 0.37, 1e-5
    d2 = float(law.stieltjes(np.array(z), 2))
    fd = (float(law.stieltjes(np.array(z + h), 1)) - float(law.stieltjes(np.array(z - h), 1))) / (2 * h)
    assert abs(d2 / fd - 1) < 1e-8  # central difference error O(h^2) ~ 1e-10, rounding ~1e-11/h


@pytest.mark.mc
@pytest.mark.slow
@pytest.mark.parametrize("spec,kappa", [pytest.param("ramp", 0.4, marks=pytest.mark.ci), ("lowrank:0.5", 2.0),
                                        ("spike:0:0.5", 1.0)])
def test_against_a_sampled_bank(spec, kappa):
    """(1/d) tr (S_hat + z)^{-1} of one sampled bank at d = 300 against the deterministic equivalent.

    Tolerance 2 %: the finite-d bias and fluctuation of the normalised trace are O(1/d) (measured at
    d = 1500: 3e-4 ... 7e-4 relative, i.e. about 0.5/d ... 1/d)."""
    d = 300
    rng = np.random.default_rng(7)
    lam = covariance(spec, d).diag
    k = int(kappa * d)
    W = rng.standard_normal((k, d)) * np.sqrt(lam)
    ev = np.linalg.eigvalsh(W.T @ W / k)
    law = DiscreteSpectrum(lam, kappa)
    for z in (0.1, 1.0):
        assert abs(np.mean(1 / (ev + z)) / float(law.stieltjes(np.array(z))) - 1) < 0.02
        assert abs(np.mean(1 / (ev + z) ** 2) / -float(law.stieltjes(np.array(z), 1)) - 1) < 0.02


def test_vectorised_over_points_and_spectra_equals_a_loop():
    rng = np.random.default_rng(3)
    spectra = np.stack([random_spectrum(rng, 20, singular=i % 2 == 0) for i in range(5)])
    kappa = np.array([0.1, 0.5, 1.0, 3.0, np.inf])
    z = np.array([0.01, 0.2, 1.0, 0.3, 4.0])
    batch = DiscreteSpectrum(spectra, kappa).traces(z)
    for i in range(5):
        one = DiscreteSpectrum(spectra[i], kappa[i]).traces(np.array(z[i]))
        for b, o in zip(batch, one):
            assert abs(b[i] - float(o)) <= 1e-15 * abs(float(o)) * 4


def test_weights_equal_repeated_eigenvalues():
    law_full = DiscreteSpectrum([2.0, 2.0, 2.0, 0.5], 0.7)
    law_w = DiscreteSpectrum([2.0, 0.5], 0.7, weights=[0.75, 0.25])
    for a, b in zip(law_full.traces(np.array(0.3)), law_w.traces(np.array(0.3))):
        assert abs(float(a) / float(b) - 1) < 1e-15 * 4


def test_fixed_point_solver_accepts_the_law():
    lam = covariance("powerlaw:0.9", 60).diag
    law = DiscreteSpectrum(lam, np.array([0.3, 1.0, 3.0]))
    xs, tau, ridge = np.full(3, 0.5), np.array([0.5, 0.9, 2.0]), np.array([0.0, 0.1, 1e-4])
    eps = solve_fixed_point(xs, tau, ridge, law)
    M = law.stieltjes(xs + eps)
    h = eps * M - (1 - tau) - tau * ridge / eps
    assert np.all(eps > 0) and np.max(np.abs(h)) < 1e-13  # residual at rounding level


def test_bad_eigenvalues():
    for bad in ([1.0, -1.0], [0.0, 0.0], [np.nan, 1.0]):
        with pytest.raises(ValueError, match="eigenvalues"):
            DiscreteSpectrum(bad, 1.0)
    with pytest.raises(ValueError, match="kappa"):
        DiscreteSpectrum([1.0], 0.0)


@pytest.mark.parametrize("spec", ["powerlaw:0.9", "lowrank:0.3", "spike:0", "identity"])
def test_joint_solve_equals_the_nested_fixed_point_solve(spec):
    """solve_joint (one scalar root in t = kappa (1 - a), polished) against solve_fixed_point's nested Newton
    with the law's inner solve: relative 1e-13 over a random domain (both at rounding level, 1e-14 seen)."""
    rng = np.random.default_rng(0)
    n = 3000
    lam = covariance(spec, 100).diag
    kappa = np.exp(rng.uniform(np.log(0.05), np.log(100), n))
    kappa[::9] = np.inf
    tau = np.exp(rng.uniform(np.log(0.05), np.log(5), n))
    xs = np.exp(rng.uniform(np.log(1e-3), np.log(10), n))
    ridge = np.where(rng.random(n) < 0.5, 0.0, np.exp(rng.uniform(-12, 1, n)))
    sel = (tau < 1) | (ridge > 0)
    law = DiscreteSpectrum(lam, kappa[sel]).ravel()
    e1 = solve_fixed_point(xs[sel], tau[sel], ridge[sel], law)
    e2, a2 = law.solve_joint(xs[sel], tau[sel], ridge[sel])
    assert np.max(np.abs(e2 / e1 - 1)) < 1e-13
    assert np.max(np.abs(a2 / law.solve_a(xs[sel] + e1) - 1)) < 1e-13

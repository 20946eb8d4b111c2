"""Marchenko–Pastur Stieltjes transform: branch rule, limits, and three independent references
(the MP density integrated at high precision, the symbolic closed form, a sampled bank)."""

import math

import mpmath
import numpy as np
import pytest
import sympy as sp

from iclsym.engine.stieltjes import mp_quadratic
from iclsym.engine.stieltjes import stieltjes_mp as sym_stieltjes
from iclsym.onelayer.theory import precise as tmp
from iclsym.onelayer.theory import stieltjes_mp

KAPPAS = [0.05, 0.3, 0.5, 1.0, 1.7, 4.0, 50.0, np.inf]


def mp_density_transform(z, kappa, dps=30):
    """int dmu(t)/(t + z) with the MP density and atom, integrated by mpmath.quad (independent)."""
    with mpmath.workdps(dps):
        g = 1 / mpmath.mpf(kappa)  # d/k
        lo, hi = (1 - mpmath.sqrt(g)) ** 2, (1 + mpmath.sqrt(g)) ** 2
        # t = lo + (hi - lo) sin^2(th) removes the square-root endpoint singularities (and, as
        # sin^2/t stays bounded, the 1/t one when lo = 0 at kappa = 1); quad never evaluates
        # the endpoints.  dens(t) dt = (hi - lo)^2 sin^2 cos^2/(pi g t) dth.
        def integrand(th):
            sn2 = mpmath.sin(th) ** 2
            t = lo + (hi - lo) * sn2
            return (hi - lo) ** 2 * sn2 * (1 - sn2) / (mpmath.pi * g * t * (t + z))

        val = mpmath.quad(integrand, [0, mpmath.pi / 2])
        if kappa < 1:
            val += (1 - mpmath.mpf(kappa)) / z
        return val


@pytest.mark.parametrize("kappa", [0.3, 1.0, 2.5])
@pytest.mark.parametrize("z", [1e-3, 0.4, 3.0, -0.5 + 0.7j, 2 + 1e-2j])
def test_matches_mp_density_integral(z, kappa):
    ref = complex(mp_density_transform(mpmath.mpmathify(z), kappa))
    got = complex(stieltjes_mp(z, kappa))
    assert abs(got - ref) <= 1e-12 * abs(ref)
    with mpmath.workdps(30):
        ref_mp = mp_density_transform(mpmath.mpmathify(z), kappa)
        assert abs(tmp.stieltjes_mp(z, kappa, dps=30) - ref_mp) <= mpmath.mpf(10) ** -25 * abs(ref_mp)


@pytest.mark.parametrize("kappa", KAPPAS)
def test_herglotz_upper_half_plane(kappa):
    re, im = np.meshgrid(np.linspace(-6, 6, 61), np.logspace(-6, 2, 25))
    z = re + 1j * im
    M = stieltjes_mp(z, kappa)
    assert np.all(np.isfinite(M))
    assert np.all(M.imag < 0)
    # The root of the quadratic (kappa = inf: M = 1/(1 + z)).
    ik = 0.0 if np.isinf(kappa) else 1 / kappa
    terms = [z * ik * M**2, (z + 1 - ik) * M, -np.ones_like(M)]
    resid = np.abs(sum(terms)) / sum(np.abs(t) for t in terms)
    assert np.max(resid) < 1e-14
    # mpmath agrees on a subset, and is Herglotz as well.
    for zz in z.ravel()[::97]:
        ref = tmp.stieltjes_mp(complex(zz), kappa, dps=30)
        assert mpmath.im(ref) < 0
        assert abs(complex(ref) - complex(stieltjes_mp(zz, kappa))) <= 1e-12 * abs(complex(ref))


def test_symbolic_closed_form_agrees():
    z, k = sp.symbols("z kappa", positive=True)
    expr = sym_stieltjes(z, k)
    assert sp.simplify(mp_quadratic(expr, z, k)) == 0
    rng = np.random.default_rng(0)
    for zz, kk in zip(10 ** rng.uniform(-4, 3, 20), 10 ** rng.uniform(-1.3, 3, 20)):
        ref = sp.N(expr.subs({z: sp.Float(zz, 40), k: sp.Float(kk, 40)}), 30)
        assert abs(float(stieltjes_mp(zz, kk)) - float(ref)) <= 1e-13 * float(ref)


def test_zero_limits():
    z = np.array([1e-9, 1e-12])
    for kappa in (0.05, 0.5, 0.9):  # atom: M ~ (1 - kappa)/z, correction O(z/(1 - kappa)^2)
        assert np.allclose(z * stieltjes_mp(z, kappa), 1 - kappa, rtol=1e-6)
        assert float(stieltjes_mp(0.0, kappa)) == math.inf
    # kappa = 1: M ~ z^{-1/2}
    assert np.allclose(np.sqrt(z) * stieltjes_mp(z, 1.0), 1.0, rtol=2e-3)
    for kappa in (1.1, 2.0, 100.0, np.inf):  # finite M(0) = kappa/(kappa - 1)
        m0 = 1.0 if np.isinf(kappa) else kappa / (kappa - 1)
        assert float(stieltjes_mp(0.0, kappa)) == pytest.approx(m0, rel=1e-14)
        assert float(stieltjes_mp(1e-13, kappa)) == pytest.approx(m0, rel=1e-10)
        for deriv in (1, 2):
            assert float(stieltjes_mp(0.0, kappa, deriv)) == pytest.approx(
                float(stieltjes_mp(1e-9, kappa, deriv)), rel=1e-6
            )


def test_kappa_inf_and_large_kappa():
    z = np.logspace(-6, 6, 50)
    assert np.allclose(stieltjes_mp(z, np.inf), 1 / (1 + z), rtol=4e-16, atol=0)
    for kappa in (1e6, 1e12, 1e300):
        M = stieltjes_mp(z, kappa)
        # M_kappa - 1/(1+z) = O(1/kappa): mean-one law with variance 1/kappa.
        assert np.all(np.abs(M * (1 + z) - 1) <= 2 / kappa + 1e-15)


@pytest.mark.parametrize("deriv", [0, 1, 2])
def test_numpy_vs_mpmath_random(deriv):
    rng = np.random.default_rng(1 + deriv)
    z = 10 ** rng.uniform(-8, 6, 200)
    kappa = 10 ** rng.uniform(-4, 8, 200)
    got = stieltjes_mp(z, kappa, deriv)
    for i in range(z.size):
        ref = tmp.stieltjes_mp(z[i], kappa[i], deriv, dps=40)
        assert abs(got[i] - float(ref)) <= 1e-12 * abs(float(ref)), (z[i], kappa[i])


def test_derivatives_by_numerical_differentiation():
    """Implicit-differentiation formulas vs mpmath.diff of the closed form (independent)."""
    for z, kappa in [(0.3, 0.5), (2.0, 1.0), (0.01, 3.0), (1.0, np.inf)]:
        with mpmath.workdps(40):
            # Central differences with step 1e-12 on a 60-digit closed form: truncation ~1e-24.
            f = lambda x: tmp.stieltjes_mp(x, kappa, dps=60)  # noqa: E731
            for deriv in (1, 2):
                ref = mpmath.diff(f, mpmath.mpf(z), deriv, h=mpmath.mpf("1e-12"))
                assert float(stieltjes_mp(z, kappa, deriv)) == pytest.approx(float(ref), rel=1e-12)
                assert abs(tmp.stieltjes_mp(z, kappa, deriv, dps=40) - ref) < mpmath.mpf(10) ** -20 * abs(ref)


@pytest.mark.parametrize("kappa", [0.5, 1.0, 2.0])
def test_matches_sampled_bank(kappa):
    """(1/d) tr (R_hat + z)^{-1} of a sampled bank of sphere tasks at d = 600."""
    d = 600
    rng = np.random.default_rng(2024)
    k = int(kappa * d)
    W = rng.standard_normal((k, d))
    W *= np.sqrt(d) / np.linalg.norm(W, axis=1, keepdims=True)
    eig = np.linalg.eigvalsh(W.T @ W / k)
    for z in (0.05, 0.3, 1.0, 4.0):
        emp = np.mean(1 / (eig + z))
        th = float(stieltjes_mp(z, kappa))
        # Finite-d bias and fluctuation of a linear spectral statistic are O(1/d); measured
        # d |emp - th|/th <= 2.5 at d = 400..1600 for these (kappa, z), so C = 10.
        assert abs(emp - th) <= 10 / d * th


def test_broadcasting_and_validation():
    out = stieltjes_mp(np.ones((3, 1)), np.array([0.5, 2.0]))
    assert out.shape == (3, 2)
    assert isinstance(stieltjes_mp(1.0, 2.0), float)
    with pytest.raises(ValueError, match="kappa"):
        stieltjes_mp(1.0, 0.0)
    with pytest.raises(ValueError, match="z"):
        stieltjes_mp(-1.0, 2.0)
    with pytest.raises(ValueError, match="deriv"):
        stieltjes_mp(1.0, 2.0, deriv=3)
    with pytest.raises(ValueError, match="dps"):
        tmp.stieltjes_mp(1.0, 2.0, dps=5)

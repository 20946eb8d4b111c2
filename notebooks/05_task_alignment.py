# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Pretrain–test task alignment: $e_{ICL} = e_{scalar} + e_{misalign}$
#
# Letey, Zavatone-Veth, Lu and Pehlevan (*Pretrain–Test Task Alignment Governs Generalization in In-Context
# Learning*, ICLR 2026) keep the one-layer linear-attention model of Lu et al. (2024) and change the task law:
# pretraining tasks $w\sim\mathcal N(0, C_{train})$, test tasks $w\sim\mathcal N(0, C_{test})$. This notebook
# follows their derivation with iclsym's symbolic engine and checks every step another way
# (docs/onelayer/alignment.md):
#
# 1. the generalised Marchenko–Pastur law of the bank and its derivatives (implicit differentiation);
# 2. the test error by the deterministic-equivalent route, its split, and the reduction to paper 1;
# 3. the spectral kernel $k(\lambda)$: Fig. 1, its unimodal shape and where the paper's ordering holds;
# 4. the candidate measures (Fig. 2) and their Spearman correlations;
# 5. the ridge extension and the exact finite-$d$ error for Gaussian tasks, against Monte Carlo;
# 6. the optimal pretraining spectrum for a given test.
#
# `ICLSYM_FAST=1` uses smaller Monte Carlo.

# %%
import os

import matplotlib.pyplot as plt
import numpy as np
import sympy as sp
from IPython.display import Math, display

from iclsym.core.covariances import aligned_spectrum, covariance
from iclsym.core.spectra import DiscreteSpectrum
from iclsym.engine import discrete_spectrum as ds
from iclsym.onelayer.symbolic import alignment as sym
from iclsym.onelayer.theory import alignment as al
from iclsym.onelayer.theory import alignment_precise as P

FAST = os.environ.get("ICLSYM_FAST") == "1"


def show(label, expr):
    """Display ``label = expr`` as rendered LaTeX (``expr``: a SymPy object or a LaTeX string)."""
    display(Math(rf"{label} = {expr if isinstance(expr, str) else sp.latex(expr)}"))

# %% [markdown]
# ## 1. The bank's spectral law
#
# The bank second moment $\hat S = \frac1k\sum_j w_jw_j^\top$ has the deterministic equivalent
# $(\hat S + z)^{-1}\asymp (aC_{train} + z)^{-1}$ with $a$ the root of
# $\chi(a) = a - 1 + \kappa^{-1}\operatorname{mean}_i a\lambda_i/(a\lambda_i + z)$. In the canonical basis
# $R_q = \operatorname{mean}(a\lambda + z)^{-q}$ the fixed point is linear:

# %%
s = ds.symbols()
display_chi = ds.fixed_point()
show(r"\chi", display_chi)
show(r"b = a'(z)\ \text{(implicit differentiation)}", ds.derive_b())

# %% [markdown]
# The numeric code accumulates positive sums only ($S_{2\lambda} = \overline{\lambda/u^2}$ etc.). The
# cancellation-free traces are proved equal to the derived ones for every spectrum (modulo $\chi = 0$), and so
# is the paper's formula $M' = -(S_2 + MS_{2\lambda}/\kappa)/(1 + zS_{2\lambda}/\kappa)$:

# %%
checks = ds.check_stable_forms()
for name, ok in checks.items():
    print(f"{'ok ' if ok else 'FAIL'} {name}")
assert all(checks.values()) and all(ds.isotropic_reduction().values())

# %% [markdown]
# A sampled bank agrees with the deterministic equivalent up to $O(1/d)$:

# %%
d = 200 if FAST else 800
rng = np.random.default_rng(0)
for spec, kappa in (("ramp", 0.5), ("lowrank:0.5", 2.0)):
    lam = covariance(spec, d).diag
    k = int(kappa * d)
    W = rng.standard_normal((k, d)) * np.sqrt(lam)
    ev = np.linalg.eigvalsh(W.T @ W / k)
    M_th = float(DiscreteSpectrum(lam, kappa).stieltjes(np.array(0.5)))
    print(f"{spec:12s} kappa = {kappa}: sampled {np.mean(1 / (ev + 0.5)):.5f}, theory {M_th:.5f}")

# %% [markdown]
# ## 2. The error, derived
#
# Ridge pretraining gives $\Gamma$ with mean $\bar\Gamma = \hat S(\hat S + \nu)^{-1}$ and a fluctuation of size
# $q = N/(\tau - \mathrm{df}_2)$; a test law with second moment $C_{test}$ and context noise $x^*_{te}$ has the error
#
# $$e = \rho + \tfrac1d\operatorname{tr}[C_{test}(I - \bar\Gamma)^2] + x^*_{te}\tfrac1d\operatorname{tr}\bar\Gamma^2
# + q\big(\tfrac1d\operatorname{tr}[C_{test}\Sigma(\Sigma+\epsilon)^{-2}] + x^*_{te}\tfrac1d\operatorname{tr}\Sigma(\Sigma+\epsilon)^{-2}\big).$$
#
# Partial fractions in the eigenvalue of $\hat S$ and the anisotropic deterministic equivalents turn every
# $C_{test}$-trace into $\operatorname{mean}_i c_i h(\lambda_i)$. The coefficient of $c_i$ is the kernel:

# %%
D = sym.derive_errors()
show(r"k(\lambda)", sp.simplify(D.kernel))
forms = sym.check_forms()
for name, ok in forms.items():
    print(f"{'ok ' if ok else 'FAIL'} {name}")
assert all(forms.values())

# %% [markdown]
# With $C_{train} = C_{test} = I$ the sum is Lu et al.'s ridge $e_{ICL}$ and $\tau q$ their $e_{IDG}$, identically
# modulo the Marchenko–Pastur quadratic — and numerically, on both sides of $\tau = 1$:

# %%
red = sym.reduction_to_paper1()
print(red)
from iclsym.onelayer import theory

tau = np.array([0.3, 0.8, 1.5, 4.0])
for lam in (0.0, 0.1):
    ours = al.alignment_errors(np.ones(4), np.ones(4), 2.0, tau, 0.7, 0.01, lam)["e_icl"]
    print(f"lam = {lam}: max relative difference {np.max(np.abs(ours / theory.e_icl(2.0, tau, 0.7, 0.01, lam) - 1)):.1e}")

# %% [markdown]
# And the NumPy path (cancellation-free forms, Newton) against the paper's as-written formulas at 50 digits
# (bracketed roots), on a rank-deficient spectrum:

# %%
lam_s = covariance("lowrank:0.5", 40).diag
c_s = covariance("revpowerlaw:0.5", 40).diag
r50 = P.errors(list(lam_s), list(c_s), 2, "0.6", "0.4", "0.01", dps=50)
rnp = al.alignment_errors(lam_s, c_s, 2.0, 0.6, 0.4, 0.01)
for key in ("e_icl", "e_scalar", "e_misalign", "q", "lambda_tilde"):
    print(f"{key:12s} numpy {float(rnp[key]):.15f}  relative error {abs(float(rnp[key]) / float(r50[key]) - 1):.1e}")

# %% [markdown]
# ## 3. The kernel: Fig. 1 and the ordering
#
# Descending ramp $C_{train}$, rank-one tests. Aligned directions improve with task diversity, mid-spectrum
# directions have an interior maximum, and the weakest direction gets *worse* as $\kappa$ grows.

# %%
from iclsym.figures.paper2 import fig1

kappa = np.linspace(0.05, 2.2, 120 if FAST else 300)
curves = fig1.theory_curves(kappa)
fig, ax = plt.subplots(1, 2, figsize=(10, 3.6), constrained_layout=True)
for label, (e, m) in curves.items():
    ax[0].plot(kappa, e, label=label)
    ax[1].plot(kappa, m, label=label)
ax[0].set_ylabel("e_ICL"), ax[1].set_ylabel("e_misalign")
for a_ in ax:
    a_.set_xlabel("kappa")
ax[0].legend(fontsize=7)
plt.show()

# %% [markdown]
# $dk/d\lambda$ has a numerator linear in $\lambda$ with negative slope, so $k$ is unimodal with its maximum at
# $\lambda_c = \nu/a - 2\alpha_0/\alpha_1$; for $\tau>1$, $\lambda_c < 0$ (the paper's theorem):

# %%
tp = sym.kernel_turning_point()
show(r"\lambda_c", tp.lam_c)
show(r"\left.2a\alpha_0 - \alpha_1\nu\right|_{\epsilon=0}", tp.margin_eps0_positive)  # positive since x* b < a

# %% [markdown]
# Below $\tau = 1$ the turning point can be positive, and then the ordering fails among the small eigenvalues.
# The example of docs/onelayer/alignment.md, confirmed at 50 digits:

# %%
eig = np.r_[0.001, 0.002, np.ones(18)]
st = al.alignment_state(eig, 80.0, 0.9, 3.0, 0.01)
print("lambda_c =", float(al.kernel_turning_point(st)))
print("k(0.001), k(0.002) =", al.kernel(np.array([0.001, 0.002]), st))
print("mpmath:", P.kernel([0.001, 0.002], list(eig), 80, "0.9", 3, "0.01", dps=30))

# %% [markdown]
# ## 4. Candidate measures (Fig. 2)

# %%
from iclsym.figures.paper2 import fig2

recs = fig2.family()
print(fig2.format_spearman(fig2.spearman_table(recs), "theory over the Fig. 2 family"))
for k_ in fig2.PARAMS["kappas"]:
    sub = [r for r in recs if r["kappa"] == k_]
    print(f"kappa = {k_:5}: Spearman with e_misalign {fig2.spearman_table(sub)['e_misalign']:.3f}")

# %% [markdown]
# ## 5. Ridge, finite $d$ and Monte Carlo
#
# The exact finite-$d$ error of a trained $\Gamma$ for Gaussian test tasks comes from Lemma 1 averaged over
# $w = \mu + z$, $z\sim\mathcal N(0, C)$, by Wick pairing with a named covariance:

# %%
from iclsym.onelayer.symbolic import gaussian_tasks as gt
from iclsym.onelayer.simulation.structured import gaussian_test_error, mc_gaussian_test_error

gS = gt.symbols()
show(r"\text{coefficient of } |g|^2/d", sp.factor(gt.gaussian_task_error().coeff(gS.T["T_gg"])))
Gm = np.random.default_rng(1).standard_normal((6, 7)) / 4
exact = gaussian_test_error(Gm, 5, 0.1, "spike:2")
mean, se = mc_gaussian_test_error(Gm, 5, 0.1, "spike:2", seed=2, n_test=20_000 if FAST else 200_000)
print(f"exact {exact:.5f}, brute force {mean:.5f} ± {se:.5f} (z = {(mean - exact) / se:+.2f})")

# %% [markdown]
# Simulations approach the theory like $1/d$, here for the ridge extension at $\lambda = 0.1$ below $\tau = 1$
# (the full acceptance runs are in `benchmarks/alignment_mc.py`):

# %%
from iclsym.onelayer.alignment_mc import approach, format_approach

ds_ = (12, 16, 20) if FAST else (40, 60, 80)
res = approach(ds_, 3 if FAST else 8, alpha=2.0, tau=0.6, kappa=1.0, rho=0.01, lam=0.1, train="powerlaw:0.9",
               tests="powerlaw:0.9")
print(format_approach(res, "ridge lam = 0.1"))

# %% [markdown]
# ## 6. Optimal pretraining for a given test
#
# For an isotropic test at $\alpha = 0.4$, $\tau = 5$ rank-one pretraining beats matched pretraining at low
# $\kappa$. Beyond the families, the exact gradient through the fixed point (adjoint of the $2\times2$ implicit
# system, pieces derived in SymPy) drives L-BFGS over the whole spectrum:

# %%
from iclsym.figures.paper2 import optimal
from iclsym.onelayer.theory.optimal_spectrum import best_in_family, optimal_spectrum

print(f"crossover kappa = {optimal.crossover():.4f}")
c_iso = np.ones(30)
for k_ in (0.3, 1.0):
    f_best, e_f = best_in_family("spike", c_iso, 0.4, 5.0, k_, 0.01)
    opt = optimal_spectrum(c_iso, 0.4, 5.0, k_, 0.01, max_iter=100 if FAST else 300)
    e_i = float(al.alignment_errors(np.ones(30), c_iso, 0.4, 5.0, k_, 0.01)["e_icl"])
    print(f"kappa = {k_}: matched {e_i:.5f}, best spike factor {f_best:.3f} -> {e_f:.5f}, "
          f"optimised spectrum {opt['e_icl']:.5f} (largest eigenvalue {opt['eigenvalues'].max():.2f})")

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
# # Double descent in the pretraining budget $\tau$: the ridgeless limit and the peak at $\tau=1$
#
# This notebook derives with SymPy (module `iclsym.onelayer.symbolic.limits`) the closed forms behind
# the paper's Fig. 1 (docs/onelayer/asymptotic-theory.md, docs/onelayer/limits.md):
#
# 1. the ridgeless limit $\lambda\to0^+$ of the ridge errors on each side of $\tau=1$, proved equal
#    to the paper's closed forms by a minimal-polynomial argument, and the $O(\lambda)$ correction;
# 2. the interpolation pole at $\tau=1$: order and residue from both sides;
# 3. the finite peak for $\lambda>0$: $e\simeq A\,\lambda^{-1/2}$ at $\tau=1$.
#
# Numbers are checked against the full theory (`iclsym.onelayer.theory`, `iclsym.onelayer.theory.precise` at 50 digits).
# `ICLSYM_FAST=1` uses coarser plot grids.

# %%
import os

import matplotlib.pyplot as plt
import mpmath
import numpy as np
import sympy as sp
from IPython.display import Math, display

from iclsym.onelayer import theory
from iclsym.onelayer.symbolic import limits as L
from iclsym.onelayer.theory import limits as TL
from iclsym.onelayer.theory import precise as full

FAST = os.environ.get("ICLSYM_FAST") == "1"
s = L.limit_symbols()
TEX = {s.xs: "x^*", s.m: "m^*", s.mt: r"\tilde m"}  # the paper's notation for the limit symbols


def show(label, expr):
    """Display ``label = expr`` as rendered LaTeX in the paper's notation (``expr``: SymPy or a LaTeX string)."""
    body = expr if isinstance(expr, str) else sp.latex(expr, symbol_names=TEX)
    display(Math(rf"{label} = {body}"))

# %% [markdown]
# ## 1. Ridgeless limit
#
# The fixed point is $F(\epsilon)=1-\tau+\tau\lambda/\epsilon-\epsilon M_\kappa(x^*+\epsilon)=0$.
# Solving for $\lambda$ gives $\lambda=\epsilon(\tau-1+\epsilon M)/\tau$: for $\tau>1$,
# $\epsilon\to0$ with $\epsilon/\lambda\to\tau/(\tau-1)$; for $\tau<1$, $\epsilon\to\epsilon_0$,
# the root of $\epsilon M_\kappa(x^*+\epsilon)=1-\tau$.  The claim
# $\epsilon_0=(1-\tau)/(\tau\tilde m)$ with $\tilde m=M_{\kappa/\tau}(x^*)$ is proved by showing that
# $M=\tau\tilde m$ solves the MP quadratic at $z=x^*+\epsilon_0$ whenever $\tilde m$ solves the
# $\kappa/\tau$ quadratic at $x^*$ (zero remainder of polynomial division).

# %%
r = L.derive_ridgeless(s)
for name, rem in r.checks.items():
    print(f"{name:55s} remainder: {rem}")
show(r"\lim_{\lambda\to0^+}\epsilon/\lambda\ (\tau > 1)", r.eps_over_lam_above)
show(r"\epsilon_0\ (\tau < 1)", r.eps0)

# %% [markdown]
# The derived ridgeless errors (ridge forms at $\epsilon=0$ or $\epsilon_0$) equal the paper's
# closed forms identically (the `... - target` remainders above).  Numerically, against the
# 50-digit full theory:

# %%
with mpmath.workdps(50):
    a, t, k, rho = 1, 0.2, 0.5, 0.01
    e = TL.ridgeless(a, t, k, rho)
    print("closed form (NumPy):", [float(v) for v in e])
    print("full theory (mp)   :", mpmath.nstr(full.e_icl(a, t, k, rho, 0), 20), mpmath.nstr(full.e_idg(a, t, k, rho, 0), 20))

# %% [markdown]
# **Leading $O(\lambda)$ correction.**  $e(\lambda)=e(0)+B\lambda+O(\lambda^2)$ with
# $B=\partial_\epsilon e\cdot d\epsilon/d\lambda$:

# %%
lc = L.derive_lam_correction(s)
display_eps = sp.factor(lc.deps_dlam_below)
show(r"\left.\frac{d\epsilon}{d\lambda}\right|_{\lambda=0},\ \tau > 1", lc.deps_dlam_above)
show(r"\left.\frac{d\epsilon}{d\lambda}\right|_{\lambda=0},\ \tau < 1", display_eps)
for t in (0.5, 2.0):
    B = TL.lam_slope(10.0, t, 0.5, 0.01)
    lam = 1e-7
    num = [(float(f(10.0, t, 0.5, 0.01, lam)) - float(f(10.0, t, 0.5, 0.01))) / lam for f in (theory.e_icl, theory.e_idg)]
    print(f"tau={t}: B (closed form) = {[float(b) for b in B]}, finite difference = {num}")

# %% [markdown]
# ## 2. The pole at $\tau=1$
#
# Writing $\tau=1\pm h$ and expanding in $h$ gives a simple pole from both sides with
# $C_{IDG}=\rho+x^*-x^{*2}m^*$ and $C_{ICL}=(1+x^*)m^*C_{IDG}$:

# %%
pole = L.derive_pole(s, r)
print("orders:", pole.orders)
for k_, v in pole.checks.items():
    print(f"{k_:30s} remainder {v}")
show("C_{IDG}", pole.C_idg)
show("C_{ICL}", pole.C_icl)

# %% [markdown]
# ## 3. The finite peak for $\lambda>0$
#
# At $\tau=1$, $F=0$ reads $\lambda=\epsilon^2 M_\kappa(x^*+\epsilon)$, so
# $\epsilon=\sqrt{\lambda/m^*}+O(\lambda)$, and the ridge errors behave as $A/\epsilon$:

# %%
pk = L.derive_peak(s)
show(r"\epsilon(\lambda)\ (q = \sqrt{\lambda})", pk.eps_series)
show("A_{ICL}", pk.coef_icl)
show("A_{IDG}", pk.coef_idg)
print("checks:", pk.checks)

# %%
with mpmath.workdps(50):
    A = TL.peak_coefficient(10.0, 0.5, 0.01)
    for lam in ("1e-12", "1e-16", "1e-20"):
        e = full.e_icl(10, 1, 0.5, 0.01, lam)
        print(f"lam={lam}: e_ICL sqrt(lam) = {mpmath.nstr(e * mpmath.sqrt(mpmath.mpf(lam)), 12)}  vs A = {float(A[0]):.12g}")

# %% [markdown]
# ## Figure: sample-wise double descent (paper Fig. 1 A/B theory, Fig. 1 C ridge)

# %%
n = 200 if FAST else 1200
tau = np.concatenate([np.geomspace(0.05, 0.995, n // 2), np.geomspace(1.005, 20, n // 2)])
fig, axes = plt.subplots(1, 3, figsize=(15, 4))
for alpha in (1, 10, 100):
    e_icl, e_idg = TL.ridgeless(alpha, tau, 0.5, 0.01)
    axes[0].loglog(tau, e_idg, label=f"alpha={alpha}")
    axes[1].loglog(tau, e_icl, label=f"alpha={alpha}")
    c_icl, c_idg = TL.pole_residue(alpha, 0.5, 0.01)
    near = np.abs(tau - 1) < 0.3
    axes[0].loglog(tau[near], c_idg / np.abs(tau[near] - 1), "k:", lw=0.8)
    axes[1].loglog(tau[near], c_icl / np.abs(tau[near] - 1), "k:", lw=0.8)
axes[0].set(title="ridgeless IDG (kappa=0.5, rho=0.01); dotted: C/|tau-1|", xlabel="tau")
axes[1].set(title="ridgeless ICL", xlabel="tau")
tau_r = np.geomspace(0.05, 20, n)
for lam in (1e-5, 0.1, 1.0):
    axes[2].loglog(tau_r, theory.e_icl(10.0, tau_r, np.inf, 0.01, lam), label=f"lam={lam:g}")
axes[2].loglog(tau, TL.kappa_inf_ridgeless(10.0, tau, 0.01), "k--", lw=0.8, label="ridgeless (closed form)")
axes[2].set(title="ridge ICL, alpha=10, kappa=inf", xlabel="tau")
for ax in axes:
    ax.legend(fontsize=8)
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Figure: the peak height scales as $\lambda^{-1/2}$

# %%
lams = np.geomspace(1e-10, 1e-2, 9 if FAST else 30)
e_peak = theory.e_icl(10.0, 1.0, 0.5, 0.01, lams)
A_icl, _ = TL.peak_coefficient(10.0, 0.5, 0.01)
fig, ax = plt.subplots(figsize=(5, 4))
ax.loglog(lams, e_peak, "o", label="full theory, tau = 1")
ax.loglog(lams, A_icl / np.sqrt(lams), "k--", label="A lam^(-1/2)")
ax.set(xlabel="lam", ylabel="e_ICL", title="finite peak at tau = 1")
ax.legend()
plt.show()
slope = np.polyfit(np.log(lams[:4]), np.log(e_peak[:4]), 1)[0]
print(f"fitted slope at small lam: {slope:.4f} (derived: -1/2)")

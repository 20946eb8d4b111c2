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
# # Deep linear attention: depth, time and compute
#
# The theory of Bordelon, Letey and Pehlevan, *Theory of Scaling Laws for In-Context Regression:
# Depth, Width, Context and Time*, in `iclsym.deep` (symbols: `docs/symbols.md`).
#
# 1. **ISO**: Marchenko-Pastur moments are Narayana polynomials; the risk of $L$ GD steps is a
#    polynomial in the step; its minimiser is $\gamma^*=L\alpha/(1+\alpha)$ and the minimum is a
#    partial sum of Catalan numbers.
# 2. **FS**: the per-mode gradient flow in closed form, and its time law.
# 3. **RRS**: depth helps even at infinite context ($\min_\gamma R\sim L^{-\beta}$); time law
#    $t^{-\beta/(2+\beta)}$.
# 4. **Compute-optimal shape** from the exponents.
#
# `ICLSYM_FAST=1` uses coarser grids.

# %%
import os

import matplotlib.pyplot as plt
import numpy as np
import sympy as sp
from IPython.display import Math, display

from iclsym.deep import dynamics, iso, structured
from iclsym.deep.data import power_law_spectrum
from iclsym.deep.exponents import compute_optimal_shape, exponents
from iclsym.deep.symbolic import exponents as SE
from iclsym.deep.symbolic import fs as SF
from iclsym.deep.symbolic import iso as SI

FAST = os.environ.get("ICLSYM_FAST", "0") == "1"
s = SI.symbols()
gamma, alpha, sigma2 = s.gamma, s.alpha, s.sigma2


def show(label, expr):
    """Display ``label = expr`` as rendered LaTeX (``expr``: a SymPy object or a LaTeX string)."""
    display(Math(rf"{label} = {expr if isinstance(expr, str) else sp.latex(expr)}"))

# %% [markdown]
# ## 1. Narayana moments
#
# With $c = 1/\alpha$ the moments of the sample covariance are
# $m_j = \sum_{k=1}^j N(j,k)\,c^{k-1}$, $N(j,k) = \binom{j}{k}\binom{j}{k-1}/j$.

# %%
for j in range(1, 5):
    show(f"m_{j}", sp.expand(SI.moment(j, alpha)))

# %% [markdown]
# Check against the exact quadrature of `iclsym.deep.iso` (two independent routes):

# %%
for j in range(1, 7):
    exact = float(SI.moment(j, alpha).subs(alpha, sp.Rational(3, 2)))
    assert abs(iso.mp_moment(j, 1.5) - exact) < 1e-12 * exact
print("moments agree")

# %% [markdown]
# ## 2. The risk polynomial and the optimal step
#
# $R_L(\gamma)=\sum_{j}\binom{2L}{j}(-\gamma/L)^j m_j + \frac{\sigma^2}{\alpha}\sum_{i,k}a_ia_k(\gamma/L)^{i+k}m_{i+k-1}$.

# %%
R1 = sp.expand(SI.risk_bias(1, gamma, alpha) + SI.risk_noise(1, gamma, alpha, sigma2))
show(r"R_1(\gamma)", R1)

# %%
R2 = sp.expand(SI.risk_bias(2, gamma, alpha))
gstar = 2 * alpha / (1 + alpha)
show(r"\left.\frac{dR_2}{d\gamma}\right|_{\gamma^*}", sp.cancel(sp.diff(R2, gamma).subs(gamma, gstar)))
show(r"R_2(\gamma^*)", sp.factor(R2.subs(gamma, gstar)))

# %% [markdown]
# For every depth checked ($L\le 6$ here and in the derivation script) $\gamma^*=L\alpha/(1+\alpha)$
# is stationary and $R_L(\gamma^*)$ equals the **Catalan closed form**
# $R^*_L = 1-\frac{\alpha}{1+\alpha}\sum_{n<L}\mathrm{Cat}_n\,x^n$, $x=\alpha/(1+\alpha)^2$.

# %%
for L in range(1, 5 if FAST else 7):
    c = SI.check_gamma_star(L, s)
    print(L, c["stationary"], c["catalan"])

# %% [markdown]
# Limits: the Catalan generating function $C(x)=(1-\sqrt{1-4x})/(2x)$ gives
# $R^*_\infty=[1-\alpha]_+$; at $\alpha=1$, $R^*_L=\binom{2L}{L}4^{-L}\sim 1/\sqrt{\pi L}$.

# %%
gen, below, above = SI.catalan_tail_form(alpha)
show(r"R^*_\infty\ (\alpha < 1)", below)
show(r"R^*_\infty\ (\alpha > 1)", above)
Ls = np.array([1, 2, 4, 8, 16, 32, 64, 128])
print([round(float(iso.iso_risk_star(1.0, int(L))) * np.sqrt(np.pi * L), 4) for L in Ls])

# %%
a = np.geomspace(0.05, 20, 200 if FAST else 600)
fig, ax = plt.subplots(figsize=(5, 3.5))
for L in (1, 2, 4, 8, 16, 64):
    ax.plot(a, iso.iso_risk_star(a, L), label=f"L={L}")
ax.plot(a, np.maximum(1 - a, 0), "k--", label=r"$[1-\alpha]_+$")
ax.set_xscale("log"); ax.set_yscale("log"); ax.set_ylim(1e-4, 1.1)
ax.set_xlabel(r"$\alpha$"); ax.set_ylabel(r"$R^*_L$"); ax.legend(fontsize=7)
plt.show()

# %% [markdown]
# ## 3. FS: the per-mode flow
#
# Gradient flow $\dot\gamma_k=-\partial R/\partial\gamma_k$ (the convention of the package):

# %%
gL, RL = SF.mode_solution()
print(SF.check_mode_solution())
show(r"R_k(t)", RL)

# %% [markdown]
# Summing $R_k(t)$ over a power-law spectrum gives $R\sim t^{-\nu\beta/(\nu\beta+2\nu+1)}$ at every depth.

# %%
lam, om = power_law_spectrum(20_000 if FAST else 200_000, 1.25, 1.25)
q = 1.25 * 1.25 + 2 * 1.25 + 1
t = np.geomspace(30.0 ** q, 300.0 ** q, 6)
for L in (1, 4):
    R = structured.fs_risk_time(t, lam, om, L)
    print(L, round(-np.polyfit(np.log(t), np.log(R), 1)[0], 4), "formula", round(exponents(1.25, 1.25)["fs_time"], 4))

# %% [markdown]
# ## 4. RRS: depth and time laws

# %%
lam, om = power_law_spectrum(4000, 1.5, 1.0)
Ls = [4, 8, 16, 32, 64] if FAST else [8, 16, 32, 64, 128, 256]
Rs = [structured.rrs_optimal_inf(lam, om, L)[1] for L in Ls]
print("depth exponent ~", round(-np.polyfit(np.log(Ls), np.log(Rs), 1)[0], 3), "(beta = 1)")
t = np.concatenate([[0.0], np.geomspace(1e2, 1e6, 8)])
g, R = dynamics.rrs_flow(t, lam, om, float("inf"))
print("time exponent ~", round(-np.polyfit(np.log(t[1:]), np.log(R[1:]), 1)[0], 3), "(beta/(2+beta) = 1/3)")

# %% [markdown]
# ## 5. Compute-optimal shape
#
# Exponents derived symbolically; minimising $\sum_i c_i x_i^{-a_i}$ at fixed $C=tN^2L$ gives
# $R\sim C^{-1/\sum_i b_i/a_i}$.

# %%
nu, beta, E = SE.derive_exponents()
for k in ("fs_time", "rrs_time", "depth", "width", "context", "full_attention_time", "compute"):
    name = k.replace("_", r"\_")
    show(rf"a_{{\mathrm{{{name}}}}}", E[k])  # R ~ X^(-a) in the resource X named by k
print(compute_optimal_shape(1.25, 1.0))

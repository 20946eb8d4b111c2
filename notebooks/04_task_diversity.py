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
# # Task diversity: the $\kappa=1$ transition, orders of limits, and the optimal context length
#
# SymPy derivations (`iclsym.onelayer.symbolic.limits`) of docs/onelayer/limits.md:
#
# 1. $\tau\to\infty$ at fixed $\alpha,\kappa$, then $\alpha\to\infty$: $g_{task}\to\max(0,1-\kappa)$,
#    with the exponents and coefficients of the approach (the kink at $\kappa=1$);
# 2. $\alpha\to\infty$ at fixed $\tau$: linear growth of $e_{ICL}$ for $\kappa<\min(\tau,1)$, and
#    what happens *at* the boundary; the Fig. 4 path $\tau=c\alpha$;
# 3. $\kappa\to\infty$;
# 4. the optimal context length $\alpha^*$ and the Fig. 3 phase diagram.
#
# `ICLSYM_FAST=1` uses coarser grids.

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
from iclsym.onelayer.theory.optimal import INTERIOR, phase_diagram

FAST = os.environ.get("ICLSYM_FAST") == "1"
s = L.limit_symbols()
NAMES = {"e_icl": "e_{ICL}", "e_idg": "e_{IDG}", "g_task": "g_{task}"}
TEX = {s.xs: "x^*", s.m: "m^*", s.mt: r"\tilde m"}  # the paper's notation for the limit symbols


def show(label, expr):
    """Display ``label = expr`` as rendered LaTeX in the paper's notation (``expr``: SymPy or a LaTeX string)."""
    body = expr if isinstance(expr, str) else sp.latex(expr, symbol_names=TEX)
    display(Math(rf"{label} = {body}"))
r = L.derive_ridgeless(s)

# %% [markdown]
# ## 1. $\tau\to\infty$, then $\alpha\to\infty$
#
# Setting $\tau=1/w$ in the $\tau>1$ ridgeless forms and expanding in $w$:

# %%
ti = L.derive_tau_inf(s, r)
print("checks vs the stated closed forms:", ti.checks)
show(r"e_{IDG}(\tau=\infty)", ti.e_idg)
show(r"D_{IDG}\ (\text{coefficient of } 1/\tau)", ti.D_idg)

# %% [markdown]
# As $\alpha\to\infty$, $x^*=(1+\rho)/\alpha\to0$, and $u=x^*M_\kappa(x^*)$ solves
# $u^2/\kappa+(x^*+1-1/\kappa)u-x^*=0$ with the physical branch $u\to1-\kappa$ ($\kappa<1$),
# $u\to0$ ($\kappa>1$) and $u\simeq\sqrt{x^*}$ at $\kappa=1$ (a Puiseux series in $t=\sqrt{x^*}$).
# The errors then expand as $L+A\,x^{*p}$:

# %%
ai = L.derive_alpha_inf_after_tau_inf(s, ti)
for regime, res in ai.regimes.items():
    for name, (lim, A, p) in res.items():
        tex = NAMES.get(name, name)
        show(rf"{tex}\ (\kappa {regime} 1)", rf"{sp.latex(lim)} + \left({sp.latex(A, symbol_names=TEX)}\right) (x^*)^{{{sp.latex(p)}}} + \dots")

# %% [markdown]
# So $g_{task}\to\max(0,1-\kappa)$: the $1/\alpha$ corrections of $e_{ICL}$ and $e_{IDG}$ are
# equal for $\kappa\ne1$ and cancel in $g_{task}$ (which then approaches like $\alpha^{-2}$),
# while at $\kappa=1$ the approach is $\tfrac12\sqrt{(1+\rho)/\alpha}$.  Check against the full
# theory at 50 digits ($\tau=10^{40}$ stands for $\infty$):

# %%
with mpmath.workdps(50):
    for kappa in (0.5, 1.0, 2.0):
        L_, A, p = (float(v) for v in TL.alpha_inf_tau_inf(kappa, 0.1)["g_task"])
        for alpha in ("1e6", "1e8"):
            g = full.g_task(alpha, "1e40", kappa, 0.1, 0)
            print(f"kappa={kappa}: alpha={alpha}: (g - L) alpha^p = {mpmath.nstr((g - L_) * mpmath.mpf(alpha) ** p, 10)}  (A = {A:.10g})")

# %% [markdown]
# ## 2. $\alpha\to\infty$ at fixed $\tau$ — the order of limits matters

# %%
af = L.derive_alpha_inf_fixed_tau(s, r)
for side, regimes in af.out.items():
    for regime, res in regimes.items():
        for name, (A, p, const) in res.items():
            print(f"tau {'>' if side == 'above' else '<'} 1, kappa {regime} min(tau,1): {name}: leading {A} x*^{p}")

# %% [markdown]
# Linear growth $e_{ICL}/\alpha\to\frac{\rho}{1+\rho}\frac{1-\kappa}{\tau-1}$ ($\tau>1$) or
# $\frac{\rho}{1+\rho}\frac{\tau-\kappa}{1-\tau}$ ($\tau<1$) for $\kappa<\min(\tau,1)$.
# *At* the boundary $\kappa=\min(\tau,1)$ the derivation finds $e_{ICL}\propto\alpha^{1/2}$,
# and, for $\tau<1$ and $\kappa=\tau$, **$e_{IDG}$ also grows like $\alpha^{1/2}$** (coefficient
# $\tfrac{\rho}{2}\,(1+\rho)^{-1/2}$) — a refinement of "IDG never diverges", which holds off the boundary:

# %%
with mpmath.workdps(50):
    A, q, _ = (float(v) for v in TL.alpha_inf_fixed_tau(0.5, 0.5, 0.1)["e_idg"])
    for alpha in ("1e6", "1e8", "1e10"):
        e = full.e_idg(alpha, 0.5, 0.5, 0.1, 0)
        print(f"alpha={alpha}: e_IDG / alpha^{q} = {mpmath.nstr(e / mpmath.mpf(alpha) ** q, 10)} (A = {A:.10g})")

# %% [markdown]
# **Fig. 4 path $\tau=c\alpha$**: $g_{task}\to(1-\kappa)[1+\rho/(c(1+\rho))]$ for $\kappa<1$, 0 otherwise.

# %%
tp = L.derive_tau_prop_alpha(s, r)
for name, lim in tp.limits.items():
    show(rf"\lim g\ \text{{({name})}}", lim)

# %% [markdown]
# ## 3. $\kappa\to\infty$ (unstructured tasks): $e_{ICL}=e_{IDG}$

# %%
ki = L.derive_kappa_inf(s, r)
print("checks:", ki.checks)
show(r"e_{ICL}(\kappa=\infty),\ \tau > 1", ki.e_icl_above)
show(r"e_{ICL}(\kappa=\infty),\ \tau < 1", ki.e_icl_below)

# %% [markdown]
# ## Figure: $g_{task}$ vs $\kappa$ and the $\alpha\to\infty$ asymptote (paper Fig. 4 theory)

# %%
kappa = np.geomspace(0.08, 96, 60 if FAST else 300)
fig, axes = plt.subplots(1, 2, figsize=(11, 4))
for alpha in (6, 10, 20, 40):
    axes[0].loglog(kappa, theory.g_task(alpha, 0.2 * alpha, kappa, 0.01), label=f"alpha={alpha}, tau=0.2 alpha")
axes[0].loglog(kappa, np.maximum(TL.g_task_tau_prop_alpha(0.2, kappa, 0.01), 1e-6), "k--", label="alpha -> inf")
axes[0].set(xlabel="kappa", ylabel="g_task", ylim=(1e-4, 2), title="task generalisation gap")
axes[0].legend(fontsize=8)
alphas = np.geomspace(10, 1e6, 40)
for kap in (0.5, 1.0, 2.0):
    g = theory.g_task(alphas, 1e12, kap, 0.1) - max(0.0, 1 - kap)
    axes[1].loglog(alphas, np.abs(g), label=f"kappa={kap}")
axes[1].set(xlabel="alpha", ylabel="|g_task - max(0, 1 - kappa)|", title="approach at tau = 1e12: alpha^-2 vs alpha^-1/2")
axes[1].legend(fontsize=8)
fig.tight_layout()
plt.show()

# %% [markdown]
# ## 4. Optimal context length and the phase diagram (paper Fig. 3)
#
# $de/d\alpha=-(x^{*2}/(1+\rho))\,de/dx^*$ with $dm^*/dx^*$ from the MP quadratic is generated as
# code; `iclsym.onelayer.theory.optimal.alpha_star` scans it on a log grid, brackets the sign change and
# refines by Illinois regula falsi for all cells at once.  White: $e$ decreasing in $\alpha$ on
# $[10^{-2},10^3]$ (the paper's grey region); dashed: $\kappa=\min(\tau,1)$.

# %%
kg = np.linspace(0.1, 2.1, 81 if FAST else 401)
rg = np.linspace(0.01, 1.0, 60 if FAST else 300)
fig, axes = plt.subplots(1, 3, figsize=(15, 4))
for ax, (tau, which) in zip(axes, [(0.5, "icl"), (0.5, "idg"), (20.0, "icl")]):
    pd = phase_diagram(tau, kg, rg, which)
    img = np.where(pd.kind == INTERIOR, np.log10(np.where(pd.kind == INTERIOR, pd.alpha_star, 1.0)), np.nan)
    im = ax.pcolormesh(kg, rg, img, shading="auto")
    ax.axvline(min(tau, 1.0), color="k", ls="--")
    ax.set(xlabel="kappa", ylabel="rho", title=f"log10 alpha*, tau={tau:g}, {which.upper()}")
    fig.colorbar(im, ax=ax)
fig.tight_layout()
plt.show()

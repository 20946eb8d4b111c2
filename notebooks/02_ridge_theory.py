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
# # Ridge theory: Stieltjes fixed point, $e_{ICL}$ and the derived $e_{IDG}$
#
# This notebook derives, with SymPy, the asymptotic errors of linear attention pretrained by
# ridge regression (docs/onelayer/asymptotic-theory.md; Lu et al. 2024, Result 1), and **derives the ridge IDG
# error**, which the paper does not give in closed form.  Every step is executed; numerical checks
# use `iclsym.onelayer.theory` (NumPy), `iclsym.onelayer.theory.precise` (mpmath) and `iclsym.onelayer.simulation` (Monte Carlo).
# Set `ICLSYM_FAST=1` for the fast setting (smaller Monte Carlo).
#
# Plan:
# 1. the Marchenko–Pastur transform $M_\kappa$ and its branch;
# 2. traces $\frac1d\operatorname{tr} f(\hat R)$ of rational $f$ reduced to $M_\kappa, M_\kappa'$ by partial fractions;
# 3. the Gaussian-equivalent ridge problem and its deterministic equivalent: the fixed point $F(\epsilon)=0$;
# 4. the test error for a shifted test law: $e_{ICL}$ (reproduces the paper's) and $e_{IDG}$ (new);
# 5. the ridgeless limit $\lambda\to0^+$ on both sides of $\tau=1$, and $\kappa=\infty$;
# 6. cancellation-free forms used by the NumPy evaluators; 7. Monte Carlo.

# %%
import os

import matplotlib.pyplot as plt
import mpmath
import numpy as np
import sympy as sp
from IPython.display import Markdown, Math, display

from iclsym.onelayer.symbolic.asymptotic import (
    e_icl_ridge,
    e_idg_ridge,
    fixed_point_deterministic_equivalent,
    fixed_point_F,
    mp_trace,
    ridgeless_targets,
    error_deterministic_equivalent,
)
from iclsym.engine.stieltjes import mp_quadratic, stieltjes_mp, stieltjes_mp_derivative

FAST = os.environ.get("ICLSYM_FAST", "0") == "1"
z, kappa, M = sp.symbols("z kappa M", positive=True)
TEX = {}  # LaTeX names of the placeholder symbols M(x*), M'(x*), M(nu), M'(nu) (filled below)


def show(label, expr):
    """Display ``label = expr`` as rendered LaTeX (``expr``: a SymPy object or a LaTeX string)."""
    body = expr if isinstance(expr, str) else sp.latex(expr, symbol_names=TEX)
    display(Math(rf"{label} = {body}"))

# %% [markdown]
# ## 1. The Marchenko–Pastur transform
#
# For the bank second moment $\hat R = \frac1k\sum_j w_j w_j^\top$ with $k=\kappa d$,
# $M_\kappa(z)=\lim\frac1d\operatorname{tr}(\hat R+z)^{-1}$ solves
# $Q(M)=\frac z\kappa M^2+(z+1-\frac1\kappa)M-1=0$.  For real $z>0$ the roots have product
# $-\kappa/z<0$; $M=\int d\mu(t)/(t+z)>0$ picks the positive one:

# %%
Mk = stieltjes_mp(z, kappa)
show(r"M_\kappa(z)", Mk)
assert sp.simplify(mp_quadratic(Mk, z, kappa)) == 0
# implicit differentiation of the quadratic, in terms of M = M_kappa(z)
show(r"M_\kappa'(z)", sp.simplify(stieltjes_mp_derivative(M, z, kappa)))

# %% [markdown]
# Behaviour at $z\to0$: an atom $1-\kappa$ at 0 when $\kappa<1$; $z^{-1/2}$ at $\kappa=1$;
# $M(0)=\kappa/(\kappa-1)$ for $\kappa>1$:

# %%
for kv in (sp.Rational(1, 2), sp.Integer(1), sp.Integer(3)):
    expr = stieltjes_mp(z, kv)
    lead = sp.limit(z * expr, z, 0, "+"), sp.limit(sp.sqrt(z) * expr, z, 0, "+"), sp.limit(expr, z, 0, "+")
    show(rf"\kappa = {sp.latex(kv)}:\quad \lim_{{z\to0^+}} \big(z M,\ \sqrt z M,\ M\big)", sp.Tuple(*lead))

# %% [markdown]
# Off the axis the branch is the Herglotz one ($\operatorname{Im}M<0$ for $\operatorname{Im}z>0$) when the
# discriminant's root is taken as $\sqrt{z+\lambda_-}\sqrt{z+\lambda_+}$, $\lambda_\pm=(1\pm\kappa^{-1/2})^2$
# (the analytic continuation off the cut $[-\lambda_+,-\lambda_-]$), which is what `iclsym.onelayer.theory.stieltjes_mp` does:

# %%
from iclsym.onelayer.theory import stieltjes_mp as M_np  # noqa: E402

zz = np.linspace(-6, 6, 121)[None, :] + 1j * np.logspace(-4, 1, 11)[:, None]
print("max Im M over the grid (must be < 0):", max(float(M_np(zz, k).imag.max()) for k in (0.2, 1.0, 3.0, np.inf)))

# %% [markdown]
# ## 2. Traces of rational functions of $\hat R$
#
# $\frac1d\operatorname{tr}f(\hat R)=\int f\,d\mu$.  Partial fractions in the eigenvalue $t$ turn every
# term $c/(t+a)^k$ into $c\,(-1)^{k-1}M^{(k-1)}(a)/(k-1)!$, and polynomial terms into moments of
# $\mu$ ($\int t\,d\mu=1$ since $|w|^2=d$).  With $x^*=(1+\rho)/\alpha$, $\epsilon$ and $\nu=x^*+\epsilon$:

# %%
xs, rho, tau, eps, lam, t = sp.symbols("x^* rho tau epsilon lambda t", positive=True)
names = {}


def Msym(a, j):
    """Symbols for M^{(j)} at x* (Mx, Mx') and at nu = x* + eps (S, S')."""
    key = (sp.simplify(a - xs), j)
    if key not in names:
        base = "M_x" if key[0] == 0 else "S"
        names[key] = sp.Symbol(base + "'" * j)
        TEX[names[key]] = {"M_x": "m^*", "S": "S"}[base] + r"'" * j
    return names[key]


S, Sp = Msym(xs + eps, 0), Msym(xs + eps, 1)
show(r"\tfrac1d\operatorname{tr}\hat R(\hat R+\nu)^{-1}", mp_trace(t / (t + xs + eps), t, kappa, Msym))
show(r"\tfrac1d\operatorname{tr}\hat R^2(\hat R+\nu)^{-2}", mp_trace(t**2 / (t + xs + eps) ** 2, t, kappa, Msym))
show(r"\tfrac1d\operatorname{tr}\Sigma(\Sigma+\epsilon)^{-2}", mp_trace((t + xs) / (t + xs + eps) ** 2, t, kappa, Msym))

# %% [markdown]
# ## 3. Gaussian equivalence and the fixed point
#
# For large $d$ the label is $y=x^\top w+\text{noise}$ and the features are $\operatorname{vec}(x s^\top)$,
# $s=w+\xi$ with $\xi$ of variance $x^*$ per coordinate (the context estimate of $w$; the $q$ column is
# negligible).  Conditionally on the bank, the feature covariance is $\frac1d I\otimes\Sigma$ with
# $\Sigma=\hat R+x^*I$.  The best linear predictor of $w$ from $s$ is $\Gamma_0=\hat R\Sigma^{-1}$, leaving
# the effective noise $\sigma_{\rm eff}^2=\rho+\frac1d\operatorname{tr}\hat R(I-\Sigma^{-1}\hat R)=\rho+x^*(1-x^*M(x^*))$.
#
# Pretraining is then ridge regression with $n=\tau d^2$ samples, $d^2$ parameters and penalty
# $(n/d)\lambda$.  Its deterministic equivalent (Gaussian-equivalent features) replaces the penalty by an
# effective regulariser $\epsilon$ solving $\lambda=\epsilon(1-\mathrm{df}_1/n)$,
# $\mathrm{df}_1=\operatorname{tr}C(C+\epsilon)^{-1}$; the Kronecker structure gives $\mathrm{df}_1/n=\frac1\tau\frac1d\operatorname{tr}\Sigma(\Sigma+\epsilon)^{-1}$.
# Reduced to $M$, this is exactly the paper's $F(\epsilon)=0$:

# %%
fp = fixed_point_deterministic_equivalent(xs, tau, lam, eps, t, kappa, Msym)
F = fixed_point_F(eps, tau, lam, xs, S)
show(r"F(\epsilon)", F)
show(r"\text{deterministic equivalent} - \epsilon F(\epsilon)", sp.simplify(fp - eps * F))

# %% [markdown]
# **Branch rule.**  $\epsilon M(x^*+\epsilon)=\int\frac{\epsilon}{t+x^*+\epsilon}d\mu$ increases strictly
# and concavely from 0 to 1, and $-\tau\lambda/\epsilon$ increases concavely, so $h=-F$ is increasing and
# concave: one positive root for $\lambda>0$; for $\lambda=0$ one root if $\tau<1$ and $\epsilon\to0$ if
# $\tau\ge1$.  `iclsym.onelayer.theory.solve_eps` starts Newton left of the root (tangents lie above a concave
# function, so the iterates increase monotonically to the root).  For $\lambda\to\infty$, $\epsilon\sim\lambda$
# (not $\tau\lambda$):

# %%
from iclsym.onelayer.theory import solve_eps  # noqa: E402

print("eps/lam at lam = 1e8 for tau = 0.3, 3:", solve_eps(2.0, [0.3, 3.0], 0.5, 0.1, 1e8) / 1e8)

# %% [markdown]
# ## 4. Test errors: one formula, two test laws
#
# The trained $\Gamma$ has mean $\bar\Gamma=\hat R(\Sigma+\epsilon)^{-1}$ (eigenvalues $\gamma=t/(t+\nu)$)
# and a fluctuation whose size is set by the training numerator $N$ and $\tau-\mathrm{df}_2$,
# $\mathrm{df}_2=\frac1d\operatorname{tr}\Sigma^2(\Sigma+\epsilon)^{-2}$.  For a test task law with second
# moment eigenvalue $t_{\rm test}$ ($t$ for IDG: bank tasks; $1$ for ICL: fresh tasks),
#
# $$e=\rho+\int\big[(1-\gamma)^2t_{\rm test}+x^*\gamma^2\big]d\mu+\frac{N}{\tau-\mathrm{df}_2}\int\frac{(t_{\rm test}+x^*)(t+x^*)}{(t+\nu)^2}d\mu,$$
#
# $$N=\rho+\int\big[(1-\gamma)^2t+x^*\gamma^2\big]d\mu=\sigma_{\rm eff}^2+\epsilon^2\tfrac1d\operatorname{tr}\hat R^2\Sigma^{-1}(\Sigma+\epsilon)^{-2}.$$
#
# The last identity holds eigenvalue by eigenvalue (so for any spectrum, not only the MP limit):

# %%
nu = xs + eps
gamma = t / (t + nu)
lhs = (1 - gamma) ** 2 * t + xs * gamma**2
rhs = xs * t / (t + xs) + eps**2 * t**2 / ((t + xs) * (t + nu) ** 2)  # sigma_eff^2 - rho, + bias
assert sp.simplify(lhs - rhs) == 0
show(r"(1-\gamma)^2 t + x^*\gamma^2", sp.factor(rhs))

# %% [markdown]
# Reduced to $S=M(\nu)$ and $S'=M'(\nu)$: the ICL law reproduces the paper's $e_{ICL}$, and the IDG law gives
# the **ridge IDG error** $e_{IDG}=\tau N/(\tau-\mathrm{df}_2)=-\tau c_e$:

# %%
e_icl_de = error_deterministic_equivalent(xs, rho, tau, eps, t, kappa, Msym, test="icl")
e_idg_de = error_deterministic_equivalent(xs, rho, tau, eps, t, kappa, Msym, test="idg")
e_icl_paper, c_e = e_icl_ridge(xs, rho, tau, eps, S, Sp)
show(r"e_{ICL}^{\text{det. equiv.}} - e_{ICL}^{\text{paper}}", sp.simplify(e_icl_de - e_icl_paper))
show(r"e_{IDG}^{\text{det. equiv.}} + \tau c_e", sp.simplify(e_idg_de + tau * c_e))
assert Msym(xs, 0) not in sp.simplify(e_idg_de).free_symbols  # e_IDG does not involve M(x*)
e_idg_closed = sp.factor(sp.simplify(e_idg_de))
show(r"e_{IDG}", e_idg_closed)

# %% [markdown]
# ## 5. Limits
#
# **$\kappa=\infty$** ($\hat R=I$, $M=1/(1+z)$): ICL and IDG coincide identically.

# %%
S_inf = 1 / (1 + nu)
show(r"\left.e_{ICL} - e_{IDG}\right|_{\kappa=\infty}",
     sp.simplify(e_icl_ridge(xs, rho, tau, eps, S_inf, -S_inf**2)[0] - e_idg_ridge(xs, rho, tau, eps, S_inf, -S_inf**2)))

# %% [markdown]
# **$\lambda\to0^+$, $\tau>1$**: $\epsilon\to0$ ($\epsilon\sim\tau\lambda/(\tau-1)$).  At $\epsilon=0$,
# with $m^*=M(x^*)$, the ridge forms are the paper's ridgeless $\tau>1$ formulas (identities modulo the
# MP quadratic for $m^*$; `tests/onelayer/theory/test_symbolic_ridge.py` proves the $e_{ICL}$ one with $k^*$):

# %%
alpha, m = sp.symbols("alpha m", positive=True)
x_a = (1 + rho) / alpha
Spm = stieltjes_mp_derivative(m, x_a, kappa)
tg = ridgeless_targets(alpha, tau, kappa, rho)
b = x_a + 1 - 1 / kappa
sq = sp.sqrt(b**2 + 4 * x_a / kappa)
above_idg = tg.e_idg_above.xreplace({sq: 2 / m - b})
quad = sp.expand((x_a / kappa * m**2 + (x_a + 1 - 1 / kappa) * m - 1) * alpha * kappa)
diff = sp.together(e_idg_ridge(x_a, rho, tau, 0, m, Spm) - above_idg)
show(r"\tau > 1:\ e_{IDG}\text{ remainder modulo the MP quadratic}", sp.expand(sp.prem(sp.numer(diff), quad, m)))

# %% [markdown]
# **$\lambda\to0^+$, $\tau<1$**: the root tends to $\epsilon_0=(1-\tau)x^*/(\tau\mu^*)$ with
# $\mu^*=x^*M_{\kappa/\tau}(x^*)$ — a subordination identity that SymPy does not prove directly; we check it,
# and the paper's ridgeless $\tau<1$ formulas, at 50 digits.  The gap to the ridge value is linear in $\lambda$:

# %%
from iclsym.onelayer._generated import asymptotic_mpmath as design  # noqa: E402
from iclsym.onelayer.theory import precise as tmp  # noqa: E402

rng = np.random.default_rng(0)
worst = mpmath.mpf(0)
for _ in range(10 if FAST else 60):
    a_, k_, r_ = 10 ** rng.uniform(-1, 3), 10 ** rng.uniform(-1.3, 3), rng.uniform(0, 2)
    t_ = rng.uniform(0.05, 0.98)
    with mpmath.workdps(60):
        args = [mpmath.mpf(v) for v in (a_, t_, k_, r_)]
        ref = (design.ridgeless_e_icl_below(*args), design.ridgeless_e_idg_below(*args), design.ridgeless_eps0(*args))
    got = tmp.errors(a_, t_, k_, r_, 0, dps=50)[:2] + (tmp.solve_eps(a_, t_, k_, r_, 0, dps=50),)
    worst = max(worst, max(abs(g - r) / r for g, r in zip(got, ref)))
display(Markdown(f"$\\tau < 1$, $\\lambda = 0$: largest relative difference to the paper's formulas at 50 digits: "
                 f"${mpmath.nstr(worst, 3)}$"))
with mpmath.workdps(60):
    for tau_ in (0.5, 2.0):
        e0 = tmp.errors(3, tau_, 0.6, 0.1, 0, dps=60)
        slopes = [(tmp.errors(3, tau_, 0.6, 0.1, mpmath.mpf(10) ** -p, dps=60)[1] - e0[1]) * mpmath.mpf(10) ** p for p in (15, 20, 25)]
        print(f"tau = {tau_}: (e_IDG(lam) - e_IDG(0))/lam at lam = 1e-15, 1e-20, 1e-25:", [mpmath.nstr(s, 12) for s in slopes])

# %% [markdown]
# ## 6. Cancellation-free forms (NumPy path)
#
# the paper's formulas subtract nearly equal numbers (e.g. $1-\nu S$ for large $\nu$, $\mathrm{df}_2-\tau$ near
# the threshold).  Every trace is an integral of a positive function, and the MP quadratic gives
# $1-\nu S=S/(1+S/\kappa)$, $M'=-S(1+S/\kappa)/D$ with $D=\sqrt{(\nu+\lambda_-)(\nu+\lambda_+)}$; at the fixed
# point $\tau-\mathrm{df}_2=\epsilon(S+\epsilon S')+\tau\lambda/\epsilon>0$.  The generated module
# `iclsym/onelayer/_generated/asymptotic.py` holds these forms; `tests/onelayer/theory/test_symbolic_ridge.py` proves them equal to
# the paper's, and `tests/onelayer/theory/test_theory_accuracy.py` compares NumPy with 50-digit mpmath (max relative error
# ~1e-14 over 10^4 random points).

# %%
from iclsym.onelayer.theory import errors  # noqa: E402

pts = [(1, 0.2, 0.5, 0.01, 1e-5), (1, 0.2, 0.5, 0.01, 0.0), (10, 0.99, 1.0, 0.01, 0.0), (10, 2.0, 0.5, 0.01, 1e-6)]
for p in pts:
    e_np = errors(*p)
    e_mp = tmp.errors(*p, dps=30)
    print(p, " e_ICL =", f"{float(e_np[0]):.15g}", " e_IDG =", f"{float(e_np[1]):.15g}",
          " max rel diff to mpmath:", f"{max(abs(float(a) - float(b)) / float(b) for a, b in zip(e_np[:2], e_mp[:2])):.1e}")

# %% [markdown]
# ## 7. Monte Carlo check of the derived $e_{IDG}$
#
# Finite-$d$ simulations (`iclsym.onelayer.simulation.simulate`, exact test errors of the trained $\Gamma$) against
# the theory at the *effective* ratios.  Deviations are $O(1/d)$ (docs/onelayer/finite-size.md).

# %%
from iclsym.onelayer.simulation import simulate  # noqa: E402

d = 24 if FAST else 64
runs = 2 if FAST else 4
sims = {}
for p in [(2, 0.5, 0.5, 0.1, 0.1), (2, 2.0, 0.5, 0.1, 0.1), (2, 0.5, 2.0, 0.1, 1.0), (2, 2.0, 2.0, 0.1, 1.0)]:
    s = simulate(*p, d, runs=runs, seed=1, progress=False)
    r0 = s["runs"][0]
    th = errors(r0["alpha_eff"], r0["tau_eff"], r0["kappa_eff"], p[3], p[4])
    sims[p] = s
    print(f"{p}: d = {d}: e_IDG sim {s['e_idg_mean']:.4f} ± {s['e_idg_se']:.4f}  theory {float(th[1]):.4f}   "
          f"e_ICL sim {s['e_icl_mean']:.4f} ± {s['e_icl_se']:.4f}  theory {float(th[0]):.4f}")

# %% [markdown]
# The same points on the theory curves in $\tau$ ($\alpha = 2$, $\rho = 0.1$):

# %%
tau_grid = np.geomspace(0.1, 10, 200)
fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), constrained_layout=True)
for ax, (kap, lam_) in zip(axes, [(0.5, 0.1), (2.0, 1.0)]):
    e_icl_th, e_idg_th, _ = errors(2.0, tau_grid, kap, 0.1, lam_)
    ax.loglog(tau_grid, e_icl_th, "C0", label=r"$e_{ICL}$ (theory)")
    ax.loglog(tau_grid, e_idg_th, "C1", label=r"$e_{IDG}$ (theory)")
    for p, s in sims.items():
        if p[2] == kap:
            ax.errorbar(p[1], s["e_icl_mean"], 2 * s["e_icl_se"], fmt="o", color="C0")
            ax.errorbar(p[1], s["e_idg_mean"], 2 * s["e_idg_se"], fmt="s", color="C1")
    ax.set(xlabel=r"$\tau$", title=rf"$\alpha = 2$, $\kappa = {kap}$, $\rho = 0.1$, $\lambda = {lam_}$, $d = {d}$")
    ax.legend(fontsize=8)
plt.show()

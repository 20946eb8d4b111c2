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
# # Lemma 1: conditional moments and the exact finite-$d$ test error
#
# This notebook follows the appendix of Lu, Letey, Zavatone-Veth, Maiti & Pehlevan (2024)
# for the paper's Lemma 1 (docs/onelayer/lemma1.md). Every formula below is **derived** by the
# symbolic Gaussian moment engine of `iclsym.onelayer.symbolic` with $d$, $\ell$, $\rho$ and
# $\sigma^2 = |w|^2/d$ kept symbolic, then checked against a quick Monte Carlo.
#
# **Setting.** Tokens $x_i \sim N(0, I_d/d)$ i.i.d., labels $y_i = \langle w, x_i\rangle + \epsilon_i$,
# $\epsilon_i \sim N(0, \rho)$. The reduced linear attention predicts
# $\hat y = \langle \Gamma, H_Z\rangle$ with $H_Z = x_{\ell+1} h^\top$,
# $h = [s; q]$, $s = \frac{d}{\ell}\sum_{i\le \ell} y_i x_i$, $q = \frac1\ell\sum_{i\le\ell} y_i^2$.

# %%
import os
import time

import matplotlib.pyplot as plt
import numpy as np
import sympy as sp
from IPython.display import Math, display

from iclsym.onelayer.symbolic import lemma1 as moments, reduction
from iclsym.engine import tensornet as tn

FAST = os.environ.get("ICLSYM_FAST", "0") == "1"
N_MC = 4_000 if FAST else 40_000  # sequences per Monte Carlo check
S = moments.symbols()


def show(label, tex):
    """Display ``label: formula`` as rendered LaTeX (``tex`` is a LaTeX string)."""
    display(Math(rf"{label} = {tex}"))


# %% [markdown]
# ## 1. The engine: Wick pairings, token sums, contractions
#
# An expression is written with abstract indices (Einstein convention). Its expectation is
# taken in three steps:
#
# 1. **Token sums.** A product of $m$ sums $\sum_{i_1}\cdots\sum_{i_m}$ over the $\ell$ i.i.d.
#    context tokens is split by which indices coincide (set partitions). A partition into
#    $b$ blocks runs over $\ell(\ell-1)\cdots(\ell-b+1)$ tuples of distinct tokens, and the
#    expectation factorises over the blocks.
# 2. **Isserlis/Wick.** Within one token, the expectation of a product of components is the
#    sum over pairings; each pair of components gives $\delta_{ab}/d$, each pair of noises $\rho$.
# 3. **Contraction.** The deltas, $w$ and any deterministic matrices form chains and loops:
#    a closed delta loop is $d$, $w^\top w = d\sigma^2$, and what remains is expressed in the
#    basis $\{w, I_d, w w^\top\}$ (or traces such as $\operatorname{tr}(G R G^\top)$).
#
# A first example: $E[q^2 \mid w]$. The two sums give the partitions $\{i\}\{j\}$ (weight
# $\ell(\ell-1)$, factor $E[y^2]^2$) and $\{i, j\}$ (weight $\ell$, factor $E[y^4] = 3E[y^2]^2$).

# %%
t0 = time.perf_counter()
q = moments.q_scalar()
qq = moments.lemma1_expect(q * q)
show(r"E[q^2 \mid w]", moments.tensor_latex(qq))
assert sp.simplify(qq.data[()] - (1 + 2 / S.ell) * (S.sigma2 + S.rho) ** 2) == 0

# the same number by hand from the two partitions
v = S.sigma2 + S.rho
by_hand = (S.ell * (S.ell - 1) * v**2 + S.ell * 3 * v**2) / S.ell**2
assert sp.simplify(by_hand - qq.data[()]) == 0

# %% [markdown]
# ## 2. Conditional moments of $h$ given $w$

# %%
M = moments.derive_moments()
show(r"E[s \mid w]", moments.tensor_latex(M.s, ("a",)))
show(r"E[q \mid w]", moments.tensor_latex(M.q))
show(r"E[s s^\top \mid w]", moments.tensor_latex(M.ss, ("a", "b")))
show(r"E[s q \mid w]", moments.tensor_latex(M.sq, ("a",)))
show(r"E[q^2 \mid w]", moments.tensor_latex(M.qq))

# %% [markdown]
# The $1/\ell$ corrections come from the diagonal terms $i = j$ of the double sums. For
# $E[s s^\top]$: the $\ell$ diagonal terms contribute
# $E[y^2 x x^\top] = (\sigma^2+\rho) I/d + 2 w w^\top/d^2$ each and the $\ell(\ell-1)$ off-diagonal
# ones $E[y x]E[y x]^\top = w w^\top/d^2$; with the prefactor $d^2/\ell^2$ this is
# $\frac{d}{\ell}(\sigma^2+\rho) I + \frac{2}{\ell} w w^\top + (1 - \frac1\ell) w w^\top$.

# %%
x0 = tn.x("c", "a") * tn.x("c", "b") * moments.label("c") * moments.label("c")
diag = moments.lemma1_expect(x0)
show(r"E[y^2 x x^\top \mid w]\ \text{(one token)}", moments.tensor_latex(diag, ("a", "b")))

# %% [markdown]
# ## 3. Label-feature and feature-feature moments
#
# The query token is independent of the context with $E[x x^\top] = I/d$, hence
# $E[y_{\ell+1} H_Z \mid w] = \frac1d w E[h|w]^\top$ and
# $E[\operatorname{vec} H_Z \operatorname{vec} H_Z^\top \mid w] = E[h h^\top|w]\otimes I_d/d$.
# The engine derives the four-index tensors and we compare them with these factorised forms.

# %%
show(r"E[y H_Z \mid w],\ s\text{ block}", moments.tensor_latex(M.yH_s, ("a", "b")))
show(r"E[y H_Z \mid w],\ q\text{ column}", moments.tensor_latex(M.yH_q, ("a",)))
for name, ok in moments.structure_checks().items():
    print(f"{'OK ' if ok else 'FAIL'} {name}")
    assert ok

# %% [markdown]
# ## 4. The conditional error and the exact test error
#
# Given $h$, only the query is random:
# $E[(y_{\ell+1} - \langle\Gamma, H_Z\rangle)^2 \mid w, h] = \rho + \frac1d|w - \Gamma h|^2$.
# Averaging with the moments above, then over a task law with mean $\mu$, second moment $R$
# and $|w|^2 = d\sigma^2$ gives Lemma 1 in the trace variables
# $T_{GR} = \operatorname{tr}(GR)/d$, $T_{g\mu} = g^\top\mu/d$, $T_{GG} = \operatorname{tr}(GG^\top)/d$,
# $T_{GRG} = \operatorname{tr}(GRG^\top)/d$, $T_{gG\mu} = g^\top G\mu/d$, $T_{gg} = |g|^2/d$.

# %%
show(r"E[(y_{\ell+1} - \langle\Gamma, H_Z\rangle)^2 \mid w, h]", moments.tensor_latex(moments.conditional_error_given_h()))
e = moments.error_functional()
coeffs = moments.error_coefficients()
show(r"e(\Gamma; \mu, R)", moments.join_latex([(coeffs[0], "")] + [(c, moments.latex(T)) for c, T in zip(coeffs[1:], S.T)]))

# the direct expansion of (y - <Gamma, H_Z>)^2 gives the same functional
direct = moments._as_T(moments.average_over_tasks(moments.error_given_task_direct()))
assert sp.simplify(direct - e) == 0

# %% [markdown]
# The paper writes the same result (tasks of norm $\sqrt d$) as
# $e = 1 + \rho - \frac2d\operatorname{tr}(\Gamma A) + \frac{1+\rho}{d}\operatorname{tr}(\Gamma B\Gamma^\top)$;
# in the ICL case ($\mu = 0$, $R = I$) with $\Gamma = [cI \mid 0]$ both reduce to a quadratic
# in $c$ whose minimiser is the finite-$d$ optimal scalar gain:

# %%
c = sp.Symbol("c")
T = dict(zip(S.T, [c, 0, c**2, c**2, 0, 0]))
e_scalar = sp.factor(e.subs(T).subs(S.sigma2, 1))
c_opt = sp.solve(sp.diff(e_scalar, c), c)[0]
show(r"e([cI \mid 0])\ \text{(ICL, sphere)}", sp.latex(e_scalar))
show(r"c^*", sp.latex(sp.factor(c_opt)))

# %% [markdown]
# ## 5. Gaussian tasks
#
# For $w\sim N(0, I_d)$, $\sigma^2$ is random with $E\sigma^2 = 1$, $E\sigma^4 = 1 + 2/d$. The
# engine pairs $w$ as well; against the sphere the only change is an extra term in $c_{gg}$:

# %%
show(r"\Delta c_{gg}\ \text{(Gaussian tasks)}", moments.latex(moments.gaussian_task_correction()))
w_sq = tn.vec("w", "a") * tn.vec("w", "a") * (1 / S.d)
E_sigma4 = moments.lemma1_expect(w_sq * w_sq, tasks="gaussian").data[()]
show(r"E\,\sigma^4", sp.latex(sp.factor(E_sigma4)))
print(f"symbolic derivation time so far: {time.perf_counter() - t0:.2f} s")

# %% [markdown]
# ## 6. Monte Carlo check
#
# Sequences built token by token (`iclsym.onelayer.simulation.samplers.reference_sample`), for one fixed
# task of squared norm $1.3\,d$ (so $\sigma^2 = 1.3$), at a few $(d, \ell)$. We report
# $z = (\text{mean} - \text{theory})/\text{SE}$ for projections of each moment on random
# directions, and for the squared error of a random $\Gamma$.

# %%
from iclsym.onelayer.simulation.samplers import reference_sample


def sample(w, ell, rho, n, rng):
    d = w.size
    xq, h, y = reference_sample(np.ascontiguousarray(np.broadcast_to(w, (n, d))), ell, rho, rng)
    return h[:, :d], h[:, d], xq, y


rng = np.random.default_rng(0)
rho = 0.4
rows = []
for d, ell in [(3, 2), (6, 4), (10, 3)]:
    w = rng.standard_normal(d)
    w *= np.sqrt(1.3 * d) / np.linalg.norm(w)
    s, qv, xq, y = sample(w, ell, rho, N_MC, rng)
    vals = {S.d: d, S.ell: ell, S.rho: rho, S.sigma2: 1.3}
    u, v = rng.standard_normal(d), rng.standard_normal(d)
    checks = {
        "u.s": (s @ u, M.s.evaluate(vals, {"w": w}, ("a",)) @ u),
        "q": (qv, M.q.evaluate(vals, {"w": w})),
        "u.s s.v": ((s @ u) * (s @ v), u @ M.ss.evaluate(vals, {"w": w}, ("a", "b")) @ v),
        "u.s q": ((s @ u) * qv, M.sq.evaluate(vals, {"w": w}, ("a",)) @ u),
        "q^2": (qv**2, M.qq.evaluate(vals, {"w": w})),
        "y u.x s.v": (y * (xq @ u) * (s @ v), u @ M.yH_s.evaluate(vals, {"w": w}, ("a", "b")) @ v),
    }
    Gamma = rng.standard_normal((d, d + 1)) / d
    err = (y - np.einsum("nd,de,ne->n", xq, Gamma, np.column_stack([s, qv]))) ** 2
    G, g = Gamma[:, :d], Gamma[:, d]
    Tv = dict(zip(S.T, [w @ G @ w / d, g @ w / d, np.sum(G * G) / d, w @ G.T @ G @ w / d, g @ G @ w / d, g @ g / d]))
    checks["(y - <Gamma,H>)^2"] = (err, float(e.subs(Tv).subs(vals)))
    for name, (samples, theory) in checks.items():
        z = (samples.mean() - float(theory)) / (samples.std(ddof=1) / np.sqrt(N_MC))
        rows.append((d, ell, name, samples.mean(), float(theory), z))

print(f"{'d':>3} {'ell':>3}  {'quantity':<20} {'MC mean':>11} {'theory':>11} {'z':>6}")
for d, ell, name, mean, theory, z in rows:
    print(f"{d:>3} {ell:>3}  {name:<20} {mean:>11.5f} {theory:>11.5f} {z:>+6.2f}")
# exact finite-d formulas: no 1/d allowance; 4 SE per check
assert all(abs(r[-1]) < 4 for r in rows), "a Monte Carlo check is off by more than 4 SE"

fig, ax = plt.subplots(figsize=(7, 3))
ax.bar(range(len(rows)), [r[-1] for r in rows], color=[f"C{[3, 6, 10].index(r[0])}" for r in rows])
ax.axhspan(-2, 2, color="0.9", zorder=0)
ax.set_xticks(range(len(rows)), [f"{r[2]} (d={r[0]})" for r in rows], rotation=70, fontsize=7)
ax.set_ylabel("z = (MC mean - theory) / SE")
ax.set_title("Lemma 1 moments and error: Monte Carlo vs exact formulas")
plt.show()

# %% [markdown]
# ## 7. Where $\langle\Gamma, H_Z\rangle$ comes from
#
# One linear-attention layer with residual connection and the mask $M = \operatorname{diag}(1,\dots,1,0)$
# (the query does not attend to itself), read at the label slot of the query column:
# $\hat y = [Z + \frac1\ell V Z M Z^\top K^\top Q Z]_{d+1,\ell+1}$. Because the query label slot
# is 0, the residual and the last column of $K^\top Q$ drop out; only the last row of $V$ is read.
# With $v_{21} = 0$ (the paper's parametrisation) the prediction is exactly
# $\langle\Gamma, H_Z\rangle$ with $\Gamma = [v_{22} A_{11}^\top/d \mid v_{22} a_{21}]$; the $d$ of
# $s$ is absorbed into $G$.

# %%
red = reduction.derive_reduction(2, 2)
print("y_hat - <Gamma, H_Z> - residual =", red.difference)
print("weights that never enter:", sorted(red.unused))
show(r"\Gamma\ (d = 2)", sp.latex(red.gamma))

"""Derive the paper's Lemma 1 (docs/onelayer/lemma1.md) and generate its code and its write-up.

Outputs
-------
* ``iclsym/onelayer/_generated/lemma1.py``     -- NumPy flavour,
* ``iclsym/onelayer/_generated/lemma1_mpmath.py``  -- mpmath flavour,
* ``derivations/out/lemma1.md``       -- the derived moments, the error functional, the reduction.

Every formula is produced by the Wick/contraction engine of :mod:`iclsym.onelayer.symbolic.lemma1`
(``d, ell, rho, sigma2`` symbolic); nothing below restates a result by hand.  The structural
statements of docs/onelayer/lemma1.md are checked here and the build fails if one does not hold.

Run ``iclsym derive --only lemma1`` (or ``python derivations/onelayer/lemma1.py``).
"""

from __future__ import annotations

from pathlib import Path

import sympy as sp

from iclsym.onelayer.symbolic import lemma1 as moments, reduction
from iclsym.engine.codegen import Formula, GenFunction, render_module, render_page, run_script, script_hash

SCRIPT = "derivations/onelayer/lemma1.py"

COEFF_NAMES = ("c0", "c_GR", "c_gmu", "c_GG", "c_GRG", "c_gGmu", "c_gg")
T_DEFS = (
    r"T_{GR} = \operatorname{tr}(G R)/d",
    r"T_{g\mu} = g^\top \mu / d",
    r"T_{GG} = \operatorname{tr}(G G^\top)/d",
    r"T_{GRG} = \operatorname{tr}(G R G^\top)/d",
    r"T_{gG\mu} = g^\top G \mu / d",
    r"T_{gg} = |g|^2/d",
)


def _checked(condition: bool, what: str) -> None:
    if not condition:
        raise RuntimeError(f"derivation check failed: {what}")


def functions():
    """The generated functions (shared by both flavours)."""
    S = moments.symbols()
    d, ell, rho, sigma2 = S.d, S.ell, S.rho, S.sigma2
    M = moments.derive_moments()
    coeffs = moments.error_coefficients()
    corr = moments.gaussian_task_correction()
    ss = M.ss.data
    ss_I = ss[(("chain", ("f", "a"), (), ("f", "b")),)]
    ss_ww = ss[tuple(sorted([("chain", ("f", "a"), (), ("v", "w")), ("chain", ("f", "b"), (), ("v", "w"))], key=repr))]
    sq_w = M.sq.data[(("chain", ("f", "a"), (), ("v", "w")),)]
    q_mean = M.q.data[()]
    qq = M.qq.data[()]
    return [
        GenFunction(
            "error_coefficients",
            [d, ell, rho, sigma2],
            list(coeffs),
            "Coefficients ``(c0, c_GR, c_gmu, c_GG, c_GRG, c_gGmu, c_gg)`` of the exact finite-d test error\n"
            "(the paper's Lemma 1; docs/onelayer/lemma1.md):\n\n"
            "    e = c0 + c_GR T_GR + c_gmu T_gmu + c_GG T_GG + c_GRG T_GRG + c_gGmu T_gGmu + c_gg T_gg\n\n"
            "for Gamma = [G | g] and a test-task law with mean mu, second moment R and tasks of\n"
            "squared norm d*sigma2.  Broadcasts over arrays (constant entries stay scalars).\n\n"
            ">>> [float(c) for c in error_coefficients(10, 5, 0.5, 1.0)]\n"
            "[1.5, -2.0, -3.0, 3.0, 1.2, 4.2, 3.15]",
        ),
        GenFunction(
            "gaussian_task_correction",
            [d, ell, rho],
            corr + 0 * rho,
            "Extra c_gg for Gaussian tasks w ~ N(0, I_d) versus tasks on the sphere (ICL; docs/onelayer/lemma1.md).\n\n"
            ">>> float(gaussian_task_correction(10, 2, 0.1))\n"
            "0.4",
        ),
        GenFunction(
            "h_moments",
            [d, ell, rho, sigma2],
            [q_mean, ss_I, ss_ww, sq_w, qq],
            "Conditional moments of h = [s; q] given w (Lemma 1): ``(E q, a, b, c, E q^2)`` with\n"
            "E s = w, E s s^T = a I + b w w^T, E s q = c w (docs/onelayer/lemma1.md).\n\n"
            ">>> [float(c) for c in h_moments(4, 2, 0.5, 1.0)]\n"
            "[1.5, 3.0, 1.5, 3.0, 4.5]",
        ),
    ]


GLOSSARY = {
    r"d": r"token dimension",
    r"\ell": r"context length (tokens per sequence before the query)",
    r"\rho": r"label-noise variance",
    r"w": r"the task vector (with components $w_a$)",
    r"\sigma^2": r"$|w|^2/d$, the squared task norm per dimension",
    r"x_i": r"context tokens, $x_i \sim N(0, I_d/d)$; $x = x_{\ell+1}$ is the query token",
    r"y_i": r"labels $y_i = \langle w, x_i\rangle + \epsilon_i$, $\epsilon_i \sim N(0, \rho)$",
    r"s": r"$\frac{d}{\ell}\sum_{i\le\ell} y_i x_i$",
    r"q": r"$\frac1\ell\sum_{i\le\ell} y_i^2$",
    r"h": r"$[s; q]$",
    r"H_Z": r"$x_{\ell+1} h^\top$, the features of the reduced model",
    r"\Gamma": r"$[G \mid g]$, the attention matrix of the reduced model, $\hat y = \langle\Gamma, H_Z\rangle$",
    r"I_d": r"the $d\times d$ identity",
    r"\delta_{ac}": r"Kronecker delta of the indices $a, c$",
    r"\mu": r"mean of the test-task law",
    r"R": r"second moment of the test-task law",
    r"T_{GR}": r"$\operatorname{tr}(GR)/d$",
    r"T_{g\mu}": r"$g^\top\mu/d$",
    r"T_{GG}": r"$\operatorname{tr}(GG^\top)/d$",
    r"T_{GRG}": r"$\operatorname{tr}(GRG^\top)/d$",
    r"T_{gG\mu}": r"$g^\top G\mu/d$",
    r"T_{gg}": r"$|g|^2/d$",
}

REDUCTION_TEXT = r"""The sequence is embedded as the $(d+1)\times(\ell+1)$ matrix
$Z = \begin{bmatrix} x_1 & \cdots & x_\ell & x_{\ell+1} \\ y_1 & \cdots & y_\ell & 0 \end{bmatrix}$
(the query label slot is 0). One linear-attention layer with a residual connection outputs
$f(Z) = Z + \frac1\ell V Z M (Z^\top K^\top Q Z)$ with the mask $M = \operatorname{diag}(1, \dots, 1, 0)$
(the query attends to the context only), and the prediction is the label slot of the query column,
$\hat y = f(Z)_{d+1,\ell+1}$. Only $A = K^\top Q$ enters. With the blocks
$V = \begin{bmatrix} V_{11} & v_{12} \\ v_{21}^\top & v_{22} \end{bmatrix}$ and
$A = \begin{bmatrix} A_{11} & a_{12} \\ a_{21}^\top & a_{22} \end{bmatrix}$ ($V_{11}, A_{11}$ are $d\times d$)
and $X = [x_1, \dots, x_\ell]$,

$$
\hat y = \langle \Gamma, H_Z \rangle + \tfrac1\ell v_{21}^\top X X^\top A_{11} x_{\ell+1},
\qquad \Gamma = \left[\tfrac1d\left(v_{22} A_{11}^\top + a_{21} v_{21}^\top\right) \,\middle|\, v_{22} a_{21}\right],
\qquad H_Z = x_{\ell+1} [s; q]^\top,
$$

so with $v_{21} = 0$ (the paper's parametrisation) the prediction is exactly $\langle\Gamma, H_Z\rangle$."""

COEFF_TEX = ("c_0", "c_{GR}", r"c_{g\mu}", "c_{GG}", "c_{GRG}", r"c_{gG\mu}", "c_{gg}")


def symbol_names(S):
    names = {S.sigma2: r"\sigma^2"}
    names.update(zip(S.T, [r"T_{GR}", r"T_{g\mu}", r"T_{GG}", r"T_{GRG}", r"T_{gG\mu}", r"T_{gg}"]))
    return names


def pages(source_hash: str) -> dict[str, str]:
    """``derivations/out/lemma1.md`` and the closed-forms data module."""
    S = moments.symbols()
    M = moments.derive_moments()
    tl = moments.tensor_latex
    checks = moments.structure_checks()
    for name, ok in checks.items():
        _checked(ok, name)
    coeffs = moments.error_coefficients()
    corr = moments.gaussian_task_correction()
    e_h = moments.conditional_error_given_h()
    red = reduction.derive_reduction(2, 2)
    _checked(red.difference == 0, "reduction identity at d=2, ell=2")
    gen = "iclsym.onelayer._generated.lemma1"

    items = [
        (
            "## Setting",
            "Tokens $x_i \\sim N(0, I_d/d)$ i.i.d., labels $y_i = \\langle w, x_i\\rangle + \\epsilon_i$ with "
            "$\\epsilon_i \\sim N(0,\\rho)$; $s = \\frac{d}{\\ell}\\sum_{i\\le\\ell} y_i x_i$, "
            "$q = \\frac1\\ell \\sum_{i\\le\\ell} y_i^2$, $h = [s; q]$, $H_Z = x_{\\ell+1} h^\\top$, "
            "$\\sigma^2 = |w|^2/d$. Moments are derived by Isserlis/Wick pairing within each token, "
            "splitting the token sums by index coincidences (falling factorials of $\\ell$), and "
            "contracting the index network; $d, \\ell, \\rho, \\sigma^2$ stay symbolic.",
        ),
        ("## Conditional moments of $h$ given $w$", ""),
        Formula("E_s", r"$E[s \mid w]$", tl(M.s, ("a",)), lhs=r"E[s \mid w]"),
        Formula("E_q", r"$E[q \mid w]$", tl(M.q), lhs=r"E[q \mid w]", function=f"{gen}:h_moments", output=0),
        Formula("E_ss", r"$E[s s^\top \mid w]$", tl(M.ss, ("a", "b")), lhs=r"E[s s^\top \mid w]"),
        Formula("E_sq", r"$E[s q \mid w]$", tl(M.sq, ("a",)), lhs=r"E[s q \mid w]"),
        Formula("E_qq", r"$E[q^2 \mid w]$", tl(M.qq), lhs=r"E[q^2 \mid w]", function=f"{gen}:h_moments", output=4),
        Formula("E_yy", r"$E[y_{\ell+1}^2 \mid w]$", tl(M.yy), lhs=r"E[y_{\ell+1}^2 \mid w]"),
        ("## Label-feature and feature-feature moments", ""),
        Formula("E_yH_s", r"$E[y_{\ell+1} H_Z \mid w]$, $s$-block", tl(M.yH_s, ("a", "b")),
                lhs=r"E[y_{\ell+1} H_Z \mid w]_{s}"),
        Formula("E_yH_q", r"$E[y_{\ell+1} H_Z \mid w]$, $q$-column", tl(M.yH_q, ("a",)),
                lhs=r"E[y_{\ell+1} H_Z \mid w]_{q}"),
        Formula("E_HH_ss", r"$E[x_a s_b x_c s_e \mid w]$ with $x = x_{\ell+1}$ (a block of "
                r"$E[\operatorname{vec} H_Z \operatorname{vec} H_Z^\top \mid w]$)", moments.index_latex(M.HH_ss),
                lhs=r"E[x_a s_b x_c s_e \mid w]"),
        Formula("E_HH_sq", r"$E[x_a s_b x_c q \mid w]$", moments.index_latex(M.HH_sq), lhs=r"E[x_a s_b x_c q \mid w]"),
        Formula("E_HH_qq", r"$E[x_a q x_c q \mid w]$", moments.index_latex(M.HH_qq), lhs=r"E[x_a q x_c q \mid w]"),
        Formula(
            "checked_identities",
            "Checked identities (engine output compared with the factorised forms)",
            "\\begin{aligned}"
            + " \\\\ ".join(
                [
                    r"&E[y_{\ell+1} H_Z \mid w] = \tfrac1d\, w\, E[h \mid w]^\top",
                    r"&E[\operatorname{vec} H_Z \operatorname{vec} H_Z^\top \mid w] = E[h h^\top \mid w] \otimes I_d/d",
                    r"&E[(y_{\ell+1} - \langle\Gamma, H_Z\rangle)^2 \mid w, h] = \rho + \tfrac1d |w - \Gamma h|^2",
                ]
            )
            + "\\end{aligned}",
        ),
        Formula("conditional_error",
                r"$E[(y_{\ell+1} - \langle\Gamma, H_Z\rangle)^2 \mid w, h]$ as derived ($s, q$ fixed; "
                r"$\Gamma h = G s + g q$)", tl(e_h), lhs=r"E[(y_{\ell+1} - \langle\Gamma, H_Z\rangle)^2 \mid w, h]"),
        ("## Exact test error (Lemma 1)", "Trace variables: $" + "$, $".join(T_DEFS) + "$. "
         "Tasks have mean $\\mu$, second moment $R$ and $|w|^2 = d\\sigma^2$."),
        Formula("error", r"The exact test error $e(\Gamma; \mu, R)$ (Lemma 1)", moments.error_functional(),
                lhs=r"e(\Gamma; \mu, R)"),
    ]
    for i, (name, tex, c) in enumerate(zip(COEFF_NAMES, COEFF_TEX, coeffs)):
        items.append(Formula(name, f"${tex}$", c, lhs=tex, function=f"{gen}:error_coefficients", output=i))
    items += [
        (
            "## Gaussian tasks",
            "For $w \\sim N(0, I_d)$ the engine pairs $w$ as well; compared with the sphere "
            "($\\mu = 0$, $R = I$, $\\sigma^2 = 1$) the ICL error differs only in $c_{gg}$:",
        ),
        Formula("gaussian_c_gg", r"Extra $c_{gg}$ for Gaussian tasks", corr, lhs=r"\Delta c_{gg}",
                function=f"{gen}:gaussian_task_correction"),
        ("## Reduction from linear attention", REDUCTION_TEXT),
        Formula(
            "reduction_check",
            r"Checked at $d = 2$, $\ell = 2$ with symbolic weights and data",
            r"\hat y - \langle \Gamma, H_Z \rangle - \tfrac1\ell v_{21}^\top X X^\top A_{11} x_{\ell+1} = "
            + sp.latex(red.difference),
        ),
        (
            "### Weight entries that do not enter the prediction",
            "At $d = 2$ (0-based indices, index 2 = label slot; $A = K^\\top Q$): "
            + ", ".join(f"`{u}`" for u in sorted(red.unused))
            + ". The prediction is linear in the last row of $V$ and in the first $d$ columns of $K^\\top Q$.",
        ),
    ]
    return render_page(
        SCRIPT,
        source_hash,
        "Lemma 1: conditional moments and the exact finite-$d$ test error",
        items,
        intro="Generated from the symbolic moment engine; the notebook `01_conditional_moments` walks through it.",
        glossary=GLOSSARY,
        symbol_names=symbol_names(S),
    )


def build() -> dict[str, str]:
    """Map output paths to their text (see module docstring)."""
    source_hash = script_hash(Path(__file__))
    fns = functions()
    doc = (
        "The paper's Lemma 1 (docs/onelayer/lemma1.md): exact finite-d test-error coefficients and the\n"
        "conditional moments of h = [s; q], derived symbolically by derivations/onelayer/lemma1.py."
    )
    return {
        "iclsym/onelayer/_generated/lemma1.py": render_module(SCRIPT, source_hash, fns, "numpy", doc),
        "iclsym/onelayer/_generated/lemma1_mpmath.py": render_module(SCRIPT, source_hash, fns, "mpmath", doc),
        **pages(source_hash),
    }


if __name__ == "__main__":
    run_script(build)

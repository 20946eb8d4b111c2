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
from iclsym.engine.codegen import GenFunction, render_markdown, render_module, run_script, script_hash

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


def markdown(source_hash: str) -> str:
    S = moments.symbols()
    M = moments.derive_moments()
    L = moments.latex
    tl = moments.tensor_latex
    checks = moments.structure_checks()
    for name, ok in checks.items():
        _checked(ok, name)
    coeffs = moments.error_coefficients()
    corr = moments.gaussian_task_correction()
    e_h = moments.conditional_error_given_h()
    red = reduction.derive_reduction(2, 2)
    _checked(red.difference == 0, "reduction identity at d=2, ell=2")

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
        ("## Conditional moments of h given w", ""),
        ("E[s | w]", tl(M.s, ("a",))),
        ("E[q | w]", tl(M.q)),
        ("E[s s^T | w]", tl(M.ss, ("a", "b"))),
        ("E[s q | w]", tl(M.sq, ("a",))),
        ("E[q^2 | w]", tl(M.qq)),
        ("E[y_{ell+1}^2 | w]", tl(M.yy)),
        ("## Label-feature and feature-feature moments", ""),
        ("E[y_{ell+1} H_Z | w], s-block", tl(M.yH_s, ("a", "b"))),
        ("E[y_{ell+1} H_Z | w], q-column", tl(M.yH_q, ("a",))),
        ("E[x_a s_b x_c s_e | w] (x = x_{ell+1}; block of E[vec H_Z vec H_Z^T | w])", moments.index_latex(M.HH_ss)),
        ("E[x_a s_b x_c q | w]", moments.index_latex(M.HH_sq)),
        ("E[x_a q x_c q | w]", moments.index_latex(M.HH_qq)),
        (
            "Checked identities (engine output compared with the factorised forms)",
            "\\begin{aligned}"
            + " \\\\ ".join(
                [
                    r"&E[y_{\ell+1} H_Z | w] = \tfrac1d\, w\, E[h|w]^\top",
                    r"&E[\operatorname{vec} H_Z \operatorname{vec} H_Z^\top | w] = E[h h^\top|w] \otimes I_d/d",
                    r"&E[(y_{\ell+1} - \langle\Gamma, H_Z\rangle)^2 | w, h] = \rho + \tfrac1d |w - \Gamma h|^2",
                ]
            )
            + "\\end{aligned}",
        ),
        (
            "E[(y_{ell+1} - <Gamma, H_Z>)^2 | w, h] as derived (s, q fixed; Gamma h = G s + g q)",
            tl(e_h),
        ),
        ("## Exact test error (Lemma 1)", "Trace variables: $" + "$, $".join(T_DEFS) + "$. "
         "Tasks have mean $\\mu$, second moment $R$ and $|w|^2 = d\\sigma^2$."),
        ("e(Gamma; mu, R)", moments.join_latex([(coeffs[0], "")] + [(c, L(T)) for c, T in zip(coeffs[1:], S.T)])),
    ]
    for name, c in zip(COEFF_NAMES, coeffs):
        items.append((name, L(c)))
    items += [
        (
            "## Gaussian tasks",
            "For $w \\sim N(0, I_d)$ the engine pairs $w$ as well; compared with the sphere "
            "($\\mu = 0$, $R = I$, $\\sigma^2 = 1$) the ICL error differs only in $c_{gg}$:",
        ),
        ("Extra c_gg for Gaussian tasks", L(corr)),
        ("## Reduction from linear attention", reduction.__doc__.split("Convention.")[1].split("Which blocks")[0].strip()),
        (
            "Checked at d = 2, ell = 2 with symbolic weights and data",
            r"\hat y - \langle \Gamma, H_Z \rangle - \tfrac1\ell v_{21}^\top X X^\top A_{11} x_{\ell+1} = "
            + sp.latex(red.difference),
        ),
        (
            "### Weight entries that do not enter the prediction",
            "At d = 2 (0-based indices, index 2 = label slot; A = K^T Q): "
            + ", ".join(f"`{u}`" for u in sorted(red.unused))
            + ". The prediction is linear in the last row of V and in the first d columns of K^T Q.",
        ),
    ]
    return render_markdown(
        SCRIPT,
        source_hash,
        "Lemma 1: conditional moments and the exact finite-d test error",
        items,
        intro="Generated from the symbolic moment engine; see notebooks/01_conditional_moments.py for the walk-through.",
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
        "derivations/out/lemma1.md": markdown(source_hash),
    }


if __name__ == "__main__":
    run_script(build)

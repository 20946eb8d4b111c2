"""Scaling exponents of deep linear attention (paper 3) as expressions in ``nu, beta``.

Derived in :mod:`iclsym.deep.symbolic.exponents` from scaling arguments.  The generated code takes
``mb1 = min(beta, 1)`` and ``mb2 = min(beta, 2)`` as arguments (the saturations of the width and
context laws), so it needs nothing beyond NumPy.  The script fails unless the derived exponents
agree with the stated ones (``fs_time = nu beta/(nu beta + 2 nu + 1)``, ``rrs_time = beta/(2 + beta)``,
``full_attention_time = 5 beta/(5 beta + 2)``, ``compute = nu beta/((3 + beta) nu + 2)`` for
``beta <= 1``).
"""

from __future__ import annotations

from pathlib import Path

import sympy as sp

from iclsym.deep.symbolic.exponents import derive_exponents
from iclsym.engine.codegen import Formula, GenFunction, render_module, render_page, run_script, script_hash

SCRIPT = "derivations/deep/scaling_exponents.py"
KEYS = ("fs_time", "rrs_time", "depth", "width", "context", "full_attention_time", "compute")
EXTRA = ("compute_with_context", "reduced_compute", "shape_L_per_N", "shape_t_per_L", "full_attention_w")


def derived():
    nu, beta, out = derive_exponents()
    mb1, mb2 = sp.symbols("mb1 mb2", positive=True)
    stated = {
        "fs_time": nu * beta / (nu * beta + 2 * nu + 1),
        "rrs_time": beta / (2 + beta),
        "depth": beta,
        "full_attention_time": 5 * beta / (5 * beta + 2),
        "full_attention_w": 1 / (5 * beta + 2),
        "reduced_compute": beta / (3 + beta),
    }
    for k, v in stated.items():
        if sp.simplify(out[k] - v) != 0:
            raise AssertionError(f"exponent {k}: derived {out[k]} != stated {v}")
    low = {sp.Min(1, beta): beta, sp.Min(2, beta): beta}
    if sp.simplify(out["compute"].subs(low) - nu * beta / ((3 + beta) * nu + 2)) != 0:
        raise AssertionError("compute exponent for beta <= 1")
    sub = {sp.Min(1, beta): mb1, sp.Min(2, beta): mb2}
    code = {k: sp.simplify(v.subs(sub)) for k, v in out.items()}
    return nu, beta, mb1, mb2, out, code


def functions():
    nu, beta, mb1, mb2, out, code = derived()
    return [
        GenFunction("exponents", [nu, beta, mb1, mb2], [code[k] for k in KEYS],
                    "Decay exponents (" + ", ".join(KEYS) + ");\nmb1 = min(beta, 1), mb2 = min(beta, 2)."),
        GenFunction("extra_exponents", [nu, beta, mb1, mb2], [code[k] for k in EXTRA],
                    "(" + ", ".join(EXTRA) + "); mb1 = min(beta, 1), mb2 = min(beta, 2)."),
    ]


#: exponent -> (LaTeX name, caption)
EXPONENTS = {
    "fs_time": (r"a_{t}^{FS}", r"FS, training time: $R \sim t^{-a}$"),
    "rrs_time": (r"a_{t}^{RRS}", r"RRS, training time: $R \sim t^{-a}$"),
    "depth": (r"a_{L}", r"depth: $R \sim L^{-a}$"),
    "width": (r"a_{N}", r"width: $R \sim N^{-a}$"),
    "context": (r"a_{P}", r"context length: $R \sim P^{-a}$"),
    "full_attention_time": (r"a_{t}^{full}", r"full attention, training time: $R \sim t^{-a}$"),
    "compute": (r"a_{C}", r"compute-optimal: $R \sim C^{-a}$"),
    "compute_with_context": (r"a_{C}^{P}", r"compute-optimal with the context length also scaled"),
    "reduced_compute": (r"a_{C}^{red}", r"compute-optimal, reduced model"),
    "shape_L_per_N": (r"a", r"compute-optimal shape: $L \propto N^{a}$"),
    "shape_t_per_L": (r"b", r"compute-optimal shape: $t \propto L^{b}$"),
    "full_attention_w": (r"a_{w}^{full}", r"full attention: exponent of the width-like term"),
}

GLOSSARY = {
    r"\nu": r"capacity exponent of the token spectrum, $\lambda_k = k^{-\nu}$",
    r"\beta": r"source exponent, $\omega_k\lambda_k \propto k^{-\nu\beta - 1}$",
    r"t": r"training time", r"L": r"depth", r"N": r"width", r"P": r"context length",
    r"C": r"compute $t N^2 L$ (context length held fixed)",
}


def pages(h):
    """``derivations/out/scaling_exponents.md`` and the closed-forms data module."""
    nu, beta, mb1, mb2, out, code = derived()
    gen = "iclsym.deep._generated.scaling_exponents"

    def formula(k, i, fn):
        tex, caption = EXPONENTS[k]
        return Formula(k, caption, out[k], lhs=tex, function=f"{gen}:{fn}", output=i)

    items = [("## Decay exponents", r"Each risk decays as a power law $R \sim X^{-a}$ in one resource $X$.")]
    items += [formula(k, i, "exponents") for i, k in enumerate(KEYS)]
    items += [("## Compute-optimal shape and variants",
               "$C = t N^2 L$ (context length held fixed); $L \\propto N^{a}$, $t \\propto L^{b}$.")]
    items += [formula(k, i, "extra_exponents") for i, k in enumerate(EXTRA)]
    intro = (f"Derived by `{SCRIPT}` from `iclsym/deep/symbolic/exponents.py`; the theory is on the page "
             "*Scaling laws* (paper 3). The generated functions take `mb1` $= \\min(\\beta, 1)$ and "
             "`mb2` $= \\min(\\beta, 2)$ as extra arguments.")
    return render_page(SCRIPT, h, "Deep linear attention: scaling exponents", items, intro, glossary=GLOSSARY)


def build() -> dict[str, str]:
    h = script_hash(Path(__file__).resolve())
    fns = functions()
    doc = "Scaling exponents in nu, beta, derived in derivations/deep/scaling_exponents.py (wrapped by iclsym.deep.exponents)."
    return {
        "iclsym/deep/_generated/scaling_exponents.py": render_module(SCRIPT, h, fns, "numpy", doc),
        "iclsym/deep/_generated/scaling_exponents_mpmath.py": render_module(SCRIPT, h, fns, "mpmath", doc),
        **pages(h),
    }


if __name__ == "__main__":
    run_script(build)

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
from iclsym.engine.codegen import GenFunction, render_markdown, render_module, run_script, script_hash

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


def markdown(h):
    nu, beta, mb1, mb2, out, code = derived()
    items = [("## Decay exponents (R ~ X^-exponent)", "")]
    items += [(k, sp.Eq(sp.Symbol(k.replace("_", r"\_")), out[k])) for k in KEYS]
    items += [("## Compute-optimal shape and variants",
               "$C = t N^2 L$ (context length held fixed); $L \\propto N^{a}$, $t \\propto L^{b}$.")]
    items += [(k, sp.Eq(sp.Symbol(k.replace("_", r"\_")), out[k])) for k in EXTRA]
    intro = f"Derived by `{SCRIPT}` from `iclsym/deep/symbolic/exponents.py`; see `docs/deep/scaling.md`."
    return render_markdown(SCRIPT, h, "Deep linear attention: scaling exponents", items, intro)


def build() -> dict[str, str]:
    h = script_hash(Path(__file__).resolve())
    fns = functions()
    doc = "Scaling exponents in nu, beta, derived in derivations/deep/scaling_exponents.py (wrapped by iclsym.deep.exponents)."
    return {
        "iclsym/deep/_generated/scaling_exponents.py": render_module(SCRIPT, h, fns, "numpy", doc),
        "iclsym/deep/_generated/scaling_exponents_mpmath.py": render_module(SCRIPT, h, fns, "mpmath", doc),
        "derivations/out/scaling_exponents.md": markdown(h),
    }


if __name__ == "__main__":
    run_script(build)

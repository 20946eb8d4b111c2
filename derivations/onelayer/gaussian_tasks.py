"""Derivation script: the exact finite-d test error for Gaussian test tasks N(mu, C) -> generated code.

Produces

* ``iclsym/onelayer/_generated/gaussian_tasks.py``        -- NumPy flavour,
* ``iclsym/onelayer/_generated/gaussian_tasks_mpmath.py`` -- mpmath flavour,
* ``derivations/out/gaussian_tasks.md``                   -- the result in LaTeX.

The error given the task is Lemma 1 (derived by the moment engine, :mod:`iclsym.onelayer.symbolic.lemma1`);
the Gaussian task average is taken by Wick pairing with a named covariance
(:mod:`iclsym.onelayer.symbolic.gaussian_tasks`).  The build checks the reduction to Lemma 1's
Gaussian-task ICL error (``C = I``, ``mu = 0``), derived there by an independent single pass.

Run ``iclsym derive --only gaussian_tasks`` (or ``python derivations/onelayer/gaussian_tasks.py``).
"""

from __future__ import annotations

from pathlib import Path

import sympy as sp

from iclsym.engine.codegen import Formula, GenFunction, render_module, render_page, run_script, script_hash
from iclsym.onelayer.symbolic import gaussian_tasks as gt
from iclsym.onelayer.symbolic import lemma1

SCRIPT = "derivations/onelayer/gaussian_tasks.py"


def reduction_holds() -> bool:
    """``C = I``, ``mu = 0``: equal to Lemma 1's Gaussian-task ICL error (``T_GC -> T_GR``, ``T_GCG -> T_GG``)."""
    S, L = gt.symbols(), lemma1.symbols()
    T = S.T
    zero = {T[n]: 0 for n in ("t_mm", "t_mCm", "T_gm", "T_gGm", "T_gCm", "T_gGCm", "T_mGm", "T_GmGm")}
    red = gt.gaussian_task_error().subs({**zero, T["t_C"]: 1, T["t_CC"]: 1, T["T_GC"]: L.T[0],
                                         T["T_GCG"]: L.T[2], T["T_GG"]: L.T[2], T["T_gg"]: L.T[5]})
    return sp.simplify(red - lemma1.gaussian_icl_error()) == 0


def functions():
    S = gt.symbols()
    args = [S.d, S.ell, S.rho] + [S.T[n] for n in gt.TRACE_NAMES]
    return [GenFunction(
        "gaussian_task_error",
        args,
        gt.gaussian_task_error(),
        "Exact finite-d test error of Gamma = [G | g] for test tasks w ~ N(mu, C) (Lemma 1 averaged over\n"
        "Gaussian tasks; docs/onelayer/alignment.md).  Trace variables, all divided by d:\n"
        "t_C = tr C, t_CC = tr C^2, t_mm = |mu|^2, t_mCm = mu^T C mu, T_GC = tr(G C), T_GCG = tr(G C G^T),\n"
        "T_GG = tr(G G^T), T_gg = |g|^2, T_gm = g.mu, T_gGm = g^T G mu, T_gCm = g^T C mu,\n"
        "T_gGCm = g^T G C mu, T_mGm = mu^T G mu, T_GmGm = |G mu|^2.",
    )]


#: trace variable -> (LaTeX, definition); every trace is divided by d
TRACES = {
    "t_C": (r"t_{C}", r"\operatorname{tr} C"), "t_CC": (r"t_{CC}", r"\operatorname{tr} C^2"),
    "t_mm": (r"t_{\mu\mu}", r"|\mu|^2"), "t_mCm": (r"t_{\mu C\mu}", r"\mu^\top C\mu"),
    "T_GC": (r"T_{GC}", r"\operatorname{tr}(GC)"), "T_GCG": (r"T_{GCG}", r"\operatorname{tr}(GCG^\top)"),
    "T_GG": (r"T_{GG}", r"\operatorname{tr}(GG^\top)"), "T_gg": (r"T_{gg}", r"|g|^2"),
    "T_gm": (r"T_{g\mu}", r"g^\top\mu"), "T_gGm": (r"T_{gG\mu}", r"g^\top G\mu"),
    "T_gCm": (r"T_{gC\mu}", r"g^\top C\mu"), "T_gGCm": (r"T_{gGC\mu}", r"g^\top GC\mu"),
    "T_mGm": (r"T_{\mu G\mu}", r"\mu^\top G\mu"), "T_GmGm": (r"T_{G\mu G\mu}", r"|G\mu|^2"),
}

GLOSSARY = {
    r"d": r"token dimension",
    r"\ell": r"context length",
    r"\rho": r"label-noise variance",
    r"\Gamma": r"$[G \mid g]$, the attention matrix of the reduced model",
    r"\mu": r"mean of the test-task law $w \sim N(\mu, C)$",
    r"C": r"covariance of the test-task law",
    **{tex: f"${defn}/d$" for tex, defn in TRACES.values()},
}


def pages(source_hash: str) -> dict[str, str]:
    """``derivations/out/gaussian_tasks.md`` and the closed-forms data module."""
    if not reduction_holds():
        raise RuntimeError("derivation check failed: reduction to Lemma 1's Gaussian-task ICL error")
    S = gt.symbols()
    names = {S.T[n]: TRACES[n][0] for n in gt.TRACE_NAMES}
    items = [("## Setting", r"Test tasks $w = \mu + z$, $z \sim N(0, C)$; Lemma 1 given $w$, averaged by Wick "
              r"pairing of $z$ with covariance $C$. Trace variables are divided by $d$.")]
    items.append(Formula("error", r"The exact test error $e(\Gamma; \mu, C)$", gt.gaussian_task_error(),
                         lhs=r"e(\Gamma; \mu, C)",
                         function="iclsym.onelayer._generated.gaussian_tasks:gaussian_task_error"))
    items.append(("## Coefficients", "The same error, one coefficient per monomial in the trace variables."))
    for mono, c in gt.coefficients().items():
        tex = sp.latex(mono, symbol_names=names)
        key = "coefficient_" + "_".join(str(f) for f in sp.Mul.make_args(mono)).replace("**", "")
        items.append(Formula(key, f"Coefficient of ${tex}$", c, lhs=rf"[{tex}]\,e"))
    items.append(("## Check", r"With $C = I$ and $\mu = 0$ this is Lemma 1's Gaussian-task ICL error (derived there "
                  "by pairing $w$ with the tokens in one pass): " + ("yes" if reduction_holds() else "NO")))
    return render_page(SCRIPT, source_hash, r"Exact finite-$d$ error for Gaussian test tasks $N(\mu, C)$", items,
                       intro="Generated from `iclsym.onelayer.symbolic.gaussian_tasks`.",
                       glossary=GLOSSARY, symbol_names=names)


def build() -> dict[str, str]:
    h = script_hash(Path(__file__).resolve())
    doc = ("Exact finite-d test error for Gaussian test tasks N(mu, C) of any covariance (Lemma 1 averaged\n"
           "over the task), derived by derivations/onelayer/gaussian_tasks.py.")
    return {
        "iclsym/onelayer/_generated/gaussian_tasks.py": render_module(SCRIPT, h, functions(), "numpy", doc),
        "iclsym/onelayer/_generated/gaussian_tasks_mpmath.py": render_module(SCRIPT, h, functions(), "mpmath", doc),
        **pages(h),
    }


if __name__ == "__main__":
    run_script(build)

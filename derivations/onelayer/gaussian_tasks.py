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

from iclsym.engine.codegen import GenFunction, render_markdown, render_module, run_script, script_hash
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


def markdown(source_hash: str) -> str:
    if not reduction_holds():
        raise RuntimeError("derivation check failed: reduction to Lemma 1's Gaussian-task ICL error")
    S = gt.symbols()
    names = {S.T[n]: n.replace("_", r"\_") for n in gt.TRACE_NAMES}
    items = [("# Setting", r"Test tasks $w = \mu + z$, $z \sim N(0, C)$; Lemma 1 given $w$, averaged by Wick pairing "
              r"of $z$ with covariance $C$. Trace variables are divided by $d$.")]
    for mono, c in gt.coefficients().items():
        items.append((f"coefficient of {mono}", sp.latex(c)))
    items.append(("# Check", "With C = I and mu = 0 this is Lemma 1's Gaussian-task ICL error (derived there by "
                  "pairing w with the tokens in one pass): " + ("yes" if reduction_holds() else "NO")))
    return render_markdown(SCRIPT, source_hash, "Exact finite-d error for Gaussian test tasks N(mu, C)", items,
                           intro="Generated from iclsym.onelayer.symbolic.gaussian_tasks.")


def build() -> dict[str, str]:
    h = script_hash(Path(__file__).resolve())
    doc = ("Exact finite-d test error for Gaussian test tasks N(mu, C) of any covariance (Lemma 1 averaged\n"
           "over the task), derived by derivations/onelayer/gaussian_tasks.py.")
    return {
        "iclsym/onelayer/_generated/gaussian_tasks.py": render_module(SCRIPT, h, functions(), "numpy", doc),
        "iclsym/onelayer/_generated/gaussian_tasks_mpmath.py": render_module(SCRIPT, h, functions(), "mpmath", doc),
        "derivations/out/gaussian_tasks.md": markdown(h),
    }


if __name__ == "__main__":
    run_script(build)

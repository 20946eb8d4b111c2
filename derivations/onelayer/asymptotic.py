"""Derivation script: the ridge theory of the one-layer model -> generated NumPy / mpmath code.

Produces

* ``iclsym/onelayer/_generated/asymptotic.py``    -- NumPy, the cancellation-free forms used by
  :mod:`iclsym.onelayer.theory` (the errors and ``g_task`` in the traces ``P, T1, T2, U`` at
  ``nu = x* + eps``, which :mod:`iclsym.core.spectra` provides);
* ``iclsym/onelayer/_generated/asymptotic_mpmath.py`` -- mpmath, the paper's formulas *as written*
  (``F(eps)``, ``c_e``, ``e_ICL``, ``e_IDG = -tau c_e``, the ridgeless targets), used by
  :mod:`iclsym.onelayer.theory.precise` at high precision;
* ``derivations/out/asymptotic.md`` -- the formulas in LaTeX.

The two flavours are generated from *different* expressions on purpose: the NumPy path uses
rewritten forms without cancellation, the mpmath path the literal ones, so comparing them is
an independent check.  Their equality is proved symbolically in
``notebooks/02_ridge_theory.py`` and ``tests/onelayer/theory/test_symbolic_ridge.py``.

Run ``iclsym derive`` (or ``python derivations/onelayer/asymptotic.py``).
"""

from __future__ import annotations

from pathlib import Path

import sympy as sp

from iclsym.engine.codegen import GenFunction, render_markdown, render_module, run_script, script_hash
from iclsym.onelayer.symbolic.asymptotic import (
    e_icl_ridge,
    e_idg_ridge,
    fixed_point_F,
    g_task_stable,
    ridge_errors_stable,
    ridgeless_targets,
)
from iclsym.engine.stieltjes import mp_stable_traces, stieltjes_mp

SCRIPT = "derivations/onelayer/asymptotic.py"


def _symbols():
    names = "alpha tau kappa rho lam xs eps nu ik S D P T2 U r z M Sp"
    return {n: sp.Symbol(n, positive=True) for n in names.split()}


def numpy_functions():
    s = _symbols()
    e_icl, e_idg = ridge_errors_stable(s["xs"], s["rho"], s["tau"], s["eps"], s["r"], s["P"], s["T2"], s["U"])
    g = g_task_stable(
        s["xs"], s["rho"], s["tau"], s["eps"], s["r"], s["nu"], s["ik"], s["S"], s["D"], s["P"], s["T2"], s["U"]
    )
    return [
        GenFunction(
            "ridge_errors",
            [s["xs"], s["rho"], s["tau"], s["eps"], s["r"], s["P"], s["T2"], s["U"]],
            (e_icl, e_idg),
            "(e_ICL, e_IDG) of ridge pretraining (docs/onelayer/asymptotic-theory.md; e_IDG derived in\n"
            "notebooks/02_ridge_theory.py), cancellation-free; r = tau lam/eps (-> max(tau-1, 0)).",
        ),
        GenFunction(
            "g_task_gap",
            [s["xs"], s["rho"], s["tau"], s["eps"], s["r"], s["nu"], s["ik"], s["S"], s["D"], s["P"], s["T2"], s["U"]],
            g,
            "g_task = e_ICL - e_IDG written as a sum of terms that vanish like 1/kappa.",
        ),
    ]


def mpmath_functions():
    s = _symbols()
    kappa = s["kappa"]
    e_icl, c_e = e_icl_ridge(s["xs"], s["rho"], s["tau"], s["eps"], s["S"], s["Sp"])
    e_idg = e_idg_ridge(s["xs"], s["rho"], s["tau"], s["eps"], s["S"], s["Sp"])
    F = fixed_point_F(s["eps"], s["tau"], s["lam"], s["xs"], s["S"])
    tg = ridgeless_targets(s["alpha"], s["tau"], kappa, s["rho"])
    args4 = [s["alpha"], s["tau"], kappa, s["rho"]]
    return [
        GenFunction("fixed_point_F", [s["eps"], s["tau"], s["lam"], s["xs"], s["S"]], F, "F(eps) = 1 - tau + tau lam/eps - eps M(x* + eps) with S = M(x* + eps) (docs/onelayer/asymptotic-theory.md)."),
        GenFunction("e_icl_as_written", [s["xs"], s["rho"], s["tau"], s["eps"], s["S"], s["Sp"]], e_icl, "Ridge e_ICL as written in Lu et al. (2024) (S = M(nu), Sp = M'(nu), nu = x* + eps)."),
        GenFunction("c_e_as_written", [s["xs"], s["rho"], s["tau"], s["eps"], s["S"], s["Sp"]], c_e, "The coefficient c_e of the ridge e_ICL, as written."),
        GenFunction("e_idg_as_written", [s["xs"], s["rho"], s["tau"], s["eps"], s["S"], s["Sp"]], e_idg, "Ridge e_IDG = -tau c_e (derived in notebooks/02_ridge_theory.py)."),
        GenFunction("ridgeless_e_icl_below", args4, tg.e_icl_below, "The paper's ridgeless e_ICL for tau < 1 (finite kappa), as written (a target)."),
        GenFunction("ridgeless_e_icl_above", args4, tg.e_icl_above, "The paper's ridgeless e_ICL for tau > 1 (finite kappa), as written (a target)."),
        GenFunction("ridgeless_e_idg_below", args4, tg.e_idg_below, "The paper's ridgeless e_IDG for tau < 1 (finite kappa), as written (a target)."),
        GenFunction("ridgeless_e_idg_above", args4, tg.e_idg_above, "The paper's ridgeless e_IDG for tau > 1 (finite kappa), as written (a target)."),
        GenFunction("ridgeless_eps0", args4, tg.eps0, "The paper's ridgeless root eps0 = (1 - tau) x*/(tau mu*) for tau < 1."),
    ]


def markdown(source_hash: str) -> str:
    s = _symbols()
    tr = mp_stable_traces(s["nu"], s["ik"], s["S"], s["D"])
    P, T1, T2, U = tr.P, tr.T1, tr.T2, tr.U
    e_icl, e_idg = ridge_errors_stable(s["xs"], s["rho"], s["tau"], s["eps"], s["r"], s["P"], s["T2"], s["U"])
    e_icl_lit, c_e = e_icl_ridge(s["xs"], s["rho"], s["tau"], s["eps"], s["S"], s["Sp"])
    items = [
        ("# Marchenko-Pastur transform", "Physical branch: the positive root for real z > 0, Herglotz off the axis."),
        ("M_kappa(z)", sp.Eq(sp.Symbol("M_kappa(z)"), stieltjes_mp(s["z"], s["kappa"]))),
        ("# Fixed point", "Unique positive root for lam > 0 (see iclsym.onelayer.theory.fixed_point)."),
        ("F(eps)", fixed_point_F(s["eps"], s["tau"], s["lam"], s["xs"], sp.Symbol("M_kappa(x^*+epsilon)"))),
        ("# Errors as written in the paper (mpmath path)", ""),
        ("c_e", c_e),
        ("e_ICL", e_icl_lit),
        ("e_IDG = -tau c_e (derived)", -s["tau"] * c_e),
        ("# Cancellation-free forms (NumPy path)", "ik = 1/kappa, S = M(nu), D = sqrt((nu+lambda_-)(nu+lambda_+)), r = tau lam/eps."),
        ("P = -M'(nu)", P),
        ("T1 = 1 - nu S", T1),
        ("T2 = 1 - 2 nu S - nu^2 M'", T2),
        ("U = S + nu M'", U),
        ("e_ICL", e_icl),
        ("e_IDG", e_idg),
    ]
    return render_markdown(
        SCRIPT,
        source_hash,
        "Ridge theory: fixed point, e_ICL and e_IDG",
        items,
        intro="Generated from derivations/onelayer/asymptotic.py. The derivation of e_IDG and the proofs that the "
        "two forms agree are in notebooks/02_ridge_theory.py.",
    )


def build() -> dict[str, str]:
    h = script_hash(Path(__file__).resolve())
    doc_np = (
        "Ridge theory, NumPy flavour: cancellation-free forms (docs/onelayer/asymptotic-theory.md).\n\n"
        "Used by iclsym.onelayer.theory; the branch selection and root solve are hand-written there."
    )
    doc_mp = (
        "Ridge theory, mpmath flavour: the paper's formulas as written (docs/onelayer/asymptotic-theory.md).\n\n"
        "Used by iclsym.onelayer.theory.precise at high precision (cancellation is harmless there)."
    )
    doc_sc = ("Ridge theory, scalar flavour: the NumPy flavour's functions on Python floats, rounding like\n"
              "NumPy on arrays.  Used by iclsym.onelayer.theory.scalar.")
    return {
        "iclsym/onelayer/_generated/asymptotic.py": render_module(SCRIPT, h, numpy_functions(), "numpy", doc_np),
        "iclsym/onelayer/_generated/asymptotic_mpmath.py": render_module(SCRIPT, h, mpmath_functions(), "mpmath", doc_mp),
        "iclsym/onelayer/_generated/asymptotic_scalar.py": render_module(SCRIPT, h, numpy_functions(), "scalar",
                                                                         doc_sc),
        "derivations/out/asymptotic.md": markdown(h),
    }


if __name__ == "__main__":
    run_script(build)

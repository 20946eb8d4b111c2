"""Derivation script: ridge theory of DESIGN section 4 -> generated NumPy / mpmath code.

Produces

* ``iclsym/onelayer/_generated/asymptotic.py``    -- NumPy, the cancellation-free forms used by
  :mod:`iclsym.onelayer.theory` (traces ``P, T1, T2, U`` at ``nu = x* + eps``, the errors, ``g_task``);
* ``iclsym/onelayer/_generated/asymptotic_mpmath.py`` -- mpmath, DESIGN's formulas *as written* (the MP
  closed form, ``F(eps)``, ``c_e``, ``e_ICL``, ``e_IDG = -tau c_e``, the ridgeless targets),
  used by :mod:`iclsym.onelayer.theory.precise` at high precision;
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
    stable_traces,
)
from iclsym.engine.stieltjes import stieltjes_mp, stieltjes_mp_derivative

SCRIPT = "derivations/onelayer/asymptotic.py"


def _symbols():
    names = "alpha tau kappa rho lam xs eps nu ik S D P T2 U r z M Sp"
    return {n: sp.Symbol(n, positive=True) for n in names.split()}


def numpy_functions():
    s = _symbols()
    P, T1, T2, U = stable_traces(s["nu"], s["ik"], s["S"], s["D"])
    e_icl, e_idg = ridge_errors_stable(s["xs"], s["rho"], s["tau"], s["eps"], s["r"], s["P"], s["T2"], s["U"])
    g = g_task_stable(
        s["xs"], s["rho"], s["tau"], s["eps"], s["r"], s["nu"], s["ik"], s["S"], s["D"], s["P"], s["T2"], s["U"]
    )
    # M'' by differentiating M' = -S (1 + ik S)/D once more (D' = (nu + 1 + ik)/D).
    Sp = -P
    Spp = -(Sp * (1 + 2 * s["ik"] * s["S"]) * s["D"] ** 2 - s["S"] * (1 + s["ik"] * s["S"]) * (s["nu"] + 1 + s["ik"])) / s["D"] ** 3
    return [
        GenFunction(
            "stable_traces",
            [s["nu"], s["ik"], s["S"], s["D"]],
            (P, T1, T2, U),
            "Traces at nu (DESIGN section 4) without cancellation: returns (P, T1, T2, U) =\n"
            "(-M'(nu), 1 - nu M, 1 - 2 nu M - nu^2 M', M + nu M'); ik = 1/kappa, S = M(nu),\n"
            "D = sqrt((nu + lam_-)(nu + lam_+)).",
        ),
        GenFunction(
            "fixed_point_terms",
            [s["nu"], s["ik"], s["S"], s["D"]],
            (P, T1, U),
            "(P, T1, U) of stable_traces without T2: what the Newton solve of F(eps) = 0 needs\n"
            "(1 - eps S = x* S + T1 and d(eps S)/d eps = U + x* P).",
        ),
        GenFunction(
            "stieltjes_derivatives",
            [s["nu"], s["ik"], s["S"], s["D"]],
            (Sp, Spp),
            "(M'(nu), M''(nu)) of the MP Stieltjes transform from S = M(nu) and D (implicit differentiation).",
        ),
        GenFunction(
            "ridge_errors",
            [s["xs"], s["rho"], s["tau"], s["eps"], s["r"], s["P"], s["T2"], s["U"]],
            (e_icl, e_idg),
            "(e_ICL, e_IDG) of ridge pretraining (DESIGN section 4; e_IDG derived in\n"
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
    kappa, z = s["kappa"], s["z"]
    M = stieltjes_mp(z, kappa)
    Mp = stieltjes_mp_derivative(s["M"], z, kappa)
    e_icl, c_e = e_icl_ridge(s["xs"], s["rho"], s["tau"], s["eps"], s["S"], s["Sp"])
    e_idg = e_idg_ridge(s["xs"], s["rho"], s["tau"], s["eps"], s["S"], s["Sp"])
    F = fixed_point_F(s["eps"], s["tau"], s["lam"], s["xs"], s["S"])
    tg = ridgeless_targets(s["alpha"], s["tau"], kappa, s["rho"])
    args4 = [s["alpha"], s["tau"], kappa, s["rho"]]
    return [
        GenFunction("stieltjes_design", [z, kappa], M, "M_kappa(z) = 2/(b + sqrt(b^2 + 4 z/kappa)), b = z + 1 - 1/kappa (DESIGN section 4)."),
        GenFunction("stieltjes_design_derivative", [z, kappa, s["M"]], Mp, "M_kappa'(z) from M = M_kappa(z) by implicit differentiation of the MP quadratic."),
        GenFunction("fixed_point_F", [s["eps"], s["tau"], s["lam"], s["xs"], s["S"]], F, "F(eps) = 1 - tau + tau lam/eps - eps M(x* + eps) with S = M(x* + eps) (DESIGN section 4)."),
        GenFunction("e_icl_design", [s["xs"], s["rho"], s["tau"], s["eps"], s["S"], s["Sp"]], e_icl, "Ridge e_ICL exactly as written in DESIGN section 4 (S = M(nu), Sp = M'(nu), nu = x* + eps)."),
        GenFunction("c_e_design", [s["xs"], s["rho"], s["tau"], s["eps"], s["S"], s["Sp"]], c_e, "DESIGN's c_e (section 4)."),
        GenFunction("e_idg_design", [s["xs"], s["rho"], s["tau"], s["eps"], s["S"], s["Sp"]], e_idg, "Ridge e_IDG = -tau c_e (derived in notebooks/02_ridge_theory.py)."),
        GenFunction("ridgeless_e_icl_below", args4, tg.e_icl_below, "DESIGN's ridgeless e_ICL for tau < 1 (finite kappa), as written (a target)."),
        GenFunction("ridgeless_e_icl_above", args4, tg.e_icl_above, "DESIGN's ridgeless e_ICL for tau > 1 (finite kappa), as written (a target)."),
        GenFunction("ridgeless_e_idg_below", args4, tg.e_idg_below, "DESIGN's ridgeless e_IDG for tau < 1 (finite kappa), as written (a target)."),
        GenFunction("ridgeless_e_idg_above", args4, tg.e_idg_above, "DESIGN's ridgeless e_IDG for tau > 1 (finite kappa), as written (a target)."),
        GenFunction("ridgeless_eps0", args4, tg.eps0, "DESIGN's ridgeless root eps0 = (1 - tau) x*/(tau mu*) for tau < 1."),
    ]


def markdown(source_hash: str) -> str:
    s = _symbols()
    P, T1, T2, U = stable_traces(s["nu"], s["ik"], s["S"], s["D"])
    e_icl, e_idg = ridge_errors_stable(s["xs"], s["rho"], s["tau"], s["eps"], s["r"], s["P"], s["T2"], s["U"])
    e_icl_lit, c_e = e_icl_ridge(s["xs"], s["rho"], s["tau"], s["eps"], s["S"], s["Sp"])
    items = [
        ("# Marchenko-Pastur transform", "Physical branch: the positive root for real z > 0, Herglotz off the axis."),
        ("M_kappa(z)", sp.Eq(sp.Symbol("M_kappa(z)"), stieltjes_mp(s["z"], s["kappa"]))),
        ("# Fixed point", "Unique positive root for lam > 0 (see iclsym.onelayer.theory.fixed_point)."),
        ("F(eps)", fixed_point_F(s["eps"], s["tau"], s["lam"], s["xs"], sp.Symbol("M_kappa(x^*+epsilon)"))),
        ("# Errors as written in DESIGN section 4 (mpmath path)", ""),
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
        "Ridge theory, NumPy flavour: cancellation-free forms (DESIGN section 4).\n\n"
        "Used by iclsym.onelayer.theory; the branch selection and root solve are hand-written there."
    )
    doc_mp = (
        "Ridge theory, mpmath flavour: DESIGN section 4's formulas as written.\n\n"
        "Used by iclsym.onelayer.theory.precise at high precision (cancellation is harmless there)."
    )
    return {
        "iclsym/onelayer/_generated/asymptotic.py": render_module(SCRIPT, h, numpy_functions(), "numpy", doc_np),
        "iclsym/onelayer/_generated/asymptotic_mpmath.py": render_module(SCRIPT, h, mpmath_functions(), "mpmath", doc_mp),
        "derivations/out/asymptotic.md": markdown(h),
    }


if __name__ == "__main__":
    run_script(build)

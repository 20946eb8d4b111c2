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

from iclsym.engine.codegen import Formula, GenFunction, render_module, render_page, run_script, script_hash
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


#: the papers' notation for the symbols of this script
GLOSSARY = {
    r"\alpha": r"context length per dimension, $\ell/d$",
    r"\tau": r"pretraining sequences per parameter, $n/d^2$",
    r"\kappa": r"task diversity, $k/d$ ($\kappa = \infty$: a fresh task per sequence)",
    r"\kappa^{-1}": r"$1/\kappa$",
    r"\rho": r"label-noise variance",
    r"\lambda": r"ridge strength of pretraining",
    r"x^*": r"$(1+\rho)/\alpha$, the noise of the context estimate of the task",
    r"\epsilon": r"the effective regulariser: the positive root of $F(\epsilon) = 0$",
    r"\nu": r"$x^* + \epsilon$",
    r"z": r"argument of the Marchenko–Pastur transform",
    r"M_\kappa(z)": r"the Marchenko–Pastur transform $\lim \frac1d\operatorname{tr}(\hat R + z)^{-1}$ of the bank "
                    r"second moment $\hat R$ (positive root for real $z > 0$)",
    r"S": r"$M_\kappa(\nu)$",
    r"S'": r"$M_\kappa'(\nu)$",
    r"D": r"$\sqrt{(\nu + \lambda_-)(\nu + \lambda_+)}$ with $\lambda_\pm = (1 \pm \kappa^{-1/2})^2$",
    r"P": r"$-M_\kappa'(\nu)$ (cancellation-free form below)",
    r"T_1": r"$1 - \nu S$",
    r"T_2": r"$1 - 2\nu S - \nu^2 M_\kappa'(\nu)$",
    r"U": r"$S + \nu M_\kappa'(\nu)$",
    r"r": r"$\tau\lambda/\epsilon$ (tends to $\max(\tau - 1, 0)$ as $\lambda \to 0^+$)",
    r"c_e": r"the coefficient of the ridge error written in the paper ($e_{IDG} = -\tau c_e$)",
}


def symbol_names(s):
    """SymPy symbol -> LaTeX in the paper's notation."""
    return {s["xs"]: "x^*", s["eps"]: r"\epsilon", s["lam"]: r"\lambda", s["ik"]: r"\kappa^{-1}", s["Sp"]: "S'",
            s["T2"]: "T_2"}


def items():
    s = _symbols()
    tr = mp_stable_traces(s["nu"], s["ik"], s["S"], s["D"])
    e_icl, e_idg = ridge_errors_stable(s["xs"], s["rho"], s["tau"], s["eps"], s["r"], s["P"], s["T2"], s["U"])
    e_icl_lit, c_e = e_icl_ridge(s["xs"], s["rho"], s["tau"], s["eps"], s["S"], s["Sp"])
    mp = "iclsym.onelayer._generated.asymptotic_mpmath"
    return [
        ("## Marchenko–Pastur transform", r"The physical branch: the positive root for real $z > 0$, Herglotz off "
         r"the axis."),
        Formula("mp_transform", r"The Marchenko–Pastur transform $M_\kappa(z)$", stieltjes_mp(s["z"], s["kappa"]),
                lhs=r"M_\kappa(z)", function="iclsym.core._generated.marchenko_pastur_mpmath:stieltjes_closed_form"),
        ("## Fixed point", r"Unique positive root $\epsilon$ for $\lambda > 0$ (solved by "
         r"`iclsym.onelayer.theory.solve_eps`)."),
        Formula("fixed_point", r"$F(\epsilon)$, with $S = M_\kappa(x^* + \epsilon)$",
                fixed_point_F(s["eps"], s["tau"], s["lam"], s["xs"], s["S"]), lhs=r"F(\epsilon)",
                function=f"{mp}:fixed_point_F"),
        ("## Errors as written in the paper (mpmath path)", r"With $S = M_\kappa(\nu)$ and $S' = M_\kappa'(\nu)$."),
        Formula("c_e", r"The coefficient $c_e$", c_e, lhs="c_e", function=f"{mp}:c_e_as_written"),
        Formula("e_icl", r"The ridge ICL error $e_{ICL}$ (Result 1)", e_icl_lit, lhs="e_{ICL}",
                function=f"{mp}:e_icl_as_written"),
        Formula("e_idg", r"The ridge IDG error $e_{IDG} = -\tau c_e$ (derived)", -s["tau"] * c_e, lhs="e_{IDG}",
                function=f"{mp}:e_idg_as_written"),
        ("## Cancellation-free forms (NumPy path)", r"The traces $P, T_1, T_2, U$ in terms of $S = M_\kappa(\nu)$ and "
         r"$D$; $r = \tau\lambda/\epsilon$."),
        Formula("P", r"$P = -M_\kappa'(\nu)$", tr.P, lhs="P",
                function="iclsym.core._generated.marchenko_pastur:stable_traces", output=0),
        Formula("T1", r"$T_1 = 1 - \nu S$", tr.T1, lhs="T_1",
                function="iclsym.core._generated.marchenko_pastur:stable_traces", output=1),
        Formula("T2", r"$T_2 = 1 - 2\nu S - \nu^2 M_\kappa'(\nu)$", tr.T2, lhs="T_2",
                function="iclsym.core._generated.marchenko_pastur:stable_traces", output=2),
        Formula("U", r"$U = S + \nu M_\kappa'(\nu)$", tr.U, lhs="U",
                function="iclsym.core._generated.marchenko_pastur:stable_traces", output=3),
        Formula("e_icl_stable", r"$e_{ICL}$, cancellation-free", e_icl, lhs="e_{ICL}",
                function="iclsym.onelayer._generated.asymptotic:ridge_errors", output=0),
        Formula("e_idg_stable", r"$e_{IDG}$, cancellation-free", e_idg, lhs="e_{IDG}",
                function="iclsym.onelayer._generated.asymptotic:ridge_errors", output=1),
    ]


def pages(source_hash: str) -> dict[str, str]:
    """``derivations/out/asymptotic.md`` and the closed-forms data module, from :func:`items`."""
    return render_page(
        SCRIPT,
        source_hash,
        r"Ridge theory: fixed point, $e_{ICL}$ and $e_{IDG}$",
        items(),
        intro="Generated by `derivations/onelayer/asymptotic.py`. The derivation of $e_{IDG}$ and the proofs "
        "that the two forms agree are in the notebook `02_ridge_theory`; the theory is on the page "
        "*Asymptotic theory* of the documentation.",
        glossary=GLOSSARY,
        symbol_names=symbol_names(_symbols()),
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
        **pages(h),
    }


if __name__ == "__main__":
    run_script(build)

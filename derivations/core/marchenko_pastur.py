"""Derivation script: the Marchenko–Pastur transform's derivatives and stable traces -> generated code.

Produces

* ``iclsym/core/_generated/marchenko_pastur.py``        -- NumPy: ``M'``, ``M''``, their ``z = 0``
  limits, and the cancellation-free traces ``P, T1, T2, U`` used by the ridge theory;
* ``iclsym/core/_generated/marchenko_pastur_mpmath.py`` -- mpmath: the closed form of ``M`` and the
  same derivatives;
* ``iclsym/core/_generated/marchenko_pastur_scalar.py`` -- the NumPy functions for Python floats
  (the scalar fast path);
* ``derivations/out/marchenko_pastur.md``               -- the formulas in LaTeX.

Every expression comes from :mod:`iclsym.engine.stieltjes` (implicit differentiation of the MP
quadratic); :mod:`iclsym.core.spectra` evaluates ``M`` itself with the branch rule stated there.

Run ``iclsym derive --only marchenko_pastur`` (or ``python derivations/core/marchenko_pastur.py``).
"""

from __future__ import annotations

from pathlib import Path

import sympy as sp

from iclsym.engine.codegen import Formula, GenFunction, render_module, render_page, run_script, script_hash
from iclsym.engine.stieltjes import mp_derivatives, mp_derivatives_at_zero, mp_stable_traces, stieltjes_mp

SCRIPT = "derivations/core/marchenko_pastur.py"


def _symbols():
    return {n: sp.Symbol(n, positive=True) for n in "z nu ik kappa S D M".split()}


def shared_functions():
    """Functions generated in both flavours."""
    s = _symbols()
    d1, d2 = mp_derivatives(s["z"], s["ik"], s["M"], s["D"])
    at0 = mp_derivatives_at_zero(s["ik"])
    return [
        GenFunction(
            "stieltjes_derivatives",
            [s["z"], s["ik"], s["M"], s["D"]],
            (d1, d2),
            "(M'(z), M''(z)) of the Marchenko-Pastur transform from M = M(z) and D = dQ/dM (implicit\n"
            "differentiation of the MP quadratic; ik = 1/kappa).",
        ),
        GenFunction(
            "stieltjes_at_zero",
            [s["ik"]],
            at0,
            "(M(0), M'(0), M''(0)) for kappa > 1 (ik = 1/kappa < 1): the z -> 0 limits.",
        ),
    ]


def numpy_functions():
    s = _symbols()
    t = mp_stable_traces(s["nu"], s["ik"], s["S"], s["D"])
    return [
        GenFunction(
            "stable_traces",
            [s["nu"], s["ik"], s["S"], s["D"]],
            (t.P, t.T1, t.T2, t.U),
            "Traces of the MP law at nu without cancellation: returns (P, T1, T2, U) =\n"
            "(-M'(nu), 1 - nu M, 1 - 2 nu M - nu^2 M', M + nu M'); ik = 1/kappa, S = M(nu),\n"
            "D = sqrt((nu + lam_-)(nu + lam_+)).",
        ),
        GenFunction(
            "fixed_point_terms",
            [s["nu"], s["ik"], s["S"], s["D"]],
            (t.P, t.T1, t.U),
            "(P, T1, U) of stable_traces without T2: what the Newton solve of the ridge fixed point\n"
            "needs (1 - eps S = x* S + T1 and d(eps S)/d eps = U + x* P).",
        ),
    ] + shared_functions()


def mpmath_functions():
    s = _symbols()
    return [
        GenFunction(
            "stieltjes_closed_form",
            [s["z"], s["kappa"]],
            stieltjes_mp(s["z"], s["kappa"]),
            "M_kappa(z) = 2/(b + sqrt(b^2 + 4 z/kappa)), b = z + 1 - 1/kappa (real z > 0).",
        ),
    ] + shared_functions()


GLOSSARY = {
    r"z": r"argument of the transform",
    r"\kappa": r"task diversity $k/d$ (the aspect ratio of the bank)",
    r"\kappa^{-1}": r"$1/\kappa$",
    r"M": r"$M(z)$, the Marchenko–Pastur transform $\lim\frac1d\operatorname{tr}(\hat R + z)^{-1}$ of the bank "
          r"second moment $\hat R$",
    r"D": r"$\partial Q/\partial M = 2zM/\kappa + z + 1 - 1/\kappa$, the derivative of the quadratic "
          r"$Q(M) = \frac{z}{\kappa}M^2 + (z + 1 - \frac1\kappa)M - 1$",
    r"\nu": r"the point at which the traces are taken ($\nu = x^* + \epsilon$ in the ridge theory)",
    r"P": r"$-M'(\nu)$",
    r"T_1": r"$1 - \nu M(\nu)$",
    r"T_2": r"$1 - 2\nu M(\nu) - \nu^2 M'(\nu)$",
    r"U": r"$M(\nu) + \nu M'(\nu)$",
}


def pages(source_hash: str) -> dict[str, str]:
    """``derivations/out/marchenko_pastur.md`` and the closed-forms data module."""
    s = _symbols()
    z, ik, M, D, nu = s["z"], s["ik"], s["M"], s["D"], s["nu"]
    d1, d2 = mp_derivatives(z, ik, M, D)
    at0 = mp_derivatives_at_zero(ik)
    t = mp_stable_traces(nu, ik, M, D)
    gen = "iclsym.core._generated.marchenko_pastur"
    items = [
        ("## The transform", r"The positive root of the quadratic for real $z > 0$; the Herglotz branch off the "
         r"axis."),
        Formula("M", r"The transform $M(z)$", stieltjes_mp(z, s["kappa"]), lhs="M(z)",
                function=f"{gen}_mpmath:stieltjes_closed_form"),
        ("## Derivatives", r"By implicit differentiation of $Q(M) = 0$, with $D = \partial Q/\partial M$."),
        Formula("dM", r"$M'(z)$", d1, lhs="M'(z)", function=f"{gen}:stieltjes_derivatives", output=0),
        Formula("d2M", r"$M''(z)$", d2, lhs="M''(z)", function=f"{gen}:stieltjes_derivatives", output=1),
        Formula("at_zero", r"At $z = 0$ for $\kappa > 1$: $(M, M', M'')$", sp.Tuple(*at0),
                lhs=r"\left(M(0), M'(0), M''(0)\right)", function=f"{gen}:stieltjes_at_zero"),
        ("## Stable traces at $\\nu$", r"$P = -M'$, $T_1 = 1 - \nu M$, $T_2 = 1 - 2\nu M - \nu^2 M'$, "
         r"$U = M + \nu M'$, all at $\nu$ with $M = M(\nu)$ and $D$ at $z = \nu$."),
        Formula("P", r"$P$", t.P, lhs="P", function=f"{gen}:stable_traces", output=0),
        Formula("T1", r"$T_1$", t.T1, lhs="T_1", function=f"{gen}:stable_traces", output=1),
        Formula("T2", r"$T_2$", t.T2, lhs="T_2", function=f"{gen}:stable_traces", output=2),
        Formula("U", r"$U$", t.U, lhs="U", function=f"{gen}:stable_traces", output=3),
    ]
    return render_page(SCRIPT, source_hash, "Marchenko–Pastur transform: derivatives and stable traces", items,
                       intro="Generated from `iclsym.engine.stieltjes` by `derivations/core/marchenko_pastur.py`.",
                       glossary=GLOSSARY, symbol_names={ik: r"\kappa^{-1}"})


def build() -> dict[str, str]:
    h = script_hash(Path(__file__).resolve())
    doc_np = ("Marchenko-Pastur transform, NumPy flavour: derivatives and cancellation-free traces.\n\n"
              "Used by iclsym.core.spectra; M itself is evaluated there with its branch rule.")
    doc_mp = ("Marchenko-Pastur transform, mpmath flavour: the closed form and its derivatives.\n\n"
              "Used by iclsym.onelayer.theory.precise at high precision.")
    doc_sc = ("Marchenko-Pastur transform, scalar flavour: the NumPy flavour's functions on Python floats,\n"
              "rounding like NumPy on arrays.  Used by iclsym.onelayer.theory.scalar.")
    return {
        "iclsym/core/_generated/marchenko_pastur.py": render_module(SCRIPT, h, numpy_functions(), "numpy", doc_np),
        "iclsym/core/_generated/marchenko_pastur_mpmath.py": render_module(SCRIPT, h, mpmath_functions(), "mpmath", doc_mp),
        "iclsym/core/_generated/marchenko_pastur_scalar.py": render_module(SCRIPT, h, numpy_functions(), "scalar", doc_sc),
        **pages(h),
    }


if __name__ == "__main__":
    run_script(build)

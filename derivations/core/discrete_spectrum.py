"""Derivation script: the generalised Marchenko–Pastur fixed point of a discrete spectrum -> generated code.

Produces

* ``iclsym/core/_generated/discrete_spectrum.py``        -- NumPy: the cancellation-free traces
  ``(b, P, T1, T2, U)`` and ``M''`` from the named positive spectral sums;
* ``iclsym/core/_generated/discrete_spectrum_mpmath.py`` -- mpmath: ``M'`` and ``b`` as the paper
  writes them (the independent high-precision path), and the same ``M''``;
* ``derivations/out/discrete_spectrum.md``               -- the formulas in LaTeX.

Every expression comes from :mod:`iclsym.engine.discrete_spectrum` (implicit differentiation of the
fixed point in the canonical basis); the stable forms are proved equal to the derived ones modulo
the fixed point, for every spectrum, and the build fails if one is not.

Run ``iclsym derive --only discrete_spectrum`` (or ``python derivations/core/discrete_spectrum.py``).
"""

from __future__ import annotations

from pathlib import Path

import sympy as sp

from iclsym.engine import discrete_spectrum as ds
from iclsym.engine.codegen import Formula, GenFunction, render_module, render_page, run_script, script_hash

SCRIPT = "derivations/core/discrete_spectrum.py"


def _checked() -> None:
    for name, ok in {**ds.check_stable_forms(), **ds.isotropic_reduction()}.items():
        if not ok:
            raise RuntimeError(f"derivation check failed: {name}")


def _named(expr):
    """Canonical ``R_q`` -> the named sums ``M, S2, S3`` (they are the same means)."""
    s = ds.symbols()
    out = expr.subs({s.R[1]: s.M, s.R[2]: s.S2, s.R[3]: s.S3}, simultaneous=True)
    if out.free_symbols & (set(s.R.values()) | set(s.m.values())):
        raise RuntimeError(f"expression needs sums beyond M, S2, S3: {out.free_symbols}")
    return out


def _second_derivative():
    s = ds.symbols()
    st = ds.stable_forms()
    return st.M2.subs(s.bp, _named(ds.derive_derivatives().bp))


def shared_functions():
    s = ds.symbols()
    return [
        GenFunction(
            "second_derivative",
            [s.z, s.ik, s.a, s.M, s.S2, s.S3, s.S2l, s.S3l, s.S3ll],
            _second_derivative(),
            "M''(z) of the discrete-spectrum transform from a(z) and the spectral sums (ik = 1/kappa;\n"
            "M, S2, S3 = mean 1/u^q, S2l, S3l = mean lam/u^q, S3ll = mean lam^2/u^3, u = a lam + z).",
        ),
    ]


def numpy_functions():
    s = ds.symbols()
    st = ds.stable_forms()
    return [
        GenFunction(
            "stable_traces",
            [s.z, s.ik, s.a, s.S2, s.S1l, s.S2l, s.S2ll],
            (st.b, st.P, st.T1, st.T2, st.U),
            "Traces of the discrete-spectrum law at z without cancellation: returns (b, P, T1, T2, U) =\n"
            "(a'(z), -M'(z), 1 - z M, 1 - 2 z M - z^2 M', M + z M') from a = a(z) and the positive sums\n"
            "S2 = mean 1/u^2, S1l = mean lam/u, S2l = mean lam/u^2, S2ll = mean lam^2/u^2 (u = a lam + z;\n"
            "ik = 1/kappa).",
        ),
    ] + shared_functions()


def mpmath_functions():
    s = ds.symbols()
    M1 = -(s.S2 + s.M * s.S2l * s.ik) / (1 + s.z * s.S2l * s.ik)
    Mp = sp.Symbol("Mp", real=True)
    return [
        GenFunction(
            "paper_derivative",
            [s.z, s.ik, s.M, s.S2, s.S2l],
            M1,
            "M'(z) as the paper writes it: -(S2 + M S2l/kappa)/(1 + z S2l/kappa) (ik = 1/kappa).",
        ),
        GenFunction(
            "paper_b",
            [s.z, s.ik, s.M, Mp],
            (s.M + s.z * Mp) * s.ik,
            "b = (M + z M')/kappa, the coefficient of C in F2 = F (b C + I) F (ik = 1/kappa; Mp = M'(z)).",
        ),
    ] + shared_functions()


GLOSSARY = {
    r"\lambda": r"an eigenvalue $\lambda_i$ of the pretraining task covariance $C$",
    r"z": r"argument of the transform",
    r"a": r"$a(z)$, the root of the fixed point $\chi(a) = 0$",
    r"u": r"$a\lambda + z$",
    r"\kappa": r"task diversity $k/d$",
    r"\iota": r"$1/\kappa$",
    r"\chi": r"the fixed-point function of $a$",
    r"R_1": r"$\overline{u^{-1}}$ (overline: mean over the eigenvalues $\lambda_i$)",
    r"R_2": r"$\overline{u^{-2}}$",
    r"m_1": r"$\overline{\lambda}$, the first moment of the spectrum",
    r"M": r"$M(z) = \overline{u^{-1}} = \frac1d\operatorname{tr}(aC + z)^{-1}$",
    r"b": r"$a'(z)$",
    r"S_2": r"$\overline{u^{-2}}$",
    r"S_{1\lambda}": r"$\overline{\lambda/u}$",
    r"S_{2\lambda}": r"$\overline{\lambda/u^2}$",
    r"S_{2\lambda\lambda}": r"$\overline{\lambda^2/u^2}$",
    r"S_3": r"$\overline{u^{-3}}$",
    r"S_{3\lambda}": r"$\overline{\lambda/u^3}$",
    r"S_{3\lambda\lambda}": r"$\overline{\lambda^2/u^3}$",
    r"P": r"$-M'(z)$",
    r"T_1": r"$1 - zM$",
    r"T_2": r"$1 - 2zM - z^2M'$",
    r"U": r"$M + zM'$",
}


def symbol_names(s):
    names = {s.ik: r"\iota", s.S1l: r"S_{1\lambda}", s.S2l: r"S_{2\lambda}", s.S2ll: r"S_{2\lambda\lambda}",
             s.S2: "S_2", s.S3: "S_3", s.S3l: r"S_{3\lambda}", s.S3ll: r"S_{3\lambda\lambda}"}
    names.update({r: f"R_{q}" for q, r in s.R.items()})
    names.update({m: f"m_{j}" for j, m in s.m.items()})
    return names


def pages(source_hash: str) -> dict[str, str]:
    """``derivations/out/discrete_spectrum.md`` and the closed-forms data module."""
    s = ds.symbols()
    D = ds.derive_derivatives()
    st = ds.stable_forms()
    u = s.a * s.lam + s.z
    gen = "iclsym.core._generated.discrete_spectrum"
    items = [
        ("## The fixed point", r"Eigenvalues $\lambda_i$ of $C$, $u_i = a\lambda_i + z$, an overline is the mean "
         r"over $i$; $F(z) = (aC + z)^{-1}$, $M(z) = \overline{1/u}$, $\iota = 1/\kappa$. In the canonical basis "
         r"$R_q = \overline{u^{-q}}$ the fixed point is linear."),
        Formula("chi", r"$\chi(a) = a - 1 + \iota\,\overline{a\lambda/u}$ in the canonical basis", ds.fixed_point(),
                lhs=r"\chi(a)"),
        Formula("M", r"Solved for $R_1 = M$", ds.relation()[s.R[1]], lhs="M"),
        ("## Implicit differentiation", r"$dR_q/dz = -q\,\overline{(b\lambda + 1)/u^{q+1}}$ with $b = a'(z)$."),
        Formula("b", r"$b = a'(z)$", D.b, lhs="b"),
        Formula("dM", r"$M'(z)$", D.M1, lhs="M'(z)"),
        ("## Cancellation-free forms (proved equal modulo the fixed point)",
         r"Named sums: $S_2 = \overline{u^{-2}}$, $S_{1\lambda} = \overline{\lambda/u}$, "
         r"$S_{2\lambda} = \overline{\lambda/u^2}$, $S_{2\lambda\lambda} = \overline{\lambda^2/u^2}$."),
        Formula("b_stable", r"$b$, cancellation-free", st.b, lhs="b", function=f"{gen}:stable_traces", output=0),
        Formula("P", r"$P = -M'$", st.P, lhs="P", function=f"{gen}:stable_traces", output=1),
        Formula("T1", r"$T_1 = 1 - zM$", st.T1, lhs="T_1", function=f"{gen}:stable_traces", output=2),
        Formula("T2", r"$T_2 = 1 - 2zM - z^2M'$", st.T2, lhs="T_2", function=f"{gen}:stable_traces", output=3),
        Formula("U", r"$U = M + zM'$", st.U, lhs="U", function=f"{gen}:stable_traces", output=4),
        Formula("dM_paper", r"$M'(z)$ as the paper writes it", -(s.S2 + s.M * s.S2l * s.ik) / (1 + s.z * s.S2l * s.ik),
                lhs="M'(z)", function=f"{gen}_mpmath:paper_derivative"),
        Formula("d2M", r"$M''(z)$ from $a(z)$ and the spectral sums", _second_derivative(), lhs="M''(z)",
                function=f"{gen}:second_derivative"),
        ("## Isotropic spectrum", "With every eigenvalue equal to 1 the fixed point is the Marchenko–Pastur "
         "quadratic (checked)."),
        Formula("resolvent_summand", r"Summand of the resolvent mean $M = \overline{1/u}$", 1 / u, lhs="1/u"),
    ]
    return render_page(SCRIPT, source_hash, "Discrete-spectrum (generalised Marchenko–Pastur) fixed point", items,
                       intro="Generated from `iclsym.engine.discrete_spectrum` by "
                             "`derivations/core/discrete_spectrum.py`.",
                       glossary=GLOSSARY, symbol_names=symbol_names(s))


def build() -> dict[str, str]:
    _checked()
    h = script_hash(Path(__file__).resolve())
    doc_np = ("Discrete-spectrum (generalised Marchenko-Pastur) law, NumPy flavour: cancellation-free traces\n"
              "from the positive spectral sums.  Used by iclsym.core.spectra.discrete.")
    doc_mp = ("Discrete-spectrum law, mpmath flavour: M' and b as the paper writes them, and M''.\n"
              "Used by the high-precision path of iclsym.onelayer.theory.alignment_precise.")
    return {
        "iclsym/core/_generated/discrete_spectrum.py": render_module(SCRIPT, h, numpy_functions(), "numpy", doc_np),
        "iclsym/core/_generated/discrete_spectrum_mpmath.py": render_module(SCRIPT, h, mpmath_functions(), "mpmath",
                                                                            doc_mp),
        **pages(h),
    }


if __name__ == "__main__":
    run_script(build)

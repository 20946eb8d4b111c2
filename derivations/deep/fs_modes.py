"""FS per-mode gradient-flow solution of deep linear attention (paper 3), derived with SymPy.

Writes ``iclsym/deep/_generated/fs_modes.py`` (+ ``_mpmath``) and ``derivations/out/fs_modes.md``;
fails unless the closed form solves the ODE ``dgamma/dt = 2 w lam (1 - gamma lam/L)^(2L-1)``
with ``gamma(0) = 0`` for symbolic ``L > 1`` and for ``L = 1, 2, 3``.
"""

from __future__ import annotations

from pathlib import Path

import sympy as sp

from iclsym.deep.symbolic import fs as F
from iclsym.engine.codegen import Formula, GenFunction, render_module, render_page, run_script, script_hash

SCRIPT = "derivations/deep/fs_modes.py"


def _require_zero(checks: dict, where: str) -> None:
    bad = {k: v for k, v in checks.items() if sp.simplify(v) != 0}
    if bad:
        raise AssertionError(f"{where}: symbolic checks failed: {bad}")


def derived():
    _require_zero(F.check_mode_solution(), "mode solution, symbolic L")
    for L in (1, 2, 3):
        _require_zero(F.check_mode_solution(L), f"mode solution, L = {L}")
    t, w, lam, L = F.fs_symbols()
    gL, RL = F.mode_solution()
    g1, R1 = F.mode_solution(1)
    s = 1 + 4 * (1 - 1 / L) * w * lam ** 2 * t
    gL = L * (1 - s ** (-1 / (2 * L - 2))) / lam
    RL = w * s ** (-L / (L - 1))
    return t, w, lam, L, gL, RL, g1, R1


def functions():
    t, w, lam, L, gL, RL, g1, R1 = derived()
    return [
        GenFunction("mode_gamma", [t, L, w, lam], gL,
                    "gamma_k(t) of the FS gradient flow at depth L > 1 (w = omega_k lam_k)."),
        GenFunction("mode_risk", [t, L, w, lam], RL,
                    "R_k(t) = w [1 + 4 (1 - 1/L) w lam^2 t]^(-L/(L-1)) (depth L > 1, w = omega_k lam_k)."),
        GenFunction("mode_gamma_l1", [t, w, lam], g1, "gamma_k(t) of the FS gradient flow at L = 1."),
        GenFunction("mode_risk_l1", [t, w, lam], R1, "R_k(t) = w exp(-4 w lam^2 t) at L = 1."),
    ]


GLOSSARY = {
    r"t": r"training time of the gradient flow",
    r"L": r"depth (number of layers, or in-context gradient steps)",
    r"\lambda_k": r"eigenvalue $k$ of the token covariance $\Sigma$",
    r"\omega_k": r"task power along mode $k$",
    r"w_k": r"$\omega_k\lambda_k$",
    r"\gamma_k": r"the learned step along mode $k$ ($\gamma_k(0) = 0$)",
    r"R_k": r"the risk carried by mode $k$",
}


def pages(h):
    """``derivations/out/fs_modes.md`` and the closed-forms data module."""
    t, w, lam, L, gL, RL, g1, R1 = derived()
    names = {w: "w_k", lam: r"\lambda_k"}
    gamma = sp.Function(r"\gamma_k")(t)
    gen = "iclsym.deep._generated.fs_modes"
    items = [
        ("## Per-mode gradient flow ($\\alpha = \\infty$, commuting spectra)",
         "$w_k = \\omega_k\\lambda_k$; flow $\\dot\\gamma_k = -\\partial R/\\partial\\gamma_k$ from $\\gamma_k(0) = 0$."),
        Formula("ode", "The flow of one mode", sp.Eq(sp.Derivative(gamma, t),
                                                     2 * w * lam * (1 - gamma * lam / L) ** (2 * L - 1))),
        Formula("gamma", r"$\gamma_k(t)$, $L > 1$", gL, lhs=r"\gamma_k(t)", function=f"{gen}:mode_gamma"),
        Formula("risk", r"$R_k(t)$, $L > 1$", RL, lhs=r"R_k(t)", function=f"{gen}:mode_risk"),
        Formula("gamma_l1", r"$\gamma_k(t)$, $L = 1$", g1, lhs=r"\gamma_k(t)", function=f"{gen}:mode_gamma_l1"),
        Formula("risk_l1", r"$R_k(t)$, $L = 1$", R1, lhs=r"R_k(t)", function=f"{gen}:mode_risk_l1"),
    ]
    intro = f"Derived by `{SCRIPT}` from `iclsym/deep/symbolic/fs.py`; the theory is on the page *FS* (paper 3)."
    return render_page(SCRIPT, h, "Deep linear attention, FS: per-mode solution", items, intro, glossary=GLOSSARY,
                       symbol_names=names)


def build() -> dict[str, str]:
    h = script_hash(Path(__file__).resolve())
    fns = functions()
    doc = "FS per-mode gradient-flow closed forms, derived in derivations/deep/fs_modes.py (wrapped by iclsym.deep.structured)."
    return {
        "iclsym/deep/_generated/fs_modes.py": render_module(SCRIPT, h, fns, "numpy", doc),
        "iclsym/deep/_generated/fs_modes_mpmath.py": render_module(SCRIPT, h, fns, "mpmath", doc),
        **pages(h),
    }


if __name__ == "__main__":
    run_script(build)

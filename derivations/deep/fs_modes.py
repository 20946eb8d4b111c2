"""FS per-mode gradient-flow solution of deep linear attention (paper 3), derived with SymPy.

Writes ``iclsym/deep/_generated/fs_modes.py`` (+ ``_mpmath``) and ``derivations/out/fs_modes.md``;
fails unless the closed form solves the ODE ``dgamma/dt = 2 w lam (1 - gamma lam/L)^(2L-1)``
with ``gamma(0) = 0`` for symbolic ``L > 1`` and for ``L = 1, 2, 3``.
"""

from __future__ import annotations

from pathlib import Path

import sympy as sp

from iclsym.deep.symbolic import fs as F
from iclsym.engine.codegen import GenFunction, render_markdown, render_module, run_script, script_hash

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


def markdown(h):
    t, w, lam, L, gL, RL, g1, R1 = derived()
    items = [
        ("## Per-mode gradient flow (alpha = inf, commuting spectra)",
         "$w_k = \\omega_k\\lambda_k$; flow $\\dot\\gamma_k = -\\partial R/\\partial\\gamma_k$ from $\\gamma_k(0) = 0$."),
        ("ODE", sp.Eq(sp.Derivative(sp.Function("gamma")(t), t), 2 * w * lam * (1 - sp.Function("gamma")(t) * lam / L) ** (2 * L - 1))),
        ("gamma_k(t), L > 1", sp.Eq(sp.Symbol("gamma_k"), gL)),
        ("R_k(t), L > 1", sp.Eq(sp.Symbol("R_k"), RL)),
        ("gamma_k(t), L = 1", sp.Eq(sp.Symbol("gamma_k"), g1)),
        ("R_k(t), L = 1", sp.Eq(sp.Symbol("R_k"), R1)),
    ]
    intro = f"Derived by `{SCRIPT}` from `iclsym/deep/symbolic/fs.py`; see `docs/deep/fs.md`."
    return render_markdown(SCRIPT, h, "Deep linear attention, FS: per-mode solution", items, intro)


def build() -> dict[str, str]:
    h = script_hash(Path(__file__).resolve())
    fns = functions()
    doc = "FS per-mode gradient-flow closed forms, derived in derivations/deep/fs_modes.py (wrapped by iclsym.deep.structured)."
    return {
        "iclsym/deep/_generated/fs_modes.py": render_module(SCRIPT, h, fns, "numpy", doc),
        "iclsym/deep/_generated/fs_modes_mpmath.py": render_module(SCRIPT, h, fns, "mpmath", doc),
        "derivations/out/fs_modes.md": markdown(h),
    }


if __name__ == "__main__":
    run_script(build)

"""Closed forms in limits of the asymptotic theory (docs/onelayer/asymptotic-theory.md, docs/onelayer/limits.md), derived with SymPy.

Run by ``iclsym derive``.  Every derivation lives in :mod:`iclsym.onelayer.symbolic.limits`; this
script runs them, **fails if any symbolic check does not reduce to zero**, and writes

* ``derivations/out/limits.md``  -- the results in LaTeX;
* ``iclsym/onelayer/_generated/limits.py``      -- NumPy code of every closed form;
* ``iclsym/onelayer/_generated/limits_mpmath.py``   -- the same in mpmath.

Generated functions take ``ik = 1/kappa`` (so ``kappa = inf`` is ``ik = 0``, no ``inf * 0``)
and the Stieltjes values they need (``m = M_kappa(x*)``, ``mt = M_{kappa/tau}(x*)``) as
arguments; :mod:`iclsym.onelayer.theory.limits` computes those with :func:`iclsym.onelayer.theory.stieltjes_mp`
and selects the branch by the side of ``tau = 1``.
"""

from __future__ import annotations

import time
from pathlib import Path

import sympy as sp

from iclsym.onelayer.symbolic import limits as L
from iclsym.engine.codegen import GenFunction, render_markdown, render_module, run_script, script_hash

SCRIPT = "derivations/onelayer/limits.py"


def _require_zero(checks: dict, where: str) -> None:
    bad = {k: v for k, v in checks.items() if sp.simplify(v) != 0}
    if bad:
        raise AssertionError(f"{where}: symbolic checks failed: {bad}")


def _derive():
    t0 = time.perf_counter()
    s = L.limit_symbols()
    r = L.derive_ridgeless(s)
    _require_zero(r.checks, "ridgeless")
    out = dict(s=s, ridgeless=r)
    out["lam"] = L.derive_lam_correction(s)
    out["pole"] = L.derive_pole(s, r)
    _require_zero(out["pole"].checks, "pole")
    if set(out["pole"].orders.values()) != {1}:
        raise AssertionError(f"pole orders {out['pole'].orders} (expected simple poles)")
    out["peak"] = L.derive_peak(s)
    _require_zero(out["peak"].checks, "peak")
    out["tau_inf"] = L.derive_tau_inf(s, r)
    _require_zero(out["tau_inf"].checks, "tau_inf")
    out["alpha_inf"] = L.derive_alpha_inf_after_tau_inf(s, out["tau_inf"])
    out["alpha_fixed"] = L.derive_alpha_inf_fixed_tau(s, r)
    out["tau_prop"] = L.derive_tau_prop_alpha(s, r)
    out["kappa_inf"] = L.derive_kappa_inf(s, r)
    _require_zero(out["kappa_inf"].checks, "kappa_inf")
    out["deriv"] = L.derive_alpha_derivative(s, r)
    out["seconds"] = time.perf_counter() - t0
    return out


_CACHE = {}


def derived():
    if "d" not in _CACHE:
        _CACHE["d"] = _derive()
    return _CACHE["d"]


def _to_code(expr, s, ik):
    """Paper variables: ``x* -> (1 + rho)/alpha``, ``kappa -> 1/ik`` (cancelled: ``ik = 0`` is safe)."""
    e = sp.sympify(expr).subs(s.kappa, 1 / ik)
    e = sp.together(e)
    return e.subs(s.xs, (1 + s.rho) / s.alpha)


def _alpha_coeff(A, p, s):
    """``A x*^p`` as a coefficient of ``alpha^{-p}``: ``A (1 + rho)^p``."""
    return A * (1 + s.rho) ** p


def functions():
    d = derived()
    s = d["s"]
    ik = sp.Symbol("ik", nonnegative=True)
    alpha, tau, rho, lam, m, mt, c = s.alpha, s.tau, s.rho, s.lam, s.m, s.mt, s.c
    r, lc, pole, peak, ti, ai, af, tp, ki, dv = (
        d["ridgeless"], d["lam"], d["pole"], d["peak"], d["tau_inf"], d["alpha_inf"],
        d["alpha_fixed"], d["tau_prop"], d["kappa_inf"], d["deriv"],
    )
    code = lambda e: _to_code(e, s, ik)  # noqa: E731
    fns = [
        GenFunction(
            "ridgeless_above", [alpha, tau, ik, rho, m],
            [code(r.e_icl_above), code(r.e_idg_above)],
            "Ridgeless (lam -> 0+) (e_ICL, e_IDG) for tau > 1, m = M_kappa(x*), ik = 1/kappa "
            "(ridge forms at eps = 0; equal to docs/onelayer/asymptotic-theory.md, proved in derivations/onelayer/limits.py).",
        ),
        GenFunction(
            "ridgeless_below", [alpha, tau, ik, rho, mt],
            [code(r.e_icl_below), code(r.e_idg_below)],
            "Ridgeless (lam -> 0+) (e_ICL, e_IDG) for tau < 1, mt = M_{kappa/tau}(x*), ik = 1/kappa "
            "(ridge forms at eps0 = (1 - tau)/(tau mt), S = tau mt).",
        ),
        GenFunction(
            "lam_slope_above", [alpha, tau, ik, rho, m],
            [code(lc.B_icl_above), code(lc.B_idg_above)],
            "(B_ICL, B_IDG) with e(lam) = e(0) + B lam + O(lam^2), tau > 1, m = M_kappa(x*).",
        ),
        GenFunction(
            "lam_slope_below", [alpha, tau, ik, rho, mt],
            [code(lc.B_icl_below), code(lc.B_idg_below)],
            "(B_ICL, B_IDG) with e(lam) = e(0) + B lam + O(lam^2), tau < 1, mt = M_{kappa/tau}(x*).",
        ),
        GenFunction(
            "pole_residue", [alpha, ik, rho, m],
            [code(pole.C_icl), code(pole.C_idg)],
            "(C_ICL, C_IDG): ridgeless e ~ C/|tau - 1| as tau -> 1 from either side; m = M_kappa(x*).",
        ),
        GenFunction(
            "peak_coefficient", [alpha, ik, rho, m],
            [code(peak.coef_icl), code(peak.coef_idg)],
            "(A_ICL, A_IDG): at tau = 1, e = A lam^(-1/2) + O(1) as lam -> 0+; m = M_kappa(x*).",
        ),
        GenFunction(
            "tau_inf", [alpha, ik, rho, m],
            [code(ti.e_icl), code(ti.e_idg), code(ti.D_icl), code(ti.D_idg)],
            "(e_ICL, e_IDG, D_ICL, D_IDG) as tau -> inf: e = e(inf) + D/tau + O(tau^-2); m = M_kappa(x*).",
        ),
    ]
    for regime, name in (("<1", "lt"), ("=1", "eq"), (">1", "gt")):
        vals = []
        for err in ("e_icl", "e_idg", "g_task"):
            lim, A, p = ai.regimes[regime][err]
            vals += [code(lim), code(_alpha_coeff(A, p, s)), sp.sympify(p)]
        fns.append(
            GenFunction(
                f"alpha_inf_tau_inf_{name}", [ik, rho], vals,
                f"tau = inf, alpha -> inf, kappa {regime}: (L, A, p) for e_ICL, e_IDG, g_task with "
                "e = L + A alpha^(-p) + o(alpha^(-p)).",
            )
        )
    for side in ("above", "below"):
        for regime, name in (("<", "lt"), ("=", "eq"), (">", "gt")):
            vals = []
            for err in ("e_icl", "e_idg"):
                A, p, const = af.out[side][regime][err]
                vals += [code(_alpha_coeff(A, p, s)), sp.sympify(-p), code(const)]
            fns.append(
                GenFunction(
                    f"alpha_inf_fixed_tau_{side}_{name}", [tau, ik, rho], vals,
                    f"Fixed tau ({side} 1), alpha -> inf, kappa {regime} kappa_c = min(tau, 1): "
                    "(A, q, c) for e_ICL then e_IDG with e = A alpha^q + ... (q > 0: divergence) "
                    "and c the alpha^0 term (the limit when q = 0).",
                )
            )
    fns.append(
        GenFunction(
            "g_task_tau_prop_alpha", [c, ik, rho],
            [code(tp.limits["<1"]), code(tp.limits["=1"]), code(tp.limits[">1"])],
            "lim g_task along tau = c alpha, alpha -> inf, for kappa < 1, = 1, > 1.",
        )
    )
    fns += [
        GenFunction(
            "kappa_inf_ridgeless", [alpha, tau, rho],
            [code(ki.e_icl_above), code(ki.e_icl_below)],
            "kappa = inf ridgeless e_ICL = e_IDG for (tau > 1, tau < 1).",
        ),
        GenFunction(
            "kappa_inf_eps", [alpha, tau, rho, lam], code(ki.eps_ridge),
            "kappa = inf ridge fixed point eps (unique positive root of the quadratic).",
        ),
    ]
    for name in ("icl", "idg"):
        for side, M in (("above", m), ("below", mt)):
            fns.append(
                GenFunction(
                    f"derivative_{name}_{side}", [alpha, tau, ik, rho, M],
                    [code(getattr(dv, f"e_{name}_{side}")), code(getattr(dv, f"de_{name}_{side}"))],
                    f"(e_{name.upper()}, de_{name.upper()}/dalpha), ridgeless, tau {'>' if side == 'above' else '<'} 1, "
                    f"{'m = M_kappa(x*)' if side == 'above' else 'mt = M_{kappa/tau}(x*)'}.",
                )
            )
    return fns


def _tex(expr, s=None):
    """LaTeX with the paper's notation: x_* = x*, m_* = M_kappa(x*), tilde m = M_{kappa/tau}(x*)."""
    s = s or derived()["s"]
    names = {s.xs: "x_{*}", s.m: "m_{*}", s.mt: "\\tilde{m}"}
    return sp.latex(sp.sympify(expr), symbol_names=names)


def _paren(expr, s=None):
    tex = _tex(expr, s)
    return f"\\left({tex}\\right)" if isinstance(sp.sympify(expr), sp.Add) else tex


def _tex_regime_table(d):
    s = d["s"]
    lines = ["| regime | error | limit | correction |", "|---|---|---|---|"]
    for regime in ("<1", "=1", ">1"):
        for err in ("e_icl", "e_idg", "g_task"):
            lim, A, p = d["alpha_inf"].regimes[regime][err]
            coeff = sp.factor(_alpha_coeff(A, p, s))
            lines.append(
                f"| $\\kappa {regime}$ | {err} | ${_tex(lim, s)}$ | "
                f"${_paren(coeff, s)}\\,\\alpha^{{-{sp.latex(p)}}}$ |"
            )
    return "\n".join(lines)


def _tex_fixed_tau_table(d):
    s = d["s"]
    lines = ["| side | kappa vs kappa_c = min(tau,1) | error | leading term | alpha^0 term |", "|---|---|---|---|---|"]
    for side in ("above", "below"):
        for regime in ("<", "=", ">"):
            for err in ("e_icl", "e_idg"):
                A, p, const = d["alpha_fixed"].out[side][regime][err]
                lead = sp.factor(_alpha_coeff(A, p, s))
                q = -p
                lead_tex = f"{_paren(lead, s)}\\,\\alpha^{{{sp.latex(q)}}}" if q != 0 else _tex(lead, s)
                lines.append(
                    f"| $\\tau {'>' if side == 'above' else '<'} 1$ | $\\kappa {regime} \\kappa_c$ | {err} | "
                    f"${lead_tex}$ | ${_tex(const, s)}$ |"
                )
    return "\n".join(lines)


def markdown(h: str) -> str:
    d = derived()
    s = d["s"]
    r, lc, pole, peak, ti, tp, ki = (
        d["ridgeless"], d["lam"], d["pole"], d["peak"], d["tau_inf"], d["tau_prop"], d["kappa_inf"],
    )
    T = r.targets
    items = [
        ("## 1. Ridgeless limit lam -> 0+", (
            "Notation: $x^* = (1+\\rho)/\\alpha$, $m^* = M_\\kappa(x^*)$, $\\tilde m = M_{\\kappa/\\tau}(x^*)$ "
            "($\\mu^* = x^*\\tilde m$). Identities marked *proved* were reduced to 0 modulo the "
            "Marchenko-Pastur quadratic (minimal-polynomial argument), not checked numerically."
        )),
        ("tau > 1: eps/lam as lam -> 0", r.eps_over_lam_above),
        ("tau < 1: eps0 (proved: M_kappa(x*+eps0) = tau mt, so eps0 M = 1 - tau)", sp.Eq(sp.Symbol("epsilon_0"), r.eps0)),
        ("tau > 1: e_ICL (proved equal to docs/onelayer/asymptotic-theory.md)", T.e_icl_above),
        ("tau > 1: e_IDG (proved)", T.e_idg_above),
        ("tau < 1: e_ICL (proved)", T.e_icl_below),
        ("tau < 1: e_IDG (proved; eps0 as above, c as in the paper)", T.e_idg_below),
        ("## Leading O(lam) correction", (
            "$e(\\lambda) = e(0) + B\\lambda + O(\\lambda^2)$ with $B = (\\partial_\\epsilon e)\\,(d\\epsilon/d\\lambda)$; "
            "the full expressions of $B$ are in `iclsym/onelayer/_generated/limits.py` (`lam_slope_above/below`)."
        )),
        ("tau > 1: d eps/d lam at lam = 0", lc.deps_dlam_above),
        ("tau < 1: d eps/d lam at lam = 0 (S = tau mt, S' from the MP quadratic)", sp.factor(lc.deps_dlam_below)),
        ("## 2. Interpolation peak tau -> 1", (
            f"Simple pole from both sides (orders {sorted(set(pole.orders.values()))}); residues agree "
            "from above and below and with docs/onelayer/limits.md (proved)."
        )),
        ("C_IDG", pole.C_idg),
        ("C_ICL", pole.C_icl),
        ("Peak at tau = 1, lam -> 0+: eps(lam)", peak.eps_series),
        ("e_ICL at tau = 1: coefficient of lam^(-1/2)", peak.coef_icl),
        ("e_IDG at tau = 1: coefficient of lam^(-1/2) (= C/(2 sqrt(m*)))", peak.coef_idg),
        ("## 3. tau -> inf, then alpha -> inf", "Limits as $\\tau\\to\\infty$ (proved equal to docs/onelayer/limits.md):"),
        ("e_ICL(tau = inf)", ti.design["icl"]),
        ("e_IDG(tau = inf)", ti.e_idg),
        ("D_IDG (e = e(inf) + D/tau + ...)", ti.D_idg),
        ("## alpha -> inf after tau = inf (kappa = 1 transition)", _tex_regime_table(d)
         + "\n\nNote: the $1/\\alpha$ corrections of $e_{ICL}$ and $e_{IDG}$ coincide for $\\kappa\\ne1$, "
           "so $g_{task}$ approaches its limit like $\\alpha^{-2}$ there; at $\\kappa=1$ like $\\alpha^{-1/2}$."),
        ("## alpha -> inf at fixed tau", _tex_fixed_tau_table(d)
         + "\n\nAt the boundary $\\kappa=\\min(\\tau,1)$ the leading term is $\\propto\\alpha^{1/2}$ (for $\\rho>0$)."),
        ("Fig. 4 path tau = c alpha, kappa < 1: lim g_task", tp.limits["<1"]),
        ("Fig. 4 path, kappa = 1 and kappa > 1", sp.Tuple(tp.limits["=1"], tp.limits[">1"])),
        ("## 4. kappa -> inf (e_ICL = e_IDG, proved)", ""),
        ("tau > 1", ki.e_icl_above),
        ("tau < 1", ki.e_icl_below),
        ("ridge fixed point at kappa = inf (any tau, lam > 0)", ki.eps_ridge),
        ("## 5. Optimal context length", (
            "$de/d\\alpha = -(x^{*2}/(1+\\rho))\\,de/dx^*$ with $dm^*/dx^* = M_\\kappa'(x^*)$ and "
            "$d\\tilde m/dx^* = M_{\\kappa/\\tau}'(x^*)$ from the MP quadratic; code in "
            "`derivative_above/below`; vectorized search in `iclsym.onelayer.theory.optimal`."
        )),
    ]
    items = [(label, _tex(v, s) if isinstance(v, sp.Basic) else v) for label, v in items]
    intro = f"Derived by `{SCRIPT}` from `iclsym/onelayer/symbolic/limits.py` (SymPy)."
    return render_markdown(SCRIPT, h, "Closed forms in limits", items, intro)


def build() -> dict[str, str]:
    h = script_hash(Path(__file__).resolve())
    derived()
    t0 = time.perf_counter()
    fns = functions()
    doc = (
        "Closed forms in limits (docs/onelayer/limits.md), derived in derivations/onelayer/limits.py.\n\n"
        "Arguments: ik = 1/kappa (0 for kappa = inf); m = M_kappa(x*), mt = M_{kappa/tau}(x*),\n"
        "x* = (1 + rho)/alpha.  Wrapped, validated and branch-selected by iclsym.onelayer.theory.limits."
    )
    out = {
        "iclsym/onelayer/_generated/limits.py": render_module(SCRIPT, h, fns, "numpy", doc),
        "iclsym/onelayer/_generated/limits_mpmath.py": render_module(SCRIPT, h, fns, "mpmath", doc),
        "iclsym/onelayer/_generated/limits_scalar.py": render_module(SCRIPT, h, fns, "scalar", doc),
        "derivations/out/limits.md": markdown(h),
    }
    print(f"derivations/onelayer/limits.py: symbolic derivation {derived()['seconds']:.1f} s, code generation {time.perf_counter() - t0:.1f} s")
    return out


if __name__ == "__main__":
    run_script(build)

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
from iclsym.engine.codegen import Formula, GenFunction, render_module, render_page, run_script, script_hash

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


GLOSSARY = {
    r"\alpha": r"context length per dimension $\ell/d$",
    r"\tau": r"pretraining sequences per parameter $n/d^2$",
    r"\kappa": r"task diversity $k/d$",
    r"\rho": r"label-noise variance",
    r"\lambda": r"ridge strength",
    r"x^*": r"$(1+\rho)/\alpha$",
    r"m^*": r"$M_\kappa(x^*)$, the Marchenko–Pastur transform at $x^*$",
    r"\tilde m": r"$M_{\kappa/\tau}(x^*)$ (and $\mu^* = x^*\tilde m$)",
    r"\epsilon": r"the effective regulariser (root of the fixed point)",
    r"\epsilon_0": r"the ridgeless root for $\tau < 1$",
    r"q": r"$\sqrt{\lambda}$",
    r"c": r"the ratio $\tau/\alpha$ along the path $\tau = c\alpha$ of Fig. 4",
    r"C_{ICL}": r"residue of the ridgeless $e_{ICL}$ at $\tau = 1$: $e \simeq C/|\tau - 1|$",
    r"C_{IDG}": r"residue of the ridgeless $e_{IDG}$ at $\tau = 1$",
    r"A_{ICL}": r"height coefficient of the ridge peak at $\tau = 1$: $e \simeq A\lambda^{-1/2}$",
    r"A_{IDG}": r"the same for $e_{IDG}$",
    r"D_{IDG}": r"coefficient of $1/\tau$ in $e_{IDG}$ as $\tau\to\infty$",
    r"\kappa_c": r"$\min(\tau, 1)$",
    r"m_{1}": r"$M_\kappa'(x^*)$ (in the expansion $M_\kappa(x^* + \epsilon) = m^* + m_1\epsilon + \dots$)",
}

REGIME = {"<1": "<", "=1": "=", ">1": ">"}
ERRORS = {"e_icl": "e_{ICL}", "e_idg": "e_{IDG}", "g_task": "g_{task}"}


def symbol_names(s):
    return {s.xs: "x^*", s.m: "m^*", s.mt: r"\tilde m", sp.Symbol("epsilon_0"): r"\epsilon_0", s.lam: r"\lambda"}


def _regime_items(d):
    """``alpha -> inf`` after ``tau = inf``: ``e = L + A alpha^-p + ...`` per regime of ``kappa`` vs 1."""
    s = d["s"]
    out = []
    for regime, name in (("<1", "lt"), ("=1", "eq"), (">1", "gt")):
        for i, err in enumerate(("e_icl", "e_idg", "g_task")):
            lim, A, p = d["alpha_inf"].regimes[regime][err]
            lead = lim + sp.factor(_alpha_coeff(A, p, s)) * s.alpha ** (-p)
            out.append(Formula(f"alpha_inf_tau_inf_{name}_{err}", rf"$\kappa {REGIME[regime]} 1$: ${ERRORS[err]}$",
                               lead, lhs=ERRORS[err], rel=r"\simeq",
                               function=f"iclsym.onelayer._generated.limits:alpha_inf_tau_inf_{name}", output=i))
    return out


def _fixed_tau_items(d):
    """``alpha -> inf`` at fixed ``tau``: the leading term (and the ``alpha^0`` term) per regime."""
    s = d["s"]
    out = []
    for side in ("above", "below"):
        for regime, name in (("<", "lt"), ("=", "eq"), (">", "gt")):
            for i, err in enumerate(("e_icl", "e_idg")):
                A, p, const = d["alpha_fixed"].out[side][regime][err]
                lead = sp.factor(_alpha_coeff(A, p, s)) * s.alpha ** (-p) + const
                cap = rf"$\tau {'>' if side == 'above' else '<'} 1$, $\kappa {regime} \kappa_c$: ${ERRORS[err]}$"
                out.append(Formula(f"alpha_inf_fixed_tau_{side}_{name}_{err}", cap, lead, lhs=ERRORS[err],
                                   rel=r"\simeq"))
    return out


def pages(h: str) -> dict[str, str]:
    """``derivations/out/limits.md`` and the closed-forms data module."""
    d = derived()
    s = d["s"]
    r, lc, pole, peak, ti, tp, ki = (
        d["ridgeless"], d["lam"], d["pole"], d["peak"], d["tau_inf"], d["tau_prop"], d["kappa_inf"],
    )
    T = r.targets
    gen = "iclsym.onelayer._generated.limits"
    items = [
        ("## 1. Ridgeless limit $\\lambda \\to 0^+$", (
            "Notation: $x^* = (1+\\rho)/\\alpha$, $m^* = M_\\kappa(x^*)$, $\\tilde m = M_{\\kappa/\\tau}(x^*)$ "
            "($\\mu^* = x^*\\tilde m$). Identities marked *proved* were reduced to 0 modulo the "
            "Marchenko–Pastur quadratic (minimal-polynomial argument), not checked numerically."
        )),
        Formula("eps_over_lam_above", r"$\tau > 1$: $\epsilon/\lambda$ as $\lambda \to 0^+$", r.eps_over_lam_above,
                lhs=r"\lim_{\lambda\to0^+} \epsilon/\lambda"),
        Formula("eps0", r"$\tau < 1$: $\epsilon_0$ (proved: $M_\kappa(x^* + \epsilon_0) = \tau\tilde m$, so "
                r"$\epsilon_0 M_\kappa(x^* + \epsilon_0) = 1 - \tau$)", sp.Eq(sp.Symbol("epsilon_0"), r.eps0)),
        Formula("ridgeless_e_icl_above", r"$\tau > 1$: $e_{ICL}$ (proved equal to the paper's)", T.e_icl_above,
                lhs="e_{ICL}", function=f"{gen}:ridgeless_above", output=0),
        Formula("ridgeless_e_idg_above", r"$\tau > 1$: $e_{IDG}$ (proved)", T.e_idg_above, lhs="e_{IDG}",
                function=f"{gen}:ridgeless_above", output=1),
        Formula("ridgeless_e_icl_below", r"$\tau < 1$: $e_{ICL}$ (proved)", T.e_icl_below, lhs="e_{ICL}",
                function=f"{gen}:ridgeless_below", output=0),
        Formula("ridgeless_e_idg_below", r"$\tau < 1$: $e_{IDG}$ (proved; $\epsilon_0$ as above)", T.e_idg_below,
                lhs="e_{IDG}", function=f"{gen}:ridgeless_below", output=1),
        ("## Leading $O(\\lambda)$ correction", (
            "$e(\\lambda) = e(0) + B\\lambda + O(\\lambda^2)$ with $B = (\\partial_\\epsilon e)\\,(d\\epsilon/d\\lambda)$; "
            "the full expressions of $B$ are the generated functions `lam_slope_above` and `lam_slope_below` "
            "of `iclsym.onelayer._generated.limits`."
        )),
        Formula("deps_dlam_above", r"$\tau > 1$: $d\epsilon/d\lambda$ at $\lambda = 0$", lc.deps_dlam_above,
                lhs=r"\left.\frac{d\epsilon}{d\lambda}\right|_{\lambda=0}"),
        Formula("deps_dlam_below", r"$\tau < 1$: $d\epsilon/d\lambda$ at $\lambda = 0$ ($S = \tau\tilde m$, $S'$ from "
                r"the Marchenko–Pastur quadratic)", sp.factor(lc.deps_dlam_below),
                lhs=r"\left.\frac{d\epsilon}{d\lambda}\right|_{\lambda=0}"),
        ("## 2. Interpolation peak $\\tau \\to 1$", (
            f"Simple pole from both sides (orders {sorted(set(pole.orders.values()))}); residues agree "
            "from above and below and with the page *Limits* of the documentation (proved)."
        )),
        Formula("pole_residue_idg", r"Residue $C_{IDG}$", pole.C_idg, lhs="C_{IDG}", function=f"{gen}:pole_residue",
                output=1),
        Formula("pole_residue_icl", r"Residue $C_{ICL}$", pole.C_icl, lhs="C_{ICL}", function=f"{gen}:pole_residue",
                output=0),
        Formula("peak_eps", r"Peak at $\tau = 1$, $\lambda \to 0^+$: $\epsilon(\lambda)$ with $q = \sqrt\lambda$",
                peak.eps_series, lhs=r"\epsilon"),
        Formula("peak_coefficient_icl", r"$e_{ICL}$ at $\tau = 1$: coefficient of $\lambda^{-1/2}$", peak.coef_icl,
                lhs="A_{ICL}", function=f"{gen}:peak_coefficient", output=0),
        Formula("peak_coefficient_idg", r"$e_{IDG}$ at $\tau = 1$: coefficient of $\lambda^{-1/2}$ "
                r"($= C_{IDG}/(2\sqrt{m^*})$)", peak.coef_idg, lhs="A_{IDG}", function=f"{gen}:peak_coefficient",
                output=1),
        ("## 3. $\\tau \\to \\infty$, then $\\alpha \\to \\infty$",
         "Limits as $\\tau\\to\\infty$ (proved equal to the page *Limits* of the documentation):"),
        Formula("tau_inf_e_icl", r"$e_{ICL}(\tau = \infty)$", ti.design["icl"], lhs=r"e_{ICL}(\infty)",
                function=f"{gen}:tau_inf", output=0),
        Formula("tau_inf_e_idg", r"$e_{IDG}(\tau = \infty)$", ti.e_idg, lhs=r"e_{IDG}(\infty)",
                function=f"{gen}:tau_inf", output=1),
        Formula("tau_inf_D_idg", r"$D_{IDG}$ in $e = e(\infty) + D/\tau + \dots$", ti.D_idg, lhs="D_{IDG}",
                function=f"{gen}:tau_inf", output=3),
        ("## $\\alpha \\to \\infty$ after $\\tau = \\infty$ (the $\\kappa = 1$ transition)",
         "Leading terms $e \\simeq L + A\\alpha^{-p}$. The $1/\\alpha$ corrections of $e_{ICL}$ and $e_{IDG}$ "
         "coincide for $\\kappa\\ne1$, so $g_{task}$ approaches its limit like $\\alpha^{-2}$ there; at "
         "$\\kappa=1$ like $\\alpha^{-1/2}$."),
        *_regime_items(d),
        ("## $\\alpha \\to \\infty$ at fixed $\\tau$",
         "Leading term and the $\\alpha^0$ term, $\\kappa_c = \\min(\\tau, 1)$. At the boundary "
         "$\\kappa = \\kappa_c$ the leading term is $\\propto\\alpha^{1/2}$ (for $\\rho > 0$)."),
        *_fixed_tau_items(d),
        Formula("tau_prop_alpha_lt", r"Fig. 4 path $\tau = c\alpha$, $\kappa < 1$: $\lim g_{task}$", tp.limits["<1"],
                lhs=r"\lim g_{task}", function=f"{gen}:g_task_tau_prop_alpha", output=0),
        Formula("tau_prop_alpha_eq_gt", r"Fig. 4 path, $\kappa = 1$ and $\kappa > 1$",
                sp.Tuple(tp.limits["=1"], tp.limits[">1"]), lhs=r"\lim g_{task}"),
        ("## 4. $\\kappa \\to \\infty$ ($e_{ICL} = e_{IDG}$, proved)", ""),
        Formula("kappa_inf_above", r"$\tau > 1$", ki.e_icl_above, lhs="e_{ICL}",
                function=f"{gen}:kappa_inf_ridgeless", output=0),
        Formula("kappa_inf_below", r"$\tau < 1$", ki.e_icl_below, lhs="e_{ICL}",
                function=f"{gen}:kappa_inf_ridgeless", output=1),
        Formula("kappa_inf_eps", r"Ridge fixed point at $\kappa = \infty$ (any $\tau$, $\lambda > 0$)", ki.eps_ridge,
                lhs=r"\epsilon", function=f"{gen}:kappa_inf_eps"),
        ("## 5. Optimal context length", (
            "$de/d\\alpha = -(x^{*2}/(1+\\rho))\\,de/dx^*$ with $dm^*/dx^* = M_\\kappa'(x^*)$ and "
            "$d\\tilde m/dx^* = M_{\\kappa/\\tau}'(x^*)$ from the Marchenko–Pastur quadratic; code in "
            "`derivative_above/below`; vectorized search in `iclsym.onelayer.theory.optimal`."
        )),
    ]
    intro = f"Derived by `{SCRIPT}` from `iclsym/onelayer/symbolic/limits.py` (SymPy)."
    return render_page(SCRIPT, h, "Closed forms in limits", items, intro, glossary=GLOSSARY,
                       symbol_names=symbol_names(s))


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
    }
    out.update(pages(h))
    print(f"derivations/onelayer/limits.py: symbolic derivation {derived()['seconds']:.1f} s, code generation {time.perf_counter() - t0:.1f} s")
    return out


if __name__ == "__main__":
    run_script(build)

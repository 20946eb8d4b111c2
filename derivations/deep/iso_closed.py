"""ISO closed forms of deep linear attention (paper 3), derived with SymPy.

Run by ``iclsym derive``.  The derivations live in :mod:`iclsym.deep.symbolic.iso`; this script
**fails if a symbolic check does not reduce to zero** and writes

* ``derivations/out/iso_closed.md`` -- the results in LaTeX;
* ``iclsym/deep/_generated/iso_closed.py`` / ``iso_closed_mpmath.py`` -- NumPy / mpmath code.

Checks: ``gamma* = L alpha/(1+alpha)`` is a stationary point of the exact Narayana risk
polynomial and ``R_L(gamma*)`` equals the Catalan closed form, for ``L = 1..6``; the generating
function of the Catalan numbers gives the ``L -> inf`` limit ``[1 - alpha]_+``; at ``alpha = 1``
``R*_L = C(2L, L)/4^L ~ 1/sqrt(pi L)``.
"""

from __future__ import annotations

import time
from pathlib import Path

import sympy as sp

from iclsym.deep.symbolic import iso as I
from iclsym.engine.codegen import Formula, GenFunction, render_module, render_page, run_script, script_hash

SCRIPT = "derivations/deep/iso_closed.py"
MAX_L_CHECK = 6
POLY_L = (1, 2, 3, 4)


def _require_zero(checks: dict, where: str) -> None:
    bad = {k: v for k, v in checks.items() if sp.simplify(v) != 0}
    if bad:
        raise AssertionError(f"{where}: symbolic checks failed: {bad}")


_CACHE: dict = {}


def derived():
    if "d" in _CACHE:
        return _CACHE["d"]
    t0 = time.perf_counter()
    s = I.symbols()
    for L in range(1, MAX_L_CHECK + 1):
        _require_zero(I.check_gamma_star(L, s), f"gamma* and Catalan form at L = {L}")
    g1, r1, R1 = I.noisy_l1(s)
    _require_zero({"gamma": g1 - 1 / (1 + (1 + s.sigma2) / s.alpha),
                   "risk": r1 - (1 + s.sigma2) / (s.alpha + 1 + s.sigma2)}, "noisy L = 1 optimum")
    gen, below, above = I.catalan_tail_form(s.alpha)
    _require_zero({"below": below - s.alpha, "above": above - 1}, "Catalan generating function")
    lim = I.limits(s)
    _require_zero({"ratio": lim["alpha1_ratio_limit"] - 1, "r": lim["four_x_minus_r2"]}, "alpha = 1 asymptotics")
    for L in range(1, 8):
        val = I.catalan_closed_form(L, sp.Integer(1)) - sp.binomial(2 * L, L) / sp.Integer(4) ** L
        _require_zero({"alpha1": val}, f"alpha = 1 exact form at L = {L}")
    sgd = I.sgd_l1(s)
    out = dict(s=s, noisy=(g1, r1, R1), gen=gen, lim=lim, sgd=sgd, seconds=time.perf_counter() - t0)
    _CACHE["d"] = out
    return out


def functions():
    d = derived()
    s = d["s"]
    g1, r1, _ = d["noisy"]
    sgd = d["sgd"]
    Ls = sp.Symbol("L", positive=True)
    fns = [
        GenFunction("gamma_star", [Ls, s.alpha], Ls * s.alpha / (1 + s.alpha),
                    "Noiseless optimal step gamma* = L alpha/(1 + alpha) of the ISO risk (any depth L)."),
        GenFunction("noisy_l1_optimum", [s.alpha, s.sigma2], [g1, r1],
                    "(gamma*, R*) at L = 1 with label noise: 1/(1 + (1+sigma2)/alpha), (1+sigma2)/(alpha+1+sigma2)."),
        GenFunction("catalan_rate", [s.alpha], d["lim"]["r"],
                    "r = 2 sqrt(alpha)/(1 + alpha): R*_L - [1-alpha]_+ decays like r^(2L) L^(-3/2)."),
        GenFunction("risk_star_alpha1_asymptotic", [Ls], 1 / sp.sqrt(sp.pi * Ls),
                    "Leading large-L behaviour of R*_L(1) = C(2L, L)/4^L: 1/sqrt(pi L)."),
        GenFunction("sgd_l1_ab", [sgd["eta"], sgd["ia"], sgd["batch"], sgd["iq"], s.sigma2, sgd["qn"]],
                    [sgd["a"], sgd["b"]],
                    "(a, b) of the L = 1 online-SGD recursion C(t+1) = a C(t) + b, C = ||Gamma - I/cbar||^2/D;\n"
                    "ia = 1/alpha, iq = 1/queries, qn = 1 if query labels are noisy else 0."),
        GenFunction("sgd_l1_eta_max", [sgd["ia"], sgd["batch"], sgd["iq"], s.sigma2], sgd["eta_max"],
                    "Largest stable step (a < 1 iff 0 < eta < eta_max) of the L = 1 online-SGD recursion."),
    ]
    for L in POLY_L:
        R = sp.expand(I.risk_bias(L, s.gamma, s.alpha) + I.risk_noise(L, s.gamma, s.alpha, s.sigma2))
        fns.append(GenFunction(f"risk_poly_l{L}", [s.gamma, s.alpha, s.sigma2], R,
                               f"Exact Narayana risk polynomial R_{L}(gamma) of the ISO model (bias + noise).", cse=False))
        fns.append(GenFunction(f"risk_star_l{L}", [s.alpha], sp.factor(I.catalan_closed_form(L, s.alpha)),
                               f"Catalan closed form R*_{L}(alpha) (optimal noiseless risk at depth {L})."))
    return fns


GLOSSARY = {
    r"\alpha": r"context pairs per dimension $P/D$",
    r"\gamma": r"the in-context gradient step ($\Gamma = \gamma I$)",
    r"\sigma^2": r"label-noise variance",
    r"L": r"depth (number of in-context gradient steps)",
    r"j": r"moment order",
    r"k": r"summation index",
    r"n": r"summation index",
    r"x": r"$\alpha/(1+\alpha)^2$, the argument of the Catalan generating function",
    r"C_{n}": r"the Catalan numbers $\binom{2n}{n}/(n+1)$",
    r"\eta": r"SGD step, $\eta D$ in units of the dimension",
    r"B": r"batch size $B = \tau_B D$ (argument `batch`)",
    r"\iota_\alpha": r"$1/\alpha$",
    r"\iota_q": r"$1/\text{queries}$ (queries $K = \kappa_K D$)",
    r"q_n": r"1 if the query labels are noisy, else 0",
    r"\bar c": r"the scale of the SGD fixed point $\Gamma \to I/\bar c$",
    r"a": r"contraction factor of the SGD recursion $C(t+1) = aC(t) + b$, $C = \|\Gamma - I/\bar c\|_F^2/D$",
    r"b": r"offset of the SGD recursion",
}


def pages(h):
    """``derivations/out/iso_closed.md`` and the closed-forms data module."""
    d = derived()
    s = d["s"]
    g1, r1, R1 = d["noisy"]
    sgd = d["sgd"]
    n = sp.Symbol("n", integer=True, nonnegative=True)
    j, k = sp.symbols("j k", integer=True, positive=True)
    Ls = sp.Symbol("L", positive=True)
    names = {s.sigma2: r"\sigma^2", sgd["eta"]: r"\eta", sgd["batch"]: "B", sgd["ia"]: r"\iota_\alpha",
             sgd["iq"]: r"\iota_q", sgd["qn"]: "q_n"}
    gen = "iclsym.deep._generated.iso_closed"
    items = [
        ("## Marchenko–Pastur moments (Narayana)",
         "With $c = 1/\\alpha$ the moments of the sample covariance are Narayana polynomials."),
        Formula("moment", r"$m_j(\alpha)$", sp.Sum(sp.binomial(j, k) * sp.binomial(j, k - 1) / j
                                                    * s.alpha ** (1 - k), (k, 1, j)), lhs=r"m_j(\alpha)"),
        ("## Risk polynomials", ""),
    ]
    for L in POLY_L:
        items.append(Formula(f"risk_poly_l{L}", rf"$R_{L}(\gamma)$", sp.expand(
            I.risk_bias(L, s.gamma, s.alpha) + I.risk_noise(L, s.gamma, s.alpha, s.sigma2)), lhs=rf"R_{L}(\gamma)",
            function=f"{gen}:risk_poly_l{L}"))
    items += [
        ("## Optimal step and the Catalan closed form",
         f"Checked symbolically for $L = 1, \\dots, {MAX_L_CHECK}$: $dR_L/d\\gamma = 0$ at $\\gamma^*$ and "
         "$R_L(\\gamma^*)$ equals the Catalan sum."),
        Formula("gamma_star", r"The optimal step $\gamma^*$", s.L * s.alpha / (1 + s.alpha), lhs=r"\gamma^*",
                function=f"{gen}:gamma_star"),
        Formula("risk_star", r"The Catalan closed form of $R^*_L$", 1 - s.alpha / (1 + s.alpha)
                * sp.Sum(sp.catalan(n) * (s.alpha / (1 + s.alpha) ** 2) ** n, (n, 0, s.L - 1)), lhs="R^*_L"),
    ]
    for L in POLY_L:
        items.append(Formula(f"risk_star_l{L}", rf"$R^*_{L}$", sp.factor(I.catalan_closed_form(L, s.alpha)),
                             lhs=rf"R^*_{L}", function=f"{gen}:risk_star_l{L}"))
    items += [
        Formula("catalan_generating_function", r"Catalan generating function (gives $R^*_\infty = [1 - \alpha]_+$)",
                d["gen"], lhs="C(x)"),
        Formula("risk_star_alpha1", r"At $\alpha = 1$", d["lim"]["alpha1_exact"], lhs=r"R^*_L(1)"),
        Formula("catalan_rate", r"Gap ratio $r$ ($4x = r^2$)", d["lim"]["r"], lhs="r", function=f"{gen}:catalan_rate"),
        Formula("risk_star_alpha1_asymptotic", r"Large $L$ at $\alpha = 1$", 1 / sp.sqrt(sp.pi * Ls),
                lhs=r"R^*_L(1)", rel=r"\simeq", function=f"{gen}:risk_star_alpha1_asymptotic"),
        ("## Noisy $L = 1$ optimum", ""),
        Formula("noisy_gamma_star", r"$\gamma^*$", g1, lhs=r"\gamma^*", function=f"{gen}:noisy_l1_optimum", output=0),
        Formula("noisy_risk_star", r"$R^*$", r1, lhs="R^*", function=f"{gen}:noisy_l1_optimum", output=1),
        ("## $L = 1$ online SGD (leading order in $1/D$)",
         "$C = \\|\\Gamma - I/\\bar c\\|_F^2/D$, step $\\eta D$, batch $B = \\tau_B D$, $K = \\kappa_K D$ queries "
         "(arguments `batch`, `queries` in iclsym); $\\iota_\\alpha = 1/\\alpha$, $\\iota_q = 1/$queries."),
        Formula("sgd_cbar", r"$\bar c$", sgd["cbar"], lhs=r"\bar c"),
        Formula("sgd_a", r"$a$", sgd["a"], lhs="a", function=f"{gen}:sgd_l1_ab", output=0),
        Formula("sgd_b", r"$b$", sgd["b"], lhs="b", function=f"{gen}:sgd_l1_ab", output=1),
        Formula("sgd_eta_max", r"Stability: $a < 1$ iff $\eta < \eta_{max}$", sgd["eta_max"], lhs=r"\eta_{max}",
                function=f"{gen}:sgd_l1_eta_max"),
        Formula("sgd_floor", r"The floor $b/(1-a)$", sgd["floor"], lhs=r"C_\infty"),
    ]
    intro = f"Derived by `{SCRIPT}` from `iclsym/deep/symbolic/iso.py` (SymPy); the theory is on the page *ISO* (paper 3)."
    return render_page(SCRIPT, h, "Deep linear attention, ISO: closed forms", items, intro, glossary=GLOSSARY,
                       symbol_names=names)


def build() -> dict[str, str]:
    h = script_hash(Path(__file__).resolve())
    fns = functions()
    doc = ("ISO closed forms of deep linear attention, derived in derivations/deep/iso_closed.py.\n\n"
           "Wrapped and validated by iclsym.deep.iso.")
    return {
        "iclsym/deep/_generated/iso_closed.py": render_module(SCRIPT, h, fns, "numpy", doc),
        "iclsym/deep/_generated/iso_closed_mpmath.py": render_module(SCRIPT, h, fns, "mpmath", doc),
        **pages(h),
    }


if __name__ == "__main__":
    run_script(build)

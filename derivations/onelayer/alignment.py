"""Derivation script: structured task covariances (Letey et al. 2025) -> generated code and write-up.

Produces

* ``iclsym/onelayer/_generated/alignment.py``        -- NumPy: the cancellation-free kernel ``k(lam)``,
  ``q``, ``e_scalar``, ``e_misalign`` from the traces, the kernel's turning point and its limits;
* ``iclsym/onelayer/_generated/alignment_mpmath.py`` -- mpmath: the paper's as-written ``Q, q,
  e_scalar, k(lam)`` (the independent high-precision path);
* ``derivations/out/alignment.md``                  -- the derivation in LaTeX.

Everything comes from :mod:`iclsym.onelayer.symbolic.alignment` (the deterministic-equivalent route);
the build fails unless the derived, the paper's and the stable forms are proved equal, and the
reduction to Lu et al. (2024) holds.

Run ``iclsym derive --only alignment`` (or ``python derivations/onelayer/alignment.py``).
"""

from __future__ import annotations

from pathlib import Path

import sympy as sp

from iclsym.engine.codegen import Formula, GenFunction, render_module, render_page, run_script, script_hash
from iclsym.onelayer.symbolic import alignment as al

SCRIPT = "derivations/onelayer/alignment.py"


def _checked() -> None:
    checks = {**al.check_forms(), **al.reduction_to_paper1()}
    tp = al.kernel_turning_point()
    checks["eps = 0: 2 a alpha0 - alpha1 nu is a sum of positive terms"] = sp.simplify(
        tp.margin_eps0 - tp.margin_eps0_positive) == 0
    kd = al.kernel_derivative()
    checks["dk/dlam form"] = sp.simplify(kd.derivative - kd.form) == 0
    for name, ok in checks.items():
        if not ok:
            raise RuntimeError(f"derivation check failed: {name}")


def _sym():
    s = al.symbols()
    C2, C2l, nu = sp.symbols("C2 C2l nu", positive=True)
    return s, C2, C2l, nu


def numpy_functions():
    s, C2, C2l, nu = _sym()
    st = al.stable_forms()
    tp = al.kernel_turning_point()
    lim = al.kernel_limits()
    to_nu = {s.xs + s.eps: nu}

    def with_nu(e):
        return sp.sympify(e).subs(s.eps + s.xs, nu)

    e_mis = s.q * ((s.a - s.eps * s.b) * C2l + s.xs * C2) + nu**2 * (s.b * C2l + C2)
    return [
        GenFunction(
            "pretraining_scalar",
            [s.rho, s.xs, s.eps, s.r, nu, st.P, st.T2, st.U],
            (st.N.subs(s.eps + s.xs, nu), st.V, st.q.subs(s.eps + s.xs, nu)),
            "(N, V, q) with N = rho + x* T2 + nu^2 U, V = U + x* P and q = N/(eps V + r) (r = tau lam/eps,\n"
            "or its ridgeless limit max(tau - 1, 0)); traces of the discrete-spectrum law at nu = x* + eps.",
        ),
        GenFunction(
            "e_scalar",
            [s.rho, s.xt, s.q, st.T2, s.V],
            s.rho + s.xt * (st.T2 + s.q * s.V),
            "e_scalar = rho + x*_te (T2 + q V): the part of e_ICL that depends on C_test only through its\n"
            "trace (x*_te = (c_te + rho)/alpha_test).",
        ),
        GenFunction(
            "e_misalign",
            [s.a, s.b, s.eps, s.xs, nu, s.q, C2, C2l],
            e_mis,
            "e_misalign = mean_i c_i k(lam_i) = q [(a - eps b) C2l + x* C2] + nu^2 (b C2l + C2), with the\n"
            "c-weighted sums C2 = mean c/u^2, C2l = mean c lam/u^2 (u = a lam + nu).",
        ),
        GenFunction(
            "kernel",
            [s.lam, s.a, s.b, s.eps, s.xs, nu, s.q],
            with_nu(st.kernel),
            "Spectral transfer kernel k(lam) = [q (lam (a - eps b) + x*) + nu^2 (b lam + 1)]/(a lam + nu)^2\n"
            "(a sum of positive terms): e_misalign = mean_i c_i k(lam_i).",
        ),
        GenFunction(
            "kernel_turning_point",
            [s.a, s.b, s.eps, s.xs, nu, s.q],
            with_nu(tp.lam_c),
            "lam_c = nu/a - 2 alpha0/alpha1: k increases for lam < lam_c and decreases for lam > lam_c\n"
            "(alpha1 = q (a - eps b) + nu^2 b, alpha0 = q x* + nu^2); lam_c < 0 when eps = 0.",
        ),
        GenFunction(
            "kernel_kappa_inf",
            [s.lam, s.eps, s.xs, s.q],
            lim.kappa_inf,
            "k(lam) at kappa = inf (a = 1, b = 0): [q (lam + x*) + nu^2]/(lam + nu)^2.",
        ),
        GenFunction(
            "kernel_tau_inf",
            [s.lam, s.a, s.b, s.xs],
            lim.tau_inf,
            "k(lam) as tau -> inf (eps = 0, q -> 0): x*^2 (b lam + 1)/(a lam + x*)^2.",
        ),
    ]


def gradient_functions():
    """The derived pieces of the gradient of e_ICL in the eigenvalues of C_train (NumPy only)."""
    s = al.symbols()
    gp = al.gradient_pieces()
    names = al.GRADIENT_SUMS
    return [
        GenFunction(
            "gradient_summands",
            [s.lam, s.c, s.a, gp.nu],
            tuple(gp.df_dlam[k] for k in names) + tuple(gp.df_da[k] for k in names)
            + tuple(gp.df_dnu[k] for k in names),
            "Partial derivatives of the summands f_k(lam, c, a, nu) of the sums (M, S2, S1l, S2l, S2ll, C2, C2l):\n"
            "the 7 d/dlam, then the 7 d/da, then the 7 d/dnu (u = a lam + nu).",
        ),
        GenFunction(
            "objective_partials",
            [s.rho, s.xt, s.ik, s.xs, s.eps, s.r, s.a] + [gp.S[k] for k in names],
            (gp.phi,) + gp.dphi_scalars + gp.dphi_sums,
            "e_ICL = Phi(a, eps, x*, r, sums) and its partials: (Phi, dPhi/da, dPhi/deps, dPhi/dx*, dPhi/dr,\n"
            "then dPhi/d(M, S2, S1l, S2l, S2ll, C2, C2l)) at fixed sums (nu = x* + eps inside b, U, T2).",
        ),
    ]


def mpmath_functions():
    s, C2, C2l, nu = _sym()
    pf = al.paper_forms()
    return [
        GenFunction(
            "paper_q",
            [s.rho, s.tau, s.xs, s.eps, s.M, pf.Mp],
            (pf.Q, pf.q_numerator / (s.tau - pf.Q)),
            "(Q, q) as the paper writes them: Q = 1 - 2 xi M - xi^2 M',\n"
            "q = [rho + nu - nu^2 M - xi (1 - 2 nu M - nu^2 M')]/(tau - Q) (xi = eps, nu = x* + xi).",
        ),
        GenFunction(
            "paper_e_scalar",
            [s.rho, s.xt, s.xs, s.eps, s.q, s.M, pf.Mp],
            pf.e_scalar,
            "e_scalar = rho + x*_te [1 + (q - 2 nu) M + (xi q - nu^2) M'] as the paper writes it.",
        ),
        GenFunction(
            "paper_kernel",
            [s.lam, s.a, s.b, s.xs, s.eps, s.q],
            pf.kernel,
            "k(lam) = q/(a lam + nu) - (xi q - nu^2)(b lam + 1)/(a lam + nu)^2 as the paper writes it\n"
            "(K = q F - (xi q - nu^2) F2 in C_train's eigenbasis).",
        ),
    ]


GLOSSARY = {
    r"\alpha": r"context length per dimension $\ell/d$",
    r"\tau": r"pretraining sequences per parameter $n/d^2$",
    r"\kappa": r"task diversity $k/d$",
    r"\iota": r"$1/\kappa$",
    r"\rho": r"label-noise variance",
    r"\lambda": r"an eigenvalue $\lambda_i$ of the pretraining task covariance $C_{train}$",
    r"c": r"$c_i = u_i^\top C_{test} u_i$, the test covariance along the eigenvector $u_i$ of $C_{train}$",
    r"x^*": r"$(1+\rho)/\alpha$, the context noise of pretraining",
    r"x^*_{te}": r"$(1+\rho)/\alpha_{te}$, the context noise at test",
    r"\epsilon": r"the effective regulariser $\tilde\lambda$ (the root of the fixed point)",
    r"\nu": r"$x^* + \epsilon$",
    r"a": r"$a(\nu)$, the root of the discrete-spectrum fixed point at $z = \nu$",
    r"b": r"$a'(\nu)$",
    r"q": r"$N/(\tau - \mathrm{df}_2)$, the size of the fluctuation of the trained $\Gamma$",
    r"N": r"the training numerator (the error of the mean predictor on the bank)",
    r"r": r"$\tau\lambda/\epsilon$ for ridge strength $\lambda$ (ridgeless: $\max(\tau - 1, 0)$)",
    r"V": r"$U + x^* P$",
    r"M": r"$\overline{1/u}$, $u = a\lambda + \nu$ (overline: mean over the eigenvalues)",
    r"S_2": r"$\overline{u^{-2}}$",
    r"S_{1\lambda}": r"$\overline{\lambda/u}$",
    r"S_{2\lambda}": r"$\overline{\lambda/u^2}$",
    r"S_{2\lambda\lambda}": r"$\overline{\lambda^2/u^2}$",
    r"P": r"$-M'(\nu)$",
    r"T_1": r"$1 - \nu M$",
    r"T_2": r"$1 - 2\nu M - \nu^2 M'$",
    r"U": r"$M + \nu M'$",
    r"M'": r"$M'(\nu)$",
    r"a_{0}": r"$a(0^+)$, the root of the fixed point as $\nu \to 0^+$",
    r"q_{0}": r"$\rho/(\tau - 1)$",
    r"\alpha_0": r"$q x^* + \nu^2$",
    r"\alpha_1": r"$q(a - \epsilon b) + \nu^2 b$",
}


def symbol_names(s):
    """SymPy symbol -> LaTeX in the paper's notation."""
    names = {s.ik: r"\iota", s.S1l: r"S_{1\lambda}", s.S2l: r"S_{2\lambda}", s.S2ll: r"S_{2\lambda\lambda}",
             s.S2: "S_2", s.S3: "S_3", s.S3l: r"S_{3\lambda}", s.S3ll: r"S_{3\lambda\lambda}",
             s.xs: "x^*", s.xt: "x^*_{te}", s.eps: r"\epsilon",
             sp.Symbol("Mp", real=True): "M'", sp.Symbol("T2", positive=True): "T_2"}
    return names


def pages(source_hash: str) -> dict[str, str]:
    """``derivations/out/alignment.md`` and the closed-forms data module."""
    s = al.symbols()
    D = al.derive_errors()
    pf = al.paper_forms()
    st = al.stable_forms()
    tp = al.kernel_turning_point()
    kd = al.kernel_derivative()
    lim = al.kernel_limits()
    checks = {**al.check_forms(), **al.reduction_to_paper1()}
    gen = "iclsym.onelayer._generated.alignment"
    items = [
        ("## Setting", r"Pretraining tasks $w \sim N(0, C_{train})$ (eigenvalues $\lambda_i$), test tasks "
         r"$w \sim N(0, C_{test})$ with $c_i = u_i^\top C_{test} u_i$. Deterministic equivalents: "
         r"$(\hat S + \nu)^{-1} \to F = (aC_{train} + \nu)^{-1}$, $(\hat S + \nu)^{-2} \to F (bC_{train} + I) F$, "
         r"$\hat S \to C_{train}$ (see the discrete-spectrum page). $\nu = x^* + \epsilon$, "
         r"$\epsilon = \tilde\lambda$, $g = q$."),
        ("## Derived (deterministic-equivalent route)", r"Summands of means over the spectrum of $C_{train}$."),
        Formula("kernel_derived", r"The kernel $k(\lambda)$: the coefficient of $c_i$", D.kernel, lhs=r"k(\lambda)"),
        Formula("e_scalar_derived", r"$e_{scalar} - \rho$ (summand)", D.scalar, lhs=r"e_{scalar} - \rho"),
        Formula("N_derived", r"$N - \rho$ (the bank as test law; summand)", D.N, lhs=r"N - \rho"),
        Formula("df2_derived", r"$\mathrm{df}_2$ (summand)", D.df2, lhs=r"\mathrm{df}_2"),
        ("## The paper's forms", ""),
        Formula("Q_paper", r"$Q$", pf.Q, lhs="Q", function=f"{gen}_mpmath:paper_q", output=0),
        Formula("q_paper", r"$q$", pf.q_numerator / (s.tau - pf.Q), lhs="q", function=f"{gen}_mpmath:paper_q",
                output=1),
        Formula("e_scalar_paper", r"$e_{scalar}$", pf.e_scalar, lhs="e_{scalar}", function=f"{gen}_mpmath:paper_e_scalar"),
        Formula("kernel_paper", r"$k(\lambda)$", pf.kernel, lhs=r"k(\lambda)", function=f"{gen}_mpmath:paper_kernel"),
        ("## Cancellation-free forms (evaluated by the NumPy path)", r"$V = U + x^* P$, $r = \tau\lambda/\epsilon$ "
         r"(ridgeless: $\max(\tau - 1, 0)$); traces from the discrete-spectrum page."),
        Formula("kernel", r"$k(\lambda)$", st.kernel, lhs=r"k(\lambda)", function=f"{gen}:kernel"),
        Formula("e_scalar", r"$e_{scalar}$", st.e_scalar, lhs="e_{scalar}", function=f"{gen}:e_scalar"),
        Formula("q", r"$q$", st.q, lhs="q"),
        Formula("e_idg", r"$e_{IDG}$", s.tau * s.q, lhs="e_{IDG}"),
        ("## Proved identities", "The symbolic checks of `iclsym.onelayer.symbolic.alignment`, by name:\n\n"
         + "\n".join(f"- `{k}`: {'yes' if v else 'NO'}" for k, v in checks.items())),
        ("## Shape of the kernel", r"$dk/d\lambda$ has a numerator linear in $\lambda$ with negative slope: "
         r"$k$ is unimodal with its maximum at $\lambda_c$; for $\epsilon = 0$ ($\tau > 1$) $\lambda_c < 0$."),
        Formula("dkernel", r"$dk/d\lambda$", kd.form, lhs=r"\frac{dk}{d\lambda}"),
        Formula("lambda_c", r"$\lambda_c$", tp.lam_c, lhs=r"\lambda_c", function=f"{gen}:kernel_turning_point"),
        Formula("turning_margin", r"$2a\alpha_0 - \alpha_1\nu$ at $\epsilon = 0$ (positive)",
                tp.margin_eps0_positive, lhs=r"2a\alpha_0 - \alpha_1\nu"),
        ("## Limits of the kernel", ""),
        Formula("kernel_kappa_inf", r"$\kappa \to \infty$", lim.kappa_inf, lhs=r"k_{\kappa\to\infty}(\lambda)",
                function=f"{gen}:kernel_kappa_inf"),
        Formula("kernel_tau_inf", r"$\tau \to \infty$", lim.tau_inf, lhs=r"k_{\tau\to\infty}(\lambda)",
                function=f"{gen}:kernel_tau_inf"),
        Formula("kernel_alpha_inf", r"$\alpha \to \infty$, $\tau > 1$, $\lambda > 0$ ($a_0 = a(0^+)$, "
                r"$q_0 = \rho/(\tau - 1)$)", lim.alpha_inf, lhs=r"k_{\alpha\to\infty}(\lambda)"),
        Formula("kernel_alpha_inf_ridgeless", r"$\alpha \to \infty$, $\tau > 1$, ridgeless", lim.alpha_inf_null,
                lhs=r"k_{\alpha\to\infty}(\lambda)"),
    ]
    return render_page(SCRIPT, source_hash, r"Pretrain–test alignment: $e_{ICL} = e_{scalar} + e_{misalign}$", items,
                       intro="Generated from `iclsym.onelayer.symbolic.alignment` by "
                             "`derivations/onelayer/alignment.py`; the theory is on the page *Task alignment*.",
                       glossary=GLOSSARY, symbol_names=symbol_names(s))


def build() -> dict[str, str]:
    _checked()
    h = script_hash(Path(__file__).resolve())
    doc_np = ("Structured task covariances (Letey et al. 2025), NumPy flavour: cancellation-free q, e_scalar,\n"
              "e_misalign, the kernel k(lam), its turning point and limits.  Used by\n"
              "iclsym.onelayer.theory.alignment.")
    doc_mp = ("Structured task covariances, mpmath flavour: the paper's as-written Q, q, e_scalar and k(lam).\n"
              "Used by iclsym.onelayer.theory.alignment_precise.")
    return {
        "iclsym/onelayer/_generated/alignment.py": render_module(SCRIPT, h, numpy_functions() + gradient_functions(),
                                                                 "numpy", doc_np),
        "iclsym/onelayer/_generated/alignment_mpmath.py": render_module(SCRIPT, h, mpmath_functions(), "mpmath",
                                                                        doc_mp),
        **pages(h),
    }


if __name__ == "__main__":
    run_script(build)

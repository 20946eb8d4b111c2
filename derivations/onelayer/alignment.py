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

from iclsym.engine.codegen import GenFunction, render_markdown, render_module, run_script, script_hash
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


def markdown(source_hash: str) -> str:
    s = al.symbols()
    D = al.derive_errors()
    pf = al.paper_forms()
    st = al.stable_forms()
    tp = al.kernel_turning_point()
    kd = al.kernel_derivative()
    lim = al.kernel_limits()
    checks = {**al.check_forms(), **al.reduction_to_paper1()}
    items = [
        ("# Setting", r"Pretraining tasks $w \sim N(0, C_{train})$ (eigenvalues $\lambda_i$), test tasks "
         r"$w \sim N(0, C_{test})$ with $c_i = u_i^\top C_{test} u_i$. Deterministic equivalents: "
         r"$(\hat S + \nu)^{-1} \to F = (aC_{train} + \nu)^{-1}$, $(\hat S + \nu)^{-2} \to F (bC_{train} + I) F$, "
         r"$\hat S \to C_{train}$ (derivations/out/discrete_spectrum.md). $\nu = x^* + \epsilon$, "
         r"$\epsilon = \tilde\lambda$, $g = q$."),
        ("# Derived (deterministic-equivalent route)", "Summands of means over the spectrum of $C_{train}$."),
        ("k(lambda): coefficient of c_i", D.kernel),
        ("e_scalar - rho", D.scalar),
        ("N - rho (the bank as test law)", D.N),
        ("df2", D.df2),
        ("# The paper's forms", ""),
        ("Q", pf.Q),
        ("q", pf.q_numerator / (s.tau - pf.Q)),
        ("e_scalar", pf.e_scalar),
        ("k(lambda)", pf.kernel),
        ("# Cancellation-free forms (evaluated by the NumPy path)", r"$V = U + x^* P$, $r = \tau\lambda/\epsilon$ "
         r"(ridgeless: $\max(\tau - 1, 0)$); traces from derivations/out/discrete_spectrum.md."),
        ("k(lambda)", st.kernel),
        ("e_scalar", st.e_scalar),
        ("q", st.q),
        ("e_IDG", s.tau * s.q),
        ("# Proved identities", "\n".join(f"- {k}: {'yes' if v else 'NO'}" for k, v in checks.items())),
        ("# Shape of the kernel", r"$dk/d\lambda$ has a numerator linear in $\lambda$ with negative slope: "
         r"$k$ is unimodal with its maximum at $\lambda_c$; for $\epsilon = 0$ ($\tau > 1$) $\lambda_c < 0$."),
        ("dk/dlambda", kd.form),
        ("lambda_c", tp.lam_c),
        ("2 a alpha0 - alpha1 nu at eps = 0 (positive)", tp.margin_eps0_positive),
        ("# Limits of the kernel", ""),
        ("kappa -> inf", lim.kappa_inf),
        ("tau -> inf", lim.tau_inf),
        ("alpha -> inf, tau > 1, lambda > 0 (a0 = a(0+), q0 = rho/(tau-1))", lim.alpha_inf),
        ("alpha -> inf, tau > 1, lambda = 0", lim.alpha_inf_null),
    ]
    return render_markdown(SCRIPT, source_hash, "Pretrain-test alignment: e_ICL = e_scalar + e_misalign", items,
                           intro="Generated from iclsym.onelayer.symbolic.alignment by derivations/onelayer/alignment.py; "
                                 "theory in docs/onelayer/alignment.md.")


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
        "derivations/out/alignment.md": markdown(h),
    }


if __name__ == "__main__":
    run_script(build)

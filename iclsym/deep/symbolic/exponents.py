"""Exponent algebra of the scaling laws of deep linear attention (source ``beta``, capacity ``nu``).

Each exponent is *derived* here from a scaling argument, not typed in:

* **mode sums** -- with ``w_k = omega_k lam_k ~ k^(-p)`` and mode ``k`` learned once the resource
  exceeds ``k^q``, the unlearned tail ``sum_{k > k*} k^(-p) ~ k*^(1-p)`` gives exponent ``(p-1)/q``;
* **power-law flows** -- ``R(gamma) ~ gamma^(-beta)`` with ``gamma = w^m`` and
  ``dw/dt = -dR/dw`` gives ``gamma^(beta + 2 - (2m-2)/m) ~ t``;
* **deterministic equivalents** -- the width (context) law ``R ~ k_N^{min(beta,1)}``
  (``k_P^{min(beta,2)}``) with ``k_N ~ N^(-nu)``: the sum ``sum omega lam/(lam + k)`` converges
  at ``k = 0`` iff ``beta > 1`` (``sum omega lam^2/(lam+k)^2`` iff ``beta > 2``);
* **compute-optimal allocation** -- minimising ``sum_i c_i x_i^(-a_i)`` at fixed
  ``C = prod_i x_i^(b_i)`` gives ``R ~ C^(-1/sum_i (b_i/a_i))`` and ``x_i^(a_i) ∝ x_j^(a_j)``.
"""

from __future__ import annotations

import sympy as sp

__all__ = ["exponent_symbols", "tail_exponent", "flow_exponent", "saturating", "compute_optimal",
           "derive_exponents"]


def exponent_symbols():
    return sp.symbols("nu beta", positive=True)


def tail_exponent(p, q):
    """``R ~ X^(-(p-1)/q)`` for mode weights ``k^(-p)`` learned when ``X > k^q``.

    >>> nu, beta = exponent_symbols(); sp.simplify(tail_exponent(nu*beta + 1, nu))
    beta
    """
    return sp.simplify((p - 1) / q)


def flow_exponent(beta, m):
    """Time exponent of ``R`` for ``gamma = w^m``, ``dw/dt = -dR/dw``, ``R(gamma) ~ gamma^(-beta)``.

    ``dgamma/dt = m^2 w^(2m-2) (-R') ~ gamma^((2m-2)/m) gamma^(-beta-1)``, so
    ``gamma ~ t^(1/(beta + 2 - (2m-2)/m))`` and ``R ~ gamma^(-beta)``.

    >>> b = sp.Symbol("b", positive=True); sp.factor(flow_exponent(b, 1))
    b/(b + 2)
    """
    g_exp = 1 / (beta + 2 - sp.Rational(2) * (m - 1) / m)
    return sp.simplify(beta * g_exp)


def saturating(nu, beta, power):
    """Exponent of ``k sum_k w_k lam^(power-1)/(lam + k)^power``-type laws at ``k ~ X^-nu``:
    ``nu min(beta, power)`` (the sum saturates when its ``k = 0`` value is finite)."""
    return nu * sp.Min(beta, power)


def compute_optimal(a: dict, b: dict):
    """``(exponent, shape)``: minimise ``sum_i x_i^(-a_i)`` at ``C = prod_i x_i^(b_i)``.

    All terms are balanced (``x_i^(a_i)`` equal) and ``R ~ C^(-1/sum_i b_i/a_i)``.

    >>> e, _ = compute_optimal({"t": sp.Rational(1, 2)}, {"t": 1}); e
    1/2
    """
    total = sp.Add(*[b[k] / a[k] for k in a])
    return sp.simplify(1 / total), {k: sp.simplify(a[k]) for k in a}


def derive_exponents():
    """All exponents (positive decay rates) as SymPy expressions in ``nu, beta``."""
    nu, beta = exponent_symbols()
    p = nu * beta + 1                                     # omega_k lam_k ~ k^-(nu beta + 1)
    out = {}
    # FS: mode k learned at t ~ 1/(omega_k lam_k^3) = k^(nu beta + 1 + 2 nu)
    out["fs_time"] = tail_exponent(p, nu * beta + 1 + 2 * nu)
    # RRS, N, P, L = inf: gradient flow on gamma (m = 1)
    out["rrs_time"] = flow_exponent(beta, 1)
    # depth: gamma ~ L at the stability edge, R(gamma) ~ gamma^-beta; the modes learned at depth L
    # are those with lam_k >~ 1/L, i.e. k < L^(1/nu)
    out["depth"] = tail_exponent(p, nu)
    out["width"] = saturating(nu, beta, 1)
    out["context"] = saturating(nu, beta, 2)
    out["full_attention_time"] = flow_exponent(beta, 5)
    out["full_attention_w"] = sp.simplify(out["full_attention_time"] / (5 * beta))
    a = {"t": out["rrs_time"], "N": out["width"], "L": out["depth"]}
    out["compute"], _ = compute_optimal(a, {"t": 1, "N": 2, "L": 1})
    # shape: L^(a_L) = N^(a_N) = t^(a_t)
    out["shape_L_per_N"] = sp.simplify(out["width"] / out["depth"])        # L ∝ N^(...)
    out["shape_t_per_L"] = sp.simplify(out["depth"] / out["rrs_time"])     # t ∝ L^(...)
    aP = dict(a, P=out["context"])
    out["compute_with_context"], _ = compute_optimal(aP, {"t": 1, "N": 2, "L": 1, "P": 2})
    out["reduced_compute"], _ = compute_optimal({"t": out["rrs_time"], "L": out["depth"]}, {"t": 1, "L": 1})
    return nu, beta, out

"""Scaling exponents of deep linear attention (source ``beta``, capacity ``nu``) and the
compute-optimal shape -- NumPy wrappers of the generated expressions
(``derivations/deep/scaling_exponents.py``).

Decay exponents (``R ~ X^-e``):

* ``fs_time``  ``nu beta/(nu beta + 2 nu + 1)`` -- FS, any depth (corrects the paper's time law);
* ``rrs_time`` ``beta/(2 + beta)`` -- RRS with ``N, P, L = inf``;
* ``depth``    ``beta`` -- RRS ``min_gamma R`` at ``alpha = inf``;
* ``width``    ``nu min(beta, 1)``; ``context`` ``nu min(beta, 2)`` (saturations included);
* ``full_attention_time`` ``5 beta/(5 beta + 2)``;
* ``compute``  for ``C = t P^2 N^2 L`` at fixed context ``P`` (the ``P^2`` factor a constant):
  ``1/((2+beta)/beta + 2/(nu min(beta,1)) + 1/beta)``, i.e. ``nu beta/((3 + beta) nu + 2)`` for
  ``beta <= 1``; shape ``L ∝ N^(nu min(beta,1)/beta)``, ``t ∝ L^(2 + beta)``.
"""

from __future__ import annotations

from iclsym.deep._generated import scaling_exponents as _gen
from iclsym.deep.params import check_positive

__all__ = ["exponents", "compute_optimal_shape", "EXPONENT_KEYS"]

EXPONENT_KEYS = ("fs_time", "rrs_time", "depth", "width", "context", "full_attention_time", "compute")


def _args(nu, beta):
    nu = float(check_positive("nu", nu))
    beta = float(check_positive("beta", beta))
    return nu, beta, min(beta, 1.0), min(beta, 2.0)


def exponents(nu: float, beta: float) -> dict:
    """Decay exponents (positive numbers) keyed by :data:`EXPONENT_KEYS`.

    Examples
    --------
    >>> e = exponents(1.25, 1.0)
    >>> round(e["fs_time"], 6), round(e["rrs_time"], 6), round(e["compute"], 6)
    (0.263158, 0.333333, 0.178571)
    """
    return dict(zip(EXPONENT_KEYS, (float(v) for v in _gen.exponents(*_args(nu, beta)))))


def compute_optimal_shape(nu: float, beta: float) -> dict:
    """Compute-optimal allocation: ``L ∝ N^L_per_N``, ``t ∝ L^t_per_L``, plus the compute exponent
    with context also optimised (``C = t P^2 N^2 L``) and that of the width-free model (``C = L t``).

    Examples
    --------
    >>> s = compute_optimal_shape(1.25, 1.0)
    >>> s["L_per_N"], s["t_per_L"], round(s["reduced_compute"], 6)
    (1.25, 3.0, 0.25)
    """
    cwc, red, lpn, tpl, fw = (float(v) for v in _gen.extra_exponents(*_args(nu, beta)))
    return {"L_per_N": lpn, "t_per_L": tpl, "compute_with_context": cwc, "reduced_compute": red,
            "full_attention_w": fw}

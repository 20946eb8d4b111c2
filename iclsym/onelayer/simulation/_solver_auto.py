"""Choice of ridge solver by a measured cost model (docs/onelayer/solvers.md, "Choosing a ridge solver").

Costs, in floating-point operations, for ``n`` sequences, dimension ``d``,
``p = d(d+1)``:

* dual   : ``n^2 (2d + 1)`` (two ``dsyrk`` kernels) ``+ n^3/3`` (Cholesky);
* primal : ``n p (p + 1)`` (``dsyrk`` Gram) ``+ p^3/3`` (Cholesky);
* cg     : ``CG_PENALTY * 4 n d (d+1)`` per iteration (two ``n x d x (d+1)`` products).

``CG_PENALTY = 2`` is measured on the 2-core test machine (under CPU contention): the
skinny products of a CG step ran at 0.34-0.39 of large-``gemm`` speed, ``dsyrk`` at about
0.65 and ``potrf`` at about 0.4 of it; head to head at ``d = 100``, ``tau = 0.5``,
``lam = 0.1`` one CG flop cost 1.7 dual flops.

Predicted CG iterations.  The preconditioned operator (see :mod:`._solver_cg`) behaves like
a Marchenko-Pastur matrix of aspect ratio ``r = p/n`` (edges ``a_pm = (1 +- sqrt r)^2``,
``a_- = 0`` when ``r >= 1``: then ``Phi`` has a null space) acting on each eigen-direction
``c`` of ``C_h = h^T h / n``, giving eigenvalues in ``[(a_- c + lam)/(c + lam),
(a_+ c + lam)/(c + lam)]``.  The condition number ``kappa_hat`` is the ratio of the extreme
values over ``c in [c_min, c_max]`` and the CG bound gives
``iterations ~ 0.5 sqrt(kappa_hat) ln(2/rtol)``.  Checked against measured counts at
``d = 40`` and ``d = 100`` (kappa 0.5, alpha 10, rho 0.01): within 15 % for ``n >= p``
(e.g. tau 1.15: 333 predicted / 309 measured; tau 2: 56 / 55; tau 1.5: 106 / 101).  For
``n < p`` the bound is pessimistic (the right-hand side lies in the row space of ``Phi``,
and CG only partly sees the null-space eigenvalues): measured / predicted was 0.49-0.50
for ``lam`` in ``{0.01, 0.1}`` at tau 0.5 and smaller for smaller ``lam`` (0.35 at 1e-3,
0.07 at 1e-5), so the prediction is multiplied by ``NULL_SPACE_FACTOR = 0.5`` when
``n < p`` (still conservative, i.e. erring towards the dual solve, at small ``lam``).

Rule: CG when its predicted cost is below the direct one (dual if ``n < p`` else primal),
with an iteration budget ``max(2 x predicted, break-even)`` (capped by ``maxiter``) after
which the direct solve is used.  With the ``C_h`` spectrum of the model at kappa 0.5,
alpha 10, rho 0.01 (``c`` in about ``[0.045, 5.5]``) this gives at ``d = 100``: CG at
``tau = 0.5`` for ``lam >= ~0.1``, at ``tau = 0.85`` for ``lam >= ~0.01``, for
``n >= p`` when ``lam >= ~1e-3``, and at any ``lam`` once ``tau >= ~1.05``; the dual
solve for ``tau < 1`` and smaller ``lam``; the primal solve only in the band
``1 <= n/p <~ 1.04`` with ``lam < ~1e-3``.  At ``d = 20`` direct solves are cheap and win
up to ``tau ~ 1.5``.  These are docs/onelayer/solvers.md's regimes, with thresholds from the model rather
than fixed numbers.
"""

from __future__ import annotations

import math

__all__ = ["CG_PENALTY", "NULL_SPACE_FACTOR", "flops_dual", "flops_primal", "flops_cg_step", "predict_cg_iterations", "choose_method", "direct_method"]

#: Cost of one CG flop relative to a direct-solver flop (measured; see module docstring).
CG_PENALTY = 2.0
#: Measured / predicted CG iterations when ``n < p`` (see module docstring).
NULL_SPACE_FACTOR = 0.5


def flops_dual(n: int, d: int) -> float:
    """Flops of the dual solve.

    >>> flops_dual(5000, 100) / 1e10
    4.669
    """
    return n * n * (2 * d + 1) + n**3 / 3


def flops_primal(n: int, d: int) -> float:
    """Flops of the primal solve.

    >>> round(flops_primal(20000, 100) / 1e12, 2)
    2.4
    """
    p = d * (d + 1)
    return n * p * (p + 1) + p**3 / 3


def flops_cg_step(n: int, d: int) -> float:
    """Flops of one CG step, weighted by ``CG_PENALTY``.

    >>> flops_cg_step(20000, 100) / 1e9
    1.616
    """
    return CG_PENALTY * 4.0 * n * d * (d + 1)


def predict_cg_iterations(n: int, d: int, lam: float, c_min: float, c_max: float, rtol: float) -> float:
    """Predicted PCG iterations (see the module docstring); ``inf`` if it cannot converge.

    ``c_min, c_max``: extreme eigenvalues of ``C_h = h^T h / n``.

    Examples
    --------
    >>> round(predict_cg_iterations(20000, 100, 1e-5, 0.045, 5.5, 1e-8))
    56
    >>> predict_cg_iterations(5000, 100, 0.0, 0.045, 5.5, 1e-8)
    inf
    """
    r = d * (d + 1) / n
    a_plus = (1.0 + math.sqrt(r)) ** 2
    a_minus = (1.0 - math.sqrt(r)) ** 2 if r < 1.0 else 0.0
    c_min = max(c_min, 0.0)
    c_max = max(c_max, c_min)
    # (a c + lam)/(c + lam) is monotone in c: the extremes sit at c_min or c_max
    def f(a, c):
        return (a * c + lam) / (c + lam) if c + lam > 0.0 else 1.0

    top = max(f(a_plus, c_min), f(a_plus, c_max))
    bottom = min(f(a_minus, c_min), f(a_minus, c_max))
    if not bottom > 0.0:
        return math.inf
    factor = NULL_SPACE_FACTOR if r > 1.0 else 1.0
    return factor * 0.5 * math.sqrt(top / bottom) * math.log(2.0 / rtol)


def direct_method(n: int, d: int) -> str:
    """The direct solver for ``n`` sequences at dimension ``d``: ``"dual"`` (n x n kernel) when
    ``n < p = d(d+1)``, else ``"primal"`` (p x p Gram).

    Examples
    --------
    >>> direct_method(5000, 100), direct_method(10100, 100)
    ('dual', 'primal')
    """
    return "dual" if n < d * (d + 1) else "primal"


def choose_method(n: int, d: int, lam: float, c_min: float, c_max: float, rtol: float, maxiter: int):
    """``(method, cg_budget)`` for ``method="auto"`` (see the module docstring).

    Examples
    --------
    >>> choose_method(5000, 100, 1e-5, 0.045, 5.5, 1e-8, 2000)     # tau 0.5, small lam
    ('dual', 0)
    >>> choose_method(5000, 100, 0.1, 0.045, 5.5, 1e-8, 2000)      # tau 0.5, lam 0.1
    ('cg', 172)
    >>> choose_method(20000, 100, 1e-5, 0.045, 5.5, 1e-8, 2000)    # tau 2: budget = break-even
    ('cg', 1476)
    >>> choose_method(10200, 100, 1e-9, 0.045, 5.5, 1e-8, 2000)    # n/p = 1.01
    ('primal', 0)
    """
    direct = direct_method(n, d)
    direct_cost = flops_dual(n, d) if direct == "dual" else flops_primal(n, d)
    step = flops_cg_step(n, d)
    predicted = predict_cg_iterations(n, d, lam, c_min, c_max, rtol)
    if predicted * step <= direct_cost:
        budget = max(2.0 * predicted, direct_cost / step)
        return "cg", int(min(maxiter, math.ceil(budget)))
    return direct, 0

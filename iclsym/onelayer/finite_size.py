"""Finite-size allowance: how far a finite-``d`` simulation may sit from the ``d -> inf`` theory.

docs/onelayer/finite-size.md asks that comparisons of simulations with the asymptotic theory state their
finite-size allowance.  Ours is

    |mean - e(tau)|  <=  4 SE  +  |e(tau_p) - e(tau)|  +  C |e(tau)| / d ,      C = C_FINITE_SIZE,

with every theory value taken at the simulation's effective ratios (docs/onelayer/model.md), and three terms:

* ``4 SE``: Monte Carlo noise. ``SE`` is the standard error of the mean over runs.
* ``|e(tau_p) - e(tau)|``, the **parameter-count shift**. The reduced model's ``Gamma`` is
  ``d x (d + 1)``, so ridge regression fits ``p = d(d + 1)`` parameters. At finite ``d`` the
  interpolation threshold (the pole of the ridgeless error, docs/onelayer/asymptotic-theory.md) is at ``n = p``, that is
  ``tau = 1 + 1/d``, not at ``n = d^2``. Both ``tau = n/d^2`` and ``tau_p = n/p = tau d/(d + 1)``
  have the same limit, so the theory cannot tell them apart. Their difference is an O(1/d)
  effect, but its size is ``e'(tau) tau/d``, which is large next to the pole and negligible
  where ``e`` is flat in ``tau``.
  Checked by simulation (``tests/figures/test_allowance.py``, ``mc``): at ``d = 40``,
  ``alpha = 10``, ``lam = 1e-5`` the simulated peak sits at ``n = p``. At ``n = d^2`` the
  simulation gives 3.7 ± 0.4, where the theory at ``n/d^2`` says 16.9 and at ``n/p`` says 4.1.
* ``C |e| / d``: every other O(1/d) correction. ``C`` is calibrated by
  ``benchmarks/finite_size.py`` on its own simulations of every Fig. 1-2 point, at ``d = 50``
  and ``d = 70`` with seeds independent of the ``d = 100`` runs. The calibrated ``C`` is the
  smallest one for which every calibration point lies inside the allowance (see
  :func:`c_needed`), rounded up. Measured: 8.84 at ``d = 50`` and 5.75 at ``d = 70``. At
  ``d = 50`` the largest point is Fig. 2C, ``kappa = 1``, ``alpha = 1000``; at ``kappa = 1`` the
  limit is approached only like ``alpha^{-1/2}`` (docs/onelayer/limits.md). The 90th percentile is about 1.
  Without the shift term the same data would need ``C`` = 28 and 41.
  Applied to the ``d = 100``, 10-run ``iclsym figures --full --only 1,2`` data, all 147 points
  are within the allowance, and the largest ``C`` needed is 5.08
  (``benchmarks/finite_size.py --validate STORE --d 100 --runs 10``).

A point is marked ``steep in tau`` when the shift term is larger than the generic term
``C |e|/d``. Since the shift is about ``|e'(tau)| tau/d``, this means
``|d log e / d log tau| > C``. It happens next to the ridgeless pole at ``tau = 1``, and next to
the line ``kappa = tau < 1`` at large ``alpha``, where the error grows like ``alpha^{1/2}``.

Examples
--------
>>> float(allowance(theory=1.0, theory_p=1.02, se=0.01, d=100))
0.15
>>> float(c_needed(mean=1.10, se=0.01, theory=1.0, theory_p=1.02, d=100))
4.0
"""

from __future__ import annotations

import numpy as np

__all__ = ["C_FINITE_SIZE", "N_SE", "tau_per_parameter", "allowance", "c_needed", "steep_in_tau", "judge",
           "SUFFIXES"]

#: the constant of the generic O(1/d) term, calibrated by ``benchmarks/finite_size.py``
#: (largest needed value measured at d = 50 and 70: 8.84, rounded up)
C_FINITE_SIZE = 9.0
#: standard errors allowed for Monte Carlo noise
N_SE = 4.0


def tau_per_parameter(tau, d):
    """``tau_p = n/p`` with ``p = d(d + 1)``, the parameter count of ``Gamma``, given ``tau = n/d^2``.

    Examples
    --------
    >>> float(tau_per_parameter(1.0, 100))
    0.9900990099009901
    >>> float(tau_per_parameter(1.0 + 1.0 / 40, 40))  # n = p: the finite-d interpolation threshold
    1.0
    """
    d = np.asarray(d, dtype=float)
    return np.asarray(tau, dtype=float) * d / (d + 1.0)


def allowance(theory, theory_p, se, d, c=C_FINITE_SIZE, n_se=N_SE):
    """Largest ``|mean - theory|`` counted as agreement: ``n_se SE + |theory_p - theory| + c |theory|/d``.

    ``theory`` is the theory at ``tau = n/d^2`` and ``theory_p`` at ``tau_p = n/p`` (see the
    module docstring). A missing standard error (a single run) gives NaN, not a false pass.

    Examples
    --------
    >>> allowance([1.0, 2.0], [1.0, 2.5], [0.0, 0.1], 50).round(3)
    array([0.18, 1.26])
    """
    theory = np.asarray(theory, dtype=float)
    return (n_se * np.asarray(se, dtype=float) + np.abs(np.asarray(theory_p, dtype=float) - theory)
            + c * np.abs(theory) / np.asarray(d, dtype=float))


def c_needed(mean, se, theory, theory_p, d, n_se=N_SE):
    """Smallest ``C`` for which the point is within :func:`allowance` (0 if the other terms suffice).

    Examples
    --------
    >>> c_needed([1.0, 1.3], [0.01, 0.01], [1.0, 1.0], [1.0, 1.1], 10).round(6)
    array([0. , 1.6])
    """
    theory = np.asarray(theory, dtype=float)
    excess = (np.abs(np.asarray(mean, dtype=float) - theory) - n_se * np.asarray(se, dtype=float)
              - np.abs(np.asarray(theory_p, dtype=float) - theory))
    return np.asarray(d, dtype=float) * np.maximum(excess, 0.0) / np.abs(theory)


def steep_in_tau(theory, theory_p, d, c=C_FINITE_SIZE):
    """True where the parameter-count shift is larger than the generic term ``c |theory|/d``.

    That is ``|d log e / d log tau| > c``: next to the ridgeless pole at ``tau = 1``, where the
    finite-``d`` threshold ``n = d(d + 1)`` and the asymptotic one ``n = d^2`` give different
    answers, or next to the line ``kappa = tau`` at large ``alpha``.

    Examples
    --------
    >>> steep_in_tau([16.9, 1.0], [4.1, 1.05], 100).tolist()
    [True, False]
    """
    theory = np.asarray(theory, dtype=float)
    return np.abs(np.asarray(theory_p, dtype=float) - theory) > c * np.abs(theory) / np.asarray(d, dtype=float)


#: columns that :func:`judge` adds per quantity (``<quantity>_<suffix>``)
SUFFIXES = ("theory", "theory_p", "z", "allowance", "verdict")


def _verdict_text(within, steep, judged):
    if not judged:
        return "no verdict (no standard error or no finite theory)"
    text = "within allowance" if within else "OUTSIDE allowance"
    return text + (" (steep in tau)" if steep else "")


def judge(field, mean, se, alpha_eff, tau_eff, kappa_eff, rho, lam, d) -> dict:
    """Single-``d`` comparison of simulated means with the theory at their effective ratios.

    For the quantity ``field`` (``"e_icl"``, ``"e_idg"`` or ``"g_task"``) returns arrays keyed by
    :data:`SUFFIXES`: ``theory`` (the ``d -> inf`` formula at ``alpha_eff, tau_eff, kappa_eff``),
    ``theory_p`` (at ``tau_p = n/p``), ``z = (mean - theory)/se``, the :func:`allowance` and the
    ``verdict`` text (``"within allowance"``, ``"OUTSIDE allowance"``, ``"... (steep in tau)"``,
    or ``"no verdict ..."`` when there is no standard error). The allowance is generous at small
    ``d``; a verdict that can fail is the extrapolation of :mod:`iclsym.onelayer.extrapolation`.

    Examples
    --------
    >>> out = judge("e_icl", [1.0], [0.01], [10.0], [2.0], [float("inf")], 0.01, 0.1, [48])
    >>> round(float(out["theory"][0]), 4), out["verdict"][0]
    (0.1894, 'OUTSIDE allowance')
    """
    from iclsym.onelayer import theory

    fn = getattr(theory, field)
    mean = np.atleast_1d(np.asarray(mean, dtype=float))
    se = np.broadcast_to(np.asarray([np.nan if s is None else s for s in np.atleast_1d(se)], dtype=float),
                         mean.shape)
    d = np.broadcast_to(np.asarray(d, dtype=float), mean.shape)
    th = np.broadcast_to(np.asarray(fn(alpha_eff, tau_eff, kappa_eff, rho, lam), dtype=float), mean.shape)
    th_p = np.broadcast_to(np.asarray(fn(alpha_eff, tau_per_parameter(tau_eff, d), kappa_eff, rho, lam),
                                      dtype=float), mean.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, (mean - th) / se, np.nan)
        allow = allowance(th, th_p, se, d)
    judged = np.isfinite(allow) & np.isfinite(th) & np.isfinite(th_p)
    within = np.abs(mean - th) <= allow
    steep = judged & steep_in_tau(th, th_p, d)
    verdict = np.array([_verdict_text(w, s, j) for w, s, j in zip(within, steep, judged)], dtype=object)
    return {"theory": np.array(th), "theory_p": np.array(th_p), "z": z, "allowance": allow, "verdict": verdict}

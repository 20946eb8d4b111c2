"""Helpers shared by the paper-2 figure modules: spike positions, simulated points, theory at a run's ratios."""

from __future__ import annotations

import math

import numpy as np

from iclsym.figures.common import report_rows, sim_points

__all__ = ["spike_index", "aligned_points", "theory_for_points", "rows_for", "EXTRA"]

#: per-run quantities averaged with the simulated errors (effective ratios)
EXTRA = ("alpha_eff", "tau_eff", "kappa_eff", "alpha_test_eff")


def spike_index(i: int, d: int, d_paper: int = 120) -> int:
    """The index at dimension ``d`` of the paper's direction ``i`` (0-based, of ``d_paper``), same fraction.

    >>> spike_index(119, 40), spike_index(0, 40), spike_index(78, 120)
    (39, 0, 78)
    """
    return int(round(i * (d - 1) / (d_paper - 1)))


def aligned_points(store, settings, fields, **where):
    """Aggregated simulation points (mean and SE over runs) of the ``aligned`` kind."""
    return sim_points(store, settings.kind, fields, EXTRA, **where)


def theory_for_points(agg, train: str, spec: str, field: str = "e_icl", tau_per_parameter: bool = False):
    """Theory at each aggregated point's effective ratios and finite-``d`` eigenvalues.

    ``tau_per_parameter``: use ``tau_p = n/(d(d+1))`` (the finite-``d`` parameter count) instead of
    ``n/d^2`` (for the finite-size allowance, :mod:`iclsym.onelayer.finite_size`).
    """
    from iclsym.core.covariances import aligned_spectrum, covariance
    from iclsym.onelayer.theory.alignment import alignment_errors

    out = []
    for _, p in agg.iterrows():
        d = int(p["d"])
        eig, c = aligned_spectrum(covariance(train, d), covariance(spec, d))
        tau = float(p["tau_eff"])
        if tau_per_parameter:
            tau = tau * d / (d + 1.0)
        at = float(p["alpha_test_eff"]) if "alpha_test_eff" in p and not math.isnan(p["alpha_test_eff"]) else None
        r = alignment_errors(eig, c, float(p["alpha_eff"]), tau, float(p["kappa_eff"]), float(p["rho"]),
                             float(p["lam"]), alpha_test=at)
        out.append(float(r[field]))
    return np.array(out)


def rows_for(figure, panel, agg, field, train, spec, theory_field="e_icl"):
    """Report rows (theory at ``n/d^2`` and at ``n/p``) for one simulated quantity."""
    if len(agg) == 0:
        return []
    th = theory_for_points(agg, train, spec, theory_field)
    th_p = theory_for_points(agg, train, spec, theory_field, tau_per_parameter=True)
    rows = report_rows(figure, panel, agg, field, th, th_p)
    for r in rows:
        r["field"] = f"{field} ({train} -> {spec})" if field.startswith("e_icl[") else field
    return rows

"""How finite-``d`` simulations with structured tasks approach the alignment theory: the ``1/d`` fit.

For a setting (pretraining covariance, test covariances, ratios) :func:`approach` runs
:func:`~iclsym.onelayer.simulation.structured.simulate_aligned_once` at several ``d`` and compares each
run with the theory (:func:`iclsym.onelayer.theory.alignment.alignment_errors`) evaluated at the run's
*effective* ratios and at the finite-``d`` eigenvalues of the covariances (a power law normalised to
trace ``d`` has no fixed limit).  Per ``d`` and test it records the mean gap ``sim - theory`` and its
standard error over runs, and fits

    gap(d) = A/d            (the theory is the d -> inf limit, approached like 1/d)
    gap(d) = A/d + B        (B: what would remain at d = inf; should be 0 within its error)

by weighted least squares.  "Approaches like ``1/d``" is judged by ``|B|/se(B) < 4`` and the
goodness of fit of the one-parameter model (``chi2`` per degree of freedom).
"""

from __future__ import annotations

import math

import numpy as np

from iclsym.core.covariances import aligned_spectrum, covariance
from iclsym.onelayer.simulation.structured import parse_tests, simulate_aligned_once

__all__ = ["theory_for_run", "approach", "fit_inverse_d", "format_approach", "expand_tests", "ACCEPTANCE"]

#: the acceptance settings (docs/onelayer/alignment.md, "How it is checked"): test templates use
#: ``{last} = d - 1``, ``{mid} = d // 2``, ``{q3} = (3 d) // 4`` so that spikes sit at fixed fractions
ACCEPTANCE = {
    "ramp-spikes": dict(alpha=2.0, tau=4.0, kappa=1.0, rho=0.01, lam=1e-6, train="ramp",
                        tests="ramp,spike:0,spike:{mid},spike:{last}"),
    "powerlaw": dict(alpha=2.0, tau=4.0, kappa=0.5, rho=0.01, lam=1e-6, train="powerlaw:0.9",
                     tests="powerlaw:0.4,powerlaw:0.9,powerlaw:1.4"),
    "half-rank": dict(alpha=20.0, tau=10.0, kappa=1.0, rho=0.01, lam=1e-6, train="lowrank:0.5",
                      tests="lowrank:0.5,identity,powerlaw:0.5,revpowerlaw:0.5,spike:0,spike:{last}"),
    "ridge-0.01": dict(alpha=2.0, tau=0.6, kappa=1.0, rho=0.01, lam=0.01, train="powerlaw:0.9",
                       tests="powerlaw:0.9,spike:0"),
    "ridge-0.1": dict(alpha=2.0, tau=0.6, kappa=1.0, rho=0.01, lam=0.1, train="powerlaw:0.9",
                      tests="powerlaw:0.9,spike:0"),
    "ridge-1": dict(alpha=2.0, tau=0.6, kappa=1.0, rho=0.01, lam=1.0, train="powerlaw:0.9",
                    tests="powerlaw:0.9,spike:0"),
}


def expand_tests(templates, d: int) -> list[tuple[str, str]]:
    """``[(label, spec at d)]`` from comma-separated templates (``{last}``, ``{mid}``, ``{q3}``).

    >>> expand_tests("ramp,spike:{last}", 40)
    [('ramp', 'ramp'), ('spike:{last}', 'spike:39')]
    """
    return [(t, t.format(last=d - 1, mid=d // 2, q3=(3 * d) // 4)) for t in parse_tests(templates)]


def theory_for_run(run: dict, spec: str, field: str = "e_icl") -> float:
    """Theory for one simulated run at its effective ratios and finite-``d`` eigenvalues.

    ``field``: ``"e_icl"`` (test spec ``spec``) or ``"e_idg"``.
    """
    from iclsym.onelayer.theory.alignment import alignment_errors

    d = int(run["d"])
    eig, c = aligned_spectrum(covariance(run["train"], d), covariance(spec, d))
    out = alignment_errors(eig, c, run["alpha_eff"], run["tau_eff"], run["kappa_eff"], run["rho"], run["lam"],
                           alpha_test=run["alpha_test_eff"])
    return float(out[field])


def fit_inverse_d(d, gap, se) -> dict:
    """Weighted least squares of ``gap = A/d`` and ``gap = A/d + B``.

    Returns ``A1, se_A1, chi2_1`` (one parameter), ``A2, se_A2, B, se_B, chi2_2``, ``z_B = B/se_B`` and
    the degrees of freedom.

    >>> f = fit_inverse_d([40, 60, 80], [0.1, 0.2/3, 0.05], [0.01, 0.01, 0.01])
    >>> round(f["A1"], 6), round(f["B"], 9)
    (4.0, 0.0)
    """
    d, gap, se = (np.asarray(v, dtype=float) for v in (d, gap, se))
    w = 1 / se**2
    x = 1 / d
    A1 = float(np.sum(w * x * gap) / np.sum(w * x * x))
    se_A1 = float(1 / math.sqrt(np.sum(w * x * x)))
    chi2_1 = float(np.sum(w * (gap - A1 * x) ** 2))
    X = np.stack([x, np.ones_like(x)], axis=1)
    cov = np.linalg.inv(X.T @ (w[:, None] * X))
    A2, B = cov @ (X.T @ (w * gap))
    chi2_2 = float(np.sum(w * (gap - A2 * x - B) ** 2))
    return dict(A1=A1, se_A1=se_A1, chi2_1=chi2_1, dof_1=len(d) - 1, A2=float(A2), se_A2=float(math.sqrt(cov[0, 0])),
                B=float(B), se_B=float(math.sqrt(cov[1, 1])), z_B=float(B / math.sqrt(cov[1, 1])), chi2_2=chi2_2,
                dof_2=len(d) - 2)


def approach(d_values, runs, *, alpha, tau, kappa, rho, lam, train, tests, seed=0, alpha_test=0.0,
             include_idg=True, progress=None) -> dict:
    """Simulate at each ``d`` (``runs`` independent runs, seeds ``SeedSequence([seed, d]).spawn(runs)``),
    compare with the theory run by run, and fit the gaps against ``1/d``.

    Returns ``{"rows": [...], "fits": {field: fit}}`` where each row has ``field, d, runs, sim, se,
    theory, gap, gap_se, z`` and ``field`` is ``e_icl[<spec>]`` (or ``e_idg``).
    """
    labels = [lab for lab, _ in expand_tests(tests, 2)]
    fields = [f"e_icl[{lab}]" for lab in labels] + (["e_idg"] if include_idg else [])
    rows = []
    for d in d_values:
        pairs = expand_tests(tests, d)
        specs = [s for _, s in pairs]
        children = np.random.SeedSequence([int(seed), int(d)]).spawn(runs)
        gaps = {f: [] for f in fields}
        sims = {f: [] for f in fields}
        for child in children:
            run = simulate_aligned_once(alpha, tau, kappa, rho, lam, d, child, train=train, tests=",".join(specs),
                                        alpha_test=alpha_test)
            for f, s in zip(fields, specs + [None]):
                if f == "e_idg":
                    value, th = run["e_idg"], theory_for_run(run, train, "e_idg")
                else:
                    value, th = run[f"e_icl[{s}]"], theory_for_run(run, s)
                sims[f].append(value)
                gaps[f].append(value - th)
            if progress:
                progress(d)
        for f in fields:
            g = np.asarray(gaps[f])
            s = np.asarray(sims[f])
            se = float(g.std(ddof=1) / math.sqrt(len(g))) if len(g) > 1 else math.nan
            th = float(np.mean(s - g))
            rows.append(dict(field=f, d=int(d), runs=len(g), sim=float(s.mean()), se=se, theory=th,
                             gap=float(g.mean()), gap_se=se, z=float(g.mean() / se) if se > 0 else math.nan))
    fits = {}
    for f in fields:
        sub = [r for r in rows if r["field"] == f]
        if len(sub) >= 3 and all(r["gap_se"] > 0 for r in sub):
            fits[f] = fit_inverse_d([r["d"] for r in sub], [r["gap"] for r in sub], [r["gap_se"] for r in sub])
    return {"rows": rows, "fits": fits}


def format_approach(result: dict, title: str = "") -> str:
    """A plain-text table of :func:`approach` (rows, then one fit line per field)."""
    lines = [title] if title else []
    lines.append(f"{'quantity':<26} {'d':>4} {'runs':>4} {'sim':>10} {'theory':>10} {'gap':>10} {'se':>9} {'z':>7} "
                 f"{'d*gap':>8}")
    for r in result["rows"]:
        lines.append(f"{r['field']:<26} {r['d']:>4} {r['runs']:>4} {r['sim']:>10.5f} {r['theory']:>10.5f} "
                     f"{r['gap']:>+10.5f} {r['gap_se']:>9.5f} {r['z']:>+7.2f} {r['d'] * r['gap']:>+8.3f}")
    for f, fit in result["fits"].items():
        lines.append(f"fit {f:<22} gap = A/d: A = {fit['A1']:+.3f} ± {fit['se_A1']:.3f} (chi2/dof = "
                     f"{fit['chi2_1']:.2f}/{fit['dof_1']}); gap = A/d + B: A = {fit['A2']:+.3f} ± {fit['se_A2']:.3f}, "
                     f"B = {fit['B']:+.5f} ± {fit['se_B']:.5f} (z_B = {fit['z_B']:+.2f})")
    return "\n".join(lines)

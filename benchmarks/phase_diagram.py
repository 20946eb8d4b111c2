"""Paper Fig. 3 data: alpha*(kappa, rho) on a 300 x 401 (rho, kappa) grid; time and accuracy.

Prints, for tau = 0.5 (ICL, IDG) and tau = 20 (ICL):

* the wall time of :func:`iclsym.onelayer.theory.optimal.phase_diagram` on the full grid;
* the agreement of alpha* with a dense brute-force scan (the NumPy theory -- fixed point +
  the ridge errors, not the closed forms -- on ``N_DENSE`` log-spaced alpha values in
  [1e-2, 1e3]) on a 20 x 20 sub-grid: the largest |log(alpha*/alpha_bf)| over cells with an
  interior minimum (parabolic refinement of the dense argmin) and the number of cells whose
  kind (interior / monotone) differs;
* the cost per cell of *the authors' approach*: the paper's ridgeless closed form in plain Python
  (baseline A of ``benchmarks/theory.py``) evaluated on 500 log-spaced alpha values and the argmin
  taken, run here on ``N_BASELINE_CELLS`` cells; the speed-up is per cell, both measured in this run.

Targets (PASS/FAIL): each panel <= 10 s on the full grid; alpha* within 1e-4 (relative) of the dense
brute force at every interior cell of the sub-grid, and no kind mismatch.

Usage: ``python benchmarks/phase_diagram.py`` (``ICLSYM_FAST=1``: smaller grids).
"""

from __future__ import annotations

import os
import time

import numpy as np

from iclsym.onelayer import theory
from iclsym.onelayer.theory.optimal import DECREASING, INCREASING, INTERIOR, phase_diagram

try:  # the same plain-Python closed form as benchmarks/theory.py (run from the repository root)
    from theory import closed_form_e_icl
except ImportError:  # pragma: no cover
    from benchmarks.theory import closed_form_e_icl

FAST = os.environ.get("ICLSYM_FAST") == "1"
N_RHO, N_KAPPA = (60, 81) if FAST else (300, 401)
N_DENSE = 2001 if FAST else 20001
CASES = [(0.5, "icl"), (0.5, "idg"), (20.0, "icl")]
N_BASELINE_CELLS = 30
TARGET_PANEL_S = 10.0
TARGET_LOG_ERR = 1e-4


def brute_force(tau, kappa, rho, which):
    alpha = np.geomspace(1e-2, 1e3, N_DENSE)
    fn = theory.e_icl if which == "icl" else theory.e_idg
    e = fn(alpha[None, None, :], tau, kappa[None, :, None], rho[:, None, None])
    j = np.argmin(e, axis=-1)
    # parabola through the three grid points around the minimum (in log alpha): O(step^3) location
    x = np.log(alpha)
    jc = np.clip(j, 1, N_DENSE - 2)
    take = lambda o: np.take_along_axis(e, (jc + o)[..., None], axis=-1)[..., 0]  # noqa: E731
    em, e0, ep = take(-1), take(0), take(1)
    h = x[1] - x[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        shift = 0.5 * h * (em - ep) / (em - 2 * e0 + ep)
    shift = np.where(np.isfinite(shift), np.clip(shift, -h, h), 0.0)
    a = np.where((j > 0) & (j < N_DENSE - 1), np.exp(x[jc] + shift), alpha[j])
    kind = np.where(j == N_DENSE - 1, DECREASING, np.where(j == 0, INCREASING, INTERIOR))
    return a, kind


def main():
    kappa = np.linspace(0.1, 2.1, N_KAPPA)
    rho = np.linspace(0.01, 1.0, N_RHO)
    print(f"grid: {N_RHO} rho x {N_KAPPA} kappa = {N_RHO * N_KAPPA} cells; alpha window [1e-2, 1e3]")
    total = 0.0
    for tau, which in CASES:
        t0 = time.perf_counter()
        pd = phase_diagram(tau, kappa, rho, which)
        dt = time.perf_counter() - t0
        total += dt
        counts = {name: int((pd.kind == k).sum()) for name, k in (("interior", INTERIOR), ("decreasing", DECREASING), ("increasing", INCREASING))}
        # 20 x 20 sub-grid vs dense brute force
        ir = np.linspace(0, N_RHO - 1, 20).astype(int)
        ik = np.linspace(0, N_KAPPA - 1, 20).astype(int)
        t1 = time.perf_counter()
        a_bf, k_bf = brute_force(tau, kappa[ik], rho[ir], which)
        t_bf = time.perf_counter() - t1
        a_fast, k_fast = pd.alpha_star[np.ix_(ir, ik)], pd.kind[np.ix_(ir, ik)]
        both = (k_fast == INTERIOR) & (k_bf == INTERIOR)
        err = np.max(np.abs(np.log(a_fast[both] / a_bf[both]))) if both.any() else 0.0
        step = np.log(1e5) / (N_DENSE - 1)
        mismatches = int((k_fast != k_bf).sum())
        print(f"{'PASS' if dt <= TARGET_PANEL_S else 'FAIL'}: tau={tau:g} {which.upper()}: phase_diagram on "
              f"{N_RHO} x {N_KAPPA} cells {dt:.2f} s (target <= {TARGET_PANEL_S:g} s); kinds {counts}; "
              f"NaN {int(np.isnan(pd.alpha_star).sum())}")
        print(f"{'PASS' if err <= TARGET_LOG_ERR and mismatches == 0 else 'FAIL'}: tau={tau:g} {which.upper()}: "
              f"20x20 vs dense brute force ({N_DENSE} alpha, the vectorised theory, {t_bf:.1f} s): "
              f"max |log(alpha*/alpha_bf)| = {err:.2e} (target <= {TARGET_LOG_ERR:g}; dense step {step:.2e}); "
              f"kind mismatches {mismatches}/400 (target 0)")
    print(f"total for the three Fig. 3 panels: {total:.2f} s")
    # the authors' approach: their closed form in a Python loop over alpha, argmin per cell
    alphas = [float(a) for a in np.geomspace(1e-2, 1e3, 500)]
    rng = np.random.default_rng(0)
    cells = [(tau, float(rng.choice(kappa)), float(rng.choice(rho))) for tau, _ in CASES[::2]
             for _ in range(N_BASELINE_CELLS // 2)]
    t0 = time.perf_counter()
    for tau, k, r in cells:
        min(alphas, key=lambda a: closed_form_e_icl(a, tau, k, r))
    per_cell = (time.perf_counter() - t0) / len(cells)
    ours = total / (len(CASES) * N_RHO * N_KAPPA)
    print(f"the authors' approach (the paper's ridgeless closed form in plain Python on 500 alpha values, argmin; "
          f"run on {len(cells)} cells): {per_cell * 1e3:.2f} ms per cell; phase_diagram: {ours * 1e3:.3f} ms per cell; "
          f"speed-up per cell {per_cell / ours:,.0f} x (both measured in this run)")


if __name__ == "__main__":
    main()

"""Sweep job kinds of the one-layer model: ridge-trained linear attention and the dMMSE baseline.

Each kind names its job function and declares its coordinates (see :mod:`iclsym.sweep.kinds`).
Options that choose *how* a run is computed (solver, sampler, assignment, task law) are
coordinates too, so runs that differ in them are separate points of a sweep; they are not
seeded (runs that differ only in them share their random numbers: common random numbers).
"""

from __future__ import annotations

from iclsym.sweep.kinds import Coord, JobKind, register_kind

__all__ = ["RIDGE", "DMMSE"]

RIDGE = register_kind(JobKind(
    "ridge",
    "iclsym.onelayer.simulation.run:simulate_once",
    (
        Coord("alpha", param="alpha"), Coord("tau", param="tau"), Coord("kappa", param="kappa"),
        Coord("rho", param="rho"), Coord("lam", default=0.0, param="lam"),
        Coord("d", int, minimum=2),
        Coord("method", str, default="auto", seeded=False),
        Coord("assignment", str, default="balanced", seeded=False),
        Coord("task_dist", str, default="sphere", seeded=False),
        Coord("sampler", str, default="conditional", seeded=False),
    ),
    "linear attention trained by ridge regression: exact finite-d test errors of one run",
))

DMMSE = register_kind(JobKind(
    "dmmse",
    "iclsym.onelayer.simulation.dmmse:dmmse_once",
    (
        Coord("alpha", param="alpha"), Coord("kappa", param="kappa"), Coord("rho", param="rho"),
        Coord("d", int, minimum=2),
        Coord("n_test", int, default=1000, minimum=2),
        Coord("task_dist", str, default="sphere"),
    ),
    "the finite-task Bayes baseline (dMMSE): ICL/IDG errors over n_test test contexts",
))

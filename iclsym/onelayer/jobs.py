"""Sweep job kinds of the one-layer model: ridge-trained linear attention and the dMMSE baseline.

Each kind names its job function and declares its coordinates (see :mod:`iclsym.sweep.kinds`).
Options that choose *how* a run is computed (solver, sampler, assignment, task law) are
coordinates too, so runs that differ in them are separate points of a sweep; they are not
seeded (runs that differ only in them share their random numbers: common random numbers).
"""

from __future__ import annotations

from iclsym.sweep.kinds import Coord, JobKind, register_kind

__all__ = ["RIDGE", "DMMSE", "ALIGNED"]

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

ALIGNED = register_kind(JobKind(
    "aligned",
    "iclsym.onelayer.simulation.structured:simulate_aligned_once",
    (
        Coord("alpha"), Coord("tau"), Coord("kappa"), Coord("rho"), Coord("lam", default=0.0),
        Coord("d", int, minimum=2),
        Coord("train", str, default="identity"),
        Coord("tests", str, default="identity", seeded=False),
        Coord("alpha_test", float, default=0.0, seeded=False),
        Coord("method", str, default="auto", seeded=False),
        Coord("assignment", str, default="balanced", seeded=False),
        Coord("sampler", str, default="conditional", seeded=False),
    ),
    "linear attention pretrained on Gaussian tasks N(0, C_train): exact finite-d errors on test tasks "
    "N(0, C_test) for each spec in tests (Letey et al. 2025)",
))

"""Finite-``d`` simulation of the model (docs/onelayer/model.md, docs/onelayer/lemma1.md, docs/onelayer/dmmse.md, docs/architecture.md).

A thin facade over small modules:

* :mod:`.samplers` -- task banks, assignments, the reference and the exact ``O(d)``
  conditional sequence samplers;
* :mod:`.solver`   -- the pretraining ridge solvers (dual / primal / CG);
* :mod:`.exact_error` -- exact finite-``d`` test errors (the paper's Lemma 1) and a brute-force
  Monte Carlo estimator;
* :mod:`.dmmse`    -- the finite-task Bayes baseline;
* :mod:`.run`      -- one run (:func:`simulate_once`) and repeated runs (:func:`simulate`).

>>> from iclsym.onelayer import simulation as sim
>>> sorted(sim.simulate_once(1.0, 0.5, 0.5, 0.1, 1e-3, 8, seed=0))[:3]
['alpha', 'alpha_eff', 'assignment']
"""

from iclsym.onelayer.simulation.dmmse import dmmse_once
from iclsym.onelayer.simulation.exact_error import e_icl_exact, e_idg_exact, exact_error, mc_test_error
from iclsym.onelayer.simulation.solver import RidgeResult, solve_ridge
from iclsym.onelayer.simulation.run import simulate, simulate_once
from iclsym.onelayer.simulation.samplers import (
    as_generator,
    assign_tasks,
    conditional_sample,
    pretraining_tasks,
    reference_sample,
    sample_sequences,
    sample_tasks,
)

__all__ = [
    "simulate_once",
    "simulate",
    "dmmse_once",
    "solve_ridge",
    "RidgeResult",
    "exact_error",
    "e_icl_exact",
    "e_idg_exact",
    "mc_test_error",
    "as_generator",
    "sample_tasks",
    "assign_tasks",
    "pretraining_tasks",
    "reference_sample",
    "conditional_sample",
    "sample_sequences",
]

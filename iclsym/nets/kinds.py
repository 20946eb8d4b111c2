"""Sweep job kinds of the trained-network experiments: ``net_icl``, ``net_alignment``, ``net_depth``.

Each training run is an ordinary sweep job (:class:`iclsym.sweep.grids.Job`): its coordinates are
the keyword arguments of its function in :mod:`iclsym.nets.jobs` (architecture, sizes, the
training budget and every option), it runs through the common executors into the common resumable
store, and its seed depends only on what the job is.  The runs of one point are bundled on one
worker (``bundle_runs``): they share the shapes of every compiled function, so only the first one
pays for XLA compilation (3-5 s of CPU, more than a small training run).

Imports neither JAX nor the job functions (the figure modules use this module without JAX).
"""

from __future__ import annotations

from iclsym.core.params import check_size
from iclsym.sweep.grids import Job
from iclsym.sweep.kinds import Coord, JobKind, register_kind

__all__ = ["ICL", "ALIGNMENT", "DEPTH", "net_job", "curve_keys", "relative_cost", "cost"]

_ARCH = Coord("arch", str)
_D = Coord("d", int, minimum=2)
_TRAIN = (Coord("steps", int, minimum=1), Coord("lr", minimum=0.0), Coord("batch_frac", default=0.1, minimum=0.0),
          Coord("schedule", str, default="constant"), Coord("n_test", int, default=1000, minimum=2),
          Coord("weight_decay", default=1e-4, minimum=0.0))
_PARAMS = tuple(Coord(name, param=name) for name in ("alpha", "tau", "kappa", "rho"))

ICL = register_kind(JobKind(
    "net_icl", "iclsym.nets.jobs:icl_job",
    (_ARCH, _D, *_PARAMS, *_TRAIN, Coord("task", str, default="sphere")),
    "train an attention network on n = tau d^2 contexts (Lu et al. Figs. 5-6); ICL and IDG test errors",
    bundle_runs=True, cost="iclsym.nets.kinds:relative_cost",
))

ALIGNMENT = register_kind(JobKind(
    "net_alignment", "iclsym.nets.jobs:alignment_job",
    (_ARCH, _D, *_PARAMS, Coord("train", str, default="powerlaw:0.9"),
     Coord("tests", str, default="identity", seeded=False), *_TRAIN, Coord("contexts", str, default="fixed")),
    "train on Gaussian tasks N(0, C_train) (power law), ICL error on every test covariance (Letey et al. Fig. 3)",
    bundle_runs=True, cost="iclsym.nets.kinds:relative_cost",
))

DEPTH = register_kind(JobKind(
    "net_depth", "iclsym.nets.jobs:depth_job",
    (_ARCH, Coord("depth", int, minimum=1), _D, Coord("width", int, minimum=1), Coord("alpha", param="alpha"),
     Coord("queries", int, minimum=1), Coord("batch", int, minimum=1), Coord("steps", int, minimum=1),
     Coord("lr", minimum=0.0), Coord("rho", default=0.0, minimum=0.0), Coord("rotate", bool, default=False),
     Coord("x_power", default=0.0), Coord("task_power", default=0.0), Coord("n_test", int, default=1000, minimum=2),
     Coord("evals", int, default=20, minimum=1), Coord("weight_decay", default=1e-4, minimum=0.0)),
    "online training of a depth-L residual attention stack, test loss against step (Bordelon et al. Figs. 6c, 9)",
    bundle_runs=True, cost="iclsym.nets.kinds:relative_cost",
))


def net_job(kind: str, coords: dict, run: int = 0, base_seed: int = 0) -> Job:
    """A trained-network sweep job (coordinates not given take the kind's defaults).

    Examples
    --------
    >>> j = net_job("net_icl", dict(arch="full_linear", d=8, alpha=1, tau=1, kappa="inf", rho=0.01,
    ...             steps=10, lr=1e-3))
    >>> j.coords["kappa"], j.coords["batch_frac"], j.seed == net_job("net_icl", j.coords).seed
    (inf, 0.1, True)
    """
    return Job(kind, coords, run=run, base_seed=base_seed)


def curve_keys(steps: int, evals: int) -> list:
    """The step numbers at which :func:`iclsym.nets.jobs.depth_job` records the test loss (``evals`` + 1 points).

    Examples
    --------
    >>> curve_keys(1000, 4)
    [0, 250, 500, 750, 1000]
    """
    steps = check_size("steps", steps, minimum=1)
    evals = check_size("evals", evals, minimum=1)
    if steps % evals:
        raise ValueError(f"steps ({steps}) must be a multiple of evals ({evals})")
    return [i * (steps // evals) for i in range(evals + 1)]


#: rough relative cost of one step of a block, by architecture (full linear attention is cheapest)
_BLOCK_COST = {"full_linear": 0.3, "softmax": 1.0}
#: the fixed cost of a job (JIT compilation, about 3-5 s) in the units of :func:`relative_cost`
#: (one unit is about 2 microseconds: ~1 ms per step of full linear attention at d = 20, batch 80)
_FIXED_COST = 2e6


def relative_cost(coords: dict) -> float:
    """A rough relative cost of a training job: steps x minibatch x ``d`` x blocks, plus compilation.

    Examples
    --------
    >>> c = dict(arch="softmax", d=8, tau=1.0, batch_frac=0.1, steps=10)
    >>> relative_cost(dict(c, d=16)) > relative_cost(c)
    True
    """
    size = coords["tau"] * coords["d"] ** 2 * coords["batch_frac"] if "tau" in coords else coords.get("batch", 1)
    blocks = _BLOCK_COST.get(coords["arch"], 2.5) * coords.get("depth", 1)
    return float(coords["steps"]) * max(size, 1.0) * coords["d"] * blocks + _FIXED_COST


def cost(job: Job) -> float:
    """:func:`relative_cost` of a job (sort key: submit the longest first, for load balance)."""
    return relative_cost(job.coords)

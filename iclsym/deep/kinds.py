"""Sweep job kinds of deep linear attention (paper 3): SGD training, Monte Carlo risk, full attention.

Coordinates use paper 3's names inside this namespace (``alpha = P/D`` and ``queries = K/D`` may be
``inf``; ``batch = B/D``; ``width = 0`` is full width); see :mod:`iclsym.deep.jobs` for the job
functions and docs/symbols.md for the clash with papers 1-2.
"""

from __future__ import annotations

from iclsym.sweep.kinds import Coord, JobKind, register_kind

__all__ = ["TRAIN", "MC", "ATTENTION"]

_SETTING = Coord("setting", str, default="iso")
_ALPHA = Coord("alpha", default=1.0, allow_inf=True, minimum=0.0)
_SPECTRUM = (Coord("nu", default=1.5, minimum=0.0), Coord("beta", default=1.0, minimum=0.0))

TRAIN = register_kind(JobKind(
    "deep_train", "iclsym.deep.jobs:train_job",
    (_SETTING, _ALPHA, Coord("L", int, default=1, minimum=1), Coord("D", int, default=32, minimum=2),
     Coord("steps", int, default=1000, minimum=0), Coord("batch", default=1.0, minimum=0.0),
     Coord("lr", default=0.1, minimum=0.0), Coord("queries", default=1.0, allow_inf=True, minimum=0.0),
     Coord("sigma2", default=0.0, minimum=0.0), Coord("tied", bool, default=True),
     Coord("width", int, default=0, minimum=0), *_SPECTRUM, Coord("decay", default=0.3, minimum=0.0),
     Coord("record", int, default=0, minimum=0), Coord("n_eval", int, default=400, minimum=0)),
    "online SGD of the Gamma-model (L steps of in-context GD), then the Monte Carlo risk of the trained Gamma",
))

MC = register_kind(JobKind(
    "deep_mc", "iclsym.deep.jobs:mc_job",
    (_SETTING, _ALPHA, Coord("L", int, default=1, minimum=1), Coord("D", int, default=32, minimum=2),
     Coord("gamma", default=1.0), Coord("n", int, default=400, minimum=1), Coord("sigma2", default=0.0, minimum=0.0),
     *_SPECTRUM),
    "Monte Carlo excess risk of L-step GD with Gamma = gamma I at finite D",
))

ATTENTION = register_kind(JobKind(
    "deep_attention", "iclsym.deep.jobs:attention_job",
    (_SETTING, _ALPHA, Coord("L", int, default=1, minimum=1), Coord("D", int, default=16, minimum=2),
     Coord("width", int, default=0, minimum=0), Coord("steps", int, default=1000, minimum=0),
     Coord("batch", default=1.0, minimum=0.0), Coord("lr", default=0.05, minimum=0.0),
     Coord("queries", default=1.0, allow_inf=True, minimum=0.0), *_SPECTRUM, Coord("scale", default=0.3, minimum=0.0),
     Coord("record", int, default=0, minimum=0)),
    "the full (W_x, W_q, W_k, W_v) linear-attention parametrisation trained by SGD (JAX)",
))

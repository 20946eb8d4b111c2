"""Trained attention networks for in-context regression: the papers' nonlinear experiments.

The three theories iclsym covers are each checked by their authors against trained
attention models; this package reproduces those experiments:

* Lu et al., *Asymptotic theory of in-context learning by linear attention* (PNAS 2025):
  double descent in the number of pretraining contexts ``n`` with an interpolation threshold
  ``n ~ d^2`` (full linear attention, softmax attention, softmax blocks with an MLP) and the
  memorisation -> in-context-learning transition in the task diversity ``kappa = k/d``;
* Letey et al., *Pretrain-Test Task Alignment Governs Generalization in In-Context Learning*
  (ICLR 2026): a two-block softmax transformer trained on Gaussian tasks ``w ~ N(0, C_train)``
  and tested on ``w ~ N(0, C_test)``;
* Bordelon et al., *Theory of Scaling Laws for In-Context Regression* (ICLR 2026): untied
  softmax attention layers with a ``1/L`` residual scaling, where depth still helps.

Modules (JAX and optax are needed only by the training modules; install the ``nets`` extra):

* :mod:`iclsym.nets.data`      -- the jit-compiled in-context regression pipeline (JAX)
* :mod:`iclsym.nets.models`    -- the architectures as pure functions of a parameter pytree (JAX)
* :mod:`iclsym.nets.train`     -- AdamW training loop with progress bar and test errors (JAX, optax)
* :mod:`iclsym.nets.jobs`      -- sweep job functions ``fn(*, seed, **coords) -> dict``
* :mod:`iclsym.nets.threshold` -- interpolation-threshold rule and exponent fit (NumPy only)
* :mod:`iclsym.nets.settings`  -- quick / full / tiny grids of the figures (no NumPy, no JAX)
* :mod:`iclsym.nets.kinds`     -- the sweep job kinds ``net_icl``, ``net_alignment``, ``net_depth`` (no JAX)

The jobs run through the common sweep machinery (:mod:`iclsym.sweep`: resumable store, process
pool or Dask) and the figures through ``iclsym figures`` (paper 1 Figs. 5-6, paper 2 Fig. 3,
paper 3 Figs. 6c and 9).  Task covariances are the specs of :mod:`iclsym.core.covariances`.

Importing this package imports nothing heavy; JAX is imported by the modules that need it.
It does set one XLA CPU thread for this process (``XLA_FLAGS``, unless JAX was imported first;
:func:`iclsym.sweep.threads.single_thread_xla`): XLA's float32 products round differently with
several threads, and one thread everywhere makes a run in this process give the same numbers as
the same run in a sweep worker.
"""

from __future__ import annotations

from iclsym.sweep.threads import single_thread_xla

single_thread_xla()

__all__ = ["data", "models", "train", "jobs", "threshold", "settings", "kinds"]

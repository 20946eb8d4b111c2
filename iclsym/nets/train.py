"""Training loop: AdamW (optax) on the mean squared error of the query labels, jit-compiled in chunks.

The authors' recipe (papers 1-2): AdamW with learning rate ``1e-4`` (optax's default weight
decay ``1e-4``), minibatches of 10 % of the ``n`` pretraining contexts, up to ``10^5`` steps;
MSE on the last label.  :func:`fit` runs any number of steps in jitted ``lax.scan`` chunks
(one compilation per architecture, data shape and chunk length), shuffling the pretraining set
every epoch (``order="shuffle"``) or walking through a stream of fresh contexts
(``order="stream"``: online training, paper 3).

Reproducibility: the same integer seed gives the same numbers on the same backend (XLA's CPU
and GPU kernels differ in the last bits, so results across backends agree statistically only).
"""

from __future__ import annotations

import functools
import math
import os
import sys
import time
from dataclasses import dataclass, field

import jax
import jax.numpy as jnp
import numpy as np
import optax

from iclsym.core.params import check_choice, check_size
from iclsym.nets import models
from iclsym.nets._validate import check_real

__all__ = ["FitResult", "fit", "evaluate", "prng_key", "ORDERS"]

ORDERS = ("shuffle", "stream")
#: learning-rate schedules: constant, or cosine decay to 0 over the run
SCHEDULES = ("constant", "cosine")
#: steps per jitted chunk (the progress bar and the loss history advance once per chunk)
CHUNK = 250
#: contexts per forward pass when evaluating a whole set
EVAL_BATCH = 1024


def prng_key(seed: int):
    """A JAX key from a non-negative integer seed of any size (via ``numpy.random.SeedSequence``).

    Examples
    --------
    >>> bool(jnp.all(jax.random.key_data(prng_key(2**40)) == jax.random.key_data(prng_key(2**40))))
    True
    """
    seed = check_size("seed", seed, minimum=0)
    word = int(np.random.SeedSequence(seed).generate_state(1, np.uint32)[0])
    return jax.random.key(word)


@functools.lru_cache(maxsize=None)
def _optimizer(lr: float, weight_decay: float, decay_steps: int = 0):
    # cached: the same arguments give the same object, so jitted chunks are reused
    rate = optax.cosine_decay_schedule(lr, decay_steps) if decay_steps else lr
    return optax.adamw(rate, weight_decay=weight_decay)


def _batch_index(key, t, n, batch, order):
    if order == "stream":
        return t * batch + jnp.arange(batch)
    if batch >= n:
        return jnp.arange(n)
    per_epoch = n // batch
    perm = jax.random.permutation(jax.random.fold_in(key, t // per_epoch), n)
    return jax.lax.dynamic_slice(perm, ((t % per_epoch) * batch,), (batch,))


@functools.partial(jax.jit, static_argnames=("arch", "length", "batch", "order", "lr", "weight_decay", "decay_steps"))
def _chunk(params, opt_state, data, key, start, *, arch, length, batch, order, lr, weight_decay, decay_steps):
    opt = _optimizer(lr, weight_decay, decay_steps)
    ell = data.law.ell

    def body(carry, t):
        p, s = carry
        Z, y = data.batch(_batch_index(key, t, data.n, batch, order))
        value, grads = jax.value_and_grad(models.loss)(p, arch, ell, Z, y)
        updates, s = opt.update(grads, s, p)
        return (optax.apply_updates(p, updates), s), value

    (params, opt_state), losses = jax.lax.scan(body, (params, opt_state), start + jnp.arange(length))
    return params, opt_state, losses


@functools.partial(jax.jit, static_argnames=("arch", "ell"))
def _sq_errors(params, arch, ell, Z, y):
    return jnp.mean((models.predict(params, arch, ell, Z) - y) ** 2, axis=-1)


def evaluate(params, arch, ell: int, Z, y) -> tuple[float, float]:
    """Mean squared error over contexts and its standard error (per-context errors are i.i.d.).

    Evaluated in blocks of :data:`EVAL_BATCH` contexts.

    Examples
    --------
    >>> from iclsym.nets.data import ContextLaw, evaluation_set
    >>> a = models.ARCHS["full_linear"]; p = models.init_params(jax.random.key(0), a, 3)
    >>> Z, y = evaluation_set(jax.random.key(1), ContextLaw(d=3, ell=6, rho=0.01), 50)
    >>> m, se = evaluate(p, a, 6, Z, y); 0 < se < m
    True
    """
    m = Z.shape[0]
    blocks = []
    for lo in range(0, m, EVAL_BATCH):
        # fixed-size blocks (the last one padded with its own first rows): one compilation per model
        idx = jnp.minimum(jnp.arange(lo, lo + EVAL_BATCH), m - 1)
        blocks.append(np.asarray(_sq_errors(params, arch, ell, Z[idx], y[idx]))[:min(EVAL_BATCH, m - lo)])
    errs = np.concatenate(blocks)
    se = float(errs.std(ddof=1) / math.sqrt(errs.size)) if errs.size > 1 else math.nan
    return float(errs.mean()), se


def _dataset_error(params, arch, data):
    if data.materialised:
        return evaluate(params, arch, data.law.ell, data.Z, data.y)[0]
    total = 0.0
    for lo in range(0, data.n, EVAL_BATCH):
        Z, y = data.batch(jnp.minimum(jnp.arange(lo, lo + EVAL_BATCH), data.n - 1))
        total += float(jnp.sum(_sq_errors(params, arch, data.law.ell, Z, y)[:min(EVAL_BATCH, data.n - lo)]))
    return total / data.n


def _show_progress(progress) -> bool:
    if progress is not None:
        return bool(progress)
    return sys.stderr.isatty() and not os.environ.get("ICLSYM_NO_PROGRESS")


@dataclass
class FitResult:
    """Outcome of :func:`fit`.

    Attributes
    ----------
    params : pytree
        Trained parameters.
    steps : int
        Optimiser steps taken.
    history : list of (int, float)
        ``(step, mean minibatch loss over the chunk ending at step)``.
    train_error : float
        MSE over the whole pretraining set after the last step (``nan`` for ``order="stream"``).
    seconds, compile_seconds : float
        Wall time of the loop, and of the first chunk (which includes compilation).
    evals : list of (int, float)
        ``(step, callback value)`` when an ``eval_fn`` was given.
    """

    params: object
    steps: int
    history: list = field(default_factory=list)
    train_error: float = math.nan
    seconds: float = 0.0
    compile_seconds: float = 0.0
    evals: list = field(default_factory=list)


def fit(arch, data, params, key, *, steps: int, lr: float, batch: int, weight_decay: float = 1e-4,
        order: str = "shuffle", schedule: str = "constant", chunk: int = CHUNK, eval_every: int | None = None, eval_fn=None,
        progress=None, desc: str = "train") -> FitResult:
    """Train ``params`` of ``arch`` on the contexts of ``data`` with AdamW.

    Parameters
    ----------
    arch : models.Arch
    data : iclsym.nets.data.Dataset
        Pretraining contexts (``order="shuffle"``) or a stream of at least ``steps * batch``
        contexts (``order="stream"``).
    params : pytree
        Initial parameters (:func:`iclsym.nets.models.init_params`).
    key : JAX key
        Minibatch order.
    steps, batch : int
        Optimiser steps and contexts per step (``batch >= n`` means full batch).
    lr, weight_decay : float
        AdamW learning rate and decoupled weight decay (optax's default ``1e-4``).
    order : {"shuffle", "stream"}
    schedule : {"constant", "cosine"}
        Constant learning rate (the authors' recipe) or cosine decay from ``lr`` to 0 over ``steps``.
    chunk : int
        Steps per jitted scan.
    eval_every, eval_fn :
        Every ``eval_every`` steps call ``eval_fn(params) -> float``
        and record it in ``evals`` (also at step 0).
    progress : bool or None
        tqdm bar; ``None``: only when stderr is a terminal (and ``ICLSYM_NO_PROGRESS`` unset).

    Examples
    --------
    >>> from iclsym.nets.data import ContextLaw, pretraining_set
    >>> law = ContextLaw(d=3, ell=6, rho=0.01)
    >>> data = pretraining_set(jax.random.key(0), law, 64)
    >>> a = models.ARCHS["full_linear"]
    >>> r = fit(a, data, models.init_params(jax.random.key(1), a, 3), jax.random.key(2), steps=250, lr=1e-2,
    ...         batch=16, chunk=50, progress=False)
    >>> r.steps, r.history[-1][1] < r.history[0][1], r.train_error < 1.0
    (250, True, True)
    """
    steps = check_size("steps", steps, minimum=0)
    batch = check_size("batch", batch, minimum=1)
    chunk = check_size("chunk", chunk, minimum=1)
    lr = check_real("lr", lr, minimum=0.0, strict=True)
    weight_decay = check_real("weight_decay", weight_decay, minimum=0.0)
    check_choice("order", order, ORDERS)
    if order == "stream" and steps * batch > data.n:
        raise ValueError(f"a stream of n = {data.n} contexts is shorter than steps * batch = {steps * batch}")
    batch = min(batch, data.n) if order == "shuffle" else batch
    if eval_every is not None:
        eval_every = check_size("eval_every", eval_every, minimum=1)
        # chunks of equal length that end on every evaluation step
        parts = -(-eval_every // chunk)
        while eval_every % parts:
            parts += 1
        chunk = eval_every // parts
    check_choice("schedule", schedule, SCHEDULES)
    decay_steps = steps if schedule == "cosine" else 0
    opt_state = _optimizer(lr, weight_decay, decay_steps).init(params)
    result = FitResult(params=params, steps=0)
    if eval_fn is not None and eval_every:
        result.evals.append((0, float(eval_fn(params))))
    bar = None
    if _show_progress(progress):
        from tqdm.auto import tqdm

        bar = tqdm(total=steps, desc=desc, leave=False)
    t0 = time.perf_counter()
    done = 0
    while done < steps:
        length = min(chunk, steps - done)
        tc = time.perf_counter()
        params, opt_state, losses = _chunk(params, opt_state, data, key, jnp.asarray(done), arch=arch,
                                           length=length, batch=batch, order=order, lr=lr,
                                           weight_decay=weight_decay, decay_steps=decay_steps)
        mean_loss = float(jnp.mean(losses))
        if done == 0:
            result.compile_seconds = time.perf_counter() - tc
        done += length
        result.history.append((done, mean_loss))
        if eval_fn is not None and eval_every and done % eval_every == 0:
            result.evals.append((done, float(eval_fn(params))))
        if bar is not None:
            bar.update(length)
            bar.set_postfix(loss=f"{mean_loss:.3g}")
        if not math.isfinite(mean_loss):
            break
    if bar is not None:
        bar.close()
    result.params, result.steps = params, done
    result.seconds = time.perf_counter() - t0
    if order == "shuffle":
        result.train_error = _dataset_error(params, arch, data)
    return result

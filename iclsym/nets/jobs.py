"""Sweep job functions of the trained-network experiments: ``fn(*, seed, **coords) -> dict``.

Each function trains one network from scratch and returns JSON scalars.  Its keyword
arguments are the job's coordinates; the same coordinates and seed give the same numbers on
the same backend (the seed feeds :func:`iclsym.nets.train.prng_key`; initialisation, data,
minibatch order and test sets use independent streams derived from it).

* :func:`icl_job` -- papers 1: isotropic tasks (sphere, or Gaussian), ``n = tau d^2`` pretraining
  contexts of length ``ell = alpha d``, a bank of ``k = kappa d`` tasks (``kappa = inf``: a
  fresh task per context); ICL and IDG test errors (Lu et al. Figs. 5-6).
* :func:`alignment_job` -- paper 2: Gaussian tasks ``w ~ N(0, C_train)``; ICL error on test tasks
  ``w ~ N(0, C_test)`` for every test covariance spec (:mod:`iclsym.core.covariances`); a fixed set of
  ``n`` contexts, or fresh contexts every step over the fixed bank of tasks (``contexts``).
* :func:`depth_job` -- paper 3: online training of a deep residual attention stack on fresh
  contexts (ISO or RRS), test loss against step.

Sizes follow the project's rounding rule: ``ell = round(alpha d)``, ``n = round(tau d^2)``,
``k = round(kappa d)``; the effective ratios are returned (``alpha_eff`` ...).
"""

from __future__ import annotations

import math
import time

import jax
import jax.numpy as jnp

from iclsym.core.covariances import covariance, power_law
from iclsym.core.params import check_choice, check_param, check_size
from iclsym.nets import data, models
from iclsym.nets import train as training
from iclsym.nets._validate import check_real
from iclsym.nets.kinds import curve_keys

__all__ = ["icl_job", "alignment_job", "depth_job", "CONTEXTS"]

#: pretraining data of :func:`alignment_job`: a fixed set of ``n`` contexts reused every epoch, or
#: fresh contexts (tokens and noise) at every step with tasks from the fixed bank
CONTEXTS = ("fixed", "fresh")


def _keys(seed):
    root = training.prng_key(seed)
    names = ("init", "data", "order", "icl", "idg")
    return {nm: jax.random.fold_in(root, i) for i, nm in enumerate(names)}


def _sizes(d, alpha, tau, kappa):
    d = check_size("d", d, minimum=2)
    alpha = float(check_param("alpha", alpha))
    tau = float(check_param("tau", tau))
    kappa = float(check_param("kappa", kappa))
    ell = max(1, round(alpha * d))
    n = max(1, round(tau * d * d))
    k = math.inf if math.isinf(kappa) else max(1, round(kappa * d))
    return d, ell, n, k


def _common(result, arch, d, ell, n, k, fitres, params, cpu0):
    return {
        "d": d, "ell": ell, "n": n, "k": k if math.isfinite(k) else -1,
        "alpha_eff": ell / d, "tau_eff": n / d**2, "kappa_eff": k / d if math.isfinite(k) else math.inf,
        "train_error": fitres.train_error, "final_batch_loss": fitres.history[-1][1] if fitres.history else math.nan,
        "steps_done": fitres.steps, "n_params": models.parameter_count(params),
        "diverged": not math.isfinite(fitres.history[-1][1]) if fitres.history else False,
        "seconds": fitres.seconds, "compile_seconds": fitres.compile_seconds, "backend": jax.default_backend(),
        "cpu_seconds": time.process_time() - cpu0,
        **result,
    }


def icl_job(*, seed: int, arch: str, d: int, alpha: float, tau: float, kappa: float, rho: float, steps: int,
            lr: float, batch_frac: float = 0.1, n_test: int = 1000, weight_decay: float = 1e-4,
            schedule: str = "constant", task: str = "sphere", progress=None) -> dict:
    """Train ``arch`` on ``n = tau d^2`` contexts (Lu et al.'s trained-network experiments).

    Returns ``e_icl`` (fresh tasks), ``e_idg`` (bank tasks; ``nan`` when ``kappa = inf``, where
    the two test laws coincide), ``g_task = e_icl - e_idg``, their standard errors over the
    ``n_test`` test contexts (``se_e_icl`` ...), the final ``train_error`` over all ``n``
    contexts, sizes, effective ratios and timings (wall ``seconds`` of the loop, ``compile_seconds`` of its
    first chunk, ``cpu_seconds`` of the whole job in this process).

    Examples
    --------
    >>> r = icl_job(seed=1, arch="full_linear", d=3, alpha=2.0, tau=4.0, kappa=2.0, rho=0.01, steps=50,
    ...             lr=3e-3, n_test=64, progress=False)
    >>> r["n"], r["k"], r["g_task"] == r["e_icl"] - r["e_idg"]
    (36, 6, True)
    """
    cpu0 = time.process_time()
    d, ell, n, k = _sizes(d, alpha, tau, kappa)
    batch_frac = check_real("batch_frac", batch_frac, minimum=0.0, strict=True, maximum=1.0)
    n_test = check_size("n_test", n_test, minimum=2)
    a = models.arch_from(arch)
    keys = _keys(seed)
    law = data.ContextLaw(d=d, ell=ell, rho=rho, task=task)
    ds = data.pretraining_set(keys["data"], law, n, k)
    params = models.init_params(keys["init"], a, d)
    fitres = training.fit(a, ds, params, keys["order"], steps=steps, lr=lr, batch=max(1, round(batch_frac * n)),
                       weight_decay=weight_decay, schedule=schedule, progress=progress,
                       desc=f"{arch} d={d} tau={tau:g}")
    e_icl, se_icl = training.evaluate(fitres.params, a, ell, *data.evaluation_set(keys["icl"], law, n_test))
    e_idg = se_idg = math.nan
    if math.isfinite(k):
        e_idg, se_idg = training.evaluate(fitres.params, a, ell,
                                       *data.evaluation_set(keys["idg"], law, n_test, bank=ds.bank))
    out = {"e_icl": e_icl, "se_e_icl": se_icl, "e_idg": e_idg, "se_e_idg": se_idg,
           "g_task": e_icl - e_idg, "se_g_task": math.hypot(se_icl, se_idg)}
    return _common(out, arch, d, ell, n, k, fitres, fitres.params, cpu0)


def _diagonal(spec: str, d: int, what: str) -> tuple:
    C = covariance(spec, d)
    if not C.is_diagonal:
        raise ValueError(f"{what} must be a diagonal covariance spec for the trained networks; got {spec!r}")
    return tuple(float(v) for v in C.diag)


def alignment_job(*, seed: int, arch: str, d: int, alpha: float, tau: float, kappa: float, rho: float,
                  train: str, tests: str, steps: int, lr: float, batch_frac: float = 0.1, n_test: int = 1000,
                  weight_decay: float = 1e-4, schedule: str = "constant", contexts: str = "fixed",
                  progress=None) -> dict:
    """Train on Gaussian tasks ``N(0, C_train)``, test on ``N(0, C_test)`` for every spec in ``tests``.

    Letey et al.'s transformer experiment.  ``train`` and ``tests`` (comma-separated) are covariance
    specs of :mod:`iclsym.core.covariances` (diagonal ones: ``powerlaw:0.9``, ``lowrank:0.4`` ...,
    trace ``d``).  Returns ``e_icl[<spec>]`` and ``se_e_icl[<spec>]`` for each test, and ``e_idg``
    on the bank's tasks.  Every test scales the same standard-normal draws (common random numbers),
    so differences between tests are the covariances' own.

    ``contexts="fixed"``: the ``n = tau d^2`` pretraining contexts are drawn once and reshuffled every
    epoch (minibatches of ``batch_frac * n``); ``train_error`` is the final MSE over them.
    ``contexts="fresh"``: every step draws ``batch_frac * n`` new contexts (tokens and label noise)
    whose tasks come from the same bank of ``k`` tasks (balanced over the whole stream), so only the
    task bank is finite -- the sampling of the authors' public training script for this experiment
    (a bank sampler that draws new tokens at every call).  Then ``train_error`` is ``nan``; the loss of
    the last steps is ``final_batch_loss``, and ``contexts_seen`` counts the contexts drawn.

    Examples
    --------
    >>> alignment_job(seed=0, arch="softmax2_gelu", d=4, alpha=2.0, tau=4.0, kappa=1.0, rho=0.01,
    ...               train="powerlaw:0.9", tests="identity", steps=10, lr=1e-3, batch_frac=2.0)
    Traceback (most recent call last):
    ...
    ValueError: batch_frac must be a finite number > 0.0 and <= 1.0; got 2.0

    (A run is exercised by the slow tests.)
    """
    cpu0 = time.process_time()
    d, ell, n, k = _sizes(d, alpha, tau, kappa)
    batch_frac = check_real("batch_frac", batch_frac, minimum=0.0, strict=True, maximum=1.0)
    n_test = check_size("n_test", n_test, minimum=2)
    check_choice("contexts", contexts, CONTEXTS)
    test_specs = [t.strip() for t in str(tests).split(",") if t.strip()]
    if not test_specs:
        raise ValueError(f"tests must list covariance specs separated by commas; got {tests!r}")
    spectra = {t: _diagonal(t, d, "tests") for t in test_specs}
    a = models.arch_from(arch)
    keys = _keys(seed)
    law = data.ContextLaw(d=d, ell=ell, rho=rho, task="gaussian", task_spectrum=_diagonal(train, d, "train"))
    batch = max(1, round(batch_frac * n))
    if contexts == "fresh":
        steps = check_size("steps", steps, minimum=1)
        ds = data.pretraining_set(keys["data"], law, steps * batch, k, materialise=False)
    else:
        ds = data.pretraining_set(keys["data"], law, n, k)
    params = models.init_params(keys["init"], a, d)
    fitres = training.fit(a, ds, params, keys["order"], steps=steps, lr=lr, batch=batch,
                          order="stream" if contexts == "fresh" else "shuffle",
                          weight_decay=weight_decay, schedule=schedule, progress=progress,
                          desc=f"{arch} kappa={kappa:g}")
    out = {"contexts_seen": fitres.steps * batch if contexts == "fresh" else n}
    g = jax.random.normal(jax.random.fold_in(keys["icl"], 11), (n_test, d))
    for name, spec in spectra.items():
        tasks = g * jnp.sqrt(jnp.asarray(spec, dtype=g.dtype))
        e, se = training.evaluate(fitres.params, a, ell, *data.evaluation_set(keys["icl"], law, n_test, tasks=tasks))
        out[f"e_icl[{name}]"], out[f"se_e_icl[{name}]"] = e, se
    if math.isfinite(k):
        out["e_idg"], out["se_e_idg"] = training.evaluate(
            fitres.params, a, ell, *data.evaluation_set(keys["idg"], law, n_test, bank=ds.bank))
    return _common(out, arch, d, ell, n, k, fitres, fitres.params, cpu0)


def depth_job(*, seed: int, arch: str, depth: int, d: int, width: int, alpha: float, queries: int, batch: int,
              steps: int, lr: float, rho: float = 0.0, rotate: bool = False, x_power: float = 0.0,
              task_power: float = 0.0, n_test: int = 1000, evals: int = 20, weight_decay: float = 1e-4,
              progress=None) -> dict:
    """Online AdamW training of a depth-``L`` residual attention stack (Bordelon et al.'s depth experiments).

    Contexts of ``P = round(alpha d)`` labelled pairs and ``queries`` query points, a fresh
    context for every minibatch element; tokens in the paper's convention ``x ~ N(0, Sigma)``
    (``token_scale = sqrt(d)``), tasks Gaussian with ``E beta beta^T = C/d``.  ``x_power`` and
    ``task_power`` give power-law spectra (0: isotropic); ``rotate=True`` is the RRS law.
    Returns ``loss_<step>`` (test MSE on ``n_test`` fixed fresh contexts) at the steps of
    :func:`iclsym.nets.kinds.curve_keys`, and ``e_test`` (the last one).

    Examples
    --------
    >>> depth_job(seed=0, arch="deep_softmax", depth=2, d=4, width=8, alpha=2.0, queries=2, batch=8,
    ...           steps=30, lr=1e-3, evals=7)
    Traceback (most recent call last):
    ...
    ValueError: steps (30) must be a multiple of evals (7)

    (Runs are exercised by the tests: ``loss_0``, ``loss_<step>`` ... and ``e_test``.)
    """
    cpu0 = time.process_time()
    d = check_size("d", d, minimum=2)
    alpha = float(check_param("alpha", alpha))
    batch = check_size("batch", batch, minimum=1)
    steps = check_size("steps", steps, minimum=1)
    marks = curve_keys(steps, evals)
    ell = max(1, round(alpha * d))
    a = models.arch_from(arch, depth=depth, width=width)
    keys = _keys(seed)
    x_spec = tuple(power_law(d, x_power).diag.tolist()) if x_power else None
    t_spec = tuple(power_law(d, task_power).diag.tolist()) if task_power else None
    law = data.ContextLaw(d=d, ell=ell, rho=rho, n_query=queries, task="gaussian", task_spectrum=t_spec,
                          x_spectrum=x_spec, rotate=bool(rotate), token_scale=math.sqrt(d))
    stream = data.pretraining_set(keys["data"], law, steps * batch, materialise=False)
    Zt, yt = data.evaluation_set(keys["icl"], law, n_test)
    params = models.init_params(keys["init"], a, d)

    def test_loss(p):
        return training.evaluate(p, a, ell, Zt, yt)[0]

    fitres = training.fit(a, stream, params, keys["order"], steps=steps, lr=lr, batch=batch, order="stream",
                       weight_decay=weight_decay, eval_every=marks[1], eval_fn=test_loss, progress=progress,
                       desc=f"{arch} L={depth}")
    out = {f"loss_{s}": v for s, v in fitres.evals}
    out["e_test"] = fitres.evals[-1][1]
    out["P"] = ell
    return _common(out, arch, d, ell, steps * batch, math.inf, fitres, fitres.params, cpu0)

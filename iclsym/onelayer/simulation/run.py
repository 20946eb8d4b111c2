"""Monte Carlo runs of the finite-``d`` model (docs/onelayer/model.md, docs/onelayer/lemma1.md, docs/architecture.md).

One run (:func:`simulate_once`): draw the bank and ``n`` pretraining sequences, solve the
ridge problem for ``Gamma*`` (:func:`iclsym.onelayer.simulation.solver.solve_ridge`), and evaluate its
*exact* finite-``d`` test errors (docs/onelayer/lemma1.md) -- no test-set noise.  The sizes are
``ell = round(alpha d)``, ``k = round(kappa d)``, ``n = round(tau d^2)``; the ratios they
realise (``alpha_eff`` ...) are reported, since theory must be compared there (docs/onelayer/finite-size.md).

:func:`simulate` repeats independent runs with seeds from
``numpy.random.SeedSequence(seed).spawn(runs)``, so run ``i`` does not depend on how many
runs were asked for or which worker ran it.
"""

from __future__ import annotations

import math
import sys
import time

import numpy as np

from iclsym.core.memory import check_fits
from iclsym.core.params import Params, Sizes, check_computable, check_size
from iclsym.core.threads import one_blas_thread
from iclsym.core.tasks import task_law
from iclsym.onelayer.simulation.exact_error import e_icl_exact, e_idg_exact
from iclsym.onelayer.simulation.solver import solve_ridge
from iclsym.onelayer.simulation.samplers import as_generator, pretraining_tasks, sample_sequences

__all__ = ["simulate_once", "simulate", "memory_estimate", "ERROR_NAMES"]

#: the error quantities a run reports
ERROR_NAMES = ("e_icl", "e_idg", "g_task")


def simulate_once(
    alpha: float,
    tau: float,
    kappa: float,
    rho: float,
    lam: float,
    d: int,
    seed,
    *,
    method: str = "auto",
    assignment: str = "balanced",
    task_dist: str = "sphere",
    sampler: str = "conditional",
) -> dict:
    """One pretraining run and the exact test errors of its ``Gamma*`` (docs/onelayer/lemma1.md).

    Parameters
    ----------
    alpha, tau, kappa, rho, lam : float
        The paper's ratios (``kappa = inf``: a fresh task per pretraining sequence).
    d : int
        Dimension (``>= 2``).
    seed : int or numpy.random.SeedSequence
    method : {"auto", "dual", "primal", "cg"}
        Ridge solver (see :mod:`iclsym.onelayer.simulation.solver`).
    assignment : {"balanced", "uniform"}
        How pretraining sequences are assigned to the bank.
    task_dist : {"sphere", "gaussian"} or TaskLaw
        Task law (:mod:`iclsym.core.tasks`) for the bank and the ICL test task.
    sampler : {"conditional", "reference"}
        ``O(d)``-per-sequence exact conditional sampler, or the token-by-token reference.

    Returns
    -------
    dict
        ``e_icl, e_idg, g_task`` (exact finite-``d`` errors; ``e_idg = e_icl`` when
        ``k = inf``), nominal ``alpha, tau, kappa, rho, lam``, effective
        ``alpha_eff, tau_eff, kappa_eff``, sizes ``d, ell, k, n``, solver diagnostics
        ``method`` (requested) and ``solver`` (used, e.g. ``"cg->primal"``), ``iterations,
        rel_residual, cond_estimate``, and timings ``seconds``
        (total), ``seconds_sample``, ``seconds_solve``, ``seconds_errors``.

    Examples
    --------
    >>> r = simulate_once(1.0, 0.5, 0.5, 0.1, 1e-3, 8, seed=0)
    >>> (r["ell"], r["k"], r["n"]), r["g_task"] == r["e_icl"] - r["e_idg"]
    ((8, 4, 32), True)
    """
    with one_blas_thread():  # the run's time and bytes depend only on its own work (iclsym.core.threads)
        return _run(alpha, tau, kappa, rho, lam, d, seed, method, assignment, task_dist, sampler)


def _run(alpha, tau, kappa, rho, lam, d, seed, method, assignment, task_dist, sampler) -> dict:
    t0 = time.perf_counter()
    law = task_law(task_dist, "task_dist")
    params = Params(alpha, tau, kappa, rho, lam)
    sizes = Sizes.from_params(d, params)
    eff = sizes.effective(params)
    res, W, t1, t2 = pretrain(params, sizes, law, seed, method, assignment, sampler)
    e_icl = e_icl_exact(res.Gamma, sizes.ell, params.rho, law)
    e_idg = e_icl if W is None else e_idg_exact(res.Gamma, W, sizes.ell, params.rho)
    t3 = time.perf_counter()
    out = {"e_icl": e_icl, "e_idg": e_idg, "g_task": e_icl - e_idg}
    out.update(params.as_dict())
    out.update(alpha_eff=eff.alpha, tau_eff=eff.tau, kappa_eff=eff.kappa)
    out.update(d=sizes.d, ell=sizes.ell, k=sizes.k, n=sizes.n)
    out.update(
        method=method,
        **solver_fields(res),
        assignment=assignment,
        task_dist=law.spec,
        sampler=sampler,
        seconds=t3 - t0,
        seconds_sample=t1 - t0,
        seconds_solve=t2 - t1,
        seconds_errors=t3 - t2,
    )
    return out


def pretrain(params, sizes, law, seed, method, assignment, sampler):
    """The pretraining half of every run: refuse what float64 or memory cannot hold, draw the bank and the
    ``n`` sequences from ``seed``, solve the ridge problem.  Returns ``(result, W, t_sampled, t_solved)``:
    the :func:`~iclsym.onelayer.simulation.solver.solve_ridge` result, the bank (``None`` when
    ``k = inf``) and the ``time.perf_counter()`` readings after sampling and after solving."""
    check_computable(*(np.asarray(v) for v in params.as_tuple()), what="the float64 simulation handles", hint="")
    check_fits(memory_estimate(sizes), f"a simulation at d = {sizes.d} (ell = {sizes.ell}, k = {sizes.k}, n = {sizes.n})")
    rng = as_generator(seed)
    W, tasks = pretraining_tasks(sizes.n, sizes.k, sizes.d, rng, law, assignment)
    xq, h, y = sample_sequences(tasks, sizes.ell, params.rho, rng, sampler)
    del tasks
    t1 = time.perf_counter()
    res = solve_ridge(xq, h, y, params.lam, method=method)
    return res, W, t1, time.perf_counter()


def solver_fields(res) -> dict:
    """The solver diagnostics a run reports: ``solver`` (used), ``iterations, rel_residual, cond_estimate``."""
    return dict(solver=res.method, iterations=res.iterations, rel_residual=res.rel_residual,
                cond_estimate=res.cond_estimate)


def memory_estimate(sizes) -> float:
    """Peak bytes of one :func:`simulate_once` at these sizes (the largest solver it may use).

    Bank ``k d``, per-sequence tasks ``n d`` and features ``n (2d + 2)``, plus the direct solve a
    run may fall back to: the ``n x n`` dual kernel when ``n < p = d(d+1)``, else the ``p x p``
    primal Gram and its 32 MiB accumulation buffer.

    >>> from iclsym.core.params import Params, Sizes
    >>> round(memory_estimate(Sizes.from_params(100, Params(10, 2, 0.5, 0.01))) / 2**20)
    856
    """
    d, n = sizes.d, sizes.n
    k = 0 if math.isinf(sizes.k) else sizes.k
    p = d * (d + 1)
    solver = float(n) ** 2 if n < p else float(p) ** 2 + 2**22
    return 8.0 * (k * d + n * d + n * (2 * d + 2) + solver)


def _spawn(seed, runs):
    if isinstance(seed, np.random.SeedSequence):
        return seed.spawn(runs)
    as_generator(seed)  # validates the int
    return np.random.SeedSequence(int(seed)).spawn(runs)


def simulate(alpha: float, tau: float, kappa: float, rho: float, lam: float, d: int, runs: int, seed,
             *, progress: bool | None = None, **options) -> dict:
    """``runs`` independent :func:`simulate_once` runs, with means and standard errors.

    Seeds: ``SeedSequence(seed).spawn(runs)``.  ``progress``: show a tqdm bar (default: only
    when stderr is a terminal).  ``options`` go to :func:`simulate_once`.

    Returns
    -------
    dict
        ``runs`` (the per-run dicts); per-run arrays ``e_icl, e_idg, g_task``; their means
        ``<name>_mean`` and standard errors of the mean ``<name>_se`` (``std/sqrt(runs)``,
        ``None`` when ``runs = 1``); the effective ratios and sizes; ``seconds``.

    Examples
    --------
    >>> s = simulate(1.0, 0.5, 0.5, 0.1, 1e-3, 8, runs=3, seed=0, progress=False)
    >>> s["e_icl"].shape, bool(s["e_icl_mean"] == s["e_icl"].mean())
    ((3,), True)
    """
    from tqdm.auto import tqdm

    runs = check_size("runs", runs, minimum=1)
    children = _spawn(seed, runs)
    if progress is None:
        progress = sys.stderr.isatty()
    t0 = time.perf_counter()
    results = [
        simulate_once(alpha, tau, kappa, rho, lam, d, child, **options)
        for child in tqdm(children, desc="simulate", unit="run", disable=not progress)
    ]
    first = results[0]
    out = {key: first[key] for key in ("alpha", "tau", "kappa", "rho", "lam", "alpha_eff", "tau_eff", "kappa_eff", "d", "ell", "k", "n")}
    for name in ERROR_NAMES:
        x = np.array([r[name] for r in results])
        out[name] = x
        out[name + "_mean"] = float(x.mean())
        out[name + "_se"] = float(x.std(ddof=1) / math.sqrt(runs)) if runs > 1 else None
    out["runs"] = results
    out["seconds"] = time.perf_counter() - t0
    return out

"""Trained-network stack: training throughput per architecture, quick-mode wall time, test-suite time.

Prints one line per measurement; a ``PASS``/``FAIL`` line for each target, naming what is
measured.  Every timing is printed with the machine's 1-minute load average beside it (timings
taken while other processes run are pessimistic).

    python benchmarks/nets.py                 # throughput + test-suite time
    python benchmarks/nets.py --quick-mode    # also the full quick mode of paper 1 Figs. 5-6 (~20 min)

Throughput: AdamW steps per second after compilation (best of 3 x 300 steps), one XLA thread,
at ``d = 20``, ``ell = 20`` (``alpha = 1``), a materialised set of ``n = 800`` contexts
(``tau = 2``) and minibatches of 80 contexts (the authors' 10 %), for every architecture of the
figures; the deep stacks at depth 4, width 40, 4 queries per context.  On a GPU the same code is
timed again when JAX sees one (otherwise the line says "no GPU").

Targets:
* quick mode of paper 1 Figs. 5-6 (all jobs from an empty store + figures, 2 worker processes)
  <= 20 min;
* the default test run of the nets package (``tests/nets``, ``tests/figures/test_nets_figures.py``
  and the doctests of ``iclsym/nets`` and the trained-network figure modules) <= 60 s.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUICK_TARGET = 20 * 60
TESTS_TARGET = 60.0
ARCHS = ("full_linear", "softmax", "softmax2_mlp", "softmax3_mlp", "softmax2_gelu", "deep_linear", "deep_softmax",
         "deep_softmax_mlp")


def load() -> str:
    return f"load {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"


def throughput(device=None) -> dict:
    import jax

    from iclsym.nets import data, models, train

    out = {}
    for name in ARCHS:
        deep = name.startswith("deep")
        arch = models.arch_from(name, depth=4, width=40) if deep else models.arch_from(name)
        law = data.ContextLaw(d=20, ell=20, rho=0.01, n_query=4 if deep else 1)
        ds = data.pretraining_set(jax.random.key(0), law, 800)
        params = models.init_params(jax.random.key(1), arch, 20)
        if device is not None:
            ds, params = jax.device_put((ds, params), device)
        train.fit(arch, ds, params, jax.random.key(2), steps=300, lr=1e-3, batch=80, chunk=300, progress=False)
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            r = train.fit(arch, ds, params, jax.random.key(2), steps=300, lr=1e-3, batch=80, chunk=300,
                          progress=False)
            jax.block_until_ready(r.params)
            best = min(best, time.perf_counter() - t0)
        out[name] = 300 / best
    return out


def quick_mode() -> float:
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "iclsym", "figures", "--paper", "1", "--only", "5,6", "--quick",
                        "--out", tmp, "--workers", "2"], check=True, cwd=ROOT)
        return time.perf_counter() - t0


def test_suite() -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/nets",
                    "tests/figures/test_nets_figures.py", "iclsym/nets", "iclsym/figures/paper1/fig5.py",
                    "iclsym/figures/paper1/fig6.py", "iclsym/figures/paper2", "iclsym/figures/paper3"],
                   check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick-mode", action="store_true", help="also time the quick mode of Figs. 5-6 (~20 min)")
    p.add_argument("--skip-tests", action="store_true")
    args = p.parse_args(argv)
    from iclsym.sweep.threads import limit_blas_threads

    limit_blas_threads(1)  # one BLAS and one XLA thread, as in the sweep's workers
    import jax

    print(f"jax {jax.__version__}, backend {jax.default_backend()}, {load()}")
    for name, sps in throughput().items():
        print(f"  CPU (1 XLA thread)  {name:17s} {sps:8.0f} steps/s  (d=20, batch 80)  [{load()}]")
    gpus = [dev for dev in jax.devices() if dev.platform == "gpu"]
    if gpus:
        for name, sps in throughput(gpus[0]).items():
            print(f"  GPU {gpus[0].device_kind:14s} {name:17s} {sps:8.0f} steps/s  (d=20, batch 80)")
    else:
        print("  GPU: no GPU")
    status = 0
    if not args.skip_tests:
        sec = test_suite()
        ok = sec <= TESTS_TARGET
        status |= not ok
        print(f"{'PASS' if ok else 'FAIL'} default test run of the nets package (tests/nets, nets figure tests, "
              f"doctests): {sec:.1f} s <= {TESTS_TARGET:.0f} s target  [{load()}]")
    if args.quick_mode:
        sec = quick_mode()
        ok = sec <= QUICK_TARGET
        status |= not ok
        print(f"{'PASS' if ok else 'FAIL'} quick mode of paper 1 Figs. 5-6 (all jobs from an empty store + figures, "
              f"2 workers): {sec:.0f} s <= {QUICK_TARGET} s target  [{load()}]")
    else:
        print("(quick mode of Figs. 5-6 not timed: pass --quick-mode)")
    return status


if __name__ == "__main__":
    sys.exit(main())

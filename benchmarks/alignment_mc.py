"""Monte Carlo acceptance of the alignment theory: finite-d simulations approach it like 1/d.

Run:  .venv/bin/python benchmarks/alignment_mc.py [--runs R] [--d 40,60,80] [--only NAME,...]

For every setting of ``iclsym.onelayer.alignment_mc.ACCEPTANCE`` (descending ramp with spike
tests, power law 0.9 with power-law tests, half-rank C_train at large alpha and tau, and the ridge
extension at lam in {0.01, 0.1, 1}) it simulates R runs at each d, compares each run with the theory at
its effective ratios and finite-d eigenvalues, prints the table and the fits of the gap against 1/d,
and one PASS/FAIL line per setting: PASS when every quantity's extrapolated gap B (fit A/d + B) is
consistent with 0 (|B| < 4 se(B)).  Wall-clock depends on load; the script prints ``uptime``.
"""

from __future__ import annotations

import argparse
import os
import time

from iclsym.onelayer.alignment_mc import ACCEPTANCE, approach, format_approach


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--d", default="40,60,80")
    p.add_argument("--only", default=None)
    p.add_argument("--seed", type=int, default=2509)
    args = p.parse_args(argv)
    ds = [int(x) for x in args.d.split(",")]
    names = list(ACCEPTANCE) if args.only is None else args.only.split(",")
    print(f"load average: {os.getloadavg()}")
    verdicts = []
    for name in names:
        t0 = time.perf_counter()
        res = approach(ds, args.runs, seed=args.seed, **ACCEPTANCE[name])
        print(format_approach(res, f"== {name}: {ACCEPTANCE[name]} ({time.perf_counter() - t0:.0f} s)"), flush=True)
        worst = max(abs(f["z_B"]) for f in res["fits"].values())
        ok = worst < 4
        verdicts.append(f"{'PASS' if ok else 'FAIL'}  {name}: gap -> 0 like 1/d (largest |B|/se(B) = {worst:.2f} < 4; "
                        f"d = {ds}, {args.runs} runs; baseline: the d -> inf theory at the finite-d eigenvalues)")
        print(verdicts[-1], flush=True)
    print("\n".join(verdicts))
    return 0 if all(v.startswith("PASS") for v in verdicts) else 1


if __name__ == "__main__":
    raise SystemExit(main())

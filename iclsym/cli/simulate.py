"""``iclsym simulate``: Monte Carlo runs of the finite-``d`` model (docs/onelayer/model.md, docs/onelayer/lemma1.md).

Each run pretrains ``Gamma*`` by ridge regression on ``n = round(tau d^2)`` sequences and
reports its exact finite-``d`` ICL and IDG errors; the summary gives means and standard
errors of the mean over runs, at the effective ratios the sizes realise.
"""

from __future__ import annotations

import json
import math

HELP = "simulate the finite-d model: ridge-trained linear attention, exact ICL/IDG errors over runs"


def add_arguments(p):
    p.add_argument("--alpha", type=float, required=True, help="context length per dimension, ell = round(alpha d)")
    p.add_argument("--tau", type=float, required=True, help="pretraining sequences per parameter, n = round(tau d^2)")
    p.add_argument("--kappa", type=float, required=True, help="task diversity, k = round(kappa d); 'inf' = a fresh task per sequence")
    p.add_argument("--rho", type=float, required=True, help="label-noise variance (>= 0)")
    p.add_argument("--lam", type=float, default=1e-5, help="ridge strength (default 1e-5)")
    p.add_argument("--d", type=int, default=100, help="dimension (default 100)")
    p.add_argument("--runs", type=int, default=10, help="independent runs (default 10)")
    p.add_argument("--seed", type=int, default=0, help="root seed; runs use SeedSequence(seed).spawn(runs)")
    p.add_argument("--method", default="auto", choices=("auto", "dual", "primal", "cg"), help="ridge solver")
    p.add_argument("--assignment", default="balanced", choices=("balanced", "uniform"), help="sequences-to-tasks assignment")
    p.add_argument("--task-dist", default="sphere", choices=("sphere", "gaussian"), help="task law")
    p.add_argument("--sampler", default="conditional", choices=("conditional", "reference"), help="sequence sampler")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--no-timing", action="store_true",
                   help="leave out wall-clock fields (the output is then the same bytes for the same seed)")


def _without_timing(obj):
    """``obj`` without wall-clock fields (keys starting with ``seconds``), recursively."""
    if isinstance(obj, dict):
        return {k: _without_timing(v) for k, v in obj.items() if not k.startswith("seconds")}
    if isinstance(obj, list):
        return [_without_timing(v) for v in obj]
    return obj


def _fmt_se(x):
    return "n/a" if x is None else f"{x:.3g}"


def _jsonable(obj):
    import numpy as np

    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return [_jsonable(v) for v in obj.tolist()]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and math.isinf(obj):
        return "inf" if obj > 0 else "-inf"
    if isinstance(obj, float) and math.isnan(obj):
        return None
    return obj


def format_table(res: dict, timing: bool = True) -> str:
    """Readable summary of :func:`iclsym.onelayer.simulation.simulate` output.

    Examples
    --------
    >>> from iclsym.onelayer.simulation.run import simulate
    >>> text = format_table(simulate(1.0, 0.5, 0.5, 0.1, 1e-3, 8, runs=2, seed=0, progress=False))
    >>> text.splitlines()[0]
    'd = 8, ell = 8, k = 4, n = 32'
    """
    lines = [
        f"d = {res['d']}, ell = {res['ell']}, k = {res['k']}, n = {res['n']}",
        "effective ratios: alpha = {:.6g}, tau = {:.6g}, kappa = {:.6g}  (nominal {:.6g}, {:.6g}, {:.6g}); rho = {:.6g}, lam = {:.6g}".format(
            res["alpha_eff"], res["tau_eff"], res["kappa_eff"], res["alpha"], res["tau"], res["kappa"], res["rho"], res["lam"]
        ),
        "",
        f"{'run':>4}  {'e_icl':>10}  {'e_idg':>10}  {'g_task':>10}  {'solver':>12}  {'rel_residual':>12}"
        + (f"  {'seconds':>8}" if timing else ""),
    ]
    for i, r in enumerate(res["runs"]):
        lines.append(
            f"{i:>4}  {r['e_icl']:>10.5f}  {r['e_idg']:>10.5f}  {r['g_task']:>10.5f}  {r['solver']:>12}  "
            f"{r['rel_residual']:>12.2e}" + (f"  {r['seconds']:>8.2f}" if timing else "")
        )
    lines.append("")
    for name in ("e_icl", "e_idg", "g_task"):
        lines.append(f"{name:>7} = {res[name + '_mean']:.5f} +- {_fmt_se(res[name + '_se'])}  (mean +- SE over {len(res['runs'])} runs)")
    lines += ["", _comparison_text(res)]
    if timing:
        lines.append(f"total {res['seconds']:.2f} s")
    return "\n".join(lines)


def _comparison_text(res: dict) -> str:
    from iclsym.figures.comparison import result_columns
    from iclsym.onelayer import finite_size as fs

    cols = res if "e_icl_verdict" in res else result_columns(res)
    lines = [f"{'':>7}   {'theory':>10}  {'theory n/p':>10}  {'z':>7}  {'allowance':>9}  verdict"]
    for name in ("e_icl", "e_idg", "g_task"):
        c = {k: cols[f"{name}_{k}"] for k in ("theory", "theory_p", "z", "allowance", "verdict")}
        lines.append(f"{name:>7}   {c['theory']:>10.5f}  {c['theory_p']:>10.5f}  {c['z']:>+7.2f}  "
                     f"{c['allowance']:>9.3g}  {c['verdict']}")
    lines.append("theory: the d -> inf formulas at the effective ratios (n/p: at tau_p = n/(d(d+1))); z = (mean - theory)/SE;")
    lines.append(f"allowance = {fs.N_SE:g} SE + |e(n/p) - e(n/d^2)| + {fs.C_FINITE_SIZE:g} e/d (iclsym.onelayer.finite_size). "
                 "For a verdict that can")
    lines.append("fail, run `iclsym extrapolate` (several d, e_inf with a 95% CI; docs/onelayer/extrapolation.md).")
    return "\n".join(lines)


def run(args) -> int:
    from iclsym.onelayer.simulation.run import simulate

    res = simulate(
        args.alpha,
        args.tau,
        args.kappa,
        args.rho,
        args.lam,
        args.d,
        args.runs,
        args.seed,
        method=args.method,
        assignment=args.assignment,
        task_dist=args.task_dist,
        sampler=args.sampler,
    )
    from iclsym.figures.comparison import result_columns

    res.update(result_columns(res))
    if args.json:
        if args.no_timing:
            res = _without_timing(res)
        print(json.dumps(_jsonable(res), indent=1, allow_nan=False))
    else:
        print(format_table(res, timing=not args.no_timing))
    return 0

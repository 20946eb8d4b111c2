"""``iclsym extrapolate``: simulate one point at several ``d`` and extrapolate to ``d = inf``.

The runs go through the sweep machinery (resumable ``--store``, process pool or Dask); the fit,
the confidence interval and the verdict are :mod:`iclsym.onelayer.extrapolation`
(docs/onelayer/extrapolation.md). Example::

    iclsym extrapolate --alpha 10 --tau 2 --kappa 0.5 --rho 0.01 --lam 1e-5 --d 24,32,48,64 --runs 10 --json
"""

from __future__ import annotations

import json
import math

from iclsym.cli.sweep import add_executor_arguments, check_executor_args, executor_from_args

HELP = "simulate one point at several d, extrapolate e_icl, e_idg, g_task to d = inf with a 95% CI and judge the theory"


def _ints(text: str) -> list[int]:
    try:
        return [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise ValueError(f"expected comma-separated integers; got {text!r}") from None


def add_arguments(p):
    p.add_argument("--alpha", type=float, required=True, help="context length per dimension, ell = round(alpha d)")
    p.add_argument("--tau", type=float, required=True, help="pretraining sequences per parameter, n = round(tau d^2)")
    p.add_argument("--kappa", type=float, required=True, help="task diversity, k = round(kappa d); 'inf' allowed")
    p.add_argument("--rho", type=float, required=True, help="label-noise variance (>= 0)")
    p.add_argument("--lam", type=float, default=1e-5, help="ridge strength (default 1e-5)")
    p.add_argument("--d", type=_ints, default=[24, 32, 48, 64], help="sizes, comma-separated (default 24,32,48,64)")
    p.add_argument("--runs", type=_ints, default=[10],
                   help="runs per size: one number, or one per size (default 10)")
    p.add_argument("--seed", type=int, default=0, help="base seed of the sweep (default 0)")
    p.add_argument("--model", default="auto", choices=("auto", "1/d", "1/d^2"),
                   help="fit model (default auto: 1/d unless its lack of fit is significant at 1%%)")
    p.add_argument("--method", default="auto", choices=("auto", "dual", "primal", "cg"), help="ridge solver")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    add_executor_arguments(p)


def _clean(x):
    if isinstance(x, dict):
        return {k: _clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_clean(v) for v in x]
    if isinstance(x, float) and not math.isfinite(x):
        return None if math.isnan(x) else ("inf" if x > 0 else "-inf")
    return x


def format_text(out: dict) -> str:
    """Readable summary of :func:`iclsym.onelayer.extrapolation.extrapolate` output.

    Examples
    --------
    >>> from iclsym.onelayer.extrapolation import extrapolate
    >>> out = extrapolate(2.0, 2.0, float("inf"), 0.1, 0.1, d=(8, 10, 12), runs=3, executor="serial",
    ...                   n_boot=0, progress=False)
    >>> format_text(out).splitlines()[2].split()[:3]
    ['quantity', 'e_inf', '[95%']
    """
    first = out["e_icl"]
    p = first.params
    lines = [
        "point: alpha = {alpha:g}, tau = {tau:g}, kappa = {kappa:g}, rho = {rho:g}, lam = {lam:g}; ".format(**p)
        + "sizes d = " + ", ".join(f"{d} ({r} runs)" for d, r in zip(first.fit.d, first.fit.runs)),
        "",
        f"{'quantity':>8}  {'e_inf':>10}  {'[95% CI]':>23}  {'slope a':>9}  {'model':>5}  {'theory':>10}  "
        f"{'z':>6}  {'half-width':>10}  verdict",
    ]
    for name in ("e_icl", "e_idg", "g_task"):
        e = out[name]
        f = e.fit
        hw = "—" if not math.isfinite(e.rel_half_width) else f"{100 * e.rel_half_width:.2f}%"
        z = "—" if not math.isfinite(e.z) else f"{e.z:+.2f}"
        lines.append(f"{name:>8}  {f.inf:>10.5g}  [{f.ci[0]:>10.5g}, {f.ci[1]:>10.5g}]  {f.slope:>9.3g}  "
                     f"{f.model:>5}  {e.theory:>10.5g}  {z:>6}  {hw:>10}  {e.verdict}")
        for why in e.as_dict()["reasons"]:
            lines.append(f"{'':>10}flagged: {why}")
    lines += [
        "",
        "e_inf: weighted fit e(d) = e_inf + a/d (+ b/d^2 if the 1/d model's lack of fit is significant at 1%) of the",
        "means moved to the nominal ratios; 95% CI: Welch-Satterthwaite t interval (docs/onelayer/extrapolation.md).",
        "theory at the nominal ratios (d = inf); verdict: agrees if the theory lies in the CI.",
        f"simulations: {out['summary']}",
    ]
    return "\n".join(lines)


def run(args) -> int:
    from iclsym.onelayer.extrapolation import FIELDS, extrapolate
    from iclsym.sweep import ResultStore

    from iclsym.cli.outputs import check_store_path

    check_executor_args(args)
    runs = args.runs[0] if len(args.runs) == 1 else args.runs
    store = ResultStore(":memory:" if args.store is None else check_store_path(args.store))
    executor = None
    try:
        executor = executor_from_args(args)
        out = extrapolate(args.alpha, args.tau, args.kappa, args.rho, args.lam, args.d, runs, store=store,
                          executor=executor, base_seed=args.seed, options={"method": args.method},
                          progress=args.progress, model=args.model)
    finally:
        if executor is not None:
            executor.close()
        store.close()
    if args.json:
        doc = {name: out[name].as_dict() for name in FIELDS}
        doc["point"] = out["e_icl"].params
        print(json.dumps(_clean(doc), indent=1, allow_nan=False))
    else:
        print(format_text(out))
    return 0

"""``iclsym eval``: evaluate the asymptotic theory at a point or a small grid (docs/onelayer/asymptotic-theory.md).

Each of ``--alpha --tau --kappa --rho --lam`` accepts a comma-separated list (``inf`` allowed
for ``kappa``); the Cartesian product is evaluated.  Prints ``eps, e_icl, e_idg, g_task``
(NumPy, or mpmath with ``--dps``), as a table or ``--json``.
"""

from __future__ import annotations

import itertools
import json

HELP = "evaluate eps, e_icl, e_idg, g_task of the asymptotic theory (comma-separated lists give a grid)"

#: Largest grid the command evaluates (it is for quick looks; use iclsym.onelayer.theory for big grids).
MAX_POINTS = 10_000


def _floats(name: str, text: str) -> list[float]:
    out = []
    for item in str(text).split(","):
        item = item.strip()
        try:
            out.append(float(item))
        except ValueError:
            raise ValueError(f"{name} must be a number or comma-separated numbers; got {item!r}") from None
    if not out:
        raise ValueError(f"{name} must not be empty")
    return out


def add_arguments(p):
    p.add_argument("--alpha", required=True, help="context length ratio ell/d (list allowed)")
    p.add_argument("--tau", required=True, help="pretraining sequences n/d^2 (list allowed)")
    p.add_argument("--kappa", required=True, help="task diversity k/d, 'inf' allowed (list allowed)")
    p.add_argument("--rho", required=True, help="label-noise variance (list allowed)")
    p.add_argument("--lam", default="0", help="ridge strength (default 0: ridgeless; list allowed)")
    p.add_argument("--dps", type=int, default=None, help="evaluate with mpmath at this many digits")
    p.add_argument("--json", action="store_true", help="print a JSON list of records")


def evaluate(alpha, tau, kappa, rho, lam, dps=None) -> list[dict]:
    """Records ``{alpha, tau, kappa, rho, lam, eps, e_icl, e_idg, g_task}`` over the product grid.

    Values are floats (NumPy path) or ``mpmath.mpf`` (``dps`` given).

    >>> r = evaluate([1.0], [0.2], [0.5], [0.01], [0.0])
    >>> round(r[0]["e_idg"], 10)
    0.8012133344
    """
    import numpy as np

    from iclsym.core.params import check_theory_args

    grid = list(itertools.product(alpha, tau, kappa, rho, lam))
    if len(grid) > MAX_POINTS:
        raise ValueError(f"the grid has {len(grid)} points; at most {MAX_POINTS} (use iclsym.onelayer.theory for more)")
    cols = [np.array(c, dtype=float) for c in zip(*grid)]
    check_theory_args(*cols)
    if dps is None:
        from iclsym.onelayer.theory import errors, solve_eps

        arrays = [np.atleast_1d(solve_eps(*cols))] + [np.atleast_1d(v) for v in errors(*cols)]
        vals = [tuple(float(a[i]) for a in arrays) for i in range(len(grid))]
    else:
        from iclsym.onelayer.theory import precise as mp

        vals = [(mp.solve_eps(*point, dps=dps),) + tuple(mp.errors(*point, dps=dps)) for point in grid]
    names = ("alpha", "tau", "kappa", "rho", "lam", "eps", "e_icl", "e_idg", "g_task")
    return [dict(zip(names, tuple(point) + v)) for point, v in zip(grid, vals)]


def _text(v, dps):
    """A value as text: ``inf`` for infinities, every digit for mpmath values."""
    import mpmath

    if v == float("inf"):
        return "inf"
    if isinstance(v, mpmath.mpf):
        return mpmath.nstr(v, dps)
    return f"{v:.17g}"


def run(args) -> int:
    if args.dps is not None and args.dps < 15:
        raise ValueError(f"dps must be an integer >= 15; got {args.dps}")
    lists = [_floats(n, getattr(args, n)) for n in ("alpha", "tau", "kappa", "rho", "lam")]
    records = evaluate(*lists, dps=args.dps)
    params = ("alpha", "tau", "kappa", "rho", "lam")
    outputs = ("eps", "e_icl", "e_idg", "g_task")
    if args.json:
        # Infinities as the string "inf" (strict JSON); mpmath values as strings with every digit.
        rows = [
            {k: (_text(r[k], args.dps) if (args.dps and k in outputs) or r[k] == float("inf") else r[k])
             for k in params + outputs}
            for r in records
        ]
        print(json.dumps(rows if len(rows) > 1 else rows[0], indent=2, allow_nan=False))
        return 0
    print("  ".join(f"{k:>12s}" for k in params) + "  " + "  ".join(f"{k:>24s}" for k in outputs))
    for r in records:
        head = "  ".join(f"{r[k]:>12.6g}" for k in params)
        tail = "  ".join(f"{_text(r[k], args.dps):>24s}" for k in outputs)
        print(head + "  " + tail)
    return 0

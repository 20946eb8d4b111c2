"""Run the trained-network figures end to end: jobs -> store -> figures, report rows and ``report.json``.

``python -m iclsym.nets.reproduce --only 1:5,1:6 --mode quick --out DIR [--workers 2]``

Resumable: finished jobs are kept in ``DIR/nets.sqlite`` and not run again.  The ``iclsym
figures`` command wires the same figure modules; this entry point exists so the experiments can
run on their own (e.g. on a GPU machine) and so their wall time can be measured.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import sys
import time
from pathlib import Path

__all__ = ["FIGURES", "main", "reproduce"]

#: "paper:figure" -> figure module
FIGURES = {
    "1:5": "iclsym.figures.paper1.fig5",
    "1:6": "iclsym.figures.paper1.fig6",
    "2:3": "iclsym.figures.paper2.fig3",
    "3:6c": "iclsym.figures.paper3.fig6c",
    "3:9": "iclsym.figures.paper3.fig9",
}


def _jsonable(x):
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if isinstance(x, dict):
        return {k: _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if hasattr(x, "item"):
        return _jsonable(x.item())
    return x


def reproduce(only, mode: str, out, workers: int = 2, plot: bool = True) -> dict:
    """Run the jobs of the figures ``only`` (keys of :data:`FIGURES`), then plot and report.

    Returns ``{"run": runner stats, "report": report.json entries, "rows": report rows}``.
    """
    from iclsym.nets import settings as net_settings
    from iclsym.nets.sweep import NetStore, run

    for key in only:
        if key not in FIGURES:
            raise ValueError(f"only must list figures among {sorted(FIGURES)}; got {key!r}")
    s = net_settings.for_mode(mode)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    store = NetStore(out / "nets.sqlite")
    modules = {k: importlib.import_module(FIGURES[k]) for k in only}
    jobs = [j for m in modules.values() for j in m.jobs(s)]
    stats = run(jobs, store, workers=workers)
    report, rows = {}, []
    for key, m in modules.items():
        if plot:
            m.plot(store, s, out)
        rows += m.points(store, s)
        if hasattr(m, "report_entries"):
            report.update(m.report_entries(store, s))
    (out / "report.json").write_text(json.dumps(_jsonable(report), indent=2, sort_keys=True))
    (out / "report_rows.json").write_text(json.dumps(_jsonable(rows), indent=1))
    return {"run": stats, "report": report, "rows": rows}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m iclsym.nets.reproduce", description=__doc__.splitlines()[0])
    p.add_argument("--only", default="1:5,1:6", help="comma-separated paper:figure keys, e.g. 1:5,1:6,2:3")
    p.add_argument("--mode", default="quick", choices=("quick", "full", "tiny"))
    p.add_argument("--out", default="iclsym-nets")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--no-plot", action="store_true")
    args = p.parse_args(argv)
    try:
        t0 = time.perf_counter()
        res = reproduce([k.strip() for k in args.only.split(",") if k.strip()], args.mode, args.out, args.workers,
                        plot=not args.no_plot)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    st = res["run"]
    print(f"ran {st['ran']} jobs ({st['skipped']} already stored) in {st['seconds']:.1f} s wall, "
          f"{st['job_seconds']:.1f} s summed job time; total {time.perf_counter() - t0:.1f} s")
    for k, v in sorted(res["report"].items()):
        extra = "".join(f"  {name} {val}" for name, val in v.items() if name not in ("value", "ci"))
        ci = f"  95% CI [{v['ci'][0]:.3f}, {v['ci'][1]:.3f}]" if "ci" in v else ""
        print(f"{k}: {v['value']:.3f}{ci}{extra}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``iclsym derive [--check]``: run every ``derivations/*.py`` and write (or verify) its outputs."""

from __future__ import annotations

import difflib
import runpy
import sys
import time
from pathlib import Path

HELP = "regenerate iclsym/_generated and derivations/out from derivations/*.py (--check: fail if stale)"


def add_arguments(p):
    p.add_argument("--check", action="store_true", help="regenerate in memory; exit 1 if any committed file differs")
    p.add_argument("--only", default=None, help="comma-separated script stems to run (default: all)")
    p.add_argument("--root", default=None, help="repository root (default: the checkout iclsym is imported from)")


def repo_root(root: str | None = None) -> Path:
    if root is not None:
        path = Path(root).resolve()
    else:
        path = Path(__file__).resolve().parents[2]
    if not (path / "derivations").is_dir():
        raise ValueError(
            f"root must be an iclsym checkout containing derivations/; {path} has none "
            "(install with `pip install -e .` or pass --root)"
        )
    return path


def scripts(root: Path, only: str | None = None) -> list[Path]:
    found = sorted(p for p in (root / "derivations").glob("*.py") if not p.name.startswith("_"))
    if only:
        wanted = {s.strip() for s in only.split(",") if s.strip()}
        unknown = wanted - {p.stem for p in found}
        if unknown:
            raise ValueError(f"only must name scripts in derivations/; unknown: {sorted(unknown)}")
        found = [p for p in found if p.stem in wanted]
    return found


def derive(root: Path, only: str | None = None, check: bool = False, out=sys.stdout) -> int:
    """Run the derivation scripts; write outputs, or compare them when ``check``.

    Returns the number of stale/missing files (0 when everything is current).
    """
    stale = 0
    total = time.perf_counter()
    for script in scripts(root, only):
        t0 = time.perf_counter()
        ns = runpy.run_path(str(script), run_name="__derive__")
        if "build" not in ns:
            raise ValueError(f"derivations/{script.name} must define build() -> dict[path, text]")
        outputs = ns["build"]()
        for rel, text in sorted(outputs.items()):
            path = root / rel
            if check:
                old = path.read_text(encoding="utf-8") if path.exists() else None
                if old != text:
                    stale += 1
                    print(f"STALE {rel} (from derivations/{script.name})", file=out)
                    if old is not None:
                        diff = difflib.unified_diff(
                            old.splitlines(), text.splitlines(), "committed", "regenerated", lineterm="", n=1
                        )
                        for i, line in enumerate(diff):
                            if i >= 20:
                                print("  ...", file=out)
                                break
                            print("  " + line, file=out)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                if not path.exists() or path.read_text(encoding="utf-8") != text:
                    path.write_text(text, encoding="utf-8")
                    print(f"wrote {rel}", file=out)
        print(f"derivations/{script.name}: {time.perf_counter() - t0:.2f} s", file=out)
    print(f"total derivation time: {time.perf_counter() - total:.2f} s", file=out)
    if check:
        print("all generated files are current" if not stale else f"{stale} stale file(s)", file=out)
    return stale


def run(args) -> int:
    root = repo_root(args.root)
    stale = derive(root, args.only, args.check)
    return 1 if (args.check and stale) else 0

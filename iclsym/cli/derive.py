"""``iclsym derive [--check]``: run every derivation script and write (or verify) its outputs.

Derivation scripts live in ``derivations/<model>/<name>.py`` and define ``build() -> dict[path,
text]``.  Their outputs are the generated modules (``iclsym/<model>/_generated/*.py``) and the
LaTeX write-ups (``derivations/out/*.md``).  ``--check`` regenerates everything in memory and
fails if a committed output differs from what its script produces, or if a file in one of
those output places is produced by no script at all (an orphan).
"""

from __future__ import annotations

import difflib
import runpy
import sys
import time
from pathlib import Path

HELP = "regenerate the generated modules and derivations/out from derivations/ (--check: fail if stale)"

#: where generated outputs live (globs relative to the repository root); every file matching
#: one of them must be produced by some derivation script
OUTPUT_GLOBS = ("iclsym/*/_generated/*.py", "derivations/out/*.md")


def add_arguments(p):
    p.add_argument("--check", action="store_true",
                   help="regenerate in memory; exit 1 if a committed file is stale or orphaned (default: write)")
    p.add_argument("--only", default=None,
                   help="comma-separated scripts to run, by name ('lemma1') or model/name ('onelayer/lemma1') "
                        "(default: all)")
    p.add_argument("--root", default=None, help="repository root (default: the checkout iclsym is imported from)")


def repo_root(root: str | None = None) -> Path:
    """The checkout whose ``derivations/`` to run (default: the one iclsym is imported from)."""
    path = Path(root).resolve() if root is not None else Path(__file__).resolve().parents[2]
    if not (path / "derivations").is_dir():
        raise ValueError(
            f"root must be an iclsym checkout containing derivations/; {path} has none "
            "(install with `pip install -e .` or pass --root)"
        )
    return path


def script_name(root: Path, script: Path) -> str:
    """``model/name`` of a derivation script.

    >>> script_name(Path("/r"), Path("/r/derivations/onelayer/lemma1.py"))
    'onelayer/lemma1'
    """
    return script.relative_to(root / "derivations").with_suffix("").as_posix()


def scripts(root: Path, only: str | None = None) -> list[Path]:
    """Derivation scripts under ``root/derivations`` (one folder per model), optionally selected."""
    found = sorted(p for p in (root / "derivations").glob("*/*.py")
                   if not p.name.startswith("_") and p.parent.name != "out")
    if only is None:
        return found
    wanted = {s.strip() for s in str(only).split(",") if s.strip()}
    if not wanted:
        raise ValueError(f"only must name at least one script in derivations/; got {only!r}")
    names = {p: script_name(root, p) for p in found}
    known = set(names.values()) | {p.stem for p in found}
    unknown = wanted - known
    if unknown:
        raise ValueError(f"only must name scripts in derivations/ (one of {sorted(names.values())}); "
                         f"unknown: {sorted(unknown)}")
    return [p for p in found if p.stem in wanted or names[p] in wanted]


def output_files(root: Path) -> set[str]:
    """Committed files in the generated-output places (relative paths)."""
    out = set()
    for pattern in OUTPUT_GLOBS:
        out |= {p.relative_to(root).as_posix() for p in root.glob(pattern) if p.name != "__init__.py"}
    return out


def _report_diff(rel, old, text, out):
    print(f"STALE {rel}", file=out)
    if old is None:
        return
    diff = difflib.unified_diff(old.splitlines(), text.splitlines(), "committed", "regenerated", lineterm="", n=1)
    for i, line in enumerate(diff):
        if i >= 20:
            print("  ...", file=out)
            break
        print("  " + line, file=out)


def derive(root: Path, only: str | None = None, check: bool = False, out=sys.stdout) -> int:
    """Run the derivation scripts; write outputs, or compare them when ``check``.

    Returns the number of stale, missing or orphaned files (0 when everything is current).
    Orphans (generated files no script emits) are looked for only when every script runs.
    """
    stale = 0
    emitted = set()
    total = time.perf_counter()
    selected = scripts(root, only)
    for script in selected:
        t0 = time.perf_counter()
        ns = runpy.run_path(str(script), run_name="__derive__")
        if "build" not in ns:
            raise ValueError(f"derivations/{script_name(root, script)}.py must define build() -> dict[path, text]")
        for rel, text in sorted(ns["build"]().items()):
            emitted.add(rel)
            path = root / rel
            if check:
                old = path.read_text(encoding="utf-8") if path.exists() else None
                if old != text:
                    stale += 1
                    _report_diff(rel, old, text, out)
                    print(f"  (from derivations/{script_name(root, script)}.py)", file=out)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                if not path.exists() or path.read_text(encoding="utf-8") != text:
                    path.write_text(text, encoding="utf-8")
                    print(f"wrote {rel}", file=out)
        print(f"derivations/{script_name(root, script)}.py: {time.perf_counter() - t0:.2f} s", file=out)
    if only is None:
        for rel in sorted(output_files(root) - emitted):
            stale += 1
            print(f"ORPHAN {rel} (no derivation script produces it; delete it or add it to a script)", file=out)
    print(f"total derivation time: {time.perf_counter() - total:.2f} s", file=out)
    if check:
        print("all generated files are current" if not stale else f"{stale} stale or orphaned file(s)", file=out)
    return stale


def run(args) -> int:
    root = repo_root(args.root)
    stale = derive(root, args.only, args.check)
    return 1 if (args.check and stale) else 0

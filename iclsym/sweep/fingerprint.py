"""Fingerprints of the code a job kind runs, so that a stored result is reused only by the same code.

A job kind names its function as ``"package.module:function"``.  Its *code closure* is the set of
iclsym source files that module imports, directly or through other iclsym modules (``import``
and ``from ... import`` statements anywhere in a file, relative ones included, read from the
source with :mod:`ast` -- nothing is executed), together with the ``__init__.py`` of every package
on the way (Python runs them on import; their own imports are not followed, so a package that
re-exports its siblings does not tie every sibling to every job).  The top-level ``iclsym/__init__.py``
is left out: it is a lazy facade that runs no model code (and holds the version string, which
changes with releases that need not touch a given kind).  The fingerprint is the SHA-256
of the closure's relative paths and file contents, plus the kind's declaration (its coordinates
and defaults).  Editing any file in the closure changes the fingerprint, and the result store
then recomputes that kind's jobs instead of reusing results of other code.

Examples
--------
>>> files = closure_files("iclsym.sweep.kinds")
>>> "iclsym/sweep/kinds.py" in files and "iclsym/sweep/__init__.py" in files
True
>>> "iclsym/__init__.py" in files
False
>>> len(source_fingerprint("iclsym.sweep.kinds"))
64
"""

from __future__ import annotations

import ast
import hashlib
from functools import lru_cache
from pathlib import Path

__all__ = ["package_root", "closure_files", "source_fingerprint"]


def package_root() -> Path:
    """The directory that contains the ``iclsym`` package."""
    return Path(__file__).resolve().parents[2]


def _module_file(name: str, root: Path) -> Path | None:
    """Source file of the iclsym module ``name`` (``None`` if it is not an iclsym module)."""
    if name != "iclsym" and not name.startswith("iclsym."):
        return None
    base = root.joinpath(*name.split("."))
    for cand in (base.with_suffix(".py"), base / "__init__.py"):
        if cand.is_file():
            return cand
    return None


def _imports(path: Path, module: str, root: Path) -> set[str]:
    """Absolute names of the iclsym modules ``path`` imports (names imported from a module count
    as submodules when such a file exists)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_pkg = path.name == "__init__.py"
    package = module if is_pkg else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base_parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {name for name in found if _module_file(name, root) is not None}


@lru_cache(maxsize=None)
def closure_files(module: str) -> tuple[str, ...]:
    """Relative paths of the source files in ``module``'s code closure (sorted).

    Raises
    ------
    ValueError
        If ``module`` is not an iclsym module with a source file.
    """
    root = package_root()
    if _module_file(module, root) is None:
        raise ValueError(f"job target module must be an iclsym module with a source file; got {module!r}")
    seen: set[str] = set()
    files: set[Path] = set()
    todo = [module]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        path = _module_file(name, root)
        files.add(path)
        todo.extend(_imports(path, name, root) - seen)
        # the packages on the way are executed on import: their own text counts
        parts = name.split(".")
        for i in range(2, len(parts)):
            init = _module_file(".".join(parts[:i]), root)
            if init is not None:
                files.add(init)
    return tuple(sorted(p.relative_to(root).as_posix() for p in files))


def source_fingerprint(module: str, extra: str = "") -> str:
    """SHA-256 over ``module``'s code closure (paths and contents) and ``extra`` text."""
    root = package_root()
    h = hashlib.sha256()
    for rel in closure_files(module):
        h.update(rel.encode("utf-8") + b"\0")
        h.update((root / rel).read_bytes() + b"\0")
    h.update(extra.encode("utf-8"))
    return h.hexdigest()

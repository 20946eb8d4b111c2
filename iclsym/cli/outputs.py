"""Output paths of the command line: checked before any work, and never a file iclsym did not create.

* :func:`check_export` -- a ``--export`` file: its folder exists and is writable, it is not the
  store, and if it exists it is an earlier iclsym export (recognised by its provenance header).
* :class:`OutputFolder` -- a ``--out`` folder: created if missing; the files iclsym writes there are
  listed with their SHA-256 in a manifest, ``.iclsym-outputs.json``.  A file is (re)written only if
  it is absent, or listed and unchanged since iclsym wrote it; anything else in the folder is left
  alone, and a name collision with a file iclsym did not write is refused.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

__all__ = ["check_export", "check_store_path", "OutputFolder", "MANIFEST", "EXPORT_MARK"]

#: name of the manifest a ``--out`` folder keeps of the files iclsym wrote
MANIFEST = ".iclsym-outputs.json"
#: text every iclsym export carries near its start (CSV comment, netCDF global attribute name)
EXPORT_MARK = b"iclsym_version"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _check_parent(path: Path, flag: str) -> None:
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise ValueError(f"{flag} {path}: the folder {parent} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ValueError(f"{flag} {path}: the folder {parent} is not writable")


def check_store_path(path) -> Path:
    """A ``--store`` path: non-empty, its folder exists (the store itself checks the file)."""
    if path is None or not str(path).strip():
        raise ValueError("store must be a non-empty path")
    path = Path(path)
    _check_parent(path, "store")
    return path


def check_export(path, store=None) -> Path:
    """Validate one ``--export`` path before the sweep runs (see the module docstring)."""
    text = str(path)
    if not text.strip():
        raise ValueError("export must be a non-empty path ending in .nc or .csv")
    if not text.endswith((".nc", ".csv")):
        raise ValueError(f"export must end with .nc or .csv; got {text!r}")
    path = Path(text)
    if store is not None and str(store) != ":memory:" and path.resolve() == Path(store).resolve():
        raise ValueError(f"export {path} is the result store itself; choose another file name")
    if path.is_dir():
        raise ValueError(f"export {path} is a folder; give a file name ending in .nc or .csv")
    _check_parent(path, "export")
    if path.exists():
        if not path.is_file():
            raise ValueError(f"export {path} exists and is not a regular file")
        with open(path, "rb") as fh:
            head = fh.read(1 << 16)
        if EXPORT_MARK not in head:
            raise ValueError(f"export {path} exists and was not written by iclsym; it was left unchanged "
                             "(choose another file name)")
        if not os.access(path, os.W_OK):
            raise ValueError(f"export {path} is not writable")
    else:
        _probe_create(path, "export")
    return path


def _probe_create(path: Path, flag: str) -> None:
    """Create ``path`` (absent) and remove it again: proves it can be written, even where permission
    bits do not tell (a read-only file system, /proc, running as root)."""
    try:
        with open(path, "x"):
            pass
    except OSError as exc:
        raise ValueError(f"{flag} {path} cannot be written ({exc.strerror or exc})") from None
    path.unlink()


class OutputFolder:
    """A ``--out`` folder that iclsym writes into without touching files it did not create.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> out = OutputFolder(d)
    >>> p = out.claim("report.md"); _ = p.write_text("hello"); out.record(p)
    >>> (d / "mine.txt").write_text("user") and None
    >>> out.claim("mine.txt")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: out: ... exists and was not written by iclsym; it was left unchanged (move it away or choose another --out)
    """

    def __init__(self, path, flag: str = "out"):
        text = "" if path is None else str(path)
        if not text.strip():
            raise ValueError(f"{flag} must be a non-empty folder path")
        self.flag = flag
        self.path = Path(text)
        if self.path.exists() and not self.path.is_dir():
            raise ValueError(f"{flag} {self.path} is a file, not a folder")
        if not self.path.exists():
            _check_parent(self.path, flag)
            try:
                self.path.mkdir()
            except OSError as exc:
                raise ValueError(f"{flag} {self.path} cannot be created ({exc.strerror or exc})") from None
        if not os.access(self.path, os.W_OK | os.X_OK):
            raise ValueError(f"{flag} {self.path} is not writable")
        self._manifest_path = self.path / MANIFEST
        self._files = self._read_manifest()

    def _read_manifest(self) -> dict:
        if not self._manifest_path.exists():
            return {}
        try:
            data = json.loads(self._manifest_path.read_text(encoding="utf-8"))
            return {str(k): str(v) for k, v in data["files"].items()}
        except (ValueError, KeyError, TypeError, AttributeError):
            raise ValueError(f"{self.flag} {self.path}: {MANIFEST} is not an iclsym manifest; "
                             "it was left unchanged (choose another --out)") from None

    def claim(self, name: str) -> Path:
        """The path to write ``name`` at; refused if a file there was not written by iclsym."""
        path = self.path / name
        if path.exists():
            if not path.is_file():
                raise ValueError(f"{self.flag}: {path} exists and is not a regular file")
            recorded = self._files.get(name)
            if recorded is None:
                raise ValueError(f"{self.flag}: {path} exists and was not written by iclsym; it was left unchanged "
                                 "(move it away or choose another --out)")
            if recorded != _sha256(path):
                raise ValueError(f"{self.flag}: {path} was changed since iclsym wrote it; it was left unchanged "
                                 "(move it away or choose another --out)")
        return path

    def record(self, *paths) -> None:
        """Add files iclsym just wrote to the manifest."""
        for path in paths:
            path = Path(path)
            self._files[path.relative_to(self.path).as_posix()] = _sha256(path)
        tmp = self._manifest_path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"written_by": "iclsym", "files": dict(sorted(self._files.items()))}, indent=1),
                       encoding="utf-8")
        tmp.replace(self._manifest_path)

    def owns(self, name: str) -> bool:
        return name in self._files

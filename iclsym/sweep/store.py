"""Resumable SQLite result store for sweeps.

One row per finished job, written and committed by the parent process as soon as the job
finishes, in one table per job kind whose columns are the kind's coordinates
(:mod:`iclsym.sweep.kinds`), ``run``, ``base_seed``, ``seed`` and the **code fingerprint** of the
kind (:mod:`iclsym.sweep.fingerprint`).  Rows are unique on (coordinates, run, base_seed,
fingerprint) and written with ``INSERT OR IGNORE`` in WAL mode, so an interrupted sweep (Ctrl-C
or SIGKILL) resumes with nothing lost and nothing duplicated, and a result is reused only by the
code that produced it: after an edit to any file a kind runs, its jobs are computed again
(rows of other code stay in the file but are never reused or exported).

The store refuses, without modifying them, files it did not create: a SQLite database of
another program, a store of an older iclsym schema, a damaged file, or something that is not a
database at all.

The result dict is stored as JSON next to the coordinate columns.  Exports: a
:class:`pandas.DataFrame`, CSV, and an :class:`xarray.Dataset` (dims = the kind's coordinates and
``run``; data variables = the numeric result fields; netCDF through the scipy engine).
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import numpy as np

from iclsym.sweep.grids import Job
from iclsym.sweep.kinds import get_kind
from iclsym.sweep.provenance import provenance, provenance_lines

__all__ = ["ResultStore", "StoreError", "SCHEMA_VERSION", "dataset_from_frame", "point_keys", "read_csv", "read_netcdf",
           "write_csv", "write_netcdf"]

#: version of the table layout; a store of another version is refused
SCHEMA_VERSION = "2"
_META = "iclsym_meta"
_BOOKKEEPING = ("run", "base_seed", "seed", "fingerprint")


class StoreError(ValueError):
    """A store path that cannot be used (foreign, old, damaged); the message names the path."""


def _jsonable(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"result value of type {type(value).__name__} is not JSON-serialisable")


def _table(kind: str) -> str:
    return f"jobs_{kind}"


def _inspect(path: Path) -> str:
    """``'new'`` (absent or empty file), ``'store'`` (an iclsym store of this schema), or raise."""
    if not path.exists():
        return "new"
    if path.is_dir():
        raise StoreError(f"store path {path} is a folder, not an iclsym store file")
    if not path.is_file():
        raise StoreError(f"store path {path} is not a regular file (device or pipe): not an iclsym store")
    if path.stat().st_size == 0:
        return "new"
    with open(path, "rb") as fh:
        head = fh.read(16)
    if head != b"SQLite format 3\x00":
        raise StoreError(f"store path {path} is not an iclsym store (not a SQLite database); "
                         "choose another --store path")
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, timeout=60.0)
        try:
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            meta = dict(con.execute(f"SELECT key, value FROM {_META}")) if _META in tables else None
            if meta is not None:
                check = con.execute("PRAGMA quick_check").fetchone()[0]
                if check != "ok":
                    raise sqlite3.DatabaseError(check)
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"store {path} is damaged ({exc}); {_readable_rows(path)}; it was left unchanged") from None
    if meta is None:
        if "results" in tables and {"kind", "alpha"} <= _columns_of(path, "results"):
            raise StoreError(
                f"store {path} was written by an older iclsym (schema 1), whose rows are not keyed by the code "
                "that produced them; it cannot be resumed safely: use a new --store path (the old file is kept)")
        raise StoreError(f"store path {path} is a SQLite database of another program, not an iclsym store; "
                         "it was left unchanged: choose another --store path")
    if meta.get("schema") != SCHEMA_VERSION:
        raise StoreError(f"store {path} has schema {meta.get('schema')!r}; this iclsym reads schema "
                         f"{SCHEMA_VERSION}: use a new --store path")
    return "store"


def _readable_rows(path: Path) -> str:
    """How many job rows of a damaged store can still be read (for the error message)."""
    total = 0
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
        try:
            names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE name LIKE 'jobs_%' AND type = 'table'")]
            for name in names:
                try:
                    total += sum(1 for _ in con.execute(f"SELECT id FROM {name}"))
                except sqlite3.DatabaseError:
                    pass
        finally:
            con.close()
    except sqlite3.DatabaseError:
        return "no rows readable"
    return f"{total} rows readable"


def _columns_of(path: Path, table: str) -> set[str]:
    con = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        return {r[1] for r in con.execute(f"PRAGMA table_info({table})")}
    finally:
        con.close()


def _guarded(method):
    """Turn a database failure during use (a file damaged or replaced under a running sweep, a full
    disk) into a one-line :class:`StoreError` naming the store."""
    import functools

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as exc:
            raise StoreError(f"store {self.path} failed: {exc}") from None

    return wrapper


class ResultStore:
    """SQLite file of finished sweep jobs (see the module docstring).

    Parameters
    ----------
    path : str or Path
        The database file (created if missing).  ``":memory:"`` for a throw-away store.
    fingerprints : dict, optional
        Code fingerprint per kind to use instead of the computed one (tests).

    Raises
    ------
    StoreError
        If ``path`` is not an iclsym store of the current schema (the file is not modified).

    Examples
    --------
    >>> store = ResultStore(":memory:")
    >>> job = Job.of("toy", alpha=1, tau=2, kappa=0.5, rho=0.1, d=8)
    >>> store.add(job, {"e_icl": 1.5}), store.add(job, {"e_icl": 9.9}), len(store)
    (True, False, 1)
    >>> store.is_done(job), store.rows("toy")[0]["e_icl"]
    (True, 1.5)
    """

    def __init__(self, path, fingerprints: dict | None = None):
        self.path = str(path)
        self._fingerprints = dict(fingerprints or {})
        self._ready: set[str] = set()
        if self.path == ":memory:":
            state = "new"
        else:
            state = _inspect(Path(self.path))
            if state == "new" and not Path(self.path).parent.is_dir():
                raise StoreError(f"store path {self.path}: folder {Path(self.path).parent} does not exist")
        try:
            self._con = sqlite3.connect(self.path, timeout=60.0)
            self._con.execute("PRAGMA journal_mode=WAL")
            self._con.execute("PRAGMA synchronous=NORMAL")
            if state == "new":
                self._con.execute(f"CREATE TABLE IF NOT EXISTS {_META} (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
                from iclsym import __version__

                self._con.executemany(f"INSERT OR IGNORE INTO {_META} VALUES (?, ?)",
                                      [("schema", SCHEMA_VERSION), ("created_by", f"iclsym {__version__}")])
            self._con.commit()
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open store {self.path}: {exc}") from None

    # -- kinds and their tables ------------------------------------------------------------
    def fingerprint(self, kind: str) -> str:
        """The code fingerprint that keys ``kind``'s rows in this session."""
        if kind not in self._fingerprints:
            self._fingerprints[kind] = get_kind(kind).fingerprint()
        return self._fingerprints[kind]

    def _has_table(self, kind: str) -> bool:
        row = self._con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (_table(kind),))
        return row.fetchone() is not None

    def _ensure_table(self, kind: str) -> None:
        if kind in self._ready:
            return
        spec = get_kind(kind)
        names = spec.coordinate_names
        if self._has_table(kind):
            have = [r[1] for r in self._con.execute(f"PRAGMA table_info({_table(kind)})")]
            want = ["id", *names, *_BOOKKEEPING, "result", "timing", "seconds", "finished"]
            if have != want:
                raise StoreError(
                    f"store {self.path}: the table of kind {kind!r} has columns {have[1:len(have) - 8]} but this "
                    f"iclsym declares the coordinates {list(names)}; use a new --store path")
        else:
            cols = ",\n    ".join(f"{c.name} {c.sql_type} NOT NULL" for c in spec.coords)
            key = ", ".join(names + ("run", "base_seed", "fingerprint"))
            self._con.executescript(f"""
CREATE TABLE {_table(kind)} (
    id INTEGER PRIMARY KEY,
    {cols},
    run INTEGER NOT NULL, base_seed INTEGER NOT NULL, seed INTEGER NOT NULL, fingerprint TEXT NOT NULL,
    result TEXT NOT NULL, timing TEXT, seconds REAL, finished REAL,
    UNIQUE ({key})
);
CREATE INDEX {_table(kind)}_point ON {_table(kind)} ({", ".join(names)});
""")
            self._con.commit()
        self._ready.add(kind)

    @_guarded
    def kinds(self) -> list[str]:
        """Kinds with a table in this store."""
        rows = self._con.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'jobs_%'")
        return sorted(r[0][len("jobs_"):] for r in rows)

    # -- writing ---------------------------------------------------------------------------
    def key(self, job: Job) -> tuple:
        """The unique key of ``job`` in this store: (kind, coordinates, run, base_seed, fingerprint)."""
        return (job.kind, *job.values, job.run, job.base_seed, self.fingerprint(job.kind))

    @staticmethod
    def row_key(row: dict) -> tuple:
        """The key of a stored row (a dict from :meth:`rows`), comparable with :meth:`key`."""
        names = get_kind(row["kind"]).coordinate_names
        return (row["kind"], *(row[n] for n in names), row["run"], row["base_seed"], row["fingerprint"])

    @_guarded
    def add(self, job: Job, result: dict, seconds: float | None = None) -> bool:
        """Insert one finished job and commit at once; ``False`` if it was already stored.

        Wall-clock fields of the result (keys starting with ``seconds``) are kept apart from the
        result itself, so the stored results of a sweep are the same bytes whichever executor ran it.
        """
        self._ensure_table(job.kind)
        timing = {k: v for k, v in result.items() if k.startswith("seconds")}
        text = json.dumps({k: v for k, v in result.items() if k not in timing}, default=_jsonable, sort_keys=True)
        names = job.spec.coordinate_names + _BOOKKEEPING + ("result", "timing", "seconds", "finished")
        values = (*job.values, job.run, job.base_seed, job.seed, self.fingerprint(job.kind), text,
                  json.dumps(timing, default=_jsonable, sort_keys=True), seconds, time.time())
        cur = self._con.execute(
            f"INSERT OR IGNORE INTO {_table(job.kind)} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
            values)
        self._con.commit()
        return cur.rowcount == 1

    # -- reading ---------------------------------------------------------------------------
    @_guarded
    def done_keys(self, kind: str) -> set[tuple]:
        """Keys of every stored job of ``kind`` made by the current code."""
        if not self._has_table(kind):
            return set()
        self._ensure_table(kind)
        names = get_kind(kind).coordinate_names + ("run", "base_seed", "fingerprint")
        cur = self._con.execute(f"SELECT {', '.join(names)} FROM {_table(kind)} WHERE fingerprint = ?",
                                (self.fingerprint(kind),))
        return {(kind, *row) for row in cur}

    def is_done(self, job: Job) -> bool:
        return self.key(job) in self.done_keys(job.kind)

    def pending(self, jobs) -> list[Job]:
        """The jobs of ``jobs`` not stored yet by the current code (duplicates removed, order kept)."""
        done: dict[str, set] = {}
        out, seen = [], set()
        for job in jobs:
            if job.kind not in done:
                done[job.kind] = self.done_keys(job.kind)
            k = self.key(job)
            if k not in done[job.kind] and k not in seen:
                seen.add(k)
                out.append(job)
        return out

    @_guarded
    def __len__(self) -> int:
        return sum(self._con.execute(f"SELECT COUNT(*) FROM {_table(k)}").fetchone()[0] for k in self.kinds())

    @_guarded
    def count_stale(self, kind: str) -> int:
        """Rows of ``kind`` made by other code (kept in the file, never reused)."""
        if not self._has_table(kind):
            return 0
        cur = self._con.execute(f"SELECT COUNT(*) FROM {_table(kind)} WHERE fingerprint != ?", (self.fingerprint(kind),))
        return cur.fetchone()[0]

    @_guarded
    def rows(self, kind: str, all_code: bool = False, **where) -> list[dict]:
        """Stored jobs of ``kind`` as flat dicts: coordinates, run, seeds, fingerprint, and the result.

        Only rows of the current code unless ``all_code``.  ``where`` filters on coordinates
        (``alpha=10``, ``d=40``, ``method="cg"`` ...; ``kappa=inf`` works).  Sorted by coordinates
        and run (the order does not depend on when jobs finished).
        """
        spec = get_kind(kind)
        if not self._has_table(kind):
            return []
        self._ensure_table(kind)
        conds, values = [], []
        if not all_code:
            conds.append("fingerprint = ?")
            values.append(self.fingerprint(kind))
        for col, val in where.items():
            if col == "run":
                values.append(int(val))
            elif col in spec.coordinate_names:
                values.append(spec.coord(col).check(val))
            else:
                raise ValueError(f"cannot filter on {col!r}; coordinates of {kind!r} are {spec.coordinate_names}")
            conds.append(f"{col} = ?")
        names = spec.coordinate_names + _BOOKKEEPING
        sql = f"SELECT {', '.join(names)}, result, timing, seconds FROM {_table(kind)}"
        if conds:
            sql += " WHERE " + " AND ".join(conds)
        sql += " ORDER BY " + ", ".join(spec.coordinate_names + ("run", "base_seed", "id"))
        out = []
        for *coords, result, timing, seconds in self._con.execute(sql, values):
            rec = {"kind": kind}
            rec.update(json.loads(result))
            rec.update(json.loads(timing or "{}"))
            rec.update(zip(names, coords))  # coordinates win over echoes in the result
            rec["job_seconds"] = seconds
            out.append(rec)
        return out

    def frame(self, kind: str, **where):
        """Stored jobs as a :class:`pandas.DataFrame` (one row per job)."""
        import pandas as pd

        return pd.DataFrame(self.rows(kind, **where))

    def to_csv(self, path, kind: str, **where) -> Path:
        """Write one CSV row per job (coordinates, run, seeds, fingerprint, result fields), after
        ``#`` comment lines of provenance (:mod:`iclsym.sweep.provenance`)."""
        return write_csv(self.frame(kind, **where), path, provenance([kind]))

    def to_dataset(self, kind: str, **where):
        """The stored jobs as an :class:`xarray.Dataset` over the kind's coordinates and ``run``."""
        return dataset_from_frame(self.frame(kind, **where))

    def to_netcdf(self, path, kind: str, **where) -> Path:
        """Write :meth:`to_dataset` to netCDF (scipy engine: no netCDF4 dependency), provenance as attributes."""
        return write_netcdf(self.to_dataset(kind, **where), path, provenance([kind]))

    def close(self) -> None:
        self._con.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def point_keys(kind: str) -> list[str]:
    """Columns that identify one point of ``kind``: ``kind`` and its coordinates (runs are averaged over)."""
    return ["kind", *get_kind(kind).coordinate_names]


def _numeric_fields(frame, skip) -> list[str]:
    import pandas as pd

    return [col for col in frame.columns if col not in skip
            and (pd.api.types.is_numeric_dtype(frame[col]) or pd.api.types.is_bool_dtype(frame[col]))]


def dataset_from_frame(frame):
    """Build the sweep :class:`xarray.Dataset` from a one-row-per-job frame of one kind.

    Dims are the kind's coordinates and ``run`` (and ``kind``); data variables are the numeric
    result fields (NaN where a combination was not run).

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"kind": ["toy"] * 2, "alpha": [1.0, 2.0], "tau": 1.0, "kappa": 0.5,
    ...                   "rho": 0.1, "lam": 0.0, "d": 8, "scale": 1.0, "sleep": 0.0, "run": 0,
    ...                   "e_icl": [1.0, 2.0]})
    >>> ds = dataset_from_frame(f)
    >>> dict(ds.sizes)["alpha"], float(ds.e_icl.sel(alpha=2.0).squeeze())
    (2, 2.0)
    """
    import xarray as xr

    if frame.empty:
        return xr.Dataset()
    kinds = frame["kind"].unique()
    if len(kinds) != 1:
        raise ValueError(f"a dataset holds one job kind; the frame has {sorted(kinds)}")
    dims = point_keys(kinds[0]) + ["run"]
    skip = set(dims) | {"base_seed", "seed", "fingerprint"}
    fields = _numeric_fields(frame, skip)
    if frame.duplicated(dims).any():
        raise ValueError("the frame holds several jobs with the same coordinates and run (different base_seed); "
                         "filter before exporting")
    return xr.Dataset.from_dataframe(frame[dims + fields].set_index(dims))


def write_csv(frame, path, info: dict) -> Path:
    """Write ``frame`` as CSV after ``# key: value`` provenance lines; :func:`read_csv` skips them."""
    path = Path(path)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.writelines(f"# {line}\n" for line in provenance_lines(info))
        frame.to_csv(fh, index=False)
    return path


def write_netcdf(ds, path, info: dict) -> Path:
    """Write ``ds`` to netCDF (scipy engine) with the provenance record as global attributes."""
    path = Path(path)
    ds = ds.copy()
    ds.attrs.update({k.replace("[", "_").replace("]", ""): v
                     for k, v in (line.split(": ", 1) for line in provenance_lines(info))})
    ds.to_netcdf(path, engine="scipy")
    return path


def read_csv(path):
    """Read a CSV written by :meth:`ResultStore.to_csv` back into a frame (``inf`` kept, provenance skipped)."""
    import pandas as pd

    return pd.read_csv(path, keep_default_na=True, comment="#")


def read_netcdf(path):
    """Read a netCDF written by :meth:`ResultStore.to_netcdf` (scipy engine), fully loaded."""
    import xarray as xr

    with xr.open_dataset(path, engine="scipy") as ds:
        ds = ds.load()
    # netCDF3 has no 64-bit integers: restore the integer coordinates' dtype
    ints = [c for c in ds.coords if ds[c].dtype.kind in "i"]
    return ds.assign_coords({c: ds[c].astype("int64") for c in ints})

"""Resumable SQLite result store for sweeps (DESIGN §8, "Sweeps and scale").

One row per finished job, written and committed by the parent process as soon as the job
finishes.  Rows are keyed by ``(kind, alpha, tau, kappa, rho, lam, d, seed, options, version)``
with a UNIQUE constraint and written with ``INSERT OR IGNORE`` in WAL mode, so a sweep that is
interrupted (Ctrl-C or SIGKILL) resumes with nothing lost and nothing duplicated.

The result dict is stored as JSON, next to indexed parameter columns.  Exports: a
:class:`pandas.DataFrame`, CSV, and an :class:`xarray.Dataset` (dims = the sweep coordinates
incl. ``run``; data variables = the numeric result fields; netCDF through the scipy engine).
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import numpy as np

from iclsym.core.params import PARAM_NAMES
from iclsym.sweep.grids import COORDS, Job

__all__ = ["ResultStore", "code_version", "dataset_from_frame", "read_csv", "read_netcdf"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    id        INTEGER PRIMARY KEY,
    kind      TEXT    NOT NULL,
    alpha     REAL    NOT NULL,
    tau       REAL    NOT NULL,
    kappa     REAL    NOT NULL,
    rho       REAL    NOT NULL,
    lam       REAL    NOT NULL,
    d         INTEGER NOT NULL,
    run       INTEGER NOT NULL,
    base_seed INTEGER NOT NULL,
    seed      INTEGER NOT NULL,
    options   TEXT    NOT NULL,
    version   TEXT    NOT NULL,
    result    TEXT    NOT NULL,
    seconds   REAL,
    finished  REAL,
    UNIQUE (kind, alpha, tau, kappa, rho, lam, d, seed, options, version)
);
CREATE INDEX IF NOT EXISTS results_point ON results (kind, alpha, tau, kappa, rho, lam, d);
"""

_KEY = ("kind",) + PARAM_NAMES + ("d", "seed", "options", "version")


def code_version() -> str:
    """The iclsym version string that keys stored results.

    Examples
    --------
    >>> import iclsym
    >>> code_version() == iclsym.__version__
    True
    """
    from iclsym import __version__

    return __version__


def _jsonable(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"result value of type {type(value).__name__} is not JSON-serialisable")


class ResultStore:
    """SQLite file of finished sweep jobs.

    Parameters
    ----------
    path : str or Path
        The database file (created if missing).  ``":memory:"`` for a throw-away store.
    version : str, optional
        Code version used as part of the key (default: :func:`code_version`).

    Examples
    --------
    >>> store = ResultStore(":memory:")
    >>> job = Job("toy", 1, 2, 0.5, 0.1, 0.0, d=8)
    >>> store.add(job, {"e_icl": 1.5}), store.add(job, {"e_icl": 9.9}), len(store)
    (True, False, 1)
    >>> store.is_done(job), store.rows()[0]["e_icl"]
    (True, 1.5)
    """

    def __init__(self, path, version: str | None = None):
        self.path = str(path)
        self.version = code_version() if version is None else str(version)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._con = sqlite3.connect(self.path, timeout=60.0)
        self._con.execute("PRAGMA journal_mode=WAL")
        self._con.execute("PRAGMA synchronous=NORMAL")
        self._con.executescript(_SCHEMA)
        self._con.commit()

    # -- writing ---------------------------------------------------------------------------
    def key(self, job: Job) -> tuple:
        return (job.kind, *job.params.values(), job.d, job.seed, job.options_json, self.version)

    @staticmethod
    def row_key(row: dict) -> tuple:
        """The key of a stored row (a dict from :meth:`rows`), comparable with :meth:`key`."""
        return tuple(row[c] for c in _KEY)

    def add(self, job: Job, result: dict, seconds: float | None = None) -> bool:
        """Insert one finished job and commit at once; ``False`` if it was already stored."""
        text = json.dumps(result, default=_jsonable, sort_keys=True)
        cur = self._con.execute(
            "INSERT OR IGNORE INTO results (kind, alpha, tau, kappa, rho, lam, d, run, base_seed, "
            "seed, options, version, result, seconds, finished) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                job.kind, job.alpha, job.tau, job.kappa, job.rho, job.lam, job.d, job.run,
                job.base_seed, job.seed, job.options_json, self.version, text, seconds, time.time(),
            ),
        )
        self._con.commit()
        return cur.rowcount == 1

    # -- reading ---------------------------------------------------------------------------
    def done_keys(self) -> set[tuple]:
        """Keys of every stored job of this code version."""
        cols = ", ".join(_KEY)
        cur = self._con.execute(f"SELECT {cols} FROM results WHERE version = ?", (self.version,))
        return set(cur.fetchall())

    def is_done(self, job: Job) -> bool:
        cond = " AND ".join(f"{c} = ?" for c in _KEY)
        cur = self._con.execute(f"SELECT 1 FROM results WHERE {cond} LIMIT 1", self.key(job))
        return cur.fetchone() is not None

    def pending(self, jobs) -> list[Job]:
        """The jobs of ``jobs`` not stored yet (duplicates in ``jobs`` removed, order kept)."""
        done = self.done_keys()
        out, seen = [], set()
        for job in jobs:
            k = self.key(job)
            if k not in done and k not in seen:
                seen.add(k)
                out.append(job)
        return out

    def __len__(self) -> int:
        return self._con.execute("SELECT COUNT(*) FROM results").fetchone()[0]

    def rows(self, kind: str | None = None, all_versions: bool = False, **where) -> list[dict]:
        """Stored jobs as flat dicts: coordinates, seed, options, and the result fields.

        ``where`` filters on columns (``alpha=10``, ``d=40`` ...); ``kappa=inf`` works.
        """
        conds, values = [], []
        if not all_versions:
            conds.append("version = ?")
            values.append(self.version)
        if kind is not None:
            conds.append("kind = ?")
            values.append(kind)
        for col, val in where.items():
            if col not in COORDS + ("base_seed", "seed", "options", "version"):
                raise ValueError(f"cannot filter on {col!r}; columns are {COORDS}")
            conds.append(f"{col} = ?")
            values.append(float(val) if col in PARAM_NAMES else val)
        names = ("kind",) + PARAM_NAMES + ("d", "run", "base_seed", "seed", "options", "version")
        sql = f"SELECT {', '.join(names)}, result, seconds FROM results"
        if conds:
            sql += " WHERE " + " AND ".join(conds)
        sql += " ORDER BY id"
        out = []
        for *coords, result, seconds in self._con.execute(sql, values):
            rec = dict(zip(names, coords))
            rec["job_seconds"] = seconds
            rec.update(json.loads(result))
            out.append(rec)
        return out

    def frame(self, kind: str | None = None, **where):
        """Stored jobs as a :class:`pandas.DataFrame` (one row per job)."""
        import pandas as pd

        return pd.DataFrame(self.rows(kind, **where))

    def to_csv(self, path, kind: str | None = None, **where) -> Path:
        """Write one CSV row per job (coordinates, seed, options, result fields)."""
        path = Path(path)
        self.frame(kind, **where).to_csv(path, index=False)
        return path

    def to_dataset(self, kind: str | None = None, **where):
        """The stored jobs as an :class:`xarray.Dataset` over the sweep coordinates."""
        return dataset_from_frame(self.frame(kind, **where))

    def to_netcdf(self, path, kind: str | None = None, **where) -> Path:
        """Write :meth:`to_dataset` to netCDF (scipy engine: no netCDF4 dependency)."""
        path = Path(path)
        self.to_dataset(kind, **where).to_netcdf(path, engine="scipy")
        return path

    def close(self) -> None:
        self._con.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _numeric_fields(frame) -> list[str]:
    import pandas as pd

    skip = set(COORDS) | {"base_seed", "seed", "options", "version"}
    out = []
    for col in frame.columns:
        if col in skip:
            continue
        if pd.api.types.is_numeric_dtype(frame[col]) or pd.api.types.is_bool_dtype(frame[col]):
            out.append(col)
    return out


def dataset_from_frame(frame):
    """Build the sweep :class:`xarray.Dataset` from a one-row-per-job frame.

    Dims are :data:`iclsym.sweep.grids.COORDS` (``kind``, the five parameters, ``d``, ``run``);
    data variables are the numeric result fields (NaN where a combination was not run).

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"kind": ["toy"] * 2, "alpha": [1.0, 2.0], "tau": 1.0, "kappa": 0.5,
    ...                   "rho": 0.1, "lam": 0.0, "d": 8, "run": 0, "e_icl": [1.0, 2.0]})
    >>> ds = dataset_from_frame(f)
    >>> dict(ds.sizes)["alpha"], float(ds.e_icl.sel(alpha=2.0).squeeze())
    (2, 2.0)
    """
    import xarray as xr

    if frame.empty:
        return xr.Dataset()
    fields = _numeric_fields(frame)
    dup = frame.duplicated(list(COORDS))
    if dup.any():
        raise ValueError(
            "the store holds several jobs with the same coordinates (different base_seed, "
            "options or versions); filter with base_seed=..., options=... before exporting"
        )
    sub = frame[list(COORDS) + fields].set_index(list(COORDS))
    ds = xr.Dataset.from_dataframe(sub)
    return ds


def read_csv(path):
    """Read a CSV written by :meth:`ResultStore.to_csv` back into a frame (``inf`` kept)."""
    import pandas as pd

    return pd.read_csv(path, keep_default_na=True)


def read_netcdf(path):
    """Read a netCDF written by :meth:`ResultStore.to_netcdf` (scipy engine), fully loaded."""
    import xarray as xr

    with xr.open_dataset(path, engine="scipy") as ds:
        ds = ds.load()
    # netCDF3 has no 64-bit integers: restore the integer coordinates' dtype
    return ds.assign_coords({c: ds[c].astype("int64") for c in ("d", "run") if c in ds.coords})



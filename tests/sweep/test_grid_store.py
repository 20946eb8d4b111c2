"""Jobs and their seeds, the store's key (coordinates, run, base_seed, code fingerprint), the refusal
of files the store did not create, and the CSV / netCDF exports round-trip."""

import math
import sqlite3

import numpy as np
import pytest
import xarray as xr

from iclsym.sweep import (
    Job, ResultStore, SerialExecutor, StoreError, dataset_from_frame, grid, job_seed, read_csv, read_netcdf, run_sweep,
)

TOY = dict(alpha=1.0, tau=2.0, kappa=0.5, rho=0.1, d=8)


def test_seed_depends_on_every_seeded_coordinate_and_base_seed():
    base = dict(alpha=1.0, tau=2.0, kappa=0.5, rho=0.1, lam=0.0, d=40)
    ref = job_seed(3, "ridge", base, 0)
    variants = [job_seed(4, "ridge", base, 0), job_seed(3, "dmmse", base, 0),
                job_seed(3, "ridge", dict(base, d=41), 0), job_seed(3, "ridge", base, 1)]
    for name in ("alpha", "tau", "kappa", "rho", "lam"):
        variants.append(job_seed(3, "ridge", dict(base, **{name: base[name] + 1e-12}), 0))
    assert ref not in variants and len(set(variants)) == len(variants)
    # int and float spellings of a number are the same job
    assert Job.of("toy", alpha=1, tau=2, kappa=0.5, rho=0.1, d=8).seed == Job.of("toy", **TOY).seed
    assert 0 <= ref < 2**63


def test_ridge_seeds_are_those_of_the_earlier_layout():
    """The ridge seed depends on (alpha, tau, kappa, rho, lam, d, run) exactly as before options became
    coordinates: 1 value recorded with iclsym 0.1.0's job_seed(2405, 'ridge', p, 48, 0)."""
    job = Job.of("ridge", alpha=10.0, tau=2.0, kappa=0.5, rho=0.01, lam=1e-5, d=48, base_seed=2405)
    assert job.seed == 6356382759514534402


def test_options_are_coordinates_not_seeded():
    a = Job.of("ridge", alpha=1, tau=2, kappa=0.5, rho=0.1, lam=1e-3, d=8)
    b = Job.of("ridge", alpha=1, tau=2, kappa=0.5, rho=0.1, lam=1e-3, d=8, method="cg")
    assert a != b and a.coords["method"] == "auto" and b.coords["method"] == "cg"
    assert a.seed == b.seed  # common random numbers for runs that differ only in how they are computed


def test_job_validation():
    with pytest.raises(ValueError, match="tau"):
        Job.of("toy", **dict(TOY, tau=-1))
    with pytest.raises(ValueError, match="kind"):
        Job.of("nope", **TOY)
    with pytest.raises(ValueError, match="d must be"):
        Job.of("toy", **dict(TOY, d=1))
    with pytest.raises(ValueError, match="needs a value for 'rho'"):
        Job.of("toy", alpha=1.0, tau=2.0, kappa=0.5, d=8)
    with pytest.raises(ValueError, match="unknown coordinate"):
        Job.of("toy", **TOY, beta=1.0)


def test_store_unique_and_code_key(tmp_path):
    path = tmp_path / "r.sqlite"
    job = Job.of("toy", **dict(TOY, kappa=math.inf))
    with ResultStore(path) as store:
        assert store.add(job, {"e_icl": np.float64(1.25)})
        assert not store.add(job, {"e_icl": 2.0})
        assert store.rows("toy", kappa=math.inf)[0]["e_icl"] == 1.25
    with ResultStore(path, fingerprints={"toy": "other code"}) as store:
        assert store.pending([job]) == [job]  # results of other code are not reused
        assert store.add(job, {"e_icl": 3.0}) and len(store) == 2
        assert store.rows("toy")[0]["e_icl"] == 3.0 and store.count_stale("toy") == 1
    with ResultStore(path) as store:
        assert store.pending([job, job]) == [] and len(store.rows("toy")) == 1


def test_jobs_differing_only_in_an_option_are_separate_points():
    from iclsym.figures.common import sim_points

    store = ResultStore(":memory:")
    jobs = grid("toy", **TOY, scale=[1.0, 50.0], runs=3)
    run_sweep(jobs, store, SerialExecutor(), progress=False)
    agg = sim_points(store, "toy", ["e_icl"])
    assert len(agg) == 2 and sorted(agg["scale"]) == [1.0, 50.0] and list(agg["runs"]) == [3, 3]
    # the two points share their random numbers but not their values (scale multiplies the noise)
    assert agg["e_icl_se"].iloc[0] < agg["e_icl_se"].iloc[1]


@pytest.fixture()
def filled_store(tmp_path):
    store = ResultStore(tmp_path / "r.sqlite")
    jobs = grid("toy", alpha=[1.0, 10.0], tau=[0.5, 2.0], kappa=[0.5, math.inf], rho=0.01, lam=1e-5, d=8, runs=3)
    run_sweep(jobs, store, SerialExecutor(), progress=False)
    yield store
    store.close()


def test_dataset_shape(filled_store):
    ds = filled_store.to_dataset("toy")
    assert dict(ds.sizes) == {"kind": 1, "alpha": 2, "tau": 2, "kappa": 2, "rho": 1, "lam": 1, "d": 1,
                              "scale": 1, "sleep": 1, "run": 3}
    row = filled_store.rows("toy", alpha=10.0, tau=0.5, kappa=math.inf)[1]
    got = ds.e_icl.sel(kind="toy", alpha=10.0, tau=0.5, kappa=math.inf, rho=0.01, lam=1e-5, d=8, run=row["run"])
    assert float(got.squeeze()) == row["e_icl"]


def test_netcdf_round_trip(filled_store, tmp_path):
    ds = filled_store.to_dataset("toy")
    back = read_netcdf(filled_store.to_netcdf(tmp_path / "r.nc", "toy"))
    assert back.attrs["iclsym_version"] and len(back.attrs["fingerprint_toy"]) == 64  # provenance
    xr.testing.assert_identical(ds, back.drop_attrs())
    assert back.d.dtype == np.int64 and np.isinf(back.kappa.values).any()


def test_csv_round_trip(filled_store, tmp_path):
    frame = filled_store.frame("toy")
    path = filled_store.to_csv(tmp_path / "r.csv", "toy")
    assert path.read_text().startswith("# iclsym_version: ")  # provenance header
    back = read_csv(path)
    assert list(back.columns) == list(frame.columns)
    for col in frame.columns:
        if frame[col].dtype.kind in "fi":
            np.testing.assert_array_equal(back[col].to_numpy(), frame[col].to_numpy(), err_msg=col)
        else:
            assert back[col].astype(str).tolist() == frame[col].astype(str).tolist(), col
    xr.testing.assert_identical(dataset_from_frame(back), filled_store.to_dataset("toy"))


def _digest(path):
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_old_store_is_refused_unchanged(tmp_path):
    path = tmp_path / "old.sqlite"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE results (id INTEGER PRIMARY KEY, kind TEXT, alpha REAL, version TEXT, result TEXT)")
    con.execute("INSERT INTO results VALUES (1, 'ridge', 1.0, '0.1.0', '{}')")
    con.commit()
    con.close()
    before = _digest(path)
    with pytest.raises(StoreError, match="older iclsym.*schema 1"):
        ResultStore(path)
    assert _digest(path) == before


@pytest.mark.parametrize("content", [b"", b"hello, not a database\n", None], ids=["empty", "text", "foreign-sqlite"])
def test_foreign_files_are_refused_unchanged(tmp_path, content):
    path = tmp_path / "user.db"
    if content is None:
        con = sqlite3.connect(path)
        con.execute("CREATE TABLE people (name TEXT)")
        con.commit()
        con.close()
    else:
        path.write_bytes(content)
    before = _digest(path)
    if content == b"":  # an empty file is a new store
        ResultStore(path).close()
        return
    with pytest.raises(StoreError, match="not an iclsym store"):
        ResultStore(path)
    assert _digest(path) == before

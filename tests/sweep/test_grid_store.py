"""Grid seeds, the UNIQUE/INSERT OR IGNORE store, and the CSV / netCDF exports round-trip."""

import math

import numpy as np
import pytest
import xarray as xr

from iclsym.sweep import Job, ResultStore, SerialExecutor, dataset_from_frame, grid, job_seed, read_csv, read_netcdf, run_sweep


def test_seed_depends_on_every_coordinate_and_base_seed():
    base = dict(alpha=1.0, tau=2.0, kappa=0.5, rho=0.1, lam=0.0)
    ref = job_seed(3, "ridge", base, 40, 0)
    variants = [job_seed(4, "ridge", base, 40, 0), job_seed(3, "dmmse", base, 40, 0),
                job_seed(3, "ridge", base, 41, 0), job_seed(3, "ridge", base, 40, 1)]
    for name in base:
        changed = dict(base, **{name: base[name] + 1e-12})
        variants.append(job_seed(3, "ridge", changed, 40, 0))
    assert ref not in variants and len(set(variants)) == len(variants)
    # int and float spellings of a number are the same job
    assert Job("toy", 1, 2, 0.5, 0.1, 0, d=8).seed == Job("toy", 1.0, 2.0, 0.5, 0.1, 0.0, d=8).seed
    assert 0 <= ref < 2**63


def test_job_validation():
    with pytest.raises(ValueError, match="tau"):
        Job("toy", 1, -1, 0.5, 0.1, 0, d=8)
    with pytest.raises(ValueError, match="kind"):
        Job("nope", 1, 1, 0.5, 0.1, 0, d=8)
    with pytest.raises(ValueError, match="d must be"):
        Job("toy", 1, 1, 0.5, 0.1, 0, d=1)


def test_store_unique_and_version_key(tmp_path):
    path = tmp_path / "r.sqlite"
    job = Job("toy", 1, 2, math.inf, 0.1, 0, d=8)
    with ResultStore(path) as store:
        assert store.add(job, {"e_icl": np.float64(1.25)})
        assert not store.add(job, {"e_icl": 2.0})
        assert store.rows(kappa=math.inf)[0]["e_icl"] == 1.25
    with ResultStore(path, version="other") as store:
        assert store.pending([job]) == [job]  # results of another code version are not reused
        assert store.add(job, {"e_icl": 3.0}) and len(store) == 2
    with ResultStore(path) as store:
        assert store.pending([job, job]) == [] and len(store.rows()) == 1


@pytest.fixture()
def filled_store(tmp_path):
    store = ResultStore(tmp_path / "r.sqlite")
    jobs = grid("toy", alpha=[1.0, 10.0], tau=[0.5, 2.0], kappa=[0.5, math.inf], rho=0.01, lam=1e-5, d=8, runs=3)
    run_sweep(jobs, store, SerialExecutor(), progress=False)
    yield store
    store.close()


def test_dataset_shape(filled_store):
    ds = filled_store.to_dataset("toy")
    assert dict(ds.sizes) == {"kind": 1, "alpha": 2, "tau": 2, "kappa": 2, "rho": 1, "lam": 1, "d": 1, "run": 3}
    row = filled_store.rows("toy", alpha=10.0, tau=0.5, kappa=math.inf)[1]
    got = ds.e_icl.sel(kind="toy", alpha=10.0, tau=0.5, kappa=math.inf, rho=0.01, lam=1e-5, d=8, run=row["run"])
    assert float(got) == row["e_icl"]


def test_netcdf_round_trip(filled_store, tmp_path):
    ds = filled_store.to_dataset("toy")
    back = read_netcdf(filled_store.to_netcdf(tmp_path / "r.nc", "toy"))
    xr.testing.assert_identical(ds, back)
    assert back.d.dtype == np.int64 and np.isinf(back.kappa.values).any()


def test_csv_round_trip(filled_store, tmp_path):
    frame = filled_store.frame("toy")
    back = read_csv(filled_store.to_csv(tmp_path / "r.csv", "toy"))
    assert list(back.columns) == list(frame.columns)
    for col in frame.columns:
        if frame[col].dtype.kind in "fi":
            np.testing.assert_array_equal(back[col].to_numpy(), frame[col].to_numpy(), err_msg=col)
        else:
            assert back[col].astype(str).tolist() == frame[col].astype(str).tolist(), col
    xr.testing.assert_identical(dataset_from_frame(back), filled_store.to_dataset("toy"))

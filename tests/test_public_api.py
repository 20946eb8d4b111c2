"""The public API: every public function and class pickles (process pools and Dask ship them) and
has a real, importable name; the facade re-exports what it promises."""

import importlib
import pickle

import pytest

import iclsym

PUBLIC_MODULES = [
    "iclsym.core.params", "iclsym.core.tasks", "iclsym.core.spectra",
    "iclsym.onelayer.theory", "iclsym.onelayer.theory.precise", "iclsym.onelayer.theory.limits",
    "iclsym.onelayer.theory.optimal", "iclsym.onelayer.theory.fixed_point", "iclsym.onelayer.finite_size",
    "iclsym.onelayer.simulation", "iclsym.sweep",
]


def _public(module_name):
    mod = importlib.import_module(module_name)
    for name in getattr(mod, "__all__", []):
        obj = getattr(mod, name)
        if callable(obj):
            yield f"{module_name}.{name}", obj


CASES = [case for m in PUBLIC_MODULES for case in _public(m)]


@pytest.mark.parametrize("name, obj", CASES, ids=[c[0] for c in CASES])
def test_public_callable_pickles_by_name(name, obj):
    assert "<locals>" not in getattr(obj, "__qualname__", "")
    assert pickle.loads(pickle.dumps(obj)) is obj


def test_facade_exports_resolve_and_pickle():
    for name in iclsym.__all__:
        if name == "__version__":
            continue
        obj = getattr(iclsym, name)
        assert pickle.loads(pickle.dumps(obj)) is obj, name


def test_module_names_are_not_shadowed_by_functions():
    # importing a module by its dotted path gives the module, not a function re-exported under that name
    for dotted in ("iclsym.onelayer.theory.asymptotic", "iclsym.sweep.grids", "iclsym.onelayer.simulation.run",
                   "iclsym.onelayer.theory.precise"):
        mod = importlib.import_module(dotted)
        assert type(mod).__name__ == "module", dotted
        parent, _, leaf = dotted.rpartition(".")
        assert getattr(importlib.import_module(parent), leaf, mod) is mod, dotted

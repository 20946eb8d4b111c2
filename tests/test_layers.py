"""The layering of docs/architecture.md holds: lower layers never import higher ones."""

from pathlib import Path

import pytest

from iclsym.sweep.fingerprint import closure_files, package_root

ROOT = package_root()


def _modules(folder):
    for path in sorted((ROOT / "iclsym" / folder).rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        yield ".".join(parts)


@pytest.mark.parametrize("folder, forbidden", [
    ("core", ("iclsym/onelayer/", "iclsym/deep/", "iclsym/nets/", "iclsym/sweep/", "iclsym/figures/", "iclsym/cli/",
              "iclsym/engine/")),
    ("engine", ("iclsym/onelayer/", "iclsym/deep/", "iclsym/nets/", "iclsym/sweep/", "iclsym/figures/", "iclsym/cli/")),
    ("onelayer/theory", ("iclsym/onelayer/symbolic/", "iclsym/engine/", "iclsym/sweep/", "iclsym/figures/",
                         "iclsym/onelayer/simulation/")),
    ("onelayer/simulation", ("iclsym/onelayer/symbolic/", "iclsym/engine/", "iclsym/sweep/", "iclsym/figures/",
                             "iclsym/onelayer/theory/")),
])
def test_layer_imports(folder, forbidden):
    for module in _modules(folder):
        bad = [f for f in closure_files(module) if f.startswith(forbidden)]
        assert not bad, (module, bad)

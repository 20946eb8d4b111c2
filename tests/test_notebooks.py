"""Execute every notebook (jupytext percent-format ``notebooks/*.py``) in a Jupyter kernel.

Each notebook is converted in memory (jupytext), run by nbclient in a ``python3`` kernel whose
working folder is a temporary one, and must produce no error output, at least one inline figure
and at least one formula rendered as LaTeX.  ``ICLSYM_FAST=1`` asks notebooks for their fast
setting (small Monte Carlo, coarse grids).
"""

import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.py"))


def _outputs(nb):
    for cell in nb.cells:
        if cell.cell_type == "code":
            yield from cell.get("outputs", [])


def _tree(folder):
    """Files at the top of the repository and in notebooks/ (where a notebook run could leave output)."""
    return {p.relative_to(folder) for p in [*folder.iterdir(), *(folder / "notebooks").iterdir()]}


@pytest.fixture(scope="module")
def repo_tree():
    return _tree(ROOT)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_executes_in_kernel(path, tmp_path, monkeypatch, repo_tree):
    jupytext = pytest.importorskip("jupytext")
    nbclient = pytest.importorskip("nbclient")
    monkeypatch.setenv("ICLSYM_FAST", "1")
    monkeypatch.delenv("MPLBACKEND", raising=False)
    nb = jupytext.read(path)
    assert nb.metadata["kernelspec"]["name"] == "python3", f"{path.name} has no python3 kernelspec"
    t0 = time.perf_counter()
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    print(f"{path.name}: executed in a kernel in {time.perf_counter() - t0:.1f} s")
    outputs = list(_outputs(nb))
    errors = [o for o in outputs if o.output_type == "error"]
    assert not errors, f"{path.name}: {errors[0].ename}: {errors[0].evalue}"
    stderr = [o.text for o in outputs if o.output_type == "stream" and o.name == "stderr"]
    assert not any("Traceback" in t or "Error" in t for t in stderr), f"{path.name} wrote to stderr:\n{stderr}"
    mimes = [set(o.get("data", {})) for o in outputs if o.output_type in ("display_data", "execute_result")]
    assert any("image/png" in m for m in mimes), f"{path.name} shows no inline figure"
    assert any("text/latex" in m for m in mimes), f"{path.name} shows no formula rendered as LaTeX"
    assert _tree(ROOT) == repo_tree, f"{path.name} wrote into the repository: {_tree(ROOT) - repo_tree}"


def test_notebooks_are_jupytext_percent_format():
    jupytext = pytest.importorskip("jupytext")
    for path in NOTEBOOKS:
        nb = jupytext.read(path)
        assert nb.cells, path.name
        assert any(c.cell_type == "markdown" for c in nb.cells), f"{path.name} has no narrative"
        assert nb.metadata.get("kernelspec", {}).get("name") == "python3", f"{path.name}: no kernelspec"

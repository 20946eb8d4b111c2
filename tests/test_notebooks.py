"""Execute every jupytext notebook (percent-format ``notebooks/*.py``) as a script.

``ICLSYM_FAST=1`` asks notebooks for their fast setting (small Monte Carlo).
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.py"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path, tmp_path):
    env = dict(os.environ, ICLSYM_FAST="1", MPLBACKEND="Agg")
    proc = subprocess.run(
        [sys.executable, str(path)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, f"{path.name} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}"


def test_notebooks_are_jupytext_percent_format():
    jupytext = pytest.importorskip("jupytext")
    for path in NOTEBOOKS:
        nb = jupytext.read(path)
        assert nb.cells, path.name
        assert any(c.cell_type == "markdown" for c in nb.cells), f"{path.name} has no narrative"

"""The committed generated files are exactly what ``derivations/*.py`` produce."""

import io
import shutil

import pytest

from iclsym.cli.derive import derive, repo_root

ROOT = repo_root()


def test_generated_files_are_current():
    out = io.StringIO()
    stale = derive(ROOT, check=True, out=out)
    assert stale == 0, out.getvalue()


def test_check_fails_when_a_generated_file_is_edited(tmp_path):
    generated = sorted(ROOT.glob("iclsym/*/_generated/*.py"))
    generated = [p for p in generated if p.name != "__init__.py"]
    if not generated:
        pytest.fail("no generated modules: derivations/ must produce iclsym/<model>/_generated/*.py")
    # Work on a copy of the checkout's derivation inputs and outputs.
    for sub in ("derivations", "iclsym"):
        shutil.copytree(ROOT / sub, tmp_path / sub, ignore=shutil.ignore_patterns("__pycache__"))
    victim = tmp_path / generated[0].relative_to(ROOT)
    victim.write_text(victim.read_text() + "\n# hand edit\n")
    out = io.StringIO()
    assert derive(tmp_path, check=True, out=out) >= 1
    assert f"STALE {victim.relative_to(tmp_path)}" in out.getvalue()

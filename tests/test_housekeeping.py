"""What users expect next to the code: one version everywhere, license, citation, changelog, typing marker."""

import importlib.metadata
import re
from pathlib import Path

import iclsym

ROOT = Path(__file__).resolve().parents[1]


def test_one_version_everywhere():
    version = iclsym.__version__
    assert importlib.metadata.version("iclsym") == version
    assert re.search(r"^version: (\S+)$", (ROOT / "CITATION.cff").read_text(), re.M).group(1) == version
    assert re.search(r"^## (\S+)$", (ROOT / "CHANGELOG.md").read_text(), re.M).group(1) == version
    assert 'dynamic = ["version"]' in (ROOT / "pyproject.toml").read_text()


def test_license_citation_typing():
    text = (ROOT / "LICENSE").read_text()
    assert "BSD 3-Clause License" in text and "the iclsym developers" in text
    assert 'license = { text = "BSD-3-Clause" }' in (ROOT / "pyproject.toml").read_text()
    cff = (ROOT / "CITATION.cff").read_text()
    for arxiv in ("2405.11751", "2509.26551", "2510.01098"):
        assert arxiv in cff
    assert (ROOT / "iclsym" / "py.typed").is_file()


def test_readme_commands_run_from_the_venv():
    """The README's "Using it" commands work right after its set-up (no activation step needed)."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Using it", 1)[1].split("\n## ", 1)[0]
    commands = [line for line in section.splitlines() if "iclsym " in line and not line.startswith(("#", "`"))]
    block = section.split("```bash", 1)[1].split("```", 1)[0]
    assert all(line.startswith(".venv/bin/iclsym ") for line in block.strip().splitlines()), block
    assert commands
    assert "mpmath.nstr(" in section and ", 50))" in section  # the 50-digit example prints 50 digits

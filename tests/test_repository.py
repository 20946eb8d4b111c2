"""The repository stands on its own: every docs/ page a file refers to exists, and the README's
architecture table names folders that exist."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _tracked_text_files():
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    return [ROOT / p for p in out if p.endswith((".py", ".md", ".toml", ".cfg", ".txt"))]


def test_every_docs_reference_resolves():
    missing = set()
    for path in _tracked_text_files():
        for ref in re.findall(r"docs/[A-Za-z0-9_./-]+\.md", path.read_text(encoding="utf-8")):
            if not (ROOT / ref).is_file():
                missing.add((ref, path.relative_to(ROOT).as_posix()))
    assert not missing, sorted(missing)


def test_readme_architecture_matches_the_tree():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Architecture", 1)[1].split("\n## ", 1)[0]
    paths = re.findall(r"^\| `([^`]+)`", section, flags=re.M)
    assert len(paths) >= 8
    for p in paths:
        for part in p.split("`, `"):
            part = part.replace("<model>", "onelayer").rstrip("/")
            assert (ROOT / part).exists(), part


def test_no_reference_to_files_outside_the_repository():
    # the names are assembled so that this file does not contain them either
    design, contracts = "DES" + "IGN", "CONTR" + "ACTS"
    words = re.compile(rf"\.\./shared|{design}|PAPER[23]\.md|{contracts}\.md")
    bad = [p.relative_to(ROOT).as_posix() for p in _tracked_text_files() if words.search(p.read_text(encoding="utf-8"))]
    assert not bad, bad

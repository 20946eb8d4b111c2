"""The derivation records ``derivations/out/*.md``: valid LaTeX, the papers' notation, every symbol defined.

Validity is checked with the documentation's own toolchain: every display and inline formula of
every record is typeset by MathJax 3 (the copy the site bundles, from the ``docs`` extra) under
Node.js, with undefined macros and TeX errors raised instead of rendered in red.
"""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from iclsym import closed_forms

ROOT = Path(__file__).resolve().parents[2]
RECORDS = sorted((ROOT / "derivations" / "out").glob("*.md"))
CHECKER = Path(__file__).with_name("mathjax_check.js")

DISPLAY = re.compile(r"^\$\$\n(.*?)\n\$\$$", re.S | re.M)
INLINE = re.compile(r"(?<![\\$])\$([^$\n]+?)\$(?!\$)")
MARKER = re.compile(r'`iclsym\.closed_forms\.get\("([^"]+)"\)`')
#: code spellings that must not appear in a formula (the papers write epsilon, lambda, x^*, 1/kappa, S')
CODE_NAMES = re.compile(r"(?<![\\A-Za-z])(eps|lam|xs|ik|Sp|mt|m_star|x_star|sigma2|kappa|alpha|tau|rho|epsilon|lambda)"
                        r"(?![A-Za-z])")


def _strip_code(text):
    return re.sub(r"`[^`]*`", "", text)


def formulas(path):
    """``(tex, display)`` of every formula of a record (outside code spans)."""
    text = path.read_text(encoding="utf-8")
    body = text.split("-->\n", 3)[-1]
    display = DISPLAY.findall(body)
    rest = DISPLAY.sub("", body)
    inline = INLINE.findall(_strip_code(rest))
    return [(t, True) for t in display] + [(t, False) for t in inline]


def _mathjax_es5():
    mathjax = pytest.importorskip("mathjax", reason="the docs extra (django-static-mathjax) is not installed")
    return Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"


def test_records_exist():
    assert {p.stem for p in RECORDS} == set(closed_forms.pages())


@pytest.mark.parametrize("path", RECORDS, ids=[p.stem for p in RECORDS])
def test_every_formula_typesets_with_mathjax(path):
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed")
    items = [{"tex": t, "display": d} for t, d in formulas(path)]
    assert items, path.name
    proc = subprocess.run([node, str(CHECKER), str(_mathjax_es5())], input=json.dumps(items), capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout)
    assert result["checked"] == len(items)
    assert not result["bad"], "\n".join(f"{b['error']}: {b['tex'][:200]}" for b in result["bad"])


@pytest.mark.parametrize("path", RECORDS, ids=[p.stem for p in RECORDS])
def test_formulas_use_the_papers_notation(path):
    for tex, _ in formulas(path):
        # symbol names spelled as code (eps, lam, xs, ...) rather than LaTeX (\epsilon, \lambda, x^*, ...)
        bad = CODE_NAMES.findall(re.sub(r"\\(text|mathrm|operatorname)\{[^}]*\}", "", tex))
        assert not bad, f"{path.name}: code names {bad} in ${tex[:150]}$"


@pytest.mark.parametrize("page", closed_forms.pages())
def test_every_formula_is_a_closed_form_with_its_symbols_defined(page):
    """Each displayed formula is served by closed_forms.get and every symbol it uses is in the page's table."""
    text = (ROOT / "derivations" / "out" / f"{page}.md").read_text(encoding="utf-8")
    markers = MARKER.findall(text)
    assert markers == closed_forms.names(page)
    table = re.search(r"^## Symbols\n\n\| symbol \| meaning \|\n\|---\|---\|\n((?:\|.*\|\n)+)", text, re.M)
    assert table, f"{page}.md has no table of symbols"
    defined = {m.group(1) for m in re.finditer(r"^\| \$(.+?)\$ \|", table.group(1), re.M)}
    for name in markers:
        form = closed_forms.get(name)
        assert f"$$\n{form.latex}\n$$" in text, name
        missing = set(form.symbols.values()) - defined
        assert not missing, f"{name} uses {sorted(missing)}, not defined on {page}.md"
        assert set(form.glossary) == defined

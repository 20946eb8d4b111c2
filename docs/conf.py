"""Sphinx configuration of the iclsym documentation.

Build (from the repository root, after ``pip install -e ".[docs]"``)::

    sphinx-build -W -b html docs docs/_build/html

The theory pages are MyST Markdown; the notebooks (``notebooks/*.py``, jupytext percent format,
reached through the ``docs/notebooks`` link) and the gallery and recipe pages are executed during
the build by MyST-NB in the fast setting (``ICLSYM_FAST=1``); the API reference comes from the
NumPy docstrings (autodoc + napoleon); the page of closed forms is written from
:mod:`iclsym.closed_forms` at build time.  Math is typeset by the copy of MathJax 3 that the
``django-static-mathjax`` package ships, copied into the built site: pages need no network.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import iclsym

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "_ext"))

# executed pages use the fast setting (small Monte Carlo, coarse grids, tiny figure runs)
os.environ["ICLSYM_FAST"] = "1"
os.environ.pop("MPLBACKEND", None)

project = "iclsym"
author = "the iclsym developers"
copyright = "the iclsym developers"
version = release = iclsym.__version__

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "iclsym_docs",
]

# ---------------------------------------------------------------- sources
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb", ".py": "myst-nb"}
nb_custom_formats = {".py": ["jupytext.reads", {"fmt": "py:percent"}]}
exclude_patterns = ["_build", "_ext", "_generated", "conf.py", "**/__pycache__", "**/.ipynb_checkpoints"]
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
myst_dmath_double_inline = True
# myst.header: pages use heading levels freely; ref.python: a parameter *type* such as "(n, d) array" is
# looked up as a Python name and can match several attributes called n or d (ambiguity, not a broken link)
suppress_warnings = ["myst.header", "ref.python"]

# ---------------------------------------------------------------- notebook execution
nb_execution_mode = "cache"
nb_execution_cache_path = str(DOCS / "_build" / ".jupyter_cache")
nb_execution_timeout = 900
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_execution_in_temp = True  # notebooks run in a temporary folder: nothing is written next to the sources
nb_merge_streams = True

# ---------------------------------------------------------------- API reference
autodoc_default_options = {"members": True, "undoc-members": False, "show-inheritance": False}
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_mock_imports = ["jax", "jaxlib", "optax"]
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False
napoleon_use_ivar = True  # "Attributes" sections as fields: dataclass fields are documented once, by autodoc
napoleon_preprocess_types = False

# ---------------------------------------------------------------- HTML
html_theme = "pydata_sphinx_theme"
html_title = f"iclsym {release}"
html_static_path: list[str] = []
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_sidebars = {"**": ["sidebar-nav-bs"]}

# MathJax 3 from the django-static-mathjax package: copied into _static/mathjax at the end of the build
mathjax_path = "mathjax/tex-svg.js"
mathjax3_config = {
    "tex": {"inlineMath": [["\\(", "\\)"]], "displayMath": [["\\[", "\\]"]]},
    "svg": {"fontCache": "global"},
    "options": {"enableMenu": False},
}


def _mathjax_source() -> Path:
    import mathjax  # the django-static-mathjax distribution (docs extra)

    return Path(mathjax.__file__).resolve().parent / "static" / "mathjax" / "es5"


def copy_mathjax(app, exception):
    """Copy MathJax (the SVG bundle and the TeX extensions it loads on demand) into ``_static/mathjax``."""
    if exception is not None or app.builder.format != "html":
        return
    src = _mathjax_source()
    dest = Path(app.outdir) / "_static" / "mathjax"
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(src / "tex-svg.js", dest / "tex-svg.js")
    shutil.copytree(src / "input" / "tex" / "extensions", dest / "input" / "tex" / "extensions", dirs_exist_ok=True)
    shutil.copytree(src / "output" / "svg", dest / "output" / "svg", dirs_exist_ok=True)


def setup(app):
    _mathjax_source()  # fail early, with an ImportError naming the package, if the docs extra is missing
    app.connect("build-finished", copy_mathjax)

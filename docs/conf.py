"""Sphinx configuration of the iclsym documentation (Markdown pages through MyST-NB).

Build with ``sphinx-build -b html docs docs/_build/html`` after ``pip install sphinx myst-nb``.
"""

project = "iclsym"
author = "the iclsym contributors"
extensions = ["myst_nb"]
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3
nb_execution_mode = "off"
exclude_patterns = ["_build"]
html_theme = "alabaster"

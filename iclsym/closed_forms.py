"""Every derived closed form as data: its LaTeX in the papers' notation, its SymPy expression, its function.

The derivation scripts (``derivations/<model>/<page>.py``) render each page of formulas twice
from one list: as the Markdown record ``derivations/out/<page>.md`` and as the data module
``iclsym/<model>/_generated/<page>_forms.py`` that this module reads.  A closed form is named
``"<page>.<key>"``, e.g. ``"asymptotic.e_icl"``; :func:`names` lists them all.

Reading a closed form never imports SymPy: the LaTeX is stored as text and the SymPy
expression as its ``srepr``, rebuilt (importing SymPy) only when :attr:`ClosedForm.expr` is
asked for.  :attr:`ClosedForm.function` is the generated NumPy (or mpmath) function that
evaluates the formula, where there is one.

Examples
--------
>>> from iclsym import closed_forms
>>> f = closed_forms.get("asymptotic.fixed_point")
>>> print(f.latex)
F(\\epsilon) = - S \\epsilon - \\tau + 1 + \\frac{\\lambda \\tau}{\\epsilon}
>>> f.symbols                                  # SymPy name -> LaTeX on the page
{'S': 'S', 'eps': '\\\\epsilon', 'lam': '\\\\lambda', 'tau': '\\\\tau'}
>>> round(float(f.function(0.5, 2.0, 0.1, 0.4, 0.8)), 12)  # the generated F(eps, tau, lam, x*, S)
-1.0
>>> f.expr                                     # rebuilt from its srepr (imports SymPy)
-S*eps - tau + 1 + lam*tau/eps
>>> len(closed_forms.names()) > 100
True
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Any, Callable

__all__ = ["ClosedForm", "get", "names", "pages"]

#: packages whose ``_generated`` folder may hold ``<page>_forms`` modules
_MODELS = ("core", "onelayer", "deep")


def _modules() -> dict[str, Any]:
    """page name -> its forms module (imported once)."""
    global _CACHE
    if _CACHE is None:
        found = {}
        for model in _MODELS:
            package = importlib.import_module(f"iclsym.{model}._generated")
            for info in pkgutil.iter_modules(package.__path__):
                if info.name.endswith("_forms"):
                    module = importlib.import_module(f"{package.__name__}.{info.name}")
                    found[module.PAGE] = module
        _CACHE = dict(sorted(found.items()))
    return _CACHE


_CACHE: dict[str, Any] | None = None


@dataclass(frozen=True)
class ClosedForm:
    """One closed form of a derivation page.

    Attributes
    ----------
    name : str
        ``"<page>.<key>"``.
    caption : str
        What the formula is, in Markdown with inline math.
    latex : str
        The formula in the papers' notation, ``lhs = rhs`` (or ``rhs`` alone).
    lhs, rhs : str
        Its two sides in LaTeX (``lhs`` may be empty).
    symbols : dict
        Name of each free SymPy symbol of :attr:`expr` -> its LaTeX on the page.
    glossary : dict
        LaTeX of every symbol of the page -> its meaning.
    srepr : str or None
        ``sympy.srepr`` of the expression (``None`` for formulas written in index notation).
    function_path : str or None
        ``"module:name"`` of the generated function evaluating the formula.
    output : int or None
        Index of the formula in that function's returned tuple (``None``: the whole result).
    """

    name: str
    caption: str
    latex: str
    lhs: str
    rhs: str
    symbols: dict = field(repr=False)
    glossary: dict = field(repr=False)
    srepr: str | None = field(repr=False)
    function_path: str | None = None
    output: int | None = None

    @property
    def page(self) -> str:
        """The derivation page, ``derivations/out/<page>.md``."""
        return self.name.split(".", 1)[0]

    @property
    def expr(self):
        """The SymPy expression (or ``Eq``), rebuilt from :attr:`srepr`; imports SymPy.

        Raises
        ------
        ValueError
            For a formula that exists only as LaTeX (index or tensor notation).
        """
        if self.srepr is None:
            raise ValueError(f"closed form {self.name!r} is written in index notation and has LaTeX only")
        import sympy

        return sympy.sympify(self.srepr)

    @property
    def function(self) -> Callable | None:
        """The generated function that evaluates the formula (``None`` if there is none); no SymPy."""
        if not self.function_path:
            return None
        module, name = self.function_path.split(":")
        return getattr(importlib.import_module(module), name)

    def _repr_latex_(self) -> str:
        return f"$${self.latex}$$"

    def __str__(self) -> str:
        return self.latex


def pages() -> list[str]:
    """Names of the derivation pages (one per ``derivations/out/<page>.md``).

    >>> "asymptotic" in pages() and "iso_closed" in pages()
    True
    """
    return list(_modules())


def names(page: str | None = None) -> list[str]:
    """Names ``"<page>.<key>"`` of every closed form (of one page if ``page`` is given), in page order.

    >>> names("asymptotic")[:2]
    ['asymptotic.mp_transform', 'asymptotic.fixed_point']
    """
    mods = _modules()
    if page is not None and page not in mods:
        raise ValueError(f"page must be one of {sorted(mods)}; got {page!r}")
    selected = [page] if page is not None else list(mods)
    return [f"{p}.{key}" for p in selected for key in mods[p].FORMS]


def get(name: str) -> ClosedForm:
    """The closed form called ``name`` (``"<page>.<key>"``; see :func:`names`).

    Raises
    ------
    ValueError
        If there is no closed form of that name.
    """
    page, _, key = str(name).partition(".")
    mods = _modules()
    if page not in mods or key not in mods[page].FORMS:
        raise ValueError(f"name must be '<page>.<key>' of a closed form (see iclsym.closed_forms.names()); "
                         f"got {name!r}")
    rec = mods[page].FORMS[key]
    return ClosedForm(
        name=f"{page}.{key}", caption=rec["caption"], latex=rec["latex"], lhs=rec["lhs"], rhs=rec["rhs"],
        symbols=dict(rec["symbols"]), glossary=dict(mods[page].SYMBOLS), srepr=rec["srepr"],
        function_path=rec["function"], output=rec["output"],
    )

"""Sphinx extension of the iclsym documentation: the page of every closed form, written at build time.

The page ``closed-forms.md`` holds a marker line; when Sphinx reads it, the marker is replaced by
every closed form of :mod:`iclsym.closed_forms` (page by page: the table of symbols, then each
formula with its caption, its LaTeX and the Python call that returns it).  Nothing is written
into the source tree and nothing can go stale.
"""

from __future__ import annotations

MARKER = "<!-- the closed forms are inserted here at build time -->"


def closed_forms_markdown() -> str:
    """Markdown of every closed form, grouped by derivation page."""
    from iclsym import closed_forms

    out = []
    for page in closed_forms.pages():
        names = closed_forms.names(page)
        first = closed_forms.get(names[0])
        title = _title(page)
        out += [f"({page})=", f"## {title}", "",
                f"Derived by `derivations/*/{page}.py`; the same page as Markdown: `derivations/out/{page}.md`. "
                f"`iclsym.closed_forms.names(\"{page}\")` lists its {len(names)} closed forms.", ""]
        out += ["**Symbols.**", "", "| symbol | meaning |", "|---|---|"]
        out += [f"| ${tex}$ | {meaning} |" for tex, meaning in first.glossary.items()]
        out += [""]
        for name in names:
            form = closed_forms.get(name)
            call = f'iclsym.closed_forms.get("{name}")'
            fn = ""
            if form.function_path:
                module, func = form.function_path.split(":")
                pick = f"[{form.output}]" if form.output is not None else ""
                fn = f" Generated function: `{module}.{func}`{' (item ' + str(form.output) + ' of its tuple)' if pick else ''}."
            out += [f"**{form.caption}** — `{call}`.{fn}", "", "$$", form.latex, "$$", ""]
    return "\n".join(out)


def _title(page: str) -> str:
    for model in ("core", "onelayer", "deep"):
        try:
            module = __import__(f"iclsym.{model}._generated.{page}_forms", fromlist=["TITLE"])
        except ImportError:
            continue
        return module.TITLE
    return page  # pragma: no cover


def _fill(app, docname, source):
    if MARKER in source[0]:
        source[0] = source[0].replace(MARKER, closed_forms_markdown())


def setup(app):
    app.connect("source-read", _fill)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}

"""iclsym.closed_forms: every derived formula as data (LaTeX, SymPy expression, generated function)."""

import inspect
import subprocess
import sys

import numpy as np
import pytest

from iclsym import closed_forms


def test_names_and_pages():
    names = closed_forms.names()
    assert len(names) == len(set(names)) > 100
    assert set(closed_forms.pages()) == {n.split(".")[0] for n in names}
    assert closed_forms.names("asymptotic")[0] == "asymptotic.mp_transform"
    with pytest.raises(ValueError, match="page must be one of"):
        closed_forms.names("nope")
    with pytest.raises(ValueError, match="name must be"):
        closed_forms.get("asymptotic.nope")


def test_reading_never_imports_sympy():
    code = ("import sys; from iclsym import closed_forms as c\n"
            "forms = [c.get(n) for n in c.names()]\n"
            "fns = [f.function for f in forms if f.function_path]\n"
            "assert all(callable(f) for f in fns)\n"
            "print('sympy' in sys.modules, len(fns))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out[0] == "False" and int(out[1]) > 50


@pytest.mark.parametrize("name", closed_forms.names())
def test_expression_round_trip(name):
    sp = pytest.importorskip("sympy")
    form = closed_forms.get(name)
    assert form.latex and form.caption and form.page == name.split(".")[0]
    assert form._repr_latex_() == f"$${form.latex}$$"
    if form.srepr is None:
        with pytest.raises(ValueError, match="index notation"):
            form.expr
        return
    expr = form.expr
    if sp.srepr(expr) != form.srepr:  # stored unevaluated (e.g. -2 (rho + sigma^2) kept as a product)
        with sp.evaluate(False):
            stored = sp.sympify(form.srepr)
        assert sp.simplify(sp.sympify(expr) - stored if not isinstance(expr, (sp.Equality, sp.Tuple))
                           else 0) == 0
    assert {s.name for s in expr.free_symbols} == set(form.symbols)


def _comparable():
    """Closed forms whose generated function takes exactly the expression's symbols (by name)."""
    out = []
    for name in closed_forms.names():
        form = closed_forms.get(name)
        if not form.function_path or form.srepr is None:
            continue
        params = list(inspect.signature(form.function).parameters)
        if set(params) == set(form.symbols):
            out.append(name)
    return out


COMPARABLE = _comparable()


def test_many_functions_are_compared():
    assert len(COMPARABLE) >= 30


@pytest.mark.parametrize("name", COMPARABLE)
def test_generated_function_evaluates_the_expression(name):
    sp = pytest.importorskip("sympy")
    form = closed_forms.get(name)
    expr = form.expr
    if isinstance(expr, sp.Equality):
        expr = expr.rhs
    params = list(inspect.signature(form.function).parameters)
    rng = np.random.default_rng(0)
    # a point inside every domain here: positive values in (0.2, 0.6), integer-like depths/sizes >= 2
    values = {p: float(rng.uniform(0.2, 0.6)) for p in params}
    for p in params:
        if p in ("L", "d", "ell", "j"):
            values[p] = 3.0
    got = form.function(*[values[p] for p in params])
    if form.output is not None:
        got = got[form.output]
    subs = {s: values[s.name] for s in expr.free_symbols}
    want = complex(sp.N(expr.subs(subs), 30)) if not isinstance(expr, sp.Tuple) else None
    if want is None:
        want = [complex(sp.N(e.subs(subs), 30)) for e in expr]
        got = list(got)
    # the generated code is a re-arrangement (common subexpressions) of the same expression: agreement
    # to 1e-9 relative leaves ample room for float rounding at these O(1) inputs
    assert np.allclose(np.asarray(got, dtype=complex), np.asarray(want, dtype=complex), rtol=1e-9, atol=1e-12)

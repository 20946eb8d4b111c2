"""DESIGN section 8: the numeric path (theory, simulation, sweeps, figures, generated modules) never
imports SymPy; the facade exposes the public names."""

import subprocess
import sys

import iclsym


def test_numeric_modules_do_not_import_sympy():
    code = (
        "import sys, iclsym\n"
        "import iclsym.theory, iclsym.theory.mp, iclsym.theory.limits, iclsym.theory.optimal\n"
        "import iclsym.simulate, iclsym.commands.eval_, iclsym.commands.simulate\n"
        "import iclsym.sweep, iclsym.commands.sweep, iclsym.commands.figures\n"
        "from iclsym.figures import fig1, fig2, fig3, fig4, report, cost, allowance\n"
        "from iclsym._generated import lemma1, lemma1_mp, ridge, ridge_mp, limits, limits_mp\n"
        "for name in iclsym.__all__: getattr(iclsym, name)\n"
        "import iclsym.cli; iclsym.cli.build_parser()\n"
        "bad = sorted(m for m in sys.modules if m == 'sympy' or m.startswith('sympy.'))\n"
        "assert not bad, bad[:5]\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_facade_names_resolve_to_callables():
    for name in iclsym.__all__:
        if name != "__version__":
            assert callable(getattr(iclsym, name)), name
    assert iclsym.simulate_once.__module__.startswith("iclsym.simulate")

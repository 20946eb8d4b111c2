"""docs/architecture.md: the numeric path (theory, simulation, sweeps, figures, generated modules) never
imports SymPy; the facade exposes the public names."""

import subprocess
import sys

import iclsym


def test_numeric_modules_do_not_import_sympy():
    code = (
        "import sys, iclsym\n"
        "import iclsym.onelayer.theory, iclsym.onelayer.theory.precise, iclsym.onelayer.theory.limits, iclsym.onelayer.theory.optimal\n"
        "import iclsym.onelayer.simulation, iclsym.cli.eval_, iclsym.cli.simulate\n"
        "import iclsym.sweep, iclsym.cli.sweep, iclsym.cli.figures\n"
        "from iclsym.figures.paper1 import fig1, fig2, fig3, fig4\nfrom iclsym.figures import report, cost\nfrom iclsym.onelayer import finite_size\n"
        "from iclsym.onelayer._generated import lemma1, lemma1_mpmath, asymptotic, asymptotic_mpmath, limits, limits_mpmath\n"
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
    assert iclsym.simulate_once.__module__.startswith("iclsym.onelayer.simulation")

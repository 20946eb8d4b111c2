"""DESIGN §8: the numeric path (sweeps, figures) does not import SymPy."""

import subprocess
import sys


def test_sweep_and_figures_do_not_import_sympy():
    code = (
        "import sys, iclsym.sweep, iclsym.commands.sweep, iclsym.commands.figures\n"
        "from iclsym.figures import fig1, fig2, fig3, fig4, report, cost\n"
        "assert 'sympy' not in sys.modules, 'sympy imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)

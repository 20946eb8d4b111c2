"""The paper-2 numeric path (covariances, discrete-spectrum law, alignment theory, simulation, figures, CLI,
generated modules) never imports SymPy, and its public callables pickle by name."""

import pickle
import subprocess
import sys


def test_alignment_modules_do_not_import_sympy():
    code = (
        "import sys\n"
        "import iclsym.core.covariances, iclsym.core.spectra.discrete, iclsym.core.tasks\n"
        "import iclsym.onelayer.theory.alignment, iclsym.onelayer.theory.alignment_precise\n"
        "import iclsym.onelayer.theory.optimal_spectrum\n"
        "import iclsym.onelayer.simulation.structured, iclsym.onelayer.alignment_mc\n"
        "from iclsym.figures.paper2 import fig1, fig2, fig4, fig6, context, optimal, report, settings\n"
        "import iclsym.cli.alignment\n"
        "from iclsym.core._generated import discrete_spectrum, discrete_spectrum_mpmath\n"
        "from iclsym.onelayer._generated import alignment, alignment_mpmath, gaussian_tasks, gaussian_tasks_mpmath\n"
        "bad = sorted(m for m in sys.modules if m == 'sympy' or m.startswith('sympy.'))\n"
        "assert not bad, bad[:5]\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_public_callables_and_task_laws_pickle():
    from iclsym.core.tasks import task_law
    from iclsym.onelayer.simulation.structured import simulate_aligned_once
    from iclsym.onelayer.theory.alignment import alignment_errors

    for obj in (simulate_aligned_once, alignment_errors):
        assert pickle.loads(pickle.dumps(obj)) is obj
    law = task_law("gaussian:powerlaw:0.9")
    assert pickle.loads(pickle.dumps(law)) == law

"""mpmath evaluators at very long contexts (x* -> 0), where the paper's formulas cancel.

The result at ``dps`` digits must agree with the result at ``dps + 40`` digits to ``dps``
digits (relative ``10**(2 - dps)``), for kappa < 1 (atom of R_hat at 0: the worst cancellation),
kappa = 1 and kappa > 1, on both sides of tau = 1 and with lam > 0.
"""

import mpmath
import pytest

from iclsym.onelayer.theory import precise as tmp


@pytest.mark.parametrize("alpha", ["1e6", "1e10", "1e14"])
@pytest.mark.parametrize("tau,kappa,lam", [(0.5, 0.2, 0), (0.5, 1.0, 0), (2.0, 0.5, 0), (0.5, 0.2, 1e-6), (2.0, 3.0, 1e-3)])
def test_precision_is_self_consistent(alpha, tau, kappa, lam):
    dps = 30
    lo = tmp.errors(mpmath.mpf(alpha), tau, kappa, 0.1, lam, dps=dps)
    hi = tmp.errors(mpmath.mpf(alpha), tau, kappa, 0.1, lam, dps=dps + 40)
    for a, b in zip(lo, hi):
        assert mpmath.isfinite(a)
        assert abs(a - b) <= mpmath.mpf(10) ** (2 - dps) * max(abs(b), 1), (a, b)

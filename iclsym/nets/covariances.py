"""Task and token covariance spectra of the experiments (NumPy only: the figures use them without JAX).

All spectra are normalised to trace ``d`` (``tr C / d = 1``), as in every experiment of
Letey et al. (*Pretrain-Test Task Alignment Governs Generalization in In-Context Learning*).
"""

from __future__ import annotations

import numpy as np

from iclsym.core.params import check_size
from iclsym.nets._validate import check_real

__all__ = ["power_law_spectrum", "low_rank_spectrum", "alignment_tests", "ALIGNMENT_POWERS", "ALIGNMENT_RANKS"]

#: test power-law exponents of Letey et al.'s alignment experiment (11 values, 0.4 ... 1.4)
ALIGNMENT_POWERS = tuple(round(0.4 + 0.1 * i, 1) for i in range(11))
#: rank fractions of the flat low-rank test covariances (0.2 ... 1)
ALIGNMENT_RANKS = (0.2, 0.4, 0.6, 0.8, 1.0)


def power_law_spectrum(d: int, p: float) -> tuple:
    """Eigenvalues ``(j+1)^-p``, ``j = 0..d-1``, rescaled to trace ``d``.

    Examples
    --------
    >>> s = power_law_spectrum(4, 1.0); round(sum(s), 12), s[0] > s[-1]
    (4.0, True)
    """
    d = check_size("d", d, minimum=1)
    p = check_real("p", p)
    s = (np.arange(d) + 1.0) ** (-p)
    return tuple(float(v) for v in s * (d / s.sum()))


def low_rank_spectrum(d: int, fraction: float) -> tuple:
    """Flat on the first ``round(fraction d)`` coordinates (at least one), zero elsewhere, trace ``d``.

    Examples
    --------
    >>> low_rank_spectrum(4, 0.5)
    (2.0, 2.0, 0.0, 0.0)
    """
    d = check_size("d", d, minimum=1)
    fraction = check_real("fraction", fraction, minimum=0.0, strict=True, maximum=1.0)
    r = max(1, int(round(fraction * d)))
    return tuple([d / r] * r + [0.0] * (d - r))


def alignment_tests(d: int, train_power: float) -> dict:
    """The test covariances of the alignment experiment, ``name -> spectrum`` (diagonal, trace ``d``).

    ``"pl<p>"``: power laws ``p`` in :data:`ALIGNMENT_POWERS`; ``"lr<f>"``: flat rank fraction
    ``f`` in :data:`ALIGNMENT_RANKS` (``"lr1.0"`` is the identity); ``"train"``: ``C_test = C_train``
    (power law ``train_power``).

    Examples
    --------
    >>> t = alignment_tests(10, 0.9); len(t), list(t)[:2], list(t)[-1]
    (17, ['pl0.4', 'pl0.5'], 'train')
    """
    out = {f"pl{p:g}": power_law_spectrum(d, p) for p in ALIGNMENT_POWERS}
    out.update({f"lr{f:.1f}": low_rank_spectrum(d, f) for f in ALIGNMENT_RANKS})
    out["train"] = power_law_spectrum(d, train_power)
    return out

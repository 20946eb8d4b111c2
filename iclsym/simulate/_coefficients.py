"""Coefficients of the exact finite-``d`` test error (the paper's Lemma 1; DESIGN §3).

Hand-written from the conditional moments of DESIGN §3; the same two functions are
generated symbolically into :mod:`iclsym._generated.lemma1` by ``derivations/lemma1.py``.
:mod:`iclsym.simulate.errors` imports them from this one place only.

With ``Gamma = [G | g]`` and the traces ``T_GR = tr(G R)/d``, ``T_gmu = g.mu/d``,
``T_GG = tr(G G^T)/d``, ``T_GRG = tr(G R G^T)/d``, ``T_gGmu = g^T G mu/d``,
``T_gg = |g|^2/d``, the error over a test-task law with mean ``mu``, second moment ``R``
and (constant) ``sigma2 = |w|^2/d`` is

    e = c0 + c_GR T_GR + c_gmu T_gmu + c_GG T_GG + c_GRG T_GRG + c_gGmu T_gGmu + c_gg T_gg.

Derivation: ``E[(y_{ell+1} - <Gamma, H_Z>)^2 | w, h] = rho + |w - Gamma h|^2/d`` and
``Gamma h = G s + g q``; insert ``E[s|w] = w``, ``E[q|w] = sigma2 + rho``,
``E[s s^T|w] = (d/ell)(sigma2 + rho) I + (1 + 1/ell) w w^T``,
``E[s q|w] = (1 + 2/ell)(sigma2 + rho) w``, ``E[q^2|w] = (1 + 2/ell)(sigma2 + rho)^2`` and
average ``w`` (``E w = mu``, ``E w w^T = R``).
"""

from __future__ import annotations

__all__ = ["error_coefficients", "gaussian_task_correction"]


def error_coefficients(d, ell, rho, sigma2=1.0):
    """The seven coefficients ``(c0, c_GR, c_gmu, c_GG, c_GRG, c_gGmu, c_gg)`` of DESIGN §3.

    Broadcasts over array arguments (e.g. one ``sigma2`` per bank task).

    Examples
    --------
    >>> error_coefficients(10, 5, 0.5)
    (1.5, -2.0, -3.0, 3.0, 1.2, 4.2, 3.15)
    """
    v = sigma2 + rho
    return (
        v * 1.0,
        -2.0,
        -2.0 * v,
        v * d / ell,
        1.0 + 1.0 / ell,
        2.0 * (1.0 + 2.0 / ell) * v,
        (1.0 + 2.0 / ell) * v * v,
    )


def gaussian_task_correction(d, ell, rho):
    """Extra ``c_gg`` for Gaussian tasks ``w ~ N(0, I)`` (``Var(|w|^2/d) = 2/d``; DESIGN §3).

    Adds ``(2/d)(1 + 2/ell)`` to ``c_gg``, i.e. ``(2/d^2)(1 + 2/ell)|g|^2`` to the error
    (independent of ``rho``).

    Examples
    --------
    >>> gaussian_task_correction(10, 2, 0.1)
    0.4
    """
    return 2.0 / d * (1.0 + 2.0 / ell)

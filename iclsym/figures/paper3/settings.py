"""Run settings of the paper-3 figures (deep linear attention): quick, full (paper scale), tiny (tests).

A separate small dataclass (not the papers 1-2 ``Settings``).  ``quick`` keeps every theory curve
and trains fewer, shorter runs at small ``D``; ``full`` uses the paper's sizes; ``tiny`` is for tests.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

__all__ = ["Paper3Settings", "quick", "full", "tiny", "for_mode"]


@dataclass(frozen=True)
class Paper3Settings:
    """Knobs of one paper-3 figure run.

    Attributes
    ----------
    mode : str
        ``"quick"``, ``"full"`` or ``"tiny"``.
    runs : int
        Independent training runs per point.
    D_iso, steps_iso, batch_iso : int, int, float
        ISO training (Fig. 1): dimension, SGD steps, contexts per step per dimension.
    fig1_alphas, fig1_Ls : tuple
        The alpha and depth values of Fig. 1.
    D_fs, steps_fs : int
        FS training (Fig. 3).
    D_rrs, steps_rrs : int
        RRS training (Figs. 4, 8); ``rrs_Ls`` the depths.
    D_mc, n_mc : int
        Monte Carlo points of Fig. 2 (dimension, contexts per run).
    steps_sgd, D_sgd : int
        The L = 1 SGD runs of Fig. 7.
    D_att, steps_att : int
        Full linear attention (Fig. 6).
    dense : int
        Points of each theory curve.
    base_seed : int
        Seed of every job (each job's seed derives from it and its coordinates).
    n_eval : int
        Fresh contexts of the Monte Carlo evaluation of each trained model.

    Examples
    --------
    >>> quick().D_iso, full().D_iso
    (32, 32)
    """

    mode: str
    runs: int
    D_iso: int
    steps_iso: int
    batch_iso: float
    fig1_alphas: tuple
    fig1_Ls: tuple
    D_fs: int
    steps_fs: int
    D_rrs: int
    steps_rrs: int
    rrs_Ls: tuple
    D_mc: int
    n_mc: int
    steps_sgd: int
    D_sgd: int
    D_att: int
    steps_att: int
    dense: int = 300
    base_seed: int = 2510
    n_eval: int = 400

    def replace(self, **changes) -> "Paper3Settings":
        return replace(self, **changes)


def quick() -> Paper3Settings:
    """Small runs: the paper-3 reproduction within about 15 min on 2 cores (see the cost note in
    ``iclsym/figures/paper3/__init__.py``)."""
    return Paper3Settings(mode="quick", runs=1, D_iso=32, steps_iso=500, batch_iso=2.0,
                          fig1_alphas=(0.5, 1.0, 2.0, 4.0), fig1_Ls=(1, 2, 4, 8),
                          D_fs=32, steps_fs=3000, D_rrs=32, steps_rrs=600, rrs_Ls=(1, 2, 4, 8),
                          D_mc=100, n_mc=200, steps_sgd=200, D_sgd=32, D_att=16, steps_att=400,
                          dense=300, n_eval=300)


def full() -> Paper3Settings:
    """The paper's sizes: D = 32 ISO runs with 6,000 steps and B = 512 contexts, FS at D = 128 with
    25,000 steps, RRS at D = 64."""
    return Paper3Settings(mode="full", runs=3, D_iso=32, steps_iso=6000, batch_iso=16.0,
                          fig1_alphas=(0.2, 0.5, 1.0, 2.0, 4.0, 8.0), fig1_Ls=(1, 2, 4, 8, 16),
                          D_fs=128, steps_fs=25_000, D_rrs=64, steps_rrs=5000, rrs_Ls=(1, 2, 4, 8, 16),
                          D_mc=200, n_mc=1000, steps_sgd=1000, D_sgd=64, D_att=32, steps_att=5000,
                          dense=600, n_eval=2000)


def tiny() -> Paper3Settings:
    """Seconds-long settings for tests."""
    return Paper3Settings(mode="tiny", runs=1, D_iso=8, steps_iso=20, batch_iso=1.0,
                          fig1_alphas=(1.0, 2.0), fig1_Ls=(1, 2), D_fs=8, steps_fs=40, D_rrs=8, steps_rrs=20,
                          rrs_Ls=(1, 2), D_mc=8, n_mc=10, steps_sgd=10, D_sgd=8, D_att=4, steps_att=5,
                          dense=40, n_eval=20)


def for_mode(mode: str) -> Paper3Settings:
    """Settings by name.

    Examples
    --------
    >>> for_mode("tiny").mode
    'tiny'
    """
    table = {"quick": quick, "full": full, "tiny": tiny}
    if mode not in table:
        raise ValueError(f"mode must be one of {sorted(table)}; got {mode!r}")
    return table[mode]()

"""Run settings of the paper-2 figures (Letey et al. 2025): quick (minutes), full (the paper's d), tiny (tests).

Theory curves are always at the paper's dimension and parameters (they cost milliseconds); ``quick``
simulates at smaller ``d`` with fewer runs; ``full`` uses the paper's ``d`` (120 for Figs. 1, 2 and the
optimal-pretraining comparison, 80 for Fig. 6, 150 for the test-context figure) and 10 runs.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from iclsym.core.params import check_size

__all__ = ["Settings", "quick", "full", "tiny", "for_mode"]


@dataclass(frozen=True)
class Settings:
    """Knobs of one paper-2 figure run.

    Attributes
    ----------
    mode : str
        ``"quick"``, ``"full"`` or ``"tiny"``.
    d, d_rank, d_context : int
        Simulation dimension of Figs. 1, 2 and the optimal-pretraining figure; of Fig. 6; of the
        test-context figure.
    runs : int
        Independent runs per simulated point.
    sim_kappas : int
        Simulated kappa values of Fig. 1 (the paper: 21 in 0.1 ... 2.1).
    dense : int
        Points of each theory curve.
    base_seed : int
    kind : str
        The job kind (``"aligned"``: :func:`iclsym.onelayer.simulation.structured.simulate_aligned_once`).
    lam_sim : float
        Ridge of the simulations (the paper: 1e-6).

    Examples
    --------
    >>> quick().d, full().d, full().runs
    (40, 120, 10)
    """

    mode: str
    d: int
    d_rank: int
    d_context: int
    runs: int
    sim_kappas: int = 21
    dense: int = 200
    base_seed: int = 2509
    kind: str = "aligned"
    lam_sim: float = 1e-6

    def __post_init__(self):
        for name in ("d", "d_rank", "d_context"):
            check_size(name, getattr(self, name), minimum=4)
        for name in ("runs", "sim_kappas", "dense"):
            check_size(name, getattr(self, name), minimum=1)

    def replace(self, **changes) -> "Settings":
        return replace(self, **changes)

    def jobs(self, d, **coords) -> list:
        """The ``runs`` jobs of one simulated point (seeds from ``base_seed`` and the seeded coordinates).

        >>> [j.run for j in tiny().jobs(8, alpha=1.0, tau=2.0, kappa=0.5, rho=0.01, lam=1e-6)]
        [0, 1]
        """
        from iclsym.sweep.grids import Job

        return [Job.of(self.kind, d=d, run=r, base_seed=self.base_seed, **coords) for r in range(self.runs)]


def quick() -> Settings:
    """Reduced ``d`` and runs: minutes on 2 cores."""
    return Settings(mode="quick", d=40, d_rank=32, d_context=40, runs=3, sim_kappas=11, dense=200)


def full() -> Settings:
    """The paper's dimensions, 10 runs per point, every simulated kappa of Fig. 1."""
    return Settings(mode="full", d=120, d_rank=80, d_context=150, runs=10, sim_kappas=21, dense=400)


def tiny() -> Settings:
    """Seconds, for tests."""
    return Settings(mode="tiny", d=8, d_rank=8, d_context=8, runs=2, sim_kappas=3, dense=30)


def for_mode(mode: str) -> Settings:
    """Settings by name.

    >>> for_mode("full").d_rank
    80
    """
    table = {"quick": quick, "full": full, "tiny": tiny}
    if mode not in table:
        raise ValueError(f"mode must be one of {sorted(table)}; got {mode!r}")
    return table[mode]()

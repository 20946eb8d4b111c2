"""Run settings of the figure reproduction: quick (minutes on a laptop), full (paper scale), tiny (tests).

docs/onelayer/figures.md gives the paper's parameters (all figures at ``d = 100``, 10 runs).  ``quick``
keeps every theory curve but simulates at a smaller ``d`` with fewer runs and, where a point
is expensive, fewer points; ``full`` is the paper's setting; ``tiny`` is for tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from iclsym.core.params import check_size

__all__ = ["Settings", "quick", "full", "tiny", "for_mode", "extrapolated"]


@dataclass(frozen=True)
class Settings:
    """Knobs of one figure run.

    Attributes
    ----------
    mode : str
        ``"quick"``, ``"full"`` or ``"tiny"`` (shown in titles and the report).
    d, runs : int
        Dimension and independent runs of each linear-attention simulation point.
    d_dmmse, runs_dmmse, n_test : int
        Dimension, runs and test contexts per run of each dMMSE point (Fig. 4).
    dmmse_kappas : int
        How many log-spaced kappa in [0.08, 96] get a dMMSE point (paper: 31).
    reduced : bool
        Simulate a subset of the figure table's points where they are expensive.
    dense : int
        Points of each theory curve.
    phase_grid : int
        Grid points per axis of the Fig. 3 phase diagrams.
    base_seed : int
        Seed of every sweep (seeds of jobs derive from it and their coordinates).
    ridge_kind, dmmse_kind : str
        Job kinds that simulate linear attention and the dMMSE baseline.
    extrapolate_d, extrapolate_runs : tuple of int
        Extrapolated mode (:func:`extrapolated`): every linear-attention point is simulated at each
        of these sizes with the matching number of runs and extrapolated to ``d = inf``
        (:mod:`iclsym.figures.extrapolated`); empty: one size ``d``.

    Examples
    --------
    >>> quick().d, full().d, full().runs
    (48, 100, 10)
    """

    mode: str
    d: int
    runs: int
    d_dmmse: int
    runs_dmmse: int
    n_test: int
    dmmse_kappas: int = 31
    reduced: bool = False
    dense: int = 400
    phase_grid: int = 81
    base_seed: int = 2405
    ridge_kind: str = "ridge"
    dmmse_kind: str = "dmmse"
    job_options: dict = field(default_factory=dict)
    extrapolate_d: tuple = ()
    extrapolate_runs: tuple = ()

    def __post_init__(self):
        if len(self.extrapolate_d) != len(self.extrapolate_runs):
            raise ValueError(f"extrapolate_runs must give one number per extrapolate_d ({len(self.extrapolate_d)}); "
                             f"got {len(self.extrapolate_runs)}")
        for name in ("d", "d_dmmse"):
            check_size(name, getattr(self, name), minimum=2)
        for name in ("runs", "runs_dmmse", "n_test", "dmmse_kappas", "dense", "phase_grid"):
            check_size(name, getattr(self, name), minimum=1)

    def replace(self, **changes) -> "Settings":
        return replace(self, **changes)

    def ridge_jobs(self, alpha, tau, kappa, rho, lam) -> list:
        """The ``runs`` linear-attention jobs of one simulated point (``d``, seeds and options from here).

        Examples
        --------
        >>> [j.run for j in tiny().ridge_jobs(1.0, 2.0, 0.5, 0.01, 1e-5)]
        [0, 1]
        """
        from iclsym.sweep.grids import Job

        sizes = tuple(zip(self.extrapolate_d, self.extrapolate_runs)) or ((self.d, self.runs),)
        return [Job.of(self.ridge_kind, alpha=alpha, tau=tau, kappa=kappa, rho=rho, lam=lam, d=d, run=r,
                       base_seed=self.base_seed, **self.job_options) for d, runs in sizes for r in range(runs)]


def quick() -> Settings:
    """Reduced ``d`` and runs: the whole reproduction in minutes on 2 cores (``iclsym figures --quick``
    prints its own wall time)."""
    return Settings(mode="quick", d=48, runs=3, d_dmmse=48, runs_dmmse=3, n_test=200, dmmse_kappas=16,
                    reduced=True, dense=300, phase_grid=81)


def full() -> Settings:
    """The paper's setting: ``d = 100``, 10 runs, every point of the figure table."""
    return Settings(mode="full", d=100, runs=10, d_dmmse=100, runs_dmmse=10, n_test=1000, dmmse_kappas=31,
                    reduced=False, dense=600, phase_grid=121)


def tiny() -> Settings:
    """A seconds-long setting for tests (tiny ``d``, one or two runs, few points)."""
    return Settings(mode="tiny", d=8, runs=2, d_dmmse=8, runs_dmmse=1, n_test=20, dmmse_kappas=4,
                    reduced=True, dense=60, phase_grid=9)


def for_mode(mode: str) -> Settings:
    """Settings by name.

    Examples
    --------
    >>> for_mode("quick").mode
    'quick'
    """
    table = {"quick": quick, "full": full, "tiny": tiny}
    if mode not in table:
        raise ValueError(f"mode must be one of {sorted(table)}; got {mode!r}")
    return table[mode]()


def extrapolated(settings: Settings, d, runs) -> Settings:
    """``settings`` in extrapolated mode: every linear-attention point at each size of ``d``.

    ``runs`` is one number or one per size. The single-size comparison (and its allowance) is
    made at the largest size, with its runs.

    Examples
    --------
    >>> s = extrapolated(tiny(), (6, 8), (3, 2))
    >>> s.d, s.runs, [(j.d, j.run) for j in s.ridge_jobs(1.0, 2.0, 0.5, 0.01, 1e-5)]
    (8, 2, [(6, 0), (6, 1), (6, 2), (8, 0), (8, 1)])
    """
    from iclsym.onelayer.extrapolation import parse_runs

    d = tuple(check_size("d", x, minimum=2) for x in d)
    if len(set(d)) != len(d) or len(d) < 2:
        raise ValueError(f"extrapolate needs at least two distinct sizes; got {list(d)}")
    d, runs = zip(*sorted(zip(d, parse_runs(runs, d))))
    return settings.replace(extrapolate_d=d, extrapolate_runs=runs, d=d[-1], runs=runs[-1])

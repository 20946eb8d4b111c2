"""Grids and training budgets of the trained-network figures: quick (CPU), full (the papers' sizes), tiny (tests).

Imports neither NumPy nor JAX.  ``quick`` keeps every experiment at CPU scale (``d`` in {8, 12, 16, 20}
for the threshold fit) with a shorter, faster training recipe than the authors' (AdamW at a
larger learning rate for a few thousand steps instead of ``lr = 1e-4`` for ``10^5`` steps); the
thresholds it measures are thresholds *at that training budget*.  ``full`` is the papers' setting
(the authors' recipe and sizes), for a GPU or a Dask cluster.

Paper 1 (Lu et al.): Fig. 5 ``alpha = 1``, ``kappa = inf``, ``rho = 0.01``, ``d`` in {20, 40, 80};
Fig. 6 ``alpha = 1``, ``tau = 10``, ``rho = 0.01``.  Paper 2 (Letey et al.): Fig. 3 ``d = 20``,
``alpha = 2``, ``tau = 4``, power law 0.9, ``kappa`` in {0.2, 0.5, 1, 2, 10}.  Paper 3 (Bordelon
et al.): Figs. 6c and 9 ``d = 64``, width 128, 128 context pairs, 20,000 steps, ``L`` in {1, 2, 4, 8, 16}.

Paper 2's Fig. 3 (``quick`` and ``full``) trains on fresh contexts (new tokens and noise every step, tasks from the
fixed bank of ``k = kappa d``), the sampling of the authors' public script: on a fixed set of
``n = 4 d^2`` contexts the transformer (about ``12 d^2`` parameters) interpolates its labels and its ICL
error measures memorisation, not alignment (``docs/nets.md``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

__all__ = ["Train", "NetSettings", "quick", "full", "tiny", "for_mode", "of"]


@dataclass(frozen=True)
class Train:
    """A training budget: AdamW steps, learning rate, minibatch fraction, schedule."""

    steps: int
    lr: float
    batch_frac: float = 0.1
    schedule: str = "constant"

    def coords(self) -> dict:
        return {"steps": self.steps, "lr": self.lr, "batch_frac": self.batch_frac, "schedule": self.schedule}


@dataclass(frozen=True)
class NetSettings:
    """Knobs of the trained-network figures (one instance per mode).

    Examples
    --------
    >>> s = quick(); s.fig5_d, s.fig5_archs
    ((8, 12, 16, 20), ('full_linear', 'softmax', 'softmax2_mlp'))
    """

    mode: str
    n_test: int
    # paper 1, Fig. 5
    fig5_d: tuple
    fig5_archs: tuple
    fig5_taus: dict
    fig5_runs: dict
    fig5_train: dict
    # paper 1, Fig. 6
    fig6_d: tuple
    fig6_kappas: tuple
    fig6_tau: float
    fig6_arch: str
    fig6_runs: int
    fig6_train: Train
    # paper 2, Fig. 3
    p2_d: int
    p2_arch: str
    p2_kappas: tuple
    p2_runs: int
    p2_train: Train
    # paper 3, Figs. 6c and 9
    p3_d: int
    p3_width: int
    p3_alpha: float
    p3_queries: int
    p3_batch: int
    p3_depths: tuple
    p3_steps: int
    p3_lr: float
    p3_evals: int
    p3_runs: int
    #: paper 2, Fig. 3: pretraining contexts "fixed" (n = tau d^2, reused) or "fresh" (new every step, bank tasks)
    p2_contexts: str = "fixed"
    base_seed: int = 2405
    alpha: float = 1.0
    rho: float = 0.01
    extra: dict = field(default_factory=dict)

    def replace(self, **changes) -> "NetSettings":
        return replace(self, **changes)


_LIN_TAUS = (0.5, 0.7, 0.85, 1.0, 1.1, 1.2, 1.35, 1.5, 2.0, 3.0)
_SM_TAUS = (0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0)
_SM2_TAUS = (0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0)


def quick() -> NetSettings:
    """CPU scale: Figs. 5-6 of paper 1 in <= 20 min on 2 cores (see ``benchmarks/nets.py``).

    Paper 2's Fig. 3: ``d = 12``, 3000 steps, fresh contexts over the fixed task bank (about 3 min on one core).

    Examples
    --------
    >>> s = quick(); s.p2_d, s.p2_contexts, s.p2_train.steps
    (12, 'fresh', 3000)
    """
    return NetSettings(
        mode="quick", n_test=1000,
        fig5_d=(8, 12, 16, 20), fig5_archs=("full_linear", "softmax", "softmax2_mlp"),
        fig5_taus={"full_linear": _LIN_TAUS, "softmax": _SM_TAUS, "softmax2_mlp": _SM2_TAUS},
        fig5_runs={"full_linear": 3, "softmax": 2, "softmax2_mlp": 2},
        fig5_train={"full_linear": Train(8000, 3e-3), "softmax": Train(3000, 3e-3), "softmax2_mlp": Train(3000, 3e-3)},
        fig6_d=(8, 12, 16), fig6_kappas=(0.25, 0.5, 1.0, 2.0, 4.0), fig6_tau=10.0, fig6_arch="softmax2_mlp",
        fig6_runs=2, fig6_train=Train(3000, 3e-3),
        p2_d=12, p2_arch="softmax2_gelu", p2_kappas=(0.2, 0.5, 1.0, 2.0, 10.0), p2_runs=2, p2_train=Train(3000, 3e-3),
        p2_contexts="fresh",
        p3_d=16, p3_width=32, p3_alpha=2.0, p3_queries=8, p3_batch=64, p3_depths=(1, 2, 4, 8), p3_steps=2000,
        p3_lr=1e-3, p3_evals=10, p3_runs=2,
    )


def full() -> NetSettings:
    """The papers' sizes and the authors' recipe (AdamW, ``lr = 1e-4``, batch 10 %, ``10^5`` steps)."""
    recipe = Train(100_000, 1e-4)
    lin = (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.0, 1.05, 1.1, 1.15, 1.2, 1.25, 1.3, 1.35,
           1.4, 1.45, 1.5, 2.0, 2.5, 3.0, 5.0)
    sm = tuple(round(0.1 * i, 1) for i in range(1, 62))
    sm2 = tuple([round(0.5 + 0.1 * i, 1) for i in range(61)] + [6.75, 7.0, 7.5, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0,
                                                                   15.0])
    return NetSettings(
        mode="full", n_test=1000,
        fig5_d=(20, 40, 80), fig5_archs=("full_linear", "softmax", "softmax2_mlp", "softmax3_mlp"),
        fig5_taus={"full_linear": lin, "softmax": sm, "softmax2_mlp": sm2, "softmax3_mlp": sm2},
        fig5_runs={"full_linear": 5, "softmax": 5, "softmax2_mlp": 5, "softmax3_mlp": 5},
        fig5_train={a: recipe for a in ("full_linear", "softmax", "softmax2_mlp", "softmax3_mlp")},
        fig6_d=(20, 40, 80), fig6_kappas=(0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.5), fig6_tau=10.0,
        fig6_arch="softmax2_mlp", fig6_runs=5, fig6_train=recipe,
        p2_d=20, p2_arch="softmax2_gelu", p2_kappas=(0.2, 0.5, 1.0, 2.0, 10.0), p2_runs=5, p2_train=recipe,
        p2_contexts="fresh",
        p3_d=64, p3_width=128, p3_alpha=2.0, p3_queries=32, p3_batch=512, p3_depths=(1, 2, 4, 8, 16),
        p3_steps=20_000, p3_lr=1e-3, p3_evals=40, p3_runs=3,
    )


def tiny() -> NetSettings:
    """Seconds-long grids for tests."""
    t = Train(200, 1e-2)
    return NetSettings(
        mode="tiny", n_test=50,
        fig5_d=(4, 5, 6), fig5_archs=("full_linear",), fig5_taus={"full_linear": (0.5, 1.0, 2.0)},
        fig5_runs={"full_linear": 2}, fig5_train={"full_linear": t},
        fig6_d=(4, 5), fig6_kappas=(0.5, 2.0), fig6_tau=2.0, fig6_arch="full_linear", fig6_runs=1, fig6_train=t,
        p2_d=4, p2_arch="full_linear", p2_kappas=(0.5, 2.0), p2_runs=1, p2_train=t,
        p3_d=4, p3_width=8, p3_alpha=2.0, p3_queries=2, p3_batch=8, p3_depths=(1, 2), p3_steps=40, p3_lr=1e-2,
        p3_evals=2, p3_runs=1,
    )


def for_mode(mode: str) -> NetSettings:
    """Settings by name.

    Examples
    --------
    >>> for_mode("full").fig5_d
    (20, 40, 80)
    """
    table = {"quick": quick, "full": full, "tiny": tiny}
    if mode not in table:
        raise ValueError(f"mode must be one of {sorted(table)}; got {mode!r}")
    return table[mode]()


def of(settings) -> NetSettings:
    """The trained-network settings matching a figure run's settings (anything with a ``mode``), or itself.

    Examples
    --------
    >>> from iclsym.figures.settings import quick as figure_quick
    >>> of(figure_quick()).mode, of(tiny()).mode
    ('quick', 'tiny')
    """
    if isinstance(settings, NetSettings):
        return settings
    if isinstance(settings, str):
        return for_mode(settings)
    return for_mode(getattr(settings, "mode"))

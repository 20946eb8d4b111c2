"""Paper 3, Fig. 7 (appendix): ``L = 1`` online SGD on ISO data.

The plotted quantity is ``||Gamma - I||_F^2/D`` -- what the paper calls the loss of its ``L = 1``
SGD result (not the ICL risk).  Three panels vary contexts per step (``batch = B/D``), context
length (``alpha = P/D``) and queries (``queries = K/D``) over ``{0.1, 0.2, 0.4, 0.8, 1.6}``, the
others at 1.  Lines: the leading-order recursion (:func:`iclsym.deep.iso.sgd_l1_dist_identity`);
points: SGD (step ``eta D`` with ``eta = 0.02``).
"""

from __future__ import annotations

import numpy as np

from iclsym.figures.paper3.common import deep_job, histories

__all__ = ["jobs", "points", "plot", "PARAMS"]

KIND = "deep_train"
PARAMS = {"values": (0.1, 0.2, 0.4, 0.8, 1.6), "eta": 0.02, "vary": ("batch", "alpha", "queries")}


def _cases():
    out = []
    for name in PARAMS["vary"]:
        for v in PARAMS["values"]:
            c = {"batch": 1.0, "alpha": 1.0, "queries": 1.0}
            c[name] = v
            out.append((name, c))
    return out


def _coords(s, c):
    return dict(setting="iso", L=1, D=s.D_sgd, steps=s.steps_sgd, lr=PARAMS["eta"], decay=0.0,
                record=max(1, s.steps_sgd // 40), n_eval=0, **c)


def jobs(settings) -> list:
    """One SGD run per value per panel (duplicates of the all-ones point are shared).

    Examples
    --------
    >>> from iclsym.figures.paper3.settings import tiny
    >>> len(jobs(tiny()))
    15
    """
    out = [deep_job(KIND, _coords(settings, c), run=r, base_seed=settings.base_seed)
           for _, c in _cases() for r in range(settings.runs)]
    return list(dict.fromkeys(out))  # jobs are hashable values: duplicates collapse, order kept


def _hist(store, s, c):
    return histories(store, KIND, setting="iso", L=1, D=s.D_sgd, steps=s.steps_sgd, lr=PARAMS["eta"], **c)


def points(store, settings) -> list[dict]:
    """Final ``||Gamma - I||^2/D`` vs the recursion.

    Examples
    --------
    >>> from iclsym.sweep import ResultStore
    >>> from iclsym.figures.paper3.settings import tiny
    >>> points(ResultStore(":memory:"), tiny())
    []
    """
    from iclsym.deep.iso import sgd_l1_dist_identity

    out = []
    for name, c in _cases():
        hs = _hist(store, settings, c)
        if not hs:
            continue
        m = float(np.mean([h["dist_I"][-1] for h in hs]))
        th = float(sgd_l1_dist_identity(settings.steps_sgd, PARAMS["eta"], c["alpha"], c["batch"], c["queries"])[-1])
        out.append({"figure": "3.7", "panel": name, **c, "D": settings.D_sgd, "measured": m, "theory": th,
                    "rel_gap": (m - th) / th})
    return out


def plot(store, settings, out_dir) -> list:
    """Draw Fig. 7 to ``out_dir/p3_fig7.png``/``.pdf``."""
    import matplotlib

    from iclsym.deep.iso import sgd_l1_dist_identity
    from iclsym.figures.common import new_figure, save

    s = settings
    cmap = matplotlib.colormaps["viridis"]
    fig, axes = new_figure(3)
    steps = np.arange(s.steps_sgd + 1)
    for ax, name in zip(axes, PARAMS["vary"]):
        for i, (nm, c) in enumerate([x for x in _cases() if x[0] == name]):
            col = cmap(i / len(PARAMS["values"]))
            d = sgd_l1_dist_identity(s.steps_sgd, PARAMS["eta"], c["alpha"], c["batch"], c["queries"])
            ax.plot(steps[1:], d[1:], color=col, lw=1.4, label=f"{name} = {c[name]:g}")
            for h in _hist(store, s, c)[:1]:
                ax.plot(h["step"][1:], h["dist_I"][1:], "o", color=col, ms=3)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("SGD step")
        ax.set_ylabel(r"$\|\Gamma - I\|_F^2 / D$")
        ax.set_title(f"vary {name} (others 1); eta = {PARAMS['eta']:g}", fontsize=9)
        ax.legend(fontsize=7)
    fig.suptitle(f"Paper 3 Fig. 7  L = 1 online SGD, D = {s.D_sgd} (lines: recursion; points: SGD)", fontsize=10)
    return save(fig, out_dir, "p3_fig7")

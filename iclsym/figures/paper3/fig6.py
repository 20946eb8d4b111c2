"""Paper 3, Fig. 6 (a, b): full linear attention (``W_x, W_q, W_k, W_v`` trained) follows the
``gamma = w^5`` theory.

* A -- ISO, ``alpha = 1``, ``L = 1``: SGD-trained network (points) vs the ``gamma = w^5`` flow;
* B -- RRS power law (``nu = 1.5``, ``beta = 1.25``), ``L = 4``: the same, with the ``L = inf``
  time law ``t^(-5 beta/(5 beta + 2))`` (dashed).  The network is trained at finite context
  (``alpha = 4``), the theory line is ``alpha = inf``.

Time map ``t = steps lr (2 sqrt(D))^(2/5)/10`` from the balanced initialisation
(:func:`iclsym.deep.attention.flow_time`).  Needs JAX and optax (extra ``nets``); without them the
jobs fail and the panels show theory only.  (Softmax attention, the paper's Fig. 6c, is not
part of this linear theory.)
"""

from __future__ import annotations

import numpy as np

from iclsym.figures.paper3.common import deep_job, histories

__all__ = ["jobs", "points", "plot", "PARAMS"]

KIND = "deep_attention"
PARAMS = {"A": dict(setting="iso", alpha=1.0, L=1, nu=1.5, beta=1.0, batch=8.0),
          "B": dict(setting="rrs", alpha=4.0, L=4, nu=1.5, beta=1.25, batch=4.0), "scale": 0.35, "lr": 0.02}


def _coords(s, panel):
    p = PARAMS[panel]
    return dict(setting=p["setting"], alpha=p["alpha"], L=p["L"], D=s.D_att, steps=s.steps_att, batch=p["batch"],
                lr=PARAMS["lr"], queries=1.0, nu=p["nu"], beta=p["beta"], scale=PARAMS["scale"],
                record=max(1, s.steps_att // 30))


def jobs(settings) -> list:
    """Two training jobs (panels A and B), ``runs`` each.

    Examples
    --------
    >>> from iclsym.figures.paper3.settings import tiny
    >>> len(jobs(tiny()))
    2
    """
    return [deep_job(KIND, _coords(settings, p), run=r, base_seed=settings.base_seed)
            for p in ("A", "B") for r in range(settings.runs)]


def _theory(panel, s, t):
    from iclsym.deep.attention import flow_w0
    from iclsym.deep.data import power_law_spectrum
    from iclsym.deep.dynamics import full_attention_flow

    p = PARAMS[panel]
    w0 = flow_w0(PARAMS["scale"], s.D_att)
    if p["setting"] == "iso":
        return full_attention_flow(t, "iso", alpha=p["alpha"], L=p["L"], w0=w0)
    lam, om = power_law_spectrum(s.D_att, p["nu"], p["beta"])
    return full_attention_flow(t, "rrs", L=p["L"], lam=lam, omega=om, w0=w0)


def _hist(store, s, panel):
    p = PARAMS[panel]
    return histories(store, KIND, setting=p["setting"], D=s.D_att, steps=s.steps_att, alpha=p["alpha"])


def points(store, settings) -> list[dict]:
    """Trained ``gamma`` and loss at the end vs the ``gamma = w^5`` flow at the same time.

    Examples
    --------
    >>> from iclsym.sweep import ResultStore
    >>> from iclsym.figures.paper3.settings import tiny
    >>> points(ResultStore(":memory:"), tiny())
    []
    """
    from iclsym.deep.attention import flow_time

    out = []
    for panel in ("A", "B"):
        hs = _hist(store, settings, panel)
        if not hs:
            continue
        st = hs[0]["step"]
        t = flow_time(np.array([0.0, st[-1]]), PARAMS["lr"], settings.D_att)
        g, R = _theory(panel, settings, t)
        m = float(np.mean([h["gamma"][-1] for h in hs]))
        out.append({"figure": "3.6", "panel": panel, "field": "gamma", "measured": m, "theory": float(g[-1]),
                    "rel_gap": (m - float(g[-1])) / float(g[-1])})
    return out


def plot(store, settings, out_dir) -> list:
    """Draw Fig. 6 (a, b) to ``out_dir/p3_fig6.png``/``.pdf``."""
    from iclsym.deep.attention import flow_time
    from iclsym.deep.exponents import exponents
    from iclsym.figures.common import new_figure, save

    s = settings
    fig, axes = new_figure(2)
    T = flow_time(s.steps_att, PARAMS["lr"], s.D_att)
    t = np.concatenate([[0.0], np.geomspace(T / 1e3, T * 3, s.dense // 2)])
    for ax, panel in zip(axes, ("A", "B")):
        g, R = _theory(panel, s, t)
        ax.plot(t[1:], R[1:], "k-", lw=1.4, label=r"theory $\gamma = w^5$")
        for h in _hist(store, s, panel)[:1]:
            st = np.asarray(h["step"][1:])
            ax.plot(flow_time(st, PARAMS["lr"], s.D_att), h["risk"][1:], "o", color="tab:red", ms=3,
                    label="trained network")
        p = PARAMS[panel]
        if panel == "B":
            e = exponents(p["nu"], p["beta"])["full_attention_time"]
            j = len(t) * 3 // 4
            ax.plot(t[1:], R[j] * (t[1:] / t[j]) ** -e, "b--", lw=1, label=rf"$t^{{-{e:.3f}}}$")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("time $t$")
        ax.set_ylabel("excess risk")
        ax.set_title(f"{panel}: {p['setting'].upper()}, alpha = {p['alpha']:g}, L = {p['L']}", fontsize=9)
        ax.legend(fontsize=7)
    fig.suptitle(f"Paper 3 Fig. 6a-b  full linear attention, D = {s.D_att} ({s.mode})", fontsize=10)
    return save(fig, out_dir, "p3_fig6")

"""``iclsym depth``: deep linear attention (Bordelon, Letey, Pehlevan) -- risks, optimal steps, exponents.

Sub-commands:

* ``risk --setting {iso,fs,rrs} --alpha A --L L [--sigma2 S] (--gamma G | --optimal)
  [--nu NU --beta B --D D] [--json]`` -- excess risk (1 at ``gamma = 0``) of ``L`` steps of
  in-context GD.  ``iso`` is the ``D -> inf`` limit with ``Omega = I/D``; ``fs``/``rrs`` use the
  power-law spectrum of ``D`` modes (``lam_k = k^-nu``, ``omega_k lam_k ∝ k^(-nu beta - 1)``,
  ``sum omega lam = 1``) and, at finite ``alpha``, ``P = alpha D`` samples per context.
  ``alpha`` may be ``inf``.  ``--gamma`` is a scalar step (``Gamma = gamma I``); ``--optimal``
  minimises over it (for ``fs`` at ``alpha = inf`` the optimum is the matrix ``L Sigma^-1`` with
  zero risk: ``gamma`` is then ``null``).  JSON keys: ``risk``, ``gamma`` (plus the inputs).
* ``exponents --nu NU --beta B [--json]`` -- decay exponents ``fs_time, rrs_time, depth, width,
  context, full_attention_time, compute`` (the last for ``C = t P^2 N^2 L`` at fixed context).
"""

from __future__ import annotations

import json
import math

HELP = "deep linear attention (paper 3): risk of L-step in-context GD, optimal step, scaling exponents"

MAX_L = 100_000
MAX_D = 20_000


def add_arguments(p):
    sub = p.add_subparsers(dest="depth_command", metavar="SUBCOMMAND")
    sub.required = True
    r = sub.add_parser("risk", help="excess risk of L GD steps (ISO, FS or RRS)")
    r.add_argument("--setting", required=True, help="iso, fs or rrs")
    r.add_argument("--alpha", required=True, help="context pairs per dimension P/D (> 0; 'inf' allowed)")
    r.add_argument("--L", required=True, help="depth (integer >= 1)")
    r.add_argument("--sigma2", default="0", help="label-noise variance (>= 0; default 0)")
    g = r.add_mutually_exclusive_group(required=True)
    g.add_argument("--gamma", default=None, help="scalar step, Gamma = gamma I (>= 0)")
    g.add_argument("--optimal", action="store_true", help="minimise the risk over the step")
    r.add_argument("--nu", default="1.5", help="capacity exponent nu of fs/rrs spectra (> 0; default 1.5)")
    r.add_argument("--beta", default="1.0", help="source exponent beta of fs/rrs spectra (> 0; default 1)")
    r.add_argument("--D", default="128", help="number of modes of fs/rrs spectra (integer >= 1; default 128)")
    r.add_argument("--json", action="store_true", help="print JSON")
    e = sub.add_parser("exponents", help="scaling-law decay exponents in nu, beta")
    e.add_argument("--nu", required=True, help="capacity exponent (> 0)")
    e.add_argument("--beta", required=True, help="source exponent (> 0)")
    e.add_argument("--json", action="store_true", help="print JSON")


def _num(flag, text, lo=0.0, lo_open=True, allow_inf=False):
    rng = f"{'>' if lo_open else '>='} {lo:g}" + (" ('inf' allowed)" if allow_inf else " and finite")
    try:
        v = float(text)
    except (TypeError, ValueError):
        raise ValueError(f"{flag} must be a number {rng}; got {text!r}") from None
    bad = math.isnan(v) or (v <= lo if lo_open else v < lo) or (math.isinf(v) and not allow_inf)
    if bad:
        raise ValueError(f"{flag} must be a number {rng}; got {text!r}")
    return v


def _int(flag, text, lo, hi):
    try:
        v = float(text)
        ok = v.is_integer() and lo <= v <= hi
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ValueError(f"{flag} must be an integer in [{lo}, {hi}]; got {text!r}")
    return int(v)


def risk_value(setting, alpha, L, sigma2=0.0, gamma=None, nu=1.5, beta=1.0, D=128) -> dict:
    """The ``risk`` sub-command as a function: ``{"risk", "gamma"}`` (``gamma`` may be ``None``).

    Examples
    --------
    >>> risk_value("iso", 1.0, 1, gamma=None)
    {'risk': 0.5, 'gamma': 0.5}
    >>> round(risk_value("rrs", float("inf"), 1, gamma=0.0, D=16)["risk"], 12)
    1.0
    """
    from iclsym.deep import iso, structured
    from iclsym.deep.data import power_law_spectrum

    if setting == "iso":
        if gamma is None:
            g, r = iso.iso_optimal(alpha, L, sigma2)
            return {"risk": float(r), "gamma": float(g)}
        return {"risk": float(iso.iso_risk(gamma, alpha, L, sigma2)), "gamma": float(gamma)}
    lam, omega = power_law_spectrum(D, nu, beta)
    if gamma is not None:
        return {"risk": float(structured.rrs_risk(gamma, alpha, lam, omega, L, sigma2)), "gamma": float(gamma)}
    if math.isinf(alpha):
        if setting == "fs":
            return {"risk": 0.0, "gamma": None}
        g, r = structured.rrs_optimal_inf(lam, omega, L)
        return {"risk": r, "gamma": g}
    return _optimal_finite(alpha, lam, omega, L, sigma2)


def _optimal_finite(alpha, lam, omega, L, sigma2):
    """Minimise the finite-alpha RRS contour risk over the scalar step: a grid on
    ``(0, 1.2 * 2L/lam_max]`` (extended while the minimum sits at its top end) and bounded Brent."""
    import numpy as np
    from scipy import optimize

    from iclsym.deep import structured

    f = lambda g: structured.rrs_risk(g, alpha, lam, omega, L, sigma2)  # noqa: E731

    def safe(g):
        try:
            return f(g)
        except structured.ContourError:
            return np.inf

    top = 1.2 * 2.0 * L / lam.max()
    for _ in range(6):
        gs = np.linspace(0.0, top, 41)[1:]
        vals = np.array([safe(g) for g in gs])
        i = int(np.argmin(vals))
        if i < len(gs) - 1 or not np.isfinite(vals[i]):
            break
        top *= 1.5
    if not np.isfinite(vals[i]):
        raise structured.ContourError("finite-alpha RRS contour is ill-conditioned for every step tried; "
                                      "use Monte Carlo (iclsym.deep.montecarlo.mc_risk)")
    lo, hi = (gs[i - 1] if i > 0 else 0.0), gs[min(i + 1, len(gs) - 1)]
    res = optimize.minimize_scalar(safe, bounds=(lo, hi), method="bounded", options={"xatol": 1e-10 * top})
    if res.fun <= vals[i]:
        return {"risk": float(res.fun), "gamma": float(res.x)}
    return {"risk": float(vals[i]), "gamma": float(gs[i])}


def run(args) -> int:
    if args.depth_command == "exponents":
        from iclsym.deep.exponents import exponents

        e = exponents(_num("--nu", args.nu), _num("--beta", args.beta))
        if args.json:
            print(json.dumps(e, indent=2))
        else:
            for k, v in e.items():
                print(f"{k:>20s}  {v:.12g}")
        return 0
    setting = str(args.setting).lower()
    if setting not in ("iso", "fs", "rrs"):
        raise ValueError(f"--setting must be one of iso, fs, rrs; got {args.setting!r}")
    alpha = _num("--alpha", args.alpha, allow_inf=True)
    L = _int("--L", args.L, 1, MAX_L)
    sigma2 = _num("--sigma2", args.sigma2, lo_open=False)
    gamma = None if args.optimal else _num("--gamma", args.gamma, lo_open=False)
    nu, beta = _num("--nu", args.nu), _num("--beta", args.beta)
    D = _int("--D", args.D, 1, MAX_D)
    from iclsym.deep.structured import ContourError

    try:
        out = risk_value(setting, alpha, L, sigma2, gamma, nu, beta, D)
    except ContourError as exc:
        raise ValueError(str(exc)) from None
    rec = {"setting": setting, "alpha": "inf" if math.isinf(alpha) else alpha, "L": L, "sigma2": sigma2}
    if setting != "iso":
        rec.update(nu=nu, beta=beta, D=D)
    rec.update(out)
    if args.json:
        print(json.dumps(rec, indent=2))
    else:
        g = "L Sigma^-1 (matrix)" if out["gamma"] is None else f"{out['gamma']:.12g}"
        print(f"risk   {out['risk']:.12g}\ngamma  {g}")
    return 0

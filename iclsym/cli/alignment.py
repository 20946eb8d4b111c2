"""``iclsym alignment``: the pretrain–test alignment theory at one point (docs/onelayer/alignment.md).

Pretraining tasks ``N(0, C_train)``, test tasks ``N(0, C_test)``, both given by covariance specs
(``identity``, ``powerlaw:0.9``, ``revpowerlaw:0.5``, ``ramp``, ``ramp-asc``, ``spike:0``, ``spike:0:0.5``,
``lowrank:0.5``, ``file:C.npy``; all rescaled to trace ``d``).  Prints ``e_icl, e_scalar, e_misalign, q,
sigma, lambda_tilde`` and the competitor measures ``resolvent, simple, inv_cka`` (NumPy, or mpmath with
``--dps``), as text or ``--json``.
"""

from __future__ import annotations

import json
import math

HELP = "pretrain-test alignment theory at one point: e_icl = e_scalar + e_misalign, q, sigma, lambda_tilde, measures"

#: the printed quantities, in order (JSON keys)
KEYS = ("e_icl", "e_scalar", "e_misalign", "q", "sigma", "lambda_tilde", "resolvent", "simple", "inv_cka")


def add_arguments(p):
    p.add_argument("--train", required=True, help="covariance spec of the pretraining tasks (e.g. powerlaw:0.9)")
    p.add_argument("--test", required=True, help="covariance spec of the test tasks (e.g. spike:0)")
    p.add_argument("--d", required=True, help="dimension (integer >= 2)")
    p.add_argument("--alpha", required=True, help="context length ell/d (> 0)")
    p.add_argument("--tau", required=True, help="pretraining sequences n/d^2 (> 0)")
    p.add_argument("--kappa", required=True, help="task diversity k/d (> 0, 'inf' allowed)")
    p.add_argument("--rho", required=True, help="label-noise variance (>= 0)")
    p.add_argument("--alpha-test", default=None, help="test context length ell_test/d (> 0; default alpha)")
    p.add_argument("--lam", default="0", help="ridge strength (>= 0; default 0: ridgeless, the paper's theory)")
    p.add_argument("--dps", default=None, help="evaluate with mpmath at this many digits (integer >= 15)")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def _param(flag, name, text):
    """A float validated like the theory's ``name``; errors name the flag and its range."""
    from iclsym.core.params import check_param

    try:
        value = float(text)
    except (TypeError, ValueError):
        value = None
    if value is None:
        from iclsym.core.params import RANGES

        raise ValueError(f"--{flag} must be a number with {RANGES[name][3]}; got {text!r}")
    try:
        check_param(name, value)
    except ValueError as exc:
        raise ValueError(f"--{flag}" + str(exc)[len(name):]) from None
    return value


def _integer(flag, text, minimum):
    try:
        value = int(str(text))
    except ValueError:
        value = None
    if value is None or value < minimum:
        raise ValueError(f"--{flag} must be an integer >= {minimum}; got {text!r}")
    return value


def evaluate(args) -> dict:
    """The outputs for parsed arguments (floats, or ``mpmath.mpf`` with ``--dps``; ``None`` where a measure is
    undefined, with the reason in ``notes``)."""
    from iclsym.core.covariances import covariance

    d = _integer("d", args.d, 2)
    alpha = _param("alpha", "alpha", args.alpha)
    tau = _param("tau", "tau", args.tau)
    kappa = _param("kappa", "kappa", args.kappa)
    rho = _param("rho", "rho", args.rho)
    lam = _param("lam", "lam", args.lam)
    alpha_test = None if args.alpha_test is None else _param("alpha-test", "alpha", args.alpha_test)
    dps = None if args.dps is None else _integer("dps", args.dps, 15)
    try:
        train = covariance(args.train, d)
    except ValueError as exc:
        raise ValueError(f"--train: {exc}") from None
    try:
        test = covariance(args.test, d)
    except ValueError as exc:
        raise ValueError(f"--test: {exc}") from None
    from iclsym.onelayer.theory.alignment import evaluate as evaluate_np

    out = evaluate_np(train, test, d, alpha, tau, kappa, rho, lam, alpha_test=alpha_test)
    if dps is not None:
        from iclsym.core.covariances import aligned_spectrum
        from iclsym.onelayer.theory.alignment import compress_spectrum
        from iclsym.onelayer.theory import alignment_precise as P

        values, weights, csum = compress_spectrum(*aligned_spectrum(train, test))
        exact = [args.alpha, args.tau, args.kappa, args.rho, args.lam]
        mp = P.errors(list(values), list(csum), *exact, alpha_test=args.alpha_test, weights=list(weights), dps=dps)
        for k in ("e_icl", "e_scalar", "e_misalign", "q", "sigma", "lambda_tilde", "resolvent", "e_idg"):
            out[k] = mp[k]
    out.update(train=args.train, test=args.test, d=d, alpha=alpha, tau=tau, kappa=kappa, rho=rho, lam=lam,
               alpha_test=alpha if alpha_test is None else alpha_test, dps=dps)
    return out


def _text(v, dps):
    import mpmath

    if v is None:
        return "undefined"
    if isinstance(v, mpmath.mpf):
        return "inf" if mpmath.isinf(v) else mpmath.nstr(v, dps)
    if isinstance(v, float) and math.isinf(v):
        return "inf"
    return f"{v:.17g}" if isinstance(v, float) else str(v)


def run(args) -> int:
    out = evaluate(args)
    dps = out["dps"]
    if args.json:
        record = {k: (None if out[k] is None else (_text(out[k], dps) if dps or (isinstance(out[k], float)
                                                                                 and math.isinf(out[k])) else out[k]))
                  for k in KEYS}
        record.update({k: out[k] for k in ("e_idg", "c_tr", "c_te", "rank_train", "notes")})
        if dps:
            record["e_idg"] = _text(out["e_idg"], dps)
        record["inputs"] = {k: out[k] for k in ("train", "test", "d", "alpha", "tau", "kappa", "rho", "lam",
                                                "alpha_test", "dps")}
        print(json.dumps(record, indent=2, default=lambda v: _text(v, dps)))
        return 0
    print(f"C_train = {out['train']}, C_test = {out['test']}, d = {out['d']}: alpha = {out['alpha']:g}, "
          f"tau = {out['tau']:g}, kappa = {out['kappa']:g}, rho = {out['rho']:g}, lam = {out['lam']:g}, "
          f"alpha_test = {out['alpha_test']:g}" + (f" (mpmath, {dps} digits)" if dps else ""))
    for k in KEYS:
        print(f"{k:>14s}  {_text(out[k], dps)}")
    for note in out["notes"]:
        print(f"note: {note}")
    return 0

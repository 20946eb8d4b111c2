"""Task covariances of Letey et al. (2025): constructors, a compact text spec, and the pair reduction.

Pretraining tasks are ``w ~ N(0, C_train)``, test tasks ``w ~ N(0, C_test)``.  The asymptotic theory
(docs/onelayer/alignment.md) sees the pair only through the eigenvalues ``lam_i`` of ``C_train`` and
the diagonal ``c_i = u_i^T C_test u_i`` of ``C_test`` in ``C_train``'s eigenbasis
(:func:`aligned_spectrum`); the finite-``d`` simulator needs the matrices themselves.

**Trace normalisation.**  Every constructor returns a covariance of trace ``d`` (``tr C/d = 1``, the
normalisation of every experiment of the paper) unless ``trace=`` says otherwise; the shapes below
are rescaled by ``trace / sum(shape)`` in one place, :func:`_normalised`.  Indices run over
``j = 0 ... d-1``:

==================  ==========================================================================
spec                shape (before rescaling to trace ``d``)
==================  ==========================================================================
``identity``        ``1``
``powerlaw:p``      ``(j + 1)^-p``
``revpowerlaw:p``   ``(d - j)^-p``
``ramp``            ``d - j`` (descending: ``d, d-1, ..., 1``)
``ramp-asc``        ``j + 1`` (ascending)
``spike:i``         rank one: ``d`` on index ``i``, 0 elsewhere
``spike:i:f``       spike factor ``f``: ``f`` on every other index, index ``i`` takes the rest
                    (``d - f (d - 1)``); ``f = 0`` is the rank-one spike
``lowrank:f``       flat on the first ``round(f d)`` indices, 0 on the rest (``f = 0.5``: half rank,
                    eigenvalue 2)
``file:PATH``       a ``.npy`` file: a ``d x d`` symmetric PSD matrix, or a length-``d`` vector
                    meaning a diagonal covariance
==================  ==========================================================================

A power law normalised to trace ``d`` changes with ``d`` (there is no limiting spectral density);
the theory is evaluated at the finite-``d`` eigenvalues.  ``C_train`` may be singular.

Examples
--------
>>> C = covariance("spike:0:0.5", 4)
>>> C.diag.tolist(), C.trace
([2.5, 0.5, 0.5, 0.5], 4.0)
>>> lam, c = aligned_spectrum(covariance("ramp", 3), covariance("spike:2", 3))
>>> lam.tolist(), c.tolist()
([1.5, 1.0, 0.5], [0.0, 0.0, 3.0])
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from iclsym.core.params import check_size

__all__ = [
    "Covariance", "COVARIANCE_FORMS", "covariance", "identity", "power_law", "reversed_power_law", "ramp",
    "spike", "low_rank", "from_matrix", "aligned_spectrum",
]

#: the allowed text forms (named in every error message about a spec)
COVARIANCE_FORMS = ("identity", "powerlaw:P", "revpowerlaw:P", "ramp", "ramp-asc", "spike:I", "spike:I:F",
                    "lowrank:F", "file:PATH.npy")
#: relative asymmetry / negativity tolerated in a matrix read from a file (rounding of a saved matrix)
_MATRIX_RTOL = 1e-10


@dataclass(frozen=True, eq=False)
class Covariance:
    """A ``d x d`` task covariance: diagonal (``diag``) or a full symmetric PSD ``matrix``.

    Attributes
    ----------
    spec : str
        The text that names it (``covariance(C.spec, C.d)`` rebuilds it; ``""`` for a matrix given
        directly).
    diag : ndarray or None
        The diagonal, when the covariance is diagonal in the standard basis.
    full : ndarray or None
        The matrix, when it is not known to be diagonal.

    Examples
    --------
    >>> C = identity(3)
    >>> C.d, C.is_diagonal, C.trace, C.matrix().shape
    (3, True, 3.0, (3, 3))
    """

    spec: str
    diag: np.ndarray | None = None
    full: np.ndarray | None = None

    @property
    def d(self) -> int:
        return int(self.diag.shape[0] if self.diag is not None else self.full.shape[0])

    @property
    def is_diagonal(self) -> bool:
        return self.diag is not None

    @property
    def trace(self) -> float:
        return float(self.diag.sum() if self.diag is not None else np.trace(self.full))

    def matrix(self) -> np.ndarray:
        """The ``d x d`` matrix."""
        return np.diag(self.diag) if self.diag is not None else self.full

    def eigh(self):
        """``(eigenvalues, eigenvectors)`` in descending order of eigenvalue; eigenvectors ``None`` when
        diagonal (then the basis is the standard one, and the eigenvalues are the diagonal, unsorted)."""
        if self.diag is not None:
            return self.diag, None
        vals, vecs = np.linalg.eigh(self.full)
        vals, vecs = vals[::-1], vecs[:, ::-1]
        return np.maximum(vals, 0.0), vecs

    def sqrt(self) -> np.ndarray:
        """A factor ``B`` with ``B B^T = C`` (row vector convention: ``w = z @ B.T`` for ``z ~ N(0, I)``);
        a vector (the square-root diagonal) when diagonal."""
        if self.diag is not None:
            return np.sqrt(self.diag)
        vals, vecs = self.eigh()
        return vecs * np.sqrt(vals)

    def rank(self) -> int:
        """Number of eigenvalues above ``d * eps * max`` (a singular ``C_train`` is allowed)."""
        vals, _ = self.eigh()
        top = float(np.max(vals)) if vals.size else 0.0
        return int(np.count_nonzero(vals > self.d * np.finfo(float).eps * top))

    def __repr__(self):
        return f"Covariance({self.spec!r}, d={self.d})" if self.spec else f"Covariance(<matrix>, d={self.d})"


def _trace(d: int, trace) -> float:
    if trace is None:
        return float(d)
    t = float(trace)
    if not (math.isfinite(t) and t > 0):
        raise ValueError(f"trace must be a positive finite number; got {trace!r}")
    return t


def _normalised(spec: str, shape, d: int, trace) -> Covariance:
    """The one place a shape is rescaled: ``shape * trace / sum(shape)`` (default ``trace = d``)."""
    shape = np.asarray(shape, dtype=np.float64)
    return Covariance(spec, diag=shape * (_trace(d, trace) / shape.sum()))


def identity(d: int, trace=None) -> Covariance:
    """``I`` (times ``trace/d``).

    >>> identity(2).diag.tolist()
    [1.0, 1.0]
    """
    d = check_size("d", d, minimum=1)
    return _normalised("identity", np.ones(d), d, trace)


def _exponent(p) -> float:
    p = float(p)
    if not math.isfinite(p):
        raise ValueError(f"power-law exponent must be a finite number; got {p!r}")
    return p


def power_law(d: int, p: float, trace=None) -> Covariance:
    """``diag((j + 1)^-p)``, ``j = 0 ... d-1``, rescaled to trace ``d``.

    >>> [round(float(v), 6) for v in power_law(3, 1.0).diag]
    [1.636364, 0.818182, 0.545455]
    """
    d = check_size("d", d, minimum=1)
    p = _exponent(p)
    return _normalised(f"powerlaw:{p:g}", np.arange(1, d + 1, dtype=float) ** -p, d, trace)


def reversed_power_law(d: int, p: float, trace=None) -> Covariance:
    """``diag((d - j)^-p)``: the power law with the order reversed (weakest direction first).

    >>> bool(np.allclose(reversed_power_law(4, 0.5).diag, power_law(4, 0.5).diag[::-1]))
    True
    """
    d = check_size("d", d, minimum=1)
    p = _exponent(p)
    return _normalised(f"revpowerlaw:{p:g}", np.arange(d, 0, -1, dtype=float) ** -p, d, trace)


def ramp(d: int, ascending: bool = False, trace=None) -> Covariance:
    """The linear ramp ``d, d-1, ..., 1`` (or ``1, ..., d``), rescaled to trace ``d``.

    >>> ramp(3).diag.tolist(), ramp(3, ascending=True).diag.tolist()
    ([1.5, 1.0, 0.5], [0.5, 1.0, 1.5])
    """
    d = check_size("d", d, minimum=1)
    shape = np.arange(1, d + 1, dtype=float)
    return _normalised("ramp-asc" if ascending else "ramp", shape if ascending else shape[::-1], d, trace)


def spike(d: int, index: int, factor: float = 0.0, trace=None) -> Covariance:
    """A spike on coordinate ``index``: ``factor`` on every other coordinate, ``index`` takes the rest.

    With trace ``d``: ``C = diag(factor, ..., d - factor (d - 1), ..., factor)``; ``factor = 0`` is the
    rank-one ``d e_i e_i^T``.  ``0 <= factor <= d/(d - 1)`` (the spike must stay non-negative).

    >>> spike(3, 1).diag.tolist(), spike(3, 0, 0.5).diag.tolist()
    ([0.0, 3.0, 0.0], [2.0, 0.5, 0.5])
    """
    d = check_size("d", d, minimum=1)
    if isinstance(index, (bool, np.bool_)) or not isinstance(index, (int, np.integer)) or not 0 <= index < d:
        raise ValueError(f"spike index must be an integer in 0..{d - 1} (d = {d}); got {index!r}")
    factor = float(factor)
    top = d / (d - 1) if d > 1 else math.inf
    if not (math.isfinite(factor) and 0 <= factor <= top):
        raise ValueError(f"spike factor must satisfy 0 <= factor <= d/(d-1) = {top:.6g}; got {factor!r}")
    shape = np.full(d, factor)
    shape[index] = d - factor * (d - 1)
    spec = f"spike:{int(index)}" + (f":{factor:g}" if factor else "")
    return _normalised(spec, shape, d, trace)


def low_rank(d: int, fraction: float, trace=None) -> Covariance:
    """Flat on the first ``r = round(fraction d)`` coordinates (``r >= 1``), zero on the rest.

    >>> low_rank(4, 0.5).diag.tolist()
    [2.0, 2.0, 0.0, 0.0]
    """
    d = check_size("d", d, minimum=1)
    fraction = float(fraction)
    if not (math.isfinite(fraction) and 0 < fraction <= 1):
        raise ValueError(f"low-rank fraction must satisfy 0 < fraction <= 1; got {fraction!r}")
    r = max(1, int(math.floor(fraction * d + 0.5)))
    shape = np.zeros(d)
    shape[:r] = 1.0
    return _normalised(f"lowrank:{fraction:g}", shape, d, trace)


def from_matrix(C, trace=None, spec: str = "") -> Covariance:
    """A covariance from a symmetric PSD matrix or a non-negative vector (a diagonal), rescaled to
    trace ``d`` (``trace=`` to choose; ``trace="keep"`` keeps the given one).

    Asymmetry or negative eigenvalues beyond rounding (relative ``1e-10``) are refused; within it the
    matrix is symmetrised.

    >>> from_matrix(np.array([[2.0, 1.0], [1.0, 2.0]])).matrix().tolist()
    [[1.0, 0.5], [0.5, 1.0]]
    >>> from_matrix([1.0, -1.0])
    Traceback (most recent call last):
    ...
    ValueError: covariance must be positive semi-definite; the vector has the negative entry -1.0
    """
    C = np.asarray(C, dtype=np.float64)
    if C.ndim not in (1, 2) or (C.ndim == 2 and C.shape[0] != C.shape[1]) or C.shape[0] < 1:
        raise ValueError(f"covariance must be a d x d matrix or a length-d vector; got shape {C.shape}")
    if not np.all(np.isfinite(C)):
        raise ValueError("covariance must be finite")
    d = C.shape[0]
    if C.ndim == 1:
        if np.any(C < 0):
            raise ValueError(f"covariance must be positive semi-definite; the vector has the negative entry "
                             f"{float(C[C < 0][0])!r}")
        diag, full = C.copy(), None
        total = float(C.sum())
    else:
        scale = float(np.max(np.abs(C))) or 1.0
        if np.max(np.abs(C - C.T)) > _MATRIX_RTOL * scale:
            raise ValueError("covariance matrix must be symmetric")
        full = 0.5 * (C + C.T)
        low = float(np.linalg.eigvalsh(full)[0])
        if low < -_MATRIX_RTOL * scale * d:
            raise ValueError(f"covariance must be positive semi-definite; its smallest eigenvalue is {low:.3g}")
        diag = np.diag(full).copy() if np.count_nonzero(full - np.diag(np.diag(full))) == 0 else None
        full = None if diag is not None else full
        total = float(np.trace(C))
    if not total > 0:
        raise ValueError("covariance must have a positive trace")
    if isinstance(trace, str) and trace == "keep":
        factor = 1.0
    else:
        factor = _trace(d, trace) / total
    if diag is not None:
        return Covariance(spec, diag=diag * factor)
    return Covariance(spec, full=full * factor)


def _bad(spec, why=""):
    extra = f" ({why})" if why else ""
    return ValueError(f"covariance spec {spec!r} is not valid{extra}; allowed forms: {', '.join(COVARIANCE_FORMS)}")


def _number(spec, text, kind=float):
    try:
        return kind(text)
    except ValueError:
        raise _bad(spec, f"{text!r} is not a number") from None


def covariance(spec, d: int) -> Covariance:
    """The covariance named by a text spec at dimension ``d`` (a :class:`Covariance` passes through,
    after a check of its dimension).  See the module docstring for the forms; all have trace ``d``.

    Raises
    ------
    ValueError
        One line naming the spec and the allowed forms.

    Examples
    --------
    >>> covariance("powerlaw:0.9", 5).spec, round(covariance("powerlaw:0.9", 5).trace, 12)
    ('powerlaw:0.9', 5.0)
    >>> covariance("cube", 5)
    Traceback (most recent call last):
    ...
    ValueError: covariance spec 'cube' is not valid; allowed forms: identity, powerlaw:P, revpowerlaw:P, ramp, ramp-asc, spike:I, spike:I:F, lowrank:F, file:PATH.npy
    """
    d = check_size("d", d, minimum=1)
    if isinstance(spec, Covariance):
        if spec.d != d:
            raise ValueError(f"covariance has dimension {spec.d}; expected d = {d}")
        return spec
    if not isinstance(spec, str):
        raise _bad(spec)
    text = spec.strip()
    head, _, rest = text.partition(":")
    args = rest.split(":") if rest else []
    try:
        if head == "identity" and not args:
            return identity(d)
        if head in ("ramp", "ramp-asc") and not args:
            return ramp(d, ascending=head == "ramp-asc")
        if head == "powerlaw" and len(args) == 1:
            return power_law(d, _number(spec, args[0]))
        if head == "revpowerlaw" and len(args) == 1:
            return reversed_power_law(d, _number(spec, args[0]))
        if head == "spike" and len(args) in (1, 2):
            index = _number(spec, args[0], int)
            factor = _number(spec, args[1]) if len(args) == 2 else 0.0
            return spike(d, index, factor)
        if head == "lowrank" and len(args) == 1:
            return low_rank(d, _number(spec, args[0]))
        if head == "file" and rest:
            return _from_file(spec, rest, d)
    except ValueError as exc:
        if str(exc).startswith("covariance spec"):
            raise
        raise _bad(spec, str(exc)) from None
    raise _bad(spec)


def _from_file(spec, path, d):
    p = Path(path)
    if not p.is_file():
        raise _bad(spec, f"no file {path!r}")
    try:
        C = np.load(p, allow_pickle=False)
    except (ValueError, OSError) as exc:
        raise _bad(spec, f"cannot read {path!r} as .npy: {exc}") from None
    if C.shape not in ((d,), (d, d)):
        raise _bad(spec, f"the file holds shape {C.shape}; expected ({d},) or ({d}, {d})")
    return from_matrix(C, spec=spec)


def aligned_spectrum(train, test, d: int | None = None):
    """``(lam, c)``: eigenvalues of ``C_train`` and the diagonal of ``C_test`` in that eigenbasis.

    ``c_i = u_i^T C_test u_i``.  All the asymptotic theory needs of the pair (docs/onelayer/alignment.md):
    ``e_misalign = (1/d) sum_i c_i k(lam_i)``.  Within a degenerate eigenspace of ``C_train`` only the
    sum of the ``c_i`` is basis independent, and only it enters (``k`` is equal there).  ``train`` and
    ``test`` are :class:`Covariance` objects or specs (then ``d`` is needed).

    >>> R = np.array([[1.0, 1.0], [-1.0, 1.0]]) / np.sqrt(2)
    >>> lam, c = aligned_spectrum(from_matrix(R @ np.diag([3.0, 1.0]) @ R.T), from_matrix([1.0, 1.0]))
    >>> [round(float(v), 12) for v in lam], [round(float(v), 12) for v in c]
    ([1.5, 0.5], [1.0, 1.0])
    """
    if d is None:
        if not isinstance(train, Covariance):
            raise ValueError("d is needed when train is a spec")
        d = train.d
    train, test = covariance(train, d), covariance(test, d)
    lam, U = train.eigh()
    if U is None:
        if test.is_diagonal:
            return lam.copy(), test.diag.copy()
        return lam.copy(), np.diag(test.full).copy()
    if test.is_diagonal:
        c = np.einsum("ji,j,ji->i", U, test.diag, U)
    else:
        c = np.einsum("ji,jk,ki->i", U, test.full, U)
    return lam, np.maximum(c, 0.0)

"""Task laws: how regression tasks ``w`` are drawn, as objects shared by theory and simulation.

A task law knows how to sample ``k`` tasks in dimension ``d``, its task power per dimension
``c_tr = E|w|^2/d = tr C/d`` (which sets the context noise ``x* = (c_tr + rho)/alpha`` of the
theory), its covariance, and whether every task has the same norm (which decides the form of the
exact finite-``d`` error, docs/onelayer/lemma1.md).

* :class:`Sphere` -- uniform on the sphere of radius ``sqrt(d)`` (Lu et al. 2024): ``|w|^2 = d``.
* :class:`IsotropicGaussian` -- ``w ~ N(0, I_d)``: the same first two moments, random norm.
* :class:`GaussianCovariance` -- ``w ~ N(0, C)`` with ``C`` named by a covariance spec of
  :mod:`iclsym.core.covariances` (Letey et al. 2025), spelled ``"gaussian:<spec>"``, e.g.
  ``"gaussian:powerlaw:0.9"`` (trace ``d``, so ``c_tr = 1``).

A law is named in job options and on the command line by a short text spec; :func:`task_law` turns
a spec (or a law) into a law.

Examples
--------
>>> from iclsym.core.params import check_size
>>> law = task_law("sphere")
>>> W = law.sample(3, 5, np.random.default_rng(0))
>>> W.shape, bool(np.allclose((W**2).sum(1), 5.0)), law.c_tr
((3, 5), True, 1.0)
>>> task_law("gaussian").spec, task_law(Sphere()).spec
('gaussian', 'sphere')
"""

from __future__ import annotations

import math

import numpy as np

from iclsym.core.params import check_size

__all__ = ["TaskLaw", "Sphere", "IsotropicGaussian", "GaussianCovariance", "task_law", "TASK_LAWS"]


class TaskLaw:
    """Interface of a task law (see the module docstring).

    Attributes
    ----------
    spec : str
        The text that names the law (``task_law(law.spec)`` gives an equal law).
    fixed_norm : bool
        Every task has ``|w|^2 = c_tr d`` exactly.
    c_tr : float
        ``E|w|^2/d``.
    isotropic : bool
        Covariance ``c_tr I``.
    """

    spec: str = ""
    fixed_norm: bool = False
    c_tr: float = 1.0
    isotropic: bool = True

    def sample(self, k: int, d: int, rng: np.random.Generator) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def __eq__(self, other):
        return isinstance(other, TaskLaw) and other.spec == self.spec

    def __hash__(self):
        return hash(self.spec)

    def __repr__(self):
        return f"task_law({self.spec!r})"


class Sphere(TaskLaw):
    """Uniform on the sphere of radius ``sqrt(d)``: ``|w|^2/d = 1`` exactly (the tasks of Lu et al. 2024)."""

    spec = "sphere"
    fixed_norm = True

    def sample(self, k, d, rng):
        """``k`` i.i.d. tasks, shape ``(k, d)``: normalised standard Gaussians."""
        k = check_size("k", k, minimum=1)
        d = check_size("d", d, minimum=2)
        g = rng.standard_normal((k, d))
        return g * (math.sqrt(d) / np.linalg.norm(g, axis=1, keepdims=True))


class IsotropicGaussian(TaskLaw):
    """``w ~ N(0, I_d)``: mean 0 and second moment ``I`` like the sphere, but a random norm."""

    spec = "gaussian"

    def sample(self, k, d, rng):
        """``k`` i.i.d. tasks, shape ``(k, d)``."""
        k = check_size("k", k, minimum=1)
        d = check_size("d", d, minimum=2)
        return rng.standard_normal((k, d))


class GaussianCovariance(TaskLaw):
    """``w ~ N(0, C)`` with ``C`` named by a covariance spec (:func:`iclsym.core.covariances.covariance`).

    The covariance depends on ``d`` (a power law normalised to trace ``d`` does); it is built at the
    ``d`` of each call.  ``c_tr = tr C/d = 1`` (every spec has trace ``d``).

    >>> law = task_law("gaussian:lowrank:0.5")
    >>> W = law.sample(20000, 4, np.random.default_rng(0))
    >>> law.spec, law.isotropic, [round(float(v), 1) for v in (W**2).mean(0)]
    ('gaussian:lowrank:0.5', False, [2.0, 2.0, 0.0, 0.0])
    """

    fixed_norm = False
    c_tr = 1.0

    def __init__(self, covariance_spec: str):
        from iclsym.core.covariances import covariance

        covariance(covariance_spec, 2)  # validate the spec now (one-line error naming it)
        self.covariance_spec = covariance_spec
        self.spec = f"gaussian:{covariance_spec}"
        self.isotropic = covariance_spec == "identity"
        self._cache = {}

    def covariance(self, d: int):
        """The :class:`~iclsym.core.covariances.Covariance` at dimension ``d``."""
        from iclsym.core.covariances import covariance

        if d not in self._cache:
            self._cache[d] = covariance(self.covariance_spec, d)
        return self._cache[d]

    def sample(self, k, d, rng):
        """``k`` i.i.d. tasks, shape ``(k, d)``: ``z B^T`` with ``B B^T = C``."""
        k = check_size("k", k, minimum=1)
        d = check_size("d", d, minimum=2)
        C = self.covariance(d)
        z = rng.standard_normal((k, d))
        B = C.sqrt()
        return z * B if B.ndim == 1 else z @ B.T


#: the laws named by a plain word
TASK_LAWS = {"sphere": Sphere, "gaussian": IsotropicGaussian}


def task_law(spec, name: str = "task law") -> TaskLaw:
    """The task law named by ``spec`` (a :class:`TaskLaw` is returned unchanged).

    ``name`` is the parameter named in the error message.

    Raises
    ------
    ValueError
        For an unknown spec, naming the allowed ones.

    Examples
    --------
    >>> task_law("sphere").fixed_norm
    True
    >>> task_law("cube")
    Traceback (most recent call last):
    ...
    ValueError: task law must be one of ('sphere', 'gaussian') or 'gaussian:<covariance spec>'; got 'cube'
    """
    if isinstance(spec, TaskLaw):
        return spec
    if isinstance(spec, str) and spec in TASK_LAWS:
        return TASK_LAWS[spec]()
    if isinstance(spec, str) and spec.startswith("gaussian:"):
        return GaussianCovariance(spec[len("gaussian:"):])
    raise ValueError(f"{name} must be one of {tuple(TASK_LAWS)} or 'gaussian:<covariance spec>'; got {spec!r}")

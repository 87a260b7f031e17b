"""The 1-D neural tangent kernel: wide ReLU nets in the kernel regime (Jacot, Gabriel &
Hongler, NeurIPS 2018; arc-cosine kernels of Cho & Saul, NeurIPS 2009).

For f(x) = m^{-1/2} Σ_j a_j [w_j x + b_j]_+ with a, w, b ~ N(0, 1) (NTK parametrization), all
trained by gradient descent on ½Σ(f(x_i) - y_i)² with a small step, the tangent kernel at
initialization converges as m → ∞ to

    Θ(x, x') = E[σ(w̃ᵀx̃) σ(w̃ᵀx̃')] + E[a²] E[σ'(w̃ᵀx̃) σ'(w̃ᵀx̃')] x̃ᵀx̃',   x̃ = (x, 1),
             = (‖x̃‖‖x̃'‖/2π)(sin φ + (π - φ) cos φ) + x̃ᵀx̃' (π - φ)/(2π)
             = (|x - x'| + 2(1 + xx')(π - |arctan x - arctan x'|)) / (2π),

φ the angle between x̃ and x̃' (‖x̃‖‖x̃'‖ sin φ = |x - x'|, φ = |arctan x - arctan x'|), and
stays constant during training. From an antisymmetric initialization (f₀ ≡ 0) the trained
function converges to the kernel interpolant Θ(·, X) Θ(X, X)^{-1} y (:func:`interpolant`;
claim kind *exact limit* of m → ∞ and step → 0). The rich regime (weight decay → 0, docs/relu1d.md)
gives a min-R linear spline (:func:`implicit_bias.theory.relu1d.min_norm_interpolation`)
instead: two different closed-form predictions on the same data. docs/ntk1d.md has the
mathematics and the tolerances. No JAX is imported here.

>>> float(kernel(0.0, 0.0)), round(float(kernel(1.0, -1.0)), 12)   # 1 + x², 1/π
(1.0, 0.318309886184)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.linalg

from .errors import (
    InvalidInputError,
    KnotError,
    NotPositiveDefiniteError,
    ShapeError,
)
from .results import Certificate, Kind, Reference
from .validate import real_array

__all__ = [
    "REFERENCE",
    "REFERENCE_KERNEL",
    "kernel",
    "kernel_relu",
    "kernel_step",
    "NTKInterpolant",
    "interpolant",
    "MonteCarloKernel",
    "monte_carlo_kernel",
]

REFERENCE = Reference("Jacot, Gabriel & Hongler", "NeurIPS 2018", "Thm 1 and Thm 2",
                      "docs/ntk1d.md")
#: the closed form of the two expectations (arc-cosine kernels of degree 1 and 0).
REFERENCE_KERNEL = Reference("Cho & Saul", "NeurIPS 2009", "Sec. 2 (arc-cosine kernels "
                             "k_0, k_1)", "docs/ntk1d.md#the-kernel")

#: An interpolant is returned only if max_i |f(x_i) - y_i| <= INTERP_TOL·max(1, max|y|)·cond.
INTERP_TOL = 1e-12


def _real(v, name: str) -> np.ndarray:
    """A finite real float array (:func:`implicit_bias.theory.validate.real_array`)."""
    return real_array(v, name)


def _pair(x, x2):
    a, b = _real(x, "x"), _real(x2, "x2")
    try:
        return np.broadcast_arrays(a, b)
    except ValueError:
        raise ShapeError(f"x and x2 do not broadcast: shapes {a.shape} and {b.shape}") from None


def _angle(x, x2):
    """φ = |arctan x - arctan x'| ∈ [0, π): the angle between (x, 1) and (x', 1)."""
    return np.abs(np.arctan(x) - np.arctan(x2))


def kernel_relu(x, x2):
    """E[[w̃ᵀx̃]_+ [w̃ᵀx̃']_+] = ‖x̃‖‖x̃'‖(sin φ + (π - φ)cos φ)/(2π)
    = (|x - x'| + (π - φ)(1 + xx'))/(2π), w̃ ~ N(0, I₂) (Cho & Saul's k₁/2)."""
    a, b = _pair(x, x2)
    out = (np.abs(a - b) + (math.pi - _angle(a, b)) * (1.0 + a * b)) / (2.0 * math.pi)
    return out[()] if out.ndim == 0 else out


def kernel_step(x, x2):
    """E[1{w̃ᵀx̃ > 0} 1{w̃ᵀx̃' > 0}] = (π - φ)/(2π) (Cho & Saul's k₀/2)."""
    a, b = _pair(x, x2)
    out = (math.pi - _angle(a, b)) / (2.0 * math.pi)
    return out[()] if out.ndim == 0 else out


def kernel(x, x2):
    """Θ(x, x') = kernel_relu + (1 + xx')·kernel_step (docs/diagonal.md), broadcasting like a numpy
    ufunc over its two arguments: (|x - x'| + 2(1 + xx')(π - |arctan x - arctan x'|))/(2π).

    The arctan form avoids arccos near φ = 0 (where arccos loses half the digits).

    >>> kernel([0.0, 1.0], [[0.0], [2.0]]).shape
    (2, 2)
    """
    a, b = _pair(x, x2)
    out = (np.abs(a - b) + 2.0 * (1.0 + a * b) * (math.pi - _angle(a, b))) / (2.0 * math.pi)
    return out[()] if out.ndim == 0 else out


def _points(x, y):
    xv = _real(x, "x")
    yv = _real(y, "y")
    if xv.ndim != 1 or xv.shape != yv.shape:
        raise ShapeError(f"x and y must be 1-D of equal length, got {xv.shape} and {yv.shape}")
    if xv.size < 1:
        raise ShapeError("need at least one data point")
    order = np.argsort(xv, kind="stable")
    xs, ys = xv[order], yv[order]
    dup = np.nonzero(np.diff(xs) == 0)[0]
    if dup.size:
        raise KnotError(f"interpolation knots must be distinct: x = {xs[dup[0]]!r} repeats "
                        "(Θ(X, X) is then singular)")
    return xs, ys


def _piece_integral(a, b, lo, hi):
    """∫_lo^hi |a + b t|/(1 + t²)² dt (lo < hi, possibly ±inf), splitting at the root."""
    def F(t):  # antiderivative of (a + b t)/(1 + t²)²
        if t == math.inf:
            return a * math.pi / 4
        if t == -math.inf:
            return -a * math.pi / 4
        return a * (t / (2 * (1 + t * t)) + math.atan(t) / 2) - b / (2 * (1 + t * t))

    cuts = [lo]
    if b != 0:
        r = -a / b
        if lo < r < hi:
            cuts.append(r)
    cuts.append(hi)
    return sum(abs(F(v) - F(u)) for u, v in zip(cuts, cuts[1:], strict=False))


@dataclass(frozen=True)
class NTKInterpolant:
    """f(t) = Σ_i c_i Θ(t, x_i) with Θ(X, X)c = y: the infinite-width NTK limit of GD from an
    antisymmetric initialization (claim kind: exact limit; Jacot et al. 2018, Thm 1-2).

    ``x``, ``y`` the data sorted by x; ``coef`` c; ``gram`` Θ(X, X); ``condition`` its
    2-norm condition number; ``value`` yᵀΘ^{-1}y, the squared RKHS norm of f (the least
    among interpolants in the RKHS); ``certificate`` the relative interpolation residual.
    Calling it evaluates f; ``predictor`` is the interpolant itself (a callable).
    """

    x: np.ndarray
    y: np.ndarray
    coef: np.ndarray
    gram: np.ndarray
    condition: float
    value: float
    certificate: Certificate
    kind: Kind = Kind.EXACT_LIMIT
    reference: Reference = REFERENCE

    @property
    def predictor(self) -> NTKInterpolant:
        return self

    def __call__(self, t):
        t = _real(t, "t")
        return kernel(t[..., None], self.x) @ self.coef

    def derivative(self, t):
        """f'(t) (one-sided from the right at the knots)."""
        t = _real(t, "t")[..., None]
        xi = self.x
        s = np.where(t >= xi, 1.0, -1.0)
        phi = _angle(t, xi)
        d = (s + 2 * xi * (math.pi - phi) - 2 * s * (1 + t * xi) / (1 + t * t)) / (2 * math.pi)
        return d @ self.coef

    def end_slopes(self) -> tuple[float, float]:
        """(f'(-∞), f'(+∞)) = Σ_i c_i(-1 + 2x_i(π/2 - arctan x_i))/(2π) and
        Σ_i c_i(1 + 2x_i(π/2 + arctan x_i))/(2π); their sum is Σ_i c_i x_i."""
        at = np.arctan(self.x)
        left = float(self.coef @ (-1 + 2 * self.x * (math.pi / 2 - at))) / (2 * math.pi)
        right = float(self.coef @ (1 + 2 * self.x * (math.pi / 2 + at))) / (2 * math.pi)
        return left, right

    def total_variation(self) -> float:
        """∫|f''| exactly: f'' = (2/π)P(t)/(1+t²)² - Σ_i (c_i/π)δ_{x_i}, P(t) = Σ_i c_i|t - x_i|
        (docs/ntk1d.md); the smooth part is integrated in closed form piece by piece."""
        c, xi = self.coef, self.x
        tv = float(np.sum(np.abs(c))) / math.pi
        knots = [-math.inf, *xi.tolist(), math.inf]
        smooth = 0.0
        for lo, hi in zip(knots, knots[1:], strict=False):
            # on (lo, hi): P(t) = Σ_i c_i s_i (t - x_i), s_i = sign(t - x_i)
            mid = (0.0 if lo == -math.inf and hi == math.inf else
                   hi - 1.0 if lo == -math.inf else lo + 1.0 if hi == math.inf
                   else 0.5 * (lo + hi))
            s = np.where(mid > xi, 1.0, -1.0)
            b = float(np.sum(c * s))
            a = -float(np.sum(c * s * xi))
            smooth += _piece_integral(a, b, lo, hi)
        return tv + 2.0 * smooth / math.pi

    def representation_cost(self, *, skip: bool = False) -> float:
        """R(f) = max(∫|f''|, |f'(-∞) + f'(+∞)|) (docs/relu1d.md; ∫|f''| alone with a skip unit).
        f interpolates the data, so R(f) >= min R of theory.relu1d.min_norm_interpolation."""
        tv = self.total_variation()
        if skip:
            return tv
        return max(tv, abs(float(self.coef @ self.x)))


def interpolant(x, y) -> NTKInterpolant:
    """The kernel-regression interpolant Θ(·, X)Θ(X, X)^{-1}y of 1-D data (distinct knots).

    Θ(X, X) is positive definite for distinct x (the features [w̃ᵀx̃_i]_+ of distinct,
    non-parallel x̃_i are linearly independent), solved by Cholesky with one step of
    iterative refinement; the certificate is max_i |f(x_i) - y_i|/max(1, max|y|), which must be
    <= 1e-12·cond(Θ). Linear in y; the kernel is not scale-invariant in x (the bias input is
    fixed at 1), so no rescaling of x is done or implied.

    Raises KnotError for repeated knots, NotPositiveDefiniteError if Θ(X, X) is numerically
    singular (knots closer than ~1e-8), and input errors for NaN/inf/complex/bad shapes.

    >>> f = interpolant([0.0, 1.0, 2.0], [0.0, 1.0, 0.0])
    >>> [round(float(v), 12) + 0.0 for v in f([0.0, 1.0, 2.0])], f.kind.value
    ([0.0, 1.0, 0.0], 'exact limit')
    """
    xs, ys = _points(x, y)
    G = kernel(xs[:, None], xs[None, :])
    try:
        cf = scipy.linalg.cho_factor(G, lower=True)
    except np.linalg.LinAlgError:
        raise NotPositiveDefiniteError("Θ(X, X) is numerically singular: the knots are too "
                                       "close together") from None
    c = scipy.linalg.cho_solve(cf, ys)
    c = c + scipy.linalg.cho_solve(cf, ys - G @ c)
    ev = np.linalg.eigvalsh(G)
    cond = float(ev[-1] / ev[0]) if ev[0] > 0 else math.inf
    if not math.isfinite(cond) or cond > 1e14:
        raise NotPositiveDefiniteError(f"Θ(X, X) has condition number {cond:.2e}: the knots "
                                       "are too close together")
    scale = max(1.0, float(np.max(np.abs(ys))))
    res = float(np.max(np.abs(G @ c - ys))) / scale
    cert = Certificate.from_conditions({"interpolation": res},
                                       note=f"max_i |f(x_i) - y_i|/max(1, |y|); "
                                            f"cond Θ(X, X) = {cond:.3g}")
    if res > INTERP_TOL * max(1.0, cond):
        raise NotPositiveDefiniteError(f"the kernel system is too ill-conditioned to "
                                       f"interpolate (residual {res:.2e}, cond {cond:.2e})")
    return NTKInterpolant(x=xs, y=ys, coef=c, gram=G, condition=cond, value=float(ys @ c),
                          certificate=cert)


@dataclass(frozen=True)
class MonteCarloKernel:
    """The empirical NTK of a random width-``width`` net at initialization (numpy): ``mean``
    (1/m)Σ_j t_j(x, x'), ``stderr`` the sample standard deviation of the per-unit terms t_j
    over √m (so (mean - Θ)/stderr is asymptotically N(0, 1) by the CLT), per entry."""

    mean: np.ndarray
    stderr: np.ndarray
    width: int


def monte_carlo_kernel(x, x2, *, width: int, seed: int = 0,
                       chunk: int = 1 << 22) -> MonteCarloKernel:
    """Explicit random features: t_j(x, x') = [w̃_jᵀx̃]_+[w̃_jᵀx̃']_+ + a_j² 1{w̃_jᵀx̃ > 0}
    1{w̃_jᵀx̃' > 0}(1 + xx') with w̃_j = (w_j, b_j), a_j i.i.d. N(0, 1): the gradient
    features of f at initialization (∂f/∂a_j and ∂f/∂w̃_j, times √m). Independent of the
    closed form; processed in chunks of about ``chunk`` numbers (memory-bounded).

    >>> mc = monte_carlo_kernel(0.5, 0.5, width=100_000, seed=1)
    >>> bool(abs(mc.mean - kernel(0.5, 0.5)) < 5 * mc.stderr)
    True
    """
    if isinstance(width, bool) or not isinstance(width, int | np.integer) or width < 2:
        raise InvalidInputError(f"width must be an integer >= 2, got {width!r}")
    a, b = _pair(x, x2)
    shape = a.shape
    a, b = a.ravel(), b.ravel()
    rng = np.random.default_rng(seed)
    s1 = np.zeros(a.size)
    s2 = np.zeros(a.size)
    per = max(1, chunk // max(1, a.size))
    done = 0
    while done < width:
        m = min(per, width - done)
        w = rng.standard_normal(m)
        bb = rng.standard_normal(m)
        aa = rng.standard_normal(m)
        za = np.outer(w, a) + bb[:, None]
        zb = np.outer(w, b) + bb[:, None]
        t = (np.maximum(za, 0) * np.maximum(zb, 0)
             + (aa**2)[:, None] * ((za > 0) & (zb > 0)) * (1.0 + a * b))
        s1 += t.sum(axis=0)
        s2 += (t * t).sum(axis=0)
        done += m
    mean = s1 / width
    var = np.maximum(s2 / width - mean**2, 0.0) * width / (width - 1)
    se = np.sqrt(var / width)
    return MonteCarloKernel(mean.reshape(shape)[()], se.reshape(shape)[()], int(width))

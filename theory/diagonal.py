"""Diagonal linear networks: the kernel and rich regimes (Woodworth, Gunasekar, Lee, Moroshko,
Savarese, Golan, Soudry & Srebro, COLT 2020).

The model is β = u^D - v^D (entrywise, D >= 2) with u(0) = v(0) = α·1, trained by gradient flow
on the square loss ½‖Xβ - y‖² (X of shape (n, d), usually n < d). Gradient flow converges to

    D = 2:  β(∞) = argmin Q_α(β) s.t. Xβ = y,  Q_α(β) = α² Σ_j q(β_j/α²),
            q(z) = 2 - √(4 + z²) + z·arcsinh(z/2)                          (Thm 1 of the paper)
    D >= 3: β(∞) = argmin Q^D_α(β) s.t. Xβ = y,  Q^D_α(β) = α^D Σ_j G_D(β_j/α^D),
            G_D = the convex potential with G_D' = h_D^{-1}                  (the depth-D theorem)

h_D(ν) = (1 - ν)^{-D/(D-2)} - (1 + ν)^{-D/(D-2)} on |ν| < 1, H_D' = h_D with
H_D(ν) = ((D-2)/2)[(1-ν)^{-2/(D-2)} + (1+ν)^{-2/(D-2)}], and G_D(z) = zν - H_D(ν) + H_D(0) with
ν = h_D^{-1}(z) (the convex conjugate of H_D, shifted so that G_D(0) = 0). As α → ∞ the
potential becomes ‖β‖²/(4α²) (the *kernel* regime: min ‖β‖₂); as α → 0 it becomes ‖β‖₁ up to a
factor (the *rich* regime: min ‖β‖₁).

Claim kinds (:class:`~implicit_bias.theory.results.Kind`): :func:`interpolant` is the *exact
limit* of gradient flow; :func:`min_l2` the exact limit as α → ∞; :func:`min_l1` a *global
minimum* of the ℓ1 problem (and the exact α → 0 limit when it is unique). The mathematics, the
conventions and the tolerances are in docs/diagonal.md. No JAX is imported here.

>>> r = interpolant([[1.0, 2.0, 0.5]], [1.0], alpha=0.1)
>>> bool(r.certificate.residual < 1e-10), r.kind.value
(True, 'exact limit')
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import scipy.linalg
import scipy.optimize

from .errors import (
    CertificateError,
    DepthError,
    DomainError,
    InfeasibleError,
    InvalidInputError,
    ShapeError,
    SolverError,
)
from .results import Certificate, Kind, Reference
from .validate import as_matrix, check_depth, real_array

__all__ = [
    "REFERENCE",
    "REFERENCE_DEPTH",
    "REFERENCE_SHAPE",
    "CERT_TOL",
    "DiagonalPrediction",
    "MinNormInterpolant",
    "LimitExpansion",
    "q",
    "h",
    "H",
    "h_inverse",
    "q_potential",
    "shape_potential",
    "shape_alpha",
    "certificate",
    "interpolant",
    "min_l2",
    "min_l1",
    "kernel_expansion",
    "rich_expansion",
    "symbolic_q",
    "symbolic_h",
    "symbolic_H",
]

_AUTHORS = "Woodworth, Gunasekar, Lee, Moroshko, Savarese, Golan, Soudry & Srebro"
#: depth 2 (Theorem 1 of the paper).
REFERENCE = Reference(_AUTHORS, "COLT 2020 (PMLR 125)", "Thm 1", "docs/diagonal.md")
#: depth D >= 3 (the paper's depth-D theorem; its number was not verified, hence the section).
REFERENCE_DEPTH = Reference(_AUTHORS, "COLT 2020 (PMLR 125)", "depth-D theorem (higher-order "
                            "models section)", "docs/diagonal.md#depth-d")
#: u(0) != v(0) and the two-layer u⊙v network (Azulay et al., Thm 4.1).
REFERENCE_SHAPE = Reference("Azulay, Moroshko, Nacson, Woodworth, Srebro, Globerson & Soudry",
                            "ICML 2021", "Thm 4.1", "docs/diagonal.md#initialization-shape")
_REF_L2 = Reference(_AUTHORS, "COLT 2020 (PMLR 125)", "alpha -> infinity limit (kernel regime)",
                    "docs/diagonal.md#limits")
_REF_L1 = Reference(_AUTHORS, "COLT 2020 (PMLR 125)", "alpha -> 0 limit (rich regime)",
                    "docs/diagonal.md#limits")

#: Largest relative certificate residual a returned answer may have.
CERT_TOL = 1e-9
_EPS = np.finfo(float).eps
_LOG2 = math.log(2.0)


# =================================================================== validation


def _as_real_array(v, name: str) -> np.ndarray:
    """A finite real float array (:func:`implicit_bias.theory.validate.real_array`)."""
    return real_array(v, name)


def _data(X, y) -> tuple[np.ndarray, np.ndarray]:
    raw = np.asarray(X)
    if raw.dtype == bool:
        raise InvalidInputError("X must be numeric, not boolean")
    if np.iscomplexobj(raw):
        raise InvalidInputError("X must be real, got complex values")
    A = as_matrix(X)
    t = _as_real_array(y, "y")
    if t.ndim != 1:
        raise ShapeError(f"y must be one-dimensional, got shape {t.shape}")
    if t.shape[0] != A.shape[0]:
        raise ShapeError(f"X has {A.shape[0]} rows but y has {t.shape[0]} entries")
    return A, t


def _depth(depth) -> int:
    if isinstance(depth, bool | np.bool_):
        raise DepthError(f"depth must be an integer >= 2, got {depth!r}")
    D = check_depth(depth)
    if D < 2:
        raise DepthError(f"a diagonal network needs depth >= 2 (β = u^D - v^D), got {D}")
    return D


def _alpha(alpha, d: int | None, depth: int) -> np.ndarray:
    """α as a positive finite float array (scalar -> shape (), vector (d,) for depth 2)."""
    if alpha is None:
        raise InvalidInputError("alpha (the initialization scale) is required")
    a = _as_real_array(alpha, "alpha")
    if a.ndim > 1:
        raise ShapeError(f"alpha must be a scalar or a vector, got shape {a.shape}")
    if a.ndim == 1:
        if depth != 2:
            raise ShapeError("a per-coordinate alpha is supported for depth 2 only")
        if d is not None and a.shape[0] != d:
            raise ShapeError(f"alpha has {a.shape[0]} entries but X has {d} columns")
    if np.any(a <= 0):
        raise DomainError(f"alpha must be > 0, got {alpha!r}")
    return a


def _positive(v, name: str, d: int | None) -> np.ndarray:
    a = _as_real_array(v, name)
    if a.ndim == 0 and d is not None:
        a = np.full(d, float(a))
    if a.ndim != 1 or (d is not None and a.shape[0] != d):
        raise ShapeError(f"{name} must be a vector with one entry per column of X")
    if np.any(a <= 0):
        raise DomainError(f"{name} must be > 0 entrywise")
    return a


# =================================================================== scalar functions


def _log2sinh(a):
    """log|2 sinh a| (a != 0), without overflow."""
    a = np.abs(a)
    with np.errstate(divide="ignore"):
        return a + np.log(-np.expm1(-2.0 * a))


def _logcosh(u):
    u = np.abs(u)
    small = u < 1.0
    with np.errstate(over="ignore"):
        s = np.sinh(np.where(small, u, 0.0) / 2.0)
    return np.where(small, np.log1p(2.0 * s * s), u + np.log1p(np.exp(-2.0 * u)) - _LOG2)


def _asinh_half(logb, logc):
    """arcsinh(e^{logb - logc}/2) without overflow (logb = log|β|, logc = log c)."""
    lx = logb - logc - _LOG2  # log x, x = |β|/(2c)
    big = lx > 300.0
    with np.errstate(over="ignore"):
        direct = np.arcsinh(np.exp(np.where(big, 0.0, lx)))
    return np.where(big, lx + np.log1p(np.sqrt(1.0 + np.exp(-2.0 * np.where(big, lx, 0.0)))),
                    direct)


def q(z):
    """q(z) = 2 - √(4 + z²) + z·arcsinh(z/2) (depth-2 potential; q' = arcsinh(z/2)).

    Evaluated as |z|(arcsinh(|z|/2) - |z|/(2 + √(4 + z²))), accurate for tiny z (≈ z²/4) and
    without overflow for huge z (≈ |z| log|z|).

    >>> float(q(0.0)), round(float(q(2.0)), 12), float(q(1e-9) * 4e18)
    (0.0, 0.934320049293, 1.0)
    """
    z = np.abs(_as_real_array(z, "z"))
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        w = np.where(z > 1.0, 1.0 / np.where(z > 1.0, z, 1.0), 0.0)
        ratio = np.where(z > 1.0, 1.0 / (2.0 * w + np.hypot(2.0 * w, 1.0)),
                         z / (2.0 + np.hypot(2.0, z)))
        out = z * (np.arcsinh(z / 2.0) - ratio)
    return out[()] if out.ndim == 0 else out


def _p(D: int) -> float:
    return D / (D - 2.0)


def _logs(nu, e):
    """(log(1-ν), log(1+ν), log(1-ν²), artanh ν) from ν and e = 1 - |ν| (both accurate)."""
    nu = np.asarray(nu, dtype=float)
    e = np.asarray(e, dtype=float)
    big = np.abs(nu) > 0.5
    with np.errstate(divide="ignore", invalid="ignore"):
        le = np.log(e)
        la = np.where(big & (nu > 0), le, np.log1p(-nu))
        lb = np.where(big & (nu < 0), le, np.log1p(nu))
        L2 = np.where(big, la + lb, np.log1p(-nu * nu))
        t = np.where(big, 0.5 * (lb - la), np.arctanh(np.where(big, 0.0, nu)))
    return la, lb, L2, t


def _h_log(nu, e, p):
    """(sign, log|h_D(ν)|) with h_D(ν) = 2 sinh(p artanh ν)(1 - ν²)^{-p/2}."""
    _, _, L2, t = _logs(nu, e)
    return np.sign(t), _log2sinh(p * t) - 0.5 * p * L2


def h(nu, depth: int):
    """h_D(ν) = (1 - ν)^{-D/(D-2)} - (1 + ν)^{-D/(D-2)} for |ν| < 1 (D >= 3); for D = 2 the
    limit map 2 sinh ν. β = α^D h_D(Xᵀλ) along gradient flow (docs/diagonal.md).

    >>> round(float(h(0.5, 3)), 10), round(float(h(0.5, 2)), 10)
    (7.7037037037, 1.042190611)
    """
    D = _depth(depth)
    nu = _as_real_array(nu, "nu")
    if D == 2:
        out = 2.0 * np.sinh(nu)
        return out[()] if out.ndim == 0 else out
    if np.any(np.abs(nu) >= 1):
        raise DomainError("h_D needs |ν| < 1 (the weights blow up at |ν| = 1)")
    s, lg = _h_log(nu, 1.0 - np.abs(nu), _p(D))
    with np.errstate(over="ignore"):
        out = s * np.exp(lg)
    return out[()] if out.ndim == 0 else out


def H(nu, depth: int):
    """H_D(ν) = ((D-2)/2)[(1-ν)^{-2/(D-2)} + (1+ν)^{-2/(D-2)}] (D >= 3; H_D' = h_D), and
    2 cosh ν for D = 2. The dual objective is α^D Σ_j H_D(x⁽ʲ⁾ᵀλ) - yᵀλ.

    >>> float(H(0.0, 3)), float(H(0.0, 2))
    (1.0, 2.0)
    """
    D = _depth(depth)
    nu = _as_real_array(nu, "nu")
    if D == 2:
        out = 2.0 * np.cosh(nu)
        return out[()] if out.ndim == 0 else out
    if np.any(np.abs(nu) >= 1):
        raise DomainError("H_D needs |ν| < 1")
    out = (D - 2.0) * (1.0 + _dH(nu, 1.0 - np.abs(nu), D, 0.0))
    return out[()] if out.ndim == 0 else out


def _dH(nu, e, D, logw):
    """ω·(H_D(ν) - H_D(0))/(D-2) with ω = e^{logw}, accurately and without overflow:
    H_D(ν) - H_D(0) = (D-2)(exp(E) - 1), E = -(k/2) log(1-ν²) + log cosh(k artanh ν),
    k = 2/(D-2)."""
    k = 2.0 / (D - 2.0)
    _, _, L2, t = _logs(nu, e)
    E = -0.5 * k * L2 + _logcosh(k * t)
    with np.errstate(over="ignore"):
        small = np.exp(logw) * np.expm1(np.minimum(E, 1.0))
        large = np.exp(logw + E + np.log1p(-np.exp(-np.maximum(E, 1.0))))
    return np.where(E <= 1.0, small, large)


def _h_inverse_log(logz, D: int):
    """(ν, e = 1 - ν) >= 0 with log h_D(ν) = logz (any real logz), by bisection.

    |h| < 1: bisection on ν ∈ [0, z/(2p)] (h(ν) >= 2pν). |h| >= 1: bisection on ℓ = log(1-ν) in
    [-log(1+z)/p, -log(z)/p] (ε^{-p} - 1 <= h <= ε^{-p} for ε = 1-ν <= 1).
    """
    p = _p(D)
    logz = np.asarray(logz, dtype=float)
    nu = np.zeros_like(logz)
    e = np.ones_like(logz)
    small = logz < 0.0
    if np.any(small):
        z = np.exp(logz[small])
        lo, hi = np.zeros_like(z), z / (2 * p)
        for _ in range(200):
            mid = 0.5 * (lo + hi)
            _, lg = _h_log(mid, 1.0 - mid, p)
            with np.errstate(divide="ignore"):
                up = lg > np.log(z)
            hi = np.where(up, mid, hi)
            lo = np.where(up, lo, mid)
            if np.all(hi - lo <= 4 * _EPS * hi):
                break
        nu[small] = 0.5 * (lo + hi)
        e[small] = 1.0 - nu[small]
    big = ~small
    if np.any(big):
        lz = logz[big]
        hi = -lz / p            # ε <= z^{-1/p}
        lo = -np.logaddexp(0.0, lz) / p  # ε >= (1+z)^{-1/p}
        for _ in range(200):
            mid = 0.5 * (lo + hi)
            eps = np.exp(mid)
            _, lg = _h_log(1.0 - eps, eps, p)
            up = lg > lz  # h too large: ε too small
            lo = np.where(up, mid, lo)
            hi = np.where(up, hi, mid)
            if np.all(hi - lo <= 4 * _EPS * np.abs(hi) + 1e-300):
                break
        eps = np.exp(0.5 * (lo + hi))
        e[big] = eps
        nu[big] = 1.0 - eps
    return nu, e


def h_inverse(z, depth: int):
    """ν = h_D^{-1}(z) ∈ (-1, 1) (D >= 3), or arcsinh(z/2) for D = 2 (the gradient of the
    normalized potential at z = β/α^D). Vectorized, accurate for |z| up to 1e300.

    >>> round(float(h_inverse(h(0.3, 4), 4)), 14)
    0.3
    """
    D = _depth(depth)
    z = _as_real_array(z, "z")
    if D == 2:
        out = np.arcsinh(z / 2.0)
        return out[()] if out.ndim == 0 else out
    with np.errstate(divide="ignore"):
        nu, _ = _h_inverse_log(np.log(np.abs(z)), D)
    out = np.sign(z) * nu
    return out[()] if out.ndim == 0 else out


def _grad_potential(beta, logw, phi, D):
    """∇ of the potential at β: arcsinh(β/(2c)) - φ (D = 2, c = e^{logw}) or
    h_D^{-1}(β/α^D) (D >= 3, α^D = e^{logw}), computed in log space."""
    beta = np.asarray(beta, dtype=float)
    with np.errstate(divide="ignore"):
        logb = np.log(np.abs(beta))
    if D == 2:
        return np.sign(beta) * _asinh_half(logb, logw) - phi
    nu, _ = _h_inverse_log(logb - logw, D)
    return np.sign(beta) * nu


def _potential_terms(beta, logw, D):
    """The potential's terms: c q(β/c) (D = 2, c = e^{logw}) or α^D G_D(β/α^D)
    = βν - α^D (H_D(ν) - H_D(0)) (D >= 3)."""
    beta = np.asarray(beta, dtype=float)
    ab = np.abs(beta)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        logb = np.log(ab)
        if D == 2:
            lz = logb - logw
            w = np.exp(-np.maximum(lz, 0.0))  # 1/|z| where |z| > 1
            ratio = np.where(lz > 0, 1.0 / (2.0 * w + np.hypot(2.0 * w, 1.0)),
                             np.exp(np.minimum(lz, 0.0))
                             / (2.0 + np.hypot(2.0, np.exp(np.minimum(lz, 0.0)))))
            out = ab * (_asinh_half(logb, logw) - ratio)
        else:
            nu, e = _h_inverse_log(logb - logw, D)
            out = ab * nu - (D - 2.0) * _dH(nu, e, D, logw)
    return np.where(ab == 0, 0.0, out)


def q_potential(beta, alpha, depth: int = 2) -> float:
    """Q_α(β): the potential that gradient flow from u(0) = v(0) = α minimizes over Xβ = y.

    D = 2: α² Σ_j q(β_j/α²) (α may be a vector: Σ_j α_j² q(β_j/α_j²)). D >= 3:
    α^D Σ_j G_D(β_j/α^D) with G_D(z) = zν - H_D(ν) + H_D(0), ν = h_D^{-1}(z) (the formula
    derived in docs/diagonal.md; G_D' = h_D^{-1}). Computed in log space: no overflow for
    α down to 1e-300.

    >>> round(q_potential([1.0, -2.0], 1e3) * 4e6, 6)   # kernel regime: ‖β‖²/(4α²)
    5.0
    >>> round(q_potential([1.0, -2.0], 1e-30, depth=3), 6)  # rich regime: ‖β‖₁ (D >= 3)
    3.0
    """
    D = _depth(depth)
    b = _as_real_array(beta, "beta")
    if b.ndim != 1:
        raise ShapeError(f"beta must be a vector, got shape {b.shape}")
    a = _alpha(alpha, b.shape[0], D)
    logw = D * np.log(a)
    return float(np.sum(_potential_terms(b, logw, D)))


def shape_potential(beta, u0, v0) -> float:
    """The depth-2 potential for u(0) = u0, v(0) = v0 (entrywise > 0, β(0) = u0² - v0²):
    the Bregman divergence Σ_j [c q(β/c) - c q(β⁰/c) - φ(β - β⁰)] with c = u0 v0 (the
    conserved u_j v_j), φ = log(u0/v0), β⁰ = 2c sinh φ. It is >= 0 with equality at β⁰.

    >>> shape_potential([0.0], [1.0], [1.0]), round(shape_potential([0.75], [1.0], [0.5]), 12)
    (0.0, 0.0)
    """
    b = _as_real_array(beta, "beta")
    if b.ndim != 1:
        raise ShapeError(f"beta must be a vector, got shape {b.shape}")
    u = _positive(u0, "u0", b.shape[0])
    v = _positive(v0, "v0", b.shape[0])
    logc = np.log(u) + np.log(v)
    phi = np.log(u) - np.log(v)
    b0 = u * u - v * v
    val = (_potential_terms(b, logc, 2) - _potential_terms(b0, logc, 2) - phi * (b - b0))
    return float(np.sum(val))


def shape_alpha(u0, v0) -> np.ndarray:
    """The effective per-coordinate α of the two-layer diagonal network w = u₊⊙v₊ - u₋⊙v₋
    with (u₊, v₊)(0) = (u₋, v₋)(0) = (u0, v0) (Azulay et al. 2021, Thm 4.1): gradient flow
    converges to the depth-2 interpolant with α_j² = (u0_j² + v0_j²)/2 (docs/diagonal.md).

    >>> shape_alpha([1.0], [1.0]).tolist()
    [1.0]
    """
    u = _as_real_array(u0, "u0")
    v = _as_real_array(v0, "v0")
    if u.shape != v.shape or u.ndim > 1:
        raise ShapeError("u0 and v0 must be vectors of the same shape")
    if np.any(u == 0) and np.any(v == 0) and np.any((u == 0) & (v == 0)):
        raise DomainError("u0 and v0 vanish together somewhere: that coordinate never moves")
    return np.sqrt((u * u + v * v) / 2.0)


# =================================================================== sympy forms


def symbolic_q(z=None):
    """q(z) = 2 - √(4 + z²) + z asinh(z/2) as a sympy expression (z: a real Symbol by default).

    sympy is imported here, not at module level: it costs ~0.5 s to import and only the
    proofs and the docs need these forms.
    """
    import sympy as sp

    z = sp.Symbol("z", real=True) if z is None else z
    return 2 - sp.sqrt(4 + z**2) + z * sp.asinh(z / 2)


def symbolic_h(depth, nu=None):
    """h_D(ν) = (1-ν)^{-D/(D-2)} - (1+ν)^{-D/(D-2)} (``depth`` an int >= 3 or a sympy
    Symbol); for depth 2 the limit map 2 sinh ν."""
    import sympy as sp

    nu = sp.Symbol("nu", real=True) if nu is None else nu
    if depth == 2:
        return 2 * sp.sinh(nu)
    D = sp.sympify(depth)
    p = D / (D - 2)
    return (1 - nu) ** (-p) - (1 + nu) ** (-p)


def symbolic_H(depth, nu=None):
    """H_D(ν) = ((D-2)/2)[(1-ν)^{-2/(D-2)} + (1+ν)^{-2/(D-2)}] (H_D' = h_D); 2 cosh ν for
    depth 2."""
    import sympy as sp

    nu = sp.Symbol("nu", real=True) if nu is None else nu
    if depth == 2:
        return 2 * sp.cosh(nu)
    D = sp.sympify(depth)
    return (D - 2) / 2 * ((1 - nu) ** (-2 / (D - 2)) + (1 + nu) ** (-2 / (D - 2)))


# =================================================================== linear algebra


@dataclass(frozen=True)
class _Reduced:
    """X = W diag(s) Uᵀ restricted to its numerical rank r; Xβ = y ⟺ Uᵀβ = b."""

    U: np.ndarray  # (d, r) orthonormal basis of row(X)
    s: np.ndarray  # (r,)
    W: np.ndarray  # (n, r)
    b: np.ndarray  # (r,)


def _reduce(X: np.ndarray, y: np.ndarray) -> _Reduced:
    n, d = X.shape
    try:
        W, s, Zt = np.linalg.svd(X, full_matrices=False)
    except np.linalg.LinAlgError as exc:  # pragma: no cover - finite input always converges
        raise SolverError(f"SVD of X failed: {exc}") from None
    if s.size == 0 or s[0] == 0:
        if np.any(y != 0):
            v = y / np.linalg.norm(y)
            raise InfeasibleError("X = 0 but y != 0: no β has Xβ = y", witness=v)
        return _Reduced(np.zeros((d, 0)), np.zeros(0), np.zeros((n, 0)), np.zeros(0))
    r = int(np.sum(s > s[0] * max(n, d) * _EPS))
    W, s, U = W[:, :r], s[:r], Zt[:r].T
    y_par = W @ (W.T @ y)
    perp = y - y_par
    ny = float(np.linalg.norm(y))
    if ny > 0 and np.linalg.norm(perp) > 1e-9 * ny:
        v = perp / np.linalg.norm(perp)
        raise InfeasibleError(
            f"Xβ = y has no solution: X has rank {r} < n = {n} and y has a component "
            f"{np.linalg.norm(perp):.3g} outside the column space of X; the witness v "
            f"(|vᵀX| <= {np.abs(v @ X).max():.1e}, vᵀy = {v @ y:.3g}) proves it",
            witness=v)
    return _Reduced(U, s, W, (W.T @ y) / s)


def _residuals(X, y, beta, grad, U) -> dict[str, float]:
    """Relative residuals of Xβ = y and of grad ∈ row(X) (U an orthonormal basis)."""
    Xb = X @ beta
    denom = float(np.linalg.norm(y)) + float(np.linalg.norm(X, 2)) * float(np.linalg.norm(beta))
    feas = float(np.linalg.norm(Xb - y)) / denom if denom > 0 else 0.0
    gn = float(np.linalg.norm(grad))
    stat = float(np.linalg.norm(grad - U @ (U.T @ grad))) / gn if gn > 0 else 0.0
    return {"feasibility": feas, "stationarity": stat}


# =================================================================== the dual solver


class _Dual:
    """F(λ) = Σ_j ω_j [H(ν_j + φ_j) - H(φ_j)] - bᵀλ, ν = Uλ; ∇F = Uᵀβ - b with
    β_j = ω_j h(ν_j + φ_j), ∇²F = Uᵀ diag(ω h') U (H = 2cosh for D = 2, H_D otherwise).

    Everything is evaluated in log space from log ω; for D >= 3 the state carries
    e = 1 - |ν| updated incrementally, so ν near ±1 keeps full relative precision in 1 ∓ ν.
    """

    def __init__(self, U, b, logw, phi, D):
        self.U, self.b, self.logw, self.phi, self.D = U, b, logw, phi, D
        self.p = _p(D) if D > 2 else None

    def start(self):
        d = self.U.shape[0]
        return np.zeros(d), np.ones(d)

    def advance(self, nu, e, delta):
        new = nu + delta
        if self.D == 2:
            return new, e
        same = (np.sign(new) == np.sign(nu)) & (np.abs(nu) > 0.5) & (np.abs(new) > 0.5)
        e_new = np.where(same, e - np.sign(nu) * delta, 1.0 - np.abs(new))
        return new, e_new

    def max_step(self, nu, e, dnu):
        """The first trial step of the line search: 1, shortened so that no |Δν_j| exceeds
        30 (D = 2: keeps exp in range) or so that ν stays inside (-1, 1) (D >= 3)."""
        big = float(np.max(np.abs(dnu))) if dnu.size else 0.0
        if self.D == 2:
            return 1.0 if big <= 30.0 else 30.0 / big
        with np.errstate(divide="ignore", invalid="ignore"):
            toward = np.sign(dnu) == np.sign(nu)
            room = np.where(toward, e, 2.0 - e)  # to the near or to the far boundary
            lim = np.where(dnu != 0, room / np.abs(dnu), np.inf)
        return float(min(1.0, 0.95 * np.min(lim))) if lim.size else 1.0

    def evaluate(self, nu, e):
        """(Σ_j F_j, Σ_j |F_j|, β, curvature ω h') or None outside the domain."""
        logw = self.logw
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            if self.D == 2:
                t = nu + self.phi
                a1, a2 = self.phi + 0.5 * nu, 0.5 * nu
                sgn = np.sign(a1) * np.sign(a2)
                F = sgn * np.exp(logw + _log2sinh(a1) + _log2sinh(a2))
                beta = np.sign(t) * np.exp(logw + _log2sinh(t))
                curv = np.exp(logw + np.abs(t) + np.log1p(np.exp(-2.0 * np.abs(t))))
            else:
                if np.any(e <= 0) or np.any(e > 1):  # (ν itself may round to ±1)
                    return None
                p = self.p
                la, lb, L2, t = _logs(nu, e)
                F = (self.D - 2.0) * _dH(nu, e, self.D, logw)
                beta = np.sign(t) * np.exp(logw + _log2sinh(p * t) - 0.5 * p * L2)
                curv = p * (np.exp(logw - (p + 1) * la) + np.exp(logw - (p + 1) * lb))
        F = np.where(np.isnan(F), 0.0, F)  # 0 * inf from exact zeros of sinh(ν/2)
        beta = np.where(np.isnan(beta), 0.0, beta)
        if not (np.all(np.isfinite(F)) and np.all(np.isfinite(beta))
                and np.all(np.isfinite(curv))):
            return None
        return float(np.sum(F)), float(np.sum(np.abs(F))), beta, curv


def _newton_direction(Hm: np.ndarray, g: np.ndarray) -> np.ndarray:
    """-H⁻¹g for a symmetric positive (semi)definite H, Jacobi-scaled, eigh fallback."""
    dg = np.sqrt(np.maximum(np.diag(Hm), 1e-300))
    Hs = Hm / dg[:, None] / dg[None, :]
    gs = g / dg
    try:
        c = scipy.linalg.cho_factor(Hs, lower=True, check_finite=True)
        x = scipy.linalg.cho_solve(c, -gs)
        if np.all(np.isfinite(x)):
            return x / dg
    except (np.linalg.LinAlgError, ValueError):
        pass
    lam, Q = np.linalg.eigh(Hs)
    lam = np.maximum(lam, max(float(lam.max()), 1e-300) * 1e-15)
    return (Q @ ((Q.T @ -gs) / lam)) / dg


def _solve_dual(red: _Reduced, logw, phi, D, *, tol=1e-14, max_iter=1000):
    """Damped Newton on the smooth convex dual; returns (λ, ν, β, iterations)."""
    U, b = red.U, red.b
    prob = _Dual(U, b, logw, phi, D)
    lam = np.zeros(U.shape[1])
    nu, e = prob.start()
    ev = prob.evaluate(nu, e)
    # scale of the gradient Uᵀβ - b: ‖b‖, or ‖Uᵀβ(0)‖ when b = 0 (biased init, y = 0)
    bnorm = max(float(np.linalg.norm(b)), float(np.linalg.norm(U.T @ ev[2])), 1e-300)
    best, stall = math.inf, 0
    for it in range(max_iter):
        Fs, Fa, beta, curv = ev
        F = Fs - float(b @ lam)
        g = U.T @ beta - b
        gn = float(np.linalg.norm(g)) / bnorm
        if gn <= tol:
            return lam, nu, e, beta, it
        if gn < best * 0.5:
            best, stall = gn, 0
        else:
            stall += 1
            if stall >= 8 and best <= 1e-11:
                return lam, nu, e, beta, it
        step = _newton_direction((U.T * curv) @ U, g)
        dnu = U @ step
        slope = float(g @ step)
        slack = 64 * _EPS * (Fa + abs(float(b @ lam)))
        t = prob.max_step(nu, e, dnu)
        while True:
            nu_t, e_t = prob.advance(nu, e, t * dnu)
            ev_t = prob.evaluate(nu_t, e_t)
            if ev_t is not None:
                F_t = ev_t[0] - float(b @ (lam + t * step))
                if F_t <= F + 1e-4 * t * slope + slack:
                    break
            t *= 0.5
            if t < 1e-40:
                if gn <= 1e-9:
                    return lam, nu, e, beta, it
                raise SolverError(f"the dual Newton line search failed (relative gradient "
                                  f"{gn:.2e} after {it} iterations)")
        lam = lam + t * step
        nu, e, ev = nu_t, e_t, ev_t
    Fs, Fa, beta, curv = ev
    gn = float(np.linalg.norm(U.T @ beta - b)) / bnorm
    if gn <= 1e-9:
        return lam, nu, e, beta, max_iter
    raise SolverError(f"the dual Newton method did not converge in {max_iter} iterations "
                      f"(relative gradient {gn:.2e})")


# =================================================================== results


@dataclass(frozen=True)
class DiagonalPrediction:
    """The gradient-flow limit of a depth-D diagonal network (claim kind: exact limit).

    ``beta`` β(∞); ``lambda_`` the dual vector with ∇Q(β) = Xᵀλ (D = 2: arcsinh(β/(2α²)) =
    Xᵀλ, so β = 2α² sinh(Xᵀλ); D >= 3: β = α^D h_D(Xᵀλ)); ``alpha`` the scale (scalar or
    per coordinate), ``depth``; ``u0``/``v0`` the initialization when it is not u = v = α
    (then ∇Q = arcsinh(β/(2u0v0)) - log(u0/v0)); ``value`` Q(β) (q_potential, or
    shape_potential); ``certificate`` the residuals of Xβ = y and ∇Q(β) ∈ row(X).
    ``predictor`` is β.
    """

    beta: np.ndarray
    lambda_: np.ndarray
    alpha: np.ndarray | float | None
    depth: int
    value: float
    certificate: Certificate
    kind: Kind = Kind.EXACT_LIMIT
    reference: Reference = REFERENCE
    u0: np.ndarray | None = None
    v0: np.ndarray | None = None
    info: dict = field(default_factory=dict, compare=False)

    @property
    def predictor(self) -> np.ndarray:
        return self.beta

    @property
    def nu(self) -> np.ndarray:
        """∇Q(β) recomputed from β (= Xᵀλ up to the certificate's residual)."""
        return self.info["grad"]


@dataclass(frozen=True)
class MinNormInterpolant:
    """min ‖β‖_p s.t. Xβ = y for p = 2 (:func:`min_l2`) or p = 1 (:func:`min_l1`).

    ``beta``; ``dual`` λ (p = 2: β = Xᵀλ; p = 1: ‖Xᵀλ‖∞ <= 1, (Xᵀλ)_j = sign β_j on the support,
    yᵀλ = ‖β‖₁); ``value`` ‖β‖_p; ``unique`` (p = 1: certified by a strict dual certificate,
    see :func:`min_l1`); ``support`` (p = 1); ``dual_margin`` γ = 1 - max_{j off support}
    |(Xᵀλ)_j| for the most strictly feasible dual (p = 1); ``alternative`` another minimizer
    found by a tilted re-solve (p = 1, None if none was found); ``predictor`` is β.
    """

    beta: np.ndarray
    dual: np.ndarray
    p: int
    value: float
    unique: bool
    certificate: Certificate
    kind: Kind
    reference: Reference
    support: np.ndarray | None = None
    dual_margin: float | None = None
    alternative: np.ndarray | None = None

    @property
    def predictor(self) -> np.ndarray:
        return self.beta


@dataclass(frozen=True)
class LimitExpansion:
    """The leading-order deviation of β_α from a regime's endpoint.

    ``beta`` = ``limit`` + ``correction`` (the predicted β_α to leading order); ``order`` the
    exponent ρ with ‖correction‖ ∝ α^ρ (kernel: ρ = -2D; rich: ρ = 2γ for D = 2 with γ the
    dual margin of the ℓ1 problem, ρ = D for D >= 3); ``regime`` "kernel" or "rich".
    """

    beta: np.ndarray
    limit: np.ndarray
    correction: np.ndarray
    order: float
    regime: str


# =================================================================== public API


def certificate(beta, X, y, *, alpha=None, depth: int = 2, u0=None, v0=None) -> Certificate:
    """The optimality certificate of a candidate β for min Q s.t. Xβ = y.

    Conditions (relative residuals): ``feasibility`` ‖Xβ - y‖/(‖y‖ + ‖X‖‖β‖) and
    ``stationarity`` ‖P⊥∇Q(β)‖/‖∇Q(β)‖ (P⊥ the projector off row(X)), with
    ∇Q(β) = arcsinh(β/(2α²)) (D = 2), h_D^{-1}(β/α^D) (D >= 3), or arcsinh(β/(2u0v0)) -
    log(u0/v0) (D = 2, u(0) = u0 != v(0) = v0). Q is strictly convex, so both residuals
    vanish exactly at the unique minimizer and nowhere else.

    >>> c = certificate([0.5, 0.5], [[1.0, 1.0]], [1.0], alpha=1.0)
    >>> c.residual < 1e-15, certificate([1.0, 0.0], [[1.0, 1.0]], [1.0], alpha=1.0).residual > 0.1
    (True, True)
    """
    Xf, yf = _data(X, y)
    n, d = Xf.shape
    b = _as_real_array(beta, "beta")
    if b.shape != (d,):
        raise ShapeError(f"beta must have shape ({d},), got {b.shape}")
    logw, phi, D = _init_params(alpha, depth, u0, v0, d)
    red = _reduce_or_witness(Xf, yf, strict=False)
    grad = _grad_potential(b, logw, phi, D)
    return Certificate.from_conditions(_residuals(Xf, yf, b, grad, red.U),
                                       note="Xβ = y and ∇Q(β) ∈ row(X)")


def _reduce_or_witness(X, y, strict=True):
    if strict:
        return _reduce(X, y)
    try:
        return _reduce(X, y)
    except InfeasibleError:  # the certificate of an infeasible problem: no y-projection
        W, s, Zt = np.linalg.svd(X, full_matrices=False)
        r = int(np.sum(s > s[0] * max(X.shape) * _EPS)) if s.size and s[0] > 0 else 0
        return _Reduced(Zt[:r].T, s[:r], W[:, :r], np.zeros(r))


def _init_params(alpha, depth, u0, v0, d):
    """(log ω, φ, D): log ω = D log α (per coordinate) or log(u0 v0); φ = log(u0/v0)."""
    D = _depth(depth)
    if u0 is not None or v0 is not None:
        if alpha is not None:
            raise InvalidInputError("give either alpha or (u0, v0), not both")
        if u0 is None or v0 is None:
            raise InvalidInputError("u0 and v0 must be given together")
        if D != 2:
            raise DepthError("u(0) != v(0) is supported for depth 2 only")
        u = _positive(u0, "u0", d)
        v = _positive(v0, "v0", d)
        return np.log(u) + np.log(v), np.log(u) - np.log(v), D
    a = _alpha(alpha, d, D)
    return np.broadcast_to(D * np.log(a), (d,)).astype(float), np.zeros(d), D


def interpolant(X, y, *, alpha=None, depth: int = 2, u0=None, v0=None) -> DiagonalPrediction:
    """The limit of gradient flow on ½‖Xβ - y‖² for β = u^D - v^D, u(0) = v(0) = α·1.

    β(∞) = argmin Q_α(β) s.t. Xβ = y (:func:`q_potential`); claim kind *exact limit*
    (Woodworth et al., COLT 2020, Thm 1 for D = 2 and the depth-D theorem for D >= 3).
    ``alpha`` is a positive scalar, or (D = 2) a vector (u_j(0) = v_j(0) = α_j). For D = 2,
    ``u0``/``v0`` (instead of alpha) give the limit from u(0) = u0, v(0) = v0 (docs/diagonal.md,
    "Initialization shape").

    Solved through the smooth, strictly convex dual min_λ Σ_j ω_j H(x⁽ʲ⁾ᵀλ) - yᵀλ by damped
    Newton in log space, after reducing Xβ = y to an orthonormal basis of row(X) and
    rescaling y (β(cX, sy; α) = (s/c)·β(X, y; α(c/s)^{1/D}), exactly). Works for α from 1e-16
    to 1e8 without overflow. The answer's certificate (:func:`certificate`) must be
    <= :data:`CERT_TOL`, else :class:`~implicit_bias.theory.errors.CertificateError`.

    Raises InfeasibleError (with a witness v, vᵀX = 0, vᵀy != 0) when Xβ = y has no
    solution, DomainError for α <= 0, DepthError for depth < 2 or a boolean, and input errors
    for NaN/inf, complex values and bad shapes.

    >>> r = interpolant([[1.0, 1.0, 0.0], [0.0, 1.0, 1.0]], [1.0, 1.0], alpha=1e-8)
    >>> r.beta.round(6).tolist()   # rich regime: the sparse solution
    [0.0, 1.0, 0.0]
    >>> interpolant([[1.0, 1.0, 0.0], [0.0, 1.0, 1.0]], [1.0, 1.0], alpha=1e4).beta.round(6)
    array([0.333333, 0.666667, 0.333333])
    """
    Xf, yf = _data(X, y)
    n, d = Xf.shape
    logw, phi, D = _init_params(alpha, depth, u0, v0, d)
    red = _reduce(Xf, yf)
    kappa = float(np.linalg.norm(red.b))
    shaped = u0 is not None
    if shaped:
        u, v = _positive(u0, "u0", d), _positive(v0, "v0", d)
        alpha_out = None
    else:
        a = _alpha(alpha, d, D)
        alpha_out = float(a) if a.ndim == 0 else a.copy()
    if kappa == 0.0 and not (shaped and np.any(phi != 0)):  # y = 0 from β(0) = 0: β = 0
        beta = np.zeros(d)
        lam_int = np.zeros(red.U.shape[1])
        it = 0
    else:
        if kappa == 0.0:
            kappa = 1.0
        red_s = _Reduced(red.U, red.s, red.W, red.b / kappa)
        lam_int, _, _, beta_s, it = _solve_dual(red_s, logw - math.log(kappa), phi, D)
        beta = kappa * beta_s
    lam = red.W @ (lam_int / red.s) if red.s.size else np.zeros(n)
    grad = _grad_potential(beta, logw, phi, D)
    cert = Certificate.from_conditions(_residuals(Xf, yf, beta, grad, red.U),
                                       note="Xβ = y and ∇Q(β) ∈ row(X)")
    if not cert.residual <= CERT_TOL:
        raise CertificateError(f"the diagonal interpolant failed its certificate: "
                               f"{dict(cert.conditions)} (tolerance {CERT_TOL:g})")
    if shaped:
        value = shape_potential(beta, u, v)
        ref = REFERENCE_SHAPE
    else:
        value = q_potential(beta, alpha_out, D)
        ref = REFERENCE if D == 2 else REFERENCE_DEPTH
    return DiagonalPrediction(
        beta=beta, lambda_=lam, alpha=alpha_out, depth=D, value=value, certificate=cert,
        reference=ref, u0=u.copy() if shaped else None, v0=v.copy() if shaped else None,
        info={"iterations": it, "rank": int(red.U.shape[1]), "grad": grad, "scale": kappa})


def min_l2(X, y) -> MinNormInterpolant:
    """min ‖β‖₂ s.t. Xβ = y: the α → ∞ (kernel-regime) limit of :func:`interpolant` (and the
    limit of plain gradient flow on a linear model from 0). Claim kind: *exact limit*.

    Computed from the SVD (β = X⁺y); certificate: Xβ = y and β ∈ row(X).

    >>> min_l2([[1.0, 1.0]], [2.0]).beta.round(12).tolist()
    [1.0, 1.0]
    """
    Xf, yf = _data(X, y)
    red = _reduce(Xf, yf)
    beta = red.U @ red.b
    lam = red.W @ (red.b / red.s) if red.s.size else np.zeros(Xf.shape[0])
    cert = Certificate.from_conditions(_residuals(Xf, yf, beta, beta, red.U),
                                       note="Xβ = y and β ∈ row(X)")
    if not cert.residual <= CERT_TOL:
        raise CertificateError(f"min-l2 certificate failed: {dict(cert.conditions)}")
    return MinNormInterpolant(beta=beta, dual=lam, p=2, value=float(np.linalg.norm(beta)),
                              unique=True, certificate=cert, kind=Kind.EXACT_LIMIT,
                              reference=_REF_L2)


def _lp_l1(U, b, cost):
    """min costᵀ(p + m) s.t. Uᵀ(p - m) = b, p, m >= 0 (HiGHS); returns (β, λ) or raises."""
    d = U.shape[0]
    A = np.hstack([U.T, -U.T])
    res = scipy.optimize.linprog(np.concatenate([cost, cost]), A_eq=A, b_eq=b,
                                 bounds=(0, None), method="highs")
    if res.status != 0:
        raise SolverError(f"HiGHS could not solve the l1 problem (status {res.status}: "
                          f"{res.message})")
    x = res.x
    return x[:d] - x[d:], np.asarray(res.eqlin.marginals, dtype=float)


def _l1_conditions(X, y, beta, lam):
    nu = X.T @ lam
    l1 = float(np.sum(np.abs(beta)))
    feas = _residuals(X, y, beta, np.zeros_like(beta), np.zeros((beta.size, 0)))["feasibility"]
    if l1 == 0:
        return {"feasibility": feas, "dual": 0.0, "complementarity": 0.0, "gap": 0.0}
    return {
        "feasibility": feas,
        "dual": max(0.0, float(np.max(np.abs(nu))) - 1.0),
        "complementarity": float(np.sum(np.abs(beta) * np.abs(nu - np.sign(beta)))) / l1,
        "gap": abs(float(y @ lam) - l1) / l1,
    }


def _dual_margin(U, S, signs):
    """max γ s.t. U_S λ = sign, |U_j λ| <= 1 - γ off S (an LP); (γ, λ) or (-inf, None)."""
    d, r = U.shape
    off = np.setdiff1d(np.arange(d), S)
    if off.size == 0:
        return math.inf, None
    c = np.zeros(r + 1)
    c[-1] = -1.0
    A_ub = np.vstack([np.hstack([U[off], np.ones((off.size, 1))]),
                      np.hstack([-U[off], np.ones((off.size, 1))])])
    b_ub = np.ones(2 * off.size)
    A_eq = np.hstack([U[S], np.zeros((S.size, 1))]) if S.size else None
    res = scipy.optimize.linprog(c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq,
                                 b_eq=signs if S.size else None,
                                 bounds=[(None, None)] * r + [(None, 1.0)], method="highs")
    if res.status != 0:
        return -math.inf, None
    return float(res.x[-1]), res.x[:r]


def min_l1(X, y, *, seed: int = 0) -> MinNormInterpolant:
    """min ‖β‖₁ s.t. Xβ = y: the α → 0 (rich-regime) limit of :func:`interpolant`.

    An LP (β = p - m, p, m >= 0) solved by HiGHS on the orthonormalized, rescaled constraints
    (status checked), then polished on its support. Certificate: Xβ = y, ‖Xᵀλ‖∞ <= 1,
    (Xᵀλ)_j = sign β_j where β_j != 0, zero duality gap. ``unique`` is True iff X_S has full
    column rank and some dual certificate is strictly below 1 off the support S (the
    necessary and sufficient condition of Zhang, Yin & Cheng 2015), decided by a second LP
    whose optimal γ is ``dual_margin``; ``alternative`` is another minimizer found by
    re-solving with the tilted costs 1 ± 1e-6·r (r random, ``seed``), None if the tilts did
    not move. Claim kind: *exact limit* when unique, otherwise *global minimum* (the α → 0
    limit is then one of the minimizers).

    >>> r = min_l1([[1.0, 1.0, 0.0], [0.0, 1.0, 1.0]], [1.0, 1.0])
    >>> r.beta.round(12).tolist(), r.unique, round(r.dual_margin, 12)
    ([0.0, 1.0, 0.0], True, 0.5)
    >>> min_l1([[1.0, 1.0]], [1.0]).unique   # every β on the segment is a minimizer
    False
    """
    Xf, yf = _data(X, y)
    n, d = Xf.shape
    red = _reduce(Xf, yf)
    kappa = float(np.linalg.norm(red.b))
    if kappa == 0.0:
        cert = Certificate.from_conditions({"feasibility": 0.0, "dual": 0.0,
                                            "complementarity": 0.0, "gap": 0.0})
        return MinNormInterpolant(np.zeros(d), np.zeros(n), 1, 0.0, True, cert,
                                  Kind.EXACT_LIMIT, _REF_L1, support=np.zeros(0, int),
                                  dual_margin=1.0)
    U, bs = red.U, red.b / kappa
    beta_s, lam_s = _lp_l1(U, bs, np.ones(d))
    scale = float(np.max(np.abs(beta_s)))
    S = np.nonzero(np.abs(beta_s) > 1e-9 * scale)[0]
    # polish: exact feasibility on the support, exact complementarity when |S| = r
    cand = [(beta_s, lam_s)]
    US = U[S]
    if S.size and np.linalg.matrix_rank(US) == S.size:
        bp = np.zeros(d)
        bp[S] = np.linalg.lstsq(US.T, bs, rcond=None)[0]
        lp = lam_s
        if S.size == U.shape[1]:
            lp = np.linalg.solve(US, np.sign(bp[S]))
        cand.insert(0, (bp, lp))
    best = None
    for bb, ll in cand:
        beta, lam = kappa * bb, red.W @ (ll / red.s)
        cond = _l1_conditions(Xf, yf, beta, lam)
        if best is None or max(cond.values()) < max(best[2].values()):
            best = (beta, lam, cond, bb)
        if max(cond.values()) <= CERT_TOL:
            break
    beta, lam, cond, bb = best
    cert = Certificate.from_conditions(cond, note="feasibility, |Xᵀλ| <= 1, complementarity, "
                                                  "zero duality gap")
    if not cert.residual <= CERT_TOL:
        raise CertificateError(f"min-l1 certificate failed: {cond} (tolerance {CERT_TOL:g})")
    S = np.nonzero(np.abs(bb) > 1e-9 * float(np.max(np.abs(bb))))[0]
    injective = np.linalg.matrix_rank(U[S]) == S.size
    gamma, _ = _dual_margin(U, S, np.sign(bb[S]))
    unique = bool(injective and gamma > 1e-9)
    rng = np.random.default_rng(seed)
    tilt = rng.uniform(-1.0, 1.0, d)
    alternative = None
    l1 = float(np.sum(np.abs(bb)))
    for sgn in (1.0, -1.0):
        try:
            bt, _ = _lp_l1(U, bs, 1.0 + sgn * 1e-6 * tilt)
        except SolverError:
            continue
        if (np.linalg.norm(bt - bb) > 1e-6 * np.linalg.norm(bb)
                and abs(float(np.sum(np.abs(bt))) - l1) <= 1e-7 * l1):
            alternative = kappa * bt
            break
    return MinNormInterpolant(
        beta=beta, dual=lam, p=1, value=float(np.sum(np.abs(beta))), unique=unique,
        certificate=cert, kind=Kind.EXACT_LIMIT if unique else Kind.GLOBAL_MINIMUM,
        reference=_REF_L1, support=S, dual_margin=float(min(gamma, 1.0)),
        alternative=alternative)


def _cubic_coefficient(D: int) -> float:
    """a₃/a₁³ for h(ν) = a₁ν + a₃ν³ + ...: 1/24 (D = 2), (p+1)(p+2)/(24p²) (D >= 3)."""
    if D == 2:
        return 1.0 / 24.0
    p = _p(D)
    return (p + 1) * (p + 2) / (24 * p * p)


def kernel_expansion(X, y, *, alpha, depth: int = 2) -> LimitExpansion:
    """β_α = β₂ + c_D P_null(β₂³)/α^{2D} + O(α^{-4D}) as α → ∞ (β₂ = min-ℓ2 interpolant,
    P_null the projector on ker X, β₂³ entrywise; c₂ = 1/24, c_D = (p+1)(p+2)/(24p²),
    p = D/(D-2)). Derived in docs/diagonal.md from h(ν) = a₁ν + a₃ν³ + O(ν⁵).

    >>> e = kernel_expansion([[1.0, 2.0]], [1.0], alpha=10.0)
    >>> e.order, bool(abs(e.correction).max() < 1e-5)
    (-4.0, True)
    """
    Xf, yf = _data(X, y)
    D = _depth(depth)
    a = _alpha(alpha, Xf.shape[1], D)
    if a.ndim:
        raise ShapeError("kernel_expansion needs a scalar alpha")
    red = _reduce(Xf, yf)
    b2 = red.U @ red.b
    c = b2**3
    corr = (c - red.U @ (red.U.T @ c)) * _cubic_coefficient(D) * float(a) ** (-2.0 * D)
    return LimitExpansion(b2 + corr, b2, corr, -2.0 * D, "kernel")


def rich_expansion(X, y, *, alpha, depth: int = 2) -> LimitExpansion:
    """β_α to leading order as α → 0, from the (unique, non-degenerate) min-ℓ1 solution β*.

    With S the support (|S| = rank X, X_S invertible) and ν_S = ∇Q(β*_S) (arcsinh(β*/(2α²))
    for D = 2, h_D^{-1}(β*/α^D) for D >= 3), the dual ν = Xᵀ X_S^{-T} ν_S gives the
    off-support values β_j = α^D h_D(ν_j) (2α² sinh ν_j for D = 2), j ∉ S, and
    β_S = β*_S - X_S^{-1} X_{S^c} β_{S^c}: one fixed-point step of the optimality system from
    β*. Its relative error is O(‖β_α - β*‖). The deviation is a power law: ∝ α^{2γ} for D = 2
    (γ = dual margin of the ℓ1 problem, via |ν_j| ≈ (1-γ)·log(1/α²)) and ∝ α^D for D >= 3.
    Raises DomainError when the ℓ1 solution is not unique or is degenerate (|S| < rank X).

    >>> X, y = [[2.0, 0.0, 1.0], [0.0, 1.0, 1.0]], [2.0, 1.0]   # β* = (1/2, 0, 1), γ = 1/2
    >>> e = rich_expansion(X, y, alpha=1e-3)
    >>> round(e.order, 9), e.beta.round(5).tolist(), interpolant(X, y, alpha=1e-3).beta.round(5)
    (1.0, [0.50071, 0.00141, 0.99859], array([0.50071, 0.00141, 0.99859]))
    """
    Xf, yf = _data(X, y)
    D = _depth(depth)
    a = _alpha(alpha, Xf.shape[1], D)
    if a.ndim:
        raise ShapeError("rich_expansion needs a scalar alpha")
    l1 = min_l1(Xf, yf)
    red = _reduce(Xf, yf)
    S = l1.support
    if not l1.unique or S.size != red.U.shape[1]:
        raise DomainError("rich_expansion needs a unique min-l1 solution whose support has "
                          f"rank X = {red.U.shape[1]} elements (got unique={l1.unique}, "
                          f"|S| = {S.size})")
    logw = np.full(Xf.shape[1], D * math.log(float(a)))
    nu_S = _grad_potential(l1.beta[S], logw[S], 0.0, D)
    US = red.U[S]
    lam = np.linalg.solve(US, nu_S)
    off = np.setdiff1d(np.arange(Xf.shape[1]), S)
    nu_off = red.U[off] @ lam
    if D == 2:
        beta_off = 2.0 * np.exp(logw[off]) * np.sinh(nu_off)
    else:
        if np.any(np.abs(nu_off) >= 1):  # pragma: no cover - excluded by the dual margin
            raise DomainError("the off-support dual leaves (-1, 1)")
        s, lg = _h_log(nu_off, 1.0 - np.abs(nu_off), _p(D))
        beta_off = s * np.exp(logw[off] + lg)
    corr = np.zeros(Xf.shape[1])
    corr[off] = beta_off
    XS = Xf[:, S]
    corr[S] = -np.linalg.lstsq(XS, Xf[:, off] @ beta_off, rcond=None)[0]
    order = 2.0 * l1.dual_margin if D == 2 else float(D)
    return LimitExpansion(l1.beta + corr, l1.beta, corr, order, "rich")


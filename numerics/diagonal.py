"""Diagonal linear networks β = u^D - v^D as pure JAX functions (the numeric side of
:mod:`implicit_bias.theory.diagonal`; training goes through :mod:`numerics.engine`).

Parameters are the network's own weights ``{"u": (d,), "v": (d,)}`` with u(0) = v(0) = α·1.
This matters: gradient descent acts on the parameters the engine is given, and gradient flow
in reparametrized coordinates is a *different* flow with a different implicit bias. For
example u = α e^{s} turns u̇ = -∂L/∂u into ṡ = -u ∂L/∂u, i.e. u̇ = -u² ∂L/∂u, whose depth-2
limit is the potential with h(ν) = (1-ν)^{-1} - (1+ν)^{-1} (p = 1), not Q_α. So the
parametrization is (u, v) itself, at every α.

Why that is enough at tiny α (docs/diagonal.md, "Small initialization"): in float64, u = 1e-8
and u^D = 1e-40 are normal numbers, and GD updates are multiplicative,
u ← u(1 - ηD u^{D-2} g) (g = Xᵀ(Xβ - y)), so u keeps its relative precision however small it
is; β = u^D - v^D is evaluated as (u - v)·Σ_k u^k v^{D-1-k}, exact near u = v. What tiny α
does need is *time*: for D = 2 the escape from the origin takes ~log(1/α)/(4|g|) units of
flow time (steps ∝ log(1/α)/η), for D >= 3 it takes ~α^{2-D}/(D(D-2)|g|), i.e. ~1e8/η steps
at α = 1e-8, D = 3. Gradient flow's limit does not depend on how time is parametrized, so a
time-rescaled flow θ̇ = -∇L(θ)/ρ(θ) (GD with an adaptive step η_t = η/ρ(θ_t)) has the same
limit as gradient flow up to its own discretization error; the conserved quantity below is
the check that the integrator stays on the gradient-flow manifold.

Conserved along gradient flow: u_j v_j (D = 2) and u_j^{2-D} + v_j^{2-D} (D >= 3)
(proofs ``diagonal.gradient_flow`` and ``diagonal.depth``). One GD step with step η changes
u_j v_j by the factor 1 - 4η²g_j² (D = 2) exactly: the O(η) drift of GD, see the docs.

>>> import jax; jax.config.update("jax_enable_x64", True)
>>> p = init(3, alpha=0.1, depth=2)
>>> predictor(p).tolist(), conserved(p).round(12).tolist()
([0.0, 0.0, 0.0], [0.01, 0.01, 0.01])
"""

from __future__ import annotations

import numbers

import jax.numpy as jnp
import numpy as np

from implicit_bias.theory.errors import DepthError, DomainError, InvalidInputError, ShapeError
from implicit_bias.theory.validate import check_depth

from .engine import Model, float_dtype

__all__ = ["init", "init_shape", "predictor", "predict", "loss", "conserved",
           "effective_alpha", "model", "MODELS"]


def _depth(depth) -> int:
    if isinstance(depth, bool | np.bool_):
        raise DepthError(f"depth must be an integer >= 2, got {depth!r}")
    D = check_depth(depth)
    if D < 2:
        raise DepthError(f"a diagonal network needs depth >= 2, got {D}")
    return D


def init(d: int, *, alpha, depth: int = 2, dtype=None) -> dict:
    """u(0) = v(0) = α·1 (α a positive scalar or a length-d vector), so β(0) = 0.
    ``depth`` is validated here (the parameters do not depend on it)."""
    _depth(depth)
    if isinstance(d, bool) or not isinstance(d, numbers.Integral) or d < 1:
        raise ShapeError(f"d must be a positive integer, got {d!r}")
    if isinstance(alpha, bool):
        raise InvalidInputError("alpha must be a number, not a boolean")
    a = np.asarray(alpha, dtype=float)
    if a.ndim > 1 or (a.ndim == 1 and a.shape[0] != d):
        raise ShapeError(f"alpha must be a scalar or have shape ({d},), got {a.shape}")
    if not np.all(np.isfinite(a)) or np.any(a <= 0):
        raise DomainError(f"alpha must be positive and finite, got {alpha!r}")
    dtype = dtype or float_dtype()
    u = jnp.broadcast_to(jnp.asarray(a, dtype), (d,))
    return {"u": u, "v": u}


def init_shape(u0, v0, *, dtype=None) -> dict:
    """u(0) = u0, v(0) = v0 (positive vectors; β(0) = u0² - v0²), the depth-2
    initialization of theory.diagonal.interpolant(..., u0=, v0=)."""
    u = np.asarray(u0, dtype=float)
    v = np.asarray(v0, dtype=float)
    if u.ndim != 1 or u.shape != v.shape:
        raise ShapeError("u0 and v0 must be vectors of the same length")
    if not (np.all(np.isfinite(u)) and np.all(np.isfinite(v))) or np.any(u <= 0) or np.any(v <= 0):
        raise DomainError("u0 and v0 must be positive and finite")
    dtype = dtype or float_dtype()
    return {"u": jnp.asarray(u, dtype), "v": jnp.asarray(v, dtype)}


def predictor(params, depth: int = 2):
    """β = u^D - v^D, evaluated as (u - v)·Σ_{k<D} u^k v^{D-1-k} (no cancellation at u ≈ v)."""
    u, v = params["u"], params["v"]
    acc = jnp.zeros_like(u)
    for k in range(depth):
        acc = acc + u**k * v ** (depth - 1 - k)
    return (u - v) * acc


def predict(params, X, depth: int = 2):
    """f(x_n) = x_nᵀβ for each row of X (N, d)."""
    return X @ predictor(params, depth)


def loss(params, X, y, depth: int = 2):
    """½‖Xβ - y‖² (a sum, SPEC §0)."""
    r = predict(params, X, depth) - y
    return 0.5 * jnp.sum(r * r)


def conserved(params, depth: int = 2):
    """The gradient-flow invariant per coordinate: u_j v_j (D = 2, = α² from u = v = α) or
    u_j^{2-D} + v_j^{2-D} (D >= 3, = 2α^{2-D})."""
    u, v = params["u"], params["v"]
    if depth == 2:
        return u * v
    return u ** (2 - depth) + v ** (2 - depth)


def effective_alpha(params, depth: int = 2):
    """The α that the invariant says the current state came from: √(u v) (D = 2) or
    ((u^{2-D} + v^{2-D})/2)^{1/(2-D)} (D >= 3). Constant along gradient flow; for GD at
    D = 2, theory.diagonal.interpolant(X, y, alpha=effective_alpha(final)) predicts the
    trained β up to O(η²) instead of O(η) (docs/diagonal.md)."""
    if depth == 2:
        return jnp.sqrt(conserved(params, 2))
    return (0.5 * conserved(params, depth)) ** (1.0 / (2 - depth))


def _make(D: int) -> Model:
    return Model(f"diagonal-{D}", lambda p, X: predict(p, X, D), lambda p: predictor(p, D), D)


#: One engine model per depth (the engine compiles once per model object).
MODELS: dict[int, Model] = {D: _make(D) for D in (2, 3, 4, 5)}


def model(depth: int = 2) -> Model:
    """The engine :class:`~implicit_bias.numerics.engine.Model` of depth ``depth``
    (homogeneity degree D), cached so repeated calls return the same object."""
    D = _depth(depth)
    if D not in MODELS:
        MODELS[D] = _make(D)
    return MODELS[D]

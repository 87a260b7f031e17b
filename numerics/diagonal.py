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

Training (:func:`train`, :func:`train_batch`) is a thin validated call of
:func:`engine.fit <implicit_bias.numerics.engine.fit>` / :func:`engine.fit_batch
<implicit_bias.numerics.engine.fit_batch>` with plain GD on ½‖Xβ - y‖²: the instances of a
batch, and the points of a sweep over α, are stacked on the batch axis. α enters only through
the initial parameters (traced data), the step through ``hyper`` (traced), so a sweep over α,
step sizes or step counts never recompiles. :func:`default_lr` is a step below the stability
threshold at the limit (:func:`sharpness_bound`).

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

from implicit_bias.theory.errors import (
    DepthError,
    DomainError,
    InvalidInputError,
    NonFiniteError,
    ShapeError,
)
from implicit_bias.theory.validate import check_depth, real_array

from .engine import Model, Trace, fit, fit_batch, float_dtype

__all__ = ["init", "init_shape", "predictor", "predict", "loss", "conserved",
           "effective_alpha", "model", "MODELS", "sharpness_bound", "default_lr", "train",
           "train_batch"]


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


# =================================================================== training (engine calls)


def _batch_data(X, y, mask):
    """Validated float64 copies of a stack X (B, n, d), y (B, n), mask (B, n) (masked rows
    zeroed: they then contribute nothing to the loss or its gradient)."""
    Xn = real_array(X, "batched X", finite=False)
    if Xn.ndim != 3:
        raise ShapeError(f"batched X must have shape (B, n, d), got {Xn.shape}")
    B, n, d = Xn.shape
    if B < 1 or n < 1 or d < 1:
        raise ShapeError(f"batched X must be non-empty, got shape {Xn.shape}")
    yn = real_array(y, "batched y", finite=False)
    if yn.shape != (B, n):
        raise ShapeError(f"batched y must have shape {(B, n)}, got {yn.shape}")
    if mask is None:
        m = np.ones((B, n), bool)
    else:
        m = np.asarray(mask)
        if m.dtype != bool:
            raise ShapeError(f"mask must be a boolean array, got dtype {m.dtype}")
        if m.shape != (B, n):
            raise ShapeError(f"mask must have shape {(B, n)}, got {m.shape}")
    if not (np.isfinite(Xn[m]).all() and np.isfinite(yn[m]).all()):
        raise NonFiniteError("X or y contains NaN or inf in unmasked rows")
    return np.where(m[..., None], Xn, 0.0), np.where(m, yn, 0.0), m


def _batch_alpha(alpha, B: int, d: int) -> np.ndarray:
    """α as a (B, d) array: a scalar, one per instance (B,), or per coordinate (B, d)."""
    if isinstance(alpha, bool | np.bool_):
        raise InvalidInputError("alpha must be a number, not a boolean")
    a = real_array(alpha, "alpha", finite=False)
    if a.ndim == 1 and a.shape[0] == B:
        a = a[:, None]
    elif not (a.ndim == 0 or a.shape == (B, d)):
        raise ShapeError(f"alpha must be a scalar, shape ({B},) or ({B}, {d}), got {a.shape}")
    if not np.all(np.isfinite(a)) or np.any(a <= 0):
        raise DomainError("alpha must be positive and finite")
    return np.broadcast_to(a, (B, d)).astype(float)


def sharpness_bound(X, y, alpha, *, depth: int = 2, mask=None) -> np.ndarray:
    """An upper bound, per instance, on the Hessian norm of L(u, v) = ½‖Xβ - y‖² at the limit
    of gradient flow from u = v = α (the stability threshold of GD there is 2/that):

        D² λ_max(XᵀX) ((‖X⁺y‖₁ + α^D)^{2-2/D} + α^{2D-2})        (D = 2: 4λ_max(‖X⁺y‖₁ + 2α²))

    At an interpolant the Hessian is JᵀXᵀXJ with J = ∂β/∂(u, v) = (D u^{D-1}, -D v^{D-1}), so
    its norm is at most D²λ_max max_j(u_j^{2D-2} + v_j^{2D-2}); the invariant keeps one of
    u_j, v_j below α, the other's D-th power below |β_j| + α^D, and |β_j| <= ‖β_α‖₁ <= ‖X⁺y‖₁
    (the potential is convex, even, zero at 0 and increasing in |β_j|, hence superadditive,
    and it is minimized at β_α over a set containing the min-ℓ1 and min-ℓ2 solutions).
    Inputs as in :func:`train_batch` (a single instance X (n, d) is accepted too).

    >>> round(float(sharpness_bound([[1.0, 1.0]], [2.0], 0.5)), 9)   # 4·2·(2 + 2·0.25)
    20.0
    """
    D = _depth(depth)
    one = np.ndim(X) == 2
    Xb, yb, m = _batch_data(np.asarray(X)[None] if one else X,
                            np.asarray(y)[None] if one else y,
                            None if mask is None else (np.asarray(mask)[None] if one else mask))
    B, _, d = Xb.shape
    a = _batch_alpha(alpha if not one or np.ndim(alpha) != 1 else np.asarray(alpha)[None],
                     B, d).max(axis=1)
    out = np.zeros(B)
    for b in range(B):
        lam = float(np.linalg.eigvalsh(Xb[b].T @ Xb[b]).max())
        l1 = float(np.abs(np.linalg.pinv(Xb[b]) @ yb[b]).sum())
        out[b] = D * D * lam * ((l1 + a[b] ** D) ** (2 - 2 / D) + a[b] ** (2 * D - 2))
    return out[0] if one else out


def default_lr(X, y, alpha, *, depth: int = 2, mask=None, eta: float = 0.2):
    """``eta`` / :func:`sharpness_bound`: GD with this step is stable near the limit for any
    ``eta`` < 2 (the normalized step η̃ = η·bound is what the O(η) and O(η²) errors of GD
    against gradient flow scale with, docs/diagonal.md)."""
    if isinstance(eta, bool) or not (np.isfinite(eta) and 0 < eta < 2):
        raise InvalidInputError(f"eta must lie in (0, 2), got {eta!r}")
    return eta / sharpness_bound(X, y, alpha, depth=depth, mask=mask)


def _steps(steps, n_records):
    for name, v in (("steps", steps), ("n_records", n_records)):
        if isinstance(v, bool) or not isinstance(v, numbers.Integral):
            raise InvalidInputError(f"{name} must be an integer, got {v!r}")
    if n_records < 2 or steps < n_records - 1:
        raise InvalidInputError(f"need n_records >= 2 and steps >= n_records - 1, got "
                                f"steps={steps}, n_records={n_records}")


def _lr(lr, B):
    if isinstance(lr, bool | np.bool_):
        raise InvalidInputError("lr must be a number, not a boolean")
    a = real_array(lr, "lr", finite=False)
    if a.ndim > 1 or (a.ndim == 1 and a.shape[0] != B):
        raise ShapeError(f"lr must be a scalar or have shape ({B},), got {a.shape}")
    if not np.all(np.isfinite(a)) or np.any(a <= 0):
        raise DomainError("lr must be positive and finite")
    return np.broadcast_to(a, (B,)).astype(float)


def train_batch(X, y, *, alpha, depth: int = 2, lr=None, steps: int = 20_000,
                n_records: int = 40, mask=None, block: int | None = None, devices=None) -> Trace:
    """GD on ½‖Xβ - y‖² for a stack of instances, β = u^D - v^D from u = v = α (one
    :func:`engine.fit_batch <implicit_bias.numerics.engine.fit_batch>` call).

    ``X`` (B, n, d), ``y`` (B, n), ``mask`` (B, n) (padded rows False; padded columns zero:
    their u_j = v_j = α never move and β_j stays exactly 0). ``alpha``: a scalar, one per
    instance (B,), or per coordinate (B, d); a sweep over α is a batch whose instances repeat
    with different α. ``lr``: a scalar or (B,) (default :func:`default_lr`). Returns the
    engine's :class:`~implicit_bias.numerics.engine.Trace` (``predictor`` = β at the record
    times, ``params`` the final (u, v)). One compilation per (depth, B, n, d, n_records).

    Small α (docs/diagonal.md, "Small initialization"): the parameters are (u, v) themselves
    (a reparametrization such as u = αe^s changes the flow, hence the limit), kept in float64:
    u = 1e-8 and u² = 1e-16 are normal numbers, the GD update u ← u(1 - 2ηg) is
    multiplicative, so u keeps full relative precision, and β is evaluated as (u - v)(u + v).
    Nothing underflows for α >= 1e-150 at D = 2; what small α costs is time (the escape from
    the saddle at 0 takes ~log(1/α²)/(4|g|) flow time).

    >>> import jax; jax.config.update("jax_enable_x64", True)
    >>> tr = train_batch([[[1.0, 1.0, 0.0], [0.0, 1.0, 1.0]]], [[1.0, 1.0]], alpha=1e-8,
    ...                  steps=4000, n_records=5)
    >>> [round(float(v), 4) + 0.0 for v in tr.predictor[0, -1]]   # the sparse solution
    [0.0, 1.0, 0.0]
    """
    D = _depth(depth)
    Xb, yb, m = _batch_data(X, y, mask)
    B, _, d = Xb.shape
    _steps(steps, n_records)
    a = _batch_alpha(alpha, B, d)
    lr = default_lr(Xb, yb, a, depth=D, mask=m) if lr is None else _lr(lr, B)
    dtype = float_dtype()
    u0 = jnp.asarray(a, dtype)
    return fit_batch(model(D), {"u": u0, "v": u0}, jnp.asarray(Xb, dtype),
                     jnp.asarray(yb, dtype), mask=m, loss="square", optimizer="gd",
                     hyper={"lr": lr}, steps=int(steps), n_records=int(n_records),
                     block=block, devices=devices)


def train(X, y, *, alpha, depth: int = 2, lr=None, steps: int = 20_000,
          n_records: int = 40) -> Trace:
    """:func:`train_batch` for one instance X (n, d), y (n,) (one :func:`engine.fit
    <implicit_bias.numerics.engine.fit>` call); ``alpha`` a scalar or (d,)."""
    D = _depth(depth)
    Xn = real_array(X, "X")
    yn = real_array(y, "y")
    if Xn.ndim != 2 or yn.shape != (Xn.shape[0],):
        raise ShapeError(f"X must be (n, d) and y (n,), got {Xn.shape} and {yn.shape}")
    _steps(steps, n_records)
    a = _batch_alpha(np.asarray(alpha)[None] if np.ndim(alpha) == 1 else alpha, 1,
                     Xn.shape[1])[0]
    lr = float(default_lr(Xn, yn, a, depth=D)) if lr is None else float(_lr(lr, 1)[0])
    dtype = float_dtype()
    u0 = jnp.asarray(a, dtype)
    return fit(model(D), {"u": u0, "v": u0}, jnp.asarray(Xn, dtype), jnp.asarray(yn, dtype),
               loss="square", optimizer="gd", hyper={"lr": lr}, steps=int(steps),
               n_records=int(n_records))

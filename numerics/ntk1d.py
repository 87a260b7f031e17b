"""Wide one-hidden-layer ReLU nets on 1-D inputs in NTK parametrization (pure JAX functions; the
numeric side of :mod:`implicit_bias.theory.ntk1d`, trained through :mod:`numerics.engine`).

f(x) = m^{-1/2} Σ_j a_j [w_j x + b_j]_+ with a, w, b ~ N(0, 1), every parameter trained. The
initialization is antisymmetric: units m/2 + j copy units j with a → -a, so f₀ ≡ 0 (up to
rounding, ~1e-16) and the trained function tends, as m → ∞ and the step → 0, to the kernel
interpolant Θ(·, X)Θ(X, X)^{-1}y. The copies do not change the tangent kernel ((-a)² = a²),
so the empirical NTK at initialization is an average of m/2 i.i.d. terms and deviates from Θ
by O(m^{-1/2}) (proof ``ntk1d.tangent_features``; docs/ntk1d.md).

>>> import jax; jax.config.update("jax_enable_x64", True)
>>> p = init(jax.random.key(0), width=8)
>>> float(abs(predict(p, jax.numpy.array([0.3, -1.0]))).max()) < 1e-15
True
"""

from __future__ import annotations

import numbers

import jax
import jax.numpy as jnp
import numpy as np

from implicit_bias.theory.errors import InvalidInputError, ShapeError

from .engine import Model, float_dtype

__all__ = ["init", "predict", "predictor", "predictor_on", "empirical_ntk", "GRID", "MODEL"]

#: The default evaluation grid of :func:`predictor` (the function on [-2, 2]).
GRID = np.linspace(-2.0, 2.0, 41)


def init(key, *, width: int, dtype=None) -> dict:
    """a, w, b ~ N(0, 1) for width/2 units, then the copies (-a, w, b): f₀ ≡ 0."""
    if isinstance(width, bool) or not isinstance(width, numbers.Integral) or width < 2:
        raise InvalidInputError(f"width must be an even integer >= 2, got {width!r}")
    if width % 2:
        raise InvalidInputError(f"the antisymmetric init needs an even width, got {width}")
    dtype = dtype or float_dtype()
    ka, kw, kb = jax.random.split(key, 3)
    h = int(width) // 2
    a = jax.random.normal(ka, (h,), dtype)
    w = jax.random.normal(kw, (h,), dtype)
    b = jax.random.normal(kb, (h,), dtype)
    return {"a": jnp.concatenate([a, -a]), "w": jnp.concatenate([w, w]),
            "b": jnp.concatenate([b, b])}


def _as_points(x):
    x = jnp.asarray(x)
    if x.ndim == 2:
        if x.shape[1] != 1:
            raise ShapeError(f"1-D inputs: x must have shape (N,) or (N, 1), got {x.shape}")
        x = x[:, 0]
    if x.ndim != 1:
        raise ShapeError(f"1-D inputs: x must have shape (N,) or (N, 1), got {x.shape}")
    return x


def predict(params, x):
    """f(x) = m^{-1/2} Σ_j a_j [w_j x + b_j]_+ at the points x (shape (N,) or (N, 1))."""
    x = _as_points(x)
    m = params["a"].shape[0]
    h = jnp.maximum(jnp.outer(x, params["w"]) + params["b"][None, :], 0.0)
    return (h @ params["a"]) / jnp.sqrt(jnp.asarray(m, h.dtype))


def predictor_on(grid):
    """The pure function params -> f(grid) (the predicted object sampled on ``grid``)."""
    g = np.asarray(grid, dtype=float)
    return lambda params: predict(params, jnp.asarray(g, params["a"].dtype))


def predictor(params):
    """f on :data:`GRID` (41 points of [-2, 2]); use :func:`predictor_on` for other points."""
    return predict(params, jnp.asarray(GRID, params["a"].dtype))


#: The engine model (predict is 2-homogeneous in (a, w, b) jointly).
MODEL = Model("ntk1d", predict, predictor, 2)


@jax.jit
def _jac(params, xb):
    return jax.jacrev(lambda p: predict(p, xb))(params)


def _blocks(x, B):
    n = x.shape[0]
    pad = (-n) % B
    xp = np.concatenate([x, np.full(pad, x[-1] if n else 0.0)])
    return [xp[i:i + B] for i in range(0, xp.shape[0], B)], n


def empirical_ntk(params, x, x2=None, *, budget: int = 1 << 22):
    """Θ_m(x, x') = ⟨∇_θ f(x), ∇_θ f(x')⟩ at ``params`` by ``jax.jacrev``, shape (N, N2).

    Memory-aware: the Jacobian is formed for blocks of B points with B·3m <= ``budget``
    numbers (32 MiB in float64 by default), padded to a fixed block so one compilation serves
    every block; width 1e5 runs in blocks of ~13 points.
    """
    x = np.asarray(_as_points(x), dtype=float)
    x2 = x if x2 is None else np.asarray(_as_points(x2), dtype=float)
    m = int(params["a"].shape[0])
    B = int(max(1, min(max(x.shape[0], x2.shape[0]), budget // (3 * m))))
    dt = params["a"].dtype
    b1, n1 = _blocks(x, B)
    b2, n2 = _blocks(x2, B)
    keep = len(b2) * B * 3 * m <= 4 * budget
    J2 = [_jac(params, jnp.asarray(b, dt)) for b in b2] if keep else None
    rows = []
    for xb in b1:
        J1 = _jac(params, jnp.asarray(xb, dt))
        row = []
        for j, yb in enumerate(b2):
            Jb = J2[j] if keep else _jac(params, jnp.asarray(yb, dt))
            row.append(sum(J1[k] @ Jb[k].T for k in ("a", "w", "b")))
        rows.append(jnp.concatenate(row, axis=1))
    return jnp.concatenate(rows, axis=0)[:n1, :n2]

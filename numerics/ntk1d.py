"""Wide one-hidden-layer ReLU nets on 1-D inputs in NTK parametrization (pure JAX functions; the
numeric side of :mod:`implicit_bias.theory.ntk1d`, trained through :mod:`numerics.engine`).

f(x) = m^{-1/2} Σ_j a_j [w_j x + b_j]_+ with a, w, b ~ N(0, 1), every parameter trained. The
initialization is antisymmetric: units m/2 + j copy units j with a → -a, so f₀ ≡ 0 (up to
rounding, ~1e-16) and the trained function tends, as m → ∞ and the step → 0, to the kernel
interpolant Θ(·, X)Θ(X, X)^{-1}y. The copies do not change the tangent kernel ((-a)² = a²),
so the empirical NTK at initialization is an average of m/2 i.i.d. terms and deviates from Θ
by O(m^{-1/2}) (proof ``ntk1d.tangent_features``; docs/ntk1d.md).

Training (:func:`train_batch`) is one validated :func:`engine.fit_batch
<implicit_bias.numerics.engine.fit_batch>` call: plain GD on ½Σ(f(x_i) - y_i)², instances
(and seeds) stacked on the batch axis, ragged data padded with a mask; the data, step size
and step count are traced, so a new dataset or budget never recompiles (one compilation per
width and bucket). :func:`default_lr` is 1/λ_max(Θ(X, X)), half the stability threshold of
the linearized dynamics.

>>> import jax; jax.config.update("jax_enable_x64", True)
>>> p = init(jax.random.key(0), width=8)
>>> float(abs(predict(p, jax.numpy.array([0.3, -1.0]))).max()) < 1e-15
True
"""

from __future__ import annotations

import functools
import numbers

import jax
import jax.numpy as jnp
import numpy as np

from implicit_bias.theory import ntk1d as theory
from implicit_bias.theory.errors import (
    DomainError,
    InvalidInputError,
    KnotError,
    NonFiniteError,
    ShapeError,
)
from implicit_bias.theory.validate import real_array

from .engine import Model, Trace, default_block, fit_batch, float_dtype, init_batch

__all__ = ["init", "predict", "predict_batch", "predictor", "predictor_on", "empirical_ntk",
           "GRID", "MODEL", "default_lr", "train_batch", "end_slopes"]

#: The default evaluation grid of :func:`predictor` (the function on [-2, 2]).
GRID = np.linspace(-2.0, 2.0, 41)


def init(key, *, width: int, dtype=None) -> dict:
    """a, w, b ~ N(0, 1) for width/2 units, then the copies (-a, w, b): f₀ ≡ 0."""
    if isinstance(width, bool) or not isinstance(width, numbers.Integral) or width < 2:
        raise InvalidInputError(f"width must be an even integer >= 2, got {width!r}")
    if width % 2:
        raise InvalidInputError(f"the antisymmetric init needs an even width, got {width}")
    return _init(key, h=int(width) // 2, dtype=jnp.dtype(dtype or float_dtype()))


@functools.partial(jax.jit, static_argnames=("h", "dtype"))
def _init(key, *, h, dtype):
    # one program per (width, dtype) when called eagerly (the claims draw nets one by one),
    # not one per jax.random/concatenate op; one draw: one threefry hash
    a, w, b = jax.random.normal(key, (3, h), dtype)
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


def predict_batch(params, x, *, block: int = 4):
    """:func:`predict` for a stack of nets at their own points: ``params`` {a, w, b} with a
    leading axis R, ``x`` (R, K); returns (R, K), in one compiled call (rows ``block`` at a
    time, so the (block, K, m) hidden activations stay small: 4 x 170 x 8192 floats is 45 MB).

    >>> import jax; jax.config.update("jax_enable_x64", True)
    >>> ps = [init(jax.random.key(i), width=8) for i in range(3)]
    >>> P = {k: jax.numpy.stack([p[k] for p in ps]) for k in ps[0]}
    >>> x = np.array([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]])
    >>> bool(np.allclose(predict_batch(P, x)[1], predict(ps[1], x[1])))
    True
    """
    x = jnp.asarray(x, params["a"].dtype)
    if x.ndim != 2 or x.shape[0] != params["a"].shape[0]:
        raise ShapeError(f"x must have shape (R, K) with R = {params['a'].shape[0]} nets, got "
                         f"{tuple(x.shape)}")
    return _predict_rows(params, x, block=int(max(1, min(block, x.shape[0]))))


@functools.partial(jax.jit, static_argnames="block")
def _predict_rows(params, x, *, block):
    return jax.lax.map(lambda a: predict(a[0], a[1]), (params, x), batch_size=block)


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
    """Θ_m(x, x') = ⟨∇_θ f(x), ∇_θ f(x')⟩ at ``params`` by ``jax.jacrev``, shape (N, N2)
    (a numpy array).

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

    def jac(b):  # one compiled program per (block, width); the products on the host (numpy:
        # eager jnp matmuls, sums and concatenations compiled a program per shape)
        return {k: np.asarray(v) for k, v in _jac(params, np.asarray(b, dt)).items()}

    J2 = [jac(b) for b in b2] if keep else None
    rows = []
    for xb in b1:
        J1 = jac(xb)
        row = []
        for j, yb in enumerate(b2):
            Jb = J2[j] if keep else jac(yb)
            row.append(sum(J1[k] @ Jb[k].T for k in ("a", "w", "b")))
        rows.append(np.concatenate(row, axis=1))
    return np.concatenate(rows, axis=0)[:n1, :n2]


# =================================================================== training (engine calls)


def _batch_points(x, y, mask):
    """Validated float64 copies of x, y (B, N) and mask (B, N); each instance's unmasked
    points must be finite with distinct knots (KnotError otherwise: Θ(X, X) is then
    singular); padded entries repeat the first point, so they change nothing even before
    masking."""
    xv = real_array(x, "batched x", finite=False)
    yv = real_array(y, "batched y", finite=False)
    if xv.ndim != 2 or xv.shape != yv.shape or xv.size == 0:
        raise ShapeError(f"batched x and y must have equal shape (B, N), got {xv.shape} and "
                         f"{yv.shape}")
    if mask is None:
        m = np.ones(xv.shape, bool)
    else:
        m = np.asarray(mask)
        if m.dtype != bool or m.shape != xv.shape:
            raise ShapeError(f"mask must be a boolean array of shape {xv.shape}")
    if not m.any(axis=1).all():
        raise ShapeError("every instance needs at least one unmasked point")
    if not (np.isfinite(xv[m]).all() and np.isfinite(yv[m]).all()):
        raise NonFiniteError("x or y contains NaN or inf in unmasked entries")
    for b in range(xv.shape[0]):
        xs = np.sort(xv[b][m[b]])
        dup = np.nonzero(np.diff(xs) == 0)[0]
        if dup.size:
            raise KnotError(f"instance {b}: knots must be distinct, x = {xs[dup[0]]!r} repeats")
    first = np.argmax(m, axis=1)
    rows = np.arange(xv.shape[0])
    xv = np.where(m, xv, xv[rows, first][:, None])
    yv = np.where(m, yv, yv[rows, first][:, None])
    return xv, yv, m


def default_lr(x, y, *, mask=None) -> np.ndarray:
    """1/λ_max(Θ(X, X)) per instance (Θ the limiting NTK, theory.ntk1d.kernel): GD on the
    linearized model contracts every residual mode for steps below 2/λ_max, and the
    finite-width kernel deviates from Θ by O(m^{-1/2}), so this step keeps a factor 2."""
    xv, _, m = _batch_points(x, y, mask)
    out = np.zeros(xv.shape[0])
    for b in range(xv.shape[0]):
        xs = xv[b][m[b]]
        out[b] = 1.0 / float(np.linalg.eigvalsh(theory.kernel(xs[:, None], xs[None, :]))[-1])
    return out


def end_slopes(params) -> tuple:
    """(f'(-∞), f'(+∞)) of the net: m^{-1/2} Σ_{w_j < 0} a_j w_j and m^{-1/2} Σ_{w_j > 0} a_j w_j
    (numpy; leading batch axes allowed)."""
    a, w = (np.asarray(params[k]) for k in ("a", "w"))
    m = a.shape[-1]
    return (np.sum(np.where(w < 0, a * w, 0.0), -1) / np.sqrt(m),
            np.sum(np.where(w > 0, a * w, 0.0), -1) / np.sqrt(m))


def train_batch(x, y, *, key, width: int, mask=None, lr=None, steps: int = 2000,
                n_records: int = 20, block: int | None = None, devices=None) -> Trace:
    """GD on ½Σ_i(f(x_i) - y_i)² for a stack of 1-D datasets x, y (B, N) (one
    :func:`engine.fit_batch <implicit_bias.numerics.engine.fit_batch>` call), each from its
    own antisymmetric initialization (keys split from ``key``; f₀ ≡ 0).

    ``mask`` (B, N) marks the real points; ``lr`` a scalar or (B,) (default
    :func:`default_lr`); ``steps`` traced (a new budget does not recompile). Returns the
    engine's Trace: ``predictor`` is f on :data:`GRID` at the record times, ``params`` the
    final {a, w, b} with leading axis B (evaluate them anywhere with :func:`predict`).
    ``block``: nets per ``lax.map`` block; None: 8 on a CPU, the engine's accelerator
    default elsewhere (:func:`engine.default_block <implicit_bias.numerics.engine.default_block>`).

    >>> import jax; jax.config.update("jax_enable_x64", True)
    >>> tr = train_batch([[0.0, 1.0, 2.0]], [[0.0, 1.0, 0.0]], key=jax.random.key(0),
    ...                  width=512, steps=500, n_records=3)
    >>> p = {k: v[0] for k, v in tr.params.items()}
    >>> bool(abs(predict(p, jax.numpy.array([1.0]))[0] - 1.0) < 1e-2)
    True
    """
    if isinstance(width, bool) or not isinstance(width, numbers.Integral):
        raise InvalidInputError(f"width must be an even integer >= 2, got {width!r}")
    xv, yv, m = _batch_points(x, y, mask)
    B = xv.shape[0]
    if lr is None:
        lr = default_lr(xv, yv, mask=m)
    else:
        if isinstance(lr, bool | np.bool_):
            raise InvalidInputError("lr must be a number, not a boolean")
        lr = real_array(lr, "lr", finite=False)
        if lr.ndim > 1 or (lr.ndim == 1 and lr.shape[0] != B):
            raise ShapeError(f"lr must be a scalar or have shape ({B},), got {lr.shape}")
        if not np.all(np.isfinite(lr)) or np.any(lr <= 0):
            raise DomainError("lr must be positive and finite")
        lr = np.broadcast_to(lr, (B,)).astype(float)
    dtype = float_dtype()
    p0 = init_batch(init, key, B, width=int(width), dtype=dtype)
    return fit_batch(MODEL, p0, jnp.asarray(xv, dtype), jnp.asarray(yv, dtype), mask=m,
                     loss="square", optimizer="gd", hyper={"lr": lr}, steps=steps,
                     n_records=n_records,
                     block=default_block(devices, cpu=8) if block is None else block,
                     devices=devices)

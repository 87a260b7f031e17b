"""Wide one-hidden-layer ReLU nets on 1-D inputs, trained toward minimal-norm interpolation.

f_θ(x) = Σ_i a_i[w_i x + b_i]_+ + c (+ v·x with a skip unit), cost C(θ) = ½Σ(a_i² + w_i²).
The numeric side of :mod:`theory.relu1d`. Savarese et al. (2019) describe *minimal-norm*
interpolants, the limit of weight decay λ → 0, not plain GD; this trainer says so by doing
route (i) of docs/relu1d.md explicitly: full-batch Adam (optax) on

    ½ Σ_n (f_θ(x_n) - y_n)² + λ_t C(θ),     λ_t = λ₀ (λ₁/λ₀)^{min(1, t/(0.7 T))},

with a cosine-decayed step size, several seeds vmapped (and, in :func:`train_batch`, many
datasets vmapped too, padded to a shape bucket with a mask). Before training, x is mapped
affinely onto [-1, 1] and y scaled to max |y| = 1 (so the defaults do not depend on the data's
units); the trained net is mapped back exactly, R scaling by (y-scale)/(x-scale).

At the end every unit is *balanced*, (a, w, b) → (a/s, s w, s b) with s = √(|a|/|w|): this
leaves f_θ unchanged and makes C(θ) equal the path norm Σ|a_i w_i| (every stationary point of
the weight-decayed objective is balanced; at λ₁ = 1e-6 the decay is too weak to finish the job
within the step budget). ``cost_unbalanced`` keeps the raw C(θ).

Tolerances (used by tests and ``verify relu1d``): g(y) = min R over interpolants of y is
convex and G-Lipschitz in y (:func:`lipschitz_bound`). The λ-regularized optimum has
‖f(x) - y‖ ≤ λ₁G and g(y) - λ₁G² ≤ C ≤ g(y); any width ≥ 2N + 4 represents a minimizer
exactly, so width adds nothing at the optimum. What remains is Adam's optimization error on
a non-convex problem, for which no rate exists: it is measured and reported, not derived.

>>> import jax; jax.config.update("jax_enable_x64", True)
>>> from implicit_bias.numerics.relu1d import train
>>> r = train([0.0, 1.0, 2.0], [0.0, 1.0, 0.0], key=jax.random.key(0), width=64,
...           steps=2000, seeds=2)
>>> r.cost.shape, r.representation.shape, float(r.min_cost)
((2,), (2,), 2.0)
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from implicit_bias.theory import relu1d as theory
from implicit_bias.theory.errors import InvalidInputError, ShapeError

from .engine import Model, Regularizer, default_block, fit_batch, float_dtype, init_batch
from .optimizers import adam

__all__ = ["Fit", "init", "predict", "evaluate", "balance", "lipschitz_bound", "train",
           "train_batch", "bucket"]

#: fraction of the step budget over which λ decays from λ₀ to λ₁ (then held at λ₁)
LAM_DECAY_FRACTION = 0.7
#: the cosine-decayed step size ends at this fraction of ``lr``
LR_FLOOR = 1e-3


class Fit(NamedTuple):
    """Trained nets in the data's own coordinates (leading axes: instance (batched only), seed).

    ``params``: dict of a, w, b (…, width), c, v (…) after balancing; ``cost`` C(θ) (= path
    norm, balanced); ``cost_unbalanced`` C(θ) as trained; ``path_norm``; ``representation``
    R(f_θ) from the kinks (exact, numpy); ``interpolation_error`` max_n |f(x_n) - y_n|;
    ``min_cost`` the closed-form minimum for the data; ``lipschitz`` G (see module doc);
    ``t``/``loss``/``penalty`` the records (square loss and C(θ), normalized coordinates).
    """

    params: dict
    cost: np.ndarray
    cost_unbalanced: np.ndarray
    path_norm: np.ndarray
    representation: np.ndarray
    interpolation_error: np.ndarray
    min_cost: np.ndarray
    lipschitz: np.ndarray
    t: np.ndarray
    loss: np.ndarray
    penalty: np.ndarray


def init(key, *, width: int, x_range=(-1.5, 1.5), scale: float = 1e-2, dtype=None) -> dict:
    """Kinks spread uniformly over ``x_range`` (w ~ N(0, 1), b = -w·kink), tiny output
    weights a ~ N(0, scale²), c = v = 0."""
    dtype = dtype or float_dtype()
    ka, kw, kk = jax.random.split(key, 3)
    w = jax.random.normal(kw, (width,), dtype)
    kinks = jax.random.uniform(kk, (width,), dtype, *x_range)
    return {"a": scale * jax.random.normal(ka, (width,), dtype), "w": w, "b": -w * kinks,
            "c": jnp.zeros((), dtype), "v": jnp.zeros((), dtype)}


def predict(params, x, skip: bool = False):
    """f_θ at the points x (1-D). Without ``skip`` the slope ``v`` is ignored."""
    h = jnp.maximum(jnp.outer(x, params["w"]) + params["b"][None, :], 0.0)
    out = h @ params["a"] + params["c"]
    return out + params["v"] * x if skip else out


def evaluate(params: dict, x, skip: bool = False) -> np.ndarray:
    """:func:`predict` on the host in numpy float64 (:func:`theory.relu1d.network_values
    <implicit_bias.theory.relu1d.network_values>`), for measuring trained nets: no JAX
    dispatch, and no compilation per new number of points (eager JAX compiles each op for
    each shape). ``params`` one net's {a, w, b, c, v} (numpy or JAX arrays).

    >>> p = {"a": np.array([1.0, -1.0]), "w": np.array([1.0, 1.0]), "b": np.array([0.0, -1.0]),
    ...      "c": 0.5, "v": 2.0}
    >>> evaluate(p, [-1.0, 0.5, 2.0]).tolist(), evaluate(p, [2.0], skip=True).tolist()
    ([0.5, 1.0, 1.5], [5.5])
    """
    return theory.network_values(x, params["a"], params["w"], params["b"], float(params["c"]),
                                 float(params["v"]) if skip else 0.0)


def _cost(p):
    return 0.5 * (jnp.sum(p["a"] ** 2) + jnp.sum(p["w"] ** 2))


def balance(params: dict) -> dict:
    """Rescale every unit to |a_i| = |w_i| (f unchanged; C becomes the path norm Σ|a_i w_i|).

    Units with a_i = 0 or w_i = 0 contribute a constant (or nothing) and are set to zero, their
    constant a_i[b_i]_+ moved into c. Works on numpy arrays of any leading shape.
    """
    a, w, b = (np.asarray(params[k], dtype=float) for k in ("a", "w", "b"))
    live = (a != 0) & (w != 0)
    c = np.asarray(params["c"], dtype=float) + np.sum(np.where(w == 0, a * np.maximum(b, 0), 0),
                                                      axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.where(live, np.sqrt(np.abs(a)) / np.sqrt(np.where(live, np.abs(w), 1.0)), 0.0)
        a2 = np.where(live, a / np.where(live, s, 1.0), 0.0)
    return {"a": a2, "w": w * s, "b": b * s, "c": c, "v": np.asarray(params["v"], float)}


def lipschitz_bound(x, *, skip: bool = False) -> float:
    """G with |g(y) - g(y')| <= G ‖y - y'‖₂ for g(y) = min R over interpolants of (x, y).

    g = max(V, (V + |S|)/2) (or V with skip) with V = ‖D y‖₁, S = cᵀy linear in y, so
    G <= Σ_rows ‖D_row‖₂ (+ ‖c‖₂ without skip; the max of G-Lipschitz maps is G-Lipschitz).
    """
    x = np.sort(np.asarray(x, dtype=float))
    N = x.size
    if N < 2:
        return 0.0
    h = np.diff(x)
    # slopes s = A y with A (N-1, N); jumps D = diff(A)
    A = np.zeros((N - 1, N))
    A[np.arange(N - 1), np.arange(N - 1)] = -1 / h
    A[np.arange(N - 1), np.arange(1, N)] = 1 / h
    D = np.diff(A, axis=0)
    GV = float(np.sum(np.linalg.norm(D, axis=1))) if D.size else 0.0
    if skip:
        return GV
    return max(GV, (GV + float(np.linalg.norm(A[0] + A[-1]))) / 2)


def bucket(n: int) -> int:
    """The padded number of points for ``n`` data points: the next multiple of 8 (>= 8)."""
    return max(8, -(-int(n) // 8) * 8)


def _predict_plain(params, x):
    return predict(params, x, False)


def _predict_skip(params, x):
    return predict(params, x, True)


#: the two models: without and with the free linear unit v·x (its slope is unregularized)
MODELS = {False: Model("relu1d", _predict_plain, None, 1),
          True: Model("relu1d+skip", _predict_skip, None, 1)}


def _decay(t, hyper):
    """λ_t = λ₀ (λ₁/λ₀)^{min(1, t/(0.7 T))}: geometric decay, then held at λ₁."""
    frac = jnp.asarray(t, hyper["T"].dtype) / hyper["T"]
    lam0, lam1 = hyper["lam0"], hyper["lam1"]
    return lam0 * (lam1 / lam0) ** jnp.minimum(frac / LAM_DECAY_FRACTION, 1.0)


#: weight decay λ_t·C(θ) with the decaying strength above
WEIGHT_DECAY = Regularizer("weight decay", _cost, _decay, ("lam0", "lam1"))
#: full-batch Adam with a cosine-decayed step (floor LR_FLOOR·lr)
OPTIMIZER = adam("cosine")

#: nets per block: datasets are trained in sequential blocks of about this many nets
#: (``lax.map``), so parameters and Adam moments stay in cache at any batch size
NETS_PER_BLOCK = 16


def _validate_batch(x, y, mask):
    xv = np.asarray(x, dtype=float)
    yv = np.asarray(y, dtype=float)
    if xv.ndim != 2 or xv.shape != yv.shape:
        raise ShapeError(f"batched x and y must have equal shape (B, N), got {xv.shape}, "
                         f"{yv.shape}")
    m = np.ones(xv.shape, bool) if mask is None else np.asarray(mask, dtype=bool)
    if m.shape != xv.shape:
        raise ShapeError(f"mask must have shape {xv.shape}, got {m.shape}")
    data = [theory._check_points(xv[b][m[b]], yv[b][m[b]]) for b in range(xv.shape[0])]
    return data


def train_batch(x, y, *, key, mask=None, width: int = 1000, skip: bool = False,
                seeds: int = 4, steps: int = 40_000, lr: float = 1e-2, lam0: float = 1e-3,
                lam1: float = 1e-6, n_records: int = 20, devices=None) -> Fit:
    """Train ``seeds`` nets per dataset for a stack of datasets x, y of shape (B, N).

    ``mask`` (B, N) marks the real points (pad ragged datasets with :func:`bucket`-sized
    rows; padded entries are ignored). One compiled call per (skip, width, seeds, N,
    n_records): step count, step size and λ's are traced. Returns a :class:`Fit` with
    leading axes (B, seeds) (``min_cost``, ``lipschitz``: (B,)).

    Claim kinds checked downstream: the one-sided chain C(θ) >= Σ|a w| >= R(f_θ) >=
    min R over interpolants of f_θ's own values (must never fail), and C(θ) → min R as
    λ → 0 (an exact minimum, Savarese et al. 2019 Thm 3 / docs/relu1d.md; optimization error
    measured).
    """
    data = _validate_batch(x, y, mask)
    if width < 1 or seeds < 1:
        raise InvalidInputError("width and seeds must be >= 1")
    if not (lam0 > 0 and lam1 > 0 and lr > 0):
        raise InvalidInputError("lr, lam0 and lam1 must be positive")
    B, N = np.shape(x)
    dtype = float_dtype(np.asarray(x, dtype=float))
    # per dataset: x -> (x - cx)/sx on [-1, 1], y -> y/sy; padded rows repeat a real point
    xn, yn, mk = np.zeros((B, N)), np.zeros((B, N)), np.zeros((B, N), bool)
    cx, sx, sy = np.zeros(B), np.ones(B), np.ones(B)
    for b, (xs, ys) in enumerate(data):
        n = xs.size
        if n > 1:
            cx[b], sx[b] = (xs[0] + xs[-1]) / 2, (xs[-1] - xs[0]) / 2
        else:
            cx[b] = xs[0]
        sy[b] = max(float(np.max(np.abs(ys))), 1e-300) if np.any(ys) else 1.0
        xn[b, :n], yn[b, :n], mk[b, :n] = (xs - cx[b]) / sx[b], ys / sy[b], True
        xn[b, n:], yn[b, n:] = xn[b, 0], yn[b, 0]
    p0 = init_batch(init, key, B * seeds, width=int(width), dtype=dtype)
    # one engine instance per (dataset, seed): the data repeated for each seed
    per_seed = lambda a: np.repeat(a, seeds, axis=0)  # noqa: E731
    hyper = {"lr": lr, "lam0": lam0, "lam1": lam1, "lr_floor": LR_FLOOR}
    tr = fit_batch(MODELS[bool(skip)], p0, jnp.asarray(per_seed(xn), dtype),
                   jnp.asarray(per_seed(yn), dtype), mask=per_seed(mk), loss="square",
                   optimizer=OPTIMIZER, regularizer=WEIGHT_DECAY, hyper=hyper, steps=steps,
                   n_records=n_records,
                   block=default_block(devices, cpu=NETS_PER_BLOCK), devices=devices)
    unflat = lambda a: np.asarray(a).reshape(B, seeds, *np.shape(a)[1:])  # noqa: E731
    P = {k: unflat(v).astype(float) for k, v in tr.params.items()}
    t = np.asarray(tr.t)[0]
    loss, pen = np.exp(unflat(tr.log_loss)), unflat(tr.penalty)
    # back to the data's coordinates: f(x) = sy f_n((x - cx)/sx)
    sx_, cx_, sy_ = sx[:, None, None], cx[:, None, None], sy[:, None, None]
    orig = {"a": P["a"] * sy_, "w": P["w"] / sx_, "b": P["b"] - P["w"] * cx_ / sx_,
            "c": P["c"] * sy[:, None], "v": np.zeros_like(P["c"])}
    if skip:
        orig["v"] = P["v"] * (sy / sx)[:, None]
        orig["c"] = orig["c"] - P["v"] * (sy * cx / sx)[:, None]
    raw = 0.5 * (np.sum(orig["a"] ** 2, -1) + np.sum(orig["w"] ** 2, -1))
    shape = (B, seeds)
    cost, path, rep, err = (np.zeros(shape) for _ in range(4))
    bal = balance(orig)
    for b, (xs, ys) in enumerate(data):
        for s in range(seeds):
            u = {k: v[b, s] for k, v in bal.items()}
            nc = theory.network_cost(u["a"], u["w"], u["b"], float(u["c"]),
                                     skip=float(u["v"]) if skip else None)
            cost[b, s], path[b, s], rep[b, s] = nc.cost, nc.path_norm, nc.representation
            err[b, s] = float(np.max(np.abs(evaluate(u, xs, skip) - ys)))
    best = np.array([theory.min_norm_interpolation(xs, ys, skip=skip).cost for xs, ys in data])
    G = np.array([lipschitz_bound(xs, skip=skip) for xs, _ in data])
    return Fit(bal, cost, raw, path, rep, err, best, G, t, loss, pen)


def train(x, y, *, key, width: int = 1000, skip: bool = False, seeds: int = 4,
          steps: int = 40_000, lr: float = 1e-2, lam0: float = 1e-3, lam1: float = 1e-6,
          n_records: int = 20) -> Fit:
    """Train ``seeds`` nets of ``width`` units on one dataset (x, y); see :func:`train_batch`.

    The points are padded to :func:`bucket` (N) so that datasets of similar size share one
    compiled program. The returned :class:`Fit` has leading axis (seeds,).
    """
    xs, ys = theory._check_points(x, y)
    n = bucket(xs.size)
    X = np.full((1, n), xs[0])
    Y = np.full((1, n), ys[0])
    M = np.zeros((1, n), bool)
    X[0, : xs.size], Y[0, : xs.size], M[0, : xs.size] = xs, ys, True
    f = train_batch(X, Y, key=key, mask=M, width=width, skip=skip, seeds=seeds, steps=steps,
                    lr=lr, lam0=lam0, lam1=lam1, n_records=n_records)
    first = {k: (v[0] if isinstance(v, np.ndarray) and v.ndim and k != "t" else v)
             for k, v in f._asdict().items()}
    first["params"] = {k: v[0] for k, v in f.params.items()}
    first["t"] = f.t
    return Fit(**first)

"""Wide one-hidden-layer ReLU nets on 1-D inputs, trained toward minimal-norm interpolation.

f_θ(x) = Σ_i a_i[w_i x + b_i]_+ + c (+ v·x with a skip unit), cost C(θ) = ½Σ(a_i² + w_i²).
The numeric side of :mod:`theory.relu1d`. Savarese et al. (2019) describe *minimal-norm*
interpolants, i.e. the limit of weight decay λ → 0, not plain GD: this trainer minimizes the
square loss + λ_t·C(θ) with Adam (optax), λ_t decaying geometrically from ``lam0`` to ``lam1``
(route (i) of SPEC §3). Several seeds train in one vmapped call.

>>> import jax; jax.config.update("jax_enable_x64", True)
>>> from numerics.relu1d import train
>>> r = train([0.0, 1.0, 2.0], [0.0, 1.0, 0.0], key=jax.random.key(0), width=64,
...           steps=2000, seeds=2)
>>> r.cost.shape, r.representation.shape
((2,), (2,))
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

from theory import relu1d as theory
from theory.errors import InvalidInputError

from .loop import log_times, scan_records
from .trainer import float_dtype

__all__ = ["Fit", "init", "predict", "train"]


class Fit(NamedTuple):
    """Trained nets (leading axis: seed). ``params`` dict of a, w, b (S, width), c, v (S,);
    ``cost`` C(θ), ``path_norm``, ``representation`` R(f_θ) from the kinks (exact, numpy),
    ``interpolation_error`` max_i |f(x_i) - y_i|, ``min_cost`` the closed-form minimum for the
    data, ``t``/``loss``/``penalty`` the records (square loss and C(θ) at log-spaced steps)."""

    params: dict
    cost: np.ndarray
    path_norm: np.ndarray
    representation: np.ndarray
    interpolation_error: np.ndarray
    min_cost: float
    t: np.ndarray
    loss: np.ndarray
    penalty: np.ndarray


def init(key, *, width: int, x_range=(-1.0, 1.0), scale: float = 1e-2, dtype=None) -> dict:
    """Kinks spread uniformly over ``x_range`` (w ~ N(0, 1), b = -w·kink), tiny output
    weights a ~ N(0, scale²)."""
    dtype = dtype or float_dtype()
    ka, kw, kk = jax.random.split(key, 3)
    w = jax.random.normal(kw, (width,), dtype)
    kinks = jax.random.uniform(kk, (width,), dtype, *x_range)
    return {"a": scale * jax.random.normal(ka, (width,), dtype), "w": w, "b": -w * kinks,
            "c": jnp.zeros((), dtype), "v": jnp.zeros((), dtype)}


def predict(params, x, skip: bool = False):
    """f_θ at the points x (1-D)."""
    h = jnp.maximum(jnp.outer(x, params["w"]) + params["b"], 0.0)
    out = h @ params["a"] + params["c"]
    return out + params["v"] * x if skip else out


def _cost(p):
    return 0.5 * (jnp.sum(p["a"] ** 2) + jnp.sum(p["w"] ** 2))


def _make_run(skip: bool, steps: int, n_records: int):
    def run(p0, x, y, lr, lam0, lam1):
        opt = optax.adam(lr)

        def objective(p, lam):
            r = predict(p, x, skip) - y
            return 0.5 * jnp.sum(r**2) + lam * _cost(p)

        def step(state, t):
            p, s = state
            lam = lam0 * (lam1 / lam0) ** (t.astype(x.dtype) / steps)
            g = jax.grad(objective)(p, lam)
            if not skip:
                g = {**g, "v": jnp.zeros_like(g["v"])}
            u, s = opt.update(g, s, p)
            return optax.apply_updates(p, u), s

        def record(state, t):
            p, _ = state
            r = predict(p, x, skip) - y
            return t, 0.5 * jnp.sum(r**2), _cost(p)

        times = jnp.asarray(log_times(steps, n_records))
        (p, _), recs = scan_records(step, record, (p0, opt.init(p0)), times)
        return p, recs

    return jax.jit(jax.vmap(run, in_axes=(0, None, None, None, None, None)))


_RUNS: dict = {}


def train(x, y, *, key, width: int = 1000, skip: bool = False, seeds: int = 4,
          steps: int = 40_000, lr: float = 1e-2, lam0: float = 1e-2, lam1: float = 1e-5,
          n_records: int = 20) -> Fit:
    """Train ``seeds`` nets of ``width`` units on (x, y) by Adam on square loss + λ_t·C(θ).

    Claim kind checked downstream: C(θ) >= R(f_θ) >= min R over interpolants of f_θ(x)
    (one-sided, must never fail), and C(θ) close to the minimal cost as λ → 0.
    """
    xs, ys = theory._check_points(x, y)
    if width < 1 or seeds < 1:
        raise InvalidInputError("width and seeds must be >= 1")
    if not (lam0 > 0 and lam1 > 0 and lr > 0):
        raise InvalidInputError("lr, lam0 and lam1 must be positive")
    dtype = float_dtype(np.asarray(x, dtype=float))
    span = float(xs[-1] - xs[0]) if xs.size > 1 else 1.0
    x_range = (float(xs[0]) - 0.5 * span, float(xs[-1]) + 0.5 * span)
    keys = jax.random.split(key, seeds)
    p0 = jax.vmap(lambda k: init(k, width=width, x_range=x_range, dtype=dtype))(keys)
    cache_key = (skip, int(steps), int(n_records))
    if cache_key not in _RUNS:
        _RUNS[cache_key] = _make_run(skip, int(steps), int(n_records))
    p, (t, loss, pen) = _RUNS[cache_key](p0, jnp.asarray(xs, dtype), jnp.asarray(ys, dtype),
                                         lr, lam0, lam1)
    P = {k: np.asarray(v) for k, v in p.items()}
    costs, paths, reps, errs = [], [], [], []
    for s in range(seeds):
        v = float(P["v"][s]) if skip else None
        nc = theory.network_cost(P["a"][s], P["w"][s], P["b"][s], float(P["c"][s]), skip=v)
        costs.append(nc.cost)
        paths.append(nc.path_norm)
        reps.append(nc.representation)
        fx = np.asarray(predict({k: jnp.asarray(val[s]) for k, val in P.items()},
                                jnp.asarray(xs, dtype), skip))
        errs.append(float(np.max(np.abs(fx - ys))))
    best = theory.min_norm_interpolation(xs, ys, skip=skip).cost
    return Fit(P, np.array(costs), np.array(paths), np.array(reps), np.array(errs), best,
               np.asarray(t[0]), np.asarray(loss), np.asarray(pen))

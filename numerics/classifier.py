"""Training of homogeneous binary classifiers (deep linear nets, linear convnets), shared.

The model modules supply the model (per depth), an initialization and a parameter check;
everything else -- validating the data (labels ±1, masks, NaN), choosing the schedule, casting
and calling the engine -- is here, once.
"""

from __future__ import annotations

from collections.abc import Callable

import jax.numpy as jnp
import numpy as np

from implicit_bias.theory.errors import (
    InvalidInputError,
    NonFiniteError,
    ShapeError,
    warn_not_separable,
)
from implicit_bias.theory.validate import binary_batch, binary_data

from .engine import Model, Trace, fit, fit_batch, float_dtype, init_batch
from .optimizers import BY_NAME

__all__ = ["SCHEDULES", "schedule", "train_one", "train_stack"]

#: the schedules of homogeneous models (the dual-accelerated one is for linear predictors)
SCHEDULES = ("gd", "normalized", "sign")


def schedule(name):
    """The optimizer of a schedule name in :data:`SCHEDULES` (typed error otherwise)."""
    if name not in SCHEDULES:
        raise InvalidInputError(f"schedule must be one of {SCHEDULES} for this model, got "
                                f"{name!r}")
    return BY_NAME[name]


def train_one(model_of: Callable[[int], Model], init: Callable, check: Callable, X, y, *,
              key, params, mask, loss, schedule_name, lr, steps, n_records,
              what: str) -> Trace:
    """One instance: validate (X, y, mask), draw ``init(key, d, dtype)`` unless ``params``
    are given, ``check(params, d)``, and train ``model_of(len(params))``."""
    Xn, yn, Z = binary_data(X, y)
    N, d = Xn.shape
    opt = schedule(schedule_name)
    dtype = float_dtype(X)
    if params is None:
        if key is None:
            raise InvalidInputError(f"{what} needs params or a PRNG key (zero init is a "
                                    "saddle point)")
        params = init(key, d, dtype)
    params = tuple(jnp.asarray(w, dtype) for w in params)
    if not all(bool(jnp.all(jnp.isfinite(w))) for w in params):
        raise NonFiniteError(f"{what}: the initial parameters contain NaN or inf")
    check(params, d)
    m = np.ones(N, bool) if mask is None else np.asarray(mask, dtype=bool)
    if m.shape != (N,):
        raise ShapeError(f"mask must have shape ({N},), got {m.shape}")
    warn_not_separable(Z[m], what)
    return fit(model_of(len(params)), params, jnp.asarray(Xn, dtype), jnp.asarray(yn, dtype),
               mask=m, loss=loss, optimizer=opt, hyper={"lr": lr}, steps=steps,
               n_records=n_records)


def train_stack(model: Model, init: Callable, X, y, *, key, mask, loss, schedule_name, lr,
                steps, n_records, block, params=None, init_kwargs=None, dim="d") -> Trace:
    """A stack of instances X (B, N, d): one ``init(key_b, dim=d, dtype=dtype, **init_kwargs)``
    per instance (the key split B ways; ``init`` a module-level function, see
    :func:`~implicit_bias.numerics.engine.init_batch`), or the stacked ``params`` given
    (leading axis B), trained in one compiled call."""
    init_kwargs = init_kwargs or {}
    Xn, yn, m, _ = binary_batch(X, y, mask)
    B, N, d = Xn.shape
    opt = schedule(schedule_name)
    dtype = float_dtype(X)
    if params is None:
        if key is None:
            raise InvalidInputError("a batch needs stacked params or a PRNG key")
        params = init_batch(init, key, B, **{dim: d}, dtype=dtype, **init_kwargs)
    else:
        params = tuple(jnp.asarray(w, dtype) for w in params)
        if any(w.shape[0] != B for w in params):
            raise ShapeError(f"stacked params need a leading axis of {B} instances")
        if not all(bool(jnp.all(jnp.isfinite(w))) for w in params):
            raise NonFiniteError("the initial parameters contain NaN or inf")
    return fit_batch(model, params, jnp.asarray(Xn, dtype), jnp.asarray(yn, dtype), mask=m,
                     loss=loss, optimizer=opt, hyper={"lr": lr}, steps=steps,
                     n_records=n_records, block=block)

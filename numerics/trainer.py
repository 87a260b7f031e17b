"""Jitted, vmapped classifier training shared by every model (linear, deep linear, convnet).

A model is two pure functions, ``predict(params, X) -> (N,)`` and ``beta(params) -> (d,)``
(the end-to-end linear predictor; for nonlinear models any summary vector). :func:`fit` trains
one instance, :func:`fit_batch` a stack of instances (vmapped over the leading axis, evaluated
in blocks with ``lax.map(..., batch_size=block)`` so large batches stay in cache). Both are
compiled once per (model, loss, schedule, shapes, n_records): step count, step size, data and
initialization are traced.
"""

from __future__ import annotations

from functools import partial
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax
from jax.sharding import Mesh, PartitionSpec

from implicit_bias.theory.validate import as_labels
from implicit_bias.theory.errors import NonFiniteError, ShapeError

from .loop import classification_step, log_times, scan_records
from .losses import get_loss, log_loss

__all__ = ["Trace", "fit", "fit_batch", "float_dtype", "instance_mesh", "validate_batch"]


class Trace(NamedTuple):
    """A training run. Records (leading axis: record index; batched: (B, R, ...)).

    ``t``: the step of each record; ``beta``: the end-to-end linear predictor;
    ``log_loss``: log L(θ_t) (finite at any margin); ``margin``: the normalized margin
    min_n y_n x_nᵀβ/‖β‖ over unmasked points; ``params``: the final parameters;
    ``momentum``: the schedule's final auxiliary state (the dual-accelerated g; zeros for
    the others). ``params``, ``momentum`` and ``t[..., -1]`` are what a later call needs to
    continue the run exactly (``resume=`` in the model modules).
    """

    t: jax.Array
    beta: jax.Array
    log_loss: jax.Array
    margin: jax.Array
    params: object
    momentum: object = None
    #: the step size(s) the run used (scalar, or (B,)), so that a resumed run keeps them
    lr: object = None


def float_dtype(*arrays):
    """The floating dtype the inputs ask for (float64 only when ``jax_enable_x64`` is on)."""
    dt = np.result_type(*[getattr(a, "dtype", np.float64) for a in arrays] or [np.float64])
    if not np.issubdtype(dt, np.floating):
        dt = np.float64
    return jax.dtypes.canonicalize_dtype(dt)


def _fit(params0, mom0, X, y, mask, lr, times, *, predict, beta, loss, schedule, degree):
    lossobj = get_loss(loss)

    def margins(p):
        return y * predict(p, X)

    step = classification_step(margins, lossobj, schedule, mask, degree)

    def record(state, t):
        p, _ = state
        u = margins(p)
        b = beta(p)
        umin = jnp.min(jnp.where(mask, u, jnp.inf))
        return t, b, log_loss(lossobj, u, mask), umin / jnp.linalg.norm(b)

    (params, mom), (t, b, lv, m) = scan_records(
        lambda s, i: step(s, i, lr), record, (params0, mom0), times
    )
    return Trace(t, b, lv, m, params, mom)


_STATIC = ("predict", "beta", "loss", "schedule", "degree")
_fit_jit = jax.jit(_fit, static_argnames=_STATIC)


@partial(jax.jit, static_argnames=(*_STATIC, "block", "mesh"))
def _fit_batch_jit(params0, mom0, X, y, mask, lr, times, *, predict, beta, loss, schedule,
                   degree, block, mesh):
    one = partial(_fit, predict=predict, beta=beta, loss=loss, schedule=schedule,
                  degree=degree)

    def local(p, g, Xi, yi, mi, li, tt):
        def run(args):
            return one(*args, tt)

        return lax.map(run, (p, g, Xi, yi, mi, li), batch_size=min(block, Xi.shape[0]))

    if mesh is None:
        return local(params0, mom0, X, y, mask, lr, times)
    # one shard of the instance axis per device; each device maps over its blocks
    spec = PartitionSpec("i")
    return jax.shard_map(local, mesh=mesh, in_specs=(spec,) * 6 + (PartitionSpec(),),
                         out_specs=spec)(params0, mom0, X, y, mask, lr, times)


def instance_mesh(devices=None):
    """A 1-D mesh named "i" over ``devices`` (default: all local devices), or None for one.

    On a CPU host, several devices come from
    ``XLA_FLAGS=--xla_force_host_platform_device_count=K`` set before JAX starts (the CLI
    sets it to the number of cores); on a GPU host, each GPU is a device.
    """
    devices = jax.local_devices() if devices is None else list(devices)
    if len(devices) < 2:
        return None
    return Mesh(np.array(devices), ("i",))


def _start(params0, momentum0, t0, steps, n_records):
    mom0 = jax.tree.map(jnp.zeros_like, params0) if momentum0 is None else momentum0
    if jax.tree.structure(mom0) != jax.tree.structure(params0):
        raise ShapeError("momentum0 must have the structure of params0")
    if int(t0) < 0:
        raise ValueError(f"t0 must be >= 0, got {t0}")
    return mom0, jnp.asarray(int(t0) + log_times(steps, n_records))


def fit(params0, X, y, mask, lr, *, steps, n_records, predict, beta, loss, schedule,
        degree: int = 1, momentum0=None, t0: int = 0) -> Trace:
    """Train one instance (arrays already validated and cast); see module docstring.

    ``degree`` is the homogeneity of the margins in the parameters (used by "normalized").
    ``momentum0`` and ``t0`` continue an earlier run (its ``Trace.momentum`` and last step):
    ``steps`` more steps from step ``t0``, exactly as if the run had not stopped.
    """
    mom0, times = _start(params0, momentum0, t0, steps, n_records)
    out = _fit_jit(params0, mom0, X, y, mask, lr, times, predict=predict, beta=beta,
                   loss=loss, schedule=schedule, degree=degree)
    return out._replace(lr=lr)


def fit_batch(params0, X, y, mask, lr, *, steps, n_records, predict, beta, loss, schedule,
              degree: int = 1, block: int = 16, devices=None, momentum0=None,
              t0: int = 0) -> Trace:
    """Train a stack of instances (leading axis B on every argument, ``lr`` of shape (B,)).

    The instance axis is split over ``devices`` (default: all local devices) with
    ``jax.shard_map``; B is padded to a multiple of the device count by repeating the last
    instance, and the padding is dropped from the result (B below the device count runs on
    one device). Results do not depend on the split.
    """
    mom0, times = _start(params0, momentum0, t0, steps, n_records)
    B = X.shape[0]
    mesh = instance_mesh(devices)
    if mesh is not None and B < mesh.devices.size:
        mesh = None  # fewer instances than devices: padding would only add work
    args = (params0, mom0, X, y, mask, lr)
    if mesh is not None:
        k = mesh.devices.size
        extra = (-B) % k
        if extra:
            args = jax.tree.map(
                lambda a: jnp.concatenate([a, jnp.repeat(a[-1:], extra, axis=0)]), args)
        per = (B + extra) // k
    else:
        per = B
    block = int(max(1, min(block, per)))
    out = _fit_batch_jit(*args, times, predict=predict, beta=beta, loss=loss,
                         schedule=schedule, degree=degree, block=block, mesh=mesh)
    if mesh is not None and (-B) % mesh.devices.size:
        out = jax.tree.map(lambda a: a[:B], out)
    return out._replace(lr=lr)


def validate_batch(X, y, mask=None):
    """Validate a stack of binary datasets ``X`` (B, N, d), ``y`` (B, N), ``mask`` (B, N).

    Returns float64 numpy copies ``(X, y, mask, Z)`` with masked-out rows zeroed and their
    labels set to +1. Raises the package's typed errors (shape, NaN/inf, labels).
    """
    Xn = np.asarray(X, dtype=float)
    if Xn.ndim != 3:
        raise ShapeError(f"batched X must have shape (B, N, d), got {Xn.shape}")
    B, N, _ = Xn.shape
    yn = np.asarray(y, dtype=float)
    if yn.shape != (B, N):
        raise ShapeError(f"batched y must have shape {(B, N)}, got {yn.shape}")
    m = np.ones((B, N), bool) if mask is None else np.asarray(mask, dtype=bool)
    if m.shape != (B, N):
        raise ShapeError(f"mask must have shape {(B, N)}, got {m.shape}")
    if not m.any(axis=1).all():
        raise ShapeError("every instance needs at least one unmasked point")
    if not np.isfinite(Xn[m]).all():
        raise NonFiniteError("X contains NaN or inf in unmasked rows")
    yn = np.where(m, yn, 1.0)
    as_labels(yn.ravel(), B * N)
    Xn = np.where(m[..., None], Xn, 0.0)
    return Xn, yn, m, yn[..., None] * Xn

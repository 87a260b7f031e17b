"""The one training engine: a jitted, vmapped, shardable loop for any model, loss and optimizer.

A model is two pure functions and a degree (:class:`Model`): ``predict(params, X) -> (N,)``
outputs for one instance and ``predictor(params)``, the object the theory predicts (the
end-to-end linear predictor β, a matrix W, a function's parameters, ...). :func:`fit` trains
one instance, :func:`fit_batch` a stack of instances (vmapped over the leading axis, evaluated
in blocks with ``lax.map(..., batch_size=block)`` so large batches stay in cache, and sharded
over devices with ``jax.shard_map``). Training minimizes L(θ) = Σ_n ℓ(f_θ(x_n), y_n) (plus an
optional scheduled penalty λ_t·P(θ), :class:`Regularizer`) with an
:class:`~implicit_bias.numerics.optimizers.Optimizer`, recording at log-spaced times.

Compiled once per (model, loss, optimizer, regularizer, observe, shapes, n_records): the data,
the initialization, the step count and every hyperparameter (``hyper``) are traced, so a
sweep over instances, step counts or step sizes never recompiles.

A user's own model trains with no loop code (docs/engine.md):

>>> import jax, jax.numpy as jnp
>>> jax.config.update("jax_enable_x64", True)
>>> from implicit_bias.numerics.engine import Model, fit
>>> line = Model("line", lambda w, X: X @ w, lambda w: w)
>>> X, y = jnp.array([[1.0, 2.0]]), jnp.array([3.0])
>>> tr = fit(line, jnp.zeros(2), X, y, loss="square", optimizer="gd", hyper={"lr": 0.1},
...          steps=500, n_records=3)
>>> [round(float(v), 6) for v in tr.predictor[-1]]      # GD from 0: min-norm interpolant
[0.6, 1.2]
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax
from jax.sharding import Mesh, PartitionSpec

from implicit_bias.theory.errors import InvalidInputError, NonFiniteError, ShapeError

from .losses import Loss, get_loss, log_loss, normalized_cotangent, share_cotangent
from .optimizers import Optimizer, get_optimizer

__all__ = ["Model", "Regularizer", "Trace", "fit", "fit_batch", "log_times", "scan_records",
           "float_dtype", "instance_mesh", "hyper_batch", "init_batch", "default_block",
           "CPU_BLOCK", "ACCEL_BLOCK", "batch_bucket"]

#: instances per ``lax.map`` block on a CPU device: a block's parameters, optimizer state and
#: activations stay in cache (benchmarks/bench_linear.py sweeps it)
CPU_BLOCK = 16
#: instances per block on an accelerator (GPU, TPU): the whole shard, up to this many. On an
#: H200 in float64 (benchmarks/bench_gpu.py), blocks of 16 ran 10-440x slower than one vmapped
#: block; at 32768 instances one block was 1.25-1.8x faster than blocks of 4096 for linear,
#: deep_linear and convnet, and 2.9x slower for relu1d (docs/engine.md)
ACCEL_BLOCK = 4096


class Model(NamedTuple):
    """``predict(params, X) -> (N,)``, ``predictor(params) -> array``; ``degree`` is the
    homogeneity of ``predict`` in ``params`` (used by the normalized schedule). Create a
    model once (module level): the engine compiles once per model object."""

    name: str
    predict: Callable
    predictor: Callable
    degree: int = 1


class Regularizer(NamedTuple):
    """A penalty λ_t·P(θ) added to the loss: ``penalty(params)`` is P and
    ``strength(t, hyper)`` is λ_t (traced hyperparameters named in ``hyper_names``)."""

    name: str
    penalty: Callable
    strength: Callable
    hyper_names: tuple = ()


class Trace(NamedTuple):
    """A training run. Records have a leading record axis (batched: (B, R, ...)).

    ``t``: the step of each record; ``predictor``: the model's predicted object;
    ``log_loss``: log L(θ_t) (finite at any margin); ``margin``: for margin-based losses the
    normalized margin min_n y_n f_n/‖predictor‖ over unmasked points (NaN otherwise);
    ``grad_norm``: ‖g‖ of the gradient the optimizer consumes (its ``target``); ``penalty``:
    P(θ_t) of the regularizer (0 without); ``observed``: what ``observe(params, X, y)``
    returned (None without); ``params``, ``state``: the final parameters and optimizer state;
    ``hyper``: the hyperparameters used. ``params``, ``state``, ``hyper`` and ``t[..., -1]``
    are what a later call needs to continue the run exactly.
    """

    t: jax.Array
    predictor: jax.Array
    log_loss: jax.Array
    margin: jax.Array
    grad_norm: jax.Array
    penalty: jax.Array
    observed: object
    params: object
    state: object
    hyper: dict

    @property
    def beta(self):
        """The recorded predictor (the name used for linear models' end-to-end β)."""
        return self.predictor


def log_times(steps: int, n_records: int = 40) -> np.ndarray:
    """Distinct integer record times 0 = t_0 < t_1 < ... < t_{R-1} = ``steps``, log-spaced.

    Exactly ``n_records`` entries (so the array shape, hence the compiled loop, depends only on
    ``n_records``); requires ``steps >= n_records - 1``.

    >>> log_times(1000, 5).tolist()
    [0, 1, 10, 100, 1000]
    """
    if isinstance(steps, bool) or isinstance(n_records, bool):
        raise InvalidInputError("steps and n_records must be integers, not booleans")
    steps, R = int(steps), int(n_records)
    if R < 2:
        raise InvalidInputError(f"n_records must be >= 2, got {R}")
    if steps < R - 1:
        raise InvalidInputError(f"steps ({steps}) must be >= n_records - 1 ({R - 1})")
    t = [0]
    grid = np.geomspace(1, steps, R - 1)
    grid[-1] = steps  # geomspace(1, T, 1) is [1]: the last record is always the last step
    for k, g in enumerate(grid):
        lo = t[-1] + 1
        hi = steps - (R - 2 - k)
        t.append(int(min(max(round(g), lo), hi)))
    return np.asarray(t, dtype=np.int64)


def scan_records(step: Callable, record: Callable, state, times):
    """Run ``step(state, t)`` from t = ``times[0]`` to ``times[-1]``; returns (final state,
    records), ``record(state, t)`` evaluated after t steps for each t in ``times``
    (``lax.fori_loop`` segments inside a ``lax.scan`` over the record times)."""
    times = jnp.asarray(times)

    def segment(carry, t_next):
        s, t = carry
        s = lax.fori_loop(t, t_next, lambda i, x: step(x, i), s)
        return (s, t_next), record(s, t_next)

    (state, _), recs = lax.scan(segment, (state, times[0]), times)
    return state, recs


def float_dtype(*arrays):
    """The floating dtype the inputs ask for (float64 only when ``jax_enable_x64`` is on)."""
    dt = np.result_type(*[getattr(a, "dtype", np.float64) for a in arrays] or [np.float64])
    if not np.issubdtype(dt, np.floating):
        dt = np.float64
    return jax.dtypes.canonicalize_dtype(dt)


def _sq_norm(tree):
    return sum(jnp.sum(jnp.abs(x) ** 2) for x in jax.tree.leaves(tree))


def _gradient(model: Model, loss: Loss, target: str, reg, params, X, y, mask, t, hyper):
    """(g, f): the gradient the optimizer consumes, and the outputs f at ``params``."""
    f, vjp = jax.vjp(lambda p: model.predict(p, X), params)
    if target == "loss":
        ct = jnp.where(mask, loss.dout(f, y), 0.0)
    elif target == "log_loss":
        ct, _ = normalized_cotangent(loss, f, y, mask)
    else:
        ct = share_cotangent(loss, f, y, mask)
    (g,) = vjp(ct.astype(f.dtype))
    if reg is not None:
        lam = reg.strength(t, hyper)
        gp = jax.grad(reg.penalty)(params)
        g = jax.tree.map(lambda a, b: a + lam * b, g, gp)
    return g, f


def _run(params0, state0, X, y, mask, hyper, times, *, model, loss, optimizer, reg,
         observe):
    hyper = dict(hyper, T=times[-1].astype(X.dtype))

    def step(s, t):
        p, st = s
        # an incremental/minibatch optimizer names the examples of step t (records below
        # always use the whole training set)
        m_t = mask if optimizer.examples is None else optimizer.examples(t, mask, hyper)
        g, _ = _gradient(model, loss, optimizer.target, reg, p, X, y, m_t, t, hyper)
        upd, st = optimizer.update(g, st, p, t, hyper)
        return jax.tree.map(jnp.add, p, upd), st

    def record(s, t):
        p, _ = s
        g, f = _gradient(model, loss, optimizer.target, reg, p, X, y, mask, t, hyper)
        b = model.predictor(p) if model.predictor is not None else jnp.zeros((), f.dtype)
        lv = log_loss(loss, f, y, mask)
        if loss.margin_based:
            u = jnp.where(mask, y * f, jnp.inf)
            margin = jnp.min(u) / jnp.sqrt(_sq_norm(b))
        else:
            margin = jnp.full((), jnp.nan, f.dtype)
        pen = reg.penalty(p) if reg is not None else jnp.zeros((), f.dtype)
        obs = observe(p, X, y) if observe is not None else None
        return t, b, lv, margin, jnp.sqrt(_sq_norm(g)), pen, obs

    (params, state), recs = scan_records(step, record, (params0, state0), times)
    t, b, lv, m, gn, pen, obs = recs
    return Trace(t, b, lv, m, gn, pen, obs, params, state, hyper)


_STATIC = ("model", "loss", "optimizer", "reg", "observe")
_run_jit = jax.jit(_run, static_argnames=_STATIC)


@partial(jax.jit, static_argnames=(*_STATIC, "block", "mesh"))
def _run_batch_jit(params0, state0, X, y, mask, hyper, times, *, model, loss, optimizer, reg,
                   observe, block, mesh):
    one = partial(_run, model=model, loss=loss, optimizer=optimizer, reg=reg, observe=observe)

    def local(p, s, Xi, yi, mi, hi, tt):
        return lax.map(lambda a: one(*a, tt), (p, s, Xi, yi, mi, hi),
                       batch_size=min(block, Xi.shape[0]))

    if mesh is None:
        return local(params0, state0, X, y, mask, hyper, times)
    spec = PartitionSpec("i")
    return jax.shard_map(local, mesh=mesh, in_specs=(spec,) * 6 + (PartitionSpec(),),
                         out_specs=spec)(params0, state0, X, y, mask, hyper, times)


def batch_bucket(per: int, block: int) -> tuple[int, int]:
    """(padded count, block) for ``per`` instances on one device in blocks of at most
    ``block``: up to ``block`` instances are padded to the next power of two (capped at
    ``block``), more to a whole number of blocks.

    The compiled program depends on the padded count, so a sweep or a property test over
    batch sizes compiles one program per bucket instead of one per size (in the test suite:
    127 training programs for 98 distinct problems before buckets), and a whole number of
    blocks spares ``lax.map`` the second copy of the body it compiles for a remainder. The
    padding costs under twice the work of a small batch, and under one block for a large one.

    >>> from implicit_bias.numerics.engine import batch_bucket
    >>> [batch_bucket(n, 16) for n in (1, 3, 13, 16, 17, 40)]
    [(1, 1), (4, 4), (16, 16), (16, 16), (32, 16), (48, 16)]
    >>> batch_bucket(11, 12)
    (12, 12)
    """
    per, block = int(per), int(max(1, block))
    if per <= block:
        b = min(block, 1 << max(0, per - 1).bit_length())
        return b, b
    return -(-per // block) * block, block


def default_block(devices=None, *, cpu: int = CPU_BLOCK) -> int:
    """The block :func:`fit_batch` uses when none is given: ``cpu`` instances on a CPU device,
    :data:`ACCEL_BLOCK` on any other (``devices``: default all local devices).

    >>> from implicit_bias.numerics.engine import default_block
    >>> import jax
    >>> default_block(jax.devices("cpu"))
    16
    """
    devices = list(devices) if devices is not None else []
    first = devices[0] if devices else jax.local_devices()[0]
    return int(cpu) if first.platform == "cpu" else ACCEL_BLOCK


def instance_mesh(devices=None):
    """A 1-D mesh named "i" over ``devices`` (default: all local devices), or None for one.

    On a CPU host, several devices come from
    ``XLA_FLAGS=--xla_force_host_platform_device_count=K`` set before JAX starts
    (:func:`implicit_bias.numerics.runtime.configure`); on a GPU host, each GPU is a device.
    """
    devices = jax.local_devices() if devices is None else list(devices)
    if len(devices) < 2:
        return None
    return Mesh(np.array(devices), ("i",))


def _resolve(model, loss, optimizer, regularizer):
    if not isinstance(model, Model):
        raise InvalidInputError(f"model must be an engine.Model, got {type(model).__name__}")
    loss = get_loss(loss)
    optimizer = get_optimizer(optimizer)
    if regularizer is not None and optimizer.target != "loss":
        raise InvalidInputError(f"a regularizer needs an optimizer on the plain loss gradient; "
                                f"{optimizer.name} uses {optimizer.target!r}")
    return loss, optimizer


def _hyper(optimizer: Optimizer, regularizer, hyper, model, dtype, batch=None) -> dict:
    """The traced hyperparameters: defaults, then ``hyper``; checked finite (NaN step sizes
    would return an all-NaN trace), cast to ``dtype``, broadcast to (B,) when batched. The
    optimizer's ``array_hyper`` are arrays of any shape (batched: leading axis B)."""
    out = optimizer.default_hyper()
    out.update(hyper or {})
    need = {"lr", *optimizer.hyper_names, *(regularizer.hyper_names if regularizer else ())}
    if optimizer.name.startswith("optax["):
        need.discard("lr")
        out.setdefault("lr", 0.0)
    missing = sorted(need - set(out))
    if missing:
        raise InvalidInputError(f"{optimizer.name} needs hyperparameter(s) {missing}")
    res = {}
    arrays = set(optimizer.array_hyper)
    for k, v in out.items():
        if isinstance(v, bool):
            raise InvalidInputError(f"hyperparameter {k!r} must be a number, not a boolean")
        try:
            a = np.asarray(v, dtype=float)
        except (TypeError, ValueError):
            raise InvalidInputError(f"hyperparameter {k!r} must be real numbers, got "
                                    f"{type(v).__name__}") from None
        if not np.all(np.isfinite(a)):
            raise NonFiniteError(f"hyperparameter {k!r} is not finite: {v!r}")
        if k in arrays:  # an array hyperparameter: any shape; batched, leading axis B
            if batch is not None and (a.ndim < 1 or a.shape[0] != batch):
                raise ShapeError(f"array hyperparameter {k!r} must have a leading instance "
                                 f"axis of length {batch}, got shape {a.shape}")
            res[k] = np.asarray(a, dtype)
            continue
        if batch is not None:
            if a.ndim > 1 or (a.ndim == 1 and a.shape[0] != batch):
                raise ShapeError(f"hyperparameter {k!r} must be a scalar or have shape "
                                 f"({batch},), got {a.shape}")
            a = np.broadcast_to(a, (batch,))
        elif a.ndim:
            raise ShapeError(f"hyperparameter {k!r} must be a scalar, got shape {a.shape}")
        # numpy, not jnp: a broadcast view becomes a device array through an eager program
        # compiled per shape (``jit_stage``, ``broadcast_in_dim``), i.e. per batch size
        res[k] = np.array(a, dtype)
    res["degree"] = np.full(() if batch is None else (batch,), model.degree, dtype)
    return res


def hyper_batch(hyper: dict, B: int) -> dict:
    """``hyper`` with every value broadcast to shape (B,) (for :func:`fit_batch`)."""
    return {k: np.broadcast_to(np.asarray(v, dtype=float), (B,)) for k, v in hyper.items()}


def _times(steps, n_records, t0):
    if isinstance(t0, bool) or int(t0) < 0:
        raise InvalidInputError(f"t0 must be an integer >= 0, got {t0!r}")
    return np.asarray(int(t0) + log_times(steps, n_records))  # host: no eager program


def _mask(mask, y):
    if mask is None:  # on the host, like _hyper: no eager program per shape
        return np.ones(np.shape(y), bool)
    m = np.asarray(mask, bool)
    if m.shape != np.shape(y):
        raise ShapeError(f"mask must have shape {np.shape(y)}, got {m.shape}")
    return m


def fit(model: Model, params0, X, y, *, loss, optimizer, hyper: dict, steps: int,
        n_records: int = 40, mask=None, regularizer: Regularizer | None = None,
        observe: Callable | None = None, state0=None, t0: int = 0) -> Trace:
    """Train one instance from ``params0`` on (X, y) for ``steps`` steps.

    ``loss``: a :class:`~implicit_bias.numerics.losses.Loss` or its name; ``optimizer``: an
    :class:`~implicit_bias.numerics.optimizers.Optimizer`, its name or an optax
    transformation; ``hyper``: its hyperparameters (``lr`` and those it names; traced).
    ``state0`` and ``t0`` continue an earlier run (its ``Trace.state`` and last step):
    ``steps`` more steps from step ``t0``, exactly as if the run had not stopped. An optimizer
    with ``examples`` differentiates, at step t, only the loss of the examples it selects
    (incremental methods); the records always use the whole (unmasked) training set.
    The arrays are used as given (the model modules validate and cast them).
    """
    loss, optimizer = _resolve(model, loss, optimizer, regularizer)
    dtype = float_dtype(*jax.tree.leaves(params0))
    Xj, yj = _input(X), _input(y)
    state0 = _init_state(params0, optimizer=optimizer) if state0 is None else state0
    return _run_jit(params0, state0, Xj, yj, _mask(mask, yj),
                    _hyper(optimizer, regularizer, hyper, model, dtype),
                    _times(steps, n_records, t0), model=model, loss=loss, optimizer=optimizer,
                    reg=regularizer, observe=observe)


def fit_batch(model: Model, params0, X, y, *, loss, optimizer, hyper: dict, steps: int,
              n_records: int = 40, mask=None, regularizer: Regularizer | None = None,
              observe: Callable | None = None, state0=None, t0: int = 0,
              block: int | None = None, devices=None) -> Trace:
    """:func:`fit` for a stack of B instances (leading axis B on ``params0``, ``X``, ``y``,
    ``mask``; each ``hyper`` value a scalar or shape (B,), and each of the optimizer's
    ``array_hyper`` an array with leading axis B).

    The instance axis is split over ``devices`` (default: all local devices) with
    ``jax.shard_map``; B is padded to a multiple of the device count by repeating the last
    instance, and the padding is dropped from the result (B below the device count runs on
    one device); each device's share is padded the same way to its :func:`batch_bucket`,
    so nearby batch sizes share one compiled program. Results do not depend on the split,
    the padding or ``block``. The Trace holds host numpy arrays (PRNG keys excepted), ready
    to index per instance without compiling.
    ``block``: instances per ``lax.map`` block on each device; None: :func:`default_block`
    (16 on a CPU, the whole shard up to :data:`ACCEL_BLOCK` on an accelerator).
    """
    loss, optimizer = _resolve(model, loss, optimizer, regularizer)
    dtype = float_dtype(*jax.tree.leaves(params0))
    Xj, yj = _input(X), _input(y)
    B = Xj.shape[0]
    mj = _mask(mask, yj)
    hj = _hyper(optimizer, regularizer, hyper, model, dtype, batch=B)
    times = _times(steps, n_records, t0)
    mesh = instance_mesh(devices)
    if mesh is not None and B < mesh.devices.size:
        mesh = None  # fewer instances than devices: padding would only add work
    k = mesh.devices.size if mesh is not None else 1
    if block is None:
        block = default_block(devices)
    per, block = batch_bucket(-(-B // k), block)
    # host arrays: placing a device array on the mesh slices it with an eager program per
    # shape (83 ``_multi_slice`` compiles in one default verify), and padding a device array
    # would compile a concatenation per shape; numpy is split and padded on the host (and
    # numpy throughout keeps one jit cache entry per bucket, padded or not)
    args = jax.tree.map(_host, (params0, state0, Xj, yj, mj, hj))
    extra = per * k - B
    if extra:
        args = jax.tree.map(
            lambda a: _xnp(a).concatenate([a, _xnp(a).repeat(a[-1:], extra, axis=0)]), args)
    if state0 is None:  # on the padded batch: its program is shared by the bucket too
        states = jax.tree.map(_host, _init_states(args[0], optimizer=optimizer))
        args = (args[0], states, *args[2:])
    out = _run_batch_jit(*args, times, model=model, loss=loss, optimizer=optimizer,
                         reg=regularizer, observe=observe, block=block, mesh=mesh)
    return jax.tree.map(lambda a: _host(a)[:B], out)


def init_batch(init: Callable, key, B: int, **kwargs):
    """``init(k, **kwargs)`` for each of B keys split from ``key``, stacked on a leading axis,
    in one compiled call.

    ``init`` is a module-level function (it is part of the cache key). Python floats among
    ``kwargs`` are traced (a sweep over an init scale does not recompile); every other
    keyword (ints, shapes, dtypes, tuples) is static, and ``init`` must not branch on a
    float keyword. Eager ``jax.random`` calls compile one small program per op and shape (39
    in one default verify: ``_normal``, ``_threefry_split``, ``_uniform``, slices); this is
    one program per shape. It compiles about as long as those did (threefry and the inverse
    erf of ``normal``: 0.3-0.5 s per shape on CPU), but a cached run looks up one program
    instead of several. B is rounded up to a power of two inside (the extra draws are
    dropped), so batch sizes 5 to 8 share one program: with JAX's partitionable threefry
    (``jax_threefry_partitionable``, the default) the first B keys of a split into more are
    the B keys of ``split(key, B)``, so the values do not change; without it B is used as is.
    The arrays come back on the host (numpy), ready for :func:`fit_batch`.

    >>> import jax
    >>> from implicit_bias.numerics.engine import init_batch
    >>> def unit(k, *, n, scale): return scale * jax.random.normal(k, (n,))
    >>> init_batch(unit, jax.random.key(0), 3, n=2, scale=0.5).shape
    (3, 2)
    """
    traced = {k: v for k, v in kwargs.items()
              if isinstance(v, float | np.floating) and not isinstance(v, bool)}
    static = tuple(sorted((k, v) for k, v in kwargs.items() if k not in traced))
    B = int(B)
    Bp = 1 << max(0, B - 1).bit_length() if jax.config.jax_threefry_partitionable else B
    out = _init_batch_jit(key, traced, init=init, B=Bp, static=static)
    return jax.tree.map(lambda a: _host(a)[:B], out)


@partial(jax.jit, static_argnames=("init", "B", "static"))
def _init_batch_jit(key, traced, *, init, B, static):
    return jax.vmap(lambda k: init(k, **dict(static), **traced))(jax.random.split(key, B))


@partial(jax.jit, static_argnames="optimizer")
def _init_states(params, *, optimizer):
    return jax.vmap(optimizer.init)(params)


@partial(jax.jit, static_argnames="optimizer")
def _init_state(params, *, optimizer):
    # one program per (optimizer, shapes): eager, each zeros_like/full compiled on its own
    return optimizer.init(params)


def _input(a):
    """A data array as given if it is a JAX array, else a numpy array of JAX's canonical dtype
    (float32 without x64): ``jnp.asarray`` of a numpy array compiles a program per shape
    (``jit_stage``), i.e. per batch size and instance size."""
    if isinstance(a, jax.Array):
        return a
    a = np.asarray(a)
    dt = jax.dtypes.canonicalize_dtype(a.dtype)
    return a if a.dtype == dt else a.astype(dt)


def _xnp(a):
    return np if isinstance(a, np.ndarray) else jnp


def _host(a):
    """A result leaf as a host numpy array (PRNG keys stay JAX arrays): the callers index,
    slice and reduce the records per instance, and each such eager JAX op on a new shape
    would compile a program of its own (measured in one default verify with JAX_LOG_COMPILES:
    83 slices and 47 gathers, 5 s)."""
    if not hasattr(a, "dtype"):  # a Python number among the leaves
        return np.asarray(a)
    if jnp.issubdtype(a.dtype, jax.dtypes.prng_key):
        return a
    return np.asarray(a)

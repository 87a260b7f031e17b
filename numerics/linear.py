"""Linear predictors f(x) = wᵀx trained by GD-type methods on separable data.

The numeric side of :mod:`theory.svm` (Soudry et al., JMLR 2018): GD with constant step
(the theorem's setting), normalized GD (direction error O(1/t)) and dual-accelerated momentum
(margin Õ(1/t²)) all converge in direction to the hard-margin SVM ŵ/‖ŵ‖.

>>> import jax; jax.config.update("jax_enable_x64", True)
>>> from implicit_bias.numerics.linear import train
>>> tr = train([[1.0, 0.0], [0.0, 2.0]], [1, 1], schedule="accelerated", steps=1000)
>>> [round(float(v), 3) for v in tr.beta[-1] / (tr.beta[-1] ** 2).sum() ** 0.5]
[0.894, 0.447]
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from implicit_bias.theory.errors import (
    InvalidInputError,
    NonFiniteError,
    ShapeError,
    StepSizeError,
    warn_not_separable,
    warn_step,
)
from implicit_bias.theory.validate import binary_batch, binary_data

from .engine import Model, Trace, fit, fit_batch, float_dtype
from .metrics import cosine_gap
from .optimizers import BY_NAME

__all__ = ["MODEL", "predict", "beta", "step_bound", "default_lr", "train", "train_batch",
           "train_until_aligned", "Aligned", "SCHEDULES"]

#: the schedules of the SVM family (names of :data:`implicit_bias.numerics.optimizers.BY_NAME`)
SCHEDULES = ("gd", "normalized", "accelerated", "sign")


def predict(w, X):
    """f(x_n) = x_nᵀw for every row of X."""
    return X @ w


def beta(w):
    """The end-to-end predictor of a linear model is w itself."""
    return w


#: the linear model f(x) = wᵀx as an engine model (degree 1)
MODEL = Model("linear", predict, beta, 1)


def _schedule(schedule):
    if schedule not in SCHEDULES:
        raise InvalidInputError(f"schedule must be one of {SCHEDULES}, got {schedule!r}")
    return BY_NAME[schedule]


def step_bound(Z, *, loss: str, schedule: str, w0=None,
               mask=None) -> tuple[np.ndarray, bool, str]:
    """Stability bound(s) on η for data Z (N, d) or a stack (B, N, d); returns (bound, proven, why).

    * GD, logistic: η < 2/(β σ_max²(Z)) = 8/σ_max² (descent lemma; β = 1/4). Proven.
    * GD, exp: η ≲ 1/(L(w0) σ_max²) (docs/svm.md; exp loss is not globally smooth). Heuristic.
    * normalized (GD on log L, whose Hessian is ≼ max_n ‖z_n‖² I): η < 2/max_n‖z_n‖² for the
      exp loss (proven); heuristic for logistic.
    * accelerated: η <= 1/max_n ‖z_n‖² (Ji, Srebro & Telgarsky 2021 assume ‖z_n‖ <= 1, θ = 1).
    * sign: no stability bound (every step moves each coordinate by η or 0; the iterates
      oscillate at scale η around a direction that is fixed by the data, not by η).
    """
    Z = np.asarray(Z, dtype=float)
    if schedule == "sign":
        return np.full(Z.shape[:-2], np.inf), False, "none (sign GD)"
    if schedule == "gd":
        sig2 = np.linalg.eigvalsh(np.swapaxes(Z, -1, -2) @ Z)[..., -1]
        if loss == "logistic":
            return 8.0 / sig2, True, "8/sigma_max(Z)^2 (logistic GD, beta = 1/4)"
        w0 = np.zeros(Z.shape[-1]) if w0 is None else np.asarray(w0, dtype=float)
        u = np.einsum("...nd,...d->...n", Z, w0)
        if mask is not None:
            u = np.where(mask, u, np.inf)
        L0 = np.exp(np.logaddexp.reduce(-u, axis=-1))
        return 1.0 / (L0 * sig2), False, "1/(L(w0) sigma_max(Z)^2) (exp-loss GD, heuristic)"
    r2 = np.max(np.sum(Z**2, axis=-1), axis=-1)
    if schedule == "normalized":
        return 2.0 / r2, loss == "exp", "2/max_n ||z_n||^2 (normalized GD = GD on log L)"
    return 1.0 / r2, False, "1/max_n ||z_n||^2 (dual-accelerated momentum)"


def default_lr(Z, *, loss: str, schedule: str, w0=None, mask=None) -> np.ndarray:
    """A safe step: 1/σ_max² for GD on logistic (1/8 of the bound), the bound otherwise
    (halved where the bound is strict); for sign GD 1/max_n‖z_n‖₁ (one step changes every
    margin by at most one)."""
    return _default_from(step_bound(Z, loss=loss, schedule=schedule, w0=w0, mask=mask), Z,
                         loss, schedule, mask)


def _default_from(sb, Z, loss, schedule, mask):
    if schedule == "sign":
        Z = np.abs(np.asarray(Z, dtype=float))
        if mask is not None:
            Z = np.where(np.asarray(mask)[..., None], Z, 0.0)
        return 1.0 / np.max(np.sum(Z, axis=-1), axis=-1)
    bound = sb[0]
    if schedule == "gd" and loss == "logistic":
        return bound / 8.0
    return bound / 2.0 if schedule == "normalized" else bound


def _step(lr, Z, loss, schedule, w0, mask=None):
    """``lr`` (or the default step when None), checked against the stability bound; the
    bound is computed once (a batched eigvalsh: ~0.3 s at B = 4096, d = 50)."""
    sb = step_bound(Z, loss=loss, schedule=schedule, w0=w0, mask=mask)
    if lr is None:
        lr = _default_from(sb, Z, loss, schedule, mask)
    return _check_lr(lr, Z, loss, schedule, w0, mask, sb=sb)


def _check_lr(lr, Z, loss, schedule, w0, mask=None, sb=None):
    bound, proven, why = sb or step_bound(Z, loss=loss, schedule=schedule, w0=w0, mask=mask)
    lr = np.broadcast_to(np.asarray(lr, dtype=float), np.shape(bound))
    if not np.all(np.isfinite(lr)):
        raise NonFiniteError(f"the step size must be finite, got {lr!r}")
    if np.any(lr <= 0):
        raise InvalidInputError(f"the step size must be positive, got {lr!r}")
    strict = proven and not (schedule == "accelerated")
    bad = lr >= bound if strict else lr > bound * (1 + 1e-12)
    if np.any(bad):
        i = int(np.argmax(bad))
        where = f" (instance {i} of {bad.size})" if bad.ndim else ""
        msg = (f"step size {float(lr.flat[i]):.6g} exceeds the stability bound "
               f"{float(np.asarray(bound).flat[i]):.6g} = {why}{where}")
        if proven:
            raise StepSizeError(msg, bound=float(np.asarray(bound).flat[i]))
        warn_step(msg + "; check that the loss decreases")
    return lr


def _init(d, dtype, w0, key, init_scale, batch=None):
    shape = (d,) if batch is None else (batch, d)
    if w0 is not None:
        w = np.asarray(w0, dtype=float)
        if w.shape != shape:
            raise ShapeError(f"w0 must have shape {shape}, got {w.shape}")
        if not np.all(np.isfinite(w)):
            raise NonFiniteError("the initialization w0 contains NaN or inf")
        return jnp.asarray(w, dtype)
    if key is None:
        return jnp.zeros(shape, dtype)
    return init_scale * jax.random.normal(key, shape, dtype)


def _resume(resume, shape, w0, key, lr):
    """(w0, momentum, t0, lr) to continue ``resume`` (a Trace of the same data and schedule);
    without an explicit ``lr`` the run keeps its own step (the default step of exp-loss GD
    depends on the initial point, so recomputing it from the resumed point would change it)."""
    if resume is None:
        return w0, None, 0, lr
    if w0 is not None or key is not None:
        raise InvalidInputError("resume= continues a run: do not also pass w0 or key")
    w = np.asarray(resume.params, dtype=float)
    if w.shape != shape:
        raise ShapeError(f"resume holds parameters of shape {w.shape}, this call needs {shape}")
    t_last = np.asarray(resume.t)[..., -1]
    if np.any(t_last != t_last.flat[0]):
        raise InvalidInputError("resume holds instances stopped at different steps")
    if lr is None:
        lr = np.asarray(resume.hyper["lr"], dtype=float)
    return w, resume.state, int(t_last.flat[0]), lr


def train(X, y, *, loss: str = "logistic", schedule: str = "gd", lr=None, steps: int = 10_000,
          n_records: int = 40, w0=None, key=None, init_scale: float = 1.0, mask=None,
          resume: Trace | None = None) -> Trace:
    """Train w by ``schedule`` on ``loss`` for ``steps`` steps, recording at log-spaced times.

    Predicts nothing itself: compare ``trace.beta[-1]`` with :func:`theory.svm.max_margin`.
    Initialization: ``w0`` if given, else ``init_scale * normal(key)`` if ``key`` is given,
    else 0; ``resume`` (an earlier Trace on the same data, schedule and step size) continues
    that run for ``steps`` more steps, bit-for-bit as if it had not stopped (momentum and step
    counter included). ``lr=None`` picks :func:`default_lr`; a step above a proven stability
    bound raises
    :class:`~theory.errors.StepSizeError` (above a heuristic one: a StepSizeWarning). The dtype
    follows the inputs (float64 needs ``jax.config.update("jax_enable_x64", True)``).
    """
    Xn, yn, Z = binary_data(X, y)
    N, d = Xn.shape
    m = np.ones(N, bool) if mask is None else np.asarray(mask, dtype=bool)
    if m.shape != (N,):
        raise ShapeError(f"mask must have shape ({N},), got {m.shape}")
    Zm = Z[m]
    warn_not_separable(Zm, "linear.train")
    opt = _schedule(schedule)
    w0, mom, t0, lr = _resume(resume, (d,), w0, key, lr)
    lr = float(_step(lr, Zm, loss, schedule, w0))
    dtype = float_dtype(X)
    params = _init(d, dtype, w0, key, init_scale)
    return fit(MODEL, params, jnp.asarray(Xn, dtype), jnp.asarray(yn, dtype), mask=m,
               loss=loss, optimizer=opt, hyper={"lr": lr}, steps=steps, n_records=n_records,
               state0=mom, t0=t0)


def train_batch(X, y, *, mask=None, loss: str = "logistic", schedule: str = "gd", lr=None,
                steps: int = 10_000, n_records: int = 40, w0=None, key=None,
                init_scale: float = 1.0, block: int | None = None,
                resume: Trace | None = None) -> Trace:
    """:func:`train` for a stack of B instances: ``X`` (B, N, d), ``y`` (B, N), ``mask`` (B, N).

    Padding with ``mask=False`` lets instances of different sizes share one compiled shape
    (padded rows are ignored; zero-padded columns keep w = w0 there). ``lr`` is a scalar or
    one step per instance. One compilation serves every call with the same shapes.
    ``resume`` continues an earlier batched run (see :func:`train`).

    >>> import jax; jax.config.update("jax_enable_x64", True)
    >>> import numpy as np
    >>> X, y = np.array([[[1.0, 0.0], [3.0, 1.0]]]), np.ones((1, 2))
    >>> kw = dict(schedule="accelerated", n_records=3)
    >>> whole = train_batch(X, y, steps=200, **kw)
    >>> half = train_batch(X, y, steps=100, **kw)
    >>> rest = train_batch(X, y, steps=100, resume=half, **kw)
    >>> bool(np.all(np.asarray(rest.params) == np.asarray(whole.params)))
    True
    """
    Xn, yn, m, Z = binary_batch(X, y, mask)
    B, N, d = Xn.shape
    opt = _schedule(schedule)
    w0, mom, t0, lr = _resume(resume, (B, d), w0, key, lr)
    lr = _step(lr, Z, loss, schedule, w0, m)
    if lr.ndim == 0:
        lr = np.full(B, float(lr))
    dtype = float_dtype(X)
    params = _init(d, dtype, w0, key, init_scale, batch=B)
    return fit_batch(MODEL, params, jnp.asarray(Xn, dtype), jnp.asarray(yn, dtype), mask=m,
                     loss=loss, optimizer=opt, hyper={"lr": lr}, steps=steps,
                     n_records=n_records, block=block, state0=mom, t0=t0)


class Aligned(NamedTuple):
    """Per instance: ``gap`` = 1 - cos(β, target) when it stopped, ``steps`` = the stage end at
    which it stopped, ``converged`` = gap <= tol, ``beta`` the final predictor (B, d)."""

    gap: np.ndarray
    steps: np.ndarray
    converged: np.ndarray
    beta: np.ndarray


def train_until_aligned(X, y, target, *, tol: float, mask=None, loss: str = "logistic",
                        schedule: str = "accelerated", lr=None,
                        stages=(21_000, 30_000, 60_000), bucket: int = 64,
                        block: int | None = None) -> Aligned:
    """Train a batch until each instance's direction is within ``tol`` of ``target``.

    The verification hot path: every instance trains to ``stages[0]`` steps; those with
    1 - cos(β, target) <= ``tol`` stop there, the others continue (exactly: same momentum and
    step counter, via ``resume``) to the next stage end, and so on. The continuing subset is
    padded to a multiple of ``bucket`` (below it, to a power of two) so that few shapes
    compile. ``target`` (B, d) is the
    predicted direction (e.g. :func:`theory.svm.max_margin`'s ``w``); numerics only measures.
    Each instance follows the same iterates as in a direct run to its stopping step, up to
    rounding (the batch's composition changes between stages, and with it the vectorization:
    <= 2e-12 measured), at the cost of the steps each instance needs.
    """
    Xn, yn, m, Z = binary_batch(X, y, mask)
    B, _, d = Xn.shape
    opt = _schedule(schedule)
    W = np.asarray(target, dtype=float)
    if W.shape != (B, d):
        raise ShapeError(f"target must have shape {(B, d)}, got {W.shape}")
    if list(stages) != sorted(set(int(t) for t in stages)) or int(stages[0]) < 1:
        raise InvalidInputError(f"stages must be increasing positive step counts, got {stages}")
    lr = np.broadcast_to(_step(lr, Z, loss, schedule, None, m), (B,)).copy()
    dtype = float_dtype(X)
    Xj, yj, mj = (jnp.asarray(a, dt) for a, dt in ((Xn, dtype), (yn, dtype), (m, bool)))
    gap, steps = np.full(B, np.inf), np.zeros(B, dtype=np.int64)
    conv, beta_out = np.zeros(B, bool), np.zeros((B, d))
    # validated and bound-checked once above; each stage calls the engine directly
    w, g = jnp.zeros((B, d), dtype), None
    active, done = np.arange(B), 0
    for T in map(int, stages):
        k = active.size
        # few shapes compile: multiples of bucket, and powers of two below it
        pad = (-k) % bucket if k > bucket else (1 << (k - 1).bit_length()) - k
        sel = np.concatenate([active, np.full(pad, active[-1])])
        state = None if g is None else jax.tree.map(lambda a, s=sel: a[s], g)
        tr = fit_batch(MODEL, w[sel], Xj[sel], yj[sel], mask=mj[sel], loss=loss, optimizer=opt,
                       hyper={"lr": lr[sel]}, steps=T - done, n_records=2, block=block,
                       state0=state, t0=done)
        b = np.asarray(tr.beta[:, -1])[:k]
        gp = cosine_gap(b, W[active])
        gap[active], steps[active], beta_out[active] = gp, T, b
        ok = gp <= tol
        conv[active[ok]] = True
        keep = np.flatnonzero(~ok)
        if not keep.size:
            break
        # scatter the stage's end state back to full-batch positions for the next stage
        w = w.at[active[keep]].set(tr.params[keep])
        if g is None:
            g = jax.tree.map(lambda a: jnp.zeros((B, *a.shape[1:]), a.dtype), tr.state)
        idx = active[keep]
        g = jax.tree.map(lambda a, b, i=idx, k=keep: a.at[i].set(b[k]), g, tr.state)
        active, done = active[keep], T
    return Aligned(gap, steps, conv, beta_out)

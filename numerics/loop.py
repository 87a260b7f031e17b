"""The one jitted training loop of the package, and its log-spaced recording.

:func:`scan_records` runs ``state = step(state, t)`` for t = 0, 1, ..., T-1 with
``lax.fori_loop`` segments between record times, inside a ``lax.scan`` over the record times.
The record times are a traced array, so changing the number of steps (at a fixed number of
records) never recompiles. Every trainer (linear, deep linear, convnet, ...) builds its step
function and calls this.

:func:`classification_step` is the step shared by every classifier: GD, normalized GD and
dual-accelerated momentum on an exponentially tailed loss, for any model whose margins
u_n = y_n f(θ; x_n) are computed by a function of the parameters (a pytree).
"""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from .losses import Loss, normalized_weights, shares

__all__ = ["log_times", "scan_records", "classification_step", "SCHEDULES", "tree_axpy"]

#: GD (the theorem's own setting), normalized GD (Ji & Telgarsky, ALT 2021),
#: dual-accelerated momentum (Ji, Srebro & Telgarsky, ICML 2021), and sign GD (steepest
#: descent for the ℓ∞ norm, the ε → 0 limit of Adam's per-coordinate scaling; its limit is
#: the ℓ∞ max margin direction, not the L2 one: Gunasekar et al., ICML 2018, Thm 5).
SCHEDULES = ("gd", "normalized", "accelerated", "sign")


def log_times(steps: int, n_records: int = 40) -> np.ndarray:
    """Distinct integer record times 0 = t_0 < t_1 < ... < t_{R-1} = ``steps``, log-spaced.

    Exactly ``n_records`` entries (so the array shape, hence the compiled loop, depends only on
    ``n_records``); requires ``steps >= n_records - 1``.

    >>> log_times(1000, 5).tolist()
    [0, 1, 10, 100, 1000]
    """
    steps, R = int(steps), int(n_records)
    if R < 2:
        raise ValueError(f"n_records must be >= 2, got {R}")
    if steps < R - 1:
        raise ValueError(f"steps ({steps}) must be >= n_records - 1 ({R - 1})")
    t = [0]
    grid = np.geomspace(1, steps, R - 1)
    grid[-1] = steps  # geomspace(1, T, 1) is [1]: the last record is always the last step
    for k, g in enumerate(grid):
        # strictly increasing, leaving room for the remaining records before `steps`
        lo = t[-1] + 1
        hi = steps - (R - 2 - k)
        t.append(int(min(max(round(g), lo), hi)))
    return np.asarray(t, dtype=np.int64)


def scan_records(step: Callable, record: Callable, state, times):
    """Run ``step`` from t = ``times[0]`` to ``times[-1]``, returning (final state, records).

    ``step(state, t) -> state`` performs the update from iterate t to t + 1;
    ``record(state, t)`` is evaluated on the iterate after t steps for each t in ``times``.
    ``state`` is the iterate at step ``times[0]`` (0 for a fresh run, recording the initial
    point; the last step of an earlier run to continue it).
    """
    times = jnp.asarray(times)

    def segment(carry, t_next):
        s, t = carry
        s = lax.fori_loop(t, t_next, lambda i, x: step(x, i), s)
        return (s, t_next), record(s, t_next)

    (state, _), recs = lax.scan(segment, (state, times[0]), times)
    return state, recs


def tree_axpy(a, x, y):
    """a·x + y for pytrees x, y."""
    return jax.tree.map(lambda xi, yi: a * xi + yi, x, y)


def classification_step(margins: Callable, loss: Loss, schedule: str, mask=None,
                        degree: int = 1) -> Callable:
    """The update for ``state = (params, momentum)`` at step t (an int array), step size ``lr``.

    ``margins(params) -> u`` with u_n = y_n f(params; x_n), positively homogeneous of
    ``degree`` k in the parameters. With c_n = -ℓ'(u_n) >= 0 and v = Σ_n c_n ∇u_n (one VJP),
    the schedules are

    * ``"gd"``:          θ ← θ + η v                          (= θ - η ∇L)
    * ``"normalized"``:  θ ← θ + η v / (L s^{2(k-1)}),  s² = ‖θ‖²/k
      (= θ - η ∇ log L for linear models; for k > 1 a reparametrized gradient flow whose
      end-to-end predictor moves like normalized GD, ‖Δθ‖ ∝ η/‖θ‖^{k-1}: SPEC §2 tips)
    * ``"accelerated"``: q = c/Σc, v_q = Σ q_n ∇u_n, g ← t/(t+1)·(g + v_q), θ ← θ + η (g + v_q)
      (Ji, Srebro & Telgarsky 2021, Alg. 1: Nesterov acceleration of the dual; for linear
      predictors, with η <= 1/max‖z_n‖²).
    * ``"sign"``:        θ ← θ + η sign(v)   (sign GD; coordinates with v_i = 0 do not move)
    """
    if schedule not in SCHEDULES:
        raise ValueError(f"schedule must be one of {SCHEDULES}, got {schedule!r}")

    def step(state, t, lr):
        params, g = state
        u, vjp = jax.vjp(margins, params)
        if schedule == "gd":
            c = loss.slope(u)  # sigmoid(-u): 5x cheaper than exp(log_sigmoid(-u))
            if mask is not None:
                c = jnp.where(mask, c, 0.0)
        elif schedule in ("accelerated", "sign"):
            # sign GD needs only the direction of v: shares never underflow (sigmoid(-u)
            # is 0 in float64 once every margin exceeds ~745, which would freeze the iterate)
            c = shares(loss, u, mask)
        else:
            c, _ = normalized_weights(loss, u, mask)
        (v,) = vjp(c.astype(u.dtype))
        if schedule == "gd":
            return tree_axpy(lr, v, params), g
        if schedule == "sign":
            return tree_axpy(lr, jax.tree.map(jnp.sign, v), params), g
        if schedule == "normalized":
            eta = lr
            if degree > 1:
                s2 = sum(jnp.sum(p**2) for p in jax.tree.leaves(params)) / degree
                eta = lr / s2 ** (degree - 1)
            return tree_axpy(eta, v, params), g
        tt = t.astype(u.dtype)
        g = jax.tree.map(lambda gi, vi: tt / (tt + 1) * (gi + vi), g, v)
        return tree_axpy(lr, jax.tree.map(jnp.add, g, v), params), g

    return step

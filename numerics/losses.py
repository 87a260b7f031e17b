"""Losses of the training engine, computed in the log domain where it matters.

A :class:`Loss` is a per-example loss ℓ(f, y) of the model output f and the target y; the
training loss is a **sum**, L = Σ_n ℓ(f_n, y_n) (docs/conventions.md). Each loss provides

* ``value(f, y)``        ℓ itself,
* ``log_value(f, y)``    log ℓ, finite for every finite input where ℓ > 0 (no overflow or
  underflow at margins of ±1e4: the classification losses are written in the log domain),
* ``dout(f, y)``         ∂ℓ/∂f, in one cheap op (for the exponentially tailed losses
  -y·e^{-u} or -y·σ(-u) with the margin u = y f),
* ``log_abs_dout(f, y)`` log|∂ℓ/∂f|, from which the engine forms the normalized gradient
  ∇L/L and the shares ∇L/Σ|ℓ'| without overflow.

Shipped: ``"exp"`` ℓ = e^{-yf}, ``"logistic"`` ℓ = log(1 + e^{-yf}) (classification, y ∈ {±1};
tight exponential tails) and ``"square"`` ℓ = ½(f - y)² (regression). A user's own loss is
:func:`make_loss` of a per-example function; create it once (module level) and reuse it, since
the engine compiles once per loss object.

>>> import jax.numpy as jnp
>>> from implicit_bias.numerics.losses import LOSSES
>>> u = jnp.array([-1e4, 0.0, 1e4])
>>> bool(jnp.isfinite(LOSSES["logistic"].log_value(u, jnp.ones(3))).all())
True
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import jax
import jax.numpy as jnp

from implicit_bias.theory.errors import InvalidInputError

__all__ = ["Loss", "LOSSES", "get_loss", "make_loss", "log_loss", "normalized_cotangent",
           "share_cotangent", "shares", "normalized_weights"]


class Loss(NamedTuple):
    """A per-example loss (see the module docstring). ``margin_based``: ℓ depends on the margin
    u = y f only (then ``smoothness`` is sup ℓ'' in u, or None if not globally smooth)."""

    name: str
    value: Callable
    log_value: Callable
    dout: Callable
    log_abs_dout: Callable
    margin_based: bool
    smoothness: float | None


# ------------------------------------------------------------------ exponentially tailed


def _exp_value(f, y):
    return jnp.exp(-y * f)


def _exp_log_value(f, y):
    return -y * f


def _exp_dout(f, y):
    return -y * jnp.exp(-y * f)


def _logistic_value(f, y):
    return jax.nn.softplus(-y * f)


def _logistic_log_value(f, y):
    # log(log1p(e^-u)); for u > 0 write it as -u + log(log1p(v)/v), v = e^-u in (0, 1].
    u = y * f
    pos = u > 0
    v = jnp.exp(-jnp.where(pos, u, 1.0))
    ratio = jnp.where(v > 0, jnp.log1p(v) / jnp.where(v > 0, v, 1.0), 1.0)
    big = -u + jnp.log(ratio)
    small = jnp.log(jax.nn.softplus(-jnp.where(pos, 0.0, u)))
    return jnp.where(pos, big, small)


def _logistic_dout(f, y):
    return -y * jax.nn.sigmoid(-y * f)  # sigmoid(-u): 5x cheaper than exp(log_sigmoid(-u))


def _logistic_log_abs_dout(f, y):
    return jax.nn.log_sigmoid(-y * f)


# ------------------------------------------------------------------ square


def _square_value(f, y):
    return 0.5 * (f - y) ** 2


def _square_log_value(f, y):
    r = jnp.abs(f - y)
    return 2.0 * jnp.log(r) - jnp.log(2.0)


def _square_dout(f, y):
    return f - y


def _square_log_abs_dout(f, y):
    return jnp.log(jnp.abs(f - y))


LOSSES: dict[str, Loss] = {
    "exp": Loss("exp", _exp_value, _exp_log_value, _exp_dout, _exp_log_value, True, None),
    "logistic": Loss("logistic", _logistic_value, _logistic_log_value, _logistic_dout,
                     _logistic_log_abs_dout, True, 0.25),
    "square": Loss("square", _square_value, _square_log_value, _square_dout,
                   _square_log_abs_dout, False, 1.0),
}


def get_loss(loss) -> Loss:
    """A :class:`Loss` given by name (``"exp"``, ``"logistic"``, ``"square"``) or itself."""
    if isinstance(loss, Loss):
        return loss
    try:
        return LOSSES[loss]
    except (KeyError, TypeError):
        raise InvalidInputError(f"loss must be a Loss or one of {sorted(LOSSES)}, got "
                                f"{loss!r}") from None


def make_loss(name: str, value: Callable, *, margin_based: bool = False,
              smoothness: float | None = None) -> Loss:
    """A :class:`Loss` from a per-example function ``value(f, y) -> ℓ`` (elementwise, JAX).

    The derivative comes from :func:`jax.grad`; the log forms are the plain logs (no special
    care for overflow: write your own Loss for losses with exponential tails). Build it once
    and reuse the object: the engine compiles once per loss.

    >>> import jax.numpy as jnp
    >>> huber = make_loss("huber", lambda f, y: jnp.where(jnp.abs(f - y) < 1,
    ...                   0.5 * (f - y) ** 2, jnp.abs(f - y) - 0.5))
    >>> float(huber.dout(jnp.array(3.0), jnp.array(0.0)))
    1.0
    """
    if not callable(value):
        raise InvalidInputError("make_loss needs a callable value(f, y)")
    grad = jax.grad(lambda f, y: value(f, y), argnums=0)
    dout = jnp.vectorize(grad)

    def log_value(f, y):
        return jnp.log(value(f, y))

    def log_abs_dout(f, y):
        return jnp.log(jnp.abs(dout(f, y)))

    return Loss(str(name), value, log_value, dout, log_abs_dout, bool(margin_based),
                smoothness)


# ------------------------------------------------------------------ reductions


def _masked(x, mask):
    return x if mask is None else jnp.where(mask, x, -jnp.inf)


def log_loss(loss: Loss, f, y, mask=None):
    """log L = log Σ_n ℓ(f_n, y_n) over the unmasked examples (a sum)."""
    return jax.nn.logsumexp(_masked(loss.log_value(f, y), mask))


def _signed(loss, f, y, mask, log_scale):
    # the sign of ∂ℓ/∂f from the label for margin-based losses: dout itself underflows to 0
    # once the margin exceeds ~745 (float64), which would freeze the normalized schedules
    sgn = -jnp.sign(y) if loss.margin_based else jnp.sign(loss.dout(f, y))
    mag = jnp.exp(_masked(loss.log_abs_dout(f, y), mask) - log_scale)
    return jnp.where(mask if mask is not None else True, sgn * mag, 0.0)


def normalized_cotangent(loss: Loss, f, y, mask=None):
    """((∂ℓ/∂f_n)/L, log L): the cotangent whose pullback is ∇L/L = ∇ log L, stably."""
    lv = log_loss(loss, f, y, mask)
    return _signed(loss, f, y, mask, lv), lv


def shares(loss: Loss, u, mask=None):
    """q_n = ℓ'(u_n)/Σ_m ℓ'(u_m) of the margins u (Σ q = 1; 0 on masked rows).

    One exp per point for the shipped losses: with m = min u and a_n = e^{m - u_n} in (0, 1],
    the exponential loss gives q ∝ a, and the logistic loss σ(-u_n) ∝ a_n/(1 + a_n e^{-m}),
    exact for m >= 0 (no overflow, no underflow of the largest weight); for m < 0 it falls
    back to σ(-u) itself (its largest weight is >= 1/2, so the sum never underflows).

    >>> import jax.numpy as jnp
    >>> q = shares(LOSSES["logistic"], jnp.array([1e3, 1e3 + jnp.log(2.0), 5e3]))
    >>> [round(float(v), 12) for v in q]
    [0.666666666667, 0.333333333333, 0.0]
    """
    uu = u if mask is None else jnp.where(mask, u, jnp.inf)
    m = jnp.min(uu)
    a = jnp.exp(m - uu)
    if loss.name == "logistic" and loss.log_value is _logistic_log_value:
        pos = a / (1.0 + a * jnp.exp(-jnp.maximum(m, 0.0)))
        a = jnp.where(m >= 0, pos, jax.nn.sigmoid(-uu))
    elif not (loss.name == "exp" and loss.log_value is _exp_log_value):
        ones = jnp.ones_like(u)
        ls = _masked(loss.log_abs_dout(u, ones), mask)
        return jnp.exp(ls - jax.nn.logsumexp(ls))
    return a / jnp.sum(a)


def share_cotangent(loss: Loss, f, y, mask=None):
    """(∂ℓ/∂f_n)/Σ_m|∂ℓ/∂f_m|: the cotangent whose pullback is ∇L/Σ|ℓ'| (the direction of
    the gradient with the dual-accelerated schedule's normalization; finite at any margin)."""
    if loss.margin_based:
        return -y * shares(loss, y * f, mask)
    ls = _masked(loss.log_abs_dout(f, y), mask)
    return _signed(loss, f, y, mask, jax.nn.logsumexp(ls))


def normalized_weights(loss: Loss, u, mask=None):
    """(-ℓ'(u_n)/L, log L) for a margin-based loss at margins u (the weights of ∇L/L)."""
    ones = jnp.ones_like(u)
    lv = log_loss(loss, u, ones, mask)
    return jnp.exp(_masked(loss.log_abs_dout(u, ones), mask) - lv), lv

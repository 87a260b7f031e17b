"""Exponentially tailed classification losses, computed in the log domain.

Each loss ℓ(u) of the margin u = y f(x) provides

* ``log_value(u)``  = log ℓ(u)       (finite for every finite u: no overflow, no underflow),
* ``log_slope(u)``  = log(-ℓ'(u))    (the log of the GD weight of a point),
* ``slope(u)``      = -ℓ'(u)         (the GD weight itself, one cheap op: ``sigmoid(-u)``),

from which the training loop forms log L = logsumexp(log ℓ(u_n)) and the normalized weights
-ℓ'(u_n)/L = exp(log_slope - log L) (``softmax(-u)`` for the exponential loss). At margins of
±1e4 everything stays finite in float64 (and float32).

>>> import jax.numpy as jnp
>>> from implicit_bias.numerics.losses import LOSSES
>>> u = jnp.array([-1e4, 0.0, 1e4])
>>> bool(jnp.isfinite(LOSSES["logistic"].log_value(u)).all())
True
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

__all__ = ["Loss", "LOSSES", "get_loss", "log_loss", "normalized_weights", "shares"]


class Loss(NamedTuple):
    name: str
    log_value: callable
    log_slope: callable
    slope: callable
    #: smoothness constant β of ℓ (sup ℓ''), or None if not globally smooth
    smoothness: float | None


def _exp_log_value(u):
    return -u


def _exp_log_slope(u):
    return -u


def _logistic_log_value(u):
    # log(log1p(e^-u)); for u > 0 write it as -u + log(log1p(v)/v), v = e^-u in (0, 1].
    pos = u > 0
    v = jnp.exp(-jnp.where(pos, u, 1.0))
    ratio = jnp.where(v > 0, jnp.log1p(v) / jnp.where(v > 0, v, 1.0), 1.0)
    big = -u + jnp.log(ratio)
    small = jnp.log(jax.nn.softplus(-jnp.where(pos, 0.0, u)))
    return jnp.where(pos, big, small)


def _logistic_log_slope(u):
    return jax.nn.log_sigmoid(-u)


def _exp_slope(u):
    return jnp.exp(-u)


def _logistic_slope(u):
    return jax.nn.sigmoid(-u)


LOSSES: dict[str, Loss] = {
    "exp": Loss("exp", _exp_log_value, _exp_log_slope, _exp_slope, None),
    "logistic": Loss("logistic", _logistic_log_value, _logistic_log_slope, _logistic_slope,
                     0.25),
}


def get_loss(name: str) -> Loss:
    """The loss named ``"exp"`` or ``"logistic"``."""
    try:
        return LOSSES[name]
    except KeyError:
        raise ValueError(f"loss must be one of {sorted(LOSSES)}, got {name!r}") from None


def _masked(x, mask):
    return x if mask is None else jnp.where(mask, x, -jnp.inf)


def log_loss(loss: Loss, u, mask=None):
    """log L = log Σ_n ℓ(u_n) over the unmasked margins (a sum, SPEC §0)."""
    return jax.nn.logsumexp(_masked(loss.log_value(u), mask))


def normalized_weights(loss: Loss, u, mask=None):
    """(-ℓ'(u_n)/L, log L): the weights of the normalized gradient ∇L/L = -Σ w_n ∇u_n."""
    lv = log_loss(loss, u, mask)
    ls = _masked(loss.log_slope(u), mask)
    return jnp.exp(ls - lv), lv


def shares(loss: Loss, u, mask=None):
    """q_n = ℓ'(u_n)/Σ_m ℓ'(u_m) over the unmasked margins (Σ q = 1; 0 on masked rows).

    The weights of the dual-accelerated schedule, with one exp per point: with m = min u
    and a_n = e^{m - u_n} in (0, 1], the exponential loss gives q ∝ a, and the logistic
    loss σ(-u_n) ∝ a_n/(1 + a_n e^{-m}), exact for m >= 0 (separated data: e^{-m} <= 1, no
    overflow, no underflow of the largest weight); for m < 0 it falls back to σ(-u) itself
    (its largest weight is >= 1/2, so the sum never underflows). Equal to
    ``normalized_weights`` renormalized by its sum, at a third of the transcendental cost.

    >>> import jax.numpy as jnp
    >>> q = shares(LOSSES["logistic"], jnp.array([1e3, 1e3 + jnp.log(2.0), 5e3]))
    >>> [round(float(v), 12) for v in q]
    [0.666666666667, 0.333333333333, 0.0]
    """
    uu = u if mask is None else jnp.where(mask, u, jnp.inf)
    m = jnp.min(uu)
    a = jnp.exp(m - uu)
    if loss.name == "logistic":
        pos = a / (1.0 + a * jnp.exp(-jnp.maximum(m, 0.0)))
        a = jnp.where(m >= 0, pos, jax.nn.sigmoid(-uu))
    elif loss.name != "exp":
        c, _ = normalized_weights(loss, u, mask)
        return c / jnp.sum(c)
    return a / jnp.sum(a)

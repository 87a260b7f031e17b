"""Optimizers as small pure (init, update) pairs, each the equation of its paper.

An :class:`Optimizer` has ``init(params) -> state`` and
``update(grads, state, params, t, hyper) -> (updates, state)``, the optax convention (the
engine adds ``updates`` to ``params``) with two additions: the step counter ``t`` (an integer
array) and ``hyper``, a dict of *traced* hyperparameters (the step size ``lr`` and whatever the
optimizer names in ``hyper_names``), so a sweep over step sizes never recompiles. ``target``
says which gradient the optimizer consumes; the engine computes it stably from the loss:

* ``"loss"``:     g = ∇L                      (plain gradient methods, optax transformations)
* ``"log_loss"``: g = ∇ log L = ∇L / L        (normalized GD)
* ``"shares"``:   g = ∇L / Σ_n |ℓ'_n|         (dual-accelerated GD, sign methods: finite at
  any margin, where ∇L itself underflows)

The schedules of the package (θ is the parameter pytree, k the homogeneity degree of the
model, ``hyper["degree"]``, filled in by the engine):

* :data:`gd`:               θ ← θ - η ∇L
* :data:`normalized_gd`:    θ ← θ - η ∇L / (L s^{2(k-1)}),  s² = ‖θ‖²/k  (Ji & Telgarsky,
  ALT 2021; for k > 1 a reparametrized gradient flow: docs/convnet.md)
* :data:`dual_accelerated`: g ← t/(t+1)·(g + ∇̃),  θ ← θ - η (g + ∇̃),  ∇̃ = ∇L/Σ|ℓ'| (Ji,
  Srebro & Telgarsky, ICML 2021, Alg. 1)
* :data:`sign_gd`:          θ ← θ - η sign(∇L)  (steepest descent for the ℓ∞ norm)
* :data:`heavy_ball`:       m ← β m - η ∇L,  θ ← θ + m            (Polyak)
* :data:`nesterov`:         m ← β m - η ∇L(θ),  θ ← θ + β m - η ∇L  (the look-ahead form)
* :func:`adam`:             Kingma & Ba with bias correction, step η_t = η·schedule(t/T)

and any ``optax.GradientTransformation`` through :func:`from_optax`.

>>> import jax.numpy as jnp
>>> u, s = gd.update(jnp.array([1.0, -2.0]), gd.init(None), None, 0, {"lr": 0.5})
>>> u.tolist()
[-0.5, 1.0]
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import NamedTuple

import jax
import jax.numpy as jnp
import optax

from implicit_bias.theory.errors import InvalidInputError

__all__ = ["Optimizer", "gd", "normalized_gd", "dual_accelerated", "sign_gd", "heavy_ball",
           "nesterov", "adam", "from_optax", "SCHEDULES", "get_optimizer", "constant",
           "cosine"]

TARGETS = ("loss", "log_loss", "shares")


class Optimizer(NamedTuple):
    """A pure optimizer (module docstring). ``hyper_names`` are the traced hyperparameters
    it reads besides ``lr`` (the engine fills ``degree``, ``T`` (the total step count of the
    run) itself); ``defaults`` their default values."""

    name: str
    init: Callable
    update: Callable
    target: str = "loss"
    hyper_names: tuple = ()
    defaults: tuple = ()

    def default_hyper(self) -> dict:
        return dict(self.defaults)


def _tree_zeros(params):
    return jax.tree.map(jnp.zeros_like, params)


def _scale(a, tree):
    return jax.tree.map(lambda x: a * x, tree)


def _no_state(params):
    return ()


# ------------------------------------------------------------------ the paper's schedules


def _gd_update(grads, state, params, t, hyper):
    return _scale(-hyper["lr"], grads), state


gd = Optimizer("gd", _no_state, _gd_update, "loss")


def _normalized_update(grads, state, params, t, hyper):
    eta = hyper["lr"]
    k = hyper.get("degree", 1)
    if params is not None:
        s2 = sum(jnp.sum(p**2) for p in jax.tree.leaves(params)) / k
        eta = eta / jnp.where(k > 1, s2, 1.0) ** (k - 1)
    return _scale(-eta, grads), state


normalized_gd = Optimizer("normalized_gd", _no_state, _normalized_update, "log_loss")


def _accelerated_update(grads, state, params, t, hyper):
    tt = jnp.asarray(t, dtype=jax.tree.leaves(grads)[0].dtype)
    g = jax.tree.map(lambda gi, vi: tt / (tt + 1) * (gi + vi), state, grads)
    return _scale(-hyper["lr"], jax.tree.map(jnp.add, g, grads)), g


dual_accelerated = Optimizer("dual_accelerated", _tree_zeros, _accelerated_update, "shares")


def _sign_update(grads, state, params, t, hyper):
    return _scale(-hyper["lr"], jax.tree.map(jnp.sign, grads)), state


sign_gd = Optimizer("sign_gd", _no_state, _sign_update, "shares")


def _heavy_ball_update(grads, state, params, t, hyper):
    m = jax.tree.map(lambda mi, gi: hyper["beta"] * mi - hyper["lr"] * gi, state, grads)
    return m, m


heavy_ball = Optimizer("heavy_ball", _tree_zeros, _heavy_ball_update, "loss", ("beta",),
                       (("beta", 0.9),))


def _nesterov_update(grads, state, params, t, hyper):
    b, lr = hyper["beta"], hyper["lr"]
    m = jax.tree.map(lambda mi, gi: b * mi - lr * gi, state, grads)
    return jax.tree.map(lambda mi, gi: b * mi - lr * gi, m, grads), m


nesterov = Optimizer("nesterov", _tree_zeros, _nesterov_update, "loss", ("beta",),
                     (("beta", 0.9),))


# ------------------------------------------------------------------ step-size schedules


def constant(t, hyper):
    """η_t = η."""
    return 1.0


def cosine(t, hyper):
    """η_t = η·(f + (1 - f)·½(1 + cos(π t/T))), f = ``hyper["lr_floor"]``."""
    frac = jnp.asarray(t, hyper["T"].dtype) / hyper["T"]
    f = hyper["lr_floor"]
    return f + (1 - f) * 0.5 * (1 + jnp.cos(jnp.pi * frac))


def inverse_power(t, hyper):
    """η_t = η·(t + 1)^(-a), a = ``hyper["lr_decay"]`` (the decaying step of Adam theorems)."""
    return (jnp.asarray(t, hyper["T"].dtype) + 1.0) ** (-hyper["lr_decay"])


SCHEDULES = {"constant": constant, "cosine": cosine, "inverse_power": inverse_power}
_SCHEDULE_HYPER = {"constant": (), "cosine": (("lr_floor", 1e-3),),
                   "inverse_power": (("lr_decay", 0.5),)}


@functools.cache
def adam(schedule: str = "constant") -> Optimizer:
    """Adam (Kingma & Ba, ICLR 2015, Alg. 1, bias-corrected), step η·schedule(t):

    m ← b1 m + (1-b1) g,  v ← b2 v + (1-b2) g²,  θ ← θ - η_t m̂/(√v̂ + ε).

    ``schedule`` names one of :data:`SCHEDULES`; hyperparameters b1, b2, eps (and the
    schedule's own) are traced. One object per schedule (cached), so no recompilation.
    """
    if schedule not in SCHEDULES:
        raise InvalidInputError(f"schedule must be one of {sorted(SCHEDULES)}, got {schedule!r}")
    sched = SCHEDULES[schedule]

    def init(params):
        return (_tree_zeros(params), _tree_zeros(params))

    def update(grads, state, params, t, hyper):
        m, v = state
        b1, b2, eps = hyper["b1"], hyper["b2"], hyper["eps"]
        m = jax.tree.map(lambda mi, gi: b1 * mi + (1 - b1) * gi, m, grads)
        v = jax.tree.map(lambda vi, gi: b2 * vi + (1 - b2) * gi**2, v, grads)
        k = jnp.asarray(t, jax.tree.leaves(grads)[0].dtype) + 1
        mc, vc = 1 - b1**k, 1 - b2**k
        eta = hyper["lr"] * sched(t, hyper)
        upd = jax.tree.map(lambda mi, vi: -eta * (mi / mc) / (jnp.sqrt(vi / vc) + eps), m, v)
        return upd, (m, v)

    names = ("b1", "b2", "eps") + tuple(k for k, _ in _SCHEDULE_HYPER[schedule])
    defaults = (("b1", 0.9), ("b2", 0.999), ("eps", 1e-8)) + _SCHEDULE_HYPER[schedule]
    return Optimizer(f"adam[{schedule}]", init, update, "loss", names, defaults)


@functools.cache
def _from_optax(tx: optax.GradientTransformation, target: str) -> Optimizer:
    def update(grads, state, params, t, hyper):
        return tx.update(grads, state, params)

    return Optimizer(f"optax[{id(tx):x}]", tx.init, update, target)


def from_optax(tx: optax.GradientTransformation, *, target: str = "loss") -> Optimizer:
    """Any ``optax.GradientTransformation`` as an :class:`Optimizer` (its hyperparameters are
    baked into ``tx``: build ``tx`` once, or use ``optax.inject_hyperparams`` for sweeps; the
    engine compiles once per ``tx`` object). ``hyper["lr"]`` is ignored.

    >>> import optax, jax.numpy as jnp
    >>> opt = from_optax(optax.sgd(0.5))
    >>> opt.update(jnp.array([1.0]), opt.init(jnp.zeros(1)), jnp.zeros(1), 0, {})[0].tolist()
    [-0.5]
    """
    if target not in TARGETS:
        raise InvalidInputError(f"target must be one of {TARGETS}, got {target!r}")
    if not isinstance(tx, optax.GradientTransformation):
        raise InvalidInputError("from_optax needs an optax.GradientTransformation")
    return _from_optax(tx, target)


#: the schedules selected by name in the model modules (``schedule="normalized"``, ...)
BY_NAME = {"gd": gd, "normalized": normalized_gd, "accelerated": dual_accelerated,
           "sign": sign_gd, "heavy_ball": heavy_ball, "nesterov": nesterov}


def get_optimizer(opt) -> Optimizer:
    """An :class:`Optimizer` by name (``"gd"``, ``"normalized"``, ``"accelerated"``,
    ``"sign"``, ``"heavy_ball"``, ``"nesterov"``), or itself."""
    if isinstance(opt, Optimizer):
        return opt
    if isinstance(opt, optax.GradientTransformation):
        return from_optax(opt)
    try:
        return BY_NAME[opt]
    except (KeyError, TypeError):
        raise InvalidInputError(f"optimizer must be an Optimizer, an optax transformation or "
                                f"one of {sorted(BY_NAME)}, got {opt!r}") from None

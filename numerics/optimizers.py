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
* :data:`momentum`:         either of the two, ``hyper["nesterov"]`` ∈ {0, 1} traced
* :func:`adam`:             Kingma & Ba with bias correction, step η_t = η·schedule(t/T)

The algorithm axis of the optimization-geometry family (docs/geometry.md), each a pure pair
with its step size and norm traced:

* :func:`steepest`:         θ ← θ + η Δ_p(g), Δ_p(g) = ‖g‖_q v, v ∈ argmin_{‖v‖_p <= 1}⟨g, v⟩
  (ℓ1: greedy coordinate descent, ℓ2: GD, ℓ∞: sign descent Δ = -‖g‖₁ sign g; general p:
  the Hölder step), ``hyper["inv_p"]`` = 1/p (0 for ℓ∞)
* :func:`preconditioned`:   θ ← θ - η P⁻¹g (steepest descent for ‖θ‖_P = √(θᵀPθ)),
  ``hyper["precond"]`` = P⁻¹ (an array hyperparameter)
* :func:`p_gd`:             ∇ψ(θ) ← ∇ψ(θ) - η g, ψ = (1/p)‖θ‖_p^p (mirror descent; p-GD)
* :func:`signum`:           m ← β m + (1-β) g,  θ ← θ - η_t sign(m)  (Bernstein et al. 2018)
* :func:`switch`:           the i-th of several optimizers, i = ``hyper["which"]`` traced
* :func:`cyclic`:           any optimizer on one example per step, cyclically
  (:func:`incremental_adam` = ``cyclic(adam(schedule))``)

and any ``optax.GradientTransformation`` through :func:`from_optax`.

The two optional fields of an :class:`Optimizer` that these need (the engine honours both):
``array_hyper`` names hyperparameters that are arrays (a matrix P⁻¹; with a leading instance
axis in :func:`~implicit_bias.numerics.engine.fit_batch`), and ``examples(t, mask, hyper)``
returns the examples whose loss the step's gradient uses (None: every unmasked example).

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
from jax.flatten_util import ravel_pytree

from implicit_bias.theory.errors import InvalidInputError

__all__ = ["Optimizer", "gd", "normalized_gd", "dual_accelerated", "sign_gd", "heavy_ball",
           "nesterov", "momentum", "adam", "from_optax", "SCHEDULES", "get_optimizer", "constant",
           "cosine", "inverse_power", "steepest", "steepest_update", "preconditioned",
           "p_gd", "signum", "switch", "cyclic", "cyclic_example", "incremental_adam"]

TARGETS = ("loss", "log_loss", "shares")


class Optimizer(NamedTuple):
    """A pure optimizer (module docstring). ``hyper_names`` are the traced hyperparameters
    it reads besides ``lr`` (the engine fills ``degree``, ``T`` (the total step count of the
    run) itself); ``defaults`` their default values. ``array_hyper``: the names among them
    whose values are arrays rather than scalars (their shape is part of the compiled
    signature; batched, they carry a leading instance axis). ``examples``: None (every step
    uses the gradient of the whole training loss) or ``examples(t, mask, hyper) -> mask_t``,
    the examples whose loss step t differentiates (incremental and minibatch methods)."""

    name: str
    init: Callable
    update: Callable
    target: str = "loss"
    hyper_names: tuple = ()
    defaults: tuple = ()
    array_hyper: tuple = ()
    examples: Callable | None = None

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


def _momentum_update(grads, state, params, t, hyper):
    b, lr, nu = hyper["beta"], hyper["lr"], hyper["nesterov"]
    m = jax.tree.map(lambda mi, gi: b * mi - lr * gi, state, grads)
    upd = jax.tree.map(lambda mi, gi: (1 - nu) * mi + nu * (b * mi - lr * gi), m, grads)
    return upd, m


#: heavy ball (ν = 0) and Nesterov (ν = 1) in one compiled update, ν = ``hyper["nesterov"]``
#: traced: m ← β m - η ∇L, θ ← θ + (1 - ν) m + ν (β m - η ∇L); β = 0 is GD. One loop trains
#: GD, heavy ball and Nesterov side by side (Wang et al. 2022: all reach the ℓ2 SVM).
momentum = Optimizer("momentum", _tree_zeros, _momentum_update, "loss", ("beta", "nesterov"),
                     (("beta", 0.9), ("nesterov", 0.0)))


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


def _ratio(a, b):
    """a/b, and 0 where b = 0 (then a = 0 too: see :func:`adam`)."""
    return a / jnp.where(b > 0, b, 1.0)


@functools.cache
def adam(schedule: str = "constant") -> Optimizer:
    """Adam (Kingma & Ba, ICLR 2015, Alg. 1, bias-corrected), step η·schedule(t):

    m ← b1 m + (1-b1) g,  v ← b2 v + (1-b2) g²,  θ ← θ - η_t m̂/(√v̂ + ε).

    ``schedule`` names one of :data:`SCHEDULES`; hyperparameters b1, b2, eps (and the
    schedule's own) are traced. One object per schedule (cached), so no recompilation.
    ``eps = 0`` is allowed (the ℓ∞ theorem of Zhang, Zou & Cao 2024 neglects ε): a coordinate
    whose gradient has always been 0 (v = 0, hence m = 0) then gets the update 0, the limit
    of m̂/(√v̂ + ε) as ε → 0, instead of 0/0.
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
        upd = jax.tree.map(lambda mi, vi: -eta * _ratio(mi / mc, jnp.sqrt(vi / vc) + eps), m, v)
        return upd, (m, v)

    names = ("b1", "b2", "eps") + tuple(k for k, _ in _SCHEDULE_HYPER[schedule])
    defaults = (("b1", 0.9), ("b2", 0.999), ("eps", 1e-8)) + _SCHEDULE_HYPER[schedule]
    return Optimizer(f"adam[{schedule}]", init, update, "loss", names, defaults)


# ------------------------------------------------------- the algorithm axis (docs/geometry.md)


def _flat(tree):
    """(vector, unravel) of a pytree (the norms below are norms of the whole parameter
    vector, not of each leaf)."""
    v, unravel = ravel_pytree(tree)
    return v, unravel


def steepest_update(g, inv_p):
    """Δ = ‖g‖_q v with v ∈ argmin_{‖v‖_p <= 1}⟨g, v⟩ (so ⟨g, Δ⟩ = -‖g‖_q²), for a vector g.

    ``inv_p`` = 1/p in [0, 1] (traced). With m = max|g| and u = |g|/m (stable for any p):
    Δ_i = -sign(g_i) m u_i^{q-1} (Σ_j u_j^q)^{(2-q)/q}, 1/q = 1 - 1/p, which is -‖g‖₁ sign(g)
    at p = ∞ (q = 1; sign(0) = 0) and -g at p = 2; at p = 1 (q = ∞) the greedy coordinate
    step -g_i e_i, i = argmax|g_i| (the **first** index on ties), as
    :func:`implicit_bias.theory.geometry.steepest_step`. g = 0 gives Δ = 0.

    >>> import jax.numpy as jnp
    >>> [steepest_update(jnp.array([1.0, -3.0]), r).tolist() for r in (1.0, 0.5, 0.0)]
    [[0.0, 3.0], [-1.0, 3.0], [-4.0, 4.0]]
    """
    a = jnp.abs(g)
    m = jnp.max(a)
    u = a / jnp.where(m > 0, m, 1.0)
    inv_q = 1.0 - inv_p
    finite = inv_q > 0
    q = 1.0 / jnp.where(finite, inv_q, 1.0)
    uq1 = u ** (q - 1.0)
    s = jnp.sum(uq1 * u)  # Σ u^q
    s = jnp.where(m > 0, s, 1.0)  # g = 0: 0**((2-q)/q) would be inf for q > 2
    general = -jnp.sign(g) * m * uq1 * s ** ((2.0 - q) / q)
    first = jnp.arange(g.shape[0]) == jnp.argmax(a)  # the first maximal |g_i|
    return jnp.where(finite, general, jnp.where(first, -g, 0.0))


def _steepest_update(grads, state, params, t, hyper):
    g, unravel = _flat(grads)
    return unravel(hyper["lr"] * steepest_update(g, hyper["inv_p"])), state


@functools.cache
def steepest(target: str = "log_loss") -> Optimizer:
    """Steepest descent w.r.t. ‖·‖_p (Gunasekar, Lee, Soudry & Srebro, ICML 2018, Sec. 3):

    θ ← θ + η Δ_p(g),  Δ_p(g) = ‖g‖_q v,  v ∈ argmin_{‖v‖_p <= 1}⟨g, v⟩  (:func:`steepest_update`),

    ``hyper["inv_p"]`` = 1/p (1: greedy coordinate descent; 1/2: GD; 0: sign descent
    Δ = -‖g‖₁ sign(g)), traced, so one compiled loop runs every norm at once. ``target``
    "log_loss" (default) is the theorem's bounded normalized step: g = ∇L/L, so by the
    1-homogeneity of Δ the step is η_t Δ(∇L) with η_t = η/L(w_t), and η <= 1/B² (B = max_n
    ‖z_n‖_q) is the paper's η_t <= 1/(B² L(w_t)); "loss" is the plain step (regression).
    The norm is that of the whole parameter vector (pytrees are flattened).
    """
    if target not in TARGETS:
        raise InvalidInputError(f"target must be one of {TARGETS}, got {target!r}")
    return Optimizer(f"steepest[{target}]", _no_state, _steepest_update, target, ("inv_p",))


def _preconditioned_update(grads, state, params, t, hyper):
    g, unravel = _flat(grads)
    return unravel(-hyper["lr"] * (hyper["precond"] @ g)), state


@functools.cache
def preconditioned(target: str = "log_loss") -> Optimizer:
    """Preconditioned GD θ ← θ - η P⁻¹g: steepest descent w.r.t. ‖θ‖_P = √(θᵀPθ) (Gunasekar
    et al. 2018, Sec. 3; Δ = ‖g‖_{P⁻¹} v = -P⁻¹g). ``hyper["precond"]`` = P⁻¹ (d, d), an
    array hyperparameter (batched: (B, d, d)), so a sweep over preconditioners does not
    recompile; the caller checks that P is symmetric positive definite
    (:mod:`implicit_bias.numerics.geometry` does). ``target`` as in :func:`steepest`; the
    normalized step bound is η <= 1/B², B = max_n ‖z_n‖_{P⁻¹}.
    """
    if target not in TARGETS:
        raise InvalidInputError(f"target must be one of {TARGETS}, got {target!r}")
    return Optimizer(f"preconditioned[{target}]", _no_state, _preconditioned_update, target,
                     ("precond",), array_hyper=("precond",))


def _mirror(w, p):
    """∇ψ(w) = sign(w)|w|^{p-1} for ψ = (1/p)‖w‖_p^p."""
    return jnp.sign(w) * jnp.abs(w) ** (p - 1.0)


def _mirror_inverse(theta, p):
    """∇ψ*(θ) = (∇ψ)⁻¹(θ) = sign(θ)|θ|^{1/(p-1)}."""
    return jnp.sign(theta) * jnp.abs(theta) ** (1.0 / (p - 1.0))


def _p_gd_init(params):
    return (_tree_zeros(params), jnp.zeros((), bool))


def _p_gd_update(grads, state, params, t, hyper):
    theta, started = state
    p = hyper["p"]
    # the dual iterate lives in the state (θ_t = ∇ψ(w_0) - Σ η g_s exactly); it is read
    # off the parameters at the first step, so init needs no hyperparameter
    theta = jax.tree.map(lambda th, w: jnp.where(started, th, _mirror(w, p)), theta, params)
    theta = jax.tree.map(lambda th, g: th - hyper["lr"] * g, theta, grads)
    upd = jax.tree.map(lambda th, w: _mirror_inverse(th, p) - w, theta, params)
    # `started | True`, not a constant: the flag keeps its input's sharding type (shard_map)
    return upd, (theta, jnp.logical_or(started, True))


@functools.cache
def p_gd(target: str = "log_loss") -> Optimizer:
    """p-GD: mirror descent with ψ(θ) = (1/p)‖θ‖_p^p, 1 < p < ∞ (Sun, Ahn, Thrampoulidis &
    Azizan, NeurIPS 2022; Azizan & Hassibi, ICLR 2019):

    ∇ψ(θ_{t+1}) = ∇ψ(θ_t) - η g_t,  ∇ψ(θ)_i = sign(θ_i)|θ_i|^{p-1},  ∇ψ* = (∇ψ)⁻¹,

    ``hyper["p"]`` traced (p = 2 is GD). The state holds the dual iterate ∇ψ(θ_t), so
    ∇ψ(θ_t) - ∇ψ(θ_0) = -η Σ_s g_s holds to rounding (in regression: it lies in row(X), the
    Bregman-interpolant certificate). ``target`` "log_loss" (classification, the normalized
    step of :func:`steepest`) or "loss" (regression).
    """
    if target not in TARGETS:
        raise InvalidInputError(f"target must be one of {TARGETS}, got {target!r}")
    return Optimizer(f"p_gd[{target}]", _p_gd_init, _p_gd_update, target, ("p",))


@functools.cache
def signum(schedule: str = "constant") -> Optimizer:
    """Signum (Bernstein, Wang, Azizzadenesheli & Anandkumar, ICML 2018), step η·schedule(t):

    m ← β m + (1-β) g,  θ ← θ - η_t sign(m),

    ``hyper["beta"]`` traced (β = 0 is sign GD). Baek, Song & Yun (2025) prove the ℓ∞
    max-margin limit for β close to 1 and any batch size. Cached per schedule.
    """
    if schedule not in SCHEDULES:
        raise InvalidInputError(f"schedule must be one of {sorted(SCHEDULES)}, got {schedule!r}")
    sched = SCHEDULES[schedule]

    def update(grads, state, params, t, hyper):
        b = hyper["beta"]
        m = jax.tree.map(lambda mi, gi: b * mi + (1 - b) * gi, state, grads)
        eta = hyper["lr"] * sched(t, hyper)
        return jax.tree.map(lambda mi: -eta * jnp.sign(mi), m), m

    names = ("beta",) + tuple(k for k, _ in _SCHEDULE_HYPER[schedule])
    defaults = (("beta", 0.99),) + _SCHEDULE_HYPER[schedule]
    return Optimizer(f"signum[{schedule}]", _tree_zeros, update, "loss", names, defaults)


@functools.cache
def switch(*optimizers: Optimizer) -> Optimizer:
    """Optimizer ``optimizers[i]`` with i = ``hyper["which"]`` traced (one per instance in
    :func:`~implicit_bias.numerics.engine.fit_batch`): a batch may mix algorithms and still
    compile one loop. The update is exactly the i-th optimizer's: every branch is evaluated
    and the selected one kept elementwise (``jnp.where``; a vmapped ``lax.switch`` does the
    same, and ``where`` also composes with ``shard_map``'s sharding types); the state is the
    tuple of the optimizers' states, of which only the i-th evolves (a NaN in an unselected
    branch never reaches the selected one). All must share a ``target`` and
    select no examples; the hyperparameters are the union (the first optimizer's default
    wins). Cached per tuple of optimizers.

    >>> import jax.numpy as jnp
    >>> both = switch(gd, sign_gd._replace(target="loss"))
    >>> g, s = jnp.array([2.0, -0.5]), both.init(jnp.zeros(2))
    >>> [[round(v, 6) for v in both.update(g, s, None, 0, {"lr": 0.1, "which": w})[0].tolist()]
    ...  for w in (0.0, 1.0)]
    [[-0.2, 0.05], [-0.1, 0.1]]
    """
    if not optimizers:
        raise InvalidInputError("switch needs at least one optimizer")
    targets = {o.target for o in optimizers}
    if len(targets) != 1:
        raise InvalidInputError(f"switch needs optimizers with one target, got {sorted(targets)}")
    if any(o.examples is not None for o in optimizers):
        raise InvalidInputError("switch cannot combine optimizers that select their examples")
    names, defaults, arrays = [], {}, []
    for o in optimizers:
        names += [k for k in o.hyper_names if k not in names]
        for k, v in o.defaults:
            defaults.setdefault(k, v)
        arrays += [k for k in o.array_hyper if k not in arrays]

    def init(params):
        return tuple(o.init(params) for o in optimizers)

    def update(grads, state, params, t, hyper):
        i = jnp.clip(jnp.round(hyper["which"]), 0, len(optimizers) - 1)
        outs = [o.update(grads, s, params, t, hyper) for o, s in zip(optimizers, state,
                                                                      strict=True)]
        upd = outs[-1][0]
        for k in range(len(optimizers) - 2, -1, -1):
            upd = jax.tree.map(lambda a, b, k=k: jnp.where(i == k, a, b), outs[k][0], upd)
        new = tuple(jax.tree.map(lambda a, b, k=k: jnp.where(i == k, a, b), out[1], old)
                    for k, (out, old) in enumerate(zip(outs, state, strict=True)))
        return upd, new

    label = ",".join(o.name for o in optimizers)
    return Optimizer(f"switch[{label}]", init, update, targets.pop(), ("which", *names),
                     tuple(defaults.items()), tuple(arrays))


def cyclic_example(t, mask, hyper):
    """The mask of the one example step t uses: the (t mod n)-th unmasked example (in row
    order), n = the number of unmasked examples (an epoch is n steps)."""
    flat = jnp.ravel(mask)
    n = jnp.maximum(jnp.sum(flat), 1)
    k = jnp.asarray(t) % n
    pos = jnp.cumsum(flat) - 1
    return (flat & (pos == k)).reshape(jnp.shape(mask))


@functools.cache
def cyclic(optimizer: Optimizer) -> Optimizer:
    """``optimizer`` on one example per step, in cyclic order (:func:`cyclic_example`): the
    *incremental* version of a method (Bertsekas; the "incremental Adam" of Baek, Song & Yun
    2025). The update equation is unchanged; only the gradient it consumes is the gradient of
    one example's loss ℓ(f(x_{i_t}), y_{i_t}), i_t = t mod n. Records (loss, margin,
    grad_norm) still use the whole training set. Cached per optimizer.
    """
    if optimizer.examples is not None:
        raise InvalidInputError(f"{optimizer.name} already selects its examples")
    return optimizer._replace(name=f"cyclic[{optimizer.name}]", examples=cyclic_example)


def incremental_adam(schedule: str = "constant") -> Optimizer:
    """Adam (:func:`adam`) on one example per step, cyclically (:func:`cyclic`)."""
    return cyclic(adam(schedule))


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

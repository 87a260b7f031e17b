"""Batched trainers for the optimization-geometry family: the algorithm changes the bias.

Thin, validated wrappers of the one engine (:func:`~implicit_bias.numerics.engine.fit_batch`)
for the linear model f(x) = wᵀx (docs/geometry.md): every algorithm of
:data:`implicit_bias.theory.geometry.ALGORITHMS` as a pure optimizer of
:mod:`~implicit_bias.numerics.optimizers`, with its step size, its norm (p, P) and its other
hyperparameters *traced*, so that a batch may mix norms and step sizes and a sweep over them
never recompiles.

* :func:`classify_batch` -- separable data, exp or logistic loss (a sum), algorithm one of
  :data:`CLASSIFIERS` (or one per instance, within one family of :data:`FAMILIES`: a family
  is one compiled loop, ``optimizers.switch`` choosing each instance's update):

  ==================  ===========================================================  ==========
  algorithm           update (g = ∇L/L, the bounded normalized step, unless said)  limit
  ==================  ===========================================================  ==========
  "steepest"          w ← w + η Δ_p(g) (p = 1 greedy coordinate, 2 GD, ∞ sign)      ℓp margin
  "preconditioned"    w ← w - η P⁻¹g                                               ‖·‖_P margin
  "p_gd"              ∇ψ(w) ← ∇ψ(w) - η g, ψ = (1/p)‖w‖_p^p                        ℓp margin
  "adam"              Adam on ∇L, η_t = η (t + 1)^(-a), ε = 0 by default            ℓ∞ margin
  "signum"            m ← βm + (1-β)∇L, w ← w - η_t sign(m), η_t as Adam            ℓ∞ margin
  "momentum"          heavy ball (ν = 0) / Nesterov (ν = 1) on ∇L, constant step    ℓ2 SVM
  "incremental_adam"  "adam" on one example per step (cyclic)                       no ℓ∞ claim
  ==================  ===========================================================  ==========

  Families: "normalized" (steepest, preconditioned, p_gd), "plain" (adam, signum),
  "momentum", "incremental".

* :func:`regress_batch` -- the square loss ½‖Xw - y‖² (plain gradient, constant step):
  "steepest" (p in {1, 2, ∞}; the step-dependent limit of docs/geometry.md) or "p_gd"
  (mirror descent, 1 < p < ∞; p = 2 is GD), whose limit is the Bregman interpolant.

Step-size rules (:func:`step_bound`): normalized steepest descent / preconditioned GD on the
exp loss need η <= 1/B², B = max_n ‖z_n‖_* (the dual norm of the algorithm's norm): then
η_t = η/L(w_t) <= 1/(B² L(w_t)), the bounded steps of Gunasekar, Lee, Soudry & Srebro
(ICML 2018, Sec. 3), and log L, which is B²-smooth w.r.t. ‖·‖, decreases; a larger step
raises :class:`~implicit_bias.theory.errors.StepSizeError` (with the logistic loss: a
StepSizeWarning, the bound is not proven there). Regression steepest descent needs
η <= 1/M, M = max_{‖v‖<=1}‖Xv‖² (:func:`implicit_bias.theory.geometry.smoothness_constant`;
descent lemma, proven). Adam and Signum use the decaying step η (t + 1)^(-a), a = 1/2 by
default (Zhang, Zou & Cao 2024 take η_t = Θ(t^(-a)), a in (0, 1]). p-GD and momentum have no
proven global bound here: their steps are checked positive and finite only.

>>> import jax; jax.config.update("jax_enable_x64", True)
>>> import numpy as np
>>> X = np.array([[[2.0, 1.0], [1.0, 3.0]]]); y = np.ones((1, 2))
>>> tr = classify_batch(X, y, algorithm="steepest", p=float("inf"), steps=2000, n_records=3)
>>> w = np.asarray(tr.params[0]); round(float(np.min(X[0] @ w) / np.abs(w).max()), 3)
3.0
"""

from __future__ import annotations

import math

import jax.numpy as jnp
import numpy as np

from implicit_bias.theory import geometry as geo
from implicit_bias.theory.errors import (
    InvalidInputError,
    NonFiniteError,
    NormError,
    ShapeError,
    StepSizeError,
    warn_not_separable,
    warn_step,
)
from implicit_bias.theory.validate import binary_batch, real_array

from . import optimizers as opt
from .engine import Trace, fit_batch, float_dtype
from .linear import MODEL

__all__ = ["CLASSIFIERS", "REGRESSORS", "FAMILIES", "NORMALIZED", "PLAIN", "REGRESSION",
           "ADAM_DEFAULTS", "SIGNUM_DEFAULTS", "MOMENTUM_DEFAULTS", "dual_radius",
           "step_bound", "classify_batch", "regress_batch", "inverse_p"]

CLASSIFIERS = ("steepest", "preconditioned", "p_gd", "adam", "signum", "momentum",
               "incremental_adam")
REGRESSORS = ("steepest", "p_gd")

#: the Adam / Signum defaults of the geometry family: decaying step η (t + 1)^(-1/2), ε = 0
#: (the ℓ∞ theorem neglects ε), β2 = 0.99 (a shorter memory than Kingma & Ba's 0.999, which
#: reaches the same limit more slowly: docs/geometry.md)
ADAM_DEFAULTS = {"lr": 0.1, "lr_decay": 0.5, "b1": 0.9, "b2": 0.99, "eps": 0.0}
SIGNUM_DEFAULTS = {"lr": 0.1, "lr_decay": 0.5, "beta": 0.9}
MOMENTUM_DEFAULTS = {"beta": 0.9, "nesterov": 0.0}


# ------------------------------------------------------------------------------ checks


def _per_instance(value, B: int, name: str) -> list:
    """A scalar or a length-B sequence as a list of B Python objects."""
    if isinstance(value, (list, tuple, np.ndarray)):
        vals = list(np.asarray(value, dtype=object).ravel()) if not isinstance(
            value, (list, tuple)) else list(value)
        if len(vals) != B:
            raise ShapeError(f"{name} must be a scalar or have {B} entries, got {len(vals)}")
        return vals
    return [value] * B


def _norms(p, B: int, *, finite: bool = False) -> np.ndarray:
    """p per instance, each checked by :func:`theory.geometry.check_p` (``finite``: 1 < p < ∞)."""
    out = []
    for v in _per_instance(p, B, "p"):
        pv = geo.check_p(v)
        if finite and not 1.0 < pv < math.inf:
            raise NormError(f"p-GD needs 1 < p < inf (psi = (1/p)||w||_p^p strictly convex), "
                            f"got p = {v!r}")
        out.append(pv)
    return np.asarray(out, dtype=float)


def inverse_p(p) -> np.ndarray:
    """1/p (0 for p = ∞): the traced form of p of :func:`optimizers.steepest`."""
    p = np.asarray(p, dtype=float)
    return np.where(np.isinf(p), 0.0, 1.0 / p)


def _lr(lr, default: np.ndarray) -> np.ndarray:
    """``lr`` (None: ``default``) as a (B,) array, checked finite and positive."""
    if lr is None:
        return np.asarray(default, dtype=float)
    if isinstance(lr, bool) or (isinstance(lr, (list, tuple)) and any(
            isinstance(v, bool) for v in lr)):
        raise InvalidInputError("the step size must be a number, not a boolean")
    a = real_array(lr, "lr", finite=False)
    if a.ndim > 1 or (a.ndim == 1 and a.shape[0] != np.size(default)):
        raise ShapeError(f"lr must be a scalar or have shape ({np.size(default)},), got "
                         f"{a.shape}")
    if not np.all(np.isfinite(a)):
        raise NonFiniteError(f"the step size must be finite, got {lr!r}")
    if np.any(a <= 0):
        raise InvalidInputError(f"the step size must be positive, got {lr!r}")
    return np.broadcast_to(a, np.shape(default)).astype(float)


def _spd_batch(P, B: int, d: int) -> np.ndarray:
    """P as (B, d, d), each symmetric positive definite (else NotPositiveDefiniteError)."""
    if P is None:
        raise InvalidInputError("algorithm 'preconditioned' needs P (a (d, d) or (B, d, d) "
                                "symmetric positive definite matrix)")
    A = real_array(P, "P", finite=False)
    if A.ndim == 2:
        A = np.broadcast_to(A, (B, *A.shape))
    if A.shape != (B, d, d):
        raise ShapeError(f"P must have shape ({d}, {d}) or ({B}, {d}, {d}), got {A.shape}")
    for b in range(B):
        geo.norm(np.zeros(d), P=A[b])  # validates: finite, symmetric, positive definite
    return (A + np.swapaxes(A, 1, 2)) / 2


def dual_radius(Z, mask=None, *, p=2, P=None) -> np.ndarray:
    """B = max_n ‖z_n‖_* over the unmasked rows of each instance of Z (B, N, d): the dual
    norm ‖·‖_q (1/p + 1/q = 1, ``p`` a scalar or one per instance) or ‖·‖_{P⁻¹} (``P``
    (B, d, d)). The normalized step bound is 1/B² (:func:`step_bound`)."""
    Z = np.asarray(Z, dtype=float)
    Bn = Z.shape[0]
    m = np.ones(Z.shape[:2], bool) if mask is None else np.asarray(mask, bool)
    out = np.empty(Bn)
    ps = _norms(p, Bn) if P is None else None
    for b in range(Bn):
        rows = Z[b][m[b]]
        if P is not None:
            out[b] = float(np.max(geo.dual_norm(rows, P=P[b])))
        else:
            out[b] = float(np.max(geo.dual_norm(rows, ps[b])))
    return out


def step_bound(Z, mask=None, *, p=2, P=None, loss: str = "exp") -> tuple[np.ndarray, bool, str]:
    """(bound, proven, why) for normalized steepest descent / preconditioned GD: η <= 1/B²,
    B = :func:`dual_radius`. Proven for the exp loss (log L = logsumexp(-Zw) has Hessian
    Zᵀ(diag q - qqᵀ)Z, so vᵀ∇²log L v <= max_n (z_nᵀv)² <= B²‖v‖²; with η <= 1/B² the step
    η/L(w_t) is the theorem's η_t <= 1/(B² L(w_t))); a heuristic for the logistic loss."""
    r = dual_radius(Z, mask, p=p, P=P)
    if np.any(r == 0):
        raise InvalidInputError("an instance has only zero points: nothing to train on")
    return 1.0 / r**2, loss == "exp", "1/B^2, B = max_n ||z_n||_* (Gunasekar et al. 2018)"


def _check_bound(lr, bound, proven, why):
    bad = lr > bound * (1 + 1e-12)
    if np.any(bad):
        i = int(np.argmax(bad))
        msg = (f"step size {lr[i]:.6g} exceeds the bound {bound[i]:.6g} = {why} "
               f"(instance {i} of {lr.size})")
        if proven:
            raise StepSizeError(msg, bound=float(bound[i]))
        warn_step(msg + "; check that the loss decreases")


def _init(w0, B: int, d: int, dtype):
    if w0 is None:
        return jnp.zeros((B, d), dtype)
    w = real_array(w0, "w0", finite=False)
    if w.shape == (d,):
        w = np.broadcast_to(w, (B, d))
    if w.shape != (B, d):
        raise ShapeError(f"w0 must have shape ({d},) or ({B}, {d}), got {w.shape}")
    if not np.all(np.isfinite(w)):
        raise NonFiniteError("the initialization w0 contains NaN or inf")
    return jnp.asarray(w, dtype)


# ------------------------------------------------------------------------ classification

#: the compiled families: every algorithm of a family runs through one ``optimizers.switch``
#: (``hyper["which"]`` per instance), so any mix of its algorithms, norms, preconditioners
#: and step sizes shares one compiled loop per (loss, shapes, records)
FAMILIES = {
    "normalized": ("steepest", "preconditioned", "p_gd"),
    "plain": ("adam", "signum"),
    "momentum": ("momentum",),
    "incremental": ("incremental_adam",),
}
NORMALIZED = opt.switch(opt.steepest("log_loss"), opt.preconditioned("log_loss"),
                        opt.p_gd("log_loss"))
PLAIN = opt.switch(opt.adam("inverse_power"), opt.signum("inverse_power"))
REGRESSION = opt.switch(opt.steepest("loss"), opt.p_gd("loss"))


def _algorithms(algorithm, B: int, allowed: tuple) -> list:
    algs = _per_instance(algorithm, B, "algorithm")
    for a in algs:
        if not isinstance(a, str) or a not in allowed:
            raise InvalidInputError(f"algorithm must be one of {allowed} (or one per "
                                    f"instance), got {a!r}")
    return algs


def _family(algs: list) -> str:
    for fam, members in FAMILIES.items():
        if all(a in members for a in algs):
            return fam
    raise InvalidInputError(f"one call trains one family of algorithms ({FAMILIES}), got "
                            f"{sorted(set(algs))}")


def _lanes(value, B: int, default, name: str) -> np.ndarray:
    """A hyperparameter given as a scalar or one per instance, as a (B,) float array."""
    v = default if value is None else value
    if isinstance(v, bool) or np.asarray(v).dtype == bool:
        raise InvalidInputError(f"hyperparameter {name!r} must be a number, not a boolean")
    a = real_array(v, name, finite=False)
    if a.ndim > 1 or (a.ndim == 1 and a.shape[0] != B):
        raise ShapeError(f"{name} must be a scalar or have shape ({B},), got {a.shape}")
    return np.broadcast_to(a, (B,)).astype(float)


def classify_batch(X, y, *, algorithm, mask=None, loss: str = "exp", p=None, P=None,
                   lr=None, steps: int = 10_000, n_records: int = 40, w0=None,
                   hyper: dict | None = None, block: int | None = None,
                   devices=None) -> Trace:
    """Train the linear model on a stack of binary datasets X (B, N, d), y (B, N) (``mask``
    (B, N) marks real rows; padded columns must be zero and stay at w0 = 0).

    ``algorithm``: one of :data:`CLASSIFIERS` or one per instance, all from one family
    (:data:`FAMILIES`; "incremental_adam" alone), trained in one compiled loop. ``p`` (a
    scalar or one per instance; default 2) is read by "steepest" (1 <= p <= ∞) and "p_gd"
    (1 < p < ∞) instances; ``P`` ((d, d) or (B, d, d), symmetric positive definite) by
    "preconditioned" ones. ``lr``: a scalar or one per instance (default: 1/B² for the
    normalized methods, :data:`ADAM_DEFAULTS` for Adam and Signum, (1 - β)/σ_max(Z)² for
    momentum). ``hyper``: the other hyperparameters (Adam: b1, b2, eps, lr_decay; Signum:
    beta, lr_decay; momentum: beta, nesterov ∈ {0, 1}), scalars or one per instance, all
    traced. ``block``: instances per vectorized chunk (default: all, one chunk);
    ``devices``: as :func:`~implicit_bias.numerics.engine.fit_batch` (default: all local
    devices; the result does not depend on the split). Returns the engine's
    :class:`~implicit_bias.numerics.engine.Trace` (``predictor`` = w_t).

    Typed errors: bad shapes, NaN/inf, labels (:func:`theory.validate.binary_batch`); p < 1
    or not a number (:class:`NormError`); P not symmetric positive definite
    (:class:`NotPositiveDefiniteError`); a NaN, non-positive or boolean step; a step above a
    proven bound (:class:`StepSizeError`); an unknown algorithm or hyperparameter, a
    hyperparameter out of its range, or algorithms of different families.
    """
    if loss not in ("exp", "logistic"):
        raise InvalidInputError(f"loss must be 'exp' or 'logistic', got {loss!r}")
    Xn, yn, m, Z = binary_batch(X, y, mask)
    B, N, d = Xn.shape
    algs = _algorithms(algorithm, B, CLASSIFIERS)
    fam = _family(algs)
    for b in range(B):
        warn_not_separable(Z[b][m[b]], f"geometry.classify_batch (instance {b})")
    dtype = float_dtype(X)
    if fam == "normalized":
        optimizer, h = NORMALIZED, _normalized_hyper(algs, Z, m, p, P, lr, loss, hyper)
    else:
        allowed = {"plain": ("b1", "b2", "eps", "lr_decay", "beta"),
                   "momentum": ("beta", "nesterov"),
                   "incremental": ("b1", "b2", "eps", "lr_decay")}[fam]
        extra = dict(hyper or {})
        unknown = sorted(set(extra) - set(allowed))
        if unknown:
            raise InvalidInputError(f"unknown hyperparameter(s) {unknown}; {fam} algorithms "
                                    f"take {list(allowed)}")
        defaults = {**ADAM_DEFAULTS, **SIGNUM_DEFAULTS, **MOMENTUM_DEFAULTS}
        h = {k: _lanes(extra.get(k), B, defaults[k], k) for k in allowed}
        if fam == "momentum":
            sig2 = np.linalg.eigvalsh(np.swapaxes(Z, 1, 2) @ Z)[:, -1]
            h["lr"] = _lr(lr, (1.0 - h["beta"]) / sig2)
            optimizer = opt.momentum
        else:
            h["lr"] = _lr(lr, np.full(B, ADAM_DEFAULTS["lr"]))
            if fam == "plain":
                h["which"] = np.array([FAMILIES["plain"].index(a) for a in algs], dtype=float)
                optimizer = PLAIN
            else:
                optimizer = opt.incremental_adam("inverse_power")
        _check_ranges(h)
    return fit_batch(MODEL, _init(w0, B, d, dtype), jnp.asarray(Xn, dtype),
                     jnp.asarray(yn, dtype), mask=m, loss=loss, optimizer=optimizer, hyper=h,
                     steps=steps, n_records=n_records, block=B if block is None else block,
                     devices=devices)


def _normalized_hyper(algs, Z, m, p, P, lr, loss, hyper) -> dict:
    """which, lr, inv_p, p, precond per instance for the normalized family."""
    if hyper:
        raise InvalidInputError("the normalized algorithms take no hyperparameters besides "
                                "lr, p and P")
    B, _, d = Z.shape
    ps_raw = _per_instance(2.0 if p is None else p, B, "p")
    which = np.array([FAMILIES["normalized"].index(a) for a in algs], dtype=float)
    ps = np.full(B, 2.0)
    precond = np.broadcast_to(np.eye(d), (B, d, d)).copy()
    bound = np.empty(B)
    pre = [b for b, a in enumerate(algs) if a == "preconditioned"]
    if pre:
        Pb = _spd_batch(P, B, d) if np.ndim(P) == 3 else _spd_batch(P, 1, d)[[0] * B]
        precond[pre] = np.linalg.inv(Pb[pre])
        bound[pre] = step_bound(Z[pre], m[pre], P=Pb[pre], loss=loss)[0]
    for b, a in enumerate(algs):
        if a == "steepest":
            ps[b] = _norms(ps_raw[b], 1)[0]
        elif a == "p_gd":
            ps[b] = _norms(ps_raw[b], 1, finite=True)[0]
    rest = [b for b, a in enumerate(algs) if a != "preconditioned"]
    if rest:
        bound[rest] = step_bound(Z[rest], m[rest], p=ps[rest], loss=loss)[0]
    lr_ = _lr(lr, bound)
    checked = np.array([a != "p_gd" for a in algs])
    if checked.any():
        _check_bound(lr_[checked], bound[checked], loss == "exp",
                     "1/B^2, B = max_n ||z_n||_* (Gunasekar et al. 2018)")
    steep = np.array([a == "steepest" for a in algs])
    # each lane reads its own algorithm's entries; the others hold finite fillers
    return {"which": which, "lr": lr_, "inv_p": np.where(steep, inverse_p(ps), 0.5),
            "p": np.where(np.array([a == "p_gd" for a in algs]), ps, 2.0),
            "precond": precond}


def _check_ranges(h: dict) -> None:
    """Hyperparameters in their domains (the engine checks finiteness and shapes)."""
    rules = {"b1": (0.0, 1.0, True), "b2": (0.0, 1.0, True), "beta": (0.0, 1.0, True),
             "eps": (0.0, math.inf, False), "lr_decay": (0.0, 1.0, False)}
    for k, (lo, hi, open_hi) in rules.items():
        if k not in h:
            continue
        a = np.asarray(h[k], dtype=float)
        if not np.all(np.isfinite(a)):
            raise NonFiniteError(f"hyperparameter {k!r} is not finite: {h[k]!r}")
        bad = (a < lo) | ((a >= hi) if open_hi else (a > hi))
        if np.any(bad):
            raise InvalidInputError(f"hyperparameter {k!r} must lie in [{lo}, {hi}"
                                    f"{')' if open_hi else ']'}, got {h[k]!r}")
    if "nesterov" in h:
        a = np.asarray(h["nesterov"], dtype=float)
        if not np.all((a == 0) | (a == 1)):
            raise InvalidInputError(f"nesterov must be 0 (heavy ball) or 1 (Nesterov), got "
                                    f"{h['nesterov']!r}")


# ----------------------------------------------------------------------------- regression


def regress_batch(X, y, *, algorithm, p=2, mask=None, lr=None, w0=None,
                  steps: int = 10_000, n_records: int = 40, block: int | None = None,
                  devices=None) -> Trace:
    """Minimize ½‖Xw - y‖² for a stack X (B, n, d), y (B, n) (``mask`` (B, n) marks real
    rows) by ``algorithm`` (one of :data:`REGRESSORS` or one per instance; one compiled
    loop): "steepest" (ℓp steepest descent with a constant step, p in {1, 2, ∞}; lr <= 1/M,
    M = :func:`theory.geometry.smoothness_constant`, else :class:`StepSizeError`; default
    1/(2M)) or "p_gd" (mirror descent with ψ = (1/p)‖w‖_p^p, 1 < p < ∞; default
    lr = 1/σ_max(X)² for p = 2 (GD, stable below 2/σ_max², else StepSizeError) and
    0.2/σ_max² otherwise, a measured-stable step (no NaN over 256 drawn instances, p = 1.5):
    no global bound exists, since ∇²ψ vanishes (p > 2) or blows up (p < 2) at w_i = 0).
    Returns the engine's Trace.
    """
    A = real_array(X, "batched X", finite=False)
    if A.ndim != 3:
        raise ShapeError(f"batched X must have shape (B, n, d), got {A.shape}")
    B, n, d = A.shape
    algs = _algorithms(algorithm, B, REGRESSORS)
    v = real_array(y, "batched y", finite=False)
    if v.shape != (B, n):
        raise ShapeError(f"batched y must have shape {(B, n)}, got {v.shape}")
    m = np.ones((B, n), bool) if mask is None else np.asarray(mask)
    if m.dtype != bool or m.shape != (B, n):
        raise ShapeError(f"mask must be a boolean array of shape {(B, n)}")
    if not (np.isfinite(A[m]).all() and np.isfinite(v[m]).all()):
        raise NonFiniteError("X or y contains NaN or inf in unmasked rows")
    A = np.where(m[..., None], A, 0.0)
    v = np.where(m, v, 0.0)
    dtype = float_dtype(X)
    ps_raw = _per_instance(p, B, "p")
    ps = np.empty(B)
    default, bound, strict = np.empty(B), np.full(B, np.inf), np.zeros(B, bool)
    sig2 = np.linalg.eigvalsh(A @ np.swapaxes(A, 1, 2))[:, -1]
    if np.any(sig2 == 0):
        raise InvalidInputError("an instance has X = 0: nothing to train on")
    for b, a in enumerate(algs):
        if a == "steepest":
            ps[b] = _norms(ps_raw[b], 1)[0]
            if ps[b] not in (1.0, 2.0, math.inf):
                raise NormError("regression steepest descent is implemented for p in "
                                "{1, 2, inf} (the smoothness constant M of the step bound)")
            M = geo.smoothness_constant(A[b][m[b]], p=ps[b])
            default[b], bound[b] = 0.5 / M, 1.0 / M
        else:
            ps[b] = _norms(ps_raw[b], 1, finite=True)[0]
            default[b] = (1.0 if ps[b] == 2.0 else 0.2) / sig2[b]
            if ps[b] == 2.0:
                bound[b], strict[b] = 2.0 / sig2[b], True
    lr_ = _lr(lr, default)
    bad = np.where(strict, lr_ >= bound, lr_ > bound * (1 + 1e-12))
    if np.any(bad):
        i = int(np.argmax(bad))
        why = ("2/sigma_max(X)^2 (GD on the square loss diverges above it)" if strict[i] else
               "1/M, M = max_{||v||_p<=1} ||Xv||^2 (descent lemma)")
        raise StepSizeError(f"step size {lr_[i]:.6g} exceeds the bound {bound[i]:.6g} = {why} "
                            f"(instance {i} of {B})", bound=float(bound[i]))
    h = {"which": np.array([REGRESSORS.index(a) for a in algs], dtype=float), "lr": lr_,
         "inv_p": inverse_p(np.where(np.array(algs) == "steepest", ps, 2.0)),
         "p": np.where(np.array(algs) == "p_gd", ps, 2.0)}
    return fit_batch(MODEL, _init(w0, B, d, dtype), jnp.asarray(A, dtype), jnp.asarray(v, dtype),
                     mask=m, loss="square", optimizer=REGRESSION, hyper=h, steps=steps,
                     n_records=n_records, block=B if block is None else block,
                     devices=devices)

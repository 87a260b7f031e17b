"""Matrix factorization models as pure JAX functions (docs/matrix.md).

Two models of a d×d matrix W, measured by ⟨A_i, W⟩ = Σ_jk A_i[j, k] W[j, k] with A of shape
(m, d, d) (completion: unit matrices, :func:`implicit_bias.theory.matrix.completion_operator`):

* symmetric (Gunasekar et al., NeurIPS 2017): params U (d, d), W = UUᵀ, init U(0) = αU₀;
* deep asymmetric (Arora et al., NeurIPS 2019; Razin & Cohen, NeurIPS 2020): params
  (W_1, ..., W_N), W = W_N ⋯ W_1, from a *balanced* init W_{j+1}ᵀW_{j+1} = W_jW_jᵀ
  (:func:`balanced_factors`), optionally with a chosen sign of det W(0).

For the shared engine (:mod:`numerics.engine`) a model is ``predict(params, A) -> (m,)`` and
``predictor(params) -> W``: :data:`SYMMETRIC`, :func:`deep_model` (records W) and
:func:`factor_model` (records the stacked factors, for balancedness and one-step finite
differences). No training loop lives here: the trainers :func:`train_symmetric_batch`,
:func:`train_deep_batch` and :func:`train_flow_batch` are thin validated calls of
:func:`numerics.engine.fit_batch` on the square loss ½Σ_i(⟨A_i, W⟩ - y_i)² (a sum), batched
over instances padded into one shape bucket (:func:`pad_problems`: zero measurement matrices
with zero targets and ``mask=False``, zero rows and columns of W).

Two integration modes (docs/matrix.md, "Integration modes"):

* **small-step GD** on the factors (``optimizer="gd"``): the Euler discretization of GF, exact
  to O(η) on finite time intervals; at depth >= 3 it keeps det W(t) > 0 on Razin & Cohen's
  problem, at depth 2 it crosses det = 0 (docs/matrix.md);
* **the balanced end-to-end flow** (:func:`balanced_flow`, :func:`train_flow_batch`): W itself
  integrated along dW/dt = -Σ_j (WWᵀ)^{(N-j)/N} ∇ℓ(W) (WᵀW)^{(j-1)/N}
  (theory.matrix.end_to_end_velocity) in the multiplicative form W ← (I + ηC) W (I + ηB),
  which keeps the sign of det W and the rank exactly (det(I + ηB) > 0 while η‖B‖ < 1).

>>> import jax; jax.config.update("jax_enable_x64", True)
>>> params = deep_init(jax.random.key(0), d=3, depth=3, scale=0.5, det_sign=1)
>>> bool(balance_gap(params) < 1e-12), bool(jnp.linalg.det(end_to_end(params)) > 0)
(True, True)
"""

from __future__ import annotations

import functools
import math
import numbers

import jax
import jax.numpy as jnp
import numpy as np

from implicit_bias.theory.errors import (
    DepthError,
    InvalidInputError,
    NonFiniteError,
    ShapeError,
)
from implicit_bias.theory.matrix import as_measurements, completion_operator
from implicit_bias.theory.validate import check_depth

from .engine import Model, Trace, default_block, fit_batch, float_dtype
from .optimizers import Optimizer, get_optimizer

__all__ = [
    "completion_operator",
    "measure",
    "square_loss",
    "symmetric_init",
    "symmetric_predictor",
    "symmetric_predict",
    "balanced_factors",
    "deep_init",
    "balanced_init",
    "end_to_end",
    "deep_predict",
    "balance_matrices",
    "balance_gap",
    "SYMMETRIC",
    "deep_model",
    "sensing_operator",
    "factor_model",
    "factors_end_to_end",
    "factor_gradients",
    "END_TO_END",
    "flow_multipliers",
    "balanced_flow",
    "pad_problems",
    "embed",
    "train_symmetric_batch",
    "train_deep_batch",
    "train_flow_batch",
]


def _dim(d) -> int:
    if isinstance(d, bool) or not isinstance(d, numbers.Integral) or d < 1:
        raise ShapeError(f"d must be an integer >= 1, got {d!r}")
    return int(d)


def _depth(depth) -> int:
    if isinstance(depth, (bool, np.bool_)):  # validate.check_depth would turn True into 1
        raise DepthError(f"depth must be an integer >= 1, got the boolean {depth!r}")
    return check_depth(depth)


def _scale(scale) -> float:
    if isinstance(scale, bool):
        raise InvalidInputError("scale must be a positive number, not a boolean")
    try:
        s = float(scale)
    except (TypeError, ValueError):
        raise InvalidInputError(f"scale must be a positive number, got {scale!r}") from None
    if not (math.isfinite(s) and s > 0):
        raise InvalidInputError(f"scale must be a positive finite number, got {scale!r}")
    return s


def sensing_operator(A, dtype=None) -> jax.Array:
    """Validated measurement matrices (m, d, d) as a JAX array (typed errors on bad input)."""
    arr = as_measurements(A)
    return jnp.asarray(arr, dtype or float_dtype())


def measure(W, A) -> jax.Array:
    """⟨A_i, W⟩ for every i: shape (m,)."""
    return jnp.einsum("mjk,jk->m", A, W)


def square_loss(predictions, y) -> jax.Array:
    """½Σ_i (⟨A_i, W⟩ - y_i)² from the predictions (a sum, docs/conventions.md)."""
    r = predictions - y
    return 0.5 * jnp.sum(r * r)


# ----------------------------------------------------------------------------- symmetric


def symmetric_init(key=None, *, d: int, scale: float, U0=None, dtype=None) -> jax.Array:
    """U(0) = scale·U₀: U₀ given, or N(0, 1/d) entries drawn with ``key``, or (neither) I.

    >>> symmetric_init(d=2, scale=0.1).tolist()
    [[0.1, 0.0], [0.0, 0.1]]
    """
    d = _dim(d)
    s = _scale(scale)
    dtype = dtype or float_dtype()
    if U0 is not None:
        U = jnp.asarray(U0, dtype)
        if U.shape != (d, d):
            raise ShapeError(f"U0 must have shape ({d}, {d}), got {U.shape}")
        if not bool(jnp.all(jnp.isfinite(U))):
            raise InvalidInputError("U0 contains NaN or inf")
    elif key is not None:
        U = jax.random.normal(key, (d, d), dtype) / np.sqrt(d)
    else:
        U = jnp.eye(d, dtype=dtype)
    return s * U


def symmetric_predictor(U) -> jax.Array:
    """W = UUᵀ."""
    return U @ U.T


def symmetric_predict(U, A) -> jax.Array:
    """⟨A_i, UUᵀ⟩, shape (m,)."""
    return measure(U @ U.T, A)


#: The symmetric model for the engine (homogeneous of degree 2 in U).
SYMMETRIC = Model("matrix_symmetric", symmetric_predict, symmetric_predictor, 2)


# ----------------------------------------------------------------------------------- deep


def _orthogonal(key, d, dtype):
    Q, R = jnp.linalg.qr(jax.random.normal(key, (d, d), dtype))
    return Q * jnp.sign(jnp.diag(R))[None, :]


def balanced_factors(W0, depth: int, *, key=None) -> tuple:
    """Factors (W_1, ..., W_N) with W_N ⋯ W_1 = W0 and W_{j+1}ᵀW_{j+1} = W_jW_jᵀ exactly.

    From the SVD W0 = U diag(σ) Vᵀ: W_1 = O_1 S Vᵀ, W_j = O_j S O_{j-1}ᵀ, W_N = U S O_{N-1}ᵀ
    with S = diag(σ^{1/N}) and O_j orthogonal (random from ``key``, else the identity); then
    W_{j+1}ᵀW_{j+1} = O_j S² O_jᵀ = W_jW_jᵀ (proofs.matrix, lemma matrix.singular_values).

    >>> import jax.numpy as jnp
    >>> Ws = balanced_factors(jnp.array([[2.0, 1.0], [0.0, 1.0]]), 2)
    >>> bool(jnp.allclose(Ws[1] @ Ws[0], jnp.array([[2.0, 1.0], [0.0, 1.0]])))
    True
    """
    N = _depth(depth)
    W0 = jnp.asarray(W0)
    if W0.ndim != 2 or W0.shape[0] != W0.shape[1]:
        raise ShapeError(f"W0 must be a square matrix, got shape {W0.shape}")
    if not bool(jnp.all(jnp.isfinite(W0))):
        raise InvalidInputError("W0 contains NaN or inf")
    d = W0.shape[0]
    U, s, Vt = jnp.linalg.svd(W0)
    S = jnp.diag(s ** (1.0 / N))
    if key is None:
        inner = [jnp.eye(d, dtype=W0.dtype)] * (N - 1)
    else:
        inner = [_orthogonal(k, d, W0.dtype) for k in jax.random.split(key, max(N - 1, 1))]
        inner = inner[: N - 1]
    outer = [Vt.T, *inner, U]
    return tuple(outer[j + 1] @ S @ outer[j].T for j in range(N))


def deep_init(key, *, d: int, depth: int, scale: float, det_sign: int | None = None,
              W0=None, dtype=None) -> tuple:
    """A balanced depth-N factorization with small end-to-end matrix.

    W(0) = scale^N·G with G = U diag(σ) Vᵀ a N(0, 1/d) Gaussian draw (or ``W0`` given, used as
    is), so each factor has singular values scale·σ_k^{1/N}. ``det_sign`` = +1 / -1 flips the
    last left singular vector if needed so that det W(0) has that sign (Razin & Cohen's
    setting is det W(0) > 0); None keeps the draw. The inner orthogonal factors are random.
    """
    d = _dim(d)
    N = _depth(depth)
    s = _scale(scale)
    if det_sign not in (None, 1, -1) or isinstance(det_sign, bool):
        raise InvalidInputError(f"det_sign must be None, 1 or -1, got {det_sign!r}")
    dtype = dtype or float_dtype()
    k1, k2 = jax.random.split(key)
    if W0 is None:
        G = jax.random.normal(k1, (d, d), dtype) / np.sqrt(d)
        W0 = (s**N) * G
    else:
        W0 = jnp.asarray(W0, dtype)
        if W0.shape != (d, d):
            raise ShapeError(f"W0 must have shape ({d}, {d}), got {W0.shape}")
    if det_sign is not None:
        U, sv, Vt = jnp.linalg.svd(W0)
        if float(sv[-1]) <= 0:
            raise InvalidInputError("W0 is singular: det W(0) has no sign to choose")
        sign = jnp.sign(jnp.linalg.det(U) * jnp.linalg.det(Vt))
        if int(sign) != det_sign:
            U = U.at[:, -1].multiply(-1.0)
        W0 = U @ jnp.diag(sv) @ Vt
    return balanced_factors(W0, N, key=k2)


def balanced_init(rng, *, d: int, depth: int, scale: float, det_sign: int | None = None,
                  W0=None) -> tuple:
    """:func:`deep_init` in numpy (a ``numpy.random.Generator`` instead of a JAX key; no JAX
    dispatch, so initializing many instances of different sizes compiles nothing): W(0) =
    scale^N·G with G having N(0, 1/d) entries (or ``W0``), the sign of det W(0) chosen by
    ``det_sign``, balanced factors W_1 = O_1 S Vᵀ, W_j = O_j S O_{j-1}ᵀ, W_N = U S O_{N-1}ᵀ with
    random orthogonal O_j (S = diag(σ^{1/N})).

    >>> Ws = balanced_init(np.random.default_rng(0), d=3, depth=3, scale=0.5, det_sign=-1)
    >>> bool(np.linalg.det(Ws[2] @ Ws[1] @ Ws[0]) < 0)
    True
    >>> bool(np.abs(Ws[1].T @ Ws[1] - Ws[0] @ Ws[0].T).max() < 1e-15)
    True
    """
    d = _dim(d)
    N = _depth(depth)
    s = _scale(scale)
    if det_sign not in (None, 1, -1) or isinstance(det_sign, bool):
        raise InvalidInputError(f"det_sign must be None, 1 or -1, got {det_sign!r}")
    if not isinstance(rng, np.random.Generator):
        raise InvalidInputError("rng must be a numpy.random.Generator")
    if W0 is None:
        W0 = (s**N) * rng.standard_normal((d, d)) / np.sqrt(d)
    else:
        W0 = np.asarray(W0, dtype=float)
        if W0.shape != (d, d):
            raise ShapeError(f"W0 must have shape ({d}, {d}), got {W0.shape}")
        if not np.all(np.isfinite(W0)):
            raise InvalidInputError("W0 contains NaN or inf")
    U, sv, Vt = np.linalg.svd(W0)
    if det_sign is not None:
        if sv[-1] <= 0:
            raise InvalidInputError("W0 is singular: det W(0) has no sign to choose")
        if int(np.sign(np.linalg.det(U) * np.linalg.det(Vt))) != det_sign:
            U[:, -1] = -U[:, -1]
    S = np.diag(sv ** (1.0 / N))
    inner = []
    for _ in range(N - 1):
        Q, R = np.linalg.qr(rng.standard_normal((d, d)))
        inner.append(Q * np.sign(np.diag(R))[None, :])
    outer = [Vt.T, *inner, U]
    return tuple(outer[j + 1] @ S @ outer[j].T for j in range(N))


def end_to_end(params) -> jax.Array:
    """W = W_N ⋯ W_1 for params = (W_1, ..., W_N)."""
    W = params[0]
    for F in params[1:]:
        W = F @ W
    return W


def deep_predict(params, A) -> jax.Array:
    """⟨A_i, W_N ⋯ W_1⟩, shape (m,)."""
    return measure(end_to_end(params), A)


def balance_matrices(params) -> tuple:
    """W_{j+1}ᵀW_{j+1} - W_jW_jᵀ for j = 1..N-1: each is conserved exactly along gradient flow
    of any loss of W_N ⋯ W_1 (zero for all t from a balanced init); GD drifts by O(η²) per
    step."""
    return tuple(params[j + 1].T @ params[j + 1] - params[j] @ params[j].T
                 for j in range(len(params) - 1))


def balance_gap(params) -> jax.Array:
    """max_j ‖W_{j+1}ᵀW_{j+1} - W_jW_jᵀ‖_F (0 for one factor): the balancedness invariant."""
    mats = balance_matrices(params)
    if not mats:
        return jnp.zeros((), params[0].dtype)
    return jnp.max(jnp.stack([jnp.linalg.norm(M) for M in mats]))


def deep_model(depth: int) -> Model:
    """The depth-N factorization as an engine model (homogeneous of degree N); one object per
    depth, so the engine compiles once per depth."""
    return _deep_model(_depth(depth))


@functools.cache
def _deep_model(N: int) -> Model:
    return Model(f"matrix_deep[{N}]", deep_predict, end_to_end, N)


# ------------------------------------------------------------------ factor-recording model


def _stack(params) -> jax.Array:
    return jnp.stack(params)


def factor_model(depth: int) -> Model:
    """The depth-N factorization recording its factors: ``predictor(params)`` is the stack
    (N, d, d) of (W_1, ..., W_N) (so a trace holds what balancedness and a one-step finite
    difference need); one object per depth.

    >>> factor_model(3).degree, factor_model(3) is factor_model(3)
    (3, True)
    """
    return _factor_model(_depth(depth))


@functools.cache
def _factor_model(N: int) -> Model:
    return Model(f"matrix_factors[{N}]", deep_predict, _stack, N)


def factors_end_to_end(F) -> np.ndarray:
    """W = W_N ⋯ W_1 from stacked factors ``F`` of shape (..., N, d, d) (numpy, batched)."""
    F = np.asarray(F, dtype=float)
    W = F[..., 0, :, :]
    for j in range(1, F.shape[-3]):
        W = F[..., j, :, :] @ W
    return W


def factor_gradients(F, G) -> np.ndarray:
    """∂ℓ/∂W_j = (W_N ⋯ W_{j+1})ᵀ G (W_{j-1} ⋯ W_1)ᵀ for stacked factors ``F`` (..., N, d, d)
    and G = ∇ℓ(W) (..., d, d) (numpy, batched): one GD step is F - η·factor_gradients(F, G).

    >>> F = np.stack([np.eye(2), 2 * np.eye(2)])
    >>> factor_gradients(F, np.ones((2, 2)))[0].tolist()        # W_2ᵀ G
    [[2.0, 2.0], [2.0, 2.0]]
    """
    F = np.asarray(F, dtype=float)
    G = np.asarray(G, dtype=float)
    N, d = F.shape[-3], F.shape[-1]
    eye = np.broadcast_to(np.eye(d), F.shape[:-3] + (d, d))
    below = [eye]  # below[j] = W_j ⋯ W_1 (below[0] = I)
    for j in range(N):
        below.append(F[..., j, :, :] @ below[-1])
    above = [eye]  # above[k] = W_N ⋯ W_{N-k+1}
    for j in range(N - 1, -1, -1):
        above.append(above[-1] @ F[..., j, :, :])
    out = []
    for j in range(N):
        left = above[N - 1 - j]  # W_N ⋯ W_{j+2} (0-based factor j is W_{j+1})
        right = below[j]
        out.append(np.swapaxes(left, -1, -2) @ G @ np.swapaxes(right, -1, -2))
    return np.stack(out, axis=-3)


# ------------------------------------------------------------ the balanced end-to-end flow


def _identity(W):
    return W


def _end_to_end_predict(W, A):
    return measure(W, A)


#: W itself as the parameter (degree 1): the model of :func:`train_flow_batch`
END_TO_END = Model("matrix_end_to_end", _end_to_end_predict, _identity, 1)


def _pow(s, p: float):
    """s^p elementwise for s >= 0 with 0^0 = 1 and 0^p = 0 (p > 0)."""
    pos = s > 0
    base = jnp.where(pos, s, 1.0)
    return jnp.where(pos, base**p, 1.0 if p == 0 else 0.0)


def flow_multipliers(W, G, depth: int):
    """(B, C) with W B + C W = -Σ_j (WWᵀ)^{(N-j)/N} G (WᵀW)^{(j-1)/N} (the balanced
    end-to-end velocity, theory.matrix.end_to_end_velocity) and B, C bounded for N >= 2.

    In the SVD W = U S Vᵀ the velocity is U T Vᵀ with T = -(UᵀGV) ⊙ K,
    K_kl = Σ_j σ_k^{2(N-j)/N} σ_l^{2(j-1)/N}; it is split as T = S B̃ + C̃ S with
    B̃_kl = T_kl σ_k/(σ_k² + σ_l²), C̃_kl = T_kl σ_l/(σ_k² + σ_l²) off the diagonal and
    B̃_kk = C̃_kk = -½N σ_k^{1-2/N} (UᵀGV)_kk, so B = V B̃ Vᵀ, C = U C̃ Uᵀ
    (|B̃_kl| <= N‖G‖ max(σ_k, σ_l)^{1-2/N}: bounded for N >= 2). Square W; JAX (one instance).
    """
    N = int(depth)
    U, s, Vt = jnp.linalg.svd(W)
    V = Vt.T
    Gt = U.T @ G @ V
    K = sum(jnp.outer(_pow(s, 2.0 * (N - j) / N), _pow(s, 2.0 * (j - 1) / N))
            for j in range(1, N + 1))
    T = -Gt * K
    sk, sl = s[:, None], s[None, :]
    den = sk * sk + sl * sl
    off = ~jnp.eye(W.shape[0], dtype=bool) & (den > 0)
    safe = jnp.where(den > 0, den, 1.0)
    half = jnp.diag(-0.5 * N * jnp.diag(Gt) * _pow(s, 1.0 - 2.0 / N))
    Bt = jnp.where(off, T * sk / safe, 0.0) + half
    Ct = jnp.where(off, T * sl / safe, 0.0) + half
    return V @ Bt @ V.T, U @ Ct @ U.T


def balanced_flow(depth: int) -> Optimizer:
    """The GF-faithful integrator of the balanced end-to-end flow of a depth-N factorization
    (Arora, Cohen & Hazan, ICML 2018, Thm 1): params W, gradient ∇ℓ(W) (the engine's, with
    :data:`END_TO_END`), update W ← (I + ηC) W (I + ηB) with (B, C) from
    :func:`flow_multipliers` (first order in η, like GD). det W_{t+1} = det(I + ηC) det W_t
    det(I + ηB) keeps its sign while η‖B‖, η‖C‖ < 1, and the rank is kept: the invariants of
    the flow that plain GD on the factors breaks at depth 2 (docs/matrix.md). Depth 1 is plain
    GD on W. One object per depth (cached: the engine compiles once per optimizer).

    >>> balanced_flow(2).name
    'balanced_flow[2]'
    """
    return _balanced_flow(_depth(depth))


@functools.cache
def _balanced_flow(N: int) -> Optimizer:
    def update(grads, state, params, t, hyper):
        eta = hyper["lr"]
        if N == 1:
            return -eta * grads, state
        B, C = flow_multipliers(params, grads, N)
        eye = jnp.eye(params.shape[0], dtype=params.dtype)
        new = (eye + eta * C) @ params @ (eye + eta * B)
        return new - params, state

    return Optimizer(f"balanced_flow[{N}]", lambda p: (), update, "loss")


# ------------------------------------------------------------------------------- trainers


def embed(M, d: int) -> np.ndarray:
    """Square matrices ``M`` (..., k, k) zero-padded to (..., d, d) (k <= d)."""
    M = np.asarray(M, dtype=float)
    k = M.shape[-1]
    if M.ndim < 2 or M.shape[-2] != k:
        raise ShapeError(f"embed needs square matrices, got shape {M.shape}")
    if k > d:
        raise ShapeError(f"a {k} x {k} matrix does not fit a {d} x {d} bucket")
    out = np.zeros(M.shape[:-2] + (d, d))
    out[..., :k, :k] = M
    return out


def pad_problems(problems, m: int, d: int):
    """Stack problems [(A_i (m_i, d_i, d_i), y_i (m_i,)), ...] into one shape bucket:
    A (B, m, d, d), y (B, m), mask (B, m). Padded measurements are zero matrices with target 0
    and ``mask=False``; the matrices are zero-padded (W's extra rows and columns see no data).

    >>> A, y, mask = pad_problems([(np.ones((1, 2, 2)), [1.0])], 3, 3)
    >>> A.shape, y.tolist(), mask.tolist()
    ((1, 3, 3, 3), [[1.0, 0.0, 0.0]], [[True, False, False]])
    """
    m, d = _dim(m), _dim(d)
    B = len(problems)
    if B < 1:
        raise ShapeError("pad_problems needs at least one problem")
    A = np.zeros((B, m, d, d))
    y = np.zeros((B, m))
    mask = np.zeros((B, m), bool)
    for b, (Ai, yi) in enumerate(problems):
        Ai = as_measurements(Ai, f"A[{b}]")
        yi = np.asarray(yi, dtype=float)
        mi, di, _ = Ai.shape
        if yi.shape != (mi,):
            raise ShapeError(f"problem {b}: A has {mi} measurements but y has shape {yi.shape}")
        if not np.all(np.isfinite(yi)):
            raise NonFiniteError(f"problem {b}: y contains NaN or inf")
        if mi > m or di > d:
            raise ShapeError(f"problem {b} of shape {Ai.shape} does not fit the bucket "
                             f"({m}, {d}, {d})")
        A[b, :mi, :di, :di] = Ai
        y[b, :mi] = yi
        mask[b, :mi] = True
    return A, y, mask


def _batch(A, y, mask):
    """Validated (A (B, m, d, d), y (B, m), mask (B, m)) as float/bool numpy arrays."""
    if isinstance(A, (bool, np.bool_)):
        raise ShapeError("A must be an array of shape (B, m, d, d)")
    Ar = np.asarray(A)
    if Ar.dtype == bool or Ar.dtype.kind in "USOVMmc":
        raise ShapeError(f"A must hold real numbers, got dtype {Ar.dtype}")
    Ar = Ar.astype(float)
    if Ar.ndim != 4 or Ar.shape[2] != Ar.shape[3] or min(Ar.shape) < 1:
        raise ShapeError(f"A must have shape (B, m, d, d) with B, m, d >= 1, got {Ar.shape}")
    B, m, d, _ = Ar.shape
    yr = np.asarray(y)
    if yr.dtype == bool or yr.dtype.kind in "USOVMmc":
        raise ShapeError(f"y must hold real numbers, got dtype {yr.dtype}")
    yr = yr.astype(float)
    if yr.shape != (B, m):
        raise ShapeError(f"y must have shape ({B}, {m}), got {yr.shape}")
    if not (np.all(np.isfinite(Ar)) and np.all(np.isfinite(yr))):
        raise NonFiniteError("A and y must be finite (no NaN or inf)")
    if mask is None:
        mk = np.ones((B, m), bool)
    else:
        mk = np.asarray(mask)
        if mk.dtype != bool or mk.shape != (B, m):
            raise ShapeError(f"mask must be a boolean array of shape ({B}, {m}), got "
                             f"{mk.dtype} {mk.shape}")
    return Ar, yr, mk


def _lr(lr, B: int) -> np.ndarray:
    if isinstance(lr, (bool, np.bool_)):
        raise InvalidInputError("lr must be a positive number, not a boolean")
    try:
        a = np.asarray(lr, dtype=float)
    except (TypeError, ValueError):
        raise InvalidInputError(f"lr must be a positive number, got {lr!r}") from None
    if a.ndim > 1 or (a.ndim == 1 and a.shape[0] != B):
        raise ShapeError(f"lr must be a scalar or have shape ({B},), got {a.shape}")
    if not (np.all(np.isfinite(a)) and np.all(a > 0)):
        raise InvalidInputError(f"lr must be positive and finite, got {lr!r}")
    return np.broadcast_to(a, (B,)).copy()


def _stack_param(P, B: int, d: int, name: str, dtype):
    arr = np.asarray(P, dtype=float)
    if arr.shape != (B, d, d):
        raise ShapeError(f"{name} must have shape ({B}, {d}, {d}), got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise NonFiniteError(f"{name} contains NaN or inf")
    return jnp.asarray(arr, dtype)


def _block(block):
    """Instances per lax.map block: 8 on a CPU (what these trainers always used), the
    engine's accelerator default elsewhere (:func:`engine.default_block`)."""
    return default_block(cpu=8) if block is None else block


def _common(A, y, mask, lr):
    Ar, yr, mk = _batch(A, y, mask)
    dtype = float_dtype(np.zeros((), Ar.dtype))
    return Ar, yr, mk, _lr(lr, Ar.shape[0]), dtype


def train_symmetric_batch(A, y, *, U0, lr, steps: int, n_records: int = 40, mask=None,
                          optimizer="gd", block: int | None = None) -> Trace:
    """Train W = UUᵀ on ½Σ_i(⟨A_i, UUᵀ⟩ - y_i)² for a stack of instances: ``A`` (B, m, d, d),
    ``y`` (B, m), ``U0`` (B, d, d), ``lr`` a scalar or (B,) (traced: a sweep never
    recompiles). ``Trace.predictor`` is W (B, R, d, d). Gunasekar et al. (NeurIPS 2017) use
    U(0) = αI, α → 0 (docs/matrix.md).

    >>> import jax; jax.config.update("jax_enable_x64", True)
    >>> A = completion_operator([(0, 0), (1, 1)], 2)[None]
    >>> tr = train_symmetric_batch(A, [[1.0, 4.0]], U0=1e-3 * np.eye(2)[None], lr=0.05,
    ...                            steps=2000, n_records=3)
    >>> np.round(np.asarray(tr.predictor[0, -1]), 6).tolist()
    [[1.0, 0.0], [0.0, 4.0]]
    """
    Ar, yr, mk, lrs, dtype = _common(A, y, mask, lr)
    B, _, d, _ = Ar.shape
    U = _stack_param(U0, B, d, "U0", dtype)
    return fit_batch(SYMMETRIC, U, jnp.asarray(Ar, dtype), jnp.asarray(yr, dtype), mask=mk,
                     loss="square", optimizer=get_optimizer(optimizer), hyper={"lr": lrs},
                     steps=steps, n_records=n_records, block=_block(block))


def train_deep_batch(A, y, *, params0, lr, steps: int, n_records: int = 40, mask=None,
                     record: str = "matrix", optimizer="gd", block: int | None = None) -> Trace:
    """Train W = W_N ⋯ W_1 on ½Σ_i(⟨A_i, W⟩ - y_i)² by GD on the factors (``optimizer``) for a
    stack of instances: ``params0`` = (W_1, ..., W_N), each (B, d, d) (e.g. balanced, from
    :func:`deep_init` per instance, zero-padded with :func:`embed`). ``record="matrix"``
    records W (B, R, d, d); ``"factors"`` records the stacked factors (B, R, N, d, d).

    >>> import jax; jax.config.update("jax_enable_x64", True)
    >>> A = completion_operator([(0, 0)], 2)[None]
    >>> ps = deep_init(jax.random.key(0), d=2, depth=2, scale=0.3)
    >>> tr = train_deep_batch(A, [[2.0]], params0=tuple(p[None] for p in ps), lr=0.05,
    ...                       steps=3000, n_records=3)
    >>> round(float(tr.predictor[0, -1, 0, 0]), 6)
    2.0
    """
    Ar, yr, mk, lrs, dtype = _common(A, y, mask, lr)
    B, _, d, _ = Ar.shape
    if not isinstance(params0, (tuple, list)) or not params0:
        raise ShapeError("params0 must be a non-empty tuple of factors (W_1, ..., W_N)")
    N = len(params0)
    ps = tuple(_stack_param(P, B, d, f"params0[{j}]", dtype) for j, P in enumerate(params0))
    if record not in ("matrix", "factors"):
        raise InvalidInputError(f"record must be 'matrix' or 'factors', got {record!r}")
    model = deep_model(N) if record == "matrix" else factor_model(N)
    return fit_batch(model, ps, jnp.asarray(Ar, dtype), jnp.asarray(yr, dtype), mask=mk,
                     loss="square", optimizer=get_optimizer(optimizer), hyper={"lr": lrs},
                     steps=steps, n_records=n_records, block=_block(block))


def train_flow_batch(A, y, *, W0, depth: int, lr, steps: int, n_records: int = 40,
                     mask=None, block: int | None = None) -> Trace:
    """Integrate the balanced end-to-end flow of depth ``depth`` (:func:`balanced_flow`) from
    W0 (B, d, d) for a stack of instances: the GF-faithful mode (det sign and rank of W are
    kept; first order in η). ``Trace.predictor`` is W (B, R, d, d).

    >>> import jax; jax.config.update("jax_enable_x64", True)
    >>> A = completion_operator([(0, 0)], 2)[None]
    >>> tr = train_flow_batch(A, [[2.0]], W0=0.01 * np.eye(2)[None], depth=2, lr=0.05,
    ...                       steps=3000, n_records=3)
    >>> np.round(np.asarray(tr.predictor[0, -1]), 6).tolist()
    [[2.0, 0.0], [0.0, 0.01]]
    """
    Ar, yr, mk, lrs, dtype = _common(A, y, mask, lr)
    B, _, d, _ = Ar.shape
    W = _stack_param(W0, B, d, "W0", dtype)
    return fit_batch(END_TO_END, W, jnp.asarray(Ar, dtype), jnp.asarray(yr, dtype), mask=mk,
                     loss="square", optimizer=balanced_flow(depth), hyper={"lr": lrs},
                     steps=steps, n_records=n_records, block=_block(block))

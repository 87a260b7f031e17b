"""Matrix factorization models as pure JAX functions (docs/matrix.md).

Two models of a d×d matrix W, measured by ⟨A_i, W⟩ = Σ_jk A_i[j, k] W[j, k] with A of shape
(m, d, d) (completion: unit matrices, :func:`implicit_bias.theory.matrix.completion_operator`):

* symmetric (Gunasekar et al., NeurIPS 2017): params U (d, d), W = UUᵀ, init U(0) = αU₀;
* deep asymmetric (Arora et al., NeurIPS 2019; Razin & Cohen, NeurIPS 2020): params
  (W_1, ..., W_N), W = W_N ⋯ W_1, from a *balanced* init W_{j+1}ᵀW_{j+1} = W_jW_jᵀ
  (:func:`balanced_factors`), optionally with a chosen sign of det W(0).

For the shared engine (:mod:`numerics.engine`) a model is ``predict(params, A) -> (m,)`` and
``predictor(params) -> W``: :data:`SYMMETRIC` and :func:`deep_model`. No training loop lives
here. Library code never flips ``jax_enable_x64`` (the caller does; float64 is needed for
every verification).

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

from implicit_bias.theory.errors import DepthError, InvalidInputError, ShapeError
from implicit_bias.theory.matrix import as_measurements, completion_operator
from implicit_bias.theory.validate import check_depth

from .engine import Model, float_dtype

__all__ = [
    "completion_operator",
    "measure",
    "square_loss",
    "symmetric_init",
    "symmetric_predictor",
    "symmetric_predict",
    "balanced_factors",
    "deep_init",
    "end_to_end",
    "deep_predict",
    "balance_matrices",
    "balance_gap",
    "SYMMETRIC",
    "deep_model",
    "sensing_operator",
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
    """½Σ_i (⟨A_i, W⟩ - y_i)² from the predictions (a sum, SPEC §0)."""
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

"""Deep fully connected linear nets f(x) = W_L ⋯ W_1 x, β = (W_L ⋯ W_1)ᵀ.

The fully connected contrast to :mod:`numerics.convnet`: min Σ‖W_l‖_F² over factorizations of
β is L‖β‖₂^{2/L}, monotone in ‖β‖, so GD converges in direction to the same L2 max-margin
predictor at every depth, with rank-one, aligned layers (Ji & Telgarsky, ICLR 2019, Thm 2.2;
needs an initial loss below ℓ(0)·N). Parameters are a tuple of matrices
(W_1: (h, d), W_2..W_{L-1}: (h, h), W_L: (1, h)).

>>> import jax; jax.config.update("jax_enable_x64", True)
>>> from implicit_bias.numerics.deep_linear import init, end_to_end
>>> params = init(jax.random.key(0), d=3, depth=3, width=4, scale=0.1)
>>> [p.shape for p in params], end_to_end(params).shape
([(4, 3), (4, 4), (1, 4)], (3,))
"""

from __future__ import annotations

import functools

import jax
import numpy as np

from implicit_bias.theory.errors import DepthError, ShapeError
from implicit_bias.theory.validate import check_depth

from .classifier import SCHEDULES, train_one, train_stack
from .engine import Model, Trace, float_dtype

__all__ = ["SCHEDULES", "model", "init", "end_to_end", "predict", "train", "train_batch",
           "alignment"]


def init(key, *, d: int, depth: int, width: int, scale: float = 0.1, dtype=None):
    """Gaussian layers with entries N(0, scale²/fan_in) (keyword-only shape arguments)."""
    depth = check_depth(depth)
    if depth < 2:
        raise DepthError("a deep linear net needs depth >= 2 (depth 1 is numerics.linear)")
    dtype = dtype or float_dtype()
    dims = [d] + [width] * (depth - 1) + [1]
    # one draw cut into the layers: each jax.random call compiles its own threefry hash
    # (a split and L draws took 0.92 s to compile at depth 3, batch 32; one draw 0.3 s)
    sizes = [dims[i + 1] * dims[i] for i in range(depth)]
    z = jax.random.normal(key, (sum(sizes),), dtype)
    ends = np.cumsum(sizes)
    return tuple(
        scale * z[e - n:e].reshape(dims[i + 1], dims[i]) / np.sqrt(dims[i])
        for i, (n, e) in enumerate(zip(sizes, ends, strict=True))
    )


def end_to_end(params):
    """β = (W_L ⋯ W_1)ᵀ, shape (d,), multiplied from the output side (row vector times
    matrix: O(h² + hd) per layer, never an h×h×d product)."""
    v = params[-1]
    for W in reversed(params[:-1]):
        v = v @ W
    return v[0]


def predict(params, X):
    """f(x_n) = x_nᵀβ for each row: X @ β with β = :func:`end_to_end` (the same linear map
    as layer-by-layer evaluation, at O(Nd) instead of O(Nhd) per step)."""
    return X @ end_to_end(params)


def _check_params(params, d):
    if len(params) < 2:
        raise DepthError("deep linear params need at least two layers")
    if params[0].shape[1] != d:
        raise ShapeError(f"first layer has input width {params[0].shape[1]}, data have d = {d}")




@functools.cache
def model(depth: int) -> Model:
    """The depth-``depth`` linear net as an engine model (homogeneous of degree ``depth``)."""
    return Model(f"deep_linear[{depth}]", predict, end_to_end, int(depth))


def train(X, y, *, key=None, params=None, mask=None, depth: int = 2, width: int = 16,
          scale: float = 0.1, loss: str = "logistic", schedule: str = "normalized",
          lr: float = 0.1, steps: int = 10_000, n_records: int = 40) -> Trace:
    """Train a depth-``depth`` linear net from ``params`` or a Gaussian init drawn with ``key``.

    No step-size bound is proven for deep nets; a diverging run shows up as a non-finite
    ``log_loss`` in the trace. Schedules: ``"gd"``, ``"normalized"`` (the homogeneous
    reparametrized gradient flow), ``"sign"``. ``mask`` marks the real rows of padded data.
    """
    return train_one(model, lambda k, d, dt: init(k, d=d, depth=depth, width=width,
                                                  scale=scale, dtype=dt), _check_params, X, y,
                     key=key, params=params, mask=mask, loss=loss, schedule_name=schedule,
                     lr=lr, steps=steps, n_records=n_records, what="deep_linear.train")


def train_batch(X, y, *, key, mask=None, depth: int = 2, width: int = 16, scale: float = 0.1,
                loss: str = "logistic", schedule: str = "normalized", lr=0.1,
                steps: int = 10_000, n_records: int = 40, block: int | None = None) -> Trace:
    """:func:`train` over a stack of instances (X (B, N, d)); one key split per instance."""
    depth = check_depth(depth)
    return train_stack(model(depth), init, X, y,
                       init_kwargs={"depth": depth, "width": int(width), "scale": float(scale)},
                       key=key, mask=mask, loss=loss, schedule_name=schedule, lr=lr,
                       steps=steps, n_records=n_records, block=block)


def alignment(params) -> dict:
    """Rank-one-ness and alignment of trained layers (numpy, one instance).

    ``rank_one[l]`` = σ₁²/‖W_l‖_F² (1 for rank one); ``aligned[l]`` = |v_{l+1}ᵀu_l|, the
    overlap of W_l's top left singular vector with W_{l+1}'s top right one (→ 1).
    """
    Ws = [np.asarray(W, dtype=float) for W in params]
    svd = [np.linalg.svd(W, full_matrices=False) for W in Ws]
    rank_one = [float(s[0] ** 2 / np.sum(s**2)) for _, s, _ in svd]
    aligned = [float(abs(svd[i + 1][2][0] @ svd[i][0][:, 0])) for i in range(len(Ws) - 1)]
    return {"rank_one": rank_one, "aligned": aligned}

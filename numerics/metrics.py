"""Agreement metrics between a trained predictor and a predicted direction (numpy, batched).

All functions broadcast over leading axes and are computed stably: 1 - cos(w, v) is evaluated
as ½‖w/‖w‖ - v/‖v‖‖², which keeps full relative precision down to ~1e-30 (the naive
1 - cos bottoms out near 1e-16).

>>> f"{cosine_gap([1.0, 1e-6], [1.0, 0.0]):.6e}"
'5.000000e-13'
"""

from __future__ import annotations

import numpy as np

__all__ = ["unit", "cosine_gap", "direction_error", "normalized_margin", "margin_gap",
           "relative_error"]


def unit(w):
    """w/‖w‖ along the last axis (NaN for w = 0, whose direction is undefined)."""
    w = np.asarray(w, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return w / np.linalg.norm(w, axis=-1, keepdims=True)


def direction_error(w, v):
    """‖w/‖w‖ - v/‖v‖‖ (0 when the directions agree; at most 2)."""
    return np.linalg.norm(unit(w) - unit(v), axis=-1)


def cosine_gap(w, v):
    """1 - cos(w, v), computed as ½ direction_error²."""
    return 0.5 * direction_error(w, v) ** 2


def normalized_margin(w, Z, mask=None):
    """min_n z_nᵀw/‖w‖ over unmasked rows of Z (labels absorbed)."""
    m = np.einsum("...nd,...d->...n", np.asarray(Z, float), np.asarray(w, float))
    if mask is not None:
        m = np.where(mask, m, np.inf)
    return np.min(m, axis=-1) / np.linalg.norm(w, axis=-1)


def margin_gap(w, Z, margin, mask=None):
    """(γ* - γ(w))/γ*: relative shortfall of w's normalized margin from the max margin γ*."""
    return (np.asarray(margin) - normalized_margin(w, Z, mask)) / np.asarray(margin)


def relative_error(a, b):
    """‖a - b‖/‖b‖ along the last axis."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    return np.linalg.norm(a - b, axis=-1) / np.linalg.norm(b, axis=-1)

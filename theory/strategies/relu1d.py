"""Instances for 1-D ReLU interpolation (docs/relu1d.md): sorted distinct knots from positive
gaps, with the boundary term active or inactive by construction.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import strategies as st

__all__ = ["interpolation_data", "rational_interpolation"]

@st.composite
def interpolation_data(draw, *, n_points=(2, 8), boundary: bool | None = None):
    """(x, y) with x_1 < ... < x_N built from positive gaps, for docs/relu1d.md.

    Slopes s_i are drawn directly and y integrated from them, so V = Σ|s_{i+1} - s_i| and
    S = s_1 + s_{N-1} are controlled by construction: ``boundary=True`` gives |S| > V (all
    slopes within ε = |s₀|/(2N) of a common s₀ with |s₀| >= 1/2, so V <= 2ε(N-2) < 2|s₀| - 2ε
    <= |S|); ``boundary=False`` gives |S| <= V (N >= 3, s_1 and s_{N-1} of opposite signs, so
    |S| <= |s_{N-1} - s_1| <= V); ``None`` leaves both free. Returns float arrays (x, y).
    """
    lo, hi = n_points
    if boundary is False:
        lo = max(lo, 3)
    N = draw(st.integers(lo, max(lo, hi)))
    gaps = np.array([draw(st.sampled_from([0.25, 0.5, 1.0, 1.5, 2.0])) for _ in range(N - 1)])
    x = draw(st.integers(-4, 4)) / 2 + np.concatenate([[0.0], np.cumsum(gaps)])
    slope = st.floats(-3, 3, allow_nan=False, allow_subnormal=False)
    if boundary is True:
        s0 = draw(st.floats(0.5, 3)) * draw(st.sampled_from([-1.0, 1.0]))
        eps = abs(s0) / (2 * N)
        s = s0 + np.array([draw(st.floats(-eps, eps)) for _ in range(N - 1)])
    else:
        s = np.array([draw(slope) for _ in range(N - 1)])
        if boundary is False:
            first = draw(st.floats(0.25, 3))
            last = -draw(st.floats(0, 3))
            sign = draw(st.sampled_from([-1.0, 1.0]))
            s[0], s[-1] = sign * first, sign * last
    y0 = draw(st.integers(-3, 3)) / 2
    y = y0 + np.concatenate([[0.0], np.cumsum(s * gaps)])
    return x, y


@st.composite
def rational_interpolation(draw, *, n_points=(2, 6), coord: int = 4):
    """1-D data {"x": strictly increasing rationals, "y": rationals} for docs/relu1d.md, by
    construction: x from cumulative positive gaps in {1/2, 1, 3/2, 2}, y integers/2."""
    N = draw(st.integers(*n_points))
    x = [Fraction(draw(st.integers(-coord, coord)), 2)]
    for _ in range(N - 1):
        x.append(x[-1] + Fraction(draw(st.integers(1, 4)), 2))
    y = [Fraction(draw(st.integers(-2 * coord, 2 * coord)), 2) for _ in range(N)]
    return {"x": x, "y": y}

"""Instances for the 1-D NTK (docs/ntk1d.md): sorted distinct knots and values that are not
affine (for N >= 3), so the kernel interpolant and the min-R spline of the rich regime differ.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import strategies as st

__all__ = ["ntk_data"]


@st.composite
def ntk_data(draw, *, n_points=(2, 6)):
    """(x, y) float arrays: x_1 < ... < x_N from x_1 ∈ {-2, -3/2, ..., 0} and gaps in
    {1/4, 1/2, 1} (so |x| <= 5 and the Gram matrix is well conditioned), y = an affine part
    c₀ + c₁x plus, for N >= 3, a bump δ ∈ ±{1/2, 1} at one interior knot: the data are then
    not affine, the linear spline has two kinks of size >= |δ|·(1/gap) and the kernel
    interpolant (smooth between knots) cannot be a linear spline. Exact as Fractions."""
    N = draw(st.integers(*n_points))
    x = [Fraction(draw(st.integers(-4, 0)), 2)]
    for _ in range(N - 1):
        x.append(x[-1] + draw(st.sampled_from([Fraction(1, 4), Fraction(1, 2), Fraction(1)])))
    c0 = Fraction(draw(st.integers(-2, 2)), 2)
    c1 = Fraction(draw(st.integers(-2, 2)), 2)
    y = [c0 + c1 * v for v in x]
    if N >= 3:
        k = draw(st.integers(1, N - 2))
        y[k] += draw(st.sampled_from([Fraction(-1), Fraction(-1, 2), Fraction(1, 2), Fraction(1)]))
    elif all(v == 0 for v in y):
        y[-1] = Fraction(1)
    return np.array([float(v) for v in x]), np.array([float(v) for v in y])

"""Instances for linear convnets (docs/convnet.md): single examples with a balanced init whose
gradient-flow winner is clear by construction, in floats and in exact rationals.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import strategies as st

from ..convnet import frequency_classes

__all__ = ["convnet_single_example", "rational_single_example"]

@st.composite
def convnet_single_example(draw, *, D: int = 6, depths=(3, 4), ratio: float = 1.5):
    """One example for a depth-L convnet (docs/convnet.md) and a balanced init with a clear winner.

    x is symmetric (x̂ real and positive on every bin), the per-bin init magnitudes r0 are
    conjugate-symmetric, and the predicted class argmax |x̂[m]|·r_m(0)^{L-2} beats every
    other class's score by the factor ``ratio``, by construction. Returns (x, r0, L, class).
    """

    L = draw(st.sampled_from(list(depths)))
    classes = frequency_classes(D)
    xh_c = [draw(st.floats(0.3, 1.0)) for _ in classes]
    r_c = [draw(st.floats(0.05, 0.3)) for _ in classes]
    win = draw(st.integers(0, len(classes) - 1))
    others = max((xh_c[i] * r_c[i] ** (L - 2) for i in range(len(classes)) if i != win),
                 default=0.0)
    if L > 2 and others > 0:
        r_c[win] = (ratio * others / xh_c[win]) ** (1 / (L - 2))
    xh, r0 = np.zeros(D), np.zeros(D)
    for c, a, r in zip(classes, xh_c, r_c, strict=True):
        xh[list(c)] = a
        r0[list(c)] = r
    return np.fft.ifft(xh, norm="ortho").real, r0, L, classes[win]


@st.composite
def rational_single_example(draw, *, D: int = 4, depth: int = 3, clear_winner: bool = False,
                            ratio: Fraction = Fraction(3, 2)):
    """One example with a rational symmetric spectrum and a rational balanced init
    (docs/convnet.md).

    {"x_hat": per-class values in {1/4, ..., 1} (x̂ real, positive, conjugate-symmetric, so x is
    real and symmetric), "r0": per-class init magnitudes in {1/20, ..., 6/20}, "depth"}, one
    entry per :func:`theory.convnet.frequency_classes` class. ``clear_winner=True`` rescales
    one class's r0 so that its gradient-flow score |x̂|·r0^(L-2) beats every other by
    ``ratio`` (rationally: L = 3 only), then scales all of r0 so that max r0 <= 3/10 (score
    ratios unchanged): the construction used for the *true* claim.
    """

    k = len(frequency_classes(D))
    xh = [Fraction(draw(st.integers(1, 4)), 4) for _ in range(k)]
    r0 = [Fraction(draw(st.integers(1, 6)), 20) for _ in range(k)]
    if clear_winner:
        if depth != 3:
            raise ValueError("clear_winner keeps r0 rational for depth 3 only")
        win = draw(st.integers(0, k - 1))
        others = max(xh[i] * r0[i] for i in range(k) if i != win)
        r0[win] = ratio * others / xh[win]
        # a common factor leaves every score ratio (and the winner) unchanged: keep the
        # init small, max r0 <= 3/10 (the winner alone could reach 9/5)
        top = max(r0)
        if top > Fraction(3, 10):
            r0 = [r * Fraction(3, 10) / top for r in r0]
    return {"x_hat": xh, "r0": r0, "depth": depth}

"""Instances for the optimization-geometry family (docs/geometry.md), built by construction.

* :func:`planted_norm_margins` -- separable data whose ℓ1, ℓ2 and ℓ∞ max-margin solutions are
  known exactly and clearly differ (one planted support vector z with distinct nonzero
  integer magnitudes, plus points strictly inside every norm's margin); with
  ``orthant=True`` the solution is known for every p in [1, ∞]; with ``tie=True`` the ℓ1 and
  ℓ∞ maximizers are known *not* to be unique;
* :func:`plot_instance_2d` -- the same in d = 2, with a few more points, for figures;
* :func:`regression_instances` -- underdetermined regression (n < d, full row rank by
  construction) with an initialization w0 that does not interpolate (optionally positive,
  with a positive interpolant, for the entropy potential).

Everything is drawn from small integers and rationals, so shrunk examples are readable.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
from hypothesis import strategies as st

from . import rationals

__all__ = ["PlantedNorms", "planted_norm_margins", "plot_instance_2d", "RegressionInstance",
           "regression_instances", "single_point_solution"]


def single_point_solution(z, p) -> list:
    """The unit-functional-margin maximizer for one point z: w_p = argmin ‖w‖_p s.t. zᵀw >= 1.

    w_i = sign(z_i)|z_i|^{q-1}/‖z‖_q^q (1/p + 1/q = 1); p = 1: e_i/z_i for i = argmax |z_i|
    (first on ties); p = ∞: sign(z)/‖z‖₁. Exact Fractions for p in {1, 2, ∞}, floats otherwise.
    """
    z = [Fraction(v) for v in z]
    d = len(z)
    sgn = [Fraction((v > 0) - (v < 0)) for v in z]
    if p == 1:
        i = max(range(d), key=lambda j: (abs(z[j]), -j))
        return [Fraction(0)] * i + [1 / z[i]] + [Fraction(0)] * (d - i - 1)
    if p == math.inf:
        s1 = sum(abs(v) for v in z)
        return [s / s1 for s in sgn]
    if p == 2:
        s2 = sum(v * v for v in z)
        return [v / s2 for v in z]
    q = p / (p - 1.0)
    zf = np.array([float(v) for v in z])
    nq = float(np.sum(np.abs(zf) ** q))
    return (np.sign(zf) * np.abs(zf) ** (q - 1.0) / nq).tolist()


@dataclass(frozen=True)
class PlantedNorms:
    """Separable data with planted max-margin solutions for several norms.

    ``X`` (N, d), ``y`` (N,) ±1 floats; ``z`` the planted support vector (Fractions; the row
    ``support`` of Z = y·X); ``w`` maps p in {1, 2, ∞} to the exact unit-margin solution
    (Fractions); ``solution(p)`` gives it for any p when ``orthant`` (else p in {1, 2, ∞});
    ``unique`` maps p to whether that maximizer is unique; ``gap`` = the smallest functional
    margin minus 1 of the other points under the planted solutions (>= ``gap_min``; None
    when N = 1).
    """

    X: np.ndarray
    y: np.ndarray
    z: tuple
    support: int
    w: dict
    unique: dict
    orthant: bool
    gap: Fraction | None
    X_exact: list = field(default_factory=list, repr=False, compare=False)

    def solution(self, p) -> np.ndarray:
        if not self.orthant and p not in (1, 2, math.inf):
            raise ValueError("the planted solution is known for every p only when orthant=True")
        return np.array([float(v) for v in single_point_solution(self.z, p)])


@st.composite
def planted_norm_margins(draw, *, n_points=(1, 7), dim=(2, 4), orthant: bool | None = None,
                         tie: bool = False, gap_min: Fraction = Fraction(1, 4),
                         coord: int = 2):
    """Separable data whose ℓ1, ℓ2, ℓ∞ max-margin directions are known and differ.

    Construction: z has d distinct magnitudes drawn from {1, ..., d + 2} with random signs,
    so w_1 ∝ e_{argmax|z_i|}, w_2 ∝ z and w_∞ ∝ sign(z) are unique and pairwise at
    1 - cos >= 0.01 (for d <= 4; the closest pair is ℓ2/ℓ∞ with magnitudes (3, 4): 1 - cos =
    1 - 7/(5√2) > 0.01). The other points are z_n = λ_n z + u_n with small integer u_n and
    λ_n = 1 + g_n + max(0, -min_p u_nᵀw_p), g_n >= ``gap_min``, so z_nᵀw_p >= 1 + g_n for
    p in {1, 2, ∞}: they are strictly inside every margin and change no solution. With
    ``orthant`` the u_n lie in the closed orthant of z (then u_nᵀw_p >= 0 for **every** p,
    and the single-point formula solves every ℓp problem). With ``tie`` (d >= 3): |z_1| =
    |z_2| = max|z| and z_d = 0 (so u_n are in the orthant with u_{n,d} = 0): the ℓ1 maximizer
    (a segment between e_1/z_1 and e_2/z_2) and the ℓ∞ maximizer (free last coordinate) are
    not unique, while ℓ2 still is. Labels and the row order are drawn.
    """
    d = draw(st.integers(max(dim[0], 3 if tie else dim[0]), dim[1]))
    N = draw(st.integers(max(1, n_points[0]), n_points[1]))
    if orthant is None:
        orthant = draw(st.booleans())
    orthant = orthant or tie
    perm_mags = draw(st.permutations(list(range(1, d + 3))))
    if tie:
        others = perm_mags[: max(d - 3, 1)]
        top = max(others) + 1
        mags = [top, top] + others[: d - 3] + [0]
    else:
        mags = perm_mags[:d]
    signs = draw(st.lists(st.sampled_from([1, -1]), min_size=d, max_size=d))
    z = [Fraction(s * m) for s, m in zip(signs, mags, strict=True)]
    sols = {p: single_point_solution(z, p) for p in (1, 2, math.inf)}
    rows = [z]
    gaps = []
    for _ in range(N - 1):
        u = draw(st.lists(st.integers(-coord, coord), min_size=d, max_size=d))
        if orthant:
            u = [abs(a) * (1 if zi > 0 else -1) if zi != 0 else 0 for a, zi in zip(u, z,
                                                                                  strict=True)]
        u = [Fraction(a) for a in u]
        worst = min(sum(a * b for a, b in zip(u, sols[p], strict=True)) for p in sols)
        g = draw(rationals(Fraction(gap_min), Fraction(gap_min) + 2, 4))
        lam = 1 + g + max(Fraction(0), -worst)
        rows.append([lam * zi + ui for zi, ui in zip(z, u, strict=True)])
        gaps.append(min(sum(a * b for a, b in zip(rows[-1], sols[p], strict=True)) - 1
                        for p in sols))
    perm = draw(st.permutations(range(N)))
    rows = [rows[i] for i in perm]
    support = perm.index(0)
    labels = draw(st.lists(st.sampled_from([1, -1]), min_size=N, max_size=N))
    Xe = [[lab * v for v in r] for lab, r in zip(labels, rows, strict=True)]
    unique = {1: not tie, 2: True, math.inf: not tie}
    return PlantedNorms(
        X=np.array([[float(v) for v in r] for r in Xe]), y=np.array(labels, dtype=float),
        z=tuple(z), support=support, w=sols, unique=unique, orthant=orthant,
        gap=min(gaps) if gaps else None,
        X_exact=Xe)


def plot_instance_2d(*, n_points=(3, 8)):
    """A 2-D :func:`planted_norm_margins` instance (for figures of the three directions)."""
    return planted_norm_margins(n_points=n_points, dim=(2, 2), coord=3)


@dataclass(frozen=True)
class RegressionInstance:
    """Underdetermined regression: ``X`` (n, d), n < d, full row rank; ``y`` = X w_plant;
    ``w0`` with X w0 != y. With ``positive``: w0 > 0 and w_plant > 0 (entropy-feasible)."""

    X: np.ndarray
    y: np.ndarray
    w0: np.ndarray
    w_plant: np.ndarray
    positive: bool


@st.composite
def regression_instances(draw, *, n_rows=(1, 3), extra_cols=(1, 3), positive: bool = False):
    """X = [D | B] Π (D diagonal with nonzero integer entries, so rank n by construction; B
    small integers; Π a drawn column permutation), w0 small rationals (positive if
    ``positive``), y = X w_plant with w_plant = w0 + e, e supported on D's columns with
    e_1 != 0 (so X w0 != y since X e = D e_D != 0)."""
    n = draw(st.integers(*n_rows))
    k = draw(st.integers(*extra_cols))
    d = n + k
    D = [draw(st.integers(1, 3)) * draw(st.sampled_from([1, -1])) for _ in range(n)]
    B = [[draw(st.integers(-2, 2)) for _ in range(k)] for _ in range(n)]
    cols = draw(st.permutations(range(d)))
    Xf = np.zeros((n, d))
    for i in range(n):
        Xf[i, i] = D[i]
        Xf[i, n:] = B[i]
    Xf = Xf[:, cols]
    lo = Fraction(1, 4) if positive else Fraction(-1)
    w0 = [draw(rationals(lo, Fraction(2), 4)) for _ in range(d)]
    e = [Fraction(0)] * d
    e[0] = draw(rationals(Fraction(1, 4), Fraction(1), 4))
    for i in range(1, n):
        e[i] = draw(rationals(Fraction(0) if positive else Fraction(-1), Fraction(1), 4))
    e = [e[c] for c in cols]  # e lives on D's columns (moved by the permutation)
    w0 = [w0[c] for c in cols]
    wp = [a + b for a, b in zip(w0, e, strict=True)]
    Xe = [[Fraction(int(v)) for v in row] for row in Xf]
    y = [sum(a * b for a, b in zip(row, wp, strict=True)) for row in Xe]
    return RegressionInstance(X=Xf, y=np.array([float(v) for v in y]),
                              w0=np.array([float(v) for v in w0]),
                              w_plant=np.array([float(v) for v in wp]), positive=positive)

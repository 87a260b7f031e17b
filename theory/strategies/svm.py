"""Instances for the SVM family (docs/svm.md): planted hard-margin SVMs (generic and
degenerate), separable data around a planted separator, and integer data for conjecture search.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
from hypothesis import strategies as st

from . import rationals

__all__ = ["Planted", "planted_svm", "degenerate_svm", "separable_datasets", "integer_separable"]

@dataclass(frozen=True)
class Planted:
    """A binary dataset with its planted hard-margin SVM solution.

    ``X`` (N, d) floats, ``y`` (N,) ±1; ``w_hat``, ``alpha`` the exact SVM solution (floats),
    ``support`` the indices on the margin; ``X_exact``/``w_hat_exact``/``alpha_exact`` the same
    as Fractions; ``gap`` = min over non-support points of z_nᵀŵ - 1 (inf if none);
    ``kind`` names the construction ("generic", "zero_alpha", "duplicate", "non_spanning").
    """

    X: np.ndarray
    y: np.ndarray
    w_hat: np.ndarray
    alpha: np.ndarray
    support: np.ndarray
    gap: float
    kind: str = "generic"
    spanning: bool = True
    X_exact: list = field(default_factory=list, repr=False, compare=False)
    w_hat_exact: list = field(default_factory=list, repr=False, compare=False)
    alpha_exact: list = field(default_factory=list, repr=False, compare=False)


def _householder(u: list[Fraction]):
    """H = I - 2uuᵀ/uᵀu (an exact rational orthogonal reflection)."""
    uu = sum(v * v for v in u)
    d = len(u)
    return [[Fraction(int(i == j)) - 2 * u[i] * u[j] / uu for j in range(d)] for i in range(d)]


def _apply(H, v):
    return [sum(H[i][j] * v[j] for j in range(len(v))) for i in range(len(v))]


def _finish(draw, Zs, w, alpha, support, gap, kind, spanning, rotate):
    d = len(w)
    if rotate and d > 1:
        u = [Fraction(1)] + [draw(rationals(-2, 2, 4)) for _ in range(d - 1)]
        H = _householder(u)
        Zs = [_apply(H, z) for z in Zs]
        w = _apply(H, w)
    N = len(Zs)
    perm = draw(st.permutations(range(N)))
    signs = draw(st.lists(st.sampled_from([1, -1]), min_size=N, max_size=N))
    Zs = [Zs[p] for p in perm]
    alpha = [alpha[p] for p in perm]
    inv = {p: i for i, p in enumerate(perm)}
    support = sorted(inv[s] for s in support)
    Xs = [[s * v for v in z] for s, z in zip(signs, Zs, strict=True)]
    fl = lambda rows: np.array([[float(v) for v in r] for r in rows])  # noqa: E731
    return Planted(
        X=fl(Xs), y=np.array(signs, dtype=float), w_hat=np.array([float(v) for v in w]),
        alpha=np.array([float(a) for a in alpha]), support=np.array(support, dtype=int),
        gap=gap, kind=kind, spanning=spanning, X_exact=Xs, w_hat_exact=w,
        alpha_exact=alpha,
    )


def _plant_core(draw, d, k, max_den, rate_min=Fraction(0)):
    """Support vectors z_i = e_1/r + v_i (v_i ⊥ e_1) with Σα_i z_i = r e_1 = ŵ.

    Since Σα_i v_i = 0, J = Σα_i z_i z_iᵀ = e_1e_1ᵀ + Σα_i v_i v_iᵀ ≽ e_1e_1ᵀ + diag(α_i s_i²):
    drawing s_i >= sqrt(rate_min/α_i) makes λ_min(J) >= min(1, rate_min).
    """
    r = draw(rationals(Fraction(1, 2), 3, max_den))
    p = [draw(rationals(Fraction(1, 4), 1, max_den)) for _ in range(k)]
    alpha = [r * r * pi / sum(p) for pi in p]
    V = []
    for i in range(k - 1):
        lo = max(Fraction(1, 2), Fraction(math.ceil(math.sqrt(rate_min / alpha[i]) * 8), 8))
        s = draw(rationals(lo, lo + 2, max_den)) * draw(st.sampled_from([1, -1]))
        v = [Fraction(0)] * d
        v[i + 1] = s
        V.append(v)
    last = [-sum(alpha[i] * V[i][j] for i in range(k - 1)) / alpha[k - 1] for j in range(d)]
    V.append(last)
    e1 = [Fraction(1) / r] + [Fraction(0)] * (d - 1)
    Zs = [[e1[j] + v[j] for j in range(d)] for v in V]
    w = [r] + [Fraction(0)] * (d - 1)
    return r, w, alpha, Zs


def _outside(draw, r, d, dims, gap_min, max_den):
    gap_min = Fraction(gap_min)
    c = 1 + draw(rationals(gap_min, gap_min + 2, max_den))
    v = [Fraction(0)] * d
    for j in dims:
        v[j] = draw(rationals(-2, 2, max_den))
    return [c / r + v[0]] + v[1:], c - 1


@st.composite
def planted_svm(draw, *, n_points=(1, 8), dim=(1, 4), spanning: bool = False,
                gap_min: Fraction = Fraction(1, 4), rate_min: Fraction = Fraction(0),
                max_den: int = 8, rotate: bool = True, min_support: int = 1):
    """Separable data with a planted, generic hard-margin SVM (see module docstring).

    ``n_points`` and ``dim`` are (min, max) ranges; the support size k is drawn in
    [min_support, min(d, N)] (``min_support`` <= the ranges' lower ends). Non-support points
    lie at functional margin 1 + g, g >= ``gap_min``.
    ``rate_min`` bounds λ_min(J) below (J = Σ_S α_n z_n z_nᵀ on span Z_S), so the heuristic
    residual exponent κ = min(λ_min(J), θ - 1, 1) of docs/svm.md is >= min(rate_min, gap_min, 1).
    """
    d = draw(st.integers(*dim))
    N = draw(st.integers(max(1, n_points[0]), n_points[1]))
    if min_support > min(d, N):
        raise ValueError(f"min_support {min_support} exceeds min(d, N) = {min(d, N)}")
    k = draw(st.integers(min_support, min(d, N)))
    r, w, alpha, Zs = _plant_core(draw, d, k, max_den, Fraction(rate_min))
    dims = range(1, k) if spanning else range(1, d)
    gaps = []
    for _ in range(N - k):
        z, g = _outside(draw, r, d, dims, gap_min, max_den)
        Zs.append(z)
        gaps.append(g)
        alpha.append(Fraction(0))
    gap = float(min(gaps)) if gaps else float("inf")
    span = spanning or N == k or k == d
    return _finish(draw, Zs, w, alpha, list(range(k)), gap, "generic", span, rotate)


@st.composite
def degenerate_svm(draw, *, kind: str | None = None, dim=(2, 4), max_den: int = 8,
                   rotate: bool = True):
    """Planted non-generic data: ``kind`` in {"zero_alpha", "duplicate", "non_spanning"}.

    * zero_alpha: a point on the margin (z_nᵀŵ = 1) with α_n = 0 -- GD picks up log log t
      terms (docs/svm.md: z₁=(1,0), z₂=(1,1) is the smallest example);
    * duplicate: a support vector repeated (α not unique; Thm 4 still holds for the sum);
    * non_spanning: support vectors that do not span the data (only P₁w̃ is predicted).
    """
    kind = kind or draw(st.sampled_from(["zero_alpha", "duplicate", "non_spanning"]))
    d = draw(st.integers(*dim))
    k = draw(st.integers(1, d - 1))
    r, w, alpha, Zs = _plant_core(draw, d, k, max_den)
    support = list(range(k))
    gap = float("inf")
    spanning = True
    if kind == "zero_alpha":
        # a margin point outside cone(z_S): z = e_1/r + s e_d, s != 0 (e_d ⊥ span(z_S))
        s = draw(rationals(Fraction(1, 2), 2, max_den))
        Zs.append([Fraction(1) / r] + [Fraction(0)] * (d - 2) + [s])
        alpha.append(Fraction(0))
        support.append(k)
        spanning = False
    elif kind == "duplicate":
        Zs.append(list(Zs[0]))
        a0 = alpha[0]
        alpha[0] = a0 / 2
        alpha.append(a0 / 2)
        support.append(k)
    elif kind == "non_spanning":
        z, g = _outside(draw, r, d, range(1, d), Fraction(1, 4), max_den)
        z[d - 1] = draw(rationals(Fraction(1, 2), 2, max_den))  # leave span(z_S)
        Zs.append(z)
        alpha.append(Fraction(0))
        gap = float(g)
        spanning = False
    else:
        raise ValueError(f"unknown degenerate kind {kind!r}")
    return _finish(draw, Zs, w, alpha, support, gap, kind, spanning, rotate)


@st.composite
def separable_datasets(draw, *, n_points=(1, 12), dim=(1, 5), margin_min: float = 0.1):
    """Generic separable data: z_n = P⊥u_n + (γ_min + s_n) w* with a planted unit w*.

    The geometric margin of the data is >= ``margin_min`` (w* certifies it); the SVM
    solution is whatever it is (compute it with :func:`theory.svm.max_margin`).
    Returns ``(X, y)`` as float arrays.
    """
    d = draw(st.integers(*dim))
    N = draw(st.integers(*n_points))
    coord = st.floats(-1, 1, allow_nan=False, allow_subnormal=False)
    ws = np.array([1.0] + draw(st.lists(coord, min_size=d - 1, max_size=d - 1)))
    ws = ws / np.linalg.norm(ws)
    U = np.array(draw(st.lists(st.lists(coord, min_size=d, max_size=d), min_size=N,
                               max_size=N)))
    s = np.array(draw(st.lists(st.floats(0, 2, allow_subnormal=False), min_size=N,
                               max_size=N)))
    y = np.array(draw(st.lists(st.sampled_from([-1.0, 1.0]), min_size=N, max_size=N)))
    Z = U - np.outer(U @ ws, ws) + np.outer(margin_min + s, ws)
    return y[:, None] * Z, y


@st.composite
def integer_separable(draw, *, n_points=(1, 6), dim=(2, 3), coord: int = 3):
    """Linearly separable integer data {"X": N×d ints, "y": N labels ±1}, by construction.

    A planted integer separator w* (one coordinate nonzero at least) and integer offsets u_n;
    z_n = u_n + c_n w* with c_n = max(0, ⌈(1 - w*·u_n)/‖w*‖²⌉) (so w*·z_n >= 1), labels drawn,
    x_n = y_n z_n. Shrinks towards one point, small coordinates, label +1.

    >>> from implicit_bias.theory.strategies import sample
    >>> inst = sample(integer_separable(), 1, seed=0)[0]
    >>> sorted(inst)
    ['X', 'y']
    """
    d = draw(st.integers(*dim))
    N = draw(st.integers(*n_points))
    w = [0] * d
    j = draw(st.integers(0, d - 1))
    w[j] = draw(st.integers(1, coord)) * draw(st.sampled_from([1, -1]))
    for i in range(d):
        if i != j:
            w[i] = draw(st.integers(-coord, coord))
    w2 = sum(v * v for v in w)
    X, y = [], []
    for _ in range(N):
        u = [draw(st.integers(-coord, coord)) for _ in range(d)]
        c = max(0, -((sum(a * b for a, b in zip(w, u, strict=True)) - 1) // w2))
        z = [a + c * b for a, b in zip(u, w, strict=True)]
        label = draw(st.sampled_from([1, -1]))
        X.append([label * v for v in z])
        y.append(label)
    return {"X": X, "y": y}

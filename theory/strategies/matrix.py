"""Instances for matrix factorization (docs/matrix.md): completion problems with a planted
low-rank matrix, commuting (simultaneously diagonal) sensing, Gaussian sensing, and exact
completion instances for the conjecture search that shrink to Razin & Cohen's 2×2 problem.

All are built by construction (no filtering): small integers and rationals, so shrunk
instances are readable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
from hypothesis import strategies as st

from ..matrix import completion_operator

__all__ = ["CompletionInstance", "completion_problems", "CommutingInstance",
           "commuting_sensing", "SensingInstance", "gaussian_sensing",
           "conjecture_completion", "completion_arrays"]


@dataclass(frozen=True)
class CompletionInstance:
    """Observed entries ``pairs`` (0-based (row, col)) of a planted integer matrix ``W_star``
    (rank ``rank``; PSD if ``psd``); ``values`` the observed entries as Fractions; ``A``, ``y``
    the float problem (:func:`theory.matrix.completion_operator`). At least one entry is
    unobserved and at least one observed value is nonzero (so the answer is neither forced
    nor the zero matrix)."""

    d: int
    pairs: list
    values: list
    W_star: np.ndarray
    rank: int
    psd: bool
    A: np.ndarray = field(repr=False)
    y: np.ndarray = field(repr=False)


def _triangular(draw, d, r, coord):
    """A d×r integer matrix of rank r: a lower-triangular top block with positive diagonal,
    free entries below."""
    M = np.zeros((d, r))
    for j in range(d):
        for k in range(r):
            if j == k:
                M[j, k] = draw(st.integers(1, coord))
            elif j > k:
                M[j, k] = draw(st.integers(-coord, coord))
    return M


@st.composite
def completion_problems(draw, *, d=(2, 4), rank=(1, 2), psd: bool = False, coord: int = 2):
    """A completion instance with a planted rank-r integer W* = UVᵀ (``psd``: UUᵀ).

    U, V have a triangular top block with positive diagonal (so rank W* = r exactly), then
    rows and columns are permuted (shrinks to the identity). Each entry is observed with a
    drawn flag (shrinking to observed: the minimal instance hides one entry), except that one
    nonzero entry is always observed and one other entry never is.
    """
    n = draw(st.integers(*d))
    r = draw(st.integers(rank[0], min(rank[1], n)))
    U = _triangular(draw, n, r, coord)
    V = U if psd else _triangular(draw, n, r, coord)
    prow = draw(st.permutations(range(n)))
    pcol = prow if psd else draw(st.permutations(range(n)))
    W = (U @ V.T)[np.ix_(prow, pcol)]
    cells = [(j, k) for j in range(n) for k in range(n)]
    nonzero = [c for c in cells if W[c] != 0]
    keep = nonzero[draw(st.integers(0, len(nonzero) - 1))]
    rest = [c for c in cells if c != keep]
    hidden = rest[draw(st.integers(0, len(rest) - 1))]
    flags = [not draw(st.booleans()) for _ in cells]  # shrinks to "observed"
    pairs = [c for c, f in zip(cells, flags, strict=True)
             if c == keep or (f and c != hidden)]
    values = [Fraction(int(W[c])) for c in pairs]
    A = completion_operator(pairs, n)
    return CompletionInstance(d=n, pairs=pairs, values=values, W_star=W, rank=r, psd=psd,
                              A=A, y=np.array([float(v) for v in values]))


def _householder(u):
    """I - 2uuᵀ/uᵀu as exact Fractions (an orthogonal reflection)."""
    u = [Fraction(v) for v in u]
    uu = sum(v * v for v in u)
    n = len(u)
    return [[Fraction(int(i == j)) - 2 * u[i] * u[j] / uu for j in range(n)] for i in range(n)]


@dataclass(frozen=True)
class CommutingInstance:
    """Sensing with A_i = P diag(D_i) Qᵀ (P = Q if ``psd``), exact rational orthogonal P, Q
    (Householder reflections), integer D (m, d) with m < d, a planted β* (>= 0 if ``psd``) and
    y = Dβ* (y_0 >= 1 by construction). ``P_exact``, ``Q_exact`` hold the Fractions."""

    A: np.ndarray
    y: np.ndarray
    D: np.ndarray
    beta_star: np.ndarray
    P: np.ndarray
    Q: np.ndarray
    psd: bool
    P_exact: list = field(repr=False, default_factory=list)
    Q_exact: list = field(repr=False, default_factory=list)


@st.composite
def commuting_sensing(draw, *, d=(2, 4), psd: bool = True, coord: int = 2):
    """Simultaneously diagonal measurements (the commuting case of Gunasekar et al. 2017).

    Row 0 of D is >= 0 with D_00 >= 1 and β* >= 0 there (``psd``: everywhere), β*_0 >= 1, so
    y_0 >= 1; m is drawn in [1, d - 1], so the diagonal LP is underdetermined.
    """
    n = draw(st.integers(*d))
    m = draw(st.integers(1, n - 1))
    u = [Fraction(1)] + [Fraction(draw(st.integers(-coord, coord)), draw(st.integers(1, 2)))
                         for _ in range(n - 1)]
    Qe = _householder(u)
    if psd:
        Pe = Qe
    else:
        v = [Fraction(draw(st.integers(-coord, coord)), draw(st.integers(1, 2)))
             for _ in range(n - 1)] + [Fraction(1)]
        Pe = _householder(v)
    D = np.zeros((m, n))
    for i in range(m):
        for k in range(n):
            lo = 0 if i == 0 else -coord
            D[i, k] = draw(st.integers(1 if (i == 0 and k == 0) else lo, coord))
    beta = np.array([draw(st.integers(1 if k == 0 else 0, coord)) for k in range(n)], float)
    if not psd:
        for k in range(1, n):
            if draw(st.booleans()) and D[0, k] == 0:
                beta[k] = -beta[k]  # a negative coefficient where it cannot cancel y_0
    P = np.array([[float(v) for v in row] for row in Pe])
    Q = np.array([[float(v) for v in row] for row in Qe])
    A = np.einsum("jp,mp,kp->mjk", P, D, Q)
    return CommutingInstance(A=A, y=D @ beta, D=D, beta_star=beta, P=P, Q=Q, psd=psd,
                             P_exact=Pe, Q_exact=Qe)


@dataclass(frozen=True)
class SensingInstance:
    """Gaussian sensing: A (m, d, d) with N(0, 1) entries, a planted rank-r W*, y = A(W*),
    m in [1, d² - 1] (underdetermined). ``seed`` generated A and W*."""

    A: np.ndarray
    y: np.ndarray
    W_star: np.ndarray
    rank: int
    psd: bool
    seed: int


@st.composite
def gaussian_sensing(draw, *, d=(2, 4), rank=(1, 2), psd: bool = False):
    """Random Gaussian sensing with a planted low-rank W* (``psd``: W* = UUᵀ)."""
    n = draw(st.integers(*d))
    r = draw(st.integers(rank[0], min(rank[1], n)))
    m = draw(st.integers(1, n * n - 1))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((m, n, n))
    U = rng.standard_normal((n, r))
    W = U @ U.T if psd else U @ rng.standard_normal((r, n))
    return SensingInstance(A=A, y=np.einsum("mjk,jk->m", A, W), W_star=W, rank=r, psd=psd,
                           seed=seed)


def _pair_order(d):
    """All d×d cells, Razin & Cohen's three first, then the rest row by row."""
    first = [(0, 1), (1, 0), (1, 1)]
    return first + [(j, k) for j in range(d) for k in range(d) if (j, k) not in first]


@st.composite
def conjecture_completion(draw, *, d=(2, 3), coord: int = 2):
    """An exact completion instance {"d", "pairs", "values"} (ints and Fractions) for searching
    the conjecture "GF from a small init finds min ‖W‖_*", shrinking to Razin & Cohen's.

    The cells are ordered Razin-Cohen first ((0, 1), (1, 0), (1, 1)), then permuted (shrinks to
    the identity), and the first k are observed, 3 <= k <= d² - 1 (shrinks to 3); each value is
    the Razin-Cohen base value (1, 1, 0; 0 elsewhere) plus p/q, p in [-coord, coord], q in
    {1, 2} (shrinks to +0). So the minimal instance is d = 2, W₁₂ = W₂₁ = 1, W₂₂ = 0.

    >>> from implicit_bias.theory.strategies import sample
    >>> inst = sample(conjecture_completion(), 1, seed=0)[0]
    >>> sorted(inst)
    ['d', 'pairs', 'values']
    """
    n = draw(st.integers(*d))
    order = _pair_order(n)
    perm = draw(st.permutations(range(len(order))))
    k = draw(st.integers(3, n * n - 1))
    cells = [order[p] for p in perm[:k]]
    base = {(0, 1): 1, (1, 0): 1}
    values = [Fraction(base.get(c, 0)) + Fraction(draw(st.integers(-coord, coord)),
                                                  draw(st.integers(1, 2))) for c in cells]
    return {"d": n, "pairs": [list(c) for c in cells], "values": values}


def completion_arrays(instance):
    """(A, y) float arrays of an exact completion instance from :func:`conjecture_completion`.

    >>> A, y = completion_arrays({"d": 2, "pairs": [[0, 1], [1, 0], [1, 1]],
    ...                           "values": [Fraction(1), Fraction(1), Fraction(0)]})
    >>> A.shape, y.tolist()
    ((3, 2, 2), [1.0, 1.0, 0.0])
    """
    A = completion_operator([tuple(int(v) for v in p) for p in instance["pairs"]],
                            int(instance["d"]))
    return A, np.array([float(v) for v in instance["values"]])

"""Instances for diagonal linear networks (docs/diagonal.md): underdetermined regression with a
planted sparse solution that is, by construction, the unique min-ℓ1 interpolant with a known
dual margin, and far from the min-ℓ2 interpolant.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
from hypothesis import strategies as st

__all__ = ["PlantedSparse", "planted_sparse_regression"]


@dataclass(frozen=True)
class PlantedSparse:
    """Xβ = y with a planted sparse β* (floats; ``X_exact``/``y_exact`` as Fractions).

    ``support`` S (|S| = n = rank X, X_S invertible); ``margin`` γ: the unique dual certificate
    λ* (X_Sᵀλ* = sign β*_S) has max_{j∉S} |x⁽ʲ⁾ᵀλ*| = 1 - γ exactly, so β* is the unique
    min-ℓ1 interpolant; ``l2_gap`` a proven lower bound on ‖β₂ - β*‖₂ (β₂ the min-ℓ2
    interpolant), so the kernel and rich endpoints differ by at least that much.
    """

    X: np.ndarray
    y: np.ndarray
    beta_star: np.ndarray
    support: np.ndarray
    margin: float
    l2_gap: float
    X_exact: list = field(default_factory=list, repr=False, compare=False)
    y_exact: list = field(default_factory=list, repr=False, compare=False)


@st.composite
def planted_sparse_regression(draw, *, n=(1, 3), extra=(1, 3), margin=Fraction(1, 2)):
    """X = A[I | C]P, y = Aβ*_S with A unit lower-triangular (integer entries in [-2, 2], so
    det A = 1 and rank X = n), β*_S nonzero integers in ±[1, 3], P a column permutation.

    The k = d - n extra columns c_j of C have entries of magnitude <= (1-γ)/n, so
    |c_jᵀσ| <= 1 - γ for σ = sign β*_S; the first one is c₁ = ((1-γ)/n)σ, attaining 1 - γ.
    Since x⁽ʲ⁾ = A c_j and λ* = A^{-T}σ, x⁽ʲ⁾ᵀλ* = c_jᵀσ: β* is the unique min-ℓ1 solution with
    dual margin exactly γ. The min-ℓ2 solution is (β*_S - Cz, z) with
    z = (I + CᵀC)^{-1}Cᵀβ*_S, so ‖β₂ - β*‖ >= ‖z‖ >= |c₁ᵀβ*_S|/(1 + ‖C‖_F²)
    >= (1-γ)/(1 + k(1-γ)²/n) (recorded as ``l2_gap``).
    """
    gamma = Fraction(margin)
    nn = draw(st.integers(*n))
    k = draw(st.integers(*extra))
    d = nn + k
    A = [[Fraction(int(i == j)) if j >= i else Fraction(draw(st.integers(-2, 2)))
          for j in range(nn)] for i in range(nn)]
    bs = [Fraction(draw(st.integers(1, 3)) * draw(st.sampled_from([-1, 1]))) for _ in range(nn)]
    sigma = [1 if b > 0 else -1 for b in bs]
    bound = (1 - gamma) / nn
    C = [[bound * sigma[i] for i in range(nn)]]
    den = draw(st.integers(1, 4))
    for _ in range(k - 1):
        C.append([bound * Fraction(draw(st.integers(-den, den)), den) for _ in range(nn)])
    cols = [[Fraction(int(i == j)) for i in range(nn)] for j in range(nn)] + C  # columns of [I|C]
    Xcols = [[sum(A[i][m] * col[m] for m in range(nn)) for i in range(nn)] for col in cols]
    beta = bs + [Fraction(0)] * k
    perm = draw(st.permutations(range(d)))
    Xcols = [Xcols[p] for p in perm]
    beta = [beta[p] for p in perm]
    Xe = [[Xcols[j][i] for j in range(d)] for i in range(nn)]
    ye = [sum(A[i][m] * bs[m] for m in range(nn)) for i in range(nn)]
    support = np.array([j for j in range(d) if beta[j] != 0], dtype=int)
    gap = float((1 - gamma) / (1 + k * (1 - gamma) ** 2 / nn))
    return PlantedSparse(
        X=np.array([[float(v) for v in row] for row in Xe]), y=np.array([float(v) for v in ye]),
        beta_star=np.array([float(v) for v in beta]), support=support, margin=float(gamma),
        l2_gap=gap, X_exact=Xe, y_exact=ye)

"""Hypothesis strategies for random problem instances, built by construction (never filtered).

Importable by users: ``from theory.strategies import planted_svm``. Every strategy here draws
small integers and rationals, so shrunk counterexamples are human-readable.

* :func:`planted_svm` -- separable data whose hard-margin SVM (ŵ, α, support) is planted
  exactly: generic by construction (α_n >= α_min > 0 on linearly independent support vectors,
  non-support points at functional margin >= 1 + gap). ``spanning=True`` puts every point in
  the span of the support vectors (Soudry et al. Thm 4's condition for the full w̃ limit).
  ``exact`` fields hold :class:`fractions.Fraction` values.
* :func:`degenerate_svm` -- planted data that are *not* generic: a margin point with α_n = 0,
  a duplicated support vector (α not unique), or support vectors that do not span.
* :func:`separable_datasets` -- generic separable data around a planted separator w* with
  geometric margin >= ``margin_min`` (the SVM is not known in closed form).
* :func:`convnet_single_example` -- one example and a balanced convnet init whose
  gradient-flow winner (SPEC §2) is clear by construction.
* :func:`interpolation_data` -- 1-D points with sorted distinct knots (cumulative positive
  gaps) for min-norm ReLU interpolation (SPEC §3), optionally with the boundary term active
  (|S| > V) or inactive (|S| <= V) by construction.
* :func:`integer_separable`, :func:`rational_single_example`, :func:`rational_interpolation`
  -- exact instances for conjecture search (``claims.search``): dicts of ints and
  Fractions that serialize exactly and shrink to small, readable data.
* :func:`pad` -- stack instances of different sizes into one shape bucket with a mask.
* :func:`sample` -- n distinct, reproducible examples of a strategy (for scripts and the CLI).
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
from hypothesis import strategies as st

__all__ = [
    "Planted",
    "planted_svm",
    "degenerate_svm",
    "separable_datasets",
    "rationals",
    "pad",
    "sample",
    "without_local_constants",
    "convnet_single_example",
    "interpolation_data",
    "integer_separable",
    "rational_single_example",
    "rational_interpolation",
]


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


def rationals(lo: Fraction, hi: Fraction, max_den: int = 8):
    """Fractions p/q in [lo, hi] with 1 <= q <= ``max_den`` (shrinks toward lo, small q)."""
    lo, hi = Fraction(lo), Fraction(hi)

    @st.composite
    def draw_one(draw):
        q = draw(st.integers(1, max_den))
        a = int(np.ceil(lo * q))
        b = int(np.floor(hi * q))
        if a > b:  # no multiple of 1/q in range: fall back to the endpoint
            return lo
        return Fraction(draw(st.integers(a, b)), q)

    return draw_one()


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
                max_den: int = 8, rotate: bool = True):
    """Separable data with a planted, generic hard-margin SVM (see module docstring).

    ``n_points`` and ``dim`` are (min, max) ranges; the support size k is drawn in
    [1, min(d, N)]. Non-support points lie at functional margin 1 + g, g >= ``gap_min``.
    ``rate_min`` bounds λ_min(J) below (J = Σ_S α_n z_n z_nᵀ on span Z_S), so the heuristic
    residual exponent κ = min(λ_min(J), θ - 1, 1) of SPEC §1 is >= min(rate_min, gap_min, 1).
    """
    d = draw(st.integers(*dim))
    N = draw(st.integers(max(1, n_points[0]), n_points[1]))
    k = draw(st.integers(1, min(d, N)))
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
      terms (SPEC §1: z₁=(1,0), z₂=(1,1) is the smallest example);
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
def convnet_single_example(draw, *, D: int = 6, depths=(3, 4), ratio: float = 1.5):
    """One example for a depth-L convnet (SPEC §2) and a balanced init with a clear winner.

    x is symmetric (x̂ real and positive on every bin), the per-bin init magnitudes r0 are
    conjugate-symmetric, and the predicted class argmax |x̂[m]|·r_m(0)^{L-2} beats every
    other class's score by the factor ``ratio``, by construction. Returns (x, r0, L, class).
    """
    from .convnet import frequency_classes

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
def interpolation_data(draw, *, n_points=(2, 8), boundary: bool | None = None):
    """(x, y) with x_1 < ... < x_N built from positive gaps, for SPEC §3.

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


def pad(instances, n: int, d: int):
    """Stack (X, y) pairs (or :class:`Planted`) into one bucket: X (B, n, d), y, mask (B, n).

    Padded rows are masked out; padded columns are zero (they leave the SVM unchanged).
    """
    B = len(instances)
    X = np.zeros((B, n, d))
    y = np.ones((B, n))
    mask = np.zeros((B, n), bool)
    for b, inst in enumerate(instances):
        Xi, yi = (inst.X, inst.y) if isinstance(inst, Planted) else inst
        Ni, di = Xi.shape
        if Ni > n or di > d:
            raise ValueError(f"instance {b} of shape {Xi.shape} does not fit bucket {(n, d)}")
        X[b, :Ni, :di] = Xi
        y[b, :Ni] = yi
        mask[b, :Ni] = True
    return X, y, mask


@contextlib.contextmanager
def without_local_constants():
    """Hypothesis (>= 6.131) mixes constants found in *locally installed* modules (here: ours,
    under an editable install, and whatever test modules are loaded) into its draws, so the
    same seed gives different examples depending on how the package was installed and what
    was imported. Inside this context only hypothesis' own global constants are used, so a
    seed means the same instances everywhere (for a given hypothesis version). A no-op on
    hypothesis versions without the mechanism."""
    try:
        from hypothesis.internal.conjecture import providers as prov

        orig, empty = prov._get_local_constants, prov.Constants()
    except (ImportError, AttributeError):  # pragma: no cover - older/newer hypothesis
        yield
        return
    prov.CONSTANTS_CACHE.cache.clear()
    prov._get_local_constants = lambda: empty
    try:
        yield
    finally:
        prov._get_local_constants = orig
        prov.CONSTANTS_CACHE.cache.clear()


def sample(strategy, n: int, *, seed: int = 0) -> list:
    """``n`` distinct examples of ``strategy``, reproducibly for a given ``seed``.

    For scripts and the CLI (tests should use ``@given``). Uses hypothesis' own generator
    with a fixed seed, no example database and :func:`without_local_constants` (so the
    instances do not depend on how the package is installed or what else is imported), and
    drops repeated examples.
    """
    from hypothesis import Phase, given, settings
    from hypothesis import seed as hseed

    out, keys = [], set()

    class _Enough(Exception):
        pass

    @hseed(seed)
    @settings(max_examples=max(10 * n, 50), database=None, phases=[Phase.generate],
              deadline=None, suppress_health_check=list(__import__("hypothesis").HealthCheck))
    @given(strategy)
    def collect(x):
        key = repr(x)
        if key not in keys:
            keys.add(key)
            out.append(x)
        if len(out) >= n:
            raise _Enough  # stop generating (no shrink phase runs)

    with without_local_constants():
        try:
            collect()
        except _Enough:
            pass
    if len(out) < n:
        raise ValueError(f"the strategy produced only {len(out)} distinct examples, not {n}")
    return out


# ------------------------------------------------------------------ exact instances (conjectures)


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


@st.composite
def rational_single_example(draw, *, D: int = 4, depth: int = 3, clear_winner: bool = False,
                            ratio: Fraction = Fraction(3, 2)):
    """One example with a rational symmetric spectrum and a rational balanced init (SPEC §2).

    {"x_hat": per-class values in {1/4, ..., 1} (x̂ real, positive, conjugate-symmetric, so x is
    real and symmetric), "r0": per-class init magnitudes in {1/20, ..., 6/20}, "depth"}, one
    entry per :func:`theory.convnet.frequency_classes` class. ``clear_winner=True`` rescales
    one class's r0 so that its gradient-flow score |x̂|·r0^(L-2) beats every other by
    ``ratio`` (rationally: L = 3 only), then scales all of r0 so that max r0 <= 3/10 (score
    ratios unchanged): the construction used for the *true* claim.
    """
    from .convnet import frequency_classes

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


@st.composite
def rational_interpolation(draw, *, n_points=(2, 6), coord: int = 4):
    """1-D data {"x": strictly increasing rationals, "y": rationals} for SPEC §3, by
    construction: x from cumulative positive gaps in {1/2, 1, 3/2, 2}, y integers/2."""
    N = draw(st.integers(*n_points))
    x = [Fraction(draw(st.integers(-coord, coord)), 2)]
    for _ in range(N - 1):
        x.append(x[-1] + Fraction(draw(st.integers(1, 4)), 2))
    y = [Fraction(draw(st.integers(-2 * coord, 2 * coord)), 2) for _ in range(N)]
    return {"x": x, "y": y}

"""Infinite-width one-hidden-layer ReLU nets on 1-D inputs -> ∫|f''| (Savarese, Evron, Soudry &
Srebro, COLT 2019, Thm 1 and Thm 3).

For f_θ(x) = Σ_i a_i[w_i x + b_i]_+ + c with cost C(θ) = ½Σ(a_i² + w_i²) (biases free), the
representation cost (the infimal cost of a net computing f, any width) is

    R(f) = max(∫|f''|, |f'(-∞) + f'(+∞)|),     R₁(f) = ∫|f''| with a free linear unit (skip).

∫|f''| is the total variation of f' (slope jumps included). Claim kinds:
:func:`min_norm_interpolation` is an *exact* minimum over all interpolating nets (weight
decay λ → 0), not a statement about plain GD; :func:`network_cost` gives the one-sided
chain C(θ) >= Σ|a_i w_i| >= R(f_θ) (an *upper bound* on R by any finite net).
No JAX is imported here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp

from ._relu1d_symbolic import TimeLimitError, total_variation
from .errors import InvalidInputError, KnotError, NonFiniteError, ShapeError, SolverError
from .results import REFERENCES, Certificate, Kind, Reference

__all__ = [
    "PiecewiseLinear",
    "NetworkCost",
    "network_cost",
    "network_function",
    "network_values",
    "Interpolant",
    "min_norm_interpolation",
    "representation_cost",
    "RepresentationCost",
    "TimeLimitError",
    "grid_upper_bound",
    "mean_value_lower_bound",
]


# ------------------------------------------------------------------ piecewise-linear functions


@dataclass(frozen=True)
class PiecewiseLinear:
    """A continuous piecewise-linear f: values at sorted ``knots`` and slopes beyond them.

    ``left_slope`` = f'(-∞), ``right_slope`` = f'(+∞). With one knot, f is two rays.
    """

    knots: np.ndarray
    values: np.ndarray
    left_slope: float
    right_slope: float

    def __post_init__(self):
        k = np.asarray(self.knots, dtype=float)
        v = np.asarray(self.values, dtype=float)
        if k.ndim != 1 or k.shape != v.shape or k.size < 1:
            raise ShapeError("knots and values must be 1-D arrays of the same length >= 1")
        if not (np.all(np.isfinite(k)) and np.all(np.isfinite(v))
                and np.isfinite(self.left_slope) and np.isfinite(self.right_slope)):
            raise NonFiniteError("a piecewise-linear function needs finite knots, values, slopes")
        if np.any(np.diff(k) <= 0):
            raise KnotError("knots must be strictly increasing (distinct)")
        object.__setattr__(self, "knots", k)
        object.__setattr__(self, "values", v)

    @property
    def slopes(self) -> np.ndarray:
        """f' on (-∞, k_0), (k_0, k_1), ..., (k_{n-1}, ∞)."""
        inner = np.diff(self.values) / np.diff(self.knots)
        return np.concatenate([[self.left_slope], inner, [self.right_slope]])

    @property
    def jumps(self) -> np.ndarray:
        """Slope changes f'(k+) - f'(k-) at each knot (the atoms of f'')."""
        return np.diff(self.slopes)

    def total_variation(self) -> float:
        """∫|f''| = Σ |slope jumps|."""
        return float(np.sum(np.abs(self.jumps)))

    def representation_cost(self, *, skip: bool = False) -> float:
        """R(f) = max(∫|f''|, |f'(-∞) + f'(+∞)|), or ∫|f''| with a skip unit."""
        tv = self.total_variation()
        return tv if skip else max(tv, abs(self.left_slope + self.right_slope))

    def __call__(self, x):
        x = np.asarray(x, dtype=float)
        k, v = self.knots, self.values
        inside = np.interp(x, k, v)
        left = v[0] + self.left_slope * (x - k[0])
        right = v[-1] + self.right_slope * (x - k[-1])
        return np.where(x < k[0], left, np.where(x > k[-1], right, inside))


# ------------------------------------------------------------------ finite networks


@dataclass(frozen=True)
class NetworkCost:
    """C(θ) = ½Σ(a²+w²), the path norm Σ|a w| and R(f_θ) from the kinks (C >= path >= R)."""

    cost: float
    path_norm: float
    representation: float
    function: PiecewiseLinear | None
    kind: Kind = Kind.UPPER_BOUND
    reference: Reference = REFERENCES["relu1d"]

    @property
    def predictor(self):
        """The function the net computes."""
        return self.function

    @property
    def value(self) -> float:
        """R(f_θ), bounded above by the path norm and C(θ)."""
        return self.representation

    @property
    def certificate(self) -> Certificate:
        """The chain C >= path norm >= R: each violation (0 when it holds)."""
        return Certificate.from_conditions(
            {"C >= path": max(0.0, self.path_norm - self.cost),
             "path >= R": max(0.0, self.representation - self.path_norm)})


def _net_arrays(a, w, b):
    a, w, b = (np.atleast_1d(np.asarray(v, dtype=float)) for v in (a, w, b))
    if a.ndim != 1 or not (a.shape == w.shape == b.shape):
        raise ShapeError(f"a, w, b must be 1-D of equal length, got {a.shape}, {w.shape}, "
                         f"{b.shape}")
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(w)) and np.all(np.isfinite(b))):
        raise NonFiniteError("network parameters contain NaN or inf")
    return a, w, b


def network_values(x, a, w, b, c: float = 0.0, v: float = 0.0) -> np.ndarray:
    """f(x) = Σ a_i[w_i x + b_i]_+ + c + v·x at the points x, from the units themselves (no
    piecewise-linear resampling, which loses precision when a kink lies far away).

    >>> network_values([-1.0, 0.5, 2.0], [1.0, -1.0], [1.0, 1.0], [0.0, -1.0], 0.5).tolist()
    [0.5, 1.0, 1.5]
    """
    a, w, b = _net_arrays(a, w, b)
    x = np.asarray(x, dtype=float)
    return np.maximum(np.multiply.outer(x, w) + b, 0.0) @ a + float(c) + float(v) * x


def network_function(a, w, b, c: float = 0.0, v: float = 0.0) -> PiecewiseLinear | None:
    """f(x) = Σ a_i[w_i x + b_i]_+ + c + v·x as a :class:`PiecewiseLinear` (None if affine).

    Units with w_i = 0 are constants a_i[b_i]_+. Kinks closer than 1e-12 (relative to their
    spread) are merged so that values can be differenced stably; :func:`network_cost` computes
    R from the units themselves, without merging.
    """
    a, w, b = _net_arrays(a, w, b)
    live = (w != 0) & (a != 0)
    with np.errstate(over="ignore"):
        kinks = np.unique(-b[live] / w[live])
    if not np.all(np.isfinite(kinks)):
        raise NonFiniteError("a unit's kink -b/w overflows float64 (w is too small)")
    if kinks.size > 1:
        tol = 1e-12 * max(1.0, float(np.abs(kinks).max()))
        kinks = kinks[np.concatenate([[True], np.diff(kinks) > tol])]
    c_total = c + float(np.sum(a[w == 0] * np.maximum(b[w == 0], 0)))
    right = v + float(np.sum(a[live & (w > 0)] * w[live & (w > 0)]))
    left = v + float(np.sum(a[live & (w < 0)] * w[live & (w < 0)]))
    if kinks.size == 0:
        return None

    def f(x):
        # huge |w x| only where a kink is far away; inf - inf there is checked below
        with np.errstate(over="ignore", invalid="ignore"):
            return float(np.sum(a[live] * np.maximum(w[live] * x + b[live], 0))) + c_total + v * x

    values = np.array([f(k) for k in kinks])
    if not np.all(np.isfinite(values)):
        raise NonFiniteError("the net's values at its kinks overflow float64 (a kink -b/w is "
                             "too far out for w x to be represented)")
    return PiecewiseLinear(kinks, values, left, right)


def network_cost(a, w, b, c: float = 0.0, *, skip: float | None = None) -> NetworkCost:
    """C(θ) = ½Σ(a_i² + w_i²), path norm Σ|a_i w_i|, and R(f_θ) from the kinks.

    Claim kind: *upper bound* chain C(θ) >= Σ|a_i w_i| >= R(f_θ) (AM-GM, then
    f'(+∞) + f'(-∞) = Σ a_i w_i and ∫|f''| <= Σ|a_i w_i|). ``skip`` is the slope of an
    unregularized linear unit (then R is ∫|f''| alone).

    >>> r = network_cost([1.0], [1.0], [0.0])  # [x]_+
    >>> r.cost, r.path_norm, r.representation
    (1.0, 1.0, 1.0)
    """
    a, w, b = _net_arrays(a, w, b)
    try:
        f = network_function(a, w, b, c, 0.0 if skip is None else skip)
    except NonFiniteError:
        f = None  # a kink beyond float range: the numbers below are still exact
    # R from the units themselves (exact; no values are differenced): unit i puts a slope jump
    # a_i|w_i| at its kink -b_i/w_i and adds a_i w_i to f'(+∞) (w_i > 0) or f'(-∞) (w_i < 0)
    live = (w != 0) & (a != 0)
    with np.errstate(over="ignore"):
        kinks, inv = np.unique(-b[live] / w[live], return_inverse=True)
    jumps = np.zeros(kinks.size)
    np.add.at(jumps, inv, a[live] * np.abs(w[live]))
    tv = float(np.sum(np.abs(jumps)))
    ends = float(np.sum(a * w)) + 2 * (skip or 0.0)  # f'(-∞) + f'(+∞)
    rep = tv if skip is not None else max(tv, abs(ends))
    return NetworkCost(cost=0.5 * float(np.sum(a**2 + w**2)),
                       path_norm=float(np.sum(np.abs(a * w))), representation=rep, function=f)


# ------------------------------------------------------------------ min-norm interpolation


@dataclass(frozen=True)
class Interpolant:
    """The minimal representation cost of interpolating (x_i, y_i), with one explicit minimizer.

    ``cost`` = max(V, (V+|S|)/2) without skip, V with skip (docs/relu1d.md); ``function`` is a
    minimizer as a :class:`PiecewiseLinear` (callable) and (``a``, ``w``, ``b``, ``c``,
    ``v``) the same function as a finite ReLU net with C(θ) = ``cost`` (``v`` is the skip
    slope, 0 without skip).
    """

    x: np.ndarray
    y: np.ndarray
    cost: float
    V: float
    S: float
    skip: bool
    function: PiecewiseLinear | None
    a: np.ndarray
    w: np.ndarray
    b: np.ndarray
    c: float
    v: float
    kind: Kind = Kind.GLOBAL_MINIMUM
    reference: Reference = REFERENCES["relu1d"]

    @property
    def predictor(self):
        """A minimizer (callable), one of many (minimizers are not unique)."""
        return self.function

    @property
    def value(self) -> float:
        """The minimal representation cost."""
        return self.cost

    @property
    def certificate(self) -> Certificate:
        """Two independent linear programs bracket the minimum: the mean-value lower bound
        and the kink-grid upper bound (:func:`mean_value_lower_bound`,
        :func:`grid_upper_bound`); the residual is their largest relative distance to
        ``cost``."""
        scale = max(1.0, abs(self.cost))
        lo = mean_value_lower_bound(self.x, self.y, skip=self.skip)
        hi = grid_upper_bound(self.x, self.y, skip=self.skip)
        return Certificate.from_conditions(
            {"lower bound": abs(self.cost - lo) / scale,
             "upper bound": abs(hi - self.cost) / scale},
            note="mean-value LP and kink-grid LP (scipy HiGHS)")

    def __call__(self, t):
        if self.function is None:
            return np.full(np.shape(t), float(self.y[0])) + 0.0 * np.asarray(t, dtype=float)
        return self.function(t)

    def is_minimizer(self, f, *, tol: float = 1e-9) -> bool:
        """Whether a piecewise-linear f (or a finite net as (a, w, b, c[, v])) is a minimizer:
        it interpolates the data and R(f) = the minimal cost (both within ``tol``, relative).

        Minimizers are not unique (docs/relu1d.md): this tests membership, not equality.
        """
        if isinstance(f, tuple):
            a, w, b, c, *rest = f
            v = float(rest[0]) if rest else 0.0
            fx = network_values(self.x, a, w, b, c, v)  # validates the units
            scale = max(1.0, float(np.max(np.abs(self.y))))
            if np.max(np.abs(fx - self.y)) > tol * scale:
                return False
            rep = network_cost(a, w, b, c, skip=v if self.skip else None).representation
            return abs(rep - self.cost) <= tol * max(1.0, self.cost)
        if not isinstance(f, PiecewiseLinear):
            raise InvalidInputError("f must be a PiecewiseLinear or a tuple (a, w, b, c[, v])")
        scale = max(1.0, float(np.max(np.abs(self.y))))
        if np.max(np.abs(f(self.x) - self.y)) > tol * scale:
            return False
        return abs(f.representation_cost(skip=self.skip) - self.cost) <= tol * max(1.0, self.cost)


def _check_points(x, y):
    xv = np.asarray(x, dtype=float)
    yv = np.asarray(y, dtype=float)
    if xv.ndim != 1 or xv.shape != yv.shape:
        raise ShapeError(f"x and y must be 1-D of equal length, got {xv.shape} and {yv.shape}")
    if xv.size < 1:
        raise ShapeError("need at least one data point")
    if not (np.all(np.isfinite(xv)) and np.all(np.isfinite(yv))):
        raise NonFiniteError("data contain NaN or inf")
    order = np.argsort(xv, kind="stable")
    xs = xv[order]
    dup = np.nonzero(np.diff(xs) == 0)[0]
    if dup.size:
        raise KnotError(f"interpolation knots must be distinct: x = {xs[dup[0]]!r} repeats")
    return xs, yv[order]


def _split_jumps(J: np.ndarray, right_total: float):
    """Split each jump J_k = r_k + l_k, r_k and l_k of J_k's sign (so Σ|r|+|l| = Σ|J|), with
    Σ r_k = right_total; needs Σ_{J<0} J <= right_total <= Σ_{J>0} J."""
    r = np.maximum(J, 0.0)
    excess = float(r.sum()) - right_total  # amount to remove from Σ r
    for k in np.argsort(-J):  # shrink positive parts first
        if excess <= 0:
            break
        if J[k] > 0:
            d = min(excess, r[k])
            r[k] -= d
            excess -= d
    for k in np.argsort(J):  # then take negative parts
        if excess <= 1e-15 * max(1.0, float(np.abs(J).sum())):
            break
        if J[k] < 0:
            d = min(excess, -J[k])
            r[k] -= d
            excess -= d
    return r, J - r


def min_norm_interpolation(x, y, *, skip: bool = False) -> Interpolant:
    """min R(f) over f interpolating (x_i, y_i), with an explicit minimizer (docs/relu1d.md).

    Slopes s_i = (y_{i+1} - y_i)/(x_{i+1} - x_i), V = Σ|s_{i+1} - s_i|, S = s_1 + s_{N-1}.
    With a skip unit the minimum of ∫|f''| is V (the linear spline extended linearly); without
    it min R = max(V, (V + |S|)/2): when |S| > V the tails bend beyond the outer data.
    N = 1 gives 0; N = 2 gives |s_1|. Claim kind: *exact minimum* (Savarese et al. 2019).

    >>> r = min_norm_interpolation([0.0, 1.0, 2.0], [0.0, 1.0, 0.0])
    >>> r.cost, r.is_minimizer(r.function)
    (2.0, True)
    """
    xs, ys = _check_points(x, y)
    N = xs.size
    if N == 1:
        return Interpolant(xs, ys, 0.0, 0.0, 0.0, skip, None, np.zeros(0), np.zeros(0),
                           np.zeros(0), float(ys[0]), 0.0)
    s = np.diff(ys) / np.diff(xs)
    V = float(np.sum(np.abs(np.diff(s))))
    S = float(s[0] + s[-1])
    if skip:
        cost = V
        lo, hi = s[0], s[-1]
        knots, values = xs, ys
    else:
        cost = max(V, (V + abs(S)) / 2)
        lo, hi = s[0], s[-1]
        knots, values = xs, ys
        if abs(S) > V:  # bend both tails by δ₁ + δ₂ = sign(S)(|S| - V)/2, half each
            delta = np.sign(S) * (abs(S) - V) / 4
            span = max(1.0, float(xs[-1] - xs[0]))
            kl, kr = xs[0] - span, xs[-1] + span
            knots = np.concatenate([[kl], xs, [kr]])
            values = np.concatenate([[ys[0] - s[0] * span], ys, [ys[-1] + s[-1] * span]])
            lo, hi = s[0] - delta, s[-1] - delta
    f = PiecewiseLinear(knots, values, float(lo), float(hi))
    J = f.jumps
    if skip:
        r, l_ = J, np.zeros_like(J)
        v = float(lo)
    else:
        r, l_ = _split_jumps(J, float(hi))
        v = 0.0
    units = [(rk, knots[k], +1) for k, rk in enumerate(r) if rk != 0]
    units += [(lk, knots[k], -1) for k, lk in enumerate(l_) if lk != 0]
    w = np.array([o * np.sqrt(abs(j)) for j, _, o in units])
    a = np.array([j / abs(wi) for (j, _, _), wi in zip(units, w, strict=True)])
    b = np.array([-wi * kk for (_, kk, _), wi in zip(units, w, strict=True)])
    c = float(ys[0] - np.sum(a * np.maximum(w * xs[0] + b, 0)) - v * xs[0])
    return Interpolant(xs, ys, float(cost), V, S, skip, f, a, w, b, c, v)


# ------------------------------------------------------------------ symbolic R(f)


@dataclass(frozen=True, eq=False)
class RepresentationCost:
    """R(f) (``value``: an exact sympy number, ``oo``, or a Float when ``exact`` is False),
    with ``error`` the quadrature's error estimate of a numeric value (0 when exact),
    ``tv`` = ∫|f''|, ``ends`` = (f'(-∞), f'(+∞)), ``skip`` and the ``route`` taken
    (piecewise linear, symbolic, numeric quadrature). Compares equal to its value and converts
    with ``float()`` and ``sympy.sympify``."""

    value: object
    exact: bool
    error: float
    tv: object
    ends: tuple
    skip: bool
    route: str
    kind: Kind = Kind.GLOBAL_MINIMUM
    reference: Reference = REFERENCES["relu1d"]

    @property
    def predictor(self):
        return self.value

    @property
    def certificate(self) -> Certificate:
        return Certificate(0.0 if self.exact else float(self.error), {"quadrature": self.error},
                           exact=self.exact, note=self.route)

    def _sympy_(self):
        return sp.sympify(self.value)

    def __float__(self):
        return float(self.value)

    def __eq__(self, other):
        other = other.value if isinstance(other, RepresentationCost) else other
        try:
            return bool(sp.sympify(self.value) == sp.sympify(other))
        except (sp.SympifyError, TypeError):
            return NotImplemented

    def __hash__(self):
        return hash(sp.sympify(self.value))

    def __repr__(self):
        approx = "" if self.exact else f" ± {self.error:.1e} (numeric)"
        return f"R = {self.value}{approx}"


def representation_cost(f, x, *, skip: bool = False, seconds: float | None = 30.0):
    """R(f) = max(∫|f''|, |f'(-∞) + f'(+∞)|) for a sympy expression f of the symbol x
    (R₁ = ∫|f''| with ``skip``), as a :class:`RepresentationCost` (which compares equal to
    its value).

    ∫|f''| is the total variation of f' (jumps of f' at kinks included). Piecewise-linear f
    (sums, multiples, Max, Min, Abs, relu) takes an exact route with no symbolic solving;
    other f are split at their breakpoints and the zeros of f'' found by ``solveset``; where
    it cannot, the integral is computed by quadrature on a partition centered on f's own
    features and the result is marked approximate with its error estimate. Functions outside
    the class get ``oo``: a jump or a singularity of f at a point (Heaviside, sign, 1/x), an
    unbounded f' (√|x| at 0), a variation that does not converge (sin). f undefined on part
    of the line (log, √x) raises :class:`~implicit_bias.theory.errors.DomainError`; past
    ``seconds`` a :class:`TimeLimitError`. R is invariant under x -> x - c and x -> -x.
    Claim kind: *global minimum* (the infimal cost over all nets computing f; Savarese et al.
    2019, Thm 1 and Thm 3).

    >>> import sympy as sp
    >>> x = sp.Symbol("x", real=True)
    >>> [representation_cost(e, x) for e in (sp.Max(0, x), x, sp.Abs(x), sp.tanh(x))]
    [R = 1, R = 2, R = 2, R = 2]
    >>> representation_cost(sp.Heaviside(x), x).value
    oo
    """
    if isinstance(f, str):
        raise InvalidInputError("pass a sympy expression; parse text with "
                                "theory.parse.parse_expression (never sympify user text)")
    if not isinstance(x, sp.Symbol):
        raise InvalidInputError("x must be a sympy Symbol")
    try:
        f = sp.sympify(f, strict=True)
    except sp.SympifyError as exc:
        raise InvalidInputError(f"f must be a sympy expression or a number: {exc}") from None
    if f.free_symbols - {x}:
        raise InvalidInputError(f"f has symbols other than {x}: {f.free_symbols - {x}}")
    xr = sp.Dummy("x", real=True)
    f = f.subs(x, xr)
    if f.has(sp.nan, sp.zoo) or any(a.is_infinite for a in f.atoms(sp.Number)):
        raise NonFiniteError("f contains nan or infinite constants")
    res = total_variation(f, xr, seconds=seconds)
    if res.tv is sp.oo or res.left is None or res.right is None:
        return RepresentationCost(sp.oo, True, 0.0, sp.oo, (None, None), skip, res.route or
                                  "outside the class")
    if skip:
        value = res.tv
    else:
        bound = sp.Abs(res.left + res.right)
        value = sp.Max(res.tv, bound) if res.exact else sp.Float(max(float(res.tv),
                                                                        float(bound)))
    return RepresentationCost(value, res.exact, res.error, res.tv, (res.left, res.right), skip,
                              res.route)


# ------------------------------------------------------------------ independent bounds


def grid_upper_bound(x, y, *, skip: bool = False, extra: int = 61) -> float:
    """An independent *upper bound* on min R: the minimum of R over piecewise-linear
    interpolants whose kinks lie on a grid (the data, plus ``extra`` points spread over
    [x_1 - span, x_N + span] so the tails can bend), as a linear program (scipy HiGHS).

    Variables: the left slope a, the value f(g_0), the slope jumps J_j = P_j - M_j >= 0 parts
    at the grid points and t; without skip minimize t s.t. t >= Σ(P + M) and
    t >= ±(2a + ΣJ) (= ±(f'(-∞) + f'(+∞))); with skip minimize Σ(P + M). Restricting the
    kinks can only raise the minimum, so the value is >= min R; it equals it when the grid
    holds the data points and room for the tails (the closed-form minimizer's kinks).

    >>> round(grid_upper_bound([0.0, 1.0, 2.0], [0.0, 1.0, 3.0]), 9)
    2.0
    """
    import scipy.optimize

    xs, ys = _check_points(x, y)
    span = xs[-1] - xs[0] if xs.size > 1 else 1.0
    grid = np.unique(np.concatenate([xs, np.linspace(xs[0] - span, xs[-1] + span, extra)]))
    G = grid.size
    nv = 2 + 2 * G + 1  # a, f0, P (G), M (G), t
    A_eq = np.zeros((xs.size, nv))
    A_eq[:, 0] = xs - grid[0]
    A_eq[:, 1] = 1.0
    ramp = np.maximum(xs[:, None] - grid[None, :], 0.0)
    A_eq[:, 2:2 + G], A_eq[:, 2 + G:2 + 2 * G] = ramp, -ramp
    tv = np.zeros(nv)
    tv[2:2 + 2 * G] = 1.0
    if skip:
        c, A_ub, b_ub = tv, None, None
    else:
        c = np.zeros(nv)
        c[-1] = 1.0
        rows = [tv - np.eye(nv)[-1]]
        for sgn in (1, -1):
            row = np.zeros(nv)
            row[0], row[2:2 + G], row[2 + G:2 + 2 * G], row[-1] = 2 * sgn, sgn, -sgn, -1.0
            rows.append(row)
        A_ub, b_ub = np.array(rows), np.zeros(3)
    bounds = [(None, None), (None, None)] + [(0, None)] * (2 * G) + [(0, None)]
    res = scipy.optimize.linprog(c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=ys, bounds=bounds,
                                 method="highs")
    if res.status != 0:
        raise SolverError(f"the kink-grid LP failed: {res.message}")
    return float(res.fun)


def mean_value_lower_bound(x, y, *, skip: bool = False) -> float:
    """An independent *lower bound* on min R from the mean-value argument, solved as an LP.

    Any interpolant f takes each chord slope s_i at some point of (x_i, x_{i+1}), in order,
    so ∫|f''| >= |a - s_1| + V + |b - s_{N-1}| with a = f'(-∞), b = f'(+∞); hence
    R(f) >= min over (a, b) of max(|a - s_1| + V + |b - s_{N-1}|, |a + b|) (with skip: V).
    The minimization over (a, b) is an LP (scipy HiGHS); no closed form is used.

    >>> round(mean_value_lower_bound([0.0, 1.0, 2.0], [0.0, 1.0, 3.0]), 9)
    2.0
    """
    import scipy.optimize

    xs, ys = _check_points(x, y)
    if xs.size == 1:
        return 0.0
    s = np.diff(ys) / np.diff(xs)
    V = float(np.sum(np.abs(np.diff(s))))
    if skip:
        return V
    # variables a, b, p, q, t: p >= |a - s1|, q >= |b - s_last|, t >= V + p + q, t >= |a + b|
    c = np.array([0, 0, 0, 0, 1.0])
    A = [[1, 0, -1, 0, 0], [-1, 0, -1, 0, 0], [0, 1, 0, -1, 0], [0, -1, 0, -1, 0],
         [0, 0, 1, 1, -1], [1, 1, 0, 0, -1], [-1, -1, 0, 0, -1]]
    b = [s[0], -s[0], s[-1], -s[-1], -V, 0, 0]
    res = scipy.optimize.linprog(c, A_ub=np.array(A, float), b_ub=np.array(b, float),
                                 bounds=[(None, None)] * 5, method="highs")
    if res.status != 0:
        raise SolverError(f"the mean-value LP failed: {res.message}")
    return float(res.fun)

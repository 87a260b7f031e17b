"""Lemmas behind "infinite-width 1-D ReLU nets of bounded norm represent max(int|f''|, ...)".

Registered on import (see :func:`proofs.all_lemmas`):

- ``relu1d.balancing``: inf_{s>0} (a^2/s^2 + s^2 w^2)/2 = |a w|, and the rescaling
  (a, w, b) -> (a/s, s w, s b) leaves a [w x + b]_+ unchanged.
- ``relu1d.cost_chain``: for a finite net, f'(+oo) + f'(-oo) = sum_i a_i w_i and the slope jump
  at the kink -b_i/w_i is a_i |w_i|, so R(f_theta) <= sum_i |a_i w_i| <= C(theta).
- ``relu1d.min_interpolation``: without a skip unit, min R over interpolants is
  max(V, (V + |S|)/2); N = 2 gives |s_1|.
- ``relu1d.with_skip``: with a free linear unit v x, R_1(f) = int|f''|, and the minimal
  interpolation value V is attained by the linear spline extended linearly.

Conventions follow SPEC sections 0 and 3: f(x) = sum_i a_i [w_i x + b_i]_+ + c with cost
C(theta) = (1/2) sum_i (a_i^2 + w_i^2) (biases and c unregularized); slopes
s_i = (y_{i+1} - y_i)/(x_{i+1} - x_i), V = sum_i |s_{i+1} - s_i|, S = s_1 + s_{N-1}.
"""

from __future__ import annotations

from itertools import product

import sympy
from sympy import Abs, Matrix, Max, Rational, limit, oo

from implicit_bias.proofs.lemma import Lemma, Step, register

__all__ = ["finite_net_cost", "tail_cost"]

SAVARESE = "Savarese, Evron, Soudry and Srebro, COLT 2019"


def _relu(u: sympy.Expr) -> sympy.Expr:
    return Max(0, u)


def finite_net_cost(units: list[tuple[sympy.Expr, sympy.Expr, sympy.Expr]]) -> dict:
    """R of f(x) = sum a [w x + b]_+ from its kinks, for numeric units (a, w, b), w != 0.

    Returns the total variation of f' (the sum of |slope jumps| after merging units with the
    same kink), the boundary term |f'(-oo) + f'(+oo)|, R (their max) and the path norm
    sum |a w| (the cost after balancing).

    >>> finite_net_cost([(1, 1, 0), (-1, -1, 0)])  # x = [x]_+ - [-x]_+
    {'variation': 0, 'boundary': 2, 'R': 2, 'path_norm': 2}
    """
    jumps: dict[sympy.Expr, sympy.Expr] = {}
    for a, w, b in units:
        kink = sympy.nsimplify(-sympy.S(b) / w)
        jumps[kink] = jumps.get(kink, 0) + a * Abs(w)
    variation = sum((Abs(j) for j in jumps.values()), sympy.S.Zero)
    boundary = Abs(sum((sympy.S(a) * w for a, w, _ in units), sympy.S.Zero))
    path_norm = sum((Abs(sympy.S(a) * w) for a, w, _ in units), sympy.S.Zero)
    return {
        "variation": variation,
        "boundary": boundary,
        "R": Max(variation, boundary),
        "path_norm": path_norm,
    }


def tail_cost(slopes: list[sympy.Expr], left: sympy.Expr, right: sympy.Expr) -> sympy.Expr:
    """int|f''| of the linear spline with the given data slopes and tail slopes left, right.

    >>> tail_cost([1, 2], 0, 2)
    2
    """
    chain = [left, *slopes, right]
    return sum((Abs(q - p) for p, q in zip(chain, chain[1:], strict=False)), sympy.S.Zero)


def _triangle_inequality(count: int) -> Step:
    """|p_1 + ... + p_n| <= |p_1| + ... + |p_n|, decided sign pattern by sign pattern.

    |u| <= c iff c - u >= 0 and c + u >= 0; with each p_i nonnegative or negative the
    absolute values evaluate and each difference is a sum of terms of known sign.
    """
    claims = []
    for signs in product((True, False), repeat=count):
        p = [
            sympy.Symbol(f"p_{i + 1}", nonnegative=True)
            if sign
            else sympy.Symbol(f"p_{i + 1}", negative=True)
            for i, sign in enumerate(signs)
        ]
        bound = sum(Abs(q) for q in p)
        claims += [
            sympy.Ge(bound - sum(p), 0, evaluate=False),
            sympy.Ge(bound + sum(p), 0, evaluate=False),
        ]
    terms = " + ".join(f"p_{i + 1}" for i in range(count))
    absolutes = " + ".join(f"|p_{i + 1}|" for i in range(count))
    return Step.holds(
        rf"triangle inequality $|{terms}| \leq {absolutes}$ for real $p_i$: all $2^{count}$"
        r" sign patterns, as $c \mp u \geq 0$",
        sympy.And(*claims, evaluate=False),
    )


# --------------------------------------------------------------------------------------------
# relu1d.balancing


def _derive_balancing() -> list[Step]:
    s = sympy.Symbol("s", positive=True)
    a, w = sympy.symbols("a w", real=True)
    p, q = sympy.symbols("|a| |w|", positive=True)  # a, w != 0
    u_plus = sympy.Symbol("u", nonnegative=True)
    u_minus = sympy.Symbol("u", negative=True)
    objective = (p**2 / s**2 + s**2 * q**2) / 2
    slope = sympy.diff(objective, s)
    critical = sympy.solve(slope, s)
    best = sympy.sqrt(p / q)
    return [
        Step.eq(
            r"positive homogeneity, both signs of $u = wx + b$:"
            r" $\frac{a}{s} [s u]_+ = a [u]_+$ for $s > 0$, so $(a, w, b) \to (a/s, sw, sb)$"
            r" leaves $a[wx + b]_+$ unchanged",
            Matrix([a / s * _relu(s * u_plus), a / s * _relu(s * u_minus)]),
            Matrix([a * _relu(u_plus), a * _relu(u_minus)]),
        ),
        Step.eq(
            r"the cost of the rescaled unit depends on $|a|$, $|w|$ only:"
            r" $\frac12 ((a/s)^2 + (sw)^2) = \frac12 (|a|^2/s^2 + s^2 |w|^2)$",
            ((a / s) ** 2 + (s * w) ** 2) / 2,
            (Abs(a) ** 2 / s**2 + s**2 * Abs(w) ** 2) / 2,
        ),
        Step.eq(
            r"$\frac{d}{ds}$: $-|a|^2/s^3 + s |w|^2$",
            slope,
            -(p**2) / s**3 + s * q**2,
        ),
        Step.eq(
            r"its only positive zero is $s^* = \sqrt{|a|/|w|}$",
            Matrix(critical),
            Matrix([best]),
        ),
        Step.holds(
            r"second derivative $3|a|^2/s^4 + |w|^2 > 0$ for all $s > 0$: a minimum",
            sympy.Gt(sympy.diff(objective, s, 2), 0, evaluate=False),
        ),
        Step.eq(r"value at $s^*$: $|a w|$", objective.subs(s, best), p * q),
        Step.eq(
            r"global (AM-GM): $\frac12 (|a|^2/s^2 + s^2|w|^2) - |aw| ="
            r" \frac12 (|a|/s - s|w|)^2 \geq 0$",
            objective - p * q,
            (p / s - s * q) ** 2 / 2,
        ),
        Step.eq(
            r"at $s^*$ the unit is balanced: $|a/s^*| = |s^* w| = \sqrt{|aw|}$",
            Matrix([p / best, best * q]),
            Matrix([sympy.sqrt(p * q), sympy.sqrt(p * q)]),
        ),
    ]


register(
    Lemma(
        name="relu1d.balancing",
        title="Rescaling a ReLU unit: the cost becomes the path norm",
        statement=(
            r"For $s > 0$ the rescaling $(a, w, b) \to (a/s, sw, sb)$ leaves"
            r" $a[wx + b]_+$ unchanged, and for $a, w \neq 0$"
            r" $\inf_{s > 0} \frac12 (a^2/s^2 + s^2 w^2) = |aw|$, attained at"
            r" $s^* = \sqrt{|a|/|w|}$ where $|a/s^*| = |s^* w|$. Since biases are"
            r" unregularized, the infimum of $C(\theta) = \frac12 \sum_i (a_i^2 + w_i^2)$ over"
            r" the rescalings of a network is its path norm $\sum_i |a_i w_i|$."
        ),
        source=f"{SAVARESE}, the rescaling argument used for Thm 1 and Thm 3 (see also"
        " Neyshabur, Tomioka and Srebro, COLT 2015)",
        derive=_derive_balancing,
    )
)


# --------------------------------------------------------------------------------------------
# relu1d.cost_chain


def _derive_cost_chain() -> list[Step]:
    x = sympy.Symbol("x", real=True)
    eps = sympy.Symbol("epsilon", positive=True)
    a = sympy.symbols("a_1:4", real=True)
    b = sympy.symbols("b_1:4", real=True)
    w = (
        sympy.Symbol("w_1", positive=True),
        sympy.Symbol("w_2", negative=True),
        sympy.Symbol("w_3", positive=True),
    )
    units = [a[i] * _relu(w[i] * x + b[i]) for i in range(3)]
    slopes = [sympy.diff(unit, x) for unit in units]
    ends = Matrix([[limit(g, x, oo), limit(g, x, -oo)] for g in slopes])
    jumps = Matrix(
        [
            g.subs(x, -b[i] / w[i] + eps) - g.subs(x, -b[i] / w[i] - eps)
            for i, g in enumerate(slopes)
        ]
    )

    # max(I, B) <= P from I <= P and B <= P: I = P - t, and B = I - u or B = I + u <= P.
    path, t, u = sympy.symbols("P t u", nonnegative=True)
    rep_cases = [
        sympy.Le(Max(path - t, path - t - u), path, evaluate=False),
        sympy.Le(Max(path - t - u, path - t), path, evaluate=False),
    ]
    positive, negative = sympy.Symbol("x", positive=True), sympy.Symbol("x", negative=True)
    examples = {
        r"[x]_+": [(1, 1, 0)],
        "x": [(1, 1, 0), (-1, -1, 0)],
        r"|x|": [(1, 1, 0), (1, -1, 0)],
    }
    costs = {name: finite_net_cost(net) for name, net in examples.items()}
    weight_a, weight_w = sympy.symbols("a w", real=True)
    return [
        Step.eq(
            r"three units, $w_1, w_3 > 0 > w_2$: $f'(x) = \sum_i a_i w_i H(w_i x + b_i)$",
            sympy.diff(sum(units), x),
            sum(a[i] * w[i] * sympy.Heaviside(w[i] * x + b[i]) for i in range(3)),
        ),
        Step.eq(
            r"each unit's slope at $(+\infty, -\infty)$: $a_i w_i$ at the end its $w_i$ points"
            r" to, $0$ at the other",
            ends,
            Matrix([[a[0] * w[0], 0], [0, a[1] * w[1]], [a[2] * w[2], 0]]),
        ),
        Step.eq(
            r"so $f'(+\infty) + f'(-\infty) = \sum_i a_i w_i$",
            sum(ends),
            sum(a[i] * w[i] for i in range(3)),
        ),
        Step.eq(
            r"jump of the unit's slope across its kink $-b_i/w_i$:"
            r" $f'(-b_i/w_i + \epsilon) - f'(-b_i/w_i - \epsilon) = a_i |w_i|$",
            jumps,
            Matrix([a[i] * Abs(w[i]) for i in range(3)]),
        ),
        Step.eq(
            r"so $f'' = \sum_i a_i |w_i| \delta_{-b_i/w_i}$ and $|a_i|w_i|| = |a_i w_i|$",
            Matrix([Abs(a[i] * Abs(w[i])) for i in range(3)]),
            Matrix([Abs(a[i] * w[i]) for i in range(3)]),
        ),
        _triangle_inequality(2),
        _triangle_inequality(3),
        Step.holds(
            r"hence $\int|f''| \leq \sum_i |a_i w_i| =: P$ (units sharing a kink merge their"
            r" jumps) and $|f'(-\infty) + f'(+\infty)| \leq P$, so $R(f_\theta) ="
            r" \max(\int|f''|, |f'(-\infty) + f'(+\infty)|) \leq P$ (both orders of the two"
            r" terms)",
            sympy.And(*rep_cases, evaluate=False),
        ),
        Step.eq(
            r"$|aw| \leq \frac12(a^2 + w^2)$: $\frac12 (a^2 + w^2) - |a||w| ="
            r" \frac12 (|a| - |w|)^2$",
            (weight_a**2 + weight_w**2) / 2 - Abs(weight_a) * Abs(weight_w),
            (Abs(weight_a) - Abs(weight_w)) ** 2 / 2,
        ),
        Step.eq(
            r"the nets $[x]_+$, $[x]_+ - [-x]_+ = x$ and $[x]_+ + [-x]_+ = |x|$ compute"
            r" their functions (both signs of $x$)",
            Matrix(
                [
                    [_relu(v) - _relu(-v) for v in (positive, negative)],
                    [_relu(v) + _relu(-v) for v in (positive, negative)],
                ]
            ),
            Matrix([[positive, negative], [Abs(positive), Abs(negative)]]),
        ),
        Step.eq(
            r"examples: $(\int|f''|, |f'(-\infty) + f'(+\infty)|, R, \sum|a_i w_i|)$ is"
            r" $(1, 1, 1, 1)$ for $[x]_+$, $(0, 2, 2, 2)$ for $x$, $(2, 0, 2, 2)$ for $|x|$:"
            r" the chain is tight, $R([x]_+) = 1$, $R(x) = R(|x|) = 2$",
            Matrix([list(cost.values()) for cost in costs.values()]),
            Matrix([[1, 1, 1, 1], [0, 2, 2, 2], [2, 0, 2, 2]]),
        ),
    ]


register(
    Lemma(
        name="relu1d.cost_chain",
        title="The easy direction: R(f) is at most the path norm, which is at most C",
        statement=(
            r"For a finite net $f(x) = \sum_i a_i [w_i x + b_i]_+ + c$ ($w_i \neq 0$), each"
            r" unit adds $a_i w_i$ to $f'(+\infty)$ if $w_i > 0$ and to $f'(-\infty)$ if"
            r" $w_i < 0$, so $f'(-\infty) + f'(+\infty) = \sum_i a_i w_i$, and $f'$ jumps by"
            r" $a_i |w_i|$ at the kink $-b_i/w_i$. Hence"
            r" $R(f_\theta) = \max(\int|f''|, |f'(-\infty) + f'(+\infty)|) \leq"
            r" \sum_i |a_i w_i| \leq C(\theta) = \frac12 \sum_i (a_i^2 + w_i^2)$. Checked with"
            r" three symbolic units of known weight signs; $R([x]_+) = 1$, $R(x) = R(|x|) = 2$."
        ),
        source=f"{SAVARESE}, Thm 3 (the easy direction $R(f_\\theta) \\leq C(\\theta)$ of"
        " $R(f) = \\max(\\int|f''|, |f'(-\\infty) + f'(+\\infty)|)$)",
        derive=_derive_cost_chain,
    )
)


# --------------------------------------------------------------------------------------------
# relu1d.min_interpolation


def _spot_check(slopes: list[sympy.Expr]) -> tuple[sympy.Expr, sympy.Expr, sympy.Expr]:
    """(formula, cost of the bent-tail construction, min over a grid of tail slopes)."""
    first, last = slopes[0], slopes[-1]
    variation = tail_cost(slopes, first, last)
    total = first + last
    formula = Max(variation, (variation + Abs(total)) / 2)
    if Abs(total) <= variation:
        left, right = first, last
    else:
        bend = sympy.sign(total) * (Abs(total) - variation) / 2
        left, right = first - bend, last  # delta_1 = bend, delta_2 = 0
    construction = Max(tail_cost(slopes, left, right), Abs(left + right))
    grid = [Rational(k, 2) for k in range(-12, 13)]
    best = min(Max(tail_cost(slopes, p, q), Abs(p + q)) for p in grid for q in grid)
    return formula, construction, best


def _derive_min_interpolation() -> list[Step]:
    s1, s_last = sympy.symbols("s_1 s_{N-1}", real=True)
    left, right = sympy.symbols("a b", real=True)  # f'(-oo), f'(+oo)
    variation = sympy.Symbol("V", nonnegative=True)
    t = sympy.Symbol("t", nonnegative=True)
    d1, d2 = sympy.symbols("delta_1 delta_2", nonnegative=True)
    spread = sympy.Symbol("e", positive=True)  # (|S| - V)/2 > 0
    p_, q_, u = sympy.symbols("p q u", real=True)
    u_plus = sympy.Symbol("u", nonnegative=True)
    tails = Abs(left - s1) + variation + Abs(right - s_last)

    def value(v: sympy.Expr, s: sympy.Expr) -> sympy.Expr:
        return Max(v, (v + Abs(s)) / 2)

    # Case |S| <= V: V = |S| + t.
    small = {variation: Abs(s1 + s_last) + t}
    # Case S > 0 with S = V + 2e, e = delta_1 + delta_2 (and S < 0 symmetrically).
    steps: list[Step] = [
        Step.holds(
            r"lower bound 1: $\int|f''| \geq |a - s_1| + V + |b - s_{N-1}| \geq V$"
            r" ($a = f'(-\infty)$, $b = f'(+\infty)$; $f'$ takes each $s_i$ in order by the"
            r" mean value theorem)",
            sympy.Ge(tails, variation, evaluate=False),
        ),
        Step.eq(
            r"the three differences telescope: $(s_1 - a) + (s_{N-1} - b) + (a + b) ="
            r" s_1 + s_{N-1} = S$",
            (s1 - left) + (s_last - right) + (left + right),
            s1 + s_last,
        ),
        _triangle_inequality(3),
        Step.holds(
            r"$\max(p, q) \geq \frac{p + q}{2}$ (both orders, $p = q + u$ or $q = p + u$,"
            r" $u \geq 0$)",
            sympy.And(
                sympy.Ge(Max(q_ + u_plus, q_), (2 * q_ + u_plus) / 2, evaluate=False),
                sympy.Ge(Max(p_, p_ + u_plus), (2 * p_ + u_plus) / 2, evaluate=False),
                evaluate=False,
            ),
        ),
        Step.eq(
            r"lower bound 2: so $\max(\int|f''|, |a + b|) \geq \frac12 (|a - s_1| + V +"
            r" |b - s_{N-1}| + |a + b|) \geq \frac{V + |S|}{2}$; the gap is"
            r" $\frac12(|s_1 - a| + |s_{N-1} - b| + |a + b| - |S|) \geq 0$",
            (tails + Abs(left + right)) / 2 - (variation + Abs(s1 + s_last)) / 2,
            (Abs(s1 - left) + Abs(s_last - right) + Abs(left + right) - Abs(s1 + s_last)) / 2,
        ),
        Step.eq(
            r"case $|S| \leq V$ ($V = |S| + t$): the spline extended linearly ($a = s_1$,"
            r" $b = s_{N-1}$) has $R = \max(V, |S|) = V = \max(V, \frac{V + |S|}{2})$",
            Matrix(
                [
                    Max(tails, Abs(left + right)).subs({left: s1, right: s_last}).subs(small),
                    value(variation, s1 + s_last).subs(small),
                ]
            ),
            Matrix([variation, variation]).subs(small),
        ),
    ]
    for sign, name in ((1, "S > 0"), (-1, "S < 0")):
        s_value = sign * (variation + 2 * (d1 + d2))  # |S| - V = 2 (delta_1 + delta_2)
        bent = {left: s1 - sign * d1, right: s_last - sign * d2}
        tail_terms = Matrix([tails.subs(bent), Abs(left + right).subs(bent)])
        steps.append(
            Step.eq(
                rf"case $|S| > V$, ${name}$: the bent tails"
                r" $a = s_1 - \mathrm{sign}(S) \delta_1$, $b = s_{N-1} - \mathrm{sign}(S) \delta_2$"
                r" with $\delta_1, \delta_2 \geq 0$, $\delta_1 + \delta_2 = (|S| - V)/2$ make"
                r" both terms $\frac{V + |S|}{2}$",
                tail_terms.subs(s_last, s_value - s1),
                Matrix([(variation + Abs(s_value)) / 2] * 2),
            )
        )
    steps += [
        Step.eq(
            r"and there $\max(V, \frac{V + |S|}{2}) = \frac{V + |S|}{2}$ ($|S| = V + 2e$,"
            r" $e > 0$)",
            value(variation, variation + 2 * spread),
            variation + spread,
        ),
        Step.holds(
            r"the spline extended linearly is not optimal when $|S| > V$: its"
            r" $R = \max(V, |S|) = |S|$ exceeds $\frac{V + |S|}{2}$ by $e > 0$",
            sympy.Gt(
                Max(variation, variation + 2 * spread) - value(variation, variation + 2 * spread),
                0,
                evaluate=False,
            ),
        ),
        Step.eq(
            r"$N = 2$: $V = 0$ and $S = 2 s_1$, so $\min R = |s_1|$ (one ReLU), not $2|s_1|$",
            value(0, 2 * s1),
            Abs(s1),
        ),
        Step.eq(
            r"$N = 2$: one ReLU $y_1 + s_1 [x - x_1]_+$ ($a = 0$, $b = s_1$) attains it",
            Max(tail_cost([s1], 0, s1), Abs(0 + s1)),
            Abs(s1),
        ),
    ]

    x = sympy.Symbol("x", real=True)
    smooth = x**3 - 3 * x  # data at x = -2, 0, 1, 2, extended linearly beyond [-2, 2]
    knots = [-2, 0, 1, 2]
    values = [smooth.subs(x, k) for k in knots]
    data_slopes = [
        (values[i + 1] - values[i]) / (knots[i + 1] - knots[i]) for i in range(len(knots) - 1)
    ]
    end_slopes = [sympy.diff(smooth, x).subs(x, k) for k in (-2, 2)]
    steps.append(
        Step.holds(
            r"spot check of lower bound 1 on a smooth interpolant: $f = x^3 - 3x$ on"
            r" $[-2, 2]$ (extended linearly) through $x = -2, 0, 1, 2$ has"
            r" $\int|f''| = 24 \geq |a - s_1| + V + |b - s_{N-1}| = 22$",
            sympy.Ge(
                sympy.integrate(Abs(sympy.diff(smooth, x, 2)), (x, -2, 2)),
                tail_cost(data_slopes, *end_slopes),
                evaluate=False,
            ),
        )
    )

    spot = {
        "y = (0, 1, 3) at x = (0, 1, 2)": [1, 2],
        "y = (0, 1, 0, 1) at x = (0, 1, 2, 3)": [1, -1, 1],
        "y = (0, -2, -3) at x = (0, 1, 3)": [-2, Rational(-1, 2)],
        "y = (0, -3) at x = (0, 1)": [-3],
    }
    results = [_spot_check(slopes) for slopes in spot.values()]
    steps.append(
        Step.eq(
            r"rational spot checks (" + "; ".join(spot) + r"): formula, construction and the"
            r" minimum of $\max(\int|f''|, |a + b|)$ over tail slopes"
            r" $a, b \in \{-6, -5.5, \dots, 6\}$ agree: $2$, $4$, $2$, $3$",
            Matrix([list(r) for r in results]),
            Matrix([[2, 2, 2], [4, 4, 4], [2, 2, 2], [3, 3, 3]]),
        )
    )
    return steps


register(
    Lemma(
        name="relu1d.min_interpolation",
        title="Minimal-norm ReLU interpolation without a skip unit",
        statement=(
            r"Let $x_1 < \cdots < x_N$, $s_i = (y_{i+1} - y_i)/(x_{i+1} - x_i)$,"
            r" $V = \sum_{i=1}^{N-2} |s_{i+1} - s_i|$, $S = s_1 + s_{N-1}$. Then"
            r" $\min\{R(f) : f(x_i) = y_i\} = \max(V, \frac{V + |S|}{2})$. Lower bounds: with"
            r" $a = f'(-\infty)$, $b = f'(+\infty)$, $\int|f''| \geq |a - s_1| + V +"
            r" |b - s_{N-1}| \geq V$, and $\max(p, q) \geq (p + q)/2$ with the triangle"
            r" inequality $|a - s_1| + |b - s_{N-1}| + |a + b| \geq |S|$. Attained: if"
            r" $|S| \leq V$ by the spline extended linearly; otherwise by bending the tails,"
            r" $a = s_1 - \delta_1$, $b = s_{N-1} - \delta_2$, $\delta$'s of the sign of $S$,"
            r" $\delta_1 + \delta_2 = \mathrm{sign}(S)(|S| - V)/2$. $N = 2$ gives $|s_1|$."
            r" The mean-value step ($f'$ takes each $s_i$ in order) is used as stated, with"
            r" a spot check."
        ),
        source=f"{SAVARESE}, Section 4 (minimal-norm interpolation without a linear unit, from"
        " $R(f)$ of Thm 3)",
        derive=_derive_min_interpolation,
    )
)


# --------------------------------------------------------------------------------------------
# relu1d.with_skip


def _derive_with_skip() -> list[Step]:
    x = sympy.Symbol("x", real=True)
    v, left, right = sympy.symbols("v a b", real=True)
    curvature = sympy.Symbol("I", nonnegative=True)  # int |f''|
    gap = sympy.Symbol("u", nonnegative=True)
    f = sympy.Function("f")
    boundary = Abs((left - v) + (right - v))
    balanced = (left + right) / 2

    # The linear spline with skip v x = s_1 x, N = 4 ordered knots.
    x1, y1, y2, y3, y4 = sympy.symbols("x_1 y_1:5", real=True)
    h = sympy.symbols("h_1:4", positive=True)
    knots = [x1, x1 + h[0], x1 + h[0] + h[1], x1 + h[0] + h[1] + h[2]]
    ys = [y1, y2, y3, y4]
    slopes = [(ys[i + 1] - ys[i]) / h[i] for i in range(3)]
    units = [(slopes[i] - slopes[i - 1], knots[i]) for i in (1, 2)]  # a_i [x - x_i]_+

    def spline(point: sympy.Expr) -> sympy.Expr:
        return ys[0] + slopes[0] * (point - knots[0]) + sum(a * Max(0, point - k) for a, k in units)

    variation = Abs(slopes[1] - slopes[0]) + Abs(slopes[2] - slopes[1])
    s1, s2 = sympy.symbols("s_1 s_2", real=True)
    return [
        Step.eq(
            r"removing a linear part does not change $f''$: $(f - vx)'' = f''$",
            sympy.diff(f(x) - v * x, x, 2),
            sympy.diff(f(x), x, 2),
        ),
        Step.eq(
            r"and shifts both end slopes by $-v$: the boundary term of $g = f - vx$ is"
            r" $|a + b - 2v|$ ($a, b = f'(\mp\infty)$)",
            boundary,
            Abs(left + right - 2 * v),
        ),
        Step.eq(
            r"$v = \frac{a + b}{2}$ makes the ReLU part's end slopes sum to zero, so"
            r" $R(f - vx) = \max(\int|f''|, 0) = \int|f''|$",
            Max(curvature, boundary.subs(v, balanced)),
            curvature,
        ),
        Step.holds(
            r"and no $v$ does better: $\max(\int|f''|, |a + b - 2v|) \geq \int|f''|$ (both"
            r" orders); hence $R_1(f) = \min_v R(f - vx) = \int|f''|$",
            sympy.And(
                sympy.Ge(Max(curvature, curvature + gap), curvature, evaluate=False),
                sympy.Ge(Max(curvature + gap, curvature), curvature, evaluate=False),
                evaluate=False,
            ),
        ),
        Step.holds(
            r"interpolation lower bound with skip: $\int|f''| \geq |a - s_1| + V + |b -"
            r" s_{N-1}| \geq V$",
            sympy.Ge(Abs(left - s1) + curvature + Abs(right - s2), curvature, evaluate=False),
        ),
        Step.eq(
            r"$N = 4$ ordered knots $x_{i+1} = x_i + h_i$: the linear spline extended linearly,"
            r" $f(x) = y_1 + s_1 (x - x_1) + \sum_{i=2}^{N-1} (s_i - s_{i-1}) [x - x_i]_+$"
            r" (skip $v = s_1$, constant $c = y_1 - s_1 x_1$), interpolates",
            Matrix([spline(k) for k in knots]),
            Matrix(ys),
        ),
        Step.eq(
            r"its end slopes are $s_1$ and $s_1 + \sum_i (s_i - s_{i-1}) = s_{N-1}$, and its"
            r" ReLU part has path norm $\sum_i |s_i - s_{i-1}| = V = \int|f''|$",
            Matrix(
                [
                    slopes[0] + sum(a for a, _ in units),
                    sum(Abs(a) for a, _ in units),
                    tail_cost(slopes, slopes[0], slopes[-1]),
                ]
            ),
            Matrix([slopes[-1], variation, variation]),
        ),
        Step.eq(
            r"so with skip the minimal value is $V$, attained (cost $V$ after balancing"
            r" each unit, \texttt{relu1d.balancing}); e.g. $s = (1, -1, 1)$ gives $V = 4$",
            tail_cost([1, -1, 1], 1, 1),
            4,
        ),
    ]


register(
    Lemma(
        name="relu1d.with_skip",
        title="With an unregularized linear unit the cost is the total variation of f'",
        statement=(
            r"With an extra unregularized linear unit $vx$,"
            r" $R_1(f) = \min_v R(f - vx) = \int|f''|$: subtracting $vx$ keeps $f''$ and"
            r" changes the boundary term to $|f'(-\infty) + f'(+\infty) - 2v|$, which"
            r" $v = (f'(-\infty) + f'(+\infty))/2$ makes zero. So the minimal cost of"
            r" interpolating $x_1 < \cdots < x_N$ is"
            r" $V = \sum_{i=1}^{N-2} |s_{i+1} - s_i|$, attained by the linear spline extended"
            r" linearly, $y_1 + s_1 (x - x_1) + \sum_{i=2}^{N-1} (s_i - s_{i-1}) [x - x_i]_+$"
            r" (checked for $N = 4$ with symbolic data)."
        ),
        source=f"{SAVARESE}, Thm 1 ($R_1(f) = \\int|f''|$ with an unregularized linear unit)"
        " and its linear-spline interpolation corollary",
        derive=_derive_with_skip,
    )
)

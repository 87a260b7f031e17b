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

Each statement says which steps are general symbolic identities and which are instance checks.

Conventions follow SPEC sections 0 and 3: f(x) = sum_i a_i [w_i x + b_i]_+ + c with cost
C(theta) = (1/2) sum_i (a_i^2 + w_i^2) (biases and c unregularized); slopes
s_i = (y_{i+1} - y_i)/(x_{i+1} - x_i), V = sum_i |s_{i+1} - s_i|, S = s_1 + s_{N-1}.
"""

from __future__ import annotations

from fractions import Fraction
from itertools import product
from operator import methodcaller

import sympy
from sympy import Abs, Derivative, Matrix, Max, Rational, Subs, Sum

from implicit_bias.proofs.lemma import Lemma, Step, register

__all__ = ["finite_net_cost", "tail_cost"]

SAVARESE = "Savarese, Evron, Soudry and Srebro, COLT 2019"

#: The rewrite for steps stated unevaluated (Derivative, Limit, Subs, Sum): evaluate them.
_evaluate = methodcaller("doit")


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
    a, u = sympy.symbols("a u", real=True)
    size = sympy.Symbol("p", nonnegative=True)  # |u|
    p, q = sympy.symbols("|a| |w|", positive=True)  # a, w != 0
    objective = (p**2 / s**2 + s**2 * q**2) / 2
    best = sympy.sqrt(p / q)
    homogeneity = a / s * _relu(s * u) - a * _relu(u)
    return [
        Step.eq(
            r"positive homogeneity, both signs of $u = wx + b$ ($u = \pm p$, $p \geq 0$):"
            r" $\frac{a}{s} [s u]_+ - a [u]_+ = 0$ for $s > 0$, so $(a, w, b) \to"
            r" (a/s, sw, sb)$ leaves $a[wx + b]_+$ unchanged",
            Matrix([Subs(homogeneity, u, size), Subs(homogeneity, u, -size)]),
            Matrix([0, 0]),
            via=_evaluate,
        ),
        Step.eq(
            r"the cost of the rescaled unit, $\frac12 (|a|^2/s^2 + s^2 |w|^2)$, is $|aw|$ at"
            r" $s^* = \sqrt{|a|/|w|}$",
            Subs(objective, s, best),
            p * q,
            via=_evaluate,
        ),
        Step.eq(
            r"and at least $|aw|$ for every $s > 0$ (AM-GM): $\frac12 (|a|^2/s^2 + s^2|w|^2)"
            r" - |aw| = \frac12 (|a|/s - s|w|)^2 \geq 0$, zero only where $|a|/s = s|w|$,"
            r" i.e. at $s = s^*$",
            objective - p * q,
            (p / s - s * q) ** 2 / 2,
        ),
        Step.eq(
            r"at $s^*$ the unit is balanced: $|a/s^*| = |s^* w| = \sqrt{|aw|}$",
            Matrix([Subs(p / s, s, best), Subs(s * q, s, best)]),
            Matrix([sympy.sqrt(p * q), sympy.sqrt(p * q)]),
            via=_evaluate,
        ),
    ]


register(
    Lemma(
        name="relu1d.balancing",
        title="Rescaling a ReLU unit: the cost becomes the path norm",
        statement=(
            r"For $s > 0$ the rescaling $(a, w, b) \to (a/s, sw, sb)$ leaves"
            r" $a[wx + b]_+$ unchanged, and for $a, w \neq 0$"
            r" $\inf_{s > 0} \frac12 (a^2/s^2 + s^2 w^2) = |aw|$, attained only at"
            r" $s^* = \sqrt{|a|/|w|}$ where $|a/s^*| = |s^* w|$. Since biases are"
            r" unregularized, the infimum of $C(\theta) = \frac12 \sum_i (a_i^2 + w_i^2)$ over"
            r" the rescalings of a network (one $s_i$ per unit) is its path norm"
            r" $\sum_i |a_i w_i|$. Every step is a general identity in symbolic"
            r" $a$, $|a|$, $|w|$, $s$ (homogeneity for both signs of $wx + b$)."
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
    a, b = sympy.symbols("a b", real=True)
    signed = (sympy.Symbol("w", positive=True), sympy.Symbol("w", negative=True))
    slopes = [a * w * sympy.Heaviside(w * x + b) for w in signed]  # the unit's f'

    # max(I, B) <= P from I <= P and B <= P: I = P - t, and B = I - u or B = I + u <= P.
    path, t, u = sympy.symbols("P t u", nonnegative=True)
    rep_cases = [
        sympy.Le(Max(path - t, path - t - u), path, evaluate=False),
        sympy.Le(Max(path - t - u, path - t), path, evaluate=False),
    ]
    size = sympy.Symbol("p", nonnegative=True)
    weight_a, weight_w = sympy.symbols("a w", real=True)

    def relu_net(units: list[tuple[int, int]]) -> sympy.Expr:  # kinks at 0
        return sum(c * _relu(w * x) for c, w in units)

    examples = {  # the nets [x]_+, [x]_+ - [-x]_+ = x, [x]_+ + [-x]_+ = |x|
        r"[x]_+": [(1, 1)],
        "x": [(1, 1), (-1, -1)],
        r"|x|": [(1, 1), (1, -1)],
    }
    rows = []
    for units in examples.values():
        slope = sum(c * w * sympy.Heaviside(w * x) for c, w in units)
        jump = Subs(slope, x, eps) - Subs(slope, x, -eps)  # int|f''| = |jump at 0|
        ends = Subs(slope, x, -1) + Subs(slope, x, 1)  # f' is constant on each side of 0
        rows.append([Abs(jump), Abs(ends), Max(Abs(jump), Abs(ends))])
    return [
        Step.eq(
            r"general, one unit of either sign of $w$: $\frac{d}{dx} a[wx + b]_+ ="
            r" a w H(wx + b)$",
            Matrix([Derivative(a * _relu(w * x + b), x) for w in signed]),
            Matrix(slopes),
            via=_evaluate,
        ),
        Step.eq(
            r"its slope is constant on each side of the kink $-b/w$ (any $\epsilon > 0$): right"
            r" and left values $(a w, 0)$ if $w > 0$ and $(0, a w)$ if $w < 0$, so every unit"
            r" adds $a_i w_i$ to exactly one end and $f'(+\infty) + f'(-\infty) ="
            r" \sum_i a_i w_i$ (any number of units)",
            Matrix([[Subs(g, x, -b / w + eps), Subs(g, x, -b / w - eps)]
                    for g, w in zip(slopes, signed, strict=True)]),
            Matrix([[a * signed[0], 0], [0, a * signed[1]]]),
            via=_evaluate,
        ),
        Step.eq(
            r"and its slope jumps by $a |w|$ across the kink $-b/w$ (both signs), so"
            r" $f'' = \sum_i a_i |w_i| \delta_{-b_i/w_i}$",
            Matrix([Subs(g, x, -b / w + eps) - Subs(g, x, -b / w - eps)
                    for g, w in zip(slopes, signed, strict=True)]),
            Matrix([a * Abs(w) for w in signed]),
            via=_evaluate,
        ),
        _triangle_inequality(2),
        Step.holds(
            r"hence (triangle inequality, by induction for any number of terms)"
            r" $\int|f''| \leq \sum_i |a_i w_i| =: P$ (units sharing a kink merge their"
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
            r"instance: the nets $[x]_+ - [-x]_+$ and $[x]_+ + [-x]_+$ compute $x$ and $|x|$"
            r" (both signs of $x = \pm p$)",
            Matrix([[Subs(relu_net(examples[name]) - f, x, sign * size) for sign in (1, -1)]
                    for name, f in (("x", x), (r"|x|", Abs(x)))]),
            sympy.zeros(2, 2),
            via=_evaluate,
        ),
        Step.eq(
            r"instance: $(\int|f''|, |f'(-\infty) + f'(+\infty)|, R)$ is $(1, 1, 1)$ for"
            r" $[x]_+$, $(0, 2, 2)$ for $x$ and $(2, 0, 2)$ for $|x|$, equal to their path"
            r" norms $1, 2, 2$: the chain is tight, $R([x]_+) = 1$, $R(x) = R(|x|) = 2$",
            Matrix(rows),
            Matrix([[1, 1, 1], [0, 2, 2], [2, 0, 2]]),
            via=_evaluate,
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
            r" \sum_i |a_i w_i| \leq C(\theta) = \frac12 \sum_i (a_i^2 + w_i^2)$. Proven in"
            r" general, unit by unit (symbolic $a$, $b$ and either sign of $w$), with the"
            r" triangle inequality for two reals (all sign cases) extended to any number of"
            r" terms by induction. Instance checks: $R([x]_+) = 1$, $R(x) = R(|x|) = 2$."
        ),
        source=f"{SAVARESE}, Thm 3 (the easy direction $R(f_\\theta) \\leq C(\\theta)$ of"
        " $R(f) = \\max(\\int|f''|, |f'(-\\infty) + f'(+\\infty)|)$)",
        derive=_derive_cost_chain,
    )
)


# --------------------------------------------------------------------------------------------
# relu1d.min_interpolation


def _grid_minimum(slopes: list[Fraction]) -> Fraction:
    """min over tail slopes a, b in {-6, -5.5, ..., 6} of max(int|f''|, |a + b|), exactly."""

    def cost(left: Fraction, right: Fraction) -> Fraction:
        chain = [left, *slopes, right]
        variation = sum((abs(q - p) for p, q in zip(chain, chain[1:], strict=False)), Fraction(0))
        return max(variation, abs(left + right))

    grid = [Fraction(k, 2) for k in range(-12, 13)]
    return min(cost(p, q) for p in grid for q in grid)


def _derive_min_interpolation() -> list[Step]:
    s1, s_last = sympy.symbols("s_1 s_{N-1}", real=True)
    left, right = sympy.symbols("a b", real=True)  # f'(-oo), f'(+oo)
    variation = sympy.Symbol("V", nonnegative=True)
    total = sympy.Symbol("S", real=True)
    t = sympy.Symbol("t", nonnegative=True)
    d1, d2 = sympy.symbols("delta_1 delta_2", nonnegative=True)
    spread = sympy.Symbol("e", positive=True)  # (|S| - V)/2 > 0
    p_, q_ = sympy.symbols("p q", real=True)
    u_plus = sympy.Symbol("u", nonnegative=True)
    terms = sympy.symbols("p_1:4", real=True)
    tails = Abs(left - s1) + variation + Abs(right - s_last)
    achieved = Max(tails, Abs(left + right))  # max(int|f''|, |a + b|) of the extended spline
    value = Max(variation, (variation + Abs(total)) / 2)

    steps: list[Step] = [
        Step.holds(
            r"lower bound 1: $\int|f''| \geq |a - s_1| + V + |b - s_{N-1}| \geq V$"
            r" ($a = f'(-\infty)$, $b = f'(+\infty)$; $f'$ takes each $s_i$ in order by the"
            r" mean value theorem)",
            sympy.Ge(tails, variation, evaluate=False),
        ),
        Step.eq(
            r"the three terms $p_1 = s_1 - a$, $p_2 = s_{N-1} - b$, $p_3 = a + b$ sum to"
            r" $S = s_1 + s_{N-1}$, so by the triangle inequality (below)"
            r" $|s_1 - a| + |s_{N-1} - b| + |a + b| \geq |S|$",
            Subs(sum(terms), terms, (s1 - left, s_last - right, left + right)),
            s1 + s_last,
            via=_evaluate,
        ),
        _triangle_inequality(3),
        Step.holds(
            r"lower bound 2: $\max(p, q) \geq \frac{p + q}{2}$ (both orders, $p = q + u$ or"
            r" $q = p + u$, $u \geq 0$), so $\max(\int|f''|, |a + b|) \geq \frac12 (|a - s_1|"
            r" + V + |b - s_{N-1}| + |a + b|) \geq \frac{V + |S|}{2}$",
            sympy.And(
                sympy.Ge(Max(q_ + u_plus, q_), (2 * q_ + u_plus) / 2, evaluate=False),
                sympy.Ge(Max(p_, p_ + u_plus), (2 * p_ + u_plus) / 2, evaluate=False),
                evaluate=False,
            ),
        ),
        Step.eq(
            r"case $|S| \leq V$ ($V = |S| + t$): the spline extended linearly ($a = s_1$,"
            r" $b = s_{N-1}$) has $R = \max(V, |S|) = V = \max(V, \frac{V + |S|}{2})$",
            Matrix([Subs(achieved, (left, right, variation),
                         (s1, s_last, Abs(s1 + s_last) + t)),
                    Subs(value, (total, variation), (s1 + s_last, Abs(s1 + s_last) + t))]),
            Matrix([Abs(s1 + s_last) + t] * 2),
            via=_evaluate,
        ),
    ]
    for sign, name in ((1, "S > 0"), (-1, "S < 0")):
        s_value = sign * (variation + 2 * (d1 + d2))  # |S| - V = 2 (delta_1 + delta_2)
        bent = (s1 - sign * d1, s_value - s1 - sign * d2, variation)
        steps.append(
            Step.eq(
                rf"case $|S| > V$, ${name}$: the bent tails"
                r" $a = s_1 - \mathrm{sign}(S) \delta_1$, $b = s_{N-1} - \mathrm{sign}(S) \delta_2$"
                r" with $\delta_1, \delta_2 \geq 0$, $\delta_1 + \delta_2 = (|S| - V)/2$ make"
                r" both terms $\frac{V + |S|}{2}$",
                Matrix([Subs(term.subs(s_last, s_value - s1), (left, right, variation), bent)
                        for term in (tails, Abs(left + right))]),
                Matrix([(variation + Abs(s_value)) / 2] * 2),
                via=_evaluate,
            )
        )
    steps += [
        Step.eq(
            r"and there $\max(V, \frac{V + |S|}{2}) = \frac{V + |S|}{2} = V + e$"
            r" ($|S| = V + 2e$, $e > 0$), while the spline extended linearly has"
            r" $R = \max(V, |S|) = V + 2e$: it is not optimal when $|S| > V$",
            Matrix([Subs(value, total, variation + 2 * spread),
                    Subs(Max(variation, Abs(total)), total, variation + 2 * spread)]),
            Matrix([variation + spread, variation + 2 * spread]),
            via=_evaluate,
        ),
        Step.eq(
            r"$N = 2$: $V = 0$ and $S = 2 s_1$, so $\min R = |s_1|$, not $2|s_1|$; one ReLU"
            r" $y_1 + s_1 [x - x_1]_+$ ($a = 0$, $b = s_1$) attains it",
            Matrix([Subs(value, (variation, total), (0, 2 * s1)),
                    Subs(achieved, (left, right, variation, s_last), (0, s1, 0, s1))]),
            Matrix([Abs(s1), Abs(s1)]),
            via=_evaluate,
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
            r"instance (spot check of lower bound 1 on a smooth interpolant): $f = x^3 - 3x$ on"
            r" $[-2, 2]$ (extended linearly) through $x = -2, 0, 1, 2$ has"
            r" $\int|f''| = 24 \geq |a - s_1| + V + |b - s_{N-1}| = 22$",
            sympy.Ge(
                sympy.Integral(Abs(sympy.diff(smooth, x, 2)), (x, -2, 2)),
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
    rows, minima = [], []
    for data in spot.values():
        first, last = data[0], data[-1]
        v_value = tail_cost(data, first, last)
        s_value = first + last
        bend = sympy.sign(s_value) * Max(Abs(s_value) - v_value, 0) / 2  # delta_1; delta_2 = 0
        rows.append([
            Subs(value, (variation, total), (v_value, s_value)),
            Subs(achieved, (left, right, variation, s1, s_last),
                 (first - bend, last, v_value, first, last)),
        ])
        best = _grid_minimum([Fraction(int(sympy.numer(q)), int(sympy.denom(q))) for q in data])
        minima.append([Rational(best.numerator, best.denominator)] * 2)
    steps.append(
        Step.eq(
            r"instances (" + "; ".join(spot) + r"): the formula and the construction agree"
            r" with the minimum of $\max(\int|f''|, |a + b|)$ over tail slopes"
            r" $a, b \in \{-6, -5.5, \dots, 6\}$ (computed by exhaustion): $2$, $4$, $2$, $3$",
            Matrix(rows),
            Matrix(minima),
            via=_evaluate,
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
            r" Proven in general (symbolic $s_1$, $s_{N-1}$, $V$, tails and $\delta$'s, every"
            r" sign case); the mean-value step ($f'$ takes each $s_i$ in order) is used as"
            r" stated. Instance checks: the mean-value bound on $x^3 - 3x$, and four data sets"
            r" against an exhaustive search over tail slopes."
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

    # General N: the linear spline with skip v x = s_1 x and units (s_i - s_{i-1}) [x - x_i]_+.
    rows, k, i = sympy.symbols("N k i", positive=True, integer=True)
    s = sympy.IndexedBase("s", real=True)
    h = sympy.Symbol("h_k", positive=True)  # x_{k+1} - x_k

    # N = 4 ordered knots with symbolic data.
    x1, y1, y2, y3, y4 = sympy.symbols("x_1 y_1:5", real=True)
    widths = sympy.symbols("h_1:4", positive=True)
    knots = [x1, x1 + widths[0], x1 + widths[0] + widths[1], x1 + sum(widths)]
    ys = [y1, y2, y3, y4]
    slopes = [(ys[j + 1] - ys[j]) / widths[j] for j in range(3)]
    units = [(slopes[j] - slopes[j - 1], knots[j]) for j in (1, 2)]  # a_i [x - x_i]_+
    spline = ys[0] + slopes[0] * (x - knots[0]) + sum(a * _relu(x - kink) for a, kink in units)
    return [
        Step.eq(
            r"removing a linear part does not change $f''$: $(f - vx)'' = f''$",
            Derivative(f(x) - v * x, (x, 2)),
            Derivative(f(x), (x, 2)),
            via=_evaluate,
        ),
        Step.eq(
            r"and shifts both end slopes by $-v$, so the boundary term of $g = f - vx$ is"
            r" $|a + b - 2v|$ ($a, b = f'(\mp\infty)$); $v = \frac{a + b}{2}$ makes it zero"
            r" and $R(f - vx) = \max(\int|f''|, 0) = \int|f''|$",
            Subs(Max(curvature, boundary), v, (left + right) / 2),
            curvature,
            via=_evaluate,
        ),
        Step.holds(
            r"and no $v$ does better: $\max(\int|f''|, |a + b - 2v|) \geq \int|f''|$ (both"
            r" orders); hence $R_1(f) = \min_v R(f - vx) = \int|f''|$, and with skip the"
            r" interpolation lower bound is $\int|f''| \geq V$"
            r" (\texttt{relu1d.min\_interpolation})",
            sympy.And(
                sympy.Ge(Max(curvature, curvature + gap), curvature, evaluate=False),
                sympy.Ge(Max(curvature + gap, curvature), curvature, evaluate=False),
                evaluate=False,
            ),
        ),
        Step.eq(
            r"general $N$: the linear spline extended linearly, $f(x) = y_1 + s_1 (x - x_1) +"
            r" \sum_{i=2}^{N-1} (s_i - s_{i-1}) [x - x_i]_+$ (skip $v = s_1$), grows on"
            r" $[x_k, x_{k+1}]$ by $h_k (s_1 + \sum_{i=2}^{k} (s_i - s_{i-1})) = h_k s_k ="
            r" y_{k+1} - y_k$ (the active units are $i \leq k$), so by induction from"
            r" $f(x_1) = y_1$ it interpolates; its end slopes are $s_1$ and"
            r" $s_1 + \sum_{i=2}^{N-1} (s_i - s_{i-1}) = s_{N-1}$",
            Matrix([[h * (s[1] + Sum(s[i] - s[i - 1], (i, 2, k))),
                     s[1] + Sum(s[i] - s[i - 1], (i, 2, rows - 1))]]),
            Matrix([[h * s[k], s[rows - 1]]]),
            via=_evaluate,
        ),
        Step.eq(
            r"instance $N = 4$ ordered knots $x_{i+1} = x_i + h_i$, symbolic data: the spline"
            r" interpolates",
            Matrix([Subs(spline, x, knot) for knot in knots]),
            Matrix(ys),
            via=_evaluate,
        ),
        Step.eq(
            r"instance $N = 4$: its slope is $s_1$ left of $x_1$, $s_1, s_2, s_3$ on the three"
            r" intervals (at their midpoints) and $s_3$ right of $x_4$: it is affine beyond"
            r" the data, with end slopes $s_1$, $s_{N-1}$, and $f'$ jumps by $s_2 - s_1$,"
            r" $s_3 - s_2$, so $\int|f''| = V$ = the path norm $\sum_i |s_i - s_{i-1}|$ of its"
            r" ReLU part: with skip the minimal value $V$ is attained (cost $V$ after"
            r" balancing each unit, \texttt{relu1d.balancing})",
            Matrix([Subs(Derivative(spline, x), x, point)
                    for point in (knots[0] - 1, *((p + q) / 2 for p, q in
                                                  zip(knots, knots[1:], strict=False)),
                                  knots[-1] + 1)]),
            Matrix([slopes[0], *slopes, slopes[-1]]),
            via=_evaluate,
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
            r" linearly, $y_1 + s_1 (x - x_1) + \sum_{i=2}^{N-1} (s_i - s_{i-1}) [x - x_i]_+$."
            r" Proven in general (symbolic $v$, end slopes and $\int|f''|$; the spline's"
            r" interpolation and end slopes for symbolic $N$ by a telescoping induction)."
            r" Instance check: $N = 4$ with symbolic data."
        ),
        source=f"{SAVARESE}, Thm 1 ($R_1(f) = \\int|f''|$ with an unregularized linear unit)"
        " and its linear-spline interpolation corollary",
        derive=_derive_with_skip,
    )
)

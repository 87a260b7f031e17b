"""Lemmas behind "the optimization geometry decides the implicit bias" (docs/geometry.md).

Registered on import (see :func:`proofs.all_lemmas`); each statement says which steps are
general symbolic identities and which are instance checks:

- ``geometry.holder_dual``: the l_p max-margin program min (1/2)||w||_p^2 s.t. Zw >= 1 and its
  dual max sum(alpha) - (1/2)||Z^T alpha||_q^2; weak duality (any N), the Hoelder equality case
  and the one-point closed form with zero gap (general p and d), two exact instances (p = 1, inf).
- ``geometry.steepest_directions``: argmin_{||v|| <= 1} <g, v> is -sign(g) for l_inf, a signed
  coordinate vector on argmax |g_i| for l_1, the Hoelder direction for l_p (whose limits are the
  two former), and -P^{-1} g / ||g||_{P^{-1}} for a quadratic norm.
- ``geometry.mirror_map``: the p-GD mirror map sign(w)|w|^{p-1}, its inverse sign(t)|t|^{1/(p-1)}
  = grad of the conjugate |t|^q/q, Fenchel-Young equality; the entropy map and its divergence.
- ``geometry.bregman_optimality``: Lagrangian stationarity of min D_psi(w, w0) s.t. Xw = y,
  sufficiency by the three-point identity, the l2 closed form (symbolic X) and an entropy
  instance.
- ``geometry.one_point_regression``: with one example, l_inf and l_1 steepest descent end at a
  min-norm interpolant for every convergent step (the conjecture holds for n = 1).
- ``geometry.counterexample_l1`` / ``geometry.counterexample_linf``: on X = [[1,0,1],[0,1,1]],
  y = (a, b), the limits of greedy coordinate descent / sign descent depend on the step and are
  never the min-norm interpolant; the exact instance is also iterated in rational arithmetic.

Steps stated unevaluated (``Subs``, ``Derivative``, ``Limit``, ``Sum``, a matrix product) are
decided by the check, which evaluates them (``via``), never by their construction.

Conventions (SPEC section 0): labels absorbed, z_n = y_n x_n; loss a sum; square loss
(1/2)||Xw - y||^2 in regression, residual r = Xw - y, gradient X^T r.
"""

from __future__ import annotations

from operator import methodcaller

import sympy
from sympy import (
    Abs,
    Derivative,
    Identity,
    ImmutableMatrix,
    IndexedBase,
    Limit,
    MatMul,
    Matrix,
    MatrixSymbol,
    Max,
    Rational,
    Subs,
    Sum,
    ZeroMatrix,
    cos,
    exp,
    log,
    oo,
    sin,
    sqrt,
)
from sympy.simplify.simplify import factor_sum

from implicit_bias.proofs.lemma import Lemma, Step, register

__all__ = ["COUNTEREXAMPLE_X", "norm_powers"]

GUNASEKAR = "Gunasekar, Lee, Soudry and Srebro, ICML 2018"

#: The regression counterexample's design (columns e1, e2, e1 + e2).
COUNTEREXAMPLE_X = Matrix([[1, 0, 1], [0, 1, 1]])

#: The rewrite for steps stated unevaluated (Subs, Derivative, Limit): evaluate them.
_evaluate = methodcaller("doit")


def _exponents(expr):
    """Put every symbolic exponent in canonical form (``cancel``), so equal powers compare."""
    return expr.replace(lambda e: e.is_Pow and not e.exp.is_Number,
                        lambda e: e.base ** sympy.cancel(e.exp))


def _combine(expr):
    """Combine powers of positive quantities: expand bases, denest, collect exponents."""
    expr = sympy.powdenest(sympy.expand_power_base(expr, force=True), force=True)
    return _exponents(sympy.powsimp(expr, force=True))


def norm_powers(expr):
    """The exact rewrite deciding the l_p norm identities (positive entries, symbolic p, d).

    Inside every ``Sum`` the summand's powers are combined and constant factors pulled out
    (``factor_sum``), then the powers of the whole are combined, exponents in canonical form:
    e.g. ``Sum(S**a * w_i**(p-1) * w_i) - S**(a+1)`` with ``S = Sum(w_i**p)`` becomes 0.

    >>> i, d = sympy.symbols("i d", positive=True, integer=True)
    >>> w, p = IndexedBase("w", positive=True), sympy.Symbol("p", positive=True)
    >>> S = Sum(w[i] ** p, (i, 1, d))
    >>> norm_powers(Sum(S ** (2 / p - 1) * w[i] ** (p - 1) * w[i], (i, 1, d)) - S ** (2 / p))
    0
    """
    def inside(total: Sum):
        return factor_sum(Sum(_combine(total.function), *total.limits))

    return _combine(expr.replace(lambda e: isinstance(e, Sum), inside))


def _evaluate_norms(expr):
    return norm_powers(expr.doit())


def _ge(lhs, rhs=0):
    return sympy.Ge(lhs, rhs, evaluate=False)


def _gt(lhs, rhs=0):
    return sympy.Gt(lhs, rhs, evaluate=False)


def _lt(lhs, rhs=0):
    return sympy.Lt(lhs, rhs, evaluate=False)


def _product(A: Matrix, B: Matrix) -> MatMul:
    """The matrix product A B, unevaluated (the check multiplies)."""
    return MatMul(ImmutableMatrix(A), ImmutableMatrix(B), evaluate=False)


def _at(expr, old, new) -> Subs:
    """``expr`` with ``old`` replaced by ``new``, unevaluated (the check substitutes)."""
    return Subs(expr, old, new)


# --------------------------------------------------------------------------------------------
# geometry.holder_dual


def _derive_holder_dual() -> list[Step]:
    a, b = sympy.symbols("a b", nonnegative=True)  # a = ||w||, b = ||Z^T alpha||_*
    n, rows = sympy.symbols("n N", positive=True, integer=True)
    alpha = IndexedBase("alpha", nonnegative=True)
    slack = IndexedBase("sigma", nonnegative=True)  # z_n^T w = 1 + sigma_n
    i, d = sympy.symbols("i d", positive=True, integer=True)
    p = 1 + sympy.Symbol("e", positive=True)  # a general p > 1
    q = p / (p - 1)
    w = IndexedBase("w", positive=True)
    norm_p = Sum(w[i] ** p, (i, 1, d)) ** (1 / p)
    theta = norm_p ** (2 - p) * w[i] ** (p - 1)  # grad (1/2)||w||_p^2, coordinate i
    z = IndexedBase("z", positive=True)
    Q = 1 + sympy.Symbol("f", positive=True)  # a general q > 1
    P = Q / (Q - 1)
    Sq = Sum(z[i] ** Q, (i, 1, d))
    w1 = z[i] ** (Q - 1) / Sq  # the one-point solution, coordinate i
    al = sympy.Symbol("alpha", positive=True)
    gamma2 = Sq ** (2 / Q)  # ||z||_q^2
    dual1 = al - al**2 * gamma2 / 2
    # the exact instances, z = (2, 1) (d = 2)
    x_ = sympy.Symbol("alpha", real=True)
    u1, u2, y1, y2 = sympy.symbols("w_1 w_2 z_1 z_2", real=True)
    point = {(y1, y2): (2, 1)}
    linf_gap = Max(Abs(u1), Abs(u2)) ** 2 / 2 - (x_ - x_**2 * (Abs(y1) + Abs(y2)) ** 2 / 2)
    l1_gap = (Abs(u1) + Abs(u2)) ** 2 / 2 - (x_ - x_**2 * Max(Abs(y1), Abs(y2)) ** 2 / 2)
    (old, new), = point.items()
    return [
        Step.eq(r"general: $\frac12 a^2 + \frac12 b^2 - ab = \frac12 (a - b)^2$",
                a**2 / 2 + b**2 / 2 - a * b, (a - b) ** 2 / 2),
        Step.holds(r"so $\langle Z^\top\alpha, w\rangle \leq \|Z^\top\alpha\|_*\|w\|"
                   r" \leq \frac12\|Z^\top\alpha\|_*^2 + \frac12\|w\|^2$",
                   _ge((a - b) ** 2 / 2)),
        Step.eq(r"general $N$, feasible $w$ ($z_n^\top w = 1 + \sigma_n$, $\sigma \geq 0$),"
                r" $\alpha \geq 0$: $\alpha^\top Z w - \sum_n \alpha_n = \sum_n \alpha_n"
                r" \sigma_n$",
                Sum(alpha[n] * (1 + slack[n]), (n, 1, rows)) - Sum(alpha[n], (n, 1, rows)),
                Sum(alpha[n] * slack[n], (n, 1, rows))),
        Step.holds(r"which is $\geq 0$: weak duality $\sum_n\alpha_n \leq \frac12\|w\|^2 +"
                   r" \frac12\|Z^\top\alpha\|_*^2$ for every feasible pair",
                   _ge(Sum(alpha[n] * slack[n], (n, 1, rows)))),
        Step.eq(r"general $p > 1$, $d$, $w > 0$: Hoelder's equality case, $\theta ="
                r" \nabla \frac12\|w\|_p^2$ ($\theta_i = \|w\|_p^{2-p} w_i^{p-1}$) has"
                r" $\langle \theta, w\rangle = \|w\|_p^2$",
                Sum(theta * w[i], (i, 1, d)), norm_p**2, via=norm_powers),
        Step.eq(r"and $\|\theta\|_q = \|w\|_p$ ($1/p + 1/q = 1$), so equality holds in the chain",
                Sum(theta**q, (i, 1, d)) ** (1 / q), norm_p, via=norm_powers),
        Step.eq(r"general $q > 1$, $d$, one point $z > 0$: $w_i = z_i^{q-1}/\|z\|_q^q$ has"
                r" $z^\top w = 1$",
                Sum(z[i] * w1, (i, 1, d)), 1, via=norm_powers),
        Step.eq(r"and $\|w\|_p = 1/\|z\|_q$",
                Sum(w1**P, (i, 1, d)) ** (1 / P), Sq ** (-1 / Q), via=norm_powers),
        Step.eq(r"the one-point dual $\alpha - \frac12 \alpha^2 \|z\|_q^2$ (concave) is"
                r" stationary at $\alpha = 1/\|z\|_q^2 = \|w\|_p^2$",
                Subs(Derivative(dual1, al), al, 1 / gamma2), 0, via=_evaluate),
        Step.eq(r"zero gap: the dual value there is $\frac12\|w\|_p^2 = \frac{1}{2\|z\|_q^2}$",
                Subs(dual1, al, 1 / gamma2), 1 / (2 * gamma2), via=_evaluate),
        Step.eq(r"instance $p = \infty$, $z = (2, 1)$, $w = (\frac13, \frac13)$: $z^\top w = 1$"
                r" and $\frac12\|w\|_\infty^2 - (\alpha - \frac12\alpha^2\|z\|_1^2) ="
                r" \frac92(\alpha - \frac19)^2$, zero at the dual optimum $\alpha = \frac19$",
                Matrix([_at(2 * u1 + u2, (u1, u2), (Rational(1, 3), Rational(1, 3))),
                        _at(linf_gap, (u1, u2, *old), (Rational(1, 3), Rational(1, 3), *new))]),
                Matrix([1, Rational(9, 2) * (x_ - Rational(1, 9)) ** 2]), via=_evaluate),
        Step.eq(r"instance $p = 1$, $z = (2, 1)$, $w = (\frac12, 0)$: $z^\top w = 1$ and"
                r" $\frac12\|w\|_1^2 - (\alpha - \frac12\alpha^2\|z\|_\infty^2) ="
                r" 2(\alpha - \frac14)^2$, zero at $\alpha = \frac14$",
                Matrix([_at(2 * u1 + u2, (u1, u2), (Rational(1, 2), 0)),
                        _at(l1_gap, (u1, u2, *old), (Rational(1, 2), 0, *new))]),
                Matrix([1, 2 * (x_ - Rational(1, 4)) ** 2]), via=_evaluate),
    ]


register(Lemma(
    name="geometry.holder_dual",
    title="The l_p max-margin program, its dual and the zero gap",
    statement=(
        r"For $1 \leq p \leq \infty$ and $1/p + 1/q = 1$, the program"
        r" $\min \frac12\|w\|_p^2$ s.t. $Zw \geq 1$ has the dual"
        r" $\max_{\alpha \geq 0} \sum_n \alpha_n - \frac12\|Z^\top \alpha\|_q^2$: for feasible $w$"
        r" and $\alpha \geq 0$, $\sum\alpha \leq \alpha^\top Zw \leq \|Z^\top\alpha\|_q\|w\|_p"
        r" \leq \frac12\|Z^\top\alpha\|_q^2 + \frac12\|w\|_p^2$, so zero gap certifies"
        r" optimality, and at the optimum $\sum\alpha = \|\hat w\|_p^2$, $\|Z^\top\alpha\|_q ="
        r" \|\hat w\|_p$ (Hoelder's equality case). For one point $z > 0$,"
        r" $\hat w_i = z_i^{q-1}/\|z\|_q^q$, $\gamma_p = \|z\|_q$ and the gap is zero."
        r" General symbolic identities: weak duality for symbolic $N$; Hoelder's equality"
        r" case and the one-point solution for symbolic $p, q > 1$ and dimension $d$ (positive"
        r" entries; signs enter only through $|w_i|$). Instance checks: $z = (2, 1)$ for"
        r" $p = \infty$ and $p = 1$, exact."
    ),
    source=f"{GUNASEKAR}, Sec. 3 (max-margin w.r.t. a norm); Hoelder's inequality",
    derive=_derive_holder_dual,
))


# --------------------------------------------------------------------------------------------
# geometry.steepest_directions


def _derive_steepest_directions() -> list[Step]:
    g = sympy.Symbol("g", positive=True)
    h = sympy.Symbol("g_i", real=True)
    phi = sympy.Symbol("phi", real=True)  # v_i = cos(2 phi) ranges over [-1, 1]
    M, da, db = sympy.symbols("M a b", nonnegative=True)  # |g_1| = M, |g_2| = M - a, ...
    c = sympy.symbols("c_1:4", nonnegative=True)  # c_i = |v_i|, sum c <= 1
    i, d = sympy.symbols("i d", positive=True, integer=True)
    p = 1 + sympy.Symbol("e", positive=True)  # a general p > 1
    q = p / (p - 1)
    gi = IndexedBase("g", positive=True)
    Sq = Sum(gi[i] ** q, (i, 1, d))
    v = -gi[i] ** (q - 1) / Sq ** ((q - 1) / q)  # the Hoelder direction, coordinate i
    Q = sympy.Symbol("q", positive=True)
    gs = sympy.symbols("g_1:4", positive=True)
    vq = [-x ** (Q - 1) / sum(y**Q for y in gs) ** ((Q - 1) / Q) for x in gs]
    big = sympy.Symbol("M", positive=True)
    ratios = sympy.symbols("c_2 c_3", positive=True)  # g_i = M/(1 + c_i) < M = g_1
    top = [big, *(big / (1 + r) for r in ratios)]
    # a quadratic norm ||v||_P, P = L L^T with L lower triangular (every P > 0 has one)
    l1, l3 = sympy.symbols("l_1 l_3", positive=True)
    l2 = sympy.Symbol("l_2", real=True)
    L = Matrix([[l1, 0], [l2, l3]])
    Pm = L * L.T
    gv = Matrix(sympy.symbols("h_1:3", real=True))
    Pinv_g = Pm.inv() * gv
    dual_norm = sqrt((gv.T * Pinv_g)[0])  # ||g||_{P^{-1}}
    vP = -Pinv_g / dual_norm
    return [
        Step.eq(r"general, $\ell_\infty$, $g_i > 0$, $v_i = \cos 2\varphi \in [-1, 1]$:"
                r" $g_i v_i + |g_i| = 2 g_i \cos^2\varphi \geq 0$",
                g * cos(2 * phi) + g, 2 * g * cos(phi) ** 2, via=sympy.expand_trig),
        Step.eq(r"$\ell_\infty$, $g_i < 0$ ($g_i = -g$): $g_i v_i + |g_i| = 2 g \sin^2\varphi"
                r" \geq 0$, so $\langle g, v\rangle \geq -\|g\|_1$ on the unit ball (any $d$,"
                r" coordinatewise)",
                -g * cos(2 * phi) + g, 2 * g * sin(phi) ** 2,
                via=lambda e: sympy.expand_trig(e).subs(sin(phi) ** 2, 1 - cos(phi) ** 2)),
        Step.eq(r"and $v = -\mathrm{sign}(g)$ attains it: $g_i \cdot (-\mathrm{sign}\, g_i) ="
                r" -|g_i|$ for $g_i = \pm g$",
                Matrix([_at(-h * sympy.sign(h), h, g), _at(-h * sympy.sign(h), h, -g)]),
                Matrix([-g, -g]), via=_evaluate),
        Step.eq(r"$\ell_1$ ($d = 3$, $|g_1| = M \geq |g_2| = M - a, |g_3| = M - b$),"
                r" $c_i = |v_i|$: $M\sum c_i - \sum |g_i| c_i = a c_2 + b c_3$",
                M * sum(c) - (M * c[0] + (M - da) * c[1] + (M - db) * c[2]),
                da * c[1] + db * c[2]),
        Step.holds(r"$\geq 0$, so $\langle g, v\rangle \geq -\sum|g_i||v_i| \geq -M\|v\|_1 \geq"
                   r" -\|g\|_\infty$, attained by $v = -\mathrm{sign}(g_1) e_1$",
                   _ge(da * c[1] + db * c[2])),
        Step.eq(r"general $p > 1$, $d$, $g > 0$: the Hoelder direction"
                r" $v_i = -g_i^{q-1}/\|g\|_q^{q-1}$ has $\|v\|_p = 1$",
                Sum(Abs(v) ** p, (i, 1, d)), 1, via=norm_powers),
        Step.eq(r"and $\langle g, v\rangle = -\|g\|_q$",
                Sum(gi[i] * v, (i, 1, d)), -Sq ** (1 / q), via=norm_powers),
        Step.eq(r"$p \to \infty$ ($q \to 1$), $d = 3$, any $g > 0$: the Hoelder direction tends"
                r" to $-\mathrm{sign}(g)$ (sign descent)",
                Matrix([Limit(e, Q, 1, "+") for e in vq]), Matrix([-1, -1, -1]),
                via=_evaluate),
        Step.holds(r"$p \to 1$ ($q \to \infty$), $d = 3$, a unique largest entry"
                   r" $g_1 = M > g_i = M/(1 + c_i)$: $\|g\|_q^q - M^q \geq 0$, so for $i \geq 2$"
                   r" $|v_i| = (g_i/\|g\|_q)^{q-1} \leq (1 + c_i)^{1-q}$",
                   _ge(sum(x**Q for x in top) - big**Q)),
        Step.eq(r"and $|v_i|^p = (1 + c_i)^{-q}$ at most, as $p(q - 1) = q$; with $\|v\|_p = 1$,"
                r" $1 \geq |v_1| \geq |v_1|^p \geq 1 - \sum_{i \geq 2} (1 + c_i)^{-q}$",
                p * (q - 1), q),
        Step.eq(r"the bounds tend to $0$, $0$ and $1$ as $q \to \infty$: the direction tends to"
                r" $-e_1$, $1 = \arg\max|g_i|$ (greedy coordinate descent)",
                Matrix([Limit((1 + ratios[0]) ** (1 - Q), Q, oo),
                        Limit((1 + ratios[1]) ** (1 - Q), Q, oo),
                        Limit(1 - sum((1 + r) ** -Q for r in ratios), Q, oo)]),
                Matrix([0, 0, 1]), via=_evaluate),
        Step.eq(r"quadratic norm $\|v\|_P = \sqrt{v^\top P v}$, general $2 \times 2$ $P = LL^\top"
                r" \succ 0$: $v = -P^{-1}g/\|g\|_{P^{-1}}$ has $v^\top P v = 1$",
                (vP.T * Pm * vP)[0], 1),
        Step.eq(r"and $\langle g, v\rangle = -\|g\|_{P^{-1}}$ (the preconditioned step"
                r" $\|g\|_* v = -P^{-1}g$)",
                (gv.T * vP)[0], -dual_norm),
    ]


register(Lemma(
    name="geometry.steepest_directions",
    title="Steepest-descent directions: sign, greedy coordinate, Hoelder, preconditioned",
    statement=(
        r"$\min_{\|v\|_\infty \leq 1} \langle g, v\rangle = -\|g\|_1$ at $v = -\mathrm{sign}(g)$"
        r" (sign descent; general, coordinatewise, any $d$); $\min_{\|v\|_1 \leq 1}"
        r" \langle g, v\rangle = -\|g\|_\infty$ at $v = -\mathrm{sign}(g_i)e_i$,"
        r" $i \in \arg\max|g_i|$ (greedy coordinate descent; general for $d = 3$); for"
        r" $1 < p < \infty$ the minimizer is $v_i = -\mathrm{sign}(g_i)|g_i|^{q-1}/\|g\|_q^{q-1}$"
        r" with value $-\|g\|_q$ (general symbolic $p$ and $d$, $g > 0$), which tends to the"
        r" sign direction as $p \to \infty$ and to the greedy coordinate as $p \to 1$ (general"
        r" $g > 0$ in $d = 3$, with a unique largest entry for $p \to 1$); for"
        r" $\|v\|_P = \sqrt{v^\top P v}$ it is $-P^{-1}g/\|g\|_{P^{-1}}$ (general symbolic"
        r" $2 \times 2$ $P \succ 0$), so steepest descent w.r.t. $\|\cdot\|_P$ is preconditioned"
        r" gradient descent. No instance checks."
    ),
    source=f"{GUNASEKAR}, Sec. 3 (steepest descent; l1 = coordinate descent, l-inf = sign"
    " gradient descent)",
    derive=_derive_steepest_directions,
))


# --------------------------------------------------------------------------------------------
# geometry.mirror_map


def _evaluate_powers(expr):
    return _combine(expr.doit())


def _derive_mirror_map() -> list[Step]:
    e = sympy.Symbol("e", positive=True)
    p = 1 + e  # a general p > 1
    q = p / (p - 1)
    u = sympy.Symbol("w", positive=True)
    wneg = sympy.Symbol("w", negative=True)
    t = sympy.Symbol("theta", positive=True)
    psi = u**p / p
    grad = u ** (p - 1)  # the mirror map on w > 0
    inv = t ** (1 / (p - 1))
    conj = t**q / q
    w, w0 = sympy.symbols("w w_0", positive=True)
    ent = w * log(w) - w
    breg = (ent - _at(ent, w, w0)
            - _at(Derivative(ent, w), w, w0) * (w - w0))
    return [
        Step.eq(r"general $p > 1$, $w > 0$: $\frac{d}{dw}\frac{|w|^p}{p} = w^{p-1}$",
                Derivative(psi, u), grad, via=_evaluate),
        Step.eq(r"$w < 0$: $\frac{d}{dw}\frac{|w|^p}{p} = \mathrm{sign}(w)|w|^{p-1}$",
                Derivative(Abs(wneg) ** p / p, wneg), -((-wneg) ** (p - 1)), via=_evaluate),
        Step.eq(r"inverse mirror map: $\theta^{1/(p-1)}$ at $\theta = w^{p-1}$ is $w$",
                _at(inv, t, grad), u, via=_evaluate),
        Step.eq(r"and $w^{p-1}$ at $w = \theta^{1/(p-1)}$ is $\theta$",
                _at(grad, u, inv), t, via=_evaluate),
        Step.eq(r"the inverse is the gradient of the conjugate $\psi^*(\theta) = \theta^q/q$,"
                r" $q = p/(p-1)$", Derivative(conj, t), inv, via=_evaluate_powers),
        Step.eq(r"Fenchel-Young equality $\psi(w) + \psi^*(\psi'(w)) = w\,\psi'(w)$",
                psi + _at(conj, t, grad), u * grad, via=_evaluate_powers),
        Step.eq(r"instance $p = 2$: the mirror map is the identity (p-GD is GD)",
                _at(Derivative(psi, u), e, 1), u, via=_evaluate),
        Step.eq(r"general, entropy $\psi(w) = w\log w - w$: $\psi'(w) = \log w$, inverse"
                r" $e^\theta$",
                Matrix([Derivative(ent, w), _at(exp(t), t, log(w))]), Matrix([log(w), w]),
                via=_evaluate),
        Step.eq(r"its Bregman divergence $\psi(w) - \psi(w_0) - \psi'(w_0)(w - w_0)$ is the"
                r" generalized KL divergence $w\log(w/w_0) - w + w_0$",
                breg, w * log(w / w0) - w + w0,
                via=lambda expr: sympy.expand_log(expr.doit(), force=True)),
    ]


register(Lemma(
    name="geometry.mirror_map",
    title="The mirror maps of p-GD and of exponentiated gradient",
    statement=(
        r"For $\psi(w) = \frac1p\sum_i|w_i|^p$, $p > 1$: "
        r"$\nabla\psi(w)_i = \mathrm{sign}(w_i)|w_i|^{p-1}$, with inverse"
        r" $\theta \mapsto \mathrm{sign}(\theta)|\theta|^{1/(p-1)} = \nabla\psi^*(\theta)$,"
        r" $\psi^*(\theta) = \frac1q\sum|\theta_i|^q$, and Fenchel-Young holds with equality at"
        r" $\theta = \nabla\psi(w)$; so p-GD, $\nabla\psi(w_{t+1}) = \nabla\psi(w_t) - \eta g_t$,"
        r" is a coordinatewise update (GD for $p = 2$). For the negative entropy"
        r" $\psi(w) = \sum w_i\log w_i - w_i$ the map is $\log w$, its inverse $e^\theta$ and"
        r" $D_\psi(w, w_0) = \sum w_i\log(w_i/w_{0,i}) - w_i + w_{0,i}$. General symbolic"
        r" identities in $p$ (one coordinate, both signs of $w$; the inverse and the"
        r" conjugate on $\theta > 0$, odd symmetry giving $\theta < 0$); instance check:"
        r" $p = 2$."
    ),
    source="Sun, Ahn, Thrampoulidis and Azizan, NeurIPS 2022 (p-GD); "
    f"{GUNASEKAR}, Sec. 2 (mirror descent)",
    derive=_derive_mirror_map,
))


# --------------------------------------------------------------------------------------------
# geometry.bregman_optimality


def _derive_bregman_optimality() -> list[Step]:
    f = sympy.Function("f")
    a, b, c = sympy.symbols("a b c", real=True)
    s = sympy.Symbol("s", real=True)

    def fp(x):  # f'(x), unevaluated
        return Subs(Derivative(f(s), s), s, x)

    def D(x, y):
        return f(x) - f(y) - fp(y) * (x - y)

    x1, x2 = sympy.symbols("x_1 x_2", nonzero=True)
    y, lam = sympy.symbols("y lambda", real=True)
    w1, v1 = sympy.symbols("w_1 v_1", real=True)
    w0s = sympy.symbols("w0_1 w0_2", real=True)
    w2 = sympy.Symbol("w_2", real=True)
    wv = [w1, (y - x1 * w1) / x2]      # a feasible w (x^T w = y)
    vv = [v1, (y - x1 * v1) / x2]      # any other feasible w'
    lag = (sum(D(wi, wi0) for wi, wi0 in zip([w1, w2], w0s, strict=True))
           - lam * (x1 * w1 + x2 * w2 - y))
    # sum_i (f'(w_i) - f'(w0_i))(w'_i - w_i) with f'(w_i) - f'(w0_i) = lambda x_i
    cross = sum(lam * xi * (vi - wi) for xi, vi, wi in zip([x1, x2], vv, wv, strict=True))
    rows, cols = sympy.symbols("n d", positive=True, integer=True)
    X = MatrixSymbol("X", rows, cols)
    w0 = MatrixSymbol("w_0", cols, 1)
    yv = MatrixSymbol("y", rows, 1)
    wl2 = w0 + X.T * (X * X.T).I * (yv - X * w0)
    proj = Identity(cols) - X.T * (X * X.T).I * X
    pa, pb = sympy.symbols("a b", positive=True)
    tt = sympy.Symbol("t", positive=True)
    e1, e2 = sympy.symbols("w_1 w_2", positive=True)
    went = (pa / (pa + pb), pb / (pa + pb))

    def kl(ww, vv_):
        return sum(x * log(x / z) - x + z for x, z in zip(ww, vv_, strict=True))

    return [
        Step.eq(r"general three-point identity ($\psi$ separable, one coordinate, any $C^1$"
                r" $f$): $D(c, b) - D(a, b) - D(c, a) = (f'(a) - f'(b))(c - a)$",
                D(c, b) - D(a, b) - D(c, a), (fp(a) - fp(b)) * (c - a)),
        Step.eq(r"general $f$, $d = 2$: the Lagrangian $D_\psi(w, w_0) - \lambda(x^\top w - y)$"
                r" is stationary iff $f'(w_i) - f'(w_{0,i}) = \lambda x_i$, i.e."
                r" $\nabla\psi(w) - \nabla\psi(w_0) \in \mathrm{row}(X)$",
                Matrix([Derivative(lag, wi) for wi in (w1, w2)]),
                Matrix([fp(wi) - fp(wi0) - lam * xi for wi, wi0, xi in
                        zip([w1, w2], w0s, [x1, x2], strict=True)]), via=_evaluate),
        Step.eq(r"sufficiency: for feasible $w, w'$ the cross term"
                r" $\sum_i (f'(w_i) - f'(w_{0,i}))(w'_i - w_i) = \lambda x^\top(w' - w) = 0$,"
                r" so $D(w', w_0) = D(w, w_0) + D(w', w) \geq D(w, w_0)$", cross, 0),
        Step.eq(r"general $X \in \mathbb{R}^{n \times d}$ (symbolic, $XX^\top$ invertible),"
                r" $\psi = \frac12\|w\|^2$: $w = w_0 + X^\top(XX^\top)^{-1}(y - Xw_0)$"
                r" interpolates", X * wl2, yv),
        Step.eq(r"and $w - w_0 \in \mathrm{row}(X)$: $(I - X^\top(XX^\top)^{-1}X)(w - w_0) = 0$",
                proj * (wl2 - w0), ZeroMatrix(cols, 1)),
        Step.eq(r"instance: entropy, $x = (1, 1)$, $y = 1$, $w_0 = (a, b) > 0$ (symbolic):"
                r" $w = w_0/(a + b)$ interpolates", _at(e1 + e2, (e1, e2), went), 1,
                via=_evaluate),
        Step.eq(r"and $\log w - \log w_0 = -\log(a + b)(1, 1) \in \mathrm{row}(X)$",
                Matrix([log(went[0]) - log(pa), log(went[1]) - log(pb)]),
                Matrix([-log(pa + pb), -log(pa + pb)]),
                via=lambda expr: sympy.expand_log(expr, force=True)),
        Step.eq(r"Pythagoras for the entropy instance: $D(w', w_0) - D(w, w_0) = D(w', w)$"
                r" for every feasible $w' = (t, 1 - t)$",
                kl([tt, 1 - tt], [pa, pb]) - kl(went, [pa, pb]),
                kl([tt, 1 - tt], went), via=lambda expr: sympy.expand_log(expr, force=True)),
    ]


register(Lemma(
    name="geometry.bregman_optimality",
    title="Optimality of the Bregman interpolant",
    statement=(
        r"$w = \arg\min D_\psi(w, w_0)$ s.t. $Xw = y$ ($\psi$ strictly convex, separable) iff"
        r" $Xw = y$ and $\nabla\psi(w) - \nabla\psi(w_0) = X^\top\lambda$ for some $\lambda$:"
        r" necessity is Lagrangian stationarity, sufficiency the three-point identity"
        r" $D(w', w_0) = D(w, w_0) + D(w', w) + \langle\nabla\psi(w) - \nabla\psi(w_0),"
        r" w' - w\rangle$, whose last term vanishes on $\{Xw' = y\}$ (general identities for"
        r" an arbitrary $C^1$ $f$, checked for one constraint in $d = 2$). Closed form for"
        r" $\psi = \frac12\|w\|^2$: $w_0 + X^\top(XX^\top)^{-1}(y - Xw_0)$ (general, symbolic"
        r" $X \in \mathbb{R}^{n\times d}$ with $XX^\top$ invertible). Instance check (entropy,"
        r" symbolic $w_0 = (a, b) > 0$): the KL projection of $w_0$ on $\{w_1 + w_2 = 1\}$ is"
        r" $w_0/(a + b)$."
    ),
    source=f"{GUNASEKAR}, Sec. 2 (mirror descent converges to argmin D_psi(w, w0) s.t. Xw = y)",
    derive=_derive_bregman_optimality,
))


# --------------------------------------------------------------------------------------------
# geometry.one_point_regression


def _geometric_sum_steps(rho, K, label: str) -> list[Step]:
    """S_K = (1 - rho^K)/(1 - rho) = sum_{j<K} rho^j by induction (S_0 = 0, S_{K+1} - S_K =
    rho^K)."""
    S = (1 - rho**K) / (1 - rho)
    return [
        Step.eq(rf"{label}: $S_K = \frac{{1 - \rho^K}}{{1 - \rho}}$ has $S_0 = 0$",
                _at(S, K, 0), 0, via=_evaluate),
        Step.eq(rf"{label}: and $S_{{K+1}} - S_K = \rho^K$, so $S_K = \sum_{{j<K}}\rho^j$"
                r" (induction on $K$)",
                _at(S, K, K + 1) - S, rho**K, via=_evaluate),
    ]


def _derive_one_point() -> list[Step]:
    x1, x2 = sympy.symbols("x_1 x_2", positive=True)
    eta = sympy.Symbol("eta", positive=True)
    r = sympy.Symbol("r", real=True)
    rp = sympy.Symbol("r", positive=True)
    rn = sympy.Symbol("r", negative=True)
    K = sympy.Symbol("K", integer=True, nonnegative=True)
    rho = sympy.Symbol("rho", positive=True)
    r0 = sympy.Symbol("r_0", real=True)
    n1 = x1 + x2  # ||x||_1 (x > 0)
    a = sympy.Symbol("a", positive=True)  # x_1 = x_2 + a: argmax |x_i| = 1
    m = sympy.Symbol("m", nonnegative=True)
    tt = sympy.symbols("t_1:3", nonnegative=True)
    g = [r * x1, r * x2]
    sign_step = [-(Abs(g[0]) + Abs(g[1])) * sympy.sign(gi) for gi in g]
    return [
        Step.eq(r"general $\ell_\infty$, $x > 0$, $g = r x$: the step"
                r" $-\|g\|_1\mathrm{sign}(g) = -r\|x\|_1 (1, 1)$ for $r > 0$",
                Matrix([_at(e, r, rp) for e in sign_step]), -rp * n1 * Matrix([1, 1]),
                via=_evaluate),
        Step.eq(r"and for $r < 0$ (the direction never changes)",
                Matrix([_at(e, r, rn) for e in sign_step]), -rn * n1 * Matrix([1, 1]),
                via=_evaluate),
        Step.eq(r"the residual obeys $r \leftarrow r + \eta x^\top\Delta = (1 - \eta\|x\|_1^2) r$",
                r + eta * (x1 * (-r * n1) + x2 * (-r * n1)), (1 - eta * n1**2) * r),
        *_geometric_sum_steps(rho, K, "geometric sums"),
        Step.eq(r"total displacement along $-(1,1)$, $K \to \infty$ for"
                r" $0 < \eta < 2/\|x\|_1^2$ ($|\rho| < 1$, $\rho^K \to 0$, $S_\infty ="
                r" 1/(1 - \rho)$): $\eta r_0\|x\|_1 S_\infty = r_0/\|x\|_1$ at"
                r" $\rho = 1 - \eta\|x\|_1^2$, free of $\eta$",
                _at(eta * r0 * n1 / (1 - rho), rho, 1 - eta * n1**2), r0 / n1, via=_evaluate),
        Step.eq(r"it is a min-$\ell_\infty$ interpolant: for $\|u\|_\infty = m$ write"
                r" $u_i = m(1 - 2t_i)$, $t_i \in [0, 1]$: $m\|x\|_1 - x^\top u = 2m\sum_i"
                r" x_i t_i$",
                m * n1 - (x1 * m * (1 - 2 * tt[0]) + x2 * m * (1 - 2 * tt[1])),
                2 * m * (x1 * tt[0] + x2 * tt[1])),
        Step.holds(r"which is $\geq 0$ (and the same for $-u$), so $|x^\top u| \leq"
                   r" \|x\|_1\|u\|_\infty$ and $\|w - w_0\|_\infty \geq |r_0|/\|x\|_1$ on the"
                   r" interpolants, with equality at the limit",
                   _ge(2 * m * (x1 * tt[0] + x2 * tt[1]))),
        Step.eq(r"$\ell_1$, $x_1 = x_2 + a > x_2 > 0$: coordinate 1 always wins,"
                r" $|r x_1| - |r x_2| = |r| a > 0$ (both signs of $r \neq 0$)",
                Matrix([_at(Abs(r * (x2 + a)) - Abs(r * x2), r, rr) for rr in (rp, rn)]),
                Matrix([rp * a, -rn * a]), via=_evaluate),
        Step.eq(r"so $r \leftarrow (1 - \eta x_1^2) r$ and the displacement $\eta r_0 x_1 /"
                r" (1 - \rho) = r_0/x_1$ ($\rho = 1 - \eta x_1^2$) on $e_1$ is free of $\eta$:"
                r" $w_\infty = w_0 - (r_0/x_1) e_1$, the min-$\ell_1$ interpolant",
                _at(eta * r0 * (x2 + a) / (1 - rho), rho, 1 - eta * (x2 + a) ** 2),
                r0 / (x2 + a), via=_evaluate),
    ]


register(Lemma(
    name="geometry.one_point_regression",
    title="With one example, steepest descent in regression ends at a min-norm interpolant",
    statement=(
        r"For $n = 1$ and the square loss $\frac12(x^\top w - y)^2$, every step of steepest"
        r" descent w.r.t. $\ell_\infty$ (sign descent) moves along the fixed vector"
        r" $\mathrm{sign}(x)$ and every step w.r.t. $\ell_1$ (greedy coordinate) along"
        r" $e_{\arg\max|x_i|}$; the residual contracts by $1 - \eta\|x\|_*^2$, and the limit"
        r" $w_0 - (r_0/\|x\|_*)v^*$ ($r_0 = x^\top w_0 - y$) does not depend on"
        r" $\eta \in (0, 2/\|x\|_*^2)$ and minimizes $\|w - w_0\|$ over the interpolants."
        r" General symbolic identities for $d = 2$, $x > 0$ (symbolic $x$, $\eta$, $r_0$, $K$;"
        r" other signs of $x$ by reflecting coordinates), both norms; no instance. So the"
        r" conjecture that steepest descent in regression ends at the min-norm interpolant of"
        r" its norm holds for one example; counterexamples need $n \geq 2$."
    ),
    source=f"{GUNASEKAR}, Sec. 2 (steepest descent in regression); contrast SPEC section 6",
    derive=_derive_one_point,
))


# --------------------------------------------------------------------------------------------
# geometry.counterexample_l1 / geometry.counterexample_linf


def _iterate_phase_one(norm: str, eta: Rational, a: int, b: int) -> tuple[int, Matrix]:
    """Iterate steepest descent exactly from w = 0 while r_1, r_2 < 0: (steps K, w after them).

    l1: w_i -= eta g_i on the (unique) coordinate of largest |g_i|; linf: w -= eta ||g||_1
    sign(g). Raises if phase 1 does not choose coordinate 3 (l1) or the sign (-, -, -) (linf).
    """
    X, y = COUNTEREXAMPLE_X, Matrix([a, b])
    w = sympy.zeros(3, 1)
    steps = 0
    while True:
        r = X * w - y
        if not (r[0] < 0 and r[1] < 0):
            return steps, w
        g = X.T * r
        if norm == "l1":
            biggest = max(range(3), key=lambda k: abs(g[k]))
            if biggest != 2 or sorted(abs(v) for v in g)[1] == abs(g[2]):
                raise ArithmeticError("phase 1 must update coordinate 3 alone")
            w[2] -= eta * g[2]
        else:
            if any(v >= 0 for v in g):
                raise ArithmeticError("phase 1 must have g < 0")
            w -= eta * sum(abs(v) for v in g) * g.applyfunc(sympy.sign)
        steps += 1


def _norm_cases(a, b, t, b_value):
    """||(a - t, b - t, t)||_1 - a in the four orderings of t against 0 < b < a (real symbols
    a, b, t; b_value a positive symbol)."""
    c, u = sympy.symbols("c u", nonnegative=True)
    d, tau = sympy.Symbol("d", positive=True), sympy.Symbol("tau", nonnegative=True)
    excess = Abs(a - t) + Abs(b - t) + Abs(t) - a
    cases = [  # b <= t <= a; 0 <= t <= b; t < 0; t > a
        ((a, b, t), (b_value + c + u, b_value, b_value + c)),
        ((a, b, t), (tau + c + u, tau + c, tau)),
        ((a, b, t), (b_value + u, b_value, -d)),
        ((a, b, t), (b_value + u, b_value, b_value + u + d)),
    ]
    return (Matrix([_at(excess, old, new) for old, new in cases]),
            Matrix([c, c, b_value + 3 * d, u + 3 * d]))


def _derive_counterexample(norm: str) -> list[Step]:
    X = COUNTEREXAMPLE_X
    r1n, r2n = sympy.symbols("r_1 r_2", negative=True)
    r1, r2 = sympy.symbols("r_1 r_2", real=True)
    s, D = sympy.symbols("s D", real=True)
    eta = sympy.Symbol("eta", positive=True)
    u, v, cc = sympy.symbols("u v c", positive=True)
    a, b, w3 = sympy.symbols("a b w_3", positive=True)
    K = sympy.Symbol("K", integer=True, nonnegative=True)
    rho = sympy.Symbol("rho", positive=True)
    ar, br, tr = sympy.symbols("a b t", real=True)
    r = Matrix([(s + D) / 2, (s - D) / 2])
    y = Matrix([a, b])
    A, B = 4, 1
    steps: list[Step] = []
    if norm == "l1":
        g_phase1 = X.T * Matrix([r1n, r2n])
        new_r = r - eta * (X.T * r)[2] * X[:, 2]
        w3K = (a + b) * (1 - rho**K) / 2
        wlim = Matrix([a - w3K, b - w3K, w3K])
        excess, values = _norm_cases(ar, br, tr, b)
        steps += [
            Step.holds(r"general: phase 1 ($r_1, r_2 < 0$): coordinate 3 wins,"
                       r" $|g_3| > |g_1|$", _gt(Abs(g_phase1[2]) - Abs(g_phase1[0]))),
            Step.holds(r"and $|g_3| > |g_2|$", _gt(Abs(g_phase1[2]) - Abs(g_phase1[1]))),
            Step.eq(r"a coordinate-3 step $r \leftarrow r - \eta g_3 X_{:,3}$ maps"
                    r" $(s, D) = (r_1 + r_2, r_1 - r_2)$ to $((1 - 2\eta)s, D)$",
                    Matrix([new_r[0] + new_r[1], new_r[0] - new_r[1]]),
                    Matrix([(1 - 2 * eta) * s, D])),
            *_geometric_sum_steps(rho, K, "phase 1"),
            Step.eq(r"so after $K$ steps ($s_0 = -(a + b)$, $\rho = 1 - 2\eta$)"
                    r" $w_3 = \eta(a + b)S_K = \frac12(a + b)(1 - \rho^K)$",
                    _at(eta * (a + b) * (1 - rho**K) / (1 - rho), rho, 1 - 2 * eta),
                    (a + b) * (1 - (1 - 2 * eta) ** K) / 2, via=_evaluate),
            Step.holds(r"phase 2 ($r_1 = -u < 0 < r_2 = v$, $u = v + c$): $|g_3| = |r_1 + r_2|"
                       r" < |g_1|$, coordinate 3 never returns",
                       _lt(Abs(-(v + cc) + v) - (v + cc))),
            Step.holds(r"(and for $v = u + c$: $|g_3| < |g_2|$); coordinates 1, 2 scale"
                       r" $r_i$ by $1 - \eta > 0$, keeping the signs",
                       _lt(Abs(-u + (u + cc)) - (u + cc))),
            Step.eq(r"so the limit is $(a - w_3, b - w_3, w_3)$, and it interpolates",
                    _product(X, wlim), y),
            Step.eq(r"on the interpolants $(a - t, b - t, t)$ ($0 < b < a$), in the four"
                    r" orderings of $t$ against $0, b, a$: $\|w\|_1 - a = c, c, b + 3d, u + 3d"
                    r" \geq 0$ ($b \leq t = b + c \leq a$; $t \leq b = t + c$; $t = -d < 0$;"
                    r" $t = a + d > a$): the unique min-$\ell_1$ interpolant is $t = b$,"
                    r" $(a - b, 0, b)$, value $a$",
                    excess, values, via=_evaluate),
            Step.eq(r"the limit has $w_3 - b = \frac12((a - b) - (a + b)\rho^K) > 0$ (phase 1"
                    r" ended: $(a + b)\rho^K < a - b$), so it is never the minimizer",
                    w3K - b, ((a - b) - (a + b) * rho**K) / 2),
        ]
        lrs = (Rational(1, 4), Rational(1, 8))
        runs = [_iterate_phase_one("l1", e, A, B) for e in lrs]
        instance = [{a: A, b: B, rho: 1 - 2 * e, K: k} for e, (k, _) in zip(lrs, runs,
                                                                            strict=True)]
        limits = [wlim.subs(inst) for inst in instance]
        n1 = [sum(Abs(x) for x in wv) for wv in limits]
        steps += [
            Step.eq(r"instance $a = 4, b = 1$, $\eta = \frac14, \frac18$: iterating phase 1"
                    r" exactly (rational arithmetic) takes $K = 1, 2$ steps and leaves"
                    r" $w = (0, 0, w_3)$ with $w_3$ the closed form at that $K$",
                    Matrix.hstack(*(w for _, w in runs)),
                    Matrix([[0, 0], [0, 0], [_at(w3K, tuple(inst), tuple(inst.values()))
                                             for inst in instance]]), via=_evaluate),
            Step.eq(r"so the limits are $(\frac{11}4, -\frac14, \frac54)$ and $(\frac{93}{32},"
                    r" -\frac3{32}, \frac{35}{32})$",
                    Matrix.hstack(*(Matrix([_at(x, tuple(inst), tuple(inst.values()))
                                            for x in wlim]) for inst in instance)),
                    Matrix([[Rational(11, 4), Rational(93, 32)],
                            [Rational(-1, 4), Rational(-3, 32)],
                            [Rational(5, 4), Rational(35, 32)]]), via=_evaluate),
            Step.holds(r"different limits, both above the minimum $\|w\|_1 = 4$:"
                       r" $\frac{17}4 > \frac{131}{32} > 4$",
                       sympy.And(_gt(n1[0], n1[1]), _gt(n1[1], 4))),
        ]
        return steps
    # l-inf: sign descent, step -||g||_1 sign(g)

    def step_of(r_):
        g = X.T * r_
        return -sum(Abs(x) for x in g) * g.applyfunc(sympy.sign)

    generic = step_of(Matrix([r1, r2]))
    moved = Matrix([r1, r2]) + eta * X * generic  # the residual after one step
    ones = Matrix([1, 1, 1])
    new_r = r + eta * X * (2 * (-s)) * ones  # phase 1 step with ||g||_1 = -2 s
    c_ = (a + b) * (1 - rho**K) / 4
    w3K = c_ + (a + b) * rho**K / 2
    wlim = Matrix([c_ + (a - b) / 2, c_ - (a - b) / 2, w3K])
    tt, dd = sympy.Symbol("t", real=True), sympy.Symbol("d", real=True)
    tau, gap = sympy.Symbol("tau", nonnegative=True), sympy.Symbol("d", positive=True)
    phase2 = [(Matrix([-(v + cc), v]), Matrix([1, -1, 1]), 0),   # |r_1| > |r_2|
              (Matrix([-u, u + cc]), Matrix([1, -1, -1]), 1)]   # |r_2| > |r_1|
    steps += [
        Step.eq(r"general: phase 1 ($r_1, r_2 < 0$): the sign step is $2|s|(1, 1, 1)$,"
                r" $s = r_1 + r_2$",
                Matrix([_at(e, (r1, r2), (r1n, r2n)) for e in generic]),
                -2 * (r1n + r2n) * ones, via=_evaluate),
        Step.eq(r"an $\eta$-step maps $(s, D)$ to $((1 - 8\eta)s, D)$",
                Matrix([new_r[0] + new_r[1], new_r[0] - new_r[1]]),
                Matrix([(1 - 8 * eta) * s, D])),
        *_geometric_sum_steps(rho, K, "phase 1"),
        Step.eq(r"so after $K$ steps ($s_0 = -(a + b)$, $\rho = 1 - 8\eta$) w moves by"
                r" $c(1,1,1)$, $c = 2\eta(a + b)S_K = \frac14(a + b)(1 - \rho^K)$",
                _at(2 * eta * (a + b) * (1 - rho**K) / (1 - rho), rho, 1 - 8 * eta),
                (a + b) * (1 - (1 - 8 * eta) ** K) / 4, via=_evaluate),
    ]
    for (rr, direction, moving), label in zip(phase2, (
            r"phase 2, $|r_1| > |r_2|$ ($r = (-(v + c), v)$): the step is $2\eta|r_1|(1, -1, 1)$"
            r" and only $r_1$ moves: $r_1 \leftarrow (1 - 4\eta) r_1$",
            r"$|r_2| > |r_1|$ ($r = (-u, u + c)$): the step is $2\eta|r_2|(1, -1, -1)$ and"
            r" $r_2 \leftarrow (1 - 4\eta) r_2$ (signs kept for $\eta < 1/4$)"), strict=True):
        after = Matrix(rr)
        after[moving] = (1 - 4 * eta) * rr[moving]
        steps.append(Step.eq(
            label,
            Matrix([_at(e, (r1, r2), tuple(rr)) for e in (*generic, *moved)]),
            Matrix([*(2 * Abs(rr[moving]) * direction), *after]), via=_evaluate))
    steps += [
        Step.eq(r"so the limit is $(c + \frac{a-b}2, c - \frac{a-b}2, c + \frac{(a+b)\rho^K}2)$"
                r" and it interpolates", _product(X, wlim), y),
        Step.eq(r"on the interpolants $(a - t, b - t, t)$: $|a - t| + |t| - a = 2d, 0, 2d \geq 0$"
                r" for $t = -d < 0$, $0 \leq t = \tau \leq a = \tau + c$, $t = a + d > a$, so"
                r" $\max(|a - t|, |t|) \geq a/2$",
                Matrix([_at(Abs(ar - tt) + Abs(tt) - ar, (ar, tt), case) for case in
                        ((u, -gap), (tau + cc, tau), (u, u + gap))]),
                Matrix([2 * gap, 0, 2 * gap]), via=_evaluate),
        Step.eq(r"$(a - t)^2 - t^2 = a(a - 2t)$: $|a - t| = |t|$ only at $t = a/2$, elsewhere"
                r" $\max(|a - t|, |t|) > \frac12(|a - t| + |t|) \geq a/2$",
                _at((ar - tt) ** 2 - tt**2, tt, ar / 2 + dd), -2 * ar * dd, via=_evaluate),
        Step.eq(r"and at $t = a/2$ ($b = a - c$, $0 < b < a$): $|a - t| = |t| = a/2$ and"
                r" $(b - t)^2 - t^2 = -bc < 0$: the unique min-$\ell_\infty$ interpolant is"
                r" $(a/2, b - a/2, a/2)$, value $a/2$",
                Matrix([_at(Abs(ar - tt), (ar, tt), (b + cc, (b + cc) / 2)),
                        _at(Abs(tt), (ar, tt), (b + cc, (b + cc) / 2)),
                        _at((br - tt) ** 2 - tt**2, (ar, br, tt), (b + cc, b, (b + cc) / 2))]),
                Matrix([(b + cc) / 2, (b + cc) / 2, -b * cc]), via=_evaluate),
        Step.eq(r"the limit has $a/2 - w_3 = \frac14((a - b) - (a + b)\rho^K) > 0$ (phase 1"
                r" ended), so it is never the minimizer", a / 2 - w3K,
                ((a - b) - (a + b) * rho**K) / 4),
    ]
    lrs = (Rational(1, 16), Rational(1, 32))
    runs = [_iterate_phase_one("linf", e, A, B) for e in lrs]
    instance = [{a: A, b: B, rho: 1 - 8 * e, K: k} for e, (k, _) in zip(lrs, runs, strict=True)]
    limits = [wlim.subs(inst) for inst in instance]
    ninf = [max(Abs(x) for x in wv) for wv in limits]
    steps += [
        Step.eq(r"instance $a = 4, b = 1$, $\eta = \frac1{16}, \frac1{32}$: iterating phase 1"
                r" exactly takes $K = 1, 2$ steps and leaves $w = c(1, 1, 1)$ with $c$ the"
                r" closed form at that $K$",
                Matrix.hstack(*(w for _, w in runs)),
                Matrix.hstack(*(Matrix([_at(c_, tuple(inst), tuple(inst.values()))] * 3)
                                for inst in instance)), via=_evaluate),
        Step.eq(r"so the limits are $(\frac{17}8, -\frac78, \frac{15}8)$ and $(\frac{131}{64},"
                r" -\frac{61}{64}, \frac{125}{64})$",
                Matrix.hstack(*(Matrix([_at(x, tuple(inst), tuple(inst.values()))
                                        for x in wlim]) for inst in instance)),
                Matrix([[Rational(17, 8), Rational(131, 64)],
                        [Rational(-7, 8), Rational(-61, 64)],
                        [Rational(15, 8), Rational(125, 64)]]), via=_evaluate),
        Step.holds(r"different limits, both above the minimum $\|w\|_\infty = 2$:"
                   r" $\frac{17}8 > \frac{131}{64} > 2$",
                   sympy.And(_gt(ninf[0], ninf[1]), _gt(ninf[1], 2))),
    ]
    return steps


_CE_STATEMENT = (
    r"On $X = \begin{pmatrix}1&0&1\\0&1&1\end{pmatrix}$, $y = (a, b)$, $a > b > 0$, $w_0 = 0$,"
    r" square loss, write $s = r_1 + r_2$, $D = r_1 - r_2$. {body} The limit depends on"
    r" $\eta$ through $\rho^K$, $K = \min\{{k \geq 1 : (a + b)\rho^k < a - b\}}$, and is never"
    r" the min-norm interpolant (that would need the tie $(a + b)\rho^K = a - b$). General"
    r" symbolic identities in $a$, $b$, $\eta$, $K$ and the residuals (each phase case by"
    r" case in the signs). Instance check: $a = 4$, $b = 1$ with two steps, phase 1 iterated"
    r" exactly in rational arithmetic against the closed form. This refutes the conjecture"
    r" that steepest descent in regression converges to the min-norm interpolant of its norm."
)

register(Lemma(
    name="geometry.counterexample_l1",
    title="Greedy coordinate descent in regression: the limit depends on the step",
    statement=_CE_STATEMENT.replace("{body}", (
        r"$\ell_1$ steepest descent (greedy coordinate descent, $0 < \eta < 1/2$): while"
        r" $r_1, r_2 < 0$ it updates $w_3$ and $s \leftarrow (1 - 2\eta)s$; afterwards only"
        r" $w_1, w_2$ move, so $w_\infty = (a - w_3, b - w_3, w_3)$ with"
        r" $w_3 = \frac12(a + b)(1 - \rho^K) > b$, $\rho = 1 - 2\eta$, while the unique"
        r" min-$\ell_1$ interpolant is $(a - b, 0, b)$.")).replace("{{", "{").replace("}}", "}"),
    source=f"{GUNASEKAR}, Sec. 2 (steepest descent in regression depends on the step size)",
    derive=lambda: _derive_counterexample("l1"),
))

register(Lemma(
    name="geometry.counterexample_linf",
    title="Sign descent in regression: the limit depends on the step",
    statement=_CE_STATEMENT.replace("{body}", (
        r"$\ell_\infty$ steepest descent (sign descent, $0 < \eta < 1/8$): while $r_1, r_2 < 0$"
        r" it moves along $(1, 1, 1)$ and $s \leftarrow (1 - 8\eta)s$; afterwards along"
        r" $(1, -1, \pm 1)$, shrinking one residual by $1 - 4\eta$ at a time, so"
        r" $w_{\infty,3} = \frac14(a + b)(1 + \rho^K) < a/2$, $\rho = 1 - 8\eta$, while the"
        r" unique min-$\ell_\infty$ interpolant is $(a/2, b - a/2, a/2)$.")).replace(
        "{{", "{").replace("}}", "}"),
    source=f"{GUNASEKAR}, Sec. 2 (steepest descent in regression depends on the step size)",
    derive=lambda: _derive_counterexample("linf"),
))

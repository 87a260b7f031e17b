"""Lemmas behind "the optimization geometry decides the implicit bias" (docs/geometry.md).

Registered on import (see :func:`proofs.all_lemmas`):

- ``geometry.holder_dual``: the l_p max-margin program min (1/2)||w||_p^2 s.t. Zw >= 1 and its
  dual max sum(alpha) - (1/2)||Z^T alpha||_q^2; weak duality, the Hoelder equality case, the
  one-point closed form with zero gap (general p), and two exact instances (p = 1, inf).
- ``geometry.steepest_directions``: argmin_{||v|| <= 1} <g, v> is -sign(g) for l_inf, a signed
  coordinate vector on argmax |g_i| for l_1, the Hoelder direction for l_p (whose limits are the
  two former), and -P^{-1} g / ||g||_{P^{-1}} for a quadratic norm.
- ``geometry.mirror_map``: the p-GD mirror map sign(w)|w|^{p-1}, its inverse sign(t)|t|^{1/(p-1)}
  = grad of the conjugate |t|^q/q, Fenchel-Young equality; the entropy map and its divergence.
- ``geometry.bregman_optimality``: Lagrangian stationarity of min D_psi(w, w0) s.t. Xw = y,
  sufficiency by the three-point identity, the l2 closed form and an entropy instance.
- ``geometry.one_point_regression``: with one example, l_inf and l_1 steepest descent end at a
  min-norm interpolant for every convergent step (the conjecture holds for n = 1).
- ``geometry.counterexample_l1`` / ``geometry.counterexample_linf``: on X = [[1,0,1],[0,1,1]],
  y = (a, b), the limits of greedy coordinate descent / sign descent depend on the step and are
  never the min-norm interpolant.

Conventions (SPEC section 0): labels absorbed, z_n = y_n x_n; loss a sum; square loss
(1/2)||Xw - y||^2 in regression, residual r = Xw - y, gradient X^T r.
"""

from __future__ import annotations

import sympy
from sympy import Abs, Matrix, Rational, cos, exp, log, sin, sqrt

from implicit_bias.proofs.lemma import Lemma, Step, register

__all__ = ["COUNTEREXAMPLE_X"]

GUNASEKAR = "Gunasekar, Lee, Soudry and Srebro, ICML 2018"

#: The regression counterexample's design (columns e1, e2, e1 + e2).
COUNTEREXAMPLE_X = Matrix([[1, 0, 1], [0, 1, 1]])


def _powers(expr):
    """Combine powers of positive quantities: expand bases, denest, collect exponents."""
    return sympy.powsimp(sympy.powdenest(sympy.expand_power_base(expr, force=True), force=True),
                         force=True)


def _ge(lhs, rhs=0):
    return sympy.Ge(lhs, rhs, evaluate=False)


def _gt(lhs, rhs=0):
    return sympy.Gt(lhs, rhs, evaluate=False)


def _lt(lhs, rhs=0):
    return sympy.Lt(lhs, rhs, evaluate=False)


# --------------------------------------------------------------------------------------------
# geometry.holder_dual


def _derive_holder_dual() -> list[Step]:
    a, b = sympy.symbols("a b", nonnegative=True)  # a = ||w||, b = ||Z^T alpha||_*
    alpha = sympy.symbols("alpha_1:4", nonnegative=True)
    slack = sympy.symbols("sigma_1:4", nonnegative=True)  # z_n^T w = 1 + sigma_n
    p = 1 + sympy.Symbol("e", positive=True)  # a general p > 1
    q = p / (p - 1)
    w = sympy.symbols("w_1:4", positive=True)
    S = sum(x**p for x in w)
    norm_p = S ** (1 / p)
    theta = [norm_p ** (2 - p) * x ** (p - 1) for x in w]  # grad (1/2)||w||_p^2
    norm_q_theta = sum(t**q for t in theta) ** (1 / q)
    z = sympy.symbols("z_1:3", positive=True)
    Q = 1 + sympy.Symbol("f", positive=True)  # a general q > 1
    Sq = sum(x**Q for x in z)
    w1 = [x ** (Q - 1) / Sq for x in z]  # one-point solution (q = p/(p-1))
    P1 = Q / (Q - 1)
    al = sympy.Symbol("alpha", positive=True)
    dual1 = al - al**2 * Sq ** (2 / Q) / 2
    astar = sympy.solve(sympy.diff(dual1, al), al)
    x_ = sympy.Symbol("alpha", real=True)
    return [
        Step.eq(r"$\frac12 a^2 + \frac12 b^2 - ab = \frac12 (a - b)^2$",
                a**2 / 2 + b**2 / 2 - a * b, (a - b) ** 2 / 2),
        Step.holds(r"so $\langle Z^\top\alpha, w\rangle \leq \|Z^\top\alpha\|_*\|w\|"
                   r" \leq \frac12\|Z^\top\alpha\|_*^2 + \frac12\|w\|^2$",
                   _ge((a - b) ** 2 / 2)),
        Step.holds(r"feasible $w$ ($z_n^\top w = 1 + \sigma_n$, $\sigma \geq 0$), $\alpha \geq 0$:"
                   r" $\alpha^\top Z w - \sum_n \alpha_n = \sum_n \alpha_n \sigma_n \geq 0$",
                   _ge(sum(x * (1 + s) for x, s in zip(alpha, slack, strict=True))
                       - sum(alpha))),
        Step.eq(r"Hoelder equality case: $\theta = \nabla \frac12\|w\|_p^2$ has"
                r" $\langle \theta, w\rangle = \|w\|_p^2$",
                _powers(sum(t * x for t, x in zip(theta, w, strict=True))),
                _powers(norm_p**2)),
        Step.eq(r"and $\|\theta\|_q = \|w\|_p$ ($1/p + 1/q = 1$), so equality holds in the chain",
                _powers(norm_q_theta), _powers(norm_p)),
        Step.eq(r"one point $z > 0$: $w_i = z_i^{q-1}/\|z\|_q^q$ has $z^\top w = 1$",
                sum(zi * wi for zi, wi in zip(z, w1, strict=True)), 1),
        Step.eq(r"and $\|w\|_p = 1/\|z\|_q$",
                _powers(sum(wi**P1 for wi in w1) ** (1 / P1)), _powers(Sq ** (-1 / Q))),
        Step.eq(r"the one-point dual $\max_\alpha \alpha - \frac12 \alpha^2 \|z\|_q^2$ peaks at"
                r" $\alpha = 1/\|z\|_q^2 = \|w\|_p^2$",
                Matrix(astar), Matrix([Sq ** (-2 / Q)])),
        Step.eq(r"zero gap: dual value $=\frac12\|w\|_p^2 = \frac{1}{2\|z\|_q^2}$",
                dual1.subs(al, astar[0]), Sq ** (-2 / Q) / 2),
        Step.eq(r"instance $p = \infty$, $z = (2, 1)$: $\frac12\|w\|_\infty^2 -"
                r" (\alpha - \frac12\alpha^2\|z\|_1^2) = \frac92(\alpha - \frac19)^2$ for"
                r" $w = (\frac13, \frac13)$",
                Rational(1, 18) - (x_ - x_**2 * 9 / 2),
                Rational(9, 2) * (x_ - Rational(1, 9)) ** 2),
        Step.eq(r"instance $p = 1$, $z = (2, 1)$: $\frac12\|w\|_1^2 - (\alpha - \frac12\alpha^2"
                r"\|z\|_\infty^2) = 2(\alpha - \frac14)^2$ for $w = (\frac12, 0)$",
                Rational(1, 8) - (x_ - 2 * x_**2), 2 * (x_ - Rational(1, 4)) ** 2),
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
        r" \|\hat w\|_p$ (Hoelder's equality case, general $p$, checked in $d = 3$). For one"
        r" point $z$ (checked for $d = 2$, $z > 0$, general $q$) $\hat w_i = z_i^{q-1}/\|z\|_q^q$,"
        r" $\gamma_p = \|z\|_q$ and the gap is zero; exact instances for $p = 1, \infty$."
    ),
    source=f"{GUNASEKAR}, Sec. 3 (max-margin w.r.t. a norm); Hoelder's inequality",
    derive=_derive_holder_dual,
))


# --------------------------------------------------------------------------------------------
# geometry.steepest_directions


def _derive_steepest_directions() -> list[Step]:
    g = sympy.Symbol("g", positive=True)
    phi = sympy.Symbol("phi", real=True)  # v = cos(phi) ranges over [-1, 1]
    M, da, db = sympy.symbols("M a b", nonnegative=True)  # |g_1| = M, |g_2| = M - a, ...
    c = sympy.symbols("c_1:4", nonnegative=True)  # c_i = |v_i|, sum c <= 1
    p = 1 + sympy.Symbol("e", positive=True)  # a general p > 1
    q = p / (p - 1)
    gs = sympy.symbols("g_1:4", positive=True)
    Sq = sum(x**q for x in gs)
    v = [-x ** (q - 1) / Sq ** ((q - 1) / q) for x in gs]
    Q = sympy.Symbol("q", positive=True)
    g3 = [3, 2, 1]
    vq = [-x ** (Q - 1) / sum(y**Q for y in g3) ** ((Q - 1) / Q) for x in g3]
    a_, c_ = sympy.symbols("p_11 p_22", positive=True)
    b_ = sympy.Symbol("p_12", real=True)
    Pm = Matrix([[a_, b_], [b_, c_]])
    gv = Matrix(sympy.symbols("h_1:3", real=True))
    Pinv_g = Pm.inv() * gv
    nd = sqrt((gv.T * Pinv_g)[0])
    vP = -Pinv_g / nd
    return [
        Step.eq(r"$\ell_\infty$, $g_i > 0$, $v_i = \cos\varphi \in [-1, 1]$:"
                r" $g_i v_i + |g_i| = 2 g_i \cos^2(\varphi/2) \geq 0$",
                g * cos(phi) + g, 2 * g * cos(phi / 2) ** 2),
        Step.eq(r"$\ell_\infty$, $g_i < 0$ ($g_i = -g$): $g_i v_i + |g_i| = 2 g \sin^2(\varphi/2)"
                r" \geq 0$, so $\langle g, v\rangle \geq -\|g\|_1$ on the unit ball",
                -g * cos(phi) + g, 2 * g * sin(phi / 2) ** 2),
        Step.eq(r"and $v = -\mathrm{sign}(g)$ attains it: $g_i \cdot (-\mathrm{sign}\, g_i) ="
                r" -|g_i|$ (both signs)",
                Matrix([g * -sympy.sign(g), -g * -sympy.sign(-g)]), Matrix([-g, -g])),
        Step.eq(r"$\ell_1$ ($d = 3$, $|g_1| = M \geq |g_2| = M - a, |g_3| = M - b$),"
                r" $c_i = |v_i|$: $M\sum c_i - \sum |g_i| c_i = a c_2 + b c_3$",
                M * sum(c) - (M * c[0] + (M - da) * c[1] + (M - db) * c[2]),
                da * c[1] + db * c[2]),
        Step.holds(r"$\geq 0$, so $\langle g, v\rangle \geq -\sum|g_i||v_i| \geq -M\|v\|_1 \geq"
                   r" -\|g\|_\infty$, attained by $v = -\mathrm{sign}(g_1) e_1$",
                   _ge(da * c[1] + db * c[2])),
        Step.eq(r"$\ell_p$: the Hoelder direction $v_i = -g_i^{q-1}/\|g\|_q^{q-1}$ has"
                r" $\|v\|_p = 1$ ($g > 0$, $d = 3$)",
                _powers(sum((-y) ** p for y in v)), 1),
        Step.eq(r"and $\langle g, v\rangle = -\|g\|_q$",
                _powers(sum(x * y for x, y in zip(gs, v, strict=True))), _powers(-Sq ** (1 / q))),
        Step.eq(r"$p \to \infty$ ($q \to 1$), $g = (3, 2, 1)$: the Hoelder direction tends to"
                r" $-\mathrm{sign}(g)$ (sign descent)",
                Matrix([sympy.limit(e, Q, 1, "+") for e in vq]), Matrix([-1, -1, -1])),
        Step.eq(r"$p \to 1$ ($q \to \infty$): it tends to $-e_1$, $1 = \arg\max|g_i|$"
                r" (greedy coordinate descent)",
                Matrix([sympy.limit(e, Q, sympy.oo) for e in vq]), Matrix([-1, 0, 0])),
        Step.eq(r"quadratic norm: $v = -P^{-1}g/\|g\|_{P^{-1}}$ has $v^\top P v = 1$",
                sympy.simplify((vP.T * Pm * vP)[0]), 1),
        Step.eq(r"and $\langle g, v\rangle = -\|g\|_{P^{-1}}$ (the preconditioned step"
                r" $\|g\|_* v = -P^{-1}g$)",
                sympy.simplify((gv.T * vP)[0] + nd), 0),
    ]


register(Lemma(
    name="geometry.steepest_directions",
    title="Steepest-descent directions: sign, greedy coordinate, Hoelder, preconditioned",
    statement=(
        r"$\min_{\|v\|_\infty \leq 1} \langle g, v\rangle = -\|g\|_1$ at $v = -\mathrm{sign}(g)$"
        r" (sign descent, coordinatewise, any $d$); $\min_{\|v\|_1 \leq 1} \langle g, v\rangle ="
        r" -\|g\|_\infty$ at $v = -\mathrm{sign}(g_i)e_i$, $i \in \arg\max|g_i|$ (greedy"
        r" coordinate descent; checked for $d = 3$); for $1 < p < \infty$ the minimizer is"
        r" $v_i = -\mathrm{sign}(g_i)|g_i|^{q-1}/\|g\|_q^{q-1}$ with value $-\|g\|_q$ (general"
        r" $p$, $d = 3$, $g > 0$), which tends to the sign direction as $p \to \infty$ and to the"
        r" greedy coordinate as $p \to 1$ (instance $g = (3, 2, 1)$); for"
        r" $\|v\|_P = \sqrt{v^\top P v}$ it is $-P^{-1}g/\|g\|_{P^{-1}}$ (symbolic $2 \times 2$"
        r" $P$), so steepest descent w.r.t. $\|\cdot\|_P$ is preconditioned gradient descent."
    ),
    source=f"{GUNASEKAR}, Sec. 3 (steepest descent; l1 = coordinate descent, l-inf = sign"
    " gradient descent)",
    derive=_derive_steepest_directions,
))


# --------------------------------------------------------------------------------------------
# geometry.mirror_map


def _derive_mirror_map() -> list[Step]:
    p = sympy.Symbol("p", positive=True)  # p > 1 where it matters: use p = 1 + e
    e = sympy.Symbol("e", positive=True)
    pe = 1 + e
    qe = pe / (pe - 1)
    u = sympy.Symbol("u", positive=True)
    wneg = sympy.Symbol("w", negative=True)
    t = sympy.Symbol("theta", positive=True)
    psi = u**pe / pe
    dpsi = sympy.diff(psi, u)
    inv = t ** (1 / (pe - 1))
    conj = t**qe / qe
    w, w0 = sympy.symbols("w w_0", positive=True)
    ent = w * log(w) - w
    dent = sympy.diff(ent, w)
    breg = ent - ent.subs(w, w0) - dent.subs(w, w0) * (w - w0)
    del p
    return [
        Step.eq(r"$w > 0$: $\frac{d}{dw}\frac{|w|^p}{p} = w^{p-1}$", dpsi, u ** (pe - 1)),
        Step.eq(r"$w < 0$: $\frac{d}{dw}\frac{|w|^p}{p} = \mathrm{sign}(w)|w|^{p-1}$",
                sympy.diff(Abs(wneg) ** pe / pe, wneg), -(-wneg) ** (pe - 1)),
        Step.eq(r"inverse mirror map: $(w^{p-1})^{1/(p-1)} = w$",
                sympy.powsimp(dpsi ** (1 / (pe - 1)), force=True), u),
        Step.eq(r"and $(\theta^{1/(p-1)})^{p-1} = \theta$", sympy.powsimp(inv ** (pe - 1),
                                                                          force=True), t),
        Step.eq(r"the inverse is the gradient of the conjugate $\psi^*(\theta) = \theta^q/q$,"
                r" $q = p/(p-1)$", sympy.powsimp(sympy.diff(conj, t), force=True),
                sympy.powsimp(inv, force=True)),
        Step.eq(r"Fenchel-Young equality $\psi(w) + \psi^*(\psi'(w)) = w\,\psi'(w)$",
                sympy.powsimp(psi + conj.subs(t, dpsi), force=True),
                sympy.powsimp(u * dpsi, force=True)),
        Step.eq(r"$p = 2$: the mirror map is the identity (p-GD is GD)",
                dpsi.subs(e, 1), u),
        Step.eq(r"entropy $\psi(w) = w\log w - w$: $\psi'(w) = \log w$, inverse $e^\theta$",
                Matrix([dent, exp(dent)]), Matrix([log(w), w])),
        Step.eq(r"its Bregman divergence is the generalized KL divergence"
                r" $w\log(w/w_0) - w + w_0$",
                sympy.expand_log(breg, force=True),
                sympy.expand_log(w * log(w / w0) - w + w0, force=True)),
    ]


register(Lemma(
    name="geometry.mirror_map",
    title="The mirror maps of p-GD and of exponentiated gradient",
    statement=(
        r"For $\psi(w) = \frac1p\sum_i|w_i|^p$, $p > 1$ (general $p$, one coordinate): "
        r"$\nabla\psi(w)_i = \mathrm{sign}(w_i)|w_i|^{p-1}$, with inverse"
        r" $\theta \mapsto \mathrm{sign}(\theta)|\theta|^{1/(p-1)} = \nabla\psi^*(\theta)$,"
        r" $\psi^*(\theta) = \frac1q\sum|\theta_i|^q$, and Fenchel-Young holds with equality at"
        r" $\theta = \nabla\psi(w)$; so p-GD, $\nabla\psi(w_{t+1}) = \nabla\psi(w_t) - \eta g_t$,"
        r" is a coordinatewise update (GD for $p = 2$). For the negative entropy"
        r" $\psi(w) = \sum w_i\log w_i - w_i$ the map is $\log w$, its inverse $e^\theta$ and"
        r" $D_\psi(w, w_0) = \sum w_i\log(w_i/w_{0,i}) - w_i + w_{0,i}$."
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
    fp = lambda x: sympy.diff(f(s), s).subs(s, x)  # noqa: E731

    def D(x, y):
        return f(x) - f(y) - fp(y) * (x - y)

    x1, x2 = sympy.symbols("x_1 x_2", nonzero=True)
    y, lam = sympy.symbols("y lambda", real=True)
    w1, w2, u1, v1, v2 = sympy.symbols("w_1 w_2 w_01 v_1 v_2", real=True)
    wv = [w1, (y - x1 * w1) / x2]      # a feasible w (x^T w = y)
    vv = [v1, (y - x1 * v1) / x2]      # any other feasible w'
    lag = sum(f(wi) - f(wi0) - fp(wi0) * (wi - wi0) for wi, wi0 in
              zip([w1, w2], sympy.symbols("w0_1 w0_2", real=True), strict=True)) \
        - lam * (x1 * w1 + x2 * w2 - y)
    w0s = sympy.symbols("w0_1 w0_2", real=True)
    # sum_i (f'(w_i) - f'(w0_i))(w'_i - w_i) with f'(w_i) - f'(w0_i) = lambda x_i
    cross = sum(lam * xi * (vi - wi) for xi, vi, wi in zip([x1, x2], vv, wv, strict=True))
    X = Matrix([[1, 2, 0], [0, 1, 1]])
    w0 = Matrix(sympy.symbols("u_1:4", real=True))
    yv = Matrix(sympy.symbols("y_1:3", real=True))
    wl2 = w0 + X.T * (X * X.T).inv() * (yv - X * w0)
    proj = sympy.eye(3) - X.T * (X * X.T).inv() * X
    pa, pb = sympy.symbols("a b", positive=True)
    tt = sympy.Symbol("t", positive=True)
    went = [pa / (pa + pb), pb / (pa + pb)]
    kl = lambda ww, vv_: sum(x * log(x / z) - x + z for x, z in zip(ww, vv_, strict=True))  # noqa: E731
    del u1, v2
    return [
        Step.eq(r"three-point identity ($\psi$ separable, one coordinate, any $C^1$ $f$):"
                r" $D(c, b) - D(a, b) - D(c, a) = (f'(a) - f'(b))(c - a)$",
                D(c, b) - D(a, b) - D(c, a), (fp(a) - fp(b)) * (c - a)),
        Step.eq(r"Lagrangian $D_\psi(w, w_0) - \lambda(x^\top w - y)$ ($d = 2$): stationarity"
                r" is $f'(w_i) - f'(w_{0,i}) = \lambda x_i$, i.e."
                r" $\nabla\psi(w) - \nabla\psi(w_0) \in \mathrm{row}(X)$",
                Matrix([sympy.diff(lag, wi) for wi in (w1, w2)]),
                Matrix([fp(wi) - fp(wi0) - lam * xi for wi, wi0, xi in
                        zip([w1, w2], w0s, [x1, x2], strict=True)])),
        Step.eq(r"sufficiency: for feasible $w, w'$ the cross term"
                r" $\sum_i (f'(w_i) - f'(w_{0,i}))(w'_i - w_i) = \lambda x^\top(w' - w) = 0$,"
                r" so $D(w', w_0) = D(w, w_0) + D(w', w) \geq D(w, w_0)$", cross, 0),
        Step.eq(r"$\psi = \frac12\|w\|^2$ ($X$ of rank 2, $d = 3$):"
                r" $w = w_0 + X^\top(XX^\top)^{-1}(y - Xw_0)$ interpolates", X * wl2, yv),
        Step.eq(r"and $w - w_0 \in \mathrm{row}(X)$: $(I - X^\top(XX^\top)^{-1}X)(w - w_0) = 0$",
                proj * (wl2 - w0), sympy.zeros(3, 1)),
        Step.eq(r"entropy, $x = (1, 1)$, $y = 1$, $w_0 = (a, b) > 0$: $w = w_0/(a + b)$"
                r" interpolates", sum(went), 1),
        Step.eq(r"and $\log w - \log w_0 = -\log(a + b)(1, 1) \in \mathrm{row}(X)$",
                sympy.expand_log(Matrix([log(went[0] / pa), log(went[1] / pb)]), force=True),
                Matrix([-log(pa + pb), -log(pa + pb)])),
        Step.eq(r"Pythagoras for the entropy instance: $D(w', w_0) - D(w, w_0) = D(w', w)$"
                r" for every feasible $w' = (t, 1 - t)$",
                sympy.expand_log(kl([tt, 1 - tt], [pa, pb]) - kl(went, [pa, pb])
                                 - kl([tt, 1 - tt], went), force=True), 0),
    ]


register(Lemma(
    name="geometry.bregman_optimality",
    title="Optimality of the Bregman interpolant",
    statement=(
        r"$w = \arg\min D_\psi(w, w_0)$ s.t. $Xw = y$ ($\psi$ strictly convex, separable) iff"
        r" $Xw = y$ and $\nabla\psi(w) - \nabla\psi(w_0) = X^\top\lambda$ for some $\lambda$:"
        r" necessity is Lagrangian stationarity, sufficiency the three-point identity"
        r" $D(w', w_0) = D(w, w_0) + D(w', w) + \langle\nabla\psi(w) - \nabla\psi(w_0),"
        r" w' - w\rangle$, whose last term vanishes on $\{Xw' = y\}$ (checked for one"
        r" constraint, $d = 2$, arbitrary $f$). Closed form for $\psi = \frac12\|w\|^2$:"
        r" $w_0 + X^\top(XX^\top)^{-1}(y - Xw_0)$ (an instance $X \in \mathbb{R}^{2\times 3}$);"
        r" entropy instance: the KL projection of $w_0$ on $\{w_1 + w_2 = 1\}$ is $w_0/(a + b)$."
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
                S.subs(K, 0), 0),
        Step.eq(rf"{label}: and $S_{{K+1}} - S_K = \rho^K$, so $S_K = \sum_{{j<K}}\rho^j$",
                S.subs(K, K + 1) - S, rho**K),
    ]


def _derive_one_point() -> list[Step]:
    x1, x2 = sympy.symbols("x_1 x_2", positive=True)
    eta = sympy.Symbol("eta", positive=True)
    rp = sympy.Symbol("r", positive=True)
    rn = sympy.Symbol("r", negative=True)
    K = sympy.Symbol("K", integer=True, nonnegative=True)
    rho = sympy.Symbol("rho", positive=True)
    r0 = sympy.Symbol("r_0", real=True)
    n1 = x1 + x2  # ||x||_1 (x > 0)
    a = sympy.Symbol("a", positive=True)  # x_1 = x_2 + a: argmax |x_i| = 1
    m = sympy.Symbol("m", nonnegative=True)
    tt = sympy.symbols("t_1:3", nonnegative=True)

    def sign_step(r):
        g = [r * x1, r * x2]
        return Matrix([-(Abs(g[0]) + Abs(g[1])) * sympy.sign(gi) for gi in g])

    return [
        Step.eq(r"$\ell_\infty$, $x > 0$, $g = r x$: the step $-\|g\|_1\mathrm{sign}(g) ="
                r" -r\|x\|_1 (1, 1)$ for $r > 0$", sign_step(rp), -rp * n1 * Matrix([1, 1])),
        Step.eq(r"and for $r < 0$ (the direction never changes)", sign_step(rn),
                -rn * n1 * Matrix([1, 1])),
        Step.eq(r"the residual obeys $r \leftarrow r + \eta x^\top\Delta = (1 - \eta\|x\|_1^2) r$",
                rp + eta * (Matrix([[x1, x2]]) * sign_step(rp))[0], (1 - eta * n1**2) * rp),
        *_geometric_sum_steps(rho, K, "geometric sums"),
        Step.eq(r"total displacement along $-(1,1)$ after $K$ steps, $K \to \infty$ for"
                r" $0 < \eta < 2/\|x\|_1^2$: $\eta r_0\|x\|_1 S_\infty = r_0/\|x\|_1$, free of"
                r" $\eta$", eta * r0 * n1 / (1 - (1 - eta * n1**2)), r0 / n1),
        Step.holds(r"it is a min-$\ell_\infty$ interpolant: for $\|u\|_\infty = m$ write"
                   r" $u_i = m(1 - 2t_i)$, $t_i \in [0, 1]$: $m\|x\|_1 - x^\top u = 2m\sum_i"
                   r" x_i t_i \geq 0$ (and the same for $-u$), so $\|w - w_0\|_\infty \geq"
                   r" |r_0|/\|x\|_1$ on the interpolants",
                   _ge(m * n1 - (x1 * m * (1 - 2 * tt[0]) + x2 * m * (1 - 2 * tt[1])))),
        Step.holds(r"$\ell_1$, $x_1 = x_2 + a > x_2 > 0$: coordinate 1 always wins,"
                   r" $|r x_1| - |r x_2| = |r| a > 0$ ($r \neq 0$)",
                   _gt(Abs(rp * (x2 + a)) - Abs(rp * x2))),
        Step.eq(r"so $r \leftarrow (1 - \eta x_1^2) r$ and the displacement $\eta r_0 x_1 /"
                r" (\eta x_1^2) = r_0/x_1$ on $e_1$ is free of $\eta$: $w_\infty = w_0 - (r_0/x_1)"
                r" e_1$, the min-$\ell_1$ interpolant",
                eta * r0 * (x2 + a) / (1 - (1 - eta * (x2 + a) ** 2)), r0 / (x2 + a)),
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
        r" $\eta \in (0, 2/\|x\|_*^2)$ and minimizes $\|w - w_0\|$ over the interpolants"
        r" (checked for $d = 2$, $x > 0$, both norms). So the conjecture that steepest descent"
        r" in regression ends at the min-norm interpolant of its norm holds for one example;"
        r" counterexamples need $n \geq 2$."
    ),
    source=f"{GUNASEKAR}, Sec. 2 (steepest descent in regression); contrast SPEC section 6",
    derive=_derive_one_point,
))


# --------------------------------------------------------------------------------------------
# geometry.counterexample_l1 / geometry.counterexample_linf


def _phase_limits(eta, rho, a, b):
    """K and rho^K for the exact instance: smallest K >= 1 with (a + b) rho^K < a - b."""
    K, pw = 0, sympy.Integer(1)
    while True:
        K += 1
        pw *= rho
        if (a + b) * pw < a - b:
            return K, pw


def _derive_counterexample(norm: str) -> list[Step]:
    X = COUNTEREXAMPLE_X
    r1n, r2n = sympy.symbols("r_1 r_2", negative=True)
    s, D = sympy.symbols("s D", real=True)
    eta = sympy.Symbol("eta", positive=True)
    u, v, cc = sympy.symbols("u v c", positive=True)
    a, b, w3, K = sympy.symbols("a b w_3", positive=True) + (sympy.Symbol("K", integer=True,
                                                                          nonnegative=True),)
    rho = sympy.Symbol("rho", positive=True)
    r = Matrix([(s + D) / 2, (s - D) / 2])
    y = Matrix([a, b])
    steps: list[Step] = []
    if norm == "l1":
        g_phase1 = X.T * Matrix([r1n, r2n])
        new_r = r - eta * (X.T * r)[2] * X[:, 2]
        wlim = Matrix([a - w3, b - w3, w3])
        w3K = (a + b) * (1 - rho**K) / 2
        steps += [
            Step.holds(r"phase 1 ($r_1, r_2 < 0$): coordinate 3 wins, $|g_3| > |g_1|$",
                       _gt(Abs(g_phase1[2]) - Abs(g_phase1[0]))),
            Step.holds(r"and $|g_3| > |g_2|$", _gt(Abs(g_phase1[2]) - Abs(g_phase1[1]))),
            Step.eq(r"a coordinate-3 step $r \leftarrow r - \eta g_3 X_{:,3}$ maps"
                    r" $(s, D) = (r_1 + r_2, r_1 - r_2)$ to $((1 - 2\eta)s, D)$",
                    Matrix([new_r[0] + new_r[1], new_r[0] - new_r[1]]),
                    Matrix([(1 - 2 * eta) * s, D])),
            *_geometric_sum_steps(rho, K, "phase 1"),
            Step.eq(r"so after $K$ steps ($s_0 = -(a + b)$, $\rho = 1 - 2\eta$)"
                    r" $w_3 = \eta(a + b)S_K = \frac12(a + b)(1 - \rho^K)$",
                    (eta * (a + b) * (1 - rho**K) / (1 - rho)).subs(rho, 1 - 2 * eta),
                    w3K.subs(rho, 1 - 2 * eta)),
            Step.holds(r"phase 2 ($r_1 = -u < 0 < r_2 = v$, $u = v + c$): $|g_3| = |r_1 + r_2|"
                       r" < |g_1|$, coordinate 3 never returns",
                       _lt(Abs(-(v + cc) + v) - (v + cc))),
            Step.holds(r"(and for $v = u + c$: $|g_3| < |g_2|$); coordinates 1, 2 scale"
                       r" $r_i$ by $1 - \eta > 0$, keeping the signs",
                       _lt(Abs(-u + (u + cc)) - (u + cc))),
            Step.eq(r"the limit $(a - w_3, b - w_3, w_3)$ interpolates", X * wlim, y),
            Step.eq(r"on the interpolants $(a - t, b - t, t)$ with $b < t < a$,"
                    r" $\|w\|_1 = a - b + t$ ($t = b + c$, $a = b + c + u$): the unique"
                    r" minimum is $t = b$ (value $a$)",
                    (Abs(a - w3) + Abs(b - w3) + Abs(w3)).subs({w3: b + cc}).subs(
                        {a: b + cc + u}), (b + cc + u) - b + (b + cc)),
            Step.eq(r"the limit has $w_3 - b = \frac12((a - b) - (a + b)\rho^K) > 0$ (phase 1"
                    r" ended: $(a + b)\rho^K < a - b$)", w3K - b,
                    ((a - b) - (a + b) * rho**K) / 2),
        ]
        lrs = (Rational(1, 4), Rational(1, 8))
        A, B = sympy.Integer(4), sympy.Integer(1)
        exact = []
        for e in lrs:
            Kc, pw = _phase_limits(e, 1 - 2 * e, A, B)
            wv = (A + B) * (1 - pw) / 2
            exact.append((Kc, Matrix([A - wv, B - wv, wv])))
        n1 = [sum(Abs(x) for x in wv) for _, wv in exact]
        steps += [
            Step.eq(r"$a = 4, b = 1$: $\eta = \frac14$ ($K = 1$) and $\eta = \frac18$ ($K = 2$)"
                    r" end at $(\frac{11}4, -\frac14, \frac54)$ and $(\frac{93}{32},"
                    r" -\frac3{32}, \frac{35}{32})$",
                    Matrix.hstack(exact[0][1], exact[1][1]),
                    Matrix([[Rational(11, 4), Rational(93, 32)],
                            [Rational(-1, 4), Rational(-3, 32)],
                            [Rational(5, 4), Rational(35, 32)]])),
            Step.holds(r"different limits, both above the minimum $\|w\|_1 = 4$:"
                       r" $\frac{17}4 > \frac{131}{32} > 4$",
                       sympy.And(_gt(n1[0], n1[1]), _gt(n1[1], 4))),
        ]
        return steps
    # l-inf: sign descent, step -||g||_1 sign(g)
    def step_of(r_):
        g = X.T * r_
        return -sum(Abs(x) for x in g) * g.applyfunc(sympy.sign)

    d1 = step_of(Matrix([r1n, r2n]))
    ones = Matrix([1, 1, 1])
    n_s = -(r1n + r2n)
    rr = Matrix([-(v + cc), v])          # |r_1| > |r_2|
    rr2 = Matrix([-u, u + cc])           # |r_2| > |r_1|
    new_r = r + eta * X * (2 * (-s)) * ones  # phase 1 step with ||g||_1 = -2 s
    c_ = (a + b) * (1 - rho**K) / 4
    w3K = c_ + (a + b) * rho**K / 2
    wlim = Matrix([c_ + (a - b) / 2, c_ - (a - b) / 2, w3K])
    tt = sympy.Symbol("t", real=True)
    steps += [
        Step.eq(r"phase 1 ($r_1, r_2 < 0$): the sign step is $2|s|(1, 1, 1)$, $s = r_1 + r_2$",
                d1, 2 * n_s * ones),
        Step.eq(r"an $\eta$-step maps $(s, D)$ to $((1 - 8\eta)s, D)$",
                Matrix([new_r[0] + new_r[1], new_r[0] - new_r[1]]),
                Matrix([(1 - 8 * eta) * s, D])),
        *_geometric_sum_steps(rho, K, "phase 1"),
        Step.eq(r"so after $K$ steps ($s_0 = -(a + b)$, $\rho = 1 - 8\eta$) w moves by"
                r" $c(1,1,1)$, $c = 2\eta(a + b)S_K = \frac14(a + b)(1 - \rho^K)$",
                (2 * eta * (a + b) * (1 - rho**K) / (1 - rho)).subs(rho, 1 - 8 * eta),
                c_.subs(rho, 1 - 8 * eta)),
        Step.eq(r"phase 2, $|r_1| > |r_2|$: the step is $2\eta|r_1|(1, -1, 1)$ and only $r_1$"
                r" moves: $r_1 \leftarrow (1 - 4\eta) r_1$",
                Matrix([step_of(rr) - 2 * (v + cc) * Matrix([1, -1, 1]),
                        rr + eta * X * step_of(rr) - Matrix([(1 - 4 * eta) * rr[0], rr[1]])]),
                sympy.zeros(5, 1)),
        Step.eq(r"$|r_2| > |r_1|$: the step is $2\eta|r_2|(1, -1, -1)$ and"
                r" $r_2 \leftarrow (1 - 4\eta) r_2$ (signs kept for $\eta < 1/4$)",
                Matrix([step_of(rr2) - 2 * (u + cc) * Matrix([1, -1, -1]),
                        rr2 + eta * X * step_of(rr2) - Matrix([rr2[0], (1 - 4 * eta) * rr2[1]])]),
                sympy.zeros(5, 1)),
        Step.eq(r"so the limit is $(c + \frac{a-b}2, c - \frac{a-b}2, c + \frac{(a+b)\rho^K}2)$"
                r" and it interpolates", X * wlim, y),
        Step.eq(r"on the interpolants $(a - t, b - t, t)$: $\max(|a - t|, |t|) \geq a/2$ since"
                r" $|a - t| + |t| \geq a$; at $t = a/2$ all three are $\leq a/2$ ($b < a$), the"
                r" unique minimizer, value $a/2$",
                Matrix([Abs(a - tt) + Abs(tt) - a]).subs(tt, a / 2), Matrix([0])),
        Step.eq(r"the limit has $a/2 - w_3 = \frac14((a - b) - (a + b)\rho^K) > 0$", a / 2 - w3K,
                ((a - b) - (a + b) * rho**K) / 4),
    ]
    lrs = (Rational(1, 16), Rational(1, 32))
    A, B = sympy.Integer(4), sympy.Integer(1)
    exact = []
    for e in lrs:
        Kc, pw = _phase_limits(e, 1 - 8 * e, A, B)
        cv = (A + B) * (1 - pw) / 4
        exact.append(Matrix([cv + (A - B) / 2, cv - (A - B) / 2, cv + (A + B) * pw / 2]))
    ninf = [max(Abs(x) for x in wv) for wv in exact]
    steps += [
        Step.eq(r"$a = 4, b = 1$: $\eta = \frac1{16}$ ($K = 1$) and $\eta = \frac1{32}$"
                r" ($K = 2$) end at $(\frac{17}8, -\frac78, \frac{15}8)$ and $(\frac{131}{64},"
                r" -\frac{61}{64}, \frac{125}{64})$",
                Matrix.hstack(*exact),
                Matrix([[Rational(17, 8), Rational(131, 64)],
                        [Rational(-7, 8), Rational(-61, 64)],
                        [Rational(15, 8), Rational(125, 64)]])),
        Step.holds(r"different limits, both above the minimum $\|w\|_\infty = 2$:"
                   r" $\frac{17}8 > \frac{131}{64} > 2$",
                   sympy.And(_gt(ninf[0], ninf[1]), _gt(ninf[1], 2))),
    ]
    return steps


_CE_STATEMENT = (
    r"On $X = \begin{pmatrix}1&0&1\\0&1&1\end{pmatrix}$, $y = (a, b)$, $a > b > 0$, $w_0 = 0$,"
    r" square loss, write $s = r_1 + r_2$, $D = r_1 - r_2$. {body} The limit depends on"
    r" $\eta$ through $\rho^K$, $K = \min\{{k \geq 1 : (a + b)\rho^k < a - b\}}$, and is never"
    r" the min-norm interpolant (that would need the tie $(a + b)\rho^K = a - b$). Exact"
    r" instance $a = 4$, $b = 1$ with two steps. This refutes the conjecture that steepest"
    r" descent in regression converges to the min-norm interpolant of its norm."
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

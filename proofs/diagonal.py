"""Lemmas behind "gradient flow on a diagonal linear network minimizes Q_alpha" (kernel vs rich).

Registered on import (see :func:`proofs.all_lemmas`); each statement says which steps are
general symbolic identities and which are instance checks:

- ``diagonal.potential``: q' = asinh(z/2), q'' = 1/sqrt(4 + z^2) > 0, q* = 2 cosh - 2, and the
  two regimes: q(z) = z^2/4 - z^4/192 + ..., q(z) - (z log z - z + 2) -> 0.
- ``diagonal.gradient_flow``: u = alpha e^{-2s}, v = alpha e^{2s} solve the depth-2 flow,
  beta = -2 alpha^2 sinh(4s), u v is conserved, and the dual's gradient is X beta - y.
- ``diagonal.depth``: u^{2-D} = alpha^{2-D} + D(D-2)s solves the depth-D flow, beta =
  alpha^D h_D(nu), H_D' = h_D, the normalized potential G_D has G_D' = h_D^{-1} and
  G_D(z)/z -> 1 (all for symbolic D > 2).
- ``diagonal.limits``: the kernel (alpha -> oo) and rich (alpha -> 0) expansions used by
  theory.diagonal.kernel_expansion and rich_expansion.

Steps stated unevaluated (``Subs``, ``Derivative``, ``Limit``) are decided by the check, which
evaluates them (``via``), never by their construction.

Conventions follow SPEC section 7: beta = u^D - v^D, loss (1/2)||X beta - y||^2, gradient flow.
"""

from __future__ import annotations

from operator import methodcaller

import sympy
from sympy import (
    Derivative,
    Limit,
    Matrix,
    Rational,
    Subs,
    asinh,
    cosh,
    exp,
    factorial,
    log,
    sinh,
    sqrt,
)

from implicit_bias.proofs.lemma import Lemma, Step, register
from implicit_bias.theory.diagonal import symbolic_H, symbolic_h, symbolic_q

__all__ = ["WOODWORTH"]

WOODWORTH = ("Woodworth, Gunasekar, Lee, Moroshko, Savarese, Golan, Soudry and Srebro, "
             "COLT 2020")

#: The rewrite for steps stated unevaluated (Subs, Derivative, Limit): evaluate them.
_evaluate = methodcaller("doit")


def _exponents(expr):
    """Put every symbolic exponent in canonical form (``cancel``), so equal powers compare."""
    return expr.replace(lambda e: e.is_Pow and not e.exp.is_Number,
                        lambda e: e.base ** sympy.cancel(e.exp))


def _evaluate_powers(expr):
    """Evaluate, then denest powers of positive bases ((b^r)^s = b^(rs), b > 0) and put the
    exponents in canonical form."""
    return _exponents(sympy.powdenest(expr.doit(), force=True))


def _evaluate_factored_powers(expr):
    """As :func:`_evaluate_powers`, after pulling common factors out of every power's base and
    splitting powers of products of positive factors ((xy)^r = x^r y^r, x, y > 0)."""
    expr = expr.doit().replace(lambda e: e.is_Pow and e.base.is_Add,
                               lambda e: sympy.factor_terms(e.base) ** e.exp)
    return _exponents(sympy.powdenest(sympy.expand_power_base(expr, force=True), force=True))


# --------------------------------------------------------------------------------------------
# diagonal.potential


def _on_the_hyperbola(expr):
    """Evaluate, write asinh as a log, take square roots of perfect squares (positive bases)
    and split logs of quotients (positive factors: 0 < x < 1 on z = 1/x - x)."""
    expr = expr.doit().rewrite(log)
    expr = expr.replace(lambda e: e.is_Pow and e.exp == sympy.S.Half,
                        lambda e: sqrt(sympy.factor(e.base)))
    expr = expr.replace(lambda e: isinstance(e, log), lambda e: log(sympy.cancel(e.args[0])))
    return sympy.expand_log(expr, force=True)


def _derive_potential() -> list[Step]:
    z = sympy.Symbol("z", real=True)
    x = sympy.Symbol("x", positive=True)
    nu = sympy.Symbol("nu", real=True)
    a = sympy.Symbol("alpha", positive=True)
    b = sympy.Symbol("beta", positive=True)
    eps = sympy.Symbol("epsilon", positive=True)
    q = symbolic_q(z)
    d_asinh_sinh = Derivative(asinh(sinh(nu)), nu)
    Q = a**2 * q.subs(z, b / a**2)  # Q_alpha(beta), one coordinate

    def on_the_sinh_curve(expr):
        """Evaluate, then use asinh(sinh nu) = nu and sqrt(4 + 4 sinh^2 nu) = 2 cosh nu."""
        expr = expr.doit().replace(asinh(sinh(nu)), nu)
        return expr.replace(sqrt(4 * sinh(nu) ** 2 + 4), 2 * cosh(nu))

    return [
        Step.eq(r"$q'(z) = \operatorname{asinh}(z/2)$", Derivative(q, z), asinh(z / 2),
                via=_evaluate),
        Step.eq(r"$q''(z) = 1/\sqrt{4 + z^2}$, so $q$ is strictly convex",
                Derivative(q, (z, 2)), 1 / sqrt(4 + z**2), via=_evaluate),
        Step.eq(r"$q(0) = q'(0) = 0$: $q \geq 0$ with its minimum at $0$",
                Matrix([Subs(q, z, 0), Subs(Derivative(q, z), z, 0)]), Matrix([0, 0]),
                via=_evaluate),
        Step.eq(r"$1 + \sinh^2\nu = \cosh^2\nu$, so $\sqrt{4 + 4\sinh^2\nu} = 2\cosh\nu$"
                r" ($\cosh > 0$)", 1 + sinh(nu) ** 2, cosh(nu) ** 2,
                via=lambda expr: expr.rewrite(exp)),
        Step.eq(r"$\frac{d}{d\nu}\operatorname{asinh}(\sinh\nu)$ squares to $1$, and"
                r" $\operatorname{asinh}(\sinh 0) = 0$",
                Matrix([d_asinh_sinh**2, Subs(asinh(sinh(nu)), nu, 0)]), Matrix([1, 0]),
                via=lambda expr: expr.doit().rewrite(exp)),
        Step.holds(r"the derivative is positive, so it is $1$ and"
                   r" $\operatorname{asinh}(\sinh\nu) = \nu$ for real $\nu$",
                   sympy.Gt(d_asinh_sinh, 0, evaluate=False)),
        Step.eq(r"conjugate: the maximizer of $\nu z - q(z)$ is $z = 2\sinh\nu$ ($q'(z) = \nu$),"
                r" and $q^*(\nu) = 2\nu\sinh\nu - q(2\sinh\nu) = 2\cosh\nu - 2$: the dual"
                r" objective $\alpha^2\sum_j (2\cosh(x^{(j)\top}\lambda) - 2) - y^\top\lambda$",
                Matrix([Subs(asinh(z / 2), z, 2 * sinh(nu)),
                        2 * nu * sinh(nu) - Subs(q, z, 2 * sinh(nu))]),
                Matrix([nu, 2 * cosh(nu) - 2]), via=on_the_sinh_curve),
        Step.eq(r"kernel regime: with $q(0) = q'(0) = 0$, the Taylor coefficients"
                r" $q^{(k)}(0)/k!$, $k = 2, \dots, 5$, from $q'' = (4 + z^2)^{-1/2}$ are"
                r" $\frac14, 0, -\frac1{192}, 0$: $q(z) = z^2/4 - z^4/192 + O(z^6)$",
                Matrix([Subs(Derivative(1 / sqrt(4 + z**2), (z, k - 2)), z, 0) / factorial(k)
                        for k in range(2, 6)]),
                Matrix([Rational(1, 4), 0, Rational(-1, 192), 0]), via=_evaluate),
        Step.eq(r"so $4\alpha^2 Q_\alpha(\beta) \to \beta^2$ as $\alpha \to \infty$"
                r" ($Q_\alpha(\beta) = \alpha^2 q(\beta/\alpha^2)$, one coordinate; the limit"
                r" taken in $\epsilon = 1/\alpha^2 \to 0$)",
                Limit(Subs(4 * a**2 * Q, a, 1 / sqrt(eps)), eps, 0, "+"), b**2, via=_evaluate),
        Step.eq(r"rich regime: on $z = 1/x - x$ ($0 < x < 1$; $z \to \infty$ as $x \to 0$),"
                r" $q(z) - (z\log z - z + 2) = -(1/x - x)\log(1 - x^2) - 2x$"
                r" ($\operatorname{asinh}(z/2) = \log(z/2 + \sqrt{z^2/4 + 1}) = -\log x$)",
                Subs(q - (z * log(z) - z + 2), z, 1 / x - x),
                -(1 / x - x) * log(1 - x**2) - 2 * x, via=_on_the_hyperbola),
        Step.eq(r"which tends to $0$ as $x \to 0$: $q(z) - (z\log z - z + 2) \to 0$ as"
                r" $z \to \infty$",
                Limit(-(1 / x - x) * log(1 - x**2) - 2 * x, x, 0, "+"), 0, via=_evaluate),
        Step.eq(r"so $Q_\alpha(\beta) = \alpha^2(z \log z - z + 2)|_{z = \beta/\alpha^2} +"
                r" o(\alpha^2)$ and $Q_\alpha(\beta)/\log(1/\alpha^2) \to |\beta|$ as"
                r" $\alpha \to 0$ (shown for $\beta > 0$; $q$ is even)",
                Limit(Subs(a**2 * (z * log(z) - z + 2), z, b / a**2) / log(1 / a**2), a, 0,
                      "+"), b, via=_evaluate),
    ]


register(
    Lemma(
        name="diagonal.potential",
        title="The depth-2 potential q and its two regimes",
        statement=(
            r"$q(z) = 2 - \sqrt{4 + z^2} + z\operatorname{asinh}(z/2)$ is strictly convex with"
            r" $q'(z) = \operatorname{asinh}(z/2)$ and convex conjugate"
            r" $q^*(\nu) = 2\cosh\nu - 2$. As $\alpha \to \infty$,"
            r" $Q_\alpha(\beta) = \alpha^2 q(\beta/\alpha^2) \sim \beta^2/(4\alpha^2)$"
            r" (kernel regime, $\ell_2$); as $\alpha \to 0$,"
            r" $Q_\alpha(\beta) \sim |\beta|\log(1/\alpha^2)$ (rich regime, $\ell_1$)."
            r" General symbolic identities and limits in $z$, $\nu$, $\alpha$, $\beta$; no"
            r" instance."
        ),
        source=f"{WOODWORTH}, Thm 1 (the potential $Q_\\alpha$) and its two limits",
        derive=_derive_potential,
    )
)


# --------------------------------------------------------------------------------------------
# diagonal.gradient_flow


def _derive_gradient_flow() -> list[Step]:
    t = sympy.Symbol("t", real=True)
    a = sympy.Symbol("alpha", positive=True)
    s = sympy.Function("s")(t)
    g = Derivative(s, t)  # g = x^(j)T r(t), r = X beta - y
    u, v = a * exp(-2 * s), a * exp(2 * s)
    U, V = sympy.Function("u")(t), sympy.Function("v")(t)
    G = sympy.Function("g")(t)
    uu, vv = sympy.symbols("u v", real=True)
    X = Matrix(2, 3, lambda i, j: sympy.Symbol(f"x_{i + 1}{j + 1}", real=True))
    lam = Matrix(sympy.symbols("lambda_1:3", real=True))
    y = Matrix(sympy.symbols("y_1:3", real=True))
    nu = X.T * lam
    dual = 2 * a**2 * sum(cosh(nu[j]) for j in range(3)) - (y.T * lam)[0]
    beta = Matrix([2 * a**2 * sinh(nu[j]) for j in range(3)])
    flow = {Derivative(U, t): -2 * U * G, Derivative(V, t): 2 * V * G}
    return [
        Step.eq(r"the loss gradient: $\partial_{u_j} L = 2u_j g_j$,"
                r" $\partial_{v_j} L = -2v_j g_j$ with $g = X^\top(X\beta - y)$; the candidate"
                r" $u_j = \alpha e^{-2s_j}$ satisfies $\dot u_j = -2u_j\dot s_j$",
                Derivative(u, t), -2 * u * g, via=_evaluate),
        Step.eq(r"and $v_j = \alpha e^{2s_j}$ satisfies $\dot v_j = 2v_j\dot s_j$: with"
                r" $\dot s = X^\top r(t)$, $s(0) = 0$ this is the flow, and"
                r" $s(t) = X^\top\int_0^t r \in \mathrm{row}(X)$",
                Derivative(v, t), 2 * v * g, via=_evaluate),
        Step.eq(r"$\beta = u^2 - v^2 = -2\alpha^2\sinh(4s) = 2\alpha^2\sinh(\nu)$ with"
                r" $\nu = -4s \in \mathrm{row}(X)$",
                u**2 - v**2, -2 * a**2 * sinh(4 * s), via=lambda expr: expr.rewrite(exp)),
        Step.eq(r"$u_j v_j$ is conserved along every trajectory of the flow"
                r" $\dot u = -2ug$, $\dot v = 2vg$ (any $g(t)$): $\frac{d}{dt}(uv) ="
                r" \dot u v + u\dot v = 0$",
                Derivative(U * V, t), 0, via=lambda expr: expr.doit().subs(flow)),
        Step.eq(r"(on the closed form: $uv = \alpha^2$ for all $t$)",
                Subs(uu * vv, (uu, vv), (u, v)), a**2, via=_evaluate),
        Step.eq(r"the smooth dual $D(\lambda) = 2\alpha^2\sum_j\cosh(x^{(j)\top}\lambda)"
                r" - y^\top\lambda$ ($X$ symbolic $2 \times 3$) has gradient"
                r" $X\beta(\lambda) - y$, $\beta(\lambda) = 2\alpha^2\sinh(X^\top\lambda)$:"
                r" its minimizer interpolates",
                Matrix([Derivative(dual, li) for li in lam]), X * beta - y, via=_evaluate),
        Step.eq(r"and its Hessian is $X\,\mathrm{diag}(2\alpha^2\cosh\nu)\,X^\top \succeq 0$"
                r" (entry (1,1) shown)",
                Derivative(dual, (lam[0], 2)),
                sum(X[0, j] ** 2 * 2 * a**2 * cosh(nu[j]) for j in range(3)), via=_evaluate),
    ]


register(
    Lemma(
        name="diagonal.gradient_flow",
        title="Depth-2 gradient flow in closed form, its conserved quantity and its dual",
        statement=(
            r"For $\beta = u^2 - v^2$, $u(0) = v(0) = \alpha\mathbf{1}$ and the square loss,"
            r" $u = \alpha e^{-2s}$, $v = \alpha e^{2s}$ with $\dot s = X^\top(X\beta - y)$"
            r" solves gradient flow, so $\beta = 2\alpha^2\sinh(\nu)$ with"
            r" $\nu \in \mathrm{row}(X)$ and $u_j v_j = \alpha^2$ is conserved. A limit with"
            r" $X\beta = y$ minimizes the strictly convex dual"
            r" $2\alpha^2\sum_j\cosh(x^{(j)\top}\lambda) - y^\top\lambda$, i.e."
            r" $\operatorname{asinh}(\beta/(2\alpha^2)) \in \mathrm{row}(X)$: the KKT"
            r" conditions of $\min Q_\alpha$ s.t. $X\beta = y$ (lemma"
            r" \texttt{diagonal.potential}). General symbolic identities for an arbitrary"
            r" $s(t)$ and $g(t)$ and a symbolic $2\times 3$ $X$; no instance."
        ),
        source=f"{WOODWORTH}, Thm 1 (proof via the closed-form flow)",
        derive=_derive_gradient_flow,
    )
)


# --------------------------------------------------------------------------------------------
# diagonal.depth


def _derive_depth() -> list[Step]:
    t = sympy.Symbol("t", real=True)
    a = sympy.Symbol("alpha", positive=True)
    s = sympy.Function("s")(t)
    g = Derivative(s, t)
    nu = sympy.Symbol("nu", real=True)
    n = sympy.Symbol("n", positive=True)  # 1 - nu
    k = sympy.Symbol("k", positive=True)
    D = 2 + k  # a symbolic depth D > 2
    u = (a ** (2 - D) + D * (D - 2) * s) ** (1 / (2 - D))
    v = (a ** (2 - D) - D * (D - 2) * s) ** (1 / (2 - D))
    h_D, H_D = symbolic_h(D, nu), symbolic_H(D, nu)
    return [
        Step.eq(r"symbolic $D > 2$: $u = (\alpha^{2-D} + D(D-2)s)^{1/(2-D)}$ solves"
                r" $\dot u = -Du^{D-1}\dot s$ and $v = (\alpha^{2-D} - D(D-2)s)^{1/(2-D)}$"
                r" solves $\dot v = Dv^{D-1}\dot s$ (the flow of $\beta = u^D - v^D$,"
                r" $\dot s = X^\top r$, while both bases are positive)",
                Matrix([Derivative(u, t) + D * u ** (D - 1) * g,
                        Derivative(v, t) - D * v ** (D - 1) * g]), Matrix([0, 0]),
                via=_evaluate_powers),
        Step.eq(r"so $\beta = u^D - v^D = \alpha^D h_D(\nu)$ with"
                r" $\nu = -D(D-2)\alpha^{D-2}s \in \mathrm{row}(X)$, $|\nu| < 1$ (symbolic $D$)",
                Subs(u**D - v**D, s, -nu / (D * (D - 2) * a ** (D - 2))), a**D * h_D,
                via=_evaluate_factored_powers),
        Step.eq(r"$u^{2-D} + v^{2-D} = 2\alpha^{2-D}$ is conserved (symbolic $D$)",
                u ** (2 - D) + v ** (2 - D), 2 * a ** (2 - D), via=_evaluate_powers),
        Step.eq(r"$H_D' = h_D$ for symbolic $D > 2$: the dual"
                r" $\alpha^D\sum_j H_D(x^{(j)\top}\lambda) - y^\top\lambda$ has gradient"
                r" $X\beta - y$", Derivative(H_D, nu), h_D, via=_evaluate_powers),
        Step.eq(r"the normalized potential $G_D(z) = z\nu - H_D(\nu) + H_D(0)$,"
                r" $z = h_D(\nu)$: $\frac{d}{d\nu}[\nu h_D - H_D] = \nu h_D'$, so"
                r" $G_D'(z) = \nu h_D'/h_D' = h_D^{-1}(z)$ (symbolic $D$)",
                Derivative(nu * h_D - H_D, nu), nu * Derivative(h_D, nu),
                via=_evaluate_powers),
        Step.eq(r"$H_D(0) = D - 2$, so $G_D(0) = 0$ (symbolic $D$)",
                Subs(H_D, nu, 0), D - 2, via=_evaluate),
        Step.eq(r"rich regime: $G_D(z)/z = (\nu h_D - H_D)/h_D \to 1$ as $z \to \infty$"
                r" ($\nu = 1 - n \to 1$, symbolic $D$), so"
                r" $\alpha^D G_D(\beta/\alpha^D) \to |\beta|$ as $\alpha \to 0$",
                Limit(Subs((nu * h_D - H_D) / h_D, nu, 1 - n), n, 0, "+"), 1, via=_evaluate),
    ]


register(
    Lemma(
        name="diagonal.depth",
        title="Depth-D diagonal networks: closed-form flow, dual and potential",
        statement=(
            r"For $\beta = u^D - v^D$ ($D > 2$), $u(0) = v(0) = \alpha$, gradient flow gives"
            r" $u^{2-D} = \alpha^{2-D} + D(D-2)s$, $v^{2-D} = \alpha^{2-D} - D(D-2)s$,"
            r" $s \in \mathrm{row}(X)$, hence $\beta = \alpha^D h_D(X^\top\lambda)$ with"
            r" $h_D(\nu) = (1-\nu)^{-D/(D-2)} - (1+\nu)^{-D/(D-2)}$, $|\nu| < 1$, and"
            r" $u^{2-D} + v^{2-D}$ is conserved. $H_D' = h_D$ (so SPEC's dual is right) and"
            r" the potential is $Q^D_\alpha(\beta) = \alpha^D\sum_j G_D(\beta_j/\alpha^D)$,"
            r" $G_D(z) = z h_D^{-1}(z) - H_D(h_D^{-1}(z)) + D - 2$, $G_D' = h_D^{-1}$;"
            r" $Q^D_\alpha \to \|\cdot\|_1$ as $\alpha \to 0$. Every step is a general"
            r" identity or limit for symbolic $D = 2 + k$, $k > 0$ (and an arbitrary $s(t)$);"
            r" no instance."
        ),
        source=f"{WOODWORTH}, the depth-D theorem (higher-order models; Thm number not verified)",
        derive=_derive_depth,
    )
)


# --------------------------------------------------------------------------------------------
# diagonal.limits


def _taylor(h, nu, orders) -> list:
    """The Taylor coefficients h^{(j)}(0)/j! for j in ``orders``, unevaluated."""
    return [Subs(Derivative(h, (nu, j)), nu, 0) / factorial(j) for j in orders]


def _derive_limits() -> list[Step]:
    nu, n3 = sympy.symbols("nu nu_3", real=True)
    n = sympy.Symbol("n", positive=True)  # 1 - nu
    k = sympy.Symbol("k", positive=True)
    D = 2 + k  # a symbolic depth D > 2
    p = D / (D - 2)
    A = sympy.Symbol("A", positive=True)  # alpha^D
    a1, a3 = sympy.symbols("a_1 a_3", positive=True)
    b2 = sympy.Symbol("beta_2", real=True)
    a = sympy.Symbol("alpha", positive=True)
    gamma = sympy.Symbol("gamma", positive=True)
    h_D = symbolic_h(D, nu)
    sinh2 = symbolic_h(2, nu)
    # beta = A(a1 nu + a3 nu^3), nu = nu1 + nu3 with A a1 nu1 = beta2, nu3 = O(nu1^3)
    nu1 = b2 / (A * a1)
    cubic = A * (a1 * (nu1 + n3) + a3 * nu1**3) - b2 - A * a1 * n3
    L = -2 * log(a)

    def ratio(h):
        first, third = _taylor(h, nu, (1, 3))
        return third / first**3

    return [
        Step.eq(r"Taylor, symbolic $D > 2$, $p = D/(D-2)$: $h_D$ is odd and"
                r" $h_D(\nu) = 2p\,\nu + \frac{p(p+1)(p+2)}{3}\nu^3 + O(\nu^5)$",
                Matrix([Subs(h_D, nu, -nu) + h_D, *_taylor(h_D, nu, (1, 3))]),
                Matrix([0, 2 * p, p * (p + 1) * (p + 2) / 3]), via=_evaluate_powers),
        Step.eq(r"and $D = 2$: $2\sinh\nu = 2\nu + \nu^3/3 + O(\nu^5)$ (odd)",
                Matrix([Subs(sinh2, nu, -nu) + sinh2, *_taylor(sinh2, nu, (1, 3))]),
                Matrix([0, 2, Rational(1, 3)]), via=_evaluate),
        Step.eq(r"so $c_D = a_3/a_1^3 = (p+1)(p+2)/(24p^2)$ (symbolic $D > 2$) and"
                r" $c_2 = 1/24$",
                Matrix([ratio(h_D), ratio(sinh2)]),
                Matrix([(p + 1) * (p + 2) / (24 * p**2), Rational(1, 24)]),
                via=_evaluate_powers),
        Step.eq(r"instances $D = 3, 4, 5$ (the forms $h_D$ of theory.diagonal):"
                r" $h_3 = 6\nu + 20\nu^3$, $h_4 = 4\nu + 8\nu^3$,"
                r" $h_5 = \frac{10}{3}\nu + \frac{440}{81}\nu^3$ (each $+ O(\nu^5)$)",
                Matrix([_taylor(symbolic_h(depth, nu), nu, (1, 3)) for depth in (3, 4, 5)]),
                Matrix([[6, 20], [4, 8], [Rational(10, 3), Rational(440, 81)]]),
                via=_evaluate),
        Step.eq(r"kernel expansion: with $\beta = \alpha^D(a_1\nu + a_3\nu^3)$ and"
                r" $\nu = \nu_1 + \nu_3$, $\alpha^D a_1\nu_1 = \beta_2$ (min-$\ell_2$, in"
                r" $\mathrm{row}(X)$), the cubic remainder is $(a_3/a_1^3)\beta_2^3/\alpha^{2D}$;"
                r" feasibility then forces $\beta - \beta_2 = (a_3/a_1^3)"
                r" P_{\ker X}(\beta_2^3)/\alpha^{2D} + O(\alpha^{-4D})$",
                cubic, a3 / a1**3 * b2**3 / A**2),
        Step.eq(r"rich expansion, $D = 2$: off the support $|\nu_j| = (1-\gamma)\log(1/\alpha^2)"
                r" + O(1)$ ($\gamma$ = dual margin of the $\ell_1$ problem), so"
                r" $|\beta_j| \approx \alpha^2 e^{|\nu_j|} = \alpha^{2\gamma}$: a power law, not"
                r" a logarithmic rate",
                a**2 * exp((1 - gamma) * L), a ** (2 * gamma),
                via=lambda expr: sympy.expand(expr).rewrite(sympy.Pow)),
        Step.eq(r"rich expansion, $D > 2$ (symbolic): $h_D(\nu)(1-\nu)^p = 1 - n^p (2 - n)^{-p}$"
                r" at $\nu = 1 - n$",
                Subs(h_D * (1 - nu) ** p, nu, 1 - n), 1 - n**p * (2 - n) ** (-p),
                via=_evaluate_factored_powers),
        Step.eq(r"which tends to $1$ as $\nu \to 1$, so on the support"
                r" $\beta_j \approx \alpha^D(1-|\nu_j|)^{-p}$,"
                r" $1 - |\nu_j| \approx (\alpha^D/|\beta_j|)^{1/p}$ and $\nu \to \nu^*$ at rate"
                r" $\alpha^{D-2}$; off the support $\beta_j = \alpha^D h_D(\nu_j) = O(\alpha^D)$",
                Limit(1 - n**p * (2 - n) ** (-p), n, 0, "+"), 1, via=_evaluate),
    ]


register(
    Lemma(
        name="diagonal.limits",
        title="Leading-order corrections in the kernel and rich regimes",
        statement=(
            r"As $\alpha \to \infty$, $\beta_\alpha = \beta_2 + c_D P_{\ker X}(\beta_2^{3})"
            r"/\alpha^{2D} + O(\alpha^{-4D})$ with $c_2 = 1/24$ and"
            r" $c_D = (p+1)(p+2)/(24p^2)$, $p = D/(D-2)$ ($\beta_2$ the min-$\ell_2$"
            r" interpolant, cubes entrywise). As $\alpha \to 0$, around a unique non-degenerate"
            r" min-$\ell_1$ solution with dual margin $\gamma$, the off-support entries are"
            r" $\Theta(\alpha^{2\gamma})$ ($D = 2$) and $\Theta(\alpha^D)$ ($D \geq 3$): the"
            r" distance to the $\ell_1$ solution falls as a power of $\alpha$. General symbolic"
            r" identities: the Taylor coefficients and $c_D$ for symbolic $D > 2$ (and"
            r" $D = 2$), the expansion steps in the displayed symbols, the rich limit for"
            r" symbolic $D$. Instance check: the coefficients of $h_3$, $h_4$, $h_5$."
        ),
        source=f"{WOODWORTH}, Thm 1 and the depth-D theorem (limits alpha -> 0, oo);"
               " expansions derived here (docs/diagonal.md)",
        derive=_derive_limits,
    )
)

"""Lemmas behind "gradient flow on a diagonal linear network minimizes Q_alpha" (kernel vs rich).

Registered on import (see :func:`proofs.all_lemmas`):

- ``diagonal.potential``: q' = asinh(z/2), q'' = 1/sqrt(4 + z^2) > 0, q* = 2 cosh - 2, and the
  two regimes: q(z) = z^2/4 - z^4/192 + ..., q(z) - (z log z - z + 2) -> 0.
- ``diagonal.gradient_flow``: u = alpha e^{-2s}, v = alpha e^{2s} solve the depth-2 flow,
  beta = -2 alpha^2 sinh(4s), u v is conserved, and the dual's gradient is X beta - y.
- ``diagonal.depth``: u^{2-D} = alpha^{2-D} + D(D-2)s solves the depth-D flow, beta =
  alpha^D h_D(nu), H_D' = h_D, and the normalized potential G_D has G_D' = h_D^{-1}.
- ``diagonal.limits``: the kernel (alpha -> oo) and rich (alpha -> 0) expansions used by
  theory.diagonal.kernel_expansion and rich_expansion.

Conventions follow SPEC section 7: beta = u^D - v^D, loss (1/2)||X beta - y||^2, gradient flow.
"""

from __future__ import annotations

import sympy
from sympy import Matrix, Rational, asinh, cosh, exp, limit, log, oo, sinh, sqrt

from implicit_bias.proofs.lemma import Lemma, Step, register
from implicit_bias.theory.diagonal import symbolic_H, symbolic_h, symbolic_q

__all__ = ["WOODWORTH"]

WOODWORTH = ("Woodworth, Gunasekar, Lee, Moroshko, Savarese, Golan, Soudry and Srebro, "
             "COLT 2020")


# --------------------------------------------------------------------------------------------
# diagonal.potential


def _derive_potential() -> list[Step]:
    z = sympy.Symbol("z", real=True)
    zp = sympy.Symbol("z", positive=True)
    nu = sympy.Symbol("nu", real=True)
    a = sympy.Symbol("alpha", positive=True)
    b = sympy.Symbol("beta", positive=True)
    q = symbolic_q(z)
    d_asinh_sinh = sympy.diff(asinh(sinh(nu)), nu)
    # q(2 sinh nu), with sqrt(4 + 4 sinh^2) = 2 cosh and asinh(sinh nu) = nu (steps 4-5)
    q_at = q.subs(z, 2 * sinh(nu)).replace(asinh(sinh(nu)), nu)
    q_at = q_at.replace(sqrt(4 * sinh(nu) ** 2 + 4), 2 * cosh(nu))
    Q = a**2 * q.subs(z, b / a**2)
    return [
        Step.eq(r"$q'(z) = \operatorname{asinh}(z/2)$", sympy.diff(q, z), asinh(z / 2)),
        Step.eq(r"$q''(z) = 1/\sqrt{4 + z^2}$, so $q$ is strictly convex",
                sympy.diff(q, z, 2), 1 / sqrt(4 + z**2)),
        Step.eq(r"$q(0) = q'(0) = 0$: $q \geq 0$ with its minimum at $0$",
                Matrix([q.subs(z, 0), sympy.diff(q, z).subs(z, 0)]), Matrix([0, 0])),
        Step.eq(r"$1 + \sinh^2\nu = \cosh^2\nu$, so $\sqrt{4 + 4\sinh^2\nu} = 2\cosh\nu$"
                r" ($\cosh > 0$)", 1 + sinh(nu) ** 2 - cosh(nu) ** 2, 0),
        Step.eq(r"$\frac{d}{d\nu}\operatorname{asinh}(\sinh\nu)$ squares to $1$, and"
                r" $\operatorname{asinh}(\sinh 0) = 0$",
                Matrix([d_asinh_sinh**2, asinh(sinh(0))]), Matrix([1, 0])),
        Step.holds(r"the derivative is positive, so it is $1$ and"
                   r" $\operatorname{asinh}(\sinh\nu) = \nu$ for real $\nu$",
                   sympy.Gt(d_asinh_sinh, 0, evaluate=False)),
        Step.eq(r"conjugate: the maximizer of $\nu z - q(z)$ is $z = 2\sinh\nu$ ($q'(z) = \nu$),"
                r" and $q^*(\nu) = 2\nu\sinh\nu - q(2\sinh\nu) = 2\cosh\nu - 2$: the dual"
                r" objective $\alpha^2\sum_j (2\cosh(x^{(j)\top}\lambda) - 2) - y^\top\lambda$",
                2 * nu * sinh(nu) - q_at, 2 * cosh(nu) - 2),
        Step.eq(r"kernel regime: $q(z) = z^2/4 - z^4/192 + O(z^6)$",
                sympy.series(q, z, 0, 6).removeO(), z**2 / 4 - z**4 / 192),
        Step.eq(r"so $4\alpha^2 Q_\alpha(\beta) \to \beta^2$ as $\alpha \to \infty$"
                r" ($Q_\alpha(\beta) = \alpha^2 q(\beta/\alpha^2)$, one coordinate)",
                limit(4 * a**2 * Q, a, oo), b**2),
        Step.eq(r"rich regime: $q(z) - (z\log z - z + 2) \to 0$ as $z \to \infty$",
                limit((q.subs(z, zp) - (zp * log(zp) - zp + 2)).rewrite(log), zp, oo), 0),
        Step.eq(r"so $Q_\alpha(\beta)/\log(1/\alpha^2) \to |\beta|$ as $\alpha \to 0$"
                r" (shown for $\beta > 0$; $q$ is even)",
                limit(Q.rewrite(log) / log(1 / a**2), a, 0, "+"), b),
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
            r" General symbolic identities and limits (no instance)."
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
    g = sympy.diff(s, t)  # g = x^(j)T r(t), r = X beta - y
    u, v = a * exp(-2 * s), a * exp(2 * s)
    uu, vv, gg = sympy.symbols("u v g", real=True)
    X = Matrix(2, 3, lambda i, j: sympy.Symbol(f"x_{i + 1}{j + 1}", real=True))
    lam = Matrix(sympy.symbols("lambda_1:3", real=True))
    y = Matrix(sympy.symbols("y_1:3", real=True))
    nu = X.T * lam
    dual = 2 * a**2 * sum(cosh(nu[j]) for j in range(3)) - (y.T * lam)[0]
    beta = Matrix([2 * a**2 * sinh(nu[j]) for j in range(3)])
    grad = Matrix([sympy.diff(dual, li) for li in lam])
    return [
        Step.eq(r"the loss gradient: $\partial_{u_j} L = 2u_j g_j$,"
                r" $\partial_{v_j} L = -2v_j g_j$ with $g = X^\top(X\beta - y)$; the candidate"
                r" $u_j = \alpha e^{-2s_j}$ satisfies $\dot u_j = -2u_j\dot s_j$",
                sympy.diff(u, t), -2 * u * g),
        Step.eq(r"and $v_j = \alpha e^{2s_j}$ satisfies $\dot v_j = 2v_j\dot s_j$: with"
                r" $\dot s = X^\top r(t)$, $s(0) = 0$ this is the flow, and"
                r" $s(t) = X^\top\int_0^t r \in \mathrm{row}(X)$",
                sympy.diff(v, t), 2 * v * g),
        Step.eq(r"$\beta = u^2 - v^2 = -2\alpha^2\sinh(4s) = 2\alpha^2\sinh(\nu)$ with"
                r" $\nu = -4s \in \mathrm{row}(X)$",
                (u**2 - v**2).rewrite(exp), (-2 * a**2 * sinh(4 * s)).rewrite(exp)),
        Step.eq(r"$u_j v_j$ is conserved along every trajectory:"
                r" $\frac{d}{dt}(uv) = \dot u v + u\dot v = (-2ug)v + u(2vg) = 0$",
                (-2 * uu * gg) * vv + uu * (2 * vv * gg), 0),
        Step.eq(r"(on the closed form: $uv = \alpha^2$ for all $t$)", u * v, a**2),
        Step.eq(r"the smooth dual $D(\lambda) = 2\alpha^2\sum_j\cosh(x^{(j)\top}\lambda)"
                r" - y^\top\lambda$ ($X$ symbolic $2 \times 3$) has gradient"
                r" $X\beta(\lambda) - y$, $\beta(\lambda) = 2\alpha^2\sinh(X^\top\lambda)$:"
                r" its minimizer interpolates",
                grad, X * beta - y),
        Step.eq(r"and its Hessian is $X\,\mathrm{diag}(2\alpha^2\cosh\nu)\,X^\top \succeq 0$"
                r" (entry (1,1) shown)",
                sympy.diff(dual, lam[0], 2),
                sum(X[0, j] ** 2 * 2 * a**2 * cosh(nu[j]) for j in range(3))),
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
            r" \texttt{diagonal.potential}). Identities for a general $s(t)$ and a symbolic"
            r" $2\times 3$ $X$."
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
    g = sympy.diff(s, t)
    nu = sympy.Symbol("nu", real=True)
    Dsym = sympy.Symbol("D", positive=True)
    odes, betas, conserved = [], [], []
    for D in (3, 4, 5):
        u = (a ** (2 - D) + D * (D - 2) * s) ** Rational(1, 2 - D)
        v = (a ** (2 - D) - D * (D - 2) * s) ** Rational(1, 2 - D)
        odes += [sympy.diff(u, t) + D * u ** (D - 1) * g, sympy.diff(v, t) - D * v ** (D - 1) * g]
        nuD = -D * (D - 2) * a ** (D - 2) * s
        betas.append(sympy.powdenest(u**D - v**D - a**D * symbolic_h(D, nuD), force=True))
        conserved.append(u ** (2 - D) + v ** (2 - D) - 2 * a ** (2 - D))
    h_D, H_D = symbolic_h(Dsym, nu), symbolic_H(Dsym, nu)
    n = sympy.Symbol("n", positive=True)
    ratios = [limit(((nu * symbolic_h(D, nu) - symbolic_H(D, nu)) / symbolic_h(D, nu))
                    .subs(nu, 1 - n), n, 0, "+") for D in (3, 4, 5)]
    return [
        Step.eq(r"$D \in \{3, 4, 5\}$: $u = (\alpha^{2-D} + D(D-2)s)^{1/(2-D)}$ solves"
                r" $\dot u = -Du^{D-1}\dot s$ and $v = (\alpha^{2-D} - D(D-2)s)^{1/(2-D)}$"
                r" solves $\dot v = Dv^{D-1}\dot s$ (the flow of $\beta = u^D - v^D$,"
                r" $\dot s = X^\top r$)",
                Matrix(odes), sympy.zeros(6, 1)),
        Step.eq(r"so $\beta = u^D - v^D = \alpha^D h_D(\nu)$ with"
                r" $\nu = -D(D-2)\alpha^{D-2}s \in \mathrm{row}(X)$ (same three $D$)",
                Matrix([sympy.simplify(e) for e in betas]), sympy.zeros(3, 1)),
        Step.eq(r"$u^{2-D} + v^{2-D} = 2\alpha^{2-D}$ is conserved (same three $D$)",
                Matrix(conserved), sympy.zeros(3, 1)),
        Step.eq(r"$H_D' = h_D$ for symbolic $D > 2$: the dual"
                r" $\alpha^D\sum_j H_D(x^{(j)\top}\lambda) - y^\top\lambda$ has gradient"
                r" $X\beta - y$", sympy.diff(H_D, nu), h_D),
        Step.eq(r"the normalized potential $G_D(z) = z\nu - H_D(\nu) + H_D(0)$,"
                r" $z = h_D(\nu)$: $\frac{d}{d\nu}[\nu h_D - H_D] = \nu h_D'$, so"
                r" $G_D'(z) = \nu h_D'/h_D' = h_D^{-1}(z)$ (symbolic $D$)",
                sympy.diff(nu * h_D - H_D, nu), nu * sympy.diff(h_D, nu)),
        Step.eq(r"$H_D(0) = D - 2$, so $G_D(0) = 0$ (symbolic $D$)", H_D.subs(nu, 0), Dsym - 2),
        Step.eq(r"rich regime: $G_D(z)/z \to 1$ as $z \to \infty$ ($\nu \to 1$), so"
                r" $\alpha^D G_D(\beta/\alpha^D) \to |\beta|$ as $\alpha \to 0$ ($D = 3, 4, 5$)",
                Matrix(ratios), Matrix([1, 1, 1])),
    ]


register(
    Lemma(
        name="diagonal.depth",
        title="Depth-D diagonal networks: closed-form flow, dual and potential",
        statement=(
            r"For $\beta = u^D - v^D$ ($D \geq 3$), $u(0) = v(0) = \alpha$, gradient flow gives"
            r" $u^{2-D} = \alpha^{2-D} + D(D-2)s$, $v^{2-D} = \alpha^{2-D} - D(D-2)s$,"
            r" $s \in \mathrm{row}(X)$, hence $\beta = \alpha^D h_D(X^\top\lambda)$ with"
            r" $h_D(\nu) = (1-\nu)^{-D/(D-2)} - (1+\nu)^{-D/(D-2)}$, $|\nu| < 1$, and"
            r" $u^{2-D} + v^{2-D}$ is conserved. $H_D' = h_D$ (so SPEC's dual is right) and"
            r" the potential is $Q^D_\alpha(\beta) = \alpha^D\sum_j G_D(\beta_j/\alpha^D)$,"
            r" $G_D(z) = z h_D^{-1}(z) - H_D(h_D^{-1}(z)) + D - 2$, $G_D' = h_D^{-1}$;"
            r" $Q^D_\alpha \to \|\cdot\|_1$ as $\alpha \to 0$. The ODE and limit steps are"
            r" instance checks for $D = 3, 4, 5$; the $H_D$, $G_D$ steps hold for symbolic $D$."
        ),
        source=f"{WOODWORTH}, the depth-D theorem (higher-order models; Thm number not verified)",
        derive=_derive_depth,
    )
)


# --------------------------------------------------------------------------------------------
# diagonal.limits


def _derive_limits() -> list[Step]:
    nu, n1, n3 = sympy.symbols("nu nu_1 nu_3", real=True)
    A = sympy.Symbol("A", positive=True)  # alpha^D
    a1, a3 = sympy.symbols("a_1 a_3", positive=True)
    b2 = sympy.Symbol("beta_2", real=True)
    a = sympy.Symbol("alpha", positive=True)
    gamma = sympy.Symbol("gamma", positive=True)
    series = [sympy.series(symbolic_h(D, nu), nu, 0, 5).removeO() for D in (2, 3, 4, 5)]
    coeffs = [ser.coeff(nu, 3) / ser.coeff(nu, 1) ** 3 for ser in series]
    p_of = [Rational(D, D - 2) for D in (3, 4, 5)]
    # beta = A(a1 nu + a3 nu^3), nu = nu1 + nu3 with A a1 nu1 = beta2, nu3 = O(nu1^3)
    nu1 = b2 / (A * a1)
    cubic = sympy.expand(A * (a1 * (nu1 + n3) + a3 * nu1**3)) - b2 - A * a1 * n3
    L = -2 * log(a)
    return [
        Step.eq(r"Taylor: $2\sinh\nu = 2\nu + \nu^3/3$, $h_3 = 6\nu + 20\nu^3$,"
                r" $h_4 = 4\nu + 8\nu^3$, $h_5 = \frac{10}{3}\nu + \frac{440}{81}\nu^3$"
                r" (each $+ O(\nu^5)$)",
                Matrix(series), Matrix([2 * nu + nu**3 / 3, 6 * nu + 20 * nu**3,
                                        4 * nu + 8 * nu**3,
                                        Rational(10, 3) * nu + Rational(440, 81) * nu**3])),
        Step.eq(r"so $a_3/a_1^3 = 1/24$ ($D = 2$) and $(p+1)(p+2)/(24p^2)$, $p = D/(D-2)$"
                r" ($D = 3, 4, 5$)",
                Matrix(coeffs), Matrix([Rational(1, 24)] + [(p + 1) * (p + 2) / (24 * p**2)
                                                            for p in p_of])),
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
                sympy.powsimp(sympy.expand_log(a**2 * exp((1 - gamma) * L), force=True),
                              force=True), a ** (2 * gamma)),
        Step.eq(r"rich expansion, $D \geq 3$: $h_D(\nu)(1-\nu)^p \to 1$ as $\nu \to 1$"
                r" ($D = 3, 4, 5$), so on the support $\beta_j \approx \alpha^D(1-|\nu_j|)^{-p}$,"
                r" $1 - |\nu_j| \approx (\alpha^D/|\beta_j|)^{1/p}$ and $\nu \to \nu^*$ at rate"
                r" $\alpha^{D-2}$; off the support $\beta_j = \alpha^D h_D(\nu_j) = O(\alpha^D)$",
                Matrix([limit(symbolic_h(D, nu) * (1 - nu) ** Rational(D, D - 2), nu, 1, "-")
                        for D in (3, 4, 5)]), Matrix([1, 1, 1])),
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
            r" distance to the $\ell_1$ solution falls as a power of $\alpha$. The Taylor"
            r" coefficients are instance checks ($D = 2, \ldots, 5$); the expansion steps are"
            r" general identities in the displayed symbols."
        ),
        source=f"{WOODWORTH}, Thm 1 and the depth-D theorem (limits alpha -> 0, oo);"
               " expansions derived here (docs/diagonal.md)",
        derive=_derive_limits,
    )
)

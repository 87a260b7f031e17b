"""Lemmas behind "gradient descent on separable data converges to the hard-margin SVM".

Registered on import (see :func:`proofs.all_lemmas`):

- ``svm.kkt``: KKT conditions of the hard-margin SVM, Sum(alpha) = ||w_hat||^2, zero duality gap.
- ``svm.asymptote``: w(t) = w_hat log t + w_tilde solves the flow to leading order, with
  eta exp(-z_n^T w_tilde) = alpha_n; t L(w(t)) -> ||w_hat||^2 / eta; same w_tilde for logistic.
- ``svm.logistic_smoothness``: the logistic loss is 1/4-smooth, so eta < 8 / sigma_max(Z)^2.
- ``svm.normalized_gradient``: for the exp loss, grad L / L = -Z^T softmax(-Z w).
- ``deep_linear.cost``: min sum_l ||W_l||_F^2 over factorizations of beta is L ||beta||^(2/L).

Conventions follow SPEC section 0: labels absorbed (z_n = y_n x_n), loss a sum over examples.
"""

from __future__ import annotations

import sympy
from sympy import Matrix, Rational, exp, limit, log, oo

from implicit_bias.proofs.lemma import Lemma, Step, register

__all__ = ["EXAMPLE_DATA", "solve_polynomial_system"]

SOUDRY = "Soudry, Hoffer, Nacson, Gunasekar and Srebro, JMLR 19 (2018)"

#: A 3-point, 2-d separable instance (rows z_n): support {z_1, z_2}, z_3 strictly inside.
EXAMPLE_DATA = Matrix([[2, 0], [1, 2], [2, 3]])


def _data(rows: int = 3, cols: int = 2) -> Matrix:
    """A matrix of real symbols z_{ni} (row n is the example z_n)."""
    return Matrix(rows, cols, lambda n, i: sympy.Symbol(f"z_{n + 1}{i + 1}", real=True))


def _vector(name: str, size: int, **assumptions: bool) -> Matrix:
    return Matrix(sympy.symbols(f"{name}_1:{size + 1}", **assumptions))


def _logistic(u: sympy.Expr) -> sympy.Expr:
    return log(1 + exp(-u))


def _sigmoid(u: sympy.Expr) -> sympy.Expr:
    return 1 / (1 + exp(-u))


def _limit_at_infinity(expr: sympy.Expr, t: sympy.Symbol) -> sympy.Expr:
    """``limit(expand(expr), t, oo)``.

    Expanding first (exp of a sum into a product, t * (a/t + ...) into a sum) matters: sympy
    1.14 returns ``oo`` for ``limit(t*(a/t + exp(-(1 + delta)*log(t) - c)), t, oo)``.
    """
    return limit(sympy.expand(expr), t, oo)


def _example_kkt() -> tuple[Matrix, Matrix]:
    """Solve the SVM KKT system of :data:`EXAMPLE_DATA` on the support {1, 2}: (alpha, w_hat)."""
    z = EXAMPLE_DATA
    a1, a2 = sympy.symbols("alpha_1 alpha_2")
    alpha = Matrix([a1, a2, 0])
    w = z.T * alpha
    (solution,) = sympy.solve([z[0, :].dot(w) - 1, z[1, :].dot(w) - 1], [a1, a2], dict=True)
    return alpha.subs(solution), w.subs(solution)


def solve_polynomial_system(
    equations: list[sympy.Expr], unknowns: list[sympy.Symbol]
) -> list[dict[sympy.Symbol, sympy.Expr]]:
    """The solutions of a zero-dimensional polynomial system allowed by the unknowns' assumptions.

    Computes a lex Groebner basis and back-substitutes from the last unknown; each unknown's
    candidates are the roots (``sympy.solve``, so a ``positive=True`` symbol keeps positive
    roots only) of the first basis polynomial in it, kept if every other basis polynomial
    vanishes there. Much faster than ``sympy.solve`` on the raw Lagrange systems of
    ``deep_linear.cost``.

    >>> x, y = sympy.symbols("x y", positive=True)
    >>> solve_polynomial_system([x * y - 4, x - y], [x, y])
    [{y: 2, x: 2}]
    """
    basis = list(sympy.groebner(equations, *unknowns, order="lex"))
    solutions: list[dict[sympy.Symbol, sympy.Expr]] = [{}]
    for position in range(len(unknowns) - 1, -1, -1):
        unknown = unknowns[position]
        later = set(unknowns[position + 1 :])
        extended = []
        for solution in solutions:
            constraints = [
                sympy.expand(g.subs(solution))
                for g in basis
                if unknown in g.free_symbols and g.free_symbols & set(unknowns) <= later | {unknown}
            ]
            constraints = [c for c in constraints if c != 0]
            if not constraints:
                raise ValueError(f"the system does not determine {unknown}")
            for root in sympy.solve(constraints[0], unknown):
                if all(sympy.simplify(c.subs(unknown, root)) == 0 for c in constraints[1:]):
                    extended.append({**solution, unknown: root})
        solutions = extended
    return solutions


# --------------------------------------------------------------------------------------------
# svm.kkt


def _derive_kkt() -> list[Step]:
    z = _data()
    alpha = _vector("alpha", 3, nonnegative=True)
    w = _vector("w", 2, real=True)
    lagrangian = w.dot(w) / 2 - sum(alpha[n] * (z[n, :].dot(w) - 1) for n in range(3))
    gradient = Matrix([sympy.diff(lagrangian, wi) for wi in w])
    (stationary,) = sympy.solve(list(gradient), list(w), dict=True)
    w_hat = z.T * alpha
    slack = Matrix([z[n, :].dot(w_hat) - 1 for n in range(3)])  # z_n^T w_hat - 1
    remainder = sum(alpha[n] * slack[n] for n in range(3))
    dual = sum(alpha) - w_hat.dot(w_hat) / 2

    # Complementary slackness, case by case: each n has alpha_n = 0 or z_n^T w_hat = 1.
    g = _vector("g", 3, real=True)  # g_n stands for z_n^T w_hat
    abstract = sum(alpha[n] * (g[n] - 1) for n in range(3))
    cases = []
    for mask in range(8):
        inactive = [n for n in range(3) if (mask >> n) & 1]
        on_margin = [n for n in range(3) if n not in inactive]
        pattern = {alpha[n]: 0 for n in inactive} | {g[n]: 1 for n in on_margin}
        cases.append(abstract.subs(pattern))

    ex_alpha, ex_w = _example_kkt()
    ex_margins = EXAMPLE_DATA * ex_w
    ex_primal = ex_w.dot(ex_w) / 2
    ex_dual = sum(ex_alpha) - (EXAMPLE_DATA.T * ex_alpha).dot(EXAMPLE_DATA.T * ex_alpha) / 2
    return [
        Step.eq(
            r"gradient of the Lagrangian in $w$",
            gradient,
            w - z.T * alpha,
        ),
        Step.eq(
            r"stationarity: $\hat w = \sum_n \alpha_n z_n$",
            w.subs(stationary),
            w_hat,
        ),
        Step.eq(
            r"$\|\hat w\|^2 = \sum_n \alpha_n z_n^\top \hat w$",
            w_hat.dot(w_hat),
            sum(alpha[n] * z[n, :].dot(w_hat) for n in range(3)),
        ),
        Step.eq(
            r"hence $\|\hat w\|^2 - \sum_n \alpha_n = \sum_n \alpha_n (z_n^\top \hat w - 1)$",
            w_hat.dot(w_hat) - sum(alpha),
            remainder,
        ),
        Step.eq(
            r"complementary slackness ($\alpha_n = 0$ or $z_n^\top \hat w = 1$, all $2^3$ cases,"
            r" writing $g_n = z_n^\top \hat w$) kills $\sum_n \alpha_n (g_n - 1)$",
            Matrix(cases),
            sympy.zeros(8, 1),
        ),
        Step.eq(
            r"dual function: $\min_w \mathcal{L}(w, \alpha) = \sum_n \alpha_n"
            r" - \frac12 \|\sum_n \alpha_n z_n\|^2$",
            lagrangian.subs(stationary),
            dual,
        ),
        Step.eq(
            r"duality gap: $\frac12 \|\hat w\|^2 - D(\alpha) = \sum_n \alpha_n"
            r" (z_n^\top \hat w - 1)$, zero under complementary slackness",
            w_hat.dot(w_hat) / 2 - dual,
            remainder,
        ),
        Step.eq(
            r"instance $z_1 = (2,0)$, $z_2 = (1,2)$, $z_3 = (2,3)$: KKT on the support"
            r" $\{1,2\}$ gives $\alpha$",
            ex_alpha,
            Matrix([Rational(3, 16), Rational(1, 8), 0]),
        ),
        Step.eq(r"instance: $\hat w$", ex_w, Matrix([Rational(1, 2), Rational(1, 4)])),
        Step.holds(
            r"instance: primal and dual feasibility ($z_3$ strictly inside the margin)",
            sympy.And(
                *(sympy.Ge(a, 0, evaluate=False) for a in ex_alpha),
                sympy.Eq(ex_margins[0], 1, evaluate=False),
                sympy.Eq(ex_margins[1], 1, evaluate=False),
                sympy.Gt(ex_margins[2], 1, evaluate=False),
                evaluate=False,
            ),
        ),
        Step.eq(
            r"instance: $\sum_n \alpha_n = \|\hat w\|^2$",
            sum(ex_alpha),
            ex_w.dot(ex_w),
        ),
        Step.eq(
            r"instance: zero duality gap, so $\hat w$ is optimal (weak duality)",
            ex_primal,
            ex_dual,
        ),
    ]


register(
    Lemma(
        name="svm.kkt",
        title="Hard-margin SVM: KKT conditions and zero duality gap",
        statement=(
            r"Let $\hat w = \arg\min \frac12\|w\|^2$ subject to $z_n^\top w \geq 1$ for all $n$."
            r" There is $\alpha \geq 0$ with $\hat w = \sum_n \alpha_n z_n$ and"
            r" $\alpha_n (z_n^\top \hat w - 1) = 0$. Consequently"
            r" $\sum_n \alpha_n = \|\hat w\|^2$, and the dual objective"
            r" $D(\alpha) = \sum_n \alpha_n - \frac12 \|\sum_n \alpha_n z_n\|^2$ equals"
            r" $\frac12 \|\hat w\|^2$ at the optimum (zero duality gap)."
            r" Checked symbolically for $N = 3$, $d = 2$, and on an exact instance."
        ),
        source=f"{SOUDRY}, Thm 3 (the SVM KKT conditions used throughout its proof)",
        derive=_derive_kkt,
    )
)


# --------------------------------------------------------------------------------------------
# svm.asymptote


def _derive_asymptote() -> list[Step]:
    t = sympy.Symbol("t", positive=True)
    eta = sympy.Symbol("eta", positive=True)
    delta = sympy.Symbol("delta", positive=True)  # theta_3 = 1 + delta > 1: non-support margin
    u = sympy.Symbol("u", real=True)
    z = _data()
    w_hat = _vector("what", 2, real=True)
    w_tilde = _vector("wtilde", 2, real=True)
    w_t = w_hat * log(t) + w_tilde

    # Along the ray, z_n^T w(t) = theta_n log t + c_n with theta = (1, 1, 1 + delta).
    c = _vector("c", 3, real=True)  # c_n stands for z_n^T w_tilde
    alpha = _vector("alpha", 2, positive=True)
    theta = [1, 1, 1 + delta]
    margins_t = [theta[n] * log(t) + c[n] for n in range(3)]
    t_rhs = Matrix(
        2, 1, lambda i, _: t * eta * sum(exp(-m) * z[n, i] for n, m in enumerate(margins_t))
    )
    lim_t_rhs = t_rhs.applyfunc(lambda entry: _limit_at_infinity(entry, t))
    matched = {c[n]: log(eta / alpha[n]) for n in range(2)}
    t_loss = t * sum(exp(-m) for m in margins_t)

    # The exact instance of svm.kkt: solve eta exp(-z_n^T w_tilde) = alpha_n on the support.
    ex_alpha, ex_w_hat = _example_kkt()
    (ex_solution,) = sympy.solve(
        [EXAMPLE_DATA[n, :].dot(w_tilde) - log(eta / ex_alpha[n]) for n in range(2)],
        list(w_tilde),
        dict=True,
    )
    ex_w_t = ex_w_hat * log(t) + w_tilde.subs(ex_solution)
    ex_terms = [exp(-EXAMPLE_DATA[n, :].dot(ex_w_t)) for n in range(3)]
    ex_t_rhs = (
        t * eta * sum((ex_terms[n] * EXAMPLE_DATA[n, :].T for n in range(3)), sympy.zeros(2, 1))
    )

    # Direction: with s = 1 / log t, w/||w|| = (w_hat + s w_tilde)/||w_hat + s w_tilde||.
    s = sympy.Symbol("s", positive=True)
    ray = w_hat + s * w_tilde
    direction = ray / sympy.sqrt(ray.dot(ray))
    norm_hat = sympy.sqrt(w_hat.dot(w_hat))
    p_perp = sympy.eye(2) - w_hat * w_hat.T / w_hat.dot(w_hat)

    neg_dlogistic = -sympy.diff(_logistic(u), u)
    return [
        Step.eq(
            r"$w(t) = \hat w \log t + \tilde w$ has $t\,\dot w(t) = \hat w$",
            t * sympy.diff(w_t, t),
            w_hat,
        ),
        Step.eq(
            r"margins along the ray:"
            r" $z_n^\top w(t) = (z_n^\top \hat w) \log t + z_n^\top \tilde w$",
            z * w_t,
            z * w_hat * log(t) + z * w_tilde,
        ),
        Step.eq(
            r"support vector ($z_n^\top \hat w = 1$, $c_n = z_n^\top \tilde w$):"
            r" $t\,e^{-z_n^\top w(t)} = e^{-c_n}$",
            t * exp(-margins_t[0]),
            exp(-c[0]),
        ),
        Step.eq(
            r"non-support vector ($z_n^\top \hat w = 1 + \delta$, $\delta > 0$):"
            r" $t\,e^{-z_n^\top w(t)} \to 0$",
            _limit_at_infinity(t * exp(-margins_t[2]), t),
            0,
        ),
        Step.eq(
            r"so $t \cdot \eta \sum_n e^{-z_n^\top w(t)} z_n \to \eta \sum_{n \in S} e^{-c_n} z_n$"
            r" (here $S = \{1, 2\}$)",
            lim_t_rhs,
            eta * sum((exp(-c[n]) * z[n, :].T for n in range(2)), sympy.zeros(2, 1)),
        ),
        Step.eq(
            r"matching $t\,\dot w = \hat w = \sum_{n \in S} \alpha_n z_n$ termwise:"
            r" $\eta e^{-c} = \alpha$ has the unique solution $c = \log(\eta/\alpha)$",
            Matrix(sympy.solve(eta * exp(-c[0]) - alpha[0], c[0])),
            Matrix([log(eta / alpha[0])]),
        ),
        Step.eq(
            r"with $\eta e^{-z_n^\top \tilde w} = \alpha_n$ on $S$ the flow is matched:"
            r" $\lim t \cdot \mathrm{RHS} = \sum_{n \in S} \alpha_n z_n$",
            lim_t_rhs.subs(matched),
            z[:2, :].T * alpha,
        ),
        Step.eq(
            r"$t\,L(w(t)) = t \sum_n e^{-z_n^\top w(t)} \to \sum_{n \in S} \alpha_n / \eta$",
            _limit_at_infinity(t_loss.subs(matched), t),
            sum(alpha) / eta,
        ),
        Step.eq(
            r"instance of \texttt{svm.kkt}: $t \cdot \mathrm{RHS}(w(t)) \to \hat w$",
            ex_t_rhs.applyfunc(lambda entry: _limit_at_infinity(entry, t)),
            ex_w_hat,
        ),
        Step.eq(
            r"instance: $t\,L(w(t)) \to \|\hat w\|^2 / \eta$ (using $\sum \alpha = \|\hat w\|^2$)",
            _limit_at_infinity(t * sum(ex_terms), t),
            ex_w_hat.dot(ex_w_hat) / eta,
        ),
        Step.eq(
            r"direction, $s = 1/\log t$:"
            r" $\frac{d}{ds}\frac{\hat w + s \tilde w}{\|\hat w + s \tilde w\|}\Big|_{s=0}"
            r" = \frac{P_\perp \tilde w}{\|\hat w\|}$",
            sympy.diff(direction, s).subs(s, 0),
            p_perp * w_tilde / norm_hat,
        ),
        Step.eq(
            r"logistic loss: $-\ell'(u) / e^{-u} \to 1$ as $u \to \infty$",
            limit(neg_dlogistic / exp(-u), u, oo),
            1,
        ),
        Step.eq(
            r"logistic loss: $t \cdot (-\ell'(\log t + c)) \to e^{-c}$, so the same $\tilde w$",
            _limit_at_infinity(t * neg_dlogistic.subs(u, log(t) + c[0]), t),
            exp(-c[0]),
        ),
    ]


register(
    Lemma(
        name="svm.asymptote",
        title="The logarithmic asymptote and its offset",
        statement=(
            r"For gradient flow $\dot w = \eta \sum_n e^{-z_n^\top w} z_n$ (exp loss, sum over"
            r" examples), $w(t) = \hat w \log t + \tilde w$ solves the equation to leading order"
            r" in $1/t$ iff $\eta\, e^{-z_n^\top \tilde w} = \alpha_n$ for every support vector"
            r" $n \in S = \{n : z_n^\top \hat w = 1\}$ (support vectors linearly independent,"
            r" as for almost all data); non-support vectors"
            r" ($z_n^\top \hat w = \theta_n > 1$) contribute $O(t^{-\theta_n}) = o(1/t)$. Along"
            r" it $t\,L(w(t)) \to \sum_{n \in S} \alpha_n / \eta = \|\hat w\|^2/\eta$, the"
            r" direction error is $P_\perp \tilde w / (\|\hat w\| \log t) + o(1/\log t)$ with"
            r" $P_\perp = I - \hat w \hat w^\top / \|\hat w\|^2$, and the logistic loss"
            r" $\ell(u) = \log(1 + e^{-u})$ gives the same $\tilde w$ since"
            r" $-\ell'(u) \sim e^{-u}$."
        ),
        source=f"{SOUDRY}, Thm 3 ($w(t) = \\hat w \\log t + \\rho(t)$) and Thm 4"
        " ($\\rho(t) \\to \\tilde w$)",
        derive=_derive_asymptote,
    )
)


# --------------------------------------------------------------------------------------------
# svm.logistic_smoothness


def _derive_logistic_smoothness() -> list[Step]:
    u = sympy.Symbol("u", real=True)
    sigma_max = sympy.Symbol("sigma_max", positive=True)
    loss = _logistic(u)
    d1, d2, d3 = (sympy.diff(loss, u, k) for k in (1, 2, 3))
    beta = d2.subs(u, 0)

    # The Hessian identity holds for any twice differentiable loss: use an undefined one.
    ell = sympy.Function("ell")
    z = _data()
    w = _vector("w", 2, real=True)
    margins = z * w
    total = sum(ell(m) for m in margins)
    curvature = sympy.diag(*(sympy.diff(ell(u), u, 2).subs(u, m) for m in margins))
    return [
        Step.eq(r"$\ell'(u) = -\sigma(-u)$, $\sigma(u) = 1/(1 + e^{-u})$", d1, -_sigmoid(-u)),
        Step.eq(r"$\ell''(u) = \sigma(u)\,\sigma(-u)$", d2, _sigmoid(u) * _sigmoid(-u)),
        Step.eq(
            r"$\frac14 - \ell''(u) = (\sigma(u) - \frac12)^2 \geq 0$",
            Rational(1, 4) - d2,
            (_sigmoid(u) - Rational(1, 2)) ** 2,
        ),
        Step.eq(
            r"the only real critical point of $\ell''$: $\ell'''(u) = 0 \iff u = 0$",
            sympy.solveset(sympy.simplify(d3), u, sympy.S.Reals),
            sympy.FiniteSet(0),
        ),
        Step.eq(r"$\beta = \ell''(0) = \frac14$", beta, Rational(1, 4)),
        Step.eq(r"$\ell''(u) \to 0$ as $u \to +\infty$", limit(d2, u, oo), 0),
        Step.eq(r"$\ell''(u) \to 0$ as $u \to -\infty$", limit(d2, u, -oo), 0),
        Step.eq(
            r"Hessian of $L(w) = \sum_n \ell(z_n^\top w)$ (any $C^2$ loss, $N = 3$, $d = 2$):"
            r" $\nabla^2 L = Z^\top \mathrm{diag}(\ell''(Z w)) Z \preceq \beta Z^\top Z$",
            sympy.hessian(total, list(w)),
            z.T * curvature * z,
        ),
        Step.eq(
            r"step bound $\eta < 2/(\beta\,\sigma_{\max}^2(Z)) = 8/\sigma_{\max}^2(Z)$",
            2 / (beta * sigma_max**2),
            8 / sigma_max**2,
        ),
    ]


register(
    Lemma(
        name="svm.logistic_smoothness",
        title="The logistic loss is 1/4-smooth",
        statement=(
            r"For $\ell(u) = \log(1 + e^{-u})$: $\ell''(u) = \sigma(u)\sigma(-u) \leq \frac14$,"
            r" with equality only at $u = 0$, and $\ell''(u) \to 0$ as $u \to \pm\infty$. Hence"
            r" $L(w) = \sum_n \ell(z_n^\top w)$ is $\beta \sigma_{\max}^2(Z)$-smooth with"
            r" $\beta = \frac14$, and gradient descent is stable for"
            r" $\eta < 2/(\beta \sigma_{\max}^2(Z)) = 8/\sigma_{\max}^2(Z)$."
        ),
        source=f"{SOUDRY}, Assumption 2 and Thm 3 (step size $\\eta < 2\\beta^{{-1}}"
        f"\\sigma_{{\\max}}^{{-2}}(X)$)",
        derive=_derive_logistic_smoothness,
    )
)


# --------------------------------------------------------------------------------------------
# svm.normalized_gradient


def _softmax(v: Matrix) -> Matrix:
    weights = v.applyfunc(exp)
    return weights / sum(weights)


def _derive_normalized_gradient() -> list[Step]:
    z = _data()
    w = _vector("w", 2, real=True)
    shift = sympy.Symbol("c", real=True)
    eta = sympy.Symbol("eta", positive=True)
    scores = -z * w
    loss = sum(exp(m) for m in scores)
    gradient = Matrix([sympy.diff(loss, wi) for wi in w])
    q = _softmax(scores)
    log_sum_exp = log(loss)
    return [
        Step.eq(
            r"$\nabla L(w) = -\sum_n e^{-z_n^\top w} z_n$ for $L(w) = \sum_n e^{-z_n^\top w}$",
            gradient,
            -z.T * scores.applyfunc(exp),
        ),
        Step.eq(
            r"$\nabla L / L = -\sum_n q_n z_n$ with $q = \mathrm{softmax}(-Z w)$",
            gradient / loss,
            -z.T * q,
        ),
        Step.eq(r"$\sum_n q_n = 1$", sum(q), 1),
        Step.eq(
            r"$\nabla \log L = \nabla L / L$ (log-domain evaluation via logsumexp)",
            Matrix([sympy.diff(log_sum_exp, wi) for wi in w]),
            gradient / loss,
        ),
        Step.eq(
            r"shift invariance $\mathrm{softmax}(v + c) = \mathrm{softmax}(v)$"
            r" (stable evaluation)",
            _softmax(scores + shift * sympy.ones(3, 1)),
            q,
        ),
        Step.eq(
            r"normalized step $w - \eta \nabla L / L = w + \eta \sum_n q_n z_n$",
            w - eta * gradient / loss,
            w + eta * z.T * q,
        ),
    ]


register(
    Lemma(
        name="svm.normalized_gradient",
        title="Normalized gradient of the exponential loss is a softmax average",
        statement=(
            r"For $L(w) = \sum_n e^{-z_n^\top w}$:"
            r" $\nabla L(w)/L(w) = \nabla \log L(w) = -\sum_n q_n z_n$ with"
            r" $q = \mathrm{softmax}(-Z w)$, a probability vector invariant to shifts of its"
            r" argument. Normalized gradient descent ($\eta_t = \eta / L(w_t)$) is therefore"
            r" $w_{t+1} = w_t + \eta \sum_n q_n z_n$. Checked for $N = 3$, $d = 2$."
        ),
        source="Ji and Telgarsky, ALT 2021 (normalized GD on the exponential loss)",
        derive=_derive_normalized_gradient,
    )
)


# --------------------------------------------------------------------------------------------
# deep_linear.cost


def _balanced_factors(beta: Matrix, depth: int, v: list[Matrix]) -> list[Matrix]:
    """W_1 = r v_1 bhat^T, W_l = r v_l v_{l-1}^T, W_L = r v_{L-1}^T with r = ||beta||^(1/L)."""
    norm = sympy.sqrt(beta.dot(beta))
    r = norm ** Rational(1, depth)
    factors = [r * v[0] * (beta / norm).T]
    factors += [r * v[layer] * v[layer - 1].T for layer in range(1, depth - 1)]
    factors.append(r * v[depth - 2].T)
    return factors


def _derive_deep_linear_cost() -> list[Step]:
    b = sympy.Symbol("b", positive=True)
    lam = sympy.Symbol("lambda")
    steps = []
    for depth in range(1, 7):
        s = list(sympy.symbols(f"s_1:{depth + 1}", positive=True))
        objective = sum(x**2 for x in s)
        constraint = sympy.Mul(*s) - b
        lagrangian = objective - lam * constraint
        system = [sympy.diff(lagrangian, x) for x in s] + [constraint]
        solutions = solve_polynomial_system(system, [lam, *s])
        root = b ** Rational(1, depth)
        steps += [
            Step.eq(
                rf"$L = {depth}$: the Lagrange system of $\min \sum_l s_l^2$ s.t."
                rf" $\prod_l s_l = b$ has one positive solution, $s_l = b^{{1/{depth}}}$",
                Matrix([[sol[x] for x in s] for sol in solutions]),
                Matrix([[root] * depth]),
            ),
            Step.eq(
                rf"$L = {depth}$: its value is $L b^{{2/L}}$",
                objective.subs(solutions[0]),
                depth * b ** Rational(2, depth),
            ),
        ]

    depth_sym = sympy.Symbol("L", positive=True, integer=True)
    layer = sympy.Symbol("l", positive=True, integer=True)
    balanced = b ** (1 / depth_sym)
    steps.append(
        Step.eq(
            r"general $L$: the balanced scalars $s_l = b^{1/L}$ have $\prod_l s_l = b$ and"
            r" $\sum_l s_l^2 = L b^{2/L}$",
            Matrix(
                [
                    sympy.product(balanced, (layer, 1, depth_sym)),
                    sympy.summation(balanced**2, (layer, 1, depth_sym)),
                ]
            ),
            Matrix([b, depth_sym * b ** (2 / depth_sym)]),
        )
    )

    beta = _vector("beta", 2, real=True)
    beta_norm_sq = beta.dot(beta)
    unit = [Matrix([Rational(3, 5), Rational(4, 5)]), Matrix([0, 1])]
    for depth in (2, 3):
        factors = _balanced_factors(beta, depth, unit)
        product = factors[-1]
        for factor in reversed(factors[:-1]):
            product = product * factor
        steps += [
            Step.eq(
                rf"$L = {depth}$, width 2, unit $v_l$: the balanced factors multiply to"
                r" $\beta^\top$",
                product,
                beta.T,
            ),
            Step.eq(
                rf"$L = {depth}$: $\sum_l \|W_l\|_F^2 = L \|\beta\|^{{2/L}}$",
                sum(sum(e**2 for e in f) for f in factors),
                depth * beta_norm_sq ** Rational(1, depth),
            ),
        ]

    a, c, e = sympy.symbols("a c e", nonnegative=True)
    sos3 = (a + c + e) * ((a - c) ** 2 + (c - e) ** 2 + (e - a) ** 2) / 2
    steps += [
        Step.eq(
            r"AM-GM, $L = 2$ ($x_l = a_l^2$): $a^2 + c^2 - 2ac = (a - c)^2 \geq 0$",
            a**2 + c**2 - 2 * sympy.sqrt(a**2 * c**2),
            (a - c) ** 2,
        ),
        Step.eq(
            r"AM-GM, $L = 3$ ($x_l = a_l^3$): $a^3 + c^3 + e^3 - 3ace ="
            r" \frac12 (a + c + e)\big((a-c)^2 + (c-e)^2 + (e-a)^2\big)$",
            a**3 + c**3 + e**3 - 3 * (a**3 * c**3 * e**3) ** Rational(1, 3),
            sos3,
        ),
        Step.holds(r"$(a - c)^2 \geq 0$", sympy.Ge((a - c) ** 2, 0, evaluate=False)),
        Step.holds(
            r"and the $L = 3$ sum of squares is $\geq 0$ for $a, c, e \geq 0$",
            sympy.Ge(sos3, 0, evaluate=False),
        ),
    ]
    return steps


register(
    Lemma(
        name="deep_linear.cost",
        title="Representation cost of deep linear networks",
        statement=(
            r"For $\beta \in \mathbb{R}^d$ and $L \geq 1$,"
            r" $\min\{\sum_{l=1}^L \|W_l\|_F^2 : W_L \cdots W_1 = \beta^\top\}"
            r" = L \|\beta\|_2^{2/L}$, a monotone function of $\|\beta\|_2$ (so every depth has"
            r" the $\ell_2$ max-margin limit direction). Lower bound:"
            r" $\sum_l \|W_l\|_F^2 \geq \sum_l \|W_l\|_2^2 \geq L (\prod_l \|W_l\|_2^2)^{1/L}"
            r" \geq L \|\beta\|_2^{2/L}$ (AM-GM, then submultiplicativity"
            r" $\|\beta\|_2 \leq \prod_l \|W_l\|_2$). Attained by the balanced rank-one"
            r" factors $W_1 = r v_1 \hat\beta^\top$, $W_l = r v_l v_{l-1}^\top$,"
            r" $W_L = r v_{L-1}^\top$ with unit $v_l$, $\hat\beta = \beta/\|\beta\|_2$,"
            r" $r = \|\beta\|_2^{1/L}$. Checked: the scalar Lagrange problem for"
            r" $L = 1, \dots, 6$; the construction for $d = 2$, width 2, $L = 2, 3$;"
            r" AM-GM for $L = 2, 3$."
        ),
        source="Ji and Telgarsky, ICLR 2019 (gradient descent aligns the layers of deep linear"
        " networks)",
        derive=_derive_deep_linear_cost,
    )
)

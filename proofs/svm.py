"""Lemmas behind "gradient descent on separable data converges to the hard-margin SVM".

Registered on import (see :func:`proofs.all_lemmas`); each statement says which steps are
general symbolic identities and which are instance checks:

- ``svm.kkt``: KKT conditions of the hard-margin SVM, Sum(alpha) = ||w_hat||^2, zero duality
  gap (general N, d through matrix symbols; plus an exact certificate on a 3-point instance).
- ``svm.asymptote``: w(t) = w_hat log t + w_tilde solves the flow to leading order, with
  eta exp(-z_n^T w_tilde) = alpha_n; t L(w(t)) -> ||w_hat||^2 / eta; same w_tilde for logistic
  (general, per example and per coordinate; plus the exact instance).
- ``svm.logistic_smoothness``: the logistic loss is 1/4-smooth, so eta < 8 / sigma_max(Z)^2.
- ``svm.normalized_gradient``: for the exp loss, grad L / L = -Z^T softmax(-Z w) (symbolic N).
- ``deep_linear.cost``: min sum_l ||W_l||_F^2 over factorizations of beta is L ||beta||^(2/L)
  (AM-GM and the balanced construction for symbolic L).

Conventions follow SPEC section 0: labels absorbed (z_n = y_n x_n), loss a sum over examples.
"""

from __future__ import annotations

from operator import methodcaller

import sympy
from sympy import (
    Derivative,
    Identity,
    ImmutableMatrix,
    Limit,
    MatMul,
    Matrix,
    MatrixExpr,
    MatrixSymbol,
    OneMatrix,
    Rational,
    Subs,
    Sum,
    exp,
    log,
    oo,
)
from sympy.simplify.simplify import factor_sum

from implicit_bias.proofs.lemma import Lemma, Step, register

__all__ = [
    "EXAMPLE_ALPHA", "EXAMPLE_DATA", "EXAMPLE_W_HAT", "amgm_steps", "deep_linear_cost",
    "solve_polynomial_system",
]

SOUDRY = "Soudry, Hoffer, Nacson, Gunasekar and Srebro, JMLR 19 (2018)"

#: A 3-point, 2-d separable instance (rows z_n): support {z_1, z_2}, z_3 strictly inside.
EXAMPLE_DATA = Matrix([[2, 0], [1, 2], [2, 3]])
#: Its SVM certificate: multipliers (support {z_1, z_2}) and w_hat = Z^T alpha (checked by svm.kkt).
EXAMPLE_ALPHA = Matrix([Rational(3, 16), Rational(1, 8), 0])
EXAMPLE_W_HAT = Matrix([Rational(1, 2), Rational(1, 4)])

#: The rewrite for steps stated unevaluated (Limit, Derivative, Subs, Sum): evaluate them.
_evaluate = methodcaller("doit")


def _data(rows: int = 3, cols: int = 2) -> Matrix:
    """A matrix of real symbols z_{ni} (row n is the example z_n)."""
    return Matrix(rows, cols, lambda n, i: sympy.Symbol(f"z_{n + 1}{i + 1}", real=True))


def _vector(name: str, size: int, **assumptions: bool) -> Matrix:
    return Matrix(sympy.symbols(f"{name}_1:{size + 1}", **assumptions))


def _logistic(u: sympy.Expr) -> sympy.Expr:
    return log(1 + exp(-u))


def _sigmoid(u: sympy.Expr) -> sympy.Expr:
    return 1 / (1 + exp(-u))


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


def _kkt_symbols() -> tuple[MatrixSymbol, MatrixSymbol, MatrixSymbol, OneMatrix, tuple]:
    """Z (N x d, rows z_n), w (d x 1), alpha (N x 1), the ones vector, and (N, d)."""
    rows, cols = sympy.symbols("N d", positive=True, integer=True)
    z = MatrixSymbol("Z", rows, cols)
    w = MatrixSymbol("w", cols, 1)
    alpha = MatrixSymbol("alpha", rows, 1)
    return z, w, alpha, OneMatrix(rows, 1), (rows, cols)


def _derive_kkt() -> list[Step]:
    z, w, alpha, ones, (rows, cols) = _kkt_symbols()
    v = MatrixSymbol("v", cols, 1)
    eps = sympy.Symbol("epsilon", real=True)

    def lagrangian(point: MatrixExpr) -> MatrixExpr:
        return point.T * point / 2 - alpha.T * (z * point - ones)

    w_hat = z.T * alpha  # the stationary point
    dual = ones.T * alpha - alpha.T * z * z.T * alpha / 2
    slackness = alpha.T * (z * w_hat - ones)  # sum_n alpha_n (z_n^T w_hat - 1)

    instance = {
        z: ImmutableMatrix(EXAMPLE_DATA),
        alpha: ImmutableMatrix(EXAMPLE_ALPHA),
        rows: 3,
        cols: 2,
    }
    return [
        Step.eq(
            r"general ($Z \in \mathbb{R}^{N \times d}$ symbolic): the Lagrangian"
            r" $\mathcal{L}(w, \alpha) = \frac12 w^\top w - \alpha^\top (Z w - \mathbf{1})$ is"
            r" quadratic in $w$, $\mathcal{L}(w + \epsilon v) - \mathcal{L}(w) = \epsilon\,"
            r" v^\top (w - Z^\top \alpha) + \frac{\epsilon^2}{2} v^\top v$: its gradient is"
            r" $w - Z^\top \alpha$, its Hessian $I$, so its minimizer is $\hat w = Z^\top \alpha"
            r" = \sum_n \alpha_n z_n$",
            lagrangian(w + eps * v) - lagrangian(w),
            eps * v.T * (w - z.T * alpha) + eps**2 * v.T * v / 2,
        ),
        Step.eq(
            r"general: the dual function is $\min_w \mathcal{L}(w, \alpha) ="
            r" \mathcal{L}(Z^\top \alpha, \alpha) = D(\alpha) = \mathbf{1}^\top \alpha -"
            r" \frac12 \alpha^\top Z Z^\top \alpha$",
            lagrangian(w_hat),
            dual,
        ),
        Step.eq(
            r"general, weak duality: for every $w$, $\frac12 \|w\|^2 - D(\alpha) ="
            r" \frac12 \|w - Z^\top \alpha\|^2 + \alpha^\top (Z w - \mathbf{1})$, which is"
            r" $\geq 0$ if $w$ is feasible ($Z w \geq \mathbf{1}$) and $\alpha \geq 0$",
            w.T * w / 2 - dual,
            (w - z.T * alpha).T * (w - z.T * alpha) / 2 + alpha.T * (z * w - ones),
        ),
        Step.eq(
            r"general: at $\hat w = Z^\top \alpha$ the duality gap is the complementary"
            r" slackness sum, $\frac12 \|\hat w\|^2 - D(\alpha) = \sum_n \alpha_n"
            r" (z_n^\top \hat w - 1)$; it vanishes iff $\alpha_n (z_n^\top \hat w - 1) = 0$"
            r" for all $n$ (each term is $\geq 0$ when $\hat w$ is feasible), and then"
            r" $\hat w$ is optimal by weak duality",
            w_hat.T * w_hat / 2 - dual,
            slackness,
        ),
        Step.eq(
            r"general: $\sum_n \alpha_n - \|\hat w\|^2 = -\sum_n \alpha_n (z_n^\top \hat w -"
            r" 1)$, so complementary slackness gives $\sum_n \alpha_n = \|\hat w\|^2$",
            ones.T * alpha - w_hat.T * w_hat,
            -slackness,
        ),
        Step.eq(
            r"instance $z_1 = (2,0)$, $z_2 = (1,2)$, $z_3 = (2,3)$,"
            r" $\alpha = (\frac3{16}, \frac18, 0)$: $\hat w = Z^\top \alpha ="
            r" (\frac12, \frac14)$",
            w_hat.subs(instance),
            ImmutableMatrix(EXAMPLE_W_HAT),
        ),
        Step.eq(
            r"instance: margins $Z \hat w = (1, 1, \frac74) \geq \mathbf{1}$ (primal"
            r" feasible; support $\{1, 2\}$, $z_3$ strictly inside)",
            (z * w_hat).subs(instance),
            ImmutableMatrix([1, 1, Rational(7, 4)]),
        ),
        Step.holds(
            r"instance: $\alpha \geq 0$ (dual feasible)",
            sympy.And(*(sympy.Ge(a, 0, evaluate=False) for a in EXAMPLE_ALPHA), evaluate=False),
        ),
        Step.eq(
            r"instance: complementary slackness $\sum_n \alpha_n (z_n^\top \hat w - 1) = 0$"
            r" ($\alpha_3 = 0$ where the margin exceeds 1), so $\hat w$ is the SVM",
            slackness.subs(instance),
            sympy.zeros(1, 1),
        ),
        Step.eq(
            r"instance: $D(\alpha) = \frac{5}{32} = \frac12 \|\hat w\|^2$ (zero gap)",
            dual.subs(instance),
            ImmutableMatrix([[Rational(5, 32)]]),
        ),
        Step.eq(
            r"instance: $\sum_n \alpha_n = \frac{5}{16} = \|\hat w\|^2$",
            (ones.T * alpha).subs(instance),
            ImmutableMatrix([[Rational(5, 16)]]),
        ),
    ]


register(
    Lemma(
        name="svm.kkt",
        title="Hard-margin SVM: KKT conditions and zero duality gap",
        statement=(
            r"Let $\hat w = \arg\min \frac12\|w\|^2$ subject to $z_n^\top w \geq 1$ for all $n$,"
            r" and $\alpha \geq 0$ its multipliers (they exist by strong duality for a"
            r" feasible linearly constrained convex quadratic program; this is assumed, not"
            r" checked). Proven as general identities for symbolic $N$ and $d$ (matrix"
            r" symbols $Z \in \mathbb{R}^{N \times d}$ with rows $z_n$, $w$, $\alpha$):"
            r" stationarity $\hat w = \sum_n \alpha_n z_n$; the dual function"
            r" $D(\alpha) = \sum_n \alpha_n - \frac12 \|\sum_n \alpha_n z_n\|^2$; weak duality"
            r" $\frac12\|w\|^2 - D(\alpha) = \frac12\|w - Z^\top\alpha\|^2 + \sum_n \alpha_n"
            r" (z_n^\top w - 1) \geq 0$; and at $\hat w = Z^\top \alpha$ both the duality gap"
            r" and $\|\hat w\|^2 - \sum_n \alpha_n$ equal the complementary slackness sum"
            r" $\sum_n \alpha_n (z_n^\top \hat w - 1)$, so complementary slackness gives"
            r" $\sum_n \alpha_n = \|\hat w\|^2$ and zero duality gap. Instance check: for"
            r" $z = (2,0), (1,2), (2,3)$ the certificate $\alpha = (\frac3{16}, \frac18, 0)$,"
            r" $\hat w = (\frac12, \frac14)$ satisfies every KKT condition."
        ),
        source=f"{SOUDRY}, Thm 3 (the SVM KKT conditions used throughout its proof)",
        derive=_derive_kkt,
    )
)


# --------------------------------------------------------------------------------------------
# svm.asymptote


def _example_offset(eta: sympy.Symbol) -> Matrix:
    """w_tilde of the :data:`EXAMPLE_DATA` instance: eta exp(-z_n^T w_tilde) = alpha_n, n = 1, 2."""
    support = EXAMPLE_DATA[:2, :]
    logs = Matrix([log(eta / EXAMPLE_ALPHA[n]) for n in range(2)])
    return support.LUsolve(logs)


def _derive_asymptote() -> list[Step]:
    t = sympy.Symbol("t", positive=True)
    eta = sympy.Symbol("eta", positive=True)
    delta = sympy.Symbol("delta", positive=True)  # theta_n = 1 + delta > 1: non-support margin
    theta = sympy.Symbol("theta_n", real=True)
    u = sympy.Symbol("u", real=True)
    c = sympy.Symbol("c_n", real=True)  # c_n = z_n^T w_tilde
    alpha = sympy.Symbol("alpha_n", positive=True)
    hat_i, tilde_i = sympy.symbols("what_i wtilde_i", real=True)  # coordinate i of w_hat, w_tilde
    cols = sympy.Symbol("d", positive=True, integer=True)
    w_hat, w_tilde = MatrixSymbol("what", cols, 1), MatrixSymbol("wtilde", cols, 1)
    s = sympy.Symbol("s", positive=True)
    gram_hat = sympy.Symbol("A", positive=True)  # ||w_hat||^2
    gram_mixed, gram_tilde = sympy.symbols("B C", real=True)  # w_hat^T w_tilde, ||w_tilde||^2

    term = t * exp(-(theta * log(t) + c))  # t exp(-z_n^T w(t)) with z_n^T w(t) = theta log t + c
    neg_dlogistic = -sympy.diff(_logistic(u), u)

    ex_w_t = EXAMPLE_W_HAT * log(t) + _example_offset(eta)
    ex_terms = [exp(-EXAMPLE_DATA[n, :].dot(ex_w_t)) for n in range(3)]
    ex_t_rhs = t * eta * sum(
        (ex_terms[n] * EXAMPLE_DATA[n, :].T for n in range(3)), sympy.zeros(2, 1)
    )
    return [
        Step.eq(
            r"general (each coordinate $i$): $w(t) = \hat w \log t + \tilde w$ has"
            r" $t\,\dot w(t) = \hat w$",
            t * Derivative(hat_i * log(t) + tilde_i, t),
            hat_i,
            via=_evaluate,
        ),
        Step.eq(
            r"general (each example $n$, any $N$, $d$): with $\theta_n = z_n^\top \hat w$ and"
            r" $c_n = z_n^\top \tilde w$, $t\,e^{-z_n^\top w(t)} = t^{1 - \theta_n} e^{-c_n}$",
            term,
            t ** (1 - theta) * exp(-c),
            via=lambda residual: sympy.powsimp(sympy.expand(residual)),
        ),
        Step.eq(
            r"so a support vector ($\theta_n = 1$) contributes $e^{-c_n}$ and a non-support"
            r" vector ($\theta_n = 1 + \delta$, $\delta > 0$) contributes"
            r" $O(t^{-\delta}) \to 0$ to $t \cdot \eta \sum_n e^{-z_n^\top w(t)} z_n$",
            Matrix([Limit(t ** (1 - theta) * exp(-c), t, oo).subs(theta, value)
                    for value in (1, 1 + delta)]),
            Matrix([exp(-c), 0]),
            via=_evaluate,
        ),
        Step.eq(
            r"matching $t\,\dot w = \hat w = \sum_{n \in S} \alpha_n z_n$ termwise (support"
            r" vectors linearly independent): $\eta e^{-c_n} = \alpha_n$ holds at"
            r" $c_n = \log(\eta/\alpha_n)$, the only solution since $c \mapsto \eta e^{-c}$ is"
            r" strictly decreasing",
            Matrix([Subs(eta * exp(-c), c, log(eta / alpha)), Derivative(eta * exp(-c), c)]),
            Matrix([alpha, -eta * exp(-c)]),
            via=_evaluate,
        ),
        Step.eq(
            r"with it, per support vector: $t \cdot \eta e^{-z_n^\top w(t)} \to \alpha_n$ (so"
            r" $t \cdot \mathrm{RHS} \to \sum_{n \in S} \alpha_n z_n = \hat w$) and"
            r" $t\,e^{-z_n^\top w(t)} \to \alpha_n / \eta$ (so $t\,L(w(t)) \to"
            r" \sum_{n \in S} \alpha_n / \eta = \|\hat w\|^2/\eta$ by \texttt{svm.kkt})",
            Matrix([Limit(factor * term.subs({theta: 1, c: log(eta / alpha)}), t, oo)
                    for factor in (eta, 1)]),
            Matrix([alpha, alpha / eta]),
            via=_evaluate,
        ),
        Step.eq(
            r"general (symbolic $d$): $\|\hat w + s \tilde w\|^2 = \|\hat w\|^2 + 2 s\,"
            r" \hat w^\top \tilde w + s^2 \|\tilde w\|^2$",
            (w_hat + s * w_tilde).T * (w_hat + s * w_tilde),
            w_hat.T * w_hat + 2 * s * w_hat.T * w_tilde + s**2 * w_tilde.T * w_tilde,
        ),
        Step.eq(
            r"direction, $s = 1/\log t$, each coordinate $i$ ($A = \|\hat w\|^2$,"
            r" $B = \hat w^\top \tilde w$, $C = \|\tilde w\|^2$):"
            r" $\frac{d}{ds}\frac{\hat w_i + s \tilde w_i}{\|\hat w + s \tilde w\|}\Big|_{s=0}"
            r" = \frac{\tilde w_i - \hat w_i B / A}{\sqrt A} = \frac{(P_\perp \tilde w)_i}"
            r"{\|\hat w\|}$",
            Subs(
                Derivative(
                    (hat_i + s * tilde_i)
                    / sympy.sqrt(gram_hat + 2 * s * gram_mixed + s**2 * gram_tilde),
                    s,
                ),
                s,
                0,
            ),
            (tilde_i - hat_i * gram_mixed / gram_hat) / sympy.sqrt(gram_hat),
            via=_evaluate,
        ),
        Step.eq(
            r"logistic loss: $-\ell'(u) / e^{-u} \to 1$ as $u \to \infty$, and"
            r" $t \cdot (-\ell'(\log t + c_n)) \to e^{-c_n}$, the exponential-loss value:"
            r" the same $\tilde w$",
            Matrix([Limit(neg_dlogistic / exp(-u), u, oo),
                    Limit(t * neg_dlogistic.subs(u, log(t) + c), t, oo)]),
            Matrix([1, exp(-c)]),
            via=_evaluate,
        ),
        Step.eq(
            r"instance of \texttt{svm.kkt} (all three examples, $z_3$ with $\theta_3 = \frac74$):"
            r" with $\tilde w$ solving $\eta e^{-z_n^\top \tilde w} = \alpha_n$ on $\{1, 2\}$,"
            r" $t \cdot \mathrm{RHS}(w(t)) \to \hat w = (\frac12, \frac14)$",
            ex_t_rhs.applyfunc(lambda entry: Limit(sympy.expand(entry), t, oo)),
            EXAMPLE_W_HAT,
            via=_evaluate,
        ),
        Step.eq(
            r"instance: $t\,L(w(t)) \to \|\hat w\|^2 / \eta = \frac{5}{16 \eta}$",
            Limit(sympy.expand(t * sum(ex_terms)), t, oo),
            Rational(5, 16) / eta,
            via=_evaluate,
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
            r" $-\ell'(u) \sim e^{-u}$. Proven in general (any $N$, $d$): every step is an"
            r" identity or limit per example $n$ (for symbolic margin $\theta_n$ and offset"
            r" $c_n = z_n^\top \tilde w$) or per coordinate $i$, and"
            r" $\|\hat w + s \tilde w\|^2$ is expanded for symbolic $d$; a finite sum of limits"
            r" is the sum of the limits. Instance check: the whole flow on the exact"
            r" \texttt{svm.kkt} instance, non-support vector included."
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
    eta = sympy.Symbol("eta", positive=True)
    loss = _logistic(u)
    d2 = sympy.diff(loss, u, 2)
    beta = d2.subs(u, 0)

    # Hessian entries of sum_n ell(z_n^T w) for any C^2 loss ell: one example, coordinates
    # i != j, writing z_n^T w = p w_i + q w_j + r (r free of w_i, w_j), and i = j.
    ell = sympy.Function("ell")
    p, q, r, x, y = sympy.symbols("z_ni z_nj r w_i w_j", real=True)
    curvature = sympy.diff(ell(u), u, 2)
    return [
        Step.eq(
            r"$\ell'(u) = -\sigma(-u)$, $\sigma(u) = 1/(1 + e^{-u})$",
            Derivative(loss, u),
            -_sigmoid(-u),
            via=_evaluate,
        ),
        Step.eq(
            r"$\ell''(u) = \sigma(u)\,\sigma(-u)$",
            Derivative(loss, (u, 2)),
            _sigmoid(u) * _sigmoid(-u),
            via=_evaluate,
        ),
        Step.eq(
            r"$\frac14 - \ell''(u) = (\sigma(u) - \frac12)^2 \geq 0$",
            Rational(1, 4) - d2,
            (_sigmoid(u) - Rational(1, 2)) ** 2,
        ),
        Step.eq(
            r"$\sigma'(u) = \sigma(u)\sigma(-u)$ and $\ell''(0) = \frac14$: $\sigma$ is strictly"
            r" increasing with $\sigma(0) = \frac12$, so $\ell''(u) = \frac14$ only at $u = 0$"
            r" and $\beta = \sup \ell'' = \frac14$",
            Matrix([Derivative(_sigmoid(u), u), Subs(d2, u, 0)]),
            Matrix([_sigmoid(u) * _sigmoid(-u), Rational(1, 4)]),
            via=_evaluate,
        ),
        Step.holds(
            r"$\sigma(u)\sigma(-u) > 0$ for real $u$",
            sympy.Gt(_sigmoid(u) * _sigmoid(-u), 0, evaluate=False),
        ),
        Step.eq(
            r"$\ell''(u) \to 0$ as $u \to \pm\infty$",
            Matrix([Limit(d2, u, oo), Limit(d2, u, -oo)]),
            Matrix([0, 0]),
            via=_evaluate,
        ),
        Step.eq(
            r"general Hessian (any $C^2$ loss $\ell$, any $N$, $d$), one example's entries"
            r" $(i, j)$, $i \neq j$, and $(i, i)$: $\partial_i \partial_j \ell(z_n^\top w) ="
            r" z_{ni} z_{nj} \ell''(z_n^\top w)$, so $\nabla^2 L = Z^\top \mathrm{diag}"
            r"(\ell''(Z w)) Z \preceq \beta Z^\top Z \preceq \beta \sigma_{\max}^2(Z) I$",
            Matrix([Derivative(ell(p * x + q * y + r), x, y),
                    Derivative(ell(p * x + r), (x, 2))]),
            Matrix([p * q * curvature.subs(u, p * x + q * y + r),
                    p**2 * curvature.subs(u, p * x + r)]),
            via=_evaluate,
        ),
        Step.eq(
            r"descent lemma for $B = \beta \sigma_{\max}^2$-smooth $L$: $L(w - \eta \nabla L)"
            r" \leq L(w) - \eta (1 - \eta B / 2) \|\nabla L\|^2$, and with $\beta = \ell''(0)$"
            r" the factor is $\frac{\sigma_{\max}^2}{8}\, \eta\, (\frac{8}{\sigma_{\max}^2}"
            r" - \eta)$: a decrease exactly for $0 < \eta < 8/\sigma_{\max}^2(Z)$",
            eta * (1 - eta * beta * sigma_max**2 / 2),
            sigma_max**2 / 8 * eta * (8 / sigma_max**2 - eta),
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
            r" $\beta = \frac14$, and gradient descent decreases $L$ for"
            r" $\eta < 2/(\beta \sigma_{\max}^2(Z)) = 8/\sigma_{\max}^2(Z)$. Every step is"
            r" general: scalar identities in $u$, the Hessian entrywise for any $C^2$ loss and"
            r" any $N$, $d$ (one example and one pair of coordinates at a time), and the"
            r" descent-lemma factor; the descent lemma itself and"
            r" $Z^\top Z \preceq \sigma_{\max}^2 I$ are used as stated."
        ),
        source=f"{SOUDRY}, Assumption 2 and Thm 3 (step size $\\eta < 2\\beta^{{-1}}"
        f"\\sigma_{{\\max}}^{{-2}}(X)$)",
        derive=_derive_logistic_smoothness,
    )
)


# --------------------------------------------------------------------------------------------
# svm.normalized_gradient


def _derive_normalized_gradient() -> list[Step]:
    rows = sympy.Symbol("N", positive=True, integer=True)
    n, j = sympy.symbols("n j", integer=True)
    z = sympy.IndexedBase("z", real=True)
    rest = sympy.IndexedBase("r", real=True)  # r_n = sum_{i != j} z_ni w_i, free of w_j
    v = sympy.IndexedBase("v", real=True)
    w_j = sympy.Symbol("w_j", real=True)
    shift = sympy.Symbol("c", real=True)
    margin = z[n, j] * w_j + rest[n]
    loss = Sum(exp(-margin), (n, 1, rows))
    q = exp(-margin) / loss  # q_n = softmax(-Z w)_n

    def softmax(scores: sympy.Expr) -> sympy.Expr:
        return exp(scores) / Sum(exp(scores), (n, 1, rows))

    return [
        Step.eq(
            r"general ($N$ symbolic, coordinate $j$, $z_n^\top w = z_{nj} w_j + r_n$):"
            r" $\partial_j L(w) = -\sum_n e^{-z_n^\top w} z_{nj}$ for"
            r" $L(w) = \sum_n e^{-z_n^\top w}$",
            Derivative(loss, w_j),
            -Sum(exp(-margin) * z[n, j], (n, 1, rows)),
            via=_evaluate,
        ),
        Step.eq(
            r"general: $\partial_j \log L = \partial_j L / L = -\sum_n q_n z_{nj}$ with"
            r" $q = \mathrm{softmax}(-Z w)$ (log-domain evaluation via logsumexp)",
            Derivative(log(loss), w_j),
            -Sum(q * z[n, j], (n, 1, rows)),
            via=lambda residual: sympy.factor_terms(residual.doit()),
        ),
        Step.eq(
            r"general: $\sum_n q_n = 1$: with $q_n > 0$ below, $q$ is a probability vector",
            Sum(softmax(v[n]), (n, 1, rows)),
            1,
            via=sympy.factor_terms,
        ),
        Step.eq(
            r"general: shift invariance $\mathrm{softmax}(v + c)_n = \mathrm{softmax}(v)_n$"
            r" (stable evaluation with $c = -\max_k v_k$)",
            softmax(v[n] + shift),
            softmax(v[n]),
            via=lambda residual: sympy.factor_terms(sympy.expand(residual)),
        ),
        Step.holds(r"general: $q_n > 0$", sympy.Gt(softmax(v[n]), 0, evaluate=False)),
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
            r" $w_{t+1} = w_t + \eta \sum_n q_n z_n$. Proven in general: symbolic $N$ (sums"
            r" over $n = 1, \dots, N$) and any $d$ (one coordinate $w_j$ at a time)."
        ),
        source="Ji and Telgarsky, ALT 2021 (normalized GD on the exponential loss)",
        derive=_derive_normalized_gradient,
    )
)


# --------------------------------------------------------------------------------------------
# deep_linear.cost


def _factor_sums(expr: sympy.Expr) -> sympy.Expr:
    """Pull factors free of the summation index out of every sum, innermost limit first."""

    def nested(total: Sum) -> sympy.Expr:
        inner = total.function
        for limits in total.limits:
            inner = factor_sum(Sum(inner, limits))
        return inner

    return sympy.expand(expr).replace(lambda node: isinstance(node, Sum), nested)


def deep_linear_cost(norm: sympy.Expr, depth: sympy.Expr) -> sympy.Expr:
    """The claimed minimum L * norm^(2/L) of sum_l s_l^2 over s_l > 0 with prod_l s_l = norm.

    >>> deep_linear_cost(sympy.Integer(8), 3)
    12
    """
    return depth * norm ** (sympy.Integer(2) / depth)


def amgm_steps(bound: sympy.Symbol, depth: sympy.Symbol) -> list[Step]:
    """General-depth steps: min sum_l s_l^2 over s_l > 0 with prod_l s_l = bound is attained
    only at s_l = bound^(1/depth), with value depth * bound^(2/depth).

    ``depth`` is a positive integer symbol: every step holds for symbolic depth. The proof
    writes s_l = b^(1/L) e^(y_l) with sum_l y_l = 0 and uses e^x >= 1 + x.

    >>> L = sympy.Symbol("L", positive=True, integer=True)
    >>> steps = amgm_steps(sympy.Symbol("b", positive=True), L)
    >>> all(step.check() is None for step in steps)
    True
    """
    x = sympy.Symbol("x", real=True)
    layer = sympy.Symbol("l", positive=True, integer=True)
    y = sympy.IndexedBase("y", real=True)
    s = sympy.IndexedBase("s", positive=True)
    gap = exp(x) - 1 - x
    root = bound ** (1 / depth)
    balanced = root * exp(y[layer])
    value = deep_linear_cost(bound, depth)
    return [
        Step.eq(
            r"$e^x \geq 1 + x$: $g(x) = e^x - 1 - x$ has $g(0) = g'(0) = 0$",
            Matrix([Subs(gap, x, 0), Subs(Derivative(gap, x), x, 0)]),
            Matrix([0, 0]),
            via=_evaluate,
        ),
        Step.holds(
            r"and $g'' > 0$: $g$ is strictly convex, so $g \geq 0$ with equality only at 0",
            sympy.Gt(Derivative(gap, (x, 2)), 0, evaluate=False),
        ),
        Step.eq(
            r"general $L$: for $s_l > 0$ put $y_l = \log s_l - \frac1L \log b$; then"
            r" $s_l = b^{1/L} e^{y_l}$ and $\sum_l y_l = \log \prod_l s_l - \log b$, which is"
            r" $0$ when $\prod_l s_l = b$",
            Matrix([Subs(balanced, y[layer], log(s[layer]) - log(bound) / depth),
                    Sum(log(s[layer]) - log(bound) / depth, (layer, 1, depth))]),
            Matrix([s[layer], log(sympy.Product(s[layer], (layer, 1, depth))) - log(bound)]),
            via=lambda residual: sympy.expand_log(residual.doit()),
        ),
        Step.eq(
            r"general $L$: $\sum_l s_l^2 - L b^{2/L} = b^{2/L} \sum_l g(2 y_l) +"
            r" 2 b^{2/L} \sum_l y_l \geq 0$, with equality iff every $y_l = 0$: the minimum is"
            r" attained only at the balanced $s_l = b^{1/L}$",
            Sum(balanced**2, (layer, 1, depth)) - value,
            bound ** (2 / depth) * Sum(gap.subs(x, 2 * y[layer]), (layer, 1, depth))
            + 2 * bound ** (2 / depth) * Sum(y[layer], (layer, 1, depth)),
            via=_factor_sums,
        ),
        Step.eq(
            r"general $L$: the balanced $s_l = b^{1/L}$ have $\prod_l s_l = b$ and"
            r" $\sum_l s_l^2 = L b^{2/L}$",
            Matrix([sympy.Product(root, (layer, 1, depth)), Sum(root**2, (layer, 1, depth))]),
            Matrix([bound, value]),
            via=_evaluate,
        ),
        Step.eq(
            r"general $L$: the value $L b^{2/L}$ is increasing in $b$,"
            r" $\frac{d}{db} L b^{2/L} = 2 b^{2/L - 1} > 0$",
            Derivative(value, bound),
            2 * bound ** (2 / depth - 1),
            via=_evaluate,
        ),
    ]


def _balanced_factors(beta: Matrix, depth: int, v: list[Matrix]) -> list[Matrix]:
    """W_1 = r v_1 bhat^T, W_l = r v_l v_{l-1}^T, W_L = r v_{L-1}^T with r = ||beta||^(1/L)."""
    norm = sympy.sqrt(beta.dot(beta))
    r = norm ** Rational(1, depth)
    factors = [r * v[0] * (beta / norm).T]
    factors += [r * v[layer] * v[layer - 1].T for layer in range(1, depth - 1)]
    factors.append(r * v[depth - 2].T)
    return factors


def _derive_deep_linear_cost() -> list[Step]:
    depth = sympy.Symbol("L", positive=True, integer=True)
    norm = sympy.Symbol("b", positive=True)  # b = prod_l ||W_l||_2, or ||beta|| when balanced
    steps = amgm_steps(norm, depth)

    layer = sympy.Symbol("l", positive=True, integer=True)
    r = sympy.Symbol("r", positive=True)
    width_out, width_in, dim, rows_i, cols_j = sympy.symbols("k' k d i j", positive=True,
                                                            integer=True)
    v_next, v_prev = MatrixSymbol("v_next", width_out, 1), MatrixSymbol("v", width_in, 1)
    direction = MatrixSymbol("bhat", dim, 1)
    p, q = sympy.IndexedBase("p", real=True), sympy.IndexedBase("q", real=True)
    steps += [
        Step.eq(
            r"general (any widths, any $d$): if $W_l \cdots W_1 = r^l v_l \hat\beta^\top$ then"
            r" $W_{l+1} = r v_{l+1} v_l^\top$ gives $W_{l+1} \cdots W_1 - r^{l+1} v_{l+1}"
            r" \hat\beta^\top = r^{l+1} v_{l+1} (v_l^\top v_l - 1) \hat\beta^\top = 0$ for unit"
            r" $v_l$; by induction ($W_1 = r v_1 \hat\beta^\top$, $v_L = 1$)"
            r" $W_L \cdots W_1 = r^L \hat\beta^\top = \beta^\top$ for $r = \|\beta\|^{1/L}$",
            (r * v_next * v_prev.T) * (r**layer * v_prev * direction.T)
            - r ** (layer + 1) * v_next * direction.T,
            r ** (layer + 1) * v_next * (v_prev.T * v_prev - Identity(1)) * direction.T,
        ),
        Step.eq(
            r"general: a rank-one layer $r p q^\top$ has $\|r p q^\top\|_F^2 = \sum_{i,j}"
            r" (r p_i q_j)^2 = r^2 \|p\|^2 \|q\|^2$, which is $r^2$ for unit $p$, $q$: with"
            r" the balanced $r = \|\beta\|^{1/L}$ above, $\sum_l \|W_l\|_F^2 = L"
            r" \|\beta\|^{2/L}$",
            Sum((r * p[rows_i] * q[cols_j]) ** 2, (cols_j, 1, width_in), (rows_i, 1, width_out)),
            r**2 * Sum(p[rows_i] ** 2, (rows_i, 1, width_out))
            * Sum(q[cols_j] ** 2, (cols_j, 1, width_in)),
            via=_factor_sums,
        ),
    ]

    beta = _vector("beta", 2, real=True)
    unit = [Matrix([Rational(3, 5), Rational(4, 5)]), Matrix([0, 1])]
    factors = _balanced_factors(beta, 3, unit)
    steps += [
        Step.eq(
            r"instance $L = 3$, $d = 2$, width 2, $v_1 = (\frac35, \frac45)$, $v_2 = (0, 1)$:"
            r" $W_3 W_2 W_1 = \beta^\top$",
            MatMul(*(ImmutableMatrix(f) for f in reversed(factors)), evaluate=False),
            ImmutableMatrix(beta.T),
        ),
        Step.eq(
            r"instance: $\sum_l \|W_l\|_F^2 = 3 \|\beta\|^{2/3}$",
            sum(sum(e**2 for e in f) for f in factors),
            3 * beta.dot(beta) ** Rational(1, 3),
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
            r" $\sum_l \|W_l\|_F^2 \geq \sum_l \|W_l\|_2^2 \geq L (\prod_l \|W_l\|_2)^{2/L}"
            r" \geq L \|\beta\|_2^{2/L}$ (AM-GM, then submultiplicativity"
            r" $\|\beta\|_2 \leq \prod_l \|W_l\|_2$). Attained by the balanced rank-one"
            r" factors $W_1 = r v_1 \hat\beta^\top$, $W_l = r v_l v_{l-1}^\top$,"
            r" $W_L = r v_{L-1}^\top$ with unit $v_l$, $\hat\beta = \beta/\|\beta\|_2$,"
            r" $r = \|\beta\|_2^{1/L}$. Proven for symbolic $L$: AM-GM in the form"
            r" $\min\{\sum_l s_l^2 : \prod_l s_l = b, s_l > 0\} = L b^{2/L}$, attained only at"
            r" $s_l = b^{1/L}$ (via $e^x \geq 1 + x$), its monotonicity in $b$, the induction"
            r" step of the balanced product and the Frobenius norm of a rank-one layer (any"
            r" widths and $d$). Used as stated: $\|W\|_2 \leq \|W\|_F$ and"
            r" submultiplicativity. Instance check: the construction for $L = 3$, $d = 2$,"
            r" width 2."
        ),
        source="Ji and Telgarsky, ICLR 2019 (gradient descent aligns the layers of deep linear"
        " networks)",
        derive=_derive_deep_linear_cost,
    )
)

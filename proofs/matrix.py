"""Lemmas behind the matrix-factorization family (docs/matrix.md).

Registered on import (see :func:`proofs.all_lemmas`):

- ``matrix.commuting``: for commuting symmetric A_i = Q diag(D_i) Q^T and U = Q diag(u) Q^T,
  gradient flow on L(U) = (1/2) sum_i (<A_i, U U^T> - y_i)^2 stays of that form and
  beta = u * u follows the nonnegative diagonal model; beta(t) = alpha^2 exp(-4 D^T s(t)), the
  mirror (entropy) form of the limit, and the potential divided by log(1/alpha^2) -> trace.
- ``matrix.singular_values``: balanced factors of W = U S^N V^T; the end-to-end flow
  dW/dt = -sum_j (W W^T)^{(N-j)/N} grad (W^T W)^{(j-1)/N} and
  d sigma_r/dt = -N (sigma_r^2)^{1-1/N} <grad, u_r v_r^T> (N = 2, 3, d = 2; the diagonal
  weight N sigma^{2-2/N} for general N).
- ``matrix.det_invariance``: Jacobi's formula d det W/dt = tr(adj(W) dW/dt) (d = 2, 3) and
  d log|det W|/dt = -N sum_r sigma_r^{1-2/N} <grad, u_r v_r^T> under the balanced flow, whose
  exponent 1 - 2/N >= 0 for N >= 2 keeps det W away from 0; depth 1 crosses det = 0.
- ``matrix.razin_cohen``: the 2x2 completion W12 = W21 = 1, W22 = 0: solutions [[x, 1], [1, 0]],
  det = -1, ||.||_* = sqrt(x^2 + 4) >= 2 (equality at x = 0, certified by the dual
  lambda = (1, 1, 0)); no PSD solution (facial reduction), and the lower bound on |W11|.

Each statement says which steps are general symbolic identities and which are instance checks.
Steps stated unevaluated (``Subs``, ``Derivative``, ``Limit``, ``Determinant``, a matrix
product) are decided by the check, which evaluates them (``via``), never by their construction;
explicit matrix products are compared after ``expand`` (their residual is 0 only once expanded).

Conventions: <A, W> = sum_jk A_jk W_jk; the loss is a sum with the factor 1/2.
"""

from __future__ import annotations

from operator import methodcaller

import sympy
from sympy import (
    Abs,
    Derivative,
    Determinant,
    Function,
    ImmutableMatrix,
    Limit,
    MatMul,
    Matrix,
    Rational,
    Subs,
    diag,
    exp,
    eye,
    log,
    sqrt,
)

from implicit_bias.proofs.lemma import Lemma, Step, register

__all__ = ["rotation", "balanced_factors", "chain"]

GUNASEKAR = "Gunasekar, Woodworth, Bhojanapalli, Neyshabur and Srebro, NeurIPS 2017"
ARORA = "Arora, Cohen, Hu and Luo, NeurIPS 2019"
ARORA_HAZAN = "Arora, Cohen and Hazan, ICML 2018"
RAZIN = "Razin and Cohen, NeurIPS 2020"


def rotation(p: int, q: int) -> Matrix:
    """The exact rational rotation with cos = (p^2 - q^2)/(p^2 + q^2), sin = 2pq/(p^2 + q^2).

    >>> rotation(2, 1)
    Matrix([
    [3/5, -4/5],
    [4/5,  3/5]])
    """
    n = p * p + q * q
    c, s = Rational(p * p - q * q, n), Rational(2 * p * q, n)
    return Matrix([[c, -s], [s, c]])


def chain(factors: list[Matrix]) -> Matrix:
    """W_N ... W_1 for factors = [W_1, ..., W_N] (the empty product is the identity)."""
    out = eye(factors[0].shape[0]) if factors else eye(2)
    for F in factors:
        out = F * out
    return out


def balanced_factors(U: Matrix, s: list, V: Matrix, inner: list[Matrix]) -> list[Matrix]:
    """W_1 = O_1 S V^T, W_j = O_j S O_{j-1}^T, W_N = U S O_{N-1}^T with S = diag(s) and
    orthogonal O_j = ``inner[j-1]`` (N = len(inner) + 1): balanced, with product U S^N V^T.

    >>> len(balanced_factors(eye(2), [1, 2], eye(2), [eye(2)]))
    2
    """
    S = diag(*s)
    outer = [V, *inner, U]
    return [outer[j + 1] * S * outer[j].T for j in range(len(outer) - 1)]


#: The rewrite for steps stated unevaluated (Subs, Derivative, Limit, Determinant): evaluate.
_evaluate = methodcaller("doit")


def _evaluate_expand(expr):
    """Evaluate, then expand: polynomial residuals reduce to 0 without ``cancel``."""
    return sympy.expand(expr.doit())


def _product(*factors) -> MatMul:
    """The matrix product of ``factors`` (explicit matrices or matrix expressions),
    unevaluated (the check multiplies)."""
    return MatMul(*(ImmutableMatrix(F) if isinstance(F, sympy.MatrixBase) else F
                    for F in factors), evaluate=False)


def _at(expr, old, new) -> Subs:
    """``expr`` with ``old`` replaced by ``new``, unevaluated (the check substitutes)."""
    return Subs(expr, old, new)


def _symbol_matrix(name: str, d: int = 2, **assumptions) -> Matrix:
    return Matrix(d, d, lambda j, k: sympy.Symbol(f"{name}_{j + 1}{k + 1}", **assumptions))


def _inner(A: Matrix, B: Matrix) -> sympy.Expr:
    return sum((A[i] * B[i] for i in range(len(A))), sympy.S.Zero)


# --------------------------------------------------------------------------------------------
# matrix.commuting


def _derive_commuting() -> list[Step]:
    Q = rotation(2, 1)
    u = sympy.symbols("u_1 u_2", real=True)
    y = sympy.symbols("y_1 y_2", real=True)
    D = Matrix(2, 2, sympy.symbols("D_11 D_12 D_21 D_22", real=True))  # row i: D_i
    A = [Q * diag(*D.row(i)) * Q.T for i in range(2)]
    U_form = Q * diag(*u) * Q.T
    beta = Matrix([u[0] ** 2, u[1] ** 2])
    # one term of the loss over a general U (entries p_jk) and a symmetric A = S
    P = _symbol_matrix("p", real=True)
    a11, a12, a22 = sympy.symbols("a_11 a_12 a_22", real=True)
    S = Matrix([[a11, a12], [a12, a22]])
    one_term = (_inner(S, P * P.T) - y[0]) ** 2 / 2
    ell = Rational(1, 2) * sum(((D * beta)[i] - y[i]) ** 2 for i in range(2))
    grad_u = [Derivative(ell, ui) for ui in u]
    r = D * beta - Matrix(y)
    t, alpha = sympy.Symbol("t", real=True), sympy.Symbol("alpha", positive=True)
    s = [Function(f"s_{i + 1}")(t) for i in range(2)]
    rt = [Function(f"r_{i + 1}")(t) for i in range(2)]
    sol = [alpha**2 * exp(-4 * sum(D[i, k] * s[i] for i in range(2))) for k in range(2)]
    ds = {Derivative(s[i], t): rt[i] for i in range(2)}
    b = sympy.symbols("b_1 b_2", positive=True)
    psi = sum(bk * log(bk / alpha**2) - bk for bk in b)
    sv = sympy.symbols("sigma_1 sigma_2", real=True)  # the values s_i(t) at one time t
    sol_t = [alpha**2 * exp(-4 * sum(D[i, k] * sv[i] for i in range(2))) for k in range(2)]
    W = _symbol_matrix("w")
    rotated = Q.T * W * Q
    return [
        Step.eq(r"instance $Q$ (the rotation with $\cos = 3/5$), symbolic $D$:"
                r" $A_1 A_2 = A_2 A_1$ (the measurements commute)",
                _product(A[0], A[1]), _product(A[1], A[0])),
        Step.eq(r"$\langle A_i, U U^\top\rangle = D_i^\top (u \odot u)$ for"
                r" $U = Q\,\mathrm{diag}(u)\,Q^\top$",
                Matrix([_inner(A[i], U_form * U_form.T) for i in range(2)]), D * beta),
        Step.eq(r"general (symbolic symmetric $A$, $U$): $\nabla_U \frac12(\langle A,"
                r" UU^\top\rangle - y)^2 = 2(\langle A, UU^\top\rangle - y) A U$, so"
                r" $\nabla_U L = 2\sum_i r_i A_i U$, $r_i = \langle A_i, UU^\top\rangle - y_i$",
                Matrix(2, 2, lambda j, k: Derivative(one_term, P[j, k])),
                2 * (_inner(S, P * P.T) - y[0]) * S * P, via=_evaluate_expand),
        Step.eq(r"on the family: $2\sum_i r_i A_i U = Q\,\mathrm{diag}(\nabla_u \ell(u))\,"
                r"Q^\top$ with $\ell(u) = \frac12 \sum_i (D_i^\top(u \odot u) - y_i)^2$:"
                r" gradient flow stays in it",
                2 * sum((((D * beta)[i] - y[i]) * A[i] * U_form for i in range(2)),
                        sympy.zeros(2, 2)),
                Q * diag(*grad_u) * Q.T, via=_evaluate_expand),
        Step.eq(r"$\dot\beta = 2 u \odot \dot u = -4\, \beta \odot (D^\top r)$, $r = D\beta - y$:"
                r" the nonnegative diagonal model $\beta = u \odot u$",
                Matrix([2 * u[k] * (-grad_u[k]) for k in range(2)]),
                Matrix([-4 * beta[k] * (D.T * r)[k] for k in range(2)]), via=_evaluate),
        Step.eq(r"$\beta_k(t) = \alpha^2 e^{-4 (D^\top s(t))_k}$ with $\dot s = r$, $s(0) = 0$"
                r" solves $\dot\beta_k = -4 \beta_k (D^\top r)_k$ from $U(0) = \alpha I$",
                Matrix([Derivative(sol[k], t) for k in range(2)]),
                Matrix([-4 * sol[k] * sum(D[i, k] * rt[i] for i in range(2)) for k in range(2)]),
                via=lambda expr: expr.doit().subs(ds)),
        Step.eq(r"$\nabla\psi_\alpha(\beta) = \log(\beta/\alpha^2) = -4 D^\top s \in"
                r" \mathrm{row}(D)$ for $\psi_\alpha(\beta) = \sum_k \beta_k"
                r" \log(\beta_k/\alpha^2) - \beta_k$: an interpolating limit is"
                r" $\arg\min \psi_\alpha$ s.t. $D\beta = y$, $\beta \geq 0$",
                Matrix([_at(Derivative(psi, bk), b, sol_t) for bk in b]),
                Matrix([-4 * sum(D[i, k] * sv[i] for i in range(2)) for k in range(2)]),
                via=lambda expr: sympy.expand_log(expr.doit(), force=True)),
        Step.eq(r"$\psi_\alpha(\beta) / \log(1/\alpha^2) \to \sum_k \beta_k = \mathrm{tr}\,W$ as"
                r" $\alpha \to 0$: the limit is the minimum-trace interpolant",
                Limit(psi / log(1 / alpha**2), alpha, 0, "+"), b[0] + b[1], via=_evaluate),
        Step.eq(r"for every $W$ (symbolic): $\langle A_i, W\rangle = \sum_k D_{ik}"
                r" (Q^\top W Q)_{kk}$: only the diagonal of $Q^\top W Q$, which carries the whole"
                r" trace, is measured",
                Matrix([_inner(A[i], W) for i in range(2)]),
                Matrix([D[i, 0] * rotated[0, 0] + D[i, 1] * rotated[1, 1] for i in range(2)])),
    ]


register(Lemma(
    name="matrix.commuting",
    title="Commuting measurements reduce matrix factorization to the diagonal model",
    statement=(
        r"Let $A_i = Q\,\mathrm{diag}(D_i)\,Q^\top$ with one orthogonal $Q$ (the $A_i$ commute)"
        r" and $L(U) = \frac12\sum_i(\langle A_i, UU^\top\rangle - y_i)^2$. On the family"
        r" $U = Q\,\mathrm{diag}(u)\,Q^\top$ the gradient is $Q\,\mathrm{diag}(\nabla_u\ell)"
        r"\,Q^\top$ with $\ell(u) = \frac12\sum_i(D_i^\top(u\odot u) - y_i)^2$, so gradient"
        r" flow from $U(0) = \alpha I$ stays in the family and the eigenvalues"
        r" $\beta = u \odot u$ of $W = UU^\top$ follow the nonnegative diagonal model"
        r" $\dot\beta = -4\beta\odot D^\top r$, solved by $\beta = \alpha^2 e^{-4D^\top s}$,"
        r" $\dot s = r$. Hence $\log(\beta/\alpha^2) \in \mathrm{row}(D)$: an interpolating"
        r" limit minimizes $\psi_\alpha(\beta) = \sum_k \beta_k\log(\beta_k/\alpha^2) - \beta_k$"
        r" over $D\beta = y$, $\beta\ge 0$, and $\psi_\alpha/\log(1/\alpha^2) \to \sum_k\beta_k$,"
        r" the trace (the exchange of the limits $t \to \infty$, $\alpha \to 0$ is the"
        r" paper's and is not checked here). Every $W$ is measured only through the diagonal"
        r" of $Q^\top W Q$, which carries its trace, so the minimum-trace PSD interpolant is"
        r" $Q\,\mathrm{diag}(\beta)\,Q^\top$ with $\beta$ the LP solution. Instance check:"
        r" $d = 2$, $m = 2$, $Q$ the rotation with $\cos = 3/5$; on it, general symbolic"
        r" identities in $D$, $y$, $u$, $W$, $\alpha$ and $s(t)$ (the potential and its"
        r" limit for symbolic $\beta > 0$)."
    ),
    source=f"{GUNASEKAR}, Thm 1 (commuting measurements)",
    derive=_derive_commuting,
))


# --------------------------------------------------------------------------------------------
# matrix.singular_values


def _gradient_steps() -> Step:
    """d<G, A X B>/dX = A^T G B^T for symbolic 2 x 2 A, X, B, G (the factor gradients)."""
    A, X, B = (_symbol_matrix(name, real=True) for name in ("a", "x", "b"))
    G = _symbol_matrix("g", real=True)
    ell = _inner(G, A * X * B)
    return Step.eq(
        r"general $2 \times 2$ (symbolic $A, X, B, G$): $\frac{\partial}{\partial X}"
        r" \langle G, AXB\rangle = A^\top G B^\top$, so for $\ell = \langle G, W\rangle$ the"
        r" factor gradients are $\partial\ell/\partial W_j = (W_N\cdots W_{j+1})^\top G"
        r" (W_{j-1}\cdots W_1)^\top$",
        Matrix(2, 2, lambda a, b: Derivative(ell, X[a, b])), A.T * G * B.T, via=_evaluate)


def _derive_singular_values() -> list[Step]:
    s = sympy.symbols("s_1 s_2", positive=True)
    U, V = rotation(2, 1), rotation(3, 2)
    inner_pool = [rotation(4, 1), rotation(5, 2)]
    p, r = (Matrix(sympy.symbols(f"{name}_1:3", real=True)) for name in ("p", "r"))
    M = _symbol_matrix("m", real=True)
    steps = [
        _gradient_steps(),
        Step.eq(r"instance: the fixed rational rotations $U$, $V$ (and $O_j$) are orthogonal,"
                r" $U^\top U = V^\top V = I$",
                sympy.BlockMatrix([[_product(U.T, U)], [_product(V.T, V)]]),
                sympy.BlockMatrix([[eye(2)], [eye(2)]])),
    ]
    for N in (2, 3):
        inner = inner_pool[: N - 1]
        Ws = balanced_factors(U, list(s), V, inner)
        sigma = [s[0] ** N, s[1] ** N]
        after = [chain(Ws[j:]) for j in range(1, N)]  # W_N ... W_{j+1}, j = 1 .. N-1
        before = [chain(Ws[: j - 1]) for j in range(2, N + 1)]  # W_{j-1} ... W_1, j = 2 .. N
        steps += [
            Step.eq(rf"$N = {N}$: balanced, $W_{{j+1}}^\top W_{{j+1}} = W_j W_j^\top$ for every"
                    r" $j$",
                    Matrix.vstack(*[Ws[j + 1].T * Ws[j + 1] for j in range(N - 1)]),
                    Matrix.vstack(*[Ws[j] * Ws[j].T for j in range(N - 1)]), via=sympy.expand),
            Step.eq(rf"$N = {N}$: $W_N \cdots W_1 = U\,\mathrm{{diag}}(\sigma)\,V^\top$,"
                    r" $\sigma_r = s_r^N$", chain(Ws), U * diag(*sigma) * V.T, via=sympy.expand),
            Step.eq(rf"$N = {N}$: the partial products have $(W_N\cdots W_{{j+1}})"
                    r" (W_N\cdots W_{j+1})^\top = U S^{2(N-j)} U^\top = (WW^\top)^{(N-j)/N}$"
                    r" ($j < N$) and $(W_{j-1}\cdots W_1)^\top (W_{j-1}\cdots W_1) ="
                    r" V S^{2(j-1)} V^\top = (W^\top W)^{(j-1)/N}$ ($j > 1$): with the factor"
                    r" gradients, gradient flow on the factors moves $W$ by"
                    r" $\dot W = \sum_j W_N\cdots W_{j+1}\dot W_j W_{j-1}\cdots W_1 ="
                    r" -\sum_{j=1}^N (WW^\top)^{\frac{N-j}{N}}\, \nabla\ell\,"
                    r" (W^\top W)^{\frac{j-1}{N}}$ (the end-to-end flow), for every $\nabla\ell$",
                    Matrix.vstack(*[A * A.T for A in after], *[B.T * B for B in before]),
                    Matrix.vstack(*[U * diag(*[v ** (2 * (N - j)) for v in s]) * U.T
                                    for j in range(1, N)],
                                  *[V * diag(*[v ** (2 * (j - 1)) for v in s]) * V.T
                                    for j in range(2, N + 1)]), via=sympy.expand),
        ]
    steps.append(Step.eq(
        r"general (symbolic $M$, $p$, $r$): $\mathrm{diag}(p)\, M\, \mathrm{diag}(r) = M \odot"
        r" (p r^\top)$; so in the singular bases, $U^\top \dot W V = -\sum_j S^{2(N-j)}"
        r" (U^\top \nabla\ell V) S^{2(j-1)} = -(U^\top \nabla\ell V) \odot K$,"
        r" $K_{kl} = \sum_j \sigma_k^{2(N-j)/N}\sigma_l^{2(j-1)/N}$, and on the diagonal"
        r" $\dot\sigma_r = u_r^\top \dot W v_r = -K_{rr} \langle \nabla\ell, u_r v_r^\top\rangle$",
        _product(diag(*p), M, diag(*r)), M.multiply_elementwise(p * r.T)))
    n, j = sympy.symbols("N j", positive=True, integer=True)
    sig = sympy.Symbol("sigma", positive=True)
    steps.append(Step.eq(
        r"general $N$: the diagonal weight is $K_{rr} = \sum_{j=1}^N \sigma^{2\frac{N-j}{N}}"
        r" \sigma^{2\frac{j-1}{N}} = N (\sigma^2)^{1 - 1/N}$",
        sympy.Sum(sig ** (2 * (n - j) / n) * sig ** (2 * (j - 1) / n), (j, 1, n)),
        n * (sig**2) ** (1 - 1 / n), via=_evaluate))
    b, c, t = sympy.symbols("b c t", positive=True)
    lam = sympy.Symbol("lambda")
    E = _symbol_matrix("e", real=True)
    Wt = diag(b + c, b) + t * E
    charpoly = (lam * eye(2) - Wt.T * Wt).det()
    rates = []
    for sigma0 in (b + c, b):  # implicit differentiation of det(lambda I - M(t)) = 0
        at = (lam, t), (sigma0**2, 0)
        dlam = -_at(Derivative(charpoly, t), *at) / _at(Derivative(charpoly, lam), *at)
        rates.append(dlam / (2 * sigma0))  # sigma = sqrt(lambda)
    steps.append(Step.eq(
        r"first-order perturbation (instance $W = \mathrm{diag}(b + c, b)$, symbolic $b, c > 0$"
        r" and $E$; simple singular values; implicit differentiation of"
        r" $\det(\sigma^2 I - W_t^\top W_t) = 0$):"
        r" $\frac{d}{dt}\sigma_r(W + tE)|_{t=0} = u_r^\top E v_r = E_{rr}$",
        Matrix(rates), Matrix([E[0, 0], E[1, 1]]), via=_evaluate))
    return steps


register(Lemma(
    name="matrix.singular_values",
    title="Singular values of a deep factorization under balanced gradient flow",
    statement=(
        r"Let $W = W_N\cdots W_1$ with balanced factors ($W_{j+1}^\top W_{j+1} = W_jW_j^\top$),"
        r" parametrized as $W_1 = O_1SV^\top$, $W_j = O_jSO_{j-1}^\top$, $W_N = US O_{N-1}^\top$,"
        r" $S = \mathrm{diag}(s)$, $O_j$ orthogonal, so $W = US^NV^\top$ and $\sigma_r = s_r^N$."
        r" Gradient flow on the factors, $\dot W_j = -\partial\ell/\partial W_j$, moves the"
        r" product by $\dot W = -\sum_j (WW^\top)^{(N-j)/N}\nabla\ell(W)(W^\top W)^{(j-1)/N}$"
        r" and the singular values by $\dot\sigma_r = u_r^\top\dot W v_r ="
        r" -N(\sigma_r^2)^{1-1/N}\langle\nabla\ell(W), u_rv_r^\top\rangle$. The velocity at a"
        r" time depends on $\ell$ only through $\nabla\ell(W(t)) = G$, so a linear $\ell ="
        r" \langle G, W\rangle$ with symbolic $G$ is general. General symbolic identities:"
        r" the factor gradients $\partial\langle G, AXB\rangle/\partial X = A^\top G B^\top$"
        r" (symbolic $2\times2$ $A, X, B, G$), $\mathrm{diag}(p)M\mathrm{diag}(r) = M \odot"
        r" pr^\top$, and the diagonal weight $N\sigma^{2-2/N}$ for symbolic $N$. Instance checks:"
        r" $d = 2$, $N = 2, 3$, $U$, $V$, $O_j$ fixed rational rotations, general in"
        r" $s_1, s_2 > 0$ (balance, the product and the partial products"
        r" $(WW^\top)^{(N-j)/N}$, $(W^\top W)^{(j-1)/N}$, so the flow holds for every"
        r" $\nabla\ell$); $\dot\sigma_r = u_r^\top\dot W v_r$ for simple singular values on"
        r" $W = \mathrm{diag}(b + c, b)$ (symbolic $b, c, E$)."
    ),
    source=f"{ARORA}, Thm 3; the end-to-end flow: {ARORA_HAZAN}, Thm 1",
    derive=_derive_singular_values,
))


# --------------------------------------------------------------------------------------------
# matrix.det_invariance


def _adjugate_trace_step(d: int, t: sympy.Symbol) -> Step:
    W = Matrix(d, d, lambda j, k: Function(f"w_{j + 1}{k + 1}")(t))
    return Step.eq(
        rf"general $W(t)$, $d = {d}$: Jacobi's formula $\frac{{d}}{{dt}}\det W ="
        r" \mathrm{tr}(\mathrm{adj}(W)\dot W)$ $(= \det W\, \mathrm{tr}(W^{-1}\dot W))$",
        Derivative(Determinant(ImmutableMatrix(W)), t), (W.adjugate() * W.diff(t)).trace(),
        via=lambda expr: sympy.expand(expr.doit()))


def _derive_det_invariance() -> list[Step]:
    t = sympy.Symbol("t", real=True)
    steps = [_adjugate_trace_step(2, t), _adjugate_trace_step(3, t)]
    sig = sympy.symbols("sigma_1 sigma_2", positive=True)
    G = _symbol_matrix("g", real=True)
    U, V = rotation(2, 1), rotation(3, 2)
    N = 3
    W = U * diag(*sig) * V.T
    Gt = U.T * G * V
    K = Matrix(2, 2, lambda a, b: sum(sig[a] ** Rational(2 * (N - j), N)
                                      * sig[b] ** Rational(2 * (j - 1), N)
                                      for j in range(1, N + 1)))
    Wdot = -U * Gt.multiply_elementwise(K) * V.T
    steps.append(Step.eq(
        r"instance $N = 3$, $d = 2$, fixed rational rotations $U, V$, symbolic $\sigma > 0$ and"
        r" $\nabla\ell$: with $W = U\,\mathrm{diag}(\sigma)V^\top$, under the end-to-end flow"
        r" $\mathrm{tr}(W^{-1}\dot W) = -N\sum_r \sigma_r^{1-2/N}\langle\nabla\ell,"
        r" u_rv_r^\top\rangle$",
        (W.inv() * Wdot).trace(),
        -N * sum(sig[r] ** (1 - Rational(2, N)) * Gt[r, r] for r in range(2)), via=sympy.expand))
    n = sympy.Symbol("N", positive=True, integer=True)
    s1 = sympy.Symbol("sigma", positive=True)
    steps.append(Step.eq(
        r"general $N$: $\dot\sigma_r / \sigma_r = -N \sigma_r^{1 - 2/N}\langle\nabla\ell,"
        r" u_r v_r^\top\rangle$ (so $\frac{d}{dt}\log|\det W| = \sum_r \dot\sigma_r/\sigma_r$)",
        -n * (s1**2) ** (1 - 1 / n) / s1, -n * s1 ** (1 - 2 / n)))
    M = sympy.Symbol("M", nonnegative=True, integer=True)
    steps += [
        Step.eq(r"general $N = M + 2 \geq 2$: the exponent is $1 - 2/N = M/(M + 2)$",
                1 - 2 / (M + 2), M / (M + 2)),
        Step.holds(r"which is $\geq 0$: the rate $|\frac{d}{dt}\log|\det W|| \leq N \sum_r"
                   r" \sigma_r^{1-2/N} \|\nabla\ell\|$ stays bounded while $W$ does, so"
                   r" $\det W$ cannot reach 0 in finite time",
                   sympy.Ge(M / (M + 2), 0, evaluate=False)),
        Step.eq(r"at $N = 1$ the per-value rate is $-\langle\nabla\ell, u_rv_r^\top\rangle"
                r"/\sigma_r$: unbounded near $\sigma = 0$, nothing protects the sign",
                _at(-n * s1 ** (1 - 2 / n), n, 1), -1 / s1, via=_evaluate),
    ]
    eps = sympy.Symbol("epsilon", positive=True)
    e = exp(-t)
    W1 = Matrix([[eps, 1 - e], [1 - e, eps * e]])
    # depth-1 GF on the Razin-Cohen data from W(0) = eps I: observed entries relax to y
    res = Matrix([W1[0, 1] - 1, W1[1, 0] - 1, W1[1, 1]])
    grad = Matrix([[0, res[0]], [res[1], res[2]]])
    det1 = Determinant(ImmutableMatrix(W1))
    steps += [
        Step.eq(r"instance: depth 1 on the Razin--Cohen data, $W(0) = \epsilon I$ (symbolic"
                r" $\epsilon > 0$): $W(t) = [[\epsilon, 1 - e^{-t}], [1 - e^{-t}, \epsilon"
                r" e^{-t}]]$ solves $\dot W = -\nabla\ell$",
                W1.applyfunc(lambda entry: Derivative(entry, t)), -grad, via=_evaluate),
        Step.eq(r"its determinant starts at $\epsilon^2 > 0$ and tends to $-1$: plain"
                r" (depth-1) gradient flow crosses $\det W = 0$",
                Matrix([_at(det1, t, 0), Limit(det1, t, sympy.oo)]),
                Matrix([eps**2, -1]), via=_evaluate),
    ]
    return steps


register(Lemma(
    name="matrix.det_invariance",
    title="Balanced gradient flow of depth N >= 2 keeps the sign of det W",
    statement=(
        r"By Jacobi's formula $\frac{d}{dt}\det W = \mathrm{tr}(\mathrm{adj}(W)\dot W) ="
        r" \det W\,\mathrm{tr}(W^{-1}\dot W)$. Under the end-to-end flow of a balanced depth-$N$"
        r" factorization, with $W = U\mathrm{diag}(\sigma)V^\top$,"
        r" $\mathrm{tr}(W^{-1}\dot W) = -N\sum_r\sigma_r^{1-2/N}\langle\nabla\ell(W),"
        r" u_rv_r^\top\rangle$. For $N \geq 2$ the exponent is $\geq 0$, so"
        r" $\frac{d}{dt}\log|\det W|$ is bounded on every bounded set of $W$: along a"
        r" trajectory that stays bounded up to time $T$, $\log|\det W(t)|$ stays finite, so"
        r" $\det W(t) \neq 0$ and (by continuity) keeps the sign of $\det W(0)$. For $N = 1$"
        r" the exponent is $-1$ and the sign can flip: on the Razin--Cohen data from"
        r" $W(0) = \epsilon I$, $\det W(t) = \epsilon^2e^{-t} - (1 - e^{-t})^2 \to -1$. General"
        r" symbolic identities: Jacobi for general $2\times2$ and $3\times3$ $W(t)$, the"
        r" per-value rate and its exponent for symbolic $N$. Instance checks: the trace"
        r" identity for $N = 3$, $d = 2$, fixed rational rotations $U, V$ (general in"
        r" $\sigma > 0$ and $\nabla\ell$); the depth-1 crossing (symbolic $\epsilon$)."
    ),
    source=f"{RAZIN}, Sec. 3 (the determinant argument behind Thm 1)",
    derive=_derive_det_invariance,
))


# --------------------------------------------------------------------------------------------
# matrix.razin_cohen


def _derive_razin_cohen() -> list[Step]:
    w = sympy.symbols("w11 w12 w21 w22", real=True)
    W = Matrix(2, 2, w)
    x = sympy.Symbol("x", real=True)
    family = Matrix([[x, 1], [1, 0]])
    A = [Matrix([[0, 1], [0, 0]]), Matrix([[0, 0], [1, 0]]), Matrix([[0, 0], [0, 1]])]
    y = [1, 1, 0]
    on_family = (w, tuple(family))
    lam = sympy.Symbol("lambda")
    frob2 = sum(v**2 for v in W)
    nuclear = sqrt(frob2 + 2 * Abs(Determinant(ImmutableMatrix(W))))  # 2 x 2: ||W||_*
    dual = [1, 1, 0]
    Z = sum((c * Ai for c, Ai in zip(dual, A, strict=True)), sympy.zeros(2, 2))
    p, q = sympy.symbols("p q", real=True)
    a = sympy.Symbol("a", nonnegative=True)
    Sym = Matrix([[a, q], [q, p]])  # a symmetric W with W22 = p
    e = sympy.Symbol("e", positive=True)
    bound = (1 - e) ** 2 / e
    return [
        Step.eq(r"instance (the Razin--Cohen data): the observations are $\langle A_i, W\rangle"
                r" = W_{12}, W_{21}, W_{22}$, so the solutions of $W_{12} = W_{21} = 1$,"
                r" $W_{22} = 0$ are exactly $[[x, 1], [1, 0]]$, $x \in \mathbb{R}$ (symbolic"
                r" $x$)",
                Matrix([_at(_inner(Ai, W), *on_family) for Ai in A]), Matrix(y),
                via=_evaluate),
        Step.eq(r"$\det W = -1$ on every solution", Determinant(ImmutableMatrix(family)), -1,
                via=_evaluate),
        Step.eq(r"general $2\times2$: $\det(\lambda I - W^\top W) = \lambda^2 - \|W\|_F^2\lambda +"
                r" (\det W)^2$, so $\sigma_1^2 + \sigma_2^2 = \|W\|_F^2$, $\sigma_1\sigma_2 ="
                r" |\det W|$ and $\|W\|_*^2 = \|W\|_F^2 + 2|\det W|$",
                Determinant(ImmutableMatrix(lam * eye(2) - W.T * W)),
                lam**2 - frob2 * lam + W.det() ** 2, via=_evaluate),
        Step.eq(r"on the solutions $\|W\|_* = \sqrt{x^2 + 4}$", _at(nuclear, *on_family),
                sqrt(x**2 + 4), via=_evaluate),
        Step.holds(r"$\|W\|_*^2 - 4 = x^2 \geq 0$, so $\min_x \|W\|_* = 2$, attained only at"
                   r" $x = 0$", sympy.Ge(x**2, 0, evaluate=False)),
        Step.eq(r"dual certificate $\lambda = (1, 1, 0)$: $Z = \sum_i\lambda_iA_i = [[0, 1],"
                r" [1, 0]]$ is symmetric with $\det(\mu I - Z) = \mu^2 - 1$: eigenvalues $\pm1$,"
                r" $\|Z\|_{op} = 1$ (feasible), so $\|W\|_* \geq \langle Z, W\rangle$",
                Determinant(ImmutableMatrix(lam * eye(2) - Z)), lam**2 - 1, via=_evaluate),
        Step.eq(r"and on every solution $\langle Z, W\rangle = \lambda^\top y = 2$, which"
                r" $\|W\|_*$ attains at $x = 0$: zero gap, so $[[0,1],[1,0]]$ is the global"
                r" minimum",
                Matrix([_at(_inner(Z, W), *on_family), _at(nuclear, *on_family).subs(x, 0)]),
                Matrix([sum(c * v for c, v in zip(dual, y, strict=True))] * 2),
                via=_evaluate),
        Step.eq(r"no PSD solution (facial reduction): $\mu = e_3$ gives $S = A_3 = E_{22}"
                r" \succeq 0$ with $\mu^\top y = 0$, so a PSD solution has $\langle E_{22},"
                r" W\rangle = W_{22} = 0$ (symmetric $W$ with $W_{22} = p$)",
                _at(_inner(A[2], W), w, tuple(Sym)), p, via=_evaluate),
        Step.eq(r"and a PSD $W$ with $W_{22} = 0$ has $W_{12}^2 = -\det W \le 0$, i.e."
                r" $W_{12} = 0 \neq 1$", _at(-Determinant(ImmutableMatrix(Sym)), p, 0), q**2,
                via=_evaluate),
        Step.eq(r"general $e \in (0, 1)$: with $|W_{12} - 1|, |W_{21} - 1|, |W_{22}| \leq e$ and"
                r" $\det W > 0$: $|W_{11}| > W_{12}W_{21}/|W_{22}| \geq (1 - e)^2/e$; the"
                r" bound's derivative",
                Derivative(bound, e), -(1 - e) * (1 + e) / e**2, via=_evaluate),
        Step.eq(r"is negative on $(0, 1)$, and the bound diverges as the residual $e \to 0$"
                r" (its reciprocal tends to 0)", Limit(1 / bound, e, 0, "+"), 0, via=_evaluate),
    ]


register(Lemma(
    name="matrix.razin_cohen",
    title="The Razin-Cohen completion: det = -1 on every solution, min nuclear norm 2",
    statement=(
        r"For the $2\times2$ completion with observed $W_{12} = W_{21} = 1$, $W_{22} = 0$ the"
        r" solutions are $[[x, 1], [1, 0]]$, all with $\det = -1$ and $\|W\|_* = \sqrt{x^2 +"
        r" 4}$ (from $\|W\|_*^2 = \|W\|_F^2 + 2|\det W|$, a general identity for $2\times2$),"
        r" minimal ($= 2$) exactly at $x = 0$, certified by the dual vector $\lambda = (1, 1,"
        r" 0)$ ($\|\sum\lambda_iA_i\|_{op} = 1$, $\lambda^\top y = 2$). No PSD matrix"
        r" interpolates ($W_{22} = 0$ forces $W_{12} = 0$). Any $W$ with $\det W > 0$ and"
        r" residuals at most $e < 1$ has $|W_{11}| > (1 - e)^2/e$, which diverges as"
        r" $e \to 0$: a flow that keeps $\det W > 0$ and fits the data sends $|W_{11}|$, hence"
        r" every norm, to infinity. Instance checks on this data set, symbolic in $x$ (the"
        r" solutions) and in the free entries of a symmetric $W$; general symbolic identities:"
        r" the characteristic polynomial of $W^\top W$ and the bound in symbolic $e$."
    ),
    source=f"{RAZIN}, Sec. 3, Thm 1",
    derive=_derive_razin_cohen,
))

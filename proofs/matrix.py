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

Conventions: <A, W> = sum_jk A_jk W_jk; the loss is a sum with the factor 1/2.
"""

from __future__ import annotations

import sympy
from sympy import Abs, Function, Matrix, Rational, diag, exp, eye, log, sqrt

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
    steps = [
        Step.eq(r"$A_1 A_2 = A_2 A_1$ (the measurements commute)", A[0] * A[1], A[1] * A[0]),
        Step.eq(r"$\langle A_i, U U^\top\rangle = D_i^\top (u \odot u)$ for"
                r" $U = Q\,\mathrm{diag}(u)\,Q^\top$",
                Matrix([_inner(A[i], U_form * U_form.T) for i in range(2)]), D * beta),
    ]
    # the gradient of L over a general symmetric-free U, evaluated on the commuting family
    P = _symbol_matrix("p")
    L = Rational(1, 2) * sum((_inner(A[i], P * P.T) - y[i]) ** 2 for i in range(2))
    grad_U = Matrix(2, 2, lambda j, k: sympy.diff(L, P[j, k]))
    on_family = {P[j, k]: U_form[j, k] for j in range(2) for k in range(2)}
    ell = Rational(1, 2) * sum(((D * beta)[i] - y[i]) ** 2 for i in range(2))
    grad_u = Matrix([sympy.diff(ell, ui) for ui in u])
    steps.append(Step.eq(
        r"$\nabla_U L(U) = Q\,\mathrm{diag}(\nabla_u \ell(u))\,Q^\top$ on the family, with"
        r" $\ell(u) = \frac12 \sum_i (D_i^\top(u \odot u) - y_i)^2$: gradient flow stays in it",
        grad_U.subs(on_family), Q * diag(*grad_u) * Q.T))
    r = D * beta - Matrix(y)
    steps.append(Step.eq(
        r"$\dot\beta = 2 u \odot \dot u = -4\, \beta \odot (D^\top r)$, $r = D\beta - y$:"
        r" the nonnegative diagonal model $\beta = u \odot u$",
        Matrix([2 * u[k] * (-grad_u[k]) for k in range(2)]),
        Matrix([-4 * beta[k] * (D.T * r)[k] for k in range(2)])))
    t, alpha = sympy.Symbol("t", real=True), sympy.Symbol("alpha", positive=True)
    s = [Function(f"s_{i + 1}")(t) for i in range(2)]
    rt = [Function(f"r_{i + 1}")(t) for i in range(2)]
    sol = [alpha**2 * exp(-4 * sum(D[i, k] * s[i] for i in range(2))) for k in range(2)]
    ds = {sympy.Derivative(s[i], t): rt[i] for i in range(2)}
    steps.append(Step.eq(
        r"$\beta_k(t) = \alpha^2 e^{-4 (D^\top s(t))_k}$ with $\dot s = r$, $s(0) = 0$ solves"
        r" $\dot\beta_k = -4 \beta_k (D^\top r)_k$ from $U(0) = \alpha I$",
        Matrix([sympy.diff(sol[k], t).subs(ds) for k in range(2)]),
        Matrix([-4 * sol[k] * sum(D[i, k] * rt[i] for i in range(2)) for k in range(2)])))
    b = sympy.symbols("b_1 b_2", positive=True)
    psi = sum(bk * log(bk / alpha**2) - bk for bk in b)
    sv = sympy.symbols("sigma_1 sigma_2", real=True)  # the values s_i(t) at one time t
    sol_t = [alpha**2 * exp(-4 * sum(D[i, k] * sv[i] for i in range(2))) for k in range(2)]
    steps.append(Step.eq(
        r"$\nabla\psi_\alpha(\beta) = \log(\beta/\alpha^2) = -4 D^\top s \in \mathrm{row}(D)$"
        r" for $\psi_\alpha(\beta) = \sum_k \beta_k \log(\beta_k/\alpha^2) - \beta_k$: an"
        r" interpolating limit is $\arg\min \psi_\alpha$ s.t. $D\beta = y$, $\beta \geq 0$",
        Matrix([sympy.expand_log(sympy.diff(psi, bk).subs({b[k]: sol_t[k] for k in range(2)}),
                                 force=True) for bk in b]),
        Matrix([-4 * sum(D[i, k] * sv[i] for i in range(2)) for k in range(2)])))
    steps.append(Step.eq(
        r"$\psi_\alpha(\beta) / \log(1/\alpha^2) \to \sum_k \beta_k = \mathrm{tr}\,W$ as"
        r" $\alpha \to 0$: the limit is the minimum-trace interpolant",
        sympy.limit(psi / log(1 / alpha**2), alpha, 0, "+"), b[0] + b[1]))
    Wp = _symbol_matrix("w")
    steps.append(Step.eq(
        r"for any $W' = Q^\top W Q$: $\langle Q^\top A_i Q, W'\rangle = \sum_k D_{ik} W'_{kk}$"
        r" (only the diagonal, which carries the whole trace, is measured)",
        Matrix([_inner(Q.T * A[i] * Q, Wp) for i in range(2)]),
        Matrix([D[i, 0] * Wp[0, 0] + D[i, 1] * Wp[1, 1] for i in range(2)])))
    return steps


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
        r" $Q\,\mathrm{diag}(\beta)\,Q^\top$ with $\beta$ the LP solution. Checked: $d = 2$,"
        r" $m = 2$, $Q$ the rotation with $\cos = 3/5$; general in $D$, $y$, $u$, $\alpha$,"
        r" $s(t)$."
    ),
    source=f"{GUNASEKAR}, Thm 1 (commuting measurements)",
    derive=_derive_commuting,
))


# --------------------------------------------------------------------------------------------
# matrix.singular_values


def _factor_gradients(G: Matrix, factors: list[Matrix]) -> list[Matrix]:
    """d<G, W_N...W_1>/dW_j computed by differentiating with symbolic factor entries."""
    N = len(factors)
    X = [_symbol_matrix(f"x{j}") for j in range(N)]
    ell = _inner(G, chain(X))
    sub = {X[j][a, b]: factors[j][a, b] for j in range(N) for a in range(2) for b in range(2)}
    return [Matrix(2, 2, lambda a, b, j=j: sympy.diff(ell, X[j][a, b]).subs(sub))
            for j in range(N)]


def _derive_singular_values() -> list[Step]:
    s = sympy.symbols("s_1 s_2", positive=True)
    G = _symbol_matrix("g", real=True)
    U, V = rotation(2, 1), rotation(3, 2)
    inner_pool = [rotation(4, 1), rotation(5, 2)]
    steps = []
    for N in (2, 3):
        inner = inner_pool[: N - 1]
        Ws = balanced_factors(U, list(s), V, inner)
        W = chain(Ws)
        sigma = [s[0] ** N, s[1] ** N]
        steps.append(Step.eq(
            rf"$N = {N}$: balanced, $W_{{j+1}}^\top W_{{j+1}} = W_j W_j^\top$ for every $j$",
            Matrix.vstack(*[Ws[j + 1].T * Ws[j + 1] for j in range(N - 1)]),
            Matrix.vstack(*[Ws[j] * Ws[j].T for j in range(N - 1)])))
        steps.append(Step.eq(rf"$N = {N}$: $W_N \cdots W_1 = U\,\mathrm{{diag}}(\sigma)\,V^\top$,"
                             r" $\sigma_r = s_r^N$", W, U * diag(*sigma) * V.T))
        grads = _factor_gradients(G, Ws)
        Wdot = sum((chain(Ws[j + 1:]) * (-grads[j]) * chain(Ws[:j]) for j in range(N)),
                   sympy.zeros(2, 2)).applyfunc(sympy.expand)
        flow = sympy.zeros(2, 2)
        for j in range(1, N + 1):
            left = U * diag(*[v ** (2 * (N - j)) for v in s]) * U.T     # (W W^T)^{(N-j)/N}
            right = V * diag(*[v ** (2 * (j - 1)) for v in s]) * V.T    # (W^T W)^{(j-1)/N}
            flow += left * G * right
        steps.append(Step.eq(
            rf"$N = {N}$: gradient flow on the factors moves $W$ by"
            r" $\dot W = -\sum_{j=1}^N (WW^\top)^{\frac{N-j}{N}}\, \nabla\ell\,"
            r" (W^\top W)^{\frac{j-1}{N}}$ (the end-to-end flow)", Wdot, -flow))
        velocity = [sympy.expand((U.col(r).T * Wdot * V.col(r))[0]) for r in range(2)]
        arora = [-N * (sigma[r] ** 2) ** (1 - Rational(1, N))
                 * _inner(G, U.col(r) * V.col(r).T) for r in range(2)]
        steps.append(Step.eq(
            rf"$N = {N}$: $u_r^\top \dot W v_r = -N (\sigma_r^2)^{{1 - 1/N}}"
            r" \langle \nabla\ell, u_r v_r^\top\rangle$ for $r = 1, 2$",
            Matrix(velocity), Matrix(arora)))
    n, j = sympy.symbols("N j", positive=True, integer=True)
    sig = sympy.Symbol("sigma", positive=True)
    steps.append(Step.eq(
        r"general $N$: the diagonal weight $\sum_{j=1}^N \sigma^{2\frac{N-j}{N}}"
        r" \sigma^{2\frac{j-1}{N}} = N (\sigma^2)^{1 - 1/N}$",
        sympy.summation(sig ** (2 * (n - j) / n) * sig ** (2 * (j - 1) / n), (j, 1, n)),
        n * (sig**2) ** (1 - 1 / n)))
    b, c, t = sympy.symbols("b c t", positive=True)
    lam = sympy.Symbol("lambda")
    E = _symbol_matrix("e", real=True)
    Wt = diag(b + c, b) + t * E
    charpoly = (lam * eye(2) - Wt.T * Wt).det()
    rates = []
    for sigma0 in (b + c, b):  # implicit differentiation of det(lambda I - M(t)) = 0
        at = {lam: sigma0**2, t: 0}
        dlam = -sympy.diff(charpoly, t).subs(at) / sympy.diff(charpoly, lam).subs(at)
        rates.append(dlam / (2 * sigma0))  # sigma = sqrt(lambda)
    steps.append(Step.eq(
        r"first-order perturbation ($W = \mathrm{diag}(b + c, b)$, $b, c > 0$, simple"
        r" singular values; implicit differentiation of $\det(\sigma^2 I - W_t^\top W_t) = 0$):"
        r" $\frac{d}{dt}\sigma_r(W + tE)|_{t=0} = u_r^\top E v_r = E_{rr}$",
        Matrix(rates), Matrix([E[0, 0], E[1, 1]])))
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
        r" \langle G, W\rangle$ with symbolic $G$ is general. Checked: $d = 2$, $N = 2, 3$, $U$,"
        r" $V$, $O_j$ fixed rational rotations, general in $s_1, s_2 > 0$ and $G$; the diagonal"
        r" weight $N\sigma^{2-2/N}$ for general $N$; $\dot\sigma_r = u_r^\top\dot W v_r$ for"
        r" simple singular values on the instance $W = \mathrm{diag}(b + c, b)$."
    ),
    source=f"{ARORA}, Thm 3; the end-to-end flow: {ARORA_HAZAN}, Thm 1",
    derive=_derive_singular_values,
))


# --------------------------------------------------------------------------------------------
# matrix.det_invariance


def _adjugate_trace_step(d: int, t: sympy.Symbol) -> Step:
    W = Matrix(d, d, lambda j, k: Function(f"w_{j + 1}{k + 1}")(t))
    return Step.eq(
        rf"Jacobi's formula, $d = {d}$: $\frac{{d}}{{dt}}\det W = \mathrm{{tr}}(\mathrm{{adj}}(W)"
        r" \dot W)$ $(= \det W\, \mathrm{tr}(W^{-1}\dot W))$",
        sympy.diff(W.det(), t), (W.adjugate() * W.diff(t)).trace())


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
        r"$N = 3$, $W = U\,\mathrm{diag}(\sigma)V^\top$: under the end-to-end flow"
        r" $\mathrm{tr}(W^{-1}\dot W) = -N\sum_r \sigma_r^{1-2/N}\langle\nabla\ell,"
        r" u_rv_r^\top\rangle$",
        (W.inv() * Wdot).trace(),
        -N * sum(sig[r] ** (1 - Rational(2, N)) * Gt[r, r] for r in range(2))))
    n = sympy.Symbol("N", positive=True, integer=True)
    s1 = sympy.Symbol("sigma", positive=True)
    steps.append(Step.eq(
        r"general $N$: $\dot\sigma_r / \sigma_r = -N \sigma_r^{1 - 2/N}\langle\nabla\ell,"
        r" u_r v_r^\top\rangle$ (so $\frac{d}{dt}\log|\det W| = \sum_r \dot\sigma_r/\sigma_r$)",
        -n * (s1**2) ** (1 - 1 / n) / s1, -n * s1 ** (1 - 2 / n)))
    M = sympy.Symbol("M", nonnegative=True, integer=True)
    steps.append(Step.holds(
        r"for $N = M + 2 \geq 2$ the exponent $1 - 2/N = M/(M + 2) \geq 0$: the rate"
        r" $|\frac{d}{dt}\log|\det W|| \leq N \sum_r \sigma_r^{1-2/N} \|\nabla\ell\|$ stays"
        r" bounded while $W$ does, so $\det W$ cannot reach 0 in finite time",
        sympy.Ge(sympy.simplify(1 - 2 / (M + 2)), 0, evaluate=False)))
    steps.append(Step.eq(r"at $N = 1$ the per-value rate is $-\langle\nabla\ell, u_rv_r^\top\rangle"
                         r"/\sigma_r$: unbounded near $\sigma = 0$, nothing protects the sign",
                         (-n * s1 ** (1 - 2 / n)).subs(n, 1), -1 / s1))
    eps = sympy.Symbol("epsilon", positive=True)
    e = exp(-t)
    W1 = Matrix([[eps, 1 - e], [1 - e, eps * e]])
    # depth-1 GF on the Razin-Cohen data from W(0) = eps I: observed entries relax to y
    res = Matrix([W1[0, 1] - 1, W1[1, 0] - 1, W1[1, 1]])
    grad = Matrix([[0, res[0]], [res[1], res[2]]])
    steps += [
        Step.eq(r"depth 1 on the Razin--Cohen data, $W(0) = \epsilon I$: $W(t) = [[\epsilon,"
                r" 1 - e^{-t}], [1 - e^{-t}, \epsilon e^{-t}]]$ solves $\dot W = -\nabla\ell$",
                W1.diff(t), -grad),
        Step.eq(r"its determinant starts at $\epsilon^2 > 0$ and tends to $-1$: plain"
                r" (depth-1) gradient flow crosses $\det W = 0$",
                Matrix([W1.det().subs(t, 0), sympy.limit(W1.det(), t, sympy.oo)]),
                Matrix([eps**2, -1])),
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
        r" $W(0) = \epsilon I$, $\det W(t) = \epsilon^2e^{-t} - (1 - e^{-t})^2 \to -1$. Checked:"
        r" Jacobi for general $2\times2$ and $3\times3$ $W(t)$; the trace identity for $N = 3$,"
        r" $d = 2$, fixed rational rotations $U, V$, general $\sigma > 0$ and $\nabla\ell$; the"
        r" per-value rate for general $N$; the depth-1 crossing on the instance."
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
    (sol,) = sympy.linsolve([w[1] - 1, w[2] - 1, w[3]], list(w))
    family = Matrix(2, 2, list(sol)).subs(w[0], x)
    steps = [Step.eq(r"the solutions of $W_{12} = W_{21} = 1$, $W_{22} = 0$ are"
                     r" $[[x, 1], [1, 0]]$, $x \in \mathbb{R}$", family,
                     Matrix([[x, 1], [1, 0]])),
             Step.eq(r"$\det W = -1$ on every solution", family.det(), -1)]
    lam = sympy.Symbol("lambda")
    frob2 = sum(v**2 for v in W)
    steps.append(Step.eq(
        r"general $2\times2$: $\det(\lambda I - W^\top W) = \lambda^2 - \|W\|_F^2\lambda +"
        r" (\det W)^2$, so $\sigma_1^2 + \sigma_2^2 = \|W\|_F^2$, $\sigma_1\sigma_2 = |\det W|$"
        r" and $\|W\|_*^2 = \|W\|_F^2 + 2|\det W|$",
        (lam * eye(2) - W.T * W).det(), lam**2 - frob2 * lam + W.det() ** 2))
    nuc = sqrt(sum(v**2 for v in family) + 2 * Abs(family.det()))
    steps += [
        Step.eq(r"on the solutions $\|W\|_* = \sqrt{x^2 + 4}$", nuc, sqrt(x**2 + 4)),
        Step.eq(r"$\|W\|_*^2 - 4 = x^2$", nuc**2 - 4, x**2),
        Step.holds(r"$x^2 \geq 0$, so $\min_x \|W\|_* = 2$, attained only at $x = 0$",
                   sympy.Ge(x**2, 0, evaluate=False)),
    ]
    A = [Matrix([[0, 1], [0, 0]]), Matrix([[0, 0], [1, 0]]), Matrix([[0, 0], [0, 1]])]
    y = [1, 1, 0]
    dual = [1, 1, 0]
    Z = sum((c * Ai for c, Ai in zip(dual, A, strict=True)), sympy.zeros(2, 2))
    steps += [
        Step.eq(r"dual certificate $\lambda = (1, 1, 0)$: $\sum_i\lambda_iA_i = [[0, 1],"
                r" [1, 0]]$ has eigenvalues $\pm1$, so $\|\cdot\|_{op} = 1$ (feasible)",
                Matrix(sorted(Z.eigenvals())), Matrix([-1, 1])),
        Step.eq(r"and $\lambda^\top y = 2 = \|W\|_*$ at $x = 0$: zero gap, so $[[0,1],[1,0]]$"
                r" is the global minimum", sum(c * v for c, v in zip(dual, y, strict=True)),
                nuc.subs(x, 0)),
    ]
    p, q = sympy.symbols("p q", real=True)
    a = sympy.Symbol("a", nonnegative=True)
    Sym = Matrix([[a, q], [q, p]])  # a symmetric W with W22 = p
    steps += [
        Step.eq(r"no PSD solution (facial reduction): $\mu = e_3$ gives $S = A_3 = E_{22}"
                r" \succeq 0$ with $\mu^\top y = 0$, so a PSD solution has $\langle E_{22},"
                r" W\rangle = W_{22} = 0$", (A[2].T * Sym).trace(), p),
        Step.eq(r"and a PSD $W$ with $W_{22} = 0$ has $W_{12}^2 = -\det W \le 0$, i.e."
                r" $W_{12} = 0 \neq 1$", -Sym.det().subs(p, 0), q**2),
    ]
    e = sympy.Symbol("e", positive=True)
    bound = (1 - e) ** 2 / e
    steps += [
        Step.eq(r"with $|W_{12} - 1|, |W_{21} - 1|, |W_{22}| \leq e < 1$ and $\det W > 0$:"
                r" $|W_{11}| > W_{12}W_{21}/|W_{22}| \geq (1 - e)^2/e$; the bound's derivative",
                sympy.diff(bound, e), -(1 - e) * (1 + e) / e**2),
        Step.eq(r"is negative on $(0, 1)$, and the bound diverges as the residual $e \to 0$"
                r" (its reciprocal tends to 0)", sympy.limit(1 / bound, e, 0, "+"), 0),
    ]
    return steps


register(Lemma(
    name="matrix.razin_cohen",
    title="The Razin-Cohen completion: det = -1 on every solution, min nuclear norm 2",
    statement=(
        r"For the $2\times2$ completion with observed $W_{12} = W_{21} = 1$, $W_{22} = 0$ the"
        r" solutions are $[[x, 1], [1, 0]]$, all with $\det = -1$ and $\|W\|_* = \sqrt{x^2 +"
        r" 4}$ (from $\|W\|_*^2 = \|W\|_F^2 + 2|\det W|$, general for $2\times2$), minimal"
        r" ($= 2$) exactly at $x = 0$, certified by the dual vector $\lambda = (1, 1, 0)$"
        r" ($\|\sum\lambda_iA_i\|_{op} = 1$, $\lambda^\top y = 2$). No PSD matrix interpolates"
        r" ($W_{22} = 0$ forces $W_{12} = 0$). Any $W$ with $\det W > 0$ and residuals at most"
        r" $e < 1$ has $|W_{11}| > (1 - e)^2/e$, which diverges as $e \to 0$: a flow that keeps"
        r" $\det W > 0$ and fits the data sends $|W_{11}|$, hence every norm, to infinity."
    ),
    source=f"{RAZIN}, Sec. 3, Thm 1",
    derive=_derive_razin_cohen,
))

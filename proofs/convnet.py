"""Lemmas behind "gradient descent on linear convnets is biased towards ||F beta||_{2/L}".

Registered on import (see :func:`proofs.all_lemmas`):

- ``convnet.fourier_product``: with the 1/sqrt(D) circular cross-correlation layers of SPEC
  section 0 and the unitary DFT, F beta = hat w_1 * ... * hat w_L exactly (no conjugates).
- ``convnet.cost``: min sum_l ||w_l||^2 over real filters with P_conv(w) = beta is
  L sum_m |hat beta[m]|^(2/L) (AM-GM per frequency, Parseval, a real balanced construction).
- ``convnet.stationarity``: the gradient of sum_m |hat beta[m]|^(2/L) is (2/L) times the inverse
  DFT of hat beta |hat beta|^(2/L - 2), hence the support-bin KKT condition, and the Euler
  identity sum_n alpha_n = sum_m |hat beta[m]|^(2/L).
- ``convnet.single_example``: one example, L >= 3: stationary points, 1-sparse minima, their
  costs; L = 2: the optimum 1/max|hat x|.

Conventions follow SPEC section 0: (Fv)[m] = D^(-1/2) sum_d v[d] e^(-2 pi i m d / D) and
h_l[d] = D^(-1/2) sum_k w_l[k] h_{l-1}[(d + k) mod D].
"""

from __future__ import annotations

import sympy
from sympy import I, Matrix, Rational, conjugate, cos, exp, pi, sin, sqrt

from implicit_bias.proofs.lemma import Lemma, Step, register
from implicit_bias.proofs.svm import solve_polynomial_system

__all__ = ["conv_layer", "dft", "idft", "network_predictor"]

GUNASEKAR = "Gunasekar, Lee, Soudry and Srebro, NeurIPS 2018"


def _root(size: int, power: int) -> sympy.Expr:
    """exp(-2 pi i power / size) in exact cos/sin form (exact radicals for D in {2, 3, 4, 6})."""
    angle = 2 * pi * power / size
    return cos(angle) - I * sin(angle)


def dft(v: Matrix) -> Matrix:
    """The unitary DFT (Fv)[m] = D^(-1/2) sum_d v[d] e^(-2 pi i m d / D), exactly.

    >>> dft(Matrix([1, 0, 0, 0])).T
    Matrix([[1/2, 1/2, 1/2, 1/2]])
    >>> dft(Matrix([0, 1, 0, 0])).T
    Matrix([[1/2, -I/2, -1/2, I/2]])
    """
    size = len(v)
    return Matrix(
        [sum(v[d] * _root(size, m * d) for d in range(size)) / sqrt(size) for m in range(size)]
    )


def idft(v: Matrix) -> Matrix:
    """The inverse of :func:`dft` (its conjugate transpose).

    >>> idft(dft(Matrix([3, 1, 4]))).applyfunc(sympy.nsimplify).T
    Matrix([[3, 1, 4]])
    """
    size = len(v)
    return Matrix(
        [sum(v[m] * _root(size, -m * d) for m in range(size)) / sqrt(size) for d in range(size)]
    )


def conv_layer(h: Matrix, w: Matrix, *, normalized: bool = True) -> Matrix:
    """h_l[d] = D^(-1/2) sum_k w[k] h[(d + k) mod D] (without the D^(-1/2) if not normalized).

    >>> conv_layer(Matrix([1, 2, 3, 4]), Matrix([0, 1, 0, 0])).T
    Matrix([[1, 3/2, 2, 1/2]])
    """
    size = len(h)
    scale = 1 / sqrt(size) if normalized else 1
    return Matrix([scale * sum(w[k] * h[(d + k) % size] for k in range(size)) for d in range(size)])


def network_predictor(filters: list[Matrix], *, normalized: bool = True) -> Matrix:
    """beta with <h_{L-1}, w_L> = <x, beta>: the gradient of the network output in x.

    >>> network_predictor([Matrix([0, 1, 0]), Matrix([1, 0, 0])]).T
    Matrix([[0, sqrt(3)/3, 0]])
    """
    size = len(filters[0])
    x = Matrix(sympy.symbols(f"x_0:{size}", real=True))
    h = x
    for w in filters[:-1]:
        h = conv_layer(h, w, normalized=normalized)
    output = sympy.expand(h.dot(filters[-1]))
    return Matrix([sympy.diff(output, xd) for xd in x])


def _filters(size: int, depth: int) -> list[Matrix]:
    """Real symbolic filters w_l[k] (l = 1..depth, k = 0..size-1)."""
    return [
        Matrix([sympy.Symbol(f"w_{layer}{k}", real=True) for k in range(size)])
        for layer in range(1, depth + 1)
    ]


def _hadamard(vectors: list[Matrix]) -> Matrix:
    product = sympy.ones(len(vectors[0]), 1)
    for v in vectors:
        product = product.multiply_elementwise(v)
    return product


def _abs_sq(v: Matrix) -> Matrix:
    """Entrywise |v_m|^2 = v_m conj(v_m), expanded (a polynomial for real symbols)."""
    return v.applyfunc(lambda e: sympy.expand(e * conjugate(e)))


# --------------------------------------------------------------------------------------------
# convnet.fourier_product


def _derive_fourier_product() -> list[Step]:
    steps = []
    for size in (2, 3, 4):
        for depth in (1, 2, 3):
            filters = _filters(size, depth)
            steps.append(
                Step.eq(
                    rf"$D = {size}$, $L = {depth}$, symbolic real filters:"
                    r" $F\beta = \hat w_1 \odot \cdots \odot \hat w_L$",
                    dft(network_predictor(filters)),
                    _hadamard([dft(w) for w in filters]),
                )
            )

    h = Matrix(sympy.symbols("h_0:4", real=True))
    (w,) = _filters(4, 1)
    steps += [
        Step.eq(
            r"one layer in Fourier ($D = 4$): $F(h \star w) = Fh \odot \overline{Fw}$"
            r" (the FFT form of SPEC section 0)",
            dft(conv_layer(h, w)),
            dft(h).multiply_elementwise(dft(w).applyfunc(conjugate)),
        ),
        Step.eq(
            r"the output layer (Parseval, real vectors): $\langle h, w \rangle ="
            r" \sum_m \hat h[m] \overline{\hat w[m]}$, so the two conjugates cancel",
            h.dot(w),
            sum(a * conjugate(b) for a, b in zip(dft(h), dft(w), strict=True)),
        ),
    ]

    filters = _filters(3, 3)
    unnormalized = dft(network_predictor(filters, normalized=False))
    steps.append(
        Step.eq(
            r"without the $D^{-1/2}$ in the layers ($D = 3$, $L = 3$):"
            r" $F\beta = D^{(L-1)/2}\, \hat w_1 \odot \hat w_2 \odot \hat w_3$",
            unnormalized,
            3 * _hadamard([dft(w) for w in filters]),
        )
    )

    w1, w2 = Matrix([0, 1, 0]), Matrix([1, 0, 0])
    beta_hat = dft(network_predictor([w1, w2]))
    conjugated = dft(w1).applyfunc(conjugate).multiply_elementwise(dft(w2))
    steps += [
        Step.eq(
            r"instance $D = 3$, $w_1 = e_1$, $w_2 = e_0$: $\hat\beta = \hat w_1 \odot \hat w_2$",
            beta_hat,
            dft(w1).multiply_elementwise(dft(w2)),
        ),
        Step.holds(
            r"and the conjugated product $\overline{\hat w_1} \odot \hat w_2$ is a different"
            r" vector (bin $m = 1$), so no conjugate belongs in the identity",
            sympy.Ne(sympy.nsimplify(beta_hat[1]), sympy.nsimplify(conjugated[1]), evaluate=False),
        ),
    ]
    return steps


register(
    Lemma(
        name="convnet.fourier_product",
        title="Linear convnets multiply the filters' spectra",
        statement=(
            r"Let $h_0 = x \in \mathbb{R}^D$, $h_l[d] = D^{-1/2} \sum_k w_l[k]"
            r" h_{l-1}[(d + k) \bmod D]$ for $l \leq L - 1$ (full-width circular"
            r" cross-correlation), and let the output be $\langle h_{L-1}, w_L \rangle ="
            r" \langle x, \beta \rangle$. With the unitary DFT $(Fv)[m] = D^{-1/2} \sum_d v[d]"
            r" e^{-2\pi i m d / D}$ and real filters,"
            r" $F\beta = \hat w_1 \odot \hat w_2 \odot \cdots \odot \hat w_L$ exactly, with no"
            r" conjugates: each layer multiplies $\hat h$ by $\overline{\hat w_l}$, so the output"
            r" is $\sum_m \hat x[m] \prod_l \overline{\hat w_l[m]}$, while"
            r" $\langle x, \beta \rangle = \sum_m \hat x[m] \overline{\hat\beta[m]}$."
            r" Without the $D^{-1/2}$ an extra factor"
            r" $D^{(L-1)/2}$ appears. Checked with symbolic real filters for"
            r" $D \in \{2, 3, 4\}$, $L \in \{1, 2, 3\}$ ($\beta$ computed as the gradient of the"
            r" output in $x$)."
        ),
        source=f"{GUNASEKAR}, Thm 2 (the Fourier form of the linear convnet predictor"
        " $P_{\\mathrm{conv}}(w)$ used in its proof)",
        derive=_derive_fourier_product,
    )
)


# --------------------------------------------------------------------------------------------
# convnet.cost


def _balanced_real_filters(depth: int) -> tuple[list[Matrix], Matrix, list[sympy.Symbol]]:
    """D = 4: real filters whose spectra are balanced; returns (filters, beta_hat, symbols).

    Bin 0: p_0 > 0 in every layer; bin 2 (real, negative): -p_2 in layer 1 and p_2 after;
    bins 1 and 3 (a conjugate pair): rho e^{+-i theta} in every layer.
    """
    p0, p2, rho = sympy.symbols("p_0 p_2 rho", positive=True)
    theta = sympy.Symbol("theta", real=True)
    spectra = [
        Matrix([p0, rho * exp(I * theta), -p2 if layer == 0 else p2, rho * exp(-I * theta)])
        for layer in range(depth)
    ]
    beta_hat = Matrix(
        [
            p0**depth,
            rho**depth * exp(I * depth * theta),
            -(p2**depth),
            rho**depth * exp(-I * depth * theta),
        ]
    )
    filters = [idft(s).applyfunc(sympy.expand) for s in spectra]
    return filters, beta_hat, [p0, p2, rho, theta]


def _derive_cost() -> list[Step]:
    steps = []
    z = sympy.symbols("z_1:4")  # complex
    steps.append(
        Step.eq(
            r"complex factors, $L = 3$: $|z_1 z_2 z_3| = |z_1| |z_2| |z_3|$, so only the"
            r" moduli $s_l = |z_l|$ matter and the problem is $\min \sum_l s_l^2$ s.t."
            r" $\prod_l s_l = |b|$",
            sympy.Abs(z[0] * z[1] * z[2]),
            sympy.Abs(z[0]) * sympy.Abs(z[1]) * sympy.Abs(z[2]),
        )
    )

    b = sympy.Symbol("|b|", positive=True)
    lam = sympy.Symbol("lambda")
    for depth in range(1, 7):
        s = list(sympy.symbols(f"s_1:{depth + 1}", positive=True))
        objective = sum(x**2 for x in s)
        constraint = sympy.Mul(*s) - b
        system = [sympy.diff(objective - lam * constraint, x) for x in s] + [constraint]
        solutions = solve_polynomial_system(system, [lam, *s])
        steps.append(
            Step.eq(
                rf"$L = {depth}$: the Lagrange system has one positive solution,"
                rf" $s_l = |b|^{{1/{depth}}}$, of value $L |b|^{{2/L}}$",
                Matrix([[*(sol[x] for x in s), objective.subs(sol)] for sol in solutions]),
                Matrix([[*([b ** Rational(1, depth)] * depth), depth * b ** Rational(2, depth)]]),
            )
        )

    a, c, e, g = sympy.symbols("a c e g", nonnegative=True)
    sos3 = (a + c + e) * ((a - c) ** 2 + (c - e) ** 2 + (e - a) ** 2) / 2
    sos4 = (a**2 - c**2) ** 2 + (e**2 - g**2) ** 2 + 2 * (a * c - e * g) ** 2
    steps += [
        Step.eq(
            r"AM-GM, $L = 3$ ($s_l^2 = a^3, c^3, e^3$): $a^3 + c^3 + e^3 - 3ace ="
            r" \frac12 (a + c + e) \big((a-c)^2 + (c-e)^2 + (e-a)^2\big) \geq 0$",
            a**3 + c**3 + e**3 - 3 * a * c * e,
            sos3,
        ),
        Step.eq(
            r"AM-GM, $L = 4$: $a^4 + c^4 + e^4 + g^4 - 4aceg = (a^2 - c^2)^2 + (e^2 - g^2)^2"
            r" + 2(ac - eg)^2 \geq 0$",
            a**4 + c**4 + e**4 + g**4 - 4 * a * c * e * g,
            sos4,
        ),
        Step.holds(
            r"both sums of squares are $\geq 0$",
            sympy.And(sympy.Ge(sos3, 0, evaluate=False), sympy.Ge(sos4, 0, evaluate=False)),
        ),
    ]

    rho = sympy.Symbol("rho", positive=True)
    theta = sympy.Symbol("theta", real=True)
    depth_sym = sympy.Symbol("L", positive=True, integer=True)
    layer = sympy.Symbol("l", positive=True, integer=True)
    steps.append(
        Step.eq(
            r"attained with phases split evenly: $z_l = \rho e^{i\theta}$ has"
            r" $\prod_l z_l = \rho^L e^{i L \theta}$ and $\sum_l |z_l|^2 = L \rho^2$",
            Matrix(
                [
                    sympy.product(rho * exp(I * theta), (layer, 1, depth_sym)),
                    sympy.summation(sympy.Abs(rho * exp(I * theta)) ** 2, (layer, 1, depth_sym)),
                ]
            ),
            Matrix([rho**depth_sym * exp(I * depth_sym * theta), depth_sym * rho**2]),
        )
    )

    for size in (2, 3, 4):
        v = Matrix(sympy.symbols(f"v_0:{size}", real=True))
        steps.append(
            Step.eq(
                rf"Parseval, $D = {size}$: $\|v\|^2 = \|Fv\|^2$ for real $v$",
                v.dot(v),
                sum(_abs_sq(dft(v))),
            )
        )
    beta = Matrix(sympy.symbols("beta_0:4", real=True))
    beta_hat = dft(beta)
    steps.append(
        Step.eq(
            r"real $\beta$ ($D = 4$): $\hat\beta[D - m] = \overline{\hat\beta[m]}$, so a"
            r" conjugate pair counts twice in $\sum_{m=0}^{D-1} |\hat\beta[m]|^{2/L}$",
            Matrix([beta_hat[(4 - m) % 4] for m in range(4)]),
            beta_hat.applyfunc(conjugate),
        )
    )

    for depth in (2, 3):
        filters, target, _ = _balanced_real_filters(depth)
        cost = sum(sum(_abs_sq(w)) for w in filters)
        steps += [
            Step.eq(
                rf"$D = 4$, $L = {depth}$: the balanced filters (conjugate-symmetric spectra,"
                r" one sign flip for the negative real bin) are real",
                Matrix.hstack(*filters),
                Matrix.hstack(*filters).applyfunc(conjugate),
            ),
            Step.eq(
                rf"$L = {depth}$: the network with these filters computes the $\beta$ with"
                r" spectrum $\hat\beta$ ($\hat\beta[0] > 0$, $\hat\beta[2] < 0$, a conjugate"
                r" pair at $m = 1, 3$)",
                network_predictor(filters),
                idft(target),
            ),
            Step.eq(
                rf"$L = {depth}$: its cost $\sum_l \|w_l\|^2$ is"
                r" $L \sum_m |\hat\beta[m]|^{2/L}$",
                cost,
                depth * sum(sympy.Abs(t) ** Rational(2, depth) for t in target),
            ),
        ]
    return steps


register(
    Lemma(
        name="convnet.cost",
        title="Representation cost of linear convnets: the 2/L quasi-norm of the DFT",
        statement=(
            r"For complex $z_1, \dots, z_L$, $\min\{\sum_l |z_l|^2 : \prod_l z_l = b\} ="
            r" L |b|^{2/L}$ (AM-GM on the moduli, attained with equal moduli and the phase of"
            r" $b$ split evenly). Hence, since $\hat\beta = \hat w_1 \odot \cdots \odot \hat w_L$"
            r" (\texttt{convnet.fourier\_product}) and $\|w_l\|^2 = \|\hat w_l\|^2$ (Parseval),"
            r" $\min\{\sum_l \|w_l\|^2 : P_{\mathrm{conv}}(w) = \beta\} ="
            r" L \sum_{m=0}^{D-1} |\hat\beta[m]|^{2/L}$ (all $D$ bins, a conjugate pair twice),"
            r" and real filters attain it: $|\hat w_l[m]| = |\hat\beta[m]|^{1/L}$, the phase"
            r" split evenly on each conjugate pair (conjugate-symmetric spectra), and on a real"
            r" bin ($m = 0$ or $D/2$) real values with the sign of $\hat\beta[m]$ put in one"
            r" layer (an even phase split would make $\hat w_l[m]$ non-real there)."
            r" Checked: the Lagrange system for"
            r" $L = 1, \dots, 6$, AM-GM for $L = 3, 4$, Parseval for $D = 2, 3, 4$, and the real"
            r" construction for $D = 4$, $L = 2, 3$ with symbolic spectra."
        ),
        source=f"{GUNASEKAR}, Thm 2 (the induced penalty $\\|\\hat\\beta\\|_{{2/L}}$)",
        derive=_derive_cost,
    )
)


# --------------------------------------------------------------------------------------------
# convnet.stationarity


def _penalty_gradient_steps(size: int, depth: int, *, euler: bool) -> list[Step]:
    beta = Matrix(sympy.symbols(f"beta_0:{size}", real=True))
    beta_hat = dft(beta)
    moduli_sq = _abs_sq(beta_hat)
    exponent = Rational(1, depth)
    penalty = sum(q**exponent for q in moduli_sq)
    gradient = Matrix([sympy.diff(penalty, bd) for bd in beta])
    bins = Matrix([beta_hat[m] * moduli_sq[m] ** (exponent - 1) for m in range(size)])
    steps = [
        Step.eq(
            rf"$D = {size}$, $L = {depth}$, symbolic $\beta$: $\nabla_\beta \sum_m"
            r" |\hat\beta[m]|^{2/L} = \frac{2}{L} F^{-1}\big(\hat\beta \odot"
            r" |\hat\beta|^{2/L - 2}\big)$",
            gradient,
            Rational(2, depth) * idft(bins),
        ),
    ]
    if euler:
        steps.append(
            Step.eq(
                rf"$D = {size}$, $L = {depth}$: Euler, $\langle \beta, \nabla P(\beta) \rangle ="
                r" \frac{2}{L} P(\beta)$ ($P$ is homogeneous of degree $2/L$)",
                beta.dot(gradient),
                Rational(2, depth) * penalty,
            )
        )
    return steps


def _derive_stationarity() -> list[Step]:
    u, v = sympy.symbols("u v", real=True)
    depth = sympy.Symbol("L", positive=True)
    modulus_sq = u**2 + v**2
    bin_penalty = modulus_sq ** (1 / depth)
    rho, t = sympy.symbols("rho t", positive=True)
    phi = sympy.Symbol("phi", real=True)
    polar = rho * exp(I * phi)
    support = polar * sympy.Abs(polar) ** (2 / depth - 2)  # hat z = hat beta |hat beta|^{2/L-2}

    steps = [
        Step.eq(
            r"one bin $\hat\beta[m] = u + iv$: $(\partial_u + i \partial_v)(u^2 + v^2)^{1/L} ="
            r" \frac{2}{L} \hat\beta[m] |\hat\beta[m]|^{2/L - 2}$",
            sympy.diff(bin_penalty, u) + I * sympy.diff(bin_penalty, v),
            2 / depth * (u + I * v) * modulus_sq ** (1 / depth - 1),
        ),
    ]
    for size in (3, 4):
        steps += _penalty_gradient_steps(size, 3, euler=size == 3)

    z = Matrix(sympy.symbols("z_0:4", real=True))
    beta = Matrix(sympy.symbols("beta_0:4", real=True))
    steps += [
        Step.eq(
            r"so KKT $\nabla P(\beta) = \frac{2}{L} \sum_n \alpha_n y_n x_n$ reads, with"
            r" $z = \sum_n \alpha_n y_n x_n$, $\hat z[m] = \hat\beta[m] |\hat\beta[m]|^{2/L-2}$"
            r" on the support; in polar form $\hat\beta[m] = \rho e^{i\phi}$ this is"
            r" $\hat z[m] = \rho^{2/L - 1} e^{i\phi}$ (same phase, modulus"
            r" $|\hat\beta[m]|^{2/L-1}$)",
            support,
            rho ** (2 / depth - 1) * exp(I * phi),
        ),
        Step.eq(
            r"one bin: $\hat z[m] \overline{\hat\beta[m]} = |\hat\beta[m]|^{2/L}$ (real)",
            sympy.expand(support * conjugate(polar)),
            rho ** (2 / depth),
        ),
        Step.eq(
            r"homogeneity per bin: $|t \hat\beta[m]|^{2/L} = t^{2/L} |\hat\beta[m]|^{2/L}$,"
            r" $t > 0$",
            sympy.Abs(t * polar) ** (2 / depth),
            t ** (2 / depth) * sympy.Abs(polar) ** (2 / depth),
        ),
        Step.eq(
            r"Parseval for the inner product ($D = 4$, real $z$, $\beta$): $\langle z, \beta"
            r" \rangle = \sum_m \hat z[m] \overline{\hat\beta[m]}$",
            z.dot(beta),
            sum(a * conjugate(b) for a, b in zip(dft(z), dft(beta), strict=True)),
        ),
    ]

    # <z, beta> = sum_n alpha_n y_n <x_n, beta> = sum_n alpha_n: complementary slackness, N = 3.
    alpha = Matrix(sympy.symbols("alpha_1:4", nonnegative=True))
    g = Matrix(sympy.symbols("g_1:4", real=True))  # g_n = y_n <x_n, beta>
    remainder = sum(alpha[n] * g[n] for n in range(3)) - sum(alpha)
    cases = []
    for mask in range(8):
        inactive = [n for n in range(3) if (mask >> n) & 1]
        pattern = {alpha[n]: 0 for n in inactive}
        pattern |= {g[n]: 1 for n in range(3) if n not in inactive}
        cases.append(remainder.subs(pattern))
    steps.append(
        Step.eq(
            r"complementary slackness ($\alpha_n = 0$ or margin $g_n = y_n \langle x_n, \beta"
            r" \rangle = 1$; $N = 3$, all $2^3$ cases): $\langle z, \beta \rangle ="
            r" \sum_n \alpha_n g_n = \sum_n \alpha_n$",
            Matrix(cases),
            sympy.zeros(8, 1),
        )
    )

    # Exact instance: D = 4, x = (1, 2, 0, 0), y = +1, L = 3, support the conjugate pair {1, 3}.
    x = Matrix([1, 2, 0, 0])
    x_hat = dft(x)
    beta_hat = Matrix([0, Rational(2, 5) * x_hat[1], 0, Rational(2, 5) * x_hat[3]])
    beta_inst = idft(beta_hat).applyfunc(sympy.nsimplify)
    z_hat = beta_hat.applyfunc(
        lambda e: sympy.nsimplify(e * sympy.Abs(e) ** Rational(2 - 6, 3)) if e != 0 else 0
    )
    alpha_inst = sympy.nsimplify(z_hat[1] / x_hat[1])
    penalty = sum(sympy.Abs(e) ** Rational(2, 3) for e in beta_hat)
    steps += [
        Step.eq(
            r"instance $D = 4$, $x = (1, 2, 0, 0)$, $y = 1$, $L = 3$,"
            r" $\hat\beta = \frac25 \hat x$ on $\{1, 3\}$: $\beta$ is real and has margin 1",
            Matrix([*beta_inst, x.dot(beta_inst)]),
            Matrix([Rational(1, 5), Rational(2, 5), Rational(-1, 5), Rational(-2, 5), 1]),
        ),
        Step.eq(
            r"instance: $\hat z = \hat\beta |\hat\beta|^{2/L-2}$ is $\alpha \hat x$ on the"
            r" support with one $\alpha > 0$",
            Matrix([z_hat[1] - alpha_inst * x_hat[1], z_hat[3] - alpha_inst * x_hat[3]]),
            sympy.zeros(2, 1),
        ),
        Step.eq(
            r"instance: Euler identity $\sum_n \alpha_n = \sum_m |\hat\beta[m]|^{2/L}$",
            alpha_inst,
            penalty,
        ),
    ]
    return steps


register(
    Lemma(
        name="convnet.stationarity",
        title="KKT conditions of the 2/L Fourier penalty and the Euler identity",
        statement=(
            r"Let $P(\beta) = \sum_m |\hat\beta[m]|^{2/L}$. On the support ($\hat\beta[m] \neq"
            r" 0$), the gradient of $|\hat\beta[m]|^{2/L}$ in the real and imaginary parts of"
            r" $\hat\beta[m]$ is $\frac{2}{L} \hat\beta[m] |\hat\beta[m]|^{2/L-2}$, and"
            r" $\nabla_\beta P = \frac{2}{L} F^{-1}(\hat\beta \odot |\hat\beta|^{2/L-2})$. So a"
            r" first-order stationary point of $\min P(\beta)$ s.t. $y_n \langle x_n, \beta"
            r" \rangle \geq 1$ with multipliers scaled so that $z = \sum_n \alpha_n y_n x_n$"
            r" satisfies $\hat z[m] = \hat\beta[m] |\hat\beta[m]|^{2/L-2}$ on the support"
            r" (same phase, $|\hat z[m]| = |\hat\beta[m]|^{2/L-1}$) obeys the Euler identity"
            r" $\sum_n \alpha_n = \langle z, \beta \rangle = \mathrm{Re} \langle \hat z, \hat\beta"
            r" \rangle = \sum_m |\hat\beta[m]|^{2/L}$ (complementary slackness at unit margin,"
            r" then Parseval). Checked: the bin gradient for symbolic $L$, the chain rule and"
            r" homogeneity for $D = 3, 4$ at $L = 3$, and an exact instance."
        ),
        source=f"{GUNASEKAR}, Thm 2 (first-order stationary points of"
        " $\\min \\|\\hat\\beta\\|_{2/L}$ s.t. $y_n \\langle x_n, \\beta \\rangle \\geq 1$)",
        derive=_derive_stationarity,
    )
)


# --------------------------------------------------------------------------------------------
# convnet.single_example


def _lagrange_real_bin(depth: int) -> tuple[list[dict], sympy.Symbol, sympy.Expr]:
    """min |b|^{2/L} s.t. r b = 1 (r = |hat x[m]| > 0 after the sign), with b = t^L, t > 0."""
    r, t = sympy.symbols("r t", positive=True)
    lam = sympy.Symbol("lambda")
    objective, constraint = t**2, r * t**depth - 1
    system = [sympy.diff(objective - lam * constraint, t), constraint]
    return solve_polynomial_system(system, [lam, t]), r, objective


def _lagrange_pair(depth: int) -> tuple[list[dict], sympy.Symbol, sympy.Expr, list]:
    """Pair (m, D - m), hat x[m] = r > 0 after a rotation, hat beta[m] = t^L (C + i S).

    min 2 t^2 s.t. 2 r t^L C = 1, C^2 + S^2 = 1: the Lagrange system in (t, phi) with
    C = cos phi, S = sin phi (d/dphi C = -S, d/dphi S = C).
    """
    r, t = sympy.symbols("r t", positive=True)
    cos_phi, sin_phi = sympy.symbols("C S", real=True)
    lam = sympy.Symbol("lambda")
    objective = 2 * t**2
    constraint = 2 * r * t**depth * cos_phi - 1
    system = [
        sympy.diff(objective - lam * constraint, t),
        lam * 2 * r * t**depth * sin_phi,  # d/dphi of -lambda * constraint
        constraint,
        cos_phi**2 + sin_phi**2 - 1,
    ]
    solutions = solve_polynomial_system(system, [lam, cos_phi, sin_phi, t])
    return solutions, r, objective, [cos_phi, sin_phi, t]


def _derive_single_example() -> list[Step]:
    delta = sympy.Symbol("delta", positive=True)  # L = 2 + delta > 2
    depth = 2 + delta
    kappa, r, top = sympy.symbols("kappa r M", positive=True)  # M = max|hat x|
    psi = sympy.Symbol("psi", real=True)
    x_bin = r * exp(I * psi)
    candidate = kappa * exp(I * psi) * r ** (-depth / (depth - 2))
    modulus = sympy.Abs(candidate)
    weight = r ** (-2 / (depth - 2))
    total = sympy.Symbol("S_A", positive=True)  # S_A = sum over the support of weight

    steps = [
        Step.eq(
            r"$L = 2 + \delta > 2$, one example ($z = \alpha x$): the candidate"
            r" $\hat\beta[m] = \kappa e^{i \arg \hat x[m]} |\hat x[m]|^{-L/(L-2)}$ gives"
            r" $\hat\beta |\hat\beta|^{2/L - 2} = \kappa^{2/L - 1} \hat x[m]$, i.e. $\hat z ="
            r" \alpha \hat x$ on the whole support with one $\alpha = \kappa^{2/L-1} > 0$",
            candidate * modulus ** (2 / depth - 2),
            kappa ** (2 / depth - 1) * x_bin,
        ),
        Step.eq(
            r"each support bin contributes $\mathrm{Re}(\hat x[m] \overline{\hat\beta[m]}) ="
            r" \kappa |\hat x[m]|^{-2/(L-2)}$ to the margin $\langle x, \beta \rangle$",
            sympy.expand(x_bin * conjugate(candidate)),
            kappa * weight,
        ),
        Step.eq(
            r"and $\kappa^{2/L} |\hat x[m]|^{-2/(L-2)}$ to the cost; with"
            r" $S_A = \sum_{m \in A} |\hat x[m]|^{-2/(L-2)}$, unit margin means $\kappa = 1/S_A$",
            modulus ** (2 / depth),
            kappa ** (2 / depth) * weight,
        ),
        Step.eq(
            r"so a conjugate-closed support $A$ has cost $\kappa^{2/L} S_A = S_A^{(L-2)/L}$",
            (1 / total) ** (2 / depth) * total,
            total ** ((depth - 2) / depth),
        ),
        Step.holds(
            r"$S \mapsto S^{(L-2)/L}$ is increasing: adding bins raises the cost, so minima"
            r" are 1-sparse (one real bin or one conjugate pair)",
            sympy.Gt(sympy.diff(total ** ((depth - 2) / depth), total), 0, evaluate=False),
        ),
        Step.eq(
            r"a real bin ($A = \{m\}$, $m \in \{0, D/2\}$) costs $|\hat x[m]|^{-2/L}$",
            weight ** ((depth - 2) / depth),
            r ** (-2 / depth),
        ),
        Step.eq(
            r"a conjugate pair ($A = \{m, D - m\}$) costs $2^{1-2/L} |\hat x[m]|^{-2/L}$",
            (2 * weight) ** ((depth - 2) / depth),
            2 ** (1 - 2 / depth) * r ** (-2 / depth),
        ),
        Step.eq(
            r"a common phase rotation $e^{-i\psi}$ of $\hat x[m]$ and $\hat\beta[m]$ keeps"
            r" $\hat x[m] \overline{\hat\beta[m]}$ and $|\hat\beta[m]|$: take $\hat x[m] = r > 0$",
            sympy.Matrix(
                [
                    sympy.expand(x_bin * exp(-I * psi) * conjugate(candidate * exp(-I * psi))),
                    sympy.Abs(candidate * exp(-I * psi)),
                ]
            ),
            sympy.Matrix([sympy.expand(x_bin * conjugate(candidate)), modulus]),
        ),
    ]

    for depth_value in (3, 4):
        solutions, r_sym, objective = _lagrange_real_bin(depth_value)
        t = sympy.Symbol("t", positive=True)
        steps.append(
            Step.eq(
                rf"$L = {depth_value}$, real bin: the Lagrange system of $\min t^2$ s.t."
                rf" $r t^{{{depth_value}}} = 1$ ($\hat\beta[m] = t^L$) has one solution,"
                r" $\hat\beta[m] = 1/r$, cost $r^{-2/L}$",
                Matrix([[sol[t] ** depth_value, objective.subs(sol)] for sol in solutions]),
                Matrix([[1 / r_sym, r_sym ** Rational(-2, depth_value)]]),
            )
        )
        solutions, r_sym, objective, (cos_phi, sin_phi, t) = _lagrange_pair(depth_value)
        steps.append(
            Step.eq(
                rf"$L = {depth_value}$, conjugate pair: the Lagrange system in"
                r" $(|\hat\beta[m]| = t^L, \phi = \arg\hat\beta[m])$ has one solution,"
                r" $\phi = \arg \hat x[m]$, $|\hat\beta[m]| = 1/(2r)$, cost"
                r" $2^{1 - 2/L} r^{-2/L}$",
                Matrix(
                    [
                        [sol[cos_phi], sol[sin_phi], sol[t] ** depth_value, objective.subs(sol)]
                        for sol in solutions
                    ]
                ),
                Matrix(
                    [
                        [
                            1,
                            0,
                            1 / (2 * r_sym),
                            2 ** (1 - Rational(2, depth_value))
                            * r_sym ** Rational(-2, depth_value),
                        ]
                    ]
                ),
            )
        )

    # L = 2: 1 <= sum_m Re(x_hat conj beta_hat) <= max|x_hat| sum_m |beta_hat|.
    rho, gap = sympy.symbols("rho Delta", nonnegative=True)  # Delta = max|x_hat| - |x_hat[m]|
    phi = sympy.Symbol("phi", real=True)
    per_bin = (r + gap) * rho - r * rho * cos(phi - psi)
    steps += [
        Step.eq(
            r"$L = 2$, one bin, $\hat x[m] = r e^{i\psi}$, $\hat\beta[m] = \rho e^{i\phi}$,"
            r" $M = \max|\hat x| = r + \Delta$: $M\rho - \mathrm{Re}(\hat x[m]"
            r" \overline{\hat\beta[m]}) = \Delta\rho + 2 r \rho \sin^2((\phi - \psi)/2)$",
            per_bin,
            gap * rho + 2 * r * rho * sin((phi - psi) / 2) ** 2,
        ),
        Step.holds(
            r"$\geq 0$, so $1 \leq \langle x, \beta \rangle \leq M \sum_m |\hat\beta[m]|$:"
            r" the $L = 2$ value is at least $1/\max|\hat x|$",
            sympy.Ge(gap * rho + 2 * r * rho * sin((phi - psi) / 2) ** 2, 0, evaluate=False),
        ),
        Step.eq(
            r"attained at $m \in \arg\max|\hat x|$, $M = |\hat x[m]|$: a real bin"
            r" ($\hat x[m] = -M$, $\hat\beta[m] = 1/\hat x[m]$) and a conjugate pair"
            r" ($\hat x[m] = M e^{i\psi}$, $\hat\beta[m] = \hat x[m]/(2M^2)$) have (margin, cost)"
            r" $= (1, 1/M)$",
            Matrix(
                [
                    [-top * (-1 / top), sympy.Abs(-1 / top)],
                    [
                        2
                        * sympy.re(
                            top * exp(I * psi) * conjugate(top * exp(I * psi) / (2 * top**2))
                        ),
                        2 * sympy.Abs(top * exp(I * psi) / (2 * top**2)),
                    ],
                ]
            ),
            Matrix([[1, 1 / top], [1, 1 / top]]),
        ),
    ]

    # Exact instance: D = 4, x = (1, 2, 0, 0), L = 3.
    x = Matrix([1, 2, 0, 0])
    x_hat = dft(x)
    costs = [
        sympy.Abs(x_hat[0]) ** Rational(-2, 3),
        sympy.Abs(x_hat[2]) ** Rational(-2, 3),
        2 ** Rational(1, 3) * sympy.Abs(x_hat[1]) ** Rational(-2, 3),
        sum(sympy.Abs(x_hat[m]) ** -2 for m in range(4)) ** Rational(1, 3),
    ]
    real_bin = idft(Matrix([1 / x_hat[0], 0, 0, 0]))
    steps += [
        Step.eq(
            r"instance $D = 4$, $x = (1, 2, 0, 0)$: $\hat x = (\frac32, \frac12 - i,"
            r" -\frac12, \frac12 + i)$",
            x_hat,
            Matrix([Rational(3, 2), Rational(1, 2) - I, Rational(-1, 2), Rational(1, 2) + I]),
        ),
        Step.eq(
            r"instance, $L = 3$: the bin-0 stationary point $\beta = F^{-1}(1/\hat x[0], 0, 0, 0)$"
            r" has unit margin",
            x.dot(real_bin),
            1,
        ),
        Step.holds(
            r"instance, $L = 3$: costs of the stationary points on $\{0\}$, $\{2\}$,"
            r" $\{1, 3\}$ and $\{0, 1, 2, 3\}$ are"
            r" $(\frac32)^{-2/3} < 2^{1/3} (\frac{\sqrt5}{2})^{-2/3} < (\frac12)^{-2/3}$ and"
            r" $(\sum_m |\hat x[m]|^{-2})^{1/3}$ is larger than all (several stationary points,"
            r" one global minimum)",
            sympy.And(
                sympy.Lt(costs[0], costs[2], evaluate=False),
                sympy.Lt(costs[2], costs[1], evaluate=False),
                sympy.Gt(costs[3], costs[1], evaluate=False),
            ),
        ),
    ]
    return steps


register(
    Lemma(
        name="convnet.single_example",
        title="One example: stationary points and 1-sparse minima of the Fourier penalty",
        statement=(
            r"One example $x$ with $y = +1$, $\hat x = Fx$. For $L \geq 3$ the stationary points"
            r" of $\min \sum_m |\hat\beta[m]|^{2/L}$ s.t. $\langle x, \beta \rangle \geq 1$ with"
            r" support a conjugate-closed set $A$ are $\hat\beta[m] \propto e^{i\arg\hat x[m]}"
            r" |\hat x[m]|^{-L/(L-2)}$ on $A$, with cost $S_A^{(L-2)/L}$,"
            r" $S_A = \sum_{m\in A} |\hat x[m]|^{-2/(L-2)}$; so minima are 1-sparse: a real bin"
            r" $m \in \{0, D/2\}$ costs $|\hat x[m]|^{-2/L}$, a conjugate pair costs"
            r" $2^{1-2/L} |\hat x[m]|^{-2/L}$. For $L = 2$ the optimal value is $1/\max_m"
            r" |\hat x[m]|$, attained on $\arg\max_m |\hat x[m]|$. Checked: the stationarity"
            r" and cost formulas for symbolic $L > 2$, the Lagrange systems of a real bin and of"
            r" a conjugate pair for $L = 3, 4$ with symbolic $|\hat x[m]|$, the $L = 2$ bound,"
            r" and an exact instance with $D = 4$."
        ),
        source=f"{GUNASEKAR}, Thm 2 (stationary points of $\\|\\hat\\beta\\|_{{2/L}}$; for"
        " $L \\geq 3$ a first-order stationary point, not necessarily the global minimum)",
        derive=_derive_single_example,
    )
)

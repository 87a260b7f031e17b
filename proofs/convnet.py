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

Each statement says which steps are general (symbolic D, L, N) and which are instance checks.

Conventions follow SPEC section 0: (Fv)[m] = D^(-1/2) sum_d v[d] e^(-2 pi i m d / D) and
h_l[d] = D^(-1/2) sum_k w_l[k] h_{l-1}[(d + k) mod D].
"""

from __future__ import annotations

from operator import methodcaller

import sympy
from sympy import (
    Derivative,
    I,
    ImmutableMatrix,
    MatMul,
    Matrix,
    Rational,
    Subs,
    Sum,
    conjugate,
    cos,
    exp,
    pi,
    sin,
    sqrt,
)

from implicit_bias.proofs.lemma import Lemma, Step, register

__all__ = ["EXAMPLE_X", "EXAMPLE_X_HAT", "conv_layer", "dft", "dft_matrix", "idft",
           "network_predictor"]

GUNASEKAR = "Gunasekar, Lee, Soudry and Srebro, NeurIPS 2018"

#: The rewrite for steps stated unevaluated (Derivative, Subs, Sum, Product): evaluate them.
_evaluate = methodcaller("doit")


def _combine_powers(residual: sympy.Expr) -> sympy.Expr:
    """Evaluate, expand, combine powers of equal bases and cancel every exponent (exact)."""
    combined = sympy.powsimp(sympy.expand(residual.doit()))
    return combined.replace(
        lambda node: node.is_Pow, lambda node: sympy.Pow(node.base, sympy.cancel(node.exp))
    )


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


def _kernel(size: sympy.Expr, power: sympy.Expr) -> sympy.Expr:
    """omega^power with omega = exp(-2 pi i / size), for a symbolic size."""
    return exp(-2 * pi * I * power / size)


def _dft_symbols() -> tuple[sympy.Symbol, ...]:
    """D (size), L (depth), and the integers m, j, k, q, d."""
    size = sympy.Symbol("D", positive=True, integer=True)
    depth = sympy.Symbol("L", positive=True, integer=True)
    return (size, depth, *sympy.symbols("m j k q d", integer=True))


def _derive_fourier_product() -> list[Step]:
    size, depth, m, j, k, q, d = _dft_symbols()
    layer = sympy.Symbol("l", positive=True, integer=True)
    steps = [
        Step.eq(
            r"general (symbolic $D$, integers $m, j, k, q$, $\omega = e^{-2\pi i/D}$): the"
            r" $(d, k)$ term of $F(h \star w)[m] = \frac1D \sum_d \sum_k w[k]\, h[(d + k)"
            r" \bmod D]\, \omega^{m d}$ with $j = (d + k) \bmod D$, i.e. $d = j - k + qD$, has"
            r" $\omega^{m d} = \omega^{m j}\, \overline{\omega^{m k}}$; as $(d, k) \mapsto"
            r" (j, k)$ is a bijection, $F(h \star w)[m] = \hat h[m]\, \overline{\hat w[m]}$"
            r" for real $w$",
            _kernel(size, m * (j - k + q * size)),
            _kernel(size, m * j) * conjugate(_kernel(size, m * k)),
        ),
        Step.eq(
            r"general: orthogonality of characters, $\sum_{m=0}^{D-1} \omega^{m k} = D$ if"
            r" $\omega^k = 1$ and $0$ otherwise; hence Parseval for real vectors,"
            r" $\langle h, w \rangle = \sum_m \hat h[m]\, \overline{\hat w[m]}$",
            Sum(_kernel(size, m * k), (m, 0, size - 1)),
            sympy.Piecewise((size, sympy.Eq(_kernel(size, k), 1)), (0, True)),
            via=_evaluate,
        ),
        Step.eq(
            r"so by induction $\hat h_{L-1} = \hat x \odot \overline{\hat w_1} \odot \cdots"
            r" \odot \overline{\hat w_{L-1}}$ and the output is $\sum_m \hat x[m]"
            r" \prod_l \overline{\hat w_l[m]} = \sum_m \hat x[m]\, \overline{\hat\beta[m]}$ for"
            r" every $x$: $\hat\beta = \hat w_1 \odot \cdots \odot \hat w_L$. Without the"
            r" $D^{-1/2}$ each of the $L - 1$ layers gains a factor $\sqrt D$: general $L$,"
            r" $\prod_{l=1}^{L-1} \sqrt D = D^{(L-1)/2}$",
            sympy.Product(sympy.sqrt(size), (layer, 1, depth - 1)),
            size ** ((depth - 1) / 2),
            via=_evaluate,
        ),
    ]
    for size_value, depth_value in ((3, 2), (2, 3)):
        filters = _filters(size_value, depth_value)
        steps.append(
            Step.eq(
                rf"instance $D = {size_value}$, $L = {depth_value}$, symbolic real filters,"
                r" $\beta$ the gradient in $x$ of the network output (\texttt{conv\_layer},"
                r" \texttt{dft}): $F\beta = \hat w_1 \odot \cdots \odot \hat w_L$",
                dft(network_predictor(filters)),
                _hadamard([dft(w) for w in filters]),
            )
        )
    filters = _filters(3, 2)
    steps.append(
        Step.eq(
            r"instance without the $D^{-1/2}$ ($D = 3$, $L = 2$):"
            r" $F\beta = D^{(L-1)/2}\, \hat w_1 \odot \hat w_2 = \sqrt3\, \hat w_1 \odot \hat w_2$",
            dft(network_predictor(filters, normalized=False)),
            sqrt(3) * _hadamard([dft(w) for w in filters]),
        )
    )

    w1, w2 = Matrix([0, 1, 0]), Matrix([1, 0, 0])
    beta_hat = dft(network_predictor([w1, w2]))
    conjugated = dft(w1).applyfunc(conjugate).multiply_elementwise(dft(w2))
    steps.append(
        Step.holds(
            r"instance $D = 3$, $w_1 = e_1$, $w_2 = e_0$: the conjugated product"
            r" $\overline{\hat w_1} \odot \hat w_2$ differs from $\hat\beta$ at bin $m = 1$, so"
            r" no conjugate belongs in the identity",
            sympy.Ne(sympy.nsimplify(beta_hat[1]), sympy.nsimplify(conjugated[1]), evaluate=False),
        )
    )
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
            r" Without the $D^{-1/2}$ an extra factor $D^{(L-1)/2}$ appears. Proven for"
            r" symbolic $D$ and $L$: the exponent identity behind the one-layer rule, the"
            r" orthogonality of characters (Parseval) and the factor $D^{(L-1)/2}$; the"
            r" reindexing $j = (d + k) \bmod D$ and the induction over layers are used as"
            r" stated. Instance checks (symbolic real filters, through the package's"
            r" \texttt{conv\_layer} and \texttt{dft}): $(D, L) = (3, 2), (2, 3)$, the"
            r" unnormalized $(3, 2)$, and a counterexample to the conjugated product."
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
    size, depth, m, _, _, _, d = _dft_symbols()
    layer = sympy.Symbol("l", positive=True, integer=True)
    a, b, c, e = sympy.symbols("a b c e", real=True)
    modulus = sympy.Symbol("rho", positive=True)  # |b| of the target bin
    phase = sympy.Symbol("phi", real=True)
    share = modulus ** (1 / depth) * exp(I * phase / depth)
    steps = [
        Step.eq(
            r"general: $|z w|^2 = |z|^2 |w|^2$ for $z = a + ib$, $w = c + ie$:"
            r" $(ac - be)^2 + (ae + bc)^2 = (a^2 + b^2)(c^2 + e^2)$; by induction"
            r" $|\prod_l z_l| = \prod_l |z_l|$, so only the moduli $s_l = |z_l|$ matter and"
            r" the problem is $\min \sum_l s_l^2$ s.t. $\prod_l s_l = |b|$, whose value is"
            r" $L |b|^{2/L}$ for symbolic $L$ (\texttt{deep\_linear.cost})",
            (a * c - b * e) ** 2 + (a * e + b * c) ** 2,
            (a**2 + b**2) * (c**2 + e**2),
        ),
        Step.eq(
            r"general $L$: it is attained with the phase split evenly, $z_l = |b|^{1/L}"
            r" e^{i\phi/L}$ for $b = |b| e^{i\phi}$: $\prod_l z_l = b$ and"
            r" $\sum_l |z_l|^2 = L |b|^{2/L}$",
            Matrix([sympy.Product(share, (layer, 1, depth)),
                    Sum(sympy.Abs(share) ** 2, (layer, 1, depth))]),
            Matrix([modulus * exp(I * phase), depth * modulus ** (2 / depth)]),
            via=_evaluate,
        ),
        Step.eq(
            r"general (symbolic $D$, integers $m$, $d$): $\omega^{(D - m) d} ="
            r" \overline{\omega^{m d}}$, so a real $v$ has $\hat v[D - m] = \overline{\hat v[m]}$"
            r" (a conjugate pair counts twice in $\sum_{m=0}^{D-1} |\hat\beta[m]|^{2/L}$), and"
            r" conversely a conjugate-symmetric spectrum has a real inverse DFT",
            _kernel(size, (size - m) * d),
            conjugate(_kernel(size, m * d)),
        ),
    ]

    depth_value = 3
    filters, target, _ = _balanced_real_filters(depth_value)
    weights = Matrix(4, depth_value, lambda k, li: sympy.Symbol(f"w_{li + 1}{k}", real=True))
    values = {weights[k, li]: filters[li][k] for k in range(4) for li in range(depth_value)}
    steps += [
        Step.holds(
            rf"instance $D = 4$, $L = {depth_value}$: the balanced filters (conjugate-"
            r"symmetric spectra with $|\hat w_l[m]| = |\hat\beta[m]|^{1/L}$, one sign flip"
            r" for the negative real bin $m = 2$) are real",
            sympy.And(*(sympy.Eq(sympy.im(x, evaluate=False), 0, evaluate=False)
                        for f in filters for x in f), evaluate=False),
        ),
        Step.eq(
            rf"instance $L = {depth_value}$: the network with these filters has the"
            r" spectrum $\hat\beta$ ($\hat\beta[0] > 0$, $\hat\beta[2] < 0$, a conjugate"
            r" pair at $m = 1, 3$)",
            dft(network_predictor(filters)),
            target,
        ),
        Step.eq(
            rf"instance $L = {depth_value}$: its cost $\sum_l \|w_l\|^2$ is"
            r" $L \sum_m |\hat\beta[m]|^{2/L}$",
            Subs(sum(x**2 for x in weights), tuple(values), tuple(values.values())),
            depth_value * sum(sympy.Abs(t) ** Rational(2, depth_value) for t in target),
            via=lambda residual: sympy.expand(residual.doit()),
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
            r" L \sum_{m=0}^{D-1} |\hat\beta[m]|^{2/L}$ (all $D$ bins, a conjugate pair twice;"
            r" the cost splits over bins), and real filters attain it:"
            r" $|\hat w_l[m]| = |\hat\beta[m]|^{1/L}$, the phase"
            r" split evenly on each conjugate pair (conjugate-symmetric spectra), and on a real"
            r" bin ($m = 0$ or $D/2$) real values with the sign of $\hat\beta[m]$ put in one"
            r" layer (an even phase split would make $\hat w_l[m]$ non-real there)."
            r" Proven for symbolic $L$ and $D$: multiplicativity of the modulus, the evenly"
            r" split attaining point, and the conjugate symmetry of real spectra; the real"
            r" scalar problem is the general-$L$ AM-GM of \texttt{deep\_linear.cost} and"
            r" Parseval is proven in \texttt{convnet.fourier\_product}. Instance checks: the"
            r" real construction for $D = 4$, $L = 3$ with symbolic spectra."
        ),
        source=f"{GUNASEKAR}, Thm 2 (the induced penalty $\\|\\hat\\beta\\|_{{2/L}}$)",
        derive=_derive_cost,
    )
)


# --------------------------------------------------------------------------------------------
# convnet.stationarity


def dft_matrix(size: int) -> ImmutableMatrix:
    """The unitary DFT matrix, F[m, d] = D^(-1/2) e^(-2 pi i m d / D), exactly.

    >>> dft_matrix(2)
    Matrix([
    [sqrt(2)/2,  sqrt(2)/2],
    [sqrt(2)/2, -sqrt(2)/2]])
    """
    return ImmutableMatrix(size, size, lambda m, d: _root(size, m * d) / sqrt(size))


#: The instance of ``convnet.stationarity`` and ``convnet.single_example`` (D = 4, y = +1) and
#: its spectrum F x (checked in ``convnet.single_example``).
EXAMPLE_X = Matrix([1, 2, 0, 0])
EXAMPLE_X_HAT = Matrix([Rational(3, 2), Rational(1, 2) - I, Rational(-1, 2), Rational(1, 2) + I])


def _derive_stationarity() -> list[Step]:
    u, v = sympy.symbols("u v", real=True)
    depth = sympy.Symbol("L", positive=True)
    modulus_sq = u**2 + v**2
    bin_penalty = modulus_sq ** (1 / depth)
    rho, t = sympy.symbols("rho t", positive=True)
    phi = sympy.Symbol("phi", real=True)
    polar = rho * exp(I * phi)
    # beta_hat[m] = c beta_d + rest: c = c_1 + i c_2 = D^(-1/2) omega^(m d), rest = r_1 + i r_2.
    c1, c2, r1, r2, x = sympy.symbols("c_1 c_2 r_1 r_2 beta_d", real=True)
    bin_sq = (c1 * x + r1) ** 2 + (c2 * x + r2) ** 2
    rows = sympy.Symbol("N", positive=True, integer=True)
    n = sympy.Symbol("n", integer=True)
    alpha, g = sympy.IndexedBase("alpha"), sympy.IndexedBase("g")  # g_n = y_n <x_n, beta>

    steps = [
        Step.eq(
            r"general $L$, one bin $\hat\beta[m] = u + iv$: $(\partial_u + i \partial_v)"
            r"(u^2 + v^2)^{1/L} = \frac{2}{L} \hat\beta[m] |\hat\beta[m]|^{2/L - 2}$",
            Derivative(bin_penalty, u) + I * Derivative(bin_penalty, v),
            2 / depth * (u + I * v) * modulus_sq ** (1 / depth - 1),
            via=lambda residual: sympy.cancel(sympy.powsimp(residual.doit())),
        ),
        Step.eq(
            r"general (any $D$, $L$, $m$, $d$): with $\hat\beta[m] = c\,\beta_d + r$,"
            r" $c = D^{-1/2}\omega^{md}$, the chain rule gives $\partial_{\beta_d}"
            r" |\hat\beta[m]|^{2/L} = \frac2L |\hat\beta[m]|^{2/L-2}\, \mathrm{Re}(\hat\beta[m]"
            r" \bar c)$; summing over $m$, $\nabla_\beta P = \frac{2}{L} F^{-1}(\hat\beta \odot"
            r" |\hat\beta|^{2/L-2})$ (real: the spectrum is conjugate-symmetric,"
            r" \texttt{convnet.cost})",
            Derivative(bin_sq ** (1 / depth), x),
            2 / depth * bin_sq ** (1 / depth - 1)
            * sympy.re((c1 * x + r1 + I * (c2 * x + r2)) * (c1 - I * c2)),
            via=lambda residual: sympy.cancel(sympy.powsimp(residual.doit())),
        ),
        Step.eq(
            r"general: Euler per bin, $\frac{d}{dt} |t \hat\beta[m]|^{2/L} \big|_{t=1} ="
            r" \frac{2}{L} |\hat\beta[m]|^{2/L}$, so $\langle \beta, \nabla P(\beta) \rangle ="
            r" \frac{d}{dt} P(t\beta)|_{t=1} = \frac{2}{L} P(\beta)$",
            Subs(Derivative((t**2 * rho**2) ** (1 / depth), t), t, 1),
            2 / depth * (rho**2) ** (1 / depth),
            via=_evaluate,
        ),
        Step.eq(
            r"so KKT $\nabla P(\beta) = \frac{2}{L} \sum_n \alpha_n y_n x_n$ reads, with"
            r" $z = \sum_n \alpha_n y_n x_n$, $\hat z[m] = \hat\beta[m] |\hat\beta[m]|^{2/L-2}$"
            r" on the support; in polar form $\hat\beta[m] = \rho e^{i\phi}$ this is"
            r" $\hat z[m] = \rho^{2/L - 1} e^{i\phi}$ (same phase, modulus"
            r" $|\hat\beta[m]|^{2/L-1}$), so $\hat z[m] \overline{\hat\beta[m]} ="
            r" |\hat\beta[m]|^{2/L}$",
            polar * sympy.Abs(polar) ** (2 / depth - 2),
            rho ** (2 / depth - 1) * exp(I * phi),
        ),
        Step.eq(
            r"general (symbolic $N$): $\langle z, \beta \rangle - \sum_n \alpha_n ="
            r" \sum_n \alpha_n g_n - \sum_n \alpha_n = \sum_n \alpha_n (g_n - 1)$ with margins"
            r" $g_n = y_n \langle x_n, \beta \rangle$: zero under complementary slackness, so"
            r" with Parseval $\sum_n \alpha_n = \langle z, \beta \rangle = \sum_m \hat z[m]"
            r" \overline{\hat\beta[m]} = \sum_m |\hat\beta[m]|^{2/L}$ (Euler identity)",
            Sum(alpha[n] * g[n], (n, 1, rows)) - Sum(alpha[n], (n, 1, rows)),
            Sum(alpha[n] * (g[n] - 1), (n, 1, rows)),
            via=lambda residual: sympy.factor_terms(sympy.expand(residual)),
        ),
    ]

    # Exact instance: D = 4, x = (1, 2, 0, 0), y = +1, L = 3, support the conjugate pair {1, 3}.
    fourier = dft_matrix(4)
    x_hat = EXAMPLE_X_HAT
    beta_inst = Matrix([Rational(1, 5), Rational(2, 5), Rational(-1, 5), Rational(-2, 5)])
    beta_hat = Matrix([0, Rational(1, 5) - 2 * I / 5, 0, Rational(1, 5) + 2 * I / 5])
    alpha_inst = Rational(2, 5) * 5 ** Rational(2, 3)  # the multiplier of the one example
    b, xb = sympy.symbols("b x", complex=True)  # a bin of hat beta and of hat x
    spectrum = sympy.symbols("b_0:4", complex=True)
    steps += [
        Step.eq(
            r"instance $D = 4$, $x = (1, 2, 0, 0)$, $y = 1$, $L = 3$: the real"
            r" $\beta = \frac15 (1, 2, -1, -2)$ has $\hat\beta = F\beta = \frac25 \hat x$ on"
            r" $\{1, 3\}$ and $0$ elsewhere, $\hat x = (\frac32, \frac12 - i, -\frac12,"
            r" \frac12 + i)$",
            MatMul(fourier, ImmutableMatrix(beta_inst), evaluate=False),
            ImmutableMatrix(beta_hat),
        ),
        Step.eq(
            r"instance: its margin is $\langle x, \beta \rangle = 1$",
            MatMul(ImmutableMatrix(EXAMPLE_X.T), ImmutableMatrix(beta_inst), evaluate=False),
            ImmutableMatrix([[1]]),
        ),
        Step.eq(
            r"instance: on the support $\hat z = \hat\beta |\hat\beta|^{2/L-2} = \alpha \hat x$"
            r" with one $\alpha = \frac25 \cdot 5^{2/3} > 0$ (bins $m = 1, 3$)",
            Matrix([Subs(b * sympy.Abs(b) ** Rational(2 - 6, 3) - alpha_inst * xb, (b, xb),
                         (beta_hat[m], x_hat[m])) for m in (1, 3)]),
            sympy.zeros(2, 1),
            via=_evaluate,
        ),
        Step.eq(
            r"instance: Euler identity $\sum_n \alpha_n = \alpha = \sum_m |\hat\beta[m]|^{2/L}$",
            Subs(sum(sympy.Abs(e) ** Rational(2, 3) for e in spectrum), spectrum,
                 tuple(beta_hat)),
            alpha_inst,
            via=_evaluate,
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
            r" then Parseval). Proven in general (symbolic $L$; any $D$, $m$, $d$ through the"
            r" chain rule for one bin and one coordinate; symbolic $N$ for complementary"
            r" slackness); the sum over bins and Parseval (\texttt{convnet.fourier\_product})"
            r" are used as stated. Instance check: $D = 4$, $x = (1, 2, 0, 0)$, $L = 3$."
        ),
        source=f"{GUNASEKAR}, Thm 2 (first-order stationary points of"
        " $\\min \\|\\hat\\beta\\|_{2/L}$ s.t. $y_n \\langle x_n, \\beta \\rangle \\geq 1$)",
        derive=_derive_stationarity,
    )
)


# --------------------------------------------------------------------------------------------
# convnet.single_example


def _derive_single_example() -> list[Step]:
    delta = sympy.Symbol("delta", positive=True)  # L = 2 + delta > 2
    depth = 2 + delta
    kappa, r, top = sympy.symbols("kappa r M", positive=True)  # M = max|hat x|
    rho = sympy.Symbol("rho", positive=True)
    psi, phi = sympy.symbols("psi phi", real=True)
    x_bin = r * exp(I * psi)
    candidate = kappa * exp(I * psi) * r ** (-depth / (depth - 2))
    weight = r ** (-2 / (depth - 2))
    total = sympy.Symbol("S_A", positive=True)  # S_A = sum over the support of weight
    cosine = sympy.Symbol("C", positive=True)  # cos(arg beta_hat[m] - arg x_hat[m]) in (0, 1]
    set_cost = total ** ((depth - 2) / depth)
    pair_cost = 2 * (2 * r * cosine) ** (-2 / depth)

    steps = [
        Step.eq(
            r"general $L = 2 + \delta > 2$, one example ($z = \alpha x$): the candidate"
            r" $\hat\beta[m] = \kappa e^{i \arg \hat x[m]} |\hat x[m]|^{-L/(L-2)}$ gives"
            r" $\hat\beta |\hat\beta|^{2/L - 2} = \kappa^{2/L - 1} \hat x[m]$, i.e. $\hat z ="
            r" \alpha \hat x$ on the whole support with one $\alpha = \kappa^{2/L-1} > 0$",
            candidate * sympy.Abs(candidate) ** (2 / depth - 2),
            kappa ** (2 / depth - 1) * x_bin,
            via=_combine_powers,
        ),
        Step.eq(
            r"each support bin contributes $\hat x[m] \overline{\hat\beta[m]} ="
            r" \kappa |\hat x[m]|^{-2/(L-2)}$ to the margin $\langle x, \beta \rangle$ and"
            r" $|\hat\beta[m]|^{2/L} = \kappa^{2/L} |\hat x[m]|^{-2/(L-2)}$ to the cost;"
            r" with $S_A = \sum_{m \in A} |\hat x[m]|^{-2/(L-2)}$, unit margin means"
            r" $\kappa = 1/S_A$",
            Matrix([Subs(r * rho * exp(I * (psi - phi)), (rho, phi),
                         (kappa * r ** (-depth / (depth - 2)), psi)),
                    Subs(rho ** (2 / depth), rho, kappa * r ** (-depth / (depth - 2)))]),
            Matrix([kappa * weight, kappa ** (2 / depth) * weight]),
            via=_combine_powers,
        ),
        Step.eq(
            r"so a conjugate-closed support $A$ has cost $\kappa^{2/L} S_A = S_A^{(L-2)/L}$",
            Subs(kappa ** (2 / depth) * total, kappa, 1 / total),
            set_cost,
            via=_evaluate,
        ),
        Step.holds(
            r"$S \mapsto S^{(L-2)/L}$ is increasing: adding bins raises the cost, so minima"
            r" are 1-sparse (one real bin or one conjugate pair)",
            sympy.Gt(Derivative(set_cost, total), 0, evaluate=False),
        ),
        Step.eq(
            r"a real bin ($A = \{m\}$, $m \in \{0, D/2\}$, $S_A = |\hat x[m]|^{-2/(L-2)}$)"
            r" costs $|\hat x[m]|^{-2/L}$; a conjugate pair ($S_A = 2|\hat x[m]|^{-2/(L-2)}$)"
            r" costs $2^{1-2/L} |\hat x[m]|^{-2/L}$",
            Matrix([Subs(set_cost, total, weight), Subs(set_cost, total, 2 * weight)]),
            Matrix([r ** (-2 / depth), 2 ** (1 - 2 / depth) * r ** (-2 / depth)]),
            via=_combine_powers,
        ),
        Step.eq(
            r"general $L$, a conjugate pair with free phase: margin $2|\hat x[m]|"
            r" |\hat\beta[m]| C = 1$, $C = \cos(\arg\hat\beta[m] - \arg\hat x[m]) \in (0, 1]$,"
            r" fixes $|\hat\beta[m]|$ and the cost $2 |\hat\beta[m]|^{2/L} = 2 (2 r C)^{-2/L}$"
            r" ($r = |\hat x[m]|$); at $C = 1$ (phase of $\hat x[m]$) it is"
            r" $2^{1-2/L} r^{-2/L}$",
            Subs(pair_cost, cosine, 1),
            2 ** (1 - 2 / depth) * r ** (-2 / depth),
            via=_combine_powers,
        ),
        Step.holds(
            r"and the cost decreases in $C$, so that phase is optimal (a real bin has no"
            r" freedom: $\hat x[m] \hat\beta[m] = 1$ fixes $\hat\beta[m]$)",
            sympy.Lt(Derivative(pair_cost, cosine), 0, evaluate=False),
        ),
    ]

    # L = 2: 1 <= sum_m Re(x_hat conj beta_hat) <= max|x_hat| sum_m |beta_hat|.
    gap = sympy.Symbol("Delta", nonnegative=True)  # Delta = max|x_hat| - |x_hat[m]|
    half = sympy.Symbol("chi", real=True)  # chi = (phi - psi)/2
    b, xb = sympy.symbols("b x", complex=True)
    steps += [
        Step.eq(
            r"$L = 2$, one bin, $\hat x[m] = r e^{i\psi}$, $\hat\beta[m] = \rho e^{i\phi}$,"
            r" $M = \max|\hat x| = r + \Delta$, $\chi = (\phi - \psi)/2$: $M\rho -"
            r" \mathrm{Re}(\hat x[m] \overline{\hat\beta[m]}) = \Delta\rho + 2 r \rho"
            r" \sin^2\chi \geq 0$",
            (r + gap) * rho - r * rho * cos(2 * half),
            gap * rho + 2 * r * rho * sin(half) ** 2,
            via=lambda residual: sympy.expand(sympy.expand_trig(residual)).subs(
                cos(half) ** 2, 1 - sin(half) ** 2),
        ),
        Step.eq(
            r"so $1 \leq \langle x, \beta \rangle \leq M \sum_m |\hat\beta[m]|$ and the $L = 2$"
            r" value is at least $1/M$; attained at $m \in \arg\max|\hat x|$: a real bin"
            r" ($\hat x[m] = \pm M$, $\hat\beta[m] = 1/\hat x[m]$) and a conjugate pair"
            r" ($\hat x[m] = M e^{i\psi}$, $\hat\beta[m] = \hat x[m]/(2M^2)$) have (margin,"
            r" cost) $= (1, 1/M)$",
            Matrix(
                [
                    [Subs(xb * conjugate(b), (xb, b), (-top, -1 / top)),
                     Subs(sympy.Abs(b), b, -1 / top)],
                    [Subs(2 * sympy.re(xb * conjugate(b)), (xb, b),
                          (top * exp(I * psi), exp(I * psi) / (2 * top))),
                     Subs(2 * sympy.Abs(b), b, exp(I * psi) / (2 * top))],
                ]
            ),
            Matrix([[1, 1 / top], [1, 1 / top]]),
            via=_evaluate,
        ),
    ]

    # Exact instance: D = 4, x = (1, 2, 0, 0), L = 3.
    x_hat = EXAMPLE_X_HAT
    moduli = sympy.symbols("r_0:4", positive=True)
    at_instance = (Rational(3, 2), sqrt(5) / 2, Rational(1, 2), sqrt(5) / 2)  # |hat x[m]|
    costs = [
        Subs(cost, moduli, at_instance)
        for cost in (
            moduli[0] ** Rational(-2, 3),
            moduli[2] ** Rational(-2, 3),
            2 ** Rational(1, 3) * moduli[1] ** Rational(-2, 3),
            sum(q**-2 for q in moduli) ** Rational(1, 3),
        )
    ]
    steps += [
        Step.eq(
            r"instance $D = 4$, $x = (1, 2, 0, 0)$: $\hat x = F x = (\frac32, \frac12 - i,"
            r" -\frac12, \frac12 + i)$",
            MatMul(dft_matrix(4), ImmutableMatrix(EXAMPLE_X), evaluate=False),
            ImmutableMatrix(x_hat),
        ),
        Step.eq(
            r"instance, $L = 3$: the bin-0 stationary point $\beta = F^{-1}(1/\hat x[0], 0, 0,"
            r" 0) = (\frac13, \frac13, \frac13, \frac13)$ has unit margin",
            MatMul(ImmutableMatrix(EXAMPLE_X.T), dft_matrix(4).H,
                   ImmutableMatrix([1 / x_hat[0], 0, 0, 0]), evaluate=False),
            ImmutableMatrix([[1]]),
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
                evaluate=False,
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
            r" |\hat x[m]|$, attained on $\arg\max_m |\hat x[m]|$. Proven in general (symbolic"
            r" $L = 2 + \delta > 2$ and symbolic $|\hat x[m]|$, phases and $S_A$): the"
            r" stationarity and cost formulas, the monotonicity in $S_A$, the optimal phase of"
            r" a conjugate pair, and the $L = 2$ bound with its attaining points. Instance"
            r" check: $D = 4$, $x = (1, 2, 0, 0)$, $L = 3$, which has several stationary points"
            r" and one global minimum."
        ),
        source=f"{GUNASEKAR}, Thm 2 (stationary points of $\\|\\hat\\beta\\|_{{2/L}}$; for"
        " $L \\geq 3$ a first-order stationary point, not necessarily the global minimum)",
        derive=_derive_single_example,
    )
)

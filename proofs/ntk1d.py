"""Lemmas behind the 1-D neural tangent kernel of f(x) = m^{-1/2} sum_j a_j [w_j x + b_j]_+.

Registered on import (see :func:`proofs.all_lemmas`); each statement says which steps are
general symbolic identities and which are instance checks:

- ``ntk1d.tangent_features``: the parameter gradient of one unit and the resulting empirical
  NTK (1/m) sum_j ([z_j]_+[z_j']_+ + a_j^2 1{z_j > 0}1{z_j' > 0}(1 + x x')); the
  antisymmetric pairing gives f_0 = 0 and leaves the kernel unchanged.
- ``ntk1d.arccos_kernels``: E[[w.u]_+[w.v]_+] = |u||v|(sin phi + (pi - phi) cos phi)/(2 pi)
  and E[1{w.u > 0}1{w.v > 0}] = (pi - phi)/(2 pi) for w ~ N(0, I_2) (Cho and Saul), by
  antiderivatives in polar coordinates.
- ``ntk1d.closed_form``: with x~ = (x, 1), phi = |atan x - atan x'| and
  Theta = (|x - x'| + 2(1 + x x')(pi - phi))/(2 pi); Theta(x, x) = 1 + x^2.
- ``ntk1d.curvature``: d^2 Theta/dx^2 = 2|x - x'|/(pi (1 + x^2)^2) off the diagonal, a slope
  jump -1/pi at x = x', end slopes summing to x': the exact R(f) of a kernel interpolant.

Steps stated unevaluated (``Subs``, ``Derivative``, ``Limit``, ``Integral``) are decided by the
check, which evaluates them (``via``), never by their construction.
"""

from __future__ import annotations

from operator import methodcaller

import sympy
from sympy import (
    Abs,
    Derivative,
    Integral,
    Limit,
    Matrix,
    Rational,
    Subs,
    atan,
    cos,
    exp,
    oo,
    pi,
    sin,
    sqrt,
)

from implicit_bias.proofs.lemma import Lemma, Step, register

__all__ = ["JACOT", "CHO_SAUL"]

JACOT = "Jacot, Gabriel and Hongler, NeurIPS 2018"
CHO_SAUL = "Cho and Saul, NeurIPS 2009"

#: The rewrite for steps stated unevaluated (Subs, Derivative, Limit, Integral): evaluate them.
_evaluate = methodcaller("doit")


def _evaluate_trig(expr):
    """Evaluate, then expand trigonometric functions of sums and multiples."""
    return sympy.expand_trig(expr.doit())


def _relu(u):
    """[u]_+ = (u + |u|)/2 for real u (the same function as max(0, u), cheaper to build)."""
    return (u + Abs(u)) / 2


def _theta(x, y):
    return (Abs(x - y) + 2 * (1 + x * y) * (pi - Abs(atan(x) - atan(y)))) / (2 * pi)


# --------------------------------------------------------------------------------------------
# ntk1d.tangent_features


def _derive_tangent_features() -> list[Step]:
    a, w, b, x, x2 = sympy.symbols("a w b x x'", real=True)
    m = sympy.Symbol("m", positive=True)
    zp, zp2 = sympy.symbols("z z'", positive=True)  # active unit: w x + b = z > 0
    zn = sympy.Symbol("z", negative=True)
    unit = a * _relu(w * x + b) / sqrt(m)

    def gradient(point, z):
        """The gradient in (a, w, b) of the unit at x = point where w point + b = z."""
        return [Subs(Derivative(unit.subs(x, point), v), b, z - w * point) for v in (a, w, b)]

    a2, w_2, b_2 = sympy.symbols("a_2 w_2 b_2", real=True)
    pair = (a * _relu(w * x + b) + a2 * _relu(w_2 * x + b_2)) / sqrt(m)
    params = (a, w, b, a2, w_2, b_2)

    def pair_gradient(point, z):  # at the copy (a_2, w_2, b_2) = (-a, w, b), w point + b = z
        active = z - w * point
        return [Subs(Derivative(pair.subs(x, point), v), (a2, w_2, b_2, b),
                     (-a, w, active, active)) for v in params]

    one_unit = (zp * zp2 + a**2 * (x * x2 + 1)) / m
    return [
        Step.eq(r"general, active unit ($z = wx + b > 0$): $\nabla_{(a,w,b)}\, a[wx+b]_+/\sqrt m"
                r" = (z, ax, a)/\sqrt m$", Matrix(gradient(x, zp)),
                Matrix([zp, a * x, a]) / sqrt(m), via=_evaluate),
        Step.eq(r"inactive unit ($z < 0$): the gradient vanishes", Matrix(gradient(x, zn)),
                sympy.zeros(3, 1), via=_evaluate),
        Step.eq(r"so one unit contributes $\langle\nabla f(x), \nabla f(x')\rangle ="
                r" (zz' + a^2(xx' + 1))/m$ when both are active (and 0 otherwise): the"
                r" empirical NTK is $\frac1m\sum_j([z_j]_+[z_j']_+ + a_j^2"
                r" 1\{z_j>0\}1\{z_j'>0\}\tilde x^\top\tilde x')$",
                sum(g1 * g2 for g1, g2 in zip(gradient(x, zp), gradient(x2, zp2), strict=True)),
                one_unit, via=_evaluate),
        Step.eq(r"antisymmetric pair $(a, w, b)$, $(-a, w, b)$, both active: the pair's value"
                r" is $0$ ($f_0 \equiv 0$) and its kernel (gradient over all six parameters) is"
                r" twice one unit's: $m/2$ i.i.d. terms",
                Matrix([Subs(pair, (a2, w_2, b_2, b), (-a, w, zp - w * x, zp - w * x)),
                        sum(g1 * g2 for g1, g2 in zip(pair_gradient(x, zp),
                                                      pair_gradient(x2, zp2), strict=True))]),
                Matrix([0, 2 * one_unit]), via=_evaluate),
    ]


register(
    Lemma(
        name="ntk1d.tangent_features",
        title="Tangent features of a wide 1-D ReLU net in NTK parametrization",
        statement=(
            r"For $f(x) = m^{-1/2}\sum_j a_j[w_j x + b_j]_+$ the empirical tangent kernel is"
            r" $\frac1m\sum_j\big([\tilde w_j^\top\tilde x]_+[\tilde w_j^\top\tilde x']_+ +"
            r" a_j^2 1\{\tilde w_j^\top\tilde x > 0\}1\{\tilde w_j^\top\tilde x' > 0\}"
            r"\tilde x^\top\tilde x'\big)$ with $\tilde w = (w, b)$, $\tilde x = (x, 1)$; by"
            r" the law of large numbers it tends to"
            r" $E[\sigma\sigma'] + E[a^2]E[1\,1']\tilde x^\top\tilde x'$ with fluctuations"
            r" $O(m^{-1/2})$ (CLT). Duplicating units with opposite $a$ makes $f_0 \equiv 0$"
            r" without changing the kernel. General symbolic identities in $a, w, x, x', m$"
            r" (case by case in the sign of $wx + b$); no instance."
        ),
        source=f"{JACOT}, Thm 1 (the NTK at initialization), specialized to one hidden layer",
        derive=_derive_tangent_features,
    )
)


# --------------------------------------------------------------------------------------------
# ntk1d.arccos_kernels


def _derive_arccos() -> list[Step]:
    th = sympy.Symbol("theta", real=True)
    phi = sympy.Symbol("phi", nonnegative=True)
    r = sympy.Symbol("r", positive=True)
    w1, w2 = sympy.symbols("w_1 w_2", real=True)
    nu_, nv = sympy.symbols("|u| |v|", positive=True)
    R = Matrix([[cos(th), -sin(th)], [sin(th), cos(th)]])
    w = Matrix([w1, w2])
    mass = -exp(-r**2 / 2)  # antiderivative of the radial density r e^{-r^2/2}
    second = -(r**2 + 2) * exp(-r**2 / 2)  # antiderivative of r^3 e^{-r^2/2}
    angular = th * cos(phi) / 2 + sin(2 * th - phi) / 4  # of cos(theta) cos(theta - phi)

    def over_r(F):  # int_0^oo via the antiderivative
        return Limit(F, r, oo) - Subs(F, r, 0)

    def over_arc(F):  # both units active: theta in (phi - pi/2, pi/2)
        return Subs(F, th, pi / 2) - Subs(F, th, phi - pi / 2)

    relu = nu_ * nv * over_r(second) * over_arc(angular) / (2 * pi)
    step = over_r(mass) * over_arc(th) / (2 * pi)
    return [
        Step.eq(r"rotation invariance: $\|Rw\|^2 = \|w\|^2$ for every rotation $R$, so the"
                r" density $e^{-\|w\|^2/2}/(2\pi)$ of $w \sim N(0, I_2)$ is invariant and we may"
                r" take $u = |u|(1, 0)$, $v = |v|(\cos\phi, \sin\phi)$, $\phi \in [0, \pi]$",
                (R * w).dot(R * w), w.dot(w),
                via=lambda e: sympy.expand(e).subs(sin(th) ** 2, 1 - cos(th) ** 2)),
        Step.eq(r"polar coordinates $w = r(\cos\theta, \sin\theta)$: antiderivatives of the"
                r" radial density $re^{-r^2/2}$ and of $r^3e^{-r^2/2}$",
                Matrix([Derivative(mass, r), Derivative(second, r)]),
                Matrix([r * exp(-r**2 / 2), r**3 * exp(-r**2 / 2)]), via=_evaluate),
        Step.eq(r"so the density integrates to 1 and $E[r^2] = \int_0^\infty r^3 e^{-r^2/2} = 2$",
                Matrix([over_r(mass), over_r(second)]), Matrix([1, 2]), via=_evaluate),
        Step.eq(r"both units are active iff $\cos\theta > 0$ and $\cos(\theta - \phi) > 0$,"
                r" i.e. $\theta \in (\phi - \pi/2, \pi/2)$; an antiderivative of"
                r" $\cos\theta\cos(\theta-\phi)$ is $\frac{\theta\cos\phi}{2} +"
                r" \frac{\sin(2\theta - \phi)}{4}$",
                Derivative(angular, th), cos(th) * cos(th - phi), via=_evaluate_trig),
        Step.eq(r"so $\int_{\phi - \pi/2}^{\pi/2}\cos\theta\cos(\theta-\phi)\,d\theta ="
                r" ((\pi - \phi)\cos\phi + \sin\phi)/2$",
                over_arc(angular), ((pi - phi) * cos(phi) + sin(phi)) / 2, via=_evaluate),
        Step.eq(r"so $E[[w^\top u]_+[w^\top v]_+] = \frac{|u||v|}{2\pi}\int_0^\infty r^3"
                r" e^{-r^2/2}dr \int\cos\theta\cos(\theta - \phi)\,d\theta ="
                r" |u||v|(\sin\phi + (\pi - \phi)\cos\phi)/(2\pi)$ ($k_1/2$ of Cho and Saul)",
                relu, nu_ * nv * (sin(phi) + (pi - phi) * cos(phi)) / (2 * pi), via=_evaluate),
        Step.eq(r"and $E[1\{w^\top u > 0\}1\{w^\top v > 0\}]$ = (arc length $\pi - \phi$)/$(2\pi)$"
                r" ($k_0/2$)", step, (pi - phi) / (2 * pi), via=_evaluate),
        Step.eq(r"instance $\phi = \pi/2$ (orthogonal inputs), integrating directly:"
                r" $\frac{|u||v|}{2\pi} E[r^2] \int_0^{\pi/2}\cos\theta\sin\theta\,d\theta ="
                r" |u||v|/(2\pi)$, the closed form there",
                nu_ * nv * 2 * Integral(cos(th) * sin(th), (th, 0, pi / 2)) / (2 * pi),
                Subs(nu_ * nv * (sin(phi) + (pi - phi) * cos(phi)) / (2 * pi), phi, pi / 2),
                via=_evaluate),
    ]


register(
    Lemma(
        name="ntk1d.arccos_kernels",
        title="The degree-0 and degree-1 arc-cosine kernels in two dimensions",
        statement=(
            r"For $w \sim N(0, I_2)$ and $u, v \in \mathbb{R}^2$ at angle $\phi$:"
            r" $E[[w^\top u]_+[w^\top v]_+] = \|u\|\|v\|(\sin\phi + (\pi-\phi)\cos\phi)/(2\pi)$"
            r" and $E[1\{w^\top u>0\}1\{w^\top v>0\}] = (\pi - \phi)/(2\pi)$. General symbolic"
            r" identities in $\phi \in [0, \pi]$ and $|u|, |v| > 0$ (after the rotation, itself"
            r" checked for a symbolic angle), the integrals by antiderivatives and the"
            r" fundamental theorem of calculus. Instance check: $\phi = \pi/2$, integrated"
            r" directly."
        ),
        source=f"{CHO_SAUL}, Sec. 2 (arc-cosine kernels $k_0$, $k_1$); used by {JACOT}",
        derive=_derive_arccos,
    )
)


# --------------------------------------------------------------------------------------------
# ntk1d.closed_form


def _derive_closed_form() -> list[Step]:
    x, y = sympy.symbols("x x'", real=True)
    n = sqrt((1 + x**2) * (1 + y**2))
    d = atan(x) - atan(y)
    phi = sympy.Symbol("phi", nonnegative=True)
    gap = sympy.Symbol("g", nonnegative=True)  # |x - x'|
    s, c = sympy.symbols("s c", real=True)  # sin(phi), cos(phi)
    norms = sympy.Symbol("N", positive=True)  # ||x~|| ||x~'||
    spec = (norms * (s + (pi - phi) * c) + (1 + x * y) * (pi - phi)) / (2 * pi)
    return [
        Step.eq(r"the angle between $\tilde x = (x, 1)$ and $\tilde x' = (x', 1)$:"
                r" $\cos(\arctan x - \arctan x') = (1 + xx')/(\|\tilde x\|\|\tilde x'\|)$",
                cos(d), (1 + x * y) / n, via=sympy.expand_trig),
        Step.eq(r"$\sin(\arctan x - \arctan x') = (x - x')/(\|\tilde x\|\|\tilde x'\|)$, so"
                r" $\phi = |\arctan x - \arctan x'| \in [0, \pi)$ and"
                r" $\|\tilde x\|\|\tilde x'\|\sin\phi = |x - x'|$",
                sin(d), (x - y) / n, via=sympy.expand_trig),
        Step.eq(r"general: SPEC's $\Theta = \frac{\|\tilde x\|\|\tilde x'\|}{2\pi}(\sin\phi +"
                r" (\pi-\phi)\cos\phi) + \tilde x^\top\tilde x'\frac{\pi-\phi}{2\pi}$ with"
                r" these $\sin\phi$, $\cos\phi$ becomes"
                r" $(|x - x'| + 2(1 + xx')(\pi - \phi))/(2\pi)$",
                Subs(spec, (s, c), (gap / norms, (1 + x * y) / norms)),
                (gap + 2 * (1 + x * y) * (pi - phi)) / (2 * pi), via=_evaluate),
        Step.eq(r"on the diagonal $\Theta(x, x) = 1 + x^2 = \|\tilde x\|^2$",
                Subs(_theta(x, y), y, x), 1 + x**2, via=_evaluate),
        Step.eq(r"instances: $\Theta(0, 0) = 1$, $\Theta(1, -1) = 1/\pi$ (orthogonal $\tilde x$),"
                r" $\Theta(0, 1) = 1/(2\pi) + 3/4$",
                Matrix([Subs(_theta(x, y), (x, y), point) for point in ((0, 0), (1, -1), (0, 1))]),
                Matrix([1, 1 / pi, 1 / (2 * pi) + Rational(3, 4)]), via=_evaluate),
    ]


register(
    Lemma(
        name="ntk1d.closed_form",
        title="The 1-D NTK in closed form",
        statement=(
            r"With $\tilde x = (x, 1)$: $\Theta(x, x') = (|x - x'| + 2(1 + xx')(\pi - \phi))"
            r"/(2\pi)$, $\phi = |\arctan x - \arctan x'|$, equal to SPEC's arc-cosine form"
            r" and to $1 + x^2$ on the diagonal: general symbolic identities in $x, x'$."
            r" Instance checks: $\Theta(0, 0)$, $\Theta(1, -1)$, $\Theta(0, 1)$."
        ),
        source=f"{JACOT}, Thm 1, with the kernels of {CHO_SAUL}",
        derive=_derive_closed_form,
    )
)


# --------------------------------------------------------------------------------------------
# ntk1d.curvature


def _derive_curvature() -> list[Step]:
    x, y = sympy.symbols("x x'", real=True)
    right = ((x - y) + 2 * (1 + x * y) * (pi - (atan(x) - atan(y)))) / (2 * pi)  # x > x'
    left = ((y - x) + 2 * (1 + x * y) * (pi - (atan(y) - atan(x)))) / (2 * pi)   # x < x'
    far = sympy.Symbol("X", positive=True)  # x = +X and x = -X, X -> oo
    t = sympy.Symbol("t", positive=True)
    tail = -1 / (pi * (1 + t**2))  # antiderivative of 2t/(pi (1 + t^2)^2)
    return [
        Step.eq(r"general, for $x > x'$: $\partial_x^2\Theta = 2(x - x')/(\pi(1 + x^2)^2)$",
                Derivative(right, (x, 2)), 2 * (x - y) / (pi * (1 + x**2) ** 2), via=_evaluate),
        Step.eq(r"for $x < x'$: $\partial_x^2\Theta = 2(x' - x)/(\pi(1 + x^2)^2)$: together"
                r" $2|x - x'|/(\pi(1+x^2)^2) \geq 0$",
                Derivative(left, (x, 2)), 2 * (y - x) / (pi * (1 + x**2) ** 2), via=_evaluate),
        Step.eq(r"the slope jumps by $-1/\pi$ at $x = x'$ (a concave kink)",
                Subs(Derivative(right - left, x), x, y), -1 / pi, via=_evaluate),
        Step.eq(r"$\partial_x\Theta(-\infty, x') + \partial_x\Theta(+\infty, x') = x'$, so"
                r" $f = \sum_i c_i\Theta(\cdot, x_i)$ has $f'(-\infty) + f'(+\infty) ="
                r" \sum_i c_i x_i$",
                Limit(Subs(Derivative(right, x), x, far) + Subs(Derivative(left, x), x, -far),
                      far, oo), y, via=_evaluate),
        Step.eq(r"instance $x' = 0$: $-\frac{1}{\pi(1 + t^2)}$ is an antiderivative of"
                r" $2t/(\pi(1+t^2)^2)$ ($t > 0$), so $\int_{\mathbb{R}} 2|t|/(\pi(1+t^2)^2)\,dt"
                r" = 2/\pi$ (even integrand)",
                Matrix([Derivative(tail, t), 2 * (Limit(tail, t, oo) - Subs(tail, t, 0))]),
                Matrix([2 * t / (pi * (1 + t**2) ** 2), 2 / pi]), via=_evaluate),
        Step.eq(r"and consistency there: the smooth part plus the kink, $2/\pi - 1/\pi$, is"
                r" $f'(+\infty) - f'(-\infty) = 1/\pi$",
                Limit(Subs(Derivative(right, x), (x, y), (far, 0))
                      - Subs(Derivative(left, x), (x, y), (-far, 0)), far, oo), 2 / pi - 1 / pi,
                via=_evaluate),
    ]


register(
    Lemma(
        name="ntk1d.curvature",
        title="The curvature of the NTK interpolant (its representation cost)",
        statement=(
            r"$f = \sum_i c_i\Theta(\cdot, x_i)$ has $f'' = \frac{2}{\pi}\sum_i c_i|x -"
            r" x_i|/(1+x^2)^2 - \frac1\pi\sum_i c_i\delta_{x_i}$ and"
            r" $f'(-\infty) + f'(+\infty) = \sum_i c_i x_i$, so"
            r" $R(f) = \max(\int|f''|, |\sum_i c_i x_i|)$ is computable in closed form"
            r" (piecewise integrals of $(a + bt)/(1+t^2)^2$). General symbolic identities in"
            r" $x, x'$ (both sides of the kink); instance check: the consistency of the smooth"
            r" part and the kink with the end slopes at $x' = 0$."
        ),
        source=f"derived here from the closed form of {JACOT}, Thm 1; R as in Savarese,"
               " Evron, Soudry and Srebro, COLT 2019, Thm 1",
        derive=_derive_curvature,
    )
)

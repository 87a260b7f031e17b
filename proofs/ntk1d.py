"""Lemmas behind the 1-D neural tangent kernel of f(x) = m^{-1/2} sum_j a_j [w_j x + b_j]_+.

Registered on import (see :func:`proofs.all_lemmas`):

- ``ntk1d.tangent_features``: the parameter gradient of one unit and the resulting empirical
  NTK (1/m) sum_j ([z_j]_+[z_j']_+ + a_j^2 1{z_j > 0}1{z_j' > 0}(1 + x x')); the
  antisymmetric pairing gives f_0 = 0 and leaves the kernel unchanged.
- ``ntk1d.arccos_kernels``: E[[w.u]_+[w.v]_+] = |u||v|(sin phi + (pi - phi) cos phi)/(2 pi)
  and E[1{w.u > 0}1{w.v > 0}] = (pi - phi)/(2 pi) for w ~ N(0, I_2) (Cho and Saul).
- ``ntk1d.closed_form``: with x~ = (x, 1), phi = |atan x - atan x'| and
  Theta = (|x - x'| + 2(1 + x x')(pi - phi))/(2 pi); Theta(x, x) = 1 + x^2.
- ``ntk1d.curvature``: d^2 Theta/dx^2 = 2|x - x'|/(pi (1 + x^2)^2) off the diagonal, a slope
  jump -1/pi at x = x', end slopes summing to x': the exact R(f) of a kernel interpolant.
"""

from __future__ import annotations

import sympy
from sympy import Abs, Matrix, Max, atan, cos, exp, limit, oo, pi, sin, sqrt

from implicit_bias.proofs.lemma import Lemma, Step, register

__all__ = ["JACOT", "CHO_SAUL"]

JACOT = "Jacot, Gabriel and Hongler, NeurIPS 2018"
CHO_SAUL = "Cho and Saul, NeurIPS 2009"


def _theta(x, y):
    return (Abs(x - y) + 2 * (1 + x * y) * (pi - Abs(atan(x) - atan(y)))) / (2 * pi)


# --------------------------------------------------------------------------------------------
# ntk1d.tangent_features


def _derive_tangent_features() -> list[Step]:
    a, w, b, x, x2 = sympy.symbols("a w b x x'", real=True)
    m = sympy.Symbol("m", positive=True)
    zp, zp2 = sympy.symbols("z z'", positive=True)  # active unit: w x + b = z > 0
    zn = sympy.Symbol("z", negative=True)
    unit = a * Max(0, w * x + b) / sqrt(m)
    grad = Matrix([sympy.diff(unit, v) for v in (a, w, b)])
    active = grad.subs(b, zp - w * x)
    inactive = grad.subs(b, zn - w * x)
    g2 = Matrix([zp2, a * x2, a]) / sqrt(m)
    a2, w_2, b_2 = sympy.symbols("a_2 w_2 b_2", real=True)
    pair = (a * Max(0, w * x + b) + a2 * Max(0, w_2 * x + b_2)) / sqrt(m)
    params = (a, w, b, a2, w_2, b_2)
    copy = {a2: -a, w_2: w, b_2: b}

    def pair_grad(point, z):
        g = Matrix([sympy.diff(pair.subs(x, point), v) for v in params]).subs(copy)
        return g.subs(b, z - w * point)

    pair_value = pair.subs(copy).subs(b, zp - w * x)
    g1 = pair_grad(x, zp)
    g2p = Matrix([sympy.diff(pair.subs(x, x2), v) for v in params]).subs(copy)
    g2p = g2p.subs(b, zp2 - w * x2)
    pair_kernel = g1.dot(g2p)
    return [
        Step.eq(r"active unit ($z = wx + b > 0$): $\nabla_{(a,w,b)}\, a[wx+b]_+/\sqrt m"
                r" = (z, ax, a)/\sqrt m$", active, Matrix([zp, a * x, a]) / sqrt(m)),
        Step.eq(r"inactive unit ($z < 0$): the gradient vanishes", inactive, sympy.zeros(3, 1)),
        Step.eq(r"so one unit contributes $\langle\nabla f(x), \nabla f(x')\rangle ="
                r" (zz' + a^2(xx' + 1))/m$ when both are active (and 0 otherwise): the"
                r" empirical NTK is $\frac1m\sum_j([z_j]_+[z_j']_+ + a_j^2"
                r" 1\{z_j>0\}1\{z_j'>0\}\tilde x^\top\tilde x')$",
                (Matrix([zp, a * x, a]) / sqrt(m)).dot(g2), (zp * zp2 + a**2 * (x * x2 + 1)) / m),
        Step.eq(r"antisymmetric pair $(a, w, b)$, $(-a, w, b)$, both active: the pair's value"
                r" is $0$ ($f_0 \equiv 0$) and its kernel (gradient over all six parameters) is"
                r" twice one unit's: $m/2$ i.i.d. terms",
                Matrix([pair_value, pair_kernel]),
                Matrix([0, 2 * (zp * zp2 + a**2 * (x * x2 + 1)) / m])),
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
            r" without changing the kernel. General identities (case by case in the sign of"
            r" $wx + b$)."
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
    angular = sympy.integrate(cos(th) * cos(th - phi), (th, phi - pi / 2, pi / 2))
    radial2 = sympy.integrate(r**3 * exp(-r**2 / 2), (r, 0, oo))
    radial0 = sympy.integrate(r * exp(-r**2 / 2), (r, 0, oo))
    relu = nu_ * nv * radial2 * angular / (2 * pi)
    step = radial0 * ((pi / 2) - (phi - pi / 2)) / (2 * pi)
    return [
        Step.eq(r"rotation invariance: $\|Rw\|^2 = \|w\|^2$, so the density"
                r" $e^{-\|w\|^2/2}/(2\pi)$ of $w \sim N(0, I_2)$ is invariant and we may take"
                r" $u = |u|(1, 0)$, $v = |v|(\cos\phi, \sin\phi)$, $\phi \in [0, \pi]$",
                (R * w).dot(R * w), w.dot(w)),
        Step.eq(r"polar coordinates $w = r(\cos\theta, \sin\theta)$: the radial density"
                r" $re^{-r^2/2}$ integrates to 1 and $E[r^2] = \int_0^\infty r^3 e^{-r^2/2} = 2$",
                Matrix([radial0, radial2]), Matrix([1, 2])),
        Step.eq(r"both units are active iff $\cos\theta > 0$ and $\cos(\theta - \phi) > 0$,"
                r" i.e. $\theta \in (\phi - \pi/2, \pi/2)$; there $\int\cos\theta"
                r"\cos(\theta-\phi)\,d\theta = ((\pi - \phi)\cos\phi + \sin\phi)/2$",
                angular, ((pi - phi) * cos(phi) + sin(phi)) / 2),
        Step.eq(r"so $E[[w^\top u]_+[w^\top v]_+] = |u||v|\,E[r^2]\frac{1}{2\pi}\int\ldots ="
                r" |u||v|(\sin\phi + (\pi - \phi)\cos\phi)/(2\pi)$ ($k_1/2$ of Cho and Saul)",
                relu, nu_ * nv * (sin(phi) + (pi - phi) * cos(phi)) / (2 * pi)),
        Step.eq(r"and $E[1\{w^\top u > 0\}1\{w^\top v > 0\}]$ = (arc length $\pi - \phi$)/$(2\pi)$"
                r" ($k_0/2$)", step, (pi - phi) / (2 * pi)),
        Step.eq(r"instance $\phi = \pi/2$ (orthogonal inputs): $|u||v|/(2\pi)$ and $1/4$",
                Matrix([relu.subs(phi, pi / 2), step.subs(phi, pi / 2)]),
                Matrix([nu_ * nv / (2 * pi), sympy.Rational(1, 4)])),
    ]


register(
    Lemma(
        name="ntk1d.arccos_kernels",
        title="The degree-0 and degree-1 arc-cosine kernels in two dimensions",
        statement=(
            r"For $w \sim N(0, I_2)$ and $u, v \in \mathbb{R}^2$ at angle $\phi$:"
            r" $E[[w^\top u]_+[w^\top v]_+] = \|u\|\|v\|(\sin\phi + (\pi-\phi)\cos\phi)/(2\pi)$"
            r" and $E[1\{w^\top u>0\}1\{w^\top v>0\}] = (\pi - \phi)/(2\pi)$. General"
            r" identities in $\phi \in [0, \pi]$ (after the rotation, which is checked"
            r" symbolically)."
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
    spec = (n * (gap / n) + (pi - phi) * (1 + x * y)) / (2 * pi) + (1 + x * y) * (pi - phi) / (
        2 * pi)
    return [
        Step.eq(r"the angle between $\tilde x = (x, 1)$ and $\tilde x' = (x', 1)$:"
                r" $\cos(\arctan x - \arctan x') = (1 + xx')/(\|\tilde x\|\|\tilde x'\|)$",
                sympy.expand_trig(cos(d)), (1 + x * y) / n),
        Step.eq(r"$\sin(\arctan x - \arctan x') = (x - x')/(\|\tilde x\|\|\tilde x'\|)$, so"
                r" $\phi = |\arctan x - \arctan x'| \in [0, \pi)$ and"
                r" $\|\tilde x\|\|\tilde x'\|\sin\phi = |x - x'|$",
                sympy.expand_trig(sin(d)), (x - y) / n),
        Step.eq(r"SPEC's $\Theta = \frac{\|\tilde x\|\|\tilde x'\|}{2\pi}(\sin\phi + (\pi-\phi)"
                r"\cos\phi) + \tilde x^\top\tilde x'\frac{\pi-\phi}{2\pi}$ becomes"
                r" $(|x - x'| + 2(1 + xx')(\pi - \phi))/(2\pi)$",
                spec, (gap + 2 * (1 + x * y) * (pi - phi)) / (2 * pi)),
        Step.eq(r"on the diagonal $\Theta(x, x) = 1 + x^2 = \|\tilde x\|^2$",
                _theta(x, x), 1 + x**2),
        Step.eq(r"instances: $\Theta(0, 0) = 1$, $\Theta(1, -1) = 1/\pi$ (orthogonal $\tilde x$),"
                r" $\Theta(0, 1) = 1/(2\pi) + 3/4$",
                Matrix([_theta(0, 0), _theta(1, -1), _theta(0, 1)]),
                Matrix([1, 1 / pi, 1 / (2 * pi) + sympy.Rational(3, 4)])),
    ]


register(
    Lemma(
        name="ntk1d.closed_form",
        title="The 1-D NTK in closed form",
        statement=(
            r"With $\tilde x = (x, 1)$: $\Theta(x, x') = (|x - x'| + 2(1 + xx')(\pi - \phi))"
            r"/(2\pi)$, $\phi = |\arctan x - \arctan x'|$, equal to SPEC's arc-cosine form"
            r" (general identity) and to $1 + x^2$ on the diagonal; three instances."
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
    jump = (sympy.diff(right, x) - sympy.diff(left, x)).subs(x, y)
    ends = limit(sympy.diff(right, x), x, oo) + limit(sympy.diff(left, x), x, -oo)
    t = sympy.Symbol("t", real=True)
    smooth0 = sympy.integrate(2 * Abs(t) / (pi * (1 + t**2) ** 2), (t, -oo, oo))
    span = limit(sympy.diff(right, x).subs(y, 0), x, oo) - limit(
        sympy.diff(left, x).subs(y, 0), x, -oo)
    return [
        Step.eq(r"for $x > x'$: $\partial_x^2\Theta = 2(x - x')/(\pi(1 + x^2)^2)$",
                sympy.diff(right, x, 2), 2 * (x - y) / (pi * (1 + x**2) ** 2)),
        Step.eq(r"for $x < x'$: $\partial_x^2\Theta = 2(x' - x)/(\pi(1 + x^2)^2)$: together"
                r" $2|x - x'|/(\pi(1+x^2)^2) \geq 0$",
                sympy.diff(left, x, 2), 2 * (y - x) / (pi * (1 + x**2) ** 2)),
        Step.eq(r"the slope jumps by $-1/\pi$ at $x = x'$ (a concave kink)", jump, -1 / pi),
        Step.eq(r"$\partial_x\Theta(-\infty, x') + \partial_x\Theta(+\infty, x') = x'$, so"
                r" $f = \sum_i c_i\Theta(\cdot, x_i)$ has $f'(-\infty) + f'(+\infty) ="
                r" \sum_i c_i x_i$", ends, y),
        Step.eq(r"consistency at $x' = 0$: $-1/\pi + \int 2|t|/(\pi(1+t^2)^2)\,dt = 1/\pi ="
                r" f'(+\infty) - f'(-\infty)$",
                Matrix([-1 / pi + smooth0, span]), Matrix([1 / pi, 1 / pi])),
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
            r" (piecewise integrals of $(a + bt)/(1+t^2)^2$). General identities; one"
            r" consistency instance."
        ),
        source=f"derived here from the closed form of {JACOT}, Thm 1; R as in Savarese,"
               " Evron, Soudry and Srebro, COLT 2019, Thm 1",
        derive=_derive_curvature,
    )
)

"""R(f) for a sympy expression f(x): the total variation of f' and the end slopes (docs/relu1d.md).

Three routes, tried in order:

1. **piecewise linear, exact** (:func:`piecewise_linear`): sums, rational multiples, Max, Min,
   Abs and relu of piecewise-linear arguments are built bottom-up as (left slope, value at 0,
   slope jumps at the kinks) in exact sympy numbers. No symbolic solving: 1,000 ReLU units
   take milliseconds. A Heaviside or sign of an argument that changes sign is a jump of f:
   R = ∞.
2. **symbolic**: f is rewritten as a Piecewise, split at its breakpoints; on each smooth piece
   the zeros of f'' come from ``solveset`` when it returns a finite set, and the total
   variation of f' is the sum of |Δf'| between them; jumps of f' at breakpoints are added.
3. **numeric, flagged**: where ``solveset`` cannot find the zeros of f'', ∫|f''| over the piece
   is integrated by adaptive quadrature (scipy) on a partition built from the function's own
   centers (c = -b/a of every argument a·x + b of a transcendental function), so the result
   does not depend on where the features sit on the line (invariant under x -> x - c and
   x -> -x); the result is marked approximate with the quadrature's error estimate.

Soundness checks first: f must be defined and real on the whole line (else
:class:`~implicit_bias.theory.errors.DomainError`), continuous (a discontinuity or a
singularity at a point gives R = ∞), and f' must be bounded near every point (an unbounded
f' gives ∞); f'(±∞) must exist (else the variation is unbounded: ∞).
"""

from __future__ import annotations

import math
import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import sympy as sp
from sympy.core.relational import Relational

from .errors import DomainError, SolverError

__all__ = ["total_variation", "piecewise_linear", "TV", "time_limit", "TimeLimitError"]


class TimeLimitError(SolverError):
    """The computation of R(f) exceeded its time limit (the message says which step)."""


class _Timeout(BaseException):
    """Raised by the alarm handler (a BaseException, so library code's ``except Exception``
    inside sympy cannot swallow it); turned into :class:`TimeLimitError` by the caller."""


@contextmanager
def time_limit(seconds: float | None, what: str, *, error: bool = True):
    """Interrupt the block after ``seconds`` (main thread, POSIX; elsewhere no limit).

    ``error``: raise :class:`TimeLimitError`; else raise ``_Timeout`` for the caller to catch
    (an inner, softer limit). Nests: an outer limit keeps counting and fires if it expires
    first.
    """
    if not seconds or threading.current_thread() is not threading.main_thread() or \
            not hasattr(signal, "SIGALRM"):
        yield
        return
    import time

    outer_left, _ = signal.getitimer(signal.ITIMER_REAL)
    start = time.monotonic()
    mine = seconds if not outer_left else min(seconds, outer_left)
    expired_outer = bool(outer_left) and outer_left <= seconds

    def handler(signum, frame):
        if expired_outer:
            raise _Timeout("outer")
        raise _Timeout(what)

    old = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, mine)
    try:
        yield
    except _Timeout as exc:
        if error or str(exc) == "outer":
            if str(exc) == "outer":
                raise
            raise TimeLimitError(f"{what} took longer than {seconds:g} s; a simpler "
                                 "expression, or a larger time limit, may help") from None
        raise
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
        if outer_left:
            left = outer_left - (time.monotonic() - start)
            signal.setitimer(signal.ITIMER_REAL, max(left, 1e-3))


@dataclass(frozen=True)
class TV:
    """∫|f''| (``tv``, jumps of f' included), ``left``/``right`` = f'(∓∞), ``exact``, the
    ``error`` bound of a numeric value (0 when exact) and the ``route`` taken."""

    tv: object
    left: object
    right: object
    exact: bool
    error: float
    route: str


INF = TV(sp.oo, None, None, True, 0.0, "")
#: how long ``solveset`` may look for the zeros of f'' on one piece before the numeric route
SOLVE_SECONDS = 2.0
#: time allowed to simplify an exact total variation (it stays exact without it)
SIMPLIFY_SECONDS = 1.0

# ------------------------------------------------------------------ 1. piecewise linear


class _PL:
    """f(x) = v0 + sL·x + Σ_k J_k ((x - k)_+ - (-k)_+): exact sympy numbers."""

    __slots__ = ("sL", "v0", "J")

    def __init__(self, sL, v0, J):
        self.sL, self.v0, self.J = sL, v0, J

    def __add__(self, o):
        J = dict(self.J)
        for k, v in o.J.items():
            J[k] = J.get(k, 0) + v
        return _PL(self.sL + o.sL, self.v0 + o.v0, J)

    def scale(self, c):
        return _PL(c * self.sL, c * self.v0, {k: c * v for k, v in self.J.items()})

    def knots(self):
        return sorted(k for k, v in self.J.items() if v != 0)

    def values(self, pts):
        """f at sorted points, in one sweep: with C = v0 - Σ_k J_k (-k)_+,
        f(x) = (C - Σ_{k<x} J_k k) + (sL + Σ_{k<x} J_k) x."""
        ks = self.knots()
        c = self.v0 - sum((self.J[k] * (-k) for k in ks if k < 0), sp.S.Zero)
        s, i, out = self.sL, 0, []
        for p in pts:
            while i < len(ks) and ks[i] < p:
                c -= self.J[ks[i]] * ks[i]
                s += self.J[ks[i]]
                i += 1
            out.append(c + s * p)
        return out


def _relu(d: _PL) -> _PL:
    """max(d, 0) as a _PL: d's kinks and its zero crossings are the new kinks."""
    ks = d.knots()
    sR = d.sL + sum((d.J[k] for k in ks), sp.S.Zero)
    vals = d.values(ks)
    cross = []
    if ks:
        if d.sL != 0 and ks[0] - vals[0] / d.sL < ks[0]:
            cross.append(ks[0] - vals[0] / d.sL)
        for a, fa, b, fb in zip(ks, vals, ks[1:], vals[1:], strict=False):
            if (fa > 0 > fb) or (fa < 0 < fb):
                cross.append(a + (b - a) * fa / (fa - fb))
        if sR != 0 and ks[-1] - vals[-1] / sR > ks[-1]:
            cross.append(ks[-1] - vals[-1] / sR)
    elif d.sL != 0:
        cross.append(-d.v0 / d.sL)
    allp = sorted(set(ks) | set(cross))
    if not allp:  # d constant
        return _PL(sp.S.Zero, max(d.v0, sp.S.Zero), {})
    fv = d.values(allp)
    g = [max(v, sp.S.Zero) for v in fv]
    # the tails keep d's end slopes where d > 0 beyond the outer points, else slope 0
    left = d.sL if (fv[0] > 0 or (fv[0] == 0 and d.sL < 0)) else sp.S.Zero
    right = sR if (fv[-1] > 0 or (fv[-1] == 0 and sR > 0)) else sp.S.Zero
    inner = [(g[i + 1] - g[i]) / (allp[i + 1] - allp[i]) for i in range(len(allp) - 1)]
    slopes = [left, *inner, right]
    J = {p: slopes[i + 1] - slopes[i] for i, p in enumerate(allp)}
    shift = g[0] - _PL(left, sp.S.Zero, J).values([allp[0]])[0]
    return _PL(left, shift, J)


class _Discontinuous(Exception):
    pass


def _pl(e, x):
    """e as a _PL, or None if e is not piecewise linear in x (raises _Discontinuous for a
    jump of e)."""
    if e == x:
        return _PL(sp.S.One, sp.S.Zero, {})
    if e.is_number:
        if not e.is_real:
            return None
        return _PL(sp.S.Zero, e, {})
    if isinstance(e, sp.Add):
        parts = [_pl(a, x) for a in e.args]
        if any(p is None for p in parts):
            return None
        out = parts[0]
        for p in parts[1:]:
            out = out + p
        return out
    if isinstance(e, sp.Mul):
        nums = [a for a in e.args if a.is_number]
        rest = [a for a in e.args if not a.is_number]
        if len(rest) != 1:
            return None
        p = _pl(rest[0], x)
        return None if p is None else p.scale(sp.Mul(*nums))
    if isinstance(e, (sp.Max, sp.Min)):
        parts = [_pl(a, x) for a in e.args]
        if any(p is None for p in parts):
            return None
        out = parts[0]
        for q in parts[1:]:
            if isinstance(e, sp.Max):
                out = q + _relu(out + q.scale(-1))
            else:
                out = out + _relu(out + q.scale(-1)).scale(-1)
        return out
    if isinstance(e, sp.Abs):
        p = _pl(e.args[0], x)
        return None if p is None else _relu(p).scale(2) + p.scale(-1)
    if isinstance(e, (sp.Heaviside, sp.sign)):
        p = _pl(e.args[0], x)
        if p is None:
            return None
        ks = p.knots()
        vals = p.values(ks) if ks else [p.v0]
        sR = p.sL + sum(p.J[k] for k in ks)
        if p.sL != 0 or sR != 0 or any(v == 0 for v in vals) or \
                len({bool(v > 0) for v in vals}) > 1:
            raise _Discontinuous
        return _PL(sp.S.Zero, e.subs(x, 0), {})
    return None


def piecewise_linear(f, x):
    """(tv, f'(-∞), f'(+∞)) exactly if f is piecewise linear in x, else None; ``oo`` for a
    jump of f (a Heaviside or sign whose argument changes sign)."""
    try:
        p = _pl(f, x)
    except _Discontinuous:
        return sp.oo, None, None
    if p is None:
        return None
    ks = p.knots()
    tv = sp.Add(*[sp.Abs(p.J[k]) for k in ks]) if ks else sp.S.Zero
    return sp.nsimplify(tv) if tv.is_Float else tv, p.sL, p.sL + sp.Add(*[p.J[k] for k in ks])


# ------------------------------------------------------------------ 2./3. general


def _to_piecewise(f, x):
    g = f.rewrite(sp.Piecewise)
    g = g.replace(sp.Heaviside, lambda *a: sp.Piecewise((0, a[0] < 0), (1, True)))
    g = g.replace(sp.sign, lambda a: sp.Piecewise((-1, a < 0), (0, sp.Eq(a, 0)), (1, True)))
    return sp.piecewise_fold(g)


def _breakpoints(expr, x) -> list:
    pts = set()
    for rel in expr.atoms(Relational):
        if x not in rel.free_symbols:
            continue
        sol = sp.solveset(sp.Eq(rel.lhs, rel.rhs), x, sp.S.Reals)
        if isinstance(sol, sp.FiniteSet):
            pts.update(p for p in sol if p.is_real)
        else:
            raise NotImplementedError(f"cannot locate the breakpoints of {rel}")
    return sorted(pts, key=lambda p: float(p))


def _branch(expr, x, point):
    """The smooth expression that ``expr`` equals near ``point``."""

    def pick(e):
        if isinstance(e, sp.Piecewise):
            for val, cond in e.args:
                c = cond.subs(x, point) if cond is not sp.true else sp.true
                if c == sp.true:
                    return pick(val)
            raise NotImplementedError("Piecewise without a matching branch")
        if e.args:
            return e.func(*[pick(a) for a in e.args])
        return e

    return pick(expr)


def _limit(g, x, point, direction):
    """lim g at ``point`` (one-sided from ``direction`` at a finite point), or None where sympy
    finds none. A sum is taken term by term first: when every term has a finite limit, the
    sum's limit is their sum (gruntz on a sum of tanh's took 0.27 s, its terms 0.05 s in
    all); otherwise (an infinite term may cancel) the whole sum is passed on."""
    terms = sp.Add.make_args(g)
    if len(terms) > 1:
        vals = [_limit_one(t, x, point, direction) for t in terms]
        if all(v is not None and v.is_finite is True for v in vals):
            return sp.Add(*vals)
    return _limit_one(g, x, point, direction)


def _limit_one(g, x, point, direction):
    try:
        if point is sp.S.Infinity or point is sp.S.NegativeInfinity:
            val = sp.limit(g, x, point)
        else:
            val = sp.limit(g, x, point, dir=direction)
    except (NotImplementedError, ValueError, TypeError):
        return None
    if val.has(sp.AccumBounds) or val.has(sp.nan) or val is sp.zoo:
        return None
    return val


def _centers(f, x) -> list[float]:
    """-b/a of every argument a·x + b of a function application in f (the places where its
    features sit), and the real zeros of polynomial denominators' arguments."""
    out = set()
    for app in f.atoms(sp.Function):
        for arg in app.args:
            if x in arg.free_symbols:
                poly = sp.Poly(arg, x) if arg.is_polynomial(x) else None
                if poly is not None and poly.degree() == 1:
                    a, b = poly.all_coeffs()
                    if a.is_real and b.is_real and a != 0:
                        out.add(float(-b / a))
                elif poly is not None:
                    out.update(float(r) for r in poly.nroots() if abs(complex(r).imag) < 1e-12)
    for p in f.atoms(sp.Pow):
        base = p.base
        if x in base.free_symbols and base.is_polynomial(x):
            poly = sp.Poly(base, x)
            if poly.degree() == 1:
                a, b = poly.all_coeffs()
                out.add(float(-b / a))
    return sorted(out)


def _numeric_tv(g, x, lo, hi, centers) -> tuple[float, float]:
    """∫|g''| over (lo, hi) by adaptive quadrature on a partition around ``centers`` (each at
    widths 1/8 ... 64 from it), tails to ±∞ integrated with quad's infinite-range rule.
    Returns (value, error estimate); inf where the integral diverges."""
    import warnings

    from scipy import integrate

    try:
        d2 = sp.lambdify(x, sp.diff(g, x, 2), "numpy")
    except Exception as exc:  # noqa: BLE001 - sympy raises printer-specific errors
        raise SolverError(f"cannot evaluate f'' numerically: {type(exc).__name__}") from None

    def a(t):
        with np.errstate(all="ignore"):
            v = float(abs(d2(t)))
        return v if math.isfinite(v) else 0.0

    flo = -math.inf if lo is sp.S.NegativeInfinity else float(lo)
    fhi = math.inf if hi is sp.S.Infinity else float(hi)
    cs = [c for c in centers if flo < c < fhi] or [max(min(0.0, fhi - 1), flo + 1)
                                                   if math.isfinite(flo) or math.isfinite(fhi)
                                                   else 0.0]
    widths = [0.125 * 2**k for k in range(10)]
    pts = {p for c in cs for w in widths for p in (c - w, c + w)} | set(cs)
    pts = sorted(p for p in pts if flo < p < fhi)
    edges = [flo, *pts, fhi]
    total, err = 0.0, 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error", integrate.IntegrationWarning)
        for u, v in zip(edges[:-1], edges[1:], strict=True):
            try:
                val, e = integrate.quad(a, u, v, limit=200, epsabs=1e-13, epsrel=1e-12)
            except integrate.IntegrationWarning:
                val, e = integrate.quad(a, u, v, limit=500)
                if not math.isfinite(val) or (not math.isfinite(u) or not math.isfinite(v)) \
                        and val > 1e12:
                    return math.inf, 0.0
                e = max(e, 1e-6 * abs(val))
            total += val
            err += e
    return total, err


def total_variation(f, x, *, seconds: float | None = None) -> TV:
    """∫|f''| (jumps of f' included) and f'(∓∞) for a sympy expression f of the real symbol x.

    ``oo`` where f has a jump or a singularity at a point, where f' is unbounded near a point,
    or where f'(±∞) does not exist or is infinite; DomainError where f is not real-valued on
    part of the line; TimeLimitError past ``seconds``.
    """
    pl = piecewise_linear(f, x)
    if pl is not None:
        tv, left, right = pl
        if tv is sp.oo:
            return INF
        return TV(tv, left, right, True, 0.0, "piecewise linear (exact)")
    try:
        with time_limit(seconds, "the analysis of f"):
            return _general(f, x)
    except _Timeout:
        raise TimeLimitError(f"the analysis of f took longer than {seconds:g} s") from None


_STEPS = (sp.floor, sp.ceiling, sp.frac)


def _general(f, x) -> TV:
    if any(x in a.free_symbols for a in f.atoms(*_STEPS)):
        raise SolverError("R(f) is not implemented for floor, ceiling or frac of x (a "
                          "discontinuity could cancel); rewrite f with Heaviside or Max")
    try:
        dom = sp.calculus.util.continuous_domain(f, x, sp.S.Reals)
    except (NotImplementedError, ValueError, TypeError):
        dom = None
    if dom is not None and dom != sp.S.Reals:
        gap = sp.Complement(sp.S.Reals, dom)
        if isinstance(gap, sp.FiniteSet) or (hasattr(gap, "measure") and gap.measure == 0):
            return INF  # a singularity or discontinuity at points: f is not in the class
        raise DomainError(f"f is not defined (real) on all of the real line: it fails on {gap}")
    fp = _to_piecewise(f, x)
    df = sp.piecewise_fold(sp.diff(fp, x))
    try:
        pts = _breakpoints(fp, x) + _breakpoints(df, x)
    except NotImplementedError as exc:
        raise SolverError(f"cannot analyse f: {exc}") from None
    pts = sorted(set(pts), key=lambda p: float(p))
    edges = [sp.S.NegativeInfinity, *pts, sp.S.Infinity]
    centers = _centers(f, x) + [float(p) for p in pts]
    tv, err, exact = sp.S.Zero, 0.0, True
    left = right = None
    ends, fends = [], []
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        if lo is sp.S.NegativeInfinity and hi is sp.S.Infinity:
            mid = sp.S.Zero
        elif lo is sp.S.NegativeInfinity:
            mid = hi - 1
        elif hi is sp.S.Infinity:
            mid = lo + 1
        else:
            mid = (lo + hi) / 2
        g = _branch(df, x, mid)
        G = _branch(fp, x, mid)
        # f' must be bounded and continuous inside the piece
        try:
            gdom = sp.calculus.util.continuous_domain(g, x, sp.Interval.open(lo, hi))
        except (NotImplementedError, ValueError, TypeError):
            gdom = sp.Interval.open(lo, hi)
        if gdom != sp.Interval.open(lo, hi):
            return INF  # f' singular inside a smooth piece: unbounded (or undefined) f'
        vlo, vhi = _limit(g, x, lo, "+"), _limit(g, x, hi, "-")
        flo_, fhi_ = _limit(G, x, lo, "+"), _limit(G, x, hi, "-")
        if vlo is None or vhi is None or vlo.is_infinite or vhi.is_infinite:
            return INF
        if lo is sp.S.NegativeInfinity:
            left = vlo
        if hi is sp.S.Infinity:
            right = vhi
        dg = sp.diff(g, x)
        crit = None
        if dg != 0:
            try:
                with time_limit(SOLVE_SECONDS, "solveset", error=False):
                    sol = sp.solveset(dg, x, sp.Interval.open(lo, hi))
            except (NotImplementedError, ValueError, TypeError, _Timeout):
                sol = None  # no closed form found in time: the numeric route decides
            if isinstance(sol, sp.FiniteSet):
                crit = sorted(sol, key=lambda p: float(p))
            elif sol is sp.S.EmptySet:
                crit = []
        else:
            crit = []
        if crit is not None:
            nodes = [vlo, *[g.subs(x, c) for c in crit], vhi]
            tv += sum(sp.Abs(b - a) for a, b in zip(nodes[:-1], nodes[1:], strict=True))
        else:
            val, e = _numeric_tv(G, x, lo, hi, centers)
            if not math.isfinite(val):
                return INF
            tv += sp.Float(val)
            err += e
            exact = False
        ends.append((vlo, vhi))
        fends.append((flo_, fhi_))
    # f continuous at the breakpoints; f' jumps there add to the variation
    for (_, fl), (fr, _) in zip(fends[:-1], fends[1:], strict=True):
        if fl is None or fr is None or sp.simplify(fl - fr) != 0:
            return INF
    for (_, jl), (jr, _) in zip(ends[:-1], ends[1:], strict=True):
        tv += sp.Abs(jr - jl)
    if exact:
        # solveset may return critical points in closed forms so large that simplifying
        # their sum takes minutes (which happens depends on sympy's set order, i.e. on the
        # process' hash seed: tanh(x) + tanh(x - 10) took 4 s or > 60 s); the sum is exact
        # either way, so a simplification that does not finish in time is skipped
        try:
            with time_limit(SIMPLIFY_SECONDS, "simplify", error=False):
                tv = sp.nsimplify(sp.simplify(tv)) if tv.has(sp.Float) else sp.simplify(tv)
            route = "symbolic (exact)"
        except _Timeout:
            route = "symbolic (exact, not simplified)"
        return TV(tv, left, right, True, 0.0, route)
    return TV(sp.Float(sp.N(tv, 15)), left, right, False, err, "numeric quadrature")


"""Total variation of f' for a sympy expression f(x): the symbolic core of R(f) (SPEC §3)."""

from __future__ import annotations

import sympy as sp
from sympy.core.relational import Relational

__all__ = ["total_variation_of_derivative"]


def _to_piecewise(f, x):
    g = f.rewrite(sp.Piecewise)
    g = g.replace(sp.Heaviside, lambda *a: sp.Piecewise((0, a[0] < 0), (1, True)))
    return sp.piecewise_fold(g)


def _breakpoints(expr, x) -> list:
    """Real points where a Piecewise condition in ``expr`` changes truth value."""
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
    """The smooth expression that ``expr`` equals near ``point`` (a Piecewise evaluated by its
    conditions at ``point``; plain expressions are returned unchanged)."""

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


def _critical_points(g, x, lo, hi):
    """Zeros of g' in (lo, hi): exact where sympy can, else located numerically."""
    dg = sp.simplify(sp.diff(g, x))
    if dg == 0:
        return [], False
    interval = sp.Interval.open(lo, hi)
    sol = sp.solveset(dg, x, interval)
    if isinstance(sol, sp.FiniteSet):
        return sorted(sol, key=lambda p: float(p)), False
    if sol is sp.S.EmptySet:
        return [], False
    # numeric fallback: sign changes of g' on a grid, refined by nsolve
    import numpy as np

    flo = -50.0 if lo is sp.S.NegativeInfinity else float(lo)
    fhi = 50.0 if hi is sp.S.Infinity else float(hi)
    grid = np.linspace(flo, fhi, 4001)[1:-1]
    fn = sp.lambdify(x, dg, "numpy")
    vals = np.asarray(fn(grid), dtype=float) * np.ones_like(grid)
    roots = []
    for i in np.nonzero(np.sign(vals[:-1]) * np.sign(vals[1:]) < 0)[0]:
        roots.append(sp.Float(sp.nsolve(dg, x, (grid[i], grid[i + 1]), solver="bisect")))
    return roots, True


def _limit(g, x, point, direction):
    if point is sp.S.Infinity or point is sp.S.NegativeInfinity:
        val = sp.limit(g, x, point)
    else:
        val = sp.limit(g, x, point, dir=direction)
    if val.has(sp.AccumBounds) or val.has(sp.nan) or val is sp.zoo:
        return None
    return val


def total_variation_of_derivative(f, x):
    """(∫|f''|, f'(-∞), f'(+∞)) for a sympy expression f of the real symbol x.

    f'(±∞) is None where the limit does not exist; the total variation is ``oo`` where it
    diverges (including f'(±∞) = ±∞).
    """
    f = sp.sympify(f)
    df = sp.diff(_to_piecewise(f, x), x)
    df = sp.piecewise_fold(df)
    pts = _breakpoints(df, x)
    edges = [sp.S.NegativeInfinity, *pts, sp.S.Infinity]
    tv = sp.S.Zero
    numeric = False
    left_inf = right_inf = None
    ends = []  # (f' at the left end, f' at the right end) of each smooth piece
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
        crit, num = _critical_points(g, x, lo, hi)
        numeric |= num
        nodes = [lo, *crit, hi]
        vals = []
        for k, p in enumerate(nodes):
            if k == 0:
                v = _limit(g, x, p, "+")
            elif k == len(nodes) - 1:
                v = _limit(g, x, p, "-")
            else:
                v = g.subs(x, p)
            if v is None:
                return sp.oo, None, None
            vals.append(v)
        if lo is sp.S.NegativeInfinity:
            left_inf = vals[0]
        if hi is sp.S.Infinity:
            right_inf = vals[-1]
        if any(v.is_infinite for v in vals):
            return sp.oo, left_inf if left_inf is None or left_inf.is_finite else None, None
        tv += sum(sp.Abs(b - a) for a, b in zip(vals[:-1], vals[1:], strict=True))
        ends.append((vals[0], vals[-1]))
    # jumps of f' at the breakpoints: one-sided limits of the adjacent smooth branches
    # (sympy's limit of a Piecewise at its own boundary is not reliable)
    for (_, jl), (jr, _) in zip(ends[:-1], ends[1:], strict=True):
        tv += sp.Abs(jr - jl)
    tv = sp.nsimplify(sp.simplify(tv)) if not numeric else sp.Float(sp.N(tv, 15))
    return tv, left_inf, right_inf

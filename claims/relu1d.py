"""Claims of 1-D ReLU nets: minimal-norm interpolation -> ∫|f''| (docs/relu1d.md).

Savarese, Evron, Soudry & Srebro (COLT 2019): the representation cost of f by a
one-hidden-layer ReLU net (weight decay ½Σ(a² + w²), free biases) is
R(f) = max(∫|f''|, |f'(-∞) + f'(+∞)|) (∫|f''| with a free linear unit), and the minimal cost
of interpolating (x_i, y_i) is max(V, (V + |S|)/2) (V with the skip unit). These are
statements about the minimum over all nets (weight decay λ -> 0), not about plain GD, so the
training route is explicit: Adam on the square loss plus a decaying λ_t·C(θ).

The prediction is checked two-sidedly without trusting the optimizer: the closed form must lie
between an independent lower bound (the mean-value argument, as an LP over the end slopes) and
an independent upper bound (a kink-grid LP over interpolants), and every trained net gives a
one-sided check (C(θ) >= min R(y) - G‖f(x) - y‖). A trained net above the predicted minimum
refutes nothing (Adam is a local method on a non-convex problem): such instances are
optimization failures, counted and shown, never agreement. The known-false conjecture beside
them: the linear spline is the unique minimal interpolant.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import sympy as sp
from hypothesis import strategies as st
from scipy.optimize import linprog

from implicit_bias.numerics import relu1d as nr
from implicit_bias.theory import relu1d as tr
from implicit_bias.theory.results import REFERENCES, Kind
from implicit_bias.theory.strategies import interpolation_data, rational_interpolation

from .core import Claim, Measurement, as_float, batch_memo

__all__ = ["THEOREM", "CLAIMS", "DATA_CLAIMS", "SETTINGS", "N_BUCKET", "TRAINING", "instances",
           "data_instance"]

THEOREM = "relu1d"
N_BUCKET = 8  # points per instance, padded
#: the training budget of every relu1d claim (width, seeds per dataset, Adam steps, the weight
#: decay's start λ₀ and final value λ₁, step size)
TRAINING = {"width": 32, "seeds": 4, "steps": 20_000, "lam0": 1e-3, "lam1": 1e-6, "lr": 1e-2}
#: the same dict, overridable by ``verify relu1d --data`` (steps, lr, width, seeds, lam0, lam1)
SETTINGS = TRAINING
#: a user's data file holds two columns x, y
DATA_FORMAT = "interpolation"
#: Adam's optimization error on the weight-decayed objective: measured (no rate exists for a
#: local method on a non-convex problem), not derived; instances above it are optimization
#: failures, shown as such
OPT_BUDGET = 0.03

#: the LP bracket's resolution: HiGHS's default feasibility tolerance 1e-7 on data of unit
#: scale, 1e-6 relative to R (measured worst disagreement of the two LPs with the closed form
#: over 1,000 drawn datasets: 3e-8)
LP_TOL = 1e-6

FAMILIES = {"no skip, |S| > V": (False, True), "no skip, |S| <= V": (False, False),
            "skip": (True, None)}


def _family(name):
    skip, boundary = FAMILIES[name]
    return interpolation_data(n_points=(2, N_BUCKET), boundary=boundary).map(
        lambda d: {"x": d[0].tolist(), "y": d[1].tolist(), "skip": skip, "family": name})


def instances():
    """1-D datasets of the three families (boundary term active or inactive without skip;
    with skip), sorted distinct knots from positive gaps, as float instances."""
    return st.one_of(*[_family(n) for n in FAMILIES])


def _scale(x, y, min_cost):
    """R's natural unit for the data: max(min R, max|y|/span) (1 where y = 0)."""
    ymax = float(np.max(np.abs(y)))
    return max(min_cost, ymax / max(float(x[-1] - x[0]), 1e-300)) or 1.0


@batch_memo
def _runs(insts, seed):
    """Train every instance (grouped by skip: the model differs) and collect per instance
    (x, y, skip, fit with leading axis seeds, the prediction)."""
    out = [None] * len(insts)
    for skip in (False, True):
        idx = [i for i, inst in enumerate(insts) if bool(inst["skip"]) == skip]
        if not idx:
            continue
        nb = max(N_BUCKET, *(len(insts[i]["x"]) for i in idx))
        X = np.zeros((len(idx), nb))
        Y = np.zeros((len(idx), nb))
        M = np.zeros((len(idx), nb), bool)
        for j, i in enumerate(idx):
            x, y = as_float(insts[i]["x"]), as_float(insts[i]["y"])
            X[j], Y[j] = x[0], y[0]
            X[j, : x.size], Y[j, : x.size], M[j, : x.size] = x, y, True
        t = TRAINING
        fit = nr.train_batch(X, Y, mask=M, key=jax.random.key(seed), width=t["width"],
                             skip=skip, seeds=t["seeds"], steps=int(t["steps"]),
                             lam0=t["lam0"], lam1=t["lam1"], lr=t["lr"])
        for j, i in enumerate(idx):
            x, y = as_float(insts[i]["x"]), as_float(insts[i]["y"])
            one = nr.Fit(*[v if k in ("t",) else (
                {kk: vv[j] for kk, vv in v.items()} if isinstance(v, dict) else v[j])
                for k, v in fit._asdict().items()])
            pred = tr.min_norm_interpolation(x, y, skip=skip)
            out[i] = (x, y, skip, one, pred)
    return out


def _best_seed(fit):
    """The seed with the lowest final objective ½‖r‖² + λ₁C (the trainer's own objective):
    the selection uses nothing the claims test."""
    return int(np.argmin(fit.loss[:, -1] + TRAINING["lam1"] * fit.penalty[:, -1]))


EPS = float(np.finfo(float).eps)


def _fit_fields(fit, s, skip):
    """The public fields of seed ``s`` of a :class:`~implicit_bias.numerics.relu1d.Fit`
    against the net they describe (None: all hold, else what broke).

    * ``cost`` and ``path_norm`` equal ½Σ(a² + w²) and Σ|a w| of the returned ``params``;
    * the params are balanced (|a_i| = |w_i|, so C(θ) - path norm = ½Σ(|a_i| - |w_i|)² = 0);
    * ``network_cost`` of the same net with its units rescaled (a_i c_i, w_i/c_i, b_i/c_i),
      c_i = 2^{±1} (the same function, another cost), has path norm Σ|a w| and R = the
      ``representation`` field: both are functions of f (and the path norm of the products
      a_i w_i) only. On a balanced net C = path norm, so only the rescaled copy tells the path
      norm from the cost.

    Tolerance: each sum has ``width`` terms, each exact to 2 eps (relative), so two ways of
    summing agree to 4 width eps of the larger sum; the rescaling by powers of 2 is exact.
    """
    p = {k: v[s] for k, v in fit.params.items()}
    a, w, b = (np.asarray(p[k], float) for k in ("a", "w", "b"))
    cost, path = 0.5 * float(np.sum(a**2 + w**2)), float(np.sum(np.abs(a * w)))
    tol = 4 * max(a.size, 1) * EPS * max(cost, path)
    if abs(fit.cost[s] - cost) > tol or abs(fit.path_norm[s] - path) > tol:
        return (f"Fit.cost = {fit.cost[s]!r} or Fit.path_norm = {fit.path_norm[s]!r} differs "
                f"from 1/2 sum(a^2 + w^2) = {cost!r} or sum|a w| = {path!r} of Fit.params")
    if cost - path > tol:
        return (f"the balanced net is not balanced: C(theta) = {cost!r} > path norm {path!r} "
                "(1/2 sum(|a| - |w|)^2 must be 0 after numerics.relu1d.balance)")
    f = np.where(np.arange(a.size) % 2 == 0, 2.0, 0.5)
    nc = tr.network_cost(a * f, w / f, b / f, float(p["c"]),
                         skip=float(p["v"]) if skip else None)
    if abs(nc.path_norm - path) > tol:
        return (f"network_cost's path_norm of the net with units rescaled by 2^(+-1) is "
                f"{nc.path_norm!r}, not sum|a w| = {path!r} (the path norm is invariant under "
                f"rescaling; the cost of the rescaled net is {nc.cost!r})")
    if abs(nc.representation - fit.representation[s]) > tol:
        return (f"network_cost's R(f) of the net with units rescaled by 2^(+-1) is "
                f"{nc.representation!r}, not Fit.representation = {fit.representation[s]!r} "
                "(R depends on the function only)")
    return None


def _measure_chain(insts, seed):
    out = []
    for x, y, skip, fit, pred in _runs(insts, seed):
        scale = _scale(x, y, pred.cost)
        worst = 0.0
        bad = None
        for s in range(fit.cost.shape[0]):
            bad = bad or _fit_fields(fit, s, skip)
            p = {k: v[s] for k, v in fit.params.items()}
            fx = nr.evaluate(p, x, skip)
            own = tr.min_norm_interpolation(x, fx, skip=skip).cost
            worst = max(worst, fit.path_norm[s] - fit.cost_unbalanced[s],
                        fit.path_norm[s] - fit.cost[s],
                        fit.representation[s] - fit.path_norm[s], own - fit.representation[s])
        out.append(Measurement(max(0.0, worst) / scale, predicted=pred.cost,
                               measured=float(np.min(fit.cost)), invariant=bad))
    return out


CHAIN = Claim(
    "relu1d.cost-chain", THEOREM, "C(theta) >= path norm >= R(f_theta) >= min R(f_theta(x)), "
    "every seed", Kind.UPPER_BOUND, REFERENCES["relu1d"],
    "1-D data of three families (boundary term active/inactive, skip), N <= 8",
    "Adam on the square loss + lambda_t C(theta), width {width}, {seeds} seeds, {steps} "
    "steps".format(**TRAINING), "violation / scale", 1e-9,
    "one-sided (AM-GM, then f'(+inf) + f'(-inf) = sum a_i w_i and int|f''| <= sum |a_i w_i|): "
    "must never fail; 1e-9 of the scale for rounding. Implementation error if Fit.cost or "
    "path_norm differ from the params', the params are not balanced, or network_cost of the "
    "net with units rescaled by 2^(+-1) changes the path norm or R (4 width eps)",
    instances, _measure_chain, seeded=True, budget=20, group="fit")


def _measure_lower(insts, seed):
    out = []
    for x, y, _skip, fit, pred in _runs(insts, seed):
        scale = _scale(x, y, pred.cost)
        worst = 0.0
        for s in range(fit.cost.shape[0]):
            r = float(fit.interpolation_error[s]) * np.sqrt(x.size)  # ‖r‖₂ <= √N max|r|
            worst = max(worst, pred.cost - float(fit.lipschitz) * r - float(fit.cost[s]))
        out.append(Measurement(max(0.0, worst) / scale, predicted=pred.cost,
                               measured=float(np.min(fit.cost))))
    return out


LOWER = Claim(
    "relu1d.trained-lower-bound", THEOREM, "C(theta) >= min R(y) - G |f(x) - y|, every seed",
    Kind.LOWER_BOUND, REFERENCES["relu1d"], "the cost-chain runs", "the cost-chain runs",
    "violation / scale", 1e-9,
    "min R is G-Lipschitz in y (numerics.relu1d.lipschitz_bound) and C(theta) >= min R of "
    "f_theta's own values: a trained net below refutes the predicted minimum",
    instances, _measure_lower, seeded=True, budget=20, group="fit")


_X = sp.Symbol("x", real=True)


def _as_sympy(f: tr.PiecewiseLinear):
    """f as a sympy sum of ReLU units with exact rational coefficients (the floats' own
    values): f(k_0) + f'(-inf)(x - k_0) + sum_j J_j max(0, x - k_j), the slopes and their jumps
    J_j recomputed in exact arithmetic (nothing from PiecewiseLinear's float jumps). Each unit
    max(0, u) is written (u + |u|)/2, the same function, which sympy builds without comparing
    Max's arguments (3x faster)."""
    k = [sp.Rational(float(t)) for t in f.knots]
    v = [sp.Rational(float(t)) for t in f.values]
    slopes = [sp.Rational(float(f.left_slope)),
              *[(v[i + 1] - v[i]) / (k[i + 1] - k[i]) for i in range(len(k) - 1)],
              sp.Rational(float(f.right_slope))]
    return v[0] + slopes[0] * (_X - k[0]) + sp.Add(
        *[(slopes[i + 1] - slopes[i]) * (_X - k[i] + sp.Abs(_X - k[i], evaluate=False)) / 2
          for i in range(len(k))])


def _symbolic_r(f: tr.PiecewiseLinear, skip: bool, expected: float, what: str, memo: dict):
    """representation_cost (the user's R(f), symbolic route) of the piecewise-linear f against
    the closed-form value ``expected`` (None: agree, else what broke); ``memo`` holds the
    values already computed for this instance (the minimizer is the spline itself unless its
    tails bend).

    Tolerance: the symbolic value is exact for f's float knots and values; the closed form
    rounds each slope to 3 eps (relative) and sums at most 2n of them and their jumps, which
    stays below 16 n eps max(1, sum|slopes|) for n knots.
    """
    key = (f.knots.tobytes(), f.values.tobytes(), float(f.left_slope), float(f.right_slope))
    if key not in memo:
        memo[key] = tr.representation_cost(_as_sympy(f), _X, skip=skip)
    r = memo[key]
    got = float(r)
    tol = 16 * f.knots.size * EPS * max(1.0, float(np.sum(np.abs(f.slopes))))
    if not r.exact:
        return (f"representation_cost of {what} took the {r.route!r} route: a piecewise-linear "
                "function must take the exact one")
    if not abs(got - expected) <= tol:
        return (f"representation_cost of {what} is R = {r.value} = {got!r}, but the closed form "
                f"gives {expected!r} (PiecewiseLinear.representation_cost: "
                f"{f.representation_cost(skip=skip)!r})")
    return None


def _prediction_fields(x, y, skip, pred):
    """The Interpolant's fields against the user-facing R(f) (None: all hold): the symbolic
    R of ``pred.function`` (the explicit minimizer) is ``pred.cost``, and the symbolic R of
    the data's linear spline extended linearly is max(V, |S|) (V with skip) from ``pred.V``
    and ``pred.S`` -- where |S| > V (boundary term active) that is |S|, which only the
    boundary term f'(-inf) + f'(+inf) of R gives, and where consecutive slope jumps differ in
    sign V is the sum of |jumps|, not |sum of jumps|."""
    if x.size < 2:
        return None
    s = np.diff(y) / np.diff(x)
    spline = tr.PiecewiseLinear(x, y, float(s[0]), float(s[-1]))
    expected = pred.V if skip else max(pred.V, abs(pred.S))
    memo = {}
    return (_symbolic_r(spline, skip, expected, "the data's extended linear spline", memo)
            or _symbolic_r(pred.function, skip, pred.cost,
                           "the explicit minimizer (Interpolant.function)", memo))


def _measure_min(insts, seed):
    out = []
    for x, y, skip, fit, pred in _runs(insts, seed):
        bad = _prediction_fields(x, y, skip, pred)
        scale = _scale(x, y, pred.cost)
        s = _best_seed(fit)
        C = float(fit.cost[s])
        upper = tr.grid_upper_bound(x, y, skip=skip)
        lower = tr.mean_value_lower_bound(x, y, skip=skip)
        bounds = max(0.0, pred.cost - upper, lower - pred.cost) / scale
        gap = abs(C - pred.cost) / scale
        # a net that does not interpolate yet can cost less than min R(y), by at most G|r|
        # (min R is G-Lipschitz in y): that deficit is the run's, not the prediction's
        slack = float(fit.lipschitz) * float(fit.interpolation_error[s]) * np.sqrt(x.size)
        excuse = None
        if bounds <= LP_TOL and C > pred.cost:
            excuse = ("the trained net is above the predicted minimum, which the independent "
                      "LP bounds confirm: a local optimum of a non-convex problem refutes "
                      "nothing")
        elif bounds <= LP_TOL and pred.cost - C <= slack + 1e-9 * scale:
            excuse = (f"the net does not interpolate yet (|f(x) - y| gives slack G|r| = "
                      f"{slack:.3g}): its cost may lie below min R(y) by that much")
        out.append(Measurement(gap if bounds <= LP_TOL else max(gap, bounds),
                               predicted=pred.cost, measured=C, invariant=bad,
                               excuse=excuse, numbers={"lp_upper": upper, "lp_lower": lower,
                                                        "lp_violation": bounds}))
    return out


def _fits_figure(insts, seed, fig):
    """One trained fit per data family against a minimal interpolant (the selected seed)."""
    runs = _runs(insts, seed)
    seen = {}
    for inst, run in zip(insts, runs, strict=True):
        seen.setdefault(inst["family"], run)
    axes = fig.subplots(1, len(seen), squeeze=False)[0]
    for ax, (name, (x, y, skip, fit, pred)) in zip(axes, seen.items(), strict=True):
        s = _best_seed(fit)
        span = max(float(x[-1] - x[0]), 1.0)
        t = np.linspace(x[0] - 0.6 * span, x[-1] + 0.6 * span, 400)
        p = {k: v[s] for k, v in fit.params.items()}
        ax.plot(t, pred(t), "--", label=f"a minimal interpolant (R = {pred.cost:.3g})")
        ax.plot(t, nr.evaluate(p, t, skip), label=f"trained (C = {fit.cost[s]:.3g})")
        ax.plot(x, y, "ko", ms=4)
        ax.set_title(name, fontsize=8)
        ax.set_xlabel("x")
        ax.set_ylabel("f(x)")
        ax.legend(fontsize=6)


MIN_COST = Claim(
    "relu1d.min-cost", THEOREM, "trained C(theta) -> min R = max(V, (V + |S|)/2) (V with skip)",
    Kind.GLOBAL_MINIMUM, REFERENCES["relu1d"], "the cost-chain runs",
    "the cost-chain runs; per instance the seed with the lowest final objective",
    "max(|C - min R|, LP-bound violation) / scale", OPT_BUDGET,
    "the prediction must lie between the mean-value LP lower bound and the kink-grid LP upper "
    "bound (both independent of the closed form; any violation is a counterexample); training "
    "below it is a counterexample; above it by more than Adam's measured optimization error "
    "(3%; the lambda bias lambda1 G^2 is below 1e-4 here) an optimization failure. "
    "Implementation error if representation_cost of the data's extended spline is not "
    "max(V, |S|) (V with skip) or that of the explicit minimizer not its cost "
    "(16 n eps sum|slopes|)",
    instances, _measure_min, seeded=True, budget=20, group="fit", figure=_fits_figure)


def _final_decay(fit):
    """λ_T, the weight decay of the trainer's schedule (numerics.relu1d.WEIGHT_DECAY, the one
    it trains with) at the run's last recorded step T, for the budget it was trained with."""
    T = jnp.asarray(float(fit.t[-1]))
    hyper = {"lam0": jnp.asarray(float(TRAINING["lam0"])),
             "lam1": jnp.asarray(float(TRAINING["lam1"])), "T": T}
    lam = nr.WEIGHT_DECAY.strength(T, hyper)
    return float(lam), float(jnp.finfo(jnp.asarray(lam).dtype).eps)


def _measure_interp(insts, seed):
    out = []
    decays = {}  # λ_T per final step T (one per batch)
    for _x, y, _skip, fit, _pred in _runs(insts, seed):
        s = _best_seed(fit)
        ymax = float(np.max(np.abs(y))) or 1.0
        err = float(fit.interpolation_error[s]) / ymax
        # the tolerances (|r| <= lambda1 G, the lambda bias lambda1 G^2 of min-cost) assume the
        # decay ends at lambda1: lam0 (lam1/lam0)^1 rounds twice, so 4 eps of lambda1
        T = float(fit.t[-1])
        if T not in decays:
            decays[T] = _final_decay(fit)
        lam, eps = decays[T]
        lam1 = float(TRAINING["lam1"])
        bad = None
        if not abs(lam - lam1) <= 4 * eps * lam1:
            bad = (f"the weight decay at the last step T = {int(fit.t[-1])} is {lam!r}, not its "
                   f"final value lambda1 = {lam1!r}: the schedule does not anneal")
        out.append(Measurement(err, measured=err, invariant=bad,
                               numbers={"final_weight_decay": lam}))
    return out


INTERPOLATES = Claim(
    "relu1d.interpolates", THEOREM, "the trained net interpolates the data (selected seed)",
    Kind.EXACT_LIMIT, REFERENCES["relu1d"], "the cost-chain runs", "the cost-chain runs",
    "max|f(x) - y| / max|y|", OPT_BUDGET,
    "at the lambda1-optimum |r| <= lambda1 G; the rest is the optimizer's error (measured); "
    "implementation error if the weight decay at the last step is not lambda1 (4 eps)",
    instances, _measure_interp, seeded=True, budget=20, group="fit")


# --------------------------------------------------- known false: the spline is unique

GRID = 8  # sub-intervals per data interval for the kink-grid LP


def _spline_lp(inst, seed):
    """The minimizers of ∫|f''| over piecewise-linear interpolants with kinks on a grid (GRID
    per data interval): first the minimum c*, then a vertex of the minimizer set picked by a
    random (``seed``) linear objective over the grid values. Two LPs (scipy HiGHS)."""
    x, y = as_float(inst["x"]), as_float(inst["y"])
    g = np.concatenate([np.linspace(a, b, GRID + 1)[:-1]
                        for a, b in zip(x[:-1], x[1:], strict=True)] + [x[-1:]])
    G = g.size
    on = np.arange(0, G, GRID)
    h = np.diff(g)
    S = (np.eye(G, k=1)[: G - 1] - np.eye(G)[: G - 1]) / h[:, None]
    K = S[1:] - S[:-1]
    nk = K.shape[0]
    A_ub = np.block([[K, -np.eye(nk)], [-K, -np.eye(nk)]])
    b_ub = np.zeros(2 * nk)
    A_eq = np.zeros((on.size, G + nk))
    A_eq[np.arange(on.size), on] = 1.0
    bounds = [(None, None)] * G + [(0, None)] * nk
    c1 = np.concatenate([np.zeros(G), np.ones(nk)])
    opts = {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10}
    first = linprog(c1, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=y, bounds=bounds, method="highs",
                    options=opts)
    if first.status != 0:
        return {"status": f"LP 1: {first.message}"}
    cstar = float(first.fun)
    c2 = np.concatenate([np.random.default_rng(seed).normal(size=G), np.zeros(nk)])
    cap = cstar + 1e-9 * max(1.0, cstar)
    second = linprog(c2, A_ub=np.vstack([A_ub, c1]), b_ub=np.append(b_ub, cap), A_eq=A_eq,
                     b_eq=y, bounds=bounds, method="highs", options=opts)
    if second.status != 0:
        return {"status": f"LP 2: {second.message}"}
    f = second.x[:G]
    return {"status": "optimal", "grid": g, "f": f, "cstar": cstar,
            "cost": float(np.sum(np.abs(K @ f)))}


def _measure_unique(insts, seed):
    out = []
    for inst in insts:
        x, y = as_float(inst["x"]), as_float(inst["y"])
        V = tr.min_norm_interpolation(x, y, skip=True).cost
        run = _spline_lp(inst, seed)
        if run["status"] != "optimal":
            out.append(Measurement(0.0, excuse=run["status"]))
            continue
        tol = 1e-6 * max(1.0, V)
        bad = None
        if abs(run["cstar"] - V) > tol or abs(run["cost"] - V) > tol:
            bad = "the LP minimum or the vertex cost differs from V"
        dev = float(np.max(np.abs(run["f"] - np.interp(run["grid"], x, y))))
        out.append(Measurement(dev / max(1.0, float(np.max(np.abs(y)))), invariant=bad,
                               numbers={"min_cost": V, "lp_min": run["cstar"]}))
    return out


SPLINE_UNIQUE = Claim(
    "relu1d.spline-unique", THEOREM, "the linear spline is the unique minimal interpolant "
    "(with a free linear unit: min int|f''|)", Kind.GLOBAL_MINIMUM,
    "conjecture (Savarese et al. 2019, Sec. 4, give the minimum, not uniqueness)",
    "rational 1-D data, N <= 6", "two LPs over a kink grid (8 per data interval)",
    "max deviation of a minimizer from the spline / max(1, max|y|)", 1e-6,
    "HiGHS at feasibility tolerance 1e-10 on grid values whose kinks carry 1/h <= 2 GRID",
    lambda: rational_interpolation(n_points=(2, 6)), _measure_unique, expected=False,
    contradicts="minimizers are not unique where consecutive discrete curvatures share a "
    "sign (e.g. x = (0, 1/2, 1, 3/2), y = (0, -1/2, 0, 1))", budget=40, verify=False)


CLAIMS = (CHAIN, LOWER, MIN_COST, INTERPOLATES, SPLINE_UNIQUE)
#: the claims ``verify relu1d --data FILE`` checks on a user's points
DATA_CLAIMS = (CHAIN, LOWER, MIN_COST, INTERPOLATES)


def data_instance(x, y, *, skip: bool = False) -> dict:
    """A user's points as an instance (sorted; distinct knots are checked by the theory)."""
    order = np.argsort(np.asarray(x, float), kind="stable")
    return {"x": np.asarray(x, float)[order].tolist(), "y": np.asarray(y, float)[order].tolist(),
            "skip": bool(skip), "family": "your data"}

"""The claims shipped with the package: the three theorems, and conjectures known to be false.

Each :class:`~claims.search.Claim` reads prediction (``theory``) against training
(``numerics``) on exact instances from ``theory.strategies``; ``implicit-bias conjecture list``
prints them. True claims (``expected=True``) must survive any search; false ones must be
refuted, and their shrunk counterexamples replay.

Tolerances and plateau ratios come from each claim's rate (stated per claim); the plateau test
(:func:`~claims.search.limit_verdict`) is what separates "not converged yet"
(optimization failure) from "converges elsewhere" (counterexample).

>>> [name for name, c in CLAIMS.items() if not c.expected]
['convnet-L3-global-min', 'relu1d-spline-unique', 'sign-gd-l2-svm']
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from .search import (
    Claim,
    agree,
    as_float,
    counterexample,
    implementation_error,
    limit_verdict,
    optimization_failure,
)

__all__ = ["CLAIMS"]

# ------------------------------------------------------------------------ SVM family (SPEC §1)

SVM_N, SVM_D = 6, 3  # shape bucket of integer_separable(n_points=(1, 6), dim=(2, 3))
SVM_T = 20_000


def _svm_strategy():
    from implicit_bias.theory.strategies import integer_separable

    return integer_separable(n_points=(1, SVM_N), dim=(2, SVM_D))


def _svm_predict(inst):
    """The exact L2 SVM (rational KKT certificate) and the numeric route, to cross-check."""
    from implicit_bias.theory import svm

    ex = svm.max_margin(inst["X"], inst["y"], exact=True)
    num = svm.max_margin(as_float(inst["X"]), as_float(inst["y"]))
    return ex, num


def _pad(inst):
    X, y = as_float(inst["X"]), as_float(inst["y"])
    Xp, yp, m = np.zeros((SVM_N, SVM_D)), np.ones(SVM_N), np.zeros(SVM_N, bool)
    Xp[: X.shape[0], : X.shape[1]], yp[: y.size], m[: y.size] = X, y, True
    return Xp, yp, m


def _svm_train(schedule):
    def train(inst, seed):
        from implicit_bias.numerics import linear

        Xp, yp, m = _pad(inst)
        return linear.train(Xp, yp, mask=m, loss="logistic", schedule=schedule, steps=SVM_T,
                            n_records=41)
    return train


def _linf_margin(Z):
    """max_{‖w‖∞ <= 1} min_n z_nᵀw (an LP), for reporting where sign GD goes."""
    from scipy.optimize import linprog

    N, d = Z.shape
    c = np.zeros(d + 1)
    c[-1] = -1.0
    A = np.hstack([-Z, np.ones((N, 1))])  # t - z_nᵀw <= 0
    res = linprog(c, A_ub=A, b_ub=np.zeros(N), bounds=[(-1, 1)] * d + [(None, None)],
                  method="highs")
    return float(-res.fun) if res.status == 0 else float("nan")


def _svm_check(inst, pred, run):
    """1 - cos(w_T, ŵ) to the L2 SVM, at T and at the last record at or before T/10.

    Rate (dual-accelerated GD, Ji, Srebro & Telgarsky 2021): margin gap Õ(1/t²); near ŵ the
    unit-margin problem is strongly convex, ‖u - û‖² <= 2·gap/γ, so 1 - cos = Õ(1/t²) at worst
    (Õ(1/t⁴) on generic data): a decade of steps must cut it ~100-fold. Tolerance 1e-8
    (test_svm's, measured worst 5e-9 at 1e4 steps on planted data); plateau ratio 0.5 over the
    last decade (a 200-fold allowance below the rate).
    """
    from implicit_bias.numerics.metrics import cosine_gap

    ex, num = pred
    if ex.kkt.worst != 0:
        return implementation_error(f"exact KKT certificate fails (worst {ex.kkt.worst})")
    w_hat = ex.numeric().w
    if np.max(np.abs(num.w - w_hat)) > 1e-8 * max(1.0, np.max(np.abs(w_hat))):
        return implementation_error("numeric and exact SVM disagree",
                                    diff=np.max(np.abs(num.w - w_hat)))
    d = w_hat.size
    W = np.asarray(run.beta)[:, :d]
    t = np.asarray(run.t)
    Z = as_float(inst["y"])[:, None] * as_float(inst["X"])
    margins = Z @ W[-1]
    if not np.all(margins > 0):
        return optimization_failure("w_T does not separate the data (min margin "
                                    f"{margins.min():.3g} <= 0)", min_margin=margins.min())
    g = cosine_gap(W, w_hat)
    i = int(np.searchsorted(t, t[-1] // 10, side="right")) - 1
    if np.array_equal(W[-1], W[i]) and g[-1] > 1e-8:
        return optimization_failure(f"the iterate did not move from t = {t[i]} to {t[-1]}",
                                    error=g[-1])
    linf = _linf_margin(Z)
    return limit_verdict(
        float(g[-1]), float(g[i]), tol=1e-8, plateau=0.5, what="1 - cos(w_T, w_L2)",
        l2_margin_gap=1 - float(np.min(Z @ W[-1]) / np.linalg.norm(W[-1]) * np.linalg.norm(w_hat)),
        linf_margin_gap=1 - float(np.min(margins) / np.max(np.abs(W[-1])) / linf),
        t_end=t[-1], t_before=t[i])


# ---------------------------------------------------------------- convnet family (SPEC §2)

CONV_D, CONV_L, CONV_T = 4, 3, 20_000


def _single_example(inst):
    from implicit_bias.theory.convnet import frequency_classes

    classes = frequency_classes(CONV_D)
    xh, r0 = np.zeros(CONV_D), np.zeros(CONV_D)
    for c, a, r in zip(classes, inst["x_hat"], inst["r0"], strict=True):
        xh[list(c)], r0[list(c)] = float(a), float(r)
    return np.fft.ifft(xh, norm="ortho").real, r0


def _conv_predict(inst):
    from implicit_bias.theory import convnet as tc

    x, r0 = _single_example(inst)
    return tc.single_example(x, inst["depth"], r0=r0)


def _conv_train(inst, seed):
    from implicit_bias.numerics import convnet as nc

    x, r0 = _single_example(inst)
    L = inst["depth"]
    return nc.train(x[None, :], [1.0], params=nc.balanced_init(r0, L), depth=L, lr=1e-2,
                    steps=CONV_T, n_records=11)


def _conv_common(inst, pred, run):
    """Unit-margin penalties and per-class energy shares of the trained β at every record;
    implementation check: no unit-margin β beats the closed-form global minimum."""
    from implicit_bias.theory import convnet as tc

    x, _ = _single_example(inst)
    B = np.asarray(run.beta)
    bh2 = np.abs(tc.dft(B)) ** 2
    share = np.stack([bh2[:, list(c)].sum(axis=1) for c in pred.classes], 1) / bh2.sum(1)[:, None]
    pen = float(tc.penalty(B[-1] / (x @ B[-1]), inst["depth"]))
    if pen < pred.global_cost * (1 - 1e-9):
        return None, implementation_error(
            f"trained penalty {pen:.6g} below the closed-form global minimum "
            f"{pred.global_cost:.6g}", penalty=pen, global_cost=pred.global_cost)
    return (x, B, share, pen), None


def _conv_gf_check(inst, pred, run):
    """Energy of β̂_T off the predicted class, at T and at the last record at or before T/10
    (SPEC §2, single example).

    Off-class bins obey ṙ_m ∝ |x̂[m]| r_m^{L-1} and stay bounded while the winner grows, so
    their share falls (tolerance 1e-3 as in test_convnet; plateau 0.5 per decade)."""
    common, err = _conv_common(inst, pred, run)
    if err is not None:
        return err
    _, B, share, pen = common
    k = pred.classes.index(pred.gf_class)
    off = 1 - share[:, k]
    t = np.asarray(run.t)
    i = int(np.searchsorted(t, t[-1] // 10, side="right")) - 1
    return limit_verdict(float(off[-1]), float(off[i]), tol=1e-3, plateau=0.5,
                         what="energy off the predicted class", penalty=pen,
                         global_cost=pred.global_cost)


def _conv_global_check(inst, pred, run):
    """The conjecture: the unit-margin penalty of β_T equals the global minimum of (P_3).

    Converged means: β_T is a KKT point of (P_3) (certificate residual <= 1e-2, as in
    test_convnet). Then if the stationary point on the support it converged to (the classes
    holding >= 1e-3 of ‖β̂‖²: one, or several on an exact tie of gradient-flow scores) costs
    more than the global minimum (closed forms, SPEC §2), it is a genuine counterexample: GD
    stopped at a non-global stationary point."""
    from implicit_bias.theory import convnet as tc

    common, err = _conv_common(inst, pred, run)
    if err is not None:
        return err
    x, B, share, pen = common
    res = float(tc.stationarity(B[-1], x[None, :], [1.0], inst["depth"]).residual)
    top = float(share[-1].max())
    nums = dict(penalty=pen, global_cost=pred.global_cost, kkt_residual=res, top_share=top)
    if res > 1e-2:
        return optimization_failure(
            f"not at a stationary point within budget (KKT residual {res:.2g})", **nums)
    # the support GD converged to: classes holding >= 1e-3 of ‖β̂‖² (one class, or several
    # when their gradient-flow scores tie exactly); its stationary point's cost decides
    held = [c for c, sh in zip(pred.classes, share[-1], strict=True) if sh >= 1e-3]
    bins = sorted(m for c in held for m in c)
    t = np.asarray(run.t)
    i = int(np.searchsorted(t, t[-1] // 10, side="right")) - 1
    drift = float(np.max(np.abs(share[-1] - share[i])))
    if len(held) > 1 and drift > 1e-3:
        return optimization_failure(
            f"support {bins} still changing (class shares moved by {drift:.2g} since t = "
            f"{t[i]})", drift=drift, **nums)
    cost = float(tc.penalty(pred.stationary_point(bins), inst["depth"]))
    nums.update(class_cost=cost)
    # the penalty itself converges slowly (an off-class bin of relative modulus ε adds
    # ε^{2/L}), so the verdict compares the closed-form cost of the support GD converged to
    if cost <= pred.global_cost * (1 + 1e-9):
        return agree(f"GD converged to bins {bins}, a global minimum (cost {cost:.6g}; "
                     f"penalty of beta_T {pen:.6g})", **nums)
    return counterexample(
        f"GD converged to the stationary point on bins {bins} (cost {cost:.6g}, penalty of "
        f"beta_T {pen:.6g}), {cost / pred.global_cost - 1:.1%} above the global minimum "
        f"{pred.global_cost:.6g} on bins {list(pred.global_class)}", **nums)


# ------------------------------------------------------------------ relu1d family (SPEC §3)

RELU_WIDTH, RELU_T = 128, 8_000
RELU_BUDGET = 0.05  # Adam's optimization error at this width and budget: measured, not derived


def _relu_strategy():
    from implicit_bias.theory.strategies import rational_interpolation

    return rational_interpolation(n_points=(2, 6))


def _relu_predict(inst):
    from implicit_bias.theory import relu1d as tr

    return tr.min_norm_interpolation(as_float(inst["x"]), as_float(inst["y"]))


def _relu_train(inst, seed):
    import jax

    from implicit_bias.numerics import relu1d as nr

    return nr.train(as_float(inst["x"]), as_float(inst["y"]), key=jax.random.key(seed),
                    width=RELU_WIDTH, seeds=1, steps=RELU_T)


def _relu_check(inst, pred, run):
    """C(θ_T) → min R (Savarese et al. 2019, Thm 3.3 with SPEC §3's boundary term).

    Must never fail, whatever the optimizer does: the chain C >= path norm >= R(f_θ) and the
    lower bound C >= min R(y) - G‖f_θ(x) - y‖ (min R is G-Lipschitz in y). Violating the
    chain is an implementation error, the bound a counterexample. Adam ending above min R or
    off the data by more than RELU_BUDGET is an optimization failure (a local optimum of a
    non-convex objective, or the budget), never a counterexample."""
    x, y = as_float(inst["x"]), as_float(inst["y"])
    ymax = float(np.max(np.abs(y)))
    scale = max(pred.cost, ymax / max(float(x[-1] - x[0]), 1e-300)) or 1.0
    C, path, rep = float(run.cost[0]), float(run.path_norm[0]), float(run.representation[0])
    Craw = float(run.cost_unbalanced[0])
    nums = dict(cost=C, min_cost=pred.cost, path_norm=path, representation=rep,
                interpolation_error=float(run.interpolation_error[0]))
    if max(path - Craw, path - C, rep - path) > 1e-9 * scale:
        return implementation_error("cost chain C >= path norm >= R(f) broken", **nums)
    r = float(run.interpolation_error[0]) * np.sqrt(x.size)  # ‖r‖₂ <= √N max|r|
    lower = pred.cost - float(run.lipschitz) * r
    if C < lower - 1e-9 * scale:
        return counterexample(f"C(θ) = {C:.6g} below min R - G‖r‖ = {lower:.6g}", **nums)
    gap = abs(C - pred.cost) / scale
    fit = float(run.interpolation_error[0]) / (ymax or 1.0)
    if gap > RELU_BUDGET or fit > RELU_BUDGET:
        return optimization_failure(
            f"Adam ended {gap:.1%} from min R with fit error {fit:.1%} (budget "
            f"{RELU_BUDGET:.0%})", gap=gap, fit=fit, **nums)
    return agree(f"|C - min R| = {gap:.1e} of scale, fit {fit:.1e}", gap=gap, fit=fit, **nums)


GRID = 8  # sub-intervals per data interval for the kink-grid LP


def _spline_predict(inst):
    """The linear spline through the data and its cost ∫|f''| = V (SPEC §3, with skip)."""
    from implicit_bias.theory import relu1d as tr

    x, y = as_float(inst["x"]), as_float(inst["y"])
    return tr.min_norm_interpolation(x, y, skip=True)


def _spline_lp(inst, seed):
    """The minimizers of ∫|f''| over piecewise-linear interpolants with kinks on a grid
    (GRID per data interval), the λ → 0 limit of weight-decayed training (SPEC §3): first
    the minimum c*, then a vertex of the minimizer set picked by a random (``seed``) linear
    objective over the grid values. Two LPs (scipy's HiGHS)."""
    from scipy.optimize import linprog

    x, y = as_float(inst["x"]), as_float(inst["y"])
    g = np.concatenate([np.linspace(a, b, GRID + 1)[:-1] for a, b in zip(x[:-1], x[1:],
                                                                          strict=True)]
                       + [x[-1:]])
    G = g.size
    on = np.arange(0, G, GRID)  # the data points
    # kinks: k_j = s_j - s_{j-1} at interior grid nodes, s_j = (f_{j+1} - f_j)/h_j
    h = np.diff(g)
    S = (np.eye(G, k=1)[: G - 1] - np.eye(G)[: G - 1]) / h[:, None]
    K = S[1:] - S[:-1]  # (G-2, G)
    nk = K.shape[0]
    # variables [f (G), t (nk)]; |K f| <= t
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
    rng = np.random.default_rng(seed)
    c2 = np.concatenate([rng.normal(size=G), np.zeros(nk)])
    cap = cstar + 1e-9 * max(1.0, cstar)
    second = linprog(c2, A_ub=np.vstack([A_ub, c1]), b_ub=np.append(b_ub, cap), A_eq=A_eq,
                     b_eq=y, bounds=bounds, method="highs", options=opts)
    if second.status != 0:
        return {"status": f"LP 2: {second.message}"}
    f = second.x[:G]
    return {"status": "optimal", "grid": g, "f": f, "cstar": cstar,
            "cost": float(np.sum(np.abs(K @ f)))}


def _spline_check(inst, pred, run):
    """The conjecture: every minimizer is the linear spline (deviation <= 1e-6 of max|y|).

    Implementation checks: the LP minimum equals the closed form V, and the picked vertex's
    own kink cost equals it too (both to 1e-6 of max(1, V): HiGHS runs at feasibility
    tolerance 1e-10 on grid values whose kinks carry 1/h <= 2·GRID). A vertex that
    interpolates at cost V and deviates from the spline is a second minimizer: a genuine
    counterexample to uniqueness (the instance is exact, the deviation far above the LP's
    tolerance)."""
    if run["status"] != "optimal":
        return optimization_failure(run["status"])
    V = pred.cost
    tol = 1e-6 * max(1.0, V)
    nums = dict(min_cost=V, lp_min=run["cstar"], vertex_cost=run["cost"])
    if abs(run["cstar"] - V) > tol or abs(run["cost"] - V) > tol:
        return implementation_error("LP minimum or vertex cost differs from V", **nums)
    x, y = as_float(inst["x"]), as_float(inst["y"])
    spline = np.interp(run["grid"], x, y)
    dev = np.abs(run["f"] - spline)
    j = int(np.argmax(dev))
    rel = float(dev[j]) / max(1.0, float(np.max(np.abs(y))))
    if rel <= 1e-6:
        return agree(f"the minimizer found is the spline (deviation {rel:.1e})",
                     deviation=rel, **nums)
    return counterexample(
        f"a second minimizer: cost {run['cost']:.6g} = V, yet it differs from the linear "
        f"spline by {dev[j]:.4g} at x = {run['grid'][j]:.4g}", deviation=rel,
        at=run["grid"][j], **nums)


# ----------------------------------------------------------------------------- the catalogue


def _conv_strategy(clear):
    def strategy():
        from implicit_bias.theory.strategies import rational_single_example

        return rational_single_example(D=CONV_D, depth=CONV_L, clear_winner=clear,
                                       ratio=Fraction(3, 2))
    return strategy


CLAIMS: dict[str, Claim] = {c.name: c for c in [
    Claim("svm-direction",
          "GD on the logistic loss (dual-accelerated) converges in direction to the L2 "
          "hard-margin SVM on separable data", "exact limit", _svm_strategy, _svm_predict,
          _svm_train("accelerated"), _svm_check, True,
          "Soudry et al. 2018, Thm 3; Ji, Srebro & Telgarsky 2021, Thm 3.1", budget=100,
          seeded=False),
    Claim("convnet-gf-class",
          "GD from a small balanced init on one example ends on the frequency class "
          "argmax |x_hat[m]| r_m(0)^(L-2) (depth 3, D = 4)", "stationary point",
          _conv_strategy(True), _conv_predict, _conv_train, _conv_gf_check, True,
          "Gunasekar et al. 2018, Thm 2 (stationarity); SPEC §2 single example", budget=60,
          seeded=False),
    Claim("relu1d-min-cost",
          "Wide ReLU nets trained with vanishing weight decay reach the minimal "
          "representation cost max(V, (V+|S|)/2) of interpolating the data", "exact limit",
          _relu_strategy, _relu_predict, _relu_train, _relu_check, True,
          "Savarese et al. 2019, Thm 3.3; SPEC §3", budget=40),
    Claim("convnet-L3-global-min",
          "GD on a depth-3 linear convnet reaches the global minimum of (P_3)",
          "exact limit", _conv_strategy(False), _conv_predict, _conv_train,
          _conv_global_check, False,
          "false: Gunasekar et al. 2018 prove only stationarity for L > 2", budget=30,
          seeded=False),
    Claim("relu1d-spline-unique",
          "The linear-spline interpolant is the unique minimal-norm ReLU interpolant "
          "(with a free linear unit: min ∫|f''|)", "exact limit", _relu_strategy,
          _spline_predict, _spline_lp, _spline_check, False,
          "false: minimizers are not unique where consecutive discrete curvatures share a "
          "sign (Savarese et al. 2019 §4; Hanin 2021)", budget=40),
    Claim("sign-gd-l2-svm",
          "Sign GD (the eps -> 0 limit of Adam's per-coordinate scaling) converges in "
          "direction to the L2 SVM", "exact limit", _svm_strategy, _svm_predict,
          _svm_train("sign"), _svm_check, False,
          "false: steepest descent for the l-inf norm goes to the l-inf max margin "
          "(Gunasekar et al. 2018, ICML, Thm 5)", budget=30, seeded=False),
]}

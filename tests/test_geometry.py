"""Optimization geometry (SPEC §6, docs/geometry.md): theory only (no training).

Tolerances: returned max-margin answers are certified to a relative residual <= 1e-9
(geometry.CERT_TOL), so margins and planted solutions are compared at 1e-9 (1e-8 for
1 < p < ∞, whose Newton polish works with powers |.|^{q-1}); cvxpy/Clarabel as an
independent route is trusted to its default tolerances (~1e-8 relative), so comparisons with
it use 1e-6. Exact rational answers are compared exactly.
"""

import math
from fractions import Fraction

import numpy as np
import pytest
import scipy.optimize
from hypothesis import given, settings
from hypothesis import strategies as st

from implicit_bias.theory import geometry as geo
from implicit_bias.theory import svm
from implicit_bias.theory.errors import (
    DomainError,
    ImplicitBiasError,
    InfeasibleError,
    InvalidInputError,
    LabelError,
    NonFiniteError,
    NormError,
    NotPositiveDefiniteError,
    NotSeparableError,
    ShapeError,
    StepSizeError,
)
from implicit_bias.theory.results import Kind
from implicit_bias.theory.strategies import planted_svm, separable_datasets
from implicit_bias.theory.strategies.geometry import (
    planted_norm_margins,
    plot_instance_2d,
    regression_instances,
)

INF = math.inf
cp = pytest.importorskip("cvxpy")


def Zof(X, y):
    return np.asarray(y, float)[:, None] * np.asarray(X, float)


def cos_gap(a, b):
    return 1 - float(a @ b) / (np.linalg.norm(a) * np.linalg.norm(b))


# ------------------------------------------------------------ closed forms vs the programs


@given(planted_norm_margins(orthant=False))
def test_planted_l1_l2_linf_solutions_are_recovered(inst):
    for p in (1, 2, INF):
        r = geo.max_margin(inst.X, inst.y, p=p)
        w = np.array([float(v) for v in inst.w[p]])
        np.testing.assert_allclose(r.w, w, rtol=1e-9, atol=1e-9)
        assert r.unique and r.kind is Kind.EXACT_LIMIT
        assert r.margin == pytest.approx(1 / geo.norm(w, p=p), rel=1e-9)
        assert r.certificate.residual <= geo.CERT_TOL
        assert inst.support in r.support.tolist()
        np.testing.assert_allclose(r.predictor, r.w / geo.norm(r.w, p=p), rtol=1e-12)
        assert r.value == r.margin


@settings(max_examples=8)
@given(planted_norm_margins(orthant=True, dim=(2, 3), n_points=(1, 4)))
def test_orthant_planted_solution_holds_for_every_p(inst):
    """With u_n in the orthant of z, the one-point closed form solves every l_p problem."""
    for p in (1.05, 1.5, 3.0, 20.0):
        r = geo.max_margin(inst.X, inst.y, p=p)
        np.testing.assert_allclose(r.w, inst.solution(p), rtol=1e-8, atol=1e-9)
        assert r.unique and r.certificate.residual <= geo.CERT_TOL


def test_one_point_closed_forms():
    z = np.array([[3.0, -1.0, 2.0]])
    y = np.ones(1)
    assert geo.max_margin(z, y, p=INF).margin == pytest.approx(6.0, rel=1e-12)  # ||z||_1
    assert geo.max_margin(z, y, p=1).margin == pytest.approx(3.0, rel=1e-12)    # ||z||_inf
    for p in (1.5, 2.0, 4.0):
        assert geo.max_margin(z, y, p=p).margin == pytest.approx(
            geo.dual_norm(z[0], p), rel=1e-9)


# --------------------------------------------------------------------- independent routes


def _cvx_margin(Z, p):
    w = cp.Variable(Z.shape[1])
    atom = {1: cp.norm1, INF: cp.norm_inf}.get(p)
    obj = atom(w) if atom else cp.pnorm(w, p)
    prob = cp.Problem(cp.Minimize(obj), [Z @ w >= 1])
    prob.solve(solver=cp.CLARABEL)
    assert prob.status == cp.OPTIMAL
    return 1 / prob.value


@settings(max_examples=6)
@given(separable_datasets(n_points=(2, 8), dim=(2, 4)))
def test_highs_lp_agrees_with_clarabel(data):
    X, y = data
    Z = Zof(X, y)
    for p in (1, INF, 3.0):
        assert geo.max_margin(X, y, p=p).margin == pytest.approx(_cvx_margin(Z, p), rel=1e-6)


@given(planted_svm(n_points=(1, 7), dim=(1, 4)))
def test_p2_is_the_svm_and_identity_P_is_p2(p):
    r = geo.max_margin(p.X, p.y, p=2)
    s = svm.max_margin(p.X, p.y)
    np.testing.assert_allclose(r.w, s.w, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(r.dual, s.dual, rtol=1e-8, atol=1e-12)  # same normalization
    assert r.margin == pytest.approx(s.margin, rel=1e-12)
    rI = geo.max_margin(p.X, p.y, P=np.eye(p.X.shape[1]))
    np.testing.assert_allclose(rI.w, s.w, rtol=1e-9, atol=1e-12)


def test_quadratic_norm_against_cvxpy_and_dual_identity():
    rng = np.random.default_rng(3)
    for _ in range(3):
        X = rng.normal(size=(6, 3))
        wstar = rng.normal(size=3)
        y = np.sign(X @ wstar)
        A = rng.normal(size=(3, 3))
        P = A @ A.T + 0.5 * np.eye(3)
        r = geo.max_margin(X, y, P=P)
        w = cp.Variable(3)
        prob = cp.Problem(cp.Minimize(cp.quad_form(w, P)), [Zof(X, y) @ w >= 1])
        prob.solve(solver=cp.CLARABEL)
        np.testing.assert_allclose(r.w, w.value, rtol=1e-6, atol=1e-6)
        # optimality: P w = Z^T alpha, sum(alpha) = ||w||_P^2
        np.testing.assert_allclose(P @ r.w, Zof(X, y).T @ r.dual, rtol=1e-8, atol=1e-10)
        assert r.dual.sum() == pytest.approx(r.w @ P @ r.w, rel=1e-8)


@settings(max_examples=10)
@given(separable_datasets(n_points=(2, 8), dim=(2, 4)))
def test_margins_are_monotone_in_p_with_norm_equivalence_sandwich(data):
    """||w||_p decreases in p, so the unit balls grow and gamma_p increases; and
    ||w||_p <= ||w||_1 <= d^{1-1/p}||w||_p, ||w||_inf <= ||w||_p <= d^{1/p}||w||_inf give
    gamma_1 <= gamma_p <= d^{1-1/p} gamma_1 and gamma_p <= gamma_inf <= d^{1/p} gamma_p: both
    factors -> 1 as p -> 1, resp. p -> inf (continuity at the endpoints)."""
    X, y = data
    d = X.shape[1]
    ps = [1, 1.01, 1.5, 2, 4, 100, INF]
    g = [geo.max_margin(X, y, p=p).margin for p in ps]
    tol = 1 + 1e-9
    assert all(a <= b * tol for a, b in zip(g, g[1:], strict=False)), g
    for p, gp in zip(ps[1:-1], g[1:-1], strict=True):
        assert g[0] <= gp * tol and gp <= d ** (1 - 1 / p) * g[0] * tol
        assert gp <= g[-1] * tol and g[-1] <= d ** (1 / p) * gp * tol


# ---------------------------------------------------------------- one-sided invariant


@settings(max_examples=10)
@given(separable_datasets(n_points=(1, 8), dim=(1, 4)),
       st.lists(st.floats(-10, 10, allow_subnormal=False), min_size=40, max_size=40))
def test_no_direction_beats_the_max_margin(data, vals):
    """gamma_p(w) <= gamma_p for every w (the definition of gamma_p as a max); the slack is
    the certificate tolerance 1e-9; the maximizer attains it."""
    X, y = data
    d = X.shape[1]
    W = np.array(vals[: (40 // d) * d]).reshape(-1, d)
    W = W[np.abs(W).sum(axis=1) > 0]
    for p in (1, 1.5, 2, 4, INF):
        r = geo.max_margin(X, y, p=p)
        gam = geo.margin(W, X, y, p=p)
        assert np.all(gam <= r.margin * (1 + 1e-9))
        assert geo.margin(r.w, X, y, p=p) == pytest.approx(r.margin, rel=1e-9)
    assert math.isnan(geo.margin(np.zeros(d), X, y, p=2))


# ----------------------------------------------------------------------- uniqueness


@pytest.mark.parametrize("X, p, unique", [
    ([[1.0, 1.0]], 1, False),             # l1: the segment between e1 and e2
    ([[2.0, 1.0]], 1, True),
    ([[1.0, 0.0]], INF, False),           # l-inf: the unused coordinate is free
    ([[2.0, 1.0]], INF, True),
    ([[1.0, 1.0], [1.0, -1.0]], 1, True),
    ([[3.0, 1.0, 0.0], [1.0, 3.0, 0.0]], INF, False),
    ([[1.0, 1.0]], 2, True),
])
def test_uniqueness_on_known_instances(X, p, unique):
    assert geo.max_margin(X, np.ones(len(X)), p=p).unique is unique


@settings(max_examples=10)
@given(planted_norm_margins(tie=True, dim=(3, 4)))
def test_tied_instances_are_flagged_not_unique_and_the_face_is_real(inst):
    Z = Zof(inst.X, inst.y)
    z = np.array([float(v) for v in inst.z])
    for p in (1, INF):
        r = geo.max_margin(inst.X, inst.y, p=p)
        assert not r.unique
        # two distinct maximizers from the planted face both attain gamma_p
        if p == 1:
            a = np.zeros(z.size)
            a[0] = 1 / z[0]
            b = np.zeros(z.size)
            b[1] = 1 / z[1]
        else:
            a = np.sign(z) / np.abs(z).sum()
            b = a.copy()
            b[-1] = 1 / np.abs(z).sum()
        for w in (a, b):
            assert geo.margin(w, inst.X, inst.y, p=p) == pytest.approx(r.margin, rel=1e-9)
        assert np.abs(a - b).max() >= 0.5 * np.abs(a).max() and np.all(Z @ a >= 1 - 1e-12)
    assert geo.max_margin(inst.X, inst.y, p=2).unique


# ------------------------------------------------------------- certificates can fail


CERT_X = np.array([[2.0, 1.0], [1.0, 3.0], [4.0, 4.0], [2.0, 1.0]])  # last row duplicates the 1st


@pytest.mark.parametrize("p", [1, 2, 3.0, INF])
def test_certificate_rejects_each_violation_alone(p):
    y = np.ones(4)
    r = geo.max_margin(CERT_X, y, p=p)
    W = float(geo.norm(r.w, p=p)) ** 2
    assert r.dual.sum() == pytest.approx(W, rel=1e-9)
    base = geo.certify(r.w, r.dual, CERT_X, y, p=p)
    assert base.residual <= geo.CERT_TOL
    # primal only: w = 0.9 w_hat, alpha = c alpha_hat with c^2 - 2c + 0.81 = 0 (zero gap)
    c = 1 - math.sqrt(1 - 0.81)
    primal = geo.certify(0.9 * r.w, c * r.dual, CERT_X, y, p=p).conditions
    # dual only: move weight t from row 0 to its duplicate row 3 (Z^T alpha and sum alpha fixed)
    a = r.dual.copy()
    a[0], a[3] = r.dual[0] + r.dual[3] + 1.0, -1.0
    dual = geo.certify(r.w, a, CERT_X, y, p=p).conditions
    gap = geo.certify(2 * r.w, r.dual, CERT_X, y, p=p).conditions
    for conds, bad in ((primal, "primal"), (dual, "dual"), (gap, "gap")):
        assert conds[bad] >= 0.05, (bad, conds)
        assert all(v <= 1e-9 for k, v in conds.items() if k != bad), (bad, conds)


# --------------------------------------------------------- the limits differ (informative)


@given(planted_norm_margins(orthant=False))
def test_l1_l2_linf_limits_differ_on_the_planted_family(inst):
    """By construction (distinct magnitudes <= d + 2 <= 6 in d <= 4): pairwise 1 - cos >= 0.01
    (closest: l2 vs l-inf, magnitudes (3, 4): 1 - 7/(5 sqrt 2) = 0.0101), and each direction's
    margin in another norm is below that norm's max margin by >= 1e-3 relative (the ratio
    z^T w/(||w||_q ||z||_q*) is at most 0.9705 for these magnitudes)."""
    rs = {p: geo.max_margin(inst.X, inst.y, p=p) for p in (1, 2, INF)}
    for p in rs:
        for q in rs:
            if p == q:
                continue
            assert cos_gap(rs[p].direction, rs[q].direction) >= 0.01
            assert geo.margin(rs[p].direction, inst.X, inst.y, p=q) <= rs[q].margin * (1 - 1e-3)


@settings(max_examples=5)
@given(plot_instance_2d())
def test_plot_instances_are_2d_with_three_distinct_directions(inst):
    assert inst.X.shape[1] == 2 and inst.X.shape[0] >= 3
    dirs = [geo.max_margin(inst.X, inst.y, p=p).direction for p in (1, 2, INF)]
    assert min(cos_gap(a, b) for i, a in enumerate(dirs) for b in dirs[i + 1:]) >= 0.01


# ---------------------------------------------------------------- metamorphic relations


@settings(max_examples=15)
@given(planted_norm_margins(orthant=False), st.data())
def test_scaling_permutation_and_signed_coordinate_permutation(inst, data):
    X, y = inst.X, inst.y
    N, d = X.shape
    for p in (1, 3.0, INF):
        base = geo.max_margin(X, y, p=p)
        for c in (1e-12, 1e-6, 1e6, 1e12):
            r = geo.max_margin(c * X, y, p=p)
            np.testing.assert_allclose(r.w * c, base.w, rtol=1e-9, atol=1e-12)
            assert r.margin == pytest.approx(c * base.margin, rel=1e-9)
            assert r.certificate.residual <= geo.CERT_TOL
        perm = np.array(data.draw(st.permutations(range(N))))
        np.testing.assert_allclose(geo.max_margin(X[perm], y[perm], p=p).w, base.w,
                                   rtol=1e-9, atol=1e-12)
        cols = np.array(data.draw(st.permutations(range(d))))
        signs = np.array(data.draw(st.lists(st.sampled_from([-1.0, 1.0]), min_size=d,
                                            max_size=d)))
        T = np.eye(d)[:, cols] * signs  # signed permutation: preserves every l_p norm
        r = geo.max_margin(X @ T, y, p=p)
        np.testing.assert_allclose(r.w, T.T @ base.w, rtol=1e-9, atol=1e-12)


def test_quadratic_norm_change_of_variables():
    """X -> X A, P -> A^T P A maps w_hat -> A^{-1} w_hat with the same margin."""
    rng = np.random.default_rng(7)
    X = rng.normal(size=(5, 3))
    y = np.sign(X @ np.array([1.0, -2.0, 0.5]))
    B = rng.normal(size=(3, 3))
    P = B @ B.T + np.eye(3)
    A = rng.normal(size=(3, 3)) + 2 * np.eye(3)
    r = geo.max_margin(X, y, P=P)
    r2 = geo.max_margin(X @ A, y, P=A.T @ P @ A)
    np.testing.assert_allclose(r2.w, np.linalg.solve(A, r.w), rtol=1e-8, atol=1e-10)
    assert r2.margin == pytest.approx(r.margin, rel=1e-9)


# ------------------------------------------------------------------ steepest directions


@settings(max_examples=15)
@given(st.lists(st.floats(-5, 5, allow_subnormal=False), min_size=4, max_size=4))
def test_steepest_direction_is_the_minimizer_over_the_ball(vals):
    g = np.array(vals)
    rng = np.random.default_rng(0)
    P = np.array([[2.0, 0.3, 0, 0], [0.3, 1, 0, 0], [0, 0, 1, 0.2], [0, 0, 0.2, 3]])
    for kw in ({"p": 1}, {"p": 1.5}, {"p": 2}, {"p": 3.0}, {"p": INF}, {"P": P}):
        v = geo.steepest_direction(g, **kw)
        nrm = geo.norm(v, **kw)
        gd = geo.dual_norm(g, **({"p": kw["p"]} if "p" in kw else {"P": P}))
        assert nrm <= 1 + 1e-12
        assert float(g @ v) == pytest.approx(-gd, rel=1e-12, abs=1e-300)
        # Monte Carlo: no point of the unit ball does better
        U = rng.normal(size=(300, 4))
        U = U / np.asarray(geo.norm(U, **kw))[:, None]
        assert np.all(U @ g >= -gd * (1 + 1e-12) - 1e-300)
        np.testing.assert_allclose(geo.steepest_step(g, **kw), gd * v, rtol=1e-12)


def test_steepest_direction_tie_breaks_and_algorithms():
    np.testing.assert_array_equal(geo.steepest_direction([3.0, -3.0], p=1), [-1.0, 0.0])
    np.testing.assert_array_equal(geo.steepest_direction([0.0, -2.0], p=INF), [0.0, 1.0])
    np.testing.assert_array_equal(geo.steepest_step([1.0, -3.0], p=1), [0.0, 3.0])
    np.testing.assert_array_equal(geo.steepest_step([1.0, -3.0], p=INF), [-4.0, 4.0])
    np.testing.assert_array_equal(geo.steepest_direction(np.zeros(3), p=1.5), np.zeros(3))
    G = np.array([[1.0, 2.0], [-3.0, 0.5]])
    np.testing.assert_allclose(geo.steepest_direction(G, p=1), [[0, -1], [1, 0]])
    P = np.diag([2.0, 4.0])
    np.testing.assert_allclose(geo.steepest_step([2.0, 4.0], P=P), [-1.0, -1.0])
    for alg in geo.ALGORITHMS.values():
        assert alg.reference.doc.startswith("docs/") and alg.kind is Kind.EXACT_LIMIT


# ------------------------------------------------------------------------ Bregman


def _cvx_bregman(X, y, pot, w0):
    w = cp.Variable(X.shape[1])
    if pot == "l2":
        obj = cp.sum_squares(w - w0)
    elif pot == "entropy":
        obj = cp.sum(cp.kl_div(w, w0))
    else:
        p = pot[1]
        obj = cp.sum(cp.power(cp.abs(w), p)) / p - (np.sign(w0) * np.abs(w0) ** (p - 1)) @ w
    prob = cp.Problem(cp.Minimize(obj), [X @ w == y])
    prob.solve(solver=cp.CLARABEL)
    assert prob.status == cp.OPTIMAL
    return w.value


@settings(max_examples=6)
@given(regression_instances(positive=True))
def test_bregman_against_clarabel_and_one_sided(inst):
    """Clarabel stops at a relative objective gap ~1e-8, so its argmin is only accurate to
    ~sqrt(1e-8) = 1e-4 where D is flat (measured 4e-5 on an unconstrained coordinate): compare
    the points at 1e-4 and the objective values one-sidedly (ours is never worse than
    Clarabel's, up to its 1e-8 objective / feasibility tolerance)."""
    for pot in ("l2", "entropy", ("lp", 3.0), ("lp", 1.5)):
        r = geo.bregman_interpolant(inst.X, inst.y, potential=pot, w0=inst.w0)
        assert r.certificate.residual <= 1e-9 and r.kind is Kind.EXACT_LIMIT
        wc = _cvx_bregman(inst.X, inst.y, pot, inst.w0)
        np.testing.assert_allclose(r.w, wc, rtol=1e-4, atol=1e-4)
        pw = geo.Potential.of(pot)
        dc = pw.divergence(np.maximum(wc, 1e-300) if pot == "entropy" else wc, inst.w0)
        assert r.divergence <= dc + 1e-7 * max(1.0, dc)
        # the planted w is an interpolant, so it cannot have a smaller divergence
        assert r.divergence <= pw.divergence(inst.w_plant, inst.w0) * (1 + 1e-12) + 1e-15
        assert r.divergence > 0  # y != X w0 by construction


@given(regression_instances())
def test_bregman_l2_closed_form_and_metamorphic(inst):
    X, y, w0 = inst.X, inst.y, inst.w0
    r = geo.bregman_interpolant(X, y, potential="l2", w0=w0)
    np.testing.assert_allclose(r.w, w0 + np.linalg.pinv(X) @ (y - X @ w0), rtol=1e-9,
                               atol=1e-10)
    # row scaling / permutation of the constraints changes nothing
    n = X.shape[0]
    S = np.arange(1, n + 1, dtype=float)[::-1]
    r2 = geo.bregman_interpolant((S[:, None] * X)[::-1], (S * y)[::-1], potential="l2", w0=w0)
    np.testing.assert_allclose(r2.w, r.w, rtol=1e-9, atol=1e-10)
    # (1/p)||w||_p^p is p-homogeneous: from w0 = 0, y -> c y gives w -> c w
    for pot in ("l2", ("lp", 3.0)):
        a = geo.bregman_interpolant(X, y, potential=pot)
        b = geo.bregman_interpolant(X, 2.5 * y, potential=pot)
        np.testing.assert_allclose(b.w, 2.5 * a.w, rtol=1e-9, atol=1e-10)


def test_entropy_simplex_projection():
    """KL projection of w0 onto {sum w = 1} is w0/sum(w0) (lemma geometry.bregman_optimality)."""
    w0 = np.array([0.5, 1.0, 2.5])
    r = geo.bregman_interpolant(np.ones((1, 3)), [1.0], potential="entropy", w0=w0)
    np.testing.assert_allclose(r.w, w0 / w0.sum(), rtol=1e-12)


# ---------------------------------------------------------------- regression: steepest


@pytest.mark.parametrize("p", [1, INF])
def test_counterexample_closed_form_matches_simulation_and_refutes(p):
    ce = geo.regression_counterexample(p=p)
    assert ce.differ and ce.refutes and ce.certificate.residual == 0
    y = np.array([float(v) for v in ce.y])
    for lr, lim in zip(ce.lrs, ce.limits, strict=True):
        sim = geo.regression_limit(ce.X, y, p=p, lr=float(lr))
        np.testing.assert_allclose(sim.w, [float(v) for v in lim],
                                   atol=sim.error_bound + 1e-12)
    # the min-norm interpolant is the LP optimum (independent: HiGHS)
    d = 3
    if p == 1:
        c = np.concatenate([np.zeros(d), np.ones(d)])
        A_ub = np.block([[np.eye(d), -np.eye(d)], [-np.eye(d), -np.eye(d)]])
        A_eq = np.hstack([ce.X, np.zeros((2, d))])
    else:
        c = np.concatenate([np.zeros(d), [1.0]])
        A_ub = np.block([[np.eye(d), -np.ones((d, 1))], [-np.eye(d), -np.ones((d, 1))]])
        A_eq = np.hstack([ce.X, np.zeros((2, 1))])
    res = scipy.optimize.linprog(c, A_ub=A_ub, b_ub=np.zeros(2 * d), A_eq=A_eq, b_eq=y,
                                 bounds=[(None, None)] * d + [(0, None)] * (len(c) - d),
                                 method="highs")
    assert res.fun == pytest.approx(float(ce.min_value), rel=1e-9)
    assert all(float(nv) > res.fun + 1e-3 for nv in ce.norms)


@settings(max_examples=8)
@given(st.integers(2, 9), st.integers(1, 8), st.sampled_from([1, INF]),
       st.sampled_from([Fraction(1, 3), Fraction(1, 5), Fraction(1, 7), Fraction(2, 9)]))
def test_counterexample_family_against_simulation(a, b, p, frac):
    if not a > b:
        a, b = b + a, min(a, b)
    lr = frac * (Fraction(1, 2) if p == 1 else Fraction(1, 8))
    try:
        ce = geo.regression_counterexample(p=p, a=a, b=b, lrs=(lr,))
    except InvalidInputError:  # an exact tie (a + b) rho^K = a - b: refused by design
        return
    sim = geo.regression_limit(ce.X, [float(a), float(b)], p=p, lr=float(lr))
    np.testing.assert_allclose(sim.w, [float(v) for v in ce.limits[0]],
                               atol=sim.error_bound + 1e-11)
    assert ce.refutes


@pytest.mark.parametrize("p", [1, 2, INF])
def test_one_point_limit_is_step_independent_and_min_norm(p):
    x = np.array([1.0, -2.0, 0.5])
    w0 = np.array([0.3, 0.1, -0.2])
    lim = geo.one_point_limit(x, 2.0, p=p, w0=w0)
    M = geo.smoothness_constant(x[None, :], p=p)
    for frac in (1.0, 0.3):
        sim = geo.regression_limit(x[None, :], [2.0], p=p, lr=frac / M, w0=w0)
        np.testing.assert_allclose(sim.w, lim, atol=sim.error_bound + 1e-12)
    # ||lim - w0||_p = |r0| / ||x||_*, the least possible (Hoelder)
    r0 = float(x @ w0) - 2.0
    assert geo.norm(lim - w0, p=p) == pytest.approx(abs(r0) / geo.dual_norm(x, p), rel=1e-12)


def test_regression_limit_refuses_steps_above_the_descent_bound():
    with pytest.raises(StepSizeError) as exc:
        geo.regression_limit(geo.COUNTEREXAMPLE_X, [4.0, 1.0], p=INF, lr=0.2)
    assert exc.value.bound == pytest.approx(1 / 8)


# --------------------------------------------------------------------------- multiclass


def test_two_class_linf_multiclass_is_half_the_binary_norm():
    """W = (-w/2, w/2) is feasible for K = 2 and ||u||_inf <= 2 max|W| for u = w_1 - w_0."""
    rng = np.random.default_rng(5)
    X = rng.normal(size=(7, 3))
    y = np.sign(X @ np.array([1.0, 0.5, -1.0]))
    rb = geo.max_margin(X, y, p=INF)
    rm = geo.max_margin_multiclass(X, (y > 0).astype(int), p=INF)
    assert rm.margin == pytest.approx(2 * rb.margin, rel=1e-9)
    assert rm.w.shape == (2, 3) and rm.certificate.residual <= geo.CERT_TOL


# ---------------------------------------------------------------------------- bad input


@st.composite
def non_separable(draw):
    p = draw(planted_svm(n_points=(1, 5), dim=(1, 3)))
    Z = p.y[:, None] * p.X
    c = np.array(draw(st.lists(st.integers(0, 3), min_size=len(Z), max_size=len(Z))))
    c[draw(st.integers(0, len(Z) - 1))] += 1
    return np.vstack([p.X, -(c @ Z)]), np.append(p.y, 1.0)


@settings(max_examples=8)
@given(non_separable(), st.sampled_from([1, 3.0, INF]))
def test_non_separable_raises_with_a_verified_gordan_witness(data, p):
    X, y = data
    with pytest.raises(NotSeparableError) as exc:
        geo.max_margin(X, y, p=p)
    lam = exc.value.witness
    assert np.all(lam >= 0) and lam.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(lam @ Zof(X, y), 0.0, atol=1e-8 * max(1.0, np.abs(X).max()))


X0, Y0 = [[2.0, 1.0], [1.0, 3.0]], [1, 1]


@pytest.mark.parametrize("kwargs, err", [
    ({"p": 0.5}, NormError), ({"p": 0}, NormError), ({"p": -INF}, NormError),
    ({"p": float("nan")}, NormError), ({"p": True}, NormError), ({"p": np.True_}, NormError),
    ({"p": "2"}, NormError), ({"p": 2 + 0j}, NormError), ({"p": None}, NormError),
    ({"P": [[1.0, 2.0], [2.0, 1.0]]}, NotPositiveDefiniteError),     # indefinite
    ({"P": [[1.0, 0.5], [0.0, 1.0]]}, NotPositiveDefiniteError),     # not symmetric
    ({"P": [[0.0, 0.0], [0.0, 0.0]]}, NotPositiveDefiniteError),
    ({"P": np.eye(3)}, ShapeError),
    ({"P": [[1.0, np.nan], [np.nan, 1.0]]}, NonFiniteError),
    ({"P": np.eye(2), "p": 3}, NormError),
])
def test_bad_norm_arguments(kwargs, err):
    with pytest.raises(err) as exc:
        geo.max_margin(X0, Y0, **kwargs)
    assert isinstance(exc.value, ImplicitBiasError) and str(exc.value)


@pytest.mark.parametrize("X, y, err", [
    ([[1.0, np.nan]], [1], NonFiniteError),
    ([[1.0, 2.0]], [2], LabelError),
    ([[1.0, 2.0]], [1, 1], ShapeError),
    ([[1j, 2.0]], [1], ShapeError),
    ([[1.0, 2.0], [1.0, 2.0]], [1, -1], NotSeparableError),
])
def test_bad_data(X, y, err):
    for p in (1, 3, INF):
        with pytest.raises(err):
            geo.max_margin(X, y, p=p)


def test_bad_bregman_inputs():
    with pytest.raises(DomainError):
        geo.bregman_interpolant([[1.0, 1.0]], [1.0], potential="entropy", w0=[1.0, -0.5])
    with pytest.raises(InfeasibleError) as exc:  # rows (1, 1), (2, 2) with y = (1, 3)
        geo.bregman_interpolant([[1.0, 1.0], [2.0, 2.0]], [1.0, 3.0], potential="l2")
    v = exc.value.witness
    X, y = np.array([[1.0, 1.0], [2.0, 2.0]]), np.array([1.0, 3.0])
    np.testing.assert_allclose(v @ X, 0.0, atol=1e-12)
    assert abs(v @ y) > 1e-3
    with pytest.raises(InfeasibleError) as exc:  # w1 + w2 = -1 has no positive solution
        geo.bregman_interpolant([[1.0, 1.0]], [-1.0], potential="entropy")
    v = exc.value.witness
    assert np.all(v @ np.array([[1.0, 1.0]]) >= 0) and np.any(v @ np.array([[1.0, 1.0]]) > 0)
    assert float(v @ np.array([-1.0])) <= 0
    for bad, err in ((("lp", 1), NormError), (("lp", INF), NormError), ("l3", InvalidInputError),
                     (("lp", "x"), NormError), (42, InvalidInputError)):
        with pytest.raises(err):
            geo.bregman_interpolant([[1.0, 1.0]], [1.0], potential=bad)
    with pytest.raises(ShapeError):
        geo.bregman_interpolant([[1.0, 1.0]], [1.0, 2.0], potential="l2")
    with pytest.raises(NonFiniteError):
        geo.bregman_interpolant([[1.0, 1.0]], [np.inf], potential="l2")


def test_bad_counterexample_arguments():
    with pytest.raises(InvalidInputError):
        geo.regression_counterexample(a=1, b=4)
    with pytest.raises(StepSizeError):
        geo.regression_counterexample(p=INF, lrs=(Fraction(1, 4),))
    with pytest.raises(NormError):
        geo.regression_counterexample(p=2)
    # a tie: (a + b) rho = a - b with rho = 1 - 2 lr, a = 4, b = 1: lr = 1/5
    with pytest.raises(InvalidInputError, match="tie"):
        geo.regression_counterexample(p=1, lrs=(Fraction(1, 5),))

"""Every public output is checked, every certificate rejects a candidate that violates only
one of its conditions, metrics separate what they exist to separate, and every
hyperparameter takes effect (issue: bugs that the suite did not catch fell into these classes).
"""

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings

from implicit_bias.numerics import engine, optimizers
from implicit_bias.numerics import relu1d as nr
from implicit_bias.numerics.metrics import (
    cosine_gap,
    direction_error,
    margin_gap,
    normalized_margin,
    relative_error,
    unit,
)
from implicit_bias.theory import convnet as tc
from implicit_bias.theory import relu1d, svm
from implicit_bias.theory.results import Certificate, Kind
from implicit_bias.theory.strategies import planted_svm


def _fields(obj):
    return {f.name for f in dataclasses.fields(obj)}


# ------------------------------------------------------------------ every public field


def check_max_margin(r, Z):
    """Each field of MaxMargin by an independent identity or route."""
    checks = {
        "w": lambda: np.testing.assert_allclose(Z.T @ r.dual, r.w, atol=1e-9),
        "direction": lambda: np.testing.assert_allclose(r.direction, unit(r.w), atol=1e-12),
        "margin": lambda: np.testing.assert_allclose(
            r.margin, np.min(Z @ r.w) / np.linalg.norm(r.w), rtol=1e-9),
        "dual": lambda: (np.testing.assert_allclose(np.sum(r.dual), r.w @ r.w, rtol=1e-9),
                         np.testing.assert_array_less(-1e-12, r.dual)),
        "support": lambda: np.testing.assert_array_equal(
            r.support, np.flatnonzero(np.abs(Z @ r.w - 1) <= 1e-8)),
        "kkt": lambda: np.testing.assert_allclose(
            r.kkt.worst, svm.kkt_residuals(Z, r.w, r.dual).worst, atol=1e-15),
        "exact": lambda: r.exact is False,
        "generic": lambda: r.generic == bool(np.all(r.dual[r.support] > 1e-9 * r.dual.max())
                                             and np.linalg.matrix_rank(Z[r.support])
                                             == r.support.size) or pytest.fail("generic"),
        "info": lambda: r.info["solver"] in ("quadprog", "clarabel") or pytest.fail("info"),
        "kind": lambda: r.kind is Kind.EXACT_LIMIT or pytest.fail("kind"),
        "reference": lambda: "Soudry" in str(r.reference) or pytest.fail("reference"),
    }
    assert set(checks) == _fields(r), "a public field of MaxMargin has no check"
    for check in checks.values():
        check()
    assert r.certificate.residual == r.kkt.worst and r.value == r.margin
    assert r.predictor is r.w


@settings(max_examples=15)
@given(planted_svm(n_points=(2, 7), dim=(1, 4)))
def test_every_field_of_the_svm_result_is_checked(p):
    check_max_margin(svm.max_margin(p.X, p.y), p.y[:, None] * p.X)


@settings(max_examples=10)
@given(planted_svm(n_points=(2, 6), dim=(1, 3), spanning=True, gap_min=1, rate_min=1))
def test_every_field_of_the_asymptote_is_checked(p):
    lr = 0.3
    a = svm.asymptote(p.X, p.y, lr=lr)
    Z = p.y[:, None] * p.X
    mm = svm.max_margin(p.X, p.y)
    S = mm.support
    checks = {
        "w_hat": lambda: np.testing.assert_allclose(a.w_hat, mm.w, atol=1e-12),
        # eta exp(-z_n w_tilde) = alpha_n on the support (Thm 4), checked directly
        "w_tilde": lambda: np.testing.assert_allclose(lr * np.exp(-(Z[S] @ a.w_tilde)),
                                                      mm.dual[S], rtol=1e-8),
        "generic": lambda: a.generic or pytest.fail("generic"),
        "rate": lambda: np.testing.assert_allclose(a.rate, 1.0, atol=1e-9),  # the family's
        "projector": lambda: np.testing.assert_allclose(a.projector @ Z[S].T, Z[S].T,
                                                        atol=1e-10),
        "loss_constant": lambda: np.testing.assert_allclose(a.loss_constant,
                                                            mm.dual.sum() / lr, rtol=1e-9),
        "lr": lambda: a.lr == lr or pytest.fail("lr"),
        "reason": lambda: a.reason == "" or pytest.fail("reason"),
        "max_margin": lambda: check_max_margin(a.max_margin, Z),
        "kind": lambda: a.kind is Kind.EXACT_LIMIT or pytest.fail("kind"),
        "reference": lambda: "Thm 4" in str(a.reference) or pytest.fail("reference"),
    }
    assert set(checks) == _fields(a)
    for check in checks.values():
        check()
    # the projector is a symmetric idempotent of rank |span Z_S|
    P = a.projector
    np.testing.assert_allclose(P @ P, P, atol=1e-12)
    assert round(np.trace(P)) == np.linalg.matrix_rank(Z[S])


def test_w_tilde_keeps_the_initial_component_gd_never_moves():
    """GD's gradients lie in the span of the data, so the component of w(0) orthogonal to it
    is never changed: with data in the first two coordinates of R^3, w̃ has w(0)'s third
    coordinate, and its part in the data span does not depend on w(0) (Thm 4: P2 w̃ = P2
    w(0)). A w̃ that drops the P2 w(0) term is refuted here (with w0 = 0 it is invisible)."""
    X = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [2.0, 3.0, 0.0]])
    y = np.array([1, 1, 1])
    w0 = np.array([0.3, -0.2, 0.7])
    a0 = svm.asymptote(X, y, lr=0.5)
    a = svm.asymptote(X, y, lr=0.5, w0=w0)
    assert a.generic and a0.generic
    np.testing.assert_allclose(a.w_tilde[2], 0.7, rtol=1e-12)
    np.testing.assert_allclose(a.w_tilde[:2], a0.w_tilde[:2], atol=1e-12)
    np.testing.assert_allclose(a0.w_tilde, [-np.log(2.0), -np.log(2.0), 0.0], atol=1e-9)


@pytest.mark.parametrize("L", [3, 4, 6])
def test_single_example_global_class_against_the_penalty_of_each_candidate(L):
    """The global minimum of (P_L) for one example puts all of beta's spectrum on one class
    of bins (a real bin, or a conjugate pair costing 2^(1-2/L) more at equal modulus). Here
    each candidate is built in real space (spectrum aligned with x-hat on one class, scaled
    to <beta, x> = 1) and costed by ``penalty`` (the DFT route): the class single_example
    names must be the cheapest. The spectrum puts a pair at 1.2x the largest real bin, inside
    (1, 2^(L/2 - 1)) where the real bin still wins: a pair costed like a real bin would win."""
    D = 6
    xh = np.zeros(D, complex)
    xh[0], xh[3] = 1.0, 0.3
    xh[1], xh[5] = 1.2 * np.exp(0.7j), 1.2 * np.exp(-0.7j)
    xh[2], xh[4] = 0.5 * np.exp(-1.1j), 0.5 * np.exp(1.1j)
    x = np.fft.ifft(xh, norm="ortho")
    assert np.abs(x.imag).max() < 1e-12
    x = x.real
    costs = {}
    for c in tc.frequency_classes(D):
        bh = np.zeros(D, complex)
        bh[list(c)] = xh[list(c)]
        beta = np.fft.ifft(bh, norm="ortho").real
        beta = beta / (beta @ x)
        costs[c] = float(tc.penalty(beta, L))
    best = min(costs, key=costs.get)
    assert best == (0,)  # the pair is not 2^(L/2 - 1) times larger
    assert tc.single_example(x, L).global_class == best


def test_every_field_of_the_convnet_results_is_checked():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(5, 6))
    y = np.sign(X @ rng.normal(size=6))
    Z = y[:, None] * X
    for L in (2, 3):
        r = tc.max_margin(X, y, L)
        c = r.stationarity
        checks = {
            "beta": lambda: np.testing.assert_allclose(np.min(Z @ r.beta), 1.0, atol=1e-9),
            "beta_hat": lambda: np.testing.assert_allclose(
                r.beta_hat, np.fft.fft(r.beta, norm="ortho"), atol=1e-12),
            "depth": lambda: r.depth == L or pytest.fail("depth"),
            "penalty": lambda: np.testing.assert_allclose(
                r.penalty, np.sum(np.abs(r.beta_hat) ** (2 / L)), rtol=1e-12),
            "direction": lambda: np.testing.assert_allclose(r.direction, unit(r.beta),
                                                            atol=1e-12),
            "kind": lambda: r.kind is (Kind.GLOBAL_MINIMUM if L == 2 else
                                       Kind.STATIONARY_POINT) or pytest.fail("kind"),
            # the multipliers reproduce the target on the support (independent recompute)
            "stationarity": lambda: np.testing.assert_allclose(
                (c.alpha @ tc.dft(Z))[c.support],
                r.beta_hat[c.support] * np.abs(r.beta_hat[c.support]) ** (2 / L - 2),
                rtol=1e-3, atol=1e-6),
            "reference": lambda: "Gunasekar" in str(r.reference) or pytest.fail("ref"),
        }
        assert set(checks) == _fields(r)
        for check in checks.values():
            check()
        # Euler identity on the support: sum alpha = sum_S |beta_hat|^(2/L)
        np.testing.assert_allclose(c.alpha.sum(),
                                   np.sum(np.abs(r.beta_hat[c.support]) ** (2 / L)), rtol=1e-3)


def test_every_field_of_the_relu1d_interpolant_is_checked():
    x = np.array([0.0, 1.0, 2.5, 3.0])
    y = np.array([0.0, 2.0, 1.0, 3.0])
    for skip in (False, True):
        r = relu1d.min_norm_interpolation(x, y, skip=skip)
        s = np.diff(y) / np.diff(x)
        checks = {
            "x": lambda: np.testing.assert_array_equal(r.x, x),
            "y": lambda: np.testing.assert_array_equal(r.y, y),
            "V": lambda: np.testing.assert_allclose(r.V, np.sum(np.abs(np.diff(s)))),
            "S": lambda: np.testing.assert_allclose(r.S, s[0] + s[-1]),
            "cost": lambda: np.testing.assert_allclose(
                r.cost, relu1d.grid_upper_bound(x, y, skip=skip), rtol=1e-7),
            "skip": lambda: r.skip == skip or pytest.fail("skip"),
            "function": lambda: np.testing.assert_allclose(r.function(x), y, atol=1e-12),
            # the net (a, w, b, c, v) computes the same function and costs the minimum
            "a": lambda: np.testing.assert_allclose(
                relu1d.network_cost(r.a, r.w, r.b, r.c).cost, r.cost, rtol=1e-9),
            "w": lambda: np.testing.assert_allclose(np.abs(r.a), np.abs(r.w), rtol=1e-12),
            "b": lambda: np.testing.assert_allclose(
                np.maximum(np.outer(x, r.w) + r.b, 0) @ r.a + r.c + r.v * x, y, atol=1e-9),
            "c": lambda: np.testing.assert_allclose(r(np.array([-50.0])),
                                                    r.function(np.array([-50.0]))),
            "v": lambda: (r.v == 0.0) != skip or r.v == s[0] or pytest.fail("v"),
            "kind": lambda: r.kind is Kind.GLOBAL_MINIMUM or pytest.fail("kind"),
            "reference": lambda: "Savarese" in str(r.reference) or pytest.fail("ref"),
        }
        assert set(checks) == _fields(r)
        for check in checks.values():
            check()
        assert r.certificate.residual <= 1e-6


# ------------------------------------------------------------------ certificates reject


def _svm_instance():
    Z = np.array([[1.0, 0.0], [0.0, 1.0], [2.0, 2.0]])
    r = svm.max_margin(Z, np.ones(3))
    return Z, r.w, r.dual


def test_the_svm_certificate_rejects_each_violated_condition_alone():
    """For each KKT condition, a candidate that violates only it (the others <= 1e-12)."""
    Z, w, a = _svm_instance()  # w = (1, 1), alpha = (1, 1, 0)
    base = svm.kkt_residuals(Z, w, a)
    assert base.worst <= 1e-12
    cases = {
        # primal: the SVM of the first point only, (1, 0): z_2 has margin 0
        "primal": (np.array([1.0, 0.0]), np.array([1.0, 0.0, 0.0])),
        # dual: w = Z^T alpha with a negative multiplier, every margin >= 1, alpha on margin-1
        # points only: z = (1, 0), (3, 1): w solving both margins = 1 is (1, -2); add z3
        "stationarity": (w, a + np.array([0.1, 0.0, 0.0])),
        # complementarity: a multiplier on the point with margin 4 (w recomputed from alpha)
        "complementarity": (Z.T @ np.array([1.0, 1.0, 0.01]), np.array([1.0, 1.0, 0.01])),
    }
    for name, (wc, ac) in cases.items():
        k = svm.kkt_residuals(Z, wc, ac)
        vals = dataclasses.asdict(k)
        assert vals[name] > 1e-3, (name, vals)
        others = {n: v for n, v in vals.items() if n != name}
        if name == "complementarity":  # raising alpha_3 also lifts the margins above 1
            others.pop("primal")
        assert max(others.values()) <= 1e-12, (name, vals)
    Zd = np.array([[1.0, 0.0], [3.0, 1.0]])
    wd = np.linalg.solve(Zd, np.ones(2))  # margins exactly 1: w = (1, -2)
    ad = np.linalg.solve(Zd.T, wd)  # w = Z^T alpha: alpha = (7, -2)
    k = svm.kkt_residuals(Zd, wd, ad)
    assert k.dual > 0.1 and max(k.primal, k.complementarity, k.stationarity) <= 1e-12


def test_the_convnet_certificate_rejects_each_violated_condition_alone():
    """L = 2, one example x: the minimizer is 1-sparse on argmax |x_hat|; the L2 SVM (x itself,
    dense) violates the off-support condition; a beta on the wrong bin violates the support
    condition; Euler's identity catches a wrong multiplier sum."""
    xh = np.array([1.0, 0.5, 0.2, 0.5])
    x = np.fft.ifft(xh, norm="ortho").real
    X, y = x[None, :], [1.0]
    s = tc.single_example(x, 2)
    good = s.stationary_point(s.global_class)
    assert tc.stationarity(good, X, y, 2).residual <= 1e-9
    svm_beta = x / (x @ x)
    c = tc.stationarity(svm_beta, X, y, 2)
    assert c.residual > 1e-3  # the dense SVM is not a KKT point of (P_2)
    wrong = s.stationary_point((1, 3))  # the other class: |x_hat| = 0.5 < 1
    c = tc.stationarity(wrong, X, y, 2)
    assert c.offsupport > 0.5  # |z_hat| = 2 > 1 on the true winner's bin


def test_relu1d_membership_rejects_each_violated_condition_alone():
    x, y = np.array([0.0, 1.0, 2.0]), np.array([0.0, 1.0, 3.0])
    r = relu1d.min_norm_interpolation(x, y)
    assert r.is_minimizer(r.function)
    # interpolation violated only: shift one value, cost unchanged
    f = relu1d.PiecewiseLinear(r.function.knots, r.function.values + (r.function.knots == 1.0)
                               * 1e-3, r.function.left_slope, r.function.right_slope)
    assert not r.is_minimizer(f)
    # cost violated only: the linearly extended spline interpolates but costs 3 > 2
    assert not r.is_minimizer(relu1d.PiecewiseLinear(x, y, 1.0, 2.0))


# ------------------------------------------------------------------ metrics separate


def test_metrics_tell_apart_what_they_measure():
    w = np.array([1.0, 2.0, -0.5])
    assert cosine_gap(w, -w) == pytest.approx(2.0)  # opposite directions: the maximum
    assert direction_error(w, -w) == pytest.approx(2.0)
    assert cosine_gap(w, 3 * w) == pytest.approx(0.0, abs=1e-30)  # scale does not matter
    assert cosine_gap(w, w + [0, 0, 1e-6]) > 0
    Z = np.array([[1.0, 0.0], [0.0, 1.0]])
    assert normalized_margin(np.array([1.0, 1.0]), Z) > 0 > normalized_margin(
        np.array([1.0, -1.0]), Z)  # a sign error in w flips the margin's sign
    gamma = 1 / np.sqrt(2)
    assert margin_gap(np.array([1.0, 1.0]), Z, gamma) == pytest.approx(0.0, abs=1e-15)
    assert margin_gap(np.array([1.0, 0.5]), Z, gamma) > 0.1
    assert relative_error([1.0, 0.0], [0.0, 1.0]) == pytest.approx(np.sqrt(2))


# ------------------------------------------------------------------ hyperparameters act


LINE = engine.Model("line-fields", lambda w, X: X @ w, lambda w: w)
XR = jnp.array([[1.0, 2.0, 0.0], [0.0, 1.0, -1.0]])
YR = jnp.array([1.0, -2.0])


@pytest.mark.parametrize("opt, name, values", [
    (optimizers.gd, "lr", (0.01, 0.02)),
    (optimizers.heavy_ball, "beta", (0.0, 0.9)),
    (optimizers.nesterov, "beta", (0.0, 0.9)),
    (optimizers.adam(), "b1", (0.0, 0.9)),
    (optimizers.adam(), "b2", (0.9, 0.999)),
    (optimizers.adam(), "eps", (1e-8, 1.0)),
    (optimizers.adam("cosine"), "lr_floor", (1e-3, 0.5)),
    (optimizers.adam("inverse_power"), "lr_decay", (0.1, 0.9)),
])
def test_every_hyperparameter_changes_the_run(opt, name, values):
    """A hyperparameter that never took effect would leave the parameters unchanged."""
    out = []
    for v in values:
        hyper = opt.default_hyper() | {"lr": 0.01, name: v}
        tr = engine.fit(LINE, jnp.zeros(3), XR, YR, loss="square", optimizer=opt, hyper=hyper,
                        steps=30, n_records=2)
        out.append(np.asarray(tr.params))
    assert np.abs(out[0] - out[1]).max() > 1e-8


def test_the_relu1d_weight_decay_reaches_its_final_value():
    """lambda_t = lam0 at t = 0 and lam1 from 0.7 T on (weight decay that is never annealed
    to its final value was a bug class); changing lam1 changes the trained net."""
    hyper = {"lam0": jnp.asarray(1e-3), "lam1": jnp.asarray(1e-6), "T": jnp.asarray(1000.0)}
    assert float(nr._decay(jnp.asarray(0), hyper)) == pytest.approx(1e-3)
    assert float(nr._decay(jnp.asarray(700), hyper)) == pytest.approx(1e-6)
    assert float(nr._decay(jnp.asarray(1000), hyper)) == pytest.approx(1e-6)
    kw = dict(key=jax.random.key(0), width=16, seeds=1, steps=400)
    a = nr.train([0.0, 1.0, 2.0], [0.0, 1.0, 0.0], lam1=1e-6, **kw)
    b = nr.train([0.0, 1.0, 2.0], [0.0, 1.0, 0.0], lam1=1e-2, **kw)
    assert abs(float(a.cost_unbalanced[0]) - float(b.cost_unbalanced[0])) > 1e-6


def test_certificates_report_their_worst_condition():
    c = Certificate.from_conditions({"a": 1e-3, "b": float("nan"), "c": 0.0})
    assert c.residual == float("inf")  # a NaN condition is never a pass
    assert Certificate.from_conditions({"a": 1e-3, "b": 2e-3}).residual == 2e-3

"""Separable data -> hard-margin SVM (docs/svm.md; Soudry et al., JMLR 2018): theory vs numerics.

Every instance comes from a strategy in :mod:`theory.strategies`; instances are padded to one
shape bucket (N <= 8, d <= 4) so a hypothesis run compiles each trainer once.
"""

from fractions import Fraction

import jax
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from implicit_bias.claims import svm as cs
from implicit_bias.claims.core import as_float, assert_outcomes, check, evaluate, measure
from implicit_bias.numerics import deep_linear, linear
from implicit_bias.theory import svm
from implicit_bias.theory.errors import (
    CertificateError,
    DuplicatePointError,
    ImplicitBiasError,
    LabelError,
    NonFiniteError,
    NotSeparableError,
    ShapeError,
    StepSizeError,
    StepSizeWarning,
)
from implicit_bias.theory.strategies import degenerate_svm, planted_svm, sample


def random_separable(seed, n=6, d=3):
    """A fixed random separable instance (numpy RNG) for tests that need no search."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    w = rng.normal(size=d)
    y = np.sign(X @ w)
    return X + 0.2 * y[:, None] * w / np.linalg.norm(w), y


# ------------------------------------------------------------------------ theory: the QP


@given(planted_svm())
def test_numeric_max_margin_recovers_planted_solution(p):
    for solver in ("quadprog", "clarabel"):
        r = svm.max_margin(p.X, p.y, solver=solver)
        np.testing.assert_allclose(r.w, p.w_hat, rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(r.dual, p.alpha, rtol=1e-9, atol=1e-9)
        assert r.support.tolist() == p.support.tolist()
        assert r.generic and r.kkt.worst <= svm.KKT_TOL
        assert r.margin == pytest.approx(1 / np.linalg.norm(p.w_hat), rel=1e-12)


@settings(max_examples=15)
@given(planted_svm(n_points=(1, 7), dim=(1, 3), max_den=6))
def test_exact_max_margin_is_the_planted_rational_solution(p):
    r = svm.max_margin(p.X_exact, p.y, exact=True)
    q = lambda f: sp.Rational(f.numerator, f.denominator)  # noqa: E731
    assert list(r.w) == [q(v) for v in p.w_hat_exact]
    assert list(r.dual) == [q(a) for a in p.alpha_exact]
    assert r.support.tolist() == p.support.tolist()
    # exact and numeric routes agree to 1e-9
    num = svm.max_margin(p.X, p.y)
    np.testing.assert_allclose(r.numeric().w, num.w, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(r.numeric().dual, num.dual, rtol=1e-9, atol=1e-9)
    assert float(r.margin) == pytest.approx(num.margin, rel=1e-9)


@settings(max_examples=10)
@given(degenerate_svm(max_den=6))
def test_exact_route_certifies_degenerate_data(p):
    r = svm.max_margin(p.X_exact, p.y, exact=True)
    Z = [[yy * v for v in row] for yy, row in zip(p.y.astype(int).tolist(), p.X_exact,
                                                   strict=True)]
    q = lambda f: sp.Rational(f.numerator, f.denominator)  # noqa: E731
    assert list(r.w) == [q(v) for v in p.w_hat_exact]
    # the certificate, re-verified here in exact arithmetic
    marg = [sum(q(z[j]) * r.w[j] for j in range(len(z))) for z in Z]
    assert all(m >= 1 for m in marg) and all(a >= 0 for a in r.dual)
    assert all(a * (m - 1) == 0 for a, m in zip(r.dual, marg, strict=True))
    assert [sum(r.dual[n] * q(Z[n][j]) for n in range(len(Z))) for j in range(len(r.w))] \
        == list(r.w)
    # "generic" is about α (docs/svm.md): non-spanning support vectors can still be generic
    assert r.generic == (p.kind == "non_spanning")


def _orthogonal(draw_vals, d):
    A = np.asarray(draw_vals, dtype=float).reshape(d, d) + 3 * np.eye(d)
    Q, R = np.linalg.qr(A)
    return Q * np.sign(np.diag(R))


@given(planted_svm(), st.data())
def test_metamorphic_relations(p, data):
    base = svm.max_margin(p.X, p.y)
    N, d = p.X.shape
    # rotation equivariance: X -> X Q gives ŵ -> Qᵀŵ
    vals = data.draw(st.lists(st.floats(-1, 1), min_size=d * d, max_size=d * d))
    Q = _orthogonal(vals, d)
    np.testing.assert_allclose(svm.max_margin(p.X @ Q, p.y).w, Q.T @ base.w, atol=1e-9)
    # permutation invariance
    perm = np.array(data.draw(st.permutations(range(N))))
    r = svm.max_margin(p.X[perm], p.y[perm])
    np.testing.assert_allclose(r.w, base.w, atol=1e-9)
    np.testing.assert_allclose(r.dual, base.dual[perm], atol=1e-9)
    # positive scaling: X -> cX gives ŵ -> ŵ/c, α -> α/c²
    c = data.draw(st.sampled_from([0.25, 0.5, 3.0, 10.0]))
    r = svm.max_margin(c * p.X, p.y)
    np.testing.assert_allclose(r.w, base.w / c, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(r.dual, base.dual / c**2, rtol=1e-8, atol=1e-12)
    # a point strictly outside the margin changes nothing
    g = data.draw(st.floats(1.1, 5.0))
    v = np.asarray(data.draw(st.lists(st.floats(-1, 1), min_size=d, max_size=d)))
    v -= (v @ base.w) / (base.w @ base.w) * base.w
    znew = g * base.w / (base.w @ base.w) + v
    r = svm.max_margin(np.vstack([p.X, znew]), np.append(p.y, 1.0))
    np.testing.assert_allclose(r.w, base.w, atol=1e-9)
    assert r.dual[-1] <= 1e-12 and N not in r.support


@given(planted_svm(n_points=(2, 6), dim=(1, 3)))
def test_multiclass_with_two_classes_is_the_binary_svm(p):
    labels = (p.y > 0).astype(int)
    r = svm.max_margin_multiclass(p.X, labels, n_classes=2)
    # min ‖w_0‖² + ‖w_1‖² with (w_1 - w_0)ᵀy x >= 1 is solved by w_1 = -w_0 = ŵ/2
    np.testing.assert_allclose(r.w[1] - r.w[0], p.w_hat, atol=1e-9)
    np.testing.assert_allclose(r.w[0], -r.w[1], atol=1e-9)
    assert r.dual.shape == (p.X.shape[0], 2) and np.all(r.dual[np.arange(len(labels)),
                                                                 labels] == 0)


def test_multiclass_certificate_on_three_classes():
    X = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0], [2.0, 0.5]])
    lab = np.array([0, 1, 2, 0])
    r = svm.max_margin_multiclass(X, lab)
    for n in range(4):
        for k in range(3):
            if k != lab[n]:
                assert (r.w[lab[n]] - r.w[k]) @ X[n] >= 1 - 1e-9
    # stationarity: W = Σ α_{n,k} (e_{y_n} - e_k) x_nᵀ
    W = np.zeros_like(r.w)
    for n in range(4):
        for k in range(3):
            W[lab[n]] += r.dual[n, k] * X[n]
            W[k] -= r.dual[n, k] * X[n]
    np.testing.assert_allclose(W, r.w, atol=1e-9)


@given(degenerate_svm())
def test_asymptote_flags_non_generic_data(p):
    a = svm.asymptote(p.X, p.y, lr=0.5)
    assert not a.generic and a.reason
    if p.kind == "zero_alpha":
        assert a.w_tilde is None and "log log" in a.reason
        with pytest.raises(ImplicitBiasError):
            a.predict(10.0)
    elif p.kind == "non_spanning":
        assert a.w_tilde is not None and "span" in a.reason
        np.testing.assert_allclose(a.projector @ a.w_tilde, a.w_tilde, atol=1e-12)


def test_asymptote_on_spec_example_z1_10_z2_11():
    # docs/svm.md: z₁=(1,0), z₂=(1,1): ŵ=(1,0), α=(1,0): non-generic, w₂(t) ≈ log log t.
    a = svm.asymptote([[1.0, 0.0], [1.0, 1.0]], [1, 1], lr=1.0)
    np.testing.assert_allclose(a.w_hat, [1.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(a.max_margin.dual, [1.0, 0.0], atol=1e-12)
    assert not a.generic and a.w_tilde is None


# ------------------------------------------------------------------------ bad input


@st.composite
def non_separable(draw):
    """Separable data plus z = -Σ c_n z_n (c >= 0, not all 0): a Gordan witness by design,
    in exact rationals (X_exact) and in floats (the float rows are the rationals rounded, so
    only the exact data are non-separable exactly)."""
    p = draw(planted_svm(n_points=(1, 6)))
    N = len(p.y)
    c = draw(st.lists(st.integers(0, 3), min_size=N, max_size=N))
    c[draw(st.integers(0, N - 1))] += 1
    yq = [int(v) for v in p.y]
    d = len(p.X_exact[0])
    znew = [-sum(c[n] * yq[n] * p.X_exact[n][j] for n in range(N)) for j in range(d)]
    ynew = draw(st.sampled_from([-1, 1]))
    Xq = p.X_exact + [[ynew * v for v in znew]]
    return Xq, yq + [ynew]


@given(non_separable(), st.sampled_from([1e-12, 1e-6, 1.0, 1e6, 1e12]))
def test_non_separable_data_raise_with_a_valid_witness(data, scale):
    """Both routes refuse, at every scale, with a witness that verifies: lam >= 0, sum 1,
    |Z^T lam| at rounding level of the rows it combines."""
    Xq, yq = data
    X = scale * np.array([[float(v) for v in r] for r in Xq])
    y = np.array(yq, float)
    with pytest.raises(NotSeparableError) as exc:
        svm.max_margin(X, y)
    lam = exc.value.witness
    Z = y[:, None] * X
    assert np.all(lam >= 0) and lam.sum() == pytest.approx(1.0)
    assert np.linalg.norm(lam @ Z) <= 1e-9 * np.sum(lam * np.linalg.norm(Z, axis=1))
    with pytest.raises(NotSeparableError) as exc:
        svm.max_margin(Xq, yq, exact=True)
    lam = exc.value.witness
    assert np.all(lam >= 0) and np.linalg.norm(lam @ (y[:, None] * np.array(
        [[float(v) for v in r] for r in Xq]))) <= 1e-12


@settings(max_examples=15)
@given(planted_svm(n_points=(2, 7), dim=(1, 4), max_den=6),
       st.sampled_from([1e-12, 1e-9, 1e-3, 1e3, 1e9, 1e12]))
def test_predictions_are_positively_homogeneous_at_every_scale(p, c):
    """docs/conventions.md#bad-input: w_hat(cX) = w_hat(X)/c, alpha(cX) = alpha(X)/c^2, c in
    [1e-12, 1e12]."""
    base = svm.max_margin(p.X, p.y)
    r = svm.max_margin(c * p.X, p.y)
    np.testing.assert_allclose(r.w * c, base.w, rtol=1e-9, atol=1e-12 * np.abs(base.w).max())
    np.testing.assert_allclose(r.dual * c**2, base.dual, rtol=1e-8,
                               atol=1e-12 * np.abs(base.dual).max())
    assert r.support.tolist() == base.support.tolist()


@settings(max_examples=10)
@given(planted_svm(n_points=(2, 7), dim=(1, 4), max_den=6))
def test_the_exact_route_never_depends_on_the_float_solve(p):
    """With the float QP forced to fail, exact rationals still give the planted answer
    (the exact least-distance solve, Lawson-Hanson NNLS in QQ)."""
    real = svm._numeric_result

    def broken(*a, **k):
        raise svm.SolverError("forced float failure")

    svm._numeric_result = broken
    try:
        r = svm.max_margin(p.X_exact, p.y, exact=True)
    finally:
        svm._numeric_result = real
    q = lambda f: sp.Rational(f.numerator, f.denominator)  # noqa: E731
    assert list(r.w) == [q(v) for v in p.w_hat_exact]
    assert list(r.dual) == [q(a) for a in p.alpha_exact]


def test_exact_route_on_badly_scaled_rational_data():
    """Entries 1e-9 to 1e9 (where float solves struggle): the exact route certifies in QQ."""
    X = [[Fraction(10**9), Fraction(1, 10**9)], [Fraction(1, 10**9), Fraction(1)]]
    r = svm.max_margin(X, [1, -1], exact=True)
    Z = [[v for v in X[0]], [-v for v in X[1]]]
    m = [sum(a * b for a, b in zip(z, r.w, strict=True)) for z in Z]
    assert min(m) == 1 and all(a >= 0 for a in r.dual)


@pytest.mark.parametrize(
    "X, y, err",
    [
        ([[1.0, np.nan]], [1], NonFiniteError),
        ([[1.0, np.inf]], [1], NonFiniteError),
        ([1.0, 2.0], [1], ShapeError),
        ([[1.0, 2.0]], [1, 1], ShapeError),
        ([[1.0, 2.0]], [0], LabelError),
        ([[1.0, 2.0]], [0.5], LabelError),
        ([[1.0, 2.0], [1.0, 2.0]], [1, -1], DuplicatePointError),
        ([[0.0, 0.0], [1.0, 2.0]], [1, -1], NotSeparableError),
    ],
)
def test_bad_input_raises_typed_errors(X, y, err):
    with pytest.raises(err) as exc:
        svm.max_margin(X, y)
    assert isinstance(exc.value, ImplicitBiasError) and str(exc.value)


def test_bad_input_to_trainers():
    with pytest.raises(NonFiniteError):
        linear.train([[np.nan, 1.0]], [1], steps=10, n_records=2)
    with pytest.raises(LabelError):
        linear.train([[1.0, 1.0]], [2], steps=10, n_records=2)
    with pytest.raises(ImplicitBiasError):
        deep_linear.train([[1.0, 1.0]], [1], key=jax.random.key(0), depth=0)
    with pytest.raises(ShapeError):
        linear.train_batch(np.ones((2, 3)), np.ones((2, 3)))


def test_exact_route_refuses_non_rational_symbols():
    with pytest.raises(ShapeError):
        svm.max_margin([[sp.sqrt(2), 1]], [1], exact=True)
    r = svm.max_margin([[Fraction(1, 3), 1], ["2/7", 0]], [1, -1], exact=True)
    assert all(isinstance(v, sp.Rational) for v in r.w)


def test_step_size_above_the_logistic_bound_is_refused_with_the_bound_named():
    X, y = np.array([[1.0, 0.0], [0.0, 2.0]]), np.array([1.0, 1.0])
    bound = 8.0 / 4.0  # 8/σ_max², σ_max = 2
    with pytest.raises(StepSizeError, match="8/sigma_max") as exc:
        linear.train(X, y, loss="logistic", schedule="gd", lr=1.01 * bound, steps=10,
                     n_records=2)
    assert exc.value.bound == pytest.approx(bound)
    linear.train(X, y, loss="logistic", schedule="gd", lr=0.99 * bound, steps=10, n_records=2)
    with pytest.warns(StepSizeWarning, match="1/\\(L\\(w0\\)"):
        linear.train(X, y, loss="exp", schedule="gd", lr=10.0, steps=10, n_records=2)


# ------------------------------------------------------------------------ the claims


@settings(max_examples=15)
@given(cs.PREDICTION.instances())
def test_numeric_exact_and_planted_predictions_agree(inst):
    assert_outcomes(cs.PREDICTION, [inst])


@settings(max_examples=15)
@given(cs.ACCELERATED.instances(), st.integers(0, 2**16))
def test_accelerated_gd_reaches_the_predicted_direction(inst, seed):
    """svm.accelerated-direction and svm.margin-bound on one instance (docstring of the
    claim: 1 - cos <= 1e-8 at 2e4 steps from w0 at 120 degrees from w_hat)."""
    for claim in (cs.ACCELERATED, cs.MARGIN_BOUND, cs.MARGIN_LIMIT):
        assert_outcomes(claim, [inst], seed)


@settings(max_examples=6)
@given(cs.RESIDUAL.instances(), st.integers(0, 2**16))
def test_constant_step_gd_follows_the_asymptote(inst, seed):
    """Thm 4 through svm.gd-residual and svm.loss-constant (1e5 GD steps): agreement, or
    undecided where the run's own extrapolation is not yet accurate enough; never refuted."""
    for claim in (cs.RESIDUAL, cs.LOSS_CONSTANT):
        assert_outcomes(claim, [inst], seed, allowed=("agree", "optimization failure"))


def test_the_residual_claim_decides_most_instances():
    """Not vacuous: measured 55 of 64 agree at 1e5 steps (the rest undecided); >= 11 of 16."""
    insts = sample(cs.RESIDUAL.instances(), 16, seed=8)
    outs = check(cs.RESIDUAL, insts[:8], 0) + check(cs.RESIDUAL, insts[8:], 1)
    assert sum(o.status == "agree" for o in outs) >= 11, [o.reason for o in outs]


def test_every_svm_claim_starts_far_from_its_answer():
    """Informative instances: training starts at 1 - cos = 3/2 (w0 at 120 degrees from w_hat)
    and the planted family has >= 2 support vectors and >= 3 points in >= 2 dimensions."""
    insts = sample(cs.ACCELERATED.instances(), 16, seed=0)
    assert all(len(i["planted"]["support"]) >= 2 and len(i["X"]) >= 3 for i in insts)
    _, ms = measure(cs.ACCELERATED, insts, 0)
    assert min(m.start for m in ms) >= 1.49


def test_sign_gd_is_refuted_on_the_textbook_point():
    """One point z = (1, 2): the L2 direction is (1, 2)/sqrt 5, sign GD moves along (1, 1)."""
    out = evaluate(cs.SIGN_GD, {"X": [[1, 2]], "y": [1]})
    assert out.status == "counterexample", out.reason
    assert out.numbers["linf_margin_gap"] <= 1e-9


@pytest.mark.parametrize("factor", [0.99, 1.01])
def test_a_wrong_margin_is_refuted_on_either_side(factor, monkeypatch):
    """A predicted margin 1% too small is refuted by the bound (training exceeds it), 1% too
    large by the limit (training settles below it)."""
    insts = sample(cs.ACCELERATED.instances(), 4, seed=6)
    true = svm.max_margin

    def scaled(X, y, **kw):
        r = true(X, y, **kw)
        return type(r)(**{**r.__dict__, "margin": r.margin * factor})

    monkeypatch.setattr(cs.svm, "max_margin", scaled)
    cs._accelerated_run.cache.clear()
    claim = cs.MARGIN_BOUND if factor < 1 else cs.MARGIN_LIMIT
    assert {o.status for o in check(claim, insts, 1)} == {"counterexample"}
    cs._accelerated_run.cache.clear()


def test_a_wrong_prediction_is_refuted_on_both_sides(monkeypatch):
    """Two-sided verdicts: a prediction rotated away from w_hat, and a predicted margin 1%
    too small, are counterexamples, not optimization failures."""
    insts = sample(cs.ACCELERATED.instances(), 4, seed=5)
    true = svm.max_margin

    def rotated(X, y, **kw):
        r = true(X, y, **kw)
        w = r.w + 1e-2 * np.linalg.norm(r.w) * np.roll(r.direction, 1)
        return type(r)(**{**r.__dict__, "w": w, "margin": r.margin * 0.99})

    monkeypatch.setattr(cs.svm, "max_margin", rotated)
    cs._accelerated_run.cache.clear()
    for claim in (cs.ACCELERATED, cs.MARGIN_BOUND):
        assert {o.status for o in check(claim, insts, 1)} == {"counterexample"}, claim.name
    cs._accelerated_run.cache.clear()


def test_a_shifted_asymptote_is_refuted():
    """Issue: a perturbed w_tilde (shifted by 1e-3) must fail the residual claim."""
    insts = sample(cs.RESIDUAL.instances(), 4, seed=2)
    cs._gd_run.cache.clear()
    tr, asym, W0, bad = cs._gd_run(insts, 0)
    shifted = [a.__class__(**{**a.__dict__, "w_tilde": a.w_tilde + 1e-3}) for a in asym]
    cs._gd_run.cache[next(iter(cs._gd_run.cache))] = (tr, shifted, W0, bad)
    try:
        assert {o.status for o in check(cs.RESIDUAL, insts, 0)} == {"counterexample"}
    finally:
        cs._gd_run.cache.clear()


def test_max_margin_rejects_an_uncertifiable_answer(monkeypatch):
    monkeypatch.setattr(svm, "_polish", lambda Z, w, a: (w, a, svm.KKT(1.0, 0.0, 0.0, 0.0)))
    with pytest.raises(CertificateError, match="KKT"):
        svm.max_margin([[1.0, 0.0], [0.0, 1.0]], [1, 1])


# ------------------------------------------------- invariants that verify checks on every run


def test_the_certificate_check_sees_each_condition_deleted(monkeypatch):
    """Issue 16, class 2 inside verify: a kkt_residuals that forgets one condition is an
    implementation error of svm.prediction on every instance (each wrong candidate violates
    its condition by WRONG = 0.1)."""
    insts = sample(cs.PREDICTION.instances(), 3, seed=4)
    assert {o.status for o in check(cs.PREDICTION, insts, 0)} == {"agree"}
    true = svm.kkt_residuals
    for cond in ("primal", "dual", "stationarity"):
        def blind(Z, w, a, cond=cond):
            return svm.KKT(**{**true(Z, w, a).__dict__, cond: 0.0})

        monkeypatch.setattr(cs.svm, "kkt_residuals", blind)
        outs = check(cs.PREDICTION, insts, 0)
        assert {o.status for o in outs} == {"implementation error"}, cond
        assert cond in outs[0].reason


def test_a_wrong_multiclass_constraint_is_an_implementation_error(monkeypatch):
    """The K = 2 multi-class route must reproduce the binary SVM: constraints (w_y + w_k)ᵀx
    (the sign of the rival class flipped) are caught on every instance."""
    insts = sample(cs.PREDICTION.instances(), 3, seed=5)
    true = svm.multiclass_constraints

    def flipped(X, labels, n_classes=None):
        Zmc, pairs, K = true(X, labels, n_classes)
        X = np.asarray(X, float)
        d = X.shape[1]
        for r, (n, k) in enumerate(pairs):
            Zmc[r, k * d:(k + 1) * d] = X[n]
        return Zmc, pairs, K

    monkeypatch.setattr(svm, "multiclass_constraints", flipped)
    outs = check(cs.PREDICTION, insts, 0)
    assert {o.status for o in outs} == {"implementation error"}
    assert "multi-class" in outs[0].reason


def test_a_wrong_step_bound_is_an_implementation_error():
    """The logistic bound against autodiff's Hessian at 0: right for 8/sigma^2, refuted for a
    bound twice as large (a default step at the edge of stability)."""
    Z = np.array([[1.0, 2.0], [0.5, -1.0], [2.0, 0.0]])
    bound = float(cs.linear.step_bound(Z, loss="logistic", schedule="gd")[0])
    assert cs.step_bound_mismatch(Z, bound) is None
    assert "step bound" in cs.step_bound_mismatch(Z, 2 * bound)


def test_a_sign_blind_direction_metric_is_an_implementation_error(monkeypatch):
    """From the obtuse start (cos = -1/2), a metric that cannot tell w from -w reads 1 - cos =
    1/2, not 3/2: the accelerated claim reports it on every instance."""
    from implicit_bias.numerics import metrics

    def blind(w, v):
        u, z = metrics.unit(w), metrics.unit(v)
        return np.minimum(np.linalg.norm(u - z, axis=-1), np.linalg.norm(u + z, axis=-1))

    insts = sample(cs.ACCELERATED.instances(), 2, seed=7)
    monkeypatch.setattr(cs, "cosine_gap", lambda w, v: 0.5 * blind(w, v) ** 2)
    cs._accelerated_run.cache.clear()
    outs = check(cs.ACCELERATED, insts, 0)
    cs._accelerated_run.cache.clear()
    assert {o.status for o in outs} == {"implementation error"}


def test_the_residual_claim_sees_the_p2_term_of_w0():
    """The GD runs start with mass on coordinates no data point spans: w_tilde without its
    P2 w(0) term misses it by |w_hat|/2 and is refuted."""
    insts = [i for i in sample(cs.RESIDUAL.instances(), 8, seed=2) if len(i["X"][0]) < cs.DB]
    insts = insts[:3]
    cs._gd_run.cache.clear()
    tr, asym, W0, bad = cs._gd_run(insts, 0)
    assert all(np.linalg.norm(a.w_tilde[len(i["X"][0]):]) > 0
               for a, i in zip(asym, insts, strict=True))
    cut = [a.__class__(**{**a.__dict__, "w_tilde": a.projector @ a.w_tilde}) for a in asym]
    cs._gd_run.cache[next(iter(cs._gd_run.cache))] = (tr, cut, W0, bad)
    try:
        assert {o.status for o in check(cs.RESIDUAL, insts, 0)} == {"counterexample"}
    finally:
        cs._gd_run.cache.clear()


def test_a_slower_rate_is_refuted_by_the_rate_claim():
    """svm.accelerated-rate (trend): the real runs pass; the same runs with the predictor
    replaced by w_hat + (0.1/t) u, u orthogonal to w_hat (1 - cos ~ t^-2, the rate of a
    momentum factor other than t/(t+1)), are counterexamples where the support vectors span
    R^d (there 1 - cos = O~(t^-4) is proven)."""
    def sharp(inst):
        X, y = as_float(inst["X"]), as_float(inst["y"])
        Z = y[:, None] * X
        return np.linalg.matrix_rank(Z[svm.max_margin(X, y).support]) == X.shape[1]

    insts = [i for i in sample(cs.RATE.instances(), 12, seed=11) if sharp(i)][:3]
    assert len(insts) == 3
    cs._accelerated_run.cache.clear()
    assert {o.status for o in check(cs.RATE, insts, 0)} == {"agree"}
    X, y, m, tr, preds = cs._accelerated_run(insts, 0)
    t = np.maximum(np.asarray(tr.t[0], float), 1.0)
    slow = []
    for p in preds:
        w = cs.padded_w(p.w, cs.DB)
        u = np.roll(w, 1) - (np.roll(w, 1) @ w) / (w @ w) * w
        slow.append(w[None] + 0.1 * np.linalg.norm(w) / t[:, None] * (u / np.linalg.norm(u)))
    fake = tr._replace(predictor=np.stack(slow))
    cs._accelerated_run.cache[next(iter(cs._accelerated_run.cache))] = (X, y, m, fake, preds)
    try:
        outs = check(cs.RATE, insts, 0)
    finally:
        cs._accelerated_run.cache.clear()
    assert {o.status for o in outs} == {"counterexample"}, [o.reason for o in outs]

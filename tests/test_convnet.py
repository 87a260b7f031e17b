"""Depth-L linear convnets -> the 2/L quasi-norm of the DFT (docs/convnet.md; Gunasekar et al.
2018).

Instances have input length D = 6 (the conv nets' filter length; padding columns would change
the DFT) and are padded to N = 6 rows with a mask, so each trainer compiles once per depth.
"""

import jax
import numpy as np
import pytest
import scipy.optimize
from hypothesis import given, settings
from hypothesis import strategies as st

from implicit_bias.claims import convnet as cc
from implicit_bias.claims.core import assert_outcomes, check
from implicit_bias.numerics import convnet as nc
from implicit_bias.numerics import deep_linear
from implicit_bias.numerics.metrics import cosine_gap
from implicit_bias.theory import convnet as tc
from implicit_bias.theory import svm
from implicit_bias.theory.errors import DepthError, ImplicitBiasError, NotSeparableError, ShapeError
from implicit_bias.theory.strategies import sample, separable_datasets

D, NB = 6, 6

finite = st.floats(-2, 2, allow_nan=False, allow_subnormal=False)
vectors = st.lists(finite, min_size=D, max_size=D).map(np.array)


# ------------------------------------------------------------------ the parametrization


@given(st.integers(1, 4), st.integers(1, 2**16),
       st.sampled_from([D, nc.MATMUL_DFT_MAX, nc.MATMUL_DFT_MAX + 1]))
def test_layerwise_network_equals_fourier_product(depth, seed, D):
    """β probed through the layer-by-layer network (FFTs) equals F^{-1}(ŵ_1 ⊙ ⋯ ⊙ ŵ_L) as
    end_to_end computes it (DFT matrices up to MATMUL_DFT_MAX, FFTs beyond) (docs/convnet.md)."""
    params = nc.init(jax.random.key(seed), D=D, depth=depth, scale=1.0)
    probe = np.array([float(nc.forward(params, e)) for e in np.eye(D)])
    np.testing.assert_allclose(probe, np.asarray(nc.end_to_end(params)), atol=1e-12)
    prod = np.prod([tc.dft(np.asarray(w)) for w in params], axis=0)
    np.testing.assert_allclose(tc.dft(probe), prod, atol=1e-12)


@given(vectors.filter(lambda b: np.abs(b).max() > 1e-3), st.integers(1, 4))
def test_explicit_real_factorization_attains_the_cost(beta, depth):
    w = tc.factorize(beta, depth)
    assert np.isrealobj(w)
    np.testing.assert_allclose(np.prod(tc.dft(w), axis=0), tc.dft(beta), atol=1e-10)
    assert np.sum(w**2) == pytest.approx(float(tc.cost(beta, depth)), rel=1e-10)


@settings(max_examples=8)
@given(st.lists(finite, min_size=4, max_size=4).map(np.array).filter(
    lambda b: np.abs(tc.dft(b)).min() > 0.05), st.sampled_from([2, 3]), st.integers(0, 100))
def test_direct_minimization_over_factorizations_matches_depth_times_penalty(beta, depth, seed):
    """min Σ‖w_l‖² s.t. the net computes β, by SLSQP from a random start, equals L·Σ|β̂|^{2/L};
    no factorization beats it (the start is random, so this is an independent route)."""
    Dm = beta.size

    def product(flat):
        W = flat.reshape(depth, Dm)
        return np.fft.ifft(np.prod(np.fft.fft(W, norm="ortho", axis=1), axis=0),
                           norm="ortho").real

    x0 = tc.factorize(beta, depth).ravel()
    x0 = x0 + 0.3 * np.random.default_rng(seed).normal(size=x0.size)
    res = scipy.optimize.minimize(lambda f: f @ f, x0, jac=lambda f: 2 * f, method="SLSQP",
                                  constraints=[{"type": "eq", "fun": lambda f: product(f) - beta}],
                                  options={"maxiter": 500, "ftol": 1e-12})
    target = float(tc.cost(beta, depth))
    assert np.abs(product(res.x) - beta).max() < 1e-6
    assert res.fun >= target * (1 - 1e-6)
    assert res.fun == pytest.approx(target, rel=1e-4)


# ------------------------------------------------------------------ theory.convnet


@settings(max_examples=10)
@given(separable_datasets(n_points=(1, NB), dim=(D, D), margin_min=0.2))
def test_max_margin_solutions_carry_valid_certificates(data):
    X, y = data
    r1 = tc.max_margin(X, y, 1)
    np.testing.assert_allclose(r1.beta, svm.max_margin(X, y).w, atol=1e-9)
    r2 = tc.max_margin(X, y, 2)
    # Clarabel runs with gap/feasibility tolerances down to 1e-12 (1e-8 where it cannot
    # reach them); a relative gap ε allows a certificate residual of order sqrt(ε) = 1e-4
    assert r2.kind == "global minimum" and r2.certificate.residual <= 1e-4
    assert np.min(y * (X @ r2.beta)) == pytest.approx(1.0, abs=1e-9)
    # the L2 SVM is feasible for (P_2), so it cannot beat the global minimum
    assert float(tc.penalty(r1.beta, 2)) >= r2.penalty * (1 - 1e-7)
    r3 = tc.max_margin(X, y, 3)
    assert r3.kind == "stationary point" and r3.certificate.residual <= 1e-3
    # reweighted ℓ1 starts at the depth-2 solution and only descends
    assert r3.penalty <= float(tc.penalty(r2.beta, 3)) * (1 + 1e-6)


def test_certificate_can_fail():
    X = np.array([[1.0, 0.2, 0.0, 0.3], [0.1, -1.0, 0.4, 0.0], [0.5, 0.5, 0.5, -0.5]])
    y = np.array([1.0, -1.0, 1.0])
    svm_w = tc.max_margin(X, y, 1).beta
    l1 = tc.max_margin(X, y, 2)
    if not np.allclose(tc.dft(svm_w), tc.dft(l1.beta), atol=1e-6):
        assert tc.stationarity(svm_w, X, y, 2).residual > 1e-3
    with pytest.raises(ImplicitBiasError):
        tc.stationarity(-svm_w, X, y, 2)  # does not separate


@settings(max_examples=10)
@given(separable_datasets(n_points=(1, NB), dim=(D, D), margin_min=0.2), st.integers(1, D - 1))
def test_circular_shift_of_inputs_leaves_the_penalty_unchanged(data, k):
    X, y = data
    a = tc.max_margin(X, y, 2)
    b = tc.max_margin(np.roll(X, k, axis=1), y, 2)
    assert b.penalty == pytest.approx(a.penalty, rel=1e-6)
    bh = tc.dft(b.beta)  # real β: conjugate-symmetric β̂
    np.testing.assert_allclose(bh, np.conj(bh[(-np.arange(D)) % D]), atol=1e-12)


def test_bad_input():
    X, y = np.eye(4), np.ones(4)
    with pytest.raises(DepthError):
        tc.max_margin(X, y, 0)
    with pytest.raises(DepthError):
        tc.penalty(np.ones(4), 1.5)
    with pytest.raises(ShapeError):
        nc.train(X, y, params=nc.init(jax.random.key(0), D=5, depth=2), depth=2, steps=10,
                 n_records=2)
    with pytest.raises(NotSeparableError):
        tc.max_margin(np.array([[1.0, 0, 0], [-1.0, 0, 0]]), [1, 1], 2)
    with pytest.raises(ImplicitBiasError):
        tc.max_margin(np.array([[np.nan, 0, 0]]), [1], 2)


# ------------------------------------------------------------------ single example


@settings(max_examples=10)
@given(cc.SINGLE.instances())
def test_gradient_flow_lands_where_single_example_predicts(inst):
    """convnet.single-example-gf: GF from a balanced init ends on the class the theory's
    gradient-flow rule predicts (energy off it <= 1e-3 at 2e4 steps)."""
    assert_outcomes(cc.SINGLE, [inst])


def test_single_example_claim_uses_the_theory_rule_not_the_strategy(monkeypatch):
    """A wrong gradient-flow rule (the global class instead of argmax |x_hat| r0^(L-2)) is
    refuted on instances where the two differ."""
    insts = [i for i in sample(cc.SINGLE.instances(), 40, seed=3)
             if (lambda x, r0: tc.single_example(x, int(i["depth"]), r0=r0).gf_class
                 != tc.single_example(x, int(i["depth"])).global_class)(*cc._example(i))][:3]
    assert insts
    real = tc.single_example

    def wrong(x, L, r0=None):
        s = real(x, L, r0=r0)
        return type(s)(**{**s.__dict__, "gf_class": s.global_class})

    monkeypatch.setattr(cc.tc, "single_example", wrong)
    cc._single_runs.cache.clear()
    assert {o.status for o in check(cc.SINGLE, insts)} == {"counterexample"}
    cc._single_runs.cache.clear()


def test_gd_finds_the_global_minimum_of_P3_is_false():
    """Named regression: depth-3 GD ends at a NON-global stationary point of (P_3).

    x̂ = (1, 0.9, 0.2, 0.9): the real bin 0 is the global minimum (cost 1) but the balanced init
    r(0) = (0.1, 0.25, 0.05, 0.25) favours the conjugate pair (1, 3) (score 0.225 > 0.1),
    whose cost is 2^{1/3}·0.9^{-2/3} ≈ 1.3516.
    """
    xh = np.array([1.0, 0.9, 0.2, 0.9])
    x = np.fft.ifft(xh, norm="ortho").real
    r0 = np.array([0.1, 0.25, 0.05, 0.25])
    s = tc.single_example(x, 3, r0=r0)
    assert s.global_class == (0,) and s.gf_class == (1, 3)
    tr = nc.train(x[None, :], [1.0], params=nc.balanced_init(r0, 3), depth=3, lr=1e-2,
                  steps=20_000, n_records=4)
    b = np.asarray(tr.beta[-1])
    pen = float(tc.penalty(b / (x @ b), 3))
    assert pen == pytest.approx(2 ** (1 / 3) * 0.9 ** (-2 / 3), rel=1e-2)
    assert pen > 1.3 * s.global_cost
    assert tc.stationarity(b, x[None, :], [1.0], 3).residual < 1e-2


# ------------------------------------------------------------------ training


def _fixed_dataset():
    rng = np.random.default_rng(1)  # a dataset where the two predictions differ (1 - cos ≈ 0.15)
    X = rng.normal(size=(NB, D))
    w = rng.normal(size=D)
    return X, np.sign(X @ w)


def test_architecture_matters_convnet_vs_fully_connected():
    """Same data: deep fully connected nets -> L2 SVM; depth-2 convnets -> DFT-ℓ1 solution.

    The two predictions differ here (1 - cos ≈ 0.15); each trained model must be much closer to
    its own prediction than to the other one (both converge at polynomial rates, so the
    assertion is relative: own gap <= 0.1 x the gap between the predictions).
    """
    X, y = _fixed_dataset()
    l2 = svm.max_margin(X, y).w
    l1 = tc.max_margin(X, y, 2).beta
    between = cosine_gap(l1, l2)
    assert between > 0.05
    conv = nc.train(X, y, key=jax.random.key(1), depth=2, lr=0.05, steps=20_000, n_records=3,
                    scale=0.1)
    fc = deep_linear.train(X, y, key=jax.random.key(1), depth=2, width=8, lr=0.1,
                           steps=20_000, n_records=3)
    bc, bf = np.asarray(conv.beta[-1]), np.asarray(fc.beta[-1])
    assert cosine_gap(bc, l1) <= 0.1 * between and cosine_gap(bc, l2) > 0.5 * between
    assert cosine_gap(bf, l2) <= 0.1 * between and cosine_gap(bf, l1) > 0.5 * between


@settings(max_examples=5)
@given(cc.L1_RATE.instances(), st.integers(0, 99))
def test_depth1_and_depth2_convnets_reach_their_predictions(inst, seed):
    """convnet.rate-L1 (L2 SVM at rate 1/t^2) and convnet.L2-lower-bound / -excess-shrinks
    (never below the DFT-l1 optimum; excess not growing) on one instance."""
    for claim in (cc.L1_RATE, cc.L2_BOUND, cc.L2_TREND):
        assert_outcomes(claim, [inst], seed)


@settings(max_examples=4)
@given(cc.KKT.instances())
def test_depth3_and_4_training_approaches_a_kkt_point_of_PL(inst):
    """convnet.kkt-point: settled runs are KKT points (residual <= 1e-2); runs still moving
    are undecided, never counterexamples."""
    assert_outcomes(cc.KKT, [inst], 0, allowed=("agree", "optimization failure"))


def test_kkt_claim_decides_most_instances():
    """The L = 3, 4 claim is not vacuous: most instances agree within its budget."""
    outs = check(cc.KKT, sample(cc.KKT.instances(), 8, seed=11), 0)
    assert sum(o.status == "agree" for o in outs) >= 4
    assert not any(o.status in ("counterexample", "implementation error") for o in outs)


def test_single_example_states_its_assumption_and_refuses_misaligned_phases():
    """The gradient-flow rule is proven for a balanced init whose phases are aligned with
    x_hat; with general x and zero phases it is refused (measured: the rule picks the wrong
    class on 4 of 49 instances with a complex bin misaligned by more than 2.4 rad), and the
    zero vector is not separable."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=4)
    r0 = np.array([0.1, 0.2, 0.15, 0.2])
    with pytest.raises(ImplicitBiasError, match="aligned"):
        tc.single_example(x, 3, r0=r0)
    with pytest.raises(NotSeparableError):
        tc.single_example(np.zeros(4), 3)
    # phases that align: arg x_hat carried by the first layer
    ph = np.zeros((3, 4))
    ph[0] = np.angle(tc.dft(x))
    s = tc.single_example(x, 3, r0=r0, phases=ph)
    assert s.assumption and s.gf_class is not None
    tr = nc.train(x[None, :], [1.0], params=nc.balanced_init(r0, 3, phases=ph), depth=3,
                  lr=1e-2, steps=20_000, n_records=3)
    bh2 = np.abs(tc.dft(np.asarray(tr.beta[-1]))) ** 2
    assert bh2[list(s.gf_class)].sum() / bh2.sum() >= 1 - 1e-3


@pytest.mark.parametrize("c", [1e-12, 1e-6, 1e6, 1e12])
def test_convnet_max_margin_is_positively_homogeneous(c):
    """beta(cX) = beta(X)/c and the penalty scales by c^(-2/L) (docs/conventions.md)."""
    X, y = _fixed_dataset()
    for L in (2, 3):
        base = tc.max_margin(X, y, L)
        r = tc.max_margin(c * X, y, L)
        np.testing.assert_allclose(r.beta * c, base.beta, rtol=1e-6,
                                   atol=1e-9 * np.abs(base.beta).max())
        assert r.penalty * c ** (2 / L) == pytest.approx(base.penalty, rel=1e-6)
        assert r.certificate.residual <= 1e-3


def test_the_rival_fully_connected_limit_fails_the_L2_claims(monkeypatch):
    """Replace the depth-2 convnet by a linear model (limit: the L2 SVM, not the DFT-l1
    minimum): the L = 2 KKT claim reports a counterexample where the two limits differ."""
    from implicit_bias.numerics import linear

    insts = sample(cc.KKT_L2.instances(), 8, seed=run_seed())

    def linear_instead(X, y, *, mask, key, depth, lr, scale, steps, n_records, **kw):
        return linear.train_batch(X, y, mask=mask, loss="exp", schedule="normalized", lr=lr,
                                  steps=steps, n_records=n_records)

    monkeypatch.setattr(cc.nc, "train_batch", linear_instead)
    cc._runs.cache.clear()
    outs = check(cc.KKT_L2, insts, 0)
    cc._runs.cache.clear()
    assert any(o.status == "counterexample" for o in outs), [o.reason for o in outs]


def run_seed():
    from implicit_bias.claims import runner

    return runner.instance_seed(0, 0, "sep")


# ------------------------------------------------------------------ invariants of the claims


def _sep_batch():
    return sample(cc.KKT_L2.instances(), 8, seed=run_seed())


def test_the_L2_claim_shows_the_certificate_a_candidate_violating_off_support(monkeypatch):
    """convnet.L2-kkt-point shows the L = 2 certificate the DFT-l1 minimum with one class of
    the optimum's support forced to zero (a KKT point of the restricted problem: only the
    off-support condition |z_hat| <= 1 can reject it). The correct certificate's residual
    respects the weak-duality floor g/(sqrt(D) + 1 + g); a certificate that never checks the
    off-support bins accepts the candidate: an implementation error."""
    insts = _sep_batch()
    cc._runs.cache.clear()
    try:
        ms = cc.KKT_L2.measure(insts, 0)
        assert all(m.invariant is None for m in ms), [m.invariant for m in ms]
        shown = [m for m in ms if "candidate gap" in m.numbers]
        assert shown and all(m.numbers["candidate residual"] >= m.numbers["candidate floor"]
                             for m in shown)
        real = tc._certificate

        def no_offsupport(b, Z, L, active, sup):
            alpha, sres, _off, euler = real(b, Z, L, active, sup)
            return alpha, sres, 0.0, euler

        monkeypatch.setattr(tc, "_certificate", no_offsupport)
        outs = check(cc.KKT_L2, insts, 0)
        bad = [o for o in outs if o.status == "implementation error"]
        assert bad and all("off-support" in o.reason for o in bad), [o.reason for o in outs]
    finally:
        cc._runs.cache.clear()


def test_the_kkt_claims_check_factorize_and_the_trained_filters(monkeypatch):
    """The KKT claims factorize beta_T: a factorization whose product is not beta_hat (the
    first filter time-reversed: conjugated spectrum, same energy) and a representation cost
    above the trained filters' energy (cost x 1.5) are implementation errors."""
    insts = _sep_batch()
    real_factorize, real_cost = tc.factorize, tc.cost
    monkeypatch.setattr(cc.tc, "factorize", lambda beta, L: np.concatenate(
        [np.roll(real_factorize(beta, L)[:1, ::-1], 1, axis=1), real_factorize(beta, L)[1:]]))
    outs = check(cc.KKT_L2, insts, 0)
    assert all(o.status == "implementation error" and "multiply back" in o.reason
               for o in outs), [o.reason for o in outs]
    monkeypatch.setattr(cc.tc, "factorize", real_factorize)
    monkeypatch.setattr(cc.tc, "cost", lambda beta, L: 1.5 * real_cost(beta, L))
    outs = check(cc.KKT_L2, insts, 0)
    assert all(o.status == "implementation error" and "representation cost" in o.reason
               for o in outs), [o.reason for o in outs]


def test_the_single_example_claim_checks_every_class_cost(monkeypatch):
    """convnet.single-example-gf checks SingleExample.costs against the penalty of each
    class's unit-margin stationary point: conjugate pairs priced like real bins (without
    the factor 2^(1-2/L)) are an implementation error."""
    insts = sample(cc.SINGLE.instances(), 2, seed=5)
    real = tc.single_example

    def pairs_like_bins(x, L, r0=None):
        s = real(x, L, r0=r0)
        costs = np.array([c / (2.0 ** (1 - 2 / L)) if len(k) == 2 else c
                          for c, k in zip(s.costs, s.classes, strict=True)])
        i = int(np.argmin(costs))
        return type(s)(**{**s.__dict__, "costs": costs, "global_class": s.classes[i],
                          "global_cost": float(costs[i])})

    cc._single_runs.cache.clear()
    try:
        assert {o.status for o in check(cc.SINGLE, insts)} == {"agree"}
        monkeypatch.setattr(cc.tc, "single_example", pairs_like_bins)
        cc._single_runs.cache.clear()
        outs = check(cc.SINGLE, insts)
        assert {o.status for o in outs} == {"implementation error"}
        assert all("costs" in o.reason for o in outs)
    finally:
        cc._single_runs.cache.clear()

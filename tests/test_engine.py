"""The training engine: losses, optimizers, the jitted loop, batching, resuming, user models.

Equations are checked against hand-written numpy updates (each optimizer is the equation of
its docstring), the loop against per-instance runs, and compilation against new data.
"""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from hypothesis import given
from hypothesis import strategies as st

from implicit_bias.numerics import engine, linear, optimizers
from implicit_bias.numerics.engine import Model, Regularizer, fit, fit_batch, log_times
from implicit_bias.numerics.losses import (
    get_loss,
    log_loss,
    make_loss,
    normalized_cotangent,
    normalized_weights,
    shares,
)
from implicit_bias.theory.errors import InvalidInputError, NonFiniteError, ShapeError
from implicit_bias.theory.strategies import pad, planted_svm, sample

NB, DB = 8, 4


def random_separable(seed, n=6, d=3):
    """A fixed random separable instance (numpy RNG) for tests that need no search."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    w = rng.normal(size=d)
    y = np.sign(X @ w)
    return X + 0.2 * y[:, None] * w / np.linalg.norm(w), y


@pytest.mark.parametrize("loss", ["exp", "logistic"])
def test_losses_are_finite_at_margins_of_1e4(loss):
    L = get_loss(loss)
    u = jnp.array([-1e4, -1e3, -1.0, 0.0, 1.0, 1e3, 1e4])
    one = jnp.ones_like(u)
    for f in (L.log_value, L.log_abs_dout):
        assert bool(jnp.isfinite(f(u, one)).all())
    w, lv = normalized_weights(L, u)
    assert bool(jnp.isfinite(w).all()) and np.isfinite(float(lv))
    # large positive margins: log ℓ(u) = -u + O(e^-u) for both losses
    np.testing.assert_allclose(L.log_value(jnp.array([1e3, 1e4]), jnp.ones(2)), [-1e3, -1e4])
    assert float(log_loss(L, jnp.array([1e4, 1e4]), jnp.ones(2))) == pytest.approx(
        -1e4 + np.log(2))
    ct, _ = normalized_cotangent(L, u, -one)  # label -1: every margin negated
    # label -1: dl/df = -y l' >= 0 everywhere, positive where the loss is largest (margin
    # -1e4), and finite where dl/df itself underflows
    assert bool(jnp.isfinite(ct).all()) and bool(jnp.all(ct >= 0)) and float(ct[-1]) > 0


@given(st.sampled_from(["exp", "logistic"]),
       st.lists(st.floats(-800, 5e3, allow_nan=False), min_size=1, max_size=8),
       st.lists(st.booleans(), min_size=8, max_size=8))
def test_one_exp_shares_equal_the_log_domain_weights_renormalized(loss, u, keep):
    """losses.shares (one exp per point, the accelerated schedule's hot path) equals
    normalized_weights / sum (log domain, several transcendentals) to rounding, masked or
    not, for negative margins, margins of 1e3 and ranges beyond exp's."""
    # one shape for every example (pad to 8, padded rows masked): no compile per example
    keep = np.array(keep)
    keep[len(u):] = False
    keep[0] = True
    u = jnp.array(u + [0.0] * (8 - len(u)))
    m = jnp.array(keep)
    ref, q = (np.asarray(a) for a in _SHARES_PAIR[loss](u, m))
    assert np.isfinite(q).all() and q.sum() == pytest.approx(1.0, abs=1e-12)
    np.testing.assert_allclose(q, ref, rtol=1e-12, atol=1e-300)
    assert np.all(q[~np.asarray(m)] == 0)


def _shares_pair(L):
    def both(u, m):
        c, _ = normalized_weights(L, u, m)
        return c / c.sum(), shares(L, u, m)
    return jax.jit(both)


_SHARES_PAIR = {name: _shares_pair(get_loss(name)) for name in ("exp", "logistic")}


@given(st.integers(1, 10**7), st.integers(2, 60))
def test_log_times_are_increasing_and_end_at_the_last_step(steps, n_records):
    if steps < n_records - 1:
        with pytest.raises(InvalidInputError):
            log_times(steps, n_records)
        return
    t = log_times(steps, n_records)
    assert t.shape == (n_records,) and t[0] == 0 and t[-1] == steps
    assert np.all(np.diff(t) > 0)


def test_training_at_huge_margins_stays_finite():
    X = np.array([[1e3, 0.0], [0.0, 1e3]])
    tr = linear.train(X, [1, 1], loss="logistic", schedule="normalized", steps=100,
                      n_records=3, w0=[10.0, 10.0])
    assert np.isfinite(np.asarray(tr.log_loss)).all()
    assert np.isfinite(np.asarray(tr.beta)).all()


def test_batched_training_equals_per_instance_training():
    insts = [random_separable(s, n=2 + s, d=1 + s % 4) for s in range(5)]
    X, y, m = pad(insts, NB, DB)
    kw = dict(loss="logistic", schedule="normalized", steps=300, n_records=4, lr=0.05)
    tb = linear.train_batch(X, y, mask=m, block=2, **kw)
    for b in range(5):
        ts = linear.train(X[b], y[b], mask=m[b], **kw)
        np.testing.assert_allclose(np.asarray(tb.beta[b]), np.asarray(ts.beta), rtol=1e-12,
                                   atol=1e-12)


@pytest.mark.parametrize("schedule,loss", [("gd", "logistic"), ("gd", "exp"),
                                           ("normalized", "logistic"),
                                           ("accelerated", "logistic"), ("sign", "logistic")])
def test_a_resumed_run_is_the_uninterrupted_run(schedule, loss):
    """resume= continues exactly: params, momentum, the step counter (the accelerated
    schedule's t/(t+1) depends on the absolute step) and the step size (exp-loss GD's
    default step depends on the initial point, so it must not be recomputed)."""
    insts = sample(planted_svm(n_points=(3, NB), dim=(2, DB)), 3, seed=1)
    X, y, m = pad(insts, NB, DB)
    kw = dict(mask=m, schedule=schedule, loss=loss, n_records=4)
    whole = linear.train_batch(X, y, steps=300, **kw)
    half = linear.train_batch(X, y, steps=100, **kw)
    rest = linear.train_batch(X, y, steps=200, resume=half, **kw)
    np.testing.assert_array_equal(np.asarray(rest.params), np.asarray(whole.params))
    np.testing.assert_array_equal(np.asarray(rest.t[:, [0, -1]]), [[100, 300]] * 3)
    one = linear.train(X[0], y[0], mask=m[0], schedule=schedule, loss=loss, steps=120,
                       n_records=3)
    more = linear.train(X[0], y[0], mask=m[0], schedule=schedule, loss=loss, steps=180,
                        n_records=3, resume=one)
    np.testing.assert_array_equal(np.asarray(more.params), np.asarray(whole.params[0]))
    with pytest.raises(ShapeError):
        linear.train_batch(X[:2], y[:2], mask=m[:2], steps=10, resume=half, schedule=schedule,
                           loss=loss)


def test_train_until_aligned_stops_each_instance_at_its_stage():
    insts = sample(planted_svm(n_points=(3, NB), dim=(2, DB)), 12, seed=2)
    X, y, m, W = *pad(insts, NB, DB), np.zeros((12, DB))
    for b, p in enumerate(insts):
        W[b, : p.w_hat.size] = p.w_hat
    al = linear.train_until_aligned(X, y, W, tol=1e-6, mask=m, stages=(50, 400, 4000),
                                    bucket=4)
    assert al.converged.all() and np.all(al.gap <= 1e-6)
    assert set(al.steps.tolist()) <= {50, 400, 4000} and len(set(al.steps.tolist())) >= 2
    # the same numbers as training each instance straight to its stopping step
    for T in set(al.steps.tolist()):
        sel = np.flatnonzero(al.steps == T)
        tr = linear.train_batch(X[sel], y[sel], mask=m[sel], schedule="accelerated", steps=T,
                                n_records=2)
        np.testing.assert_allclose(np.asarray(tr.beta[:, -1]), al.beta[sel], rtol=1e-12,
                                   atol=1e-12)


def test_second_call_with_new_data_does_not_recompile():
    before = engine._run_jit._cache_size()
    (X1, y1, m1), (X2, y2, m2) = (
        [a[0] for a in pad([random_separable(s, n=3 + s, d=2 + s)], NB, DB)] for s in (1, 2))
    linear.train(X1, y1, mask=m1, schedule="accelerated", steps=100, n_records=5)
    mid = engine._run_jit._cache_size()
    linear.train(X2, y2, mask=m2, schedule="accelerated", steps=250, n_records=5, lr=0.01)
    assert engine._run_jit._cache_size() == mid <= before + 1




# ------------------------------------------------------------------ optimizers = equations


def _numpy_run(update, w0, grad, steps):
    w, state = w0.copy(), None
    for t in range(steps):
        w, state = update(w, grad(w), state, t)
    return w


LINE = Model("line", lambda w, X: X @ w, lambda w: w)
XR = np.array([[1.0, 2.0, 0.0], [0.0, 1.0, -1.0]])
YR = np.array([1.0, -2.0])


def _sq_grad(w):
    return XR.T @ (XR @ w - YR)


@pytest.mark.parametrize("name", ["gd", "heavy_ball", "nesterov", "sign_gd", "adam"])
def test_each_optimizer_is_its_equation(name):
    """50 steps on a square loss equal the docstring's update written in numpy."""
    lr, beta = 0.05, 0.8
    hyper = {"lr": lr}
    if name in ("heavy_ball", "nesterov"):
        hyper["beta"] = beta

    def gd(w, g, s, t):
        return w - lr * g, s

    def hb(w, g, s, t):
        m = beta * (0 if s is None else s) - lr * g
        return w + m, m

    def nest(w, g, s, t):
        m = beta * (0 if s is None else s) - lr * g
        return w + beta * m - lr * g, m

    def sign(w, g, s, t):
        return w - lr * np.sign(g), s

    def adam(w, g, s, t):
        m, v = s if s is not None else (0 * w, 0 * w)
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g**2
        k = t + 1
        return w - lr * (m / (1 - 0.9**k)) / (np.sqrt(v / (1 - 0.999**k)) + 1e-8), (m, v)

    ref = {"gd": gd, "heavy_ball": hb, "nesterov": nest, "sign_gd": sign, "adam": adam}[name]
    opt = optimizers.adam() if name == "adam" else getattr(optimizers, name)
    w0 = np.array([0.3, -0.2, 0.1])
    if name == "sign_gd":  # sign GD reads the shares target: direction of the gradient
        opt = opt._replace(target="loss")
    tr = fit(LINE, jnp.asarray(w0), XR, YR, loss="square", optimizer=opt, hyper=hyper,
             steps=50, n_records=2)
    np.testing.assert_allclose(np.asarray(tr.params), _numpy_run(ref, w0, _sq_grad, 50),
                               rtol=1e-12, atol=1e-14)


def test_normalized_and_accelerated_schedules_are_their_equations():
    """Normalized GD: w <- w - lr grad L / L; dual-accelerated: g <- t/(t+1)(g + v),
    w <- w - lr (g + v), v = grad L / sum |l'| (exp loss: grad L / L)."""
    X, y = random_separable(3)
    Z = y[:, None] * X

    def gradL(w):
        e = np.exp(-(Z @ w))
        return -(Z.T @ e), e.sum()

    w, wa, g = np.zeros(3), np.zeros(3), np.zeros(3)
    for t in range(40):
        gr, L = gradL(w)
        w = w - 0.1 * gr / L
        gr, L = gradL(wa)
        v = gr / L
        g = t / (t + 1) * (g + v)
        wa = wa - 0.1 * (g + v)
    for opt, ref in ((optimizers.normalized_gd, w), (optimizers.dual_accelerated, wa)):
        tr = fit(linear.MODEL, jnp.zeros(3), X, y, loss="exp", optimizer=opt,
                 hyper={"lr": 0.1}, steps=40, n_records=2)
        np.testing.assert_allclose(np.asarray(tr.params), ref, rtol=1e-11)


def test_normalized_schedule_keeps_moving_at_margins_beyond_float_range():
    """Regression: the sign of dl/df must come from the label, not from dout, which
    underflows to 0 once margins exceed ~745 (the run then froze)."""
    X = np.array([[1.0, 0.0], [0.0, 1.0]])
    tr = linear.train(X, [1, 1], loss="logistic", schedule="normalized", steps=200,
                      n_records=3, w0=[800.0, 900.0])
    assert float(jnp.abs(tr.params - jnp.array([800.0, 900.0])).max()) > 10


def test_optax_transformations_train_through_the_engine():
    tx = optax.sgd(0.05)
    tr = fit(LINE, jnp.zeros(3), XR, YR, loss="square", optimizer=tx, hyper={}, steps=50,
             n_records=2)
    ref = fit(LINE, jnp.zeros(3), XR, YR, loss="square", optimizer="gd", hyper={"lr": 0.05},
              steps=50, n_records=2)
    np.testing.assert_allclose(np.asarray(tr.params), np.asarray(ref.params), rtol=1e-13)


def test_a_regularizer_with_a_schedule_takes_effect():
    """λ_t·P(θ) with λ decaying: the trained weights differ from the unregularized ones, and
    the final λ is the one the schedule ends at (weight decay that is never applied, or never
    annealed, would fail this)."""
    reg = Regularizer("ridge", lambda w: 0.5 * jnp.sum(w**2),
                      lambda t, h: h["lam"] * (1 - t.astype(h["T"].dtype) / h["T"]),
                      ("lam",))
    kw = dict(loss="square", optimizer="gd", steps=2000, n_records=3)
    plain = fit(LINE, jnp.zeros(3), XR, YR, hyper={"lr": 0.05}, **kw)
    ridge = fit(LINE, jnp.zeros(3), XR, YR, hyper={"lr": 0.05, "lam": 5.0}, regularizer=reg,
                **kw)
    assert float(jnp.abs(ridge.params - plain.params).max()) > 1e-3
    # the recorded gradient is ∇L + λ_t ∇P with λ_t = 5(1 - t/T): exactly 0 at T
    tr2 = fit(LINE, jnp.zeros(3), XR, YR, hyper={"lr": 0.05, "lam": 5.0}, regularizer=reg,
              loss="square", optimizer="gd", steps=2000, n_records=4)
    for t, wn in ((int(tr2.t[2]), None), (2000, np.asarray(tr2.params))):
        w = np.asarray(tr2.predictor[2]) if wn is None else wn
        lam = 5.0 * (1 - t / 2000)
        expect = np.linalg.norm(_sq_grad(w) + lam * w)
        got = float(tr2.grad_norm[2] if wn is None else tr2.grad_norm[-1])
        assert got == pytest.approx(expect, rel=1e-10)
    assert float(ridge.penalty[-1]) > 0


def test_user_model_a_depth_2_diagonal_net_trains_with_no_loop_code():
    """The README's example: beta = u*u - v*v on the square loss from small init reaches an
    interpolant close to min l1 (the rich regime)."""
    def predict(p, X):
        return X @ (p["u"] ** 2 - p["v"] ** 2)

    diag = Model("diag2", predict, lambda p: p["u"] ** 2 - p["v"] ** 2, 2)
    X = np.array([[1.0, 0.5, 0.2, 0.0], [0.0, 1.0, 0.3, 1.0]])
    y = np.array([1.0, 1.0])
    p0 = {"u": jnp.full(4, 1e-3), "v": jnp.full(4, 1e-3)}
    tr = fit(diag, p0, X, y, loss="square", optimizer="gd", hyper={"lr": 0.1},
             steps=20_000, n_records=3)
    beta = np.asarray(tr.predictor[-1])
    np.testing.assert_allclose(X @ beta, y, atol=1e-6)
    assert np.sum(np.abs(beta)) < np.linalg.norm(np.linalg.pinv(X) @ y, 1)


def test_bad_hyperparameters_raise_typed_errors():
    kw = dict(loss="square", steps=10, n_records=2)
    with pytest.raises(NonFiniteError):
        fit(LINE, jnp.zeros(3), XR, YR, optimizer="gd", hyper={"lr": np.nan}, **kw)
    with pytest.raises(InvalidInputError):
        fit(LINE, jnp.zeros(3), XR, YR, optimizer="heavy_ball", hyper={"lr": 0.1,
                                                                      "beta": True}, **kw)
    with pytest.raises(InvalidInputError):
        fit(LINE, jnp.zeros(3), XR, YR, optimizer="adamw", hyper={"lr": 0.1}, **kw)
    with pytest.raises(InvalidInputError):
        fit(LINE, jnp.zeros(3), XR, YR, optimizer="gd", hyper={}, **kw)
    with pytest.raises(ShapeError):
        fit_batch(LINE, jnp.zeros((2, 3)), np.stack([XR] * 2), np.stack([YR] * 2),
                  optimizer="gd", hyper={"lr": np.ones(3)}, **kw)
    with pytest.raises(InvalidInputError):
        fit(LINE, jnp.zeros(3), XR, YR, loss="hinge", optimizer="gd", hyper={"lr": 0.1},
            steps=10)
    with pytest.raises(NonFiniteError):
        linear.train([[1.0, 0.0]], [1], w0=[np.nan, 0.0], steps=10, n_records=2)


def test_a_sweep_over_step_sizes_does_not_recompile():
    X, y, m = pad([random_separable(s) for s in range(4)], NB, DB)
    linear.train_batch(X, y, mask=m, schedule="normalized", lr=0.05, steps=100, n_records=3)
    before = engine._run_batch_jit._cache_size()
    for lr in (0.01, 0.02, 0.04):
        linear.train_batch(X, y, mask=m, schedule="normalized", lr=lr, steps=150, n_records=3)
    assert engine._run_batch_jit._cache_size() == before


def test_custom_loss_matches_the_shipped_square_loss():
    sq = make_loss("my-square", lambda f, y: 0.5 * (f - y) ** 2)
    a = fit(LINE, jnp.zeros(3), XR, YR, loss=sq, optimizer="gd", hyper={"lr": 0.05},
            steps=30, n_records=2)
    b = fit(LINE, jnp.zeros(3), XR, YR, loss="square", optimizer="gd", hyper={"lr": 0.05},
            steps=30, n_records=2)
    np.testing.assert_allclose(np.asarray(a.params), np.asarray(b.params), rtol=1e-13)


# ------------------------------------------------- array hyperparameters, per-example steps


def test_array_hyperparameters_are_traced_and_shape_checked():
    """An optimizer's ``array_hyper`` (a preconditioner P^-1) is an array of any shape for fit
    and carries a leading instance axis for fit_batch: new values do not recompile, a
    missing or wrong leading axis is a ShapeError (scalars keep their old rules)."""
    opt = optimizers.preconditioned("loss")
    Pinv = np.diag([1.0, 0.5, 0.25])
    tr = fit(LINE, jnp.zeros(3), XR, YR, loss="square", optimizer=opt,
             hyper={"lr": 0.05, "precond": Pinv}, steps=40, n_records=2)
    w = np.zeros(3)
    for _ in range(40):
        w = w - 0.05 * Pinv @ _sq_grad(w)
    np.testing.assert_allclose(np.asarray(tr.params), w, rtol=1e-12, atol=1e-14)
    Xs, Ys = np.stack([XR] * 2), np.stack([YR] * 2)
    kw = dict(loss="square", optimizer=opt, steps=10, n_records=2)
    fit_batch(LINE, jnp.zeros((2, 3)), Xs, Ys, hyper={"lr": 0.05, "precond": np.stack(
        [Pinv, np.eye(3)])}, **kw)
    before = engine._run_batch_jit._cache_size()
    fit_batch(LINE, jnp.zeros((2, 3)), Xs, Ys, hyper={"lr": [0.01, 0.02], "precond": np.stack(
        [np.eye(3), 2 * Pinv])}, **kw)
    assert engine._run_batch_jit._cache_size() == before
    for bad in (Pinv, np.stack([Pinv] * 3), np.float64(1.0)):
        with pytest.raises(ShapeError):
            fit_batch(LINE, jnp.zeros((2, 3)), Xs, Ys, hyper={"lr": 0.05, "precond": bad}, **kw)
    with pytest.raises(NonFiniteError):
        fit(LINE, jnp.zeros(3), XR, YR, hyper={"lr": 0.05, "precond": Pinv * np.nan}, **kw)
    with pytest.raises(InvalidInputError):
        fit(LINE, jnp.zeros(3), XR, YR, hyper={"lr": 0.05, "precond": "eye"}, **kw)


def test_a_per_example_optimizer_steps_on_one_example_and_records_the_whole_loss():
    """``Optimizer.examples``: cyclic GD is w <- w - lr grad l_{t mod n}(w) (numpy loop);
    masked rows are skipped by the cycle; records (loss, grad_norm) use the whole set."""
    X = np.array([[1.0, 2.0, 0.0], [0.0, 1.0, -1.0], [5.0, 5.0, 5.0], [1.0, 0.0, 1.0]])
    y = np.array([1.0, -2.0, 9.0, 0.5])
    mask = np.array([True, True, False, True])  # row 2 is padding
    rows = [0, 1, 3]
    w = np.zeros(3)
    for t in range(50):
        i = rows[t % 3]
        w = w - 0.1 * X[i] * (X[i] @ w - y[i])
    tr = fit(LINE, jnp.zeros(3), X, y, mask=mask, loss="square",
             optimizer=optimizers.cyclic(optimizers.gd), hyper={"lr": 0.1}, steps=50,
             n_records=2)
    np.testing.assert_allclose(np.asarray(tr.params), w, rtol=1e-12, atol=1e-14)
    r = X[rows] @ w - y[rows]
    assert float(tr.log_loss[-1]) == pytest.approx(np.log(0.5 * np.sum(r**2)), rel=1e-12)
    assert float(tr.grad_norm[-1]) == pytest.approx(np.linalg.norm(X[rows].T @ r), rel=1e-12)
    sel = [np.flatnonzero(np.asarray(optimizers.cyclic_example(jnp.asarray(t), mask, {})))
           for t in range(6)]
    assert [int(s[0]) for s in sel] == [0, 1, 3, 0, 1, 3] and all(s.size == 1 for s in sel)
    with pytest.raises(InvalidInputError):
        optimizers.cyclic(optimizers.cyclic(optimizers.gd))


def _unit_init(k, *, n, scale, dtype):
    return scale * jax.random.normal(k, (n,), dtype)


def test_init_batch_matches_per_key_init_and_a_scale_sweep_does_not_recompile():
    """init_batch draws exactly init(k_b) for the keys split B ways (the stream the eager
    per-instance calls drew), and a float keyword (an init scale) is traced."""
    key = jax.random.key(3)
    got = engine.init_batch(_unit_init, key, 4, n=3, scale=0.5, dtype=jnp.float64)
    want = jnp.stack([_unit_init(k, n=3, scale=0.5, dtype=jnp.float64)
                      for k in jax.random.split(key, 4)])
    np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=1e-15)
    before = engine._init_batch_jit._cache_size()
    engine.init_batch(_unit_init, key, 4, n=3, scale=2.0, dtype=jnp.float64)
    assert engine._init_batch_jit._cache_size() == before
    engine.init_batch(_unit_init, key, 4, n=5, scale=2.0, dtype=jnp.float64)  # a new shape
    assert engine._init_batch_jit._cache_size() == before + 1


def test_init_batch_sizes_in_one_power_of_two_share_a_program_and_draw_the_same_values():
    """B is rounded up to a power of two inside init_batch; with partitionable threefry the
    first B keys of a longer split are split(key, B), so B = 5, 6, 7 draw exactly the
    per-key inits of their own split and compile once (the check can fail: 3 -> bucket 4)."""
    key = jax.random.key(11)
    engine.init_batch(_unit_init, key, 8, n=2, scale=1.0, dtype=jnp.float64)
    before = engine._init_batch_jit._cache_size()
    for B in (5, 6, 7):
        got = engine.init_batch(_unit_init, key, B, n=2, scale=1.0, dtype=jnp.float64)
        want = np.stack([np.asarray(_unit_init(k, n=2, scale=1.0, dtype=jnp.float64))
                         for k in jax.random.split(key, B)])
        assert got.shape == (B, 2)
        np.testing.assert_allclose(got, want, rtol=1e-15)
    assert engine._init_batch_jit._cache_size() == before
    engine.init_batch(_unit_init, key, 3, n=2, scale=1.0, dtype=jnp.float64)
    assert engine._init_batch_jit._cache_size() == before + 1


def test_the_default_block_is_16_on_a_cpu_and_the_whole_shard_on_an_accelerator():
    """fit_batch(block=None) runs blocks of 16 on a CPU (the cache-sized blocks every trainer
    used) and up to ACCEL_BLOCK instances at once elsewhere: on an H200, blocks of 16 ran
    10-440x slower than one vmapped block (benchmarks/bench_gpu.py). A block never changes a
    result, so the default is checked by what it picks, and by fit_batch(block=None) reusing
    the program compiled for block=16 (the block is static: another block would compile)."""

    class Gpu:
        platform = "gpu"

    assert engine.default_block(jax.devices("cpu")) == engine.CPU_BLOCK == 16
    assert engine.default_block(jax.devices("cpu"), cpu=8) == 8
    assert engine.default_block([Gpu()]) == engine.default_block([Gpu()], cpu=8) == 4096
    X, y = random_separable(3)
    Xs, ys = np.stack([X] * 20), np.stack([y] * 20)
    kw = dict(loss="logistic", optimizer="gd", hyper={"lr": 0.1}, steps=50, n_records=2)
    b = fit_batch(linear.MODEL, np.zeros((20, 3)), Xs, ys, block=16, **kw)
    before = engine._run_batch_jit._cache_size()
    a = fit_batch(linear.MODEL, np.zeros((20, 3)), Xs, ys, **kw)
    assert engine._run_batch_jit._cache_size() == before
    np.testing.assert_array_equal(a.params, b.params)
    fit_batch(linear.MODEL, np.zeros((20, 3)), Xs, ys, block=4, **kw)
    assert engine._run_batch_jit._cache_size() == before + 1  # the check can fail


def test_nearby_batch_sizes_share_one_compiled_program_and_padding_changes_nothing():
    """fit_batch pads each device's share to its batch_bucket (powers of two up to the block,
    whole blocks beyond), so B = 5..8 compile one program, and the padded instances (copies of
    the last one) are dropped without touching the real ones: each result equals that
    instance's own run (to 1e-12: a vmapped block of another width may round differently)."""
    insts = [random_separable(s, n=4, d=3) for s in range(8)]
    X = np.stack([i[0] for i in insts])
    y = np.stack([i[1] for i in insts])
    kw = dict(loss="logistic", optimizer="gd", hyper={"lr": 0.1}, steps=40, n_records=2,
              devices=jax.devices("cpu")[:1])
    full = fit_batch(linear.MODEL, np.zeros((8, 3)), X, y, **kw)
    before = engine._run_batch_jit._cache_size()
    for B in (5, 6, 7):
        tb = fit_batch(linear.MODEL, np.zeros((B, 3)), X[:B], y[:B], **kw)
        assert tb.params.shape == (B, 3) and tb.log_loss.shape[0] == B
        np.testing.assert_allclose(tb.params, full.params[:B], rtol=1e-12, atol=1e-12)
    assert engine._run_batch_jit._cache_size() == before  # the check can fail
    fit_batch(linear.MODEL, np.zeros((3, 3)), X[:3], y[:3], **kw)
    assert engine._run_batch_jit._cache_size() == before + 1  # 3 -> bucket 4: another program

"""Matrix factorization (docs/matrix.md): the nuclear-norm SDP and its dual certificate, the
commuting closed form, the Razin-Cohen 2×2 family, Arora et al.'s singular-value identity and
the pure JAX model functions (dynamics checked with one explicit step); then the trainers
(thin calls of the engine), the GF-faithful end-to-end flow and the claims of
``claims/matrix.py`` (agreement, wrong predictions on both sides, rival models, compile-once,
the conjecture search).
"""

import dataclasses
import json

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.optimize
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from implicit_bias.claims import matrix as cm
from implicit_bias.claims import search as cj
from implicit_bias.claims.core import assert_outcomes, check, decode
from implicit_bias.claims.core import measure as measure_claim
from implicit_bias.numerics import engine
from implicit_bias.numerics import matrix as nm
from implicit_bias.theory import matrix as tm
from implicit_bias.theory.errors import (
    DepthError,
    DomainError,
    ImplicitBiasError,
    InfeasibleError,
    InvalidInputError,
    NonFiniteError,
    ShapeError,
)
from implicit_bias.theory.results import Kind
from implicit_bias.theory.strategies import sample
from implicit_bias.theory.strategies.matrix import (
    commuting_sensing,
    completion_arrays,
    completion_problems,
    conjecture_completion,
    gaussian_sensing,
)

TOL = tm.NUCLEAR_TOL  # every returned minimum is certified to this relative residual


def nuclear(W):
    return float(np.linalg.svd(W, compute_uv=False).sum())


def null_space(A, psd=False):
    """An orthonormal basis (columns, vec'd d×d) of {N : ⟨A_i, N⟩ = 0} (psd: symmetric N)."""
    m, d, _ = A.shape
    M = (0.5 * (A + A.transpose(0, 2, 1)) if psd else A).reshape(m, -1)
    if psd:  # restrict to symmetric matrices: add the skew constraints N - Nᵀ = 0
        skew = [np.outer(np.eye(d)[j], np.eye(d)[k]) - np.outer(np.eye(d)[k], np.eye(d)[j])
                for j in range(d) for k in range(j + 1, d)]
        M = np.vstack([M] + [s.ravel()[None] for s in skew])
    _, s, Vt = np.linalg.svd(M)
    rank = int(np.sum(s > 1e-10 * s.max()))
    return Vt[rank:].T


# ------------------------------------------------------------------ the SDP and its certificate


@given(gaussian_sensing())
def test_no_feasible_matrix_beats_the_certified_minimum(inst):
    """Weak duality makes the certificate a proof: the planted W* and W* moved along the null
    space of A are feasible, so their nuclear norms are >= the minimum (to the certified
    relative gap TOL)."""
    r = tm.min_nuclear_norm(inst.A, inst.y)
    assert r.kind is Kind.GLOBAL_MINIMUM and r.certificate.residual <= TOL
    assert set(r.certificate.conditions) == {"primal", "dual", "gap"}
    N = null_space(inst.A)
    rng = np.random.default_rng(inst.seed)
    d = inst.A.shape[1]
    for _ in range(5):
        W = inst.W_star + (N @ rng.standard_normal(N.shape[1])).reshape(d, d)
        assert nuclear(W) >= r.value * (1 - 2 * TOL)
    assert nuclear(inst.W_star) >= r.value * (1 - 2 * TOL)
    np.testing.assert_allclose(tm.measure(inst.A, r.W), inst.y,
                               atol=1e-9 * np.abs(inst.y).max())


@settings(max_examples=10)
@given(gaussian_sensing(psd=True))
def test_psd_minimum_is_certified_and_no_psd_feasible_point_beats_it(inst):
    r = tm.min_nuclear_norm(inst.A, inst.y, psd=True)
    assert r.certificate.residual <= TOL and r.psd
    assert np.linalg.eigvalsh(r.W).min() >= -1e-8 * np.abs(r.W).max()
    assert r.value == pytest.approx(np.trace(r.W))
    assert np.trace(inst.W_star) >= r.value * (1 - 2 * TOL)  # W* = UUᵀ is PSD and feasible
    # the PSD minimum is feasible for the unconstrained problem: it cannot beat it
    assert r.value >= tm.min_nuclear_norm(inst.A, inst.y).value * (1 - 2 * TOL)


@settings(max_examples=6)
@given(gaussian_sensing(d=(2, 3), rank=(1, 1)), st.integers(0, 100))
def test_variational_form_gives_the_same_minimum(inst, seed):
    """Independent route: ‖W‖_* = min ½(‖U‖_F² + ‖V‖_F²) over W = UVᵀ, so SLSQP on the
    factors subject to A(UVᵀ) = y from a random start reaches the SDP value (it is a
    nonconvex solve: >= the minimum always, equal to 1e-4 when it converges)."""
    A, y = inst.A, inst.y
    m, d, _ = A.shape
    r = tm.min_nuclear_norm(A, y)

    def split(f):
        return f[: d * d].reshape(d, d), f[d * d:].reshape(d, d)

    def cons(f):
        U, V = split(f)
        return np.einsum("mjk,jk->m", A, U @ V.T) - y

    rng = np.random.default_rng(seed)
    U, s, Vt = np.linalg.svd(r.W)
    x0 = np.concatenate([(U * np.sqrt(s)).ravel(), (Vt.T * np.sqrt(s)).ravel()])
    x0 = x0 + 0.3 * rng.standard_normal(x0.size)
    res = scipy.optimize.minimize(lambda f: 0.5 * f @ f, x0, jac=lambda f: f, method="SLSQP",
                                  constraints=[{"type": "eq", "fun": cons}],
                                  options={"maxiter": 1000, "ftol": 1e-14})
    assert np.abs(cons(res.x)).max() < 1e-7 * max(1.0, np.abs(y).max())
    Uo, Vo = split(res.x)
    assert res.fun >= nuclear(Uo @ Vo.T) * (1 - 1e-9)  # AM-GM: ½(‖U‖² + ‖V‖²) >= ‖UVᵀ‖_*
    assert res.fun >= r.value * (1 - 1e-6)
    assert res.fun == pytest.approx(r.value, rel=1e-4)


def _instances():
    A, y = tm.razin_cohen_problem()
    rng = np.random.default_rng(3)
    A2 = rng.standard_normal((4, 3, 3))
    W2 = np.outer(rng.standard_normal(3), rng.standard_normal(3))
    A3 = tm.completion_operator([(0, 0), (0, 1), (1, 2), (2, 0), (2, 2)], 3)
    W3 = np.outer([1.0, 2.0, -1.0], [2.0, 1.0, 1.0])
    return [(A, y), (A2, tm.measure(A2, W2)), (A3, tm.measure(A3, W3))]


@pytest.mark.parametrize("case", range(3))
def test_certificate_rejects_wrong_candidates_one_condition_each(case):
    """Each wrong candidate breaks exactly one condition; the others stay at their certified
    level (<= TOL). Rotations keep ‖W‖_*; a shift of λ orthogonal to y keeps λᵀy."""
    A, y = _instances()[case]
    r = tm.min_nuclear_norm(A, y)
    ok = tm.nuclear_certificate(A, y, r.W, r.dual)
    assert ok.residual <= TOL
    d = A.shape[1]
    R = np.linalg.qr(np.random.default_rng(case).standard_normal((d, d)))[0]
    bad_primal = tm.nuclear_certificate(A, y, R @ r.W, r.dual).conditions
    assert bad_primal["primal"] > 1e-2
    assert bad_primal["dual"] <= TOL and bad_primal["gap"] <= TOL
    n = np.random.default_rng(case + 10).standard_normal(len(y))
    n -= (n @ y) / (y @ y) * y
    S = np.einsum("m,mjk->jk", n, A)
    t = 2.0 / np.linalg.norm(S, 2)  # ‖A*(λ + tn)‖_op >= t‖A*n‖_op - 1 = 1
    bad_dual = tm.nuclear_certificate(A, y, r.W, r.dual + t * n).conditions
    assert bad_dual["dual"] > 1e-3
    assert bad_dual["gap"] <= TOL and bad_dual["primal"] <= TOL
    bad_gap = tm.nuclear_certificate(A, y, r.W, 0.9 * r.dual).conditions
    assert bad_gap["gap"] == pytest.approx(0.1, abs=2 * TOL)
    assert bad_gap["dual"] == 0.0 and bad_gap["primal"] <= TOL


def test_psd_certificate_rejects_an_indefinite_candidate_with_the_same_measurements():
    """W + tN with N symmetric, ⟨A_i, N⟩ = 0 and tr N = 0: feasible with the same trace (so
    primal, dual and gap hold) but indefinite for large t -- only ``psd`` fails."""
    rng = np.random.default_rng(0)
    A = rng.standard_normal((3, 3, 3))
    u = rng.standard_normal(3)
    y = tm.measure(A, np.outer(u, u))
    r = tm.min_nuclear_norm(A, y, psd=True)
    Aplus = np.concatenate([A, np.eye(3)[None]])
    N = null_space(Aplus, psd=True)[:, 0].reshape(3, 3)
    N = 0.5 * (N + N.T)
    W = r.W + 10 * np.abs(r.W).max() * N / np.abs(N).max()
    c = tm.nuclear_certificate(A, y, W, r.dual, psd=True).conditions
    assert c["psd"] > 1e-2
    assert max(c["primal"], c["dual"], c["gap"], c["face"]) <= TOL


@settings(max_examples=10)
@given(gaussian_sensing(), st.sampled_from([1e-12, 1e-6, 1e6, 1e12]), st.booleans())
def test_homogeneity_in_y_and_in_A(inst, c, psd):
    """W(cy) = cW(y) and W(cA) = W(A)/c (the problem is rescaled internally); the dual
    scales as λ(cA) = λ(A)/c. Tolerance: both answers are certified to TOL, and the minimizer
    of a generic instance is unique, so they agree to O(√TOL) at worst; measured ~1e-9."""
    A, y = inst.A, inst.y
    if psd:
        A = 0.5 * (A + A.transpose(0, 2, 1))
        U = np.random.default_rng(inst.seed).standard_normal((A.shape[1], 1))
        y = tm.measure(A, U @ U.T)
    base = tm.min_nuclear_norm(A, y, psd=psd)
    sy = tm.min_nuclear_norm(A, c * y, psd=psd)
    sA = tm.min_nuclear_norm(c * A, y, psd=psd)
    scale = np.abs(base.W).max()
    np.testing.assert_allclose(sy.W / c, base.W, atol=1e-5 * scale)
    np.testing.assert_allclose(sA.W * c, base.W, atol=1e-5 * scale)
    assert sy.value / c == pytest.approx(base.value, rel=1e-6)
    assert sA.value * c == pytest.approx(base.value, rel=1e-6)
    assert max(sy.certificate.residual, sA.certificate.residual) <= TOL


@settings(max_examples=10)
@given(completion_problems(), st.integers(0, 1000))
def test_rotations_and_permutations_are_equivariant(inst, seed):
    """A_i → R A_i Sᵀ (orthogonal R, S) maps the minimizer to R W Sᵀ with the same value;
    permuting the measurements permutes nothing else."""
    A, y = inst.A, inst.y
    base = tm.min_nuclear_norm(A, y)
    rng = np.random.default_rng(seed)
    d = inst.d
    R = np.linalg.qr(rng.standard_normal((d, d)))[0]
    S = np.linalg.qr(rng.standard_normal((d, d)))[0]
    rot = tm.min_nuclear_norm(np.einsum("jp,mpq,kq->mjk", R, A, S), y)
    assert rot.value == pytest.approx(base.value, rel=1e-6)
    perm = rng.permutation(len(y))
    per = tm.min_nuclear_norm(A[perm], y[perm])
    assert per.value == pytest.approx(base.value, rel=1e-6)
    assert nuclear(inst.W_star) >= base.value * (1 - 2 * TOL)


# ------------------------------------------------------------------ the commuting closed form


@settings(max_examples=15)
@given(commuting_sensing(psd=True))
def test_commuting_psd_closed_form_matches_the_sdp(inst):
    """min trace over PSD W = the LP min 1ᵀβ, β >= 0, Dβ = y (the nonnegative diagonal model).
    Two certified minima agree to their certified residuals: the gaps add, and a PSD violation
    ε (relative to ‖W‖₂) can lower tr W by up to dε‖W‖₂, hence the factor d + 1."""
    lp = tm.commuting_min_nuclear_norm(inst.A, inst.y, psd=True)
    sdp = tm.min_nuclear_norm(inst.A, inst.y, psd=True)
    d = inst.A.shape[1]
    tol = (d + 1) * (lp.certificate.residual + sdp.certificate.residual) + 1e-12
    assert lp.value == pytest.approx(sdp.value, rel=tol)
    beta = lp.info["beta"]
    assert beta.min() >= 0
    P, Q = lp.info["basis"]
    np.testing.assert_allclose(lp.W, P @ np.diag(beta) @ Q.T, atol=1e-12)
    assert inst.beta_star.sum() >= lp.value * (1 - 1e-12)  # the planted β* is feasible
    assert lp.route == "commuting" and lp.reference.theorem.startswith("Thm 1")


@settings(max_examples=15)
@given(commuting_sensing(psd=False))
def test_commuting_nuclear_closed_form_matches_the_sdp(inst):
    """min ‖W‖_* = min ‖β‖₁ s.t. Dβ = y when A_i = P diag(D_i) Qᵀ."""
    lp = tm.commuting_min_nuclear_norm(inst.A, inst.y)
    sdp = tm.min_nuclear_norm(inst.A, inst.y)
    tol = lp.certificate.residual + sdp.certificate.residual + 1e-12
    assert lp.value == pytest.approx(sdp.value, rel=tol)
    assert np.abs(inst.beta_star).sum() >= lp.value * (1 - 1e-12)
    # the LP route, given the basis, reproduces the search's answer
    again = tm.commuting_min_nuclear_norm(inst.A, inst.y, basis=(inst.P, inst.Q))
    assert again.value == pytest.approx(lp.value, rel=1e-9)


def test_non_commuting_measurements_are_refused_by_the_closed_form():
    A = tm.completion_operator([(0, 0), (0, 1)], 2)  # same row: no common singular basis
    with pytest.raises(InvalidInputError, match="not simultaneously diagonalizable"):
        tm.commuting_min_nuclear_norm(A, [1.0, 1.0])
    sdp = tm.min_nuclear_norm(A, [1.0, 1.0])
    assert sdp.value == pytest.approx(np.sqrt(2), rel=1e-7)  # [[1, 1], [0, 0]], rank one


# ------------------------------------------------------------------ Razin & Cohen


def test_razin_cohen_family_numerically_and_symbolically():
    f = tm.razin_cohen_family()
    x = f.x
    assert f.solutions == sympy.ImmutableMatrix([[x, 1], [1, 0]])
    assert f.det == -1 and f.min_value == 2
    assert f.argmin == sympy.ImmutableMatrix([[0, 1], [1, 0]])
    for v in np.linspace(-5, 5, 11):
        W = np.array(f.solutions.subs(x, v), dtype=float)
        assert np.linalg.det(W) == pytest.approx(-1.0, abs=1e-12)
        assert nuclear(W) == pytest.approx(float(f.nuclear_norm.subs(x, v)), rel=1e-12)
        assert nuclear(W) >= 2.0
        np.testing.assert_allclose(tm.measure(f.A, W), f.y)
    r = tm.min_nuclear_norm(f.A, f.y)
    assert r.value == pytest.approx(2.0, rel=1e-8)
    np.testing.assert_allclose(r.W, np.array(f.argmin, dtype=float), atol=1e-7)
    np.testing.assert_allclose(r.dual, [1.0, 1.0, 0.0], atol=1e-6)


def test_razin_cohen_has_no_psd_solution_and_the_proof_verifies():
    A, y = tm.razin_cohen_problem()
    with pytest.raises(tm.SemidefiniteInfeasibleError) as err:
        tm.min_nuclear_norm(A, y, psd=True)
    e = err.value
    assert isinstance(e, InfeasibleError) and e.kind == "linear" and len(e.faces) == 1
    assert tm.verify_psd_infeasibility(A, y, e) <= 1e-12
    # a wrong proof is rejected: without its facial-reduction step the witness is not zero on
    # the whole space (sum_i u_i sym(A_i) = sym(E12) + sym(E21) != 0)
    assert tm.verify_psd_infeasibility(
        A, y, tm.SemidefiniteInfeasibleError("x", witness=e.witness, kind="linear")) > 0.1


@given(st.floats(1e-4, 0.5), st.floats(-1, 1), st.floats(-1, 1), st.floats(0.05, 1),
       st.booleans())
def test_lower_bound_on_w11_holds_for_every_positive_det_matrix(e, a, b, c, flip):
    """Any W with det W > 0 and residual ‖A(W) - y‖ <= e has |W₁₁| >= (1 - e)²/e: build W with
    residual exactly e (direction (a, b, c)) and the smallest |W₁₁| allowed by det W > 0."""
    v = np.array([a, b, c])
    v = e * v / np.linalg.norm(v)
    w12, w21, w22 = 1 + v[0], 1 + v[1], v[2] * (-1 if flip else 1)
    w11 = w12 * w21 / w22 * (1 + 1e-9)  # det = w11 w22 - w12 w21 > 0, barely
    W = np.array([[w11, w12], [w21, w22]])
    A, y = tm.razin_cohen_problem()
    res = np.linalg.norm(tm.measure(A, W) - y)
    assert np.linalg.det(W) > 0 and res == pytest.approx(e, rel=1e-9)
    assert abs(w11) >= tm.razin_cohen_lower_bound(res) * (1 - 1e-9)


# ------------------------------------------------------------------ singular-value dynamics


def _factor_loss(params, A, y):
    return nm.square_loss(nm.deep_predict(params, A), y)


_grad = jax.jit(jax.grad(_factor_loss))  # compiled once per depth, reused across examples


def _setup(depth, seed, d=3, m=5):
    rng = np.random.default_rng(seed)
    A = jnp.asarray(rng.standard_normal((m, d, d)))
    y = jnp.asarray(rng.standard_normal(m))
    params = nm.deep_init(jax.random.key(seed), d=d, depth=depth, scale=1.0)
    return A, y, params


@settings(max_examples=8)
@given(st.integers(1, 4), st.integers(0, 2**16))
def test_factor_gradient_flow_moves_w_by_the_end_to_end_velocity(depth, seed):
    """Exact identity (no step): Σ_j (W_N..W_{j+1})(-∂L/∂W_j)(W_{j-1}..W_1) from jax.grad equals
    theory.end_to_end_velocity(W, ∇ℓ(W), N) for balanced factors (to rounding, 1e-10)."""
    A, y, params = _setup(depth, seed)
    grads = _grad(params, A, y)
    d = A.shape[1]

    def prod(ps):
        return nm.end_to_end(ps) if ps else jnp.eye(d)

    Wdot = sum(prod(params[j + 1:]) @ -grads[j] @ prod(params[:j]) for j in range(depth))
    W = np.asarray(nm.end_to_end(params))
    G = tm.loss_gradient(np.asarray(A), np.asarray(y), W)
    np.testing.assert_allclose(np.asarray(Wdot), tm.end_to_end_velocity(W, G, depth),
                               atol=1e-10 * max(1.0, np.abs(np.asarray(Wdot)).max()))


@settings(max_examples=8)
@given(st.integers(1, 4), st.integers(0, 2**16))
def test_singular_value_velocity_against_one_explicit_gd_step(depth, seed):
    """One GD step of size η on the factors: (σ(W_η) - σ(W))/η = σ̇ + cη + O(η²), because GD
    matches GF to first order (the O(η) term holds the curvature of σ(t) and the GD-vs-GF
    gap). So e(η) = FD(η) - σ̇ must halve with η: the Richardson value 2FD(η/2) - FD(η)
    matches σ̇ up to O(η²), asserted <= 0.05|e(η)| + 1e-9 (η = 1e-4/‖∇‖: the O(η²) term is
    ~1e-4 of e(η); rounding in FD is ~1e-16/η ≈ 1e-12). A wrong formula leaves an O(1) error."""
    A, y, params = _setup(depth, seed)
    grads = _grad(params, A, y)
    W = np.asarray(nm.end_to_end(params))
    G = tm.loss_gradient(np.asarray(A), np.asarray(y), W)
    v = tm.singular_value_velocity(W, G, depth)
    eta = 1e-4 / max(float(np.linalg.norm(G)), 1.0)
    s0 = np.linalg.svd(W, compute_uv=False)

    def fd(h):
        stepped = tuple(p - h * g for p, g in zip(params, grads, strict=True))
        return (np.linalg.svd(np.asarray(nm.end_to_end(stepped)), compute_uv=False) - s0) / h

    f1, f2 = fd(eta), fd(eta / 2)
    e1 = np.abs(f1 - v)
    assert np.all(np.abs(2 * f2 - f1 - v) <= 0.05 * e1 + 1e-9 * max(1.0, np.abs(v).max()))
    assert np.all(e1 <= 1e-2 * max(1.0, np.abs(v).max()))  # and the O(η) term is small


@settings(max_examples=8)
@given(st.integers(2, 4), st.integers(0, 2**16))
def test_one_gd_step_changes_balancedness_by_exactly_eta_squared(depth, seed):
    """W_{j+1}ᵀW_{j+1} - W_jW_jᵀ is conserved by GF; one GD step changes it by exactly
    η²(g_{j+1}ᵀg_{j+1} - g_jg_jᵀ) (the first-order terms cancel: W_{j+1}ᵀg_{j+1} = g_jW_jᵀ).
    Checked to rounding of the O(1) entries (1e-12)."""
    A, y, params = _setup(depth, seed)
    assert float(nm.balance_gap(params)) <= 1e-13
    grads = _grad(params, A, y)
    eta = 0.01
    stepped = tuple(p - eta * g for p, g in zip(params, grads, strict=True))
    before = nm.balance_matrices(params)
    after = nm.balance_matrices(stepped)
    for j in range(depth - 1):
        g1, g0 = grads[j + 1], grads[j]
        expected = before[j] + eta**2 * (g1.T @ g1 - g0 @ g0.T)
        np.testing.assert_allclose(np.asarray(after[j]), np.asarray(expected), atol=1e-12)
    assert float(nm.balance_gap(stepped)) > 0  # GD does drift at second order


def test_degenerate_singular_values_one_sided_derivatives():
    """W = I (all σ equal): the right derivatives are the eigenvalues of sym(UᵀẆV); compared
    with a one-sided finite difference of σ(W + hẆ), error O(h) (h = 1e-7: tolerance 1e-5).
    Zero singular values at depth >= 2 have velocity exactly 0."""
    G = np.array([[0.3, 1.0, 0.0], [0.2, -0.5, 0.4], [0.0, 0.1, 0.9]])
    W = np.eye(3)
    with pytest.raises(DomainError, match="coincide"):
        tm.singular_value_velocity(W, G, 2)
    v = tm.singular_value_velocity(W, G, 2, degenerate="one-sided")
    Wdot = tm.end_to_end_velocity(W, G, 2)
    h = 1e-7
    fd = (np.linalg.svd(W + h * Wdot, compute_uv=False) - 1.0) / h
    np.testing.assert_allclose(v, fd, atol=1e-5)
    Wr = np.diag([2.0, 1.0, 0.0])
    v2 = tm.singular_value_velocity(Wr, G, 3)
    assert v2[2] == 0.0 and v2[0] == pytest.approx(-3 * 4 ** (2 / 3) * G[0, 0])
    with pytest.raises(DomainError, match="zero singular"):
        tm.singular_value_velocity(Wr, G, 1)
    v1 = tm.singular_value_velocity(Wr, G, 1, degenerate="one-sided")
    assert v1[2] == pytest.approx(abs(G[2, 2]))  # σ₃(W - tG) = t|G₃₃| + o(t)


# ------------------------------------------------------------------ model functions


@settings(max_examples=6)
@given(st.integers(1, 4), st.integers(2, 3), st.floats(0.01, 2.0), st.sampled_from([1, -1]),
       st.integers(0, 2**16))
def test_balanced_init_is_balanced_with_the_requested_determinant(depth, d, scale, sign, seed):
    """Balancedness to rounding (1e-14 relative to ‖W_j‖² ~ scale²), det W(0) of the chosen
    sign, and the factors multiply back to W(0)."""
    params = nm.deep_init(jax.random.key(seed), d=d, depth=depth, scale=scale, det_sign=sign)
    assert len(params) == depth and all(p.shape == (d, d) for p in params)
    sz = max(float(jnp.max(jnp.abs(p))) ** 2 for p in params)
    assert float(nm.balance_gap(params)) <= 1e-14 * max(sz, 1e-300) * d
    W = nm.end_to_end(params)
    assert np.sign(float(jnp.linalg.det(W))) == sign
    again = nm.balanced_factors(W, depth, key=jax.random.key(seed + 1))
    np.testing.assert_allclose(np.asarray(nm.end_to_end(again)), np.asarray(W),
                               atol=1e-13 * float(jnp.max(jnp.abs(W))) + 1e-300)


@pytest.mark.parametrize("depth, scale", [(2, 0.1), (3, 0.5), (4, 2.0)])
def test_balanced_init_multiplies_back_to_the_scaled_draw(depth, scale):
    """balanced_init (numpy) and deep_init (JAX): W(0) = scale^N·G, G the generator's first
    N(0, 1/d) draw, so the end-to-end matrix scales exactly like scale^N (the small
    initialization the claims rely on is applied, not only documented)."""
    d = 3
    G = np.random.default_rng(7).standard_normal((d, d)) / np.sqrt(d)
    Ws = nm.balanced_init(np.random.default_rng(7), d=d, depth=depth, scale=scale)
    np.testing.assert_allclose(np.asarray(nm.factors_end_to_end(np.stack(Ws))),
                               scale**depth * G, rtol=1e-12, atol=1e-14 * scale**depth)
    big = nm.end_to_end(nm.deep_init(jax.random.key(1), d=d, depth=depth, scale=2 * scale))
    small = nm.end_to_end(nm.deep_init(jax.random.key(1), d=d, depth=depth, scale=scale))
    np.testing.assert_allclose(np.asarray(big), 2.0**depth * np.asarray(small), rtol=1e-12)


def test_model_functions_agree_with_numpy():
    A, y = tm.razin_cohen_problem()
    U = nm.symmetric_init(jax.random.key(0), d=2, scale=0.5)
    np.testing.assert_allclose(np.asarray(nm.symmetric_predict(U, jnp.asarray(A))),
                               tm.measure(A, np.asarray(U @ U.T)), atol=1e-15)
    assert nm.SYMMETRIC.degree == 2 and nm.deep_model(3).degree == 3
    assert nm.deep_model(3) is nm.deep_model(3)
    params = nm.deep_init(jax.random.key(1), d=2, depth=3, scale=0.3)
    np.testing.assert_allclose(np.asarray(nm.deep_model(3).predict(params, jnp.asarray(A))),
                               tm.measure(A, np.asarray(params[2] @ params[1] @ params[0])),
                               atol=1e-15)
    np.testing.assert_allclose(np.asarray(nm.symmetric_init(d=2, scale=0.1)), 0.1 * np.eye(2))


# ------------------------------------------------------------------ strategies, GLRL


@settings(max_examples=10)
@given(conjecture_completion())
def test_conjecture_instances_are_exact_and_solvable(inst):
    A, y = completion_arrays(inst)
    assert 3 <= len(inst["pairs"]) < inst["d"] ** 2
    r = tm.min_nuclear_norm(A, y)
    assert r.certificate.residual <= TOL


def test_conjecture_strategy_shrinks_to_razin_cohen():
    from hypothesis import find

    inst = find(conjecture_completion(), lambda i: True)
    assert inst == {"d": 2, "pairs": [[0, 1], [1, 0], [1, 1]],
                    "values": [1, 1, 0]}


@settings(max_examples=5)
@given(completion_problems(d=(2, 3), rank=(1, 1), psd=True))
def test_greedy_low_rank_interpolates_and_cannot_beat_min_trace(inst):
    g = tm.greedy_low_rank(inst.A, inst.y)
    r = tm.min_nuclear_norm(inst.A, inst.y, psd=True)
    if g.value <= 1e-12 * max(1.0, float(inst.y @ inst.y)):
        assert np.trace(g.W) >= r.value * (1 - 2 * TOL)  # a PSD interpolant: one-sided
    assert g.kind is Kind.STATIONARY_POINT and g.rank <= inst.d
    assert g.certificate.conditions["stationarity"] <= 1e-5  # L-BFGS gtol 1e-12, relative


# ------------------------------------------------------------------ bad input


A_RC, Y_RC = tm.razin_cohen_problem()
BAD = [
    ("A 2-D", lambda: tm.min_nuclear_norm(np.eye(2), [1.0]), ShapeError),
    ("A not square", lambda: tm.min_nuclear_norm(np.ones((1, 2, 3)), [1.0]), ShapeError),
    ("A complex", lambda: tm.min_nuclear_norm(A_RC.astype(complex), Y_RC), ShapeError),
    ("A boolean", lambda: tm.min_nuclear_norm(A_RC.astype(bool), Y_RC), ShapeError),
    ("A NaN", lambda: tm.min_nuclear_norm(np.where(A_RC == 1, np.nan, 0), Y_RC),
     NonFiniteError),
    ("y length", lambda: tm.min_nuclear_norm(A_RC, [1.0, 1.0]), ShapeError),
    ("y inf", lambda: tm.min_nuclear_norm(A_RC, [1.0, np.inf, 0.0]), NonFiniteError),
    ("y 2-D", lambda: tm.min_nuclear_norm(A_RC, [[1.0, 1.0, 0.0]]), ShapeError),
    ("pair out of range", lambda: tm.completion_operator([(0, 2)], 2), ShapeError),
    ("pair boolean", lambda: tm.completion_operator([(True, 0)], 2), ShapeError),
    ("no pairs", lambda: tm.completion_operator([], 2), ShapeError),
    ("depth bool", lambda: tm.singular_value_velocity(np.eye(2), np.eye(2), True), DepthError),
    ("depth 0", lambda: tm.singular_value_velocity(np.eye(2), np.eye(2), 0), DepthError),
    ("depth 1.5", lambda: tm.end_to_end_velocity(np.eye(2), np.eye(2), 1.5), DepthError),
    ("grad shape", lambda: tm.singular_value_velocity(np.eye(2), np.eye(3), 2), ShapeError),
    ("W NaN", lambda: tm.singular_value_velocity(np.diag([np.nan, 1]), np.eye(2), 2),
     NonFiniteError),
    ("degenerate option", lambda: tm.singular_value_velocity(
        np.diag([2.0, 1.0]), np.eye(2), 2, degenerate="both"), InvalidInputError),
    ("bound negative", lambda: tm.razin_cohen_lower_bound(-0.1), DomainError),
    ("bound NaN", lambda: tm.razin_cohen_lower_bound(float("nan")), DomainError),
    ("bound bool", lambda: tm.razin_cohen_lower_bound(True), InvalidInputError),
    ("init det_sign", lambda: nm.deep_init(jax.random.key(0), d=2, depth=2, scale=0.1,
                                           det_sign=2), InvalidInputError),
    ("init scale", lambda: nm.deep_init(jax.random.key(0), d=2, depth=2, scale=0.0),
     InvalidInputError),
    ("init depth", lambda: nm.deep_init(jax.random.key(0), d=2, depth=0, scale=0.1),
     DepthError),
    ("init depth bool", lambda: nm.deep_model(True), DepthError),
    ("init d", lambda: nm.symmetric_init(d=True, scale=0.1), ShapeError),
    ("singular W0 with det sign", lambda: nm.deep_init(
        jax.random.key(0), d=2, depth=2, scale=0.1, W0=np.diag([1.0, 0.0]), det_sign=1),
     InvalidInputError),
]


@pytest.mark.parametrize("name, call, error", BAD, ids=[b[0] for b in BAD])
def test_bad_input_raises_a_typed_error(name, call, error):
    with pytest.raises(error) as exc:
        call()
    assert isinstance(exc.value, ImplicitBiasError)


@pytest.mark.parametrize("psd", [False, True])
def test_inconsistent_measurements_raise_with_a_verified_witness(psd):
    """Observing W₁₂ twice with different values (and a zero matrix with y != 0): the witness u
    has Σu_iA_i = 0 and uᵀy != 0 (Fredholm)."""
    A = tm.completion_operator([(0, 1), (0, 1), (1, 1)], 2)
    y = np.array([1.0, 2.0, 0.5])
    with pytest.raises(InfeasibleError) as exc:
        tm.min_nuclear_norm(A, y, psd=psd)
    u = exc.value.witness
    assert np.abs(np.einsum("m,mjk->jk", u, A)).max() <= 1e-12
    assert abs(u @ y) >= 0.5
    Z = np.concatenate([A, np.zeros((1, 2, 2))])
    with pytest.raises(InfeasibleError, match="is zero"):
        tm.min_nuclear_norm(Z, [1.0, 1.0, 0.5, 3.0], psd=psd)


def test_psd_specific_infeasibility():
    """W₁₂ = 1, W₂₁ = 2 has non-symmetric solutions only (a linear witness on symmetric W);
    W₁₁ = -1 has symmetric solutions but no PSD one (a Farkas witness: E₁₁ ⪰ 0, -1 < 0)."""
    A = tm.completion_operator([(0, 1), (1, 0)], 2)
    with pytest.raises(InfeasibleError) as exc:
        tm.min_nuclear_norm(A, [1.0, 2.0], psd=True)
    assert not isinstance(exc.value, tm.SemidefiniteInfeasibleError)
    u = exc.value.witness
    assert np.abs(np.einsum("m,mjk->jk", u, 0.5 * (A + A.transpose(0, 2, 1)))).max() < 1e-12
    assert tm.min_nuclear_norm(A, [1.0, 2.0]).value == pytest.approx(3.0, rel=1e-7)
    A1 = tm.completion_operator([(0, 0)], 2)
    for route in (tm.min_nuclear_norm, tm.commuting_min_nuclear_norm):
        with pytest.raises(tm.SemidefiniteInfeasibleError) as e2:
            route(A1, [-1.0], psd=True)
        assert e2.value.kind == "farkas"
        assert tm.verify_psd_infeasibility(A1, [-1.0], e2.value) <= 1e-12


def test_zero_data_gives_the_zero_matrix_with_an_exact_certificate():
    r = tm.min_nuclear_norm(A_RC, np.zeros(3))
    assert r.route == "trivial" and r.value == 0.0 and r.certificate.residual == 0.0
    assert not r.W.any() and r.predictor is r.W


def test_facial_reduction_route_certifies_on_the_face():
    """An observed zero diagonal entry (W₂₂ = 0) forces row 2 of a PSD W to vanish: facial
    reduction finds the face (μ = e₂: S = E₂₂ ⪰ 0, μᵀy = 0), the SDP on the 2-dim face gives the
    direct answer, and the certificate replays the face step."""
    A = tm.completion_operator([(0, 0), (1, 1), (2, 2), (0, 2)], 3)
    y = np.array([1.0, 0.0, 2.0, 1.0])
    direct = tm.min_nuclear_norm(A, y, psd=True, facial_reduction=False)
    reduced = tm.min_nuclear_norm(A, y, psd=True, facial_reduction=True)
    assert len(reduced.faces) == 1 and reduced.certificate.residual <= TOL
    assert reduced.value == pytest.approx(direct.value, rel=2 * TOL) and direct.value == \
        pytest.approx(3.0, rel=1e-8)
    assert np.abs(reduced.W[1]).max() == 0.0
    # a face step whose multiplier is not PSD on the face is flagged
    bad = tm.nuclear_certificate(A, y, reduced.W, reduced.dual, psd=True,
                                 faces=[-reduced.faces[0]]).conditions
    assert bad["face"] >= 0.5
    with pytest.raises(InvalidInputError, match="psd=True only"):
        tm.min_nuclear_norm(A, y, facial_reduction=True)


def test_the_singular_value_lemma_fails_with_the_wrong_exponent():
    """The proof's check can fail: with (σ²)^{1-1/(N+1)} instead of (σ²)^{1-1/N} at N = 2."""
    from implicit_bias.proofs.lemma import Lemma, Step
    from implicit_bias.proofs.matrix import balanced_factors, chain, rotation

    s = sympy.symbols("s_1 s_2", positive=True)
    U, V = rotation(2, 1), rotation(3, 2)
    Ws = balanced_factors(U, list(s), V, [rotation(4, 1)])
    W = chain(Ws)
    G = sympy.Matrix(2, 2, sympy.symbols("g_1:5", real=True))
    Wdot = -(Ws[1] * Ws[1].T * G + G * Ws[0].T * Ws[0])  # the N = 2 end-to-end flow
    vel = (U.col(0).T * Wdot * V.col(0))[0]
    sigma = s[0] ** 2
    g = (U.col(0).T * G * V.col(0))[0]
    good = Lemma("t.good", "t", "s", "src", lambda: [
        Step.eq("right", vel, -2 * (sigma**2) ** sympy.Rational(1, 2) * g)]).check()
    bad = Lemma("t.bad", "t", "s", "src", lambda: [
        Step.eq("wrong", vel, -2 * (sigma**2) ** sympy.Rational(2, 3) * g)]).check()
    assert good.ok and not bad.ok
    assert np.allclose(np.array(W.subs({s[0]: 2, s[1]: 1}), dtype=float),
                       np.array((U * sympy.diag(4, 1) * V.T), dtype=float))


# ------------------------------------------------------------------ trainers (numerics)


def _sym_grad(U, A, y):
    """∂/∂U of ½Σ(⟨A_i, UUᵀ⟩ - y_i)² = Σ r_i (A_i + A_iᵀ) U (numpy)."""
    r = np.einsum("mjk,jk->m", A, U @ U.T) - y
    G = np.einsum("m,mjk->jk", r, A)
    return (G + G.T) @ U


def test_trainers_are_explicit_gd_on_the_square_loss():
    """The trainers are the engine on ½Σr²: GD on UUᵀ (in the claims' sensing bucket: 12
    instances, m <= 15, d <= 4) and on W_3W_2W_1 (the Razin-Cohen bucket) equals an explicit
    numpy loop (to rounding, 1e-12); padded measurements (zero matrices, mask False), padded
    rows/columns and the other instances of the batch change nothing. (The shapes are the
    claims', so no extra compilation.)"""
    rng = np.random.default_rng(0)
    A = rng.standard_normal((3, 2, 2))
    y = rng.standard_normal(3)
    Ap, yp, mask = nm.pad_problems([(A, y)] * 12, cm.M_BUCKET, cm.D_BUCKET)
    U0 = 0.3 * rng.standard_normal((2, 2))
    steps = cm.R_BUCKET - 1
    tr = nm.train_symmetric_batch(Ap, yp, mask=mask, U0=np.stack([nm.embed(U0, 4)] * 12),
                                  lr=0.05, steps=steps, n_records=cm.R_BUCKET)
    U = U0.copy()
    for _ in range(steps):
        U = U - 0.05 * _sym_grad(U, A, y)
    np.testing.assert_allclose(np.asarray(tr.predictor[5, -1]), nm.embed(U @ U.T, 4),
                               atol=1e-12)
    A, y = tm.razin_cohen_problem()
    F = np.stack(nm.balanced_init(rng, d=2, depth=3, scale=0.5))
    steps = cm.RC_RECORDS - 1
    tr = nm.train_deep_batch(np.stack([A] * 4), np.stack([y] * 4),
                             params0=tuple(np.stack([f] * 4) for f in F), lr=0.05, steps=steps,
                             n_records=cm.RC_RECORDS, record="factors")
    for _ in range(steps):
        G = tm.loss_gradient(A, y, nm.factors_end_to_end(F))
        F = F - 0.05 * nm.factor_gradients(F, G)
    np.testing.assert_allclose(np.asarray(tr.predictor[2, -1]), F, atol=1e-12)
    assert float(np.exp(tr.log_loss[2, -1])) == pytest.approx(
        0.5 * float(np.sum((tm.measure(A, nm.factors_end_to_end(F)) - y) ** 2)), rel=1e-10)


@settings(max_examples=6)
@given(st.integers(2, 4), st.integers(0, 2**16))
def test_flow_multipliers_split_the_end_to_end_velocity_exactly(depth, seed):
    """W B + C W = -Σ_j (WWᵀ)^{(N-j)/N} G (WᵀW)^{(j-1)/N} (theory.end_to_end_velocity): an exact
    identity of the split (rounding, 1e-10), with B, C bounded by N‖G‖ max σ^{1-2/N} + ..."""
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((3, 3))
    G = rng.standard_normal((3, 3))
    B, C = (np.asarray(M) for M in nm.flow_multipliers(jnp.asarray(W), jnp.asarray(G), depth))
    v = tm.end_to_end_velocity(W, G, depth)
    np.testing.assert_allclose(W @ B + C @ W, v, atol=1e-10 * max(1.0, np.abs(v).max()))
    s = np.linalg.svd(W, compute_uv=False)
    bound = 2 * depth * np.linalg.norm(G, 2) * s.max() ** (1 - 2 / depth)
    assert np.linalg.norm(B, 2) <= bound and np.linalg.norm(C, 2) <= bound


def test_balanced_flow_keeps_det_positive_where_depth2_gd_crosses_zero():
    """docs/matrix.md at depth 2 on Razin & Cohen's data, one balanced init (det W(0) > 0): plain GD
    (η = 0.02) crosses det = 0 and interpolates at det -1 with |W11| ≈ 5 (nuclear norm > 2);
    the sign-preserving end-to-end flow (same step, t <= 20) keeps det W > 0 at every record, and
    so obeys |W11| >= (1-e)²/e while its loss falls. Both start at the same W(0)."""
    A, y = tm.razin_cohen_problem()
    F = nm.balanced_init(np.random.default_rng(0), d=2, depth=2, scale=0.1, det_sign=1)
    gd = nm.train_deep_batch(A[None], y[None], params0=tuple(f[None] for f in F), lr=0.02,
                             steps=20_000, n_records=12)
    Wg = np.asarray(gd.predictor[0])
    assert np.linalg.det(Wg[0]) > 0 and np.linalg.det(Wg[-1]) == pytest.approx(-1.0, abs=1e-9)
    assert float(np.exp(gd.log_loss[0, -1])) < 1e-20 and _nuclear_np(Wg[-1]) > 2.5
    fl = nm.train_flow_batch(A[None], y[None], W0=Wg[0][None], depth=2, lr=0.02, steps=1000,
                             n_records=12)
    Wf = np.asarray(fl.predictor[0])
    det = np.linalg.det(Wf)
    assert np.all(det > 0) and det[-1] < 1e-4 * det[0]  # det decays but keeps its sign
    e = np.sqrt(2 * np.exp(np.asarray(fl.log_loss[0])))
    assert e[-1] < 0.3 * e[0]
    lb = np.array([tm.razin_cohen_lower_bound(v) for v in e])
    assert np.all(np.abs(Wf[:, 0, 0]) >= lb * (1 - 1e-9))


def _nuclear_np(W):
    return float(np.linalg.svd(W, compute_uv=False).sum())


def test_one_flow_step_is_the_end_to_end_velocity_to_first_order():
    """(W_η - W)/η = Ẇ + O(η) for one step of the balanced flow integrator: the error halves
    with η (Richardson residual <= 5% of it) -- the integrator is consistent with the ODE.
    (Razin & Cohen's data, depth 2, a random W(0); record 1 of 12 consecutive ones.)"""
    rng = np.random.default_rng(3)
    A, y = tm.razin_cohen_problem()
    W0 = rng.standard_normal((2, 2))
    v = tm.end_to_end_velocity(W0, tm.loss_gradient(A, y, W0), 2)

    def fd(h):
        tr = nm.train_flow_batch(A[None], y[None], W0=W0[None], depth=2, lr=h, steps=11,
                                 n_records=12)
        assert int(tr.t[0, 1]) == 1
        return (np.asarray(tr.predictor[0, 1]) - W0) / h

    e1 = fd(1e-4) - v
    rich = 2 * fd(5e-5) - fd(1e-4) - v
    assert np.abs(e1).max() <= 1e-2 * np.abs(v).max()
    assert np.abs(rich).max() <= 0.05 * np.abs(e1).max() + 1e-9


TRAIN_BAD = [
    ("A rank 3", lambda: nm.train_symmetric_batch(np.ones((1, 2, 2)), [[1.0]],
                                                  U0=np.eye(2)[None], lr=0.1, steps=5), ShapeError),
    ("A complex", lambda: nm.train_symmetric_batch(np.ones((1, 1, 2, 2), complex), [[1.0]],
                                                   U0=np.eye(2)[None], lr=0.1, steps=5),
     ShapeError),
    ("y shape", lambda: nm.train_symmetric_batch(np.ones((1, 1, 2, 2)), [1.0],
                                                 U0=np.eye(2)[None], lr=0.1, steps=5), ShapeError),
    ("A NaN", lambda: nm.train_symmetric_batch(np.full((1, 1, 2, 2), np.nan), [[1.0]],
                                               U0=np.eye(2)[None], lr=0.1, steps=5),
     NonFiniteError),
    ("lr negative", lambda: nm.train_symmetric_batch(np.ones((1, 1, 2, 2)), [[1.0]],
                                                     U0=np.eye(2)[None], lr=-0.1, steps=5),
     InvalidInputError),
    ("lr boolean", lambda: nm.train_flow_batch(np.ones((1, 1, 2, 2)), [[1.0]], W0=np.eye(2)[None],
                                               depth=2, lr=True, steps=5), InvalidInputError),
    ("U0 shape", lambda: nm.train_symmetric_batch(np.ones((1, 1, 2, 2)), [[1.0]], U0=np.eye(2),
                                                  lr=0.1, steps=5), ShapeError),
    ("mask dtype", lambda: nm.train_symmetric_batch(np.ones((1, 1, 2, 2)), [[1.0]],
                                                    U0=np.eye(2)[None], lr=0.1, steps=5,
                                                    mask=[[1]]), ShapeError),
    ("no factors", lambda: nm.train_deep_batch(np.ones((1, 1, 2, 2)), [[1.0]], params0=(),
                                               lr=0.1, steps=5), ShapeError),
    ("record", lambda: nm.train_deep_batch(np.ones((1, 1, 2, 2)), [[1.0]],
                                           params0=(np.eye(2)[None],), lr=0.1, steps=5,
                                           record="both"), InvalidInputError),
    ("flow depth bool", lambda: nm.balanced_flow(True), DepthError),
    ("bucket too small", lambda: nm.pad_problems([(np.ones((3, 2, 2)), np.ones(3))], 2, 2),
     ShapeError),
    ("embed", lambda: nm.embed(np.ones((3, 3)), 2), ShapeError),
    ("init rng", lambda: nm.balanced_init(0, d=2, depth=2, scale=0.1), InvalidInputError),
    ("init det sign", lambda: nm.balanced_init(np.random.default_rng(0), d=2, depth=2, scale=0.1,
                                               det_sign=0), InvalidInputError),
]


@pytest.mark.parametrize("name, call, error", TRAIN_BAD, ids=[b[0] for b in TRAIN_BAD])
def test_trainers_refuse_bad_input_with_typed_errors(name, call, error):
    with pytest.raises(error) as exc:
        call()
    assert isinstance(exc.value, ImplicitBiasError)


# ------------------------------------------------------------------ claims


def _clear():
    for run in (cm._commuting_run, cm._velocity_run, cm._sensing_run, cm._rc_run,
                cm._conjecture_run):
        run.cache.clear()


def _statuses(claim, insts, seed=0):
    _clear()
    try:
        return [o.status for o in check(claim, insts, seed)]
    finally:
        _clear()


VERIFY_CLAIMS = [cm.COMMUTING, cm.VELOCITY, cm.SENSING, cm.RAZIN_COHEN]


@pytest.mark.parametrize("claim", VERIFY_CLAIMS, ids=lambda c: c.name)
def test_claims_agree_and_one_compilation_serves_every_batch(claim):
    """Each verify claim agrees on a batch of 4 sampled instances; a second batch of the same
    size (other instances, other seed) compiles nothing new (shape buckets, masks and depth
    groups padded to the batch size)."""
    first = sample(claim.instances(), 4, seed=1)
    assert_outcomes(claim, first, 0)
    size = engine._run_batch_jit._cache_size()
    outs, ms = measure_claim(claim, sample(claim.instances(), 4, seed=2), 1)
    assert engine._run_batch_jit._cache_size() == size
    assert all(o.status == "agree" for o in outs), [o.reason for o in outs]
    if claim is cm.COMMUTING:  # informative: training starts far from the answer
        assert min(m.start for m in ms) >= 0.5


def test_commuting_claim_refutes_a_prediction_wrong_on_either_side(monkeypatch):
    """A minimum trace 1% too high or too low is a counterexample on every instance (the
    tolerance is 1e-3 and the runs converged: no excuse)."""
    insts = sample(cm.COMMUTING.instances(), 4, seed=3)
    real = tm.commuting_min_nuclear_norm
    for factor in (1.01, 0.99):
        def wrong(*a, f=factor, **k):
            p = real(*a, **k)
            return dataclasses.replace(p, value=p.value * f)

        monkeypatch.setattr(cm.tm, "commuting_min_nuclear_norm", wrong)
        assert set(_statuses(cm.COMMUTING, insts)) == {"counterexample"}, factor


def test_commuting_claim_fails_for_the_rival_plain_linear_model(monkeypatch):
    """Replace W = UUᵀ by a plain W (depth 1, GD from α²I): GD then ends near the
    minimum-Frobenius interpolant M⁺y, not the minimum trace. Where the theory says the two
    differ (by > 1% in trace) the verdict turns to counterexample; where they coincide
    (e.g. one measurement) it stays agree."""
    insts = sample(cm.COMMUTING.instances(), 12, seed=4)

    def frob_gap(inst):
        A, y = cm.commuting_arrays(inst)
        w = np.linalg.lstsq(A.reshape(A.shape[0], -1), y, rcond=None)[0]
        p = tm.commuting_min_nuclear_norm(A, y, psd=True).value
        return abs(np.trace(w.reshape(A.shape[1:])) - p) / p

    differ = [i for i in insts if frob_gap(i) > 1e-2][:4]
    same = [i for i in insts if frob_gap(i) < 1e-9][:2]
    assert differ and same
    differ, same = (differ * 4)[:4], (same * 4)[:4]  # batches of 4: one compiled shape

    def linear(A, y, *, U0, **kw):
        U0 = np.asarray(U0)
        return nm.train_deep_batch(A, y, params0=(U0 @ np.swapaxes(U0, 1, 2),), **kw)

    assert set(_statuses(cm.COMMUTING, differ)) == {"agree"}
    monkeypatch.setattr(cm.nm, "train_symmetric_batch", linear)
    assert set(_statuses(cm.COMMUTING, differ)) == {"counterexample"}
    assert set(_statuses(cm.COMMUTING, same)) == {"agree"}


def test_velocity_claim_refutes_wrong_velocities_and_the_depth1_rival(monkeypatch):
    """The singular-value identity: a velocity 10% too large or too small leaves an O(1) error
    that Richardson cannot remove (ratio ~1 > 0.25); so does training a plain W (depth 1)
    against the depth-N formula (depth 1 moves σ by -⟨∇ℓ, uvᵀ⟩, not -N σ^{2-2/N}⟨∇ℓ, uvᵀ⟩)."""
    insts = sample(cm.VELOCITY.instances(), 4, seed=3)
    real = tm.singular_value_velocity
    for factor in (1.1, 0.9):
        monkeypatch.setattr(cm.tm, "singular_value_velocity",
                            lambda *a, f=factor, **k: f * real(*a, **k))
        assert set(_statuses(cm.VELOCITY, insts)) == {"counterexample"}, factor
    monkeypatch.setattr(cm.tm, "singular_value_velocity", real)
    deep = nm.train_deep_batch

    def depth1(A, y, *, params0, **kw):
        return deep(A, y, params0=(nm.factors_end_to_end(np.stack(params0, axis=1)),), **kw)

    monkeypatch.setattr(cm.nm, "train_deep_batch", depth1)
    assert set(_statuses(cm.VELOCITY, insts)) == {"counterexample"}


def test_sensing_bound_refutes_a_minimum_predicted_too_high_only(monkeypatch):
    """One-sided by construction: a minimum trace 1.5x too high is refuted by every trained
    model (the trained gap is far below 50%); one 10% too low still 'agrees' -- a lower bound
    cannot see it, which is why the gap is reported as a number, not a verdict."""
    insts = sample(cm.SENSING.instances(), 4, seed=3)
    real = tm.min_nuclear_norm
    verdicts = {}
    for factor in (1.5, 0.9):
        def wrong(*a, f=factor, **k):
            p = real(*a, **k)
            return dataclasses.replace(p, value=p.value * f)

        monkeypatch.setattr(cm.tm, "min_nuclear_norm", wrong)
        verdicts[factor] = set(_statuses(cm.SENSING, insts))
    assert verdicts == {1.5: {"counterexample"}, 0.9: {"agree"}}


def test_razin_cohen_claim_fails_for_the_depth1_rival_and_a_too_high_bound(monkeypatch):
    """Depth 1 (plain W, GD from the same W(0)): det W flips to -1 and the loss falls to 0 with
    |W11| bounded, violating both halves -- as the theory says (the exponent 1 - 2/N is -1).
    A bound 1.5x too high is violated by the real depth-3/4 runs (their |W11|/bound is
    1.06-1.10)."""
    insts = sample(cm.RAZIN_COHEN.instances(), 4, seed=3)
    _clear()
    outs, ms = measure_claim(cm.RAZIN_COHEN, insts, 0)
    assert {o.status for o in outs} == {"agree"}
    assert min(m.numbers["nuclear norm / min 2"] for m in ms) > 5  # far above min 2
    assert max(m.numbers["balancedness drift"] for m in ms) < cm.RC_DRIFT
    real = tm.razin_cohen_lower_bound
    monkeypatch.setattr(cm.tm, "razin_cohen_lower_bound", lambda e: 1.5 * real(e))
    assert set(_statuses(cm.RAZIN_COHEN, insts)) == {"counterexample"}
    monkeypatch.setattr(cm.tm, "razin_cohen_lower_bound", real)
    deep = nm.train_deep_batch

    def depth1(A, y, *, params0, **kw):
        return deep(A, y, params0=(nm.factors_end_to_end(np.stack(params0, axis=1)),), **kw)

    monkeypatch.setattr(cm.nm, "train_deep_batch", depth1)
    assert set(_statuses(cm.RAZIN_COHEN, insts)) == {"counterexample"}


def _keep_memos():
    """Snapshot the claims' memo keys; the returned function drops the runs added since (runs
    made under a monkeypatch must not serve later tests) and the cached minimum and flow
    steps (recomputed from the real library)."""
    runs = (cm._commuting_run, cm._velocity_run, cm._sensing_run, cm._rc_run,
            cm._conjecture_run)
    before = {id(f): set(f.cache) for f in runs}

    def restore():
        for f in runs:
            for k in set(f.cache) - before[id(f)]:
                f.cache.pop(k)
        cm._rc_minimum.cache_clear()
        cm._flow_step.cache_clear()
    return restore


def test_prediction_fields_are_checked_and_the_certificate_needs_dual_feasibility(monkeypatch):
    """The Razin-Cohen minimum's fields: value = the objective of its own W and = λᵀy; a value
    reported as the Frobenius norm (√2 instead of 2) is named (and, with ``psd``, a value 1%
    off the trace of the commuting minimum). The certificate is shown W' =
    W + tE (E a null direction, A(W') = y) with λ scaled to zero gap: ‖W'‖_* = √6 > 2, so only
    dual feasibility fails, and a certificate without that condition is named. Through the
    Razin-Cohen claim both are implementation errors on every instance."""
    A, y = tm.razin_cohen_problem()
    p = tm.min_nuclear_norm(A, y)
    assert cm.prediction_invariant(p, A, y) is None
    frob = dataclasses.replace(p, value=float(np.linalg.norm(p.W)))
    assert "is not ||W||_*" in cm.prediction_invariant(frob, A, y)
    inst = sample(cm.COMMUTING.instances(), 1, seed=3)[0]
    Ac, yc = cm.commuting_arrays(inst)
    q = tm.commuting_min_nuclear_norm(Ac, yc, psd=True)
    assert cm.prediction_invariant(q, Ac, yc) is None
    assert "is not tr W" in cm.prediction_invariant(
        dataclasses.replace(q, value=1.01 * q.value), Ac, yc)
    real_cert = tm.nuclear_certificate

    def without_dual(*a, **k):
        c = real_cert(*a, **k)
        return type(c).from_conditions(dict(c.conditions, dual=0.0))

    insts = sample(cm.RAZIN_COHEN.instances(), 4, seed=3)
    restore = _keep_memos()
    try:
        monkeypatch.setattr(cm.tm, "nuclear_certificate", without_dual)
        bad = cm.wrong_candidate_accepted(p, A, y)
        assert bad and "accepts a candidate violating dual feasibility" in bad
        outs = check(cm.RAZIN_COHEN, insts)
        assert {o.status for o in outs} == {"implementation error"}, [o.reason for o in outs]
        monkeypatch.setattr(cm.tm, "nuclear_certificate", real_cert)
        real_min = tm.min_nuclear_norm
        monkeypatch.setattr(cm.tm, "min_nuclear_norm", lambda *a, **k: dataclasses.replace(
            real_min(*a, **k), value=float(np.linalg.norm(real_min(*a, **k).W))))
        cm._rc_minimum.cache_clear()
        outs = check(cm.RAZIN_COHEN, insts)
        assert {o.status for o in outs} == {"implementation error"}
        assert all("is not ||W||_*" in o.reason for o in outs)
    finally:
        restore()


def test_razin_cohen_checks_the_init_scale_and_the_balanced_flow(monkeypatch):
    """The init scale read back from a run's first record is the instance's (scale^N ratio of
    singular values to the scale-1 draw); the flow's first-order step at W(0) is the
    end-to-end velocity. A balanced_init that ignores its scale, and a flow whose left
    multiplier has the wrong sign ((I - ηC) W (I + ηB)), are implementation errors on every
    instance; the correct flow passes the check at depths 2, 3, 4."""
    insts = sample(cm.RAZIN_COHEN.instances(), 4, seed=3)
    A, y = tm.razin_cohen_problem()
    W = nm.factors_end_to_end(np.stack(cm._rc_factors(insts[0], 3)))
    G = tm.loss_gradient(A, y, W)
    for depth in (2, 3, 4):
        assert cm.flow_invariant(W, G, depth, 0.01) is None
    F0 = np.stack(cm._rc_factors(insts[0], 3))
    assert cm.init_scale(F0, insts[0]["seed"], 3) == pytest.approx(float(insts[0]["scale"]),
                                                                   rel=1e-12)
    restore = _keep_memos()
    real_init = nm.balanced_init
    try:
        monkeypatch.setattr(cm.nm, "balanced_init",
                            lambda rng, **k: real_init(rng, **dict(k, scale=1.0)))
        outs = check(cm.RAZIN_COHEN, insts)
        assert {o.status for o in outs} == {"implementation error"}
        assert all("initial factors have scale 1" in o.reason for o in outs)
        monkeypatch.setattr(cm.nm, "balanced_init", real_init)
        restore()

        real_flow = nm.balanced_flow

        def flipped(depth):
            def update(grads, state, params, t, hyper):
                B, C = nm.flow_multipliers(params, grads, depth)
                eye = jnp.eye(params.shape[0], dtype=params.dtype)
                eta = hyper["lr"]
                return (eye - eta * C) @ params @ (eye + eta * B) - params, state
            return real_flow(depth)._replace(update=update)

        monkeypatch.setattr(cm.nm, "balanced_flow", flipped)
        cm._flow_step.cache_clear()
        assert "does not integrate the end-to-end velocity" in cm.flow_invariant(W, G, 3, 0.01)
        outs = check(cm.RAZIN_COHEN, insts)
        assert {o.status for o in outs} == {"implementation error"}
        assert all("balanced flow" in o.reason for o in outs)
    finally:
        restore()


def test_solution_determinant_and_aitken():
    """Exact det on the solution set: -1 for Razin & Cohen, None where a free entry's cofactor
    is nonzero, and a constant 3×3 case; Aitken's Δ² is exact on T∞ + Cq^k."""
    rc = {"d": 2, "pairs": [[0, 1], [1, 0], [1, 1]], "values": [1, 1, 0]}
    assert cm.solution_determinant(rc) == -1
    assert cm.solution_determinant({"d": 2, "pairs": [[0, 1], [1, 0], [1, 1]],
                                    "values": [1, 1, 1]}) is None
    three = {"d": 3, "pairs": [[0, 1], [0, 2], [1, 0], [1, 1], [1, 2], [2, 0], [2, 1], [2, 2]],
             "values": [2, 0, 1, 0, 0, 0, 3, 1]}  # W11 free, its cofactor W22W33 - W23W32 = 0
    assert cm.solution_determinant(three) == -2
    T, ok = cm.aitken(*(3.0 + 0.7 * 0.3**k for k in (1, 2, 3)), scale=3.0)
    assert ok and T == pytest.approx(3.0, abs=1e-14)
    assert cm.aitken(1.0, 1.0, 1.0, scale=1.0) == (1.0, False)
    assert cm.aitken(1.0, 2.0, 4.0, scale=1.0) == (4.0, False)  # diverging: not geometric
    assert cm.aitken(1.0, 2.0, 2.95, scale=1.0) == (2.95, False)  # q = 0.95: no α-law


def test_conjecture_is_refuted_shrunk_to_razin_cohen_and_replays(tmp_path):
    """The known-false claim: the search refutes it with a certified counterexample (det W_T > 0,
    kept by balanced GF, while every solution has det -1), shrunk to W12 = W21 = 1, W22 = 0,
    and the saved record replays with the same numbers."""
    _clear()
    r = cj.search(cm.CONJECTURE, seed=0, out=tmp_path)
    assert r.refuted and r.counts["implementation error"] == 0
    cx = r.counterexample
    assert decode(cx["instance"]) == {"d": 2, "pairs": [[0, 1], [1, 0], [1, 1]],
                                      "values": [1, 1, 0]}
    assert cx["numbers"]["certified (det sign kept, no solution of that sign)"] == 1.0
    assert cx["numbers"]["predicted"] == pytest.approx(2.0, rel=1e-6)
    assert cx["numbers"]["measured"] > 10
    path = next(p for p in r.saved if "-counterexample-" in p.name)
    out, saved = cj.replay(path, claims={cm.CONJECTURE.name: cm.CONJECTURE})
    assert out.status == "counterexample"
    for k, v in json.loads(path.read_text())["numbers"].items():
        assert out.numbers[k] == pytest.approx(float(v), rel=1e-9, abs=1e-12), k


def test_conjecture_also_fails_on_converged_runs_beyond_razin_cohen():
    """Not only the certified case: on sampled completion problems, some runs interpolate
    (relative residual <= 1e-6) at a nuclear norm >10% above the minimum -- converged
    counterexamples -- while others sit at the minimum (agree)."""
    insts = sample(cm.CONJECTURE.instances(), 8, seed=0)
    _clear()
    outs, ms = [], []
    for inst in insts:  # one at a time, as the search evaluates them (one compiled shape)
        o, m = measure_claim(cm.CONJECTURE, [inst], 0)
        outs += o
        ms += m
    _clear()
    converged_cex = [m for o, m in zip(outs, ms, strict=True) if o.status == "counterexample"
                     and m.numbers["relative residual"] <= cm.CONJ_FIT]
    assert converged_cex and any(o.status == "agree" for o in outs)

"""Claims of matrix factorization: the nuclear-norm conjecture and its refutation (docs/matrix.md).

Every claim trains with :mod:`implicit_bias.numerics.matrix` (batched through the engine,
instances padded into one shape bucket) and compares with :mod:`implicit_bias.theory.matrix`'s
own prediction (never a strategy's planted answer, which only builds informative instances):

* ``matrix.commuting-min-trace`` -- commuting measurements A_i = P diag(D_i) Pᵀ: GD on W = UUᵀ
  from U(0) = αI ends at the minimum trace (Gunasekar et al., NeurIPS 2017, Thm 1); three init
  scales α = 1e-2, 1e-4, 1e-6 and Aitken's extrapolation α → 0, two-sided;
* ``matrix.singular-value-velocity`` -- finite differences of the singular values along
  small-step GD on balanced deep factorizations match Arora, Cohen, Hu & Luo's
  dσ_r/dt = -N (σ_r²)^{1-1/N}⟨∇ℓ, u_r v_rᵀ⟩ to O(η) (Richardson in η, η/2);
* ``matrix.sensing-lower-bound`` -- Gaussian sensing, W = UUᵀ from a small init: the trained
  trace is never below the SDP minimum (weak duality; one-sided) and the gap is reported;
* ``matrix.razin-cohen-divergence`` -- Razin & Cohen's 2×2 completion at depth 3 and 4: det W
  stays > 0 and |W₁₁| >= (1 - e)²/e at every record (e the residual norm), so every norm
  grows as the loss falls, far above min ‖W‖_* = 2;
* ``matrix.gf-min-nuclear-norm`` -- the known-false conjecture "GF from a small init finds the
  min-nuclear-norm solution" (searched over small completion problems; shrinks to Razin &
  Cohen's instance).

Integration modes (docs/matrix.md): every claim integrates GF by small-step GD on the factors; the
Razin-Cohen claims run at depth >= 3, where GD keeps det W > 0 (at depth 2 plain GD crosses
det = 0, and even the sign-preserving end-to-end flow of :func:`numerics.matrix.balanced_flow`
loses det's sign to float64 rounding by t ≈ 40: the figure shows both).

>>> [c.name for c in CLAIMS if not c.expected], solution_determinant(
...     {"d": 2, "pairs": [[0, 1], [1, 0], [1, 1]], "values": [1, 1, 0]})
(['matrix.gf-min-nuclear-norm'], Fraction(-1, 1))
"""

from __future__ import annotations

import functools
import math
from fractions import Fraction

import numpy as np
import sympy
from hypothesis import strategies as st

from implicit_bias.numerics import matrix as nm
from implicit_bias.theory import matrix as tm
from implicit_bias.theory.results import Kind
from implicit_bias.theory.strategies.matrix import (
    commuting_sensing,
    completion_arrays,
    conjecture_completion,
)

from .core import Claim, Measurement, as_float, batch_memo, limit_excuse

__all__ = ["THEOREM", "CLAIMS", "COMMUTING", "VELOCITY", "SENSING", "RAZIN_COHEN",
           "CONJECTURE", "M_BUCKET", "D_BUCKET", "commuting_instances", "sensing_instances",
           "velocity_instances", "razin_cohen_instances", "commuting_arrays",
           "sensing_arrays", "solution_determinant", "prediction_invariant",
           "wrong_candidate_accepted", "flow_invariant", "init_scale"]

THEOREM = "matrix"
#: the sensing shape bucket (commuting, velocity and sensing claims): m <= 15, d <= 4
M_BUCKET, D_BUCKET = 15, 4
#: record count of the sensing bucket (= P + 2 for the velocity claim's 2^P steps: records at
#: 0, 1, 2, 4, ..., 2^P); shared, so the symmetric model compiles once for two claims
R_BUCKET = 15
REF = tm.REFERENCES


def _nuclear(W) -> float:
    return float(np.linalg.svd(np.asarray(W, dtype=float), compute_uv=False).sum())


def _residual_norm(log_loss) -> np.ndarray:
    """‖A(W) - y‖₂ from the engine's log L with L = ½Σr² (a sum)."""
    return np.sqrt(2.0 * np.exp(np.asarray(log_loss, dtype=float)))


#: relative rounding slack of a value recomputed from the returned matrix (an SVD or a trace
#: of a d <= 4 matrix: ~1e-15; 1e-9 leaves six decades)
ROUND_TOL = 1e-9


def prediction_invariant(p, A, y) -> str | None:
    """The fields of a :class:`theory.matrix.NuclearPrediction` against independent routes:
    ``value`` against the objective of its own ``W`` (tr W if ``psd``, else the sum of the
    singular values) and against the dual objective λᵀy of its ``dual`` (strong duality, to
    the certified tolerance NUCLEAR_TOL), and ``W`` against the measurements (A(W) = y to
    NUCLEAR_TOL relative). Without ``psd``, the certificate is also shown a wrong candidate
    (:func:`wrong_candidate_accepted`). A message naming the field and both values, or None.
    """
    W = np.asarray(p.W, dtype=float)
    objective = float(np.trace(W)) if p.psd else _nuclear(W)
    scale = max(abs(objective), 1e-300)
    name = "tr W" if p.psd else "||W||_* (sum of singular values)"
    if abs(p.value - objective) > ROUND_TOL * scale:
        return f"the prediction's value {p.value:.12g} is not {name} = {objective:.12g}"
    dual = float(np.asarray(p.dual) @ y)
    if abs(dual - p.value) > tm.NUCLEAR_TOL * scale:
        return (f"the prediction's value {p.value:.12g} is not the dual objective "
                f"lambda^T y = {dual:.12g} (strong duality, certified to {tm.NUCLEAR_TOL:g})")
    res = float(np.linalg.norm(tm.measure(A, W) - y)) / max(float(np.linalg.norm(y)), 1e-300)
    if res > tm.NUCLEAR_TOL:
        return f"the predicted W does not interpolate: |A(W) - y|/|y| = {res:.3g}"
    if not p.psd:
        return wrong_candidate_accepted(p, A, y)
    return None


def wrong_candidate_accepted(p, A, y) -> str | None:
    """Show :func:`theory.matrix.nuclear_certificate` a candidate that violates exactly dual
    feasibility: W' = W + t·E (E a unit null direction of the measurements, t = max(‖W‖_F, 1),
    so A(W') = y), with λ' = λ·‖W'‖_*/λᵀy (zero gap). If ‖W'‖_* >= (1 + 10·NUCLEAR_TOL)·‖W‖_*,
    W' is no minimizer (weak duality with the certified λ), so ‖Σλ'_i A_i‖_op >= ‖W'‖_*/‖W‖_* > 1
    and the certificate must reject it (residual > NUCLEAR_TOL). None if it does, or where the
    measurements leave no null direction or W' is not suboptimal enough to decide."""
    m, d, _ = A.shape
    M = A.reshape(m, -1)
    _, sv, Vt = np.linalg.svd(M)
    rank = int(np.sum(sv > 1e-12 * max(float(sv[0]), 1e-300))) if sv.size else 0
    W = np.asarray(p.W, dtype=float)
    dual_y = float(np.asarray(p.dual) @ y)
    if rank >= d * d or dual_y <= 0:
        return None
    Wc = W + max(float(np.linalg.norm(W)), 1.0) * Vt[rank].reshape(d, d)
    ratio = _nuclear(Wc) / max(_nuclear(W), 1e-300)
    if ratio < 1 + 10 * tm.NUCLEAR_TOL:
        return None
    lam = np.asarray(p.dual) * _nuclear(Wc) / dual_y
    cert = tm.nuclear_certificate(A, y, Wc, lam)
    if cert.residual <= tm.NUCLEAR_TOL:
        return (f"the nuclear-norm certificate accepts a candidate violating dual feasibility "
                f"||sum lambda_i A_i||_op <= 1 (W' with ||W'||_* = {ratio:.6g} x the minimum, "
                f"residual {cert.residual:.3g}; conditions {dict(cert.conditions)})")
    return None


# =============================================================================== commuting

#: GD on UUᵀ from U(0) = αI at these α (the Aitken extrapolation needs three, evenly spaced
#: in log α); steps and the step-size constant c (lr = c/(σ_max(M)²·‖M⁺y‖))
COMM_ALPHAS = (1e-2, 1e-4, 1e-6)
COMM_STEPS = 20_000
COMM_LR = 0.25
COMM_TOL = 1e-3
#: relative residual |A(W_T) - y|/|y| below which a run has interpolated (converged)
COMM_FIT = 1e-8
#: Aitken's ratio q = (α_{k+1}/α_k)^{2Δ} is used only up to this (Δ >= 0.011): a ratio near 1
#: is no geometric α-law but an unconverged run, and 1/(1 - q) would amplify it
COMM_QMAX = 0.9


def commuting_instances():
    """Commuting PSD sensing (theory.strategies.commuting_sensing, d in [2, 4], m <= d - 1) as
    exact instances {"P": exact orthogonal (Householder, Fractions), "D": ints, "beta": ints}:
    A_i = P diag(D_i) Pᵀ, y = D·beta (beta the strategy's planted point, not the answer)."""
    return commuting_sensing(psd=True).map(lambda c: {
        "P": [[Fraction(v) for v in row] for row in c.P_exact],
        "D": [[int(v) for v in row] for row in c.D],
        "beta": [int(v) for v in c.beta_star]})


def commuting_arrays(inst):
    """(A (m, d, d), y (m,)) of a commuting instance."""
    P = as_float(inst["P"])
    D = as_float(inst["D"])
    A = np.einsum("jp,mp,kp->mjk", P, D, P)
    return A, D @ as_float(inst["beta"])


def _step_size(A, y, c: float) -> float:
    """c/(σ_max(M)²·‖M⁺y‖): M the measurement matrix, M⁺y the least-squares interpolant (a
    data scale; no prediction enters the step)."""
    M = A.reshape(A.shape[0], -1)
    w = np.linalg.lstsq(M, y, rcond=None)[0]
    return c / (float(np.linalg.norm(M, 2)) ** 2 * max(float(np.linalg.norm(w)), 1e-12))


def _identity_init(arrays, scales):
    """U(0) = αI_d per instance (zero in the padding), for each α in turn: (len·k, D, D)."""
    return np.concatenate([np.stack([nm.embed(s * np.eye(A.shape[1]), D_BUCKET)
                                     for A, _ in arrays]) for s in scales])


@batch_memo
def _commuting_run(insts, seed):
    arrays = [commuting_arrays(i) for i in insts]
    A, y, mask = nm.pad_problems(arrays, M_BUCKET, D_BUCKET)
    k = len(COMM_ALPHAS)
    lr = np.array([_step_size(Ai, yi, COMM_LR) for Ai, yi in arrays] * k)
    tr = nm.train_symmetric_batch(np.concatenate([A] * k), np.concatenate([y] * k),
                                  mask=np.concatenate([mask] * k),
                                  U0=_identity_init(arrays, COMM_ALPHAS), lr=lr,
                                  steps=COMM_STEPS, n_records=R_BUCKET)
    preds = [tm.commuting_min_nuclear_norm(Ai, yi, psd=True) for Ai, yi in arrays]
    return arrays, tr, preds


def aitken(T1: float, T2: float, T3: float, scale: float,
           qmax: float = COMM_QMAX) -> tuple[float, bool]:
    """Aitken's Δ² limit of T1, T2, T3 (exact for T_k = T∞ + C q^k, 0 <= q <= ``qmax``);
    (T3, False) where the differences are at rounding level (|ΔT| <= 1e-12·scale) or not
    geometric with such a ratio."""
    d1, d2 = T2 - T1, T3 - T2
    if abs(d2) <= 1e-12 * scale or d1 == 0:
        return T3, False
    q = d2 / d1
    if not 0 <= q <= qmax:
        return T3, False
    return T3 + d2 * q / (1 - q), True


def _decade(t) -> int:
    return int(np.searchsorted(t, t[-1] // 10, side="right")) - 1


def _measure_commuting(insts, seed):
    arrays, tr, preds = _commuting_run(insts, seed)
    B, k = len(insts), len(COMM_ALPHAS)
    t = np.asarray(tr.t[0])
    i10 = _decade(t)
    out = []
    for b, ((Ai, yi), p) in enumerate(zip(arrays, preds, strict=True)):
        d = Ai.shape[1]
        runs = [b + j * B for j in range(k)]
        Ws = [np.asarray(tr.predictor[r])[:, :d, :d] for r in runs]
        traces = [float(np.trace(W[-1])) for W in Ws]
        res = [float(_residual_norm(tr.log_loss[r, -1])) for r in runs]
        fit = max(res) / max(float(np.linalg.norm(yi)), 1e-300)
        if fit <= COMM_FIT:
            T_inf, extrapolated = aitken(*traces, scale=p.value)
        else:  # an unconverged run: no extrapolation (its differences are not the α-law)
            T_inf, extrapolated = traces[-1], False
        err = abs(T_inf - p.value) / p.value
        # weak duality with the theory's certified dual: tr W >= (λᵀy - ‖λ‖‖r‖)/(1 + δ) for
        # every PSD W -- it holds whatever the truth of the claim (else the certificate or
        # the model is broken)
        lam = np.asarray(p.dual)
        dual_res = p.certificate.conditions.get("dual", 0.0)
        bad = None
        for W, tr_W, r in zip(Ws, traces, res, strict=True):
            psd = float(np.linalg.eigvalsh(0.5 * (W[-1] + W[-1].T)).min()) >= \
                -1e-12 * max(1.0, float(np.abs(W[-1]).max()))
            bound = (float(lam @ yi) - float(np.linalg.norm(lam)) * r) / (1 + dual_res)
            if psd and tr_W < bound - 1e-9 * p.value:
                bad = (f"a PSD trained W has trace {tr_W:.9g} below the dual bound "
                       f"{bound:.9g}: the certificate or the model is wrong")
        move = abs(float(np.trace(Ws[-1][-1])) - float(np.trace(Ws[-1][i10]))) / p.value
        if fit > COMM_FIT:
            excuse = (f"not converged: relative residual {fit:.2g} > {COMM_FIT:g} (the trace of "
                      "a run that does not interpolate is not its limit)")
        else:
            excuse = limit_excuse(err, move, rate=0.1, tol=COMM_TOL,
                                  what="the trace at alpha = 1e-6")
        gaps = (np.trace(Ws[-1], axis1=1, axis2=2) - p.value) / p.value
        out.append(Measurement(
            err, predicted=p.value, measured=T_inf, start=float(abs(gaps[0])), excuse=excuse,
            invariant=bad,
            numbers={**{f"trace gap, alpha={a:g}": (x - p.value) / p.value
                        for a, x in zip(COMM_ALPHAS, traces, strict=True)},
                     "aitken": float(extrapolated), "relative residual": fit,
                     "movement": move},
            series={"t": t.tolist(), "|tr W(t) - min tr| / min tr, alpha = 1e-6":
                    np.abs(gaps).tolist()}))
    return out


COMMUTING = Claim(
    "matrix.commuting-min-trace", THEOREM, "commuting measurements: GD on UU^T from alpha*I "
    "ends at the minimum trace as alpha -> 0", Kind.GLOBAL_MINIMUM, REF["matrix.commuting"],
    "commuting PSD sensing A_i = P diag(D_i) P^T (exact Householder P), d <= 4, m <= d - 1, "
    "integer D >= 0 in row 0; square loss 1/2 sum r^2",
    f"GD on U from U(0) = alpha*I, alpha in {COMM_ALPHAS}, {COMM_STEPS} steps, lr = "
    f"{COMM_LR}/(sigma_max(M)^2 |M^+ y|); Aitken's extrapolation of the three traces",
    "|T_inf - min tr| / min tr (T_inf: Aitken's alpha -> 0 limit of tr W_T)", COMM_TOL,
    "in the eigenbasis beta = u*u follows GF beta(t) = alpha^2 exp(-4 D^T s(t)): the limit "
    "minimizes sum beta log(beta/alpha^2) - beta over D beta = y, an entropic LP path whose "
    "trace excess decays like alpha^(2 Delta) (Delta the LP's reduced-cost gap; measured "
    "Delta = 1/4: 3e-3, 1.2e-4, 4.8e-6 at alpha = 1e-3, 1e-6, 1e-9); GD's O(eta) change of the "
    "effective alpha keeps the power law. Aitken's Delta^2 over alpha = 1e-2, 1e-4, 1e-6 "
    "(steps of 1e-2) removes one power term exactly; the rest (a second power, the residual "
    "of non-converged runs) measured <= 5e-5 over 64 instances, so 1e-3 leaves a factor 20. "
    "Below the minimum, weak duality with the theory's certified dual is an invariant",
    commuting_instances, _measure_commuting, seeded=False, budget=20, group="commuting",
    plot={"ylabel": "|tr W(t) - min tr| / min tr (alpha = 1e-6)"})


# ========================================================== singular-value velocity (Arora)

#: GD steps 2^P from each init (records at 0, 1, 2, 4, ..., 2^P) at step ETA and ETA/2
VEL_P = R_BUCKET - 2
VEL_ETA = 0.005
VEL_SCALE = 0.5
VEL_TOL = 0.25


@st.composite
def velocity_instances(draw, *, depths=(2, 3)):
    """Gaussian sensing for the singular-value claim: {"d" in [2, 4], "m" in [1, d² - 1],
    "rank" in [1, 2], "seed", "depth"} -- A and the planted W* = UVᵀ are drawn from
    numpy's default_rng(seed) (:func:`sensing_arrays`)."""
    d = draw(st.integers(2, D_BUCKET))
    return {"d": d, "m": draw(st.integers(1, d * d - 1)), "rank": draw(st.integers(1, 2)),
            "seed": draw(st.integers(0, 2**16)), "depth": draw(st.sampled_from(depths))}


def sensing_arrays(inst, *, symmetric: bool = False):
    """(A, y) of a Gaussian-sensing instance: A_i with N(0, 1) entries (symmetrized if
    ``symmetric``), W* = UVᵀ (UUᵀ if symmetric) of rank ``rank``, y = A(W*); then rescaled to
    σ_max(M) = 1 and ‖y‖ = 1 (every prediction is homogeneous: the rescaling only fixes the
    time scale of training)."""
    d, m = int(inst["d"]), int(inst["m"])
    r = min(int(inst["rank"]), d)
    rng = np.random.default_rng(int(inst["seed"]))
    A = rng.standard_normal((m, d, d))
    U = rng.standard_normal((d, r))
    if symmetric:
        A = 0.5 * (A + A.transpose(0, 2, 1))
        W = U @ U.T
    else:
        W = U @ rng.standard_normal((r, d))
    A = A / float(np.linalg.norm(A.reshape(m, -1), 2))
    y = np.einsum("mjk,jk->m", A, W)
    return A, y / float(np.linalg.norm(y))


def _depth_groups(insts) -> dict:
    """{depth: indices of the instances of that depth, padded to len(insts) by repeating the
    group's first one}: every group has the batch's size, so one compilation per depth serves
    every batch of that size (the batch shape is part of the compiled program)."""
    n = len(insts)
    groups = {}
    for N in sorted({int(i["depth"]) for i in insts}):
        idx = [b for b, i in enumerate(insts) if int(i["depth"]) == N]
        groups[N] = idx + [idx[0]] * (n - len(idx))
    return groups


def _balanced_inits(seed, dims, depth, scale, det_sign=None, d_bucket=D_BUCKET):
    """Balanced factors per instance (key seed + b), zero-padded to the bucket: a tuple of
    ``depth`` arrays (B, d_bucket, d_bucket)."""
    per = []
    for b, d in enumerate(dims):
        f = nm.balanced_init(np.random.default_rng(int(seed) + b), d=d, depth=depth,
                             scale=scale, det_sign=det_sign)
        per.append([nm.embed(x, d_bucket) for x in f])
    return tuple(np.stack([p[j] for p in per]) for j in range(depth))


@batch_memo
def _velocity_run(insts, seed):
    arrays = [sensing_arrays(i) for i in insts]
    out = {}
    for N, idx in _depth_groups(insts).items():
        A, y, mask = nm.pad_problems([arrays[b] for b in idx], M_BUCKET, D_BUCKET)
        p0 = _balanced_inits(seed + 7919 * N, [int(insts[b]["d"]) for b in idx], N, VEL_SCALE)
        n = len(idx)
        tr = nm.train_deep_batch(np.concatenate([A, A]), np.concatenate([y, y]),
                                 mask=np.concatenate([mask, mask]),
                                 params0=tuple(np.concatenate([p, p]) for p in p0),
                                 lr=np.array([VEL_ETA] * n + [VEL_ETA / 2] * n),
                                 steps=2**VEL_P, n_records=VEL_P + 2, record="factors")
        for j, b in enumerate(idx):
            out.setdefault(b, (np.asarray(tr.predictor[j]), np.asarray(tr.predictor[j + n])))
    return arrays, [out[b] for b in range(len(insts))]


def _fd_and_velocity(F, A, y, depth, eta):
    """Per record: (σ(W after one GD step of size eta) - σ(W))/eta and the theory's σ̇."""
    d = A.shape[1]
    Fd = F[..., :d, :d]
    W = nm.factors_end_to_end(Fd)
    fd, vel = [], []
    for k in range(Fd.shape[0]):
        G = tm.loss_gradient(A, y, W[k])
        nxt = nm.factors_end_to_end(Fd[k] - eta * nm.factor_gradients(Fd[k], G))
        s0 = np.linalg.svd(W[k], compute_uv=False)
        fd.append((np.linalg.svd(nxt, compute_uv=False) - s0) / eta)
        vel.append(tm.singular_value_velocity(W[k], G, depth, degenerate="one-sided"))
    return np.array(fd), np.array(vel)


def _measure_velocity(insts, seed):
    arrays, runs = _velocity_run(insts, seed)
    P = VEL_P
    i1 = np.arange(0, P + 1)  # steps 0, 1, ..., 2^(P-1) at eta: t = 0, eta, ..., 2^(P-1) eta
    i2 = np.concatenate([[0], np.arange(2, P + 2)])  # the same times at eta/2
    steps = np.concatenate([[0], 2 ** np.arange(P)])  # of the eta run (t = eta x step)
    out = []
    for inst, (A, y), (F1, F2) in zip(insts, arrays, runs, strict=True):
        N = int(inst["depth"])
        fd1, v1 = _fd_and_velocity(F1[i1], A, y, N, VEL_ETA)
        fd2, v2 = _fd_and_velocity(F2[i2], A, y, N, VEL_ETA / 2)
        e1, e2 = fd1 - v1, fd2 - v2
        rich = 2 * e2 - e1
        scale = max(float(np.abs(v1).max()), 1e-300)
        ratio = float(np.abs(rich).max() / max(float(np.abs(e1).max()), 1e-300 * scale))
        out.append(Measurement(
            ratio, measured=ratio,
            numbers={"max |FD - v| / (eta max|v|)": float(np.abs(e1).max()) / scale / VEL_ETA,
                     "max |Richardson| / max|v|": float(np.abs(rich).max()) / scale,
                     "max |v|": scale},
            series={"t": steps.tolist(),
                    "|FD(eta) - v| / max|v|": (np.abs(e1).max(axis=1) / scale).tolist(),
                    "|Richardson - v| / max|v|": (np.abs(rich).max(axis=1) / scale).tolist()}))
    return out


VELOCITY = Claim(
    "matrix.singular-value-velocity", THEOREM, "balanced deep factorization: finite "
    "differences of the singular values along small-step GD match "
    "-N (sigma^2)^(1-1/N) <grad, u v^T> to O(eta)", Kind.EXACT_LIMIT,
    REF["matrix.singular_values"],
    "Gaussian sensing, d <= 4, m <= d^2 - 1, planted rank <= 2, rescaled to sigma_max(M) = 1 "
    "and |y| = 1; depth N in {2, 3}; balanced init of scale 0.5 per factor",
    f"GD on the factors at eta = {VEL_ETA} and eta/2, 2^{VEL_P} steps each; at the shared "
    f"times t = 0, eta, 2 eta, 4 eta, ..., 2^{VEL_P - 1} eta the one-step difference "
    "(sigma(W_{t+1}) - sigma(W_t))/step",
    "max_t |2 e(eta/2) - e(eta)| / max_t |e(eta)|, e = FD - theory velocity", VEL_TOL,
    "GD's iterates have an expansion W_eta(t) = W(t) + eta a(t) + O(eta^2) on [0, t_max] and "
    "the identity holds exactly along GF (balancedness is conserved), so e(eta) = c(t) eta + "
    "d(t) eta^2 and the Richardson value 2e(eta/2) - e(eta) = -d eta^2/2: the ratio is "
    "|d| eta/(2|c|). Measured over 128 instances: median 1.2e-3, 2.5e-3, 4.9e-3 at eta = "
    "0.005, 0.01, 0.02 (proportional to eta: the asymptotic regime), worst 0.076, 0.12, 0.17; "
    "so 0.25 leaves a factor 3 at eta = 0.005. A wrong velocity (error epsilon v) leaves "
    "e ~ -epsilon v at both steps: ratio ~ 1",
    lambda: velocity_instances(), _measure_velocity, seeded=True, budget=20, group="velocity",
    plot={"ylabel": "error of FD vs the identity (relative to max |v|)"})


# ============================================================================ Gaussian sensing

SENS_ALPHAS = COMM_ALPHAS
SENS_STEPS = 20_000
SENS_LR = 0.25


@st.composite
def sensing_instances(draw):
    """Symmetric Gaussian sensing for W = UUᵀ: {"d" in [2, 4], "m" in [1, d(d+1)/2 - 1]
    (underdetermined over symmetric W), "rank" in [1, 2], "seed"} (:func:`sensing_arrays`
    with ``symmetric=True``)."""
    d = draw(st.integers(2, D_BUCKET))
    return {"d": d, "m": draw(st.integers(1, d * (d + 1) // 2 - 1)),
            "rank": draw(st.integers(1, 2)), "seed": draw(st.integers(0, 2**16))}


@batch_memo
def _sensing_run(insts, seed):
    arrays = [sensing_arrays(i, symmetric=True) for i in insts]
    A, y, mask = nm.pad_problems(arrays, M_BUCKET, D_BUCKET)
    k = len(SENS_ALPHAS)  # the commuting claim's batch shape: one compilation for both
    tr = nm.train_symmetric_batch(np.concatenate([A] * k), np.concatenate([y] * k),
                                  mask=np.concatenate([mask] * k),
                                  U0=_identity_init(arrays, SENS_ALPHAS), lr=SENS_LR,
                                  steps=SENS_STEPS, n_records=R_BUCKET)
    preds = [tm.min_nuclear_norm(Ai, yi, psd=True) for Ai, yi in arrays]
    return arrays, tr, preds


def _dual_bound(p, y, residual: float) -> float:
    """The least trace a PSD W with ‖A(W) - y‖ <= residual can have if the predicted minimum
    p.value is right: (p(1 - δ_gap) - ‖λ‖·residual)/(1 + δ_dual) (weak duality with the
    certificate's λ, its certified gap δ_gap and dual residual δ_dual)."""
    c = p.certificate.conditions
    lam = np.asarray(p.dual)
    return ((p.value * (1 - c.get("gap", 0.0)) - float(np.linalg.norm(lam)) * residual)
            / (1 + c.get("dual", 0.0)))


def _measure_sensing(insts, seed):
    arrays, tr, preds = _sensing_run(insts, seed)
    t = np.asarray(tr.t[0])
    B = len(insts)
    out = []
    for b, ((Ai, yi), p) in enumerate(zip(arrays, preds, strict=True)):
        d = Ai.shape[1]
        viol, nums, series = -math.inf, {}, {"t": t.tolist()}
        for j, a in enumerate(SENS_ALPHAS):
            W = np.asarray(tr.predictor[b + j * B])[:, :d, :d]
            res = _residual_norm(tr.log_loss[b + j * B])
            traces = np.trace(W, axis1=1, axis2=2)
            bounds = np.array([_dual_bound(p, yi, float(r)) for r in res])
            viol = max(viol, float(np.max(bounds - traces)) / p.value)
            s = np.linalg.svd(W[-1], compute_uv=False)
            nums[f"gap, alpha={a:g}"] = float(traces[-1] / p.value - 1)
            nums[f"residual, alpha={a:g}"] = float(res[-1])
            nums[f"rank W_T, alpha={a:g}"] = float(np.sum(s > 1e-6 * s[0]))
            series[f"tr W(t) / min tr - 1, alpha = {a:g}"] = (traces / p.value - 1).tolist()
        nums["rank of the minimizer"] = float(p.rank)
        out.append(Measurement(max(0.0, viol), predicted=p.value,
                               measured=p.value * (1 + nums[f"gap, alpha={SENS_ALPHAS[-1]:g}"]),
                               numbers=nums, series=series))
    return out


SENSING = Claim(
    "matrix.sensing-lower-bound", THEOREM, "Gaussian sensing: the trained tr UU^T is never "
    "below the SDP minimum trace (the gap is reported)", Kind.LOWER_BOUND,
    REF["matrix.conjecture"],
    "symmetric Gaussian sensing, d <= 4, m <= d(d+1)/2 - 1, planted PSD rank <= 2, rescaled "
    "to sigma_max(M) = 1, |y| = 1",
    f"GD on U from U(0) = alpha*I, alpha in {SENS_ALPHAS}, lr {SENS_LR}, {SENS_STEPS} steps, "
    "every record",
    "max_t (dual bound(t) - tr W(t)) / min tr", 1e-9,
    "weak duality: for PSD W, tr W >= (lambda^T y - |lambda| |A(W) - y|)/(1 + delta_dual) with "
    "lambda^T y >= p (1 - delta_gap) (the SDP's certificate, residuals <= 1e-6), so no record "
    "of any run may fall below; 1e-9 of the minimum for rounding. One-sided: a minimum "
    "predicted too high is refuted, one too low is not (the gap, e.g. up to 0.15 for "
    "alpha = 1e-3, is an observation about GD, not a verdict)",
    lambda: sensing_instances(), _measure_sensing, seeded=False, budget=20, group="sensing",
    plot={"ylabel": "tr W(t) / min tr - 1", "target": 0.0})


# ========================================================================= Razin & Cohen

#: GD step per depth: at depth 3 (4) the stability edge ηλ ~ 2 of the stiffening problem
#: (λ ~ N|W11|^(2-2/N)) is reached near η = 0.02 (0.01) by 1e5 steps, where the factors
#: drift from balancedness by 10% (50%); at these steps the drift stays below 0.3%
RC_ETA = {3: 0.01, 4: 0.005}
#: the figure's depth-2 GD step (where plain GD crosses det = 0)
RC_ETA2 = 0.02
RC_STEPS = 100_000
RC_RECORDS = 30
#: the figure's sign-preserving depth-2 flow stops at t = 30, before det W (~1e-14 there)
#: reaches float64 rounding (~1e-16 at t = 40; docs/matrix.md, "Integration modes")
RC_FLOW_STEPS = 1500
#: relative balancedness drift max_j ‖W_{j+1}ᵀW_{j+1} - W_jW_jᵀ‖/‖W_j‖² above which a GD run is
#: not GF-faithful (the flow conserves balancedness exactly; GD drifts by O(η²) per step)
RC_DRIFT = 0.05


def razin_cohen_instances(depths=(3, 4)):
    """Razin & Cohen's completion trained from a balanced init with det W(0) > 0:
    {"depth" in depths, "scale" = k/20 (k in [2, 10]: factors of size 0.1..0.5), "seed"}."""
    return st.fixed_dictionaries({
        "depth": st.sampled_from(list(depths)),
        "scale": st.integers(2, 10).map(lambda k: Fraction(k, 20)),
        "seed": st.integers(0, 2**16)})


def _rc_factors(inst, depth):
    return nm.balanced_init(np.random.default_rng(int(inst["seed"])), d=2, depth=depth,
                            scale=float(inst["scale"]), det_sign=1)


def _rc_init(insts):
    A, y = tm.razin_cohen_problem()
    out = {}
    for N, idx in _depth_groups(insts).items():
        per = [_rc_factors(insts[b], N) for b in idx]
        out[N] = (idx, tuple(np.stack([p[j] for p in per]) for j in range(N)))
    return A, y, out


def _rc_train(insts, *, train=None):
    """Per instance the factor trace (R, N, 2, 2), the log-loss (R,) and the record times;
    ``train`` replaces the trainer (the rival-model test)."""
    A, y, groups = _rc_init(insts)
    train = train or nm.train_deep_batch
    res = [None] * len(insts)
    t = None
    for N, (idx, p0) in groups.items():
        n = len(idx)
        tr = train(np.broadcast_to(A, (n, *A.shape)), np.broadcast_to(y, (n, y.size)),
                   params0=p0, lr=RC_ETA[N], steps=RC_STEPS, n_records=RC_RECORDS,
                   record="factors")
        t = np.asarray(tr.t[0])
        for j, b in enumerate(idx):
            if res[b] is None:
                res[b] = (np.asarray(tr.predictor[j]), np.asarray(tr.log_loss[j]))
    return t, res


_rc_run = batch_memo(lambda insts, seed: _rc_train(insts))


def _drift(F) -> np.ndarray:
    """Per record: max_j ‖W_{j+1}ᵀW_{j+1} - W_jW_jᵀ‖_F / max(‖W_j‖_F², ‖W_{j+1}‖_F²)."""
    N = F.shape[-3]
    if N < 2:
        return np.zeros(F.shape[:-3])
    out = []
    for j in range(N - 1):
        a, b = F[..., j, :, :], F[..., j + 1, :, :]
        gap = np.linalg.norm(np.swapaxes(b, -1, -2) @ b - a @ np.swapaxes(a, -1, -2),
                             axis=(-2, -1))
        size = np.maximum(np.sum(a * a, axis=(-2, -1)), np.sum(b * b, axis=(-2, -1)))
        out.append(gap / np.maximum(size, 1e-300))
    return np.max(out, axis=0)


@functools.cache
def _rc_minimum():
    """The min-nuclear-norm completion of Razin & Cohen's data (W = [[0, 1], [1, 0]], 2)."""
    return tm.min_nuclear_norm(*tm.razin_cohen_problem())


@functools.cache
def _flow_step(depth: int):
    """One step of :func:`numerics.matrix.balanced_flow` from W with gradient G, for a vector of
    step sizes (jitted once per depth: W_η - W for each η)."""
    import jax

    update = nm.balanced_flow(depth).update
    return jax.jit(jax.vmap(lambda W, G, eta: update(G, (), W, 0, {"lr": eta})[0],
                            in_axes=(None, None, 0)))


#: one step of the balanced flow is W + η(CW + WB) + η²CWB, exactly quadratic in η, so the
#: Richardson combination (4Δ(η/2) - Δ(η))/η is CW + WB with rounding error only; measured
#: <= 9e-12 of max|Ẇ| over 900 Razin-Cohen inits (scales 0.1..0.5, depths 2-4), so 1e-8
#: leaves three decades
FLOW_TOL = 1e-8


def flow_invariant(W, G, depth: int, eta: float) -> str | None:
    """The balanced end-to-end flow integrator against the theory's velocity: the first-order
    term of one step of :func:`numerics.matrix.balanced_flow` (Richardson over η and η/2)
    must be :func:`theory.matrix.end_to_end_velocity` (W, G) (to :data:`FLOW_TOL` of its
    size). A message with both, or None."""
    W = np.asarray(W, dtype=float)
    G = np.asarray(G, dtype=float)
    steps = np.asarray(_flow_step(int(depth))(W, G, np.array([eta, eta / 2])))
    first = (4 * steps[1] - steps[0]) / eta
    v = tm.end_to_end_velocity(W, G, depth)
    size = max(float(np.abs(v).max()), 1e-300)
    err = float(np.abs(first - v).max())
    if err > FLOW_TOL * size:
        return (f"the balanced flow (depth {depth}) does not integrate the end-to-end "
                f"velocity: its step's first-order term differs from end_to_end_velocity by "
                f"{err / size:.3g} of max|v| (step {first.round(9).tolist()}, velocity "
                f"{v.round(9).tolist()})")
    return None


def init_scale(F0, seed: int, depth: int, det_sign=1) -> float:
    """The factor scale read back from the initial factors F0 (N, d, d) of a run: balanced_init
    draws W(0) = scale^N·G, so σ(W(0)) = scale^N·σ(W(0) at scale 1 from the same generator);
    returns (σ_max ratio)^(1/N), and NaN if the singular values are not proportional."""
    W0 = nm.factors_end_to_end(np.asarray(F0))
    unit = nm.balanced_init(np.random.default_rng(int(seed)), d=W0.shape[-1], depth=depth,
                            scale=1.0, det_sign=det_sign)
    s0 = np.linalg.svd(W0, compute_uv=False)
    s1 = np.linalg.svd(nm.factors_end_to_end(np.stack(unit)), compute_uv=False)
    ratio = s0 / s1
    if float(np.abs(ratio - ratio[0]).max()) > ROUND_TOL * float(ratio[0]):
        return math.nan
    return float(ratio[0]) ** (1.0 / depth)


def _rc_invariant(inst, F, A, y, p) -> str | None:
    """Implementation checks of one Razin-Cohen instance: the minimum's fields
    (:func:`prediction_invariant`), the init scale of the run (read back from its first
    record, :func:`init_scale`) and the balanced flow at W(0) at depths 2 (the figure's) and
    N (:func:`flow_invariant`)."""
    N = int(inst["depth"])
    bad = prediction_invariant(p, A, y)
    if bad:
        return bad
    want = float(inst["scale"])
    got = init_scale(F[0], inst["seed"], N)
    if not abs(got - want) <= ROUND_TOL * want:
        return (f"the run's initial factors have scale {got:.9g}, not the instance's "
                f"{want:.9g} (singular values of W(0) over those of the scale-1 draw)")
    W0 = nm.factors_end_to_end(F[0])
    G = tm.loss_gradient(A, y, W0)
    for depth, eta in ((2, RC_ETA2), (N, RC_ETA[N])):
        bad = flow_invariant(W0, G, depth, eta)
        if bad:
            return bad
    return None


def _rc_bound(e) -> np.ndarray:
    return np.array([tm.razin_cohen_lower_bound(float(v)) for v in np.atleast_1d(e)])


def _measure_rc(insts, seed):
    t, runs = _rc_run(insts, seed)
    A, y = tm.razin_cohen_problem()
    p = _rc_minimum()
    out = []
    for inst, (F, ll) in zip(insts, runs, strict=True):
        W = nm.factors_end_to_end(F)
        e = _residual_norm(ll)
        lb = _rc_bound(e)
        w11 = np.abs(W[:, 0, 0])
        det = np.linalg.det(W)
        lb_viol = float(np.max((lb * (1 - 1e-9) - w11) / np.maximum(lb, 1.0)))
        det_viol = 1.0 if float(det.min()) <= 0 else 0.0
        dis = max(0.0, lb_viol, det_viol)
        drift = float(_drift(F).max())
        excuse = None
        if drift > RC_DRIFT:
            excuse = (f"GD drifted from balancedness by {drift:.2g} (relative): the run is not "
                      "GF-faithful, and det > 0 is a property of the flow")
        nuc = _nuclear(W[-1])
        out.append(Measurement(
            dis, predicted=float(lb[-1]), measured=float(w11[-1]), start=0.0, excuse=excuse,
            invariant=_rc_invariant(inst, F, A, y, p),
            numbers={"min det W(t)": float(det.min()), "final |W11|": float(w11[-1]),
                     "final loss": float(np.exp(ll[-1])), "final nuclear norm": nuc,
                     "nuclear norm / min 2": nuc / p.value, "balancedness drift": drift,
                     **({"min |W11| / bound (bound > 1)":
                         float(np.min(w11[lb > 1] / lb[lb > 1]))} if np.any(lb > 1) else {})},
            series={"t": t.tolist(), "|W11|": w11.tolist(), "(1-e)^2/e": lb.tolist(),
                    "loss": np.exp(ll).tolist()}))
    return out


def _rc_figure(insts, seed, fig):
    """Razin & Cohen's completion from one init (the batch's first depth-3 instance: its run
    is the claim's own, GD at η = 0.01) at depth 2 (plain GD at η = 0.02, which crosses
    det = 0, and the sign-preserving end-to-end flow up to t = 30) and depth 3: |W11|,
    |det W| and ‖W‖_* against the loss, and the singular values against t."""
    t, cached = _rc_run(insts, seed)  # the claim's own runs (same batch: no new training)
    b3 = next((b for b, i in enumerate(insts) if int(i["depth"]) == 3), None)
    base = insts[0] if b3 is None else insts[b3]
    A, y = tm.razin_cohen_problem()
    f = _rc_factors(base, 2)
    tr = nm.train_deep_batch(A[None], y[None], params0=tuple(x[None] for x in f), lr=RC_ETA2,
                             steps=RC_STEPS, n_records=RC_RECORDS)
    runs = [("depth 2, GD", np.asarray(tr.t[0]), np.asarray(tr.predictor[0]),
             np.exp(np.asarray(tr.log_loss[0])))]
    fl = nm.train_flow_batch(A[None], y[None], W0=nm.factors_end_to_end(np.stack(f))[None],
                             depth=2, lr=RC_ETA2, steps=RC_FLOW_STEPS, n_records=RC_RECORDS)
    runs.append((f"depth 2, end-to-end flow (t <= {RC_ETA2 * RC_FLOW_STEPS:g})",
                 np.asarray(fl.t[0]), np.asarray(fl.predictor[0]),
                 np.exp(np.asarray(fl.log_loss[0]))))
    if b3 is None:
        t3, res3 = _rc_train([dict(base, depth=3)])
        F3, ll3 = res3[0]
    else:
        t3, (F3, ll3) = t, cached[b3]
    runs.append(("depth 3, GD", t3, nm.factors_end_to_end(F3), np.exp(ll3)))
    etas = {"depth 2, GD": RC_ETA2, "depth 3, GD": RC_ETA[3]}
    axes = fig.subplots(1, 4)
    for name, t, W, loss in runs:
        det = np.linalg.det(W)
        s = np.linalg.svd(W, compute_uv=False)
        line, = axes[0].loglog(loss, np.abs(W[:, 0, 0]) + 1e-300, label=name)
        axes[1].loglog(loss, np.where(det > 0, det, np.nan), color=line.get_color())
        axes[1].loglog(loss, np.where(det < 0, -det, np.nan), ":", color=line.get_color())
        axes[2].loglog(loss, s.sum(axis=1), color=line.get_color())
        tt = etas.get(name, RC_ETA2) * np.maximum(t, 1)
        axes[3].loglog(tt, s[:, 0], color=line.get_color())
        axes[3].loglog(tt, s[:, 1], "--", color=line.get_color())
    grid = np.geomspace(1e-8, 0.4, 100)
    axes[0].loglog(grid, _rc_bound(np.sqrt(2 * grid)) + 1e-300, "k:", lw=1,
                   label="bound (1-e)^2/e, det > 0")
    axes[2].axhline(2.0, color="k", ls=":", lw=1, label="min nuclear norm 2")
    titles = ("|W11| vs loss", "det W vs loss (solid > 0, dotted < 0)", "nuclear norm vs loss",
              "singular values vs t (dashed: sigma_2)")
    for ax, title in zip(axes, titles, strict=True):
        ax.set_title(title, fontsize=8)
        if ax is axes[3]:
            ax.set_xlabel("t = eta x step")
        else:  # the loss falls to the right; depth-2 GD interpolates (loss 1e-28) off-axis
            ax.set_xlim(2.0, 1e-6)
            ax.set_xlabel("loss (depth-2 GD ends at 1e-28, off the axis)", fontsize=7)
    axes[0].legend(fontsize=6)
    axes[2].legend(fontsize=6)


RAZIN_COHEN = Claim(
    "matrix.razin-cohen-divergence", THEOREM, "Razin-Cohen completion, depth >= 3: det W stays "
    "> 0 and |W11| >= (1-e)^2/e at every record, so every norm grows as the loss falls",
    Kind.LOWER_BOUND, REF["matrix.razin_cohen"],
    "2x2 completion W12 = W21 = 1, W22 = 0 (every solution has det -1, min nuclear norm 2); "
    "balanced init with det W(0) > 0, factor scale 0.1..0.5; depth 3 or 4",
    f"GD on the factors (GF-faithful at depth >= 3), eta = 0.01 (depth 3), 0.005 (depth 4), "
    f"{RC_STEPS} steps, {RC_RECORDS} records",
    "max over records of max(det violation, (bound - |W11|)/max(bound, 1)); e = |A(W) - y| = "
    "sqrt(2 loss)", 0.0,
    "balanced GF keeps det W > 0 (d log|det W|/dt = -N sum sigma^(1-2/N) <grad, u v^T> is "
    "bounded for N >= 2: lemma matrix.det_invariance) and any 2x2 W with det > 0 and residual "
    "e < 1 has |W11| > (1-e)^2/e (razin_cohen_lower_bound): no violation is allowed (relative "
    "slack 1e-9 for rounding). A run whose factors drift from balancedness by more than "
    f"{RC_DRIFT} (relative) is not GF-faithful: its failures are undecided",
    razin_cohen_instances, _measure_rc, seeded=False, budget=20, group="razin-cohen",
    plot={"ylabel": "|W11(t)| and the bound (1-e)^2/e"}, figure=_rc_figure)


# ================================================ known false: GF finds min nuclear norm

CONJ_M, CONJ_D = 8, 3  # the completion bucket: d <= 3, at most d^2 - 1 observed entries
CONJ_DEPTH = 3
CONJ_SCALE = 0.1
CONJ_ETA = 0.02
CONJ_STEPS = 20_000
CONJ_TOL = 0.1
#: relative residual below which a run has interpolated (converged)
CONJ_FIT = 1e-6


def solution_determinant(inst) -> Fraction | None:
    """det W on the whole solution set of an exact completion instance if it is constant
    (sympy, exact: the unobserved entries as symbols), else None. For Razin & Cohen's data it
    is -1."""
    d = int(inst["d"])
    obs = {(int(p[0]), int(p[1])): sympy.Rational(Fraction(v).numerator, Fraction(v).denominator)
           for p, v in zip(inst["pairs"], inst["values"], strict=True)}
    W = sympy.Matrix(d, d, lambda j, k: obs.get((int(j), int(k)), sympy.Symbol(f"z_{j}{k}")))
    det = sympy.expand(W.det())
    if det.free_symbols:
        return None
    q = sympy.Rational(det)
    return Fraction(int(q.p), int(q.q))


@batch_memo
def _conjecture_run(insts, seed):
    arrays = [completion_arrays(i) for i in insts]
    A, y, mask = nm.pad_problems(arrays, CONJ_M, CONJ_D)
    p0 = _balanced_inits(0, [int(i["d"]) for i in insts], CONJ_DEPTH, CONJ_SCALE,
                         det_sign=1, d_bucket=CONJ_D)
    tr = nm.train_deep_batch(A, y, mask=mask, params0=p0, lr=CONJ_ETA, steps=CONJ_STEPS,
                             n_records=R_BUCKET)
    return arrays, tr


def _measure_conjecture(insts, seed):
    arrays, tr = _conjecture_run(insts, seed)
    out = []
    for b, (inst, (Ai, yi)) in enumerate(zip(insts, arrays, strict=True)):
        d = Ai.shape[1]
        p = tm.min_nuclear_norm(Ai, yi)
        W = np.asarray(tr.predictor[b])[:, :d, :d]
        nuc = _nuclear(W[-1])
        excess = nuc / p.value - 1
        res = float(_residual_norm(tr.log_loss[b, -1])) / max(float(np.linalg.norm(yi)), 1e-300)
        det_T = float(np.linalg.det(W[-1]))
        resolvable = abs(det_T) > 1e3 * np.finfo(float).eps * max(1.0, float(
            np.linalg.norm(W[-1], 2))) ** d
        c = solution_determinant(inst)
        certified = (c is not None and c != 0 and resolvable
                     and math.copysign(1.0, det_T) != math.copysign(1.0, float(c)))
        excuse = None
        if res > CONJ_FIT and not certified:
            excuse = (f"not converged: relative residual {res:.2g} (and no certificate that "
                      "the limit cannot interpolate)")
        out.append(Measurement(
            abs(excess), predicted=p.value, measured=nuc, start=abs(_nuclear(W[0]) / p.value - 1),
            excuse=excuse,
            numbers={"relative residual": res, "det W_T": det_T,
                     **({"det on the solution set": float(c)} if c is not None else {}),
                     "certified (det sign kept, no solution of that sign)": float(certified),
                     "final |W11|": float(abs(W[-1, 0, 0]))}))
    return out


CONJECTURE = Claim(
    "matrix.gf-min-nuclear-norm", THEOREM, "gradient flow on a deep factorization from a small "
    "balanced init converges to the min-nuclear-norm completion", Kind.GLOBAL_MINIMUM,
    REF["matrix.conjecture"],
    "exact completion problems, d <= 3, 3 to d^2 - 1 observed entries (conjecture_completion); "
    f"W = W3 W2 W1, balanced init of factor scale {CONJ_SCALE} with det W(0) > 0",
    f"GD on the factors (GF-faithful at depth 3), eta = {CONJ_ETA}, {CONJ_STEPS} steps",
    "| |W_T|_* / min |W|_* - 1 |", CONJ_TOL,
    "a converged run (relative residual <= 1e-6) 10% above the minimum refutes it; an "
    "unconverged run refutes it only with a certificate: balanced GF keeps the sign of det W "
    "(lemma matrix.det_invariance), and if det is constant on the solution set with the other "
    "sign (Razin-Cohen: -1), no limit of the run can interpolate at all",
    lambda: conjecture_completion(), _measure_conjecture, expected=False,
    contradicts="Razin & Cohen (NeurIPS 2020): on the completion W12 = W21 = 1, W22 = 0 every "
    "solution has det -1, balanced GF keeps det W > 0, so the loss can only fall with "
    "|W11| -> infinity: every norm diverges (min nuclear norm 2)",
    seeded=False, budget=30, verify=False)


CLAIMS = (COMMUTING, VELOCITY, SENSING, RAZIN_COHEN, CONJECTURE)

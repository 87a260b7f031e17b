"""Matrix factorization: the nuclear-norm conjecture and its refutation (docs/matrix.md).

Matrix sensing / completion: observations y_i = ⟨A_i, W*⟩ = tr(A_iᵀW*), i = 1..m, with A of
shape (m, d, d) (completion: A_i = e_j e_kᵀ, :func:`completion_operator`). A factorized model
(W = UUᵀ, or W = W_N ⋯ W_1) trained by gradient flow (GF) on ½Σ_i(⟨A_i, W⟩ - y_i)² from a small
initialization ends at *some* interpolating W; which one is the question.

* :func:`min_nuclear_norm` -- argmin ‖W‖_* s.t. ⟨A_i, W⟩ = y_i (and W ⪰ 0 with ``psd=True``,
  where ‖W‖_* = tr W), an SDP solved by Clarabel, with a *dual certificate* (claim kind:
  *global minimum* of the convex program). Gunasekar et al. (NeurIPS 2017, Conjecture 1)
  conjectured that GF on W = UUᵀ from U(0) = αU₀, α → 0, converges there. The conjecture is
  a separate claim (false in general: Razin & Cohen, NeurIPS 2020; Li, Luo & Lyu, ICLR 2021).
* :func:`commuting_min_nuclear_norm` -- the same minimum when the A_i are simultaneously
  diagonalizable (A_i = P diag(D_i) Qᵀ), where it is a linear program over the diagonal
  β: min ‖β‖₁ (``psd=True``: min 1ᵀβ, β >= 0 -- the nonnegative diagonal model β = w ⊙ w, for
  which Gunasekar et al. 2017, Thm 1, prove the conjecture).
* :func:`singular_value_velocity` -- Arora, Cohen, Hu & Luo (NeurIPS 2019, Thm 3): under GF
  of a depth-N factorization from a balanced initialization, the singular values of the
  end-to-end matrix move by dσ_r/dt = -N (σ_r²)^{1-1/N} ⟨∇ℓ(W), u_r v_rᵀ⟩ (an exact identity);
  :func:`end_to_end_velocity` is the matrix form dW/dt (Arora, Cohen & Hazan, ICML 2018, Thm 1).
* :func:`razin_cohen_family` -- the 2×2 completion W₁₂ = W₂₁ = 1, W₂₂ = 0 (sympy): every
  solution [[x, 1], [1, 0]] has det = -1 and ‖·‖_* = √(x² + 4) (minimum 2 at x = 0), so GF with
  det W(0) > 0 (which balanced GF preserves) can only fit the data with |W₁₁| → ∞;
  :func:`razin_cohen_lower_bound` quantifies it (claim kind: *lower bound*).
* :func:`greedy_low_rank` -- a reference Greedy Low-Rank Learning (Li, Luo & Lyu 2021) for the
  symmetric depth-2 model: rank-one steps along the top eigenvector of -∇L, then local
  minimization on the rank-r manifold.

Conventions: ⟨A, W⟩ = Σ_jk A_jk W_jk (no transpose of W); the loss is ½Σ_i(⟨A_i, W⟩ - y_i)²
(a sum), its gradient ∇ℓ(W) = Σ_i r_i A_i with residuals r_i = ⟨A_i, W⟩ - y_i. No JAX here.

>>> A, y = razin_cohen_problem()
>>> r = min_nuclear_norm(A, y)
>>> round(r.value, 6), r.kind.value, r.certificate.residual < 1e-7
(2.0, 'global minimum', True)
"""

from __future__ import annotations

import math
import numbers
import warnings
from dataclasses import dataclass, field

import numpy as np
import scipy.linalg
import scipy.optimize
import sympy

from .errors import (
    CertificateError,
    DepthError,
    DomainError,
    InfeasibleError,
    InvalidInputError,
    NonFiniteError,
    ShapeError,
    SolverError,
)
from .results import Certificate, Kind, Reference
from .validate import check_depth, real_array

__all__ = [
    "REFERENCES",
    "NUCLEAR_TOL",
    "SemidefiniteInfeasibleError",
    "NuclearPrediction",
    "as_measurements",
    "completion_operator",
    "measure",
    "loss_gradient",
    "min_nuclear_norm",
    "nuclear_certificate",
    "verify_psd_infeasibility",
    "simultaneous_diagonalization",
    "commuting_min_nuclear_norm",
    "end_to_end_velocity",
    "singular_value_velocity",
    "RazinCohenFamily",
    "razin_cohen_family",
    "razin_cohen_problem",
    "razin_cohen_lower_bound",
    "GreedyLowRank",
    "greedy_low_rank",
]

_GUNASEKAR = "Gunasekar, Woodworth, Bhojanapalli, Neyshabur & Srebro"
_ARORA = "Arora, Cohen, Hu & Luo"

#: The family's references (theorem numbers: see docs/matrix.md, "Sources").
REFERENCES: dict[str, Reference] = {
    "matrix.conjecture": Reference(_GUNASEKAR, "NeurIPS 2017", "Conjecture 1",
                                   "docs/matrix.md#the-nuclear-norm-conjecture"),
    "matrix.commuting": Reference(_GUNASEKAR, "NeurIPS 2017", "Thm 1 (commuting A_i)",
                                  "docs/matrix.md#the-commuting-case"),
    "matrix.singular_values": Reference(_ARORA, "NeurIPS 2019", "Thm 3",
                                        "docs/matrix.md#singular-value-dynamics"),
    "matrix.end_to_end": Reference("Arora, Cohen & Hazan", "ICML 2018", "Thm 1",
                                   "docs/matrix.md#singular-value-dynamics"),
    "matrix.razin_cohen": Reference("Razin & Cohen", "NeurIPS 2020", "Sec. 3 (Thm 1)",
                                    "docs/matrix.md#the-refutation"),
    "matrix.glrl": Reference("Li, Luo & Lyu", "ICLR 2021", "Sec. 4 (GLRL)",
                             "docs/matrix.md#greedy-low-rank-learning"),
}

#: Largest certificate residual (relative) a returned nuclear-norm minimum may have.
NUCLEAR_TOL = 1e-6
#: Relative residual of the (row-normalized) linear system above which A(W) = y is infeasible.
FEAS_TOL = 1e-9
_LADDER = (1e-10, 1e-9, 1e-8)  # Clarabel gap/feasibility tolerances, tightest first
_FR_TOL = 1e-8  # facial reduction: |yᵀμ| below this (normalized data) counts as zero


class SemidefiniteInfeasibleError(InfeasibleError):
    """No *positive semidefinite* W satisfies ⟨A_i, W⟩ = y_i (``psd=True``), although some
    symmetric W may.

    The proof is a chain of multipliers (vectors of length m, in the caller's units), checked by
    :func:`verify_psd_infeasibility`: ``faces`` = (μ_1, ..., μ_J) with S_j = Σ_i μ_j,i sym(A_i)
    positive semidefinite on the current face and μ_jᵀy = 0 (so every feasible W ⪰ 0 has
    ⟨S_j, W⟩ = 0 and lives on the smaller face null(S_j)); then ``witness`` v, either a Farkas
    certificate (``kind == "farkas"``: Σ v_i sym(A_i) ⪰ 0 on the final face and vᵀy < 0, while
    ⟨S, W⟩ = vᵀy must be >= 0) or a Fredholm one (``kind == "linear"``: Σ v_i sym(A_i) = 0 on
    the final face and vᵀy != 0). ``face`` is an orthonormal basis of the final face. With no
    ``faces`` and ``kind == "linear"`` this is the plain :class:`InfeasibleError` condition
    restricted to symmetric W.
    """

    def __init__(self, message: str, *, witness: np.ndarray, faces: tuple = (),
                 kind: str = "farkas", face: np.ndarray | None = None):
        super().__init__(message, witness=witness)
        self.faces = tuple(faces)
        self.kind = kind
        self.face = face


# ----------------------------------------------------------------------------- validation


def _real_array(v, name: str) -> np.ndarray:
    """A finite real float array (:func:`implicit_bias.theory.validate.real_array`)."""
    return real_array(v, name)


def as_measurements(A, name: str = "A") -> np.ndarray:
    """``A`` as a finite float array of shape (m, d, d), m, d >= 1 (square measurement matrices).

    >>> as_measurements([[[1, 0], [0, 0]]]).shape
    (1, 2, 2)
    """
    arr = _real_array(A, name)
    if arr.ndim != 3:
        hint = " (one matrix: pass A[None])" if arr.ndim == 2 else ""
        raise ShapeError(f"{name} must have shape (m, d, d), got shape {arr.shape}{hint}")
    m, d1, d2 = arr.shape
    if m < 1 or d1 < 1:
        raise ShapeError(f"{name} needs at least one measurement matrix of size >= 1, got "
                         f"shape {arr.shape}")
    if d1 != d2:
        raise ShapeError(f"the measurement matrices must be square (d, d), got {d1} x {d2}")
    bad = ~np.isfinite(arr)
    if bad.any():
        idx = np.unique(np.nonzero(bad)[0])[:5].tolist()
        raise NonFiniteError(f"{name} contains NaN or inf (matrices {idx})")
    return arr


def _values(y, m: int, name: str = "y") -> np.ndarray:
    v = _real_array(y, name)
    if v.ndim != 1:
        raise ShapeError(f"{name} must be one-dimensional, got shape {v.shape}")
    if v.shape[0] != m:
        raise ShapeError(f"A has {m} measurement matrices but {name} has {v.shape[0]} values")
    if not np.all(np.isfinite(v)):
        raise NonFiniteError(f"{name} contains NaN or inf")
    return v


def _square(W, name: str, d: int | None = None) -> np.ndarray:
    M = _real_array(W, name)
    if M.ndim != 2:
        raise ShapeError(f"{name} must be a matrix, got shape {M.shape}")
    if d is not None and M.shape != (d, d):
        raise ShapeError(f"{name} must have shape ({d}, {d}), got {M.shape}")
    if not np.all(np.isfinite(M)):
        raise NonFiniteError(f"{name} contains NaN or inf")
    return M


def completion_operator(pairs, d: int) -> np.ndarray:
    """The completion measurements A_i = e_j e_kᵀ for observed entries ``pairs`` = [(j, k), ...]
    (0-based), shape (m, d, d), so that ⟨A_i, W⟩ = W[j, k].

    >>> completion_operator([(0, 1), (1, 1)], 2)[0]
    array([[0., 1.],
           [0., 0.]])
    """
    if isinstance(d, bool) or not isinstance(d, numbers.Integral) or d < 1:
        raise ShapeError(f"d must be an integer >= 1, got {d!r}")
    try:
        rows = [tuple(p) for p in pairs]
    except TypeError:
        raise ShapeError("pairs must be a sequence of (row, column) index pairs") from None
    if not rows:
        raise ShapeError("pairs must name at least one observed entry")
    A = np.zeros((len(rows), int(d), int(d)))
    for i, p in enumerate(rows):
        if len(p) != 2 or any(isinstance(v, bool) or not isinstance(v, numbers.Integral)
                              for v in p):
            raise ShapeError(f"pair {i} must be two integer indices, got {p!r}")
        j, k = int(p[0]), int(p[1])
        if not (0 <= j < d and 0 <= k < d):
            raise ShapeError(f"pair {i} = {p!r} lies outside a {d} x {d} matrix")
        A[i, j, k] = 1.0
    return A


def measure(A, W) -> np.ndarray:
    """The measurements ⟨A_i, W⟩ = Σ_jk A_i[j, k] W[j, k], shape (m,).

    >>> measure(completion_operator([(0, 1)], 2), [[1.0, 2.0], [3.0, 4.0]]).tolist()
    [2.0]
    """
    Am = as_measurements(A)
    Wm = _square(W, "W", Am.shape[1])
    return np.einsum("mjk,jk->m", Am, Wm)


def loss_gradient(A, y, W) -> np.ndarray:
    """∇ℓ(W) = Σ_i (⟨A_i, W⟩ - y_i) A_i of the square loss ℓ(W) = ½Σ_i(⟨A_i, W⟩ - y_i)².

    >>> loss_gradient(completion_operator([(0, 1)], 2), [1.0], np.zeros((2, 2))).tolist()
    [[0.0, -1.0], [0.0, 0.0]]
    """
    Am = as_measurements(A)
    r = measure(Am, W) - _values(y, Am.shape[0])
    return np.einsum("m,mjk->jk", r, Am)


def _depth(depth) -> int:
    """check_depth, refusing booleans first (validate.check_depth turns True into 1)."""
    if isinstance(depth, (bool, np.bool_)):
        raise DepthError(f"depth must be an integer >= 1, got the boolean {depth!r}")
    return check_depth(depth)


def _sym(A: np.ndarray) -> np.ndarray:
    return 0.5 * (A + np.swapaxes(A, -1, -2))


# ------------------------------------------------------------------------------ results


@dataclass(frozen=True)
class NuclearPrediction:
    """argmin ‖W‖_* s.t. ⟨A_i, W⟩ = y_i (with ``psd``: also W ⪰ 0, objective tr W).

    ``W`` the minimizer (``predictor`` is the same matrix); ``value`` = ‖W‖_* (= tr W when
    ``psd``); ``dual`` = λ, the dual certificate: ‖Σ_i λ_i A_i‖_op <= 1 (``psd``:
    I - Σ_i λ_i sym(A_i) ⪰ 0) and Σ_i λ_i y_i = ``value``, so by weak duality no feasible W'
    has a smaller value; ``certificate`` holds the residual of each condition
    (:func:`nuclear_certificate`). ``rank`` is the numerical rank of W (singular values above
    1e-7·σ_max). ``route``: "sdp", "commuting" (the diagonal LP) or "trivial" (y = 0).
    ``faces``: facial-reduction multipliers (``psd`` only; see :class:`SemidefiniteInfeasibleError`)
    that confine every feasible W to a face on which ``dual`` is checked; usually empty.
    ``info``: solver details (and, on the commuting route, ``beta`` and the ``basis`` (P, Q)).
    """

    W: np.ndarray
    value: float
    dual: np.ndarray
    certificate: Certificate
    psd: bool
    rank: int
    route: str
    kind: Kind = Kind.GLOBAL_MINIMUM
    reference: Reference = REFERENCES["matrix.conjecture"]
    faces: tuple = ()
    info: dict = field(default_factory=dict, compare=False)

    @property
    def predictor(self) -> np.ndarray:
        """The predicted matrix (the object GF would converge to if the conjecture held)."""
        return self.W

    @property
    def dual_matrix(self) -> np.ndarray:
        """Σ_i λ_i A_i (``psd``: its symmetric part), a subgradient of the objective at W."""
        A = self.info["A"]
        S = np.einsum("m,mjk->jk", self.dual, A)
        return 0.5 * (S + S.T) if self.psd else S


# ---------------------------------------------------------------------------- certificate


def _face_chain(Bs: np.ndarray, y: np.ndarray, faces, tol: float):
    """Replay facial-reduction multipliers: the final face basis Q and the worst residuals.

    ``Bs`` (m, d, d) symmetric; each μ must make Qᵀ(Σμ_i B_i)Q ⪰ 0 and μᵀy = 0.
    """
    d = Bs.shape[1]
    Q = np.eye(d)
    psd_res, orth_res = 0.0, 0.0
    ynorm = max(float(np.linalg.norm(y)), 1e-300)
    for mu in faces:
        mu = np.asarray(mu, dtype=float)
        T = Q.T @ np.einsum("m,mjk->jk", mu, Bs) @ Q
        T = 0.5 * (T + T.T)
        ev, V = np.linalg.eigh(T)
        top = max(float(np.abs(ev).max()) if ev.size else 0.0, 1e-300)
        psd_res = max(psd_res, max(0.0, -float(ev.min()) / top) if ev.size else 0.0)
        orth_res = max(orth_res, abs(float(mu @ y)) / max(ynorm * float(np.linalg.norm(mu)),
                                                          1e-300))
        keep = ev <= tol * top
        Q = Q @ V[:, keep]
    return Q, psd_res, orth_res


def nuclear_certificate(A, y, W, dual, *, psd: bool = False, faces=()) -> Certificate:
    """Check a candidate minimizer W of ‖W‖_* s.t. ⟨A_i, W⟩ = y_i with a dual vector λ.

    Conditions (each relative, 0 for an exact certificate):

    * ``primal``: ‖A(W) - y‖₂ / ‖y‖₂ (feasibility);
    * ``dual``: max(0, ‖Σλ_i A_i‖_op - 1) (``psd``: max(0, λ_max(Σλ_i sym(A_i)) - 1), computed on
      the face that ``faces`` defines);
    * ``gap``: |Σλ_i y_i - value(W)| / value(W), value = ‖W‖_* (``psd``: tr W);
    * ``psd`` only: ``psd`` = max(0, -λ_min(W), ‖W - Wᵀ‖_F)/‖W‖₂, and ``face`` = the worst
      violation of the facial-reduction conditions (0 without ``faces``).

    Together they prove optimality (weak duality: for feasible W', ‖W'‖_* >= ⟨Σλ_i A_i, W'⟩ =
    λᵀy when ‖Σλ_i A_i‖_op <= 1). ``residual`` is the largest.

    >>> A, y = razin_cohen_problem()
    >>> W = np.array([[0.0, 1.0], [1.0, 0.0]])
    >>> nuclear_certificate(A, y, W, [1.0, 1.0, 0.0]).residual
    0.0
    >>> nuclear_certificate(A, y, W, [0.9, 0.9, 0.0]).conditions["gap"] > 0.09
    True
    """
    Am = as_measurements(A)
    m, d, _ = Am.shape
    yv = _values(y, m)
    Wm = _square(W, "W", d)
    lam = _values(dual, m, "dual")
    ynorm = float(np.linalg.norm(yv))
    primal = float(np.linalg.norm(np.einsum("mjk,jk->m", Am, Wm) - yv))
    primal = primal / ynorm if ynorm > 0 else primal
    conds = {"primal": primal}
    if psd:
        Bs = _sym(Am)
        Q, face_psd, face_orth = _face_chain(Bs, yv, faces, 1e-7)
        S = Q.T @ np.einsum("m,mjk->jk", lam, Bs) @ Q
        top = float(np.linalg.eigvalsh(0.5 * (S + S.T)).max()) if S.size else 0.0
        conds["dual"] = max(0.0, top - 1.0)
        value = float(np.trace(Wm))
        Ws = 0.5 * (Wm + Wm.T)
        wn = float(np.linalg.norm(Wm, 2))
        asym = float(np.linalg.norm(Wm - Wm.T))
        neg = max(0.0, -float(np.linalg.eigvalsh(Ws).min()))
        conds["psd"] = max(neg, asym) / wn if wn > 0 else 0.0
        conds["face"] = max(face_psd, face_orth)
    else:
        S = np.einsum("m,mjk->jk", lam, Am)
        conds["dual"] = max(0.0, float(np.linalg.norm(S, 2)) - 1.0)
        value = float(np.linalg.svd(Wm, compute_uv=False).sum())
    gap = abs(float(lam @ yv) - value)
    conds["gap"] = gap / value if value > 0 else gap
    note = ("zero duality gap with a feasible dual: W minimizes "
            + ("tr W over PSD W" if psd else "the nuclear norm") + " subject to A(W) = y")
    if faces:
        note += f", on the face left by {len(faces)} facial-reduction step(s)"
    return Certificate.from_conditions(conds, note=note)


# ------------------------------------------------------------------------ linear feasibility


def _fredholm(M: np.ndarray, b: np.ndarray):
    """None if M x = b is solvable (relative residual <= FEAS_TOL), else the residual r
    (Mᵀr = 0, rᵀb = ‖r‖² > 0): the Fredholm witness."""
    if M.shape[1] == 0:
        r = b.copy()
    else:
        x, *_ = np.linalg.lstsq(M, b, rcond=None)
        r = b - M @ x
        # one refinement step: the witness must be orthogonal to range(M) to rounding
        x2, *_ = np.linalg.lstsq(M, r, rcond=None)
        r = r - M @ x2
    bn = float(np.abs(b).max()) if b.size else 0.0
    if float(np.abs(r).max()) <= FEAS_TOL * max(bn, 1e-300):
        return None
    return r


def _infeasible_linear(A_used, y, r_scaled, norms, psd):
    """Raise InfeasibleError with the witness mapped back to the caller's units."""
    u = np.where(norms > 0, r_scaled / np.where(norms > 0, norms, 1.0), 0.0)
    u = u / np.abs(u).max()
    what = "sym(A_i)" if psd else "A_i"
    comb = float(np.linalg.norm(np.einsum("m,mjk->jk", u, A_used)))
    raise InfeasibleError(
        f"the measurements are inconsistent: no {'symmetric ' if psd else ''}W has "
        f"<A_i, W> = y_i for all i. Witness u (max |u_i| = 1): sum_i u_i {what} = 0 "
        f"(norm {comb:.1e}) but sum_i u_i y_i = {float(u @ y):.6g} != 0",
        witness=u,
    )


def _prepare(A, y, psd):
    """Validate; return (A_used, y, norms, zero-row mask) and raise for trivially bad rows."""
    Am = as_measurements(A)
    m, d, _ = Am.shape
    yv = _values(y, m)
    A_used = _sym(Am) if psd else Am
    norms = np.linalg.norm(A_used.reshape(m, -1), axis=1)
    zero = norms == 0
    bad = np.nonzero(zero & (yv != 0))[0]
    if bad.size:
        u = np.zeros(m)
        u[bad[0]] = 1.0
        what = "has zero symmetric part" if psd and Am[bad[0]].any() else "is zero"
        raise InfeasibleError(
            f"measurement {int(bad[0])} {what} but y[{int(bad[0])}] = {yv[bad[0]]!r} != 0: "
            "no W satisfies it (witness: the unit vector e_i)", witness=u)
    return Am, A_used, yv, norms, zero


# ------------------------------------------------------------------------------- solvers


def _solve_sdp(B: np.ndarray, b: np.ndarray, psd: bool, face: np.ndarray | None = None):
    """Solve the normalized problem; return (W, λ, status info) or raise SolverError.

    ``B`` (m, d, d) (unit Frobenius rows), ``b`` (m,) with max |b| = 1. With ``face`` (d×k),
    W = Q W' Qᵀ with W' ⪰ 0 of size k.
    """
    import cvxpy as cp  # lazily: importing cvxpy costs ~1 s, and only this solve needs it

    m, d, _ = B.shape
    if face is not None:
        Bk = np.einsum("jp,mjk,kq->mpq", face, B, face)
    else:
        Bk = B
    k = Bk.shape[1]
    M = Bk.reshape(m, -1)
    X = cp.Variable((k, k), symmetric=True) if psd else cp.Variable((k, k))
    eq = M @ cp.vec(X, order="C") == b
    cons = [eq]
    if psd:
        cons.append(X >> 0)
        obj = cp.trace(X)
    else:
        obj = cp.normNuc(X)
    prob = cp.Problem(cp.Minimize(obj), cons)
    errors = []
    attempts = [("CLARABEL", dict(tol_gap_abs=t, tol_gap_rel=t, tol_feas=t)) for t in _LADDER]
    attempts.append(("SCS", dict(eps=1e-9, max_iters=200_000)))
    for solver, opts in attempts:
        try:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message="Solution may be inaccurate")
                prob.solve(solver=getattr(cp, solver), **opts)
        except cp.error.SolverError as exc:
            errors.append(f"{solver}{opts}: {exc}")
            continue
        if prob.status == cp.OPTIMAL and X.value is not None and eq.dual_value is not None:
            Xv = np.asarray(X.value, dtype=float)
            lam = -np.asarray(eq.dual_value, dtype=float).reshape(m)
            return Xv, lam, {"solver": solver, "options": opts}
        errors.append(f"{solver}{opts}: status {prob.status!r}")
    raise SolverError("the nuclear-norm SDP was not solved to optimality: " + "; ".join(errors))


def _polish(B, b, X, lam, psd, face):
    """Project X onto the affine set (least-norm correction); scale λ into the dual set."""
    m = B.shape[0]
    Bk = B if face is None else np.einsum("jp,mjk,kq->mpq", face, B, face)
    M = Bk.reshape(m, -1)
    r = b - M @ X.ravel()
    dx, *_ = np.linalg.lstsq(M, r, rcond=None)
    X = X + dx.reshape(X.shape)
    if psd:
        X = 0.5 * (X + X.T)
        top = float(np.linalg.eigvalsh(np.einsum("m,mjk->jk", lam, Bk)).max())
    else:
        top = float(np.linalg.norm(np.einsum("m,mjk->jk", lam, Bk), 2))
    if top > 1.0:
        lam = lam / top
    return X, lam


def _dd_face_step(Bk: np.ndarray, b: np.ndarray):
    """One step of partial facial reduction (Permenter & Parrilo, Math. Prog. 2018) with a
    diagonally dominant (hence PSD) S = Σμ_i Bk_i, tr S = 1, minimizing bᵀμ (an LP, HiGHS).

    Returns None (no such S: a strictly feasible point exists as far as DD certificates can
    tell) or (μ, S, value).
    """
    m, k, _ = Bk.shape
    iu = np.triu_indices(k, 1)
    n_off = len(iu[0])
    # variables: μ (m, free), t (n_off, >= 0) with t >= |S_jl|; S_jj >= Σ_{l != j} t_jl
    nv = m + n_off
    c = np.concatenate([b, np.zeros(n_off)])
    A_ub, b_ub = [], []
    for p, (j, l) in enumerate(zip(*iu, strict=True)):
        row = np.zeros(nv)
        row[:m] = Bk[:, j, l]
        row[m + p] = -1.0
        A_ub.append(row)
        A_ub.append(np.concatenate([-Bk[:, j, l], np.eye(n_off)[p] * -1.0]))
        b_ub += [0.0, 0.0]
    for j in range(k):
        row = np.zeros(nv)
        row[:m] = -Bk[:, j, j]
        for p, (a, e) in enumerate(zip(*iu, strict=True)):
            if j in (a, e):
                row[m + p] = 1.0
        A_ub.append(row)
        b_ub.append(0.0)
    A_eq = np.concatenate([np.einsum("mjj->m", Bk), np.zeros(n_off)])[None, :]
    bounds = [(None, None)] * m + [(0, None)] * n_off
    res = scipy.optimize.linprog(c, A_ub=np.array(A_ub) if A_ub else None,
                                 b_ub=np.array(b_ub) if b_ub else None, A_eq=A_eq,
                                 b_eq=[1.0], bounds=bounds, method="highs")
    if res.status == 2:  # infeasible: no DD S in the span
        return None
    if res.status != 0:
        raise SolverError(f"facial-reduction LP failed: {res.message}")
    mu = res.x[:m]
    S = np.einsum("m,mjk->jk", mu, Bk)
    return mu, 0.5 * (S + S.T), float(res.fun)


def _facial_reduction(B: np.ndarray, b: np.ndarray):
    """Partial facial reduction of {W ⪰ 0 : ⟨B_i, W⟩ = b_i} (B symmetric, normalized).

    Returns (Q, faces) with every feasible W = Q W' Qᵀ; raises SemidefiniteInfeasibleError
    (in normalized units; the caller maps the witness back) when the chain proves
    infeasibility.
    """
    m, d, _ = B.shape
    Q = np.eye(d)
    faces = []
    for _ in range(d + 1):
        Bk = np.einsum("jp,mjk,kq->mpq", Q, B, Q)
        r = _fredholm(Bk.reshape(m, -1), b)
        if r is not None:
            raise SemidefiniteInfeasibleError("linear", witness=r, faces=tuple(faces),
                                              kind="linear", face=Q)
        if Q.shape[1] == 0:
            return Q, faces  # pragma: no cover - b = 0 is handled by the caller
        step = _dd_face_step(Bk, b)
        if step is None:
            return Q, faces
        mu, S, value = step
        if value < -_FR_TOL:
            raise SemidefiniteInfeasibleError("farkas", witness=mu, faces=tuple(faces),
                                              kind="farkas", face=Q)
        if value > _FR_TOL:
            return Q, faces
        ev, V = np.linalg.eigh(S)
        keep = ev <= 1e-9 * max(float(ev.max()), 1e-300)
        faces.append(mu)
        Q = Q @ V[:, keep]
    return Q, faces  # pragma: no cover - each step shrinks the face


def _numerical_rank(W: np.ndarray) -> int:
    s = np.linalg.svd(W, compute_uv=False)
    return int(np.sum(s > 1e-7 * s[0])) if s.size and s[0] > 0 else 0


def _finish(Am, yv, W, lam, psd, route, faces, info, reference):
    cert = nuclear_certificate(Am, yv, W, lam, psd=psd, faces=faces)
    if cert.residual > NUCLEAR_TOL:
        raise CertificateError(
            f"the {route} answer failed its dual certificate: residual {cert.residual:.2e} > "
            f"{NUCLEAR_TOL:g} ({dict(cert.conditions)})")
    value = float(np.trace(W)) if psd else float(np.linalg.svd(W, compute_uv=False).sum())
    info = dict(info, A=Am)
    return NuclearPrediction(W=W, value=value, dual=lam, certificate=cert, psd=psd,
                             rank=_numerical_rank(W), route=route, reference=reference,
                             faces=tuple(faces), info=info)


def _trivial(Am, yv, psd, reference):
    d = Am.shape[1]
    return _finish(Am, yv, np.zeros((d, d)), np.zeros(len(yv)), psd, "trivial", (),
                   {"solver": "none (y = 0)"}, reference)


def min_nuclear_norm(A, y, *, psd: bool = False,
                     facial_reduction: bool | None = None) -> NuclearPrediction:
    """The minimum-nuclear-norm interpolant argmin ‖W‖_* s.t. ⟨A_i, W⟩ = y_i (i = 1..m).

    With ``psd=True``: argmin tr W s.t. ⟨A_i, W⟩ = y_i, W ⪰ 0 (W symmetric; only the symmetric
    parts of the A_i matter) -- the form of Gunasekar et al.'s conjecture for W = UUᵀ.

    Claim kind: *global minimum* of the convex program, certified by a dual vector λ
    (``NuclearPrediction.dual``) with ‖Σλ_i A_i‖_op <= 1 (``psd``: I - Σλ_i sym(A_i) ⪰ 0) and
    λᵀy = ‖W‖_* (zero gap), every residual <= :data:`NUCLEAR_TOL`. That GF on a factorized
    model from a small initialization converges to it is Gunasekar et al.'s Conjecture 1
    (NeurIPS 2017) -- a separate claim, false in general (Razin & Cohen, NeurIPS 2020).

    Route: rows normalized (A_i/‖A_i‖_F, y_i/‖A_i‖_F) and y scaled to max |y_i| = 1 (so the
    answer is positively homogeneous: W(cy) = cW(y), W(cA) = W(A)/c); the linear system is
    checked first (Fredholm alternative); then cvxpy ``normNuc`` (``psd``: an SDP) with Clarabel
    at gap/feasibility tolerances 1e-10, 1e-9, 1e-8 (SCS at 1e-9 last), status checked; the
    answer is projected onto A(W) = y and λ scaled into the dual set before certification.
    With ``psd``, partial facial reduction (diagonally dominant multipliers, an LP) confines W
    to a face first when the direct solve fails (``facial_reduction=None``), always (``True``)
    or never (``False``); ``faces`` records the steps (``True`` with ``psd=False`` is refused).

    Raises :class:`~theory.errors.InfeasibleError` (witness u: Σu_i A_i = 0, uᵀy != 0) when no
    W (``psd``: no symmetric W) interpolates, :class:`SemidefiniteInfeasibleError` when no PSD
    W does (e.g. the Razin-Cohen data with ``psd=True``: det = -1 on every solution),
    :class:`~theory.errors.SolverError` / :class:`~theory.errors.CertificateError` when no
    certified answer is found, and input errors for bad shapes or NaN/inf.

    >>> r = min_nuclear_norm(completion_operator([(0, 0), (1, 1)], 2), [3.0, -1.0])
    >>> np.round(r.W, 6).tolist(), round(r.value, 6)
    ([[3.0, 0.0], [0.0, -1.0]], 4.0)
    """
    Am, A_used, yv, norms, zero = _prepare(A, y, psd)
    reference = REFERENCES["matrix.conjecture"]
    if not yv.any():
        return _trivial(Am, yv, psd, reference)
    live = ~zero
    B = A_used[live] / norms[live][:, None, None]
    b = yv[live] / norms[live]
    s = float(np.abs(b).max())
    b = b / s
    m = B.shape[0]
    r = _fredholm(B.reshape(m, -1), b)
    if r is not None:
        full = np.zeros(len(yv))
        full[live] = r
        _infeasible_linear(A_used, yv, full, np.where(live, norms, 0), psd)
    if facial_reduction and not psd:
        raise InvalidInputError("facial_reduction applies to psd=True only (without the PSD "
                                "constraint there is no cone to reduce)")
    faces, Q = [], None

    def reduced(why):
        nonlocal faces, Q
        try:
            Q, faces = _facial_reduction(B, b)
        except SemidefiniteInfeasibleError as err:
            raise _psd_infeasible(err, A_used, yv, live, norms) from None
        X, lam, info = _solve_sdp(B, b, psd, face=Q)
        return X, lam, dict(info, facial_reduction=f"face of dimension {Q.shape[1]} after "
                            f"{len(faces)} step(s) ({why})")

    if psd and facial_reduction:
        X, lam, info = reduced("requested")
    else:
        try:
            X, lam, info = _solve_sdp(B, b, psd)
        except SolverError as exc:
            if not psd or facial_reduction is False:
                raise
            X, lam, info = reduced(f"the direct solve failed: {exc}")
    X, lam = _polish(B, b, X, lam, psd, Q)
    W = X if Q is None else Q @ X @ Q.T
    W = s * W
    full = np.zeros(len(yv))
    full[live] = lam / norms[live]
    faces_full = []
    for mu in faces:
        f = np.zeros(len(yv))
        f[live] = mu / norms[live]
        faces_full.append(f)
    return _finish(Am, yv, W, full, psd, "sdp", faces_full, info, reference)


def _psd_infeasible(err, A_used, yv, live, norms):
    """Map a normalized-units SemidefiniteInfeasibleError to the caller's units."""
    def back(v):
        f = np.zeros(len(yv))
        f[live] = np.asarray(v) / norms[live]
        return f / max(float(np.abs(f).max()), 1e-300)

    w = back(err.witness)
    faces = tuple(back(mu) for mu in err.faces)
    k = err.face.shape[1] if err.face is not None else A_used.shape[1]
    if err.kind == "farkas":
        msg = (f"no positive semidefinite W interpolates: S = sum_i v_i sym(A_i) is PSD on a "
               f"face of dimension {k} and sum_i v_i y_i = {float(w @ yv):.6g} < 0, while "
               "<S, W> = sum_i v_i y_i >= 0 for every PSD W on that face")
    else:
        msg = (f"no positive semidefinite W interpolates: every PSD solution must lie on a face "
               f"of dimension {k} (after {len(faces)} facial-reduction step(s)), where the "
               f"equations are inconsistent: sum_i v_i sym(A_i) = 0 there but sum_i v_i y_i = "
               f"{float(w @ yv):.6g} != 0")
    return SemidefiniteInfeasibleError(msg, witness=w, faces=faces, kind=err.kind,
                                       face=err.face)


def verify_psd_infeasibility(A, y, err: SemidefiniteInfeasibleError, *,
                             tol: float = 1e-7) -> float:
    """The worst relative violation of the conditions that make ``err`` a proof (0 = exact).

    Replays the face chain (see :class:`SemidefiniteInfeasibleError`), then checks the final
    witness on the final face: Farkas (PSD there, vᵀy < 0) or Fredholm (zero there, vᵀy != 0).
    Returns inf when vᵀy has the wrong sign or vanishes.
    """
    Am = as_measurements(A)
    yv = _values(y, Am.shape[0])
    Bs = _sym(Am)
    Q, psd_res, orth_res = _face_chain(Bs, yv, err.faces, tol)
    v = np.asarray(err.witness, dtype=float)
    T = Q.T @ np.einsum("m,mjk->jk", v, Bs) @ Q
    scale = float(np.abs(v).sum()) * max(float(np.abs(Bs).max()), 1e-300)
    vy = float(v @ yv)
    if err.kind == "farkas":
        ev = np.linalg.eigvalsh(0.5 * (T + T.T)) if T.size else np.zeros(1)
        final = max(0.0, -float(ev.min())) / scale
        if not vy < 0:
            return math.inf
    else:
        final = float(np.abs(T).max()) / scale if T.size else 0.0
        if vy == 0:
            return math.inf
    return max(psd_res, orth_res, final)


# ------------------------------------------------------------------------- commuting case


def simultaneous_diagonalization(A, *, psd: bool = False, tol: float = 1e-9):
    """Orthogonal P, Q and D (m, d) with A_i = P diag(D_i) Qᵀ for every i, or raise.

    ``psd=True`` uses the symmetric parts and returns P = Q (an eigenbasis common to all
    sym(A_i), which exists iff they commute). ``psd=False``: a common singular basis (exists
    iff A_iA_jᵀ and A_iᵀA_j are all symmetric, e.g. completion with no two observed entries in
    one row or column). Found from one generic (seeded random) combination Σc_iA_i, verified:
    the off-diagonal parts must vanish to ``tol`` (relative); raises
    :class:`~theory.errors.InvalidInputError` otherwise.

    >>> P, D, Q = simultaneous_diagonalization(completion_operator([(0, 0), (1, 1)], 2))
    >>> D.tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    """
    Am = as_measurements(A)
    m, d, _ = Am.shape
    B = _sym(Am) if psd else Am
    scale = max(float(np.abs(B).max()), 1e-300)
    rng = np.random.default_rng(12345)
    worst = math.inf
    for _ in range(4):
        c = rng.standard_normal(m)
        C = np.einsum("m,mjk->jk", c, B)
        if psd:
            _, P = np.linalg.eigh(C)
            Q = P
        else:
            P, _, Qt = np.linalg.svd(C)
            Q = Qt.T
        T = np.einsum("jp,mjk,kq->mpq", P, B, Q)
        D = np.einsum("mpp->mp", T)
        off = T - np.einsum("mp,pq->mpq", D, np.eye(d))
        worst = float(np.abs(off).max()) / scale
        if worst <= tol:
            D = np.where(np.abs(D) <= tol * scale, 0.0, D)
            if not psd:  # canonical signs: the first nonzero D_ik of each column k positive
                for j in range(d):
                    nz = np.flatnonzero(D[:, j])
                    if nz.size and D[nz[0], j] < 0:
                        P[:, j] = -P[:, j]
                        D[:, j] = -D[:, j]
            return P, D + 0.0, Q
    raise InvalidInputError(
        "the measurement matrices are not simultaneously diagonalizable "
        f"(off-diagonal residual {worst:.2e} in the best common basis found): "
        "use min_nuclear_norm")


def commuting_min_nuclear_norm(A, y, *, psd: bool = False, basis=None) -> NuclearPrediction:
    """argmin ‖W‖_* s.t. ⟨A_i, W⟩ = y_i when A_i = P diag(D_i) Qᵀ (simultaneously diagonal).

    Then ⟨A_i, W⟩ = Σ_k D_ik (PᵀWQ)_kk depends only on the diagonal β of PᵀWQ, and
    ‖W‖_* >= Σ_k |β_k| with equality for W = P diag(β) Qᵀ, so the minimum is the LP
    min ‖β‖₁ s.t. Dβ = y; with ``psd=True`` (P = Q, A_i symmetric up to their skew parts)
    it is min 1ᵀβ s.t. Dβ = y, β >= 0 -- the nonnegative diagonal model β = w ⊙ w, the
    case in which Gunasekar et al. (NeurIPS 2017, Thm 1) prove that GF on W = UUᵀ from
    U(0) = αI, α → 0, converges to the minimum-trace solution. Claim kind: *global minimum*
    (the LP dual λ is the same certificate as for :func:`min_nuclear_norm`: ‖Dᵀλ‖_∞ <= 1,
    resp. Dᵀλ <= 1). ``basis`` = (P, Q) skips the search of :func:`simultaneous_diagonalization`
    (it is verified all the same). ``info["beta"]`` is β, ``info["basis"]`` is (P, Q).

    >>> A = completion_operator([(0, 0), (1, 1)], 2)
    >>> A = np.concatenate([A, (A[0] + A[1])[None]])          # W11, W22 and W11 + W22
    >>> r = commuting_min_nuclear_norm(A[[0, 2]], [1.0, 3.0], psd=True)
    >>> r.info["beta"].round(6).tolist(), round(r.value, 6)
    ([1.0, 2.0], 3.0)
    """
    Am, A_used, yv, norms, zero = _prepare(A, y, psd)
    reference = REFERENCES["matrix.commuting"]
    if basis is None:
        P, D, Q = simultaneous_diagonalization(Am, psd=psd)
    else:
        P, Q = (_square(b, "basis", Am.shape[1]) for b in basis)
        T = np.einsum("jp,mjk,kq->mpq", P, A_used, Q)
        D = np.einsum("mpp->mp", T)
        off = float(np.abs(T - np.einsum("mp,pq->mpq", D, np.eye(len(P)))).max())
        if off > 1e-9 * max(float(np.abs(A_used).max()), 1e-300):
            raise InvalidInputError(f"basis does not diagonalize the measurements "
                                    f"(off-diagonal residual {off:.2e})")
    if not yv.any():
        return _trivial(Am, yv, psd, reference)
    live = ~zero
    Dn = D[live] / norms[live][:, None]
    b = yv[live] / norms[live]
    s = float(np.abs(b).max())
    b = b / s
    r = _fredholm(Dn, b)
    if r is not None:
        full = np.zeros(len(yv))
        full[live] = r
        _infeasible_linear(A_used, yv, full, np.where(live, norms, 0), psd)
    m, d = Dn.shape
    if psd:
        res = scipy.optimize.linprog(np.ones(d), A_eq=Dn, b_eq=b, bounds=(0, None),
                                     method="highs")
        if res.status == 2:
            # Farkas: μ with Dᵀμ >= 0 and bᵀμ < 0, i.e. Σμ_i sym(A_i) ⪰ 0 and μᵀy < 0
            far = scipy.optimize.linprog(b, A_ub=-Dn.T, b_ub=np.zeros(d), bounds=(-1, 1),
                                         method="highs")
            mu = np.zeros(len(yv))
            mu[live] = far.x / norms[live]
            mu = mu / np.abs(mu).max()
            raise SemidefiniteInfeasibleError(
                "no positive semidefinite W interpolates: sum_i v_i sym(A_i) is PSD (its "
                f"eigenvalues D^T v >= 0) but sum_i v_i y_i = {float(mu @ yv):.6g} < 0",
                witness=mu, kind="farkas", face=np.eye(d))
        beta_fn = lambda x: x  # noqa: E731
    else:
        res = scipy.optimize.linprog(np.ones(2 * d), A_eq=np.hstack([Dn, -Dn]), b_eq=b,
                                     bounds=(0, None), method="highs")
        beta_fn = lambda x: x[:d] - x[d:]  # noqa: E731
    if res.status != 0:
        raise SolverError(f"the diagonal LP failed: {res.message}")
    beta = s * beta_fn(res.x)
    lam = np.zeros(len(yv))
    lam[live] = res.eqlin.marginals / norms[live]
    S = np.einsum("m,mjk->jk", lam, A_used)
    top = (float(np.linalg.eigvalsh(_sym(S)).max()) if psd
           else float(np.linalg.norm(S, 2)))
    if top > 1.0:
        lam = lam / top
    W = P @ np.diag(beta) @ Q.T
    return _finish(Am, yv, W, lam, psd, "commuting", (),
                   {"solver": "HiGHS (diagonal LP)", "beta": beta, "basis": (P, Q)}, reference)


# ------------------------------------------------------------------ singular-value dynamics


def _check_pair(W, grad):
    Wm = _real_array(W, "W")
    G = _real_array(grad, "grad")
    if Wm.ndim != 2 or Wm.shape[0] < 1 or Wm.shape[1] < 1:
        raise ShapeError(f"W must be a non-empty matrix, got shape {Wm.shape}")
    if G.shape != Wm.shape:
        raise ShapeError(f"grad must have the shape of W {Wm.shape}, got {G.shape}")
    if not (np.all(np.isfinite(Wm)) and np.all(np.isfinite(G))):
        raise NonFiniteError("W and grad must be finite (no NaN or inf)")
    return Wm, G


def _power_sums(s_row: np.ndarray, s_col: np.ndarray, N: int) -> np.ndarray:
    """K[k, l] = Σ_{j=1}^N σ_k^{2(N-j)/N} σ_l^{2(j-1)/N} (0^0 = 1)."""
    out = np.zeros((s_row.size, s_col.size))
    for j in range(1, N + 1):
        a, b = 2.0 * (N - j) / N, 2.0 * (j - 1) / N
        with np.errstate(divide="ignore", invalid="ignore"):
            pa = np.where(s_row > 0, s_row ** a, 1.0 if a == 0 else 0.0)
            pb = np.where(s_col > 0, s_col ** b, 1.0 if b == 0 else 0.0)
        out += np.outer(pa, pb)
    return out


def end_to_end_velocity(W, grad, depth) -> np.ndarray:
    """dW/dt = -Σ_{j=1}^N (WWᵀ)^{(N-j)/N} ∇ℓ(W) (WᵀW)^{(j-1)/N} for W = W_N ⋯ W_1 under GF
    from a balanced initialization (Arora, Cohen & Hazan, ICML 2018, Thm 1; N = ``depth``).

    Claim kind: an exact identity along GF (balancedness W_{j+1}ᵀW_{j+1} = W_jW_jᵀ is conserved).
    Fractional powers through the SVD W = U diag(σ) Vᵀ: UᵀẆV = -(UᵀGV) ⊙ K with
    K_kl = Σ_j σ_k^{2(N-j)/N} σ_l^{2(j-1)/N} (0⁰ = 1). Depth 1 gives -∇ℓ(W) (plain GF).
    Use it to integrate the balanced flow in the end-to-end matrix (GF-faithful integration,
    docs/matrix.md). ``W`` may be rectangular.

    >>> end_to_end_velocity(np.diag([4.0, 1.0]), np.eye(2), 2).tolist()   # -2·σ·g on the diagonal
    [[-8.0, 0.0], [0.0, -2.0]]
    """
    N = _depth(depth)
    Wm, G = _check_pair(W, grad)
    U, s, Vt = np.linalg.svd(Wm)
    d1, d2 = Wm.shape
    sr = np.zeros(d1)
    sc = np.zeros(d2)
    sr[: s.size] = s
    sc[: s.size] = s
    K = _power_sums(sr, sc, N)
    return -U @ ((U.T @ G @ Vt.T) * K) @ Vt


def singular_value_velocity(W, grad, depth, *, degenerate: str = "raise",
                            rtol: float = 1e-9) -> np.ndarray:
    """dσ_r/dt = -N (σ_r²)^{1-1/N} ⟨∇ℓ(W), u_r v_rᵀ⟩ for the singular values of the end-to-end
    matrix W, in descending order (Arora, Cohen, Hu & Luo, NeurIPS 2019, Thm 3; N = ``depth``).

    Claim kind: an exact identity along gradient flow of W = W_N ⋯ W_1 from a balanced
    initialization (W_{j+1}ᵀW_{j+1} = W_jW_jᵀ at t = 0), given W(t) and ``grad`` = ∇ℓ(W(t)).
    It is u_rᵀẆv_r with Ẇ from :func:`end_to_end_velocity`.

    Where the ordered singular values are not differentiable:

    * a zero singular value at depth >= 2: the velocity is exactly 0 (the balanced flow keeps
      the rank: (σ²)^{1-1/N} = 0, and the ODE for σ has a unique solution σ ≡ 0), so it is
      returned, repeated zeros included;
    * repeated positive singular values (relative gap <= ``rtol``·σ_max), or a zero singular
      value at depth 1: :class:`~theory.errors.DomainError` with ``degenerate="raise"``; with
      ``degenerate="one-sided"`` the right derivatives d⁺σ_r/dt of the ordered values are
      returned: on a cluster {σ_r = σ > 0} the eigenvalues (descending) of the symmetric part
      of U_cᵀẆV_c, on the zero cluster (depth 1) the top singular values of U_0ᵀẆV_0
      (U_0, V_0 the null spaces).

    Raises :class:`~theory.errors.DepthError` (depth not an integer >= 1, booleans refused),
    :class:`~theory.errors.ShapeError` (non-matrix W, grad of another shape),
    :class:`~theory.errors.NonFiniteError`.

    >>> singular_value_velocity(np.diag([4.0, 1.0]), np.eye(2), 2).tolist()
    [-8.0, -2.0]
    >>> singular_value_velocity(np.diag([4.0, 1.0]), np.eye(2), 3).round(6).tolist()
    [-19.048813, -3.0]
    """
    N = _depth(depth)
    if degenerate not in ("raise", "one-sided"):
        raise InvalidInputError(f"degenerate must be 'raise' or 'one-sided', got {degenerate!r}")
    Wm, G = _check_pair(W, grad)
    U, s, Vt = np.linalg.svd(Wm)
    k = s.size
    smax = float(s[0]) if k else 0.0
    zero = s <= rtol * smax if smax > 0 else np.ones(k, bool)
    Wdot = end_to_end_velocity(Wm, G, N)
    T = U.T @ Wdot @ Vt.T  # (d1, d2): UᵀẆV
    out = np.empty(k)
    # clusters of (nearly) equal positive singular values
    r = 0
    while r < k:
        if zero[r]:
            break
        e = r + 1
        while e < k and not zero[e] and s[e - 1] - s[e] <= rtol * smax:
            e += 1
        if e - r == 1:
            out[r] = T[r, r]
        else:
            if degenerate == "raise":
                raise DomainError(
                    f"singular values {r}..{e - 1} of W coincide ({s[r]:.6g}, relative gap <= "
                    f"{rtol:g}): the ordered singular values are not differentiable there. "
                    "Pass degenerate='one-sided' for their right derivatives.")
            C = T[r:e, r:e]
            out[r:e] = np.sort(np.linalg.eigvalsh(0.5 * (C + C.T)))[::-1]
        r = e
    if r < k:  # the zero cluster
        if N >= 2:
            out[r:] = 0.0
        elif degenerate == "raise":
            raise DomainError(
                f"W has {k - r} zero singular value(s) and depth 1: |σ| is not differentiable "
                "at 0 under the plain flow dW/dt = -grad. Pass degenerate='one-sided' for the "
                "right derivatives.")
        else:
            out[r:] = np.linalg.svd(T[r:, r:], compute_uv=False)[: k - r]
    return out


# ------------------------------------------------------------------- Razin & Cohen (2×2)


@dataclass(frozen=True)
class RazinCohenFamily:
    """The 2×2 completion W₁₂ = W₂₁ = 1, W₂₂ = 0 in exact arithmetic (sympy).

    ``x`` (real symbol) parametrizes the solution set ``solutions`` = [[x, 1], [1, 0]] (solved
    from the three equations, not typed in); ``det`` = det of it (= -1), ``nuclear_norm`` =
    ‖·‖_* of it (= √(x² + 4), from ‖W‖_*² = ‖W‖_F² + 2|det W| for 2×2 W); ``min_value`` and
    ``argmin`` the minimum over x (2 at x = 0); ``A``, ``y`` the numeric problem.
    """

    x: sympy.Symbol
    solutions: sympy.ImmutableMatrix
    det: sympy.Expr
    nuclear_norm: sympy.Expr
    min_value: sympy.Expr
    argmin: sympy.ImmutableMatrix
    A: np.ndarray
    y: np.ndarray
    reference: Reference = REFERENCES["matrix.razin_cohen"]


def razin_cohen_problem():
    """(A, y) of the Razin-Cohen completion: observed W₁₂ = 1, W₂₁ = 1, W₂₂ = 0 (0-based
    pairs (0, 1), (1, 0), (1, 1)).

    >>> A, y = razin_cohen_problem()
    >>> A.shape, y.tolist()
    ((3, 2, 2), [1.0, 1.0, 0.0])
    """
    return completion_operator([(0, 1), (1, 0), (1, 1)], 2), np.array([1.0, 1.0, 0.0])


def razin_cohen_family() -> RazinCohenFamily:
    """The solution set of the Razin-Cohen completion, its determinant and nuclear norm.

    Claim kind: exact (sympy). Every solution has det W = -1 < 0, so a flow that keeps
    det W > 0 (balanced GF from det W(0) > 0, docs/matrix.md) never reaches a solution; the
    minimum nuclear norm over the solutions is 2, at x = 0 (Razin & Cohen, NeurIPS 2020, Sec. 3).

    >>> f = razin_cohen_family()
    >>> f.solutions, f.det, f.nuclear_norm, f.min_value
    (Matrix([
    [x, 1],
    [1, 0]]), -1, sqrt(x**2 + 4), 2)
    """
    w = sympy.symbols("w11 w12 w21 w22", real=True)
    Wsym = sympy.Matrix(2, 2, w)
    A, yv = razin_cohen_problem()
    eqs = [sum(int(A[i, j, k]) * Wsym[j, k] for j in range(2) for k in range(2))
           - sympy.Integer(int(yv[i])) for i in range(len(yv))]
    (sol,) = sympy.linsolve(eqs, list(w))
    free = sorted(set().union(*(sympy.sympify(v).free_symbols for v in sol)), key=str)
    x = sympy.Symbol("x", real=True)
    W = sympy.Matrix(2, 2, list(sol)).subs({f: x for f in free})
    det = sympy.simplify(W.det())
    frob2 = sum(v**2 for v in W)
    nuc = sympy.sqrt(sympy.expand(frob2 + 2 * sympy.Abs(det)))
    min_value = sympy.minimum(nuc, x, sympy.S.Reals)
    crit = sympy.solve(sympy.diff(nuc, x), x)
    x0 = [c for c in crit if sympy.simplify(nuc.subs(x, c) - min_value) == 0][0]
    return RazinCohenFamily(x=x, solutions=sympy.ImmutableMatrix(W), det=det,
                            nuclear_norm=nuc, min_value=min_value,
                            argmin=sympy.ImmutableMatrix(W.subs(x, x0)), A=A, y=yv)


def razin_cohen_lower_bound(residual) -> float:
    """A lower bound on |W₁₁| for any 2×2 W with det W > 0 and ‖A(W) - y‖₂ <= ``residual``
    on the Razin-Cohen data: |W₁₁| >= (1 - e)²/e with e = ``residual`` (0 for e >= 1, inf at 0).

    Claim kind: *lower bound* (it holds at every time of any trajectory that keeps det W > 0,
    e.g. balanced GF from det W(0) > 0). Proof: |W₁₂ - 1|, |W₂₁ - 1|, |W₂₂| <= e, so
    W₁₁W₂₂ > W₁₂W₂₁ >= (1 - e)² > 0 and |W₁₁| > (1 - e)²/|W₂₂| >= (1 - e)²/e. With the loss
    ℓ = ½‖A(W) - y‖², e = √(2ℓ). Every norm of W grows at least as fast (‖W‖ >= c|W₁₁|).
    Razin & Cohen (NeurIPS 2020, Sec. 3).

    >>> round(razin_cohen_lower_bound(0.01), 4)
    98.01
    """
    if isinstance(residual, bool):
        raise InvalidInputError("residual must be a number, not a boolean")
    try:
        e = float(residual)
    except (TypeError, ValueError):
        raise InvalidInputError(f"residual must be a number, got {residual!r}") from None
    if math.isnan(e) or e < 0:
        raise DomainError(f"residual must be a nonnegative number, got {residual!r}")
    if e == 0:
        return math.inf
    if e >= 1:
        return 0.0
    return (1.0 - e) ** 2 / e


# ------------------------------------------------------------ greedy low-rank learning


@dataclass(frozen=True)
class GreedyLowRank:
    """Greedy Low-Rank Learning for W = UUᵀ (Li, Luo & Lyu, ICLR 2021, Sec. 4).

    ``W`` the final matrix (``predictor``), ``value`` its final loss ½‖A(W) - y‖², ``path`` the
    matrices after each rank phase, ``losses`` the loss after each phase, ``rank`` the number of
    phases taken. Claim kind: *stationary point* (each phase ends at a local minimizer of the
    loss on the rank-r manifold, found by L-BFGS from the greedy start -- a reference for the
    small-initialization limit of GF, not a certified global object).
    """

    W: np.ndarray
    value: float
    path: tuple
    losses: tuple
    rank: int
    kind: Kind = Kind.STATIONARY_POINT
    reference: Reference = REFERENCES["matrix.glrl"]
    certificate: Certificate | None = None

    @property
    def predictor(self) -> np.ndarray:
        return self.W


def greedy_low_rank(A, y, *, max_rank: int | None = None, eps: float = 1e-4,
                    tol: float = 1e-12) -> GreedyLowRank:
    """Greedy Low-Rank Learning (GLRL) for the symmetric model W = UUᵀ (Li, Luo & Lyu, 2021).

    Start at U = 0 (d×0). Phase r: take the top eigenvector u of -∇ℓ(UUᵀ) (symmetric part);
    stop if its eigenvalue is <= 0 (no rank-one descent direction) or the loss is <= ``tol``
    relative to ℓ(0); else U ← [U, √eps·u] and minimize ℓ(UUᵀ) over d×r matrices U by L-BFGS
    from there. Li et al. (Sec. 4-5, under their assumptions) show that GF from an
    infinitesimal initialization follows this path: it is rank-greedy, not
    nuclear-norm-minimizing.
    Only the symmetric parts of the A_i matter.

    >>> g = greedy_low_rank(completion_operator([(0, 0), (0, 1), (1, 0)], 2), [1.0, 1.0, 1.0])
    >>> g.rank, np.round(g.W, 4).tolist()
    (1, [[1.0, 1.0], [1.0, 1.0]])
    """
    Am = as_measurements(A)
    m, d, _ = Am.shape
    yv = _values(y, m)
    Bs = _sym(Am)
    R = d if max_rank is None else int(max_rank)
    loss0 = 0.5 * float(yv @ yv)

    def loss_and_grad(flat, r):
        U = flat.reshape(d, r)
        res = np.einsum("mjk,jk->m", Bs, U @ U.T) - yv
        G = np.einsum("m,mjk->jk", res, Bs)
        return 0.5 * float(res @ res), (2.0 * G @ U).ravel()

    U = np.zeros((d, 0))
    path, losses = [], []
    for r in range(1, R + 1):
        W = U @ U.T
        res = np.einsum("mjk,jk->m", Bs, W) - yv
        cur = 0.5 * float(res @ res)
        if cur <= tol * max(loss0, 1e-300):
            break
        G = np.einsum("m,mjk->jk", res, Bs)
        ev, V = np.linalg.eigh(-G)
        if ev[-1] <= 0:
            break
        U = np.hstack([U, math.sqrt(eps) * V[:, -1:]])
        opt = scipy.optimize.minimize(loss_and_grad, U.ravel(), args=(r,), jac=True,
                                      method="L-BFGS-B",
                                      options={"maxiter": 20_000, "ftol": 1e-16,
                                               "gtol": 1e-12})
        U = opt.x.reshape(d, r)
        path.append(U @ U.T)
        losses.append(float(opt.fun))
    W = U @ U.T
    res = np.einsum("mjk,jk->m", Bs, W) - yv
    value = 0.5 * float(res @ res)
    gU = 2.0 * np.einsum("m,mjk->jk", res, Bs) @ U
    scale = max(math.sqrt(2 * loss0) * max(float(np.linalg.norm(U)), 1.0), 1e-300)
    cert = Certificate.from_conditions(
        {"loss": value / loss0 if loss0 > 0 else value,
         "stationarity": float(np.linalg.norm(gU)) / scale},
        note="relative final loss and gradient norm on the rank-r manifold")
    return GreedyLowRank(W=W, value=value, path=tuple(path), losses=tuple(losses),
                         rank=U.shape[1], certificate=cert)

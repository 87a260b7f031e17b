"""Separable data -> the hard-margin SVM (Soudry, Hoffer, Nacson, Gunasekar & Srebro, JMLR 2018).

Predictions for gradient descent on the logistic or exponential loss of a linear predictor
(and, through :mod:`proofs.svm`, of deep fully connected linear nets):

* :func:`max_margin` -- the limit direction ŵ/‖ŵ‖, where
  ŵ = argmin ‖w‖² s.t. y_n x_nᵀw >= 1 (Thm 3; claim kind: *exact limit*).
* :func:`asymptote` -- the second-order term: w(t) = ŵ log t + w̃ + o(1) with
  η exp(-z_nᵀw̃) = α_n on the support vectors (Thm 4; exact limit for generic data whose
  support vectors span the data).
* :func:`max_margin_multiclass` -- the K-class limit for cross-entropy (Sec. 4 of the paper).

Conventions (docs/conventions.md): X is (N, d), labels ±1 absorbed as z_n = y_n x_n, the loss
is a sum.
No JAX is imported here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
import scipy.linalg
import scipy.optimize

from .errors import (
    CertificateError,
    InvalidInputError,
    LabelError,
    NotSeparableError,
    ShapeError,
    SolverError,
)
from .results import REFERENCES, Certificate, Kind, Reference
from .validate import as_matrix, binary_data, check_separable, to_rational

__all__ = [
    "MaxMargin",
    "KKT",
    "Asymptote",
    "max_margin",
    "max_margin_multiclass",
    "asymptote",
    "kkt_residuals",
    "multiclass_constraints",
]

#: Relative KKT residual that a numeric answer must meet to be returned.
KKT_TOL = 1e-10


@dataclass(frozen=True)
class KKT:
    """Relative residuals of the SVM KKT system at (w, α); all are 0 for an exact optimum.

    primal: max(0, 1 - min_n z_nᵀw); dual: max(0, -min α)/max α;
    complementarity: max_n α_n |z_nᵀw - 1| / Σα; stationarity: ‖w - Zᵀα‖/‖w‖.
    """

    primal: float
    dual: float
    complementarity: float
    stationarity: float

    @property
    def worst(self) -> float:
        return max(self.primal, self.dual, self.complementarity, self.stationarity)


@dataclass(frozen=True)
class MaxMargin:
    """The hard-margin SVM solution.

    ``w`` = ŵ (unit functional margin), ``direction`` = ŵ/‖ŵ‖, ``margin`` = 1/‖ŵ‖ (geometric),
    ``dual`` = α with ŵ = Σ α_n y_n x_n, ``support`` = indices of the points on the margin
    (z_nᵀŵ = 1; may include points with α_n = 0 on non-generic data). ``exact`` results hold
    sympy numbers (``w``, ``direction``, ``dual`` are sympy ``ImmutableMatrix`` columns,
    ``margin`` a sympy number); :meth:`numeric` converts them to floats. ``kkt`` holds the
    certificate's residuals (all exactly 0 for exact results).
    """

    w: Any
    direction: Any
    margin: Any
    dual: Any
    support: np.ndarray
    kkt: KKT
    exact: bool = False
    generic: bool = True
    info: dict = field(default_factory=dict, compare=False)
    kind: Kind = Kind.EXACT_LIMIT
    reference: Reference = REFERENCES["svm"]

    @property
    def predictor(self):
        """The predicted object: ŵ (its direction is the limit of GD's direction)."""
        return self.w

    @property
    def value(self):
        """The geometric margin 1/‖ŵ‖."""
        return self.margin

    @property
    def certificate(self) -> Certificate:
        """The KKT certificate: primal, dual, complementarity and stationarity residuals."""
        k = self.kkt
        return Certificate.from_conditions(
            {"primal": k.primal, "dual": k.dual, "complementarity": k.complementarity,
             "stationarity": k.stationarity}, exact=self.exact,
            note="exact rational arithmetic" if self.exact else "relative residuals")

    def numeric(self) -> MaxMargin:
        """This result with float64 numpy arrays (a no-op for numeric results)."""
        if not self.exact:
            return self
        to = lambda m: np.array([float(v) for v in m], dtype=float)  # noqa: E731
        return MaxMargin(
            w=to(self.w), direction=to(self.direction), margin=float(self.margin),
            dual=to(self.dual), support=self.support, kkt=self.kkt, exact=False,
            generic=self.generic, info=self.info, kind=self.kind, reference=self.reference,
        )


@dataclass(frozen=True)
class Asymptote:
    """w(t) ≈ ŵ log t + w̃ for GD with step ``lr`` (Soudry et al. 2018, Thm 3 and Thm 4).

    ``w_tilde`` is the full limit of ρ(t) = w(t) - ŵ log t when the data are generic and the
    support vectors span the data; when they do not span, only ``projector @ w_tilde`` is
    predicted (``w_tilde`` then holds P₁w̃, ``projector`` = P₁); when some support vector has
    α_n = 0 (log log t terms) ``w_tilde`` is None. ``generic`` is False in both cases and
    ``reason`` says why. ``rate`` is the *heuristic* exponent κ = min(λ_min(J), θ - 1, 1) of
    ‖ρ(t) - w̃‖ = O(t^-κ) (docs/svm.md). ``loss_constant`` = ‖ŵ‖²/η is the limit of t·L(w(t)).
    """

    w_hat: np.ndarray
    w_tilde: np.ndarray | None
    generic: bool
    rate: float
    projector: np.ndarray
    loss_constant: float
    lr: float
    reason: str = ""
    max_margin: MaxMargin | None = None
    kind: Kind = Kind.EXACT_LIMIT
    reference: Reference = REFERENCES["svm.residual"]

    @property
    def partial(self) -> bool:
        """True when only P₁w̃ is predicted (support vectors that do not span the data)."""
        return self.w_tilde is not None and not self.generic

    @property
    def predictor(self):
        """The predicted object: w̃ (the limit of w(t) - ŵ log t); None where none exists."""
        return self.w_tilde

    @property
    def value(self) -> float:
        """The predicted limit of t·L(w(t)): ‖ŵ‖²/η."""
        return self.loss_constant

    @property
    def certificate(self) -> Certificate:
        """The max-margin certificate w̃ rests on (w̃ itself solves a square linear system)."""
        return self.max_margin.certificate

    def predict(self, t, *, partial: bool = False) -> np.ndarray:
        """ŵ log t + w̃ at step(s) t (shape (..., d)).

        Needs a full w̃; where only P₁w̃ is predicted (support vectors that do not span) it
        raises unless ``partial=True`` is passed (then the P₂ part is 0: not a prediction)."""
        if self.w_tilde is None:
            raise SolverError(f"no w̃ prediction for these data: {self.reason}")
        if self.partial and not partial:
            raise InvalidInputError(f"only P1 w_tilde is predicted here ({self.reason}); pass "
                                    "partial=True to get w_hat log t + P1 w_tilde")
        t = np.asarray(t, dtype=float)
        return np.log(t)[..., None] * self.w_hat + self.w_tilde


# --------------------------------------------------------------------------- numeric route


def kkt_residuals(Z: np.ndarray, w: np.ndarray, alpha: np.ndarray) -> KKT:
    """Relative KKT residuals of the hard-margin SVM at (w, α); see :class:`KKT`."""
    m = Z @ w
    amax = float(np.max(alpha)) if alpha.size else 0.0
    asum = float(np.sum(alpha))
    wn = float(np.linalg.norm(w))
    return KKT(
        primal=max(0.0, 1.0 - float(np.min(m))),
        dual=max(0.0, -float(np.min(alpha))) / amax if amax > 0 else 1.0,
        complementarity=float(np.max(np.abs(alpha * (m - 1.0)))) / asum if asum > 0 else 1.0,
        stationarity=float(np.linalg.norm(w - Z.T @ alpha)) / wn if wn > 0 else 1.0,
    )


def _qp_quadprog(Z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    import quadprog

    N, d = Z.shape
    try:
        w, _, _, _, alpha, _ = quadprog.solve_qp(
            np.eye(d), np.zeros(d), np.ascontiguousarray(Z.T), np.ones(N), 0
        )
    except ValueError as exc:
        raise SolverError(f"quadprog failed: {exc}") from None
    return np.asarray(w), np.asarray(alpha)


def _qp_clarabel(Z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    import cvxpy as cp

    N, d = Z.shape
    w = cp.Variable(d)
    cons = [Z @ w >= 1]
    prob = cp.Problem(cp.Minimize(0.5 * cp.sum_squares(w)), cons)
    try:
        prob.solve(solver=cp.CLARABEL)
    except cp.error.SolverError as exc:
        raise SolverError(f"Clarabel failed: {exc}") from None
    if prob.status != cp.OPTIMAL:
        raise SolverError(f"Clarabel returned status {prob.status!r}; refusing the answer")
    return np.asarray(w.value, dtype=float), np.asarray(cons[0].dual_value, dtype=float)


def _polish(Z: np.ndarray, w0: np.ndarray, a0: np.ndarray):
    """Recompute (ŵ, α) on candidate active sets until the KKT residuals are <= KKT_TOL.

    Given the true active set A, ŵ is the minimum-norm solution of Z_A w = 1 and α solves the
    NNLS problem min ‖Z_Aᵀα - ŵ‖, α >= 0. Candidate sets come from small slacks and from
    positive multipliers of the solver's answer.
    """
    m = Z @ w0
    scale = max(1.0, float(np.max(a0)) if a0.size else 1.0)
    candidates = []
    for tol in (1e-6, 1e-8, 1e-4, 1e-10, 1e-3):
        candidates.append(np.nonzero(m - 1.0 <= tol)[0])
    for tol in (1e-7, 1e-9, 1e-5):
        candidates.append(np.nonzero(a0 > tol * scale)[0])
    best = None
    seen = set()
    for A in candidates:
        key = tuple(A.tolist())
        if not A.size or key in seen:
            continue
        seen.add(key)
        ZA = Z[A]
        w, *_ = np.linalg.lstsq(ZA, np.ones(A.size), rcond=None)
        aA, _ = scipy.optimize.nnls(ZA.T, w)
        alpha = np.zeros(Z.shape[0])
        alpha[A] = aA
        res = kkt_residuals(Z, w, alpha)
        if best is None or res.worst < best[2].worst:
            best = (w, alpha, res)
        if res.worst <= KKT_TOL:
            break
    return best


def _support(Z: np.ndarray, w: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    m = Z @ w
    return np.nonzero((np.abs(m - 1.0) <= 1e-8) | (alpha > 0))[0]


def _genericity(Z: np.ndarray, alpha: np.ndarray, support: np.ndarray) -> tuple[bool, str]:
    """Generic (docs/svm.md): α_n > 0 on every support vector and α unique (Z_S independent)."""
    if not support.size:
        return False, "empty support"
    amax = float(np.max(alpha))
    zero = [int(n) for n in support if alpha[n] <= 1e-9 * amax]
    if zero:
        return False, (
            f"support vector(s) {zero} have alpha_n = 0 (non-generic data: log log t terms)"
        )
    ZS = Z[support]
    if np.linalg.matrix_rank(ZS) < support.size:
        return False, "support vectors are linearly dependent (alpha is not unique)"
    return True, ""


def _solve_numeric(Z: np.ndarray, solver: str):
    solvers = {"quadprog": _qp_quadprog, "clarabel": _qp_clarabel}
    if solver not in solvers:
        raise ValueError(f"solver must be one of {sorted(solvers)}, got {solver!r}")
    order = [solver] + [s for s in solvers if s != solver]
    errors = []
    for name in order:
        try:
            w0, a0 = solvers[name](Z)
        except SolverError as exc:
            errors.append(str(exc))
            continue
        w, alpha, res = _polish(Z, w0, a0)
        if res.worst <= KKT_TOL:
            return w, alpha, res, name
        errors.append(f"{name}: KKT residual {res.worst:.2e} after polishing")
    raise CertificateError(
        "no solver produced a KKT certificate with relative residual <= "
        f"{KKT_TOL:g}: " + "; ".join(errors)
    )


def _numeric_result(Z: np.ndarray, solver: str, names: str = "points") -> MaxMargin:
    """The numeric route on data rescaled to max|z| = 1 (ŵ(cZ) = ŵ(Z)/c, α(cZ) = α(Z)/c²):
    the answer is positively homogeneous for any scale float64 can hold."""
    check_separable(Z, names=names, quick=True)
    scale = float(np.max(np.abs(Z)))
    Zs = Z / scale
    try:
        w, alpha, res, used = _solve_numeric(Zs, solver)
    except SolverError:
        check_separable(Z, names=names)
        raise
    support = _support(Zs, w, alpha)
    generic, reason = _genericity(Zs, alpha, support)
    w, alpha = w / scale, alpha / scale**2
    norm = float(np.linalg.norm(w))
    return MaxMargin(
        w=w, direction=w / norm, margin=1.0 / norm, dual=alpha, support=support, kkt=res,
        exact=False, generic=generic, info={"solver": used, "reason": reason, "scale": scale},
    )


# ----------------------------------------------------------------------------- exact route


def _exact_matrix(X) -> list[list]:
    """Rows of Fractions; raises ShapeError for ragged or non-2-D input."""
    try:
        rows = [list(r) for r in (X.tolist() if hasattr(X, "tolist") else X)]
    except TypeError:
        raise ShapeError("X must be a 2-D array of rational numbers") from None
    if not rows or len({len(r) for r in rows}) != 1 or not rows[0]:
        raise ShapeError("X must be a non-empty 2-D array with rows of equal length")
    return [[to_rational(v) for v in r] for r in rows]


def _exact_result(X, y, Z_float: np.ndarray) -> MaxMargin:
    """Exact ŵ and α for rational data, with the KKT system verified in exact arithmetic."""
    import sympy as sp
    from sympy.polys.matrices import DomainMatrix

    Xq = X
    yq = [to_rational(v) for v in np.asarray(y).tolist()]
    QQ = sp.QQ
    Zq = [[QQ(yq[n].numerator, yq[n].denominator) * QQ(v.numerator, v.denominator) for v in row]
          for n, row in enumerate(Xq)]
    N, d = len(Zq), len(Zq[0])
    Z = DomainMatrix(Zq, (N, d), QQ)

    ones = lambda k: DomainMatrix([[QQ(1)] for _ in range(k)], (k, 1), QQ)  # noqa: E731

    def certify(A: list[int]):
        ZA = Z.extract(A, list(range(d)))
        # Independent rows of Z_A: pivots of the row-reduced transpose.
        _, piv = ZA.transpose().rref()
        R = [A[i] for i in piv]
        ZR = Z.extract(R, list(range(d)))
        G = ZR * ZR.transpose()
        aR = G.lu_solve(ones(len(R)))
        w = ZR.transpose() * aR
        m = Z * w
        mv = [m[i, 0].element for i in range(N)]
        if any(mv[n] != 1 for n in A) or any(v < 1 for v in mv):
            return None
        alpha = [QQ(0)] * N
        av = [aR[i, 0].element for i in range(len(R))]
        if all(a >= 0 for a in av):
            for n, a in zip(R, av, strict=True):
                alpha[n] = a
        else:  # degenerate support: find α >= 0 on A with Z_Aᵀα = ŵ by exact LP
            from sympy.solvers.simplex import lpmin

            syms = sp.symbols(f"a0:{len(A)}")
            wv = [w[i, 0].element for i in range(d)]
            cons = [
                sp.Eq(sum(sp.Rational(Zq[n][j].numerator, Zq[n][j].denominator) * s
                          for n, s in zip(A, syms, strict=True)),
                      sp.Rational(wv[j].numerator, wv[j].denominator))
                for j in range(d)
            ] + [s >= 0 for s in syms]
            try:
                _, sol = lpmin(sum(syms), cons)
            except Exception:  # noqa: BLE001 - sympy raises InfeasibleLPError and others
                return None
            for n, s in zip(A, syms, strict=True):
                r = sp.Rational(sol[s])
                alpha[n] = QQ(int(r.p), int(r.q))
        return w, alpha, mv

    # floats may propose the support (fast); exact arithmetic decides, and when the float
    # solve fails or its support does not certify, an exact least-distance solve does it all
    out = None
    try:
        num = _numeric_result(Z_float, "quadprog")
        out = certify(sorted(int(n) for n in num.support))
    except (SolverError, NotSeparableError, FloatingPointError, ValueError):
        out = None
    if out is None:
        A = _exact_ldp_support(Zq)
        out = certify(A)
        if out is None:  # pragma: no cover - the LDP solution is optimal by construction
            raise CertificateError(f"the exact KKT certificate failed on the exact support {A}")
    w, alpha, mv = out
    # Exact certificate: primal and dual feasibility, complementarity, stationarity.
    wv = [w[i, 0].element for i in range(d)]
    stat = [sum(alpha[n] * Zq[n][j] for n in range(N)) - wv[j] for j in range(d)]
    ok = (
        all(v >= 1 for v in mv)
        and all(a >= 0 for a in alpha)
        and all(alpha[n] * (mv[n] - 1) == 0 for n in range(N))
        and all(s == 0 for s in stat)
    )
    if not ok:  # pragma: no cover - certify() already enforces each condition
        raise CertificateError("exact KKT certificate failed")
    to_sp = lambda q: sp.Rational(int(q.numerator), int(q.denominator))  # noqa: E731
    w_sp = sp.ImmutableMatrix([to_sp(v) for v in wv])
    norm2 = sum(v**2 for v in w_sp)
    norm = sp.sqrt(norm2)
    support = np.array([n for n in range(N) if mv[n] == 1], dtype=int)
    a_sp = sp.ImmutableMatrix([to_sp(a) for a in alpha])
    generic = all(alpha[n] > 0 for n in support) and len(support) == Z.extract(
        support.tolist(), list(range(d))).rank() if support.size else False
    return MaxMargin(
        w=w_sp, direction=sp.ImmutableMatrix([v / norm for v in w_sp]), margin=1 / norm,
        dual=a_sp, support=support, kkt=KKT(0.0, 0.0, 0.0, 0.0), exact=True, generic=generic,
        info={"solver": "exact (QQ)", "norm2": sp.Rational(norm2)},
    )


def _exact_nnls(E: list[list[Fraction]], f: list[Fraction]) -> list[Fraction]:
    """Lawson & Hanson's NNLS (Solving Least Squares Problems, 1974, Ch. 23) in exact
    rational arithmetic: argmin ‖E u - f‖ over u >= 0. The passive columns stay linearly
    independent (their Thm 23.5), so every inner solve is a nonsingular normal system, and
    the loop terminates; no float is used."""
    import sympy as sp
    from sympy.polys.matrices import DomainMatrix

    QQ = sp.QQ
    m, n = len(E), len(E[0])
    cols = [[E[i][j] for i in range(m)] for j in range(n)]
    x = [Fraction(0)] * n
    passive: list[int] = []

    def gradient(x):
        r = [f[i] - sum(E[i][j] * x[j] for j in range(n)) for i in range(m)]
        return [sum(cols[j][i] * r[i] for i in range(m)) for j in range(n)]

    def solve(P):
        A = DomainMatrix([[QQ(cols[a][i].numerator, cols[a][i].denominator) for a in P]
                          for i in range(m)], (m, len(P)), QQ)
        b = DomainMatrix([[QQ(v.numerator, v.denominator)] for v in f], (m, 1), QQ)
        z = (A.transpose() * A).lu_solve(A.transpose() * b)
        return [Fraction(int(z[k, 0].element.numerator), int(z[k, 0].element.denominator))
                for k in range(len(P))]

    for _ in range(10 * n + 10):
        g = gradient(x)
        free = [j for j in range(n) if j not in passive]
        if not free or max(g[j] for j in free) <= 0:
            return x
        passive.append(max(free, key=lambda j: g[j]))
        while True:
            z = dict(zip(passive, solve(passive), strict=True))
            if all(v > 0 for v in z.values()):
                for j in range(n):
                    x[j] = z.get(j, Fraction(0))
                break
            step = min(x[j] / (x[j] - z[j]) for j in passive if z[j] <= 0)
            for j in range(n):
                x[j] = x[j] + step * (z.get(j, Fraction(0)) - x[j])
            passive = [j for j in passive if x[j] > 0]
    raise SolverError("exact NNLS did not terminate")  # pragma: no cover


def _exact_ldp_support(Zq) -> list[int]:
    """The support of the exact SVM from the least-distance program min ‖w‖ s.t. Zw >= 1
    (Lawson & Hanson's LDP via NNLS, exact): u = NNLS([Zᵀ; 1ᵀ], e_{d+1}), r = Eu - f,
    ŵ = -r_{1..d}/r_{d+1} and α = u/(1 - Σu); r = 0 means not separable, with the Gordan
    witness u/Σu (Zᵀu = 0, u >= 0)."""
    Zf = [[Fraction(int(v.numerator), int(v.denominator)) for v in row] for row in Zq]
    N, d = len(Zf), len(Zf[0])
    E = [[Zf[n][i] for n in range(N)] for i in range(d)] + [[Fraction(1)] * N]
    f = [Fraction(0)] * d + [Fraction(1)]
    u = _exact_nnls(E, f)
    su = sum(u)
    if su == 1 and all(sum(Zf[n][i] * u[n] for n in range(N)) == 0 for i in range(d)):
        lam = np.array([float(v) for v in u])
        raise NotSeparableError(
            "data are not linearly separable through the origin: the exact convex combination "
            f"sum_n lam_n y_n x_n = 0 with lam = {[str(v) for v in u]} is a Gordan certificate",
            witness=lam, points=np.nonzero(lam)[0])
    alpha = [v / (1 - su) for v in u]
    w = [sum(alpha[n] * Zf[n][i] for n in range(N)) for i in range(d)]
    margins = [sum(Zf[n][i] * w[i] for i in range(d)) for n in range(N)]
    return sorted(n for n in range(N) if alpha[n] > 0 or margins[n] == 1)


# ------------------------------------------------------------------------------ public API


def max_margin(X, y, *, exact: bool = False, solver: str = "quadprog") -> MaxMargin:
    """The hard-margin SVM ŵ = argmin ‖w‖² s.t. y_n x_nᵀw >= 1: the limit direction of GD.

    Claim kind: *exact limit* -- for logistic/exponential loss on separable data, GD with a
    stable constant step converges in direction to ŵ/‖ŵ‖ from any start (Soudry et al.,
    JMLR 2018, Thm 3).

    Numeric route (``exact=False``): a dense QP (``solver="quadprog"``, an active-set method;
    or ``"clarabel"`` through cvxpy, status checked, used automatically as a fallback), then
    polished on the detected active set so that every relative KKT residual is <= 1e-10;
    otherwise :class:`~theory.errors.CertificateError`. Exact route (``exact=True``; ints,
    Fractions, sympy Rationals or floats taken at their exact binary value): ŵ and α as exact
    rationals with the KKT system verified in exact arithmetic.

    Raises :class:`~theory.errors.NotSeparableError` (with a Gordan witness) when no
    separator through the origin exists, and input errors for bad shapes, NaN/inf, labels.

    >>> r = max_margin([[2.0, 0.0], [0.0, 1.0]], [1, -1])
    >>> r.w.round(6).tolist(), r.support.tolist()
    ([0.5, -1.0], [0, 1])
    >>> max_margin([[2, 0], [0, 1]], [1, -1], exact=True).w.T
    Matrix([[1/2, -1]])
    """
    if exact:
        Xq = _exact_matrix(X)
        _, yf, Z = binary_data([[float(v) for v in row] for row in Xq], y)
        return _exact_result(Xq, yf, Z)
    _, _, Z = binary_data(X, y)
    return _numeric_result(Z, solver)


def multiclass_constraints(X, labels, n_classes: int | None = None):
    """The K-class max-margin problem as a binary one over vec(W) (row-major, shape K*d).

    Row (n, k), k != y_n, is (e_{y_n} - e_k) ⊗ x_n, so (w_{y_n} - w_k)ᵀx_n = rowᵀvec(W).
    Returns ``(Zmc, pairs, K)`` with ``pairs[r] = (n, k)``.
    """
    Xf = as_matrix(X)
    lab = np.asarray(labels)
    if lab.ndim != 1 or lab.shape[0] != Xf.shape[0]:
        raise ShapeError(f"labels must have shape ({Xf.shape[0]},), got {lab.shape}")
    if not np.issubdtype(lab.dtype, np.integer):
        if not (np.issubdtype(lab.dtype, np.floating) and np.all(lab == np.round(lab))):
            raise LabelError("multi-class labels must be integers 0..K-1")
        lab = lab.astype(int)
    K = int(lab.max()) + 1 if n_classes is None else int(n_classes)
    if lab.min() < 0 or lab.max() >= K or K < 2:
        raise LabelError(f"multi-class labels must lie in 0..K-1 with K >= 2, got K={K}")
    N, d = Xf.shape
    rows, pairs = [], []
    for n in range(N):
        for k in range(K):
            if k == lab[n]:
                continue
            e = np.zeros((K, d))
            e[lab[n]] = Xf[n]
            e[k] = -Xf[n]
            rows.append(e.ravel())
            pairs.append((n, k))
    return np.array(rows), np.array(pairs, dtype=int), K


def max_margin_multiclass(X, labels, *, n_classes: int | None = None,
                          solver: str = "quadprog") -> MaxMargin:
    """K-class max margin: argmin Σ_k ‖w_k‖² s.t. (w_{y_n} - w_k)ᵀx_n >= 1 for all k != y_n.

    Claim kind: *exact limit* of the direction of GD on the cross-entropy loss (Soudry et al.
    2018, Sec. 4.2). Same result type as :func:`max_margin`: ``w`` has shape (K, d),
    ``dual`` has shape (N, K) (zero in column y_n), ``support`` has rows (n, k).

    >>> r = max_margin_multiclass([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]], [0, 1, 2])
    >>> r.w.shape, r.dual.shape
    ((3, 2), (3, 3))
    """
    Zmc, pairs, K = multiclass_constraints(X, labels, n_classes)
    r = _numeric_result(Zmc, solver, names="(point, class) constraints")
    N, d = as_matrix(X).shape
    dual = np.zeros((N, K))
    dual[pairs[:, 0], pairs[:, 1]] = r.dual
    W = r.w.reshape(K, d)
    return MaxMargin(
        w=W, direction=W / np.linalg.norm(W), margin=r.margin, dual=dual,
        support=pairs[r.support], kkt=r.kkt, generic=r.generic, info=r.info,
        reference=REFERENCES["svm.multiclass"],
    )


def asymptote(X, y, *, lr: float, w0=None, mm: MaxMargin | None = None) -> Asymptote:
    """The residual of GD: w(t) = ŵ log t + w̃ + o(1) (Soudry et al. 2018, Thm 4).

    Claim kind: *exact limit* of ρ(t) = w(t) - ŵ log t for GD with constant step ``lr`` on the
    logistic or exponential loss (the same w̃ for both), for generic data whose support
    vectors span the data: w̃ is the unique solution of η exp(-z_nᵀw̃) = α_n (n in S) with
    P₂w̃ = P₂w(0). ``rate`` is the heuristic exponent of docs/svm.md. Gradient flow: ``lr=1``.

    >>> a = asymptote([[1.0, 0.0], [0.0, 1.0]], [1, 1], lr=0.5)
    >>> a.w_hat.tolist(), a.w_tilde.round(6).tolist(), round(a.loss_constant, 6)
    ([1.0, 1.0], [-0.693147, -0.693147], 4.0)
    """
    Xf, yf, Z = binary_data(X, y)
    lr = float(lr)
    if not (math.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be a positive finite number, got {lr!r}")
    d = Z.shape[1]
    w0 = np.zeros(d) if w0 is None else np.asarray(w0, dtype=float)
    if w0.shape != (d,):
        raise ShapeError(f"w0 must have shape ({d},), got {w0.shape}")
    if mm is None:
        mm = max_margin(Xf, yf)
    mm = mm.numeric()
    S, alpha, w_hat = mm.support, mm.dual, mm.w
    ZS = Z[S]
    # P₁ = projector on span{z_n : n in S}.
    Q = scipy.linalg.orth(ZS.T)
    P1 = Q @ Q.T
    spanning = np.linalg.matrix_rank(ZS) == np.linalg.matrix_rank(Z)
    aS = alpha[S]
    # Heuristic rate: J = Σ α z zᵀ on span Z_S; θ = min over non-support of z·ŵ.
    Jr = np.sqrt(np.maximum(aS, 0))[:, None] * (ZS @ ZS.T) * np.sqrt(np.maximum(aS, 0))[None, :]
    ev = np.linalg.eigvalsh(Jr)
    ev = ev[ev > 1e-12 * max(1.0, ev.max())]
    lam_min = float(ev.min()) if ev.size else 0.0
    others = np.setdiff1d(np.arange(Z.shape[0]), S)
    theta = float(np.min(Z[others] @ w_hat)) if others.size else math.inf
    rate = min(lam_min, theta - 1.0, 1.0)
    loss_constant = float(w_hat @ w_hat) / lr
    common = dict(w_hat=w_hat, rate=rate, projector=P1, loss_constant=loss_constant, lr=lr,
                  max_margin=mm)
    if not mm.generic:
        return Asymptote(w_tilde=None, generic=False, reason=mm.info.get("reason", ""), **common)
    b = np.log(lr / aS)
    p1w, *_ = np.linalg.lstsq(ZS, b, rcond=None)
    p1w = P1 @ p1w
    if not spanning:
        return Asymptote(
            w_tilde=p1w, generic=False,
            reason="support vectors do not span the data: only P1 w_tilde is predicted",
            **common,
        )
    w_tilde = p1w + (np.eye(d) - P1) @ w0
    return Asymptote(w_tilde=w_tilde, generic=True, **common)

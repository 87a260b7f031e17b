"""Optimization geometry: the algorithm changes the implicit bias (Gunasekar, Lee, Soudry & Srebro,
ICML 2018; the mathematics is in docs/geometry.md).

Linear predictor, separable data, exp or logistic loss (a sum over examples, labels absorbed:
z_n = y_n x_n). Steepest descent w.r.t. a norm ‖·‖ converges in *margin* to the max-margin
classifier of that norm,

    γ = max_{‖w‖ <= 1} min_n z_nᵀw,   equivalently   ŵ = argmin ½‖w‖² s.t. z_nᵀw >= 1,

and in direction when the maximizer is unique. ℓ1 steepest descent is greedy coordinate
descent, ℓ∞ steepest descent is sign GD, a quadratic norm ‖w‖_P = √(wᵀPw) is preconditioned
GD, and mirror descent with ψ = (1/p)‖w‖_p^p (p-GD) has the ℓp limit. This module computes

* :func:`max_margin` -- ŵ, γ_p, the dual α and a certificate, for p in [1, ∞] or a quadratic
  norm (LPs through HiGHS for p = 1, ∞; cvxpy/Clarabel for 1 < p < ∞, polished by Newton's
  method; the SVM of :mod:`theory.svm` for p = 2), with a uniqueness certificate;
* :func:`margin`, :func:`norm`, :func:`dual_norm`, :func:`steepest_direction`,
  :func:`steepest_step` -- the quantities that define the algorithms and the checks;
* :func:`bregman_interpolant` -- regression: the limit argmin D_ψ(w, w0) s.t. Xw = y of
  mirror descent;
* :func:`regression_counterexample`, :func:`regression_limit`, :func:`one_point_limit` --
  steepest descent in *regression* has a step-dependent limit (a refuted conjecture).

Claim kinds: every prediction here is an *exact limit* (:class:`~theory.results.Kind`); the
optimization problems are convex and solved to a certified global minimum. No JAX.
"""

from __future__ import annotations

import math
import numbers
import warnings
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import scipy.linalg
import scipy.optimize

from . import svm
from .errors import (
    CertificateError,
    DomainError,
    InfeasibleError,
    InvalidInputError,
    NonFiniteError,
    NormError,
    NotPositiveDefiniteError,
    ShapeError,
    SolverError,
    StepSizeError,
)
from .results import REFERENCES as _CORE_REFERENCES
from .results import Certificate, Kind, Reference
from .validate import as_matrix, binary_data, check_separable, to_rational

__all__ = [
    "CERT_TOL",
    "REFERENCES",
    "Algorithm",
    "ALGORITHMS",
    "check_p",
    "dual_exponent",
    "norm",
    "dual_norm",
    "steepest_direction",
    "steepest_step",
    "margin",
    "certify",
    "NormMaxMargin",
    "max_margin",
    "max_margin_multiclass",
    "Potential",
    "BregmanInterpolant",
    "bregman_interpolant",
    "smoothness_constant",
    "RegressionLimit",
    "regression_limit",
    "one_point_limit",
    "RegressionCounterexample",
    "regression_counterexample",
    "COUNTEREXAMPLE_X",
]

#: A returned max-margin answer has certificate residual <= CERT_TOL (relative; see certify).
CERT_TOL = 1e-9

_GUNASEKAR = "Gunasekar, Lee, Soudry & Srebro"
_DOC = "docs/geometry.md"

#: The references of this family (theorem numbers only where verified; otherwise sections).
REFERENCES: dict[str, Reference] = {
    "steepest": Reference(_GUNASEKAR, "ICML 2018",
                          "Sec. 3 (steepest descent w.r.t. a general norm, exp loss)",
                          f"{_DOC}#steepest-descent"),
    "coordinate": Reference(_GUNASEKAR, "ICML 2018",
                            "Sec. 3 (l1 steepest descent = greedy coordinate descent; cf. "
                            "Telgarsky, ICML 2013)", f"{_DOC}#steepest-descent"),
    "sign": Reference(_GUNASEKAR, "ICML 2018", "Sec. 3 (l-inf steepest descent = sign GD)",
                      f"{_DOC}#steepest-descent"),
    "preconditioned": Reference(_GUNASEKAR, "ICML 2018",
                                "Sec. 3 (steepest descent w.r.t. a quadratic norm)",
                                f"{_DOC}#steepest-descent"),
    "p_gd": Reference("Sun, Ahn, Thrampoulidis & Azizan", "NeurIPS 2022",
                      "main result (p-GD converges in direction to the l_p max margin)",
                      f"{_DOC}#mirror-descent-p-gd"),
    "momentum": Reference("Wang, Meng, Zhang, Sun, Chen, Ma & Liu", "2022 (arXiv 2110.03891)",
                          "GD with heavy-ball momentum converges to the l2 max margin",
                          f"{_DOC}#adaptive-and-momentum-methods"),
    "adam": Reference("Zhang, Zou & Cao", "NeurIPS 2024",
                      "main result (full-batch Adam, eps negligible, decaying lr -> l-inf)",
                      f"{_DOC}#adaptive-and-momentum-methods"),
    "signum": Reference("Baek, Song & Yun", "arXiv 2510.26303 (2025)",
                        "Signum (beta close to 1, any batch size) -> l-inf max margin",
                        f"{_DOC}#adaptive-and-momentum-methods"),
    "incremental_adam": Reference("Baek, Song & Yun", "arXiv 2510.26303 (2025)",
                                  "incremental Adam converges to the l2 max margin on "
                                  "structured data", f"{_DOC}#adaptive-and-momentum-methods"),
    "boosting": Reference("Telgarsky", "ICML 2013", "Margins, shrinkage, and boosting",
                          f"{_DOC}#steepest-descent"),
    "mirror_regression": Reference(_GUNASEKAR, "ICML 2018",
                                   "Sec. 2 (mirror descent in regression)",
                                   f"{_DOC}#regression"),
    "steepest_regression": Reference(_GUNASEKAR, "ICML 2018",
                                     "Sec. 2 (steepest descent in regression depends on the "
                                     "step size)", f"{_DOC}#regression"),
}


@dataclass(frozen=True)
class Algorithm:
    """Which max-margin problem a full-batch algorithm's limit solves (docs/geometry.md table).

    ``norm`` is "l1", "l2", "linf", "lp" (the algorithm's own p), "P" (its preconditioner) or
    None when the theory makes no max-margin claim (``note`` says what is known).
    """

    name: str
    update: str
    norm: str | None
    reference: Reference
    kind: Kind = Kind.EXACT_LIMIT
    note: str = ""


#: The algorithm -> limit table of docs/geometry.md, for the numerics and claims layers.
ALGORITHMS: dict[str, Algorithm] = {a.name: a for a in (
    Algorithm("gd", "w <- w - eta g", "l2", _CORE_REFERENCES["svm"]),
    Algorithm("coordinate_descent", "w_i <- w_i - eta g_i, i = argmax |g_i| (first on ties)",
              "l1", REFERENCES["coordinate"], note="margin limit; direction if unique"),
    Algorithm("sign_gd", "w <- w - eta ||g||_1 sign(g)", "linf", REFERENCES["sign"],
              note="margin limit; direction if unique"),
    Algorithm("steepest_lp", "w <- w + eta ||g||_q v, v = steepest_direction(g, p=p)", "lp",
              REFERENCES["steepest"]),
    Algorithm("preconditioned_gd", "w <- w - eta P^-1 g", "P", REFERENCES["preconditioned"]),
    Algorithm("p_gd", "grad psi(w) <- grad psi(w) - eta g, psi = (1/p)||w||_p^p", "lp",
              REFERENCES["p_gd"]),
    Algorithm("momentum", "heavy-ball / Nesterov momentum, constant step", "l2",
              REFERENCES["momentum"]),
    Algorithm("adam", "full-batch Adam, decaying lr, eps negligible", "linf",
              REFERENCES["adam"],
              note="with a fixed eps > 0 the iterates eventually see eps >> sqrt(v) and "
              "behave like GD (l2 limit, Wang et al. 2022)"),
    Algorithm("signum", "sign of the momentum, beta -> 1, any batch size", "linf",
              REFERENCES["signum"]),
    Algorithm("incremental_adam", "Adam with one sample per step", None,
              REFERENCES["incremental_adam"],
              note="no l-inf claim: it can converge to the l2 max margin on structured data"),
)}


# ------------------------------------------------------------------------------- norms


def check_p(p) -> float:
    """``p`` as a float in [1, ∞] (``math.inf``/``numpy.inf`` for ∞), else :class:`NormError`.

    Booleans, strings, complex numbers, NaN and p < 1 are refused.

    >>> check_p(3), check_p(float("inf"))
    (3.0, inf)
    """
    if isinstance(p, bool) or not isinstance(p, numbers.Real):
        raise NormError(f"p must be a real number >= 1 or math.inf, got {p!r} "
                        f"({type(p).__name__})")
    v = float(p)
    if math.isnan(v) or v < 1.0:
        raise NormError(f"p must be a real number >= 1 or math.inf, got {p!r}")
    return v


def dual_exponent(p) -> float:
    """Hölder conjugate q = p/(p - 1) (1 <-> ∞).

    >>> dual_exponent(1), dual_exponent(4), dual_exponent(math.inf)
    (inf, 1.3333333333333333, 1.0)
    """
    p = check_p(p)
    if p == 1.0:
        return math.inf
    if p == math.inf:
        return 1.0
    return p / (p - 1.0)


def _lp(v: np.ndarray, p: float) -> np.ndarray:
    """‖v‖_p along the last axis, scaled by max|v| so that large p cannot over/underflow."""
    a = np.abs(v)
    if p == 1.0:
        return a.sum(-1)
    m = a.max(-1)
    if p == math.inf:
        return m
    safe = np.where(m > 0, m, 1.0)
    return m * (((a / safe[..., None]) ** p).sum(-1)) ** (1.0 / p)


def _check_spd(P, d: int) -> np.ndarray:
    try:
        A = np.asarray(P, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ShapeError(f"P must be a real (d, d) matrix: {exc}") from None
    if A.shape != (d, d):
        raise ShapeError(f"P must have shape ({d}, {d}), got {A.shape}")
    if not np.all(np.isfinite(A)):
        raise NonFiniteError("P contains NaN or inf")
    scale = float(np.abs(A).max())
    if scale == 0.0:
        raise NotPositiveDefiniteError("P is the zero matrix")
    asym = float(np.abs(A - A.T).max())
    if asym > 1e-12 * scale:
        raise NotPositiveDefiniteError(f"P is not symmetric (max |P - P^T| = {asym:.3g})")
    A = (A + A.T) / 2
    ev = np.linalg.eigvalsh(A)
    if ev[0] <= 1e-14 * ev[-1]:
        raise NotPositiveDefiniteError(
            f"P is not positive definite: smallest eigenvalue {ev[0]:.3g} "
            f"(largest {ev[-1]:.3g})")
    return A


class _Norm:
    """‖·‖_p or ‖·‖_P with its dual norm (‖·‖_q, resp. ‖·‖_{P^-1})."""

    def __init__(self, p, P=None, d: int | None = None):
        self.p = check_p(p)
        self.q = dual_exponent(self.p)
        self.P = None
        if P is not None:
            if self.p != 2.0:
                raise NormError(f"P defines the norm ||w||_P = sqrt(w^T P w); leave p = 2 "
                                f"(got p = {p!r})")
            if d is None:
                d = np.shape(P)[0] if np.ndim(P) == 2 else -1
            self.P = _check_spd(P, d)
            self.chol = scipy.linalg.cho_factor(self.P)

    def solve(self, g: np.ndarray) -> np.ndarray:
        """P^-1 g along the last axis."""
        d = g.shape[-1]
        sol = scipy.linalg.cho_solve(self.chol, g.reshape(-1, d).T)
        return sol.T.reshape(g.shape)

    def __call__(self, v: np.ndarray) -> np.ndarray:
        if self.P is not None:
            return np.sqrt(np.maximum(np.einsum("...i,ij,...j->...", v, self.P, v), 0.0))
        return _lp(v, self.p)

    def dual(self, g: np.ndarray) -> np.ndarray:
        if self.P is not None:
            return np.sqrt(np.maximum(np.einsum("...i,...i->...", g, self.solve(g)), 0.0))
        return _lp(g, self.q)

    def label(self) -> str:
        if self.P is not None:
            return "P"
        return {1.0: "l1", 2.0: "l2", math.inf: "linf"}.get(self.p, f"l{self.p:g}")


def _vectors(v, name: str, d: int | None = None) -> np.ndarray:
    try:
        a = np.asarray(v, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ShapeError(f"{name} must be a real array: {exc}") from None
    if a.ndim < 1 or a.shape[-1] < 1:
        raise ShapeError(f"{name} must have shape (..., d) with d >= 1, got {a.shape}")
    if d is not None and a.shape[-1] != d:
        raise ShapeError(f"{name} must have last dimension {d}, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise NonFiniteError(f"{name} contains NaN or inf")
    return a


def _out(x):
    return float(x) if np.ndim(x) == 0 else x


def norm(w, *, p=2, P=None):
    """‖w‖_p (or ‖w‖_P = √(wᵀPw)) along the last axis.

    >>> norm([3.0, -4.0]), norm([3.0, -4.0], p=1), norm([3.0, -4.0], p=math.inf)
    (5.0, 7.0, 4.0)
    """
    w = _vectors(w, "w")
    return _out(_Norm(p, P, w.shape[-1])(w))


def dual_norm(g, p=2, *, P=None):
    """The dual norm ‖g‖_* = max_{‖v‖ <= 1} ⟨g, v⟩: ‖g‖_q with 1/p + 1/q = 1, or ‖g‖_{P⁻¹}.

    >>> dual_norm([3.0, -4.0], 1), dual_norm([3.0, -4.0], math.inf)
    (4.0, 7.0)
    """
    g = _vectors(g, "g")
    return _out(_Norm(p, P, g.shape[-1]).dual(g))


def steepest_direction(g, *, p=None, P=None) -> np.ndarray:
    """A unit vector v in argmin_{‖v‖ <= 1} ⟨g, v⟩ (so ⟨g, v⟩ = -‖g‖_*), along the last axis.

    The direction that defines steepest descent: w ← w + η ‖g‖_* v (see :func:`steepest_step`).

    * p = 1: -sign(g_i) e_i with i = argmax_i |g_i|; ties go to the **smallest index**
      (greedy / Gauss-Southwell coordinate descent);
    * p = ∞: -sign(g) with sign(0) = 0 (coordinates with g_i = 0 do not move; any value in
      [-1, 1] there is also a minimizer: this is the tie-break);
    * p = 2: -g/‖g‖₂; general 1 < p < ∞: the Hölder equality case
      v_i = -sign(g_i)|g_i|^{q-1}/‖g‖_q^{q-1} (unique);
    * quadratic norm ‖·‖_P: -P⁻¹g/‖g‖_{P⁻¹} (unique).

    g = 0 gives v = 0 (every v is a minimizer; no step). ``p=None`` means 2 (or P if given).

    >>> steepest_direction([1.0, -3.0, 3.0], p=1).tolist()
    [0.0, 1.0, 0.0]
    >>> steepest_direction([1.0, -3.0, 0.0], p=math.inf).tolist()
    [-1.0, 1.0, -0.0]
    """
    g = _vectors(g, "g")
    nrm = _Norm(2 if p is None else p, P, g.shape[-1])
    if nrm.P is not None:
        sol = nrm.solve(g)
        den = nrm.dual(g)
        return -sol / np.where(den > 0, den, 1.0)[..., None]
    pv = nrm.p
    a = np.abs(g)
    m = a.max(-1, keepdims=True)
    if pv == 1.0:
        i = np.argmax(a, axis=-1)
        v = np.zeros_like(g)
        np.put_along_axis(v, i[..., None], -np.sign(np.take_along_axis(g, i[..., None], -1)),
                          axis=-1)
        return v
    if pv == math.inf:
        return -np.sign(g)
    safe = np.where(m > 0, m, 1.0)
    u = np.sign(g) * (a / safe) ** (nrm.q - 1.0)
    den = _lp(u, pv)
    return -u / np.where(den > 0, den, 1.0)[..., None]


def steepest_step(g, *, p=None, P=None) -> np.ndarray:
    """The steepest-descent step Δ = ‖g‖_* v = argmin_Δ ⟨g, Δ⟩ + ½‖Δ‖² (update w ← w + ηΔ).

    ℓ1: -g_i e_i (greedy coordinate descent); ℓ∞: -‖g‖₁ sign(g) (sign GD); ℓ2: -g;
    quadratic: -P⁻¹g (preconditioned GD).

    >>> steepest_step([1.0, -3.0], p=1).tolist(), steepest_step([1.0, -3.0], p=math.inf).tolist()
    ([0.0, 3.0], [-4.0, 4.0])
    """
    g = _vectors(g, "g")
    nrm = _Norm(2 if p is None else p, P, g.shape[-1])
    return nrm.dual(g)[..., None] * steepest_direction(g, p=p, P=nrm.P)


def margin(w, X, y, *, p=2, P=None):
    """γ_p(w) = min_n z_nᵀw / ‖w‖_p, batched over the leading axes of ``w`` (shape (..., d)).

    One-sided invariant: γ_p(w) <= γ_p (:func:`max_margin`) for every w, every algorithm and
    every t. γ_p(0) is undefined and returned as NaN (never 0).

    >>> margin([1.0, 1.0], [[2.0, 1.0]], [1], p=math.inf)
    3.0
    """
    _, _, Z = binary_data(X, y)
    w = _vectors(w, "w", Z.shape[1])
    n = _Norm(p, P, Z.shape[1])(w)
    m = (w @ Z.T).min(-1)
    out = np.where(n > 0, m / np.where(n > 0, n, 1.0), np.nan)
    return _out(out)


# --------------------------------------------------------------------------- certificate


def _certificate(Z: np.ndarray, w: np.ndarray, alpha: np.ndarray, nrm: _Norm) -> Certificate:
    """primal, dual feasibility and the relative duality gap of min ½‖w‖² s.t. Zw >= 1."""
    m = Z @ w
    primal = max(0.0, 1.0 - float(m.min()))
    asum = float(np.abs(alpha).sum())
    dual = max(0.0, -float(alpha.min())) / asum if asum > 0 else 1.0
    half_p = 0.5 * float(nrm(w)) ** 2
    half_d = 0.5 * float(nrm.dual(Z.T @ alpha)) ** 2
    scale = max(half_p, half_d, float(alpha.sum()), 1e-300)
    gap = abs(half_p - (float(alpha.sum()) - half_d)) / scale
    return Certificate.from_conditions(
        {"primal": primal, "dual": dual, "gap": gap},
        note=f"min 1/2 ||w||^2 s.t. z_n.w >= 1 ({nrm.label()}): primal feasibility "
        "max(0, 1 - min z.w), dual feasibility max(0, -min alpha)/sum|alpha|, relative gap "
        "|1/2||w||^2 - (sum alpha - 1/2||Z^T alpha||_*^2)| (zero gap <=> optimal)",
    )


def certify(w, alpha, X, y, *, p=2, P=None) -> Certificate:
    """Optimality certificate of a candidate (w, α) for ŵ = argmin ½‖w‖² s.t. z_nᵀw >= 1.

    Weak duality: for Zw >= 1 and α >= 0,
    Σα <= αᵀZw = ⟨Zᵀα, w⟩ <= ‖Zᵀα‖_*‖w‖ <= ½‖Zᵀα‖_*² + ½‖w‖², so a primal-feasible w and
    a dual-feasible α with **zero gap** ½‖w‖² = Σα - ½‖Zᵀα‖_*² are both optimal (and then
    Σα = ‖w‖², ‖Zᵀα‖_* = ‖w‖, ⟨Zᵀα, w⟩ = ‖Zᵀα‖_*‖w‖ (Hölder equality) and
    α_n(z_nᵀw - 1) = 0 follow). Conditions (all relative, 0 at the optimum): ``primal`` =
    max(0, 1 - min_n z_nᵀw), ``dual`` = max(0, -min α)/Σ|α|, ``gap`` = |½‖w‖² - Σα +
    ½‖Zᵀα‖_*²| / max(½‖w‖², ½‖Zᵀα‖_*², Σα). ``residual`` is the worst of the three.

    >>> certify([0.5, 0.0], [0.25], [[2.0, 1.0]], [1], p=1).residual
    0.0
    """
    _, _, Z = binary_data(X, y)
    w = _vectors(w, "w", Z.shape[1])
    a = _vectors(alpha, "alpha", Z.shape[0])
    if w.ndim != 1 or a.ndim != 1:
        raise ShapeError("certify takes one candidate: w of shape (d,), alpha of shape (N,)")
    return _certificate(Z, w, a, _Norm(p, P, Z.shape[1]))


# --------------------------------------------------------------------------- max margin


@dataclass(frozen=True)
class NormMaxMargin:
    """The max-margin classifier of a norm, with its dual and certificate.

    ``w`` = ŵ (unit functional margin: min_n z_nᵀŵ = 1), ``direction`` = ŵ/‖ŵ‖,
    ``margin`` = γ = 1/‖ŵ‖ = max_{‖w‖<=1} min_n z_nᵀw, ``p`` (2 for a quadratic norm, whose
    matrix is ``P``), ``dual`` = α >= 0 (length N) with Σα = ‖ŵ‖², ‖Zᵀα‖_* = ‖ŵ‖ and
    ⟨Zᵀα, ŵ⟩ = ‖Zᵀα‖_*‖ŵ‖ (for p = 2 exactly the SVM's α, ŵ = Zᵀα), ``support`` = indices
    with z_nᵀŵ = 1 (within 1e-8), ``unique`` = whether the maximizer is unique (always for
    1 < p < ∞ and quadratic norms by strict convexity; for p = 1, ∞ certified by re-solving
    with randomly tilted objectives, see :func:`max_margin`).

    ``kind`` is *exact limit*: the steepest descent (and the other algorithms of
    :data:`ALGORITHMS` with this norm) drive γ(w_t) → γ (``value``); ``predictor`` =
    ``direction`` is the limit direction when ``unique`` (otherwise one maximizer among many:
    compare margins, not directions). ``certificate`` is :func:`certify` on (ŵ, α).
    """

    w: np.ndarray
    direction: np.ndarray
    margin: float
    p: float
    dual: np.ndarray
    support: np.ndarray
    unique: bool
    kind: Kind
    reference: Reference
    certificate: Certificate
    P: np.ndarray | None = None
    info: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def predictor(self) -> np.ndarray:
        return self.direction

    @property
    def value(self) -> float:
        return self.margin


def _reference(nrm: _Norm) -> Reference:
    if nrm.P is not None:
        return REFERENCES["preconditioned"]
    if nrm.p == 2.0:
        return _CORE_REFERENCES["svm"]
    if nrm.p == 1.0:
        return REFERENCES["coordinate"]
    if nrm.p == math.inf:
        return REFERENCES["sign"]
    return REFERENCES["steepest"]


_HIGHS = {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10}


def _lp_program(Z: np.ndarray, p: float):
    """min ‖w‖_p s.t. Zw >= 1 as an LP: variables (w, s) with |w_i| <= s_i (p = 1) or
    |w_i| <= t (p = ∞). Margin row n is divided by m_n = max_i |z_ni| (HiGHS drops entries
    below 1e-9, so each row is scaled to max 1; its multiplier is then λ_n m_n).
    Returns (c, A_ub, b_ub, bounds, norm_row, m)."""
    N, d = Z.shape
    m = np.abs(Z).max(axis=1)
    Zr = Z / m[:, None]
    I = np.eye(d)
    if p == 1.0:
        c = np.concatenate([np.zeros(d), np.ones(d)])
        box = np.block([[I, -I], [-I, -I]])
        margin_rows = np.hstack([-Zr, np.zeros((N, d))])
        bounds = [(None, None)] * d + [(0, None)] * d
    else:
        c = np.concatenate([np.zeros(d), [1.0]])
        box = np.block([[I, -np.ones((d, 1))], [-I, -np.ones((d, 1))]])
        margin_rows = np.hstack([-Zr, np.zeros((N, 1))])
        bounds = [(None, None)] * d + [(0, None)]
    A = np.vstack([box, margin_rows])
    b = np.concatenate([np.zeros(2 * d), -1.0 / m])
    return c, A, b, bounds, c, m


def _solve_lp(Z: np.ndarray, p: float, names: str):
    N, d = Z.shape
    c, A, b, bounds, _, m = _lp_program(Z, p)
    res = scipy.optimize.linprog(c, A_ub=A, b_ub=b, bounds=bounds, method="highs",
                                 options=_HIGHS)
    if res.status == 2:
        check_separable(Z, names=names)
        raise SolverError("HiGHS reports the margin LP infeasible, but the data are separable")
    if res.status != 0:
        raise SolverError(f"HiGHS failed on the l{p:g} margin LP: {res.message}")
    w = np.asarray(res.x[:d], dtype=float)
    lam = -np.asarray(res.ineqlin.marginals[2 * d:], dtype=float) / m
    w = w / float((Z @ w).min())  # exact unit functional margin (a rescaling of the answer)
    t = float(_lp(w, p))
    best = (w, np.maximum(lam, 0.0) * t)
    nrm = _Norm(p)
    best_res = _certificate(Z, *best, nrm).residual
    if best_res > CERT_TOL * 1e-3:
        cand = _polish_lp(Z, p, c, A, b, bounds, m, np.asarray(res.x, dtype=float), nrm)
        if cand is not None and cand[2] < best_res:
            best = cand[:2]
    return best[0], best[1], {"solver": "HiGHS"}


def _polish_lp(Z, p, c, A, b, bounds, m, x, nrm):
    """Recompute the LP vertex and its multipliers on the active set in full precision.

    HiGHS drops matrix entries below 1e-9 and works to feasibility tolerances ~1e-10, so on
    data with a large dynamic range its answer can miss the certificate. With R x <= r the
    constraints (bounds included) and I the rows active at HiGHS' x: x <- x + R_I⁺(r_I - R_I x)
    and y_I = argmin_{y >= 0} ‖R_Iᵀy + c‖ (NNLS); the margin rows' y are λ, α = ‖w‖λ.
    """
    N, d = Z.shape
    nv = A.shape[1]
    lower = [i for i, (lo, _) in enumerate(bounds) if lo is not None]
    R = np.vstack([A, -np.eye(nv)[lower]])
    r = np.concatenate([b, np.zeros(len(lower))])
    margin_rows = np.arange(A.shape[0] - N, A.shape[0])
    best = None
    for tol in (1e-9, 1e-7, 1e-5, 1e-3):
        act = np.nonzero(R @ x >= r - tol * (1.0 + np.abs(r)))[0]
        RA = R[act]
        xp = x + np.linalg.lstsq(RA, r[act] - RA @ x, rcond=None)[0]
        y, _ = scipy.optimize.nnls(RA.T, -c)
        lam = np.zeros(N)
        for k, row in enumerate(act):
            if row in margin_rows:
                n = row - margin_rows[0]
                lam[n] = y[k] / m[n]
        w = xp[:d]
        mn = float((Z @ w).min())
        if not mn > 0:
            continue
        w = w / mn
        alpha = lam * float(_lp(w, p))
        res = _certificate(Z, w, alpha, nrm).residual
        if best is None or res < best[2]:
            best = (w, alpha, res)
    return best


def _face_width(Z: np.ndarray, p: float, w: np.ndarray, delta: float,
                n_dirs: int = 2) -> float:
    """Width of {w : Zw >= 1, ‖w‖_p <= (1 + δ)‖ŵ‖_p} along seeded random unit directions.

    This is the ε → 0 limit of re-solving with the tilted objective ‖w‖_p ± ε cᵀw: for small
    ε the tilted LP returns the minimizer (maximizer) of cᵀw over the optimal face.
    """
    N, d = Z.shape
    _, A, b, bounds, norm_row, _ = _lp_program(Z, p)
    t = float(_lp(w, p)) * (1 + delta)
    A2 = np.vstack([A, norm_row])
    b2 = np.concatenate([b, [t]])
    rng = np.random.default_rng(20180306)
    width = 0.0
    nv = A.shape[1]
    for _ in range(n_dirs):
        cdir = rng.standard_normal(d)
        cdir /= np.linalg.norm(cdir)
        vals = []
        for sign in (1.0, -1.0):
            obj = np.concatenate([sign * cdir, np.zeros(nv - d)])
            res = scipy.optimize.linprog(obj, A_ub=A2, b_ub=b2, bounds=bounds,
                                         method="highs", options=_HIGHS)
            if res.status != 0:
                raise SolverError(f"HiGHS failed on the uniqueness (tilt) LP: {res.message}")
            vals.append(float(cdir @ res.x[:d]))
        width = max(width, vals[1] - vals[0])
    return width


def _lp_unique(Z: np.ndarray, p: float, w: np.ndarray) -> tuple[bool, dict]:
    """Is the LP maximizer unique? Widths of the δ-optimal face for δ = 1e-6 and 1e-8.

    A unique maximizer is a vertex where the norm grows linearly away from it, so the
    δ-optimal face shrinks in proportion to δ; a non-unique optimal face keeps its width.
    Unique iff the δ = 1e-8 width is <= 1e-9‖ŵ‖₂ (numerically a point) or <= 0.2 times the
    δ = 1e-6 width (it shrank ~100x with δ).
    """
    scale = float(np.linalg.norm(w))
    w6 = _face_width(Z, p, w, 1e-6) / scale
    w8 = _face_width(Z, p, w, 1e-8) / scale
    unique = w8 <= 1e-9 or w8 <= 0.2 * w6
    return unique, {"face_width": w8, "face_width_1e-6": w6}


def _cvxpy():
    # cvxpy takes seconds to import and is only needed for 1 < p < inf: import it on demand.
    import cvxpy

    return cvxpy


def _grad_half_sq(v: np.ndarray, r: float) -> np.ndarray:
    """∇ ½‖v‖_r² = ‖v‖_r^{2-r} sign(v)|v|^{r-1} (homogeneous of degree 1; stable scaling)."""
    m = float(np.abs(v).max())
    if m == 0.0:
        return np.zeros_like(v)
    u = v / m
    nr = float(_lp(u, r))
    return m * nr ** (2.0 - r) * np.sign(u) * np.abs(u) ** (r - 1.0)


def _hess_half_sq(v: np.ndarray, r: float) -> np.ndarray:
    """Hessian of ½‖v‖_r²: (r-1)‖v‖^{2-r}diag|v|^{r-2} + (2-r)‖v‖^{2-2r}uuᵀ, u = sign|v|^{r-1}.

    For r < 2 the diagonal is infinite where v_i = 0; it is set to 0 there (such coordinates
    only occur, in our use, for data columns that vanish, which the Hessian multiplies by 0).
    """
    m = float(np.abs(v).max())
    if m == 0.0:
        return np.eye(v.size)
    u0 = v / m
    nr = float(_lp(u0, r))
    u = np.sign(u0) * np.abs(u0) ** (r - 1.0)
    a = np.abs(u0)
    with np.errstate(divide="ignore"):
        diag = np.where(a > 0, a ** (r - 2.0), 0.0 if r < 2 else a ** (r - 2.0))
    return ((r - 1.0) * nr ** (2.0 - r) * np.diag(diag)
            + (2.0 - r) * nr ** (2.0 - 2.0 * r) * np.outer(u, u))


def _newton(F, x0: np.ndarray, iters: int = 60) -> np.ndarray:
    """Damped Newton (least-squares steps, backtracking on ‖F‖) for a square system."""
    x = x0.copy()
    f, J = F(x)
    fn = float(np.linalg.norm(f))
    for _ in range(iters):
        if fn <= 1e-15:
            break
        step = np.linalg.lstsq(J, -f, rcond=None)[0]
        s = 1.0
        while s > 1e-8:
            xn = x + s * step
            fnew, Jn = F(xn)
            fnn = float(np.linalg.norm(fnew))
            if np.isfinite(fnn) and fnn < fn:
                x, f, J, fn = xn, fnew, Jn, fnn
                break
            s /= 2
        else:
            break
    return x


def _polish_p(Z: np.ndarray, p: float, w0: np.ndarray, a0: np.ndarray, nrm: _Norm):
    """Newton on the KKT system for the exact p, on candidate active sets (cvxpy solves a
    rational approximation of p): in α (w = ∇½‖θ‖_q², θ = Z_Aᵀα) and in (w, α)."""
    q = dual_exponent(p)
    m = Z @ w0
    scale = max(float(a0.max()), 1e-300)
    cands, seen = [], set()
    for tol in (1e-6, 1e-8, 1e-4, 1e-3):
        cands.append(np.nonzero(m - 1.0 <= tol)[0])
    for tol in (1e-7, 1e-9, 1e-5):
        cands.append(np.nonzero(a0 > tol * scale)[0])
    best = None
    k = 0
    while k < len(cands):
        A = cands[k]
        k += 1
        key = tuple(A.tolist())
        if not A.size or key in seen:
            continue
        seen.add(key)
        ZA = Z[A]
        dA = ZA.shape[1]

        def Fd(a, ZA=ZA):
            th = ZA.T @ a
            return ZA @ _grad_half_sq(th, q) - 1.0, ZA @ _hess_half_sq(th, q) @ ZA.T

        def Fp(x, ZA=ZA, dA=dA):
            w_, a_ = x[:dA], x[dA:]
            f = np.concatenate([_grad_half_sq(w_, p) - ZA.T @ a_, ZA @ w_ - 1.0])
            J = np.block([[_hess_half_sq(w_, p), -ZA.T],
                          [ZA, np.zeros((ZA.shape[0], ZA.shape[0]))]])
            return f, J

        start = np.maximum(a0[A], 1e-3 * scale)
        # Both formulations: the dual one (w = ∇½‖θ‖_q²) is well conditioned when no θ_i is
        # near 0, the primal one when no w_i is; the certificate picks.
        aA = _newton(Fd, start)
        alpha = np.zeros(Z.shape[0])
        alpha[A] = aA
        x = _newton(Fp, np.concatenate([w0, start]))
        alpha_p = np.zeros(Z.shape[0])
        alpha_p[A] = x[dA:]
        for w, al in ((_grad_half_sq(Z.T @ alpha, q), alpha), (x[:dA], alpha_p)):
            if not np.all(np.isfinite(w)) or not np.all(np.isfinite(al)):
                continue
            mn = float((Z @ w).min())
            if mn > 0:
                w = w / mn
            cert = _certificate(Z, w, al, nrm)
            if best is None or cert.residual < best[2].residual:
                best = (w, al, cert)
        if best is not None and best[2].residual <= CERT_TOL * 1e-2:
            break
        neg = A[alpha[A] < 0]
        if neg.size:  # a wrong active set: drop the negative multipliers and retry
            cands.append(np.setdiff1d(A, neg))
    return best


def _solve_convex(Z: np.ndarray, p: float, nrm: _Norm, names: str):
    cp = _cvxpy()
    N, d = Z.shape
    w = cp.Variable(d)
    cons = [Z @ w >= 1]
    prob = cp.Problem(cp.Minimize(cp.pnorm(w, p)), cons)
    try:
        with warnings.catch_warnings():
            # cvxpy warns that pnorm is approximated (a rational p) and that a solution may be
            # inaccurate: both are handled below, by Newton polishing for the exact p and the
            # certificate, which decides.
            warnings.simplefilter("ignore", UserWarning)
            prob.solve(solver=cp.CLARABEL)
    except cp.error.SolverError as exc:
        raise SolverError(f"Clarabel failed on the l{p:g} margin program: {exc}") from None
    if prob.status in (cp.INFEASIBLE, cp.INFEASIBLE_INACCURATE):
        check_separable(Z, names=names)
        raise SolverError("Clarabel reports the margin program infeasible, but the data are "
                          "separable")
    if prob.status not in (cp.OPTIMAL, cp.OPTIMAL_INACCURATE) or w.value is None:
        raise SolverError(f"Clarabel returned status {prob.status!r}; refusing the answer")
    w0 = np.asarray(w.value, dtype=float)
    lam = np.asarray(cons[0].dual_value, dtype=float)
    t = float(_lp(w0, p))
    a0 = np.maximum(lam, 0.0) * t
    best = _polish_p(Z, p, w0, a0, nrm)
    if best is None:
        raise CertificateError(f"Newton polishing of the l{p:g} margin program failed "
                               f"(Clarabel status {prob.status!r})")
    return best[0], best[1], {"solver": "Clarabel + Newton", "status": prob.status}


def _solve(Z: np.ndarray, nrm: _Norm, names: str):
    """Unit-margin solution (w, α) of min ½‖w‖² s.t. Zw >= 1 for max|Z| ~ 1."""
    N, d = Z.shape
    if nrm.P is not None:
        L = np.linalg.cholesky(nrm.P)
        Zt = scipy.linalg.solve_triangular(L, Z.T, lower=True).T  # Z L^{-T}
        r = svm.max_margin(Zt, np.ones(N))
        w = scipy.linalg.solve_triangular(L.T, r.w, lower=False)
        return w, np.asarray(r.dual, dtype=float), {"solver": "SVM in u = L^T w"}
    if nrm.p == 2.0:
        r = svm.max_margin(Z, np.ones(N))
        return np.asarray(r.w), np.asarray(r.dual, dtype=float), {"solver": "theory.svm"}
    if nrm.p in (1.0, math.inf):
        return _solve_lp(Z, nrm.p, names)
    return _solve_convex(Z, nrm.p, nrm, names)


def _max_margin_Z(Z: np.ndarray, p, P, names: str = "points"):
    N, d = Z.shape
    nrm = _Norm(p, P, d)
    check_separable(Z, names=names, quick=True)
    s = float(np.abs(Z).max())
    Zs = Z / s
    try:
        ws, als, info = _solve(Zs, nrm, names)
    except SolverError:
        check_separable(Z, names=names)  # a failure on non-separable data is a witness
        raise
    cert = _certificate(Zs, ws, als, nrm)
    if cert.residual > CERT_TOL:
        raise CertificateError(
            f"the {nrm.label()} max-margin answer failed its certificate: residual "
            f"{cert.residual:.3g} > {CERT_TOL:g} ({dict(cert.conditions)})")
    if nrm.P is None and nrm.p in (1.0, math.inf):
        unique, extra = _lp_unique(Zs, nrm.p, ws)
        info.update(extra)
    else:
        unique = True
        info["unique_reason"] = "1/2||w||^2 is strictly convex"
    w = ws / s
    alpha = als / s**2
    cert = _certificate(Z, w, alpha, nrm)
    nw = float(nrm(w))
    support = np.nonzero(np.abs(Z @ w - 1.0) <= 1e-8)[0]
    return nrm, w, w / nw, 1.0 / nw, alpha, support, unique, cert, info


def max_margin(X, y, *, p=2, P=None) -> NormMaxMargin:
    """ŵ = argmin ½‖w‖² s.t. y_n x_nᵀw >= 1 for the norm ‖·‖_p (or ‖·‖_P), and γ = 1/‖ŵ‖.

    Claim kind: *exact limit* -- on separable data, exp loss, steepest descent w.r.t. this
    norm with bounded steps η_t <= 1/(B²L(w_t)), B = max_n ‖z_n‖_*, has γ(w_t) → γ (Gunasekar,
    Lee, Soudry & Srebro, ICML 2018, Sec. 3; p = 1: greedy coordinate descent; p = ∞: sign
    GD, and full-batch Adam (Zhang, Zou & Cao 2024); 1 < p < ∞: also p-GD (Sun et al. 2022);
    p = 2: GD, Soudry et al. 2018 Thm 3). See :data:`ALGORITHMS` and docs/geometry.md.

    Routes: p = 1, ∞ as LPs (scipy HiGHS, status checked); 1 < p < ∞ by cvxpy ``pnorm`` with
    Clarabel (status checked), then Newton-polished for the exact p; p = 2 (and ‖·‖_P after
    u = Lᵀw, P = LLᵀ) by :func:`theory.svm.max_margin`. The data are rescaled by max|z| first,
    so ``max_margin(c X, y).w == max_margin(X, y).w / c``. Every answer carries a certificate
    (:func:`certify`) with residual <= :data:`CERT_TOL`, else :class:`CertificateError`.
    ``unique`` for p = 1, ∞: re-solve with the objective tilted along two seeded random
    directions (in the ε → 0 limit: min and max of cᵀw over the δ-optimal face) for
    δ = 1e-6 and 1e-8; unique iff the face width shrinks with δ (or is below 1e-9‖ŵ‖₂).

    Raises :class:`NotSeparableError` (with a Gordan witness), :class:`NormError` (bad p, or
    p != 2 with P), :class:`NotPositiveDefiniteError`, and the input errors of
    :func:`theory.validate.binary_data`.

    >>> r = max_margin([[2.0, 1.0]], [1], p=math.inf)
    >>> r.w.round(6).tolist(), round(r.margin, 6), r.unique
    ([0.333333, 0.333333], 3.0, True)
    >>> r = max_margin([[1.0, 1.0]], [1], p=1)
    >>> round(r.margin, 6), r.unique
    (1.0, False)
    """
    _, _, Z = binary_data(X, y)
    nrm, w, direction, gamma, alpha, support, unique, cert, info = _max_margin_Z(Z, p, P)
    return NormMaxMargin(
        w=w, direction=direction, margin=gamma, p=nrm.p, dual=alpha, support=support,
        unique=unique, kind=Kind.EXACT_LIMIT, reference=_reference(nrm), certificate=cert,
        P=nrm.P, info=info)


def max_margin_multiclass(X, labels, *, p=math.inf, n_classes: int | None = None
                          ) -> NormMaxMargin:
    """K-class max margin of an entrywise norm: argmin ½‖W‖_p² s.t. (w_{y_n} - w_k)ᵀx_n >= 1.

    ‖W‖_p is the ℓp norm of vec(W) (p = ∞: max |W_kj|, the geometry of sign GD / Adam on a
    K×d weight matrix). Same result type as :func:`max_margin` with ``w`` of shape (K, d),
    ``dual`` of shape (N, K) (zero in column y_n) and ``support`` rows (n, k). Claim kind:
    *exact limit* of the margin (the steepest-descent theorem applied to vec(W)).

    >>> r = max_margin_multiclass([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]], [0, 1, 2])
    >>> r.w.shape, r.dual.shape
    ((3, 2), (3, 3))
    """
    Zmc, pairs, K = svm.multiclass_constraints(X, labels, n_classes)
    nrm, w, direction, gamma, alpha, support, unique, cert, info = _max_margin_Z(
        Zmc, p, None, names="(point, class) constraints")
    N, d = as_matrix(X).shape
    dual = np.zeros((N, K))
    dual[pairs[:, 0], pairs[:, 1]] = alpha
    return NormMaxMargin(
        w=w.reshape(K, d), direction=direction.reshape(K, d), margin=gamma, p=nrm.p,
        dual=dual, support=pairs[support], unique=unique, kind=Kind.EXACT_LIMIT,
        reference=_reference(nrm), certificate=cert, info=info)


# ---------------------------------------------------------------- regression: Bregman


@dataclass(frozen=True)
class Potential:
    """A strictly convex, separable mirror potential ψ(w) = Σ_i φ(w_i).

    ``name`` "l2": φ = ½w² (gradient descent); "lp": φ = |w|^p/p, 1 < p < ∞ (p-GD);
    "entropy": φ = w log w - w on w > 0 (exponentiated gradient; D_ψ is the generalized KL
    divergence Σ w log(w/w0) - w + w0). Build with :meth:`Potential.of`.
    """

    name: str
    p: float = 2.0

    def value(self, w: np.ndarray) -> float:
        w = np.asarray(w, dtype=float)
        if self.name == "entropy":
            return float(np.sum(w * np.log(w) - w))
        return float(np.sum(np.abs(w) ** self.p) / self.p)

    def grad(self, w: np.ndarray) -> np.ndarray:
        """∇ψ(w): the mirror map (w ↦ log w, or sign(w)|w|^{p-1})."""
        w = np.asarray(w, dtype=float)
        if self.name == "entropy":
            return np.log(w)
        return np.sign(w) * np.abs(w) ** (self.p - 1.0)

    def grad_inverse(self, theta: np.ndarray) -> np.ndarray:
        """(∇ψ)⁻¹(θ) = ∇ψ*(θ): exp θ, or sign(θ)|θ|^{1/(p-1)}."""
        theta = np.asarray(theta, dtype=float)
        if self.name == "entropy":
            return np.exp(theta)
        return np.sign(theta) * np.abs(theta) ** (1.0 / (self.p - 1.0))

    def conjugate_curvature(self, theta: np.ndarray) -> np.ndarray:
        """ψ*''(θ) coordinatewise: exp θ, or |θ|^{q-2}/(p-1)."""
        if self.name == "entropy":
            return np.exp(theta)
        with np.errstate(divide="ignore"):
            return np.abs(theta) ** (1.0 / (self.p - 1.0) - 1.0) / (self.p - 1.0)

    @classmethod
    def of(cls, spec) -> Potential:
        """The potential named by ``spec``: "l2", "entropy", ("lp", p) or a Potential.

        >>> Potential.of(("lp", 3))
        Potential(name='lp', p=3.0)
        """
        if isinstance(spec, Potential):
            spec = (spec.name, spec.p) if spec.name == "lp" else spec.name
        if isinstance(spec, str):
            if spec == "l2":
                return cls("l2", 2.0)
            if spec == "entropy":
                return cls("entropy", 1.0)
        elif isinstance(spec, tuple) and len(spec) == 2 and isinstance(spec[0], str) \
                and spec[0] == "lp":
            pv = check_p(spec[1])
            if not 1.0 < pv < math.inf:
                raise NormError("the lp potential (1/p)||w||_p^p needs 1 < p < inf, got "
                                f"{spec[1]!r} (p = 1 and inf are not strictly convex)")
            return cls("lp", pv)
        raise InvalidInputError(f"unknown potential {spec!r}: use 'l2', 'entropy' or "
                                "('lp', p) with 1 < p < inf")

    def divergence(self, w: np.ndarray, w0: np.ndarray) -> float:
        """D_ψ(w, w0) = ψ(w) - ψ(w0) - ⟨∇ψ(w0), w - w0⟩ (computed stably for the entropy)."""
        w = np.asarray(w, dtype=float)
        w0 = np.asarray(w0, dtype=float)
        if self.name == "entropy":
            return float(np.sum(w * np.log(w / w0) - w + w0))
        return self.value(w) - self.value(w0) - float(self.grad(w0) @ (w - w0))


@dataclass(frozen=True)
class BregmanInterpolant:
    """w = argmin D_ψ(w, w0) s.t. Xw = y, the regression limit of mirror descent with ψ.

    ``multiplier`` λ with ∇ψ(w) - ∇ψ(w0) = Xᵀλ; ``divergence`` = D_ψ(w, w0) (``value``);
    ``predictor`` = ``w``. Claim kind: *exact limit* -- mirror descent on the square loss from
    w0 with any step sizes for which it converges to a zero-loss point converges to w
    (Gunasekar et al., ICML 2018, Sec. 2). ``certificate``: ``interpolation`` = ‖Xw - y‖ /
    max(‖y‖, ‖X‖_F(‖w‖ + ‖w0‖)), ``mirror`` = ‖(I - Π_row)Δ‖/‖Δ‖ with Δ = ∇ψ(w) - ∇ψ(w0) and
    Π_row the orthogonal projector onto row(X) (0 if Δ = 0), ``domain`` (entropy: 0 iff w > 0).
    """

    w: np.ndarray
    w0: np.ndarray
    potential: Potential
    multiplier: np.ndarray
    divergence: float
    kind: Kind
    reference: Reference
    certificate: Certificate

    @property
    def predictor(self) -> np.ndarray:
        return self.w

    @property
    def value(self) -> float:
        return self.divergence


def _regression_data(X, y):
    A = as_matrix(X)
    try:
        v = np.asarray(y, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ShapeError(f"y must be a real vector: {exc}") from None
    if v.ndim != 1 or v.shape[0] != A.shape[0]:
        raise ShapeError(f"y must have shape ({A.shape[0]},), got {v.shape}")
    if not np.all(np.isfinite(v)):
        raise NonFiniteError("y contains NaN or inf")
    return A, v


def _row_space(A: np.ndarray):
    """Orthonormal basis V of row(A) and the SVD pieces (U, s) of A = U diag(s) Vᵀ."""
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    r = int(np.sum(s > s[0] * max(A.shape) * np.finfo(float).eps)) if s.size and s[0] > 0 else 0
    return U[:, :r], s[:r], Vt[:r].T


def _bregman_certificate(A, y, w, w0, pot: Potential, V) -> Certificate:
    # Scale of the solve: ‖y‖ and ‖X‖(‖w‖ + ‖w0‖) -- w0 enters because w is computed as
    # w0 + (correction), so a zero interpolant (y = 0) carries rounding of size ε‖X‖‖w0‖.
    scale = float(np.linalg.norm(A)) * (float(np.linalg.norm(w)) + float(np.linalg.norm(w0)))
    interp = float(np.linalg.norm(A @ w - y)) / max(float(np.linalg.norm(y)), scale, 1e-300)
    conds = {"interpolation": interp}
    if pot.name == "entropy":
        conds["domain"] = 0.0 if np.all(w > 0) else 1.0
        if not np.all(w > 0):
            conds["mirror"] = 1.0
            return Certificate.from_conditions(conds, note="w must be positive")
    delta = pot.grad(w) - pot.grad(w0)
    dn = float(np.linalg.norm(delta))
    perp = delta - V @ (V.T @ delta)
    conds["mirror"] = float(np.linalg.norm(perp)) / dn if dn > 0 else 0.0
    return Certificate.from_conditions(
        conds, note="X w = y and grad psi(w) - grad psi(w0) in row(X) (relative residuals)")


def bregman_interpolant(X, y, *, potential, w0=None) -> BregmanInterpolant:
    """argmin D_ψ(w, w0) s.t. Xw = y: where mirror descent with potential ψ ends (regression).

    ``potential``: "l2" (ψ = ½‖w‖², closed form w = w0 + X⁺(y - Xw0): min ‖w - w0‖),
    ("lp", p) (ψ = (1/p)‖w‖_p^p, 1 < p < ∞: p-GD), "entropy" (ψ = Σ w log w - w on w > 0;
    w0 must be > 0, else :class:`DomainError`), or a :class:`Potential` (see
    :meth:`Potential.of`). Default w0: 0 ("l2",
    "lp"), the all-ones vector ("entropy").

    Claim kind: *exact limit* (Gunasekar et al., ICML 2018, Sec. 2). Optimality (Lagrange):
    ∇ψ(w) - ∇ψ(w0) = Xᵀλ and Xw = y; for ("lp", p) and "entropy" λ minimizes the smooth
    convex dual ψ*(∇ψ(w0) + Xᵀλ) - yᵀλ (Newton's method in an orthonormal basis of row(X)).
    The answer's ``certificate`` must be <= 1e-9, else :class:`CertificateError`.

    Errors: Xw = y infeasible -> :class:`InfeasibleError` with a witness v, vᵀX = 0,
    vᵀy != 0; entropy with no w > 0 solving Xw = y -> :class:`InfeasibleError` whose witness
    v has Xᵀv >= 0, Xᵀv != 0 and vᵀy <= 0 (for w > 0, vᵀXw > 0 >= vᵀy).

    >>> r = bregman_interpolant([[1.0, 1.0]], [1.0], potential="entropy", w0=[1.0, 3.0])
    >>> r.w.round(6).tolist()
    [0.25, 0.75]
    """
    pot = Potential.of(potential)
    A, v = _regression_data(X, y)
    n, d = A.shape
    if w0 is None:
        w0a = np.ones(d) if pot.name == "entropy" else np.zeros(d)
    else:
        w0a = _vectors(w0, "w0", d)
        if w0a.ndim != 1:
            raise ShapeError(f"w0 must have shape ({d},), got {w0a.shape}")
    if pot.name == "entropy" and not np.all(w0a > 0):
        raise DomainError("the negative entropy lives on w > 0: w0 must be strictly positive "
                          f"(w0[{int(np.argmin(w0a))}] = {w0a.min()!r})")
    # Row scaling changes neither the constraint set nor the answer.
    rn = np.linalg.norm(A, axis=1)
    if np.any(rn == 0):
        i = int(np.nonzero(rn == 0)[0][0])
        if v[i] != 0:
            wit = np.zeros(n)
            wit[i] = 1.0
            raise InfeasibleError(f"row {i} of X is zero but y[{i}] = {v[i]!r}: X w = y has "
                                  "no solution", witness=wit)
        rn[i] = 1.0
    As, vs = A / rn[:, None], v / rn
    U, s, V = _row_space(As)
    b = U.T @ vs / s if s.size else np.zeros(0)  # X w = y  <=>  Vᵀw = b (if feasible)
    resid = vs - U @ (U.T @ vs)
    if float(np.linalg.norm(resid)) > 1e-10 * max(float(np.linalg.norm(vs)), 1e-300):
        wit = resid / rn
        wit = wit / float(np.abs(wit).max())
        raise InfeasibleError(
            "X w = y has no solution: the witness v (the part of y orthogonal to the range of "
            f"X) has v^T X = 0 and v^T y = {float(wit @ v):.6g} != 0", witness=wit)
    if pot.name == "l2":
        w = w0a + V @ (b - V.T @ w0a)
    else:
        if pot.name == "entropy":
            _entropy_feasible(As, vs, rn)
        theta0 = pot.grad(w0a)
        mu0 = np.zeros(V.shape[1])
        if pot.name == "lp":  # warm start at the l2 interpolant (theta0 = 0 stalls Newton)
            w_l2 = w0a + V @ (b - V.T @ w0a)
            mu0 = V.T @ (pot.grad(w_l2) - theta0)
        w = _bregman_newton(pot, V, b, theta0, mu0)
        if pot.name == "lp":
            # The dual is not twice differentiable where theta_i = 0 (for p > 2); Newton on
            # the primal KKT system (grad psi(w) - theta0 = V mu, V^T w = b) from the dual's
            # answer handles that case. The certificate picks the better answer.
            w2 = _bregman_kkt_newton(pot, V, b, theta0, w)
            if _bregman_certificate(A, v, w2, w0a, pot, V).residual < \
                    _bregman_certificate(A, v, w, w0a, pot, V).residual:
                w = w2
    cert = _bregman_certificate(A, v, w, w0a, pot, V)
    if cert.residual > 1e-9:
        raise CertificateError(f"the Bregman interpolant failed its certificate: "
                               f"{dict(cert.conditions)}")
    delta = pot.grad(w) - pot.grad(w0a)
    lam = np.linalg.lstsq(A.T, delta, rcond=None)[0]
    return BregmanInterpolant(
        w=w, w0=w0a, potential=pot, multiplier=lam, divergence=pot.divergence(w, w0a),
        kind=Kind.EXACT_LIMIT, reference=REFERENCES["mirror_regression"], certificate=cert)


def _entropy_feasible(A: np.ndarray, y: np.ndarray, rn: np.ndarray) -> None:
    """Raise InfeasibleError unless some w > 0 solves Aw = y (LP: max t s.t. w >= t, t <= 1)."""
    n, d = A.shape
    c = np.concatenate([np.zeros(d), [-1.0]])
    A_eq = np.hstack([A, np.zeros((n, 1))])
    A_ub = np.hstack([-np.eye(d), np.ones((d, 1))])
    res = scipy.optimize.linprog(c, A_ub=A_ub, b_ub=np.zeros(d), A_eq=A_eq, b_eq=y,
                                 bounds=[(None, None)] * d + [(None, 1.0)], method="highs")
    if res.status == 0 and -res.fun > 1e-12:
        return
    # Alternative: v with Aᵀv >= 0, 1ᵀAᵀv = 1, yᵀv <= 0.
    res2 = scipy.optimize.linprog(
        y, A_ub=np.vstack([-A.T, -y[None, :]]), b_ub=np.concatenate([np.zeros(d), [1.0]]),
        A_eq=(A.T.sum(axis=0))[None, :], b_eq=[1.0], bounds=[(None, None)] * n,
        method="highs")
    if res2.status != 0 or res2.fun > 1e-12:
        raise SolverError("could not decide whether X w = y has a positive solution "
                          f"({res.message}; {res2.message})")
    wit = res2.x / rn
    raise InfeasibleError(
        "no w > 0 solves X w = y (the negative entropy needs a positive interpolant): the "
        f"witness v has X^T v >= 0, X^T v != 0 and v^T y = {float(wit @ (y * rn)):.6g} <= 0",
        witness=wit)


def _bregman_kkt_newton(pot: Potential, V: np.ndarray, b: np.ndarray, theta0: np.ndarray,
                        w: np.ndarray) -> np.ndarray:
    """Newton on F(w, μ) = (∇ψ(w) - θ0 - Vμ, Vᵀw - b) for ψ = (1/p)Σ|w|^p."""
    d, r = V.shape

    def F(x):
        w_, mu_ = x[:d], x[d:]
        with np.errstate(divide="ignore"):
            curv = (pot.p - 1.0) * np.abs(w_) ** (pot.p - 2.0)
        curv = np.where(np.isfinite(curv), curv, 1e300)
        f = np.concatenate([pot.grad(w_) - theta0 - V @ mu_, V.T @ w_ - b])
        J = np.block([[np.diag(curv), -V], [V.T, np.zeros((r, r))]])
        return f, J

    mu = V.T @ (pot.grad(w) - theta0)
    x = _newton(F, np.concatenate([w, mu]))
    return x[:d]


def _bregman_newton(pot: Potential, V: np.ndarray, b: np.ndarray, theta0: np.ndarray,
                    mu0: np.ndarray):
    """Minimize F(μ) = Σ ψ*(θ0 + Vμ) - bᵀμ by damped Newton from μ0; return ∇ψ*(θ0 + Vμ)."""
    mu = mu0.copy()

    def conj(theta):
        if pot.name == "entropy":
            return float(np.sum(np.exp(theta)))
        q = pot.p / (pot.p - 1.0)
        return float(np.sum(np.abs(theta) ** q) / q)

    def F(m):
        return conj(theta0 + V @ m) - float(b @ m)

    f = F(mu)
    for _ in range(200):
        theta = theta0 + V @ mu
        w = pot.grad_inverse(theta)
        g = V.T @ w - b
        gn = float(np.linalg.norm(g))
        if gn <= 1e-15 * max(float(np.linalg.norm(b)), float(np.linalg.norm(w)), 1e-300):
            break
        curv = pot.conjugate_curvature(theta)
        curv = np.where(np.isfinite(curv), curv, 1e300)
        H = V.T @ (curv[:, None] * V)
        step = -np.linalg.lstsq(H, g, rcond=None)[0]
        s = 1.0
        while s > 1e-12:
            mn = mu + s * step
            fn = F(mn)
            if np.isfinite(fn) and fn <= f + 1e-4 * s * float(g @ step):
                break
            # near the optimum F changes below its rounding error: then accept a step that
            # reduces the gradient norm (Newton's local quadratic convergence)
            gnew = V.T @ pot.grad_inverse(theta0 + V @ mn) - b
            if np.isfinite(fn) and abs(fn - f) <= 1e-12 * max(abs(f), 1.0) \
                    and float(np.linalg.norm(gnew)) < 0.5 * gn:
                break
            s /= 2
        else:
            break
        mu, f = mn, fn
    return pot.grad_inverse(theta0 + V @ mu)


# ---------------------------------------------------- regression: steepest descent


_BAD_NUMBER = (ValueError, TypeError, ZeroDivisionError)

#: The counterexample design matrix (columns e1, e2, e1 + e2); see regression_counterexample.
COUNTEREXAMPLE_X = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]])


def smoothness_constant(X, *, p) -> float:
    """M = max_{‖v‖_p <= 1} ‖Xv‖₂², the smoothness of ½‖Xw - y‖² w.r.t. ‖·‖_p.

    p = 1: the largest squared column norm; p = 2: σ_max²; p = ∞: the maximum over the 2^d
    sign vectors (d <= 20). Steepest descent with step η <= 1/M decreases the loss:
    L(w + ηΔ) <= L(w) - η(1 - ηM/2)‖g‖_*².

    >>> X = COUNTEREXAMPLE_X
    >>> smoothness_constant(X, p=1), smoothness_constant(X, p=math.inf)
    (2.0, 8.0)
    """
    A = as_matrix(X)
    pv = check_p(p)
    if pv == 1.0:
        return float((A**2).sum(axis=0).max())
    if pv == 2.0:
        return float(np.linalg.norm(A, 2) ** 2)
    if pv == math.inf:
        d = A.shape[1]
        if d > 20:
            raise InvalidInputError("the l-inf smoothness constant enumerates 2^d sign vectors;"
                                    f" d = {d} > 20")
        signs = np.array(np.meshgrid(*[[-1.0, 1.0]] * d)).reshape(d, -1)
        return float(((A @ signs) ** 2).sum(axis=0).max())
    raise NormError("smoothness_constant is implemented for p in {1, 2, inf}")


@dataclass(frozen=True)
class RegressionLimit:
    """Where steepest descent on ½‖Xw - y‖² with constant step ``lr`` ends (float simulation).

    ``w`` = w_T after ``steps`` steps; ``error_bound`` bounds ‖w_∞ - w_T‖_p (in exact
    arithmetic; see :func:`regression_limit`). Claim kind: *exact limit* of the iteration,
    reference Gunasekar et al. 2018 Sec. 2. ``value`` = ‖w‖_p, ``predictor`` = ``w``.
    """

    w: np.ndarray
    steps: int
    error_bound: float
    lr: float
    p: float
    kind: Kind
    reference: Reference
    certificate: Certificate

    @property
    def predictor(self) -> np.ndarray:
        return self.w

    @property
    def value(self) -> float:
        return float(_lp(self.w, self.p))


def regression_limit(X, y, *, p, lr, w0=None, tol: float = 1e-13,
                     max_steps: int = 1_000_000) -> RegressionLimit:
    """Run ℓp steepest descent w ← w + η Δ(Xᵀ(Xw - y)) (:func:`steepest_step`) to its limit.

    Only for the regression counterexample (the numerics layer owns the training loops).
    ``p`` in {1, 2, ∞}; X of full row rank; 0 < lr <= 1/M (:func:`smoothness_constant`), else
    :class:`StepSizeError` naming the bound. With c = σ_min(X)²/d (p = 1) or σ_min(X)²
    (p = 2, ∞), c‖r‖² <= ‖Xᵀr‖_*², the loss contracts by ρ = 1 - 2ηc(1 - ηM/2) per step and
    ‖w_∞ - w_T‖_p <= Σ_{s>=T} η‖g_s‖_* <= η√(2M L(w_T))/(1 - √ρ) =: ``error_bound``; the loop
    stops when it is <= tol·max(1, ‖w_T‖_p). Ties of the ℓ1 argmax are broken on the float
    values (smallest index).

    >>> r = regression_limit(COUNTEREXAMPLE_X, [4.0, 1.0], p=1, lr=0.25)
    >>> r.w.round(10).tolist(), r.error_bound < 1e-12
    ([2.75, -0.25, 1.25], True)
    """
    A, v = _regression_data(X, y)
    pv = check_p(p)
    if pv not in (1.0, 2.0, math.inf):
        raise NormError("regression_limit is implemented for p in {1, 2, inf}")
    n, d = A.shape
    sv = np.linalg.svd(A, compute_uv=False)
    if n > d or sv[-1] <= 1e-12 * sv[0]:
        raise InvalidInputError("regression_limit needs X of full row rank (n <= d)")
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not math.isfinite(lr) \
            or lr <= 0:
        raise InvalidInputError(f"lr must be a positive finite number, got {lr!r}")
    M = smoothness_constant(A, p=pv)
    if lr > 1.0 / M * (1 + 1e-12):
        raise StepSizeError(f"lr = {lr!r} exceeds the descent bound 1/M = {1.0 / M:.6g} "
                            "(M = max_{||v||_p<=1} ||Xv||^2)", bound=1.0 / M)
    c = sv[-1] ** 2 / (d if pv == 1.0 else 1.0)
    rho = max(0.0, 1.0 - 2.0 * lr * c * (1.0 - lr * M / 2.0))
    denom = 1.0 - math.sqrt(rho)
    w = np.zeros(d) if w0 is None else _vectors(w0, "w0", d).astype(float).copy()
    bound = math.inf
    t = 0
    for t in range(max_steps + 1):  # noqa: B007
        r = A @ w - v
        L = 0.5 * float(r @ r)
        bound = lr * math.sqrt(2.0 * M * L) / denom
        if bound <= tol * max(1.0, float(_lp(w, pv))):
            break
        if t == max_steps:
            raise SolverError(f"regression_limit did not converge in {max_steps} steps "
                              f"(error bound {bound:.3g})")
        w = w + lr * steepest_step(A.T @ r, p=pv)
    interp = float(np.linalg.norm(A @ w - v)) / max(float(np.linalg.norm(v)), 1e-300)
    cert = Certificate.from_conditions(
        {"interpolation": interp, "tail": bound},
        note="||Xw - y||/||y|| and the tail bound on ||w_inf - w_T||_p")
    return RegressionLimit(w=w, steps=t, error_bound=bound, lr=float(lr), p=pv,
                           kind=Kind.EXACT_LIMIT, reference=REFERENCES["steepest_regression"],
                           certificate=cert)


def one_point_limit(x, y, *, p, w0=None) -> np.ndarray:
    """n = 1: the limit w0 + ((y - xᵀw0)/‖x‖_*) v*, v* = argmax_{‖v‖<=1} xᵀv, of ℓp steepest
    descent on ½(xᵀw - y)², for **every** step 0 < η < 2/‖x‖_*².

    With one example the gradient is r·x, so every step moves along the same v* (tie-breaks
    as in :func:`steepest_direction`) and the residual obeys r ← (1 - η‖x‖_*²) r. The limit
    does not depend on η and is a minimizer of ‖w - w0‖ s.t. xᵀw = y: the conjecture
    "steepest descent in regression converges to the min-norm interpolant of its norm" holds
    for n = 1. Counterexamples need n >= 2 (:func:`regression_counterexample`).

    >>> one_point_limit([1.0, 2.0], 1.0, p=math.inf).tolist()
    [0.3333333333333333, 0.3333333333333333]
    """
    xv = _vectors(x, "x")
    if xv.ndim != 1:
        raise ShapeError(f"x must be one example of shape (d,), got {xv.shape}")
    d = xv.size
    try:
        yv = float(y)
    except (TypeError, ValueError):
        raise ShapeError(f"y must be one real number, got {y!r}") from None
    if not math.isfinite(yv):
        raise NonFiniteError("y is NaN or inf")
    w0a = np.zeros(d) if w0 is None else _vectors(w0, "w0", d)
    nrm = _Norm(p, None, d)
    xs = float(nrm.dual(xv))
    if xs == 0:
        if yv == 0:
            return w0a.copy()
        raise InfeasibleError(f"x = 0 and y = {yv!r}: x^T w = y has no solution",
                              witness=np.ones(1))
    vstar = -steepest_direction(xv, p=p)
    return w0a + (yv - float(xv @ w0a)) / xs * vstar


@dataclass(frozen=True)
class RegressionCounterexample:
    """Two step sizes, two different limits, neither the min-norm interpolant (exact).

    Instance: X = COUNTEREXAMPLE_X = [[1, 0, 1], [0, 1, 1]], y = (a, b), a > b > 0, w0 = 0.
    ``limits[i]`` is the exact limit (Fractions) for step ``lrs[i]``, ``norms[i]`` its ℓp norm,
    ``min_norm`` the unique min-‖·‖_p interpolant with value ``min_value``; ``phase1[i]`` the
    number of initial steps along the shared column (e1 + e2). Properties: ``differ`` (the
    limits are pairwise distinct) and ``refutes`` (every limit has norm > min_value).
    Claim kind *exact limit* (of each run); ``value`` = min_i norms[i] - min_value > 0.
    """

    X: np.ndarray
    y: tuple
    p: float
    lrs: tuple
    limits: tuple
    norms: tuple
    min_norm: tuple
    min_value: Fraction
    phase1: tuple
    kind: Kind
    reference: Reference

    @property
    def differ(self) -> bool:
        return len(set(self.limits)) == len(self.limits)

    @property
    def refutes(self) -> bool:
        return all(nv > self.min_value for nv in self.norms)

    @property
    def predictor(self) -> tuple:
        return self.limits

    @property
    def value(self) -> Fraction:
        return min(self.norms) - self.min_value

    @property
    def certificate(self) -> Certificate:
        resid = [max(abs(w[0] + w[2] - self.y[0]), abs(w[1] + w[2] - self.y[1]))
                 for w in self.limits]
        return Certificate.from_conditions(
            {"interpolation": float(max(resid))}, exact=True,
            note="exact rational limits; X w = y checked in exact arithmetic")


def regression_counterexample(*, p=math.inf, a=4, b=1, lrs=None) -> RegressionCounterexample:
    """Exact limits of ℓ1 (greedy coordinate) / ℓ∞ (sign) steepest descent on ½‖Xw - y‖².

    X = [[1, 0, 1], [0, 1, 1]] (columns e1, e2, e1 + e2), y = (a, b) rational, a > b > 0,
    w0 = 0; r = Xw - y, s = r1 + r2, D = r1 - r2 = b - a.

    * **p = 1** (greedy coordinate descent, step η < 1/2 = 1/M): while r1, r2 < 0 the third
      coordinate is chosen (|r1 + r2| > |r1|, |r2|) and s ← (1 - 2η)s with D fixed; after the
      first K steps with (a + b)ρ^K < a - b (ρ = 1 - 2η) the residual signs differ, only
      coordinates 1 and 2 move (each r_i ← (1 - η)r_i, no sign change), so
      w∞ = (a - w3, b - w3, w3), w3 = ½(a + b)(1 - ρ^K) > b. The min-ℓ1 interpolant is
      (a - b, 0, b) (value a); ‖w∞‖₁ = a - b + w3 > a.
    * **p = ∞** (sign descent, step η < 1/8 = 1/M): while r1, r2 < 0, w moves along (1, 1, 1)
      and s ← (1 - 8η)s; after K steps ((a + b)ρ^K < a - b, ρ = 1 - 8η) it moves along
      (1, -1, 1) / (1, -1, -1) only, each shrinking one residual by (1 - 4η); so
      w∞ = (c + (a - b)/2, c - (a - b)/2, c + (a + b)ρ^K/2), c = (a + b)(1 - ρ^K)/4. The unique
      min-ℓ∞ interpolant is (a/2, b - a/2, a/2) (value a/2); ‖w∞‖_∞ = a - w3 > a/2.

    Both limits depend on η through ρ^K and never equal the min-norm interpolant (equality
    needs (a + b)ρ^K = a - b exactly: a tie in the argmax/sign, refused). Default steps:
    (1/4, 1/8) for p = 1 and (1/16, 1/32) for p = ∞ (all <= 1/M). This refutes "steepest
    descent in regression converges to the min-norm interpolant of its norm" (Gunasekar et
    al., ICML 2018, Sec. 2); it needs n >= 2, see :func:`one_point_limit`.

    >>> ce = regression_counterexample(p=1)
    >>> [[str(v) for v in w] for w in ce.limits], str(ce.min_value), ce.differ, ce.refutes
    ([['11/4', '-1/4', '5/4'], ['93/32', '-3/32', '35/32']], '4', True, True)
    """
    pv = check_p(p)
    if pv not in (1.0, math.inf):
        raise NormError("regression_counterexample is for p = 1 (coordinate descent) or "
                        "p = inf (sign descent)")
    try:
        A, B = to_rational(a), to_rational(b)
    except _BAD_NUMBER as exc:
        raise InvalidInputError(f"a and b must be rational numbers: {exc}") from None
    if not A > B > 0:
        raise InvalidInputError(f"the instance needs a > b > 0, got a = {a!r}, b = {b!r}")
    if lrs is None:
        lrs = (Fraction(1, 4), Fraction(1, 8)) if pv == 1.0 else (Fraction(1, 16),
                                                                 Fraction(1, 32))
    bound = Fraction(1, 2) if pv == 1.0 else Fraction(1, 8)
    etas = []
    for lr in lrs:
        try:
            e = to_rational(lr)
        except _BAD_NUMBER as exc:
            raise InvalidInputError(f"step sizes must be rational numbers: {exc}") from None
        if not 0 < e < bound:
            raise StepSizeError(f"the exact analysis needs 0 < lr < {bound} (= 1/M), got {lr!r}",
                                bound=float(bound))
        etas.append(e)
    limits, norms, phases = [], [], []
    for e in etas:
        rho = 1 - 2 * e if pv == 1.0 else 1 - 8 * e
        K, pw = 0, Fraction(1)
        while True:
            K += 1
            pw *= rho
            lhs = (A + B) * pw
            if lhs == A - B:
                raise InvalidInputError(f"lr = {e} makes (a + b) rho^K = a - b at K = {K}: a "
                                        "tie in the steepest direction; choose another step")
            if lhs < A - B:
                break
        if pv == 1.0:
            w3 = (A + B) * (1 - pw) / 2
            w = (A - w3, B - w3, w3)
            nv = abs(w[0]) + abs(w[1]) + abs(w[2])
        else:
            c = (A + B) * (1 - pw) / 4
            w = (c + (A - B) / 2, c - (A - B) / 2, c + (A + B) * pw / 2)
            nv = max(abs(v) for v in w)
        limits.append(w)
        norms.append(nv)
        phases.append(K)
    if pv == 1.0:
        wmin, vmin = (A - B, Fraction(0), B), A
    else:
        wmin, vmin = (A / 2, B - A / 2, A / 2), A / 2
    return RegressionCounterexample(
        X=COUNTEREXAMPLE_X.copy(), y=(A, B), p=pv, lrs=tuple(etas), limits=tuple(limits),
        norms=tuple(norms), min_norm=wmin, min_value=vmin, phase1=tuple(phases),
        kind=Kind.EXACT_LIMIT, reference=REFERENCES["steepest_regression"])

"""Depth-L linear convnets -> the 2/L quasi-norm of the DFT (Gunasekar, Lee, Soudry & Srebro,
NeurIPS 2018, main theorem).

A depth-L circular linear convnet with full-width filters w_1..w_L computes ⟨x, β⟩ with
β̂ = Fβ = ŵ_1 ⊙ ⋯ ⊙ ŵ_L (F the unitary DFT, docs/convnet.md). Its representation cost is
min Σ‖w_l‖² = L·Σ_m |β̂[m]|^{2/L}, and gradient descent on separable data converges in direction
to a first-order stationary point of

    (P_L)  min ‖Fβ‖_{2/L}  s.t.  y_n⟨x_n, β⟩ >= 1.

Claim kinds: L = 1 the L2 SVM and L = 2 the DFT-ℓ1 minimum (convex: *global minimum*);
L >= 3 *stationary point, not global* (which one depends on the initialization:
:func:`single_example` shows GD landing on a non-global one). No JAX is imported here.
"""

from __future__ import annotations

import dataclasses
import warnings
from dataclasses import dataclass

import numpy as np
import scipy.optimize

from . import svm
from .errors import (
    CertificateError,
    InvalidInputError,
    NonFiniteError,
    NotSeparableError,
    ShapeError,
    SolverError,
)
from .results import REFERENCES, Certificate, Kind, Reference
from .validate import binary_data, check_depth, check_separable

__all__ = [
    "dft",
    "penalty",
    "quasi_norm",
    "cost",
    "Stationarity",
    "stationarity",
    "ConvMaxMargin",
    "max_margin",
    "SingleExample",
    "single_example",
    "frequency_classes",
    "factorize",
]

GLOBAL = Kind.GLOBAL_MINIMUM
#: L >= 3: only a stationary point of the non-convex (P_L) (the theorem names no global one)
STATIONARY = Kind.STATIONARY_POINT


def dft(v) -> np.ndarray:
    """The unitary DFT along the last axis: (Fv)[m] = D^{-1/2} Σ_d v[d] e^{-2πi md/D}."""
    return np.fft.fft(np.asarray(v, dtype=float), norm="ortho", axis=-1)


def penalty(beta, depth: int) -> np.ndarray:
    """Σ_m |β̂[m]|^{2/L} over all D bins (a conjugate pair counts twice); batched over leading
    axes. The representation cost of a depth-L convnet is ``depth * penalty``.

    >>> float(penalty([1.0, 0.0, 0.0, 0.0], 2))  # β̂ = (1/2, 1/2, 1/2, 1/2)
    2.0
    """
    L = check_depth(depth)
    return np.sum(np.abs(dft(beta)) ** (2.0 / L), axis=-1)


def quasi_norm(beta, depth: int) -> np.ndarray:
    """‖Fβ‖_{2/L} = (Σ_m |β̂[m]|^{2/L})^{L/2} (a norm for L <= 2, a quasi-norm for L >= 3)."""
    L = check_depth(depth)
    return penalty(beta, L) ** (L / 2.0)


def cost(beta, depth: int) -> np.ndarray:
    """min{Σ_l ‖w_l‖² : the convnet computes β} = L·Σ_m |β̂[m]|^{2/L} (docs/convnet.md)."""
    return check_depth(depth) * penalty(beta, depth)


def factorize(beta, depth: int) -> np.ndarray:
    """Real filters (L, D) with ŵ_1 ⊙ ⋯ ⊙ ŵ_L = β̂ attaining min Σ‖w_l‖² = L·Σ|β̂|^{2/L}.

    |ŵ_l[m]| = |β̂[m]|^{1/L} and the phase of β̂[m] split evenly over the layers, conjugate-
    symmetric so the filters are real; on the real bins (0 and D/2) a negative β̂[m] is
    carried by one sign flip (L even) or by every layer (L odd).

    >>> w = factorize([1.0, 2.0, 0.0, -1.0], 3)
    >>> bool(np.allclose(np.prod(dft(w), axis=0), dft([1.0, 2.0, 0.0, -1.0])))
    True
    """
    L = check_depth(depth)
    bh = dft(beta)
    D = bh.size
    mod = np.abs(bh) ** (1.0 / L)
    W = np.empty((L, D), complex)
    for m in range(D):
        if m == 0 or 2 * m == D:  # real bin: real factors
            sign = np.sign(bh[m].real) or 1.0
            f = np.full(L, mod[m])
            if sign < 0:
                f = -f if L % 2 else np.concatenate([[-mod[m]], np.full(L - 1, mod[m])])
            W[:, m] = f
        else:
            W[:, m] = mod[m] * np.exp(1j * np.angle(bh[m]) / L)
    # conjugate symmetry for m > D/2 (the phases of bin D - m are the negatives)
    for m in range(D // 2 + 1, D):
        W[:, m] = np.conj(W[:, D - m])
    return np.fft.ifft(W, norm="ortho", axis=-1).real


def frequency_classes(D: int) -> list[tuple[int, ...]]:
    """The bins grouped by conjugation: (0,), (1, D-1), (2, D-2), ..., (D/2,) for even D."""
    out = []
    for m in range(D // 2 + 1):
        out.append((m,) if (m == 0 or 2 * m == D) else (m, D - m))
    return out


# ---------------------------------------------------------------------- stationarity


@dataclass(frozen=True)
class Stationarity:
    """KKT certificate of (P_L) at β (docs/convnet.md, "Checkable stationarity").

    β is rescaled to unit margin (``scale`` = the factor applied); ``active`` are the points
    with margin <= 1 + active_tol; ``alpha`` >= 0 (NNLS, zero off ``active``) makes
    z = Σ α_n y_n x_n satisfy ẑ[m] = β̂[m]|β̂[m]|^{2/L-2} on ``support`` bins.
    ``support_residual`` = ‖ẑ - target‖/‖target‖ there; ``offsupport`` = max(0, max|ẑ[m]| - 1)
    over zero bins (L = 2 only; 0 otherwise); ``euler_gap`` = |Σα - Σ_S|β̂|^{2/L}|/Σ_S|β̂|^{2/L}
    over the support bins S;
    ``residual`` is the largest of the three.
    """

    beta: np.ndarray
    scale: float
    alpha: np.ndarray
    active: np.ndarray
    support: np.ndarray
    support_residual: float
    offsupport: float
    euler_gap: float

    @property
    def residual(self) -> float:
        return max(self.support_residual, self.offsupport, self.euler_gap)

    def rescaled(self, beta, c: float, depth: int) -> Stationarity:
        """This certificate, computed on data X/c, restated for X: β at unit margin is β_c/c
        and, with p = 2/L, the target β̂|β̂|^{p-2} scales by c^{1-p} while z = Σα y x scales
        by c·α, so α = c^{-p}·α_c; the relative residuals are scale-free."""
        return dataclasses.replace(self, beta=np.asarray(beta), scale=self.scale / c,
                                   alpha=self.alpha * c ** (-2.0 / depth))


def _certificate(b, Z, L, active, sup):
    bh = dft(b)
    mod = np.abs(bh)
    p = 2.0 / L
    target = bh[sup] * mod[sup] ** (p - 2)
    Zh = dft(Z[active])  # (|A|, D): ẑ = Σ α_n Zh[n]
    A = np.vstack([Zh[:, sup].real.T, Zh[:, sup].imag.T])
    rhs = np.concatenate([target.real, target.imag])
    a_act, _ = scipy.optimize.nnls(A, rhs)
    alpha = np.zeros(Z.shape[0])
    alpha[active] = a_act
    zh = alpha @ dft(Z)
    tn = np.linalg.norm(target)
    sres = float(np.linalg.norm(zh[sup] - target) / tn) if tn > 0 else 1.0
    off = 0.0
    if L == 2:
        zero = np.setdiff1d(np.arange(b.size), sup)
        if zero.size:
            off = max(0.0, float(np.abs(zh[zero]).max()) - 1.0)
    pen = float(np.sum(mod[sup] ** p))  # on the support (off-support bins are tolerance)
    euler = abs(float(alpha.sum()) - pen) / pen
    return alpha, sres, off, euler


_TOLS = tuple(10.0**-k for k in range(12, 0, -1))


def stationarity(beta, X, y, depth: int, *, active_tol: float | None = None,
                 support_tol: float | None = None) -> Stationarity:
    """First-order (KKT) certificate of β for (P_L); see :class:`Stationarity`.

    Claim kind: a certificate, not a prediction. The active set is {n : margin <= 1 + active_tol}
    and the support bins {m : |β̂[m]| > support_tol·max|β̂|}; a tolerance left as None is chosen
    from 1e-12, 1e-11, ..., 1e-1 to minimize the residual (a trained β is only approximately
    at unit margin on its support points, by an amount that shrinks as training proceeds).
    For L = 1 it reduces to the SVM condition β = z (every bin is a support bin).

    >>> c = stationarity([0.5, -1.0], [[2.0, 0.0], [0.0, 1.0]], [1, -1], 1)
    >>> c.residual < 1e-12, c.active.tolist()
    (True, [0, 1])
    """
    L = check_depth(depth)
    _, _, Z = binary_data(X, y)
    b = np.asarray(beta, dtype=float)
    if b.shape != (Z.shape[1],):
        raise ShapeError(f"beta must have shape ({Z.shape[1]},), got {b.shape}")
    if not np.all(np.isfinite(b)):
        raise InvalidInputError("beta contains NaN or inf")
    m = Z @ b
    if m.min() <= 0:
        raise InvalidInputError(
            f"beta does not separate the data (min margin {m.min():.3g} <= 0)")
    scale = 1.0 / m.min()
    b = b * scale
    m = m * scale
    mod = np.abs(dft(b))
    best = None
    seen = set()
    for at in (_TOLS if active_tol is None else (active_tol,)):
        active = np.nonzero(m <= 1 + at)[0]
        for st in ((None,) if L == 1 else _TOLS if support_tol is None else (support_tol,)):
            sup = np.arange(b.size) if st is None else np.nonzero(mod > st * mod.max())[0]
            key = (tuple(active), tuple(sup))
            if key in seen:
                continue
            seen.add(key)
            alpha, sres, off, euler = _certificate(b, Z, L, active, sup)
            cert = Stationarity(beta=b, scale=scale, alpha=alpha, active=active, support=sup,
                                support_residual=sres, offsupport=off, euler_gap=euler)
            if best is None or cert.residual < best.residual:
                best = cert
    return best


# ---------------------------------------------------------------------- max margin


@dataclass(frozen=True)
class ConvMaxMargin:
    """A solution of (P_L) at unit margin: ``beta``, ``beta_hat``, ``penalty`` = Σ|β̂|^{2/L},
    ``direction`` = β/‖β‖, ``kind`` (``Kind.GLOBAL_MINIMUM`` for L <= 2,
    ``Kind.STATIONARY_POINT`` for L >= 3), ``stationarity`` (:class:`Stationarity`) and
    ``certificate`` (its residuals as a :class:`~implicit_bias.theory.results.Certificate`)."""

    beta: np.ndarray
    beta_hat: np.ndarray
    depth: int
    penalty: float
    direction: np.ndarray
    kind: Kind
    stationarity: Stationarity
    reference: Reference = REFERENCES["convnet"]

    @property
    def predictor(self) -> np.ndarray:
        """The predicted object: β at unit margin."""
        return self.beta

    @property
    def value(self) -> float:
        """The penalty Σ_m |β̂[m]|^{2/L} (the representation cost is depth x penalty)."""
        return self.penalty

    @property
    def certificate(self) -> Certificate:
        """The KKT certificate of (P_L) (:class:`Stationarity`), residual one number."""
        c = self.stationarity
        return Certificate.from_conditions(
            {"support": c.support_residual, "off-support": c.offsupport, "euler": c.euler_gap},
            note=f"KKT of (P_{self.depth}) on support bins {c.support.tolist()}, active points "
                 f"{c.active.tolist()}")


def _dft_matrices(D: int):
    F = np.fft.fft(np.eye(D), norm="ortho", axis=0)  # F @ v = fft(v, ortho)
    return F.real, F.imag


def _weighted_l1(Z: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """argmin Σ_m weights[m]·|β̂[m]| s.t. Zβ >= 1 (an SOCP; cvxpy + Clarabel)."""
    import cvxpy as cp

    D = Z.shape[1]
    C, S = _dft_matrices(D)
    beta = cp.Variable(D)
    mods = cp.norm(cp.vstack([C @ beta, S @ beta]), 2, axis=0)
    prob = cp.Problem(cp.Minimize(weights @ mods), [Z @ beta >= 1])
    # The KKT certificate is computed from this answer, so ask for tight tolerances first and
    # relax them (never accepting "optimal_inaccurate") when Clarabel cannot reach them.
    status = None
    for tol in (1e-12, 1e-10, 1e-8):
        try:
            with warnings.catch_warnings():  # "inaccurate" is handled by the ladder itself
                warnings.filterwarnings("ignore", message="Solution may be inaccurate")
                prob.solve(solver=cp.CLARABEL, tol_gap_abs=tol, tol_gap_rel=tol, tol_feas=tol)
        except cp.error.SolverError as exc:
            raise SolverError(f"Clarabel failed on the DFT-l1 SOCP: {exc}") from None
        status = prob.status
        if status == cp.OPTIMAL:
            break
    else:
        raise SolverError(f"Clarabel returned status {status!r} for the DFT-l1 SOCP")
    return np.asarray(beta.value, dtype=float)


def _unit_margin(Z, b):
    return b / np.min(Z @ b)


def max_margin(X, y, depth: int, *, beta0=None, iters: int = 60,
               tol: float = 1e-6) -> ConvMaxMargin:
    """A solution of (P_L) min ‖Fβ‖_{2/L} s.t. y_n⟨x_n, β⟩ >= 1, with its KKT certificate.

    * depth 1: the L2 SVM (:func:`theory.svm.max_margin`); *global minimum*.
    * depth 2: min Σ_m |β̂[m]| (sum of complex moduli), an SOCP solved by Clarabel, status
      checked; *global minimum*.
    * depth >= 3: a *stationary point, not global*: iteratively reweighted ℓ1 (a
      majorize-minimize scheme for the concave Σ(|β̂|+ε)^{2/L}, ε → 0) from ``beta0`` (default:
      the depth-2 solution), stopped when the certificate residual is <= ``tol``.

    Gunasekar et al. (NeurIPS 2018), main theorem: GD on a depth-L linear convnet converges in
    direction to a first-order stationary point of this problem.

    >>> r = max_margin([[1.0, 0.0, 0.0, 0.0]], [1], 2)
    >>> str(r.kind), round(float(r.penalty), 6)
    ('global minimum', 2.0)
    """
    L = check_depth(depth)
    _, _, Z = binary_data(X, y)
    if L == 1:
        s = svm.max_margin(X, y)
        cert = stationarity(s.w, X, y, 1)
        return ConvMaxMargin(s.w, dft(s.w), 1, float(penalty(s.w, 1)), s.direction, GLOBAL,
                             cert)
    check_separable(Z)
    # solve on data rescaled to max|z| = 1 (β(cX) = β(X)/c: the answer is positively
    # homogeneous for any scale float64 holds); β returns to the caller's scale at the end
    scale = float(np.max(np.abs(Z)))
    Zs = Z / scale
    Xs = np.asarray(binary_data(X, y)[0]) / scale
    if L == 2 or beta0 is None:
        b2 = _unit_margin(Zs, _weighted_l1(Zs, np.ones(Z.shape[1])))
    if L == 2:
        cert = stationarity(b2, Xs, y, 2)
        b2 = b2 / scale
        return ConvMaxMargin(b2, dft(b2), 2, float(penalty(b2, 2)),
                             b2 / np.linalg.norm(b2), GLOBAL, cert.rescaled(b2, scale, 2))
    b = b2 if beta0 is None else _unit_margin(Zs, np.asarray(beta0, dtype=float))
    p = 2.0 / L
    best = None
    eps = 1e-2 * np.abs(dft(b)).max()
    for _ in range(iters):
        w = p * (np.abs(dft(b)) + eps) ** (p - 1)
        b = _unit_margin(Zs, _weighted_l1(Zs, w / w.max()))
        cert = stationarity(b, Xs, y, L)
        if best is None or cert.residual < best[1].residual:
            best = (b, cert)
        if cert.residual <= tol:
            break
        eps *= 0.3
    b, cert = best
    if cert.residual > 1e3 * tol:
        raise CertificateError(
            f"reweighted l1 did not reach a stationary point (residual {cert.residual:.2e})")
    b = b / scale
    return ConvMaxMargin(b, dft(b), L, float(penalty(b, L)), b / np.linalg.norm(b),
                         STATIONARY, cert.rescaled(b, scale, L))


# ---------------------------------------------------------------------- one example


@dataclass(frozen=True)
class SingleExample:
    """Closed forms for one example x (y = +1) and a depth-L convnet (docs/convnet.md).

    ``classes``: the frequency classes (bins closed under conjugation); ``costs[i]``: the
    penalty Σ|β̂|^{2/L} of the unit-margin stationary point supported on ``classes[i]``
    (inf where x̂ vanishes); ``global_class``: the class of the global minimum;
    ``gf_class``: the class gradient flow picks from a balanced initialization with
    per-bin magnitudes ``r0`` (argmax |x̂[m]|·r_m(0)^{L-2}), or None without ``r0``.
    """

    x_hat: np.ndarray
    depth: int
    classes: list
    costs: np.ndarray
    global_class: tuple
    global_cost: float
    gf_class: tuple | None
    #: the hypothesis under which ``gf_class`` is predicted (:data:`ALIGNED`)
    assumption: str = ""
    kind: Kind = Kind.STATIONARY_POINT
    reference: Reference = REFERENCES["convnet"]

    @property
    def predictor(self):
        """The predicted object: the class gradient flow ends on (None without ``r0``)."""
        return self.gf_class

    @property
    def value(self) -> float:
        """The global minimum of the penalty (closed form)."""
        return self.global_cost

    @property
    def certificate(self) -> Certificate:
        """Closed forms, exact up to floating-point evaluation."""
        return Certificate(0.0, {}, exact=False, note="closed forms (docs/convnet.md)")

    def stationary_point(self, bins) -> np.ndarray:
        """The unit-margin stationary β on a conjugate-closed set of bins (L >= 3; for L = 2
        a minimizer on one class): β̂[m] ∝ e^{i arg x̂[m]} |x̂[m]|^{-L/(L-2)}."""
        L = self.depth
        bins = sorted(set(int(m) for m in bins))
        D = self.x_hat.size
        if any((D - m) % D not in bins for m in bins):
            raise InvalidInputError(f"bins {bins} are not closed under m -> D - m")
        xh = self.x_hat
        if np.any(np.abs(xh[bins]) == 0):
            raise InvalidInputError("x̂ vanishes on a chosen bin: no stationary point there")
        mag = np.ones(len(bins)) if L == 2 else np.abs(xh[bins]) ** (-L / (L - 2))
        bh = np.zeros(D, complex)
        bh[bins] = mag * np.exp(1j * np.angle(xh[bins]))
        beta = np.fft.ifft(bh, norm="ortho").real
        x = np.fft.ifft(xh, norm="ortho").real
        return beta / (x @ beta)


#: the hypothesis of the gradient-flow rule (stated in every SingleExample with a prediction)
ALIGNED = ("the initialization is balanced (|w_hat_l[m]| = r0[m] in every layer) and its "
           "phases are aligned with x_hat: sum_l phi_l[m] = arg x_hat[m] on every bin with "
           "x_hat[m] != 0 (balanced_init's default phases 0 align only where x_hat is real "
           "and positive)")


def single_example(x, depth: int, *, r0=None, phases=None) -> SingleExample:
    """Stationary points, minima and the gradient-flow pick for one example (docs/convnet.md).

    With x̂ = Fx: for L = 2 the minimum value of Σ|β̂| is 1/max|x̂| (any class attaining
    max|x̂|); for L >= 3 the minima are 1-sparse: a real bin (m = 0 or D/2) costs
    |x̂[m]|^{-2/L}, a conjugate pair 2^{1-2/L}|x̂[m]|^{-2/L}. Gradient flow from a small balanced
    initialization with per-bin magnitude r_m(0) and phases aligned with x̂ (:data:`ALIGNED`)
    ends on the class maximizing |x̂[m]|·r_m(0)^{L-2} -- not always the global one (claim
    kind: *stationary point*). The rule is proven only for aligned phases: ``phases`` (L, D)
    are the init's per-layer phases (default 0, as :func:`numerics.convnet.balanced_init`);
    misaligned phases raise :class:`~implicit_bias.theory.errors.InvalidInputError` rather
    than return an unproven class (with a misaligned real bin the product can never change
    sign under balanced flow and that bin decays instead). x = 0 is not separable.

    >>> s = single_example([1.0, 0.5, 0.0, 0.5], 3, r0=[0.1, 0.3, 0.1, 0.3])
    >>> s.global_class, s.gf_class
    ((0,), (1, 3))
    """
    L = check_depth(depth)
    xv = np.asarray(x) if not isinstance(x, bool) else None
    if xv is None or xv.dtype.kind not in "iuf" or xv.ndim != 1 or xv.size < 1:
        raise InvalidInputError("x must be a 1-D array of real numbers")
    xv = xv.astype(float)
    if not np.all(np.isfinite(xv)):
        raise NonFiniteError("x contains NaN or inf")
    if not np.any(xv):
        raise NotSeparableError("x = 0: no linear predictor classifies it (margin 0 for every "
                                "beta)", witness=np.ones(1), points=np.zeros(1, dtype=int))
    xh = dft(xv)
    D = xv.size
    classes = frequency_classes(D)
    mods = np.array([np.abs(xh[c[0]]) for c in classes])
    with np.errstate(divide="ignore"):
        if L == 1:
            costs = np.full(len(classes), 1.0 / float(xv @ xv))
        elif L == 2:
            costs = 1.0 / mods
        else:
            mult = np.array([1.0 if len(c) == 1 else 2.0 ** (1 - 2 / L) for c in classes])
            costs = mult * mods ** (-2.0 / L)
    i = int(np.argmin(costs))
    gf = None
    if r0 is not None:
        r = np.asarray(r0, dtype=float)
        if r.shape != (D,) or np.any(r <= 0) or not np.all(np.isfinite(r)):
            raise ShapeError(f"r0 must be {D} positive finite per-bin magnitudes")
        if any(r[c[0]] != r[c[-1]] for c in classes):
            raise InvalidInputError("r0 must be conjugate-symmetric (r[m] = r[D-m]) for real "
                                    "filters")
        ph = np.zeros((L, D)) if phases is None else np.asarray(phases, dtype=float)
        if ph.shape != (L, D) or not np.all(np.isfinite(ph)):
            raise ShapeError(f"phases must be finite with shape {(L, D)}")
        total = np.exp(1j * ph.sum(axis=0))
        live = np.abs(xh) > 1e-12 * np.abs(xh).max()
        mis = np.abs(total[live] - xh[live] / np.abs(xh[live]))
        if np.any(mis > 1e-9):
            bad = np.flatnonzero(live)[mis > 1e-9].tolist()
            raise InvalidInputError(f"the gradient-flow rule needs {ALIGNED}; bins {bad} are "
                                    "misaligned (no proven prediction for them)")
        score = np.array([mods[k] * r[c[0]] ** (L - 2) for k, c in enumerate(classes)])
        gf = classes[int(np.argmax(score))]
    return SingleExample(x_hat=xh, depth=L, classes=classes, costs=costs,
                         global_class=classes[i], global_cost=float(costs[i]), gf_class=gf,
                         assumption=ALIGNED if gf is not None else "")

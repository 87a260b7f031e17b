"""Input validation shared by theory and numerics (numpy only; no JAX)."""

from __future__ import annotations

import numbers
from fractions import Fraction

import numpy as np
import scipy.optimize

from .errors import (
    DepthError,
    DuplicatePointError,
    LabelError,
    NonFiniteError,
    NotSeparableError,
    ShapeError,
    SolverError,
)

__all__ = [
    "as_matrix",
    "as_labels",
    "binary_data",
    "check_depth",
    "check_separable",
    "gordan_witness",
    "binary_batch",
    "to_rational",
    "real_array",
]


def as_matrix(X, name: str = "X") -> np.ndarray:
    """``X`` as a finite float array of shape (N, d); N, d >= 1."""
    A = real_array(X, name, finite=False)
    if A.ndim != 2:
        raise ShapeError(f"{name} must have shape (N, d), got an array with shape {A.shape}")
    if A.shape[0] < 1 or A.shape[1] < 1:
        raise ShapeError(f"{name} must have at least one row and one column, got {A.shape}")
    bad = ~np.isfinite(A)
    if bad.any():
        rows = np.unique(np.nonzero(bad)[0])[:5].tolist()
        raise NonFiniteError(f"{name} contains NaN or inf (rows {rows})")
    return A


def as_labels(y, n: int) -> np.ndarray:
    """Binary labels as a float array of ±1 with length ``n``."""
    raw = np.asarray(y) if not isinstance(y, (bool, np.bool_)) else None
    if raw is None or raw.dtype == bool or raw.dtype.kind in "USc":
        raise LabelError(f"labels must be the numbers -1 or +1, got {y!r:.60}")
    try:
        v = real_array(raw, "y", finite=False)
    except ShapeError as exc:
        raise LabelError(f"labels must be the numbers -1 or +1: {exc}") from None
    if v.ndim != 1:
        raise ShapeError(f"y must be one-dimensional, got shape {v.shape}")
    if v.shape[0] != n:
        raise ShapeError(f"X has {n} rows but y has {v.shape[0]} labels")
    if not np.all(np.isfinite(v)):
        raise NonFiniteError("y contains NaN or inf")
    bad = np.nonzero((v != 1.0) & (v != -1.0))[0]
    if bad.size:
        raise LabelError(
            f"labels must be -1 or +1; y[{int(bad[0])}] = {v[bad[0]]!r} "
            f"({bad.size} bad label(s)). For 0/1 labels use 2*y - 1."
        )
    return v


def binary_data(X, y) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validate binary data; return ``(X, y, Z)`` with ``Z = y[:, None] * X`` (labels absorbed)."""
    A = as_matrix(X)
    v = as_labels(y, A.shape[0])
    return A, v, v[:, None] * A


def check_depth(depth) -> int:
    """Depth as a Python int >= 1 (booleans are refused, not read as 0 or 1)."""
    if isinstance(depth, bool) or isinstance(depth, np.bool_):
        raise DepthError(f"depth must be an integer >= 1, got the boolean {depth!r}")
    if not isinstance(depth, numbers.Integral):
        if isinstance(depth, numbers.Real) and float(depth).is_integer():
            depth = int(depth)
        else:
            raise DepthError(f"depth must be an integer >= 1, got {depth!r}")
    if depth < 1:
        raise DepthError(f"depth must be >= 1, got {depth}")
    return int(depth)


def gordan_witness(Z: np.ndarray) -> np.ndarray | None:
    """A vector ``lam >= 0``, ``sum(lam) = 1``, ``Z.T @ lam = 0``, or None if none exists.

    By Gordan's theorem exactly one of {exists w: Z w > 0} and {exists such lam} holds.
    Solved as a linear program with HiGHS (a vertex, so the witness is sparse).
    """
    N, d = Z.shape
    A_eq = np.vstack([Z.T, np.ones((1, N))])
    b_eq = np.concatenate([np.zeros(d), [1.0]])
    res = scipy.optimize.linprog(
        np.zeros(N), A_eq=A_eq, b_eq=b_eq, bounds=(0, None), method="highs"
    )
    if res.status != 0:
        return None
    lam = np.where(res.x > 1e-12, res.x, 0.0)
    return lam / lam.sum()


def _duplicate_witness(Z: np.ndarray):
    # z_i == -z_j (z_i != 0): x_i == x_j with y_i != y_j, or x_i == -x_j with y_i == y_j.
    keys = {}
    for n, row in enumerate(Z):
        keys.setdefault(row.tobytes(), n)
    for n, row in enumerate(Z):
        m = keys.get((-row + 0.0).tobytes())
        if m is not None and m != n:
            return min(m, n), max(m, n)
    return None


def check_separable(Z: np.ndarray, *, names: str = "points", quick: bool = False) -> None:
    """Raise :class:`NotSeparableError` (with a witness) unless some w has ``Z w > 0``.

    Zero rows and duplicate points with opposite labels are found directly. Otherwise (unless
    ``quick``) separability is decided by the LP ``find w: Z w >= 1`` (scale-free); when it is
    infeasible the Gordan certificate is returned as the witness.
    """
    N, d = Z.shape
    zero = np.nonzero(~Z.any(axis=1))[0]
    if zero.size:
        lam = np.zeros(N)
        lam[zero[0]] = 1.0
        raise NotSeparableError(
            f"point {int(zero[0])} is x = 0, which no linear predictor classifies "
            "(the models have no bias term)",
            witness=lam,
            points=zero[:1],
        )
    dup = _duplicate_witness(Z)
    if dup is not None:
        lam = np.zeros(N)
        lam[list(dup)] = 0.5
        raise DuplicatePointError(
            f"{names} {dup[0]} and {dup[1]} have y_i x_i = -y_j x_j (the same x with opposite "
            "labels, or opposite x with the same label), which no linear predictor separates",
            witness=lam,
            points=np.array(dup),
        )
    if quick:
        return
    # scale-free: rows normalized to unit max entry (HiGHS drops matrix entries below 1e-9
    # of the problem's scale, so a raw tiny or huge Z could be misjudged)
    rs = np.max(np.abs(Z), axis=1, keepdims=True)
    Zs = Z / rs
    res = scipy.optimize.linprog(
        np.zeros(d), A_ub=-Zs, b_ub=-np.ones(N), bounds=(None, None), method="highs"
    )
    if res.status == 0:
        return
    mu = gordan_witness(Zs)
    if mu is None:  # pragma: no cover - HiGHS disagrees with itself
        raise SolverError(f"the separability LP failed ({res.message}) and no Gordan witness "
                          "was found: separability is undecided")
    # a witness for the rescaled rows is one for Z after reweighting by 1/row scale
    lam = mu / rs[:, 0]
    lam = lam / lam.sum()
    # verify before raising: λ >= 0, Σλ = 1 and Zᵀλ = 0 to rounding of the rows involved
    resid = np.linalg.norm(Z.T @ lam)
    size = float(np.sum(lam * np.linalg.norm(Z, axis=1)))
    if not (np.all(lam >= 0) and resid <= 1e-9 * size):
        raise SolverError(f"the separability LP says infeasible, but its Gordan witness does not "
                          f"verify (|Z^T lam| = {resid:.2e} vs {size:.2e}): undecided")
    pts = np.nonzero(lam)[0]
    raise NotSeparableError(
        "data are not linearly separable through the origin: the convex combination "
        f"sum_n lam_n y_n x_n = 0 with lam supported on {names} {pts.tolist()} "
        f"(weights {np.round(lam[pts], 6).tolist()}) is a Gordan certificate",
        witness=lam,
        points=pts,
    )


def to_rational(value):
    """An exact :class:`fractions.Fraction` from an int, Fraction, sympy Rational or float."""
    if isinstance(value, bool):
        raise LabelError("booleans are not numeric data")
    if isinstance(value, Fraction):
        return value
    if isinstance(value, numbers.Integral):
        return Fraction(int(value))
    try:  # sympy Rational / Integer
        import sympy

        if isinstance(value, sympy.Rational):
            return Fraction(int(value.p), int(value.q))
        if isinstance(value, sympy.Basic):
            raise ShapeError(f"exact data must be rational numbers, got {value!r}")
    except ImportError:  # pragma: no cover
        pass
    if isinstance(value, str):
        return Fraction(value)
    if isinstance(value, numbers.Real):
        f = float(value)
        if not np.isfinite(f):
            raise NonFiniteError("exact data contain NaN or inf")
        return Fraction(f)  # exact binary value of the float
    raise ShapeError(f"exact data must be rational numbers, got {value!r}")


def binary_batch(X, y, mask=None):
    """Validate a stack of binary datasets ``X`` (B, N, d), ``y`` (B, N), ``mask`` (B, N).

    Returns float64 numpy copies ``(X, y, mask, Z)`` with masked-out rows zeroed and their
    labels set to +1 (padding: instances of different sizes share one shape bucket). Raises
    the package's typed errors (shape, NaN/inf, labels).
    """
    Xn = real_array(X, "batched X", finite=False)
    if Xn.ndim != 3:
        raise ShapeError(f"batched X must have shape (B, N, d), got {Xn.shape}")
    B, N, _ = Xn.shape
    yn = real_array(y, "batched y", finite=False)
    if yn.shape != (B, N):
        raise ShapeError(f"batched y must have shape {(B, N)}, got {yn.shape}")
    if mask is None:
        m = np.ones((B, N), bool)
    else:
        m = np.asarray(mask)
        if m.dtype != bool:
            raise ShapeError(f"mask must be a boolean array, got dtype {m.dtype}")
    if m.shape != (B, N):
        raise ShapeError(f"mask must have shape {(B, N)}, got {m.shape}")
    if not m.any(axis=1).all():
        raise ShapeError("every instance needs at least one unmasked point")
    if not np.isfinite(Xn[m]).all():
        raise NonFiniteError("X contains NaN or inf in unmasked rows")
    yn = np.where(m, yn, 1.0)
    as_labels(yn.ravel(), B * N)
    Xn = np.where(m[..., None], Xn, 0.0)
    return Xn, yn, m, yn[..., None] * Xn


def real_array(a, name: str, *, finite: bool = True) -> np.ndarray:
    """``a`` as a float64 array of real numbers.

    Refused with a typed error, never converted: booleans (a bool is not a number here),
    complex numbers (the imaginary part would be dropped), strings, bytes, objects and
    ragged nesting; with ``finite`` also NaN and ±inf.

    >>> real_array([1, 2.5], "x").tolist()
    [1.0, 2.5]
    """
    if isinstance(a, (bool, np.bool_)):
        raise ShapeError(f"{name} must be a number, not the boolean {a!r}")
    try:
        arr = np.asarray(a)
    except (TypeError, ValueError) as exc:
        raise ShapeError(f"{name} must be a numeric array: {exc}") from None
    kinds = {"b": "boolean", "U": "string", "S": "bytes", "O": "object", "c": "complex",
             "V": "structured", "M": "datetime", "m": "timedelta"}
    if arr.dtype.kind in kinds:
        if arr.dtype.kind == "O":  # lists of Fractions, Decimals, sympy numbers: exact reals
            try:
                arr = np.array([float(_real_scalar(v, name)) for v in arr.ravel()],
                               dtype=float).reshape(arr.shape)
            except TypeError as exc:
                raise ShapeError(f"{name} must hold real numbers ({exc})") from None
        else:
            raise ShapeError(f"{name} must hold real numbers, got a {kinds[arr.dtype.kind]} "
                             "array")
    try:
        out = arr.astype(float)
    except (TypeError, ValueError, OverflowError) as exc:
        raise ShapeError(f"{name} must be a numeric array: {exc}") from None
    if finite and not np.all(np.isfinite(out)):
        bad = np.argwhere(~np.isfinite(out))[:3].tolist()
        raise NonFiniteError(f"{name} contains NaN or inf (at {bad})")
    return out


def _real_scalar(v, name):
    if isinstance(v, (bool, np.bool_)) or isinstance(v, (complex, np.complexfloating)):
        raise TypeError(f"{v!r} is not a real number")
    if isinstance(v, (numbers.Real, np.floating, np.integer)):
        return v
    try:  # sympy numbers
        import sympy

        if isinstance(v, sympy.Basic) and v.is_real and v.is_number:
            return float(v)
    except ImportError:  # pragma: no cover
        pass
    raise TypeError(f"{v!r} is not a real number")

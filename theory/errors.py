"""The package's exceptions: one base class, a small hierarchy, each naming the problem.

Every error raised on bad input or an uncertifiable answer is an :class:`ImplicitBiasError`;
input errors are also :class:`ValueError` and solver failures are also
:class:`RuntimeError`, so ``except ValueError`` keeps working for callers who do not know the
package.

>>> from implicit_bias.theory.errors import ImplicitBiasError, NotSeparableError
>>> issubclass(NotSeparableError, ImplicitBiasError) and issubclass(NotSeparableError, ValueError)
True
"""

from __future__ import annotations

import warnings

import numpy as np

__all__ = [
    "ImplicitBiasError",
    "InvalidInputError",
    "ShapeError",
    "NonFiniteError",
    "LabelError",
    "NotSeparableError",
    "DuplicatePointError",
    "DepthError",
    "KnotError",
    "StepSizeError",
    "StepSizeWarning",
    "SolverError",
    "CertificateError",
    "UnsafeExpressionError",
    "NormError",
    "NotPositiveDefiniteError",
    "DomainError",
    "InfeasibleError",
    "DataFileError",
    "NotSeparableWarning",
    "warn_not_separable",
]


class ImplicitBiasError(Exception):
    """Base class of every error the package raises on purpose."""


class InvalidInputError(ImplicitBiasError, ValueError):
    """The input violates a documented precondition."""


class ShapeError(InvalidInputError):
    """Arrays have the wrong number of dimensions or mismatched lengths."""


class NonFiniteError(InvalidInputError):
    """An input contains NaN or ±inf."""


class LabelError(InvalidInputError):
    """Binary labels must be exactly -1 or +1 (multi-class labels: integers 0..K-1)."""


class NotSeparableError(InvalidInputError):
    """The data are not linearly separable through the origin.

    ``witness`` is a Gordan/Farkas certificate: weights ``lam >= 0`` with ``sum(lam) = 1`` and
    ``sum_n lam_n y_n x_n = 0``. It proves that no ``w`` has ``y_n x_n . w > 0`` for all n
    (take the inner product with ``w``). ``points`` are the indices where ``lam > 0``.
    """

    def __init__(self, message: str, *, witness: np.ndarray, points: np.ndarray):
        super().__init__(message)
        self.witness = witness
        self.points = points


class DuplicatePointError(NotSeparableError):
    """Two points with y_i x_i = -y_j x_j: the same x with both labels, or x and -x with one
    label (a two-point non-separability witness)."""


class DepthError(InvalidInputError):
    """Depth must be an integer >= 1."""


class KnotError(InvalidInputError):
    """Interpolation knots must be distinct."""


class StepSizeError(InvalidInputError):
    """The step size exceeds a proven stability bound; the message names the bound."""

    def __init__(self, message: str, *, bound: float):
        super().__init__(message)
        self.bound = bound


class StepSizeWarning(UserWarning):
    """The step size exceeds a heuristic (not proven) stability bound."""


class SolverError(ImplicitBiasError, RuntimeError):
    """A numerical solver did not return an answer we can certify."""


class CertificateError(SolverError):
    """A computed answer failed its optimality (KKT) certificate."""


class UnsafeExpressionError(InvalidInputError):
    """Expression text uses something outside the restricted grammar."""


class NormError(InvalidInputError):
    """A norm parameter p must be a real number >= 1 or infinity (``math.inf``)."""


class NotPositiveDefiniteError(InvalidInputError):
    """A matrix that must be symmetric positive definite is not (the message says why)."""


class DomainError(InvalidInputError):
    """An argument lies outside the domain of the function (e.g. a negative entry for the
    negative entropy, or |nu| >= 1 for the depth-D potential h_D)."""


class InfeasibleError(InvalidInputError):
    """Linear constraints (e.g. interpolation X w = y) have no solution.

    ``witness`` proves infeasibility; the message says which alternative it is: for X w = y,
    a v with vᵀX = 0 and vᵀy != 0 (Fredholm: multiply X w = y by vᵀ); for X w = y with w > 0
    (a potential on the positive orthant), a v with Xᵀv >= 0, Xᵀv != 0 and yᵀv <= 0
    (Farkas/Gordan: vᵀy = (Xᵀv)ᵀw > 0 for every positive w).
    """

    def __init__(self, message: str, *, witness: np.ndarray):
        super().__init__(message)
        self.witness = witness


class DataFileError(InvalidInputError):
    """A data file cannot be used: missing, a folder, binary, not UTF-8, too large, or a
    malformed cell (the message names the file, row and column)."""


class NotSeparableWarning(UserWarning):
    """A classifier is trained on data that are not linearly separable: the implicit-bias
    theorems (which assume separability) do not apply to the run."""


def warn_not_separable(Z: np.ndarray, what: str) -> None:
    """Warn (:class:`NotSeparableWarning`) if no w has Z w > 0 (the separability LP)."""
    from .validate import check_separable

    try:
        check_separable(Z)
    except NotSeparableError as exc:
        warnings.warn(f"{what}: the data are not linearly separable ({exc}); the theorems "
                      "about separable data do not apply to this run", NotSeparableWarning,
                      stacklevel=3)
    except SolverError:
        pass  # undecided: no warning is better than a false one


def warn_step(message: str) -> None:
    """Emit a :class:`StepSizeWarning` attributed to the user's call site."""
    warnings.warn(message, StepSizeWarning, stacklevel=3)

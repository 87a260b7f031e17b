"""Closed-form predictions of the implicit bias of gradient descent (no JAX here).

Modules: :mod:`theory.svm` (separable data -> hard-margin SVM), :mod:`theory.errors`
(the exception hierarchy), :mod:`theory.strategies` (hypothesis strategies for instances).
"""

from . import errors
from .errors import ImplicitBiasError

__all__ = ["errors", "ImplicitBiasError"]

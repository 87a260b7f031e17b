"""Where theory meets numerics: every claim stated once (one module per theorem).

The registry :data:`THEOREMS` maps each theorem name to its claims module
(``implicit_bias.claims.svm``, ``...convnet``, ...); a module defines ``THEOREM`` (its name),
``CLAIMS`` (a tuple of :class:`~implicit_bias.claims.core.Claim`, theorems and the
known-false conjectures that contradict them) and nothing else the consumers need. The modules
are imported on first use (they train with JAX; the command line's ``predict``, ``proofs``
and ``cost`` must not load it), so adding a theorem is one line here.

>>> [c.name for c in claims("svm") if not c.expected]
['svm.sign-gd-l2-svm']
"""

from __future__ import annotations

import importlib

from implicit_bias.theory.errors import InvalidInputError

from .core import Claim, Measurement, Outcome, check, evaluate, judge

__all__ = ["THEOREMS", "claims", "get", "theorem_of", "Claim", "Measurement", "Outcome",
           "check", "evaluate", "judge"]

#: theorem name -> claims module, in report order
THEOREMS: dict[str, str] = {
    "svm": "implicit_bias.claims.svm",
    "deep-linear": "implicit_bias.claims.deep_linear",
    "convnet": "implicit_bias.claims.convnet",
    "relu1d": "implicit_bias.claims.relu1d",
    "geometry": "implicit_bias.claims.geometry",
    "diagonal": "implicit_bias.claims.diagonal",
    "ntk1d": "implicit_bias.claims.ntk1d",
    "matrix": "implicit_bias.claims.matrix",
}


def _module(theorem: str):
    try:
        name = THEOREMS[theorem]
    except KeyError:
        raise InvalidInputError(f"unknown theorem {theorem!r}; known: "
                                f"{', '.join(THEOREMS)}") from None
    return importlib.import_module(name)


def claims(theorem: str | None = None) -> list[Claim]:
    """The claims of ``theorem`` (all theorems if None), in registry order."""
    names = list(THEOREMS) if theorem is None else [theorem]
    return [c for t in names for c in _module(t).CLAIMS]


def get(name: str) -> Claim:
    """The claim named ``name`` (e.g. ``"svm.accelerated-direction"``)."""
    theorem = theorem_of(name)
    for c in claims(theorem):
        if c.name == name:
            return c
    known = ", ".join(c.name for c in claims(theorem))
    raise InvalidInputError(f"unknown claim {name!r}; {theorem} has: {known}")


def theorem_of(name: str) -> str:
    """The theorem a claim name belongs to (the part before the first dot)."""
    head = str(name).split(".", 1)[0]
    if head not in THEOREMS:
        raise InvalidInputError(f"unknown claim {name!r}: names are THEOREM.CLAIM with THEOREM "
                                f"one of {', '.join(THEOREMS)}")
    return head

"""The one vocabulary of results: claim kinds, references and certificates.

Every prediction the package returns carries

* ``kind`` -- a :class:`Kind` (what the theorem claims about this object);
* ``reference`` -- a :class:`Reference` (paper, theorem number, and the section of the
  project's own documentation that states the mathematics);
* ``predictor`` -- the predicted object itself (a vector, a matrix or a callable), under the
  same name everywhere (the numerics' training traces record ``predictor`` too);
* ``value`` -- the number the prediction is about (a margin, a penalty, a cost);
* ``certificate`` -- a :class:`Certificate` whose ``residual`` is one number (0 for an exact
  certificate) with the residual of each condition beside it.

>>> Kind("global minimum") is Kind.GLOBAL_MINIMUM
True
>>> str(REFERENCES["svm"])
'Soudry, Hoffer, Nacson, Gunasekar & Srebro, JMLR 19 (2018), Thm 3 [docs/svm.md]'
>>> Certificate.from_conditions({"primal": 0.0, "dual": 1e-12}).residual
1e-12
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["Kind", "Reference", "Certificate", "REFERENCES", "reference"]


class Kind(enum.StrEnum):
    """What a theorem claims about its predicted object (one vocabulary for the package).

    * ``EXACT_LIMIT``: training converges to the predicted object (a direction, a point);
    * ``GLOBAL_MINIMUM``: the predicted object minimizes the stated objective globally;
    * ``STATIONARY_POINT``: only first-order stationarity (KKT) is claimed, not optimality;
    * ``UPPER_BOUND`` / ``LOWER_BOUND``: a one-sided inequality that must hold at every
      recorded time and on every instance.
    """

    EXACT_LIMIT = "exact limit"
    GLOBAL_MINIMUM = "global minimum"
    STATIONARY_POINT = "stationary point"
    UPPER_BOUND = "upper bound"
    LOWER_BOUND = "lower bound"


@dataclass(frozen=True)
class Reference:
    """Where a claim comes from: ``authors``, ``venue`` (with year), ``theorem`` and ``doc``,
    the section of the project's documentation (``docs/``) that states it."""

    authors: str
    venue: str
    theorem: str
    doc: str

    def __str__(self) -> str:
        return f"{self.authors}, {self.venue}, {self.theorem} [{self.doc}]"


@dataclass(frozen=True)
class Certificate:
    """Evidence that a prediction is what it claims to be.

    ``residual`` is one number (the largest relative residual over ``conditions``; exactly 0
    for an ``exact`` certificate checked in rational arithmetic); ``conditions`` names each
    condition's residual; ``note`` says what was checked.
    """

    residual: float
    conditions: Mapping[str, float] = field(default_factory=dict)
    exact: bool = False
    note: str = ""

    @classmethod
    def from_conditions(cls, conditions: Mapping[str, float], *, exact: bool = False,
                        note: str = "") -> Certificate:
        """The certificate whose residual is the worst of ``conditions`` (NaN counts as inf)."""
        vals = [float(v) for v in conditions.values()]
        worst = max((math.inf if math.isnan(v) else v for v in vals), default=0.0)
        return cls(worst, dict(conditions), exact, note)


REFERENCES: dict[str, Reference] = {
    "svm": Reference("Soudry, Hoffer, Nacson, Gunasekar & Srebro", "JMLR 19 (2018)", "Thm 3",
                     "docs/svm.md"),
    "svm.residual": Reference("Soudry, Hoffer, Nacson, Gunasekar & Srebro", "JMLR 19 (2018)",
                              "Thm 4", "docs/svm.md#the-residual"),
    "svm.multiclass": Reference("Soudry, Hoffer, Nacson, Gunasekar & Srebro", "JMLR 19 (2018)",
                                "Sec. 4.2 (Thm 7)", "docs/svm.md#multi-class"),
    "svm.normalized": Reference("Ji & Telgarsky", "ALT 2021", "Thm 2.2 (normalized GD)",
                                "docs/svm.md#faster-schedules"),
    "svm.accelerated": Reference("Ji, Srebro & Telgarsky", "ICML 2021", "Thm 3.1",
                                 "docs/svm.md#faster-schedules"),
    "deep-linear": Reference("Ji & Telgarsky", "ICLR 2019", "Thm 2.2",
                             "docs/svm.md#deep-linear-networks"),
    "convnet": Reference("Gunasekar, Lee, Soudry & Srebro", "NeurIPS 2018",
                         "main theorem (linear convnets)", "docs/convnet.md"),
    "convnet.cost": Reference("Gunasekar, Lee, Soudry & Srebro", "NeurIPS 2018",
                              "Lemma 7 (representation cost)", "docs/convnet.md#cost"),
    "relu1d": Reference("Savarese, Evron, Soudry & Srebro", "COLT 2019", "Thm 1 and Thm 3",
                        "docs/relu1d.md"),
}


def reference(key: str) -> Reference:
    """The :class:`Reference` registered under ``key`` (see :data:`REFERENCES`)."""
    try:
        return REFERENCES[key]
    except KeyError:
        raise KeyError(f"no reference {key!r}; known: {', '.join(REFERENCES)}") from None

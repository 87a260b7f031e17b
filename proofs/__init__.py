"""Machine-checked lemmas behind the implicit-bias theorems (sympy only).

Each lemma states a claim from the literature, cites it, and carries a sympy derivation whose
steps are verified when the lemma is checked.

>>> from implicit_bias.proofs import all_lemmas
>>> lemma = next(lem for lem in all_lemmas() if lem.name == "svm.logistic_smoothness")
>>> lemma.check().ok
True
"""

from .lemma import (
    Lemma,
    LemmaResult,
    Step,
    all_lemmas,
    check_all,
    evaluate_all,
    register,
    report,
    select,
)

__all__ = ["Lemma", "LemmaResult", "Step", "all_lemmas", "check_all", "evaluate_all",
           "register", "report", "select"]

"""Machine-checked lemmas behind the implicit-bias theorems (sympy only).

Each lemma states a claim from the literature, cites it, and carries a sympy derivation whose
steps are verified when the lemma is checked.

>>> from implicit_bias.proofs import check_all, report
>>> all(result.ok for result in check_all())
True
>>> print(report())  # doctest: +SKIP
"""

from implicit_bias.proofs.lemma import Lemma, LemmaResult, Step, all_lemmas, check_all, register, report

__all__ = ["Lemma", "LemmaResult", "Step", "all_lemmas", "check_all", "register", "report"]

"""Executable lemmas: a statement, its source, and a sympy derivation whose steps are checked.

A :class:`Lemma` couples a LaTeX claim with a function that builds a list of :class:`Step`
objects. Each step is either an equation (``Step.eq``: ``lhs - rhs`` must reduce to zero by
exact sympy rewriting, ending with ``simplify``; entrywise for matrices; after an optional exact
rewrite ``via``, e.g. ``doit`` for an unevaluated ``Limit``, ``Derivative`` or ``Sum``; matrix
expressions of symbolic shape, such as ``MatrixSymbol`` products, are compared after ``doit``,
``expand`` and transposing 1 x 1 terms into a canonical form) or a claim (``Step.holds``: a
sympy boolean that must evaluate or simplify to ``sympy.true``).
:meth:`Lemma.check` runs the derivation and stops at the first step that does not hold; an
exception while deriving or checking is a failure, never a pass, and so is an empty derivation.

Theorem modules (``proofs.svm`` and, later, ``proofs.convnet``, ``proofs.relu1d``) call
:func:`register` at import time; :func:`all_lemmas` imports whichever of them exist.

Descriptions, titles and statements are LaTeX text: plain words with inline ``$...$`` math,
ASCII only (so the appendix compiles with a stock ``pdflatex``).
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import sympy
from sympy.matrices import MatrixBase
from sympy.matrices.expressions import MatAdd, MatMul, MatrixExpr

__all__ = [
    "THEORY_MODULES",
    "Lemma",
    "LemmaResult",
    "Step",
    "all_lemmas",
    "check_all",
    "register",
    "report",
    "evaluate_all",
    "row",
    "select",
]

#: Modules that register lemmas on import, in report order. Missing ones are skipped.
THEORY_MODULES: tuple[str, ...] = tuple(
    f"implicit_bias.proofs.{name}"
    for name in ("svm", "convnet", "relu1d", "geometry", "diagonal", "ntk1d", "matrix"))

_RESIDUAL_CHARS = 160
_ONE_ROW_CHARS = 160  # LaTeX source length up to which an equation step takes one row


@dataclass(frozen=True)
class Step:
    """One checked step of a derivation.

    ``kind == "eq"``: ``lhs - rhs`` must reduce to zero (every entry, for matrices of the same
    shape; sets must be equal). ``kind == "holds"``: ``lhs`` is a sympy boolean that must
    evaluate to ``sympy.true`` and ``rhs`` is ``sympy.true``. Build steps with :meth:`eq` and
    :meth:`holds`; :meth:`check` says exactly how they are decided.

    >>> import sympy
    >>> x = sympy.Symbol("x", real=True)
    >>> Step.eq("square of a sum", (x + 1) ** 2, x**2 + 2 * x + 1).check() is None
    True
    >>> Step.holds("a square is nonnegative", x**2 >= 0).check() is None
    True
    """

    description: str
    lhs: Any
    rhs: Any
    kind: Literal["eq", "holds"]
    via: Callable[[Any], Any] | None = None

    @classmethod
    def eq(
        cls, description: str, lhs: Any, rhs: Any, *, via: Callable[[Any], Any] | None = None
    ) -> Step:
        """A step claiming ``lhs == rhs`` (expressions, equally shaped matrices, or sets).

        ``via``: an exact rewrite applied to ``lhs - rhs`` (entrywise for matrices) before the
        standard reduction, e.g. ``sympy.Expr.doit`` when ``lhs`` is stated unevaluated
        (``sympy.Limit``, ``sympy.Derivative``, ``sympy.Sum``) so that the step, not its
        construction, does the work.

        >>> import sympy
        >>> t = sympy.Symbol("t", positive=True)
        >>> Step.eq("a limit", sympy.Limit(t / (t + 1), t, sympy.oo), 1, via=sympy.Expr.doit
        ...         ).check() is None
        True
        """
        return cls(description, sympy.sympify(lhs), sympy.sympify(rhs), "eq", via)

    @classmethod
    def holds(cls, description: str, claim: Any) -> Step:
        """A step claiming that the sympy boolean ``claim`` is ``sympy.true``.

        Build relations with ``evaluate=False`` (``sympy.Ge(x, 0, evaluate=False)``) so that the
        LaTeX shows the claim; the check evaluates it.
        """
        return cls(description, sympy.sympify(claim), sympy.true, "holds")

    def check(self) -> str | None:
        """Return ``None`` if the step holds, otherwise why it does not (exceptions propagate).

        Equations: the residual ``lhs - rhs`` (rewritten by ``via`` if given) is first tried
        with the cheap exact rewrites ``cancel`` and ``cancel(expand(.))``, then with
        ``simplify``; it holds if one of them gives 0. Sets (e.g. from ``solveset``) are equal if
        both differences are empty. Matrix expressions of symbolic shape (``MatrixSymbol``)
        must have equal shapes; their residual holds if ``doit`` and ``expand``, with every
        1 x 1 term replaced by the canonical one of itself and its transpose (a 1 x 1 matrix is
        its own transpose), give the zero matrix.
        Claims: evaluated with ``doit()`` (sympy's assumptions decide relations built with
        ``evaluate=False``), then ``simplify``; they hold if either gives ``sympy.true``.
        """
        if self.kind == "holds":
            if self.lhs.doit() is sympy.true:
                return None
            verdict = sympy.simplify(self.lhs)
            if verdict is sympy.true:
                return None
            return f"claim simplifies to {_short(verdict)}, not True"
        sides = (self.lhs, self.rhs)
        if any(isinstance(side, sympy.Set) for side in sides):
            if not all(isinstance(side, sympy.Set) for side in sides):
                return "one side is a set and the other is not"
            extra = sympy.Union(
                sympy.Complement(self.lhs, self.rhs), sympy.Complement(self.rhs, self.lhs)
            )
            if sympy.simplify(extra) is sympy.S.EmptySet:
                return None
            return f"the sets differ by {_short(extra)}"
        if any(_symbolic_matrix(side) for side in sides):
            return _check_matrix_expression(self.lhs, self.rhs)
        if isinstance(self.lhs, MatrixBase) != isinstance(self.rhs, MatrixBase):
            return "one side is a matrix and the other is not"
        residual = self.lhs - self.rhs
        if isinstance(residual, MatrixBase):
            for index, entry in enumerate(residual):
                reduced = _reduce(entry if self.via is None else self.via(entry))
                if reduced != 0:
                    return f"entry {index} of lhs - rhs simplifies to {_short(reduced)}, not 0"
            return None
        reduced = _reduce(residual if self.via is None else self.via(residual))
        if reduced != 0:
            return f"lhs - rhs simplifies to {_short(reduced)}, not 0"
        return None

    def latex(self) -> str:
        """The step as ``align*`` rows: ``lhs &= rhs`` (two rows if long) or ``&claim``.

        Each formula is wrapped in ``\\fitwidth``, defined by the appendix preamble of
        :func:`report`: it shrinks a formula wider than the given fraction of the line.
        """
        if self.kind == "holds":
            return f"&\\fitwidth{{0.7}}{{{sympy.latex(self.lhs)}}}"
        lhs, rhs = sympy.latex(self.lhs), sympy.latex(self.rhs)
        if len(lhs) + len(rhs) <= _ONE_ROW_CHARS:
            return f"{lhs} &= {rhs}"
        return f"&\\fitwidth{{0.7}}{{{lhs}}} \\\\\n&\\fitwidth{{0.7}}{{{{}} = {rhs}}}"


@dataclass(frozen=True)
class LemmaResult:
    """Outcome of :meth:`Lemma.check`.

    ``steps_checked`` counts the steps verified to hold (on failure, those before the failing
    one); ``failed_step`` names the first failing step and why, or is ``None`` when ``ok``.
    """

    name: str
    ok: bool
    steps_checked: int
    failed_step: str | None
    seconds: float


@dataclass(frozen=True)
class Lemma:
    """A claim with its source and a sympy derivation that :meth:`check` verifies step by step.

    >>> import sympy
    >>> a, b = sympy.symbols("a b", nonnegative=True)
    >>> amgm = Lemma(
    ...     name="demo.amgm2",
    ...     title="AM-GM for two numbers",
    ...     statement=r"$a^2 + b^2 \\geq 2ab$.",
    ...     source="folklore",
    ...     derive=lambda: [Step.eq("sum of squares", a**2 + b**2 - 2 * a * b, (a - b) ** 2)],
    ... )
    >>> amgm.check().ok
    True
    """

    name: str
    title: str
    statement: str
    source: str
    derive: Callable[[], list[Step]]

    def check(self) -> LemmaResult:
        """Run the derivation and check every step; the first step that fails is named."""
        return self._evaluate()[1]

    def latex(self, result: LemmaResult | None = None) -> str:
        """The lemma as LaTeX: ``\\begin{lemma}...\\end{lemma}`` and an ``align*`` of the steps.

        With ``result`` (from :meth:`check`), a line saying how the machine check went is added.
        """
        return self._latex(self.derive(), result)

    def _evaluate(self) -> tuple[list[Step], LemmaResult]:
        start = time.perf_counter()
        steps: list[Step] = []
        checked = 0
        failure: str | None = None
        try:
            steps = list(self.derive())
        except Exception as exc:  # a derivation that cannot be built is a failure
            failure = f"derivation raised {type(exc).__name__}: {exc}"
        else:
            if not steps:
                failure = "derivation produced no steps"
        for number, step in enumerate(steps if failure is None else [], start=1):
            try:
                reason = step.check()
            except Exception as exc:  # a step that cannot be evaluated does not hold
                reason = f"raised {type(exc).__name__}: {exc}"
            if reason is not None:
                failure = f"step {number} ({step.description}): {reason}"
                break
            checked += 1
        seconds = time.perf_counter() - start
        return steps, LemmaResult(self.name, failure is None, checked, failure, seconds)

    def _latex(self, steps: Sequence[Step], result: LemmaResult | None) -> str:
        lines = [
            f"\\begin{{lemma}}[{self.title}]\\label{{lem:{self.name}}}",
            self.statement,
            "",
            f"\\noindent\\emph{{Source:}} {self.source}.",
            "\\end{lemma}",
        ]
        if result is not None:
            verdict = "all hold" if result.ok else f"FAILED at {_escape(result.failed_step)}"
            lines.append(
                f"\\noindent\\emph{{Machine check}} (\\texttt{{{_escape(self.name)}}}, sympy): "
                f"{result.steps_checked} of {len(steps)} steps verified, {verdict} "
                f"({result.seconds:.2f}\\,s)."
            )
        rows = [
            f"\\intertext{{({number}) {step.description}}}\n{step.latex()}"
            for number, step in enumerate(steps, start=1)
        ]
        if rows:
            lines += ["\\begin{align*}", " \\\\\n".join(rows), "\\end{align*}"]
        return "\n".join(lines)


_REGISTRY: list[Lemma] = []


def register(lemma: Lemma) -> Lemma:
    """Add ``lemma`` to the registry (names are unique) and return it.

    >>> from implicit_bias.proofs import all_lemmas
    >>> existing = all_lemmas()[0]
    >>> try:
    ...     register(existing)
    ... except ValueError as err:
    ...     print("refused")
    refused
    """
    if any(known.name == lemma.name for known in _REGISTRY):
        raise ValueError(f"a lemma named {lemma.name!r} is already registered")
    _REGISTRY.append(lemma)
    return lemma


def all_lemmas() -> list[Lemma]:
    """Every registered lemma, importing the theorem modules of :data:`THEORY_MODULES` first.

    Ordered by module (as in :data:`THEORY_MODULES`), then by registration within a module.

    >>> [lemma.name for lemma in all_lemmas()][:1]
    ['svm.kkt']
    """
    for module in THEORY_MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as err:
            if err.name != module:
                raise
    rank = {module: index for index, module in enumerate(THEORY_MODULES)}

    def module_rank(lemma: Lemma) -> int:
        return rank.get(getattr(lemma.derive, "__module__", None), len(rank))

    return sorted(_REGISTRY, key=module_rank)


def check_all() -> list[LemmaResult]:
    """Check every registered lemma (see :func:`all_lemmas`); a list of results."""
    return [lemma.check() for lemma in all_lemmas()]


def select(names: Sequence[str] = ()) -> list[Lemma]:
    """The lemmas named by ``names`` (all of them when empty), in :func:`all_lemmas` order: a
    name is a lemma's name (``svm.kkt``) or a theorem's prefix (``svm``: every ``svm.*``
    lemma). A name that selects nothing raises ``KeyError`` naming the known theorems.

    >>> [lemma.name for lemma in select(["svm.kkt"])]
    ['svm.kkt']
    """
    lemmas = all_lemmas()
    if not names:
        return lemmas
    unknown = [n for n in names if not any(
        lem.name == n or lem.name.startswith(n + ".") for lem in lemmas)]
    if unknown:
        known = sorted({lem.name.split(".")[0] for lem in lemmas})
        raise KeyError(f"no lemma named {', '.join(map(repr, unknown))}: give a lemma's name "
                       f"or one of the theorems {', '.join(known)}")
    return [lem for lem in lemmas
            if any(lem.name == n or lem.name.startswith(n + ".") for n in names)]


def evaluate_all(on_result: Callable[[Lemma, LemmaResult], None] | None = None,
                 names: Sequence[str] = ()):
    """Check every lemma (or those :func:`select` picks from ``names``) once: a list of
    (lemma, steps, result); ``on_result`` is called as each lemma finishes (progress)."""
    out = []
    for lemma in select(names):
        steps, res = lemma._evaluate()
        out.append((lemma, steps, res))
        if on_result is not None:
            on_result(lemma, res)
    return out


def report(latex: bool = False, evaluated=None) -> str:
    """Render the outcome of checking every lemma (checked here unless ``evaluated``, the
    output of :func:`evaluate_all`, is given: each lemma is checked once).

    ``latex=False``: a text table (name, ok/FAILED, steps, seconds, title), failing steps listed
    below it. ``latex=True``: a complete LaTeX document (an appendix with every lemma, its
    source, its checked derivation and the verdict of the check).

    >>> lemma = next(lem for lem in all_lemmas() if lem.name == "svm.logistic_smoothness")
    >>> print(report(evaluated=[(lemma, *lemma._evaluate())]).splitlines()[0].split())
    ['lemma', 'status', 'steps', 'seconds', 'title']
    """
    if evaluated is None:
        evaluated = evaluate_all()
    if latex:
        return _latex_document([lemma._latex(steps, res) for lemma, steps, res in evaluated])
    width = max([len("lemma"), *(len(lemma.name) for lemma, _, _ in evaluated)])
    lines = [f"{'lemma':<{width}}  status  steps  seconds  title"]
    for lemma, _, res in evaluated:
        lines.append(row(lemma, res, width))
    failed = [res for _, _, res in evaluated if not res.ok]
    total = sum(res.seconds for _, _, res in evaluated)
    lines.append(f"{len(evaluated) - len(failed)} of {len(evaluated)} lemmas ok ({total:.2f} s)")
    lines += [f"FAILED {res.name}: {res.failed_step}" for res in failed]
    return "\n".join(lines)


def row(lemma: Lemma, res: LemmaResult, width: int = 0) -> str:
    """One line of the text report."""
    status = "ok" if res.ok else "FAILED"
    return (f"{lemma.name:<{width}}  {status:<6}  {res.steps_checked:>5}  {res.seconds:>7.2f}  "
            f"{lemma.title}")


def _latex_document(bodies: Sequence[str]) -> str:
    preamble = [
        "\\documentclass{article}",
        "\\usepackage{amsmath,amssymb,amsthm,graphicx}",
        "\\newtheorem{lemma}{Lemma}",
        "\\newsavebox{\\fitbox}",
        "% \\fitwidth{f}{formula}: the formula, shrunk to f\\linewidth if it is wider",
        "\\newcommand{\\fitwidth}[2]{\\savebox{\\fitbox}{$\\displaystyle #2$}%",
        "  \\ifdim\\wd\\fitbox>#1\\linewidth\\resizebox{#1\\linewidth}{!}{\\usebox{\\fitbox}}%",
        "  \\else\\usebox{\\fitbox}\\fi}",
        "\\allowdisplaybreaks",
        "\\begin{document}",
        "\\section*{Appendix: machine-checked lemmas}",
        "Each lemma below is followed by the sympy derivation that checks it. Every equation",
        "is verified by reducing $\\mathrm{lhs}-\\mathrm{rhs}$ to $0$ by exact rewriting",
        "(\\texttt{cancel}, \\texttt{expand}, \\texttt{simplify}), entrywise for matrices,",
        "after evaluating limits, derivatives and sums that are printed unevaluated;",
        "every other claim by \\texttt{simplify} to \\texttt{True}. Formulas are printed as",
        "sympy computed them.",
        "",
    ]
    return "\n".join([*preamble, "\n\n".join(bodies), "", "\\end{document}", ""])


def _symbolic_matrix(side: Any) -> bool:
    """A matrix expression that is not an explicit matrix (e.g. built from ``MatrixSymbol``)."""
    return isinstance(side, MatrixExpr) and not isinstance(side, MatrixBase)


def _check_matrix_expression(lhs: Any, rhs: Any) -> str | None:
    """``None`` if the matrix expressions ``lhs`` and ``rhs`` are equal, else why not."""
    lhs, rhs = (
        sympy.ImmutableMatrix(side) if isinstance(side, MatrixBase) else side for side in (lhs, rhs)
    )
    if not all(isinstance(side, MatrixExpr) for side in (lhs, rhs)):
        return "one side is a matrix expression and the other is not"
    if lhs.shape != rhs.shape:
        return f"the shapes differ: {lhs.shape} and {rhs.shape}"
    residual = (lhs - rhs).doit()
    if not residual.atoms(sympy.MatrixSymbol):
        residual = residual.as_explicit()  # an instance: explicit entries
    if isinstance(residual, MatrixBase):  # explicit after doit: entrywise
        for index, entry in enumerate(residual):
            reduced = _reduce(entry)
            if reduced != 0:
                return f"entry {index} of lhs - rhs simplifies to {_short(reduced)}, not 0"
        return None
    expanded = sympy.expand(residual)
    terms = expanded.args if isinstance(expanded, MatAdd) else (expanded,)
    coefficients: dict[Any, Any] = {}
    for term in terms:
        if term.shape == (1, 1):  # a 1 x 1 matrix is its own transpose: pick one form
            term = min(term, sympy.transpose(term).doit(), key=sympy.default_sort_key)
        coefficient, matrix = term.as_coeff_mmul() if isinstance(term, MatMul) else (1, term)
        matrix = matrix.doit()
        if getattr(matrix, "is_ZeroMatrix", False):
            continue
        coefficients[matrix] = coefficients.get(matrix, 0) + coefficient
    left = {matrix: _reduce(c) for matrix, c in coefficients.items()}
    left = {matrix: c for matrix, c in left.items() if c != 0}
    if not left:
        return None
    reduced = MatAdd(*(c * matrix for matrix, c in left.items()))
    return f"lhs - rhs reduces to {_short(reduced)}, not the zero matrix"


def _reduce(residual: sympy.Expr) -> sympy.Expr:
    """0 if an exact rewrite shows ``residual == 0``, else ``sympy.simplify(residual)``."""
    for rewrite in (sympy.cancel, lambda expr: sympy.cancel(sympy.expand(expr))):
        if rewrite(residual) == 0:
            return sympy.S.Zero
    return sympy.simplify(residual)


_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "%": r"\%",
    "#": r"\#",
    "_": r"\_",
    "^": r"\^{}",
    "~": r"\~{}",
}


def _escape(text: str | None) -> str:
    """``text`` as literal LaTeX text (special characters escaped)."""
    return "".join(_LATEX_SPECIALS.get(char, char) for char in text or "")


def _short(expr: Any) -> str:
    text = str(expr)
    return text if len(text) <= _RESIDUAL_CHARS else text[: _RESIDUAL_CHARS - 3] + "..."

"""The executable lemmas of ``proofs``: they all check, they render, and they can fail."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sympy

from implicit_bias.proofs import (
    Lemma,
    LemmaResult,
    Step,
    all_lemmas,
    check_all,
    evaluate_all,
    register,
    report,
)
from implicit_bias.proofs import lemma as _lemma
from implicit_bias.proofs.svm import EXAMPLE_DATA, solve_polynomial_system

EXPECTED = {
    "svm.kkt",
    "svm.asymptote",
    "svm.logistic_smoothness",
    "svm.normalized_gradient",
    "deep_linear.cost",
    "convnet.fourier_product",
    "convnet.cost",
    "convnet.stationarity",
    "convnet.single_example",
    "relu1d.balancing",
    "relu1d.cost_chain",
    "relu1d.min_interpolation",
    "relu1d.with_skip",
    "diagonal.potential",
    "diagonal.gradient_flow",
    "diagonal.depth",
    "diagonal.limits",
    "ntk1d.tangent_features",
    "ntk1d.arccos_kernels",
    "ntk1d.closed_form",
    "ntk1d.curvature",
    "matrix.commuting",
    "matrix.singular_values",
    "matrix.det_invariance",
    "matrix.razin_cohen",
}


def _lemma_with(*steps: Step, name: str = "test.lemma") -> Lemma:
    return Lemma(
        name=name,
        title="A test lemma",
        statement="A claim.",
        source="this test",
        derive=lambda: list(steps),
    )


@pytest.fixture(scope="module")
def evaluated():
    """Every lemma checked once for the module (the reports render this evaluation)."""
    return evaluate_all()


@pytest.fixture(scope="module")
def latex_report(evaluated) -> str:
    return report(latex=True, evaluated=evaluated)


def test_registry_holds_the_svm_lemmas_in_module_order() -> None:
    names = [lemma.name for lemma in all_lemmas()]
    assert EXPECTED <= set(names)
    assert len(names) == len(set(names))
    assert names[0] == "svm.kkt"


def test_theorem_modules_register_in_report_order_and_cite_their_papers() -> None:
    names = [lemma.name for lemma in all_lemmas()]
    first = {
        prefix: next(i for i, name in enumerate(names) if name.startswith(prefix))
        for prefix in ("convnet.", "relu1d.")
    }
    assert all(not n.startswith(("convnet.", "relu1d.")) for n in names[: first["convnet."]])
    assert first["convnet."] < first["relu1d."]
    families = ("relu1d.", "geometry.", "diagonal.", "ntk1d.", "matrix.")
    assert all(n.startswith(families) for n in names[first["relu1d."] :])
    papers = {"convnet.": "Gunasekar", "relu1d.": "Savarese"}
    for lemma in all_lemmas():
        for prefix, author in papers.items():
            if lemma.name.startswith(prefix):
                assert author in lemma.source and "Thm" in lemma.source, lemma.name
                assert lemma.statement.isascii() and lemma.title.isascii()


def test_every_registered_lemma_checks(evaluated) -> None:
    assert [lemma.name for lemma, _, _ in evaluated] == [lem.name for lem in all_lemmas()]
    for lemma, steps, result in evaluated:
        assert isinstance(result, LemmaResult) and result.ok, (lemma.name, result.failed_step)
        assert result.failed_step is None and result.steps_checked == len(steps) >= 3
        assert lemma.title and lemma.statement and lemma.source


def test_check_all_checks_each_lemma(monkeypatch) -> None:
    seen = []
    monkeypatch.setattr(Lemma, "check", lambda self: seen.append(self.name) or "r")
    assert check_all() == ["r"] * len(all_lemmas())
    assert seen == [lemma.name for lemma in all_lemmas()]


def test_text_report_lists_every_lemma(evaluated) -> None:
    text = report(evaluated=evaluated)
    rows = {line.split()[0]: line.split()[1] for line in text.splitlines()[1:] if line.strip()}
    for lemma in all_lemmas():
        assert rows.get(lemma.name) == "ok", text
        assert lemma.title in text
    assert "FAILED" not in text


def test_latex_report_has_every_lemma(latex_report: str) -> None:
    assert latex_report.startswith("\\documentclass{article}")
    assert "\\newtheorem{lemma}" in latex_report
    assert latex_report.count("\\begin{lemma}") == len(all_lemmas())
    for lemma in all_lemmas():
        assert f"\\label{{lem:{lemma.name}}}" in latex_report
    assert latex_report.isascii()


def test_latex_report_is_structurally_balanced(latex_report: str) -> None:
    stack: list[str] = []
    for kind, env in re.findall(r"\\(begin|end)\{([^}]*)\}", latex_report):
        if kind == "begin":
            stack.append(env)
        else:
            assert stack and stack.pop() == env, f"unbalanced \\end{{{env}}}"
    assert stack == []
    unescaped = re.sub(r"\\[{}]", "", latex_report)
    depth = 0
    for char in unescaped:
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0
    assert depth == 0
    assert latex_report.rstrip().endswith("\\end{document}")


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed")
def test_latex_report_compiles(latex_report: str, tmp_path: Path) -> None:
    (tmp_path / "appendix.tex").write_text(latex_report)
    run = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "appendix.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout[-3000:]


def test_a_false_claim_fails_and_names_its_step() -> None:
    """Claiming sum(alpha) = 2 ||w_hat||^2 on the exact instance must fail at that step."""
    a1, a2 = sympy.symbols("alpha_1 alpha_2")
    alpha = sympy.Matrix([a1, a2, 0])
    w = EXAMPLE_DATA.T * alpha
    (sol,) = sympy.solve([EXAMPLE_DATA[n, :].dot(w) - 1 for n in range(2)], [a1, a2], dict=True)
    w_hat = w.subs(sol)
    broken = _lemma_with(
        Step.eq(
            "w_hat solves the support equations", EXAMPLE_DATA[:2, :] * w_hat, sympy.ones(2, 1)
        ),
        Step.eq("sum alpha = 2 ||w_hat||^2", sum(alpha.subs(sol)), 2 * w_hat.dot(w_hat)),
        Step.eq("never reached", 1, 1),
        name="broken.kkt",
    )
    result = broken.check()
    assert not result.ok
    assert result.steps_checked == 1
    assert result.failed_step is not None
    assert "step 2 (sum alpha = 2 ||w_hat||^2)" in result.failed_step
    assert "-5/16" in result.failed_step
    text = broken.latex(result)
    assert "FAILED" in text and "\\begin{lemma}" in text


def test_a_symbolic_identity_that_is_off_by_a_term_fails() -> None:
    x, y = sympy.symbols("x y", real=True)
    result = _lemma_with(Step.eq("binomial", (x + y) ** 2, x**2 + y**2)).check()
    assert not result.ok and "2*x*y" in (result.failed_step or "")


def test_the_conjugated_fourier_product_fails() -> None:
    """With this cross-correlation convention, conj(hat w_1) * hat w_2 is not F beta."""
    from implicit_bias.proofs.convnet import _filters, dft, network_predictor

    w1, w2 = _filters(3, 2)
    conjugated = dft(w1).applyfunc(sympy.conjugate).multiply_elementwise(dft(w2))
    exact = dft(w1).multiply_elementwise(dft(w2))
    beta_hat = dft(network_predictor([w1, w2]))
    assert _lemma_with(Step.eq("no conjugates", beta_hat, exact)).check().ok
    result = _lemma_with(Step.eq("conjugated", beta_hat, conjugated)).check()
    assert not result.ok and "entry 1 of lhs - rhs" in (result.failed_step or "")


def test_the_plain_spline_value_is_not_the_min_norm_interpolation_value() -> None:
    """R of the spline extended linearly is max(V, |S|): above max(V, (V + |S|)/2) if |S| > V."""
    from implicit_bias.proofs.relu1d import tail_cost

    slopes = [1, 2]  # V = 1, S = 3
    spline = sympy.Max(tail_cost(slopes, 1, 2), abs(1 + 2))
    claimed = sympy.Max(1, sympy.Rational(1 + 3, 2))
    result = _lemma_with(Step.eq("spline is optimal", spline, claimed)).check()
    assert not result.ok and "simplifies to 1" in (result.failed_step or "")


def test_undecided_claims_and_mismatched_shapes_fail() -> None:
    x = sympy.Symbol("x", real=True)
    undecided = _lemma_with(Step.holds("x is positive", x > 0)).check()
    assert not undecided.ok and "x is positive" in (undecided.failed_step or "")
    shapes = _lemma_with(Step.eq("shapes", sympy.ones(2, 1), sympy.ones(1, 2))).check()
    assert not shapes.ok and "raised ShapeError" in (shapes.failed_step or "")
    mixed = _lemma_with(Step.eq("matrix vs scalar", sympy.ones(1, 1), 1)).check()
    assert not mixed.ok
    sets = _lemma_with(Step.eq("sets", sympy.FiniteSet(0, 1), sympy.FiniteSet(0))).check()
    assert not sets.ok and "sets differ" in (sets.failed_step or "")


def test_a_derivation_that_raises_or_is_empty_fails() -> None:
    def explode() -> list[Step]:
        raise ZeroDivisionError("no derivation")

    raising = Lemma("test.raise", "t", "s", "src", explode).check()
    assert not raising.ok and "ZeroDivisionError" in (raising.failed_step or "")
    empty = _lemma_with().check()
    assert not empty.ok and empty.steps_checked == 0


def test_register_refuses_duplicate_names() -> None:
    before = list(all_lemmas())
    with pytest.raises(ValueError, match="already registered"):
        register(before[0])
    assert all_lemmas() == before


def test_missing_theory_modules_are_skipped_but_broken_ones_raise(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(_lemma, "THEORY_MODULES",
                        ("implicit_bias.proofs.svm", "implicit_bias.proofs.no_such_theory"))
    assert {lemma.name for lemma in all_lemmas()} >= EXPECTED
    (tmp_path / "ib_broken_theory.py").write_text("import ib_missing_dependency_xyz\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(_lemma, "THEORY_MODULES", ("ib_broken_theory",))
    with pytest.raises(ModuleNotFoundError, match="ib_missing_dependency_xyz"):
        all_lemmas()


def test_solve_polynomial_system_of_a_lagrange_system() -> None:
    x, y = sympy.symbols("x y", positive=True)
    lam = sympy.Symbol("lambda")
    system = [2 * x - lam * y, 2 * y - lam * x, x * y - 9]
    assert solve_polynomial_system(system, [lam, x, y]) == [{y: 3, x: 3, lam: 2}]


def test_proofs_never_import_jax_or_the_numerics() -> None:
    """The lemmas are sympy (and the theory's own symbolic forms): no JAX, no training."""
    code = (
        "import sys; from implicit_bias import proofs; proofs.all_lemmas(); "
        "print(sorted({m for m in sys.modules if m.split('.')[0] in ('jax', 'optax')} | "
        "{m for m in sys.modules if m.startswith(('implicit_bias.numerics', "
        "'implicit_bias.claims'))}))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, check=True)
    assert run.stdout.strip() == "[]"

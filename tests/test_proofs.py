"""The executable lemmas of ``proofs``: they all check, they render, and they can fail."""

from __future__ import annotations

import functools
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


@functools.cache  # once per process, even if xdist interleaves other modules' tests
def _evaluated():
    return evaluate_all()


@pytest.fixture
def evaluated():
    """Every lemma checked once (the reports render this evaluation)."""
    return _evaluated()


@pytest.fixture
def latex_report() -> str:
    return _latex()


@functools.cache
def _latex() -> str:
    return report(latex=True, evaluated=_evaluated())


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
    # every later module in THEORY_MODULES order (a new theorem needs no edit here)
    later = tuple(m.rsplit(".", 1)[1] + "." for m in _lemma.THEORY_MODULES)
    later = later[later.index("relu1d."):]
    assert all(n.startswith(later) for n in names[first["relu1d."] :])
    papers = {"convnet.": "Gunasekar", "relu1d.": "Savarese"}
    for lemma in all_lemmas():
        for prefix, author in papers.items():
            if lemma.name.startswith(prefix):
                assert author in lemma.source and "Thm" in lemma.source, lemma.name
                assert lemma.statement.isascii() and lemma.title.isascii()


@pytest.mark.xdist_group("every-lemma")  # one worker evaluates them once
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


@pytest.mark.xdist_group("every-lemma")  # one worker evaluates them once
def test_text_report_lists_every_lemma(evaluated) -> None:
    text = report(evaluated=evaluated)
    rows = {line.split()[0]: line.split()[1] for line in text.splitlines()[1:] if line.strip()}
    for lemma in all_lemmas():
        assert rows.get(lemma.name) == "ok", text
        assert lemma.title in text
    assert "FAILED" not in text


@pytest.mark.xdist_group("every-lemma")
def test_latex_report_has_every_lemma(latex_report: str) -> None:
    assert latex_report.startswith("\\documentclass{article}")
    assert "\\newtheorem{lemma}" in latex_report
    assert latex_report.count("\\begin{lemma}") == len(all_lemmas())
    for lemma in all_lemmas():
        assert f"\\label{{lem:{lemma.name}}}" in latex_report
    assert latex_report.isascii()


@pytest.mark.xdist_group("every-lemma")
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
@pytest.mark.xdist_group("every-lemma")
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


# --------------------------------------------------------------------------------------------
# Each step can fail: wrong mathematics makes the lemma fail at the step that uses it (the
# unmutated lemmas all check: test_every_registered_lemma_checks).

#: every lemma family (the prefixes of the registered names: a new theorem is checked too)
FAMILIES = tuple(dict.fromkeys(lemma.name.split(".")[0] + "." for lemma in all_lemmas()))


def _registered(name: str) -> Lemma:
    return next(lemma for lemma in all_lemmas() if lemma.name == name)


def _fails_at(name: str, number: int, fragment: str) -> None:
    """The lemma ``name`` fails at step ``number``, whose description contains ``fragment``."""
    result = _registered(name).check()
    assert not result.ok, name
    assert result.steps_checked == number - 1, result.failed_step
    assert (result.failed_step or "").startswith(f"step {number} ("), result.failed_step
    assert fragment in (result.failed_step or ""), result.failed_step


def test_svm_mutations_fail_at_the_named_step(monkeypatch: pytest.MonkeyPatch) -> None:
    from implicit_bias.proofs import svm

    # the AM-GM value with exponent 1/L instead of 2/L (symbolic L)
    monkeypatch.setattr(svm, "deep_linear_cost", lambda norm, depth: depth * norm ** (1 / depth))
    _fails_at("deep_linear.cost", 4, r"$\sum_l s_l^2 - L b^{2/L}")
    monkeypatch.undo()
    # a sigmoid of the wrong slope
    monkeypatch.setattr(svm, "_sigmoid", lambda u: 1 / (1 + sympy.exp(-2 * u)))
    _fails_at("svm.logistic_smoothness", 1, r"$\ell'(u) = -\sigma(-u)$")
    monkeypatch.undo()
    # a wrong KKT certificate (alpha_2 off), and an offset of the wrong sign
    monkeypatch.setattr(svm, "EXAMPLE_ALPHA", sympy.Matrix([sympy.Rational(3, 16), 0, 0]))
    _fails_at("svm.kkt", 6, r"\hat w = Z^\top \alpha")
    monkeypatch.undo()
    monkeypatch.setattr(svm, "_example_offset", lambda eta: -svm.EXAMPLE_DATA[:2, :].LUsolve(
        sympy.Matrix([sympy.log(eta / a) for a in svm.EXAMPLE_ALPHA[:2]])))
    _fails_at("svm.asymptote", 9, r"t \cdot \mathrm{RHS}(w(t)) \to \hat w")


def test_convnet_mutations_fail_at_the_named_step(monkeypatch: pytest.MonkeyPatch) -> None:
    from implicit_bias.proofs import convnet

    # convolution h[(d - k) mod D] instead of the cross-correlation of SPEC section 0
    def convolution(h, w, *, normalized=True):
        size = len(h)
        scale = 1 / sympy.sqrt(size) if normalized else 1
        return sympy.Matrix([scale * sum(w[k] * h[(d - k) % size] for k in range(size))
                             for d in range(size)])

    monkeypatch.setattr(convnet, "conv_layer", convolution)
    _fails_at("convnet.fourier_product", 4, "instance $D = 3$, $L = 2$")
    monkeypatch.undo()
    # the conjugated spectrum of the single-example instance
    monkeypatch.setattr(convnet, "EXAMPLE_X_HAT",
                        convnet.EXAMPLE_X_HAT.applyfunc(sympy.conjugate))
    _fails_at("convnet.single_example", 10, r"$\hat x = F x")
    monkeypatch.undo()
    # a Fourier bin of the cost construction that forgets one layer's phase
    original = convnet._balanced_real_filters

    def wrong_target(depth):
        filters, target, symbols = original(depth)
        return filters, target.applyfunc(lambda e: e * sympy.exp(sympy.I * symbols[3])), symbols

    monkeypatch.setattr(convnet, "_balanced_real_filters", wrong_target)
    _fails_at("convnet.cost", 5, "the network with these filters has the spectrum")


def test_relu1d_mutations_fail_at_the_named_step(monkeypatch: pytest.MonkeyPatch) -> None:
    from implicit_bias.proofs import relu1d

    # a unit that is not positively homogeneous of degree 1
    monkeypatch.setattr(relu1d, "_relu", lambda u: sympy.Max(0, u) ** 2)
    _fails_at("relu1d.balancing", 1, "positive homogeneity")
    _fails_at("relu1d.cost_chain", 1, r"a[wx + b]_+ =")
    monkeypatch.undo()
    # int|f''| of the spline without the absolute values (the slope changes then telescope)
    monkeypatch.setattr(relu1d, "tail_cost", lambda slopes, left, right: sum(
        (q - p for p, q in zip([left, *slopes], [*slopes, right], strict=True)), sympy.S.Zero))
    _fails_at("relu1d.min_interpolation", 11, "computed by exhaustion")


@pytest.mark.parametrize("family", FAMILIES)
def test_no_equation_step_has_structurally_equal_sides(family: str) -> None:
    """A step whose two sides are the same sympy expression checks nothing at check time."""
    same = [
        (lemma.name, number, step.description[:60])
        for lemma in all_lemmas() if lemma.name.startswith(family)
        for number, step in enumerate(lemma.derive(), start=1)
        if step.kind == "eq" and step.lhs == step.rhs
    ]
    assert same == []


@pytest.mark.parametrize("family", FAMILIES)
def test_no_equation_step_is_decided_at_construction(family: str) -> None:
    """Stricter, for every family: ``lhs - rhs`` is not already 0 (every
    entry) when the step is built; the step's own check does the work (explicit sides only:
    subtracting matrix expressions evaluates them)."""
    decided = []
    for lemma in all_lemmas():
        if not lemma.name.startswith(family):
            continue
        for number, step in enumerate(lemma.derive(), start=1):
            sides = (step.lhs, step.rhs)
            if step.kind != "eq" or any(isinstance(side, (sympy.Set, sympy.MatrixExpr))
                                        and not isinstance(side, sympy.MatrixBase)
                                        for side in sides):
                continue
            residual = step.lhs - step.rhs
            entries = list(residual) if isinstance(residual, sympy.MatrixBase) else [residual]
            if all(entry == 0 for entry in entries):
                decided.append((lemma.name, number, step.description[:60]))
    assert decided == []


def test_statements_say_what_is_general_and_what_is_an_instance() -> None:
    for lemma in all_lemmas():  # every family
        text = lemma.statement.lower()
        assert "general" in text or "symbolic" in text, lemma.name
        assert "checked symbolically for $n = 3$" not in text, lemma.name


def test_matrix_expression_steps_decide_symbolic_shapes() -> None:
    rows, cols = sympy.symbols("N d", positive=True, integer=True)
    z = sympy.MatrixSymbol("Z", rows, cols)
    w = sympy.MatrixSymbol("w", cols, 1)
    a = sympy.MatrixSymbol("a", rows, 1)
    good = Step.eq("a scalar is its transpose", (w.T * z.T * a) * 2, a.T * z * w + w.T * z.T * a)
    assert good.check() is None
    bad = Step.eq("off by a factor", w.T * z.T * a, 2 * a.T * z * w)
    assert "not the zero matrix" in (bad.check() or "")
    assert "shapes differ" in (Step.eq("shape", z, z.T).check() or "")
    instance = {z: sympy.ImmutableMatrix([[1, 2]]), w: sympy.ImmutableMatrix([3, 4]), rows: 1,
                cols: 2}
    assert Step.eq("instance", (z * w).subs(instance), sympy.Matrix([[11]])).check() is None
    assert "entry 0" in (Step.eq("instance", (z * w).subs(instance),
                                 sympy.Matrix([[12]])).check() or "")


def test_via_rewrites_unevaluated_steps() -> None:
    t = sympy.Symbol("t", positive=True)
    limit = sympy.Limit(t * sympy.exp(-2 * sympy.log(t)), t, sympy.oo)
    assert Step.eq("a limit", limit, 0, via=lambda e: e.doit()).check() is None
    assert "simplifies to" in (Step.eq("a wrong limit", limit, 1,
                                       via=lambda e: e.doit()).check() or "")

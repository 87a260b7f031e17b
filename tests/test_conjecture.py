"""Conjecture checking: the false claims are refuted and shrunk, the theorems survive, every
outcome is classified, counterexamples are saved exactly and replay."""

import json
import os
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from implicit_bias.claims import search as cj
from implicit_bias.claims.catalogue import CLAIMS
from implicit_bias.claims.cli import main

FALSE = [n for n, c in CLAIMS.items() if not c.expected]
TRUE = [n for n, c in CLAIMS.items() if c.expected]
SCALE = 10 if os.environ.get("IMPLICIT_BIAS_PROFILE") == "thorough" else 1


def test_catalogue_has_the_three_theorems_and_the_required_false_conjectures():
    assert {"svm-direction", "convnet-gf-class", "relu1d-min-cost"} <= set(TRUE)
    assert {"convnet-L3-global-min", "relu1d-spline-unique", "sign-gd-l2-svm"} <= set(FALSE)
    assert all(c.kind in cj.KINDS for c in CLAIMS.values())


@pytest.mark.parametrize("name", FALSE)
def test_false_conjecture_is_refuted_shrunk_saved_and_replays(name, tmp_path):
    claim = CLAIMS[name]
    r = cj.search(claim, seed=0, out=tmp_path)
    assert r.refuted, r.summary()
    assert r.counts["implementation error"] == 0, r.first.get("implementation error")
    cx = r.counterexample
    assert cx["status"] == "counterexample" and cx["claim"] == name
    # saved with the exact instance, the seed, versions and the numbers
    path = next(p for p in r.saved if "counterexample" in p.name)
    # the first one found was on disk before shrinking began (an interrupt loses nothing)
    unshrunk = next(p for p in r.saved if "unshrunk" in p.name)
    assert json.loads(unshrunk.read_text())["shrunk"] is False
    rec = json.loads(path.read_text())
    assert rec["instance"] == cx["instance"] and rec["seed"] == cx["seed"]
    assert rec["versions"]["numpy"] and rec["numbers"]
    # shrunk: small (the strategies' minimal sizes are 1 point / 2 knots / 3 classes)
    inst = cj.decode(rec["instance"])
    if "X" in inst:
        assert len(inst["X"]) <= 2 and all(abs(v) <= 3 for row in inst["X"] for v in row)
    if "x" in inst:
        assert len(inst["x"]) <= 4  # non-uniqueness needs two same-sign curvatures: N = 4
    # the replay satisfies the refutation, with the same numbers
    out, saved = cj.replay(path)
    assert out.status == "counterexample"
    for k, v in saved["numbers"].items():
        assert out.numbers[k] == pytest.approx(float(v), rel=1e-9, abs=1e-12), k


@pytest.mark.parametrize("name", TRUE)
def test_theorems_have_no_counterexample_within_budget(name, tmp_path):
    claim = CLAIMS[name]
    r = cj.search(claim, budget=claim.budget * SCALE, seed=1, out=tmp_path)
    assert not r.refuted, r.summary()
    assert r.counts["implementation error"] == 0, r.first.get("implementation error")
    assert r.counts["agree"] >= claim.budget * SCALE // 2  # most instances decide


def test_shrunk_sign_gd_counterexample_is_the_textbook_one(tmp_path):
    """One point z = (1, 2): the L2 direction is (1, 2)/√5, sign GD moves along (1, 1)."""
    r = cj.search(CLAIMS["sign-gd-l2-svm"], seed=0, out=tmp_path)
    inst = cj.decode(r.counterexample["instance"])
    X = np.abs(np.array(inst["X"], dtype=float))
    assert X.shape == (1, 2) and sorted(X[0].tolist()) == [1.0, 2.0]
    assert r.counterexample["numbers"]["linf_margin_gap"] <= 1e-9  # it found the l-inf one


def test_example_database_is_kept_and_reused(tmp_path):
    """Unseeded searches (the CLI default) keep hypothesis' database in out/hypothesis-db and
    start from what failed before: the second search re-finds the shrunk counterexample at
    once. (A seeded search is reproducible instead: hypothesis ignores the database then.)"""
    claim = CLAIMS["relu1d-spline-unique"]
    first = cj.search(claim, budget=300, out=tmp_path)
    assert first.refuted and (tmp_path / "hypothesis-db").is_dir()
    again = cj.search(claim, budget=300, out=tmp_path)
    assert again.refuted
    assert again.counterexample["instance"] == first.counterexample["instance"]
    assert sum(again.counts.values()) < sum(first.counts.values())


def test_outcomes_are_classified_not_all_called_counterexamples():
    # still falling fast: not converged (optimization failure), never a counterexample
    assert cj.limit_verdict(1e-3, 1e-1, tol=1e-8, plateau=0.5, what="e").status == \
        "optimization failure"
    assert cj.limit_verdict(1e-3, 1.1e-3, tol=1e-8, plateau=0.5, what="e").status == \
        "counterexample"
    assert cj.limit_verdict(1e-9, 1e-3, tol=1e-8, plateau=0.5, what="e").status == "agree"

    base = CLAIMS["svm-direction"]
    inst = {"X": [[1, 0], [3, 1]], "y": [1, 1]}

    def too_short(instance, seed):
        from implicit_bias.numerics import linear
        from implicit_bias.claims.catalogue import _pad

        Xp, yp, m = _pad(instance)
        return linear.train(Xp, yp, mask=m, schedule="accelerated", steps=60, n_records=41)

    short = cj.Claim("short", "60 steps", "exact limit", base.strategy, base.predict,
                     too_short, base.check, True, "test")
    out = cj.evaluate(short, inst)
    assert out.status == "optimization failure" and "still falling" in out.reason

    def broken_predict(instance):
        ex, num = base.predict(instance)
        return ex, type(num)(**{**num.__dict__, "w": num.w * 1.01})

    bug = cj.Claim("bug", "broken", "exact limit", base.strategy, broken_predict, base.train,
                   base.check, True, "test")
    assert cj.evaluate(bug, inst).status == "implementation error"

    def raises(instance, seed):
        raise RuntimeError("boom")

    crash = cj.Claim("crash", "crash", "exact limit", base.strategy, base.predict, raises,
                     base.check, True, "test")
    out = cj.evaluate(crash, inst)
    assert out.status == "implementation error" and "RuntimeError: boom" in out.reason


def test_claim_kind_and_status_are_validated():
    base = CLAIMS["svm-direction"]
    with pytest.raises(ValueError, match="kind"):
        cj.Claim("x", "x", "a hunch", base.strategy, base.predict, base.train, base.check,
                 True, "none")
    with pytest.raises(ValueError, match="status"):
        cj.Outcome("maybe", "")


exact = st.recursive(st.integers(-10**6, 10**6) | st.fractions(max_denominator=10**6),
                     lambda c: st.lists(c, max_size=4), max_leaves=12)


@given(st.dictionaries(st.sampled_from(["X", "y", "x_hat"]), exact, max_size=3))
def test_instances_round_trip_exactly_through_json(inst):
    back = cj.decode(json.loads(json.dumps(cj.encode(inst))))
    norm = lambda v: ([norm(u) for u in v] if isinstance(v, list)  # noqa: E731
                      else Fraction(v))
    assert {k: norm(v) for k, v in back.items()} == {k: norm(v) for k, v in inst.items()}


def test_cli_conjecture_list_check_replay(tmp_path, capsys):
    assert main(["conjecture", "list"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in CLAIMS)
    code = main(["conjecture", "check", "sign-gd-l2-svm", "--seed", "0", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0 and "REFUTED" in out  # refuted, as the catalogue expects
    saved = sorted(tmp_path.glob("sign-gd-l2-svm-counterexample-*.json"))
    assert len(saved) == 1
    assert main(["conjecture", "replay", str(saved[0])]) == 0
    assert "replayed: counterexample" in capsys.readouterr().out
    assert main(["conjecture", "check", "svm-direction", "--budget", "5", "--seed", "0",
                 "--out", str(tmp_path)]) == 0
    assert "no counterexample" in capsys.readouterr().out
    assert main(["conjecture", "check", "nonsense"]) == 2


def test_each_claim_has_its_own_example_database(tmp_path):
    """Claims share strategies: one claim's stored failures must never be replayed as another
    claim's (hypothesis would take them as already shrunk, or delete them)."""
    cj.search(CLAIMS["sign-gd-l2-svm"], budget=60, out=tmp_path)
    mine = tmp_path / "hypothesis-db" / "sign-gd-l2-svm"
    stored = sorted(str(p) for p in mine.rglob("*") if p.is_file())
    assert stored
    cj.search(CLAIMS["svm-direction"], budget=5, out=tmp_path)  # same strategy, a theorem
    assert sorted(str(p) for p in mine.rglob("*") if p.is_file()) == stored  # untouched
    again = cj.search(CLAIMS["sign-gd-l2-svm"], budget=60, out=tmp_path)
    assert again.refuted and sum(again.counts.values()) <= 10  # its own failure, replayed


def test_a_nan_measurement_is_never_a_verdict():
    base = CLAIMS["relu1d-min-cost"]

    def nan_check(inst, pred, run):
        return cj.agree(gap=float("nan"))

    c = cj.Claim("nan", "nan", "exact limit", base.strategy, base.predict,
                 lambda i, s: None, nan_check, True, "test")
    out = cj.evaluate(c, {"x": [0, 1], "y": [0, 1]})
    assert out.status == "optimization failure" and "non-finite" in out.reason
    assert cj.limit_verdict(float("nan"), 1.0, tol=1e-8, plateau=0.5, what="e").status == \
        "optimization failure"


def test_a_search_compiles_once_not_per_example(tmp_path):
    """The catalogue pads every instance into one shape bucket: after a first search, a
    second search over new instances adds no compiled program."""
    from implicit_bias.numerics import trainer

    cj.search(CLAIMS["svm-direction"], budget=5, seed=3, out=tmp_path)
    before = trainer._fit_jit._cache_size()
    cj.search(CLAIMS["svm-direction"], budget=20, seed=4, out=tmp_path)
    assert trainer._fit_jit._cache_size() == before

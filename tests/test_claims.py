"""The claims layer: the registry, the verdict rule, and the conjecture search (false claims
are refuted and shrunk, theorems survive, every outcome is classified, records replay)."""

import json
import os
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from implicit_bias import claims
from implicit_bias.claims import core
from implicit_bias.claims import search as cj
from implicit_bias.claims import svm as cs
from implicit_bias.claims.cli import main
from implicit_bias.claims.core import Claim, ClaimFileError, Measurement, judge
from implicit_bias.numerics import engine
from implicit_bias.theory.errors import InvalidInputError
from implicit_bias.theory.results import Kind

ALL = claims.claims()
FALSE = [c for c in ALL if not c.expected]
TRUE = [c for c in ALL if c.expected]
SCALE = 10 if os.environ.get("IMPLICIT_BIAS_PROFILE") == "thorough" else 1


def test_registry_names_kinds_and_known_false_conjectures():
    names = {c.name for c in ALL}
    assert {"svm.sign-gd-l2-svm", "convnet.L3-global-min", "relu1d.spline-unique"} <= \
        {c.name for c in FALSE}
    assert len(names) == len(ALL)  # names are unique
    for c in ALL:
        assert isinstance(c.kind, Kind) and c.derivation and c.reference
        assert claims.theorem_of(c.name) == c.theorem
        assert claims.get(c.name) is c
        assert c.expected or (c.contradicts and not c.verify)
    with pytest.raises(InvalidInputError):
        claims.get("svm.no-such-claim")
    with pytest.raises(InvalidInputError):
        claims.claims("no-such-theorem")


def _claim(kind, tol=0.1):
    return Claim("t.demo", "t", "demo", kind, "ref", "s", "a", "m", tol, "d", lambda: None,
                 lambda insts, seed: [])


def test_the_verdict_rule_is_two_sided_and_one_place():
    c = _claim(Kind.EXACT_LIMIT)
    assert judge(c, Measurement(0.05)).status == "agree"
    assert judge(c, Measurement(0.5)).status == "counterexample"
    assert judge(c, Measurement(0.5, excuse="still moving")).status == "optimization failure"
    assert judge(c, Measurement(0.0, invariant="chain broken")).status == \
        "implementation error"
    assert judge(c, Measurement(float("nan"))).status == "optimization failure"
    assert judge(c, Measurement(0.01, numbers={"x": float("nan")})).status == \
        "optimization failure"  # a verdict read off NaN is no verdict


def test_limit_excuse_uses_the_runs_own_movement():
    # far from the prediction, the run still moving a lot: undecided
    assert core.limit_excuse(0.1, 2.0, rate=0.1, tol=1e-3, what="w") is not None
    # far from the prediction, the run settled: a counterexample (no excuse)
    assert core.limit_excuse(0.1, 1e-4, rate=0.1, tol=1e-3, what="w") is None
    with pytest.raises(InvalidInputError):
        core.limit_excuse(0.1, 0.1, rate=1.5, tol=1e-3, what="w")


def test_an_exception_or_a_bad_measure_is_an_implementation_error():
    def boom(insts, seed):
        raise RuntimeError("boom")

    c = Claim("t.boom", "t", "x", Kind.EXACT_LIMIT, "r", "s", "a", "m", 0.0, "d",
              lambda: None, boom)
    out = core.evaluate(c, {"x": 1})
    assert out.status == "implementation error" and "RuntimeError: boom" in out.reason
    c2 = Claim("t.short", "t", "x", Kind.EXACT_LIMIT, "r", "s", "a", "m", 0.0, "d",
               lambda: None, lambda insts, seed: [])
    assert core.evaluate(c2, {"x": 1}).status == "implementation error"


def test_claims_validate_their_fields():
    with pytest.raises(ValueError):
        Claim("x", "x", "x", "a hunch", "r", "s", "a", "m", 0.1, "d", lambda: None, None)
    with pytest.raises(InvalidInputError):  # a false claim must say what is true instead
        Claim("x", "x", "x", Kind.EXACT_LIMIT, "r", "s", "a", "m", 0.1, "d", lambda: None,
              None, expected=False)
    with pytest.raises(InvalidInputError):
        core.Outcome("maybe", "")


@pytest.mark.parametrize("claim", FALSE, ids=lambda c: c.name)
def test_false_conjecture_is_refuted_shrunk_saved_and_replays(claim, tmp_path):
    r = cj.search(claim, seed=0, out=tmp_path)
    assert r.refuted, r.summary()
    assert r.counts["implementation error"] == 0, r.first.get("implementation error")
    cx = r.counterexample
    assert cx["status"] == "counterexample" and cx["claim"] == claim.name
    path = next(p for p in r.saved if "-counterexample-" in p.name)
    unshrunk = next(p for p in r.saved if "unshrunk" in p.name)
    assert json.loads(unshrunk.read_text())["shrunk"] is False
    rec = json.loads(path.read_text())
    assert rec["instance"] == cx["instance"] and rec["seed"] == cx["seed"]
    assert rec["versions"]["numpy"] and rec["numbers"]
    inst = core.decode(rec["instance"])
    if "X" in inst:
        assert len(inst["X"]) <= 2 and all(abs(v) <= 3 for row in inst["X"] for v in row)
    if "x" in inst:
        assert len(inst["x"]) <= 4  # non-uniqueness needs two same-sign curvatures: N = 4
    out, saved = cj.replay(path)
    assert out.status == "counterexample"
    for k, v in saved["numbers"].items():
        if isinstance(v, (int, float)):
            assert out.numbers[k] == pytest.approx(float(v), rel=1e-9, abs=1e-12), k


@pytest.mark.parametrize("claim", [c for c in TRUE if c.budget and c.theorem in
                                   ("svm", "convnet")][:3], ids=lambda c: c.name)
def test_theorems_have_no_counterexample_within_budget(claim, tmp_path):
    budget = min(claim.budget, 15) * SCALE
    r = cj.search(claim, budget=budget, seed=1, out=tmp_path)
    assert not r.refuted, r.summary()
    assert r.counts["implementation error"] == 0, r.first.get("implementation error")
    assert r.counts["agree"] >= budget // 2  # most instances decide


def test_shrunk_sign_gd_counterexample_is_the_textbook_one(tmp_path):
    """One point z = (1, 2): the L2 direction is (1, 2)/sqrt 5, sign GD moves along (1, 1)."""
    r = cj.search(cs.SIGN_GD, seed=0, out=tmp_path)
    inst = core.decode(r.counterexample["instance"])
    X = np.abs(np.array(inst["X"], dtype=float))
    assert X.shape == (1, 2) and sorted(X[0].tolist()) == [1.0, 2.0]
    assert r.counterexample["numbers"]["linf_margin_gap"] <= 1e-9


def test_example_database_is_kept_and_reused(tmp_path):
    claim = claims.get("relu1d.spline-unique")
    first = cj.search(claim, budget=300, out=tmp_path)
    assert first.refuted and (tmp_path / "hypothesis-db").is_dir()
    again = cj.search(claim, budget=300, out=tmp_path)
    assert again.refuted
    assert again.counterexample["instance"] == first.counterexample["instance"]
    assert sum(again.counts.values()) < sum(first.counts.values())


def test_each_claim_has_its_own_example_database(tmp_path):
    cj.search(cs.SIGN_GD, budget=60, out=tmp_path)
    mine = tmp_path / "hypothesis-db" / cs.SIGN_GD.name
    stored = sorted(str(p) for p in mine.rglob("*") if p.is_file())
    assert stored
    cj.search(cs.PREDICTION, budget=5, out=tmp_path)
    assert sorted(str(p) for p in mine.rglob("*") if p.is_file()) == stored


exact = st.recursive(st.integers(-10**6, 10**6) | st.fractions(max_denominator=10**6)
                     | st.floats(allow_nan=False, allow_infinity=False),
                     lambda c: st.lists(c, max_size=4), max_leaves=12)


@given(st.dictionaries(st.sampled_from(["X", "y", "x_hat"]), exact, max_size=3))
def test_instances_round_trip_exactly_through_json(inst):
    back = core.decode(json.loads(json.dumps(core.encode(inst))))

    def norm(v):
        return [norm(u) for u in v] if isinstance(v, list) else Fraction(v)

    assert {k: norm(v) for k, v in back.items()} == {k: norm(v) for k, v in inst.items()}


def test_malformed_records_raise_typed_errors(tmp_path):
    cases = {"notjson.json": "{", "list.json": "[1, 2]", "nokeys.json": "{}",
             "badseed.json": json.dumps({"claim": "svm.prediction", "instance": {},
                                         "seed": "zero", "status": "agree"}),
             "badstatus.json": json.dumps({"claim": "svm.prediction", "instance": {},
                                           "seed": 0, "status": "maybe"}),
             "unknown.json": json.dumps({"claim": "svm.nope", "instance": {}, "seed": 0,
                                         "status": "agree"})}
    for name, text in cases.items():
        (tmp_path / name).write_text(text)
        with pytest.raises(ClaimFileError):
            cj.replay(tmp_path / name)
    with pytest.raises(ClaimFileError):
        cj.replay(tmp_path)  # a folder
    (tmp_path / "bin.json").write_bytes(b"\x00\xff\x00")
    with pytest.raises(ClaimFileError):
        cj.replay(tmp_path / "bin.json")


def test_search_refuses_an_unwritable_output_before_working(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(core.OutputError):
        cj.search(cs.SIGN_GD, budget=2, out=blocker)
    assert main(["conjecture", "check", cs.SIGN_GD.name, "--out", str(blocker)]) == 2


def test_cli_conjecture_list_check_replay(tmp_path, capsys):
    assert main(["conjecture", "list"]) == 0
    out = capsys.readouterr().out
    assert all(c.name in out for c in ALL)
    code = main(["conjecture", "check", cs.SIGN_GD.name, "--seed", "0", "--out",
                 str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0 and "REFUTED" in out
    saved = sorted(tmp_path.glob(f"{cs.SIGN_GD.name}-counterexample-*.json"))
    assert len(saved) == 1
    assert main(["conjecture", "replay", str(saved[0])]) == 0
    assert "replayed: counterexample" in capsys.readouterr().out
    assert main(["conjecture", "check", cs.PREDICTION.name, "--budget", "5", "--seed", "0",
                 "--out", str(tmp_path)]) == 0
    assert "no counterexample" in capsys.readouterr().out
    assert main(["conjecture", "check", "nonsense"]) == 2


def test_a_search_compiles_once_not_per_example(tmp_path):
    cj.search(cs.ACCELERATED, budget=4, seed=3, out=tmp_path)
    before = engine._run_batch_jit._cache_size()
    cj.search(cs.ACCELERATED, budget=10, seed=4, out=tmp_path)
    assert engine._run_batch_jit._cache_size() == before

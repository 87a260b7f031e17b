"""The command line: verify, predict for each theorem, data files read without loss, typed
one-line errors with exit code 2, and no JAX for predict, proofs and cost."""

import json
import subprocess
import sys
from fractions import Fraction

import numpy as np
import pytest

from implicit_bias import __version__
from implicit_bias.claims.cli import main
from implicit_bias.claims.datafiles import load_table, read_csv
from implicit_bias.theory.errors import DataFileError


def test_verify_svm_writes_results_and_report(tmp_path, capsys):
    code = main(["verify", "svm", "--instances", "4", "--seed", "3", "--out", str(tmp_path),
                 "--quiet"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "PASS" in out and "FAIL" not in out
    data = json.loads((tmp_path / "results.json").read_text())
    assert data["seed"] == 3 and len(data["claims"]) >= 5
    assert all(c["instances"] == 4 and c["passed"] for c in data["claims"])
    assert (tmp_path / "report.html").read_text().startswith("<!DOCTYPE html>")


def test_verify_exit_code_is_nonzero_when_a_claim_fails(tmp_path, monkeypatch, capsys):
    from implicit_bias.claims import runner

    real = runner.measure

    def failing(claim, insts, seed):
        outs, ms = real(claim, insts, seed)
        return [type(o)("counterexample", "forced", o.numbers) for o in outs], ms

    monkeypatch.setattr(runner, "measure", failing)
    assert main(["verify", "svm", "--instances", "2", "--out", str(tmp_path), "--quiet"]) == 1
    assert "FAIL" in capsys.readouterr().out


def test_verify_rejects_unknown_theorems_and_bad_options():
    for argv in (["verify", "nonsense"], ["verify", "--instances", "0"],
                 ["verify", "--instances", "two"], ["verify", "--seed", "-1"],
                 ["verify", "--chunk", "1.5"], ["verify", "--resume", "--overwrite"]):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 2


def test_version_and_help_say_what_they_should(capsys):
    with pytest.raises(SystemExit):
        main(["--version"])
    assert __version__ in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["verify", "--help"])
    text = capsys.readouterr().out
    assert "exit codes" in text and "report.html" in text and "svm" in text


def test_predict_svm_from_csv_and_npz(tmp_path, capsys):
    csv = tmp_path / "d.csv"
    csv.write_text("x1,x2,label\n2,0,1\n0,1,-1\n1,3,-1\n")
    assert main(["predict", "svm", str(csv)]) == 0
    lines = {k.strip(): v.strip() for k, v in
             (ln.split("=", 1) for ln in capsys.readouterr().out.splitlines())}
    assert lines["w_hat"] == "[0.5, -1]" and lines["support"] == "[0, 1]"
    assert main(["predict", "svm", str(csv), "--exact", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["w_hat"] == ["1/2", "-1"] and data["support"] == [0, 1]
    npz = tmp_path / "d.npz"
    np.savez(npz, X=np.array([[2.0, 0.0], [0.0, 1.0]]), y=np.array([1.0, -1.0]))
    assert main(["predict", "svm", str(npz), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["margin"] == pytest.approx(1 / np.sqrt(1.25))


def test_predict_convnet_and_relu1d(tmp_path, capsys):
    csv = tmp_path / "c.csv"
    csv.write_text("1,0,0,0,1\n")
    assert main(["predict", "convnet", str(csv), "--depth", "2", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["kind"] == "global minimum" and data["penalty"] == pytest.approx(2.0)
    pts = tmp_path / "r.csv"
    pts.write_text("x,y\n0,0\n1,1\n2,3\n")
    assert main(["predict", "relu1d", str(pts), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["min_cost"] == pytest.approx(2.0)
    assert main(["predict", "relu1d", str(pts), "--skip", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["min_cost"] == pytest.approx(1.0)


def test_predict_geometry_diagonal_ntk1d_matrix(tmp_path, capsys):
    """The values are checkable by hand: the l-inf and l1 max margins of
    {(2,0,+), (0,1,-), (1,3,-)} are 1 at w = (1/2, -1) and 2/3 at (1/3, -2/3); a diagonal net
    from alpha -> 0 finds the sparse interpolant, from a large alpha the min-l2 one; the NTK
    coefficients solve Theta(X, X) c = y; the min nuclear norm with W_00 = W_11 = 1,
    W_01 + W_10 = 0 is I (2 sqrt(1 + a^2) >= 2 for W = [[1, a], [-a, 1]])."""
    from implicit_bias.theory import ntk1d

    def run(*argv):
        assert main(["predict", *map(str, argv), "--json"]) == 0
        return json.loads(capsys.readouterr().out)

    cls = tmp_path / "c.csv"
    cls.write_text("2,0,1\n0,1,-1\n1,3,-1\n")
    d = run("geometry", cls, "--p", "inf")
    assert d["margin"] == pytest.approx(1.0) and d["direction"] == pytest.approx([0.5, -1])
    d = run("geometry", cls, "--p", "1")
    assert d["margin"] == pytest.approx(2 / 3) and d["direction"] == pytest.approx([1 / 3, -2 / 3])
    reg = tmp_path / "r.csv"
    reg.write_text("1,1,0,1\n0,1,1,1\n")
    d = run("geometry", reg, "--potential", "entropy")
    w = np.array(d["w"])
    assert np.all(w > 0) and np.array([[1, 1, 0], [0, 1, 1]]) @ w == pytest.approx([1, 1])
    assert run("diagonal", reg, "--alpha", "1e-8")["beta"] == pytest.approx([0, 1, 0], abs=1e-6)
    d = run("diagonal", reg, "--alpha", "1e4", "--depth", "2")
    assert d["beta"] == pytest.approx([1 / 3, 2 / 3, 1 / 3], abs=1e-4)
    pts = tmp_path / "k.csv"
    pts.write_text("x,y\n0,0\n1,1\n2,0\n")
    d = run("ntk1d", pts)
    x = np.array(d["x"])
    K = np.array([[float(ntk1d.kernel(a, b)) for b in x] for a in x])
    assert K @ np.array(d["coef"]) == pytest.approx([0, 1, 0], abs=1e-12)
    A = np.zeros((3, 2, 2))
    A[0, 0, 0] = A[1, 1, 1] = A[2, 0, 1] = A[2, 1, 0] = 1
    npz = tmp_path / "m.npz"
    np.savez(npz, A=A, y=np.array([1.0, 1.0, 0.0]))
    for extra in ([], ["--psd"]):
        d = run("matrix", npz, *extra)
        assert d["nuclear_norm"] == pytest.approx(2, abs=1e-6)
        assert np.array(d["W"]) == pytest.approx(np.eye(2), abs=1e-5)


@pytest.mark.parametrize("argv, needle", [
    (["matrix", "{cls}"], "NPZ"),
    (["geometry", "{cls}", "--p", "0.5"], "NormError"),
    (["geometry", "{cls}", "--p", "__import__('os')"], "number or 'inf'"),
    (["geometry", "{reg}", "--potential", "l7"], "potential"),
    (["diagonal", "{reg}", "--alpha", "-1"], "DomainError"),
    (["diagonal", "{reg}", "--depth", "1"], "DepthError"),
    (["ntk1d", "{cls}"], "two columns"),
    (["ntk1d", "{rep}"], "KnotError"),
])
def test_predict_refuses_bad_options_with_one_line(argv, needle, tmp_path, capsys):
    files = {"cls": "2,0,1\n0,1,-1\n1,3,-1\n", "reg": "1,1,0,1\n0,1,1,1\n",
             "rep": "0,0\n1,1\n1,2\n"}
    for k, text in files.items():
        (tmp_path / f"{k}.csv").write_text(text)
    argv = [a.format(**{k: tmp_path / f"{k}.csv" for k in files}) for a in argv]
    assert main(["predict", *argv]) == 2
    err = capsys.readouterr().err
    assert needle in err and len(err.strip().splitlines()) == 1


BAD_FILES = {
    "nan_first_row": ("nan,0,1\n1,1,-1\n", "finite"),
    "empty_cell": ("1,,1\n0,1,-1\n", "empty"),
    "bom_header": ("\ufeffx1,x2,y\n1,0,1\n", None),  # a BOM is removed: header, one row
    "true_cell": ("True,0,1\n0,1,-1\n", "boolean"),
    "complex": ("1+2j,0,1\n", "complex"),
    "overflow": ("1e400,0,1\n", "overflows"),
    "ragged": ("1,0,1\n0,1\n", "different lengths"),
    "text_in_data": ("1,0,1\n__import__('os'),0,1\n", "not a number"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_data_files_are_never_silently_repaired(name, tmp_path):
    text, msg = BAD_FILES[name]
    p = tmp_path / f"{name}.csv"
    p.write_text(text, encoding="utf-8")
    if msg is None:
        rows, header = read_csv(p)
        assert header == ["x1", "x2", "y"] and rows == [[1, 0, 1]]
        return
    with pytest.raises(DataFileError, match=msg):
        read_csv(p)
    assert main(["predict", "svm", str(p)]) == 2


def test_binary_folders_npz_dtypes_and_labels_give_one_line_errors(tmp_path, capsys):
    (tmp_path / "bin.csv").write_bytes(b"\x00\x01\x02" * 100)
    (tmp_path / "sub").mkdir()
    np.savez(tmp_path / "c.npz", X=np.array([[1 + 1j, 0]]), y=np.array([1.0]))
    np.savez(tmp_path / "o.npz", X=np.array([object(), object()], dtype=object),
             y=np.array([1.0, 1.0]))
    np.savez(tmp_path / "b.npz", X=np.array([[True, False]]), y=np.array([1.0]))
    (tmp_path / "lab.csv").write_text("1,0,2\n0,1,-1\n")
    (tmp_path / "ns.csv").write_text("1,0,1\n0,1,1\n-1,-1,1\n")
    for name, err in (("bin.csv", "binary"), ("sub", "folder"), ("c.npz", "complex"),
                      ("o.npz", "pickle"), ("b.npz", "boolean"), ("missing.csv", "no such"),
                      ("lab.csv", "LabelError"), ("ns.csv", "NotSeparableError")):
        assert main(["predict", "svm", str(tmp_path / name)]) == 2, name
        e = capsys.readouterr().err
        assert err in e and len(e.strip().splitlines()) == 1 and "Traceback" not in e, e


def test_load_table_parses_fractions_exactly(tmp_path):
    f = tmp_path / "q.csv"
    f.write_text("1/3,2,1\n-2/7,1,-1\n")
    X, y = load_table(f, exact=True)
    assert X[0][0] == Fraction(1, 3) and y.tolist() == [1.0, -1.0]


def test_cost_command_and_its_leading_minus(capsys):
    assert main(["cost", "relu(x) - 2*relu(x - 1) + relu(x - 3)"]) == 0
    assert "= 4" in capsys.readouterr().out
    assert main(["cost", "--", "-relu(x)"]) == 0
    assert "= 1" in capsys.readouterr().out
    assert main(["cost", "open('/etc/passwd')"]) == 2
    assert "UnsafeExpressionError" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["cost", "relu(x)"], ["proofs", "--quiet", "svm"],
                                  ["predict", "svm", "{csv}"], ["predict", "geometry", "{csv}"]])
def test_predict_proofs_and_cost_do_not_import_jax(argv, tmp_path):
    csv = tmp_path / "d.csv"
    csv.write_text("2,0,1\n0,1,-1\n")
    argv = [a.format(csv=csv) for a in argv]
    code = (f"import sys; from implicit_bias.claims.cli import main; rc = main({argv!r}); "
            "assert 'jax' not in sys.modules, 'jax imported'; sys.exit(rc)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_proofs_checks_the_lemmas_it_is_given(capsys):
    """``proofs NAME ...`` checks only the named lemmas or theorems (every lemma by default,
    in tests/test_proofs.py); a name that selects nothing is bad input (exit 2)."""
    assert main(["proofs", "--quiet", "svm.kkt", "relu1d"]) == 0
    out = capsys.readouterr().out
    names = [ln.split()[0] for ln in out.splitlines()[1:-1]]
    assert names[0] == "svm.kkt" and len(names) > 1
    assert all(n == "svm.kkt" or n.startswith("relu1d.") for n in names)
    assert f"{len(names)} of {len(names)} lemmas ok" in out
    assert main(["proofs", "svm.nope"]) == 2
    assert "no lemma named 'svm.nope'" in capsys.readouterr().err


@pytest.mark.parametrize("theorem", ["geometry", "diagonal", "ntk1d", "matrix"])
def test_verify_data_refuses_theorems_without_a_data_route(theorem, tmp_path, capsys):
    """Families whose claims need planted instances refuse --data in one line (exit 2),
    naming those that take it, instead of failing with a traceback."""
    csv = tmp_path / "d.csv"
    csv.write_text("2,0,1\n0,1,-1\n")
    assert main(["verify", theorem, "--data", str(csv), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "not available for " + theorem in err and "svm" in err
    assert "Traceback" not in err


def test_verify_on_a_users_own_data(tmp_path, capsys):
    """verify THEOREM --data FILE trains on the file with the settings given; a step size
    above the proven stability bound is refused with the bound named (exit 2)."""
    csv = tmp_path / "d.csv"
    csv.write_text("x1,x2,label\n2,0,1\n0,1,-1\n1,3,-1\n")
    out = tmp_path / "out"
    assert main(["verify", "svm", "--data", str(csv), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "accelerated-direction" in text and "PASS" in text
    assert json.loads((out / "results.json").read_text())["data"] is True
    assert main(["verify", "svm", "--data", str(csv), "--out", str(out), "--overwrite",
                 "--schedule", "gd", "--lr", "100"]) == 2
    err = capsys.readouterr().err
    assert "StepSizeError" in err and "8/sigma_max" in err
    pts = tmp_path / "r.csv"
    pts.write_text("x,y\n0,0\n1,1\n2,3\n")
    assert main(["verify", "relu1d", "--data", str(pts), "--out", str(tmp_path / "r"),
                 "--steps", "2000", "--schedule", "cosine"]) == 2  # relu1d has no schedule
    assert "unknown setting" in capsys.readouterr().err


def test_a_users_own_claims_file_is_checked_and_replayed(tmp_path, capsys):
    mine = tmp_path / "my_claims.py"
    mine.write_text(
        "from implicit_bias.claims.core import Claim, Kind, Measurement, as_float\n"
        "from implicit_bias.theory.strategies import integer_separable\n"
        "def measure(insts, seed):\n"
        "    return [Measurement(float(len(i['X']) > 3)) for i in insts]\n"
        "CLAIMS = [Claim('mine.small', 'mine', 'at most 3 points', Kind.UPPER_BOUND, 'none',"
        " 'integer data', 'none', 'points > 3', 0.0, 'exact', lambda: integer_separable(),"
        " measure, expected=False, contradicts='up to 6 points are drawn', seeded=False,"
        " budget=50, verify=False)]\n")
    out = tmp_path / "out"
    assert main(["conjecture", "check", "mine.small", "--claims", str(mine), "--seed", "0",
                 "--out", str(out)]) == 0
    assert "REFUTED" in capsys.readouterr().out
    rec = sorted(out.glob("mine.small-counterexample-*.json"))[0]
    assert main(["conjecture", "replay", str(rec), "--claims", str(mine)]) == 0
    bad = tmp_path / "bad.py"
    bad.write_text("CLAIMS = 3\n")
    assert main(["conjecture", "list", "--claims", str(bad)]) == 2


@pytest.mark.parametrize("value", ["off", "none", "None", "0", "false", " OFF "])
def test_the_compile_cache_is_switched_off_by_name_not_made_into_a_folder(value, monkeypatch):
    # IMPLICIT_BIAS_CACHE=none once made a folder named "none" in the working directory
    from implicit_bias.numerics.runtime import default_cache_dir

    monkeypatch.setenv("IMPLICIT_BIAS_CACHE", value)
    assert default_cache_dir() is None
    monkeypatch.setenv("IMPLICIT_BIAS_CACHE", "/tmp/somewhere")
    assert default_cache_dir() == "/tmp/somewhere"
    monkeypatch.delenv("IMPLICIT_BIAS_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", "/tmp/xdg")
    assert default_cache_dir() == "/tmp/xdg/implicit-bias/jax"

"""The command line: verify writes its table, JSON and plot; predict reads CSV/NPZ safely."""

import json

import numpy as np
import pytest

from implicit_bias.claims.cli import load_dataset, main


def test_verify_svm_writes_results_and_plot(tmp_path, capsys):
    code = main(["verify", "svm", "--instances", "4", "--seed", "3", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "PASS" in out and "FAIL" not in out
    data = json.loads((tmp_path / "results.json").read_text())
    assert data["seed"] == 3 and len(data["claims"]) >= 4
    assert all(c["instances"] == 4 and c["passed"] for c in data["claims"])
    png = (tmp_path / "direction_error.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000


def test_verify_exit_code_is_nonzero_when_a_claim_fails(tmp_path, monkeypatch, capsys):
    from implicit_bias.claims import runner as verify

    def failing(*, instances, seed, **kw):
        return [verify.ClaimResult("svm", "always fails", "exact limit", "m", [1.0], 0.5)]

    monkeypatch.setitem(verify.VERIFIERS, "svm", failing)
    assert main(["verify", "svm", "--out", str(tmp_path)]) == 1
    assert "FAIL" in capsys.readouterr().out


def test_verify_rejects_unknown_theorem():
    with pytest.raises(SystemExit):
        main(["verify", "nonsense"])


def test_predict_svm_from_csv_and_npz(tmp_path, capsys):
    csv = tmp_path / "d.csv"
    csv.write_text("x1,x2,label\n2,0,1\n0,1,-1\n1,3,-1\n")
    assert main(["predict", "svm", str(csv)]) == 0
    out = capsys.readouterr().out
    assert "w_hat     = [0.5, -1]" in out and "support   = [0, 1]" in out
    assert main(["predict", "svm", str(csv), "--exact"]) == 0
    assert "[1/2, -1]" in capsys.readouterr().out
    npz = tmp_path / "d.npz"
    np.savez(npz, X=np.array([[2.0, 0.0], [0.0, 1.0]]), y=np.array([1.0, -1.0]))
    assert main(["predict", "svm", str(npz)]) == 0
    assert "margin" in capsys.readouterr().out


def test_predict_reports_typed_errors_and_never_unpickles(tmp_path, capsys):
    bad = tmp_path / "bad.npz"
    np.savez(bad, X=np.array([object(), object()], dtype=object), y=np.array([1.0, 1.0]))
    assert main(["predict", "svm", str(bad)]) == 2
    assert "pickle" in capsys.readouterr().err.lower()
    ns = tmp_path / "ns.csv"
    ns.write_text("1,0,1\n0,1,1\n-1,-1,1\n")
    assert main(["predict", "svm", str(ns)]) == 2
    assert "NotSeparableError" in capsys.readouterr().err
    inj = tmp_path / "inj.csv"
    inj.write_text("1,0,1\n__import__('os'),0,1\n")
    assert main(["predict", "svm", str(inj)]) == 2
    assert "non-numeric" in capsys.readouterr().err


def test_load_dataset_parses_fractions_exactly(tmp_path):
    f = tmp_path / "q.csv"
    f.write_text("1/3,2,1\n-2/7,1,-1\n")
    X, y = load_dataset(f, exact=True)
    from fractions import Fraction

    assert X[0][0] == Fraction(1, 3) and y.tolist() == [1.0, -1.0]


def test_verify_convnet_writes_the_spectra_plot(tmp_path, capsys):
    code = main(["verify", "convnet", "--instances", "3", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0, out
    claims = json.loads((tmp_path / "results.json").read_text())["claims"]
    assert {c["theorem"] for c in claims} == {"convnet"} and all(c["passed"] for c in claims)
    png = (tmp_path / "convnet_spectra.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000


def test_verify_relu1d_writes_the_fits_plot(tmp_path, capsys):
    code = main(["verify", "relu1d", "--instances", "4", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0, out
    claims = json.loads((tmp_path / "results.json").read_text())["claims"]
    assert {c["theorem"] for c in claims} == {"relu1d"} and all(c["passed"] for c in claims)
    # the one-sided claims hold on every seed of every instance (3 families x 4 seeds)
    assert claims[0]["instances"] == 3 * 4 * 4 and claims[0]["quantile"] == 1.0
    png = (tmp_path / "relu1d_fits.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000

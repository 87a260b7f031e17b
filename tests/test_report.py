"""verify's streaming, resumable runs and its self-contained HTML report (check the files)."""

import base64
import html as _html
import json
import re

import pytest

from implicit_bias.claims import runner as verify
from implicit_bias.claims.cli import main


def _values(out):
    data = json.loads((out / "results.json").read_text())
    return data, [(c["claim"], c["values"]) for c in data["claims"]]


@pytest.fixture
def calls(monkeypatch):
    """Count verifier calls (batches computed) per theorem."""
    seen = []
    orig = dict(verify.VERIFIERS)
    for name, fn in orig.items():
        def wrapped(*, _fn=fn, _name=name, **kw):
            seen.append(_name)
            return _fn(**kw)
        monkeypatch.setitem(verify.VERIFIERS, name, wrapped)
    return seen


def test_interrupted_and_resumed_run_equals_an_uninterrupted_one(tmp_path, calls):
    theorems = ["deep-linear"]
    full = tmp_path / "full"
    verify.run(theorems, instances=5, seed=4, out=full, chunk=2)
    assert len(calls) == 3  # batches of 2, 2, 1
    data_full, vals_full = _values(full)
    assert data_full["complete"] and all(len(v) == 5 for _, v in vals_full)

    part = tmp_path / "part"

    def stop_after_first(theorem, k):
        if k == 0:
            raise KeyboardInterrupt

    calls.clear()
    with pytest.raises(KeyboardInterrupt):
        verify.run(theorems, instances=5, seed=4, out=part, chunk=2, on_chunk=stop_after_first)
    # Ctrl-C left a consistent folder: one batch streamed, partial results marked incomplete
    lines = (part / verify.STREAM).read_text().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["chunk"] == 0
    data_part, vals_part = _values(part)
    assert not data_part["complete"] and all(len(v) == 2 for _, v in vals_part)
    assert not (part / "report.html").exists()
    # a batch torn mid-write (a kill, not Ctrl-C) is dropped on resume, not misread
    with open(part / verify.STREAM, "a") as f:
        f.write('{"theorem": "deep-linear", "chunk": 1, "instan')
    calls.clear()
    verify.run(theorems, instances=5, seed=4, out=part, chunk=2, resume=True)
    assert len(calls) == 2  # nothing that was on disk is recomputed
    data, vals = _values(part)
    assert data["complete"] and vals == vals_full
    assert len((part / verify.STREAM).read_text().splitlines()) == 3


def test_resume_refuses_different_settings(tmp_path):
    verify.run(["deep-linear"], instances=2, seed=0, out=tmp_path, chunk=2)
    with pytest.raises(verify.ResumeMismatch, match="instances=2"):
        verify.run(["deep-linear"], instances=3, seed=0, out=tmp_path, chunk=2, resume=True)


def test_cli_resume_flag_and_ctrl_c_exit_code(tmp_path, monkeypatch, capsys):
    def interrupt(**kw):
        raise KeyboardInterrupt

    monkeypatch.setitem(verify.VERIFIERS, "deep-linear", interrupt)
    assert main(["verify", "deep-linear", "--instances", "2", "--out", str(tmp_path)]) == 130
    assert "--resume" in capsys.readouterr().err
    monkeypatch.undo()
    assert main(["verify", "deep-linear", "--instances", "2", "--out", str(tmp_path),
                 "--resume"]) == 0


def test_html_report_is_self_contained_with_one_plot_per_claim(tmp_path):
    res = verify.run(["svm", "deep-linear"], instances=3, seed=2, out=tmp_path, chunk=3)
    html = (tmp_path / "report.html").read_text()
    sections = re.findall(r"<section class='claim'.*?</section>", html, flags=re.S)
    assert len(sections) == len(res) == 6
    for sec, r in zip(sections, res, strict=True):
        assert _html.escape(r.claim) in sec and ("PASS" if r.passed else "FAIL") in sec
        dist = re.findall(r'<img class="distribution" alt="[^"]*" src="data:image/png;base64,'
                          r'([^"]+)"', sec)
        assert len(dist) == 1  # the disagreement distribution of this claim
        for blob in re.findall(r'src="data:image/png;base64,([^"]+)"', sec):
            png = base64.b64decode(blob)
            assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5_000
    # the characteristic plots: direction error (with the predicted rate) and t L(t)
    assert html.count('class="characteristic"') >= 4
    assert "http://" not in html and "https://" not in html  # nothing to fetch


def test_html_report_of_convnet_and_relu1d_has_spectra_and_fits(tmp_path):
    res = verify.run(["convnet"], instances=2, seed=0, out=tmp_path, chunk=2)
    html = (tmp_path / "report.html").read_text()
    assert len(re.findall(r"<section class='claim'", html)) == len(res)
    assert html.count('class="distribution"') == len(res)
    assert (tmp_path / "convnet_spectra.png").exists()


def test_a_last_line_without_its_newline_counts_as_torn(tmp_path):
    """A kill can cut the write after a complete JSON object but before its newline: keeping
    it would glue the next append onto it, so it is dropped (and recomputed)."""
    path = tmp_path / verify.STREAM
    path.write_text('{"theorem": "svm", "chunk": 0}\n{"theorem": "svm", "chunk": 1}')
    recs = verify._read_stream(path)
    assert [r["chunk"] for r in recs] == [0]
    assert path.read_text() == '{"theorem": "svm", "chunk": 0}\n'

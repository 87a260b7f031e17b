"""verify's streaming, resumable runs, its refusals, and its self-contained HTML report."""

import base64
import html as _html
import json
import re

import numpy as np
import pytest

from implicit_bias import claims as registry
from implicit_bias.claims import runner
from implicit_bias.claims.cli import main
from implicit_bias.claims.core import ClaimFileError, OutputError


def _values(out):
    data = json.loads((out / "results.json").read_text())
    return data, [(c["claim"], [r["disagreement"] for r in c["rows"]]) for c in data["claims"]]


@pytest.fixture
def calls(monkeypatch):
    """Count batches computed per theorem."""
    seen = []
    orig = runner._measure_batch

    def wrapped(theorem, *a, **kw):
        seen.append(theorem)
        return orig(theorem, *a, **kw)

    monkeypatch.setattr(runner, "_measure_batch", wrapped)
    return seen


def test_interrupted_and_resumed_run_equals_an_uninterrupted_one(tmp_path, calls, capsys):
    theorems = ["svm"]
    full = tmp_path / "full"
    runner.run(theorems, instances=5, seed=4, out=full, chunk=2, report=False)
    assert len(calls) == 3  # batches of 2, 2, 1
    _, vals_full = _values(full)
    part = tmp_path / "part"

    def stop_after_first(theorem, k):
        if k == 0:
            raise KeyboardInterrupt

    calls.clear()
    with pytest.raises(KeyboardInterrupt):
        runner.run(theorems, instances=5, seed=4, out=part, chunk=2, on_chunk=stop_after_first)
    lines = (part / runner.STREAM).read_text().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["chunk"] == 0
    data_part, vals_part = _values(part)
    assert not data_part["complete"] and all(len(v) == 2 for _, v in vals_part)
    assert not (part / "report.html").exists()
    with open(part / runner.STREAM, "a") as f:  # a batch torn mid-write (a kill)
        f.write('{"theorem": "svm", "chunk": 1, "instan')
    calls.clear()
    runner.run(theorems, instances=5, seed=4, out=part, chunk=2, resume=True, report=False)
    assert len(calls) == 2  # nothing that was on disk is recomputed
    data, vals = _values(part)
    assert data["complete"] and vals == vals_full
    assert "cut mid-write" in capsys.readouterr().err  # the drop is reported


def test_a_corrupt_line_in_the_middle_is_dropped_alone_and_reported(tmp_path):
    path = tmp_path / runner.STREAM
    good = json.dumps({"theorem": "svm", "chunk": 0, "claims": {}})
    good2 = json.dumps({"theorem": "svm", "chunk": 2, "claims": {}})
    path.write_text(f"{good}\nnot json at all\n{good2}\n")
    recs, dropped = runner._read_stream(path)
    assert [r["chunk"] for r in recs] == [0, 2]
    assert len(dropped) == 1 and "line 2" in dropped[0]
    assert path.read_text() == f"{good}\n{good2}\n"


def test_a_last_line_without_its_newline_counts_as_torn(tmp_path):
    path = tmp_path / runner.STREAM
    path.write_text('{"theorem": "svm", "chunk": 0, "claims": {}}\n'
                    '{"theorem": "svm", "chunk": 1, "claims": {}}')
    recs, dropped = runner._read_stream(path)
    assert [r["chunk"] for r in recs] == [0] and dropped


def test_resume_refuses_different_settings_and_corrupt_manifests(tmp_path):
    runner.run(["svm"], instances=2, seed=0, out=tmp_path, chunk=2, report=False)
    with pytest.raises(runner.ResumeMismatch, match="instances=2"):
        runner.run(["svm"], instances=3, seed=0, out=tmp_path, chunk=2, resume=True)
    (tmp_path / runner.MANIFEST).write_text("{not json")
    with pytest.raises(ClaimFileError):
        runner.run(["svm"], instances=2, seed=0, out=tmp_path, chunk=2, resume=True)


def test_a_previous_run_is_never_silently_overwritten(tmp_path, capsys):
    runner.run(["svm"], instances=2, seed=0, out=tmp_path, chunk=2, report=False)
    with pytest.raises(OutputError, match="--overwrite"):
        runner.run(["svm"], instances=2, seed=1, out=tmp_path, chunk=2)
    assert main(["verify", "svm", "--instances", "2", "--out", str(tmp_path)]) == 2
    assert "previous run" in capsys.readouterr().err
    runner.run(["svm"], instances=2, seed=1, out=tmp_path, chunk=2, overwrite=True,
               report=False)
    assert json.loads((tmp_path / "results.json").read_text())["seed"] == 1


def test_unwritable_outputs_are_refused_before_any_work(tmp_path, calls):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(OutputError):
        runner.run(["svm"], instances=2, seed=0, out=blocker)
    with pytest.raises(OutputError):
        runner.run(["svm"], instances=2, seed=0, out=blocker / "sub")
    assert calls == []


def test_cli_resume_flag_and_ctrl_c_exit_code(tmp_path, monkeypatch, capsys):
    def interrupt(*a, **kw):
        raise KeyboardInterrupt

    monkeypatch.setattr(runner, "_measure_batch", interrupt)
    assert main(["verify", "svm", "--instances", "2", "--out", str(tmp_path)]) == 130
    assert "--resume" in capsys.readouterr().err
    monkeypatch.undo()
    assert main(["verify", "svm", "--instances", "2", "--out", str(tmp_path), "--resume",
                 "--quiet"]) == 0


def test_verdicts_count_every_status(tmp_path):
    c = registry.get("svm.prediction")
    r = runner.ClaimResult(c, rows=[{"status": s, "disagreement": 0.0} for s in
                                    ("agree", "agree", "optimization failure")])
    assert r.verdict == "PASS (1 undecided)" and r.passed
    r.rows.append({"status": "counterexample", "disagreement": 1.0})
    assert r.verdict == "FAIL" and not r.passed
    r.rows = [{"status": "optimization failure", "disagreement": 1.0}]
    assert r.verdict == "INCONCLUSIVE" and not r.passed
    # fewer than a quarter agree: no evidence either way
    r.rows = [{"status": s, "disagreement": 0.0} for s in
              ("agree",) + ("optimization failure",) * 4]
    assert r.verdict == "INCONCLUSIVE" and not r.passed
    r.rows.append({"status": "agree", "disagreement": 0.0})
    assert r.verdict == "PASS (4 undecided)" and r.passed


REPORT_RUN = {"instances": 4, "seed": 2, "chunk": 2}


@pytest.fixture(scope="session")
def report_run(tmp_path_factory):
    """One verify run (svm and relu1d, 4 instances each in batches of 2, in two worker
    processes: the CLI's default on 2 cores) whose report three tests read; ``seen`` collects
    its progress."""
    out = tmp_path_factory.mktemp("report")
    seen = []
    res = runner.run(["svm", "relu1d"], out=out, jobs=2, **REPORT_RUN,
                     progress=lambda t, done, total, claim: seen.append((t, done, total)))
    return res, out, seen


@pytest.mark.xdist_group("report")
def test_worker_processes_give_the_results_of_one_process(report_run, tmp_path):
    """--jobs: batches measured at once in spawned one-device workers (of one theorem too,
    from instances drawn once per claim group in a worker) end with the rows one process
    computes (same instances and training seeds; training results do not depend on the
    device split: equal to rounding, 1e-9 relative); the stream holds every batch once;
    progress comes back from the workers, from 0 for each theorem (the clock of its ETA) up
    to all its instances, never backwards; the figures drawn there reach the report."""
    res, out, seen = report_run
    runner.run(["svm"], out=tmp_path, jobs=1, report=False, **REPORT_RUN)
    d1, v1 = _values(tmp_path)
    d2, v2 = _values(out)
    n = len(v1)
    assert [c for c, _ in v1] == [c for c, _ in v2[:n]]
    assert [[r["status"] for r in c["rows"]] for c in d1["claims"]] == \
        [[r["status"] for r in c["rows"]] for c in d2["claims"][:n]]
    for (_, a), (_, b) in zip(v1, v2[:n], strict=True):
        assert np.allclose(np.asarray(a, float), np.asarray(b, float), rtol=1e-9, atol=1e-15,
                           equal_nan=True)
    recs = [json.loads(x) for x in (out / runner.STREAM).read_text().splitlines()]
    assert sorted((r["theorem"], r["chunk"]) for r in recs) == \
        [("relu1d", 0), ("relu1d", 1), ("svm", 0), ("svm", 1)]
    for t in ("svm", "relu1d"):
        mine = [d for tt, d, _ in seen if tt == t]
        assert mine[0] == 0.0 and mine[-1] == 4 and mine == sorted(mine)
    assert any(r.figure for r in res)  # a claim figure drawn in a worker


@pytest.mark.xdist_group("report")
def test_html_report_is_self_contained_with_plots_per_claim(report_run):
    res, out, _ = report_run
    html = (out / "report.html").read_text()
    sections = re.findall(r"<section class='claim'.*?</section>", html, flags=re.S)
    assert len(sections) == len(res)
    for sec, r in zip(sections, res, strict=True):
        assert _html.escape(r.claim.name) in sec and _html.escape(r.verdict) in sec
        assert _html.escape(r.claim.derivation) in sec  # the tolerance says where it is from
        dist = re.findall(r'<img class="distribution" alt="[^"]*" src="data:image/png;base64,'
                          r'([^"]+)"', sec)
        assert len(dist) == 1
        for blob in re.findall(r'src="data:image/png;base64,([^"]+)"', sec):
            png = base64.b64decode(blob)
            assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5_000
    assert html.count('class="characteristic"') >= 4  # curves and the relu1d fits figure
    assert "http://" not in html and "https://" not in html


def _browser():
    import shutil

    return shutil.which("chromium") or shutil.which("chromium-browser") or \
        shutil.which("google-chrome")


@pytest.mark.xdist_group("report")
@pytest.mark.skipif(_browser() is None, reason="no chromium on this machine")
def test_the_report_renders_in_a_real_browser(report_run, tmp_path):
    """Open report.html in headless Chromium: every image decodes and every claim has its
    section (the report's own load handler writes the counts on <body>)."""
    import subprocess

    res, out, _ = report_run
    proc = subprocess.run(
        [_browser(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
         "--virtual-time-budget=20000", "--dump-dom", (out / "report.html").as_uri()],
        capture_output=True, text=True, timeout=180)
    body = re.search(r"<body([^>]*)>", proc.stdout)
    assert body, proc.stderr[-2000:]
    attrs = dict(re.findall(r'data-(\w+)="(\d+)"', body.group(1)))
    assert int(attrs["sections"]) == len(res)
    # every <img> of the file (a distribution per claim, plus the characteristic plots)
    assert int(attrs["images"]) == (out / "report.html").read_text().count("<img ") > len(res)
    assert attrs["decoded"] == attrs["images"]


@pytest.mark.xdist_group("report")
def test_sections_drawn_in_the_background_are_those_drawn_at_the_end(report_run):
    """The Renderer draws each theorem's sections while the next trains; a figure depends
    only on the claim's rows, so the sections are byte for byte those drawn afterwards."""
    from implicit_bias.claims import report

    res, _, _ = report_run
    r = report.Renderer()
    r.submit(res)
    drawn = r.figures()
    assert set(drawn) == {x.claim.name for x in res}
    for x in res:
        assert drawn[x.claim.name] == report.section_figures(x)


def test_jobs_must_be_a_positive_integer(tmp_path):
    for bad in (0, -1, True):
        with pytest.raises(ValueError, match="jobs"):
            runner.run(["svm"], instances=1, seed=0, out=tmp_path / "x", jobs=bad)


@pytest.mark.xdist_group("report")
def test_xdist_groups_are_honoured(request):
    """The session fixtures shared by a group (the report run, the 4-device subprocess, the
    lemma evaluations) are computed once only if --dist loadgroup sends the group to one
    worker; with pytest 9.2 it silently did not (pytest-dev/pytest-xdist#1386), and each
    worker recomputed them."""
    if getattr(request.config.option, "loadgroup", False):
        assert request.node.nodeid.endswith("@report")

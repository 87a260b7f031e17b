"""``implicit-bias verify``: sample instances, measure every claim in batches, aggregate.

For each theorem and each of its claims (``verify=True``), batch k of a run with ``seed``
holds the instances ``sample(claim.instances(), n, seed=instance_seed(seed, k, group))``:
claims of one group measure the same instances (one training run serves them all), and a
batch always holds the same instances, so a run interrupted (Ctrl-C, a crash) and re-run with
``resume=True`` recomputes nothing that was streamed and ends with the same results. Each
finished batch is one line of ``DIR/stream.jsonl``; at the end ``results.json`` and the
self-contained ``report.html`` are written (:mod:`.report`).

A claim's verdict (:class:`ClaimResult`): FAIL if any instance is a counterexample or an
implementation error; PASS if every instance agrees; "PASS (k undecided)" if the others are
optimization failures (the run showed it had not converged, or sat above a claimed global
minimum of a non-convex problem: no evidence either way, and counted in the table) and at least
a quarter of the instances agree; INCONCLUSIVE (not passed: exit code 1) if fewer agree, for a
budget that leaves nearly every instance undecided is no evidence. (Not a half: the KKT claims
of linear convnets, for which no rate is proven, decide 13 and 15 of 32 instances at their
budgets; the rest still move.)
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from implicit_bias import claims as registry
from implicit_bias.theory.errors import ImplicitBiasError
from implicit_bias.theory.strategies import sample

from .core import STATUSES, Claim, ClaimFileError, OutputError, measure, versions

__all__ = ["ClaimResult", "run", "table", "chunk_seed", "instance_seed", "ResumeMismatch",
           "OutputError", "STREAM", "MANIFEST", "OUTPUTS"]

STREAM, MANIFEST = "stream.jsonl", "manifest.json"
OUTPUTS = ("results.json", "report.html")


class ResumeMismatch(ImplicitBiasError, ValueError):
    """``--resume`` on a results folder made with different settings or code."""


#: a claim passes only if at least this fraction of its instances agree (module docstring)
MIN_AGREE = 0.25


@dataclass
class ClaimResult:
    """One claim measured on many instances: ``rows`` holds one dict per instance (status,
    reason, disagreement, start, predicted, measured, numbers, series), ``figure`` a PNG
    (base64) drawn from the first batch, or None."""

    claim: Claim
    rows: list = field(default_factory=list)
    seconds: float = 0.0
    figure: str | None = None

    @property
    def counts(self) -> Counter:
        return Counter(r["status"] for r in self.rows)

    @property
    def verdict(self) -> str:
        c = self.counts
        if c["counterexample"] or c["implementation error"]:
            return "FAIL"
        if c["agree"] < MIN_AGREE * len(self.rows) or not c["agree"]:
            return "INCONCLUSIVE"
        if c["optimization failure"]:
            return f"PASS ({c['optimization failure']} undecided)"
        return "PASS"

    @property
    def passed(self) -> bool:
        return self.verdict.startswith("PASS")

    def values(self, key="disagreement") -> np.ndarray:
        return np.array([_f(r.get(key)) for r in self.rows], dtype=float)

    def summary(self) -> dict:
        v, s = self.values(), self.values("start")
        fin, sfin = v[np.isfinite(v)], s[np.isfinite(s)]
        c = self.claim
        return {
            "theorem": c.theorem, "claim": c.name, "statement": c.title, "kind": str(c.kind),
            "trend": c.trend, "metric": c.metric, "tolerance": c.tolerance,
            "derivation": c.derivation, "reference": str(c.reference), "setting": c.setting,
            "algorithm": c.algorithm, "instances": len(self.rows),
            "counts": {k: self.counts.get(k, 0) for k in STATUSES},
            "non_finite": int(np.sum(~np.isfinite(v))),
            "median": float(np.median(fin)) if fin.size else None,
            "worst": float(np.max(fin)) if fin.size else None,
            "start_median": float(np.median(sfin)) if sfin.size else None,
            "verdict": self.verdict, "passed": self.passed, "seconds": round(self.seconds, 3),
        }


def _f(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return math.nan


def _stable(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)


def chunk_seed(seed: int, k: int) -> int:
    """The training seed of batch k of a run with ``seed``."""
    return int(seed) * 1_000_003 + 1000 * int(k)


def instance_seed(seed: int, k: int, group: str) -> int:
    """The sampling seed of batch k for the claims of ``group`` (claims of one group share
    instances; distinct groups and batches draw independently)."""
    return (chunk_seed(seed, k) + _stable(group)) % (2**31)


def _chunks(instances: int, chunk: int) -> list[int]:
    return [min(chunk, instances - i) for i in range(0, instances, chunk)]


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(text)
        tmp.replace(path)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None


def _json_safe(x):
    """Plain JSON values: numpy scalars and arrays converted, non-finite floats as strings."""
    if isinstance(x, dict):
        return {str(k): _json_safe(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_json_safe(v) for v in x]
    if isinstance(x, np.ndarray):
        return _json_safe(x.tolist())
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        v = float(x)
        return v if math.isfinite(v) else str(v)
    if x is None or isinstance(x, str):
        return x
    return str(x)


def _read_stream(path: Path) -> tuple[list[dict], list[str]]:
    """The complete records of a stream file and what was dropped, and why.

    A last line without its newline was cut mid-write (a kill): it is dropped. A corrupt line
    elsewhere (not JSON, or not a batch record) is dropped alone; the file is rewritten with
    the good lines so that appending stays consistent, and each drop is reported.
    """
    if not path.exists():
        return [], []
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise ClaimFileError(f"{path}: unreadable stream file ({exc})") from None
    lines = text.split("\n")
    dropped, recs, good = [], [], []
    if lines and lines[-1] == "":
        lines = lines[:-1]
    elif lines:
        dropped.append(f"line {len(lines)}: cut mid-write (no newline); recomputed")
        lines = lines[:-1]
    for n, line in enumerate(lines, start=1):
        try:
            rec = json.loads(line)
            if not (isinstance(rec, dict) and {"theorem", "chunk", "claims"} <= set(rec)):
                raise ValueError("not a batch record")
        except ValueError as exc:
            dropped.append(f"line {n}: corrupt ({str(exc)[:60]}); that batch is recomputed")
            continue
        recs.append(rec)
        good.append(line)
    if dropped:
        _atomic_write(path, "".join(g + "\n" for g in good))
    return recs, dropped


def _manifest(theorems, instances, seed, chunk) -> dict:
    names = {t: [c.name for c in registry.claims(t) if c.verify] for t in theorems}
    return {"theorems": list(theorems), "instances": int(instances), "seed": int(seed),
            "chunk": int(chunk), "claims": names, "versions": versions()}


def _check_writable(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the output folder {out}: "
                          f"{exc.strerror or exc}") from None
    if not out.is_dir():
        raise OutputError(f"{out} is not a folder")
    probe = out / ".write-test"
    try:
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        raise OutputError(f"the output folder {out} is not writable: "
                          f"{exc.strerror or exc}") from None


def _load_manifest(out: Path) -> dict:
    try:
        old = json.loads((out / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise ClaimFileError(f"{out / MANIFEST}: corrupt resume manifest ({exc}); start "
                             "afresh with --overwrite") from None
    if not isinstance(old, dict):
        raise ClaimFileError(f"{out / MANIFEST}: not a resume manifest")
    return old


_DRAWN: dict = {}


def _instances(claim, total: int, chunk: int, k: int, seed: int) -> list:
    """Batch k of a claim's instances: the run draws ``total`` distinct instances per group
    once (seed :func:`instance_seed` of batch 0), and batch k is its k-th slice, so batches
    never repeat an instance and batch k is the same whether or not the others ran."""
    key = (claim.instances, total, instance_seed(seed, 0, claim.group or claim.name))
    if key not in _DRAWN:
        if len(_DRAWN) > 16:
            _DRAWN.clear()
        _DRAWN[key] = sample(claim.instances(), total, seed=key[2])
    return _DRAWN[key][k * chunk:(k + 1) * chunk]


def _group(claim) -> str:
    return claim.group or claim.name


def _measure_batch(theorem, claims, n, k, seed, figures, tick=None, total=None, chunk=None,
                   drawn=None):
    """Measure batch k of every claim of a theorem: {claim name: (rows, seconds, figure)};
    ``tick(fraction of the batch done, claim name)`` after each claim. Claims of one group
    measure the same instances (:func:`_instances`; ``drawn``: {group: this batch's
    instances}, drawn elsewhere from the same stream)."""
    out = {}
    if tick is not None and claims:
        tick(0.0, claims[0].name)  # the batch started (progress: per-theorem clock and ETA)
    for j, c in enumerate(claims):
        t0 = time.perf_counter()
        insts = drawn[_group(c)] if drawn else _instances(c, total, chunk, k, seed)
        tseed = chunk_seed(seed, k)
        outcomes, ms = measure(c, insts, tseed)
        rows = []
        for o, m in zip(outcomes, ms, strict=True):
            row = {"status": o.status, "reason": o.reason[:300],
                   "disagreement": o.numbers.get("disagreement", math.nan),
                   "numbers": o.numbers}
            if m is not None:
                row.update(start=m.start, predicted=_scalar(m.predicted),
                           measured=_scalar(m.measured), series=m.series)
            rows.append(row)
        fig = None
        if figures and c.figure is not None:
            from . import report  # matplotlib is loaded only when a figure is drawn

            fig = report.claim_figure(c, insts, tseed)
        out[c.name] = (rows, time.perf_counter() - t0, fig)
        if tick is not None:
            tick((j + 1) / len(claims), c.name)
    return out


def _scalar(v):
    if isinstance(v, (int, float, np.floating, np.integer)) and not isinstance(v, bool):
        return float(v)
    return None


def _verified(theorem):
    return [c for c in registry.claims(theorem) if c.verify]


# ------------------------------------------------------------------ worker processes (jobs > 1)

_QUEUE = None  # a worker's progress queue (set by _pool_init)


def _pool_init(queue, x64: bool, cache_dir: str | None) -> None:
    """Runs first in each worker: JAX as in the parent (float64, compile cache), one device
    (the workers share the cores; splitting a batch further only adds synchronization)."""
    global _QUEUE
    _QUEUE = queue
    flag = "--xla_force_host_platform_device_count"
    flags = [f for f in os.environ.get("XLA_FLAGS", "").split() if not f.startswith(flag)]
    os.environ["XLA_FLAGS"] = " ".join([*flags, f"{flag}=1"])
    from implicit_bias.numerics.runtime import configure

    configure(x64=x64, host_devices=1, cache_dir=cache_dir)


def _pool_batch(name, k, n, seed, total, chunk, drawn):
    t0 = time.perf_counter()

    def tick(frac, claim):
        _QUEUE.put((name, k, frac, claim))

    res = _measure_batch(name, _verified(name), n, k, seed, figures=k == 0, tick=tick,
                         total=total, chunk=chunk, drawn=drawn)
    return res, time.perf_counter() - t0


def _pool_draw(name, group, total, seed):
    """All ``total`` instances of one claim group of a theorem (what :func:`_instances`
    slices), drawn in a worker."""
    c = next(c for c in _verified(name) if _group(c) == group)
    return _instances(c, total, total, 0, seed)


def _run_pool(pending, before, jobs, seed, total, chunk, progress, store):
    """Measure ``pending`` batches in ``jobs`` spawned workers; each finished batch is
    ``store``d here (the stream is written by this process only). A theorem with one pending
    batch runs on whichever worker is free; one with several runs them on every worker at
    once. Progress messages (theorem, batch, fraction, claim) come back through a queue and
    are summed per theorem."""
    import multiprocessing as mp
    import queue as _queue
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    import jax

    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    cache = jax.config.jax_compilation_cache_dir
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_pool_init,
                               initargs=(q, bool(jax.config.jax_enable_x64), cache))
    todo = list(pending)
    running: dict = {}
    # a theorem with several batches (verify svm --instances 1000): its batches run on every
    # worker at once, from instances drawn once per claim group (in parallel, one group per
    # worker) instead of once in each worker
    many = sorted({name for name, _, _ in pending
                   if sum(1 for t, _, _ in pending if t == name) > 1})
    draws = {(name, g): pool.submit(_pool_draw, name, g, total, seed) for name in many
             for g in dict.fromkeys(_group(c) for c in _verified(name))}

    part: dict = {}  # (theorem, batch) -> instances of the running batch measured

    def report(name, claim):
        if progress:
            progress(name, before[name] + sum(v for (t, _), v in part.items() if t == name),
                     total, claim)

    def drain():
        while True:
            try:
                name, k, frac, claim = q.get_nowait()
            except _queue.Empty:
                return
            size = {(t, kk): n for t, kk, n in running.values()}.get((name, k))
            if size is None:
                continue  # a late message of a batch already stored
            part[name, k] = frac * size
            report(name, claim)

    def submit():
        for item in list(todo):
            if len(running) >= jobs:
                return
            name, k, n = item
            if name not in many and any(t == name for t, _, _ in running.values()):
                continue  # one batch of a theorem at a time: its programs load once
            todo.remove(item)
            drawn = None
            if name in many:
                drawn = {g: f.result()[k * chunk:k * chunk + n] for (t, g), f in draws.items()
                         if t == name}
            running[pool.submit(_pool_batch, name, k, n, seed, total, chunk, drawn)] = item

    try:
        submit()
        while running:
            finished, _ = wait(list(running), timeout=0.25, return_when=FIRST_COMPLETED)
            drain()
            for fut in finished:
                name, k, n = running.pop(fut)
                res, seconds = fut.result()  # a worker's exception is raised here
                part.pop((name, k), None)
                store(name, k, n, res, seconds)
                report(name, next(reversed(res)) if res else "")
            submit()
        drain()
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()


def run(theorems: list[str], *, instances: int, seed: int, out: Path, resume: bool = False,
        overwrite: bool = False, chunk: int = 8, progress=None, on_chunk=None,
        report: bool = True, jobs: int = 1) -> list[ClaimResult]:
    """Verify the claims of ``theorems`` on ``instances`` instances each (see the module
    docstring); returns one :class:`ClaimResult` per claim.

    ``out`` must be writable (checked before any work); a folder holding a previous run is
    refused unless ``resume`` (continue it: same settings and versions) or ``overwrite``.
    ``progress(theorem, instances done (fractional), total, claim)`` is called after each
    claim of each batch (the first call comes after the first training segment, so an ETA is
    available at once); ``on_chunk(theorem,
    k)`` after each batch is on disk (tests). On KeyboardInterrupt ``results.json`` is
    written with ``"complete": false`` and the exception re-raised.

    ``jobs`` > 1 measures batches at once in that many worker processes (spawned; each a
    one-device JAX with this process's float64 and compile-cache settings): the batches of
    different theorems, and those of a theorem with several batches, whose instances are
    then drawn once per claim group in a worker and sent with each batch. A script calling
    this with ``jobs`` > 1 needs the usual ``if __name__ == "__main__":`` guard of spawned
    processes. The results are the same as with ``jobs=1``: a batch's instances and training
    seeds depend only on (seed, theorem, batch), and training results not on the device split.
    Much of a small run is single-threaded (theory in numpy/scipy/cvxpy, sampling, tiny XLA
    steps): on 2 cores the default verify took 75-78 s with two workers against 101-118 s in
    one process with batches of 8 (warm compile cache).
    """
    out = Path(out)
    if isinstance(chunk, bool) or int(chunk) < 1:
        raise ValueError("chunk must be >= 1")
    if isinstance(jobs, bool) or int(jobs) < 1:
        raise ValueError("jobs must be >= 1")
    _check_writable(out)
    man = _manifest(theorems, instances, seed, chunk)
    stream = out / STREAM
    done: dict = {}
    dropped: list[str] = []
    previous = (out / MANIFEST).exists() or stream.exists() or any(
        (out / name).exists() for name in OUTPUTS)
    if resume and (out / MANIFEST).exists():
        old = _load_manifest(out)
        keys = ("theorems", "instances", "seed", "chunk", "claims", "versions")
        if any(old.get(k) != man[k] for k in keys):
            diff = ", ".join(f"{k}={old.get(k)}" for k in keys if old.get(k) != man[k])
            raise ResumeMismatch(
                f"{out} holds a run with {diff}; resume with the same settings and versions "
                "(batches made by other code must not be merged), or pick another --out")
        recs, dropped = _read_stream(stream)
        for rec in recs:
            done[(rec["theorem"], rec["chunk"])] = rec
    else:
        if previous and not overwrite and not resume:
            raise OutputError(f"{out} holds a previous run (manifest, stream or results); "
                              "pass --resume to continue it or --overwrite to replace it")
        for name in (STREAM, *OUTPUTS):
            (out / name).unlink(missing_ok=True)
        _atomic_write(out / MANIFEST, json.dumps(man, indent=2))
    for msg in dropped:
        print(f"resume: {stream}: {msg}", file=sys.stderr)
    sizes = _chunks(instances, chunk)
    renderer = None
    if report:
        from .report import Renderer  # matplotlib is loaded only to draw the report

        renderer = Renderer()
    pending = [(name, k, n) for name in theorems for k, n in enumerate(sizes)
               if (name, k) not in done]
    before = {name: sum(sizes[j] for j in range(len(sizes)) if (name, j) in done)
              for name in theorems}

    def store(name, k, n, res, seconds):
        rec = {"theorem": name, "chunk": k, "instances": n, "seconds": seconds,
               "claims": {cn: {"rows": rows, "seconds": s, "figure": fig}
                          for cn, (rows, s, fig) in res.items()}}
        line = json.dumps(_json_safe(rec), allow_nan=False)
        try:
            with open(stream, "a") as f:  # one write per batch: all or nothing
                f.write(line + "\n")
                f.flush()
                os.fsync(f.fileno())
        except OSError as exc:
            raise OutputError(f"cannot write {stream}: {exc.strerror or exc}") from None
        done[(name, k)] = rec
        before[name] += n
        if on_chunk:
            on_chunk(name, k)
        if renderer is not None and all((name, j) in done for j in range(len(sizes))):
            renderer.submit(_merge([name], sizes, done))  # drawn while the rest trains

    jobs = max(1, min(int(jobs), len(pending)))
    try:
        if jobs == 1:
            for name, k, n in pending:
                t0 = time.perf_counter()

                def tick(frac, claim, _name=name, _before=before[name], _n=n):
                    if progress:
                        progress(_name, _before + frac * _n, instances, claim)

                res = _measure_batch(name, _verified(name), n, k, seed, figures=k == 0,
                                     tick=tick, total=instances, chunk=chunk)
                store(name, k, n, res, time.perf_counter() - t0)
        else:
            _run_pool(pending, before, jobs, seed, instances, chunk, progress, store)
    except BaseException:
        if renderer is not None:
            renderer.cancel()
        if sys.exc_info()[0] is KeyboardInterrupt:
            _finish(out, man, theorems, sizes, done, complete=False, report=False)
        raise
    return _finish(out, man, theorems, sizes, done, complete=True, report=report,
                   renderer=renderer)


def _merge(theorems, sizes, done) -> list[ClaimResult]:
    results = []
    for name in theorems:
        for c in registry.claims(name):
            if not c.verify:
                continue
            r = ClaimResult(c)
            for k in range(len(sizes)):
                rec = done.get((name, k))
                if rec is None or c.name not in rec["claims"]:
                    continue
                part = rec["claims"][c.name]
                r.rows.extend(part["rows"])
                r.seconds += part["seconds"]
                r.figure = r.figure or part.get("figure")
            if r.rows:
                results.append(r)
    return results


def _finish(out, man, theorems, sizes, done, *, complete, report,
            renderer=None) -> list[ClaimResult]:
    results = _merge(theorems, sizes, done)
    by_theorem = {}
    for name in theorems:
        secs = sum(rec["seconds"] for (t, _), rec in done.items() if t == name)
        by_theorem[name] = round(secs, 3)
    payload = {
        "seed": man["seed"], "instances": man["instances"], "chunk": man["chunk"],
        "theorems": list(theorems), "complete": complete, "seconds_per_theorem": by_theorem,
        "batches_done": len(done), "batches": len(sizes) * len(theorems),
        "versions": man["versions"],
        "claims": [r.summary() | {"rows": [{k: v for k, v in row.items() if k != "series"}
                                           for row in r.rows]} for r in results],
    }
    _atomic_write(out / "results.json", json.dumps(_json_safe(payload), indent=1,
                                                   allow_nan=False))
    if complete and report:
        from . import report as rep  # matplotlib is loaded only to draw the report

        figures = renderer.figures() if renderer is not None else None
        rep.html(results, out / "report.html", meta=payload, figures=figures)
    return results


def table(results: list[ClaimResult]) -> str:
    """A plain-text table: theorem, claim, kind, n, counts, start, median, worst, tolerance,
    verdict. "start" is the median disagreement at the start of training (informative
    instances start far from the answer)."""
    head = ("theorem", "claim", "kind", "n", "agree", "undec.", "cex", "err", "start",
            "median", "worst", "tol", "verdict")
    rows = [head]
    fmt = lambda v: "-" if v is None else f"{v:.2e}"  # noqa: E731
    for r in results:
        s = r.summary()
        c = s["counts"]
        kind = s["kind"] + (" (trend)" if s["trend"] else "")
        rows.append((s["theorem"], r.claim.name.split(".", 1)[1], kind, str(s["instances"]),
                     str(c["agree"]), str(c["optimization failure"]), str(c["counterexample"]),
                     str(c["implementation error"]), fmt(s["start_median"]), fmt(s["median"]),
                     fmt(s["worst"]), f"{s['tolerance']:.0e}", s["verdict"]))
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)



def run_on_data(theorem: str, instance: dict, *, seed: int, out: Path, overwrite: bool = False,
                **settings) -> list[ClaimResult]:
    """``verify THEOREM --data FILE``: the theorem's ``DATA_CLAIMS`` on one user instance,
    with the training settings given (``SETTINGS`` of the claims module: steps, step size,
    schedule, ...). Bad input and a step size above a proven stability bound raise their
    typed errors (never classified away); the results go to ``out`` like a verify run."""
    mod = registry._module(theorem)
    data_claims = getattr(mod, "DATA_CLAIMS", None)
    if not data_claims:
        raise OutputError(f"verify {theorem} --data is not supported: the theorem's claims "
                          "need constructed instances")
    out = Path(out)
    _check_writable(out)
    if any((out / n).exists() for n in (MANIFEST, STREAM, *OUTPUTS)) and not overwrite:
        raise OutputError(f"{out} holds a previous run; pass --overwrite to replace it")
    results = []
    with _overridden(mod, settings):
        for c in data_claims:
            t0 = time.perf_counter()
            ms = c.measure([instance], int(seed))  # typed errors propagate
            from .core import judge

            o = judge(c, ms[0])
            m = ms[0]
            row = {"status": o.status, "reason": o.reason[:300],
                   "disagreement": o.numbers.get("disagreement", math.nan),
                   "numbers": o.numbers, "start": m.start, "predicted": _scalar(m.predicted),
                   "measured": _scalar(m.measured), "series": m.series}
            results.append(ClaimResult(c, [row], time.perf_counter() - t0))
    man = {"seed": seed, "instances": 1, "chunk": 1, "versions": versions()}
    payload = {"seed": seed, "instances": 1, "data": True, "settings": settings,
               "theorems": [theorem], "complete": True, "versions": man["versions"],
               "claims": [r.summary() | {"rows": [{k: v for k, v in row.items()
                                                   if k != "series"} for row in r.rows]}
                          for r in results]}
    _atomic_write(out / "results.json", json.dumps(_json_safe(payload), indent=1,
                                                   allow_nan=False))
    from . import report as rep

    rep.html(results, out / "report.html", meta=payload)
    return results


def _overridden(mod, settings):
    from .core import overridden

    base = getattr(mod, "SETTINGS", {})
    return overridden(base, **{k: v for k, v in settings.items() if v is not None})

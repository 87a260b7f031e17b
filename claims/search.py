"""The conjecture search: hypothesis looks for a counterexample to a claim, shrinks it, saves it.

:func:`search` runs hypothesis over ``claim.instances()`` (and a PRNG seed, when the claim's
training is seeded) with ``budget`` examples. Each example is measured and classified by the
claim's one rule (:func:`implicit_bias.claims.core.judge`); only counterexamples fail the
hypothesis test, so shrinking keeps the failure a genuine counterexample while it simplifies
the instance. The first counterexample is written to ``out`` at once
(``<claim>-unshrunk-*.json``: an interrupted shrink loses nothing), the shrunk one when the
search ends (``<claim>-counterexample-*.json``), with the first implementation error and
optimization failure for diagnosis: JSON records of the exact instance, the seed, the
versions and the measured numbers. :func:`replay` re-runs a record. The example database
lives in ``out/hypothesis-db/<claim>`` (one per claim: claims share strategies, and one
claim's failures must not be replayed as another's) and is kept between runs.

>>> from implicit_bias import claims
>>> claims.get("svm.sign-gd-l2-svm").expected
False
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hseed
from hypothesis import strategies as st
from hypothesis.database import DirectoryBasedExampleDatabase
from hypothesis.errors import Flaky

from implicit_bias import claims as registry
from implicit_bias.theory.errors import InvalidInputError
from implicit_bias.theory.strategies import without_local_constants

from .core import (
    STATUSES,
    Claim,
    ClaimFileError,
    Outcome,
    OutputError,
    decode,
    encode,
    evaluate,
    versions,
)

__all__ = ["Search", "search", "record", "save", "load", "replay"]


def record(claim: Claim, instance: dict, seed: int, outcome: Outcome, **extra) -> dict:
    """The JSON record of one classified instance (what :func:`save` writes)."""
    return {
        "claim": claim.name, "statement": claim.statement, "kind": str(claim.kind),
        "expected": claim.expected, "reference": str(claim.reference),
        "status": outcome.status, "reason": outcome.reason,
        "numbers": {k: (v if math.isfinite(v) else str(v)) for k, v in outcome.numbers.items()},
        "instance": encode(instance), "seed": int(seed),
        "versions": versions(), "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    } | extra


def save(rec: dict, out: Path, *, label: str | None = None) -> Path:
    """Write ``rec`` to ``out/<claim>-<label or status>-<hash>.json`` atomically."""
    out = Path(out)
    key = json.dumps([rec["instance"], rec["seed"]], sort_keys=True).encode()
    status = (label or rec["status"]).replace(" ", "-")
    path = out / f"{rec['claim']}-{status}-{hashlib.sha1(key).hexdigest()[:10]}.json"
    tmp = path.with_suffix(".json.tmp")
    try:
        out.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(rec, indent=2, allow_nan=False) + "\n")
        tmp.replace(path)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path


#: fields of a record and their types, checked by :func:`load`
_FIELDS = {"claim": str, "instance": dict, "seed": int, "status": str}


def load(path) -> dict:
    """Read a saved record; a malformed file raises
    :class:`~implicit_bias.claims.core.ClaimFileError` naming what is wrong."""
    path = Path(path)
    if path.is_dir():
        raise ClaimFileError(f"{path} is a folder, not a saved record")
    try:
        if path.stat().st_size > 10_000_000:
            raise ClaimFileError(f"{path}: {path.stat().st_size} bytes is too large for a "
                                 "saved record")
        rec = json.loads(path.read_text())
    except FileNotFoundError:
        raise ClaimFileError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ClaimFileError(f"{path}: not a JSON record ({str(exc)[:80]})") from None
    if not isinstance(rec, dict):
        raise ClaimFileError(f"{path}: a saved record is a JSON object")
    for k, typ in _FIELDS.items():
        if k not in rec:
            raise ClaimFileError(f"{path}: not a saved conjecture record (no {k!r})")
        if not isinstance(rec[k], typ) or isinstance(rec[k], bool):
            raise ClaimFileError(f"{path}: field {k!r} must be {typ.__name__}")
    if rec["status"] not in STATUSES:
        raise ClaimFileError(f"{path}: unknown status {rec['status']!r}")
    return rec


def replay(path, claims: dict | None = None) -> tuple[Outcome, dict]:
    """Re-run a saved record: (the new outcome, the saved record). The replay reproduces
    the saved result when ``outcome.status == record["status"]``. ``claims`` maps names to
    claims (default: the registry)."""
    rec = load(path)
    try:
        claim = claims[rec["claim"]] if claims is not None else registry.get(rec["claim"])
    except (KeyError, InvalidInputError) as exc:
        raise ClaimFileError(f"{path}: unknown claim {rec['claim']!r} ({exc})") from None
    return evaluate(claim, decode(rec["instance"]), rec["seed"]), rec


@dataclass
class Search:
    """What a search found: ``counts`` per status over every evaluation (generation and
    shrinking), the shrunk ``counterexample`` record (None if none) and the saved files."""

    claim: str
    budget: int
    counts: Counter
    counterexample: dict | None
    first: dict
    saved: list
    seconds: float

    @property
    def refuted(self) -> bool:
        return self.counterexample is not None

    def summary(self) -> str:
        c = ", ".join(f"{self.counts.get(s, 0)} {s}" for s in STATUSES)
        head = (f"{self.claim}: {sum(self.counts.values())} evaluations ({c}) in "
                f"{self.seconds:.1f} s")
        if self.counterexample is None:
            return head + " -- no counterexample within the budget"
        cx = self.counterexample
        return (f"{head}\nREFUTED by (shrunk) instance {json.dumps(cx['instance'])}, seed "
                f"{cx['seed']}: {cx['reason']}")


class _Refuted(Exception):
    pass


def search(claim: Claim, *, budget: int | None = None, seed: int | None = None,
           out: Path | str = "results/conjectures", database: bool = True) -> Search:
    """Search ``claim`` for a counterexample (``budget`` examples; the claim's default if
    None), shrink it, and save what was found under ``out`` (checked writable first).

    ``seed`` makes the search reproducible (hypothesis' own seed, and no constants mixed in
    from locally installed modules; hypothesis then ignores the example database). Unseeded,
    the search reads and writes ``out/hypothesis-db/<claim name>`` (``database=False``: none).
    """
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        (out / ".write-test").write_text("ok")
        (out / ".write-test").unlink()
    except OSError as exc:
        raise OutputError(f"cannot write to {out}: {exc.strerror or exc}") from None
    budget = claim.budget if budget is None else int(budget)
    counts: Counter = Counter()
    first: dict = {}
    last: list = []
    saved: list = []
    seeds = st.integers(0, 2**16) if claim.seeded else st.just(0)
    db = (DirectoryBasedExampleDatabase(str(out / "hypothesis-db" / claim.name))
          if database else None)

    @settings(max_examples=budget, database=db, deadline=None, derandomize=False,
              phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
              suppress_health_check=list(HealthCheck), report_multiple_bugs=False,
              print_blob=False)
    @given(claim.instances(), seeds)
    def probe(instance, s):
        o = evaluate(claim, instance, s)
        counts[o.status] += 1
        if o.status not in first:
            first[o.status] = record(claim, instance, s, o)
            if o.status == "counterexample":
                saved.append(save(first[o.status] | {"shrunk": False}, out, label="unshrunk"))
        if o.status == "counterexample":
            last[:] = [(instance, s, o)]
            raise _Refuted(o.reason)

    if seed is not None:
        probe = hseed(seed)(probe)
    t0 = time.perf_counter()
    cx = None
    try:
        if seed is not None:
            with without_local_constants():
                probe()
        else:
            probe()
    except _Refuted:
        instance, s, o = last[0]  # hypothesis re-runs the shrunk example last
        cx = record(claim, instance, s, o, search={"budget": budget, "seed": seed},
                    shrunk=True)
    except Flaky:
        if last:  # the shrunk example did not fail again: the run is not deterministic
            instance, s, o = last[0]
            cx = record(claim, instance, s, o, search={"budget": budget, "seed": seed},
                        shrunk=False, flaky=True)
    seconds = time.perf_counter() - t0
    if cx is not None:
        saved.append(save(cx, out))
    for status in ("implementation error", "optimization failure"):
        if status in first:
            saved.append(save(first[status], out))
    return Search(claim.name, budget, counts, cx, first, saved, seconds)

"""State a claim about what training finds, search for counterexamples, keep and replay them.

A :class:`Claim` is four functions over an *exact instance* (a dict of ints, Fractions and
nested lists of them, drawn by a hypothesis strategy, so it serializes exactly and shrinks to
small readable data):

* ``strategy()`` -- the hypothesis strategy of instances;
* ``predict(instance)`` -- the theory's prediction (``theory.*``);
* ``train(instance, seed)`` -- the training run (``numerics.*``; ``seed`` is the PRNG seed,
  drawn by hypothesis too, so it shrinks to 0);
* ``check(instance, prediction, run) -> Outcome`` -- the agreement test, which *classifies*:

  - ``implementation error``: a certificate or invariant that holds whatever the truth of the
    claim is broken (a bug in the prediction, the trainer or the check);
  - ``optimization failure``: the run did not converge or interpolate within its budget (the
    reason names the check that failed), so it says nothing about the claim;
  - ``counterexample``: the run converged and disagrees with the prediction;
  - ``agree``.

:func:`search` runs hypothesis over the claim with ``budget`` examples; only genuine
counterexamples fail the hypothesis test, so shrinking keeps the failure a genuine
counterexample while it simplifies the instance. The first counterexample found is written to
``out`` at once (``<claim>-unshrunk-*.json``), the shrunk one when the search ends
(``<claim>-counterexample-*.json``); with the first implementation error and optimization
failure (for diagnosis) they are JSON
(exact instance, seed, versions, measured numbers); :func:`replay` re-runs one from its file.
The hypothesis example database lives in ``out/hypothesis-db/<claim>`` (one per claim: claims
share strategies, and one claim's failures must not be replayed as another's) and is kept
between runs, so a search starts by re-trying what failed before.

>>> from implicit_bias.claims.catalogue import CLAIMS
>>> CLAIMS["sign-gd-l2-svm"].expected
False
"""

from __future__ import annotations

import hashlib
import json
import platform
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["KINDS", "STATUSES", "Claim", "Outcome", "Search", "agree", "counterexample",
           "optimization_failure", "implementation_error", "evaluate", "search", "save",
           "load", "replay", "encode", "decode", "as_float", "limit_verdict", "versions"]

KINDS = ("exact limit", "upper bound", "lower bound", "stationary point")
STATUSES = ("agree", "counterexample", "optimization failure", "implementation error")


@dataclass(frozen=True)
class Outcome:
    """The classified result of one instance: ``status`` (one of :data:`STATUSES`),
    ``reason`` (which check decided it) and the measured ``numbers``."""

    status: str
    reason: str
    numbers: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, got {self.status!r}")


def _nums(numbers):
    return {k: float(v) for k, v in numbers.items()}


def agree(reason: str = "prediction and training agree", **numbers) -> Outcome:
    return Outcome("agree", reason, _nums(numbers))


def counterexample(reason: str, **numbers) -> Outcome:
    return Outcome("counterexample", reason, _nums(numbers))


def optimization_failure(reason: str, **numbers) -> Outcome:
    return Outcome("optimization failure", reason, _nums(numbers))


def implementation_error(reason: str, **numbers) -> Outcome:
    return Outcome("implementation error", reason, _nums(numbers))


def limit_verdict(err_end: float, err_before: float, *, tol: float, plateau: float,
                  what: str, **numbers) -> Outcome:
    """Classify an *exact limit* claim from a disagreement measured at T and at an earlier T'.

    ``err_end <= tol``: agree. Otherwise the run has not reached the prediction; it is an
    optimization failure while the disagreement still falls (``err_end <= plateau ·
    err_before``, ``plateau`` derived from the claim's rate: the decay over T'/T that the
    theorem guarantees, loosened), and a counterexample only once it has stalled (the
    iterates approach something else).
    """
    nums = dict(numbers, error=err_end, error_before=err_before,
                ratio=err_end / err_before if err_before > 0 else np.inf)
    if not (np.isfinite(err_end) and np.isfinite(err_before)):
        return optimization_failure(f"{what} is not finite ({err_end}, {err_before}): the "
                                    "run diverged", **nums)
    if err_end <= tol:
        return agree(f"{what} = {err_end:.3g} <= {tol:g}", **nums)
    if err_end <= plateau * err_before:
        return optimization_failure(
            f"not converged within budget: {what} = {err_end:.3g} > {tol:g}, still falling "
            f"(ratio {err_end / err_before:.3g} <= {plateau:g})", **nums)
    return counterexample(
        f"{what} stalled at {err_end:.3g} > {tol:g} (ratio {nums['ratio']:.3g} > {plateau:g} "
        f"over the last stretch): training approaches something else", **nums)


@dataclass(frozen=True)
class Claim:
    """A claim about what training finds (see the module docstring).

    ``kind`` is one of :data:`KINDS`; ``expected`` is True for a theorem (a search must find
    nothing) and False for a known-false conjecture (a search must refute it); ``reference``
    names the paper and theorem; ``budget`` is the default number of hypothesis examples.
    """

    name: str
    statement: str
    kind: str
    strategy: Callable[[], Any]
    predict: Callable[[dict], Any]
    train: Callable[[dict, int], Any]
    check: Callable[[dict, Any, Any], Outcome]
    expected: bool
    reference: str
    budget: int = 30
    seeded: bool = True

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}")


# ---------------------------------------------------------------------------------- instances


def encode(value):
    """An exact instance as JSON: Fractions become strings "p/q" (ints stay ints)."""
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if isinstance(value, Fraction):
        return str(value)
    if isinstance(value, (bool, int)) or value is None:
        return value
    if isinstance(value, np.integer):
        return int(value)
    raise TypeError(f"an exact instance holds ints and Fractions, not {type(value).__name__}")


def decode(value):
    """Inverse of :func:`encode` (strings are read back as Fractions; instances hold numbers
    only, so :func:`encode` refuses strings)."""
    if isinstance(value, dict):
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    if isinstance(value, str):
        return Fraction(value)
    return value


def as_float(value) -> np.ndarray:
    """A (nested list of) exact number(s) as a float64 array."""
    return np.array(value, dtype=object).astype(float)


def versions() -> dict:
    """Versions of the package and of everything that can change a number."""
    import importlib.metadata as md

    out = {"python": platform.python_version(), "machine": platform.machine()}
    for name in ("implicit-bias", "numpy", "scipy", "sympy", "jax", "jaxlib", "cvxpy",
                 "clarabel", "quadprog", "optax", "hypothesis"):
        try:
            out[name] = md.version(name)
        except md.PackageNotFoundError:
            out[name] = None
    try:
        import jax

        out["jax_x64"] = bool(jax.config.jax_enable_x64)
        out["jax_backend"] = jax.default_backend()
    except Exception:  # pragma: no cover - jax is a dependency
        pass
    return out


# ------------------------------------------------------------------------------ evaluation


def evaluate(claim: Claim, instance: dict, seed: int = 0) -> Outcome:
    """Predict, train and check one instance. An exception anywhere is an implementation
    error (instances are valid by construction, so nothing should raise)."""
    try:
        pred = claim.predict(instance)
        run = claim.train(instance, seed)
        out = claim.check(instance, pred, run)
    except Exception as exc:  # classified, not swallowed: reported with its type and text
        return implementation_error(f"{type(exc).__name__}: {exc}")
    if not isinstance(out, Outcome):
        return implementation_error(f"check returned {type(out).__name__}, not an Outcome")
    bad = sorted(k for k, v in out.numbers.items() if np.isnan(v))
    if bad and out.status in ("agree", "counterexample"):
        # a verdict read off NaN is no verdict: the run diverged or produced NaN
        return optimization_failure(f"non-finite measurement(s) {', '.join(bad)} (was: "
                                    f"{out.status}: {out.reason})", **out.numbers)
    return out


def record(claim: Claim, instance: dict, seed: int, outcome: Outcome, **extra) -> dict:
    """The JSON record of one classified instance (what :func:`save` writes)."""
    return {
        "claim": claim.name, "statement": claim.statement, "kind": claim.kind,
        "expected": claim.expected, "reference": claim.reference,
        "status": outcome.status, "reason": outcome.reason,
        "numbers": {k: _json_number(v) for k, v in outcome.numbers.items()},
        "instance": encode(instance), "seed": int(seed),
        "versions": versions(), "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    } | extra


def _json_number(v: float):
    """Finite floats as numbers, others as the strings "nan", "inf", "-inf" (strict JSON)."""
    return v if np.isfinite(v) else str(v)


def save(rec: dict, out: Path, *, label: str | None = None) -> Path:
    """Write ``rec`` to ``out/<claim>-<label or status>-<hash>.json`` atomically; returns
    the path."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    key = json.dumps([rec["instance"], rec["seed"]], sort_keys=True).encode()
    status = (label or rec["status"]).replace(" ", "-")
    path = out / f"{rec['claim']}-{status}-{hashlib.sha1(key).hexdigest()[:10]}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(rec, indent=2, allow_nan=False) + "\n")
    tmp.replace(path)
    return path


def load(path) -> dict:
    """Read a saved record (see :func:`record`)."""
    rec = json.loads(Path(path).read_text())
    for k in ("claim", "instance", "seed", "status"):
        if k not in rec:
            raise ValueError(f"{path}: not a saved conjecture record (no {k!r})")
    return rec


def replay(path, claims: dict | None = None) -> tuple[Outcome, dict]:
    """Re-run a saved record: returns (the new outcome, the saved record). The replay
    reproduces the refutation when ``outcome.status == record["status"]``."""
    if claims is None:
        from .catalogue import CLAIMS as claims
    rec = load(path)
    if rec["claim"] not in claims:
        raise KeyError(f"unknown claim {rec['claim']!r}; known: {', '.join(claims)}")
    return evaluate(claims[rec["claim"]], decode(rec["instance"]), rec["seed"]), rec


# ---------------------------------------------------------------------------------- search


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
        head = f"{self.claim}: {sum(self.counts.values())} evaluations ({c}) in " \
               f"{self.seconds:.1f} s"
        if self.counterexample is None:
            return head + " -- no counterexample within the budget"
        cx = self.counterexample
        return (f"{head}\nREFUTED by (shrunk) instance {json.dumps(cx['instance'])}, seed "
                f"{cx['seed']}: {cx['reason']}")


class _Refuted(Exception):
    pass


def search(claim: Claim, *, budget: int | None = None, seed: int | None = None,
           out: Path | str = "results/conjectures", database: bool = True) -> Search:
    """Search ``claim`` for a counterexample with hypothesis (``budget`` examples; the
    claim's default if None), shrink it, and save what was found under ``out``.

    ``seed`` makes the search reproducible (hypothesis' own seed, and no constants mixed in
    from locally installed modules: :func:`theory.strategies.without_local_constants`;
    hypothesis then ignores the example database). Unseeded, the search reads and writes the
    database in ``out/hypothesis-db/<claim name>`` (``database=False``: none), so it starts
    from this claim's past failures.
    """
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hseed
    from hypothesis import strategies as st
    from hypothesis.database import DirectoryBasedExampleDatabase

    out = Path(out)
    budget = claim.budget if budget is None else int(budget)
    counts: Counter = Counter()
    first: dict = {}
    last: list = []
    seeds = st.integers(0, 2**16) if claim.seeded else st.just(0)

    db = (DirectoryBasedExampleDatabase(str(out / "hypothesis-db" / claim.name))
          if database else None)

    @settings(max_examples=budget, database=db, deadline=None, derandomize=False,
              phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
              suppress_health_check=list(HealthCheck), report_multiple_bugs=False,
              print_blob=False)
    @given(claim.strategy(), seeds)
    def probe(instance, s):
        o = evaluate(claim, instance, s)
        counts[o.status] += 1
        if o.status not in first:
            first[o.status] = record(claim, instance, s, o)
            if o.status == "counterexample":
                # on disk at once: an interrupted shrink loses nothing
                saved.append(save(first[o.status] | {"shrunk": False}, out, label="unshrunk"))
        if o.status == "counterexample":
            last[:] = [(instance, s, o)]
            raise _Refuted(o.reason)

    if seed is not None:
        probe = hseed(seed)(probe)
    from hypothesis.errors import Flaky

    from implicit_bias.theory.strategies import without_local_constants

    t0 = time.perf_counter()
    cx, saved = None, []
    try:
        if seed is not None:
            with without_local_constants():
                probe()
        else:
            probe()
    except _Refuted:
        # hypothesis re-runs the shrunk example last, so `last` holds the minimal one
        instance, s, o = last[0]
        cx = record(claim, instance, s, o, search={"budget": budget, "seed": seed},
                    shrunk=True)
    except Flaky:
        # the final re-run of the shrunk example did not fail again: the claim's run is
        # not deterministic. Keep the last counterexample seen, marked as such.
        if last:
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

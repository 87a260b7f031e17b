"""Claims: where a theory prediction meets a training run, stated once for every consumer.

A :class:`Claim` is one checkable statement of a theorem (or a known-false conjecture): the
instances it is about (a hypothesis strategy of *exact* instances: dicts of ints, Fractions
and floats that serialize exactly and shrink to small readable data), and one function,
``measure(instances, seed) -> [Measurement]``, that predicts (``theory``), trains
(``numerics``) and measures every instance of a batch. Three consumers use the same objects:

* the tests (``tests/test_*.py``): draw an instance, :func:`check` it, assert the outcome;
* ``implicit-bias verify`` (:mod:`.runner`): sample N instances, measure them in batches,
  aggregate, report (table, JSON, HTML), stream to disk and resume;
* the conjecture search (:mod:`.search`): hypothesis searches the strategy for a
  counterexample, shrinks it, saves it and replays it.

Every measured instance is classified by one rule (:func:`judge`), the same everywhere:

1. ``implementation error`` -- an invariant that holds whatever the truth of the claim is
   broken (a certificate, a one-sided chain that no training run can violate), or an
   exception;
2. ``optimization failure`` -- the disagreement exceeds the tolerance, but the run itself
   shows that it has not converged (an *excuse* decided from the run alone, never from the
   prediction: its own movement over the last decade against the algorithm's proven rate, a
   stationarity test, or being above a claimed global minimum of a non-convex problem,
   which refutes nothing), or a measurement is not finite;
3. ``counterexample`` -- the disagreement exceeds the tolerance with no excuse: the run
   converged elsewhere, or a one-sided bound is violated;
4. ``agree``.

So a wrong prediction on either side is refuted: verdicts are two-sided. Only
counterexamples fail a hypothesis search, so shrinking keeps the failure genuine.

>>> from implicit_bias.theory.results import Kind
>>> c = Claim("demo.bound", "demo", "x <= 1", Kind.UPPER_BOUND, "folklore", "numbers",
...           "none", "x - 1", 0.0, "exact", lambda: None, lambda insts, seed: [])
>>> judge(c, Measurement(0.5)).status, judge(c, Measurement(0.0)).status
('counterexample', 'agree')
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
import platform
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from implicit_bias.theory.errors import ImplicitBiasError, InvalidInputError
from implicit_bias.theory.results import Kind, Reference

__all__ = ["STATUSES", "Kind", "Claim", "Measurement", "Outcome", "judge", "check", "measure",
           "assert_outcomes", "evaluate", "encode", "decode", "as_float", "versions",
           "limit_excuse", "batch_memo", "overridden", "clear_memos", "ClaimFileError",
           "OutputError"]

STATUSES = ("agree", "counterexample", "optimization failure", "implementation error")


class ClaimFileError(ImplicitBiasError, ValueError):
    """A saved record, a resume manifest or a stream file is malformed (the message names
    the file, the line and what is wrong)."""


class OutputError(ImplicitBiasError, OSError):
    """An output folder or file cannot be written, or holds a previous run (refused unless
    told to overwrite)."""


@dataclass(frozen=True)
class Outcome:
    """The classified result of one instance: ``status`` (one of :data:`STATUSES`),
    ``reason`` (which check decided it) and the measured ``numbers``."""

    status: str
    reason: str
    numbers: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.status not in STATUSES:
            raise InvalidInputError(f"status must be one of {STATUSES}, got {self.status!r}")


@dataclass
class Measurement:
    """One instance of a claim, measured.

    ``disagreement`` is the claim's metric (compared with the tolerance; for one-sided
    claims the amount by which the bound is violated, 0 when it holds); ``predicted`` and
    ``measured`` the two values it compares (for the table and the report); ``start`` the
    metric at the start of training (an informative instance starts far from the answer);
    ``excuse`` why a disagreement above tolerance is not a counterexample, decided without
    the prediction (None: no excuse); ``invariant`` a broken implementation invariant (None:
    all hold); ``numbers`` further measured values; ``series`` curves against the record
    times for the report ({"t": [...], name: [...]}).
    """

    disagreement: float
    predicted: Any = None
    measured: Any = None
    start: float | None = None
    excuse: str | None = None
    invariant: str | None = None
    numbers: dict = field(default_factory=dict)
    series: dict = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class Claim:
    """One checkable statement (see the module docstring).

    ``name`` ("theorem.claim"), ``theorem`` (the registry key), ``statement``, ``kind`` (a
    :class:`~implicit_bias.theory.results.Kind`), ``reference`` (paper and theorem number),
    ``setting`` (model, data, loss), ``algorithm`` (optimizer, steps), ``metric`` (what
    ``disagreement`` measures), ``tolerance`` and ``derivation`` (where the tolerance comes
    from: the rate, a solver tolerance), ``instances`` (a function returning the hypothesis
    strategy of exact instances), ``measure(instances, seed) -> [Measurement]``.

    ``expected``: True for a theorem (no instance may be a counterexample), False for a
    known-false conjecture (a search must refute it); ``contradicts`` then says what is true
    instead. ``trend``: the claim checks a rate, not the limit itself (its name says so and
    the report prints it). ``seeded``: the training depends on a PRNG seed (drawn by the
    search, so it shrinks to 0). ``budget``: default number of search examples.
    ``verify``: part of ``implicit-bias verify`` (known-false claims are not).
    ``group``: claims of one theorem with the same group measure the same instances (one
    training run serves them all: see :func:`batch_memo`). ``plot`` and ``figure``: what the
    report draws besides the distribution of disagreements.
    """

    name: str
    theorem: str
    statement: str
    kind: Kind
    reference: Reference | str
    setting: str
    algorithm: str
    metric: str
    tolerance: float
    derivation: str
    instances: Callable[[], Any]
    measure: Callable[[Sequence[dict], int], list[Measurement]]
    expected: bool = True
    contradicts: str = ""
    trend: bool = False
    seeded: bool = True
    budget: int = 30
    verify: bool = True
    group: str = ""
    #: the characteristic plot of the report: {"ylabel": ..., and optionally "rate": the
    #: predicted exponent p of a curve c·t^p, "target": a predicted limit}
    plot: dict = field(default_factory=dict, compare=False)
    #: a further figure, ``figure(instances, seed, fig)`` drawing on a matplotlib figure
    #: (e.g. spectra or fitted functions) for the batch measured with ``seed``; None: none
    figure: Callable | None = field(default=None, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "kind", Kind(self.kind))
        if not (isinstance(self.tolerance, (int, float)) and self.tolerance >= 0):
            raise InvalidInputError(f"{self.name}: tolerance must be a number >= 0")
        if self.expected is False and not self.contradicts:
            raise InvalidInputError(f"{self.name}: a known-false claim says what is true "
                                    "instead (contradicts=...)")

    @property
    def title(self) -> str:
        return f"{self.statement} [trend]" if self.trend else self.statement


def judge(claim: Claim, m: Measurement) -> Outcome:
    """Classify one measurement by the rule of the module docstring."""
    nums = dict(m.numbers)
    nums["disagreement"] = m.disagreement
    for key in ("predicted", "measured", "start"):
        v = getattr(m, key)
        if isinstance(v, (int, float, np.floating, np.integer)) and not isinstance(v, bool):
            nums[key] = float(v)
    nums = {k: float(v) for k, v in nums.items()}
    if m.invariant:
        return Outcome("implementation error", m.invariant, nums)
    bad = sorted(k for k, v in nums.items() if math.isnan(v))
    if bad:
        return Outcome("optimization failure", f"non-finite measurement(s) {', '.join(bad)}: "
                       "the run diverged or produced NaN", nums)
    d, tol = float(m.disagreement), claim.tolerance
    if d <= tol:
        return Outcome("agree", f"{claim.metric} = {d:.3g} <= {tol:g}", nums)
    if m.excuse:
        return Outcome("optimization failure", f"{claim.metric} = {d:.3g} > {tol:g}, but "
                       f"{m.excuse}", nums)
    return Outcome("counterexample", f"{claim.metric} = {d:.3g} > {tol:g}", nums)


def measure(claim: Claim, instances: Sequence[dict], seed: int = 0):
    """(outcomes, measurements) of a batch: each instance measured and classified. An
    exception is an implementation error for every instance of the batch (with its type and
    text; the measurements are then None)."""
    n = len(instances)
    try:
        ms = claim.measure(list(instances), int(seed))
    except Exception as exc:  # classified, not swallowed: reported with its type and text
        return [Outcome("implementation error", f"{type(exc).__name__}: {exc}")] * n, [None] * n
    if len(ms) != n or not all(isinstance(m, Measurement) for m in ms):
        return ([Outcome("implementation error", f"measure returned {len(ms)} objects that "
                         f"are not all Measurements for {n} instances")] * n, [None] * n)
    return [judge(claim, m) for m in ms], list(ms)


def check(claim: Claim, instances: Sequence[dict], seed: int = 0) -> list[Outcome]:
    """The outcome of every instance of a batch (:func:`measure` without the measurements)."""
    return measure(claim, instances, seed)[0]


def assert_outcomes(claim: Claim, instances: Sequence[dict], seed: int = 0, *,
                    allowed=("agree",)) -> list[Outcome]:
    """Check a batch and raise AssertionError (with the instance and reason) unless every
    outcome's status is in ``allowed`` (the tests' form of the kind's rule)."""
    outs = check(claim, instances, seed)
    for inst, o in zip(instances, outs, strict=True):
        if o.status not in allowed:
            raise AssertionError(f"{claim.name}: {o.status}: {o.reason}\ninstance "
                                 f"{json.dumps(encode(inst))}, seed {seed}")
    return outs


def evaluate(claim: Claim, instance: dict, seed: int = 0) -> Outcome:
    """:func:`check` of a single instance."""
    return check(claim, [instance], seed)[0]


def limit_excuse(err_pred: float, movement: float, *, rate: float, tol: float,
                 what: str) -> str | None:
    """The excuse of an *exact limit* claim, from the run's own convergence.

    ``err_pred`` = ‖u_T - û‖ (distance of the iterate to the prediction, in the claim's
    norm), ``movement`` = ‖u_T - u_{T'}‖ (how far the iterate itself moved over the last
    stretch T' -> T), ``rate`` = the factor ρ by which the distance to the limit must shrink
    over that stretch (from the algorithm's proven rate, e.g. ρ = 10^-q over a decade for an
    O(t^-q) rate). With r_T = ‖u_T - u_∞‖ <= ρ r_{T'} <= ρ (movement + r_T), the distance to
    the limit is at most r = movement·ρ/(1 - ρ). If err_pred - r > tol the limit is
    measurably not the prediction: no excuse (None, a counterexample). Otherwise the run is
    not converged enough to tell: the excuse says so.
    """
    if not (0 < rate < 1):
        raise InvalidInputError(f"rate must lie in (0, 1), got {rate}")
    remaining = movement * rate / (1 - rate)
    if err_pred - remaining > tol:
        return None
    return (f"not converged: the run still moves ({what} moved {movement:.3g} over the last "
            f"stretch, so it may be up to {remaining:.3g} from its limit at the proven rate)")


@contextlib.contextmanager
def overridden(settings: dict, **changes):
    """Temporarily update a claims module's ``SETTINGS`` dict (the training budget a user's
    ``verify --data`` run chooses); unknown keys are refused, the old values restored."""
    unknown = sorted(set(changes) - set(settings))
    if unknown:
        raise InvalidInputError(f"unknown setting(s) {unknown}; this theorem has "
                                f"{sorted(settings)}")
    old = dict(settings)
    settings.update({k: v for k, v in changes.items() if v is not None})
    clear_memos()  # memoized runs were made with the old settings
    try:
        yield settings
    finally:
        settings.clear()
        settings.update(old)
        clear_memos()


_MEMOS: list = []


def clear_memos() -> None:
    """Forget every memoized training run (after settings change)."""
    for cache in _MEMOS:
        cache.clear()


def batch_memo(fn: Callable) -> Callable:
    """Memoize ``fn(instances, seed)`` on its last 4 distinct arguments (exact JSON keys), so
    that several claims measuring the same instances share one training run."""
    cache: dict = {}
    _MEMOS.append(cache)

    @functools.wraps(fn)
    def wrapped(instances, seed=0):
        key = json.dumps([encode(list(instances)), int(seed)], sort_keys=True)
        if key not in cache:
            if len(cache) >= 4:
                cache.pop(next(iter(cache)))
            cache[key] = fn(instances, seed)
        return cache[key]

    wrapped.cache = cache
    return wrapped


# ---------------------------------------------------------------------------------- instances


def encode(value):
    """An exact instance as JSON: Fractions become strings "p/q", ints and floats stay (JSON
    floats round-trip exactly), booleans and None stay."""
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if isinstance(value, np.ndarray):
        return encode(value.tolist())
    if isinstance(value, Fraction):
        return str(value) if value.denominator != 1 else int(value)
    if isinstance(value, (bool, int, str)) or value is None:
        return value
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        v = float(value)
        if not math.isfinite(v):
            raise InvalidInputError("an instance holds finite numbers only")
        return v
    raise InvalidInputError(f"an instance holds numbers, booleans and strings, not "
                            f"{type(value).__name__}")


def decode(value):
    """Inverse of :func:`encode`: strings of the form "p/q" are read back as Fractions."""
    if isinstance(value, dict):
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    if isinstance(value, str) and _is_fraction(value):
        return Fraction(value)
    return value


def _is_fraction(s: str) -> bool:
    parts = s.split("/")
    return len(parts) == 2 and all(p.lstrip("-").isdigit() for p in parts) and parts[1] != "0"


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
    return out

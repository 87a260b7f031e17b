"""Hypothesis strategies for random problem instances, built by construction (never filtered).

One module per theorem family (:mod:`.svm`, :mod:`.convnet`, :mod:`.relu1d`, ...), plus the
shared mechanisms here: :func:`rationals` (small exact fractions), :func:`pad` (stack instances
of different sizes into one shape bucket with a mask), :func:`sample` (n distinct, reproducible
examples of a strategy, for scripts and the CLI) and :func:`without_local_constants` (the same
seed draws the same instances however the package is installed). Every strategy draws small
integers and rationals, so shrunk counterexamples are human-readable.

Importable by users: ``from implicit_bias.theory.strategies import planted_svm``.
"""

from __future__ import annotations

import contextlib
import functools
from fractions import Fraction

import numpy as np
from hypothesis import strategies as st

__all__ = ["rationals", "pad", "sample", "without_local_constants", "Planted", "planted_svm",
           "degenerate_svm", "separable_datasets", "integer_separable",
           "convnet_single_example", "rational_single_example", "interpolation_data",
           "rational_interpolation", "completion_problems", "commuting_sensing",
           "gaussian_sensing", "conjecture_completion", "completion_arrays",
           "PlantedSparse", "planted_sparse_regression", "ntk_data", "PlantedNorms",
           "RegressionInstance", "planted_norm_margins", "plot_instance_2d",
           "regression_instances", "single_point_solution"]


@st.composite
def _rational(draw, lo: Fraction, hi: Fraction, max_den: int):
    q = draw(st.integers(1, max_den))
    a = int(np.ceil(lo * q))
    b = int(np.floor(hi * q))
    if a > b:  # no multiple of 1/q in range: fall back to the endpoint
        return lo
    return Fraction(draw(st.integers(a, b)), q)


@functools.lru_cache(maxsize=4096)
def _rationals(lo: Fraction, hi: Fraction, max_den: int):
    return _rational(lo, hi, max_den)


def rationals(lo: Fraction, hi: Fraction, max_den: int = 8):
    """Fractions p/q in [lo, hi] with 1 <= q <= ``max_den`` (shrinks toward lo, small q).

    One strategy object per (lo, hi, max_den), built once: building a composite strategy
    costs hypothesis a reflection of the function, which was 40% of sampling 1000 planted SVMs
    when it happened on every draw (the examples drawn are the same)."""
    return _rationals(Fraction(lo), Fraction(hi), int(max_den))


def pad(instances, n: int, d: int):
    """Stack (X, y) pairs (or :class:`Planted`) into one bucket: X (B, n, d), y, mask (B, n).

    Padded rows are masked out; padded columns are zero (they leave the SVM unchanged).
    """
    B = len(instances)
    X = np.zeros((B, n, d))
    y = np.ones((B, n))
    mask = np.zeros((B, n), bool)
    for b, inst in enumerate(instances):
        Xi, yi = (inst.X, inst.y) if isinstance(inst, Planted) else inst
        Ni, di = Xi.shape
        if Ni > n or di > d:
            raise ValueError(f"instance {b} of shape {Xi.shape} does not fit bucket {(n, d)}")
        X[b, :Ni, :di] = Xi
        y[b, :Ni] = yi
        mask[b, :Ni] = True
    return X, y, mask


@contextlib.contextmanager
def without_local_constants():
    """Hypothesis (>= 6.131) mixes constants found in *locally installed* modules (here: ours,
    under an editable install, and whatever test modules are loaded) into its draws, so the
    same seed gives different examples depending on how the package was installed and what
    was imported. Inside this context only hypothesis' own global constants are used, so a
    seed means the same instances everywhere (for a given hypothesis version). A no-op on
    hypothesis versions without the mechanism."""
    try:
        from hypothesis.internal.conjecture import providers as prov

        orig, empty = prov._get_local_constants, prov.Constants()
    except (ImportError, AttributeError):  # pragma: no cover - older/newer hypothesis
        yield
        return
    prov.CONSTANTS_CACHE.cache.clear()
    prov._get_local_constants = lambda: empty
    try:
        yield
    finally:
        prov._get_local_constants = orig
        prov.CONSTANTS_CACHE.cache.clear()


def sample(strategy, n: int, *, seed: int = 0) -> list:
    """``n`` distinct examples of ``strategy``, reproducibly for a given ``seed``.

    For scripts and the CLI (tests should use ``@given``). Uses hypothesis' own generator
    with a fixed seed, no example database and :func:`without_local_constants` (so the
    instances do not depend on how the package is installed or what else is imported), and
    drops repeated examples.
    """
    from hypothesis import Phase, given, settings
    from hypothesis import seed as hseed

    out, keys = [], set()

    class _Enough(Exception):
        pass

    @hseed(seed)
    @settings(max_examples=max(10 * n, 50), database=None, phases=[Phase.generate],
              deadline=None, suppress_health_check=list(__import__("hypothesis").HealthCheck))
    @given(strategy)
    def collect(x):
        key = repr(x)
        if key not in keys:
            keys.add(key)
            out.append(x)
        if len(out) >= n:
            raise _Enough  # stop generating (no shrink phase runs)

    with without_local_constants():
        try:
            collect()
        except _Enough:
            pass
    if len(out) < n:
        raise ValueError(f"the strategy produced only {len(out)} distinct examples, not {n}")
    return out


# ------------------------------------------------------------------ exact instances (conjectures)


from .convnet import convnet_single_example, rational_single_example  # noqa: E402
from .diagonal import PlantedSparse, planted_sparse_regression  # noqa: E402
from .geometry import (  # noqa: E402
    PlantedNorms,
    RegressionInstance,
    planted_norm_margins,
    plot_instance_2d,
    regression_instances,
    single_point_solution,
)
from .matrix import (  # noqa: E402
    commuting_sensing,
    completion_arrays,
    completion_problems,
    conjecture_completion,
    gaussian_sensing,
)
from .ntk1d import ntk_data  # noqa: E402
from .relu1d import interpolation_data, rational_interpolation  # noqa: E402
from .svm import (  # noqa: E402
    Planted,
    degenerate_svm,
    integer_separable,
    planted_svm,
    separable_datasets,
)

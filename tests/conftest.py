"""Test configuration: float64, strict array semantics, hypothesis profiles.

* float64 for every verification (switched on here, the tests' entry point; library modules
  never flip it).
* ``jax_numpy_rank_promotion="raise"`` and ``jax_numpy_dtype_promotion="strict"`` (as equinox
  and Neural Tangents test): an implicit broadcast between arrays of different ranks, or a
  silent dtype promotion, is an error in the tests, so the library cannot rely on one.

Profiles (``IMPLICIT_BIAS_PROFILE=thorough`` or pytest's ``--hypothesis-profile=thorough``):

* ``ci`` (default): derandomized, 25 examples per property, no deadline (JAX compiles on the
  first example). It also switches off hypothesis' mixing of constants from locally installed
  modules (``theory.strategies.without_local_constants``), so a clean install draws exactly
  the examples an editable install draws.
* ``thorough``: 500 random examples, for hunting counterexamples.
* ``dev``: 5 examples, for a quick local loop.

The user's compilation cache is never touched: ``IMPLICIT_BIAS_CACHE=off`` unless the caller
sets it, so the CLI runs inside the tests never write into ``~/.cache/implicit-bias``. The
session has a cache of its own instead, a temporary folder made by the controlling process,
shared by its xdist workers (``IMPLICIT_BIAS_TEST_JAX_CACHE``; ``off``: none) and removed at
the end. It keeps only programs that took at least 0.1 s to compile: the two workers
of ``-n 2`` compiled 165 identical programs (13 s of each worker's compile time), and a worker
recompiles some of its own (jit caches keyed by function identity). Writing every program cost
more than sharing saved (52.6 s against 47.1 s for test_convnet + test_engine); with the 0.1 s
floor the suite took 128 and 125 s against 132 and 127 s without it, runs interleaved
(2026-12-04; 218 entries, 5 MB): 2-3 %, as much as the noise between runs, but in the same
direction. Nothing in the suite depends on it: a test that checks "no recompilation" counts jit
cache entries.

XLA's LLVM backend at optimization level 0 (``--xla_backend_optimization_level=0`` in
``XLA_FLAGS``, also inherited by the CLI and scale subprocesses the tests start): the suite
compiles about 1200 small programs, most of which then run for milliseconds, and compiling
was half of its worker time (135 of 284 s on 2 cores). Level 0 cuts compilation to 86 s and
the suite from 145-153 s to 132-136 s (measured 2026-12-04). No fast-math is involved (NaN
and inf handling, division and functions are IEEE at every level) and HLO fusion is the same,
but the generated loops round differently in the last bit (a relu1d training's summed cost
after 3000 non-convex Adam steps: 315.08984 at the default level, 315.08949 at level 0), so
no tolerance may rest on the exact bits of one level: the suite passes at both
(``IMPLICIT_BIAS_TEST_XLA_OPT=default`` keeps XLA's own level; ``XLA_FLAGS`` naming a level
is left alone). The library and the CLI never set it.
"""

import atexit
import os
import shutil
import tempfile

if (os.environ.get("IMPLICIT_BIAS_TEST_XLA_OPT", "0") == "0"
        and "xla_backend_optimization_level" not in os.environ.get("XLA_FLAGS", "")):
    os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "")
                               + " --xla_backend_optimization_level=0").strip()

import jax  # noqa: E402  (after XLA_FLAGS: the backend reads them when it starts)
from hypothesis import HealthCheck, settings  # noqa: E402

os.environ.setdefault("IMPLICIT_BIAS_CACHE", "off")
if os.environ.get("IMPLICIT_BIAS_TEST_JAX_CACHE", "").lower() != "off":
    if not os.environ.get("IMPLICIT_BIAS_TEST_JAX_CACHE"):  # the controller (or a plain run)
        _session_cache = tempfile.mkdtemp(prefix="implicit-bias-test-jax-")
        os.environ["IMPLICIT_BIAS_TEST_JAX_CACHE"] = _session_cache  # inherited by workers
        atexit.register(shutil.rmtree, _session_cache, ignore_errors=True)
    jax.config.update("jax_compilation_cache_dir", os.environ["IMPLICIT_BIAS_TEST_JAX_CACHE"])
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.1)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
jax.config.update("jax_enable_x64", True)
jax.config.update("jax_numpy_rank_promotion", "raise")
jax.config.update("jax_numpy_dtype_promotion", "strict")

_common = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", max_examples=25, derandomize=True, print_blob=True, **_common)
settings.register_profile("thorough", max_examples=500, **_common)
settings.register_profile("dev", max_examples=5, **_common)
PROFILE = os.environ.get("IMPLICIT_BIAS_PROFILE", "ci")
settings.load_profile(PROFILE)
if PROFILE == "ci":
    from implicit_bias.theory.strategies import without_local_constants

    without_local_constants().__enter__()  # for the whole session (each xdist worker)

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

No persistent compilation cache: ``IMPLICIT_BIAS_CACHE=off`` unless the caller sets it, so the
CLI runs inside the tests never write into the user's own cache (``~/.cache/implicit-bias``).
(A cache shared by the xdist workers was measured: writing every program costs more than
the few programs two workers share save, 52.6 s against 47.1 s for test_convnet + test_engine.)

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

import os

if (os.environ.get("IMPLICIT_BIAS_TEST_XLA_OPT", "0") == "0"
        and "xla_backend_optimization_level" not in os.environ.get("XLA_FLAGS", "")):
    os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "")
                               + " --xla_backend_optimization_level=0").strip()

import jax  # noqa: E402  (after XLA_FLAGS: the backend reads them when it starts)
from hypothesis import HealthCheck, settings  # noqa: E402

os.environ.setdefault("IMPLICIT_BIAS_CACHE", "off")
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

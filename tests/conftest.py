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
"""

import os

import jax
from hypothesis import HealthCheck, settings

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

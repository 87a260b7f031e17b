"""Test configuration: float64 everywhere, hypothesis profiles.

Profiles (choose with ``IMPLICIT_BIAS_PROFILE=thorough`` or pytest's
``--hypothesis-profile=thorough``):

* ``ci`` (default): derandomized, modest example counts, no deadline (JIT compiles on first call).
  It also switches off hypothesis' mixing of constants from locally installed modules
  (``theory.strategies.without_local_constants``), so CI's clean non-editable install draws
  exactly the examples a developer's editable install draws.
* ``thorough``: many examples, randomized, for hunting counterexamples.
* ``dev``: very few examples, for a quick local loop.
"""

import os

import jax
from hypothesis import HealthCheck, settings

jax.config.update("jax_enable_x64", True)

# deadline=None and too_slow suppressed: the first example of each property pays JAX's
# compilation (seconds); later examples reuse the compiled loop (see test_svm's no-recompile test).
_common = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", max_examples=25, derandomize=True, print_blob=True, **_common)
settings.register_profile("thorough", max_examples=500, **_common)
settings.register_profile("dev", max_examples=5, **_common)
PROFILE = os.environ.get("IMPLICIT_BIAS_PROFILE", "ci")
settings.load_profile(PROFILE)
if PROFILE == "ci":
    from implicit_bias.theory.strategies import without_local_constants

    without_local_constants().__enter__()  # for the whole session (each xdist worker)

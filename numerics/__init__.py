"""JAX training of the models whose implicit bias :mod:`theory` predicts.

Library code never flips ``jax_enable_x64``: the entry points (the CLI, the tests' conftest)
do. Modules: :mod:`numerics.linear`, :mod:`numerics.deep_linear` (trainers),
:mod:`numerics.trainer` and :mod:`numerics.loop` (the one jitted loop), :mod:`numerics.losses`,
:mod:`numerics.metrics` (agreement metrics).
"""

"""Process-wide JAX settings, applied explicitly by entry points (CLI, benchmarks, conftest).

Importing a library module never changes JAX's configuration; :func:`configure` does, and only
when called.
"""

from __future__ import annotations

import os

__all__ = ["configure"]


def configure(*, x64: bool = True, host_devices: int | None = None) -> None:
    """Switch on float64 and (on CPU) split the host into ``host_devices`` XLA devices.

    ``host_devices`` defaults to the number of cores, so batched trainers shard instances over
    every core (:func:`numerics.trainer.fit_batch`). It only takes effect if JAX has not
    started its backend yet and ``XLA_FLAGS`` does not already set a device count.

    >>> configure(x64=True)
    """
    flag = "--xla_force_host_platform_device_count"
    flags = os.environ.get("XLA_FLAGS", "")
    if flag not in flags:
        n = host_devices if host_devices is not None else (os.cpu_count() or 1)
        if n > 1:
            os.environ["XLA_FLAGS"] = f"{flags} {flag}={int(n)}".strip()
    import jax

    jax.config.update("jax_enable_x64", x64)

"""Process-wide JAX settings, applied explicitly by entry points (CLI, benchmarks, conftest).

Importing a library module never changes JAX's configuration; :func:`configure` does, and only
when called.
"""

from __future__ import annotations

import os

__all__ = ["configure", "default_cache_dir", "CACHE_OFF"]


#: values of ``$IMPLICIT_BIAS_CACHE`` that switch the cache off (any case)
CACHE_OFF = ("off", "none", "no", "false", "0")


def default_cache_dir() -> str | None:
    """Where the CLI keeps JAX's persistent compilation cache:
    ``$IMPLICIT_BIAS_CACHE``, else ``$XDG_CACHE_HOME/implicit-bias/jax`` (``~/.cache/...``);
    None (no cache) when ``$IMPLICIT_BIAS_CACHE`` is one of :data:`CACHE_OFF` (``off``,
    ``none``, ``no``, ``false``, ``0``), rather than a folder of that name.

    >>> "none" in CACHE_OFF  # IMPLICIT_BIAS_CACHE=None: no cache, and no folder named None
    True
    """
    value = os.environ.get("IMPLICIT_BIAS_CACHE", "").strip()
    if value.lower() in CACHE_OFF:
        return None
    if value:
        return value
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "implicit-bias", "jax")


def configure(*, x64: bool = True, host_devices: int | None = None,
              cache_dir: str | None = None) -> None:
    """Switch on float64 and (on CPU) split the host into ``host_devices`` XLA devices.

    ``host_devices`` defaults to the number of cores, so batched trainers shard instances over
    every core (:func:`implicit_bias.numerics.engine.fit_batch`). It only takes effect if JAX
    has not started its backend yet and ``XLA_FLAGS`` does not already set a device count.
    ``cache_dir``: keep compiled programs on disk there (JAX's persistent compilation
    cache), so a second run of the same command skips compilation; None: no cache.

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
    if cache_dir:
        try:
            os.makedirs(cache_dir, exist_ok=True)
        except OSError:
            return  # an unwritable cache is no error: compile as usual
        jax.config.update("jax_compilation_cache_dir", cache_dir)
        # every program, however quick to compile: a verify run compiles hundreds of small
        # ones (indexing, random draws) that together cost more than the few large ones
        jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
        jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)

"""Shared benchmark protocol: timing, interleaved best-of rounds, machine info, data, ceilings.

Every benchmark in this folder measures *rates* side by side in one process and reports their
ratios (absolute rates on a shared machine mean little). The protocol, used by all of them:

* :func:`timed` -- wall seconds of one call (waiting for JAX results) and CPU/wall (cores used);
* :func:`interleaved` -- R rounds, each running every candidate once, so a load change on a
  shared machine hits all candidates alike; each candidate keeps its best round;
* :func:`calibrate` -- a step count that makes one run last about ``target`` seconds (rates
  are per step, so short runs after a warm-up are fair);
* :func:`dgemm_ceiling` -- float64 matmul GFLOP/s, the machine's practical compute ceiling;
* :func:`loadavg`, :func:`load_note`, :func:`wait_for_quiet` -- the machine is shared: every
  number is reported with the load average at the time, flagged when the load makes it
  unreliable, and long measurements can wait for a quiet moment first;
* :func:`old_tree` -- a read-only ``git worktree`` of an old commit, importable as
  ``implicit_bias`` through ``PYTHONPATH`` (old-vs-new timings in the same run).

Import from a benchmark script as ``from _common import ...`` (the scripts put this folder on
``sys.path`` by being run from it; ``run_all.py`` runs them as scripts).
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import platform
import resource
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np

__all__ = ["cpu_seconds", "timed", "interleaved", "calibrate", "machine_info", "write_json",
           "planted_instances", "step_sizes", "dgemm_ceiling", "import_torch", "loadavg",
           "load_note", "wait_for_quiet", "uptime", "busy_cores", "old_tree", "REPO",
           "QUIET_LOAD", "BUSY_LOAD"]

#: the repository root (the package ``implicit_bias``)
REPO = Path(__file__).resolve().parent.parent
#: 1-minute load average below which the machine counts as quiet (numbers reliable)
QUIET_LOAD = 1.0
#: above this the numbers are flagged unreliable (on 2 cores: another full-time process)
BUSY_LOAD = 1.5


def cpu_seconds() -> float:
    """User + system CPU seconds of this process (all threads)."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _block(x):
    try:
        import jax

        return jax.block_until_ready(x)
    except (ImportError, TypeError):
        return x


def timed(fn):
    """(wall seconds, CPU seconds / wall seconds) of one call ``fn()``, waiting for JAX."""
    c0, t0 = cpu_seconds(), time.perf_counter()
    _block(fn())
    dt = time.perf_counter() - t0
    return dt, (cpu_seconds() - c0) / dt


def interleaved(cands: dict, repeats: int) -> dict:
    """Best (seconds, cpu/wall) of each zero-argument callable in ``cands`` over ``repeats``
    rounds; round r runs every candidate once, in order."""
    best = {k: (float("inf"), float("nan")) for k in cands}
    for _ in range(repeats):
        for k, fn in cands.items():
            secs, util = timed(fn)
            if secs < best[k][0]:
                best[k] = (secs, util)
    return best


def calibrate(make, target: float, *, max_steps: int = 10**8) -> tuple[int, float]:
    """(n, fixed): a step count n whose *steps* take about ``target`` seconds, and the fixed
    per-call cost (seconds of a 1-step call).

    ``make(n)`` returns a zero-argument callable running n steps (already warmed up: the
    first call must not pay compilation). Times n = 1, 10, 100, ... until the part of a run
    beyond the 1-step call exceeds target/3, then extrapolates that part linearly. So a large
    fixed cost (a transfer, validation) neither ends the search early nor enters the
    per-step estimate; the timed run then lasts about fixed + target seconds.
    """
    fixed, _ = timed(make(1))
    fixed = min(fixed, timed(make(1))[0])
    n = 1
    while n < max_steps:
        n = min(max_steps, n * 10)
        secs, _ = timed(make(n))
        if secs - fixed >= target / 3:
            break
    per_step = max(secs - fixed, 1e-12) / max(n - 1, 1)
    return int(max(1, min(max_steps, round(target / per_step)))), fixed


def _version(name):
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def loadavg() -> tuple[float, float, float]:
    """The 1, 5 and 15 minute load averages (NaN where the platform has none)."""
    try:
        return tuple(round(v, 2) for v in os.getloadavg())
    except (AttributeError, OSError):
        return (float("nan"),) * 3


def _cpu_jiffies():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + (v[4] if len(v) > 4 else 0)  # idle + iowait
    return sum(v[:8]) - idle, sum(v[:8])


def busy_cores(window: float = 2.0) -> float:
    """Cores kept busy by *other* processes right now: system-wide non-idle CPU time over
    ``window`` seconds (``/proc/stat``) while this process sleeps, in cores. Unlike the load
    average (a 1-minute exponential average, which still holds this benchmark's own previous
    command for a minute or two), it measures the competition at the moment a run starts.
    NaN where ``/proc/stat`` is unavailable."""
    try:
        b0, t0 = _cpu_jiffies()
        time.sleep(window)
        b1, t1 = _cpu_jiffies()
    except (OSError, ValueError, IndexError):
        return float("nan")
    return round((b1 - b0) / max(t1 - t0, 1) * (os.cpu_count() or 1), 2)


def uptime() -> str:
    """The output of ``uptime`` (the load as a person at the machine sees it)."""
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True,
                              timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return f"load average: {', '.join(map(str, loadavg()))}"


def load_note(load1: float) -> str:
    """How far a number measured at load ``load1`` (the 1-minute load average before the
    measurement started, or :func:`busy_cores` of other processes) can be trusted:
    ``quiet`` below :data:`QUIET_LOAD`, ``busy`` up to :data:`BUSY_LOAD` (usable, maybe a
    little slow), ``unreliable`` above (others compete for the cores). A load measured
    *during* a run includes the run itself (about one per core it keeps busy)."""
    if load1 != load1:  # NaN
        return "unknown"
    if load1 < QUIET_LOAD:
        return "quiet"
    return "busy" if load1 <= BUSY_LOAD else "unreliable"


def wait_for_quiet(threshold: float = QUIET_LOAD, max_wait: float = 120.0,
                   poll: float = 10.0, *, verbose: bool = True) -> tuple[float, float]:
    """Sleep until the 1-minute load average is below ``threshold`` or ``max_wait`` seconds
    passed; returns (load1 at the end, seconds waited). Never raises: a busy machine only
    costs time (and the number is then flagged by :func:`load_note`)."""
    t0 = time.perf_counter()
    load = loadavg()[0]
    while load >= threshold and time.perf_counter() - t0 < max_wait:
        if verbose:
            print(f"#   load {load:.2f} >= {threshold}: waiting ({time.perf_counter() - t0:.0f}"
                  f"/{max_wait:.0f} s)", flush=True)
        time.sleep(min(poll, max(0.0, max_wait - (time.perf_counter() - t0))))
        load = loadavg()[0]
    return load, time.perf_counter() - t0


@contextmanager
def old_tree(commit: str, path: str | Path = "/tmp/oldtree"):
    """A read-only worktree of ``commit`` at ``path``, importable as ``implicit_bias``.

    Yields (tree, pythonpath): ``PYTHONPATH=pythonpath`` makes ``import implicit_bias`` load
    the old tree (a folder holding the symlink ``implicit_bias -> tree``; the editable
    install's finder comes after ``PYTHONPATH`` on ``sys.meta_path``). The worktree is
    created with ``git worktree add --detach`` and removed afterwards with ``git worktree
    remove`` -- unless it already existed at that commit, in which case it is reused and
    left in place (someone else's). Nothing else in the repository is touched.
    """
    path = Path(path)
    shim = Path(f"{path}.shim")
    created = False
    full = subprocess.run(["git", "-C", str(REPO), "rev-parse", commit], capture_output=True,
                          text=True, check=True).stdout.strip()
    if path.exists():
        head = subprocess.run(["git", "-C", str(path), "rev-parse", "HEAD"],
                              capture_output=True, text=True).stdout.strip()
        if head != full:
            raise RuntimeError(f"{path} exists and is not a worktree of {commit}; pass "
                               "another path")
    else:
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(path),
                        full], check=True, capture_output=True, text=True)
        created = True
    shim.mkdir(parents=True, exist_ok=True)
    link = shim / "implicit_bias"
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(path, target_is_directory=True)
    try:
        yield path, str(shim)
    finally:
        link.unlink(missing_ok=True)
        try:
            shim.rmdir()
        except OSError:
            pass
        if created:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force",
                            str(path)], capture_output=True, text=True)


def machine_info() -> dict:
    """Platform, cores, load, library versions and JAX devices (imports JAX if installed)."""
    info = {
        "loadavg_at_start": loadavg(),
        "uptime_at_start": uptime(),
        "busy_cores_at_start": busy_cores(1.0),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor(),
        "python": sys.version.split()[0],
        "cpu_count": os.cpu_count(),
        "affinity": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "numpy": np.__version__,
        "scipy": _version("scipy"),
        "jax": _version("jax"),
        "jaxlib": _version("jaxlib"),
        "torch": _version("torch"),
        "quadprog": _version("quadprog"),
        "clarabel": _version("clarabel"),
        "hypothesis": _version("hypothesis"),
        "XLA_FLAGS": os.environ.get("XLA_FLAGS", ""),
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
    }
    try:
        cfg = np.show_config(mode="dicts")
        info["numpy_blas"] = cfg.get("Build Dependencies", {}).get("blas", {}).get("name")
    except Exception:  # noqa: BLE001 - informational only
        info["numpy_blas"] = None
    try:
        import jax

        info.update(backend=jax.default_backend(), devices=[str(d) for d in jax.devices()],
                    x64=bool(jax.config.jax_enable_x64))
    except ImportError:
        pass
    return info


def write_json(path: Path | None, payload: dict) -> None:
    """Write ``payload`` as indented JSON to ``path`` (parents created); no-op for None."""
    if path is None:
        return
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2, default=float) + "\n")
    print(f"wrote {path}")


def import_torch(threads: int | None = None):
    """``torch`` (float64 default, ``threads`` intra-op threads) or None with a message."""
    try:
        import torch
    except ImportError as exc:
        print(f"# torch not importable ({exc}); skipping the PyTorch baselines "
              "(install with: .venv/bin/pip install torch==2.13.0)")
        return None
    torch.set_num_threads(threads or os.cpu_count() or 1)
    return torch


# ---------------------------------------------------------------- data
def planted_instances(B: int, N: int, d: int, *, margin: float = 0.1, seed: int = 0):
    """B separable datasets: X Gaussian, y = sign(X w*) for a random unit w*, every point pushed
    along w* to margin y xᵀw* >= ``margin``. Returns X (B, N, d), y (B, N), w* (B, d)."""
    rng = np.random.default_rng(seed)
    ws = rng.standard_normal((B, d))
    ws /= np.linalg.norm(ws, axis=1, keepdims=True)
    X = rng.standard_normal((B, N, d))
    s = np.einsum("bnd,bd->bn", X, ws)
    y = np.where(s >= 0, 1.0, -1.0)
    push = np.maximum(0.0, margin - y * s)  # move x_n by y_n * push_n * w*
    X += (y * push)[..., None] * ws[:, None, :]
    assert (y * np.einsum("bnd,bd->bn", X, ws) >= margin - 1e-12).all()
    return X, y, ws


def step_sizes(Z):
    """The fixed step of each instance, 1/σ_max(Z)² (1/8 of the descent-lemma bound)."""
    return 1.0 / np.linalg.norm(Z, ord=2, axis=(1, 2)) ** 2


# ---------------------------------------------------------------- ceilings
def dgemm_ceiling(n: int = 2000, repeats: int = 5, *, jax_too: bool = True,
                  torch=None) -> dict:
    """float64 matmul of two n×n matrices: GFLOP/s = 2n³ / best seconds (numpy; also
    ``jax.numpy`` and torch when available, for reference)."""
    rng = np.random.default_rng(0)
    A, B = rng.standard_normal((n, n)), rng.standard_normal((n, n))
    flops = 2.0 * n**3
    out = {"n": n, "flops": flops}
    A @ B  # warm-up (thread pool start)
    best = interleaved({"numpy": lambda: A @ B}, repeats)
    out["numpy_gflops"] = flops / best["numpy"][0] / 1e9
    out["numpy_cpu_per_wall"] = best["numpy"][1]
    if jax_too:
        try:
            import jax
            import jax.numpy as jnp

            if jax.config.jax_enable_x64:
                Aj, Bj = jnp.asarray(A), jnp.asarray(B)
                mm = jax.jit(jnp.matmul)
                jax.block_until_ready(mm(Aj, Bj))
                b = interleaved({"jax": lambda: mm(Aj, Bj)}, repeats)["jax"]
                out["jax_gflops"], out["jax_cpu_per_wall"] = flops / b[0] / 1e9, b[1]
        except ImportError:
            pass
    if torch is not None:
        At, Bt = torch.from_numpy(A), torch.from_numpy(B)
        At @ Bt
        b = interleaved({"torch": lambda: At @ Bt}, repeats)["torch"]
        out["torch_gflops"], out["torch_cpu_per_wall"] = flops / b[0] / 1e9, b[1]
    out["ceiling_gflops"] = out["numpy_gflops"]
    return out

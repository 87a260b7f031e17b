"""Every batched trainer on an accelerator (GPU) against the CPU of the same host, in one run.

For each trainer of ``bench_trainers.py`` (linear, deep_linear, convnet, relu1d: the same
problems, float64) and batch size B this measures instance-steps per second of the one
training engine, :func:`implicit_bias.numerics.engine.fit_batch`, interleaved round by round
in one process (best of ``--repeats``, each run calibrated to about ``--target-seconds`` of
steps):

* ``gpu``       -- the accelerator with the engine's default block (``block=None``: the whole
  batch vmapped at once, up to ``ACCEL_BLOCK`` = 4096 instances per block);
* ``gpu_bB``    -- (B > 4096 only) the whole batch in one block, ``block=B``;
* ``gpu_b16``   -- the accelerator in the CPU's blocks of 16 (``lax.map`` over B/16
  sequential blocks): what every trainer did on a GPU before the default depended on the
  platform (the previous route);
* ``cpu``       -- every CPU core of the host as an XLA device (``configure()``), the instance
  axis sharded over them, the engine's default block there (16).

Before timing, all are run for ``--check-steps`` steps on the same instances and must
agree to 1e-8 (relative, final parameters). The compile time of each (first call minus a
warm call) is reported apart; no timed call compiles (the step count is traced).

    python benchmarks/bench_gpu.py [--sizes 256,4096,32768] [--cpu-sizes 4096]
                                   [--json results/bench_gpu.json]
    python benchmarks/bench_gpu.py --stand-in --sizes 64 --cpu-sizes 64   # no GPU: smoke test

``--stand-in`` lets one CPU device play the accelerator (a smoke test of this script on a
machine without one; its ratios mean nothing). Without it the script exits 2 when JAX sees
no accelerator, or 0 with ``--skip-without-accelerator`` (how ``run_all.py`` calls it).
"""

from __future__ import annotations

import argparse
import copy
import sys
import time
from pathlib import Path

from implicit_bias.numerics.runtime import configure

configure(x64=True)  # float64; every CPU core an XLA device (for the CPU side)

import bench_trainers as bt  # noqa: E402
import jax  # noqa: E402
import numpy as np  # noqa: E402
from _common import calibrate, interleaved, machine_info, timed, write_json  # noqa: E402

from implicit_bias.numerics.engine import ACCEL_BLOCK, CPU_BLOCK  # noqa: E402

CHECK_TOL = 1e-8  # float64 runs of the same algorithm differ only by reduction order


def _on(devs, fn):
    """``fn`` run with ``devs[0]`` as JAX's default device (eager arrays land there)."""
    def run():
        with jax.default_device(devs[0]):
            return fn()
    return run


def _cpu_copy(case):
    """The same instances as host arrays (fit_batch shards host arrays over the CPU mesh)."""
    c = copy.copy(case)
    c.j = jax.tree.map(np.asarray, case.j)
    return c


def candidates(case, B, cpu, accel, with_cpu):
    """name -> make(steps) for one trainer at batch size B."""
    c_cpu = _cpu_copy(case)
    out = {"gpu": lambda n: _on(accel, case.jax(n, devices=accel))}
    if B > ACCEL_BLOCK:
        out["gpu_bB"] = lambda n: _on(accel, case.jax(n, block=B, devices=accel))
    out["gpu_b16"] = lambda n: _on(accel, case.jax(n, block=CPU_BLOCK, devices=accel))
    if with_cpu:
        out["cpu"] = lambda n: _on(cpu, c_cpu.jax(n, devices=cpu))
    return out


def cell(cls, B, a, cpu, accel, with_cpu):
    case = cls(B, a.seed)
    makes = candidates(case, B, cpu, accel, with_cpu)
    row = {"instances": B, "flops_per_instance_step": case.flops()}
    # agreement (and the compile: the first call of each)
    finals, compile_s = {}, {}
    for k, make in makes.items():
        t0 = time.perf_counter()
        jax.block_until_ready(make(1)())
        first = time.perf_counter() - t0
        compile_s[k] = first - min(timed(make(1))[0] for _ in range(2))
        finals[k] = case.flat(make(a.check_steps)())
    ref = finals["gpu"]
    row["agreement_vs_gpu"] = {k: max(bt._rel(x, y) for x, y in zip(v, ref, strict=True))
                               for k, v in finals.items() if k != "gpu"}
    row["ok"] = all(v < CHECK_TOL for v in row["agreement_vs_gpu"].values())
    row["compile_s"] = compile_s
    cal = {k: calibrate(m, a.target_seconds, max_steps=a.max_steps) for k, m in makes.items()}
    best = interleaved({k: makes[k](cal[k][0]) for k in makes}, a.repeats)
    rates = {}
    for k in makes:
        (secs, util), (n, fixed) = best[k], cal[k]
        rates[k] = {"steps": n, "seconds": secs, "rate": B * n / secs, "cpu_per_wall": util,
                    "fixed_call_s": fixed,
                    "rate_without_fixed": B * (n - 1) / max(secs - fixed, 1e-12),
                    "gflops": B * n / secs * row["flops_per_instance_step"] / 1e9}
    row["rates"] = rates
    if "cpu" in rates:
        row["gpu_vs_cpu"] = rates["gpu"]["rate"] / rates["cpu"]["rate"]
    row["gpu_vs_gpu_b16"] = rates["gpu"]["rate"] / rates["gpu_b16"]["rate"]
    return row


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--trainers", default=",".join(bt.TRAINERS))
    p.add_argument("--sizes", default="4096", help="batch sizes B timed on the accelerator")
    p.add_argument("--cpu-sizes", default="4096", help="those of them also timed on the CPU")
    p.add_argument("--target-seconds", type=float, default=0.5)
    p.add_argument("--max-steps", type=int, default=10**7)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--check-steps", type=int, default=30)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--stand-in", action="store_true",
                   help="no accelerator: one CPU device plays it (smoke test only)")
    p.add_argument("--skip-without-accelerator", action="store_true",
                   help="no accelerator: write a JSON saying so and exit 0 (run_all.py)")
    p.add_argument("--json", type=Path, default=None)
    a = p.parse_args(argv)
    cpu = jax.devices("cpu")
    if a.stand_in:
        accel = cpu[:1]
    elif jax.default_backend() == "cpu":
        msg = "no accelerator visible to JAX (default backend cpu)"
        if a.skip_without_accelerator:
            print(f"# {msg}: skipped")
            write_json(a.json, {"machine": machine_info(), "skipped": msg, "ok": True})
            return 0
        print(f"{msg}; --stand-in to smoke test", file=sys.stderr)
        return 2
    else:
        accel = jax.devices()[:1]
    info = machine_info()
    info.update(accelerator=[str(d) for d in accel],
                accelerator_kind=getattr(accel[0], "device_kind", None),
                cpu_devices=len(cpu))
    print(f"# {info['platform']} | {info['cpu_count']} CPUs ({len(cpu)} XLA CPU devices) | "
          f"jax {info['jax']} | accelerator {info['accelerator_kind']} | float64", flush=True)
    sizes = [int(s) for s in a.sizes.split(",") if s]
    cpu_sizes = {int(s) for s in a.cpu_sizes.split(",") if s}
    t_start = time.perf_counter()
    results, ok = {}, True
    cols = ("gpu", "gpu_bB", "gpu_b16", "cpu")
    print(f"{'trainer':>12s}{'B':>7s}" + "".join(f"{c:>11s}" for c in cols)
          + f"{'gpu/cpu':>9s}{'gpu/b16':>9s}{'GF/s':>8s}{'comp_s':>8s}{'agree':>9s}")
    for name in [s for s in a.trainers.split(",") if s]:
        results[name] = {}
        for B in sizes:
            row = cell(bt.TRAINERS[name], B, a, cpu, accel, B in cpu_sizes)
            results[name][str(B)] = row
            ok &= row["ok"]
            r = row["rates"]
            rates = "".join(f"{r[c]['rate']:11.3g}" if c in r else f"{'-':>11s}" for c in cols)
            gc = f"{row['gpu_vs_cpu']:9.1f}" if "gpu_vs_cpu" in row else f"{'-':>9s}"
            print(f"{name:>12s}{B:7d}{rates}{gc}{row['gpu_vs_gpu_b16']:9.1f}"
                  f"{r['gpu']['gflops']:8.1f}{row['compile_s']['gpu']:8.2f}"
                  f"{max(row['agreement_vs_gpu'].values()):9.1e}", flush=True)
    total = time.perf_counter() - t_start
    print("rates in instance-steps/s (best of interleaved rounds); GF/s = the gpu column's "
          "analytic GFLOP/s (bench_trainers' flop counts); agree = max relative difference "
          f"of final parameters after {a.check_steps} steps against gpu (must be < "
          f"{CHECK_TOL:g})")
    print(f"total runtime: {total:.1f} s")
    write_json(a.json, {"machine": info, "dtype": "float64", "results": results,
                        "protocol": {"target_seconds": a.target_seconds, "repeats": a.repeats,
                                     "interleaved": True, "seed": a.seed,
                                     "check_steps": a.check_steps},
                        "total_seconds": total, "ok": bool(ok)})
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

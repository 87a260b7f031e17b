"""Batched JAX trainer vs a plain numpy loop: GD on the logistic loss, linear predictors.

Times the public :func:`implicit_bias.numerics.linear.train_batch` (validation, step-size
bound, the engine :func:`~implicit_bias.numerics.engine.fit_batch`) against numpy loops of the
same schedule (vectorized over the batch: einsum, stacked matmul; and one instance) and prints
instance-steps per second and their RATIOS, all measured side by side in one run (absolute
rates on a shared machine mean little), plus a sweep of the engine's ``block`` (instances per
``lax.map`` step).

Protocol (``_common``): each candidate's step count is calibrated so that its steps last about
``--target-seconds`` (``calibrate``; the fixed per-call cost -- validation, the step-size
bound, transfers -- is measured apart and reported); candidates run interleaved, best of
``--repeats`` rounds; the JAX trainer is timed after a warm-up call with the same shapes
(compilation reported separately; the step count is traced, so no call recompiles). Timed
calls record 2 points (start and end: a pure step rate). The same run checks that JAX and numpy
reach the same final w after ``--check-steps`` steps (relative 1e-8).

    python benchmarks/bench_linear.py [--instances 256 --n 100 --d 50 --target-seconds 0.5]
                                      [--json results/bench_linear.json]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import jax

from implicit_bias.numerics.runtime import configure

# float64, and one XLA device per core (override with XLA_FLAGS) so the batch uses every core
configure(x64=True)

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
from _common import (  # noqa: E402
    calibrate,
    interleaved,
    load_note,
    loadavg,
    machine_info,
    planted_instances,
    step_sizes,
    timed,
    write_json,
)
from scipy.special import expit  # noqa: E402

from implicit_bias.numerics.linear import train_batch  # noqa: E402

BLOCKS = (1, 16, 64, 256)
N_REC = 2  # records of the timed calls: start and end (a pure step rate)


# ---------------------------------------------------------------- numpy baselines
def numpy_einsum(Z, lr, steps):
    """GD on the logistic loss, vectorized over the batch: two einsums and one expit per step."""
    w = np.zeros((Z.shape[0], Z.shape[2]))
    lr = lr[:, None]
    for _ in range(steps):
        u = np.einsum("bnd,bd->bn", Z, w)  # margins y_n x_nᵀw
        c = expit(-u)  # -ℓ'(u) = σ(-u), stable for every u
        w += lr * np.einsum("bn,bnd->bd", c, Z)
    return w


def numpy_matmul(Z, lr, steps):
    """The same loop with stacked matmuls (Zᵀ stored contiguously)."""
    ZT = np.ascontiguousarray(np.swapaxes(Z, 1, 2))
    w = np.zeros((Z.shape[0], Z.shape[2]))
    lr = lr[:, None]
    for _ in range(steps):
        u = np.matmul(Z, w[:, :, None])[:, :, 0]
        c = expit(-u)
        w += lr * np.matmul(ZT, c[:, :, None])[:, :, 0]
    return w


def numpy_single(Z1, lr1, steps):
    """One instance, plain python loop over steps (Z1 (N, d), scalar lr1)."""
    w = np.zeros(Z1.shape[1])
    for _ in range(steps):
        w += lr1 * (expit(-(Z1 @ w)) @ Z1)
    return w


# ---------------------------------------------------------------- timing
def jax_run(X, y, lr, steps, block, n_records=N_REC):
    return lambda: train_batch(X, y, lr=lr, steps=steps, block=block,
                               n_records=n_records).params


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--instances", type=int, default=256, help="B, instances per batch")
    p.add_argument("--n", type=int, default=100, help="N, points per instance")
    p.add_argument("--d", type=int, default=50, help="d, dimension")
    p.add_argument("--target-seconds", type=float, default=0.5,
                   help="calibrated length of one timed run")
    p.add_argument("--check-steps", type=int, default=500, help="steps of the agreement check")
    p.add_argument("--repeats", type=int, default=3, help="best of this many rounds")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", type=Path, default=None, help="write every number here")
    a = p.parse_args(argv)
    B, N, d, R = a.instances, a.n, a.d, a.repeats
    t_start = time.perf_counter()

    X, y, _ = planted_instances(B, N, d, seed=a.seed)
    Z = y[..., None] * X
    lr = step_sizes(Z)
    info = machine_info()
    print(f"# {info['platform']} | {info['cpu_count']} CPUs | jax {info['jax']} "
          f"({info['backend']}, {len(info['devices'])} devices) | numpy {info['numpy']} | "
          f"float64 | load {info['loadavg_at_start']}")
    print(f"# B={B} N={N} d={d}, GD/logistic, lr = 1/sigma_max(Z)^2 per instance, "
          f"best of {R}, runs calibrated to ~{a.target_seconds} s")

    # ---- compile (warm-up) for every block, then agreement check on the default block
    block0 = 16
    blocks = sorted({max(1, min(b, B)) for b in (block0, *BLOCKS)})
    warmup = {}
    for b in blocks:
        t0 = time.perf_counter()
        jax.block_until_ready(jax_run(X, y, lr, 1, b)())
        warmup[b] = time.perf_counter() - t0
    warm = min(timed(jax_run(X, y, lr, 1, block0))[0] for _ in range(max(R, 2)))
    compile_s = warmup[max(1, min(block0, B))] - warm

    tr = jax.block_until_ready(train_batch(X, y, lr=lr, steps=a.check_steps, block=block0))
    w_jax = np.asarray(tr.params)
    assert w_jax.dtype == np.float64 and tr.beta.dtype == jnp.float64
    w_np = numpy_einsum(Z, lr, a.check_steps)
    w_mm = numpy_matmul(Z, lr, a.check_steps)
    rel = np.linalg.norm(w_jax - w_np, axis=1) / np.linalg.norm(w_np, axis=1)
    rel_mm = np.linalg.norm(w_mm - w_np, axis=1) / np.linalg.norm(w_np, axis=1)
    w_one = numpy_single(Z[0], lr[0], a.check_steps)
    rel_one = float(np.linalg.norm(w_one - w_np[0]) / np.linalg.norm(w_np[0]))
    agree = bool(rel.max() < 1e-8)

    # ---- calibrated step counts, then interleaved rounds (a load change on a shared machine
    # hits every candidate alike; each keeps its best round)
    makers = {
        "numpy einsum (batched)": (B, lambda n: lambda: numpy_einsum(Z, lr, n)),
        "numpy matmul (batched)": (B, lambda n: lambda: numpy_matmul(Z, lr, n)),
        "numpy, one instance": (1, lambda n: lambda: numpy_single(Z[0], lr[0], n)),
    }
    for blk in BLOCKS:
        b = max(1, min(blk, B))
        makers[f"jax train_batch block={blk}"] = (B, lambda n, b=b: jax_run(X, y, lr, n, b))
    cal = {k: calibrate(mk, a.target_seconds) for k, (_, mk) in makers.items()}
    best = interleaved({k: makers[k][1](cal[k][0]) for k in makers}, R)

    rows = {}
    for k, (inst, _) in makers.items():
        (secs, util), (steps, fixed) = best[k], cal[k]
        rows[k] = {"steps": steps, "instances": inst, "seconds": secs,
                   "rate": inst * steps / secs, "cpu_per_wall": util, "fixed_call_s": fixed}
    np_best = max(rows["numpy einsum (batched)"]["rate"], rows["numpy matmul (batched)"]["rate"])
    np_einsum = rows["numpy einsum (batched)"]["rate"]
    for r in rows.values():
        r["ratio_vs_numpy"] = r["rate"] / np_best
        r["ratio_vs_numpy_einsum"] = r["rate"] / np_einsum
    main_key = f"jax train_batch block={block0}"
    main_rate = rows[main_key]["rate"]
    sweep = {blk: rows[f"jax train_batch block={blk}"] | {"block": max(1, min(blk, B)),
                                                           "warmup_seconds":
                                                           warmup[max(1, min(blk, B))]}
             for blk in BLOCKS}
    best_block = max(sweep, key=lambda k: sweep[k]["rate"])
    total = time.perf_counter() - t_start
    load_end = loadavg()

    # ---- report
    w = max(len(k) for k in rows) + 2
    print(f"\n{'implementation':{w}s}{'steps':>9s}{'inst-steps/s':>14s}{'vs numpy':>10s}"
          f"{'cpu/wall':>10s}{'fixed ms':>10s}")
    for k, r in rows.items():
        mark = "  <- best block" if k == f"jax train_batch block={best_block}" else ""
        print(f"{k:{w}s}{r['steps']:9d}{r['rate']:14.4g}{r['ratio_vs_numpy']:10.2f}"
              f"{r['cpu_per_wall']:10.2f}{r['fixed_call_s'] * 1e3:10.1f}{mark}")
    print(f"\n'vs numpy' = rate / best batched numpy rate ({np_best:.4g} inst-steps/s); "
          "'fixed ms' = cost of a 1-step call (validation, step-size bound, transfer), not in "
          "the rate's calibration")
    print(f"JAX compile (block={block0}): {compile_s:.2f} s; warm 1-step call: "
          f"{warm * 1e3:.1f} ms")
    print(f"agreement after {a.check_steps} steps, max_b |w_jax - w_np|/|w_np| = "
          f"{rel.max():.2e} ({'OK' if agree else 'FAIL'} at 1e-8); matmul vs einsum "
          f"{rel_mm.max():.2e}; one-instance loop vs einsum {rel_one:.2e}")
    print(f"load average at start {info['loadavg_at_start']}, at end {load_end} -> "
          f"{load_note(info['busy_cores_at_start'])}; total runtime: {total:.1f} s")

    info["loadavg_at_end"] = load_end
    write_json(a.json, {
        "machine": info,
        "problem": {"instances": B, "n": N, "d": d, "loss": "logistic", "schedule": "gd",
                    "lr": "1/sigma_max(Z)^2", "dtype": "float64", "seed": a.seed,
                    "n_records": N_REC, "repeats": R, "target_seconds": a.target_seconds},
        "rates": rows,
        "numpy_best_rate": np_best,
        "ratio_jax_vs_numpy": main_rate / np_best,
        "ratio_jax_vs_numpy_einsum": main_rate / np_einsum,
        "block_sweep": {str(k): v for k, v in sweep.items()},
        "best_block": best_block,
        "compile_seconds": compile_s,
        "warm_call_seconds": warm,
        "agreement": {"steps": a.check_steps, "max_rel_jax_vs_numpy": float(rel.max()),
                      "max_rel_matmul_vs_einsum": float(rel_mm.max()),
                      "rel_one_instance_vs_einsum": rel_one, "ok": agree},
        "total_seconds": total,
    })
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())

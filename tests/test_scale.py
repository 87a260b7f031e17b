"""Scale: the instance axis sharded over several devices gives the single-device answer.

:func:`implicit_bias.numerics.engine.fit_batch` splits the instance axis over ``jax.devices()`` with
``jax.shard_map`` (padding B to a multiple of the device count) and maps over blocks of
``block`` instances on each device. Neither the split nor the blocking may change a result.
A CPU host shows several devices only if ``XLA_FLAGS=--xla_force_host_platform_device_count``
is set before JAX starts, so the multi-device checks run in one subprocess with 4 devices
(B = 10 instances: not a multiple of 4, so the padding path runs) and report back as JSON.
"""

from __future__ import annotations

import copy
import functools
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

# one xdist worker runs every test of this module, so the subprocess runs once per session
pytestmark = pytest.mark.xdist_group("scale")

SCRIPT = textwrap.dedent(r"""
    import json
    import numpy as np
    from implicit_bias.numerics.runtime import configure
    configure(x64=True)  # XLA_FLAGS already asks for 4 devices
    import jax
    import jax.numpy as jnp
    from jax.sharding import NamedSharding, PartitionSpec
    from implicit_bias.numerics import deep_linear, engine, linear
    from implicit_bias.theory.validate import binary_batch

    devs = jax.devices()
    out = {"devices": len(devs), "x64": bool(jax.config.jax_enable_x64)}

    def data(B, N=6, d=3, seed=0):
        rng = np.random.default_rng(seed)
        ws = rng.standard_normal((B, d))
        X = rng.standard_normal((B, N, d))
        y = np.where(np.einsum("bnd,bd->bn", X, ws) >= 0, 1.0, -1.0)
        mask = np.ones((B, N), bool)
        mask[::3, -2:] = False  # ragged instances share the bucket
        return X, y, mask

    def fit(X, y, m, *, schedule, block, devices, steps=200, lr=0.05):
        Xn, yn, mn, Z = binary_batch(X, y, m)
        lrs = np.full(len(X), lr)
        if schedule == "accelerated":
            lrs = linear.default_lr(Z, loss="logistic", schedule=schedule, mask=mn)
        return engine.fit_batch(
            linear.MODEL, jnp.zeros((len(X), X.shape[2])), jnp.asarray(Xn), jnp.asarray(yn),
            mask=mn, loss="logistic", optimizer=schedule, hyper={"lr": lrs}, steps=steps,
            n_records=5, block=block, devices=devices)

    def diff(a, b):
        la, lb = jax.tree.leaves(a), jax.tree.leaves(b)
        assert [x.shape for x in la] == [x.shape for x in lb]
        return max(float(np.max(np.abs(np.asarray(x) - np.asarray(z))))
                   for x, z in zip(la, lb))

    X, y, m = data(10)
    res = {}
    for schedule in ("normalized", "accelerated"):
        ref = fit(X, y, m, schedule=schedule, block=10**6, devices=devs[:1])
        res[schedule] = {"shape": list(ref.beta.shape)}
        # 10 % 4 = 2: padded to 12 (3 per device), blocks of 1 (a map over blocks) and 16
        # (unblocked); one device with blocks of 4 (4 does not divide 10: a padded block).
        # The schedule only changes the update, not the split: one case for the second.
        cases = [(4, 16)]
        if schedule == "normalized":
            cases += [(4, 1), (1, 4)]
        for k, block in cases:
            r = fit(X, y, m, schedule=schedule, block=block, devices=devs[:k])
            res[schedule][f"devices={k} block={block}"] = diff(r, ref)
        # the public entry point (all devices, default block) equals the reference
        res[schedule]["train_batch"] = diff(
            linear.train_batch(X, y, mask=m, schedule=schedule, steps=200, n_records=5,
                               lr=None if schedule == "accelerated" else 0.05), ref)
    out["linear"] = res

    # pytree parameters (a depth-3 linear net), 4 devices vs 1
    Xd, yd, md = data(10, seed=1)
    p0 = jax.vmap(lambda k: deep_linear.init(k, d=3, depth=3, width=4))(
        jax.random.split(jax.random.key(0), 10))
    args = (deep_linear.model(3), p0, jnp.asarray(Xd), jnp.asarray(yd))
    kw = dict(mask=md, hyper={"lr": np.full(10, 0.05)}, steps=150, n_records=4,
              loss="logistic", optimizer="normalized")
    out["deep_linear"] = diff(engine.fit_batch(*args, block=1, **kw),
                              engine.fit_batch(*args, block=16, devices=devs[:1], **kw))

    # inputs already placed on the mesh with NamedSharding (B = 12, a multiple of 4)
    X12, y12, m12 = data(12, seed=2)
    ref = fit(X12, y12, m12, schedule="normalized", block=16, devices=devs[:1])
    sh = NamedSharding(engine.instance_mesh(), PartitionSpec("i"))
    placed = [jax.device_put(jnp.asarray(a), sh) for a in (
        np.zeros((12, 3)), *binary_batch(X12, y12, m12)[:3])]
    r = engine.fit_batch(linear.MODEL, *placed[:3], mask=placed[3],
                         hyper={"lr": np.full(12, 0.05)}, steps=200, n_records=5,
                         loss="logistic", optimizer="normalized")
    out["named_sharding"] = {"diff": diff(r, ref),
                             "input_shards": len(placed[1].addressable_shards)}

    # no recompilation: new data of the same shape bucket, new step count and step size
    fit(X, y, m, schedule="normalized", block=16, devices=None)
    before = engine._run_batch_jit._cache_size()
    X2, y2, m2 = data(10, seed=3)
    fit(X2, y2, m2, schedule="normalized", block=16, devices=None, steps=333, lr=0.02)
    out["recompiles"] = engine._run_batch_jit._cache_size() - before
    print("RESULT " + json.dumps(out))
""")


@functools.cache  # once per process, however the tests and fixtures are ordered
def _four_devices():
    # the conftest's XLA_FLAGS (the backend's optimization level) plus 4 host devices
    flags = os.environ.get("XLA_FLAGS", "")
    env = dict(os.environ, XLA_FLAGS=f"{flags} --xla_force_host_platform_device_count=4".strip(),
               JAX_ENABLE_X64="1", JAX_PLATFORMS="cpu")
    proc = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT "))
    return json.loads(line[len("RESULT "):])


@pytest.fixture
def four_devices():
    return copy.deepcopy(_four_devices())


def test_subprocess_sees_four_float64_devices(four_devices):
    assert four_devices["devices"] == 4 and four_devices["x64"]


@pytest.mark.parametrize("schedule", ["normalized", "accelerated"])
def test_sharded_and_blocked_runs_equal_the_single_device_run(four_devices, schedule):
    """B = 10 over 4 devices (padded to 12) unblocked (and, for normalized GD, with blocks of
    1, and on one device with blocks of 4, not a divisor of 10): every leaf
    of the Trace (records and final parameters) equals the unblocked single-device run to
    1e-12, and the padding is dropped."""
    res = four_devices["linear"][schedule]
    assert res.pop("shape") == [10, 5, 3]
    assert res and all(v <= 1e-12 for v in res.values()), res


def test_sharding_pytree_parameters(four_devices):
    assert four_devices["deep_linear"] <= 1e-12


def test_inputs_placed_with_named_sharding(four_devices):
    ns = four_devices["named_sharding"]
    assert ns["input_shards"] == 4 and ns["diff"] <= 1e-12


def test_new_data_of_the_same_bucket_does_not_recompile_the_sharded_batch(four_devices):
    assert four_devices["recompiles"] == 0


def test_batched_trainer_does_not_recompile_for_new_data_on_one_process():
    """The same for this process's own devices (whatever their count): new data, steps and
    step sizes of the same shape bucket reuse the compiled batch."""
    from implicit_bias.numerics import engine, linear

    rng = np.random.default_rng(0)

    def run(seed, steps, lr):
        r = np.random.default_rng(seed)
        X = r.standard_normal((5, 6, 3))
        y = np.where(X @ r.standard_normal(3) >= 0, 1.0, -1.0)
        return linear.train_batch(X, y, schedule="normalized", steps=steps, n_records=4,
                                  lr=lr)

    run(int(rng.integers(100)), 50, 0.05)
    before = engine._run_batch_jit._cache_size()
    tr = run(int(rng.integers(100, 200)), 120, 0.02)
    assert engine._run_batch_jit._cache_size() == before
    assert np.asarray(tr.t[0]).tolist()[-1] == 120

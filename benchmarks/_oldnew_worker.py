"""Worker process of ``bench_oldnew.py``: one package version, driven over stdin/stdout.

Started by ``bench_oldnew.py`` once with the current package and once with an old commit's
tree on ``PYTHONPATH`` (``_common.old_tree``); it imports whichever ``implicit_bias`` it finds
and detects the API: the engine (``numerics.engine``, this tree) or the pre-engine trainer
(``numerics.trainer`` + ``numerics.loop``, before commit 54f8267). Both versions build the
same problems from the same numpy data and JAX keys, so a step count costs the same work in
each and a final-parameter comparison shows whether the restructure changed a result.

Protocol: one JSON object per line on stdin, one JSON answer per line on the original
stdout (everything else the libraries print goes to stderr):

* ``{"op": "setup", "key": K, "trainer": T, "B": B, "route": "core"|"api", "seed": s}``
  builds the case and warms it up (a 1-step call); answers ``{"compile_s", "api"}``;
* ``{"op": "time", "key": K, "steps": n}``: answers ``{"seconds", "cpu_per_wall"}`` of one
  n-step call;
* ``{"op": "final", "key": K, "steps": n, "path": P}``: saves the final parameters (every
  leaf flattened per instance, concatenated: (B, P)) to the .npy file P;
* ``{"op": "quit"}``.

Routes: ``core`` -- the jitted training call on inputs pre-placed on the instance mesh (new:
``engine.fit_batch`` with the model's engine Model/optimizer/regularizer; old:
``trainer.fit_batch`` with predict/beta/schedule, and for relu1d the old jitted ``_run``, which
was never sharded, so its inputs are not placed); ``api`` -- the public ``train_batch``
(same signature in both versions: validation, step-size bound, transfers, post-processing).
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import time

_OUT = os.fdopen(os.dup(1), "w", buffering=1)
os.dup2(2, 1)  # library output goes to stderr; answers to the saved stdout
sys.stdout = sys.stderr

from implicit_bias.numerics.runtime import configure  # noqa: E402

configure(x64=True)

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
from _common import cpu_seconds, planted_instances, step_sizes  # noqa: E402
from jax.sharding import NamedSharding, PartitionSpec  # noqa: E402

import implicit_bias  # noqa: E402
from implicit_bias.numerics import convnet as nc  # noqa: E402
from implicit_bias.numerics import deep_linear as ndl  # noqa: E402
from implicit_bias.numerics import linear as nl  # noqa: E402
from implicit_bias.numerics import relu1d as nr  # noqa: E402

NEW = importlib.util.find_spec("implicit_bias.numerics.engine") is not None
if NEW:
    from implicit_bias.numerics.engine import fit_batch, instance_mesh
    from implicit_bias.numerics.optimizers import gd, normalized_gd
else:
    from implicit_bias.numerics.loop import log_times
    from implicit_bias.numerics.trainer import fit_batch, instance_mesh

N_REC = 2
MESH = instance_mesh()


def place(tree, B):
    if MESH is None or B % MESH.devices.size:
        return tree
    sh = NamedSharding(MESH, PartitionSpec("i"))
    return jax.tree.map(lambda a: jax.device_put(a, sh), tree)


def flat(params, B):
    return np.concatenate([np.asarray(v, float).reshape(B, -1)
                           for v in jax.tree.leaves(params)], axis=1)


def classifier(name, B, seed, route):
    N, d = 100, (32 if name == "convnet" else 50)
    X, y, _ = planted_instances(B, N, d, seed=seed)
    key = jax.random.key(seed)
    if name == "linear":
        lr = step_sizes(y[..., None] * X)
        if route == "api":
            return lambda n: nl.train_batch(X, y, lr=lr, steps=n, n_records=N_REC).params
        p0 = jnp.zeros((B, d))
        loss, model, opt, sched, deg = "logistic", getattr(nl, "MODEL", None), "gd", "gd", 1
        pred, beta = nl.predict, nl.beta
    elif name == "deep_linear":
        L, h, eta = 3, 16, 0.01
        lr = np.full(B, eta)
        if route == "api":
            return lambda n: ndl.train_batch(X, y, key=key, depth=L, width=h, lr=eta, steps=n,
                                             n_records=N_REC).params
        p0 = jax.vmap(lambda k: ndl.init(k, d=d, depth=L, width=h, scale=0.1,
                                         dtype=jnp.float64))(jax.random.split(key, B))
        loss, sched, deg = "logistic", "normalized", L
        model = ndl.model(L) if NEW else None
        pred, beta = ndl.predict, ndl.end_to_end
    else:  # convnet
        L, eta = 3, 1e-3
        lr = np.full(B, eta)
        if route == "api":
            return lambda n: nc.train_batch(X, y, key=key, depth=L, lr=eta, steps=n,
                                            n_records=N_REC).params
        p0 = jax.vmap(lambda k: nc.init(k, D=d, depth=L, scale=0.1,
                                        dtype=jnp.float64))(jax.random.split(key, B))
        loss, sched, deg = "exp", "normalized", L
        model = nc.model(L) if NEW else None
        pred, beta = nc.predict, nc.end_to_end
    if NEW:
        p0, Xj, yj, mj = place((p0, jnp.asarray(X), jnp.asarray(y), jnp.ones((B, N), bool)), B)
        opt = gd if sched == "gd" else normalized_gd
        return lambda n: fit_batch(model, p0, Xj, yj, mask=mj, loss=loss, optimizer=opt,
                                   hyper={"lr": lr}, steps=n, n_records=N_REC,
                                   block=16).params
    p0, Xj, yj, mj, lj = place((p0, jnp.asarray(X), jnp.asarray(y), jnp.ones((B, N), bool),
                                jnp.asarray(lr)), B)
    return lambda n: fit_batch(p0, Xj, yj, mj, lj, steps=n, n_records=N_REC, predict=pred,
                               beta=beta, loss=loss, schedule=sched, degree=deg,
                               block=16).params


def relu(B, seed, route, N=10, width=1000, lr=1e-2, lam0=1e-3, lam1=1e-6):
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(-1, 1, (B, N)), axis=1)
    x[:, 0], x[:, -1] = -1.0, 1.0
    y = rng.uniform(-1, 1, (B, N))
    y /= np.abs(y).max(axis=1, keepdims=True)
    key = jax.random.key(seed)
    if route == "api":
        return lambda n: nr.train_batch(x, y, key=key, width=width, seeds=1, steps=n, lr=lr,
                                        lam0=lam0, lam1=lam1, n_records=N_REC).params
    p0 = jax.vmap(lambda k: nr.init(k, width=width, dtype=jnp.float64))(jax.random.split(key,
                                                                                        B))
    if NEW:
        p0, xj, yj, mj = place((p0, jnp.asarray(x), jnp.asarray(y), jnp.ones((B, N), bool)), B)
        hyper = {"lr": lr, "lam0": lam0, "lam1": lam1, "lr_floor": nr.LR_FLOOR}
        return lambda n: fit_batch(nr.MODELS[False], p0, xj, yj, mask=mj, loss="square",
                                   optimizer=nr.OPTIMIZER, regularizer=nr.WEIGHT_DECAY,
                                   hyper=hyper, steps=n, n_records=N_REC,
                                   block=nr.NETS_PER_BLOCK).params
    pj = jax.tree.map(lambda a: a.reshape(B, 1, *a.shape[1:]), p0)
    run = nr._run(False)
    args = (jnp.asarray(x), jnp.asarray(y), jnp.ones((B, N), bool))
    hyp = (jnp.asarray(lr), jnp.asarray(lam0), jnp.asarray(lam1))
    return lambda n: run(pj, *args, jnp.asarray(log_times(n, N_REC)), *hyp)[0]


CASES: dict = {}


def handle(msg):
    op = msg["op"]
    if op == "setup":
        B = int(msg["B"])
        fn = (relu(B, msg["seed"], msg["route"]) if msg["trainer"] == "relu1d"
              else classifier(msg["trainer"], B, msg["seed"], msg["route"]))
        CASES[msg["key"]] = (fn, B)
        t0 = time.perf_counter()
        jax.block_until_ready(fn(1))
        return {"compile_s": time.perf_counter() - t0, "api": "engine" if NEW else "trainer",
                "package": os.path.dirname(implicit_bias.__file__)}
    if op == "time":
        fn, _ = CASES[msg["key"]]
        c0, t0 = cpu_seconds(), time.perf_counter()
        jax.block_until_ready(fn(int(msg["steps"])))
        dt = time.perf_counter() - t0
        return {"seconds": dt, "cpu_per_wall": (cpu_seconds() - c0) / dt}
    if op == "final":
        fn, B = CASES[msg["key"]]
        np.save(msg["path"], flat(jax.block_until_ready(fn(int(msg["steps"]))), B))
        return {"ok": True}
    if op == "drop":
        CASES.pop(msg["key"], None)
        return {"ok": True}
    raise ValueError(f"unknown op {op!r}")


def main():
    _OUT.write(json.dumps({"ready": True, "api": "engine" if NEW else "trainer"}) + "\n")
    for line in sys.stdin:
        msg = json.loads(line)
        if msg.get("op") == "quit":
            break
        try:
            ans = handle(msg)
        except Exception as exc:  # noqa: BLE001 - reported to the parent, which decides
            ans = {"error": f"{type(exc).__name__}: {exc}"}
        _OUT.write(json.dumps(ans) + "\n")


if __name__ == "__main__":
    main()

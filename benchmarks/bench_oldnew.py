"""The old trainers against the new engine, on identical work, interleaved in one run.

The package was restructured at commit 54f8267 (one engine, ``numerics.engine``, for every
model; optimizers as pure (init, update) pairs; the relu1d trainer on the engine). This script
checks out the last commit before it (default 8a59997) into a read-only ``git worktree``
(``_common.old_tree``; removed afterwards) and starts two worker processes
(``_oldnew_worker.py``): one importing the current package, one importing the old tree. Both
build the same problems from the same data and keys (the four problems of
``bench_trainers.py``: linear GD/logistic N=100 d=50; deep linear depth 3 width 16 normalized
GD; convnet D=32 L=3 normalized GD exp loss; relu1d N=10 width 1000 Adam + decaying weight
decay), for two routes:

* ``core``: the jitted training call on pre-placed inputs (new ``engine.fit_batch``; old
  ``trainer.fit_batch``, and for relu1d the old jitted ``_run``, which did not shard);
* ``api``: the public ``train_batch`` (same signature in both: validation, step-size bound,
  transfers, relu1d's post-processing).

Protocol: the step count of each cell is calibrated on the new worker's core route
(``--target-seconds``) and used for both versions and both routes, so both do the same work
(the api rate then carries the per-call overhead on top of the same steps); rounds alternate
new/old (and which goes first), best of ``--repeats``; rates are instance-steps/s. Before
timing, both run ``--check-steps`` steps and their final parameters are compared (relative,
per instance): the restructure should change results only by rounding.

    python benchmarks/bench_oldnew.py [--old 8a59997] [--trainers linear,relu1d]
                                      [--sizes 1,16,256] [--routes core,api]
                                      [--json results/bench_oldnew.json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _common import busy_cores, load_note, loadavg, old_tree, uptime, write_json

HERE = Path(__file__).resolve().parent
TRAINERS = ("linear", "deep_linear", "convnet", "relu1d")


class Worker:
    """A worker process (one package version) and its line protocol."""

    def __init__(self, name, env):
        self.name = name
        self.p = subprocess.Popen([sys.executable, str(HERE / "_oldnew_worker.py")], cwd=HERE,
                                  env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True, bufsize=1)
        hello = self._read()
        self.api = hello.get("api")

    def _read(self):
        line = self.p.stdout.readline()
        if not line:
            raise RuntimeError(f"worker {self.name} exited (rc {self.p.poll()})")
        return json.loads(line)

    def ask(self, **msg):
        self.p.stdin.write(json.dumps(msg) + "\n")
        self.p.stdin.flush()
        ans = self._read()
        if "error" in ans:
            raise RuntimeError(f"worker {self.name}: {ans['error']}")
        return ans

    def close(self):
        try:
            self.p.stdin.write(json.dumps({"op": "quit"}) + "\n")
            self.p.stdin.flush()
            self.p.wait(timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            self.p.kill()


def calibrate(w, key, target):
    """Steps n whose steps last about ``target`` s on worker ``w`` (as _common.calibrate)."""
    fixed = min(w.ask(op="time", key=key, steps=1)["seconds"] for _ in range(2))
    n = 1
    while n < 10**8:
        n *= 10
        secs = w.ask(op="time", key=key, steps=n)["seconds"]
        if secs - fixed >= target / 3:
            break
    per = max(secs - fixed, 1e-12) / (n - 1)
    return int(max(1, round(target / per))), fixed


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--old", default="8a59997", help="the old commit")
    p.add_argument("--old-path", default="/tmp/oldtree", help="where its worktree goes")
    p.add_argument("--trainers", default=",".join(TRAINERS))
    p.add_argument("--sizes", default="1,16,256")
    p.add_argument("--routes", default="core,api")
    p.add_argument("--target-seconds", type=float, default=0.3)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--check-steps", type=int, default=30)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", type=Path, default=None)
    a = p.parse_args(argv)
    trainers = [t for t in a.trainers.split(",") if t]
    sizes = [int(s) for s in a.sizes.split(",") if s]
    routes = [r for r in a.routes.split(",") if r]
    info = {"loadavg_at_start": loadavg(), "uptime_at_start": uptime(),
            "busy_cores_at_start": busy_cores(1.0), "old": a.old,
            "cpu_count": os.cpu_count(), "XLA_FLAGS": os.environ.get("XLA_FLAGS", "")}
    print(f"# old {a.old} vs new (this tree), {os.cpu_count()} CPUs | {info['uptime_at_start']}")
    t_start = time.perf_counter()
    results, ok, core_steps = {}, True, {}
    with old_tree(a.old, a.old_path) as (_, shim), tempfile.TemporaryDirectory() as tmp:
        base = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        new = Worker("new", base)
        old = Worker("old", dict(base, PYTHONPATH=shim, PYTHONDONTWRITEBYTECODE="1"))
        info["apis"] = {"new": new.api, "old": old.api}
        print(f"# workers: new uses the {new.api}, old uses the {old.api}")
        print(f"\n{'trainer':12s}{'route':>6s}{'B':>6s}{'steps':>9s}{'new/s':>11s}"
              f"{'old/s':>11s}{'new/old':>8s}{'agree':>10s}{'comp new':>9s}{'comp old':>9s}"
              f"{'load':>6s}")
        try:
            for tr in trainers:
                for route in routes:
                    for B in sizes:
                        key = f"{tr}/{route}/{B}"
                        setup = dict(op="setup", key=key, trainer=tr, B=B, route=route,
                                     seed=a.seed)
                        cn, co = new.ask(**setup), old.ask(**setup)
                        fn, fo = Path(tmp) / "n.npy", Path(tmp) / "o.npy"
                        new.ask(op="final", key=key, steps=a.check_steps, path=str(fn))
                        old.ask(op="final", key=key, steps=a.check_steps, path=str(fo))
                        Pn, Po = np.load(fn), np.load(fo)
                        rel = float(np.max(np.linalg.norm(Pn - Po, axis=1)
                                           / np.maximum(np.linalg.norm(Po, axis=1), 1e-300)))
                        if route == "api" and (tr, B) in core_steps:
                            # the same steps as the engine call: api - core = the overhead
                            steps = core_steps[(tr, B)]
                            fixed = new.ask(op="time", key=key, steps=1)["seconds"]
                        else:
                            steps, fixed = calibrate(new, key, a.target_seconds)
                            core_steps[(tr, B)] = steps
                        best = {"new": (np.inf, np.nan), "old": (np.inf, np.nan)}
                        for r in range(a.repeats):
                            order = (("new", new), ("old", old))
                            for name, w in (order if r % 2 == 0 else order[::-1]):
                                t = w.ask(op="time", key=key, steps=steps)
                                if t["seconds"] < best[name][0]:
                                    best[name] = (t["seconds"], t["cpu_per_wall"])
                        rn, ro = B * steps / best["new"][0], B * steps / best["old"][0]
                        load = loadavg()
                        row = {"steps": steps, "new_rate": rn, "old_rate": ro,
                               "new_over_old": rn / ro, "new_cpu_per_wall": best["new"][1],
                               "old_cpu_per_wall": best["old"][1], "new_fixed_s": fixed,
                               "max_rel_params_new_vs_old": rel,
                               "check_steps": a.check_steps, "compile_new_s": cn["compile_s"],
                               "compile_old_s": co["compile_s"], "loadavg": load}
                        # relu1d's api returns balanced units: still equal up to rounding
                        row["agree"] = bool(rel < 1e-8)
                        ok &= row["agree"]
                        results[key] = row
                        print(f"{tr:12s}{route:>6s}{B:6d}{steps:9d}{rn:11.4g}{ro:11.4g}"
                              f"{rn / ro:8.2f}{rel:10.1e}{cn['compile_s']:9.2f}"
                              f"{co['compile_s']:9.2f}{load[0]:6.2f}", flush=True)
                        new.ask(op="drop", key=key)
                        old.ask(op="drop", key=key)
        finally:
            new.close()
            old.close()
    info["loadavg_at_end"] = loadavg()
    info["uptime_at_end"] = uptime()
    total = time.perf_counter() - t_start
    print("\nrates in instance-steps/s, same step count for both, best of interleaved rounds; "
          "agree = max relative difference of the final parameters after "
          f"{a.check_steps} steps (must be < 1e-8); comp = first call (compile) seconds")
    print(f"load average at start {info['loadavg_at_start']} (other processes: "
          f"{info['busy_cores_at_start']} cores busy), at end {info['loadavg_at_end']} -> "
          f"{load_note(info['busy_cores_at_start'])}; total {total:.1f} s")
    write_json(a.json, {"machine": info, "protocol": {"target_seconds": a.target_seconds,
                                                      "repeats": a.repeats,
                                                      "interleaved": True},
                        "results": results, "ok": ok, "total_seconds": total})
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

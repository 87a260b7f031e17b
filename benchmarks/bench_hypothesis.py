"""Hypothesis examples per second of every claim's property test (the test suite's inner loop).

A property test of a claim draws one exact instance from ``claim.instances()`` and checks it,
``claims.core.check(claim, [instance], seed)`` (predict, train at B = 1 in the claim's shape
bucket, measure, classify). This script does the same for every claim of the registry at the
time it runs (``implicit_bias.claims.claims()``: theorems and known-false conjectures, in
registry order, in one process like one test worker):

* ``generation``: ``theory.strategies.sample(strategy, n + 1, seed)`` -- hypothesis' own
  generator (what ``@given`` pays per example), per example;
* ``first``: the first example's check (it pays compilation of the claim's shape bucket;
  later claims reuse what earlier ones compiled, as in a test process);
* ``examples_per_s``: the next ``n`` examples' checks (each after ``clear_memos()``: a claim's
  own cost, not a run memoized by another claim of its group), n / their total seconds; and
  with generation added (``with_generation_per_s``). Median and worst seconds per example
  and the outcome counts are kept too (a property test asserts them; here they are only
  recorded, so a failing claim cannot stop the benchmark).

``--old COMMIT`` (e.g. 8a59997, the last commit before the engine and the claims layer) also
runs that commit's own property-throughput benchmark (``benchmarks/bench_verify.py --parts
hypothesis`` of the old tree, one hand-written property per theorem calling the old batched
trainers at the tests' step counts) in a read-only ``git worktree`` in the same run, and puts
its examples/s beside the new claims of the same theorem. The work per example differs (the
new claims train, measure and classify more), so the ratio compares the two test suites'
routes, not one implementation on identical work (``bench_oldnew.py`` does that).

    python benchmarks/bench_hypothesis.py [--examples 10] [--claims svm.prediction,relu1d]
                                          [--old 8a59997] [--json results/bench_hypothesis.json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from implicit_bias.numerics.runtime import configure

configure(x64=True)

from _common import load_note, loadavg, machine_info, old_tree, uptime, write_json  # noqa: E402

from implicit_bias import claims as registry  # noqa: E402
from implicit_bias.claims.core import check, clear_memos  # noqa: E402
from implicit_bias.theory.strategies import sample  # noqa: E402

#: old theorem property (old bench_verify part (c)) -> the new claim doing the closest work
OLD_TO_NEW = {"svm": "svm.accelerated-direction", "deep-linear": "deep-linear.direction-L2",
              "convnet": "convnet.L2-kkt-point", "relu1d": "relu1d.min-cost"}


def _clock():
    return time.perf_counter()


def measure_claim(claim, n: int, seed: int) -> dict:
    t0 = _clock()
    insts = sample(claim.instances(), n + 1, seed=seed)
    gen = (_clock() - t0) / max(len(insts), 1)
    load0 = loadavg()
    clear_memos()
    t0 = _clock()
    first = check(claim, [insts[0]], 0)
    first_s = _clock() - t0
    secs, status = [], Counter(o.status for o in first)
    for i, inst in enumerate(insts[1:], start=1):
        clear_memos()
        t0 = _clock()
        outs = check(claim, [inst], i)
        secs.append(_clock() - t0)
        status.update(o.status for o in outs)
    clear_memos()
    k = len(secs)
    total = sum(secs)
    r = {"theorem": claim.theorem, "expected": claim.expected, "verify": claim.verify,
         "group": claim.group, "examples": k, "generation_s_per_example": gen,
         "first_example_s": first_s, "seconds": total,
         "examples_per_s": k / total if total else None,
         "with_generation_per_s": k / (total + gen * k) if k else None,
         "median_s": statistics.median(secs) if secs else None,
         "worst_s": max(secs) if secs else None, "outcomes": dict(status),
         "loadavg_before": load0, "loadavg_after": loadavg()}
    return r


def run_old(commit: str, examples: int, path: str) -> dict:
    """The old tree's own property-throughput benchmark, in a subprocess (its package on
    PYTHONPATH); returns its per-theorem results (or an error)."""
    with old_tree(commit, path) as (tree, shim), tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "old.json"
        script = tree / "benchmarks" / "bench_verify.py"
        if not script.exists():
            return {"error": f"{commit} has no benchmarks/bench_verify.py"}
        env = dict(os.environ, PYTHONPATH=shim, PYTHONDONTWRITEBYTECODE="1")
        load0 = loadavg()
        t0 = _clock()
        p = subprocess.run([sys.executable, str(script), "--parts", "hypothesis", "--examples",
                            str(examples), "--json", str(out)], cwd=script.parent, env=env,
                           capture_output=True, text=True)
        res = {"commit": commit, "returncode": p.returncode, "seconds": _clock() - t0,
               "loadavg_before": load0, "loadavg_after": loadavg(),
               "stdout_tail": p.stdout[-3000:], "stderr_tail": p.stderr[-2000:]}
        if out.exists():
            res["hypothesis"] = json.loads(out.read_text()).get("hypothesis", {})
        return res


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--examples", type=int, default=10,
                   help="timed examples per claim (after the first, compiling one)")
    p.add_argument("--claims", default="",
                   help="comma-separated claim names or theorem names (default: all)")
    p.add_argument("--per-theorem", type=int, default=0,
                   help="only the first K claims of each theorem (0: all; --quick uses 1)")
    p.add_argument("--seed", type=int, default=0, help="sampling seed")
    p.add_argument("--old", default="", metavar="COMMIT",
                   help="also run COMMIT's own property benchmark (e.g. 8a59997)")
    p.add_argument("--old-examples", type=int, default=20)
    p.add_argument("--old-path", default="/tmp/oldtree", help="where the worktree goes")
    p.add_argument("--json", type=Path, default=None)
    a = p.parse_args(argv)
    info = machine_info()
    print(f"# {info['platform']} | {info['cpu_count']} CPUs | jax {info['jax']} "
          f"({len(info['devices'])} devices) | hypothesis {info['hypothesis']} | float64")
    print(f"# {info['uptime_at_start']}")
    want = [s for s in a.claims.split(",") if s]
    chosen, per = [], Counter()
    for c in registry.claims():
        if want and c.name not in want and c.theorem not in want:
            continue
        if a.per_theorem and per[c.theorem] >= a.per_theorem:
            continue
        per[c.theorem] += 1
        chosen.append(c)
    print(f"# {len(chosen)} claims of theorems {list(registry.THEOREMS)}; {a.examples} timed "
          "examples each, batch of 1, memo cleared per example")
    t_start = _clock()
    res = {}
    w = max(len(c.name) for c in chosen) + 2
    print(f"\n{'claim':{w}s}{'ex/s':>8s}{'+gen/s':>8s}{'first_s':>9s}{'median_s':>10s}"
          f"{'worst_s':>9s}{'gen_ms':>8s}{'load':>6s}  outcomes")
    for c in chosen:
        try:
            r = measure_claim(c, a.examples, a.seed)
        except Exception as exc:  # noqa: BLE001 - a broken claim is reported, not fatal
            res[c.name] = {"error": f"{type(exc).__name__}: {exc}"}
            print(f"{c.name:{w}s}  ERROR {type(exc).__name__}: {str(exc)[:80]}", flush=True)
            continue
        res[c.name] = r
        f = lambda v, fmt: "-" if v is None else format(v, fmt)  # noqa: E731
        print(f"{c.name:{w}s}{f(r['examples_per_s'], '8.2f')}"
              f"{f(r['with_generation_per_s'], '8.2f')}{r['first_example_s']:9.2f}"
              f"{f(r['median_s'], '10.3f')}{f(r['worst_s'], '9.3f')}"
              f"{r['generation_s_per_example'] * 1e3:8.1f}{r['loadavg_after'][0]:6.2f}  "
              + ", ".join(f"{k} {v}" for k, v in r["outcomes"].items()), flush=True)
    out = {"machine": info, "examples": a.examples, "seed": a.seed, "claims": res,
           "theorems": list(registry.THEOREMS)}
    if a.old:
        print(f"\n# old route: {a.old}'s benchmarks/bench_verify.py --parts hypothesis "
              f"({a.old_examples} examples per theorem), worktree {a.old_path}", flush=True)
        old = run_old(a.old, a.old_examples, a.old_path)
        out["old"] = old
        if old.get("returncode"):
            print(f"#   old benchmark failed (rc {old['returncode']}): "
                  f"{old['stderr_tail'][-500:]}")
        rows = {}
        print(f"{'old theorem property':22s}{'old ex/s':>9s}{'old steps':>10s}  "
              f"{'new claim':28s}{'new ex/s':>9s}{'new/old':>8s}")
        for th, r in old.get("hypothesis", {}).items():
            new_name = OLD_TO_NEW.get(th)
            nr = res.get(new_name, {})
            ratio = (nr["examples_per_s"] / r["examples_per_s"]
                     if nr.get("examples_per_s") and r.get("examples_per_s") else None)
            rows[th] = {"old_examples_per_s": r.get("examples_per_s"),
                        "old_steps": r.get("steps"), "new_claim": new_name,
                        "new_examples_per_s": nr.get("examples_per_s"), "new_over_old": ratio}
            print(f"{th:22s}{r.get('examples_per_s', float('nan')):9.2f}"
                  f"{r.get('steps', 0):10d}  {str(new_name):28s}"
                  f"{nr.get('examples_per_s') or float('nan'):9.2f}"
                  f"{ratio if ratio is not None else float('nan'):8.2f}")
        out["old_vs_new"] = rows
        print(f"#   old run: {old['seconds']:.1f} s, load before {old['loadavg_before']}, "
              f"after {old['loadavg_after']}")
    out["total_seconds"] = _clock() - t_start
    info["loadavg_at_end"] = loadavg()
    info["uptime_at_end"] = uptime()
    print("\nex/s: checks of batches of 1 after the first; +gen/s: with hypothesis' generation "
          "time; first_s: the first example (compiles); load: 1-minute load after the claim")
    print(f"load average at start {info['loadavg_at_start']}, at end {info['loadavg_at_end']} "
          f"-> {load_note(info['busy_cores_at_start'])}; total {out['total_seconds']:.1f} s")
    write_json(a.json, out)
    errors = [k for k, v in res.items() if "error" in v]
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())

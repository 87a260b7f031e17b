"""Run the whole benchmark suite, each script in its own process, and merge the JSON.

    .venv/bin/python benchmarks/run_all.py --json results/bench.json [--quick]

Writes ``results/bench_<name>.json`` for each script beside the merged file (``--json``).
``--quick`` shrinks every benchmark (a smoke test of the suite in about a minute; the numbers
it prints are not measurements). ``--only linear,commands`` picks a subset.
Exit status: non-zero if any script failed (e.g. an agreement check).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: name -> (script, full-run flags, --quick flags)
SUITE = {
    "linear": ("bench_linear.py", [], ["--instances", "16", "--target-seconds", "0.03",
                                       "--check-steps", "100", "--repeats", "1"]),
    "trainers": ("bench_trainers.py", [], ["--sizes", "16", "--repeats", "1",
                                           "--target-seconds", "0.03", "--no-api",
                                           "--dgemm-n", "500", "--check-steps", "10"]),
    "verify": ("bench_verify.py", [], ["--instances", "8", "--steps", "2000",
                                       "--repeats", "1", "--clarabel", "1",
                                       "--losses", "logistic"]),
    "hypothesis": ("bench_hypothesis.py", ["--old", "8a59997"],
                   ["--examples", "2", "--per-theorem", "1", "--claims", "svm,relu1d"]),
    "oldnew": ("bench_oldnew.py", [], ["--trainers", "linear,relu1d", "--sizes", "16",
                                       "--routes", "core", "--repeats", "1",
                                       "--target-seconds", "0.03"]),
    "gpu": ("bench_gpu.py", ["--sizes", "256,4096,32768", "--skip-without-accelerator"],
            ["--stand-in", "--sizes", "32", "--cpu-sizes", "32", "--target-seconds", "0.03",
             "--repeats", "1", "--check-steps", "10"]),
    "commands": ("bench_commands.py", ["--tests", "--warm-cache", "--old", "8a59997",
                                       "--max-wait", "90"],
                 ["--only", "cost PL-1000,cost PL-fit", "--max-wait", "0", "--retries", "0"]),
}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--json", type=Path, default=Path("results/bench.json"))
    p.add_argument("--only", default=",".join(SUITE), help="comma-separated subset")
    p.add_argument("--quick", action="store_true")
    a = p.parse_args(argv)
    merged, failed = {}, []
    for name in [s for s in a.only.split(",") if s]:
        script, full, quick = SUITE[name]
        out = a.json.with_name(f"bench_{name}.json")
        cmd = [sys.executable, str(HERE / script), *(quick if a.quick else full),
               "--json", str(out)]
        print(f"\n=== {name}: {' '.join(cmd)}", flush=True)
        t0 = time.perf_counter()
        rc = subprocess.call(cmd)
        merged[name] = {"returncode": rc, "seconds": time.perf_counter() - t0,
                        "results": json.loads(out.read_text()) if out.exists() else None}
        if rc:
            failed.append(name)
    a.json.parent.mkdir(parents=True, exist_ok=True)
    a.json.write_text(json.dumps(merged, indent=2) + "\n")
    print(f"\nwrote {a.json}; " + (f"FAILED: {failed}" if failed else "all benchmarks passed"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

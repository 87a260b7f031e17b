"""Run the whole benchmark suite, each script in its own process, and merge the JSON.

    .venv/bin/python benchmarks/run_all.py --json results/bench.json [--quick]

Writes ``results/bench_<name>.json`` for each script beside the merged file (``--json``).
``--quick`` shrinks every benchmark (a smoke test of the suite in about a minute).
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

SUITE = {
    "linear": ("bench_linear.py", [], ["--instances", "16", "--steps", "400",
                                       "--numpy-steps", "100", "--sweep-steps", "100",
                                       "--check-steps", "100", "--repeats", "1"]),
    "trainers": ("bench_trainers.py", [], ["--sizes", "1,16", "--repeats", "1",
                                           "--target-seconds", "0.05"]),
    "verify": ("bench_verify.py", [], ["--instances", "20", "--steps", "3000",
                                       "--examples", "3", "--prop-steps", "2000",
                                       "--repeats", "1", "--clarabel", "2"]),
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

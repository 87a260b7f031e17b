"""Where a command's XLA compiles come from: every compile's program name and the three
innermost call sites in this package, with counts and compile seconds (most expensive first).

    python benchmarks/compile_sites.py verify --out /tmp/cs --overwrite --quiet

Runs the ``implicit-bias`` CLI in this process with the persistent compile cache off (every
program compiles), so the numbers are those of a first run. Used to find eager ops that compile
a program per shape (docs: issue 15 notes).
"""

from __future__ import annotations

import collections
import os
import sys
import time
import traceback
from pathlib import Path

os.environ["IMPLICIT_BIAS_CACHE"] = "off"

from jax._src import compiler  # noqa: E402  (private: the one call every compile goes through)

_PKG = str(Path(__file__).resolve().parents[1])
_SITES: dict = collections.defaultdict(lambda: [0, 0.0])
_orig = compiler.backend_compile_and_load


def _counted(backend, module, *args, **kwargs):
    t0 = time.perf_counter()
    out = _orig(backend, module, *args, **kwargs)
    dt = time.perf_counter() - t0
    name = str(module.operation.attributes["sym_name"]) if hasattr(module, "operation") else "?"
    frames = [f for f in traceback.extract_stack()
              if f.filename.startswith(_PKG) and "site-packages" not in f.filename
              and not f.filename.endswith("compile_sites.py")]
    site = " <- ".join(f"{os.path.basename(f.filename)}:{f.lineno}" for f in frames[-3:][::-1])
    s = _SITES[(name, site)]
    s[0] += 1
    s[1] += dt
    return out


compiler.backend_compile_and_load = _counted


def main(argv: list[str]) -> int:
    from implicit_bias.claims import cli

    try:
        rc = cli.main(argv)
    except SystemExit as exc:
        rc = exc.code
    total = sum(v[1] for v in _SITES.values())
    print(f"\n{sum(v[0] for v in _SITES.values())} compiles, {total:.1f} s", file=sys.stderr)
    for (name, site), (n, t) in sorted(_SITES.items(), key=lambda kv: -kv[1][1])[:40]:
        print(f"{t:6.2f} s {n:4d}  {name[:32]:32s} {site}", file=sys.stderr)
    return int(rc or 0)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

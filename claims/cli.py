"""``implicit-bias``: the command line.

    implicit-bias verify [svm|deep-linear|convnet|relu1d|all ...] [--instances N] [--seed S]
                         [--out DIR] [--resume] [--chunk K] [--no-progress]
    implicit-bias predict svm FILE [--exact]      (CSV or NPZ; never unpickled)
    implicit-bias proofs [--latex]
    implicit-bias cost "EXPR" [--skip]           R(f) of a 1-D function (parsed safely)
    implicit-bias conjecture list
    implicit-bias conjecture check NAME|all [--budget N] [--seed S] [--out DIR]
    implicit-bias conjecture replay FILE

``conjecture check`` exits 0 when the search ends as the catalogue expects (a theorem: no
counterexample; a known-false conjecture: refuted), 1 when it does not, and 3 when an
implementation error (a broken certificate or invariant) was met. ``replay`` exits 0 when
the saved outcome is reproduced.

float64 is switched on here, at the entry point (library modules never flip it).
"""

from __future__ import annotations

import argparse
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np

from implicit_bias.theory.errors import ImplicitBiasError, InvalidInputError, ShapeError

THEOREMS = ["svm", "deep-linear", "convnet", "relu1d"]


def _enable_x64():
    from implicit_bias.numerics.runtime import configure

    configure(x64=True)


def load_dataset(path: Path, *, exact: bool = False):
    """(X, y) from a CSV (label in the last column; optional header) or an NPZ with X and y.

    NPZ files are read with ``allow_pickle=False``; CSV cells are parsed as numbers or, with
    ``exact``, as fractions such as ``2/7`` by :class:`fractions.Fraction` (never eval'd).
    """
    path = Path(path)
    if path.suffix.lower() == ".npz":
        with np.load(path, allow_pickle=False) as f:
            if "X" not in f or "y" not in f:
                raise ShapeError(f"{path} must contain arrays named X and y")
            try:
                return f["X"], f["y"]
            except ValueError as exc:  # object arrays: refuse to unpickle
                raise InvalidInputError(f"{path}: {exc}") from None
    rows = []
    for line in path.read_text().splitlines():
        cells = [c.strip() for c in line.replace(";", ",").split(",")]
        if not line.strip():
            continue
        try:
            rows.append([Fraction(c) for c in cells])
        except ValueError:
            if rows:
                raise ShapeError(f"{path}: non-numeric cell in row {len(rows) + 1}") from None
            continue  # a header row
    if not rows or len({len(r) for r in rows}) != 1 or len(rows[0]) < 2:
        raise ShapeError(f"{path}: need rows of equal length >= 2 (features..., label)")
    X = [r[:-1] for r in rows]
    y = np.array([float(r[-1]) for r in rows])
    return (X if exact else np.array([[float(v) for v in r] for r in X])), y


def _cmd_verify(args) -> int:
    _enable_x64()
    from implicit_bias.claims import runner as verify

    names = args.theorems or ["all"]
    theorems = THEOREMS if "all" in names else names
    out = Path(args.out)
    progress = not args.no_progress and sys.stderr.isatty()
    try:
        res = verify.run(theorems, instances=args.instances, seed=args.seed, out=out,
                         resume=args.resume, chunk=args.chunk, progress=progress)
    except KeyboardInterrupt:
        print(f"\ninterrupted: finished batches are saved in {out / verify.STREAM}; continue "
              f"with the same command plus --resume", file=sys.stderr)
        return 130
    except verify.ResumeMismatch as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(verify.table(res))
    print(f"\nreport: {out / 'report.html'}  results: {out / 'results.json'}  plots: "
          f"{out / 'direction_error.png'}")
    failed = [r for r in res if not r.passed]
    if failed:
        print(f"{len(failed)} claim(s) FAILED", file=sys.stderr)
        return 1
    return 0


def _cmd_predict(args) -> int:
    from implicit_bias.theory import svm

    X, y = load_dataset(Path(args.file), exact=args.exact)
    r = svm.max_margin(X, y, exact=args.exact)
    fmt = (lambda v: str(v)) if args.exact else (lambda v: f"{float(v):.12g}")
    print("w_hat     =", "[" + ", ".join(fmt(v) for v in r.w) + "]")
    print("direction =", "[" + ", ".join(fmt(v) for v in r.direction) + "]")
    print("margin    =", fmt(r.margin))
    print("support   =", r.support.tolist())
    print("alpha     =", "[" + ", ".join(fmt(v) for v in r.dual) + "]")
    print("generic   =", r.generic, f"(KKT residual {r.kkt.worst:.1e})")
    return 0


def _cmd_proofs(args) -> int:
    from implicit_bias import proofs

    text = proofs.report(latex=args.latex)
    print(text)
    if args.latex:
        return 0
    return 0 if all(r.ok for r in proofs.check_all()) else 1


def _cmd_cost(args) -> int:
    import sympy as sp

    from implicit_bias.theory.parse import parse_expression
    from implicit_bias.theory.relu1d import representation_cost

    f, x = parse_expression(args.expr)
    r = sp.sympify(representation_cost(f, x, skip=args.skip))
    name = "R1(f) = int |f''|" if args.skip else "R(f) = max(int |f''|, |f'(-inf) + f'(+inf)|)"
    approx = "" if r is sp.oo or r.is_Float or r.is_Integer else f" ~ {float(r):.12g}"
    print(f"f(x) = {f}")
    print(f"{name} = {r}{approx}")
    return 0


def _cmd_conjecture(args) -> int:
    import json

    from implicit_bias.claims import search as cj
    from implicit_bias.claims.catalogue import CLAIMS

    if args.action == "list":
        for c in CLAIMS.values():
            verdict = "theorem" if c.expected else "known false"
            print(f"{c.name:24s} [{c.kind}; {verdict}; budget {c.budget}]\n"
                  f"{'':24s} {c.statement}\n{'':24s} {c.reference}")
        return 0
    if args.action == "replay":
        if not args.target:
            raise InvalidInputError("conjecture replay needs a FILE")
        _enable_x64()
        out, rec = cj.replay(Path(args.target))
        print(f"claim:    {rec['claim']} ({rec['kind']})\ninstance: "
              f"{json.dumps(rec['instance'])}\nseed:     {rec['seed']}")
        print(f"saved:    {rec['status']}: {rec['reason']}")
        print(f"replayed: {out.status}: {out.reason}")
        for k, v in out.numbers.items():
            old = rec.get("numbers", {}).get(k)
            diff = "" if old is None else f"   (saved {float(old):.6g})"
            print(f"  {k} = {v:.6g}{diff}")
        return 0 if out.status == rec["status"] else 1
    if not args.target:
        raise InvalidInputError("conjecture check needs a NAME (or 'all'); see 'conjecture list'")
    names = list(CLAIMS) if args.target == "all" else [args.target]
    unknown = [n for n in names if n not in CLAIMS]
    if unknown:
        raise InvalidInputError(f"unknown claim {unknown[0]!r}; known: {', '.join(CLAIMS)}")
    _enable_x64()
    code = 0
    for name in names:
        c = CLAIMS[name]
        r = cj.search(c, budget=args.budget, seed=args.seed, out=Path(args.out))
        print(r.summary())
        for p in r.saved:
            print(f"  saved {p}  (replay: implicit-bias conjecture replay {p})")
        if r.counts.get("implementation error"):
            code = max(code, 3)
        elif r.refuted == c.expected:
            print(f"  UNEXPECTED: the catalogue lists {name} as "
                  f"{'a theorem' if c.expected else 'false'}")
            code = max(code, 1)
    return code


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="implicit-bias", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    v = sub.add_parser("verify", help="predict, train and compare on random instances")
    v.add_argument("theorems", nargs="*", metavar="THEOREM",
                   help=f"one or more of {THEOREMS} or 'all' (default)")
    v.add_argument("--instances", type=int, default=32, help="instances per claim (32)")
    v.add_argument("--seed", type=int, default=0)
    v.add_argument("--out", default="results", help="output folder (results/)")
    v.add_argument("--resume", action="store_true",
                   help="continue an interrupted run in --out (same settings)")
    v.add_argument("--chunk", type=int, default=8,
                   help="instances per batch streamed to disk (8)")
    v.add_argument("--no-progress", action="store_true", help="no progress bar")
    v.set_defaults(func=_cmd_verify)
    p = sub.add_parser("predict", help="print the predicted limit for a dataset")
    p.add_argument("theorem", choices=["svm"])
    p.add_argument("file", help="CSV (features..., label) or NPZ with arrays X, y")
    p.add_argument("--exact", action="store_true", help="exact rational arithmetic")
    p.set_defaults(func=_cmd_predict)
    q = sub.add_parser("proofs", help="check every lemma and print a report")
    q.add_argument("--latex", action="store_true", help="print a LaTeX appendix instead")
    q.set_defaults(func=_cmd_proofs)
    c = sub.add_parser("cost", help="the representation cost R(f) of a 1-D function")
    c.add_argument("expr", help='e.g. "relu(x) - 2*relu(x - 1)" or "tanh(x)" (never eval\'d)')
    c.add_argument("--skip", action="store_true", help="with a free linear unit: int |f''|")
    c.set_defaults(func=_cmd_cost)
    k = sub.add_parser("conjecture", help="search claims for counterexamples, replay them")
    k.add_argument("action", choices=["list", "check", "replay"])
    k.add_argument("target", nargs="?", help="claim NAME or 'all' (check), FILE (replay)")
    k.add_argument("--budget", type=int, default=None,
                   help="hypothesis examples (default: the claim's own budget)")
    k.add_argument("--seed", type=int, default=None, help="hypothesis seed (reproducible)")
    k.add_argument("--out", default="results/conjectures",
                   help="where counterexamples and the example database go")
    k.set_defaults(func=_cmd_conjecture)
    args = parser.parse_args(argv)
    if getattr(args, "budget", None) is not None and args.budget < 1:
        parser.error("--budget must be >= 1")
    if getattr(args, "instances", 1) < 1:
        parser.error("--instances must be >= 1")
    if getattr(args, "chunk", 1) < 1:
        parser.error("--chunk must be >= 1")
    bad = [t for t in getattr(args, "theorems", []) if t not in [*THEOREMS, "all"]]
    if bad:
        parser.error(f"unknown theorem(s) {bad}; choose from {[*THEOREMS, 'all']}")
    try:
        return args.func(args)
    except ImplicitBiasError as exc:
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

"""``implicit-bias``: the command line (see ``implicit-bias --help``).

Exit codes: 0 success; 1 a claim failed (verify) or a search ended otherwise than the
registry expects (conjecture check), or a replay did not reproduce its record; 2 bad input
(a typed error, printed as one line, never a traceback); 3 an implementation error met by a
conjecture search; 130 interrupted (Ctrl-C; ``verify --resume`` continues).

``predict``, ``proofs`` and ``cost`` never import JAX; ``verify`` and ``conjecture`` switch
float64 on here, at the entry point (library modules never flip it).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from fractions import Fraction
from pathlib import Path

import numpy as np

from implicit_bias import __version__
from implicit_bias import claims as registry
from implicit_bias.theory.errors import DataFileError, ImplicitBiasError, InvalidInputError

from .datafiles import load_table, read_csv, read_npz

__all__ = ["main"]

EPILOG = """\
theorems: svm (separable data -> hard-margin SVM, Soudry et al. 2018), deep-linear (deep
linear nets -> the same SVM, Ji & Telgarsky 2019), convnet (linear convnets -> DFT 2/L
quasi-norm, Gunasekar et al. 2018), relu1d (1-D ReLU nets -> int |f''|, Savarese et al.
2019), geometry (steepest, mirror, Adam, sign and momentum descent -> the max margin or
Bregman interpolant of their geometry, Gunasekar et al. 2018), diagonal (diagonal linear
nets -> Q_alpha, kernel to rich, Woodworth et al. 2020), ntk1d (wide 1-D ReLU nets -> NTK
kernel regression, Jacot et al. 2018), matrix (factorized matrix sensing -> nuclear norm
where it holds, Gunasekar et al. 2017, Arora et al. 2019, Razin & Cohen 2020).
The mathematics: docs/ in the repository.

exit codes: 0 ok; 1 a claim failed / a search ended unexpectedly / a replay differed;
2 bad input; 3 an implementation error met by a search; 130 interrupted.
"""


def _enable_x64():
    # JAX only for the commands that train; compiled programs are cached on disk between runs
    # (IMPLICIT_BIAS_CACHE=off: none; numerics.runtime.default_cache_dir)
    from implicit_bias.numerics.runtime import configure, default_cache_dir

    configure(x64=True, cache_dir=default_cache_dir())


class _Progress:
    """Progress per batch: a rich bar on a terminal, plain periodic lines otherwise."""

    def __init__(self, theorems, instances, quiet: bool):
        self.quiet = quiet
        self.tty = sys.stderr.isatty()
        self.start: dict = {}  # theorem -> (clock, instances done) when it started
        self.last = 0.0
        self.bar = None
        if self.tty and not quiet:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self.bar = Progress(TextColumn("{task.description:12s}"), BarColumn(),
                                MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("ETA"),
                                TimeRemainingColumn(), console=Console(stderr=True))
            self.tasks = {t: self.bar.add_task(t, total=instances) for t in theorems}
            self.bar.start()

    def __call__(self, theorem, done, total, claim):
        if self.quiet:
            return
        now = time.perf_counter()
        if theorem not in self.start:  # its first batch started (theorems may run at once)
            self.start[theorem] = (now, done)
        if self.bar is not None:
            self.bar.update(self.tasks[theorem], completed=done,
                            description=f"{theorem:12s}")
            return
        t0, d0 = self.start[theorem]
        if done > d0 and (now - self.last >= 5 or done >= total):
            self.last = now
            eta = (now - t0) * (total - done) / (done - d0)
            print(f"verify {theorem}: {done:.1f}/{total} instances ({claim}), "
                  f"{now - t0:.0f} s, this theorem's ETA {eta:.0f} s", file=sys.stderr,
                  flush=True)

    def stop(self):
        if self.bar is not None:
            self.bar.stop()


def auto_chunk(instances: int) -> int:
    """Instances per batch when --chunk is not given: all of them up to 64 (one training
    call per claim group: on a CPU a step of 32 small instances costs about what a step of 8
    does, so four batches of 8 cost nearly four times one of 32), else about an eighth of
    them, at most 128 (each batch is one line of the stream, the unit of --resume)."""
    return instances if instances <= 64 else min(128, -(-instances // 8))


def auto_jobs() -> int:
    """Worker processes when --jobs is not given: one per core (the runner uses at most one
    per pending batch)."""
    return max(1, os.cpu_count() or 1)


def _cmd_verify(args) -> int:
    names = args.theorems or ["all"]
    theorems = list(registry.THEOREMS) if "all" in names else names
    _enable_x64()
    from . import runner

    out = Path(args.out)
    if args.data:
        return _verify_data(args, theorems, runner, out)
    bar = _Progress(theorems, args.instances, args.quiet or args.no_progress)
    try:
        chunk = args.chunk or auto_chunk(args.instances)
        res = runner.run(theorems, instances=args.instances, seed=args.seed, out=out,
                         resume=args.resume, overwrite=args.overwrite, chunk=chunk,
                         progress=bar, jobs=args.jobs or auto_jobs())
    except KeyboardInterrupt:
        bar.stop()
        print(f"\ninterrupted: finished batches are saved in {out / runner.STREAM}; continue "
              "with the same command plus --resume", file=sys.stderr)
        return 130
    finally:
        bar.stop()
    print(runner.table(res))
    print(f"\nreport: {out / 'report.html'}  results: {out / 'results.json'}")
    failed = [r for r in res if not r.passed]
    if failed:
        print(f"{len(failed)} claim(s) did not pass: "
              + ", ".join(f"{r.claim.name} ({r.verdict})" for r in failed), file=sys.stderr)
        return 1
    return 0


def _verify_data(args, theorems, runner, out) -> int:
    if len(theorems) != 1:
        raise InvalidInputError("verify --data takes exactly one THEOREM")
    theorem = theorems[0]
    path = Path(args.data)
    mod = registry._module(theorem)
    if not hasattr(mod, "data_instance"):
        able = [t for t in registry.THEOREMS if hasattr(registry._module(t), "data_instance")]
        raise InvalidInputError(f"verify --data is not available for {theorem} (its claims "
                                f"need planted instances); it is for {', '.join(able)}. "
                                f"`implicit-bias predict {theorem} FILE` predicts on a file")
    if getattr(mod, "DATA_FORMAT", "classification") == "interpolation":
        rows, _ = read_csv(path)
        if len(rows[0]) != 2:
            raise InvalidInputError(f"{path}: {theorem} needs two columns x, y")
        inst = mod.data_instance([float(r[0]) for r in rows], [float(r[1]) for r in rows])
    else:
        X, y = load_table(path)
        inst = mod.data_instance(X, y)
    settings = {"steps": args.steps, "lr": args.lr, "schedule": args.schedule}
    res = runner.run_on_data(theorem, inst, seed=args.seed, out=out, overwrite=args.overwrite,
                             **{k: v for k, v in settings.items() if v is not None})
    print(runner.table(res))
    print(f"\nreport: {out / 'report.html'}  results: {out / 'results.json'}")
    return 0 if all(r.passed for r in res) else 1


def _fmt_vec(v, exact):
    return "[" + ", ".join(str(x) if exact else f"{float(x):.12g}" for x in v) + "]"


def _num(v):
    return v.tolist() if isinstance(v, np.ndarray) else float(v)


def _common(theorem, r) -> dict:
    """The fields every result carries (theory.results): kind, reference, certificate."""
    return {"theorem": theorem, "kind": str(r.kind), "reference": str(r.reference),
            "certificate_residual": float(r.certificate.residual)}


def _xy_columns(path, theorem):
    rows, _ = read_csv(path)
    if len(rows[0]) != 2:
        raise InvalidInputError(f"{path}: {theorem} needs two columns x, y")
    return (np.array([float(r[0]) for r in rows]), np.array([float(r[1]) for r in rows]))


def _predict_svm(args, path):
    from implicit_bias.theory import svm

    X, y = load_table(path, exact=args.exact)
    r = svm.max_margin(X, y, exact=args.exact)
    ex = args.exact
    return {"theorem": "svm", "kind": str(r.kind), "reference": str(r.reference),
            "w_hat": [str(v) if ex else float(v) for v in r.w],
            "direction": [str(v) if ex else float(v) for v in r.direction],
            "margin": str(r.margin) if ex else float(r.margin),
            "support": r.support.tolist(),
            "alpha": [str(v) if ex else float(v) for v in r.dual], "generic": r.generic,
            "kkt_residual": r.kkt.worst}


def _predict_convnet(args, path):
    from implicit_bias.theory import convnet

    X, y = load_table(path)
    r = convnet.max_margin(X, y, args.depth)
    return {**_common("convnet", r), "depth": r.depth, "beta": r.beta.tolist(),
            "penalty": r.penalty, "kkt_residual": r.certificate.residual}


def _predict_relu1d(args, path):
    from implicit_bias.theory import relu1d

    x, y = _xy_columns(path, "relu1d")
    r = relu1d.min_norm_interpolation(x, y, skip=args.skip)
    return {"theorem": "relu1d", "kind": "global minimum", "min_cost": r.cost, "V": r.V,
            "S": r.S, "skip": r.skip, "knots": r.function.knots.tolist() if r.function
            else [], "values": r.function.values.tolist() if r.function else []}


def _predict_geometry(args, path):
    from implicit_bias.theory import geometry

    X, y = load_table(path)
    if args.potential is not None:  # regression: mirror descent's Bregman interpolant
        pot = args.potential
        if pot.startswith("lp:"):
            pot = ("lp", _parse_p(pot[3:]))
        r = geometry.bregman_interpolant(X, y, potential=pot)
        return {**_common("geometry", r), "route": "bregman interpolant (regression)",
                "potential": args.potential, "w": r.w.tolist(), "divergence": r.divergence}
    r = geometry.max_margin(X, y, p=_parse_p(args.p))
    return {**_common("geometry", r), "route": f"l{args.p} max margin (classification)",
            "p": float(r.p), "w": r.w.tolist(), "direction": r.direction.tolist(),
            "margin": float(r.margin), "support": np.asarray(r.support).tolist(),
            "unique": r.unique}


def _predict_diagonal(args, path):
    from implicit_bias.theory import diagonal

    X, y = load_table(path)
    r = diagonal.interpolant(X, y, alpha=args.alpha, depth=args.depth)
    return {**_common("diagonal", r), "alpha": float(args.alpha), "depth": r.depth,
            "beta": r.beta.tolist(), "potential": float(r.value),
            "l1_norm": float(np.abs(r.beta).sum())}


def _predict_ntk1d(args, path):
    from implicit_bias.theory import ntk1d

    x, y = _xy_columns(path, "ntk1d")
    r = ntk1d.interpolant(x, y)
    return {**_common("ntk1d", r), "x": r.x.tolist(), "coef": r.coef.tolist(),
            "rkhs_norm_sq": float(r.value), "condition": float(r.condition)}


def _predict_matrix(args, path):
    from implicit_bias.theory import matrix

    if path.suffix.lower() != ".npz":
        raise DataFileError(f"{path}: matrix sensing needs an NPZ file with arrays A "
                            "(m, d, d) and y (m,)")
    a = read_npz(path, ("A", "y"))
    r = matrix.min_nuclear_norm(a["A"], a["y"], psd=args.psd)
    return {**_common("matrix", r), "psd": r.psd, "W": r.W.tolist(),
            "nuclear_norm": float(r.value), "rank": int(r.rank), "route": r.route}


_PREDICT = {"svm": _predict_svm, "convnet": _predict_convnet, "relu1d": _predict_relu1d,
            "geometry": _predict_geometry, "diagonal": _predict_diagonal,
            "ntk1d": _predict_ntk1d, "matrix": _predict_matrix}


def _parse_p(text) -> float:
    """p of an l_p norm from text: a number >= 1 (decimal or fraction) or "inf" (never
    evaluated)."""
    from implicit_bias.theory.geometry import check_p

    t = str(text).strip().lower()
    try:
        v = math.inf if t in ("inf", "infinity") else float(Fraction(t))
    except (ValueError, ZeroDivisionError):
        raise InvalidInputError(f"p must be a number or 'inf', got {text!r}") from None
    return check_p(v)


def _cmd_predict(args) -> int:
    path = Path(args.file)
    out = _PREDICT[args.theorem](args, path)
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    width = max(map(len, out))
    for k, v in out.items():
        if isinstance(v, list) and v and isinstance(v[0], list):
            v = "[" + ", ".join(_fmt_vec(row, False) for row in v) + "]"
        elif isinstance(v, list) and v and not isinstance(v[0], str):
            v = _fmt_vec(v, False)
        elif isinstance(v, list):
            v = "[" + ", ".join(v) + "]"
        elif isinstance(v, float):
            v = f"{v:.12g}"
        print(f"{k:{width}s} = {v}")
    return 0


def _cmd_proofs(args) -> int:
    from implicit_bias import proofs
    from implicit_bias.proofs.lemma import row

    def progress(lemma, res):
        if not args.quiet and not args.latex:
            print(row(lemma, res, 28), file=sys.stderr, flush=True)

    try:
        evaluated = proofs.evaluate_all(progress, names=args.names)
    except KeyError as exc:
        print(f"implicit-bias proofs: {exc.args[0]}", file=sys.stderr)
        return 2
    print(proofs.report(latex=args.latex, evaluated=evaluated))
    return 0 if all(res.ok for _, _, res in evaluated) else 1


def _cmd_cost(args) -> int:
    import sympy as sp

    from implicit_bias.theory.parse import parse_expression
    from implicit_bias.theory.relu1d import representation_cost

    f, x = parse_expression(args.expr)
    r = representation_cost(f, x, skip=args.skip, seconds=args.timeout)
    v = sp.sympify(r.value)
    name = "R1(f) = int |f''|" if args.skip else "R(f) = max(int |f''|, |f'(-inf) + f'(+inf)|)"
    if not r.exact:
        tail = f"  (numeric: quadrature, estimated error {r.error:.1e})"
    elif v is sp.oo:
        tail = "  (f is not in the class: a jump, a singularity or unbounded variation)"
    else:
        tail = "" if v.is_Integer else f" ~ {float(v):.12g}"
    text = str(v)
    if len(text) > 200:  # an exact closed form too long to read: its value, and its size
        text, tail = f"{float(v):.15g}", f"  (exact closed form of {len(text)} characters)"
    print(f"f(x) = {f}")
    print(f"{name} = {text}{tail}   [{r.route}]")
    return 0


def load_claims_file(path) -> dict:
    """The claims of a user's Python file (its module-level ``CLAIMS``, a sequence of
    :class:`~implicit_bias.claims.core.Claim`), by name. The file is imported as a module:
    it is the user's own code, run like any script of theirs (no text is evaluated)."""
    import importlib.util

    from .core import Claim

    path = Path(path)
    if not path.is_file() or path.suffix != ".py":
        raise InvalidInputError(f"--claims needs a Python file, got {path}")
    spec = importlib.util.spec_from_file_location(f"user_claims_{abs(hash(path))}", path)
    mod = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(mod)
    except ImplicitBiasError:
        raise
    except Exception as exc:
        raise InvalidInputError(f"{path} failed to import: {type(exc).__name__}: {exc}") \
            from None
    found = getattr(mod, "CLAIMS", None)
    if not isinstance(found, (list, tuple)) or not found or \
            not all(isinstance(c, Claim) for c in found):
        raise InvalidInputError(f"{path} must define CLAIMS, a sequence of Claim objects")
    return {c.name: c for c in found}


def _lookup(name, user):
    if user and name in user:
        return user[name]
    return registry.get(name)


def _cmd_conjecture(args) -> int:
    user = load_claims_file(args.claims) if args.claims else {}
    if args.action == "list":
        for c in [*user.values(), *([] if user else registry.claims())]:
            verdict = "theorem" if c.expected else "known false"
            print(f"{c.name:32s} [{c.kind}; {verdict}; budget {c.budget}]\n"
                  f"{'':32s} {c.title}\n{'':32s} {c.reference}")
        return 0
    _enable_x64()
    from . import search as cj

    if args.action == "replay":
        if not args.target:
            raise InvalidInputError("conjecture replay needs a FILE")
        claims_map = {**{c.name: c for c in registry.claims()}, **user} if user else None
        out, rec = cj.replay(Path(args.target), claims_map)
        print(f"claim:    {rec['claim']} ({rec.get('kind', '?')})\ninstance: "
              f"{json.dumps(rec['instance'])}\nseed:     {rec['seed']}")
        print(f"saved:    {rec['status']}: {rec.get('reason', '')}")
        print(f"replayed: {out.status}: {out.reason}")
        for k, v in out.numbers.items():
            old = rec.get("numbers", {}).get(k)
            diff = ""
            if isinstance(old, (int, float)):
                diff = f"   (saved {float(old):.6g})"
            print(f"  {k} = {v:.6g}{diff}")
        return 0 if out.status == rec["status"] else 1
    if not args.target:
        raise InvalidInputError("conjecture check needs a NAME (or 'all'); see 'conjecture "
                                "list'")
    if args.target == "all":
        chosen = list(user.values()) if user else registry.claims()
    else:
        chosen = [_lookup(args.target, user)]
    code = 0
    for c in chosen:
        r = cj.search(c, budget=args.budget, seed=args.seed, out=Path(args.out))
        print(r.summary())
        for p in r.saved:
            print(f"  saved {p}  (replay: implicit-bias conjecture replay {p})")
        if r.counts.get("implementation error"):
            code = max(code, 3)
        elif r.refuted == c.expected:
            print(f"  UNEXPECTED: the registry lists {c.name} as "
                  f"{'a theorem' if c.expected else 'false'}")
            code = max(code, 1)
    return code


def _positive_int(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {v}")
    return v


def _seed(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if v < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {v}")
    return v


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="implicit-bias", description="Executable, checked theorems about the implicit "
        "bias of gradient descent.", epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"implicit-bias {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    v = sub.add_parser("verify", help="predict, train and compare on random instances "
                       "(the main job)", epilog=EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       description="Draws N instances per claim, predicts (theory), trains "
                       "(numerics) and classifies every instance; prints a table and writes "
                       "DIR/results.json, DIR/report.html (self-contained) and "
                       "DIR/stream.jsonl (one line per finished batch, for --resume). The "
                       "default run (every theorem, 32 instances, two theorems at a time on 2 "
                       "cores) takes 40 s to 2 min on 2 cores the first time and 25 to 80 s once "
                       "compiled programs are cached (in $IMPLICIT_BIAS_CACHE, default "
                       "~/.cache/implicit-bias/jax; IMPLICIT_BIAS_CACHE=off: no cache).")
    v.add_argument("theorems", nargs="*", metavar="THEOREM",
                   help=f"one or more of {list(registry.THEOREMS)} or 'all' (default)")
    v.add_argument("--instances", type=_positive_int, default=32,
                   help="instances per claim (32)")
    v.add_argument("--seed", type=_seed, default=0)
    v.add_argument("--out", default="results", help="output folder (results/)")
    g = v.add_mutually_exclusive_group()
    g.add_argument("--resume", action="store_true",
                   help="continue an interrupted run in --out (same settings)")
    g.add_argument("--overwrite", action="store_true",
                   help="replace a previous run in --out (refused otherwise)")
    v.add_argument("--chunk", type=_positive_int, default=None,
                   help="instances per batch streamed to disk (all of them up to 64, then "
                   "about an eighth of them, at most 128)")
    v.add_argument("--jobs", type=_positive_int, default=None,
                   help="batches measured at once, each in a worker process: those of "
                   "different theorems, or of one theorem with several (default: one per "
                   "core; 1: everything in this process)")
    v.add_argument("--quiet", action="store_true", help="no progress output")
    v.add_argument("--data", default=None, metavar="FILE",
                   help="train and compare on your own data (CSV or NPZ) instead of drawn "
                   "instances; one THEOREM")
    v.add_argument("--steps", type=_positive_int, default=None, help="training steps (--data)")
    v.add_argument("--lr", type=float, default=None, help="step size (--data); above a proven "
                   "stability bound it is refused with the bound named")
    v.add_argument("--schedule", default=None, help="training schedule (--data; e.g. "
                   "accelerated, normalized, gd for svm)")
    v.add_argument("--no-progress", action="store_true", help=argparse.SUPPRESS)
    v.set_defaults(func=_cmd_verify)
    p = sub.add_parser(
        "predict", help="print the predicted limit for a dataset (no JAX)",
        description="The theory's prediction for your data. svm: hard-margin SVM direction "
        "(Soudry et al. 2018); convnet: DFT-l_{2/L} max margin of depth-L linear convnets "
        "(Gunasekar et al. 2018); relu1d: the min-R(f) interpolant (Savarese et al. 2019); "
        "geometry: the l_p max-margin direction of steepest descent, or with --potential the "
        "Bregman interpolant mirror descent reaches on regression (Gunasekar et al. 2018); "
        "diagonal: the Q_alpha interpolant of a depth-D diagonal net from scale alpha "
        "(Woodworth et al. 2020); ntk1d: the 1-D NTK kernel interpolant; matrix: the min "
        "nuclear norm solution of A(W) = y (Gunasekar et al. 2017). Files: CSV (features..., "
        "label or target; relu1d and ntk1d: x, y) or NPZ with X, y (matrix: NPZ with A of "
        "shape (m, d, d) and y); NPZ is never unpickled.")
    p.add_argument("theorem", choices=sorted(_PREDICT))
    p.add_argument("file", help="CSV (features..., label; relu1d/ntk1d: x, y) or NPZ with X, "
                   "y (matrix: A, y)")
    p.add_argument("--exact", action="store_true", help="exact rational arithmetic (svm)")
    p.add_argument("--depth", type=_positive_int, default=2,
                   help="convnet depth L, diagonal depth D (2)")
    p.add_argument("--skip", action="store_true", help="relu1d with a free linear unit")
    p.add_argument("--p", default="2", help="geometry: the l_p norm of steepest descent, "
                   "1 <= p <= inf (2)")
    p.add_argument("--potential", default=None, help="geometry regression: the mirror "
                   "potential, l2, entropy or lp:P (P > 1)")
    p.add_argument("--alpha", type=float, default=1.0,
                   help="diagonal: the initialization scale alpha > 0 (1)")
    p.add_argument("--psd", action="store_true", help="matrix: restrict to W PSD")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_cmd_predict)
    q = sub.add_parser("proofs", help="check every lemma once and print a report (no JAX)")
    q.add_argument("names", nargs="*", metavar="NAME",
                   help="only these lemmas: a lemma's name (svm.kkt) or a theorem (svm); "
                   "default every lemma")
    q.add_argument("--latex", action="store_true", help="print a LaTeX appendix instead")
    q.add_argument("--quiet", action="store_true", help="no per-lemma progress on stderr")
    q.set_defaults(func=_cmd_proofs)
    c = sub.add_parser("cost", help="the representation cost R(f) of a 1-D function (no JAX)",
                       description="Parses EXPR with a whitelist parser (never evaluated). "
                       "An expression starting with '-' needs '--' before it: "
                       "implicit-bias cost -- \"-relu(x)\".")
    c.add_argument("expr", help='e.g. "relu(x) - 2*relu(x - 1)" or "tanh(x)"')
    c.add_argument("--skip", action="store_true", help="with a free linear unit: int |f''|")
    c.add_argument("--timeout", type=float, default=30.0,
                   help="seconds before giving up with a clear error (30)")
    c.set_defaults(func=_cmd_cost)
    k = sub.add_parser("conjecture", help="search claims for counterexamples, replay them")
    k.add_argument("action", choices=["list", "check", "replay"])
    k.add_argument("target", nargs="?", help="claim NAME or 'all' (check), FILE (replay)")
    k.add_argument("--budget", type=_positive_int, default=None,
                   help="hypothesis examples (default: the claim's own budget)")
    k.add_argument("--seed", type=_seed, default=None, help="hypothesis seed (reproducible)")
    k.add_argument("--out", default="results/conjectures",
                   help="where counterexamples and the example database go")
    k.add_argument("--claims", default=None, metavar="FILE.py",
                   help="a Python file of your own defining CLAIMS (list, check, replay)")
    k.set_defaults(func=_cmd_conjecture)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    bad = [t for t in getattr(args, "theorems", []) if t not in [*registry.THEOREMS, "all"]]
    if bad:
        parser.error(f"unknown theorem(s) {bad}; choose from {[*registry.THEOREMS, 'all']}")
    try:
        return args.func(args)
    except ImplicitBiasError as exc:
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # an unreadable path the library did not type (a last resort)
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

"""Mutation score: does the project catch small mathematical bugs?

Each curated mutant is one textual change to the library that makes the mathematics wrong (an
exponent, a normalization, a dropped term, a certificate missing a condition, a sign-blind
metric, a hyperparameter that never takes effect, a rival returned instead of the answer).
For each mutant the script copies the repository, applies the change, and runs

* the theorem's tests (``pytest -x``): *killed by the tests* if they fail;
* ``implicit-bias verify THEOREM --instances 8``: *flagged by verify* if it exits non-zero;

then prints the kill rates per theorem. An unkilled mutant is listed with its description,
to be explained as equivalent or fixed by a new check. Not part of CI (minutes per mutant):

    .venv/bin/python tools/mutation.py [--only svm,relu1d] [--json results/mutation.json]
                                       [--jobs 2] [--no-verify] [--no-tests]
                                       [--operators K [--seed S]]

``--operators K`` replaces the curated list by K operator mutants per theorem from cosmic-ray
(arithmetic, comparison and number replacements in the theorem's theory module; see
:data:`OPERATORS`): a sample of the slips nobody thought of. Its survivors may be equivalent.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Mutant:
    theorem: str
    path: str
    old: str
    new: str
    what: str
    #: the whole mutated file (operator mutants), instead of replacing ``old`` by ``new``
    text: str | None = None


M = Mutant
MUTANTS = [
    # ---------------------------------------------------------------- svm
    M("svm", "theory/svm.py", "stationarity=float(np.linalg.norm(w - Z.T @ alpha)) / wn",
      "stationarity=0.0 * float(np.linalg.norm(w - Z.T @ alpha)) / wn",
      "KKT certificate without its stationarity condition"),
    M("svm", "theory/svm.py", "b = np.log(lr / aS)", "b = np.log(aS / lr)",
      "w_tilde: eta exp(-z w) = alpha solved with the ratio inverted"),
    M("svm", "theory/svm.py", "w_tilde = p1w + (np.eye(d) - P1) @ w0", "w_tilde = p1w",
      "w_tilde drops the P2 w(0) term"),
    M("svm", "theory/svm.py", "loss_constant = float(w_hat @ w_hat) / lr",
      "loss_constant = float(np.sqrt(w_hat @ w_hat)) / lr", "t L(t) -> |w_hat|/eta"),
    M("svm", "theory/svm.py", "w=w, direction=w / norm, margin=1.0 / norm,",
      "w=w, direction=w / norm, margin=1.0 / norm**2,", "margin 1/|w|^2 instead of 1/|w|"),
    M("svm", "numerics/linear.py", 'return 8.0 / sig2, True, "8/sigma_max(Z)^2',
      'return 16.0 / sig2, True, "8/sigma_max(Z)^2', "logistic step bound doubled"),
    M("svm", "numerics/optimizers.py",
      "g = jax.tree.map(lambda gi, vi: tt / (tt + 1) * (gi + vi), state, grads)",
      "g = jax.tree.map(lambda gi, vi: 0.5 * (gi + vi), state, grads)",
      "dual-accelerated momentum with a constant factor (not t/(t+1))"),
    M("svm", "numerics/metrics.py", "return np.linalg.norm(unit(w) - unit(v), axis=-1)",
      "return np.minimum(np.linalg.norm(unit(w) - unit(v), axis=-1), "
      "np.linalg.norm(unit(w) + unit(v), axis=-1))",
      "a direction metric that cannot tell w from -w"),
    M("svm", "theory/svm.py", "            e[k] = -Xf[n]", "            e[k] = Xf[n]",
      "multi-class constraint (w_y - w_k) with the wrong sign"),
    # ---------------------------------------------------------------- deep linear
    M("deep-linear", "numerics/deep_linear.py",
      'return Model(f"deep_linear[{depth}]", predict, end_to_end, int(depth))',
      'return Model(f"deep_linear[{depth}]", predict, end_to_end, 1)',
      "normalized schedule without the homogeneity correction"),
    M("deep-linear", "numerics/deep_linear.py",
      "    v = params[-1]\n    for W in reversed(params[:-1]):\n        v = v @ W\n    return v[0]",
      "    v = params[-1]\n    for W in reversed(params[:-1]):\n        v = v @ W\n"
      "    return v[0] * (1 + 0.1 * (v[0] < 0))", "end-to-end predictor distorted"),
    # ---------------------------------------------------------------- convnet
    M("convnet", "theory/convnet.py", "return np.sum(np.abs(dft(beta)) ** (2.0 / L), axis=-1)",
      "return np.sum(np.abs(dft(beta)) ** (1.0 / L), axis=-1)", "penalty exponent 1/L"),
    M("convnet", "theory/convnet.py",
      'return np.fft.fft(np.asarray(v, dtype=float), norm="ortho", axis=-1)',
      'return np.fft.fft(np.asarray(v, dtype=float), axis=-1)', "DFT not unitary"),
    M("convnet", "theory/convnet.py",
      "off = max(0.0, float(np.abs(zh[zero]).max()) - 1.0)", "off = 0.0",
      "L = 2 certificate without the off-support condition"),
    M("convnet", "theory/convnet.py", "score = np.array([mods[k] * r[c[0]] ** (L - 2)",
      "score = np.array([mods[k] * r[c[0]] ** (L - 1)", "gradient-flow score r^(L-1)"),
    M("convnet", "theory/convnet.py",
      "mult = np.array([1.0 if len(c) == 1 else 2.0 ** (1 - 2 / L) for c in classes])",
      "mult = np.array([1.0 for c in classes])", "conjugate pairs cost like real bins"),
    M("convnet", "theory/convnet.py",
      "W[:, m] = mod[m] * np.exp(1j * np.angle(bh[m]) / L)",
      "W[:, m] = mod[m] * np.exp(1j * np.angle(bh[m]) / 2)", "factorization phase split /2"),
    M("convnet", "theory/convnet.py", "pen = float(np.sum(mod[sup] ** p))",
      "pen = float(np.sum(mod[sup] ** (p / 2)))", "Euler identity with the wrong exponent"),
    # ---------------------------------------------------------------- relu1d
    M("relu1d", "theory/relu1d.py", "cost = max(V, (V + abs(S)) / 2)", "cost = V",
      "min R without the boundary term (V instead of max(V, (V+|S|)/2))"),
    M("relu1d", "theory/relu1d.py", "S = float(s[0] + s[-1])", "S = float(s[0] - s[-1])",
      "S = s_1 - s_{N-1}"),
    M("relu1d", "theory/relu1d.py", "path_norm=float(np.sum(np.abs(a * w)))",
      "path_norm=float(0.5 * np.sum(a**2 + w**2))", "path norm replaced by the cost"),
    M("relu1d", "theory/_relu1d_symbolic.py",
      "tv = sp.Add(*[sp.Abs(p.J[k]) for k in ks]) if ks else sp.S.Zero",
      "tv = sp.Abs(sp.Add(*[p.J[k] for k in ks])) if ks else sp.S.Zero",
      "total variation |sum of jumps| instead of sum of |jumps|"),
    M("relu1d", "theory/relu1d.py", "bound = sp.Abs(res.left + res.right)",
      "bound = sp.Abs(res.left - res.right)", "boundary term f'(-inf) - f'(+inf)"),
    M("relu1d", "numerics/relu1d.py",
      "s = np.where(live, np.sqrt(np.abs(a)) / np.sqrt(np.where(live, np.abs(w), 1.0)), 0.0)",
      "s = np.where(live, np.abs(a) / np.where(live, np.abs(w), 1.0), 0.0)",
      "balancing by |a|/|w| instead of its square root"),
    M("relu1d", "numerics/relu1d.py",
      "return max(GV, (GV + float(np.linalg.norm(A[0] + A[-1]))) / 2)", "return GV / 2",
      "Lipschitz bound too small"),
    M("relu1d", "numerics/relu1d.py",
      "return lam0 * (lam1 / lam0) ** jnp.minimum(frac / LAM_DECAY_FRACTION, 1.0)",
      "return lam0 + 0.0 * lam1 * frac", "weight decay never annealed to its final value"),
    # ---------------------------------------------------------------- geometry
    M("geometry", "numerics/optimizers.py", "inv_q = 1.0 - inv_p", "inv_q = inv_p",
      "steepest step with the primal exponent p where the dual q belongs (l1 <-> linf)"),
    M("geometry", "numerics/optimizers.py",
      "return jnp.sign(theta) * jnp.abs(theta) ** (1.0 / (p - 1.0))",
      "return jnp.sign(theta) * jnp.abs(theta) ** (1.0 / p)",
      "p-GD inverse mirror map |theta|^(1/p) instead of |theta|^(1/(p-1))"),
    M("geometry", "numerics/optimizers.py",
      "v = jax.tree.map(lambda vi, gi: b2 * vi + (1 - b2) * gi**2, v, grads)",
      "v = jax.tree.map(lambda vi, gi: b2 * vi + (1 - b2) * jnp.abs(gi), v, grads)",
      "Adam's second moment averages |g| instead of g^2"),
    M("geometry", "theory/geometry.py", '{"primal": primal, "dual": dual, "gap": gap}',
      '{"primal": primal, "dual": dual, "gap": 0.0 * gap}',
      "max-margin certificate without its duality-gap condition"),
    M("geometry", "theory/geometry.py", "c = (A + B) * (1 - pw) / 4",
      "c = (A + B) * (1 - pw) / 2", "l-inf regression counterexample limit with c doubled"),
    # ---------------------------------------------------------------- diagonal
    M("diagonal", "theory/diagonal.py",
      "return np.broadcast_to(D * np.log(a), (d,)).astype(float), np.zeros(d), D",
      "return np.broadcast_to(np.log(a), (d,)).astype(float), np.zeros(d), D",
      "Q_alpha with scale alpha instead of alpha^D (omega = alpha)"),
    M("diagonal", "theory/diagonal.py", "unique = bool(injective and gamma > 1e-9)",
      "unique = bool(injective)", "l1 uniqueness certificate without the strict dual margin"),
    M("diagonal", "theory/diagonal.py",
      "order = 2.0 * l1.dual_margin if D == 2 else float(D)",
      "order = l1.dual_margin if D == 2 else float(D)",
      "rich-regime deviation exponent gamma instead of 2 gamma"),
    M("diagonal", "numerics/diagonal.py", "    u0 = jnp.asarray(a, dtype)",
      "    u0 = jnp.ones_like(jnp.asarray(a, dtype))",
      "train_batch never applies the init scale alpha (u = v = 1)"),
    M("diagonal", "numerics/diagonal.py",
      "out[b] = D * D * lam * ((l1 + a[b] ** D) ** (2 - 2 / D) + a[b] ** (2 * D - 2))",
      "out[b] = D * lam * ((l1 + a[b] ** D) ** (2 - 2 / D) + a[b] ** (2 * D - 2))",
      "sharpness bound missing a factor D (default step D times too large)"),
    # ---------------------------------------------------------------- ntk1d
    M("ntk1d", "theory/ntk1d.py",
      "out = (np.abs(a - b) + 2.0 * (1.0 + a * b) * (math.pi - _angle(a, b))) / (2.0 * math.pi)",
      "out = (np.abs(a - b) + (1.0 + a * b) * (math.pi - _angle(a, b))) / (2.0 * math.pi)",
      "NTK without the a^2 sigma'sigma' term (Theta = kernel_relu)"),
    M("ntk1d", "theory/ntk1d.py", "return tv + 2.0 * smooth / math.pi",
      "return tv + smooth / math.pi", "int |f''| with the smooth part halved"),
    M("ntk1d", "numerics/ntk1d.py",
      'return (h @ params["a"]) / jnp.sqrt(jnp.asarray(m, h.dtype))',
      'return (h @ params["a"]) / jnp.asarray(m, h.dtype)',
      "mean-field 1/m output scaling instead of the NTK m^(-1/2)"),
    M("ntk1d", "numerics/ntk1d.py", "out[b] = 1.0 / float(np.linalg.eigvalsh(",
      "out[b] = 2.0 / float(np.linalg.eigvalsh(",
      "default step 2/lambda_max: at the stability threshold"),
    M("ntk1d", "numerics/ntk1d.py",
      'row.append(sum(J1[k] @ Jb[k].T for k in ("a", "w", "b")))',
      'row.append(sum(J1[k] @ Jb[k].T for k in ("w", "b")))',
      "empirical NTK without the output-layer features"),
    # ---------------------------------------------------------------- matrix
    M("matrix", "theory/matrix.py",
      "value = float(np.trace(W)) if psd else float(np.linalg.svd(W, compute_uv=False).sum())",
      "value = float(np.trace(W)) if psd else float(np.linalg.norm(W))",
      "min-nuclear-norm value reported as the Frobenius norm"),
    M("matrix", "theory/matrix.py",
      'conds["dual"] = max(0.0, float(np.linalg.norm(S, 2)) - 1.0)',
      'conds["dual"] = 0.0 * max(0.0, float(np.linalg.norm(S, 2)) - 1.0)',
      "nuclear-norm certificate without dual feasibility ||sum lambda_i A_i||_op <= 1"),
    M("matrix", "theory/matrix.py", "a, b = 2.0 * (N - j) / N, 2.0 * (j - 1) / N",
      "a, b = (N - j) / N, (j - 1) / N",
      "end-to-end velocity with powers of sigma instead of sigma^2 (W W^T)"),
    M("matrix", "numerics/matrix.py",
      "W0 = (s**N) * rng.standard_normal((d, d)) / np.sqrt(d)",
      "W0 = rng.standard_normal((d, d)) / np.sqrt(d)",
      "balanced_init never applies the init scale"),
    M("matrix", "numerics/matrix.py", "new = (eye + eta * C) @ params @ (eye + eta * B)",
      "new = (eye - eta * C) @ params @ (eye + eta * B)",
      "balanced end-to-end flow with the left multiplier's sign flipped"),
]

#: the tests that judge each theorem's mutants: its own file, plus tests/test_fields.py for
#: the four core theorems (every public field, every certificate condition alone, every metric
#: and hyperparameter: the issue's classes 1-4 live there)
TESTS = {"svm": ["tests/test_svm.py", "tests/test_engine.py", "tests/test_fields.py"],
         "deep-linear": ["tests/test_deep_linear.py", "tests/test_fields.py"],
         "convnet": ["tests/test_convnet.py", "tests/test_fields.py"],
         "relu1d": ["tests/test_relu1d.py", "tests/test_fields.py"],
         "geometry": ["tests/test_geometry.py"], "diagonal": ["tests/test_diagonal.py"],
         "ntk1d": ["tests/test_ntk1d.py"], "matrix": ["tests/test_matrix.py"]}


#: the operator mutants: cosmic-ray's operators (a well-kept library: the ``mutation``
#: extra) applied to each theorem's theory module, a reproducible sample of ``--operators``
#: per theorem. Arithmetic, comparison and number replacements: the operator classes a
#: mathematical slip produces. Unlike the curated list, a survivor here may be equivalent
#: (a mutated error message, a dead branch): the script lists them for inspection.
OPERATORS = ("core/ReplaceBinaryOperator_Add_Sub", "core/ReplaceBinaryOperator_Sub_Add",
             "core/ReplaceBinaryOperator_Mul_Div", "core/ReplaceBinaryOperator_Div_Mul",
             "core/ReplaceBinaryOperator_Pow_Mul", "core/ReplaceComparisonOperator_Lt_LtE",
             "core/ReplaceComparisonOperator_Gt_GtE", "core/NumberReplacer")
THEORY = {"svm": "theory/svm.py", "deep-linear": "numerics/deep_linear.py",
          "convnet": "theory/convnet.py", "relu1d": "theory/relu1d.py",
          "geometry": "theory/geometry.py", "diagonal": "theory/diagonal.py",
          "ntk1d": "theory/ntk1d.py", "matrix": "theory/matrix.py"}


def operator_mutants(theorems, per_theorem: int, seed: int = 0) -> list[Mutant]:
    """``per_theorem`` operator mutants of each theorem's module (see :data:`OPERATORS`),
    drawn reproducibly from every position cosmic-ray can mutate outside docstrings."""
    import difflib
    import random

    from cosmic_ray.ast import ast_nodes, get_ast
    from cosmic_ray.mutating import mutate_code
    from cosmic_ray.plugins import get_operator

    out = []
    for th in theorems:
        path = THEORY[th]
        code = (ROOT / path).read_text()
        tree = get_ast(code)
        spots = []
        for name in OPERATORS:
            op = get_operator(name)()
            n = sum(len(list(op.mutation_positions(node))) for node in ast_nodes(tree))
            spots += [(name, k) for k in range(n)]
        rng = random.Random(f"{seed}-{th}")
        rng.shuffle(spots)
        for name, k in spots:
            if len([m for m in out if m.theorem == th]) >= per_theorem:
                break
            new = mutate_code(code, get_operator(name)(), k)
            if new is None or new == code:
                continue
            diff = [ln for ln in difflib.unified_diff(code.splitlines(), new.splitlines(),
                                                      lineterm="", n=0)
                    if ln.startswith("+") and not ln.startswith("+++")]
            line = diff[0][1:].strip() if diff else "?"
            if line.startswith(("#", '"', "'")) or "Error(" in line:  # comments, messages
                continue
            out.append(Mutant(th, path, "", "", f"{name.split('/')[-1]} #{k}: {line[:90]}",
                              text=new))
    return out


def _copy() -> Path:
    tmp = Path(tempfile.mkdtemp(prefix="ib-mutant-"))
    pkg = tmp / "implicit_bias"
    shutil.copytree(ROOT, pkg, ignore=shutil.ignore_patterns(
        ".venv", ".git", "results", "build", "__pycache__", ".hypothesis", "*.egg-info"))
    return tmp


def run_mutant(m: Mutant, verify: bool, tests: bool = True) -> dict:
    tmp = _copy()
    pkg = tmp / "implicit_bias"
    path = pkg / m.path
    text = path.read_text()
    if m.text is not None:
        path.write_text(m.text)
    elif m.old not in text:
        shutil.rmtree(tmp)
        return {"mutant": m.what, "theorem": m.theorem, "error": f"text not found in {m.path}"}
    else:
        path.write_text(text.replace(m.old, m.new, 1))
    env = dict(os.environ, PYTHONPATH=str(tmp), IMPLICIT_BIAS_PROFILE="ci")
    t0 = time.perf_counter()
    killed, tail = None, []
    if tests:
        t = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p",
                            "no:cacheprovider", *TESTS[m.theorem]], cwd=pkg, env=env,
                           capture_output=True, text=True, timeout=1800)
        killed = t.returncode != 0
        tail = t.stdout.strip().splitlines()[-1:] if t.stdout else []
    flagged = None
    if verify:
        v = subprocess.run([sys.executable, "-c", "import sys; from implicit_bias.claims.cli "
                            "import main; sys.exit(main(sys.argv[1:]))", "verify", m.theorem,
                            "--instances", "8", "--quiet", "--overwrite", "--out",
                            str(tmp / "out")], cwd=tmp, env=env, capture_output=True,
                           text=True, timeout=1800)
        flagged = v.returncode != 0
    shutil.rmtree(tmp)
    return {"mutant": m.what, "theorem": m.theorem, "killed": killed, "flagged": flagged,
            "seconds": round(time.perf_counter() - t0, 1),
            "tests_tail": tail}


def _rate(rows, key) -> str:
    """'k (p%)' of the rows where ``key`` is true, or '-' where that stage did not run."""
    ran = [r for r in rows if r[key] is not None]
    if not ran:
        return f"{'-':>9s}"
    k = sum(bool(r[key]) for r in ran)
    return f"{k:4d} ({k / len(ran):.0%})"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", default="", help="comma-separated theorems")
    ap.add_argument("--json", default=None)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--no-verify", action="store_true")
    ap.add_argument("--no-tests", action="store_true")
    ap.add_argument("--operators", type=int, default=0, metavar="K",
                    help="instead of the curated list: K cosmic-ray operator mutants of "
                    "each theorem's module (the `mutation` extra: pip install -e .[mutation])")
    ap.add_argument("--seed", type=int, default=0, help="the operator mutants' sample")
    args = ap.parse_args(argv)
    only = {t for t in args.only.split(",") if t}
    if args.operators:
        chosen = operator_mutants([t for t in THEORY if not only or t in only],
                                  args.operators, args.seed)
    else:
        chosen = [m for m in MUTANTS if not only or m.theorem in only]
    with ThreadPoolExecutor(max_workers=args.jobs) as ex:
        rows = list(ex.map(lambda m: run_mutant(m, not args.no_verify,
                                                   not args.no_tests), chosen))
    by = {}
    for r in rows:
        by.setdefault(r["theorem"], []).append(r)
    print(f"{'theorem':12s} {'mutants':>7s} {'tests':>9s} {'verify':>9s}")
    for t, rs in by.items():
        ok = [r for r in rs if "error" not in r]
        print(f"{t:12s} {len(ok):7d} {_rate(ok, 'killed')} {_rate(ok, 'flagged')}")
    total = [r for r in rows if "error" not in r]
    print(f"{'all':12s} {len(total):7d} {_rate(total, 'killed')} {_rate(total, 'flagged')}")
    for r in rows:
        if "error" in r:
            print(f"BROKEN MUTANT [{r['theorem']}] {r['mutant']}: {r['error']}")
        elif r["killed"] is False or r["flagged"] is False:
            miss = [n for n, v in (("tests", r["killed"]), ("verify", r["flagged"]))
                    if v is False]
            print(f"SURVIVED {'+'.join(miss)} [{r['theorem']}] {r['mutant']}")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

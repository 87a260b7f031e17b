"""How fast the SVM theorem can be verified at scale, and how fast its predictions are.

(a) ``verify-1000``: the SVM theorem (Soudry et al. 2018, docs/svm.md) on 1000 instances with
    N=100, d=50: predict ŵ with ``theory.svm.max_margin(solver="quadprog")`` (the dense
    active-set QP with a KKT-certified polish), train every instance at once with
    ``numerics.linear.train_batch(schedule="accelerated")`` (Ji, Srebro & Telgarsky 2021; the
    schedule of the claim ``svm.accelerated-direction``) and check 1 - cos(w_T, ŵ) <= 1e-9 on
    every instance. Reports the split data / prediction / compile / training / check, the achieved
    worst 1 - cos and the first recorded step at which every instance is below 1e-9, per
    loss (exp and logistic: the same limit; the exp loss's normalized weights softmax(-u)
    are cheaper than the logistic log-domain ones). ``solver="clarabel"`` is timed on a few
    instances as the cross-check (max |ŵ_quadprog - ŵ_clarabel|). Target: < 20 s in total.
    Data: planted separable Gaussian instances (``_common.planted_instances``, margin 0.1);
    ``theory.strategies.planted_svm`` builds its instances in exact rationals through
    hypothesis, which is meant for small instances, not 1000 of 100 x 50.
(b) ``svm-prediction``: ``max_margin`` for one N=1000, d=100 instance (target < 0.2 s), split
    into the QP and the KKT polish; and ``max_margin(exact=True)`` (sympy rationals, exact
    certificate) on N = 10, 20, 30 small-integer points in d = 3 (target < 2 s each).
The route ``implicit-bias verify svm --instances 1000`` takes (every claim of the theorem, as
a user runs it) is timed by ``bench_commands.py``; the property tests' examples per second by
``bench_hypothesis.py``.

    python benchmarks/bench_verify.py [--parts verify,prediction]
                                      [--losses exp,logistic] [--json results/bench_verify.json]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from implicit_bias.numerics.runtime import configure

configure(x64=True)

import jax  # noqa: E402
import numpy as np  # noqa: E402
from _common import load_note, loadavg, machine_info, planted_instances, write_json  # noqa: E402

from implicit_bias.numerics import linear  # noqa: E402
from implicit_bias.numerics.metrics import cosine_gap  # noqa: E402
from implicit_bias.theory import svm  # noqa: E402

TOL = 1e-9


def _clock():
    return time.perf_counter()


# ---------------------------------------------------------------- (a) verify-1000
def verify_1000(a) -> dict:
    B, N, d, T = a.instances, a.n, a.d, a.steps
    out = {"instances": B, "n": N, "d": d, "steps": T, "tolerance": TOL, "routes": {}}
    t0 = _clock()
    X, y, _ = planted_instances(B, N, d, seed=a.seed)
    t_data = _clock() - t0

    t0 = _clock()
    W = np.empty((B, d))
    for b in range(B):
        W[b] = svm.max_margin(X[b], y[b], solver="quadprog").w
    t_pred = _clock() - t0

    k = min(a.clarabel, B)
    t0 = _clock()
    Wc = np.array([svm.max_margin(X[b], y[b], solver="clarabel").w for b in range(k)])
    t_cl = _clock() - t0
    out.update(data_s=t_data, prediction_s=t_pred, prediction_per_instance_ms=t_pred / B * 1e3,
               clarabel={"instances": k, "seconds": t_cl, "per_instance_ms": t_cl / k * 1e3,
                         "max_abs_w_diff_vs_quadprog": float(np.max(np.abs(Wc - W[:k])))})
    print(f"(a) verify-1000: B={B} N={N} d={d}, accelerated GD {T} steps, tolerance 1-cos <= "
          f"{TOL:g}")
    print(f"    data {t_data:.2f} s; prediction (quadprog + KKT polish) {t_pred:.2f} s "
          f"({t_pred / B * 1e3:.2f} ms/instance); clarabel cross-check on {k}: "
          f"{t_cl / k * 1e3:.1f} ms/instance, max |w_qp - w_clarabel| = "
          f"{out['clarabel']['max_abs_w_diff_vs_quadprog']:.1e}")
    R = a.records
    for loss in a.losses:
        kw = dict(loss=loss, schedule="accelerated", n_records=R)
        t0 = _clock()
        jax.block_until_ready(linear.train_batch(X, y, steps=R - 1, **kw).beta)
        first = _clock() - t0
        t0 = _clock()
        jax.block_until_ready(linear.train_batch(X, y, steps=R - 1, **kw).beta)
        warm = _clock() - t0
        t0 = _clock()
        tr = linear.train_batch(X, y, steps=T, **kw)
        beta = np.asarray(jax.block_until_ready(tr.beta))
        t_train = _clock() - t0
        t0 = _clock()
        gaps = cosine_gap(beta, W[:, None, :])  # (B, R)
        worst = np.max(gaps[:, 1:], axis=0)
        t = np.asarray(tr.t[0])[1:]
        below = np.nonzero(worst <= TOL)[0]
        t_check = _clock() - t0
        compile_s = first - warm
        total = t_data + t_pred + compile_s + t_train + t_check
        r = {"compile_s": compile_s, "training_s": t_train, "check_s": t_check,
             "total_s": total, "rate_instance_steps_per_s": B * T / t_train,
             "worst_1mcos": float(worst[-1]), "median_1mcos": float(np.median(gaps[:, -1])),
             "passed": bool(worst[-1] <= TOL),
             "first_record_all_below": int(t[below[0]]) if below.size else None,
             "worst_by_record": {int(ti): float(wi) for ti, wi in zip(t, worst, strict=True)},
             "target_s": 20.0, "target_met": bool(total < 20.0 and worst[-1] <= TOL)}
        out["routes"][loss] = r
        fb = r["first_record_all_below"]
        print(f"    loss={loss:8s} compile {compile_s:.2f} s, training {t_train:.2f} s "
              f"({r['rate_instance_steps_per_s']:.3g} inst-steps/s), check {t_check:.2f} s; "
              f"TOTAL {total:.2f} s; worst 1-cos {worst[-1]:.2e} (median "
              f"{r['median_1mcos']:.1e}), all <= {TOL:g} from step "
              f"{fb if fb is not None else 'never'} -> "
              f"{'MET' if r['target_met'] else 'MISSED'} (< 20 s)", flush=True)
        # the verification route: every instance stops at the first stage end where it meets
        # the tolerance (linear.train_until_aligned); its wall time includes its compilations
        t0 = _clock()
        al = linear.train_until_aligned(X, y, W, tol=TOL, loss=loss)
        t_staged = _clock() - t0
        total = t_data + t_pred + t_staged
        ends, counts = np.unique(al.steps, return_counts=True)
        r = {"training_incl_compile_s": t_staged, "total_s": total,
             "worst_1mcos": float(al.gap.max()), "passed": bool(al.converged.all()),
             "stopped_at": {int(e): int(c) for e, c in zip(ends, counts, strict=True)},
             "instance_steps": int(al.steps.sum()), "target_s": 20.0,
             "target_met": bool(total < 20.0 and al.converged.all())}
        out["routes"][f"{loss}-staged"] = r
        print(f"    loss={loss:8s} staged (train_until_aligned): training incl. compile "
              f"{t_staged:.2f} s, stopped at {r['stopped_at']}; TOTAL {total:.2f} s; worst "
              f"1-cos {r['worst_1mcos']:.2e} -> {'MET' if r['target_met'] else 'MISSED'} "
              f"(< 20 s)", flush=True)
    return out


# ---------------------------------------------------------------- (b) predictions
def _integer_points(N, d, rng, lo=-5, hi=5):
    """N distinct integer points in [lo, hi]^d, labelled by an integer w*, none on w*'s plane."""
    w = rng.integers(1, 4, d) * rng.choice([-1, 1], d)
    pts = set()
    while len(pts) < N:
        x = tuple(int(v) for v in rng.integers(lo, hi + 1, d))
        if np.dot(x, w) != 0:
            pts.add(x)
    X = np.array(sorted(pts), dtype=float)
    return X, np.sign(X @ w)


def predictions(a) -> dict:
    out = {}
    X, y, _ = planted_instances(1, 1000, 100, seed=a.seed)
    X, y = X[0], y[0]
    Z = y[:, None] * X
    res = {"qp_s": [], "polish_s": [], "max_margin_s": []}
    for _ in range(a.repeats):
        t0 = _clock()
        w0, a0 = svm._qp_quadprog(Z)
        res["qp_s"].append(_clock() - t0)
        t0 = _clock()
        svm._polish(Z, w0, a0)
        res["polish_s"].append(_clock() - t0)
        t0 = _clock()
        mm = svm.max_margin(X, y, solver="quadprog")
        res["max_margin_s"].append(_clock() - t0)
    big = {k: min(v) for k, v in res.items()}
    big.update(n=1000, d=100, support=int(mm.support.size), kkt_worst=mm.kkt.worst,
               solver=mm.info.get("solver"), target_s=0.2,
               target_met=bool(big["max_margin_s"] < 0.2))
    big["other_s"] = big["max_margin_s"] - big["qp_s"] - big["polish_s"]
    big["profile_top"] = _profile(lambda: svm.max_margin(X, y, solver="quadprog"))
    out["numeric_1000x100"] = big
    print(f"(b) max_margin N=1000 d=100 (quadprog): {big['max_margin_s']:.3f} s (QP "
          f"{big['qp_s']:.3f}, polish {big['polish_s']:.3f}, validation/genericity "
          f"{big['other_s']:.3f}); |S| = {big['support']}, KKT {big['kkt_worst']:.1e} -> "
          f"{'MET' if big['target_met'] else 'MISSED'} (< 0.2 s)")
    rng = np.random.default_rng(a.seed)
    exact = []
    for N, dim in ((10, 3), (20, 3), (30, 3), (30, 5)):
        Xi, yi = _integer_points(N, dim, rng)
        times = []
        for _ in range(a.repeats):
            t0 = _clock()
            mm = svm.max_margin(Xi.astype(int).tolist(), yi.astype(int).tolist(), exact=True)
            times.append(_clock() - t0)
        best = min(times)
        exact.append({"n": N, "d": dim, "seconds": best, "first_call_s": times[0],
                      "support": int(mm.support.size), "target_s": 2.0,
                      "target_met": bool(max(times) < 2.0)})
        print(f"    exact max_margin N={N} d={dim} small integers: {best:.3f} s (first call "
              f"{times[0]:.3f} s), |S| = {mm.support.size} -> "
              f"{'MET' if max(times) < 2.0 else 'MISSED'} (< 2 s)")
    out["exact"] = exact
    return out


def _profile(fn, top=8):
    """The ``top`` functions by cumulative time in one call of ``fn`` (cProfile)."""
    import cProfile
    import pstats

    pr = cProfile.Profile()
    pr.enable()
    fn()
    pr.disable()
    st = pstats.Stats(pr)
    rows = sorted(st.stats.items(), key=lambda kv: -kv[1][3])[: top + 1][1:]
    out = [{"function": f"{Path(f).name}:{line}({name})", "cumulative_s": ct, "calls": nc}
           for (f, line, name), (_, nc, _, ct, _) in rows]
    for r in out:
        print(f"      {r['cumulative_s']:.3f} s  {r['calls']:4d}x  {r['function']}")
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--parts", default="verify,prediction")
    p.add_argument("--instances", type=int, default=1000)
    p.add_argument("--n", type=int, default=100)
    p.add_argument("--d", type=int, default=50)
    p.add_argument("--steps", type=int, default=30_000, help="accelerated GD steps (a)")
    p.add_argument("--records", type=int, default=16, help="log-spaced records (a)")
    p.add_argument("--losses", default="exp,logistic", help="losses for (a)")
    p.add_argument("--clarabel", type=int, default=5, help="clarabel cross-check instances")
    p.add_argument("--repeats", type=int, default=3, help="best of, for (b)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", type=Path, default=None)
    a = p.parse_args(argv)
    a.losses = [s for s in a.losses.split(",") if s]
    parts = [s for s in a.parts.split(",") if s]
    info = machine_info()
    print(f"# {info['platform']} | {info['cpu_count']} CPUs | jax {info['jax']} "
          f"({len(info['devices'])} devices) | quadprog {info['quadprog']} | float64 | load "
          f"{info['loadavg_at_start']}")
    t_start = _clock()
    out = {"machine": info}
    if "verify" in parts:
        out["verify_1000"] = verify_1000(a)
    if "prediction" in parts:
        out["svm_prediction"] = predictions(a)
    out["total_seconds"] = _clock() - t_start
    info["loadavg_at_end"] = loadavg()
    print(f"load average at start {info['loadavg_at_start']}, at end {info['loadavg_at_end']} "
          f"-> {load_note(info['busy_cores_at_start'])}; total runtime: "
          f"{out['total_seconds']:.1f} s")
    write_json(a.json, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

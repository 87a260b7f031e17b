"""The main job: draw random instances, predict (theory), train (numerics), compare.

Each theorem contributes a verifier returning :class:`ClaimResult` rows; the CLI prints them as
a table, writes JSON and plots, and exits non-zero when a claim fails. Tolerances are those of
the test suite, derived there from each theorem's convergence rate.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np

__all__ = ["ClaimResult", "VERIFIERS", "verify_svm", "verify_deep_linear", "verify_convnet",
           "verify_relu1d", "run", "table"]


@dataclass
class ClaimResult:
    """One claim checked on many instances.

    ``values`` holds the per-instance disagreement (``metric``); the claim passes when every
    value satisfies ``values <= tolerance``. ``kind`` is the claim kind (exact limit, upper
    bound, lower bound, stationary point).
    """

    theorem: str
    claim: str
    kind: str
    metric: str
    values: list
    tolerance: float
    seconds: float = 0.0
    notes: str = ""
    curves: dict = field(default_factory=dict, repr=False)
    spectra: dict = field(default_factory=dict, repr=False)
    fits: dict = field(default_factory=dict, repr=False)

    #: fraction of instances that must satisfy ``values <= tolerance`` (1.0: every one). Below
    #: 1 only for claims about a local optimizer on a non-convex problem, which the theorem
    #: does not cover; the notes then say how many instances missed and by how much.
    quantile: float = 1.0

    @property
    def passed(self) -> bool:
        v = np.asarray(self.values, dtype=float)
        if not v.size or not np.all(np.isfinite(v)):
            return False
        return bool(np.mean(v <= self.tolerance) >= self.quantile)

    def summary(self) -> dict:
        v = np.asarray(self.values, dtype=float)
        return {
            "theorem": self.theorem, "claim": self.claim, "kind": self.kind,
            "metric": self.metric, "instances": int(v.size),
            "median": float(np.median(v)) if v.size else None,
            "worst": float(np.max(v)) if v.size else None,
            "tolerance": self.tolerance, "quantile": self.quantile, "passed": self.passed,
            "seconds": round(self.seconds, 3), "notes": self.notes,
        }


NB, DB = 8, 4  # shape bucket for the default SVM instances


def _planted(n, seed, **kw):
    from theory.strategies import planted_svm, sample

    # at least 3 points in at least 2 dimensions: smaller instances are trivially exact
    return sample(planted_svm(n_points=(3, NB), dim=(2, DB), **kw), n, seed=seed)


def _padded_w(insts):
    W = np.zeros((len(insts), DB))
    for b, p in enumerate(insts):
        W[b, : p.w_hat.size] = p.w_hat
    return W


def verify_svm(*, instances: int = 32, seed: int = 0) -> list[ClaimResult]:
    """SPEC §1 on random planted instances: exact/numeric SVM, accelerated GD, the asymptote."""
    from numerics import linear
    from numerics.metrics import cosine_gap
    from theory import svm
    from theory.strategies import pad

    out = []
    # 1. the prediction itself: numeric QP vs the planted exact solution and the exact route
    t0 = time.perf_counter()
    insts = _planted(instances, seed, max_den=6)
    err = []
    for p in insts:
        num = svm.max_margin(p.X, p.y)
        ex = svm.max_margin(p.X_exact, p.y, exact=True)
        planted = [Fraction(v) for v in p.w_hat_exact]
        assert [Fraction(int(v.p), int(v.q)) for v in ex.w] == planted, "exact != planted"
        err.append(float(np.max(np.abs(num.w - ex.numeric().w))))
    out.append(ClaimResult(
        "svm", "numeric QP = exact rational SVM", "exact limit (prediction)",
        "max |w_numeric - w_exact|", err, 1e-9, time.perf_counter() - t0,
        "exact route equals the planted solution on every instance",
    ))

    # 2. the limit direction, reached fast by dual-accelerated momentum
    t0 = time.perf_counter()
    X, y, m = pad(insts, NB, DB)
    W = _padded_w(insts)
    tr = linear.train_batch(X, y, mask=m, loss="logistic", schedule="accelerated",
                            steps=20_000, n_records=25)
    gaps = cosine_gap(np.asarray(tr.beta), W[:, None, :])
    out.append(ClaimResult(
        "svm", "accelerated GD -> SVM direction (2e4 steps)", "exact limit",
        "1 - cos(w_T, w_hat)", gaps[:, -1].tolist(), 1e-8, time.perf_counter() - t0,
        "Ji, Srebro & Telgarsky 2021: margin gap O~(1/t^2), 1 - cos O~(1/t^4)",
        curves={"t": np.asarray(tr.t[0]).tolist(), "accelerated": gaps.tolist()},
    ))

    # 3. constant-step GD: w(t) - w_hat log t - w_tilde -> 0 and t L(t) -> |w_hat|^2 / lr
    t0 = time.perf_counter()
    res = _planted(instances, seed + 1, spanning=True, gap_min=1, rate_min=1)
    X, y, m = pad(res, NB, DB)
    Z = y[..., None] * X
    lr = linear.default_lr(Z, loss="logistic", schedule="gd", mask=m)
    T = 1_000_000
    tr = linear.train_batch(X, y, mask=m, loss="logistic", schedule="gd", lr=lr, steps=T,
                            n_records=31)
    t = np.asarray(tr.t[0])
    ratios, consts, gd_gap, gd_pred = [], [], [], []
    for b, p in enumerate(res):
        a = svm.asymptote(p.X, p.y, lr=float(lr[b]))
        w = np.asarray(tr.beta[b])[1:, : p.X.shape[1]]
        r = np.linalg.norm(w - a.predict(t[1:]), axis=1)
        ratios.append(float(r[-1] / r[np.searchsorted(t[1:], 1000)]))
        consts.append(abs(float(np.exp(tr.log_loss[b, -1])) * T / a.loss_constant - 1))
        gd_gap.append(cosine_gap(np.asarray(tr.beta[b])[:, : p.w_hat.size], p.w_hat))
        gd_pred.append(np.concatenate([[np.nan], cosine_gap(a.predict(t[1:]), p.w_hat)]))
    out.append(ClaimResult(
        "svm", "GD residual w(t) - w_hat log t - w_tilde -> 0", "exact limit (Thm 4)",
        "r(1e6)/r(1e3)", ratios, 10**-1.5, time.perf_counter() - t0,
        "family with kappa = 1; tolerance = half the predicted exponent over three decades",
    ))
    out.append(ClaimResult(
        "svm", "t L(w(t)) -> |w_hat|^2 / lr", "exact limit", "|t L lr/|w_hat|^2 - 1| at 1e6",
        consts, 0.01, 0.0, "support term O(r(t)), tail O(t^(1-theta)), theta >= 2",
        curves={"t": t.tolist(), "gd": np.asarray(gd_gap).tolist(),
                "gd predicted (w_hat log t + w_tilde)": np.asarray(gd_pred).tolist()},
    ))
    return out


def verify_deep_linear(*, instances: int = 32, seed: int = 0) -> list[ClaimResult]:
    """Deep fully connected linear nets converge to the same L2 SVM direction (SPEC §1)."""
    import jax

    from numerics import deep_linear
    from numerics.metrics import cosine_gap
    from theory.strategies import pad

    insts = _planted(instances, seed + 2)
    X, y, m = pad(insts, NB, DB)
    W = _padded_w(insts)
    out = []
    T = 20_000
    for depth in (2, 3):
        t0 = time.perf_counter()
        tr = deep_linear.train_batch(X, y, mask=m, key=jax.random.key(seed), depth=depth,
                                     width=8, lr=0.1, steps=T, n_records=25)
        gaps = cosine_gap(np.asarray(tr.beta), W[:, None, :])
        i2 = np.searchsorted(np.asarray(tr.t[0]), T // 100)
        trend = (gaps[:, -1] + 1e-16) / (gaps[:, i2] + 1e-16)
        out.append(ClaimResult(
            "deep-linear", f"depth {depth}: 1 - cos -> 0 like t^(-2/{depth})", "exact limit",
            "(1-cos)(T)/(1-cos)(T/100)", trend.tolist(), 10 ** (-2 / depth),
            time.perf_counter() - t0,
            f"Ji & Telgarsky 2019; final 1 - cos median {np.median(gaps[:, -1]):.1e}, "
            f"worst {gaps[:, -1].max():.1e}; tolerance = half the exponent over two decades",
            curves={"t": np.asarray(tr.t[0]).tolist(), f"deep L={depth}": gaps.tolist()},
        ))
    return out


CONV_D, CONV_N = 6, 6  # convnet shape bucket (input length D is the filter length)


def verify_convnet(*, instances: int = 32, seed: int = 0):
    """SPEC §2: trained depth-1/2 convnets against the L2 SVM and the DFT-ℓ1 SOCP; depth 3/4
    through the single-example closed forms (where GD can end at a non-global point)."""
    import jax

    from numerics import convnet as nc
    from numerics.metrics import cosine_gap
    from theory import convnet as tc
    from theory.strategies import convnet_single_example, pad, sample, separable_datasets

    data = sample(separable_datasets(n_points=(2, CONV_N), dim=(CONV_D, CONV_D),
                                     margin_min=0.3), instances, seed=seed + 3)
    X, y, m = pad(data, CONV_N, CONV_D)
    T = 20_000
    out, spectra = [], {}
    for L in (1, 2):
        t0 = time.perf_counter()
        tr = nc.train_batch(X, y, mask=m, key=jax.random.key(seed), depth=L, lr=0.05,
                            scale=0.1, steps=T, n_records=25)
        t = np.asarray(tr.t[0])
        B = np.asarray(tr.beta)
        i10 = np.searchsorted(t, T // 10)
        i100 = np.searchsorted(t, T // 100)
        vals, extra = [], []
        for b, (Xi, yi) in enumerate(data):
            Z = yi[:, None] * Xi
            pred = tc.max_margin(Xi, yi, L)
            if L == 1:
                g = cosine_gap(B[b], pred.beta)
                vals.append(float((g[-1] + 1e-16) / (g[i100] + 1e-16)))
            elif L == 2:
                pen = [float(tc.penalty(B[b, i] / np.min(Z @ B[b, i]), 2)) for i in (i10, -1)]
                extra.append((pen[0] / pred.penalty - 1, pen[1] / pred.penalty - 1))
                # one-sided: no unit-margin β beats the global minimum (must never fail)
                vals.append(max(0.0, pred.penalty * (1 - 1e-9) - min(pen)))
        if L == 1:
            out.append(ClaimResult(
                "convnet", "L=1: 1 - cos to the L2 SVM decays like 1/t^2", "exact limit",
                "(1-cos)(T)/(1-cos)(T/100)", vals, 1e-2, time.perf_counter() - t0,
                "normalized GD; half the predicted exponent over two decades"))
        elif L == 2:
            ex = np.asarray(extra)
            out.append(ClaimResult(
                "convnet", "L=2: penalty >= DFT-l1 optimum (SOCP)", "lower bound",
                "shortfall below the optimum", vals, 0.0, time.perf_counter() - t0,
                "one-sided check that must never fail"))
            out.append(ClaimResult(
                "convnet", "L=2: excess over the optimum shrinks (T/10 -> T)", "exact limit",
                "excess(T)/excess(T/10)", (ex[:, 1] / np.maximum(ex[:, 0], 1e-300)).tolist(),
                1.0, 0.0,
                f"excess at T: median {np.median(ex[:, 1]):.1e}, worst {ex[:, 1].max():.1e}; "
                "off-support bins decay like |beta|^-(1-|z_m|), a slow polynomial rate"))
    # spectra plot: one generic random instance (N = D = 6), every depth 1..4; for L >= 3 the
    # prediction shown is the stationary point reached by reweighted ℓ1 from β_T
    rng = np.random.default_rng(seed)
    Xi = rng.normal(size=(CONV_N, CONV_D))
    yi = np.sign(Xi @ rng.normal(size=CONV_D))
    for L in (1, 2, 3, 4):
        tr = nc.train(Xi, yi, key=jax.random.key(seed), depth=L, lr=0.05, scale=0.1,
                      steps=5 * T, n_records=2)
        b = np.asarray(tr.beta[-1])
        pred = tc.max_margin(Xi, yi, L, beta0=b if L > 2 else None)
        kind = pred.kind if L <= 2 else "stationary point reached from beta_T"
        spectra[L] = (np.abs(tc.dft(b / np.min((yi[:, None] * Xi) @ b))),
                      np.abs(pred.beta_hat), kind)
    # single example: gradient flow picks argmax |x̂[m]| r_m(0)^{L-2}, possibly non-global
    t0 = time.perf_counter()
    cases = sample(convnet_single_example(D=CONV_D), instances, seed=seed + 4)
    off, nonglobal = [], 0
    for x, r0, L, win in cases:
        tr = nc.train(x[None, :], [1.0], params=nc.balanced_init(r0, L), depth=L, lr=1e-2,
                      steps=T, n_records=4)
        bh2 = np.abs(tc.dft(np.asarray(tr.beta[-1]))) ** 2
        off.append(float(1 - bh2[list(win)].sum() / bh2.sum()))
        nonglobal += tc.single_example(x, L).global_class != win
    out.append(ClaimResult(
        "convnet", "single example: GF picks argmax |x_hat| r0^(L-2)", "stationary point",
        "energy off the predicted class", off, 1e-3, time.perf_counter() - t0,
        f"{nonglobal} of {len(cases)} predicted (and reached) classes are NOT the global min"))
    out[-1].curves = {}
    out[0].spectra = spectra
    return out


RELU_N = 8  # shape bucket (points) for the relu1d instances
RELU_OPT_BUDGET = 0.03  # Adam's optimization error on a non-convex problem: measured, not derived
#: Adam on the weight-decayed objective is a local method on a non-convex problem: on ~6% of
#: random instances every seed ends in the same local optimum 5-9% above min R (e.g. x = (2,
#: 2.5, 4.5, 4.75, 5.25), boundary term active: C = 0.601 vs 0.554 for λ₀ from 1e-4 to 1e-2,
#: widths 256-1000, 2e4-8e4 steps). The claim is stated for this fraction of instances.
RELU_QUANTILE = 0.9


def _select_seed(fit, lam1):
    """Per instance, the seed with the lowest final objective ½‖r‖² + λ₁C (normalized units,
    the trainer's own objective): the selection uses nothing the claims test."""
    obj = fit.loss[..., -1] + lam1 * fit.penalty[..., -1]
    return np.argmin(obj, axis=-1)


def verify_relu1d(*, instances: int = 32, seed: int = 0, width: int = 256, steps: int = 20_000,
                  seeds: int = 4) -> list[ClaimResult]:
    """SPEC §3 (Savarese et al. 2019): wide ReLU nets trained with decaying weight decay reach
    the minimal representation cost; three data families (boundary term active without skip,
    inactive without skip, with skip)."""
    import jax

    from numerics import relu1d as nr
    from theory import relu1d as tr
    from theory.strategies import interpolation_data, sample

    lam1 = 1e-6
    families = [("no skip, |S| > V", False, True), ("no skip, |S| <= V", False, False),
                ("skip", True, None)]
    chain, lower, gap, interp = [], [], [], []
    bias = 0.0
    fits = {}
    t0 = time.perf_counter()
    for i, (name, skip, boundary) in enumerate(families):
        data = sample(interpolation_data(n_points=(2, RELU_N), boundary=boundary), instances,
                      seed=seed + 10 + i)
        X = np.zeros((instances, RELU_N))
        Y = np.zeros((instances, RELU_N))
        M = np.zeros((instances, RELU_N), bool)
        for b, (x, y) in enumerate(data):
            X[b], Y[b] = x[0], y[0]
            X[b, : x.size], Y[b, : x.size], M[b, : x.size] = x, y, True
        fit = nr.train_batch(X, Y, mask=M, key=jax.random.key(seed), width=width, skip=skip,
                             seeds=seeds, steps=steps, lam1=lam1)
        best = _select_seed(fit, lam1)
        for b, (x, y) in enumerate(data):
            # R's natural unit for the data (y = 0 has none: then absolute, unit 1)
            ymax = float(np.max(np.abs(y)))
            scale = max(fit.min_cost[b], ymax / max(float(x[-1] - x[0]), 1e-300)) or 1.0
            for s in range(seeds):
                p = {k: v[b, s] for k, v in fit.params.items()}
                fx = np.asarray(nr.predict(p, x, skip))
                own = tr.min_norm_interpolation(x, fx, skip=skip).cost
                r = np.linalg.norm(fx - y)
                # one-sided, must never fail: C >= path >= R(f) >= min R of f's own values,
                # and (g is G-Lipschitz) C >= min R(y) - G‖r‖
                # (C of the balanced net equals the path norm by construction; the AM-GM
                # step is checked on the net as trained, before balancing)
                chain.append(max(0.0, fit.path_norm[b, s] - fit.cost_unbalanced[b, s],
                                 fit.path_norm[b, s] - fit.cost[b, s],
                                 fit.representation[b, s] - fit.path_norm[b, s],
                                 own - fit.representation[b, s]) / scale)
                lower.append(max(0.0, fit.min_cost[b] - fit.lipschitz[b] * r - fit.cost[b, s])
                             / scale)
            # λ bias of the optimum, λ₁G_n² in the trainer's normalized units (x on [-1, 1],
            # max|y| = 1), mapped back: G_n = G·sx, R scales by sy/sx
            sx = max(float(x[-1] - x[0]) / 2, 1e-300) if x.size > 1 else 1.0
            bias = max(bias, lam1 * (fit.lipschitz[b] * sx) ** 2 * (ymax or 1.0) / sx / scale)
            s = best[b]
            gap.append(float(abs(fit.cost[b, s] - fit.min_cost[b]) / scale))
            interp.append(float(fit.interpolation_error[b, s] / (ymax or 1.0)))
        fits[name] = (data[-1], {k: v[len(data) - 1, best[-1]] for k, v in fit.params.items()},
                      skip)
    dt = time.perf_counter() - t0
    fam = "; ".join(f[0] for f in families)
    note = (f"width {width}, {seeds} seeds, Adam {steps} steps, lambda 1e-3 -> {lam1:g}; "
            f"families: {fam}")
    out = [
        ClaimResult("relu1d", "C >= path norm >= R(f) >= min R(f(x)), every seed",
                    "upper bound", "violation / scale", chain, 1e-9, dt,
                    "one-sided (SPEC §3 easy direction): must never fail"),
        ClaimResult("relu1d", "C >= min R(y) - G |f(x) - y|, every seed", "lower bound",
                    "violation / scale", lower, 1e-9, 0.0,
                    "g(y) = min R is G-Lipschitz in y (numerics.relu1d.lipschitz_bound)"),
        ClaimResult("relu1d", f"trained C(theta) -> min R (selected seed, >= "
                    f"{RELU_QUANTILE:.0%} of instances)", "exact limit",
                    "|C - min R| / max(min R, max|y|/span)", gap, RELU_OPT_BUDGET, 0.0,
                    f"{note}; tolerance: the lambda bias lambda1 G^2 (at most {bias:.1e} "
                    f"here), the rest Adam's optimization error (no rate exists); "
                    f"{int(np.sum(np.asarray(gap) > RELU_OPT_BUDGET))} instance(s) above it "
                    f"(local optima of the non-convex objective)", quantile=RELU_QUANTILE),
        ClaimResult("relu1d", "trained net interpolates (selected seed)", "exact limit",
                    "max|f(x) - y| / max|y|", interp, RELU_OPT_BUDGET, 0.0,
                    "at the lambda1-optimum |r| <= lambda1 G; the rest optimization error"),
    ]
    out[2].fits = fits
    return out


VERIFIERS = {"svm": verify_svm, "deep-linear": verify_deep_linear, "convnet": verify_convnet,
             "relu1d": verify_relu1d}


def table(results: list[ClaimResult]) -> str:
    """A plain-text table: theorem, claim, instances, metric, median, worst, tolerance, verdict."""
    head = ("theorem", "claim", "n", "metric", "median", "worst", "tol", "verdict")
    rows = [head]
    for r in results:
        s = r.summary()
        rows.append((s["theorem"], s["claim"], str(s["instances"]), s["metric"],
                     f"{s['median']:.2e}", f"{s['worst']:.2e}", f"{s['tolerance']:.0e}",
                     "PASS" if s["passed"] else "FAIL"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def plot(results: list[ClaimResult], path: Path) -> Path | None:
    """Direction error 1 - cos against t (log-log), median and worst over instances."""
    curves = [r for r in results if r.curves]
    if not curves:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for r in curves:
        t = np.asarray(r.curves["t"], dtype=float)
        names = [k for k in r.curves if k != "t"]
        # instances already exactly on ŵ (e.g. one support vector) have nothing to show; the
        # same instances are kept for a trained curve and its prediction
        keep = np.nanmax(np.asarray(r.curves[names[0]], dtype=float)[:, 1:], axis=1) > 1e-14
        for name in names:
            v = np.asarray(r.curves[name], dtype=float)[:, 1:][keep]
            if not len(v):
                continue
            v = np.maximum(v, 1e-18)  # log axes
            style = "--" if "predicted" in name else "-"
            line, = ax.loglog(t[1:], np.median(v, axis=0), style,
                              label=f"{name}: median of {len(v)}")
            if "predicted" not in name:
                ax.fill_between(t[1:], np.quantile(v, 0.1, axis=0), np.quantile(v, 0.9, axis=0),
                                alpha=0.15, color=line.get_color())
    ax.set_xlabel("step t")
    ax.set_ylabel("1 - cos(w(t), w_hat)")
    ax.set_title("Direction error to the SVM (bands: 10-90% of instances)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def plot_spectra(results: list[ClaimResult], path: Path) -> Path | None:
    """|β̂| of a trained convnet (unit margin) against the predicted solution, one panel per L."""
    spectra = next((r.spectra for r in results if r.spectra), None)
    if not spectra:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(spectra), figsize=(3.2 * len(spectra), 3), squeeze=False)
    for ax, (L, (trained, pred, kind)) in zip(axes[0], sorted(spectra.items()), strict=True):
        m = np.arange(trained.size)
        ax.bar(m - 0.2, pred, width=0.4, label=f"predicted ({kind})")
        ax.bar(m + 0.2, trained, width=0.4, label="trained")
        ax.set_title(f"depth L = {L}")
        ax.set_xlabel("DFT bin m")
        ax.set_ylabel("|beta_hat[m]| at unit margin")
        ax.legend(fontsize=6)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_fits(results: list[ClaimResult], path: Path) -> Path | None:
    """Trained ReLU fits against the minimal interpolant, one panel per data family."""
    fits = next((r.fits for r in results if r.fits), None)
    if not fits:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from numerics.relu1d import predict
    from theory.relu1d import min_norm_interpolation

    fig, axes = plt.subplots(1, len(fits), figsize=(4 * len(fits), 3.2), squeeze=False)
    for ax, (name, ((x, y), p, skip)) in zip(axes[0], fits.items(), strict=True):
        span = max(float(x[-1] - x[0]), 1.0)
        t = np.linspace(x[0] - 0.6 * span, x[-1] + 0.6 * span, 600)
        best = min_norm_interpolation(x, y, skip=skip)
        ax.plot(t, best(t), "--", label=f"a minimal interpolant (R = {best.cost:.3g})")
        ax.plot(t, np.asarray(predict(p, t, skip)), label="trained net")
        ax.plot(x, y, "ko", ms=4)
        ax.set_title(name, fontsize=9)
        ax.legend(fontsize=6)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def run(theorems: list[str], *, instances: int, seed: int, out: Path) -> list[ClaimResult]:
    """Run the verifiers; write ``results.json``, ``direction_error.png`` and (for convnets,
    ReLU nets) ``convnet_spectra.png``, ``relu1d_fits.png`` into ``out``."""
    results = []
    for name in theorems:
        results.extend(VERIFIERS[name](instances=instances, seed=seed))
    out.mkdir(parents=True, exist_ok=True)
    payload = {
        "seed": seed, "instances": instances, "theorems": theorems,
        "claims": [r.summary() | {"values": list(map(float, r.values))} for r in results],
    }
    (out / "results.json").write_text(json.dumps(payload, indent=2))
    plot(results, out / "direction_error.png")
    plot_spectra(results, out / "convnet_spectra.png")
    plot_fits(results, out / "relu1d_fits.png")
    return results

"""Claims of the 1-D neural tangent kernel: wide ReLU nets in the kernel regime (docs/ntk1d.md).

Jacot, Gabriel & Hongler (NeurIPS 2018, Thm 1 and 2): for f(x) = m^{-1/2} Σ_j a_j[w_j x + b_j]_+
in the NTK parametrization, the tangent kernel at initialization converges to Θ
(:func:`implicit_bias.theory.ntk1d.kernel`) and stays constant during training, so GD from an
antisymmetric initialization (f₀ ≡ 0) converges, as m → ∞, to the kernel interpolant
Θ(·, X)Θ(X, X)⁻¹y (:func:`implicit_bias.theory.ntk1d.interpolant`). The finite-width gap is
O(m^{-1/2}). The same architecture in the rich regime (weight decay -> 0; Savarese et al. 2019,
:func:`implicit_bias.theory.relu1d.min_norm_interpolation`) interpolates with a min-R function
instead, which differs clearly outside the data.

Training: :func:`implicit_bias.numerics.ntk1d.train_batch` (plain GD, step 1/λ_max(Θ(X, X)),
one engine call per width), widths WIDTHS with SEEDS seeds each (seeds are extra rows of the
batch), N = 3 points per instance. The step budget of a batch is set from its data alone:
T = ⌈max cond Θ(X, X)·ln 1e6⌉ (the slowest residual mode of the linearized dynamics contracts
by 1e-6).

Instances are built here (not theory.strategies.ntk_data): three knots 1 or 3/2 apart, an
affine part and a bump of height ±1 at the middle knot. Well-separated knots matter: the
kernel regime at width m needs m ≫ (‖Δθ‖‖J‖/λ_min(Θ))², and knots 1/4 apart give
λ_min ≈ 0.03, for which widths of 1.6e4 were measured to be far from lazy (the residual
decayed 15x slower than the kernel predicts). The family is finite (360 instances, all
enumerated): cond Θ(X, X) <= 48 and the rich-set distance of f* outside the data is >= 0.39.

>>> [c.name for c in CLAIMS]
['ntk1d.kernel-limit', 'ntk1d.width-rate', 'ntk1d.rich-differs', 'ntk1d.init-kernel']
>>> round(KERNEL_TOL, 4)   # K/sqrt(m_max), K = 12, m_max = 8192
0.1326
"""

from __future__ import annotations

import math
from fractions import Fraction

import jax
import jax.numpy as jnp
import numpy as np
import scipy.optimize
from hypothesis import strategies as st

from implicit_bias.numerics import ntk1d as nn
from implicit_bias.theory import ntk1d as tn
from implicit_bias.theory import relu1d
from implicit_bias.theory.results import REFERENCES, Kind

from .core import Claim, Measurement, as_float, batch_memo

__all__ = ["THEOREM", "CLAIMS", "NB", "WIDTHS", "SEEDS", "instances", "rich_intervals",
           "KERNEL_LIMIT", "WIDTH_RATE", "RICH_DIFFERS", "INIT_KERNEL"]

THEOREM = "ntk1d"
NB = 3  # points per instance
WIDTHS = (512, 2048, 8192)
SEEDS = (8, 4, 2)
#: the window of the function comparison: [x_1 - PAD, x_N + PAD] (outside the data too)
PAD = 1.0
GRID_POINTS = 161
#: the rich-set comparison points: x_N + L and x_1 - L
OUTSIDE = (1.0, 2.0, 3.0)


# ------------------------------------------------------------------------------- instances


@st.composite
def instances(draw):
    """1-D datasets {"x", "y"} of Fractions: N = 3 knots from x_1 ∈ {-2, -3/2, -1} with gaps
    in {1, 3/2}, y = c₀ + c₁x (c₀ ∈ {-1/2, ..., 1/2} step 1/4, c₁ ∈ {-1/4, 0, 1/4}) plus a bump
    ±1 at the middle knot (so the data are not affine and the two regimes differ)."""
    N = NB
    x = [Fraction(draw(st.integers(-4, -2)), 2)]
    for _ in range(N - 1):
        x.append(x[-1] + draw(st.sampled_from([Fraction(1), Fraction(3, 2)])))
    c0 = Fraction(draw(st.integers(-2, 2)), 4)
    c1 = draw(st.sampled_from([Fraction(0), Fraction(-1, 4), Fraction(1, 4)]))
    y = [c0 + c1 * v for v in x]
    k = draw(st.integers(1, N - 2))
    y[k] += draw(st.sampled_from([Fraction(1), Fraction(-1)]))
    return {"x": x, "y": y}


def _data(inst):
    return as_float(inst["x"]), as_float(inst["y"])


def _yscale(y):
    return max(1.0, float(np.max(np.abs(y))))


def _window(x):
    return np.linspace(x[0] - PAD, x[-1] + PAD, GRID_POINTS)


def rich_intervals(x, y, L=OUTSIDE):
    """Where every min-R interpolant (no skip; theory.relu1d) can be outside the data:
    points x_N + L, x_1 - L and the intervals [lo, hi] of possible values there.

    From SPEC §3's proof: with slopes s_i, V and S (min_norm_interpolation), a minimizer has
    end slopes f'(-∞) = s_1 - δ₁, f'(+∞) = s_{N-1} - δ₂ with δ₁ + δ₂ = Δ := sign(S)(|S| - V)/2
    and both δ's of the sign of S (Δ = 0, tails pinned, when |S| <= V), and f' is monotone
    from the last data interval's slope to its limit, so beyond x_N it stays in
    hull{s_{N-1}, s_{N-1} - Δ} (and beyond x_1 in hull{s_1, s_1 - Δ}). Hence
    f(x_N + L) ∈ y_N + L·hull{s_{N-1}, s_{N-1} - Δ}, f(x_1 - L) ∈ y_1 - L·hull{s_1, s_1 - Δ}.
    (The explicit minimizer of theory.relu1d lies in them: tested.)
    """
    r = relu1d.min_norm_interpolation(x, y)
    s = np.diff(y) / np.diff(x)
    D = math.copysign((abs(r.S) - r.V) / 2, r.S) if abs(r.S) > r.V else 0.0
    pts, lo, hi = [], [], []
    for ell in L:
        a, b = sorted([s[-1], s[-1] - D])
        pts.append(x[-1] + ell)
        lo.append(y[-1] + ell * a)
        hi.append(y[-1] + ell * b)
        a, b = sorted([s[0], s[0] - D])
        pts.append(x[0] - ell)
        lo.append(y[0] - ell * b)
        hi.append(y[0] - ell * a)
    return np.array(pts), np.array(lo), np.array(hi), r


def _padded(data, rows):
    """x, y, mask (len(rows), NB) for the instance index of each row."""
    X = np.zeros((len(rows), NB))
    Y = np.zeros((len(rows), NB))
    M = np.zeros((len(rows), NB), bool)
    for r, k in enumerate(rows):
        xi, yi = data[k]
        X[r, : xi.size], Y[r, : xi.size], M[r, : xi.size] = xi, yi, True
    return X, Y, M


def budget(data) -> int:
    """T = ⌈max_i cond Θ(X_i, X_i)·ln 1e6⌉: GD with step 1/λ_max contracts the slowest mode
    of the linearized residual by (1 - 1/cond)^T <= 1e-6 (data only, no prediction); the
    margin over the 1e-3 that the tolerance needs covers the finite-width kernel's smaller
    λ_min (measured: with ln 1e4 a width-8192 run kept a residual of 3e-3)."""
    c = max(float(np.linalg.cond(tn.kernel(x[:, None], x[None, :]))) for x, _ in data)
    return int(math.ceil(c * math.log(1e6)))


# --------------------------------------------------------------------------- the training


@batch_memo
def _runs(insts, seed):
    """Per instance and width: the trained functions on the window, at the data and at the
    rich-comparison points (one engine call per width; seeds are extra rows), and the theory's
    predictions."""
    data = [_data(i) for i in insts]
    T = budget(data)
    out = [{"x": x, "y": y, "T": T, "pred": tn.interpolant(x, y), "grid": _window(x),
            "fits": {}} for x, y in data]
    for r in out:
        r["outside"], r["lo"], r["hi"], r["rich"] = rich_intervals(r["x"], r["y"])
    for W, S in zip(WIDTHS, SEEDS, strict=True):
        rows = [k for k in range(len(insts)) for _ in range(S)]
        X, Y, M = _padded(data, rows)
        tr = nn.train_batch(X, Y, mask=M, key=jax.random.key(seed * 7919 + W), width=W,
                            steps=T, n_records=2, block=4)
        P = {k: np.asarray(v) for k, v in tr.params.items()}
        used = np.asarray(tr.hyper["lr"], dtype=float)  # the step each row trained with
        pts = [np.concatenate([r["grid"], r["x"], r["outside"]]) for r in out]
        vals = np.asarray(nn.predict_batch(P, np.stack([pts[k] for k in rows])))
        for k, r in enumerate(out):
            mine = [j for j, kk in enumerate(rows) if kk == k]
            r.setdefault("lr", {})[W] = used[mine]
            V = vals[mine]
            if W == WIDTHS[-1]:  # one trained net kept whole (for the figure)
                j0 = rows.index(k)
                r["net"] = {n: v[j0] for n, v in P.items()}
            g, n = r["grid"].size, r["x"].size
            r["fits"][W] = {"grid": V[:, :g], "data": V[:, g:g + n], "outside": V[:, g + n:]}
    return out


def _gaps(r, W):
    """sup over the window of |f_m - f*| / max(1, |y|), per seed."""
    f = r["pred"](r["grid"])
    return np.max(np.abs(r["fits"][W]["grid"] - f), axis=1) / _yscale(r["y"])


def _residual(r, W):
    return float(np.max(np.abs(r["fits"][W]["data"] - r["y"]))) / _yscale(r["y"])


# ---------------------------------------------------------------------------- the figure

def _fits_figure(insts, seed, fig):
    """The first instance: the trained NTK net (m = m_max, seed 0) and the kernel interpolant
    f*, against the rich regime's fit, theory.relu1d's min-R interpolant (the relu1d claims
    check that weight-decay-trained nets reach it); the bars outside the data are the values
    any min-R interpolant can take."""
    r = _runs(insts, seed)[0]
    x, y = r["x"], r["y"]
    t = np.linspace(x[0] - 3.5, x[-1] + 3.5, 400)
    W = WIDTHS[-1]
    ax = fig.subplots(1, 1)
    # the trained NTK net on the same grid as the rest, from its final parameters
    ax.plot(t, r["pred"](t), "-", lw=1.5, label="kernel interpolant f* (theory)")
    ax.plot(t, np.asarray(nn.predict({k: jnp.asarray(v) for k, v in r["net"].items()},
                                      jnp.asarray(t))), "--", lw=1,
            label=f"trained NTK net, m = {W}")
    ax.plot(t, r["rich"](t), "-", lw=1.5, label=f"min-R interpolant (theory, R = "
            f"{r['rich'].cost:.3g})")
    ax.vlines(r["outside"], r["lo"], r["hi"], color="k", lw=3, alpha=0.4,
              label="values any min-R interpolant can take")
    ax.plot(x, y, "ko", ms=4)
    ax.set_xlabel("x")
    ax.set_ylabel("f(x)")
    ax.set_title(f"kernel regime (R(f*) = {r['pred'].representation_cost():.3g}) vs rich "
                 f"regime (min R = {r['rich'].cost:.3g})", fontsize=8)
    ax.legend(fontsize=6)


#: the measured prefactor: sqrt(m)·(window gap) of single seeds at m = 8192 reached 9.1 over
#: 64 instances (median ~3.5); K = 12 leaves a factor 1.3 on the worst seed, more on the RMS
K_GAP = 12.0
KERNEL_TOL = K_GAP / math.sqrt(WIDTHS[-1])


#: relative agreement demanded of two float64 routes to one number (3 x 3 kernel matrices,
#: closed forms: rounding is ~1e-15, so 1e-9 is far above it and far below any change of a
#: formula's constant)
ROUTES_RTOL = 1e-9


def _step_check(r):
    """The step every run of the instance trained with (read back from the run's own
    hyperparameters) against the one the claim states, 1/λ_max(Θ(X, X)) (numerics.ntk1d.
    default_lr: half the linearized dynamics' stability threshold 2/λ_max), with Θ(X, X)
    rebuilt from its two expectations, kernel_relu + (1 + xx')·kernel_step, and λ_max by
    eigvalsh. None when they agree, else what broke."""
    x = r["x"]
    G = tn.kernel_relu(x[:, None], x[None, :]) + \
        (1.0 + np.outer(x, x)) * tn.kernel_step(x[:, None], x[None, :])
    lam = float(np.linalg.eigvalsh(G)[-1])
    for W, lr in r["lr"].items():
        prod = float(np.max(np.abs(lr * lam - 1.0)))
        if prod > ROUTES_RTOL:
            return (f"width {W}: the runs trained with step {float(lr[0]):.10g}, but "
                    f"1/lambda_max(Theta(X, X)) = {1.0 / lam:.10g} (step x lambda_max = "
                    f"{float(lr[0]) * lam:.6g}; 2 is the stability threshold)")
    return None


def _tv_route(f, n: int = 100) -> float:
    """∫|f''| of the kernel interpolant by a second route: the total variation of f' (its
    ``derivative``, and ``end_slopes`` for the limits at ±∞) sampled on every piece between
    the knots (n points uniform in arctan t, the knot itself from the right and 1e-12 to its
    left: f' jumps there), each interior local extremum of the samples refined by a bounded
    scalar search (xatol 1e-12). Any sampling's variation is a lower bound of ∫|f''|; with the
    extrema refined the sum is exact on the monotone stretches in between (measured: within
    5e-14 of the closed form on all 360 instances of the family, n = 100)."""
    knots = [-math.inf, *f.x.tolist(), math.inf]
    left, right = f.end_slopes()
    vals = [left]
    for lo, hi in zip(knots, knots[1:], strict=False):
        ulo = -math.pi / 2 if lo == -math.inf else math.atan(lo)
        uhi = math.pi / 2 if hi == math.inf else math.atan(hi)
        t = np.tan(np.linspace(ulo, uhi, n + 2)[1:-1])
        if lo != -math.inf:
            t = np.concatenate([[lo], t])  # f'(x_i+): derivative is one-sided from the right
        if hi != math.inf:
            t = np.concatenate([t, [hi - 1e-12 * max(1.0, abs(hi))]])  # f'(x_i-)
        v = np.asarray(f.derivative(t), dtype=float)
        d = np.diff(v)
        for k in np.flatnonzero(d[:-1] * d[1:] < 0) + 1:
            sgn = 1.0 if d[k - 1] < 0 else -1.0  # a minimum of f' (or a maximum: of -f')
            res = scipy.optimize.minimize_scalar(
                lambda s, sgn=sgn: sgn * float(f.derivative(np.array([s]))[0]),
                bounds=(t[k - 1], t[k + 1]), method="bounded", options={"xatol": 1e-12})
            if res.fun < sgn * v[k]:
                v[k] = sgn * res.fun
        vals.extend(v.tolist())
    vals.append(right)
    return float(np.sum(np.abs(np.diff(vals))))


def _interpolant_fields(f):
    """``total_variation`` against :func:`_tv_route` and ``end_slopes`` against their stated
    identity f'(-∞) + f'(+∞) = Σ_i c_i x_i (the boundary term of ``representation_cost``).
    None when they agree, else what broke."""
    tv, route = f.total_variation(), _tv_route(f)
    if abs(tv - route) > ROUTES_RTOL * max(1.0, route):
        return (f"NTKInterpolant.total_variation() = {tv:.10g}, but the total variation of "
                f"f' (sampled, extrema refined) is {route:.10g}")
    left, right = f.end_slopes()
    cx = float(f.coef @ f.x)
    if abs(left + right - cx) > ROUTES_RTOL * max(1.0, float(np.abs(f.coef * f.x).sum())):
        return (f"NTKInterpolant.end_slopes() sum to {left + right:.10g}, not "
                f"sum_i c_i x_i = {cx:.10g}")
    return None


def _not_converged(r, tol, widths=WIDTHS[-1:]):
    res = max(_residual(r, W) for W in widths)
    if res > tol / 10:
        return (f"GD has not interpolated within the budget (max |f(x_i) - y_i| = {res:.2g} > "
                f"{tol / 10:.2g}): the trained net is not at its limit")
    return None


def _measure_kernel(insts, seed):
    out = []
    for r in _runs(insts, seed):
        W = WIDTHS[-1]
        g = _gaps(r, W)
        rms = [float(np.sqrt(np.mean(_gaps(r, w) ** 2))) for w in WIDTHS]
        worst = rms[-1]
        end = r["grid"][-1]
        out.append(Measurement(
            worst, predicted=float(r["pred"](np.array([end]))[0]),
            measured=float(r["fits"][W]["grid"][int(np.argmax(g)), -1]),
            start=float(np.max(np.abs(r["pred"](r["grid"])))) / _yscale(r["y"]),
            excuse=_not_converged(r, KERNEL_TOL) if worst > KERNEL_TOL else None,
            invariant=_step_check(r),
            numbers={"sqrt(m) x gap at m_max": worst * math.sqrt(W), "steps": float(r["T"]),
                     "worst seed at m_max": float(np.max(g)),
                     "residual at the data": _residual(r, W),
                     "cond Theta(X, X)": float(r["pred"].condition)},
            series={"t": list(WIDTHS), "sup |f_m - f*| / max(1, |y|) (RMS over seeds)": rms}))
    return out


KERNEL_LIMIT = Claim(
    "ntk1d.kernel-limit", THEOREM, "the trained wide ReLU net (NTK parametrization, "
    "antisymmetric init, GD) approaches the kernel interpolant Theta(., X) Theta^-1 y",
    Kind.EXACT_LIMIT, tn.REFERENCE,
    "1-D data, N = 3 knots 1 or 3/2 apart, a bump of height 1 at the middle; square loss",
    f"GD with step 1/lambda_max(Theta(X, X)), T = ceil(cond ln 1e6) steps; widths {WIDTHS} "
    f"with {SEEDS} seeds", f"RMS over seeds of sup over [x_1 - {PAD:g}, x_N + {PAD:g}] of "
    f"|f_m - f*| / max(1, |y|) at m = {WIDTHS[-1]}", KERNEL_TOL,
    f"the gap is O(m^-1/2) (kernel fluctuation at init and its motion during training); the "
    f"prefactor sqrt(m) x gap was measured <= 9.1 (single seeds, 64 instances), so K = "
    f"{K_GAP:g} gives "
    f"{KERNEL_TOL:.3f} at m = {WIDTHS[-1]}; a run that has not interpolated (residual > "
    f"tolerance/10) is excused, decided from the run",
    instances, _measure_kernel, seeded=True, budget=10, group="wide",
    plot={"ylabel": "sup |f_m - f*| / max(1, |y|) against width m", "rate": -0.5},
    figure=_fits_figure)


RATE_TOL = 0.4


def _measure_rate(insts, seed):
    out = []
    for r in _runs(insts, seed):
        rms = np.array([float(np.sqrt(np.mean(_gaps(r, w) ** 2))) for w in WIDTHS])
        slope = float(np.polyfit(np.log(WIDTHS), np.log(rms), 1)[0])
        out.append(Measurement(
            abs(slope + 0.5), predicted=-0.5, measured=slope, start=float(rms[0]),
            excuse=_not_converged(r, KERNEL_TOL, WIDTHS) if abs(slope + 0.5) > RATE_TOL
            else None,
            numbers={f"gap at m = {w}": float(v) for w, v in zip(WIDTHS, rms, strict=True)},
            series={"t": list(WIDTHS), "RMS gap over seeds": rms.tolist()}))
    return out


WIDTH_RATE = Claim(
    "ntk1d.width-rate", THEOREM, "the finite-width gap to the kernel interpolant shrinks like "
    "m^(-1/2)", Kind.EXACT_LIMIT, tn.REFERENCE, "the kernel-limit instances",
    "the kernel-limit runs", "|fitted exponent of the RMS gap over widths + 1/2|", RATE_TOL,
    "Theta_m - Theta is an average of m/2 i.i.d. terms (CLT: O(m^-1/2)) and the kernel moves "
    "by O(m^-1/2) during training; with 8, 4, 2 seeds the per-width RMS gap still carries the "
    "random kernel's spread (sqrt(m) x gap varied by up to 2.3x across widths on one "
    "instance, i.e. |d exponent| <= ln 2.3/ln 16 = 0.3; measured exponents -0.56 .. -0.20); "
    "0.4 refutes a gap that does not shrink (exponent 0)",
    instances, _measure_rate, trend=True, seeded=True, budget=10, group="wide",
    plot={"ylabel": "RMS gap against width m", "rate": -0.5})


# ------------------------------------------------------------------ the rich regime differs

#: the trained net must be at least SEP times the kernel-limit tolerance from every rich-regime
#: minimizer (at the points outside the data)
SEP = 2.0


def _rich_distance(vals, lo, hi):
    """max over the outside points of the distance of vals to [lo, hi] (per row of vals)."""
    return np.max(np.maximum(np.maximum(lo - vals, vals - hi), 0.0), axis=-1)


def _measure_rich(insts, seed):
    out = []
    for r in _runs(insts, seed):
        ys = _yscale(r["y"])
        d = float(np.min(_rich_distance(r["fits"][WIDTHS[-1]]["outside"], r["lo"], r["hi"])))
        d /= ys
        dk = float(_rich_distance(r["pred"](r["outside"]), r["lo"], r["hi"])) / ys
        Rk, Rr = r["pred"].representation_cost(), r["rich"].cost
        dis = KERNEL_TOL / max(d, 1e-300)
        out.append(Measurement(
            dis, predicted=dk, measured=d,
            excuse=_not_converged(r, KERNEL_TOL) if dis > 1 / SEP else None,
            invariant=_interpolant_fields(r["pred"]),
            numbers={"R(f*) (kernel)": Rk, "min R (rich)": Rr,
                     "R(f*)/min R": Rk / max(Rr, 1e-300), "distance / tolerance": d / KERNEL_TOL}))
    return out


RICH_DIFFERS = Claim(
    "ntk1d.rich-differs", THEOREM, "the trained kernel-regime net is far from every rich-regime "
    "(min-R) interpolant outside the data", Kind.LOWER_BOUND, REFERENCES["relu1d"],
    "the kernel-limit instances",
    f"the kernel-limit runs at m = {WIDTHS[-1]} (closest seed)",
    "kernel-limit tolerance / distance of f_m(x_N + L), f_m(x_1 - L) (L = 1, 2, 3) to the values "
    "any min-R interpolant can take there (/ max(1, |y|))", 1 / SEP,
    "the rich set's values outside the data are intervals derived from SPEC 3's proof "
    "(rich_intervals); the kernel prediction is >= 0.39 from them on this family (all 360 "
    "instances enumerated; R(f*)/min R >= 1.5), the trained net within the kernel tolerance "
    f"of it: a distance >= {SEP:g} x {KERNEL_TOL:.3f} says the kernel-limit claim tells the "
    "regimes apart", instances, _measure_rich, seeded=True, budget=10, group="wide")


# ------------------------------------------------------------------ the empirical NTK at init

INIT_WIDTHS = (1024, 8192, 65536)
#: |z| <= 5 per entry: with <= 10 distinct entries x 3 widths per instance the chance that a
#: correct kernel fails is <= 30 x 5.7e-7 (Gaussian tail; the CLT holds well at m/2 >= 512
#: for these bounded-moment terms)
Z_TOL = 5.0


def _unit_terms(params, x):
    """Per-unit NTK terms t_j(x_i, x_k) from the explicit tangent features (numpy), (m, N, N)."""
    a, w, b = (np.asarray(params[k]) for k in ("a", "w", "b"))
    z = np.outer(w, x) + b[:, None]
    h, s = np.maximum(z, 0.0), (z > 0).astype(float)
    return (h[:, :, None] * h[:, None, :]
            + (a * a)[:, None, None] * s[:, :, None] * s[:, None, :] * (1 + np.outer(x, x)))


def _measure_init(insts, seed):
    out = []
    for k, inst in enumerate(insts):
        x, _ = _data(inst)
        K = tn.kernel(x[:, None], x[None, :])
        iu = np.triu_indices(x.size)
        zmax, rel, consist = 0.0, [], 0.0
        for W in INIT_WIDTHS:
            p = nn.init(jax.random.key(seed * 100_003 + 31 * k + W), width=W)
            E = np.asarray(nn.empirical_ntk(p, x))
            t = _unit_terms(p, x)
            consist = max(consist, float(np.max(np.abs(E - t.mean(axis=0)))) / float(K.max()))
            half = t[: W // 2]  # the copies (-a, w, b) repeat these terms exactly
            se = half.std(axis=0, ddof=1) / math.sqrt(W // 2)
            zmax = max(zmax, float(np.max(np.abs((E - K) / se)[iu])))
            rel.append(float(np.max(np.abs(E - K))) / float(K.max()))
        bad = None
        if consist > 1e-10:
            bad = (f"jax.jacrev's empirical NTK differs from the explicit tangent features by "
                   f"{consist:.2g} (relative): the model functions are inconsistent")
        out.append(Measurement(
            zmax, predicted=float(K.max()), measured=float(K.max()) * (1 + rel[-1]),
            invariant=bad,
            numbers={f"max relative error at m = {W}": v
                     for W, v in zip(INIT_WIDTHS, rel, strict=True)},
            series={"t": list(INIT_WIDTHS), "max |Theta_m - Theta| / max Theta": rel}))
    return out


INIT_KERNEL = Claim(
    "ntk1d.init-kernel", THEOREM, "the empirical NTK at initialization converges to Theta",
    Kind.EXACT_LIMIT, tn.REFERENCE_KERNEL, "the kernel-limit data (N = 3 knots)",
    f"no training: jax.jacrev's tangent kernel of fresh antisymmetric nets, m = {INIT_WIDTHS}",
    "max over entries and widths of |Theta_m - Theta| / (per-unit std / sqrt(m/2))", Z_TOL,
    "Theta_m(x, x') is the mean of m/2 i.i.d. per-unit terms (the antisymmetric copies repeat "
    "them), so its deviation over the sample standard error is ~N(0, 1) (CLT, Monte Carlo); "
    "|z| <= 5 fails a correct kernel with probability <= 2e-5 per instance; a 5% error in "
    "Theta gives |z| >~ 9 at m = 65536",
    instances, _measure_init, seeded=True, budget=20, group="init",
    plot={"ylabel": "max |Theta_m - Theta| / max Theta at init", "rate": -0.5})


CLAIMS = (KERNEL_LIMIT, WIDTH_RATE, RICH_DIFFERS, INIT_KERNEL)

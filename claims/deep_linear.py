"""Claims of deep fully connected linear nets: the same L2 SVM at every depth (docs/svm.md).

Ji & Telgarsky (ICLR 2019, Thm 2.2): for f(x) = W_L ⋯ W_1 x on separable data with an initial
loss below ℓ(0)·N, gradient flow converges in direction to the L2 max-margin predictor, with
rank-one, aligned layers. The contrast to linear convnets (docs/convnet.md), whose limit
depends on the depth.

Every claim compares with :func:`implicit_bias.theory.svm.max_margin`; the instances are the
SVM claims' planted family (N <= 8, d <= 4, >= 2 support vectors); training starts from a
small random init, so the initial direction error is of order 1. Each measurement also checks
that the recorded predictor is the product of the trained layers (a second route to the
end-to-end map the training uses: a distorted one is an implementation error).
"""

from __future__ import annotations

import jax
import numpy as np

from implicit_bias.numerics import deep_linear
from implicit_bias.numerics.metrics import cosine_gap, direction_error
from implicit_bias.theory import svm
from implicit_bias.theory.results import REFERENCES, Kind
from implicit_bias.theory.strategies import pad

from .core import Claim, Measurement, as_float, batch_memo, limit_excuse
from .svm import DB, NB, planted_instances

__all__ = ["THEOREM", "CLAIMS", "DATA_CLAIMS", "SETTINGS", "DEPTHS", "STEPS", "data_instance"]

THEOREM = "deep-linear"
DEPTHS = (2, 3)
STEPS = 20_000
#: the training, overridable by ``verify deep-linear --data``
SETTINGS = {"steps": STEPS, "lr": 0.1, "schedule": "normalized"}
WIDTH = 8


@batch_memo
def _run(insts, seed):
    nb = max(NB, *(len(i["X"]) for i in insts))
    db = max(DB, *(len(i["X"][0]) for i in insts))
    X, y, m = pad([(as_float(i["X"]), as_float(i["y"])) for i in insts], nb, db)
    preds = [svm.max_margin(as_float(i["X"]), as_float(i["y"])) for i in insts]
    runs = {L: deep_linear.train_batch(X, y, mask=m, key=jax.random.key(seed), depth=L,
                                       width=WIDTH, lr=SETTINGS["lr"],
                                       schedule=SETTINGS["schedule"],
                                       steps=int(SETTINGS["steps"]), n_records=25)
            for L in DEPTHS}
    return preds, runs


#: 1 - cos below this is under the resolution of the prediction itself (svm.prediction holds
#: ŵ to 1e-9 relative, so 1 - cos to the true ŵ is known to ½(1e-9)² = 5e-19 at best)
FLOOR = 5e-19
#: the resolution of the claim: 1 - cos <= 1e-4 (direction error 1.4e-2) separates the L2
#: SVM from the rival limits it must be told apart from (the convnets' DFT-l1 minimum: 1 - cos
#: >= 1e-3 on instances where they differ) with a factor 10; no absolute rate constant exists
TOL = 1e-4


def _padw(w, d=DB):
    out = np.zeros(d)
    out[: w.size] = w
    return out


#: the recorded predictor against the product of the trained layers: float64 rounding of a
#: product of <= 3 matrices of width 8 is ~1e-15 relative; 1e-10 leaves a wide margin
PRODUCT_TOL = 1e-10


def product_mismatch(params, b: int, beta) -> str | None:
    """None if the recorded end-to-end predictor ``beta`` of instance ``b`` is (W_L ⋯ W_1)ᵀ of
    its final layers (numpy's multi_dot of the full matrices: a second route to
    :func:`~implicit_bias.numerics.deep_linear.end_to_end`, which the training also uses)."""
    Ws = [np.asarray(W[b], dtype=float) for W in params]
    ref = np.linalg.multi_dot(Ws[::-1]).ravel() if len(Ws) > 2 else (Ws[1] @ Ws[0]).ravel()
    err = float(np.linalg.norm(np.asarray(beta, float) - ref) / np.linalg.norm(ref))
    if err > PRODUCT_TOL:
        return (f"the recorded predictor is not the product of the trained layers (relative "
                f"difference {err:.3g})")
    return None


def _limit_claim(L: int) -> Claim:
    def measure(insts, seed):
        preds, runs = _run(insts, seed)
        tr = runs[L]
        t = np.asarray(tr.t[0])
        i = int(np.searchsorted(t, t[-1] // 10, side="right")) - 1
        out = []
        for b, (_inst, p) in enumerate(zip(insts, preds, strict=True)):
            # the whole padded predictor against w_hat padded with zeros: mass a model puts
            # in the padding columns is an error too (the rival convnet does)
            B = np.asarray(tr.beta[b])
            w = _padw(p.w, B.shape[1])
            g = cosine_gap(B, w)
            e = float(direction_error(B[-1], w))
            move = float(direction_error(B[-1], B[i]))
            excuse = limit_excuse(e, move, rate=10 ** (-1 / L), tol=np.sqrt(2 * TOL),
                                  what="the direction beta_t/|beta_t|")
            out.append(Measurement(
                0.0 if g[-1] <= FLOOR else float(g[-1]), predicted=float(p.margin),
                measured=float(tr.margin[b, -1]), start=float(g[0]), excuse=excuse,
                invariant=product_mismatch(tr.params, b, B[-1]),
                numbers={"movement": move},
                series={"t": t.tolist(), f"1 - cos, L = {L}": g.tolist()}))
        return out

    return Claim(
        f"deep-linear.direction-L{L}", THEOREM, f"depth {L}: the end-to-end predictor "
        "converges in direction to the L2 SVM", Kind.EXACT_LIMIT, REFERENCES["deep-linear"],
        "planted separable data, N <= 8, d <= 4; logistic loss; width 8, init scale 0.1",
        f"the homogeneous normalized schedule (a reparametrized gradient flow), {STEPS} steps",
        "1 - cos(beta_T, w_hat)", TOL,
        f"every layer grows like t^(1/L) and components off the rank-one part are amplified "
        f"by the later layers, so the direction error is O(t^(-1/L)) (no absolute constant: "
        f"it grows with |w_hat| and the initial off-span mass); the resolution 1e-4 separates "
        f"the rival limits (DFT-l1, 1 - cos >= 1e-3) tenfold; a disagreement above it is a "
        f"counterexample only if it exceeds the distance to the limit the run's own "
        f"last-decade movement allows at the rate 10^(-1/{L}) per decade",
        planted_instances, measure, seeded=True, budget=20, group="deep",
        plot={"ylabel": "1 - cos(beta(t), w_hat)", "rate": -2 / L})


CLAIMS = tuple(_limit_claim(L) for L in DEPTHS)

#: the claims ``verify deep-linear --data FILE`` checks on a user's dataset
DATA_CLAIMS = CLAIMS


def data_instance(X, y) -> dict:
    """A user's dataset as an instance."""
    return {"X": np.asarray(X, float).tolist(), "y": [int(v) for v in np.asarray(y)]}

"""Every batched trainer (JAX) vs a numpy loop and a PyTorch CPU loop of the same schedule.

For each trainer and batch size B in 1, 16, 256, 4096 this measures instance-steps per second
in float64, side by side in one run, and prints the ratios JAX/numpy and JAX/torch:

* ``linear``      -- numerics.linear: GD on the logistic loss, lr = 1/σ_max(Z)², N=100, d=50;
* ``deep_linear`` -- numerics.deep_linear: depth 3, width 16, normalized GD on the logistic
  loss (the trainer's default schedule), lr = 0.01, same data;
* ``convnet``     -- numerics.convnet: D=32, L=3, N=100, normalized GD on the exp loss (the
  default), lr = 1e-3;
* ``relu1d``      -- numerics.relu1d: N=10 points, width 1000, one seed per dataset, Adam with
  the decaying weight decay and cosine step of the trainer (its engine call).

What is timed. JAX: the one training engine :func:`implicit_bias.numerics.engine.fit_batch`
(what every model's ``train_batch`` calls) with the model's own engine ``Model``, optimizer
and (relu1d) regularizer, on inputs already placed on the instance mesh, after a warm-up call
with the same shapes (the step count is traced, so no call recompiles); the public
``train_batch``'s fixed per-call cost (validation, step-size bound, transfer, for relu1d the
numpy post-processing) is reported separately as ``api_overhead_s``. numpy: the same update,
vectorized over the batch with matmul/einsum (what a careful researcher writes). torch: the
same loop with torch ops (manual gradients, no autograd), ``torch.set_num_threads(cores)``;
skipped with a message when torch is not installed. Each run is calibrated to about
``--target-seconds``; rounds are interleaved, best of ``--repeats``.

FLOPs per instance-step are counted analytically (each trainer's ``flops`` method states the
formula; a matmul (m×k)(k×n) is 2mkn, every elementwise op or transcendental counts 1) and
reported as achieved GFLOP/s and as a fraction of the float64 DGEMM ceiling (numpy 2000×2000
matmul in the same run).

Before timing, the public ``train_batch`` (for relu1d the engine call) and both loops are run for
``--check-steps`` steps from the same initialization on B=16 and must agree to 1e-8 (relative).

    python benchmarks/bench_trainers.py [--trainers linear,relu1d] [--sizes 1,16,256]
                                        [--json results/bench_trainers.json]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

from implicit_bias.numerics.runtime import configure

# float64, and one XLA device per core (override with XLA_FLAGS) so the batch uses every core
configure(x64=True)

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
from _common import (  # noqa: E402
    calibrate,
    dgemm_ceiling,
    import_torch,
    interleaved,
    load_note,
    loadavg,
    machine_info,
    planted_instances,
    step_sizes,
    timed,
    write_json,
)
from jax.sharding import NamedSharding, PartitionSpec  # noqa: E402
from scipy.special import expit, logsumexp  # noqa: E402

from implicit_bias.numerics import convnet as nc  # noqa: E402
from implicit_bias.numerics import deep_linear as ndl  # noqa: E402
from implicit_bias.numerics import linear as nl  # noqa: E402
from implicit_bias.numerics import relu1d as nr  # noqa: E402
from implicit_bias.numerics.engine import fit_batch, instance_mesh  # noqa: E402
from implicit_bias.numerics.optimizers import gd, normalized_gd  # noqa: E402

SIZES = (1, 16, 256, 4096)
MESH = instance_mesh()
N_REC = 2  # records per run: the initial point and the last step (pure step rate)
TORCH = None
GEMM = [None, None]  # the DGEMM operands, timed in every cell's rounds


# ---------------------------------------------------------------- loss weights (numpy/torch)
def np_logistic_log_value(u):
    """log log(1 + e^-u), finite for every u (as numerics.losses)."""
    pos = u > 0
    v = np.exp(-np.where(pos, u, 1.0))
    big = -u + np.log(np.log1p(v) / v)
    small = np.log(np.logaddexp(0.0, -np.where(pos, 0.0, u)))
    return np.where(pos, big, small)


def np_normalized_weights(u, loss):
    """-ℓ'(u_n)/L over the last axis, in the log domain."""
    if loss == "exp":
        return np.exp(-u - logsumexp(-u, axis=-1, keepdims=True))
    ls = -np.logaddexp(0.0, u)  # log σ(-u)
    return np.exp(ls - logsumexp(np_logistic_log_value(u), axis=-1, keepdims=True))


def t_normalized_weights(u, loss):
    torch = TORCH
    if loss == "exp":
        return torch.softmax(-u, dim=-1)
    pos = u > 0
    v = torch.exp(-torch.where(pos, u, 1.0))
    big = -u + torch.log(torch.log1p(v) / v)
    small = torch.log(torch.nn.functional.softplus(-torch.where(pos, 0.0, u)))
    lv = torch.where(pos, big, small)
    ls = torch.nn.functional.logsigmoid(-u)
    return torch.exp(ls - torch.logsumexp(lv, dim=-1, keepdim=True))


def place(tree, B):
    """Put the instance axis of every leaf on the mesh fit_batch shards over (one shard per
    device), so timed calls do not re-shard inputs living on device 0; unchanged when B is
    not a multiple of the device count (fit_batch then pads)."""
    if MESH is None or B % MESH.devices.size:
        return tree
    sh = NamedSharding(MESH, PartitionSpec("i"))
    return jax.tree.map(lambda a: jax.device_put(a, sh), tree)


def _rel(a, b):
    """max over instances of ‖a_b - b_b‖/‖b_b‖ for stacked arrays (leading axis B)."""
    a, b = np.asarray(a, float).reshape(len(a), -1), np.asarray(b, float).reshape(len(b), -1)
    return float(np.max(np.linalg.norm(a - b, axis=1) / np.maximum(np.linalg.norm(b, axis=1),
                                                                    1e-300)))


# ---------------------------------------------------------------- trainers
class Linear:
    """GD on the logistic loss of w ∈ R^d (numerics.linear)."""

    name = "linear"

    def __init__(self, B, seed, N=100, d=50):
        self.B, self.N, self.d = B, N, d
        X, y, _ = planted_instances(B, N, d, seed=seed)
        self.X, self.y = X, y
        self.Z = y[..., None] * X
        self.ZT = np.ascontiguousarray(np.swapaxes(self.Z, 1, 2))
        self.lr = step_sizes(self.Z)
        self.p0 = np.zeros((B, d))
        self.j = place((jnp.asarray(self.p0), jnp.asarray(X), jnp.asarray(y),
                        jnp.ones((B, N), bool)), B)

    def flops(self):
        """u = y·(Xw): 2Nd + N; c = σ(-u), masked: 5N; y·c: N; Xᵀ(yc): 2Nd; w += lr·v: 2d."""
        N, d = self.N, self.d
        return 4 * N * d + 7 * N + 2 * d

    def jax(self, steps, block=None, devices=None):
        p0, X, y, m = self.j
        kw = dict(mask=m, loss="logistic", optimizer=gd, hyper={"lr": self.lr}, steps=steps,
                  n_records=N_REC, block=block, devices=devices)
        return lambda: fit_batch(nl.MODEL, p0, X, y, **kw).params

    def api(self, steps):
        return lambda: nl.train_batch(self.X, self.y, lr=self.lr, steps=steps,
                                      n_records=N_REC).params

    def numpy(self, steps):
        def run():
            w = self.p0.copy()
            lr = self.lr[:, None]
            for _ in range(steps):
                u = np.matmul(self.Z, w[:, :, None])[:, :, 0]
                w += lr * np.matmul(self.ZT, expit(-u)[:, :, None])[:, :, 0]
            return w
        return run

    def torch(self, steps):
        torch = TORCH
        Z, ZT = torch.from_numpy(self.Z), torch.from_numpy(self.ZT)
        lr = torch.from_numpy(self.lr)[:, None]

        def run():
            w = torch.from_numpy(self.p0.copy())
            for _ in range(steps):
                u = torch.bmm(Z, w.unsqueeze(2)).squeeze(2)
                w.add_(lr * torch.bmm(ZT, torch.sigmoid(-u).unsqueeze(2)).squeeze(2))
            return w.numpy()
        return run

    @staticmethod
    def flat(params):
        return [np.asarray(params)]


class DeepLinear:
    """Normalized GD on the logistic loss of W_L⋯W_1 (numerics.deep_linear), end to end."""

    name = "deep_linear"

    def __init__(self, B, seed, N=100, d=50, depth=3, width=16, lr=0.01):
        self.B, self.N, self.d, self.L, self.h, self.eta = B, N, d, depth, width, lr
        X, y, _ = planted_instances(B, N, d, seed=seed)
        self.X, self.y = X, y
        self.XT = np.ascontiguousarray(np.swapaxes(X, 1, 2))
        self.key = jax.random.key(seed)
        keys = jax.random.split(self.key, B)  # exactly as deep_linear.train_batch
        p0 = jax.vmap(lambda k: ndl.init(k, d=d, depth=depth, width=width, scale=0.1,
                                         dtype=jnp.float64))(keys)
        self.p0 = [np.asarray(W) for W in p0]
        self.j = place((p0, jnp.asarray(X), jnp.asarray(y), jnp.ones((B, N), bool)), B)

    def flops(self):
        """End to end, as numerics.deep_linear (β = (W_L⋯W_1)ᵀ from the output side):
        prefix row vectors a_l = a_{l+1} W_l: 2h²(L-2) + 2hd; margins Xβ: 2Nd; normalized
        logistic weights: 15N; g = Xᵀ(c y): 2Nd; q_{l+1} = W_l q_l: 2hd + 2h²(L-2); outer
        products ∇W_l = a_{l+1}ᵀ q_lᵀ: P; s² and the update: 4P (P parameters)."""
        N, d, h, L = self.N, self.d, self.h, self.L
        P = h * d + h * h * (L - 2) + h
        return 4 * N * d + 4 * h * d + 4 * h * h * (L - 2) + 15 * N + 5 * P

    def jax(self, steps, block=None, devices=None):
        p0, X, y, m = self.j
        kw = dict(mask=m, loss="logistic", optimizer=normalized_gd,
                  hyper={"lr": np.full(self.B, self.eta)}, steps=steps, n_records=N_REC,
                  block=block, devices=devices)
        return lambda: fit_batch(ndl.model(self.L), p0, X, y, **kw).params

    def api(self, steps):
        return lambda: ndl.train_batch(self.X, self.y, key=self.key, depth=self.L,
                                       width=self.h, lr=self.eta, steps=steps,
                                       n_records=N_REC).params

    def _loop(self, xp, steps, Ws, XT, X, y, weights, matmul, swap):
        """The same algorithm by hand: a[l] = W_L⋯W_{l+1} (row vectors, B×1×h), β = a[0],
        q[l] = W_l⋯W_1 g (B×h×1) forward from g = Xᵀ(c y), ∇W_l = a[l+1]ᵀ q[l]ᵀ."""
        L = self.L
        for _ in range(steps):
            a = [None] * (L + 1)
            a[L - 1] = Ws[L - 1]
            for l in range(L - 2, -1, -1):
                a[l] = matmul(a[l + 1], Ws[l])  # (B, 1, dims[l])
            beta = a[0]  # (B, 1, d)
            u = y * matmul(beta, XT)[:, 0, :]
            g = matmul(XT, (weights(u, "logistic") * y)[:, :, None])  # (B, d, 1)
            grads = [None] * L
            for l in range(L):
                grads[l] = matmul(swap(a[l + 1]), swap(g)) if l < L - 1 else swap(g)
                g = matmul(Ws[l], g)
            s2 = sum((W**2).sum(axis=(1, 2)) for W in Ws) / L
            eta = (self.eta / s2 ** (L - 1))[:, None, None]
            for W, G in zip(Ws, grads, strict=True):
                W += eta * G
        return Ws

    def numpy(self, steps):
        def run():
            Ws = [W.copy() for W in self.p0]
            return self._loop(np, steps, Ws, self.XT, self.X, self.y, np_normalized_weights,
                              np.matmul, lambda a: np.swapaxes(a, 1, 2))
        return run

    def torch(self, steps):
        torch = TORCH
        XT, X, y = (torch.from_numpy(a) for a in (self.XT, self.X, self.y))

        def run():
            Ws = [torch.from_numpy(W.copy()) for W in self.p0]
            out = self._loop(torch, steps, Ws, XT, X, y, t_normalized_weights, torch.bmm,
                             lambda a: a.transpose(1, 2))
            return [W.numpy() for W in out]
        return run

    @staticmethod
    def flat(params):
        return [np.asarray(W) for W in params]


class Convnet:
    """Normalized GD on the exp loss of a depth-L circular convnet (numerics.convnet)."""

    name = "convnet"

    def __init__(self, B, seed, N=100, D=32, depth=3, lr=1e-3):
        self.B, self.N, self.D, self.L, self.eta = B, N, D, depth, lr
        X, y, _ = planted_instances(B, N, D, seed=seed)
        self.X, self.y = X, y
        self.key = jax.random.key(seed)
        keys = jax.random.split(self.key, B)  # exactly as convnet.train_batch
        p0 = jax.vmap(lambda k: nc.init(k, D=D, depth=depth, scale=0.1,
                                        dtype=jnp.float64))(keys)
        self.p0 = [np.asarray(w) for w in p0]
        self.j = place((p0, jnp.asarray(X), jnp.asarray(y), jnp.ones((B, N), bool)), B)

    def flops(self):
        """u = y·(Xβ) and Xᵀ(yc): 4ND; 2L+2 length-D complex FFTs at 5D·log2(D) each (L
        filters + the gradient forward, L gradients + β inverse); complex products (6 flops
        each) for the product, the prefix/suffix products and the L gradients: 6D(4L-3);
        exp-loss softmax weights: 7N; s² and the update: 4LD."""
        N, D, L = self.N, self.D, self.L
        return (4 * N * D + (2 * L + 2) * 5 * D * math.log2(D) + 6 * D * (4 * L - 3)
                + 7 * N + 4 * L * D)

    def jax(self, steps, block=None, devices=None):
        p0, X, y, m = self.j
        kw = dict(mask=m, loss="exp", optimizer=normalized_gd,
                  hyper={"lr": np.full(self.B, self.eta)}, steps=steps, n_records=N_REC,
                  block=block, devices=devices)
        return lambda: fit_batch(nc.model(self.L), p0, X, y, **kw).params

    def api(self, steps):
        return lambda: nc.train_batch(self.X, self.y, key=self.key, depth=self.L, lr=self.eta,
                                      steps=steps, n_records=N_REC).params

    def _loop(self, steps, ws, X, y, fft, ifft, weights, matvec, rmatvec, conj):
        L = self.L
        for _ in range(steps):
            F = [fft(w) for w in ws]
            pre = [None] * L  # pre[l] = F_0⋯F_{l-1}, suf[l] = F_{l+1}⋯F_{L-1}
            suf = [None] * L
            acc = None
            for l in range(L):
                pre[l] = acc
                acc = F[l] if acc is None else acc * F[l]
            beta = ifft(acc).real
            acc = None
            for l in range(L - 1, -1, -1):
                suf[l] = acc
                acc = F[l] if acc is None else acc * F[l]
            u = y * matvec(X, beta)
            G = fft(rmatvec(X, weights(u, "exp") * y))
            s2 = sum((w**2).sum(axis=1) for w in ws) / L
            eta = (self.eta / s2 ** (L - 1))[:, None]
            for l in range(L):
                Q = pre[l] if suf[l] is None else (suf[l] if pre[l] is None
                                                   else pre[l] * suf[l])
                ws[l] += eta * ifft(G * conj(Q)).real
        return ws

    def numpy(self, steps):
        X, y = self.X, self.y
        XT = np.ascontiguousarray(np.swapaxes(X, 1, 2))

        def run():
            ws = [w.copy() for w in self.p0]
            return self._loop(
                steps, ws, X, y, lambda v: np.fft.fft(v, norm="ortho", axis=-1),
                lambda v: np.fft.ifft(v, norm="ortho", axis=-1), np_normalized_weights,
                lambda A, b: np.matmul(A, b[:, :, None])[:, :, 0],
                lambda A, c: np.matmul(XT, c[:, :, None])[:, :, 0], np.conj)
        return run

    def torch(self, steps):
        torch = TORCH
        X, y = torch.from_numpy(self.X), torch.from_numpy(self.y)
        XT = X.transpose(1, 2).contiguous()

        def run():
            ws = [torch.from_numpy(w.copy()) for w in self.p0]
            out = self._loop(
                steps, ws, X, y, lambda v: torch.fft.fft(v, norm="ortho", dim=-1),
                lambda v: torch.fft.ifft(v, norm="ortho", dim=-1), t_normalized_weights,
                lambda A, b: torch.bmm(A, b.unsqueeze(2)).squeeze(2),
                lambda A, c: torch.bmm(XT, c.unsqueeze(2)).squeeze(2), torch.conj)
            return [w.numpy() for w in out]
        return run

    @staticmethod
    def flat(params):
        return [np.asarray(w) for w in params]


class Relu1d:
    """Adam on ½Σ(f(x_n) - y_n)² + λ_t C(θ), width-W ReLU nets on N 1-D points (numerics.relu1d)."""

    name = "relu1d"

    def __init__(self, B, seed, N=10, width=1000, lr=1e-2, lam0=1e-3, lam1=1e-6):
        self.B, self.N, self.W = B, N, width
        self.lr, self.lam0, self.lam1 = lr, lam0, lam1
        rng = np.random.default_rng(seed)
        # data already in the trainer's normalized coordinates: x on [-1, 1], max|y| = 1
        x = np.sort(rng.uniform(-1, 1, (B, N)), axis=1)
        x[:, 0], x[:, -1] = -1.0, 1.0
        y = rng.uniform(-1, 1, (B, N))
        y /= np.abs(y).max(axis=1, keepdims=True)
        self.x, self.y = x, y
        self.key = jax.random.key(seed)
        keys = jax.random.split(self.key, B)  # one seed per dataset, as relu1d.train_batch
        p0 = jax.vmap(lambda k: nr.init(k, width=width, dtype=jnp.float64))(keys)
        self.p0 = {k: np.asarray(v) for k, v in p0.items()}
        self.j = place((p0, jnp.asarray(x), jnp.asarray(y), jnp.ones((B, N), bool)), B)

    def flops(self):
        """Forward pre = x wᵀ + b: 2NW, ReLU: NW, f = h a + c: 2NW + N, residual: 2N;
        gradients: a: 2NW + 2W (decay), r⊗a masked by pre > 0: 2NW, w: 2NW + 2W, b: NW, c: N;
        Adam on 3W parameters at 14 flops each (moments 7, bias corrections 2, √ + ε + ÷ 3,
        step 2): 42W."""
        N, W = self.N, self.W
        return 12 * N * W + 46 * W + 4 * N

    def jax(self, steps, block=None, devices=None):
        """The engine call of ``relu1d.train_batch`` (its model, Adam with the cosine step,
        the decaying weight decay, blocks of NETS_PER_BLOCK nets), without the numpy
        validation and post-processing (balancing, exact costs) around it."""
        p0, x, y, m = self.j
        hyper = {"lr": self.lr, "lam0": self.lam0, "lam1": self.lam1, "lr_floor": nr.LR_FLOOR}
        kw = dict(mask=m, loss="square", optimizer=nr.OPTIMIZER, regularizer=nr.WEIGHT_DECAY,
                  hyper=hyper, steps=steps, n_records=N_REC,
                  block=block, devices=devices)
        return lambda: fit_batch(nr.MODELS[False], p0, x, y, **kw).params

    def api(self, steps):
        return lambda: nr.train_batch(self.x, self.y, key=self.key, width=self.W, seeds=1,
                                      steps=steps, lr=self.lr, lam0=self.lam0, lam1=self.lam1,
                                      n_records=N_REC).params

    def _loop(self, xp, steps, p, x, y, sqrt, cos, relu):
        """Adam (optax.scale_by_adam defaults: b1 0.9, b2 0.999, eps 1e-8) as the trainer."""
        a, w, b, c = p["a"], p["w"], p["b"], p["c"]
        m = {k: xp.zeros_like(v) for k, v in (("a", a), ("w", w), ("b", b), ("c", c))}
        v = {k: xp.zeros_like(t) for k, t in m.items()}
        T = float(steps)
        b1, b2, eps = 0.9, 0.999, 1e-8
        xs = x[:, :, None]
        for t in range(steps):
            frac = t / T
            lam = self.lam0 * (self.lam1 / self.lam0) ** min(frac / nr.LAM_DECAY_FRACTION, 1.0)
            eta = self.lr * (nr.LR_FLOOR + (1 - nr.LR_FLOOR) * 0.5 * (1 + cos(math.pi * frac)))
            pre = xs * w[:, None, :] + b[:, None, :]
            h = relu(pre)
            r = (h * a[:, None, :]).sum(-1) + c[:, None] - y
            dh = r[:, :, None] * a[:, None, :] * (pre > 0)
            g = {"a": (h * r[:, :, None]).sum(1) + lam * a,
                 "w": (dh * xs).sum(1) + lam * w,
                 "b": dh.sum(1),
                 "c": r.sum(1)}
            k1, k2 = 1 - b1 ** (t + 1), 1 - b2 ** (t + 1)
            for k, par in (("a", a), ("w", w), ("b", b), ("c", c)):
                m[k] = b1 * m[k] + (1 - b1) * g[k]
                v[k] = b2 * v[k] + (1 - b2) * g[k] ** 2
                par -= eta * ((m[k] / k1) / (sqrt(v[k] / k2) + eps))
        return {"a": a, "w": w, "b": b, "c": c}

    def numpy(self, steps):
        def run():
            p = {k: v.copy() for k, v in self.p0.items()}
            return self._loop(np, steps, p, self.x, self.y, np.sqrt, math.cos,
                              lambda t: np.maximum(t, 0.0))
        return run

    def torch(self, steps):
        torch = TORCH
        x, y = torch.from_numpy(self.x), torch.from_numpy(self.y)

        def run():
            p = {k: torch.from_numpy(v.copy()) for k, v in self.p0.items()}
            out = self._loop(torch, steps, p, x, y, torch.sqrt, math.cos,
                             lambda t: torch.clamp_min(t, 0.0))
            return {k: t.numpy() for k, t in out.items()}
        return run

    @staticmethod
    def flat(params):
        return [np.asarray(params[k]).reshape(np.shape(params[k])[0], -1)
                for k in ("a", "w", "b", "c")]


TRAINERS = {c.name: c for c in (Linear, DeepLinear, Convnet, Relu1d)}


# ---------------------------------------------------------------- checks and timing
def agreement(cls, B, steps, seed):
    """Max relative difference of the final parameters: JAX (public API for classifiers,
    the jitted core for relu1d) vs the numpy and torch loops, from the same initialization."""
    case = cls(B, seed)
    ref = case.flat(case.numpy(steps)())
    jfn = case.jax(steps) if cls is Relu1d else case.api(steps)
    jres = jax.block_until_ready(jfn())
    out = {"steps": steps, "instances": B,
           "jax_vs_numpy": max(_rel(a, b) for a, b in zip(case.flat(jres), ref, strict=True))}
    if TORCH is not None:
        tres = case.flat(case.torch(steps)())
        out["torch_vs_numpy"] = max(_rel(a, b) for a, b in zip(tres, ref, strict=True))
    out["ok"] = all(v < 1e-8 for k, v in out.items() if k.endswith("numpy"))
    return out


def bench_cell(cls, B, a):
    """Rates of every implementation for one trainer at batch size B."""
    case = cls(B, a.seed)
    fpi = case.flops()
    t0 = time.perf_counter()
    jax.block_until_ready(case.jax(1)())
    first = time.perf_counter() - t0
    warm = min(timed(case.jax(1))[0] for _ in range(2))
    impls = {"jax": case.jax, "numpy": case.numpy}
    if TORCH is not None:
        impls["torch"] = case.torch
    cal = {k: calibrate(f, a.target_seconds, max_steps=a.max_steps) for k, f in impls.items()}
    cands = {k: impls[k](cal[k][0]) for k in impls}
    cands["dgemm"] = lambda: GEMM[0] @ GEMM[1]  # the ceiling, under the same load
    best = interleaved(cands, a.repeats)
    ceiling = 2.0 * GEMM[0].shape[0] ** 3 / best["dgemm"][0] / 1e9
    rates = {}
    for k in impls:
        (secs, util), (n, fixed) = best[k], cal[k]
        rate = B * n / secs
        rates[k] = {"steps": n, "seconds": secs, "rate": rate, "cpu_per_wall": util,
                    "fixed_call_s": fixed,
                    "rate_without_fixed": B * (n - 1) / max(secs - fixed, 1e-12),
                    "gflops": rate * fpi / 1e9, "ceiling_fraction": rate * fpi / 1e9 / ceiling}
    row = {"instances": B, "flops_per_instance_step": fpi, "rates": rates,
           "dgemm_gflops_in_cell": ceiling, "loadavg": loadavg(),
           "jax_inputs_presharded": MESH is not None and B % MESH.devices.size == 0,
           "jax_compile_s": first - warm, "jax_warm_call_1_step_s": warm}
    row["ratio_jax_vs_numpy"] = rates["jax"]["rate"] / rates["numpy"]["rate"]
    if "torch" in rates:
        row["ratio_jax_vs_torch"] = rates["jax"]["rate"] / rates["torch"]["rate"]
    if a.api and (cls is not Relu1d or B <= a.api_max_relu):
        api = min(timed(case.api(1))[0] for _ in range(2))
        row["api_overhead_s"] = api - warm
    return row


def main(argv=None):
    global TORCH
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--trainers", default=",".join(TRAINERS),
                   help=f"comma-separated subset of {','.join(TRAINERS)}")
    p.add_argument("--sizes", default=",".join(map(str, SIZES)), help="batch sizes B")
    p.add_argument("--target-seconds", type=float, default=0.3,
                   help="calibrated length of one timed run")
    p.add_argument("--max-steps", type=int, default=10**7)
    p.add_argument("--repeats", type=int, default=3, help="best of this many rounds")
    p.add_argument("--check-steps", type=int, default=30, help="steps of the agreement check")
    p.add_argument("--no-torch", action="store_true", help="skip the PyTorch loops")
    p.add_argument("--torch-threads", type=int, default=0,
                   help="torch intra-op threads (default: one per core); 1 avoids OpenMP "
                        "barrier stalls when the cores are oversubscribed")
    p.add_argument("--no-api", dest="api", action="store_false",
                   help="skip measuring the public train_batch's per-call overhead")
    p.add_argument("--api-max-relu", type=int, default=256,
                   help="largest B at which relu1d's train_batch overhead is measured (its "
                        "numpy post-processing loops over instances)")
    p.add_argument("--dgemm-n", type=int, default=2000,
                   help="size of the DGEMM ceiling's matrices (timed in every cell)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", type=Path, default=None, help="write every number here")
    a = p.parse_args(argv)
    names = [s for s in a.trainers.split(",") if s]
    bad = [s for s in names if s not in TRAINERS]
    if bad:
        p.error(f"unknown trainer(s) {bad}; choose from {list(TRAINERS)}")
    sizes = [int(s) for s in a.sizes.split(",") if s]
    t_start = time.perf_counter()
    TORCH = None if a.no_torch else import_torch(a.torch_threads or None)
    info = machine_info()
    if TORCH is not None:
        info["torch_threads"] = TORCH.get_num_threads()
    print(f"# {info['platform']} | {info['cpu_count']} CPUs | jax {info['jax']} "
          f"({info['backend']}, {len(info['devices'])} devices) | numpy {info['numpy']} | "
          f"torch {info['torch'] if TORCH is not None else '-'} | float64")
    ceil = dgemm_ceiling(a.dgemm_n, torch=TORCH)
    rng = np.random.default_rng(0)
    GEMM[:] = [rng.standard_normal((ceil["n"], ceil["n"])) for _ in range(2)]
    print(f"# DGEMM ceiling (numpy {a.dgemm_n}x{a.dgemm_n} float64): "
          f"{ceil['numpy_gflops']:.1f} GFLOP/s "
          f"(jax {ceil.get('jax_gflops', float('nan')):.1f}, "
          f"torch {ceil.get('torch_gflops', float('nan')):.1f})")

    checks, results = {}, {}
    for name in names:
        cls = TRAINERS[name]
        checks[name] = agreement(cls, 16, a.check_steps, a.seed)
        c = checks[name]
        print(f"# {name}: agreement after {c['steps']} steps (B=16): jax vs numpy "
              f"{c['jax_vs_numpy']:.1e}" + (f", torch vs numpy {c['torch_vs_numpy']:.1e}"
                                             if "torch_vs_numpy" in c else "")
              + f" -> {'OK' if c['ok'] else 'FAIL'}")
        results[name] = {}
        for B in sizes:
            results[name][str(B)] = row = bench_cell(cls, B, a)
            r = row["rates"]
            tr = (f"{r['torch']['rate']:10.3g}" if "torch" in r else f"{'-':>10s}")
            rt = (f"{row['ratio_jax_vs_torch']:8.2f}" if "ratio_jax_vs_torch" in row
                  else f"{'-':>8s}")
            api = (f"{row['api_overhead_s'] * 1e3:9.1f}" if "api_overhead_s" in row
                   else f"{'-':>9s}")
            if B == sizes[0]:
                print(f"\n{name} ({row['flops_per_instance_step']:.4g} flop/instance-step)")
                print(f"{'B':>6s}{'jax':>10s}{'numpy':>10s}{'torch':>10s}{'jax/np':>8s}"
                      f"{'jax/tor':>8s}{'jaxGF/s':>9s}{'ceil%':>7s}{'npGF/s':>8s}"
                      f"{'cpu/w':>6s}{'comp_s':>7s}{'api_ms':>9s}{'load':>6s}")
            print(f"{B:6d}{r['jax']['rate']:10.3g}{r['numpy']['rate']:10.3g}{tr}"
                  f"{row['ratio_jax_vs_numpy']:8.2f}{rt}{r['jax']['gflops']:9.2f}"
                  f"{100 * r['jax']['ceiling_fraction']:7.2f}{r['numpy']['gflops']:8.2f}"
                  f"{r['jax']['cpu_per_wall']:6.2f}{row['jax_compile_s']:7.2f}{api}"
                  f"{row['loadavg'][0]:6.2f}", flush=True)
    total = time.perf_counter() - t_start
    info["loadavg_at_end"] = loadavg()
    print("\nrates in instance-steps/s (best of rounds, interleaved); ceil% = JAX GFLOP/s as a "
          "percentage of the DGEMM ceiling measured in the same cell's rounds;\napi_ms = public "
          "train_batch's fixed per-call cost; load = 1-minute load average after the cell "
          "(the benchmark itself counts ~1)")
    print(f"load average at start {info['loadavg_at_start']}, at end {info['loadavg_at_end']}"
          f" -> {load_note(info['busy_cores_at_start'])} at start")
    print(f"total runtime: {total:.1f} s")
    ok = all(c["ok"] for c in checks.values())
    write_json(a.json, {
        "machine": info, "dgemm": ceil, "dtype": "float64", "n_records": N_REC,
        "protocol": {"target_seconds": a.target_seconds, "repeats": a.repeats,
                     "interleaved": True, "seed": a.seed},
        "problems": {
            "linear": "GD, logistic, lr=1/sigma_max(Z)^2, N=100, d=50",
            "deep_linear": "normalized GD, logistic, depth 3, width 16, lr=0.01, N=100, d=50",
            "convnet": "normalized GD, exp, D=32, L=3, lr=1e-3, N=100",
            "relu1d": "Adam + decaying weight decay, N=10, width 1000, 1 seed/dataset",
        },
        "agreement": checks, "results": results, "total_seconds": total, "ok": ok})
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

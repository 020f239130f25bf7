#!/usr/bin/python3
"""PyTorch reference of drift-train's default MNIST training step, for speed comparison.

Same model (drift-train's default mlpconv: MLP 43 -> 512 -> 1024 -> 4x14x14, nearest 2x upsampling,
3x3 convs 4 -> 8 -> 1, SiLU, sigmoid output; or --arch mlp: 43 -> 512 -> 1024 -> 784), same batch (10 classes x
G generated, 4G positives, 2G unconditional negatives; G = --batch-size, 64 as drift-train's default), same field (docs/drift-field.md, floor 0,
taus 0.02/0.05/0.2), AdamW(0.9, 0.95) + clip 2 + EMA 0.999 with warm-up. Prints one JSON line.

Usage: drift_step.py --data-dir data --steps 300 --threads 2
"""
import argparse
import gzip
import json
import os
import time

import numpy as np
import torch
import torch.nn.functional as F


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def find(dirname, stem):
    for name in (stem, stem + ".gz"):
        p = os.path.join(dirname, name)
        if os.path.exists(p):
            return p
    raise SystemExit(f"{os.path.join(dirname, stem)}: not found")


def field(x, pos, unc, w_u, taus=(0.02, 0.05, 0.2), floor=0.0):
    """x [B,G,D], pos [B,P,D], unc [B,U,D], w_u [B] -> V [B,G,D], s."""
    B, G, D = x.shape
    P, U = pos.shape[1], unc.shape[1]
    T = torch.cat([x, unc, pos], 1)
    w = torch.cat([x.new_ones(B, G), w_u[:, None].expand(B, U), x.new_ones(B, P)], 1)
    sq = (x * x).sum(-1, keepdim=True) + (T * T).sum(-1)[:, None, :] - 2 * torch.bmm(x, T.transpose(1, 2))
    dist = sq.clamp_min(1e-8).sqrt()
    dbar = (dist * w[:, None, :]).sum() / (w.sum() * G)
    s = (dbar / D ** 0.5).clamp_min(1e-3)
    xs, Ts = x / s, T / s
    dn = dist / dbar.clamp_min(1e-3)
    dn[:, :, :G] += 100.0 * torch.eye(G)
    V = torch.zeros_like(xs)
    split = G + U
    for tau in taus:
        logits = -dn / tau
        # sqrt(row softmax * col softmax) in one exp, as field.cpp does
        A = (logits - 0.5 * torch.logsumexp(logits, 2, keepdim=True) - 0.5 * torch.logsumexp(logits, 1, keepdim=True)).exp()
        if floor > 0:
            A = A.clamp_min(floor ** 0.5)
        A = A * w[:, None, :]
        an, ap = A[:, :, :split], A[:, :, split:]
        coef = torch.cat([-an * ap.sum(2, keepdim=True), ap * an.sum(2, keepdim=True)], 2)
        Fo = torch.bmm(coef, Ts) - coef.sum(2, keepdim=True) * xs
        V = V + Fo / Fo.pow(2).mean().clamp_min(1e-8).sqrt()
    return V, s


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", default="data")
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--warmup-steps", type=int, default=20, help="untimed steps first")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--arch", choices=["mlpconv", "mlp"], default="mlpconv", help="drift-train's --arch")
    ap.add_argument("--batch-size", type=int, default=64, help="drift-train's --batch-size G")
    a = ap.parse_args()
    if a.threads > 0:  # 0: PyTorch's default, as drift-train --threads 0
        torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    d = os.path.join(a.data_dir, "mnist")
    X = torch.from_numpy(read_idx(find(d, "train-images-idx3-ubyte")).reshape(-1, 784).astype(np.float32) / 255.0)
    Y = torch.from_numpy(read_idx(find(d, "train-labels-idx1-ubyte")).astype(np.int64))
    K, G, L = 10, a.batch_size, 32
    P, U = 4 * G, 2 * G
    by_class = [torch.nonzero(Y == k).flatten() for k in range(K)]

    layers = [torch.nn.Linear(L + K + 1, 512), torch.nn.SiLU(), torch.nn.Linear(512, 1024), torch.nn.SiLU()]
    if a.arch == "mlp":
        layers += [torch.nn.Linear(1024, 784), torch.nn.Sigmoid()]
    else:  # mlpconv: last layer read as a 4 x 14 x 14 image, upsampled, two 3x3 convs
        layers += [torch.nn.Linear(1024, 4 * 14 * 14), torch.nn.Unflatten(1, (4, 14, 14)),
                   torch.nn.Upsample(scale_factor=2, mode="nearest"), torch.nn.Conv2d(4, 8, 3, padding=1),
                   torch.nn.SiLU(), torch.nn.Conv2d(8, 1, 3, padding=1), torch.nn.Sigmoid(), torch.nn.Flatten()]
    model = torch.nn.Sequential(*layers)
    ema = [p.detach().clone() for p in model.parameters()]
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.95), weight_decay=0.0)

    def step(i):
        u1 = torch.rand(K)
        alpha = torch.where(torch.rand(K) < 0.5, torch.ones(K), (1 + u1 * (4.0 ** -2 - 1)) ** (-0.5))
        eps = torch.randn(K * G, L)
        labels = torch.arange(K).repeat_interleave(G)
        inp = torch.cat([eps, F.one_hot(labels, K).float(), (alpha.repeat_interleave(G) - 1)[:, None]], 1)
        pos = torch.stack([X[c[torch.randint(len(c), (P,))]] for c in by_class])
        unc = X[torch.randint(len(X), (K * U,))].view(K, U, 784)
        w_u = (alpha - 1) * (G - 1) / U
        for g in opt.param_groups:
            g["lr"] = 1e-3 * min(1.0, (i + 1) / 200)
        x = model(inp).view(K, G, 784)
        with torch.no_grad():
            V, s = field(x.detach(), pos, unc, w_u)
        xs = x / s
        loss = (xs - (xs.detach() + V)).pow(2).mean()
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 2.0)
        opt.step()
        decay = min(0.999, (1 + i) / (10 + i))  # EMA warm-up, as native/train/ema.cpp
        with torch.no_grad():
            for e, p in zip(ema, model.parameters()):
                e.mul_(decay).add_(p, alpha=1 - decay)
        return loss.item()

    for i in range(a.warmup_steps):
        step(i)
    t0, c0 = time.perf_counter(), time.process_time()
    for i in range(a.steps):
        loss = step(a.warmup_steps + i)
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(json.dumps({"impl": "pytorch-reference", "torch": torch.__version__, "threads": a.threads,
                      "steps": a.steps, "arch": a.arch, "seconds": dt, "steps_per_s": a.steps / dt,
                      "cpu_ms_per_step": 1000 * cpu / a.steps, "loss": loss}))


if __name__ == "__main__":
    main()

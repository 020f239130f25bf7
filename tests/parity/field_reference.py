#!/usr/bin/python3
"""Torch (float64) transcription of the drift field of /work/shared/drift-field.md, written
from the spec independently of the Eigen code. Reference for test_field_torch_ref.

usage: field_reference.py DIR G P U D w_u floor taus(comma) dbar raw rmsnorm [B]
reads DIR/{x,pos,uncond}.f32 (raw little-endian float32, row-major; B groups one after the
other), writes DIR/v_ref.f32. With B groups, d-bar is the weighted mean over every group's
pairs and each tau's RMS is over every group's force (the spec's batch semantics).
"""
import sys
import numpy as np
import torch


def field(xs, poss, uncs, w_u, taus, floor, dbar_given, raw, rmsnorm):
    """xs, poss, uncs: lists with one [G,D], [P,D], [U,D] tensor per group."""
    D = xs[0].shape[1]
    groups = []
    num, den = 0.0, 0.0
    for x, pos, unc in zip(xs, poss, uncs):
        G = x.shape[0]
        T = torch.cat([x, unc, pos], 0)
        w = torch.cat([torch.ones(G), torch.full((unc.shape[0],), w_u), torch.ones(pos.shape[0])]).double()
        dist = torch.sqrt(torch.clamp(((x[:, None, :] - T[None, :, :]) ** 2).sum(-1), min=1e-8))
        num = num + (dist * w[None]).sum()
        den = den + w.sum() * G
        groups.append((x, T, w, dist, G + unc.shape[0]))
    dbar = num / den if dbar_given <= 0 else torch.tensor(dbar_given).double()
    s = torch.clamp(dbar / D ** 0.5, min=1e-3)
    V = [torch.zeros_like(x) for x in xs]
    for tau in taus:
        Fs = []
        for x, T, w, dist, neg in groups:
            G = x.shape[0]
            dn = dist / torch.clamp(dbar, min=1e-3)
            ss = s
            if raw:
                ss = torch.tensor(1.0).double()
                dn = dist.clone()
            mask = torch.zeros_like(dn)
            mask[:, :G] = torch.eye(G).double() * 100.0
            L = -(dn + mask) / tau
            prod = torch.softmax(L, 1) * torch.softmax(L, 0)
            if floor > 0:
                prod = torch.clamp(prod, min=floor)
            A = torch.sqrt(prod) * w[None]
            an, ap = A[:, :neg], A[:, neg:]
            coef = torch.cat([-an * ap.sum(1, keepdim=True), ap * an.sum(1, keepdim=True)], 1)
            Fs.append((coef @ (T / ss)) - coef.sum(1, keepdim=True) * (x / ss))
        allF = torch.cat([F.reshape(-1) for F in Fs])
        rms = torch.sqrt(torch.clamp((allF ** 2).mean(), min=1e-8))
        for b, F in enumerate(Fs):
            V[b] = V[b] + (F / rms if rmsnorm else F)
    return torch.cat(V, 0)


def main():
    d = sys.argv[1]
    G, P, U, D = (int(a) for a in sys.argv[2:6])
    w_u, floor = float(sys.argv[6]), float(sys.argv[7])
    taus = [float(t) for t in sys.argv[8].split(",")]
    dbar, raw, rmsnorm = float(sys.argv[9]), sys.argv[10] == "1", sys.argv[11] == "1"
    B = int(sys.argv[12]) if len(sys.argv) > 12 else 1
    def load(name, n):
        a = np.fromfile(f"{d}/{name}.f32", dtype="<f4") if n > 0 else np.zeros(0, "<f4")
        return list(torch.from_numpy(a.reshape(B * n, D).astype(np.float64)).split(max(n, 1)) if n > 0
                    else [torch.zeros(0, D, dtype=torch.float64)] * B)
    V = field(load("x", G), load("pos", P), load("uncond", U), w_u, taus, floor, dbar, raw, rmsnorm)
    V.numpy().astype("<f4").tofile(f"{d}/v_ref.f32")


if __name__ == "__main__":
    main()

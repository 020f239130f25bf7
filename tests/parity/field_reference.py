#!/usr/bin/python3
"""Torch (float64) transcription of the drift field of /work/shared/drift-field.md, written
from the spec independently of the Eigen code. Reference for test_field_torch_ref.

usage: field_reference.py DIR G P U D w_u floor taus(comma) dbar raw rmsnorm
reads DIR/{x,pos,uncond}.f32 (raw little-endian float32, row-major), writes DIR/v_ref.f32
"""
import sys
import numpy as np
import torch


def field(x, pos, unc, w_u, taus, floor, dbar_given, raw, rmsnorm):
    G, D = x.shape
    T = torch.cat([x, unc, pos], 0)
    w = torch.cat([torch.ones(G), torch.full((unc.shape[0],), w_u), torch.ones(pos.shape[0])]).double()
    dist = torch.sqrt(torch.clamp(((x[:, None, :] - T[None, :, :]) ** 2).sum(-1), min=1e-8))
    dbar = (dist * w[None]).sum() / (w.sum() * G) if dbar_given <= 0 else torch.tensor(dbar_given).double()
    s = torch.clamp(dbar / D ** 0.5, min=1e-3)
    dn = dist / torch.clamp(dbar, min=1e-3)
    if raw:
        s = torch.tensor(1.0).double()
        dn = dist.clone()
    mask = torch.zeros_like(dn)
    mask[:, :G] = torch.eye(G).double() * 100.0
    dn = dn + mask
    neg = G + unc.shape[0]
    V = torch.zeros_like(x)
    for tau in taus:
        L = -dn / tau
        prod = torch.softmax(L, 1) * torch.softmax(L, 0)
        if floor > 0:
            prod = torch.clamp(prod, min=floor)
        A = torch.sqrt(prod) * w[None]
        an, ap = A[:, :neg], A[:, neg:]
        coef = torch.cat([-an * ap.sum(1, keepdim=True), ap * an.sum(1, keepdim=True)], 1)
        F = (coef @ (T / s)) - coef.sum(1, keepdim=True) * (x / s)
        rms = torch.sqrt(torch.clamp((F ** 2).mean(), min=1e-8))
        V = V + (F / rms if rmsnorm else F)
    return V


def main():
    d = sys.argv[1]
    G, P, U, D = (int(a) for a in sys.argv[2:6])
    w_u, floor = float(sys.argv[6]), float(sys.argv[7])
    taus = [float(t) for t in sys.argv[8].split(",")]
    dbar, raw, rmsnorm = float(sys.argv[9]), sys.argv[10] == "1", sys.argv[11] == "1"
    def load(name, n):
        a = np.fromfile(f"{d}/{name}.f32", dtype="<f4") if n > 0 else np.zeros(0, "<f4")
        return torch.from_numpy(a.reshape(n, D).astype(np.float64))
    V = field(load("x", G), load("pos", P), load("uncond", U), w_u, taus, floor, dbar, raw, rmsnorm)
    V.numpy().astype("<f4").tofile(f"{d}/v_ref.f32")


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Writes a drift-model (docs/weights-format.md) with PyTorch-style random init, for benches.

The layer lists are drift-train's (native/models/generator.cpp): the MNIST MLP
43 -> 512 -> 1024 -> 784 (SiLU), the mlpconv generator (that MLP read as [4,14,14], up2,
conv 4->8 3x3, SiLU, conv 8->1 3x3, sigmoid). An independent writer of the spec:
drift-infer / the wasm core load what it writes.
    make_model.py --out DIR [--arch mlp|mlpconv] [--dtype f32|f16] [--seed 0]
"""
import argparse, hashlib, json, os
import numpy as np


def layers_for(arch):
    L, K = 32, 10
    D = L + K + 1
    conv = lambda i, o: {"type": "conv2d", "in_channels": i, "out_channels": o, "kernel": 3, "padding": 1}
    if arch in ("mlp", "mlpconv"):
        dims = [D, 512, 1024, 784]
        out = []
        for i in range(3):
            out.append({"type": "linear", "in": dims[i], "out": dims[i + 1]})
            if i < 2:
                out.append({"type": "silu"})
        if arch == "mlpconv":
            out += [{"type": "reshape", "shape": [4, 14, 14]}, {"type": "upsample_nearest", "scale": 2},
                    conv(4, 8), {"type": "silu"}, conv(8, 1), {"type": "sigmoid"}, {"type": "flatten"}]
        return L, K, out
    raise ValueError(arch)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--arch", default="mlp", choices=["mlp", "mlpconv"])
    ap.add_argument("--dtype", default="f32", choices=["f32", "f16"])
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    L, K, layers = layers_for(a.arch)
    tensors, blobs, off = [], [], 0

    def add(name, arr):
        nonlocal off
        data = arr.astype(np.float32 if a.dtype == "f32" else np.float16).tobytes()
        pad = (-off) % 4
        blobs.append(b"\0" * pad + data)
        off += pad
        tensors.append({"name": name, "shape": list(arr.shape), "dtype": a.dtype, "offset": off, "length": len(data)})
        off += len(data)

    for i, l in enumerate(layers):
        if l["type"] == "linear":
            fan, shape = l["in"], (l["out"], l["in"])
        elif l["type"] == "conv2d":
            fan, shape = l["in_channels"] * 9, (l["out_channels"], l["in_channels"], 3, 3)
        else:
            continue
        b = 1 / np.sqrt(fan)
        l["weight"], l["bias"] = f"layer{i}.weight", f"layer{i}.bias"
        add(l["weight"], rng.uniform(-b, b, shape))
        add(l["bias"], rng.uniform(-b, b, shape[0]))
    binary = b"".join(blobs)
    manifest = {
        "format": "drift-model", "version": 1,
        "architecture": {"layers": layers},
        "conditioning": {"num_classes": K, "latent_dim": L, "alpha_range": [1, 4], "alpha_encoding": "alpha_minus_one"},
        "output": {"shape": [1, 28, 28], "range": [0, 1]},
        "tensors": tensors,
        "bin": {"file": "model.bin", "bytes": len(binary), "sha256": hashlib.sha256(binary).hexdigest()},
        "training": {"dataset": "none (random init, bench)", "steps": 0, "seed": a.seed},
    }
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "model.bin"), "wb") as f:
        f.write(binary)
    with open(os.path.join(a.out, "model.json"), "w") as f:
        json.dump(manifest, f, indent=1)


if __name__ == "__main__":
    main()

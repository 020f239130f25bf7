#!/usr/bin/python3
"""LibTorch CPU (through python3-torch's libtorch), one thread, on a drift-model.

    torch_bench.py MODEL_DIR BATCHES SECONDS  ->  one JSON line {"libtorch-cpu (python3-torch)": [...]}
The network is rebuilt from model.json's layer list (all layer types), weights from model.bin.
"""
import json, os, sys, time
import numpy as np
import torch
import torch.nn.functional as F


def load(model_dir):
    m = json.load(open(os.path.join(model_dir, "model.json")))
    raw = open(os.path.join(model_dir, m["bin"]["file"]), "rb").read()
    t = {}
    for e in m["tensors"]:
        dt = np.float32 if e["dtype"] == "f32" else np.float16
        a = np.frombuffer(raw, dtype=dt, count=e["length"] // np.dtype(dt).itemsize, offset=e["offset"])
        t[e["name"]] = torch.from_numpy(a.astype(np.float32).reshape(e["shape"]))
    return m, t


def forward(m, t, x):
    for l in m["architecture"]["layers"]:
        ty = l["type"]
        if ty == "linear": x = F.linear(x, t[l["weight"]], t.get(l.get("bias")))
        elif ty == "conv2d": x = F.conv2d(x, t[l["weight"]], t.get(l.get("bias")), padding=l["padding"])
        elif ty == "upsample_nearest": x = F.interpolate(x, scale_factor=l["scale"], mode="nearest")
        elif ty == "reshape": x = x.reshape(x.shape[0], *l["shape"])
        elif ty == "flatten": x = x.flatten(1)
        elif ty == "relu": x = F.relu(x)
        elif ty == "silu": x = F.silu(x)
        elif ty == "tanh": x = torch.tanh(x)
        elif ty == "sigmoid": x = torch.sigmoid(x)
        elif ty == "gelu_tanh": x = F.gelu(x, approximate="tanh")
        elif ty == "leaky_relu": x = F.leaky_relu(x, l.get("slope", 0.01))
        else: raise SystemExit(f"torch_bench: unknown layer {ty}")
    return x


def main():
    model_dir, batches, seconds = sys.argv[1], [int(b) for b in sys.argv[2].split(",")], float(sys.argv[3])
    torch.set_num_threads(1)
    m, t = load(model_dir)
    L, K = m["conditioning"]["latent_dim"], m["conditioning"]["num_classes"]
    out = []
    with torch.inference_mode():
        for n in batches:
            eps = torch.randn(n, L)
            labels = torch.arange(n) % max(K, 1)
            parts = [eps] + ([F.one_hot(labels, K).float()] if K else []) + [torch.full((n, 1), 1.0)]
            def call():
                y = forward(m, t, torch.cat(parts, 1))
                return float(y[0, 0])
            call()
            calls, t0 = 0, time.process_time()  # CPU time: robust on a loaded machine
            while True:
                call(); calls += 1
                el = time.process_time() - t0
                if el >= seconds and calls >= 3: break
            out.append({"batch": n, "samples_per_s": n * calls / el, "calls": calls, "clock": "cpu"})
    print(json.dumps({"libtorch-cpu (python3-torch)": out}))


if __name__ == "__main__":
    main()

#!/usr/bin/python3
# SHA-256 of what a training checkpoint learnt: every tensor of its EMA weights, optimised
# weights and optimizer state (names, dtypes, shapes, bytes, in sorted order), its step, the
# sampler stream's state and the architecture. Left out: the wall time, and the stored options
# (they hold --out and the command line; compare options.json separately), so two runs that
# computed the same thing hash the same wherever they wrote and however long they took.
#   /usr/bin/python3 scripts/weights-sha.py RUN/model_final.pt ...
import hashlib, sys
import torch

def walk(mod, prefix, h):
    for name, t in sorted(list(mod.named_parameters(recurse=False)) + list(mod.named_buffers(recurse=False))):
        if prefix == "" and name == "wall_s":
            continue
        t = t.detach().contiguous()
        h.update(f"{prefix}{name} {t.dtype} {tuple(t.shape)}\n".encode())
        h.update(t.numpy().tobytes() if t.dtype != torch.bfloat16 else t.float().numpy().tobytes())
    for name in sorted(n for n, _ in mod.named_children()):
        walk(getattr(mod, name), prefix + name + ".", h)

for path in sys.argv[1:]:
    m = torch.jit.load(path, map_location="cpu")
    h = hashlib.sha256()
    walk(m, "", h)
    h.update(f"config={m.config}\n".encode())  # the architecture (JSON)
    print(f"{h.hexdigest()}  {path}")

#!/usr/bin/python3
"""Merges the engines' JSON (one object per line on stdin) and sizes into one table + JSON.

    report.py OUT_JSON SIZES_JSON < results   (prints the markdown table)
"""
import json, sys

out_path, sizes_path = sys.argv[1], sys.argv[2]
engines = {}
for line in sys.stdin:
    line = line.strip()
    if line.startswith("{"):
        for name, rows in json.loads(line).items():
            engines[name] = {r["batch"]: r["samples_per_s"] for r in rows}
sizes = json.load(open(sizes_path))
batches = sorted({b for rows in engines.values() for b in rows})
order = ["native-eigen", "drift-wasm-node", "drift-wasm-chromium", "libtorch-cpu (python3-torch)", "tfjs-wasm-node", "tfjs-wasm-chromium"]
names = [e for e in order if e in engines] + [e for e in engines if e not in order]
print("Clock: CPU time of the process for native, node and LibTorch (robust on a shared machine);")
print("wall time in Chromium (no CPU clock in browsers), so its rows read low when the machine is loaded.\n")
print("| engine (digits/s, 1 thread) | " + " | ".join(f"batch {b}" for b in batches) + " |")
print("|---|" + "---:|" * len(batches))
for e in names:
    print(f"| {e} | " + " | ".join(f"{engines[e].get(b, float('nan')):,.0f}" for b in batches) + " |")
print()
print("| download | bytes | gzip -9 |")
print("|---|---:|---:|")
for k, v in sizes.items():
    print(f"| {k} | {v['bytes']:,} | {v['gzip']:,} |")
json.dump({"samples_per_s": engines, "sizes": sizes}, open(out_path, "w"), indent=1)
print(f"\n(JSON: {out_path})")

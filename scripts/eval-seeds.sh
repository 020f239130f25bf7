#!/usr/bin/env bash
# One model, several sampling-noise seeds: how much of an eval figure is the model and how
# much is the 10,000 noise vectors it happened to draw. Runs `drift-train eval` once per seed
# and prints, per alpha, the mean and the min-max of each metric (markdown), plus JSON.
#
#   scripts/eval-seeds.sh MODEL [ALPHAS] [SEEDS]
#     ALPHAS  default 1,1.25,1.5,2      SEEDS  default 1234,1,2,3 (1234 is eval's default)
#   env: OUT=DIR (per-seed metrics and seeds.json; default a temp dir)  N=10000  DTYPE=f32|int8|f16
#        DRIFT_TRAIN=path/to/drift-train
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${DRIFT_TRAIN:-build/native/bin/drift-train}
MODEL=${1:?usage: scripts/eval-seeds.sh MODEL [ALPHAS] [SEEDS]}
ALPHAS=${2:-1,1.25,1.5,2}
SEEDS=${3:-1234,1,2,3}
N=${N:-10000}
DTYPE=${DTYPE:-f32}   # the weights as `export --dtype` writes them: f32 (as trained), f16, int8
OUT=${OUT:-$(mktemp -d)}
[ -x "$BIN" ] || { echo "eval-seeds: $BIN not found; build drift-train or set DRIFT_TRAIN" >&2; exit 1; }
[ -f "$MODEL" ] || { echo "eval-seeds: $MODEL: no such model file" >&2; exit 1; }
mkdir -p "$OUT"

files=()
for s in ${SEEDS//,/ }; do
  "$BIN" eval --model-path "$MODEL" --alpha "$ALPHAS" --n "$N" --seed "$s" --dtype "$DTYPE" \
    --out "$OUT/seed_$s.json" > /dev/null
  files+=("$OUT/seed_$s.json")
done

python3 - "$MODEL" "$OUT/seeds.json" "${files[@]}" <<'PY'
import json, os, sys
model, out, files = sys.argv[1], sys.argv[2], sys.argv[3:]
runs = [json.load(open(f)) for f in files]
keys = [("fd_over_floor", "FD/floor", 1), ("accuracy", "acc %", 100), ("precision", "precision", 1),
        ("recall", "recall", 1), ("density", "density", 1), ("coverage", "coverage", 1)]
# density/coverage: only in evals of a drift-train that has them
keys = [k for k in keys if all(k[0] in r["alphas"][0] for r in runs)]
rows = []
for i, first in enumerate(runs[0]["alphas"]):
    row = {"alpha": first["alpha"]}
    for k, _, _ in keys:
        v = [r["alphas"][i][k] for r in runs]
        row[k] = {"mean": sum(v) / len(v), "min": min(v), "max": max(v)}
    rows.append(row)
print(f"{model}: {len(runs)} noise seeds, n {runs[0]['n']} per alpha; mean (min-max)\n")
print("| α | " + " | ".join(name for _, name, _ in keys) + " |")
print("|---" * (len(keys) + 1) + "|")
for row in rows:
    cells = []
    for k, _, scale in keys:
        m = row[k]
        fmt = "%.2f" if scale == 100 or k == "fd_over_floor" else "%.3f"
        cells.append((fmt % (scale * m["mean"])) + " (" + (fmt % (scale * m["min"])) + "–" + (fmt % (scale * m["max"])) + ")")
    print(f"| {row['alpha']:g} | " + " | ".join(cells) + " |")
tmp = out + ".tmp"
with open(tmp, "w") as f:
    json.dump({"model": model, "seeds": len(runs), "alphas": rows}, f, indent=1)
os.replace(tmp, out)
print(f"\nwrote {out}")
PY

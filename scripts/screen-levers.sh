#!/usr/bin/env bash
# Reduced-length, equal-compute screening of the coverage levers (docs/results.md, "Coverage
# levers: a reduced-length screening"): every arm gets the compute of S baseline steps, i.e.
# S / (its step cost ratio to the baseline, from scripts/bench-levers.sh) steps, one seed, then
# one `drift-train eval` (n = N per alpha). Trainings run one at a time under `nice -n 10` and
# wait while /tmp/drift-quiet* exists (someone is timing). Finished runs are reused.
#
#   scripts/screen-levers.sh BENCH_JSON [OUT_DIR]     (OUT_DIR default runs/screen-levers)
#   env: S=1500  N=10000  ALPHAS=1,1.25,1.5,2,2.5,3  ONLY='regex' (arm names)  DRIFT_TRAIN=...
#        RATIO=cpu_ratio|wall_ratio (which of the bench's ratios; default cpu_ratio)
# BENCH_JSON: the JSON line scripts/bench-levers.sh printed.
# Prints a markdown table (also OUT_DIR/table.md) at the smallest alpha with >= 99% accuracy,
# or at the most accurate alpha where none reaches it.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${DRIFT_TRAIN:-build/native/bin/drift-train}
BENCH=${1:?usage: scripts/screen-levers.sh BENCH_JSON [OUT_DIR]}
OUT=${2:-runs/screen-levers}
S=${S:-1500}
N=${N:-10000}
ALPHAS=${ALPHAS:-1,1.25,1.5,2,2.5,3}
ONLY=${ONLY:-.}
[ -x "$BIN" ] || { echo "screen-levers: $BIN not found; build drift-train or set DRIFT_TRAIN" >&2; exit 1; }
[ -f "$BENCH" ] || { echo "screen-levers: $BENCH: no such file (the JSON of scripts/bench-levers.sh)" >&2; exit 1; }
mkdir -p "$OUT"
# The arm's cost ratio in BENCH_JSON (RATIO=cpu_ratio, the default, or wall_ratio), at least 1:
# every lever does the baseline's work plus its own, so a ratio below 1 is the bench's noise.
RATIO=${RATIO:-cpu_ratio}
ratio() {
  python3 -c 'import json,sys; print(max(1.0, json.load(open(sys.argv[1]))["arms"][sys.argv[2]][sys.argv[3]]))' "$BENCH" "$1" "$RATIO"
}
quiet() { while ls /tmp/drift-quiet* > /dev/null 2>&1; do sleep 10; done; }

evaluate() {  # NAME MODEL
  if [ ! -f "$OUT/$1.metrics.json" ]; then
    quiet
    nice -n 10 "$BIN" eval --model-path "$2" --alpha "$ALPHAS" --n "$N" --out "$OUT/$1.metrics.json" > /dev/null
  fi
}

# arm NAME BENCH_ARM BUDGET_MULTIPLE TRAIN_ARGS...
arm() {
  local name=$1 bench=$2 mult=$3; shift 3
  [[ $name =~ $ONLY ]] || return 0
  local steps dir=$OUT/$name
  steps=$(python3 -c 'import sys; print(round(float(sys.argv[1]) * float(sys.argv[2]) / float(sys.argv[3])))' "$S" "$mult" "$(ratio "$bench")")
  if [ ! -f "$dir/model_final.pt" ]; then
    rm -rf "$dir"
    quiet
    echo "== $name: $steps steps: drift-train train $*" >&2
    local t0=$SECONDS
    nice -n 10 "$BIN" train --dataset mnist --out "$dir" --steps "$steps" --seed 0 --no-eval "$@" | tail -n 1 > "$OUT/$name.train.json"
    echo "$steps $((SECONDS - t0)) $*" > "$OUT/$name.args"
  fi
  evaluate "$name" "$dir/model_final.pt"
}

# The baseline is the 2x run's checkpoint at step S: the LR is constant after warm-up and the
# EMA decay depends on the step only, so it is the model a run of S steps ends with.
# Every arm names its key: the screening's baseline had none (the key is the default since).
arm baseline-2x  baseline    2 --disc-key-dim 0 --ckpt-every "$S"
if [[ baseline =~ $ONLY ]]; then
  echo "$S (ckpt_$S.pt of baseline-2x)" > "$OUT/baseline.args"
  evaluate baseline "$OUT/baseline-2x/ckpt_$S.pt"
fi
arm clip-median  clip-median 1 --disc-key-dim 0 --velocity-clip median
arm halves       halves      1 --disc-key-dim 0 --class-split 2
arm clip-unit    clip-unit   1 --disc-key-dim 0 --velocity-clip unit
arm disc-key     disc-key    1 --disc-key-dim 64 --disc-key-weight 0.2
arm disc-key-w0.3 disc-key   1 --disc-key-dim 64 --disc-key-weight 0.3

python3 - "$OUT" <<'PY' | tee "$OUT/table.md"
import json, os, sys
out = sys.argv[1]
names = ["baseline", "clip-median", "clip-unit", "halves", "disc-key", "disc-key-w0.3", "baseline-2x"]
print("| arm | steps | train wall s | α | FD/floor | acc % | precision | recall | density | coverage |")
print("|---|---|---|---|---|---|---|---|---|---|")
floor = None
for n in names:
    f = os.path.join(out, n + ".metrics.json")
    if not os.path.exists(f):
        continue
    r = json.load(open(f))
    floor = r["floor"]
    steps, wall = (open(os.path.join(out, n + ".args")).read().split() + ["-"])[:2]
    wall = "-" if wall.startswith("(") else wall
    ok = [a for a in r["alphas"] if a["accuracy"] >= 0.99]
    a = min(ok, key=lambda a: a["alpha"]) if ok else max(r["alphas"], key=lambda a: a["accuracy"])
    tag = f"{a['alpha']:g}" + ("" if ok else " (no α reaches 99%)")
    print(f"| {n} | {steps} | {wall} | {tag} | {a['fd_over_floor']:.2f} | {100 * a['accuracy']:.2f} | "
          f"{a['precision']:.3f} | {a['recall']:.3f} | {a['density']:.3f} | {a['coverage']:.3f} |")
if floor:
    print(f"| real (test vs train) | | | | 1.00 | {100 * floor['accuracy']:.2f} | {floor['precision']:.3f} | "
          f"{floor['recall']:.3f} | {floor['density']:.3f} | {floor['coverage']:.3f} |")
print()
print("| arm | α | FD/floor | acc % | precision | recall | density | coverage |")
print("|---|---|---|---|---|---|---|---|")
for n in names:
    f = os.path.join(out, n + ".metrics.json")
    if not os.path.exists(f):
        continue
    for a in json.load(open(f))["alphas"]:
        print(f"| {n} | {a['alpha']:g} | {a['fd_over_floor']:.2f} | {100 * a['accuracy']:.2f} | {a['precision']:.3f} | "
              f"{a['recall']:.3f} | {a['density']:.3f} | {a['coverage']:.3f} |")
PY

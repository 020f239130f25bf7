#!/usr/bin/env bash
# Step cost of the coverage levers (docs/training.md, "Coverage levers") against the default
# MNIST step, side by side on one machine: each arm is run for 20 and for 20+STEPS steps with
# the default workers and threads, and its cost is the wall (and CPU) time of the STEPS extra
# steps, which removes start-up and data loading. The arms are interleaved and repeated ROUNDS
# times; the fastest round of each arm counts (the least disturbed by other load).
# Prints a markdown table and JSON (the ratio to the baseline is what the equal-compute
# screening in docs/results.md divides its step counts by).
# Usage: scripts/bench-levers.sh [STEPS=100] [ROUNDS=2]   (env BIN=path/to/drift-train, DATA=data,
#        ARMS="baseline disc-key": only these arms; the baseline is always among them)
set -euo pipefail
cd "$(dirname "$0")/.."
STEPS=${1:-100}
ROUNDS=${2:-2}
BIN=${BIN:-build/native/bin/drift-train}
DATA=${DATA:-data}
[[ -x "$BIN" ]] || { echo "bench-levers: $BIN not built (cmake --build build/native --target drift-train)" >&2; exit 1; }
[[ -d "$DATA/mnist" ]] || { echo "bench-levers: $DATA/mnist missing (scripts/fetch-data.sh)" >&2; exit 1; }
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
# The baseline is the recipe the levers were screened against: the key off (it is the default now).
declare -A ARGS=([baseline]="--disc-key-dim 0" [clip-median]="--disc-key-dim 0 --velocity-clip median"
                 [clip-unit]="--disc-key-dim 0 --velocity-clip unit" [halves]="--disc-key-dim 0 --class-split 2"
                 [disc-key]="--disc-key-dim 64 --disc-key-weight 0.2")
read -r -a ARMS <<< "${ARMS:-baseline clip-median clip-unit halves disc-key}"
[[ " ${ARMS[*]} " == *" baseline "* ]] || ARMS=(baseline "${ARMS[@]}")
for arm in "${ARMS[@]}"; do [[ -v "ARGS[$arm]" ]] || { echo "bench-levers: unknown arm $arm" >&2; exit 1; }; done

run() {  # $1 arm, $2 steps, $3 tag -> "<wall s> <cpu s>"
  local t0 t1
  t0=$(date +%s.%N)
  # shellcheck disable=SC2086
  /usr/bin/time -f "%U %S" -o "$OUT/$3.time" "$BIN" train --dataset mnist --data-dir "$DATA" --out "$OUT/$3" \
    --steps "$2" --ckpt-every 0 --no-eval --device cpu ${ARGS[$1]} > /dev/null 2>&1
  t1=$(date +%s.%N)
  echo "$(echo "$t1 - $t0" | bc) $(awk '{print $1 + $2}' "$OUT/$3.time")"
}

: > "$OUT/rows"
for r in $(seq 1 "$ROUNDS"); do
  for arm in "${ARMS[@]}"; do
    read -r w0 c0 < <(run "$arm" 20 "$arm-$r-short")
    read -r w1 c1 < <(run "$arm" $((20 + STEPS)) "$arm-$r-long")
    echo "$arm $r $(echo "($w1 - $w0) * 1000 / $STEPS" | bc -l) $(echo "($c1 - $c0) * 1000 / $STEPS" | bc -l)" >> "$OUT/rows"
    echo "bench-levers: round $r $arm done" >&2
  done
done

python3 - "$OUT/rows" "$STEPS" "$ROUNDS" <<'PY'
import json, sys
rows = [l.split() for l in open(sys.argv[1])]
best = {}
for arm, _, wall, cpu in rows:
    w, c = float(wall), float(cpu)
    if arm not in best or w < best[arm][0]:
        best[arm] = (w, c)
base = best["baseline"]
print(f"{sys.argv[2]} steps after 20, fastest of {sys.argv[3]} rounds, default workers and threads\n")
print("| arm | wall ms/step | CPU ms/step | wall ratio | CPU ratio |")
print("|---|---|---|---|---|")
out = {}
for arm, (w, c) in best.items():
    out[arm] = {"wall_ms_per_step": w, "cpu_ms_per_step": c, "wall_ratio": w / base[0], "cpu_ratio": c / base[1]}
    print(f"| {arm} | {w:.1f} | {c:.1f} | {w / base[0]:.3f} | {c / base[1]:.3f} |")
print(json.dumps({"steps": int(sys.argv[2]), "rounds": int(sys.argv[3]), "arms": out,
                  "all_rounds": [{"arm": a, "round": int(r), "wall_ms_per_step": float(w), "cpu_ms_per_step": float(c)}
                                 for a, r, w, c in rows]}))
PY

#!/usr/bin/env bash
# Wall time of one default image eval (`drift-train eval`: n = 10,000 per α, the four default α,
# MNIST), split by phase (metrics.json's seconds_by_phase), with the process's user and sys CPU
# seconds (/usr/bin/time; on a shared machine CPU seconds move less than wall).
# Without MODEL and CLASSIFIER it trains, once, a 200-step generator and a 1-epoch classifier
# under WORK: the eval's cost does not depend on how good either is.
# THREADS=0 (default): no thread setting, what a user gets (LibTorch's default intra-op threads
# plus OpenBLAS's own pool); THREADS=N: OMP_NUM_THREADS=N for both.
# Usage: scripts/bench-eval.sh [MODEL.pt [CLASSIFIER.pt]]
#        (env BIN=path/to/drift-train, DATA=data, WORK=/tmp/drift-bench-eval, THREADS=0)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-build/native/bin/drift-train}
DATA=${DATA:-data}
WORK=${WORK:-/tmp/drift-bench-eval}
THREADS=${THREADS:-0}
[[ -x "$BIN" ]] || { echo "bench-eval: $BIN not built (cmake --build build/native --target drift-train)" >&2; exit 1; }
[[ -d "$DATA/mnist" ]] || { echo "bench-eval: $DATA/mnist missing (scripts/fetch-data.sh)" >&2; exit 1; }
mkdir -p "$WORK"
MODEL=${1:-$WORK/run/model_final.pt}
CLASSIFIER=${2:-$WORK/classifier.pt}
if [[ ! -f "$CLASSIFIER" ]]; then
  [[ $# -ge 2 ]] && { echo "bench-eval: $CLASSIFIER: no such file" >&2; exit 1; }
  echo "bench-eval: training a 1-epoch classifier into $CLASSIFIER" >&2
  "$BIN" classifier --dataset mnist --data-dir "$DATA" --epochs 1 --out "$CLASSIFIER" >&2
fi
if [[ ! -f "$MODEL" ]]; then
  [[ $# -ge 1 ]] && { echo "bench-eval: $MODEL: no such file" >&2; exit 1; }
  echo "bench-eval: training a 200-step generator into $WORK/run" >&2
  "$BIN" train --dataset mnist --data-dir "$DATA" --out "$WORK/run" --steps 200 --ckpt-every 0 \
    --no-eval --device cpu >&2
fi

THREAD_ENV=(DRIFT_BENCH_DEFAULT_THREADS=1)  # a no-op variable: env needs one
[[ $THREADS != 0 ]] && THREAD_ENV=(OMP_NUM_THREADS="$THREADS")
env "${THREAD_ENV[@]}" /usr/bin/time -f "%e %U %S" -o "$WORK/eval.time" "$BIN" eval --model-path "$MODEL" \
  --classifier "$CLASSIFIER" --data-dir "$DATA" --out "$WORK/metrics.json" > "$WORK/eval.log"

python3 - "$WORK/metrics.json" "$WORK/eval.time" "$THREADS" "$(nproc)" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
wall, user, sys_s = (float(x) for x in open(sys.argv[2]).read().split()[-3:])
phases = m.get("seconds_by_phase", {})
print(f"eval n={m['n']}, {len(m['alphas'])} alphas, THREADS={sys.argv[3]}, {sys.argv[4]} cores")
print(f"{'phase':<18}{'seconds':>9}")
for name, s in sorted(phases.items(), key=lambda kv: -kv[1]):
    print(f"{name:<18}{s:9.2f}")
print(f"{'eval (inside)':<18}{m['seconds']:9.2f}")
print(f"{'process wall':<18}{wall:9.2f}   user {user:.2f} s, sys {sys_s:.2f} s")
print(json.dumps({"n": m["n"], "alphas": len(m["alphas"]), "threads": int(sys.argv[3]),
                  "wall_s": wall, "user_s": user, "sys_s": sys_s, "eval_s": m["seconds"],
                  "seconds_by_phase": phases}))
EOF

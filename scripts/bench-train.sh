#!/usr/bin/env bash
# Speed of one default MNIST training step: drift-train (LibTorch C++) vs the PyTorch
# reference of the same step (scripts/reference/drift_step.py), same thread count.
# Usage: scripts/bench-train.sh [STEPS=300] [THREADS=2]   (env BIN=path/to/drift-train)
set -euo pipefail
cd "$(dirname "$0")/.."
STEPS=${1:-300}
THREADS=${2:-2}
BIN=${BIN:-build/native/bin/drift-train}
DATA=${DATA:-data}
[[ -x "$BIN" ]] || { echo "bench-train: $BIN not built (cmake --build --preset native --target drift-train)" >&2; exit 1; }
[[ -d "$DATA/mnist" ]] || { echo "bench-train: $DATA/mnist missing (scripts/fetch-data.sh)" >&2; exit 1; }
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

# drift-train: a short untimed run is not possible inside one process, so run STEPS+20 and
# let the loop's own steps/s (setup excluded) speak; checkpoints off, logging every 50.
CPP_JSON=$("$BIN" train --dataset mnist --data-dir "$DATA" --out "$OUT/run" --steps $((STEPS + 20)) \
  --threads "$THREADS" --ckpt-every 0 --no-eval --device cpu 2>/dev/null | tail -1)
PY_JSON=$(OMP_NUM_THREADS=$THREADS /usr/bin/python3 scripts/reference/drift_step.py --data-dir "$DATA" \
  --steps "$STEPS" --threads "$THREADS")

/usr/bin/python3 - "$CPP_JSON" "$PY_JSON" "$THREADS" <<'PY'
import json, sys
cpp, py, threads = json.loads(sys.argv[1]), json.loads(sys.argv[2]), int(sys.argv[3])
c, p = cpp["steps_per_s"], py["steps_per_s"]
print(f"{'implementation':<28}{'steps/s':>10}")
print(f"{'drift-train (LibTorch C++)':<28}{c:>10.2f}")
print(f"{'PyTorch reference (Python)':<28}{p:>10.2f}")
print(f"{'ratio C++/Python':<28}{c / p:>10.2f}x  (goal >= 1.3x)")
print(json.dumps({"threads": threads, "cpp_steps_per_s": c, "python_steps_per_s": p, "ratio": c / p,
                  "python_torch": py["torch"]}))
PY

#!/usr/bin/env bash
# Speed of one default MNIST training step: drift-train (LibTorch C++) vs the PyTorch
# reference of the same step (scripts/reference/drift_step.py), same thread count. The
# reference has no discriminative key, so drift-train runs without it (--disc-key-dim 0; the
# key adds about 6% per step, docs/results.md).
# Two figures: wall steps/s, and CPU milliseconds per step (user+sys; robust on a shared
# machine). For drift-train the CPU time of a 20-step run is subtracted from a
# (STEPS+20)-step run, which removes start-up and data loading.
# Both processes get OMP_NUM_THREADS=THREADS: OpenBLAS (the GEMMs of both sides) reads it, while
# torch::set_num_threads does not reach OpenBLAS's own thread pool, so without it drift-train's
# GEMMs would use every core whatever --threads says.
# THREADS=0: neither side sets any thread count (no --threads, no OMP_NUM_THREADS, no
# torch.set_num_threads): what a user gets by default. On the 2-core machine that is LibTorch's
# 1 intra-op thread plus OpenBLAS's 2, the fastest setting for both sides (docs/training.md).
# Usage: scripts/bench-train.sh [STEPS=300] [THREADS=2]   (env BIN=path/to/drift-train, DATA=data,
#        G=64: generated samples per class, passed to both sides; 64 is drift-train's default)
set -euo pipefail
cd "$(dirname "$0")/.."
STEPS=${1:-300}
THREADS=${2:-2}
THREAD_ENV=(OMP_NUM_THREADS="$THREADS")
[[ $THREADS == 0 ]] && THREAD_ENV=(DRIFT_BENCH_DEFAULT_THREADS=1)  # a no-op variable: env needs one
BIN=${BIN:-build/native/bin/drift-train}
DATA=${DATA:-data}
G=${G:-64}
[[ -x "$BIN" ]] || { echo "bench-train: $BIN not built (cmake --build --preset native --target drift-train)" >&2; exit 1; }
[[ -d "$DATA/mnist" ]] || { echo "bench-train: $DATA/mnist missing (scripts/fetch-data.sh)" >&2; exit 1; }
# The same glibc malloc settings for both processes: with the defaults, whether the step's
# multi-MB buffers are reused or handed back to the kernel and faulted in again every step
# depends on the process's allocation history (the dynamic mmap threshold), which moved the
# reference between 72 and 110 CPU ms/step, and a C++ loop of the same step between 56 and 66. Fixed thresholds
# take that accident out of the comparison (override by exporting other values).
export MALLOC_MMAP_THRESHOLD_=${MALLOC_MMAP_THRESHOLD_:-268435456} MALLOC_TRIM_THRESHOLD_=${MALLOC_TRIM_THRESHOLD_:-1073741824}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

cpp_run() {  # $1 = steps, $2 = run name; prints "<cpu seconds> <json>"
  local json
  json=$(env "${THREAD_ENV[@]}" /usr/bin/time -f "%U %S" -o "$OUT/$2.time" "$BIN" train --dataset mnist --data-dir "$DATA" \
    --out "$OUT/$2" --steps "$1" --threads "$THREADS" --batch-size "$G" --ckpt-every 0 --no-eval --device cpu \
    --disc-key-dim 0 2>/dev/null | tail -1)
  echo "$(awk '{print $1 + $2}' "$OUT/$2.time") $json"
}
read -r CPU_SHORT _ < <(cpp_run 20 short)
read -r CPU_LONG CPP_JSON < <(cpp_run $((STEPS + 20)) long)
PY_JSON=$(env "${THREAD_ENV[@]}" /usr/bin/python3 scripts/reference/drift_step.py --data-dir "$DATA" \
  --steps "$STEPS" --threads "$THREADS" --batch-size "$G")

/usr/bin/python3 - "$CPP_JSON" "$PY_JSON" "$THREADS" "$CPU_SHORT" "$CPU_LONG" "$STEPS" "$G" <<'PY'
import json, sys
cpp, py = json.loads(sys.argv[1]), json.loads(sys.argv[2])
threads, short, long_, steps = int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6])
G = int(sys.argv[7])
c_wall, p_wall = cpp["steps_per_s"], py["steps_per_s"]
c_cpu = 1000.0 * (long_ - short) / steps
p_cpu = py["cpu_ms_per_step"]
print(f"one MNIST step, G = {G} generated per class, {steps} steps")
print(f"{'implementation':<28}{'wall steps/s':>14}{'CPU ms/step':>14}")
print(f"{'drift-train (LibTorch C++)':<28}{c_wall:>14.2f}{c_cpu:>14.1f}")
print(f"{'PyTorch reference (Python)':<28}{p_wall:>14.2f}{p_cpu:>14.1f}")
print(f"{'ratio (C++ faster by)':<28}{c_wall / p_wall:>13.2f}x{p_cpu / c_cpu:>13.2f}x   (goal >= 1.3x)")
print(json.dumps({"threads": threads, "steps": steps, "G": G, "cpp_steps_per_s": c_wall, "python_steps_per_s": p_wall,
                  "wall_ratio": c_wall / p_wall, "cpp_cpu_ms_per_step": c_cpu, "python_cpu_ms_per_step": p_cpu,
                  "cpu_ratio": p_cpu / c_cpu, "python_torch": py["torch"]}))
PY

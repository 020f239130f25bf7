#!/usr/bin/env bash
# Several processes against one, on this machine, in one run: the default MNIST step trained by
# 1 process with 2 threads and by 2 processes (Gloo on loopback, torchrun's variables) with 1
# thread each. Prints steps/s of both and the time rank 0 spends per step in all-reduces
# (including waiting for the slower rank), as a table and as JSON.
#   scripts/bench-dist.sh [STEPS=200] [extra drift-train train flags...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${DRIFT_TRAIN:-$root/build/native/bin/drift-train}
steps=${1:-200}
shift || true
[ -x "$bin" ] || { echo "bench-dist: $bin is not built (cmake --build build/native --target drift-train)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
args=(train --dataset mnist --data-dir "$root/data" --steps "$steps" --no-eval --ckpt-every 0 --log-every "$steps" "$@")

# 1 process, 2 threads.
"$bin" "${args[@]}" --threads 2 --out "$work/one" >"$work/one.json" 2>"$work/one.err" || { cat "$work/one.err"; exit 1; }

# 2 processes, 1 thread each.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
pids=()
for r in 0 1; do
  RANK=$r WORLD_SIZE=2 LOCAL_RANK=$r LOCAL_WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=$port \
    "$bin" "${args[@]}" --threads 1 --out "$work/two" >"$work/two.$r.json" 2>"$work/two.$r.err" &
  pids+=($!)
done
for r in 0 1; do wait "${pids[$r]}" || { cat "$work/two.$r.err"; exit 1; }; done

python3 - "$work" "$steps" <<'EOF'
import json, sys
work, steps = sys.argv[1], int(sys.argv[2])
one = json.load(open(f"{work}/one.json"))
two = json.load(open(f"{work}/two.0.json"))
ar = two["last"].get("dist/allreduce_ms", float("nan"))
step_ms = 1e3 / two["steps_per_s"]
print(f"default MNIST step (10 groups x G 64), {steps} steps, Gloo on loopback")
print(f"{'run':34s} {'steps/s':>8s} {'all-reduce ms/step':>19s}")
print(f"{'1 process x 2 threads':34s} {one['steps_per_s']:8.2f} {'-':>19s}")
print(f"{'2 processes x 1 thread (Gloo)':34s} {two['steps_per_s']:8.2f} {ar:13.2f} ({100 * ar / step_ms:.0f}%)")
print(f"{'ratio 2 processes / 1 process':34s} {two['steps_per_s'] / one['steps_per_s']:7.2f}x")
print(json.dumps({"steps": steps, "one_process_2_threads": {"steps_per_s": one["steps_per_s"]},
                  "two_processes_1_thread": {"steps_per_s": two["steps_per_s"], "allreduce_ms_per_step": ar,
                                             "step_ms": step_ms}}))
EOF

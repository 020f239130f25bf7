#!/usr/bin/env bash
# How one training run uses this machine's cores, side by side in one run (docs/training.md,
# "Workers"): the same steps trained
#   - by 1 worker, as drift-train trained before --workers (one process, the libraries' default
#     threads: LibTorch 1 intra-op thread here, OpenBLAS one per core), and by 1 worker x 2 threads,
#   - with drift-train's default (--workers auto: one worker process per core, capped by the groups),
#   - by 2 ranks of 1 thread started by hand with torchrun's variables (Gloo on loopback),
#   - and, as the ceiling of the other design (in-process replicas summing gradients in shared
#     memory, no all-reduce at all): 2 independent 1-thread processes at once, each training
#     the whole step; such replicas would each train half of it, so 2 x their mean steps/s.
# Prints steps/s, the ratios and rank 0's all-reduce time per step, as a table and as JSON.
#   scripts/bench-dist.sh [STEPS=200] [extra drift-train train flags...]
#   DATASET=moons scripts/bench-dist.sh 300    # the toy step (1 group: the default is 1 worker)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${DRIFT_TRAIN:-$root/build/native/bin/drift-train}
steps=${1:-200}
shift || true
dataset=${DATASET:-mnist}
[ -x "$bin" ] || { echo "bench-dist: $bin is not built (cmake --build build/native --target drift-train)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
args=(train --dataset "$dataset" --data-dir "$root/data" --steps "$steps" --no-eval --ckpt-every 0 --log-every "$steps" "$@")
run() {  # NAME FLAGS...: one run, its result line in NAME.json
  local name=$1
  shift
  "$bin" "${args[@]}" "$@" --out "$work/$name" >"$work/$name.json" 2>"$work/$name.err" || { cat "$work/$name.err"; exit 1; }
}

run one --workers 1
run one_t2 --workers 1 --threads 2
run default
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
pids=()
for r in 0 1; do
  RANK=$r WORLD_SIZE=2 LOCAL_RANK=$r LOCAL_WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=$port \
    "$bin" "${args[@]}" --threads 1 --out "$work/ranks" >"$work/ranks.$r.json" 2>"$work/ranks.$r.err" &
  pids+=($!)
done
for r in 0 1; do wait "${pids[$r]}" || { cat "$work/ranks.$r.err"; exit 1; }; done
run solo_a --workers 1 --threads 1 &
pa=$!
run solo_b --workers 1 --threads 1 &
pb=$!
wait $pa && wait $pb

python3 - "$work" "$steps" "$dataset" <<'EOF'
import json, re, sys
work, steps, dataset = sys.argv[1], int(sys.argv[2]), sys.argv[3]
load = lambda name: json.load(open(f"{work}/{name}.json"))
one, one_t2, default, ranks = load("one"), load("one_t2"), load("default"), load("ranks.0")
solo = [load("solo_a")["steps_per_s"], load("solo_b")["steps_per_s"]]
ceiling = 2 * sum(solo) / 2
workers = re.search(r"(\d+) workers on this machine", open(f"{work}/default.err").read())
workers = int(workers.group(1)) if workers else 1
def ar(r):
    v = r["last"].get("dist/allreduce_ms")
    return f"{v:8.2f} ({100 * v * r['steps_per_s'] / 1e3:.0f}%)" if v is not None else "-"
rows = [("1 worker, default threads (before)", one), ("1 worker x 2 threads", one_t2),
        (f"default (--workers auto: {workers})", default),
        ("2 ranks x 1 thread (torchrun vars)", ranks)]
print(f"{dataset} default step, {steps} steps")
print(f"{'run':40s} {'steps/s':>8s} {'vs before':>9s} {'all-reduce ms/step':>19s}")
for name, r in rows:
    print(f"{name:40s} {r['steps_per_s']:8.2f} {r['steps_per_s'] / one['steps_per_s']:8.2f}x {ar(r):>19s}")
print(f"{'in-process replicas, ceiling (2 x solo)':40s} {ceiling:8.2f} {ceiling / one['steps_per_s']:8.2f}x {'0 (none)':>19s}")
print(f"default / 2 ranks: {default['steps_per_s'] / ranks['steps_per_s']:.3f}")
print(json.dumps({"dataset": dataset, "steps": steps, "default_workers": workers,
                  "one_worker_default_threads": one["steps_per_s"], "one_worker_2_threads": one_t2["steps_per_s"],
                  "default": default["steps_per_s"],
                  "two_ranks_1_thread": ranks["steps_per_s"], "in_process_ceiling": ceiling,
                  "solo_1_thread_concurrent": solo,
                  "allreduce_ms": {"default": default["last"].get("dist/allreduce_ms"),
                                   "two_ranks": ranks["last"].get("dist/allreduce_ms")}}))
EOF

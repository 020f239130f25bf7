#!/usr/bin/env bash
# Several processes, failures (docs/training.md, "Several processes"): 2 ranks of drift-train on
# loopback with Gloo, started with torchrun's variables, on a toy set (1 group: the second rank
# trains a replica).
#   1. rank 1 killed (SIGKILL): rank 0 exits non-zero within --dist-timeout with one line;
#   2. rank 1 hung (SIGSTOP): rank 0 exits non-zero after about --dist-timeout with one line;
#   3. SIGINT to rank 1 only: both ranks agree, exit 130, and rank 0 alone writes one checkpoint.
# Usage: check_dist_failure.sh DRIFT_TRAIN WORK_DIR
set -euo pipefail
bin=$1 work=$2
rm -rf "$work"
mkdir -p "$work"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
now() { date +%s%N; }
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

# start NAME TIMEOUT: 2 ranks training for a long time; sets pid0, pid1.
start() {
  local name=$1 timeout=$2 port r
  port=$(free_port)
  for r in 0 1; do
    RANK=$r WORLD_SIZE=2 LOCAL_RANK=$r LOCAL_WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=$port \
      "$bin" train --dataset checkerboard --batch-size 64 --steps 1000000 --log-every 1 --ckpt-every 0 \
      --no-eval --threads 1 --dist-timeout "$timeout" --out "$work/$name" >"$work/$name.rank$r.log" 2>&1 &
    pids+=($!)
    eval "pid$r=$!"
  done
  # Wait until both train: rank 0 has logged a few steps.
  local i
  for ((i = 0; i < 600; i++)); do
    if [ -s "$work/$name/metrics.jsonl" ] && [ "$(grep -c '"tag":"loss"' "$work/$name/metrics.jsonl")" -ge 3 ]; then return 0; fi
    kill -0 "$pid0" 2>/dev/null && kill -0 "$pid1" 2>/dev/null || { cat "$work/$name".rank*.log; echo "FAIL: a rank exited early"; exit 1; }
    sleep 0.1
  done
  echo "FAIL: $name: no training progress after 60 s"; cat "$work/$name".rank*.log; exit 1
}

# expect_failure NAME PID LIMIT_S T0: PID exits non-zero within LIMIT_S seconds of T0 with one
# "distributed: ..." line.
expect_failure() {
  local name=$1 pid=$2 limit=$3 t0=$4 rc=0 i
  for ((i = 0; i < limit * 10; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && { echo "FAIL: $name: rank 0 still running after ${limit} s"; exit 1; }
  wait "$pid" || rc=$?
  local ms=$((($(now) - t0) / 1000000))
  [ "$rc" -ne 0 ] || { echo "FAIL: $name: rank 0 exited 0"; exit 1; }
  local msg
  msg=$(grep -E 'distributed: ' "$work/$name.rank0.log" || true)
  [ "$(wc -l <<<"$msg")" -eq 1 ] && [ -n "$msg" ] || { echo "FAIL: $name: no one-line message:"; cat "$work/$name.rank0.log"; exit 1; }
  echo "$name: rank 0 exited $rc after ${ms} ms: $msg"
}

# 1. A rank dies.
start killed 30
t0=$(now)
kill -9 "$pid1"
expect_failure killed "$pid0" 30 "$t0"

# 2. A rank hangs: the others give up after --dist-timeout (3 s here).
start hung 3
t0=$(now)
kill -STOP "$pid1"
expect_failure hung "$pid0" 20 "$t0"
kill -9 "$pid1" 2>/dev/null || true

# 3. SIGINT to one rank: both stop at the same step; rank 0 writes the one checkpoint.
start sigint 30
kill -INT "$pid1"
rc0=0 rc1=0
wait "$pid0" || rc0=$?
wait "$pid1" || rc1=$?
[ "$rc0" = 130 ] && [ "$rc1" = 130 ] || { echo "FAIL: sigint: exit statuses $rc0 $rc1 (want 130 130)"; cat "$work"/sigint.rank*.log; exit 1; }
ckpts=("$work"/sigint/ckpt_*.pt)
[ ${#ckpts[@]} -eq 1 ] && [ -e "${ckpts[0]}" ] || { echo "FAIL: sigint: checkpoints ${ckpts[*]}"; exit 1; }
grep -q "interrupted at step" "$work/sigint.rank0.log" || { echo "FAIL: sigint: rank 0 did not report"; exit 1; }
[ -z "$(cat "$work/sigint.rank1.log")" ] || { echo "FAIL: sigint: rank 1 printed:"; cat "$work/sigint.rank1.log"; exit 1; }
echo "sigint: both ranks exited 130; rank 0 wrote $(basename "${ckpts[0]}")"

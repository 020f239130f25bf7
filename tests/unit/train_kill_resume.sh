#!/usr/bin/env bash
# SIGKILL at random moments, then continue, until KILLS kills have landed: every run that
# completes must equal an uninterrupted run with the same seed, bit for bit (CPU training is
# deterministic), compared as exported f32 model.bin.
# usage: train_kill_resume.sh DRIFT_TRAIN WORK_DIR KILLS MAX_DELAY_MS [train flags...]
# A quarter of the kills land at a random moment of startup (before the first checkpoint,
# sometimes before options.json), the rest 0..MAX_DELAY_MS after training started.
# The moments come from KILL_SEED (printed; set it to replay a failure).
set -uo pipefail
bin=$1 work=$2 kills=$3 max_delay=$4
shift 4
flags=("$@")
# What --resume takes again from the command line: --device and --no-eval are not stored.
# --threads is stored and kept by a bare --resume (a different thread count changes float
# summation order), so it is deliberately not passed again: this checks that it is kept.
resume_flags=()
for ((i = 0; i < ${#flags[@]}; i++)); do
  case "${flags[i]}" in
    --device) resume_flags+=("${flags[i]}" "${flags[i+1]}") ;;
    --no-eval) resume_flags+=(--no-eval) ;;
  esac
done
seed=${KILL_SEED:-$(( $(date +%s) % 100000 ))}
RANDOM=$seed
echo "kill seed $seed (KILL_SEED=$seed replays these kill moments)"
rm -rf "$work" && mkdir -p "$work"
fail() { echo "FAIL: $*"; exit 1; }
ms() { printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)); }

"$bin" train "${flags[@]}" --out "$work/ref" >"$work/ref.log" 2>&1 || { cat "$work/ref.log"; fail "reference run"; }
"$bin" export --model-path "$work/ref/model_final.pt" --out "$work/ref/export" --dtype f32 >/dev/null || fail "export ref"

run="$work/run" landed=0 attempts=0 verified=0
# The one command that continues a run, whether or not it reached its first checkpoint
# (--resume); a run killed before it wrote options.json had not started: the same command again.
start() {
  if [ -f "$run/options.json" ]; then
    "$bin" train --resume "$run" "${resume_flags[@]}" >"$work/attempt.log" 2>&1 &
  else
    "$bin" train "${flags[@]}" --out "$run" >"$work/attempt.log" 2>&1 &
  fi
  pid=$!
}
finished() {  # the run completed: compare it, then start over in a fresh folder
  "$bin" export --model-path "$run/model_final.pt" --out "$run/export" --dtype f32 >/dev/null || fail "export"
  cmp "$work/ref/export/model.bin" "$run/export/model.bin" ||
    fail "a killed-and-resumed run differs from the uninterrupted one"
  verified=$((verified + 1))
  echo "run $verified finished after $landed kills in all: model.bin equal to the uninterrupted run"
  rm -rf "$run"
}
while [ "$landed" -lt "$kills" ]; do
  attempts=$((attempts + 1))
  [ "$attempts" -le $((kills * 4)) ] || fail "only $landed of $kills kills landed in $attempts starts"
  start
  if [ $((RANDOM % 4)) -eq 0 ]; then
    sleep "$(ms $((RANDOM % 1500)))"     # during startup
  else
    for _ in $(seq 600); do grep -q "^run " "$work/attempt.log" 2>/dev/null && break; sleep 0.05; done
    sleep "$(ms $((RANDOM % max_delay)))"
  fi
  if kill -9 "$pid" 2>/dev/null; then
    wait "$pid" 2>/dev/null
    landed=$((landed + 1))
    last=$(ls "$run" 2>/dev/null | grep -E '^(ckpt_[0-9]+|model_final)\.pt$' | sort -t_ -k2 -n | tail -1)
    echo "kill $landed: latest checkpoint ${last:-none}$([ -f "$run/options.json" ] || echo ', no options.json')"
  else
    wait "$pid" || { tail -5 "$work/attempt.log"; fail "a run failed"; }
    finished
  fi
done
start
wait "$pid" || { tail -5 "$work/attempt.log"; fail "the last run failed"; }
finished
echo "PASS: $landed kills (SIGKILL), $verified completed runs, each equal to the uninterrupted run"

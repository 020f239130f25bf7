#!/usr/bin/env bash
# A full disk while drift-train writes a checkpoint, a record (.npy / snapshot) or an export:
# one error line naming the file, exit status 1 (no abort, no stack trace), and the previous
# checkpoint still loads. The disk is "full" through RLIMIT_FSIZE (prlimit --fsize: no write
# may grow a file past N bytes; SIGXFSZ ignored, so write() fails with EFBIG as it would with
# ENOSPC), which needs no mount and no root.
# usage: train_full_disk.sh DRIFT_TRAIN WORK_DIR
set -uo pipefail
bin=$1 work=$2
rm -rf "$work" && mkdir -p "$work"
trap '' XFSZ
fail() { echo "FAIL: $*"; exit 1; }
toy=(--dataset moons --batch-size 64 --seed 3 --threads 1 --no-eval)

# Expect: exit 1, exactly one "drift-train: error:" line matching $1, nothing like an abort.
expect_one_line() {
  local log=$1 code=$2 pattern=$3 what=$4
  [ "$code" -eq 1 ] || { tail -25 "$log"; fail "$what: exit status $code, expected 1"; }
  grep -E -q 'terminate called|c10::Error|frame #|Aborted|Sanitizer' "$log" && { cat "$log"; fail "$what: abort or trace"; }
  [ "$(grep -c '^drift-train: error: ' "$log")" -eq 1 ] || { cat "$log"; fail "$what: not one error line"; }
  grep -E -q "^drift-train: error: $pattern" "$log" || { cat "$log"; fail "$what: error line does not match '$pattern'"; }
  echo "$what: $(grep '^drift-train: error: ' "$log")"
}
# Expect the checkpoint to load (export reads it whole).
expect_loads() {
  "$bin" export --model-path "$1" --out "$work/check_export" >/dev/null 2>"$work/check.log" ||
    { cat "$work/check.log"; fail "$1 does not load"; }
  rm -rf "$work/check_export"
}

# A good run to step 5 (checkpoint + record), the sizes of what it writes.
"$bin" train "${toy[@]}" --steps 5 --ckpt-every 5 --record 5 --out "$work/run" >"$work/first.log" 2>&1 ||
  { cat "$work/first.log"; fail "first run"; }
ckpt=$(stat -c %s "$work/run/ckpt_5.pt") npy=$(stat -c %s "$work/run/record/step_00000005.npy")
snap=$(stat -c %s "$work/run/snapshots/step_00000005.pt") png=$(stat -c %s "$work/run/samples.png")
echo "sizes: checkpoint $ckpt, record .npy $npy, snapshot $snap, samples.png $png bytes"

# 1. Checkpoint: resume to step 10 where no file may exceed half a checkpoint.
limit=$((ckpt / 2))
[ "$limit" -gt "$png" ] && [ "$limit" -gt "$npy" ] || fail "sizes do not allow a checkpoint-only limit"
prlimit --fsize=$limit "$bin" train --resume "$work/run" --steps 10 >"$work/ckpt.log" 2>&1
expect_one_line "$work/ckpt.log" $? ".*/ckpt_10\.pt: cannot write checkpoint: write failed: File too large$" "checkpoint"
[ ! -e "$work/run/ckpt_10.pt" ] || fail "a partial ckpt_10.pt was left"
ls "$work/run" | grep -q '\.tmp\.' && fail "a temp file was left: $(ls "$work/run")"
expect_loads "$work/run/ckpt_5.pt"

# 2. Record: the .npy of step 10 cannot be written (a limit under its size, above the rest
#    written before it).
limit=$((npy / 2))
prlimit --fsize=$limit "$bin" train --resume "$work/run" --steps 10 >"$work/rec.log" 2>&1
expect_one_line "$work/rec.log" $? ".*/record/step_00000010\.npy: write failed: File too large$" "record"
expect_loads "$work/run/ckpt_5.pt"

# 3. Export: model.bin larger than the limit.
prlimit --fsize=1024 "$bin" export --model-path "$work/run/ckpt_5.pt" --out "$work/export" --dtype f32 \
  >"$work/exp.log" 2>&1
expect_one_line "$work/exp.log" $? ".*/model\.bin: write failed: File too large$" "export"
[ ! -e "$work/export/model.json" ] || fail "export left a model.json without its bin"
expect_loads "$work/run/ckpt_5.pt"

# 4. After the disk has room again, the same command continues the run.
"$bin" train --resume "$work/run" --steps 10 >"$work/again.log" 2>&1 || { cat "$work/again.log"; fail "resume after"; }
expect_loads "$work/run/ckpt_10.pt"
echo "PASS: checkpoint, record and export each failed with one line; ckpt_5.pt loaded after each; the run then continued"

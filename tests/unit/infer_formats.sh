#!/usr/bin/env bash
# drift-infer on model files written from the spec by tests/e2e/make-model.mjs (a second
# writer, in JS, not the project's own): an old-format model (version 1, f16) still samples;
# an int8 model (version 2) samples close to the f32 one; one with its snapshots in their own
# files samples from a snapshot; a corrupt int8 bin is one error line naming the file.
#   infer_formats.sh DRIFT_INFER NODE MAKE_MODEL_MJS WORK_DIR
set -euo pipefail
INFER=$1 NODE=$2 MAKE=$3 DIR=$4
rm -rf "$DIR"
mkdir -p "$DIR"
fail() { echo "FAIL: $*"; exit 1; }
for v in f32 f16 int8; do "$NODE" "$MAKE" "$DIR/$v" --dtype "$v" >/dev/null; done
"$NODE" "$MAKE" "$DIR/files" --dtype int8 --snapshot-files >/dev/null
"$NODE" "$MAKE" "$DIR/bad" --dtype int8 --corrupt >/dev/null
grep -q '"version": 1' "$DIR/f16/model.json" || fail "the f16 fixture is not a version-1 file"
grep -q '"version": 2' "$DIR/int8/model.json" || fail "the int8 fixture is not a version-2 file"

for v in f32 f16 int8; do
  "$INFER" sample --model "$DIR/$v/model.json" --out "$DIR/$v.npy" --n 16 --labels 3 --seed 7 \
    || fail "$v: drift-infer sample failed"
done
# Same weights, three dtypes, outputs in [-1, 1]. Measured on this fixture: f16 differs from
# f32 by 4.7e-3 at most (2.1e-4 on average), int8 by 0.11 at most (5.7e-3 on average; the
# random-init net has gain 2, so errors grow through its layers). The bounds leave room for
# that and still catch a wrong row/scale layout (errors of order 0.5), and "not identical"
# shows each dtype was really used.
"$NODE" -e '
const fs = require("fs");
const npy = (p) => { const b = fs.readFileSync(p); const hl = b.readUInt16LE(8);
  return new Float32Array(b.buffer.slice(b.byteOffset + 10 + hl, b.byteOffset + b.length)); };
const [a, h, q] = ["f32", "f16", "int8"].map((v) => npy(`${process.argv[1]}/${v}.npy`));
const max = (x) => x.reduce((m, v, i) => Math.max(m, Math.abs(v - a[i])), 0);
const mean = (x) => x.reduce((m, v, i) => m + Math.abs(v - a[i]), 0) / a.length;
const [mh, mq, ah, aq] = [max(h), max(q), mean(h), mean(q)];
console.log(`|f16 - f32|: max ${mh.toExponential(2)} mean ${ah.toExponential(2)}; |int8 - f32|: max ${mq.toExponential(2)} mean ${aq.toExponential(2)} (${a.length} values)`);
if (a.length !== 16 * 784 || !(mh > 0 && mh < 1e-2 && ah < 1e-3) || !(mq > 0 && mq < 0.25 && aq < 2e-2)) process.exit(1);
' "$DIR" || fail "dtype outputs too far apart"

"$INFER" sample --model "$DIR/files/model.json" --out "$DIR/snap.npy" --labels 1 \
  --snapshot step_00000250 || fail "snapshot from its own file"
rm "$DIR/files/model.snapshot-2.bin"
out=$("$INFER" sample --model "$DIR/files/model.json" --out "$DIR/snap.npy" --labels 1 \
  --snapshot step_00000250 2>&1) && fail "a snapshot whose file is gone still sampled"
[[ $out == *'snapshot "step_00000250" is not loaded yet (its file model.snapshot-2.bin)'* ]] \
  || fail "missing snapshot file: $out"

out=$("$INFER" sample --model "$DIR/bad/model.json" --out "$DIR/bad.npy" --labels 1 2>&1) \
  && fail "a corrupt int8 bin loaded"
[ "$(printf '%s\n' "$out" | wc -l)" = 1 ] || fail "corrupt int8 bin: more than one line: $out"
[[ $out =~ ^drift-infer:\ error:\ .*/bad/model.json:\ model.bin:\ sha256\ [0-9a-f]{64}\ does\ not\ match ]] \
  || fail "corrupt int8 bin: $out"
echo "corrupt int8 bin: $out"
echo "PASS: old f16, int8, snapshot files and a corrupt int8 bin through drift-infer"

#!/usr/bin/env bash
# wasm_vs_native.sh DRIFT_INFER WASM_API_DIR WORK_DIR: the wasm core and the native core give
# the same digits for the same seed (mlp f32, mlp f16, mlpconv f32: every layer type). The
# models come from scripts/bench/make_model.py. Exit 77 (skipped) without a wasm build.
set -euo pipefail
infer=$1 wasm=$2 work=$3
root=$(cd "$(dirname "$0")/../.." && pwd)
[ -f "$wasm/drift_api.js" ] || { echo "no wasm build at $wasm (cmake --build --preset wasm); skipped"; exit 77; }
mkdir -p "$work"
for spec in mlp:f32 mlp:f16 mlpconv:f32; do
  arch=${spec%:*} dtype=${spec#*:} d="$work/$arch-$dtype"
  /usr/bin/python3 "$root/scripts/bench/make_model.py" --out "$d" --arch "$arch" --dtype "$dtype" --seed 3
  "$infer" sample --model "$d/model.json" --seed 1234 --labels 0,3,7,9,1,5,2 --alpha 2.5 --out "$d/native.npy"
  NODE_PATH=${NODE_PATH:-/usr/share/nodejs} node "$root/tests/parity/wasm_vs_native.mjs" "$wasm" "$d" "$d/native.npy" 1234 0,3,7,9,1,5,2 2.5
done

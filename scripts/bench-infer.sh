#!/usr/bin/env bash
# Inference speed of one generator in every engine, single thread, digits (samples) per
# second at batch 1, 16 and 256, plus the download sizes. Prints one table and writes JSON.
#   scripts/bench-infer.sh [--model DIR] [--conv-model DIR|none] [--native-build DIR]
#                          [--wasm-dir DIR] [--seconds S] [--batches 1,16,256] [--out build/bench/bench-infer.json]
# --model: an f32 drift-model folder under the repository (default: a random-init copy of
# drift-train's default MNIST MLP, written by scripts/bench/make_model.py; tfjs builds MLPs only).
# Engines: native Eigen (drift-infer bench), drift wasm in node and in headless Chromium,
# LibTorch CPU (python3-torch), @tensorflow/tfjs-backend-wasm 4.22 in node and Chromium.
# --conv-model: a second model for our engines only (native, wasm node, LibTorch; rows marked
# "· mlpconv"); default a random-init drift-train mlpconv generator (make_model.py --arch mlpconv).
set -euo pipefail
cd "$(dirname "$0")/.."

MODEL=""
CONV_MODEL=""
NATIVE=${NATIVE_BUILD:-build/native}
WASM=${WASM_DIR:-build/wasm/wasm/api}
SECONDS_PER=1
BATCHES=1,16,256
OUT=build/bench/bench-infer.json
while [ $# -gt 0 ]; do
  case "$1" in
    --model) MODEL=$2; shift 2 ;;
    --conv-model) CONV_MODEL=$2; shift 2 ;;
    --native-build) NATIVE=$2; shift 2 ;;
    --wasm-dir) WASM=$2; shift 2 ;;
    --seconds) SECONDS_PER=$2; shift 2 ;;
    --batches) BATCHES=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    -h|--help) sed -n 2,11p "$0"; exit 0 ;;
    *) echo "bench-infer.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done

INFER=""
for c in "$NATIVE/bin/drift-infer" "$NATIVE/wasm/infer/drift-infer"; do [ -x "$c" ] && INFER=$c && break; done
[ -n "$INFER" ] || { echo "bench-infer.sh: $NATIVE: no drift-infer; build it: cmake --build $NATIVE --target drift-infer" >&2; exit 1; }
for f in drift_api.js drift_api.wasm drift_toy.js drift_toy.wasm; do
  [ -f "$WASM/$f" ] || { echo "bench-infer.sh: $WASM/$f: missing; build the wasm module (cmake --build --preset wasm)" >&2; exit 1; }
done
mkdir -p build/bench "$(dirname "$OUT")"
if [ -z "$MODEL" ]; then
  MODEL=build/bench/mlp-f32
  /usr/bin/python3 scripts/bench/make_model.py --out "$MODEL" --arch mlp --dtype f32 --seed 0
  /usr/bin/python3 scripts/bench/make_model.py --out build/bench/mlp-f16 --arch mlp --dtype f16 --seed 0
fi
[ -f "$MODEL/model.json" ] || { echo "bench-infer.sh: $MODEL/model.json: missing" >&2; exit 1; }
if [ -z "$CONV_MODEL" ]; then
  CONV_MODEL=build/bench/mlpconv-f32
  /usr/bin/python3 scripts/bench/make_model.py --out "$CONV_MODEL" --arch mlpconv --dtype f32 --seed 0
fi
[ "$CONV_MODEL" = none ] || [ -f "$CONV_MODEL/model.json" ] || { echo "bench-infer.sh: $CONV_MODEL/model.json: missing" >&2; exit 1; }

export NODE_PATH=${NODE_PATH:-/usr/share/nodejs}
results=$(mktemp)
trap 'rm -f "$results" "$results.sizes"' EXIT
echo "bench-infer: native Eigen ($INFER)" >&2
"$INFER" bench --model "$MODEL/model.json" --batch "$BATCHES" --seconds "$SECONDS_PER" |
  /usr/bin/python3 -c 'import json,sys; print(json.dumps({"native-eigen": [json.loads(l) for l in sys.stdin]}))' >> "$results"
echo "bench-infer: wasm + tfjs in node" >&2
node scripts/bench/node_bench.mjs "$WASM" "$MODEL" "$BATCHES" "$SECONDS_PER" tfjs >> "$results"
echo "bench-infer: wasm + tfjs in headless Chromium" >&2
node scripts/bench/browser.mjs "$WASM" "$MODEL" "$BATCHES" "$SECONDS_PER" >> "$results"
echo "bench-infer: LibTorch CPU" >&2
/usr/bin/python3 scripts/bench/torch_bench.py "$MODEL" "$BATCHES" "$SECONDS_PER" >> "$results"
if [ "$CONV_MODEL" != none ]; then
  # the same engines (not tfjs, not Chromium) on the conv model; rows renamed "<engine> · mlpconv"
  echo "bench-infer: $CONV_MODEL: native Eigen, wasm in node, LibTorch CPU" >&2
  tag='import json,sys
for l in sys.stdin:
    l = l.strip()
    if l.startswith("{"): print(json.dumps({k + " · mlpconv": v for k, v in json.loads(l).items()}))'
  "$INFER" bench --model "$CONV_MODEL/model.json" --batch "$BATCHES" --seconds "$SECONDS_PER" |
    /usr/bin/python3 -c 'import json,sys; print(json.dumps({"native-eigen": [json.loads(l) for l in sys.stdin]}))' |
    /usr/bin/python3 -c "$tag" >> "$results"
  node scripts/bench/node_bench.mjs "$WASM" "$CONV_MODEL" "$BATCHES" "$SECONDS_PER" | /usr/bin/python3 -c "$tag" >> "$results"
  /usr/bin/python3 scripts/bench/torch_bench.py "$CONV_MODEL" "$BATCHES" "$SECONDS_PER" | /usr/bin/python3 -c "$tag" >> "$results"
fi

# Download sizes: what a page fetches for each engine, and the weights. drift ships two
# modules: the inference core (all a page showing digits fetches) and the 2D toy module
# (fetched only for the live 2D panel); each is a .wasm plus its 1 KB loader (wasm/api/module.js).
size_entry() {  # size_entry LABEL FILE...
  local b g
  b=$(cat "${@:2}" | wc -c)
  g=$(for f in "${@:2}"; do gzip -9c "$f"; done | wc -c)
  printf '"%s": {"bytes": %d, "gzip": %d}' "$1" "$b" "$g"
}
TF=node_modules/@tensorflow
{
  echo "{"
  size_entry "drift inference core (model loader + generator): drift_api.wasm + drift_api.js" \
    "$WASM/drift_api.wasm" "$WASM/drift_api.js"; echo ","
  size_entry "drift 2D toy module (toy trainer + drift field, 2D panel only): drift_toy.wasm + drift_toy.js" \
    "$WASM/drift_toy.wasm" "$WASM/drift_toy.js"; echo ","
  size_entry "tfjs: tf-core.min.js + tf-backend-wasm.min.js + tfjs-backend-wasm-simd.wasm" \
    $TF/tfjs-core/dist/tf-core.min.js $TF/tfjs-backend-wasm/dist/tf-backend-wasm.min.js \
    $TF/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm; echo ","
  size_entry "weights: $MODEL (model.json + model.bin)" "$MODEL/model.json" "$MODEL/model.bin"
  if [ -f build/bench/mlp-f16/model.bin ] && [ "$MODEL" = build/bench/mlp-f32 ]; then
    echo ","; size_entry "weights: build/bench/mlp-f16 (model.json + model.bin)" build/bench/mlp-f16/model.json build/bench/mlp-f16/model.bin
  fi
  echo "}"
} > "$results.sizes"
/usr/bin/python3 scripts/bench/report.py "$OUT" "$results.sizes" < "$results"

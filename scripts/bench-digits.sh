#!/usr/bin/env bash
# The digit trainer's step (drift/core/digit_trainer.h) in wasm (node, drift_digits.wasm) and
# compiled natively from the same sources (build/native/bin/drift-digits, same C API), one
# thread each, alternating, best of ROUNDS. Prints a table and one JSON line.
#   scripts/bench-digits.sh [STEPS=40] [ROUNDS=3] [ARCH=]   (environment variables)
# Needs build/wasm (drift_digits) and build/native (drift-digits), and data/mnist for the pack.
set -euo pipefail
cd "$(dirname "$0")/.."
STEPS=${STEPS:-40}
ROUNDS=${ROUNDS:-3}
ARCH=${ARCH:-}
WASM_DIR=${WASM_DIR:-build/wasm}
NATIVE=${NATIVE:-build/native/bin/drift-digits}
PACK=${PACK:-build/bench-digits/digits.pack.gz}
[ -x "$NATIVE" ] || { echo "bench-digits.sh: $NATIVE: missing (cmake --build build/native --target drift-digits)" >&2; exit 1; }
[ -f "$PACK" ] || node scripts/pack-digits.mjs --count 10500 --out "$PACK" >/dev/null
export NODE_PATH=/usr/share/nodejs
best_native= best_wasm=
for r in $(seq "$ROUNDS"); do
  n=$("$NATIVE" bench --pack "$PACK" --steps "$STEPS" ${ARCH:+--arch "$ARCH"} | sed 's/.*"step_ms":\([0-9.]*\).*/\1/')
  w=$(node scripts/bench/digits_bench.mjs --wasm-dir "$WASM_DIR" --pack "$PACK" --steps "$STEPS" ${ARCH:+--arch "$ARCH"} |
      sed 's/.*"step_ms":\([0-9.]*\).*/\1/')
  echo "round $r: native $n ms/step, wasm $w ms/step" >&2
  best_native=$(awk -v a="${best_native:-1e9}" -v b="$n" 'BEGIN{print (b<a)?b:a}')
  best_wasm=$(awk -v a="${best_wasm:-1e9}" -v b="$w" 'BEGIN{print (b<a)?b:a}')
done
ratio=$(awk -v n="$best_native" -v w="$best_wasm" 'BEGIN{printf "%.3f", n/w}')
printf '| build | step ms (best of %s x %s steps) |\n|---|---:|\n| native (drift-digits) | %s |\n| wasm (node %s) | %s |\n| wasm speed / native | %s |\n' \
  "$ROUNDS" "$STEPS" "$best_native" "$(node --version)" "$best_wasm" "$ratio"
printf '{"arch":"%s","steps":%s,"rounds":%s,"native_step_ms":%s,"wasm_step_ms":%s,"wasm_over_native":%s}\n' \
  "${ARCH:-default}" "$STEPS" "$ROUNDS" "$best_native" "$best_wasm" "$ratio"

#!/usr/bin/env bash
# The digit trainer's step (drift/core/digit_trainer.h) in wasm (node: drift_digits.wasm, simd128,
# and drift_digits_relaxed.wasm, relaxed SIMD: FMA in the GEMM) and compiled natively from the
# same sources (build/native/bin/drift-digits, same C API), one thread each, alternating, best of
# ROUNDS. Prints a table and one JSON line.
#   scripts/bench-digits.sh [STEPS=40] [ROUNDS=3] [ARCH=]   (environment variables)
# Needs build/wasm (drift_digits, drift_digits_relaxed) and build/native (drift-digits), and
# data/mnist for the pack. node 20 runs the relaxed module with --experimental-wasm-relaxed-simd.
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
# The node flag relaxed SIMD needs here: none where it is on by default, else node 20's.
has_relaxed='import("./web/lib/modules.js").then((m) => process.exit(m.hasRelaxedSimd() ? 0 : 1))'
if node -e "$has_relaxed"; then relaxed_flag=()
elif node --experimental-wasm-relaxed-simd -e "$has_relaxed" 2>/dev/null; then relaxed_flag=(--experimental-wasm-relaxed-simd)
else echo "bench-digits.sh: node $(node --version) has no relaxed SIMD, with or without --experimental-wasm-relaxed-simd" >&2; exit 1
fi
step_ms() { sed 's/.*"step_ms":\([0-9.]*\).*/\1/'; }
wasm_step() {  # wasm_step MODULE [node flags...]
  local m=$1; shift
  node "$@" scripts/bench/digits_bench.mjs --wasm-dir "$WASM_DIR" --pack "$PACK" --steps "$STEPS" \
    --module "$m" ${ARCH:+--arch "$ARCH"} | step_ms
}
min() { awk -v a="${1:-1e9}" -v b="$2" 'BEGIN{print (b<a)?b:a}'; }
best_native= best_wasm= best_relaxed=
for r in $(seq "$ROUNDS"); do
  n=$("$NATIVE" bench --pack "$PACK" --steps "$STEPS" ${ARCH:+--arch "$ARCH"} | step_ms)
  w=$(wasm_step drift_digits)
  x=$(wasm_step drift_digits_relaxed "${relaxed_flag[@]}")
  echo "round $r: native $n ms/step, wasm simd128 $w ms/step, wasm relaxed $x ms/step" >&2
  best_native=$(min "$best_native" "$n")
  best_wasm=$(min "$best_wasm" "$w")
  best_relaxed=$(min "$best_relaxed" "$x")
done
ratio() { awk -v n="$best_native" -v w="$1" 'BEGIN{printf "%.3f", n/w}'; }
ratio_w=$(ratio "$best_wasm") ratio_x=$(ratio "$best_relaxed")
printf '| build | step ms (best of %s x %s steps) | speed / native |\n|---|---:|---:|\n' "$ROUNDS" "$STEPS"
printf '| native (drift-digits) | %s | 1 |\n' "$best_native"
printf '| wasm simd128 (drift_digits.wasm, node %s) | %s | %s |\n' "$(node --version)" "$best_wasm" "$ratio_w"
printf '| wasm relaxed SIMD (drift_digits_relaxed.wasm) | %s | %s |\n' "$best_relaxed" "$ratio_x"
printf '{"arch":"%s","steps":%s,"rounds":%s,"native_step_ms":%s,"wasm_step_ms":%s,"wasm_over_native":%s,"wasm_relaxed_step_ms":%s,"wasm_relaxed_over_native":%s}\n' \
  "${ARCH:-default}" "$STEPS" "$ROUNDS" "$best_native" "$best_wasm" "$ratio_w" "$best_relaxed" "$ratio_x"

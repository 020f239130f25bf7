#!/usr/bin/env bash
# The train panel's accuracy over time: trains in headless Chromium (one Web Worker) on this
# machine, downloads the model after 15, 30, 60 and 120 s of training, and scores each with
# drift-digit-eval (data/mnist/classifier.pt). Prints a table + JSON
# (build/bench-train-browser/results.json). Waits for a quiet machine and keeps it quiet
# (/tmp/drift-quiet-24web) while the browser trains; the eval runs after, without it.
#   scripts/bench-train-browser.sh [--site build/site] [--times 15,30,60,120] [--n 2000]
set -euo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH=${NODE_PATH:-/usr/share/nodejs}
[ -x build/native/bin/drift-digit-eval ] || { echo "bench-train-browser.sh: build/native/bin/drift-digit-eval: missing (cmake --build build/native --target drift-digit-eval)" >&2; exit 1; }
while ls /tmp/drift-quiet* >/dev/null 2>&1; do echo "waiting for a quiet machine ($(ls /tmp/drift-quiet* | tr '\n' ' '))"; sleep 10; done
QUIET=/tmp/drift-quiet-24web
touch "$QUIET"
trap 'rm -f "$QUIET"' EXIT
node scripts/bench/train-browser.mjs --release "$QUIET" "$@"

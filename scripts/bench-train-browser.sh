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
QUIET=/tmp/drift-quiet-24web
others() { ls /tmp/drift-quiet* 2>/dev/null | grep -vx "$QUIET"; }
while [ -n "$(others)" ]; do echo "waiting for a quiet machine ($(others | tr '\n' ' '))"; sleep 10; done
touch "$QUIET"
trap 'rm -f "$QUIET"' EXIT
# Builds started before the flag still run: give them up to 5 minutes to end (1-min load < 1.5).
for _ in $(seq 30); do awk '{exit !($1 < 1.5)}' /proc/loadavg && break; echo "load $(cut -d' ' -f1 /proc/loadavg): waiting"; sleep 10; done
echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
node scripts/bench/train-browser.mjs --release "$QUIET" "$@"

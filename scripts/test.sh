#!/usr/bin/env bash
# Installs, builds (wasm, site, native, sanitize) and runs every test: unit, parity, wasm, e2e,
# then the torch-free targets' unit and parity tests again under ASan + UBSan, with a few
# seconds of each libFuzzer harness (label fuzz; docs/reliability.md).
# Ends with ctest's summary. Usage: ./scripts/test.sh [ctest args, e.g. -L unit]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export NODE_PATH=/usr/share/nodejs   # emcc needs acorn from Debian's node modules

./scripts/setup.sh

echo "== build: wasm"
cmake --preset wasm >/dev/null
cmake --build --preset wasm
if [ -x scripts/build-site.sh ]; then
  echo "== build: static site"
  ./scripts/build-site.sh
fi
echo "== build: native"
cmake --preset native >/dev/null
cmake --build --preset native

if [ -n "$(ctest --test-dir build/wasm -N 2>/dev/null | grep -E '^ *Test +#')" ]; then
  echo "== tests: wasm build (Catch2 under node)"
  ctest --preset wasm "$@"
fi
echo "== tests: native build (unit, parity, wasm in node, e2e in Chromium)"
ctest --preset native "$@"

echo "== build: sanitize (torch-free targets, ASan + UBSan, libFuzzer harnesses)"
cmake --preset sanitize >/dev/null
cmake --build --preset sanitize
echo "== tests: sanitize build (unit, parity, fuzz smoke)"
ctest --preset sanitize "$@"

#!/usr/bin/env bash
# The main job, from a fresh Debian 12 machine: install, fetch data, build, then either use the
# shipped MNIST model (default) or train one on this machine (--train, about 20 minutes on 2 cores),
# and serve the page on http://localhost:8000 (PORT=... to change).
# Without --train only the page is installed and built (Emscripten, the wasm modules, the site);
# LibTorch, Chromium and drift-train come in with --train, or with scripts/test.sh.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export NODE_PATH=/usr/share/nodejs
port=${PORT:-8000}
train=0
for arg in "$@"; do
  case "$arg" in
    --train) train=1 ;;
    -h|--help) sed -n '2,4p' "$0"; exit 0 ;;
    *) echo "demo.sh: unknown option '$arg' (use --train or --help)" >&2; exit 2 ;;
  esac
done

# No shipped model (a checkout without web/models): training is the only way to a page.
[ -f web/models/mnist/model.json ] || train=1
if [ $train = 1 ]; then ./scripts/setup.sh; else ./scripts/setup.sh --page; fi
echo "== build: wasm modules + site"
cmake --preset wasm >/dev/null && cmake --build --preset wasm --target drift_site_modules
./scripts/build-site.sh

if [ $train = 1 ]; then
  echo "== build: drift-train"
  cmake --preset native >/dev/null && cmake --build --preset native --target drift-train
  if [ ! -f data/mnist/classifier.pt ]; then
    echo "== training the evaluation classifier once (data/mnist/classifier.pt, a few minutes)"
    ./build/native/bin/drift-train classifier --dataset mnist
  fi
  run=runs/demo-$(date +%Y%m%d-%H%M%S)
  echo "== training a conditional MNIST model on CPU into $run (progress bar below)"
  # The shipped page model's recipe: narrower hidden widths keep the page under 1 MB (docs/results.md).
  ./build/native/bin/drift-train train --dataset mnist --widths 512,640 --out "$run" --record 100
  # The page's layout: int8 weights, each replay snapshot in its own file.
  ./scripts/export-web-model.sh "$run" "$run/web-model"
  ./scripts/build-site.sh --model "$run/web-model"
  echo "== TensorBoard logs: tensorboard --logdir runs"
fi

echo "== serving build/site on http://localhost:$port (Ctrl-C to stop)"
exec python3 -m http.server "$port" --bind 127.0.0.1 --directory build/site

#!/usr/bin/env bash
# CUDA check for a machine with PyTorch 2.x (its wheel ships LibTorch): build drift-train
# against it, run 300 CUDA training steps on MNIST (or a 2D toy set if data/mnist is absent),
# print steps/s and the final metrics.
# Usage: scripts/gpu-check.sh [STEPS=300]   (env PYTHON=python3, DATA=data, BUILD=build/gpu;
#        DEPS_PREFIX: where the non-torch dependencies are, when not in the system's paths;
#        CMAKE_ARGS: more configure arguments, split on spaces)
set -euo pipefail
cd "$(dirname "$0")/.."
STEPS=${1:-300}
PY=${PYTHON:-python3}
DATA=${DATA:-data}
BUILD=${BUILD:-build/gpu}
PREFIX=$("$PY" -c 'import torch;print(torch.utils.cmake_prefix_path)')
"$PY" -c 'import torch;print("torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available())'
# The non-torch dependencies (Eigen, nlohmann-json, CLI11, libpng, giflib, zlib) must be
# installed; configure names the first one that is missing.
read -r -a EXTRA <<<"${CMAKE_ARGS:-}"
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF \
  -DCMAKE_PREFIX_PATH="$PREFIX${DEPS_PREFIX:+;$DEPS_PREFIX}" "${EXTRA[@]}"
cmake --build "$BUILD" --target drift-train -j"$(nproc)"
BIN="$BUILD/bin/drift-train"
RUN=$(mktemp -d)/gpu-run
if [[ -d "$DATA/mnist" ]]; then
  ARGS=(--dataset mnist --data-dir "$DATA")
else
  echo "gpu-check: $DATA/mnist missing, using the checkerboard toy set" >&2
  ARGS=(--dataset checkerboard)
fi
"$BIN" train "${ARGS[@]}" --steps "$STEPS" --device cuda --out "$RUN" --ckpt-every 0 | tee "$RUN.json"
"$PY" - "$RUN.json" "$RUN/eval.json" <<'PY'
import json, os, sys
r = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
print(f"steps/s on CUDA: {r['steps_per_s']:.2f} ({r['step']} steps in {r['wall_s']:.1f}s)")
print("last scalars:", json.dumps(r["last"]))
if os.path.exists(sys.argv[2]):
    print("quick eval:", open(sys.argv[2]).read())
PY

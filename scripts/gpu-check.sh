#!/usr/bin/env bash
# CUDA check for a machine with PyTorch 2.x (its wheel ships LibTorch): build drift-train
# against it, run 300 CUDA training steps on MNIST (or a 2D toy set if data/mnist is absent),
# print steps/s and the final metrics.
# Usage: scripts/gpu-check.sh [STEPS=300]   (env PYTHON=python3, BUILD=build/gpu, DATA: the folder
#        holding mnist/, default data, or DEPS_PREFIX/data when the tree has no data/mnist;
#        DEPS_PREFIX: where the non-torch dependencies are, when not in the system's paths:
#          a folder written by scripts/gpu-deps.sh (its usr/ is searched, and after the build
#          gpu-deps.sh --verify-build fails unless every such header and library came from it);
#        TORCH_PREFIX: a LibTorch to use instead of python's torch, e.g. Debian's
#          /usr/lib/x86_64-linux-gnu/cmake/Torch (a folder holding TorchConfig.cmake, or a prefix);
#        DEVICE: cuda, cpu or auto (default: cuda when python's torch sees CUDA, else cpu; auto
#          with TORCH_PREFIX); TRAIN_ARGS: more drift-train train arguments, split on spaces;
#        CMAKE_ARGS: more configure arguments, split on spaces; JOBS: build jobs, default nproc)
# On a CPU machine:  TORCH_PREFIX=/usr/lib/x86_64-linux-gnu/cmake/Torch DEPS_PREFIX=.gpudeps \
#                    DEVICE=cpu TRAIN_ARGS=--no-eval scripts/gpu-check.sh 5
set -euo pipefail
cd "$(dirname "$0")/.."
STEPS=${1:-300}
PY=${PYTHON:-python3}
BUILD=${BUILD:-build/gpu}
t0=$(date +%s)
TORCH_ARGS=()
if [[ -n ${TORCH_PREFIX:-} ]]; then
  if [[ -f $TORCH_PREFIX/TorchConfig.cmake ]]; then
    TORCH_ARGS=(-DTorch_DIR="$(cd "$TORCH_PREFIX" && pwd)")
    PREFIX=""
  else
    PREFIX=$(cd "$TORCH_PREFIX" && pwd)
  fi
  echo "gpu-check: LibTorch from TORCH_PREFIX=$TORCH_PREFIX (python's torch not used)"
  DEVICE=${DEVICE:-auto}
else
  PREFIX=$("$PY" -c 'import torch;print(torch.utils.cmake_prefix_path)')
  "$PY" -c 'import torch;print("torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available())'
  if [[ -z ${DEVICE:-} ]]; then
    if [[ $("$PY" -c 'import torch;print(int(torch.cuda.is_available()))') == 1 ]]; then
      DEVICE=cuda
    else
      DEVICE=cpu
      echo "gpu-check: python's torch sees no CUDA device: training on the CPU (DEVICE=cuda to insist)" >&2
    fi
  fi
fi
# The non-torch dependencies (Eigen, nlohmann-json, CLI11, libpng, giflib, zlib) must be
# installed, or in DEPS_PREFIX; configure names the first one that is missing.
SEARCH="$PREFIX"
DEPS_ARGS=()
if [[ -n ${DEPS_PREFIX:-} ]]; then
  DEPS_PREFIX=$(cd "$DEPS_PREFIX" && pwd)
  root=$DEPS_PREFIX
  [[ -d $root/usr/include ]] && root=$root/usr   # the dpkg-deb -x layout of gpu-deps.sh
  # The dependencies come first, before the torch prefix and the system's paths. The library
  # paths also cover compilers that report no multiarch folder (CMAKE_LIBRARY_ARCHITECTURE).
  SEARCH="$root${PREFIX:+;$PREFIX}"
  libdirs=$(printf '%s;' "$root"/lib/*-linux-gnu "$root/lib")
  DEPS_ARGS=(-DCMAKE_INCLUDE_PATH="$root/include" -DCMAKE_LIBRARY_PATH="${libdirs%;}")
  echo "gpu-check: non-torch dependencies from $root"
fi
read -r -a EXTRA <<<"${CMAKE_ARGS:-}"
# -U: forget earlier finds, so a build folder configured before (with other paths, or without
# DEPS_PREFIX) searches again instead of keeping the system's copies in its cache.
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF \
  -U 'PNG_*' -U 'GIF_*' -U 'ZLIB_*' -U Eigen3_DIR -U nlohmann_json_DIR -U CLI11_DIR \
  -DCMAKE_PREFIX_PATH="$SEARCH" "${DEPS_ARGS[@]}" "${TORCH_ARGS[@]}" "${EXTRA[@]}"
cmake --build "$BUILD" --target drift-train -j"${JOBS:-$(nproc)}"
echo "gpu-check: configure + build $(( $(date +%s) - t0 )) s"
if [[ -n ${DEPS_PREFIX:-} ]]; then
  scripts/gpu-deps.sh --verify-build "$BUILD" "$DEPS_PREFIX"
fi
if [[ -z ${DATA:-} ]]; then
  DATA=data
  # gpu-deps.sh puts a gzipped MNIST there, for a tree carried without its data/ (82 MiB).
  if [[ ! -d data/mnist && -n ${DEPS_PREFIX:-} && -d $DEPS_PREFIX/data/mnist ]]; then DATA=$DEPS_PREFIX/data; fi
fi
BIN="$BUILD/bin/drift-train"
RUN=$(mktemp -d)/gpu-run
if [[ -d "$DATA/mnist" ]]; then
  ARGS=(--dataset mnist --data-dir "$DATA")
else
  echo "gpu-check: $DATA/mnist missing, using the checkerboard toy set" >&2
  ARGS=(--dataset checkerboard)
fi
read -r -a TARGS <<<"${TRAIN_ARGS:-}"
"$BIN" train "${ARGS[@]}" --steps "$STEPS" --device "$DEVICE" --out "$RUN" --ckpt-every 0 "${TARGS[@]}" | tee "$RUN.json"
"$PY" - "$RUN.json" "$RUN/eval.json" "$DEVICE" <<'PY'
import json, os, sys
r = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
print(f"steps/s (--device {sys.argv[3]}): {r['steps_per_s']:.2f} ({r['step']} steps in {r['wall_s']:.1f}s)")
print("last scalars:", json.dumps(r["last"]))
if os.path.exists(sys.argv[2]):
    print("quick eval:", open(sys.argv[2]).read())
PY
echo "gpu-check: done in $(( $(date +%s) - t0 )) s"

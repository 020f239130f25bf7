#!/usr/bin/env bash
# Installs everything drift needs on Debian 12, idempotently (as root, or via sudo):
# Debian packages, npm packages from package-lock.json, and the data sets.
# A second run only checks, and takes seconds.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
t0=$(date +%s)
say() { printf 'setup: %s\n' "$*"; }
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi

packages=(
  build-essential cmake ninja-build pkg-config git curl ca-certificates
  libtorch-dev libopenblas0-pthread          # LibTorch; OpenBLAS, or torch falls back to the ~25x slower reference BLAS
  libgloo-dev                                # Gloo's headers, which LibTorch's ProcessGroupGloo.hpp includes (several processes)
  libeigen3-dev nlohmann-json3-dev catch2 libcli11-dev
  libpng-dev libgif-dev libstb-dev zlib1g-dev
  emscripten binaryen                        # the WebAssembly build
  clang libclang-rt-14-dev                   # the sanitize preset: ASan + UBSan + libFuzzer (docs/reliability.md)
  chromium                                   # browser tests and the wasm-in-browser benchmark
  python3-torch python3-numpy                # the reference step in scripts/bench-train.sh only
  python3-protobuf protobuf-compiler         # cross-checks our TensorBoard event files with Google's protobuf
  dataset-fashion-mnist
)
command -v npm >/dev/null || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${#missing[@]} Debian packages: ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  say "Debian packages: all ${#packages[@]} present"
fi

# LibTorch must run on OpenBLAS, not the reference BLAS.
blas_alt=libblas.so.3-x86_64-linux-gnu
blas_now=$(update-alternatives --query "$blas_alt" 2>/dev/null | awk '/^Value:/{print $2}')
case "$blas_now" in
  *openblas*) say "BLAS: $blas_now" ;;
  *)
    target=$(update-alternatives --list "$blas_alt" | grep openblas | head -n1)
    [ -n "$target" ] || { say "error: no OpenBLAS alternative for $blas_alt"; exit 1; }
    $SUDO update-alternatives --set "$blas_alt" "$target"
    say "BLAS: switched $blas_alt to $target"
    ;;
esac

# npm packages, exactly as locked. Skipped when node_modules already matches the lock file.
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -f node_modules/.drift-lock-sha256 ] && [ "$(cat node_modules/.drift-lock-sha256)" = "$lock_sum" ]; then
  say "npm packages: up to date"
else
  say "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_sum" > node_modules/.drift-lock-sha256
fi

say "data:"
"$root/scripts/fetch-data.sh"
say "done in $(( $(date +%s) - t0 )) s"

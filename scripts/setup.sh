#!/usr/bin/env bash
# Installs everything drift needs on Debian 12 or 13, idempotently (as root, or via sudo):
# Debian packages, npm packages from package-lock.json, and the data sets.
# On Debian 13 also Catch2 v3's amalgamated source (see below).
# A second run only checks, and takes seconds.
#   scripts/setup.sh          everything: the trainer (LibTorch), the page, every test
#   scripts/setup.sh --page   only what building and serving the page needs (demo.sh without
#                             --train): Emscripten, CMake, the header-only libraries, node, MNIST
set -euo pipefail
page_only=0
case "${1:-}" in
  --page) page_only=1 ;;
  "") ;;
  *) echo "setup.sh: unknown option '$1' (use --page, or nothing for everything)" >&2; exit 2 ;;
esac
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
t0=$(date +%s)
say() { printf 'setup: %s\n' "$*"; }
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi

# What differs between the releases, and only that, is decided here.
release=$(. /etc/os-release 2>/dev/null && echo "${VERSION_ID:-}")
codename=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
case "$release" in
  12) catch2_pkg=catch2 ;;          # Catch2 v2: one header, catch2/catch.hpp
  13) catch2_pkg=libcatch2-dev ;;   # Catch2 v3: a compiled library (tests/drift_catch.h)
  *) say "error: /etc/os-release: VERSION_ID '$release' is not a Debian release this script knows (12 or 13)"; exit 1 ;;
esac

# The page: the wasm core and its modules (Emscripten; Eigen and nlohmann/json are header-only;
# Catch2 because the wasm preset configures its tests), the site (node packs the trainer's digits).
packages=(
  cmake ninja-build pkg-config git curl ca-certificates
  libeigen3-dev nlohmann-json3-dev "$catch2_pkg"
  emscripten binaryen                        # the WebAssembly build
)
if [ $page_only = 0 ]; then
  packages+=(
    build-essential
    libtorch-dev libopenblas0-pthread        # LibTorch; OpenBLAS, or torch falls back to the ~25x slower reference BLAS
    libgloo-dev                              # Gloo's headers, which LibTorch's ProcessGroupGloo.hpp includes (several processes)
    libcli11-dev libpng-dev libgif-dev libstb-dev zlib1g-dev
    clang libclang-rt-dev                    # the sanitize preset: ASan + UBSan + libFuzzer (docs/reliability.md)
    chromium                                 # browser tests and the wasm-in-browser benchmark
    python3-torch python3-numpy time         # the reference step in scripts/bench-train.sh only; /usr/bin/time there
    python3-protobuf protobuf-compiler       # cross-checks our TensorBoard event files with Google's protobuf
    dataset-fashion-mnist
  )
fi
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

# LibTorch must run on OpenBLAS, not the reference BLAS (the page needs neither).
blas_alt=libblas.so.3-x86_64-linux-gnu
blas_now=$(update-alternatives --query "$blas_alt" 2>/dev/null | awk '/^Value:/{print $2}')
[ $page_only = 1 ] && blas_now=skip
case "$blas_now" in
  skip) ;;
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

# Catch2 v3 ships no header-only form, and its Debian library is built for the host, so the
# Catch2 tests compiled to wasm (tests/wasm) use its amalgamated source, which is in Debian's
# source package. Fetched once into build/catch2-v3 with a private apt list (this machine's own
# sources are left alone). Debian 12's Catch2 v2 is one header and needs nothing.
if [ "$release" = 13 ]; then
  c2=build/catch2-v3
  if [ -f "$c2/catch_amalgamated.cpp" ] && [ -f "$c2/catch_amalgamated.hpp" ]; then
    say "Catch2 v3 amalgamated source: present ($c2)"
  else
    c2tmp=$(mktemp -d)
    mkdir -p "$c2tmp/lists/partial" "$c2tmp/cache/archives/partial"
    mirror=$(grep -rhoE '^(deb|URIs:) +(\[[^]]*\] +)?https?://[^ ]+' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null |
             grep -oE 'https?://[^ ]+' | grep -v security | head -n1)
    echo "deb-src ${mirror:-http://deb.debian.org/debian} ${codename:-trixie} main" > "$c2tmp/sources.list"
    apt_priv=(-o Dir::Etc::sourcelist="$c2tmp/sources.list" -o Dir::Etc::sourceparts=/dev/null
              -o Dir::State::Lists="$c2tmp/lists" -o Dir::Cache="$c2tmp/cache")
    ( cd "$c2tmp" && apt-get "${apt_priv[@]}" update -q >/dev/null &&
      apt-get "${apt_priv[@]}" source --download-only -q catch2 >/dev/null 2>&1 ) ||
      { say "error: apt-get source --download-only catch2 failed (deb-src of ${mirror:-deb.debian.org})"; exit 1; }
    mkdir -p "$c2"
    tar -xf "$c2tmp"/catch2_*.orig.tar.* -C "$c2" --strip-components=2 --wildcards '*/extras/catch_amalgamated.*'
    rm -rf "$c2tmp"
    say "Catch2 v3 amalgamated source: $(ls "$c2" | tr '\n' ' ')-> $c2"
  fi
fi

say "data:"
"$root/scripts/fetch-data.sh"
say "done in $(( $(date +%s) - t0 )) s"

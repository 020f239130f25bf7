#!/usr/bin/env bash
# Assembles the complete static site: web/ (page, element, drift.js, models if shipped) plus
# the WebAssembly module from the wasm build, into one folder that any static host can serve
# from any sub-path.
#   scripts/build-site.sh [--wasm-dir build/wasm] [--out build/site] [--model DIR]
# (or WASM_DIR / SITE_DIR in the environment). --model DIR: the page's MNIST model comes from
# DIR (an export: model.json, model.bin, model.snapshot-*.bin) instead of web/models/mnist.
# The digit trainer's pack (docs/digit-pack.md) is made from DIGITS_DATA (default data/mnist)
# with DIGITS_COUNT digits (default 10500).
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_DIR=${WASM_DIR:-build/wasm}
SITE_DIR=${SITE_DIR:-build/site}
MODEL_DIR=
while [ $# -gt 0 ]; do
  case "$1" in
    --wasm-dir) WASM_DIR=$2; shift 2 ;;
    --out) SITE_DIR=$2; shift 2 ;;
    --model) MODEL_DIR=$2; shift 2 ;;
    -h|--help) sed -n 2,9p "$0"; exit 0 ;;
    *) echo "build-site.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done

# The wasm modules and their loaders: the build's site-modules.txt names them (one per line;
# wasm/api/CMakeLists.txt writes it from the list its target drift_site_modules builds): the
# inference core (drift_api), the 2D toy trainer (drift_toy, fetched only by the 2D panel) and
# the digit trainer (drift_digits, fetched only by the train panel's worker;
# drift_digits_relaxed instead where the browser has relaxed SIMD).
find_output() {  # find_output NAME -> path of NAME under WASM_DIR (api folder or bin/)
  for d in "$WASM_DIR/wasm/api" "$WASM_DIR/bin" "$WASM_DIR"; do
    [ -f "$d/$1" ] && { echo "$d/$1"; return 0; }
  done
  return 1
}
BUILD_HINT="build the wasm modules first (cmake --preset wasm && cmake --build --preset wasm --target drift_site_modules)"
list=$(find_output site-modules.txt) || { echo "build-site.sh: $WASM_DIR: no site-modules.txt; $BUILD_HINT" >&2; exit 1; }
WASM_FILES=()
while read -r m; do
  if [ -n "$m" ]; then WASM_FILES+=("$m.wasm" "$m.js"); fi
done < "$list"
[ ${#WASM_FILES[@]} -gt 0 ] || { echo "build-site.sh: $list: names no module" >&2; exit 1; }
srcs=()
for f in "${WASM_FILES[@]}"; do
  if ! p=$(find_output "$f"); then
    echo "build-site.sh: $WASM_DIR: no $f; $BUILD_HINT" >&2
    exit 1
  fi
  srcs+=("$p")
done
[ -f web/drift.js ] || { echo "build-site.sh: web/drift.js: missing (the wasm wrapper)" >&2; exit 1; }
# The digit trainer's data comes from data/mnist: check before assembling anything.
DIGITS_DATA=${DIGITS_DATA:-data/mnist}
ls "$DIGITS_DATA"/train-images-idx3-ubyte* "$DIGITS_DATA"/train-labels-idx1-ubyte* >/dev/null 2>&1 || {
  echo "build-site.sh: $DIGITS_DATA: no MNIST training digits for the digit pack (scripts/fetch-data.sh fetches them)" >&2
  exit 1
}

# Assemble in a temp folder next to the target, then swap it in, so a half-built site is
# never served.
mkdir -p "$(dirname "$SITE_DIR")"
tmp=$(mktemp -d "$(dirname "$SITE_DIR")/.site.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cp -R web/. "$tmp/"
cp "${srcs[@]}" "$tmp/"
if [ -n "$MODEL_DIR" ]; then
  [ -f "$MODEL_DIR/model.json" ] || { echo "build-site.sh: $MODEL_DIR/model.json: missing (--model wants an export folder)" >&2; exit 1; }
  rm -rf "$tmp/models/mnist" && mkdir -p "$tmp/models/mnist"
  cp "$MODEL_DIR"/model.json "$MODEL_DIR"/model*.bin "$tmp/models/mnist/"
fi
# ---- digit trainer data (docs/digit-pack.md): the first DIGITS_COUNT canonical MNIST training
# digits from data/mnist, packed and gzipped by node beside the model (no LibTorch needed).
mkdir -p "$tmp/models/mnist"
node scripts/pack-digits.mjs --data "$DIGITS_DATA" --count "${DIGITS_COUNT:-10500}" --out "$tmp/models/mnist/digits.pack.gz"
# ---- end digit trainer data
old="$SITE_DIR.old.$$"
[ -e "$SITE_DIR" ] && mv "$SITE_DIR" "$old"
mv "$tmp" "$SITE_DIR"
trap - EXIT
rm -rf "$old"
chmod -R a+rX "$SITE_DIR"

total=$(du -sk "$SITE_DIR" | cut -f1)
echo "site: $SITE_DIR ($total KiB): $(cd "$SITE_DIR" && find . -type f | sed 's|^\./||' | sort | tr '\n' ' ')"

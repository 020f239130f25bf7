#!/usr/bin/env bash
# The digit trainer's export loads in drift-infer and draws the trainer's own sample grid:
# drift-digits trains about a second, exports (model.json + model.bin + samples.f32), and
# drift-infer samples the same seed and labels; the two must agree to 1e-5.
#   digits_infer.sh DRIFT_DIGITS DRIFT_INFER NODE SOURCE_DIR WORK_DIR    (exit 77: no data/mnist)
set -euo pipefail
digits=$1 infer=$2 node=$3 src=$4 work=$5
[ -d "$src/data/mnist" ] || { echo "SKIP: no $src/data/mnist"; exit 77; }
rm -rf "$work" && mkdir -p "$work"
"$node" "$src/scripts/pack-digits.mjs" --data "$src/data/mnist" --count 1500 --out "$work/digits.pack.gz"
"$digits" train --pack "$work/digits.pack.gz" --out "$work/run" --marks 1 --seed 7
labels=$(seq -s, 0 9 | sed 's/\([0-9]\)/\1,\1/g')
"$infer" sample --model "$work/run/t1/model.json" --seed 7 --labels "$labels" --out "$work/x.npy"
/usr/bin/python3 - "$work" <<'PY'
import sys, numpy as np
w = sys.argv[1]
x = np.load(f"{w}/x.npy").reshape(20, 784)
s = np.fromfile(f"{w}/run/t1/samples.f32", "<f4").reshape(20, 784)
d = float(np.abs(x - s).max())
print(f"drift-infer vs the trainer's samples: max diff {d:.3g}")
sys.exit(0 if d < 1e-5 and x.std() > 0.01 else 1)
PY
echo "PASS: the export loads in drift-infer and draws the trainer's samples"

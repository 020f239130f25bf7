#!/usr/bin/env bash
# Step cost of feature-space drift (#17): default MNIST steps with pixels only vs with
# `--features ENCODER`, measured side by side in one run (same binary, threads and data).
# Optional rows: LITE=N, features with --feature-max-locations N (49: the cheaper key set);
# WIDTHS=a,b, pixels with other generator widths (512,640: the page's lighter model).
# Two figures per row: wall steps/s of the timed run (drift-train's own figure, start-up
# excluded), and CPU ms per step (user+sys of a (STEPS+20)-step run minus a 20-step run, which
# removes start-up, data and encoder loading; robust on a shared machine).
# Usage: scripts/bench-features.sh ENCODER.pt [STEPS=100]
#        env BIN=path/to/drift-train DATA=data THREADS=0 (0: LibTorch's default) LITE= WIDTHS= ENC_STEPS=100
set -euo pipefail
cd "$(dirname "$0")/.."
ENC=${1:?usage: scripts/bench-features.sh ENCODER.pt [STEPS]}
STEPS=${2:-100}
BIN=${BIN:-build/native/bin/drift-train}
DATA=${DATA:-data}
THREADS=${THREADS:-0}
WIDTHS=${WIDTHS:-}
LITE=${LITE:-}
[[ -x "$BIN" ]] || { echo "bench-features: $BIN not built" >&2; exit 1; }
[[ -f "$ENC" ]] || { echo "bench-features: $ENC: no such encoder (drift-train encoder --out DIR)" >&2; exit 1; }
[[ -d "$DATA/mnist" ]] || { echo "bench-features: $DATA/mnist missing (scripts/fetch-data.sh)" >&2; exit 1; }
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

run() {  # $1 = name, $2 = steps, rest = extra flags; prints "<cpu seconds> <last json line>"
  local name=$1 steps=$2
  shift 2
  local json
  json=$(/usr/bin/time -f "%U %S" -o "$OUT/$name.time" "$BIN" train --dataset mnist --data-dir "$DATA" \
    --out "$OUT/$name" --steps "$steps" --threads "$THREADS" --ckpt-every 0 --no-eval --device cpu "$@" \
    2>/dev/null | tail -1)
  echo "$(awk '{print $1 + $2}' "$OUT/$name.time") $json"
}

rows=()
measure() {  # $1 = row label, rest = flags
  local label=$1
  shift
  local short long json
  read -r short _ < <(run "${label}_short" 20 "$@")
  read -r long json < <(run "${label}_long" $((STEPS + 20)) "$@")
  rows+=("$label" "$short" "$long" "$json")
}
measure pixels
measure features --features "$ENC"
[[ -n $LITE ]] && measure "features, max-loc ${LITE}" --features "$ENC" --feature-max-locations "$LITE"
[[ -n $WIDTHS ]] && measure "widths ${WIDTHS}" --widths "$WIDTHS"

# The encoder's own training, part of a features recipe's wall time: wall and CPU seconds
# per step from the difference of a 20-step and a (ENC_STEPS+20)-step run, plus start-up.
ENC_STEPS=${ENC_STEPS:-100}
enc_run() {  # $1 = steps, $2 = name; prints "<wall s> <cpu s>"
  /usr/bin/time -f "%e %U %S" -o "$OUT/$2.time" "$BIN" encoder --dataset mnist --data-dir "$DATA" --out "$OUT/$2" \
    --steps "$1" --threads "$THREADS" --ckpt-every 0 --device cpu > /dev/null 2>&1
  awk '{print $1, $2 + $3}' "$OUT/$2.time"
}
read -r ENC_W0 ENC_C0 < <(enc_run 20 enc_short)
read -r ENC_W1 ENC_C1 < <(enc_run $((ENC_STEPS + 20)) enc_long)

python3 - "$STEPS" "$ENC_STEPS" "$ENC_W0" "$ENC_C0" "$ENC_W1" "$ENC_C1" "${rows[@]}" <<'PY'
import json, sys
steps, enc_steps = int(sys.argv[1]), int(sys.argv[2])
ew0, ec0, ew1, ec1 = map(float, sys.argv[3:7])
rest = sys.argv[7:]
rows = []
for i in range(0, len(rest), 4):
    label, short, long_, js = rest[i], float(rest[i + 1]), float(rest[i + 2]), json.loads(rest[i + 3])
    rows.append({"run": label, "steps_per_s": js["steps_per_s"], "cpu_ms_per_step": 1000.0 * (long_ - short) / steps})
base = rows[0]
print(f"one default MNIST step (G = 64, P = 256, U = 128), {steps} timed steps")
print(f"{'run':<24}{'wall steps/s':>14}{'CPU ms/step':>14}{'wall cost':>12}{'CPU cost':>11}")
for r in rows:
    r["wall_cost"] = base["steps_per_s"] / r["steps_per_s"]
    r["cpu_cost"] = r["cpu_ms_per_step"] / base["cpu_ms_per_step"]
    print(f"{r['run']:<24}{r['steps_per_s']:>14.2f}{r['cpu_ms_per_step']:>14.1f}{r['wall_cost']:>11.2f}x{r['cpu_cost']:>10.2f}x")
enc_wall = (ew1 - ew0) / enc_steps
enc = {"wall_s_per_step": enc_wall, "cpu_ms_per_step": 1000.0 * (ec1 - ec0) / enc_steps,
       "startup_wall_s": ew0 - 20 * enc_wall}
enc["wall_s_1500_steps"] = enc["startup_wall_s"] + 1500 * enc_wall
print(f"{'encoder (MAE) step':<24}{1.0 / enc_wall:>14.2f}{enc['cpu_ms_per_step']:>14.1f}"
      f"   -> 1500 steps (the default) ≈ {enc['wall_s_1500_steps']:.0f} s wall incl. {enc['startup_wall_s']:.1f} s start-up")
print(json.dumps({"steps": steps, "rows": rows, "encoder": enc}))
PY

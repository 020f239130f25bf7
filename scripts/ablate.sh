#!/usr/bin/env bash
# Ablations of docs/results.md: every row is one short `drift-train train` run plus
# `drift-train eval`, so anyone can rerun a row and get the same figures (same seeds).
#
#   scripts/ablate.sh [OUT_DIR]          (default runs/ablate; finished runs are reused)
#   env: STEPS=1500 (image runs)  TOY_STEPS=400  N=2000 (eval samples per alpha)
#        ONLY='regex' (row names to run)  DRIFT_TRAIN=path/to/drift-train  THREADS=0
#
# Needs data/mnist (scripts/fetch-data.sh) and data/mnist/classifier.pt
# (drift-train classifier). Prints markdown tables at the end (also OUT_DIR/table.md).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${DRIFT_TRAIN:-build/native/bin/drift-train}
OUT=${1:-runs/ablate}
STEPS=${STEPS:-1500}
TOY_STEPS=${TOY_STEPS:-400}
N=${N:-2000}
ONLY=${ONLY:-.}
THREADS=${THREADS:-0}
[ -x "$BIN" ] || { echo "ablate: $BIN not found; build drift-train or set DRIFT_TRAIN" >&2; exit 1; }
mkdir -p "$OUT"

# row NAME ALPHAS TRAIN_ARGS...: train once (skipped if done), then evaluate.
row() {
  local name=$1 alphas=$2; shift 2
  [[ $name =~ $ONLY ]] || return 0
  local dir=$OUT/$name
  if [ ! -f "$dir/model_final.pt" ]; then
    rm -rf "$dir"
    echo "== $name: drift-train train $*" >&2
    "$BIN" train --out "$dir" --no-eval --threads "$THREADS" "$@" | tail -n 1 > "$OUT/$name.train.json"
    echo "$*" > "$OUT/$name.args"
  fi
  "$BIN" eval --model-path "$dir/model_final.pt" --alpha "$alphas" --n "$N" --out "$OUT/$name.metrics.json" >&2
}

# The rows vary one choice each around a G = 32 base (the default before G = 64): half the
# cost per step, so the whole table fits the 2-core machine; generated-64 is the default G.
# They predate the discriminative key's default (issue 26), so it stays off here.
IMG=(--dataset mnist --steps "$STEPS" --seed 0 --batch-size 32 --disc-key-dim 0)
ALPHAS=1,1.5,2,3
row base           $ALPHAS "${IMG[@]}"
row floor-1e-6     $ALPHAS "${IMG[@]}" --floor 1e-6
row single-tau     $ALPHAS "${IMG[@]}" --taus 0.05
row positives-16   $ALPHAS "${IMG[@]}" --positives 16
row positives-32   $ALPHAS "${IMG[@]}" --positives 32
row positives-64   $ALPHAS "${IMG[@]}" --positives 64
row no-sigmoid     $ALPHAS "${IMG[@]}" --out-act none
row mlp            $ALPHAS "${IMG[@]}" --arch mlp
row generated-64   $ALPHAS --dataset mnist --steps "$STEPS" --seed 0 --batch-size 64 --disc-key-dim 0
row no-ema         $ALPHAS "${IMG[@]}" --ema 0
for target in checkerboard swissroll; do
  for init in middle far collapsed; do
    row "toy-$target-$init" 1 --dataset "$target" --init "$init" --steps "$TOY_STEPS" --seed 0
  done
done

# Tables: image rows at their best alpha (lowest FD), the alpha sweep of the base row,
# and the toy rows (unbiased energy distance vs its target-vs-target noise level).
node - "$OUT" "$STEPS" "$TOY_STEPS" "$N" <<'JS' | tee "$OUT/table.md"
const fs = require('fs'), path = require('path');
const [out, steps, toySteps, n] = process.argv.slice(2);
const read = (f) => { try { return JSON.parse(fs.readFileSync(path.join(out, f), 'utf8')); } catch { return null; } };
const args = (name) => { try { return fs.readFileSync(path.join(out, name + '.args'), 'utf8').trim(); } catch { return ''; } };
const f = (x, d) => (x === undefined || x === null) ? '' : Number(x).toFixed(d);
const names = fs.readdirSync(out).filter((x) => x.endsWith('.metrics.json')).map((x) => x.replace('.metrics.json', ''));
const img = names.filter((x) => !x.startsWith('toy-')), toy = names.filter((x) => x.startsWith('toy-'));
const lines = [];
lines.push(`Image rows: steps as in the args column, eval n=${n} per alpha, best alpha by FD.`, '');
lines.push('| row | train args | best α | FD | FD/floor | acc % | precision | recall | diversity (real) | wall s |');
lines.push('|---|---|---|---|---|---|---|---|---|---|');
for (const name of img) {
  const m = read(name + '.metrics.json'), t = read(name + '.train.json') || {};
  const best = m.alphas.reduce((a, b) => (b.fd < a.fd ? b : a));
  lines.push(`| ${name} | \`${args(name)}\` | ${best.alpha} | ${f(best.fd, 2)} | ${f(best.fd_over_floor, 2)} | ` +
             `${f(100 * best.accuracy, 2)} | ${f(best.precision, 3)} | ${f(best.recall, 3)} | ` +
             `${f(best.diversity, 2)} (${f(best.diversity_real, 2)}) | ${f(t.wall_s, 0)} |`);
}
const d = read('base.metrics.json');
if (d) {
  lines.push('', `Sampling α on the base row (floor FD ${f(d.floor.fd, 2)}):`, '');
  lines.push('| α | FD | FD/floor | acc % | precision | recall | diversity (real) | mem ratio |');
  lines.push('|---|---|---|---|---|---|---|---|');
  for (const a of d.alphas)
    lines.push(`| ${a.alpha} | ${f(a.fd, 2)} | ${f(a.fd_over_floor, 2)} | ${f(100 * a.accuracy, 2)} | ` +
               `${f(a.precision, 3)} | ${f(a.recall, 3)} | ${f(a.diversity, 2)} (${f(a.diversity_real, 2)}) | ` +
               `${f(a.memorisation.ratio, 2)} |`);
}
if (toy.length) {
  lines.push('', `2D toys: ${toySteps} steps, unbiased energy distance to fresh target samples, n=${n}; ` +
             'floor = its RMS between independent target samples (noise level).', '');
  lines.push('| row | energy | floor (RMS target vs target) | energy/floor | wall s |');
  lines.push('|---|---|---|---|---|');
  for (const name of toy) {
    const m = read(name + '.metrics.json'), t = read(name + '.train.json') || {};
    lines.push(`| ${name} | ${f(m.alphas[0].energy, 5)} | ${f(m.floor.energy, 5)} | ` +
               `${f(m.alphas[0].energy_over_floor, 2)} | ${f(t.wall_s, 0)} |`);
  }
}
console.log(lines.join('\n'));
JS

#!/usr/bin/env bash
# Exports a model for the page in the layout it loads fast (docs/weights-format.md, version 2):
# int8 final weights in model.bin, and each replay snapshot in its own file, which the page
# fetches only when the replay panel is shown.
#   scripts/export-web-model.sh SOURCE [OUT] [extra drift-train export flags]
# SOURCE: a run folder (RUN_DIR/model_final.pt, with RUN_DIR/snapshots when the run recorded
# them; eval.json and options.json are picked up by the exporter), or an exported model.json
# to convert (its snapshots come along). OUT defaults to web/models/mnist, which is replaced as
# a whole: the new files are written next to it and swapped in. Extra flags go to
# `drift-train export` (e.g. --dtype f16, --max-snapshots 6). Prints what the page fetches
# before its first digits (model.json + model.bin, raw and gzip -6 as a static host sends them).
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { sed -n 2,12p "$0"; exit 2; }
SRC=$1; shift
OUT=${1:-web/models/mnist}; [ $# -ge 1 ] && shift
TRAIN=${DRIFT_TRAIN:-build/native/bin/drift-train}
[ -x "$TRAIN" ] || { echo "export-web-model.sh: $TRAIN: not built (cmake --build build/native --target drift-train)" >&2; exit 1; }

args=(--dtype int8)
if [ -d "$SRC" ]; then
  [ -f "$SRC/model_final.pt" ] || { echo "export-web-model.sh: $SRC/model_final.pt: missing" >&2; exit 1; }
  args+=(--model-path "$SRC/model_final.pt")
  [ -d "$SRC/snapshots" ] && args+=(--snapshots "$SRC/snapshots")
else
  args+=(--model-path "$SRC")
fi

mkdir -p "$(dirname "$OUT")"
tmp=$(mktemp -d "$(dirname "$OUT")/.export.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
"$TRAIN" export "${args[@]}" "$@" --out "$tmp"
chmod a+rX "$tmp" && chmod a+r "$tmp"/*
old="$OUT.old.$$"
[ -e "$OUT" ] && mv "$OUT" "$old"
mv "$tmp" "$OUT"
trap - EXIT
rm -rf "$old"

gz() { gzip -6 -c "$1" | wc -c; }
first=0; first_gz=0
for f in "$OUT/model.json" "$OUT/model.bin"; do
  first=$((first + $(stat -c %s "$f"))); first_gz=$((first_gz + $(gz "$f")))
done
snaps=0; snaps_gz=0
for f in "$OUT"/model.snapshot-*.bin; do
  [ -e "$f" ] || continue
  snaps=$((snaps + $(stat -c %s "$f"))); snaps_gz=$((snaps_gz + $(gz "$f")))
done
echo "$OUT: before first digits model.json + model.bin = $first bytes ($first_gz gzip -6);" \
     "snapshot files $snaps bytes ($snaps_gz gzip -6), fetched by the replay panel only"

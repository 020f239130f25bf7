#!/usr/bin/env bash
# Short libFuzzer run of one harness (ctest label fuzz): the seeds, the committed regression
# inputs, then SECONDS of mutation. New inputs go to a scratch corpus in the build folder, never
# into the tree. Usage: smoke.sh HARNESS_BIN SEED_DIR WORK_DIR SECONDS
set -euo pipefail
bin=$1 seeds=$2 work=$3 secs=$4
rm -rf "$work" && mkdir -p "$work/corpus"
regress=$(dirname "$seeds")/../regressions/$(basename "$seeds")
if [ -d "$regress" ] && [ -n "$(ls -A "$regress")" ]; then
  "$bin" -artifact_prefix="$work/" "$regress"/*   # each committed crash input, once
fi
exec "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$work/" "$work/corpus" "$seeds"

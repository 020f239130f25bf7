#!/usr/bin/env bash
# The long libFuzzer runs of docs/reliability.md: each harness, one at a time, niced, until
# RUNS executions (default 1,000,000), from the seeds in tests/fuzz/corpus plus the committed
# regression inputs. Prints a table: harness, executions, corpus size, crashes.
# Usage: ./scripts/fuzz-long.sh [RUNS] [harness ...]   (needs: cmake --preset sanitize &&
#        cmake --build --preset fuzz). A crash leaves its input in build/fuzz-long/HARNESS/.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-1000000}
shift || true
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || harnesses=(fuzz_idx fuzz_idx_gz fuzz_npy fuzz_model fuzz_api)
bin=$root/build/sanitize/bin
out=$root/build/fuzz-long
mkdir -p "$out"
rows=()
for h in "${harnesses[@]}"; do
  work=$out/$h
  rm -rf "$work" && mkdir -p "$work/corpus"
  seeds=("$root/tests/fuzz/corpus/$h")
  [ -d "$root/tests/fuzz/regressions/$h" ] && seeds+=("$root/tests/fuzz/regressions/$h")
  t0=$(date +%s)
  ASAN_OPTIONS=detect_leaks=1 nice -n 19 "$bin/$h" -runs="$runs" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$work/" "$work/corpus" "${seeds[@]}" >"$work/log.txt" 2>&1
  rc=$?
  execs=$(awk '/stat::number_of_executed_units/ {print $2}' "$work/log.txt")
  corpus=$(ls "$work/corpus" | wc -l) bytes=$(du -sb "$work/corpus" | cut -f1)
  crashes=$(ls "$work" | grep -cE '^(crash|leak|timeout|oom)-')
  rows+=("$(printf '%-12s %10s %7s %9s %7s %6s %s' "$h" "${execs:-?}" "$corpus" "$bytes" "$crashes" "$(( $(date +%s) - t0 ))" "$rc")")
  echo "${rows[-1]}"
done
echo
printf '%-12s %10s %7s %9s %7s %6s %s\n' harness executions corpus bytes crashes wall_s exit
printf '%s\n' "${rows[@]}"

#!/usr/bin/env bash
# Lighthouse 12.2.3 (npm, pinned in package.json; 13.x wants Node 22) against the built site,
# mobile preset (Lighthouse's default: Moto G Power emulation, 4x CPU slowdown, slow 4G),
# in Debian's Chromium. A benchmark: it prints the scores, Total Blocking Time and Largest
# Contentful Paint as a table and writes JSON; it asserts nothing.
#   scripts/bench-lighthouse.sh [--site build/site] [--page index.html] [--runs 3] [--out build/bench/lighthouse.json]
# The site is served by tests/e2e/server.mjs, gzipped as a static host would serve it.
set -euo pipefail
cd "$(dirname "$0")/.."
SITE=build/site PAGE=index.html RUNS=3 OUT=build/bench/lighthouse.json
while [ $# -gt 0 ]; do
  case "$1" in
    --site) SITE=$2; shift 2 ;;
    --page) PAGE=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    -h|--help) sed -n 2,7p "$0"; exit 0 ;;
    *) echo "bench-lighthouse.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
[ -f "$SITE/index.html" ] || { echo "bench-lighthouse.sh: $SITE/index.html: missing; run scripts/build-site.sh" >&2; exit 1; }
[ -f node_modules/lighthouse/cli/index.js ] || { echo "bench-lighthouse.sh: node_modules/lighthouse: missing; run scripts/setup.sh (npm ci)" >&2; exit 1; }
exec node scripts/bench/lighthouse.mjs "$SITE" "$PAGE" "$RUNS" "$OUT"

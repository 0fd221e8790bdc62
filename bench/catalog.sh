#!/usr/bin/env bash
# Measures what CreateStream, DescribeStreamSummary, PutRecord and ListShards cost as the number
# of streams grows, on this tree's kinesim and on a baseline build of kinesim, in one run.
#
#   bench/catalog.sh [--levels 1000,10000,100000] [--baseline REF] [--baseline-levels 1000,10000]
#                    [--ops 2000] [--no-baseline]
#
# Each server is fresh, with its database in a temporary file and a shard limit above the top
# level. The baseline (default REF: 54da37d, the data-plane release before the catalog became a
# map of per-stream snapshots) is built from git in build-baseline/ with its own worktree; its
# levels stop at 10,000 by default because filling it to 100,000 streams takes about half an
# hour (each CreateStream copies the whole catalog). Prints kinesim-bench's catalog_scale lines
# for both, labelled.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

levels=1000,10000,100000
baseline_levels=1000,10000
baseline_ref=54da37d
ops=2000
with_baseline=1
while [[ $# -gt 0 ]]; do
  case $1 in
    --levels) levels=$2; shift ;;
    --baseline) baseline_ref=$2; shift ;;
    --baseline-levels) baseline_levels=$2; shift ;;
    --ops) ops=$2; shift ;;
    --no-baseline) with_baseline=0 ;;
    -h | --help) sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "catalog.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

build_bench
configure_tree
ninja -C "$KINESIM_BUILD_DIR" -j"$KINESIM_JOBS" kinesim >&2
current_bin=$KINESIM_BUILD_DIR/server/kinesim
[[ $with_baseline == 1 ]] && build_baseline "$baseline_ref"

work=$(mktemp -d "${TMPDIR:-/tmp}/kinesim-catalog.XXXXXX")
SERVER_PID=""
cleanup() {
  [[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

run() {  # label binary levels
  start_listening "$2" "$work/$1.log" --db "$work/$1.db" --shard-limit 1000000
  "$BENCH_BIN" --endpoint "$SERVER_ENDPOINT" --scenario catalog_scale \
    --catalog-levels "$3" --catalog-ops "$ops" --timeout 3600 | sed "s/^/$1 /"
  kill "$SERVER_PID"
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

run kinesim "$current_bin" "$levels"
if [[ $with_baseline == 1 ]]; then run baseline "$BASELINE_BIN" "$baseline_levels"; fi

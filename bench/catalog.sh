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

baseline_bin=""
if [[ $with_baseline == 1 ]]; then
  tree=$KINESIM_ROOT/build-baseline/src
  if [[ ! -d $tree ]]; then
    log "checking out $baseline_ref into $tree"
    git -C "$KINESIM_ROOT" worktree add --detach "$tree" "$baseline_ref" >&2
  fi
  git -C "$tree" checkout -q --detach "$baseline_ref"
  cmake -S "$tree" -B "$KINESIM_ROOT/build-baseline/out" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    >"$KINESIM_ROOT/build-baseline/configure.log" 2>&1
  ninja -C "$KINESIM_ROOT/build-baseline/out" -j"$KINESIM_JOBS" kinesim >&2
  baseline_bin=$KINESIM_ROOT/build-baseline/out/server/kinesim
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/kinesim-catalog.XXXXXX")
server_pid=""
cleanup() {
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

run() {  # label binary levels
  local label=$1 bin=$2 lv=$3 log=$work/$1.log line="" i
  "$bin" --host 127.0.0.1 --port 0 --db "$work/$label.db" --shard-limit 1000000 >"$log" 2>&1 &
  server_pid=$!
  for ((i = 0; i < 600; i++)); do
    line=$(grep -m1 -o 'listening on http://[^ ]*' "$log" || true)
    [[ -n $line ]] && break
    sleep 0.05
  done
  [[ -n $line ]] || { log "$label did not start"; cat "$log" >&2; return 1; }
  "$BENCH_BIN" --endpoint "${line#listening on }" --scenario catalog_scale \
    --catalog-levels "$lv" --catalog-ops "$ops" --timeout 3600 | sed "s/^/$label /"
  kill "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

run kinesim "$current_bin" "$levels"
[[ -n $baseline_bin ]] && run baseline "$baseline_bin" "$baseline_levels"

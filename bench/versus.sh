#!/usr/bin/env bash
# Runs the data-plane scenarios on this tree's kinesim and on a baseline build of kinesim in one
# run, alternating which goes first, and prints the medians and ratios (> 1: this tree is
# better). Use it to show a change costs the data plane nothing.
#
#   bench/versus.sh [--baseline REF] [--reps N] [--duration S]
#
# REF defaults to 54da37d (the data-plane release). Each repetition starts fresh servers with new
# database files (sync=normal). Scenarios: put_record_c1, put_record_c32, put_records_500,
# get_records_drain (200,000 records).
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

baseline_ref=54da37d
reps=3
duration=5
while [[ $# -gt 0 ]]; do
  case $1 in
    --baseline) baseline_ref=$2; shift ;;
    --reps) reps=$2; shift ;;
    --duration) duration=$2; shift ;;
    -h | --help) sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "versus.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

build_bench
configure_tree
ninja -C "$KINESIM_BUILD_DIR" -j"$KINESIM_JOBS" kinesim >&2
current_bin=$KINESIM_BUILD_DIR/server/kinesim
build_baseline "$baseline_ref"

work=$(mktemp -d "${TMPDIR:-/tmp}/kinesim-versus.XXXXXX")
SERVER_PID=""
cleanup() {
  [[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
values=$work/values.txt
: >"$values"

measure() {  # label binary rep
  start_listening "$2" "$work/$1-$3.log" --db "$work/$1-$3.db"
  "$BENCH_BIN" --endpoint "$SERVER_ENDPOINT" --duration "$duration" \
    --scenario put_record_c1,put_record_c32,put_records_500,get_records_drain |
    tee "$work/out" >&2
  collect "$1" "$work/out"
  kill "$SERVER_PID"
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

for ((r = 1; r <= reps; r++)); do
  if ((r % 2)); then
    measure kinesim "$current_bin" "$r"; measure baseline "$BASELINE_BIN" "$r"
  else
    measure baseline "$BASELINE_BIN" "$r"; measure kinesim "$current_bin" "$r"
  fi
done

printf '%-20s %-14s %14s %14s %8s\n' scenario metric kinesim baseline ratio
for metric in "put_record_c1 ops/s" "put_record_c1 p99_ms" "put_record_c32 ops/s" \
  "put_record_c32 p99_ms" "put_records_500 records/s" "put_records_500 p99_ms" \
  "get_records_drain records/s"; do
  set -- $metric
  k=$(median kinesim "$1" "$2"); b=$(median baseline "$1" "$2")
  ratio=$(awk -v k="$k" -v b="$b" -v m="$2" 'BEGIN {
    if (k == "n/a" || b == "n/a" || k == 0 || b == 0) { print "-"; exit }
    printf "%.2f", (m ~ /_ms$/) ? b / k : k / b }')
  printf '%-20s %-14s %14s %14s %8s\n' "$1" "$2" "$k" "$b" "$ratio"
done

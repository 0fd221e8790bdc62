#!/usr/bin/env bash
# kinesim's PutRecord rate as a fraction of this machine's HTTP ceiling, in one run.
#
#   bench/floor.sh [--floor-source PATH] [--reps N] [--duration S] [--threads N]
#
# The ceiling is a Beast server that answers every request with a fixed PutRecord body and does
# nothing else (default source: ../shared/bench/http_floor.cc next to this repository). Both
# servers get the same thread count and the same load (put_record_c1, put_record_c32), on fresh
# processes for each repetition, alternating which goes first; kinesim writes to a new SQLite
# file (sync=normal) each time. Prints the medians and kinesim / floor.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

floor_source=$KINESIM_ROOT/../shared/bench/http_floor.cc
reps=3
duration=5
threads=2
while [[ $# -gt 0 ]]; do
  case $1 in
    --floor-source) floor_source=$2; shift ;;
    --reps) reps=$2; shift ;;
    --duration) duration=$2; shift ;;
    --threads) threads=$2; shift ;;
    -h | --help) sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "floor.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
[[ -f $floor_source ]] || { log "no HTTP floor source at $floor_source"; exit 1; }

build_bench
configure_tree
ninja -C "$KINESIM_BUILD_DIR" -j"$KINESIM_JOBS" kinesim >&2
work=$(mktemp -d "${TMPDIR:-/tmp}/kinesim-floor.XXXXXX")
floor_bin=$work/http_floor
g++ -O2 -std=c++20 "$floor_source" -o "$floor_bin" -pthread

SERVER_PID=""
cleanup() {
  [[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
values=$work/values.txt
: >"$values"

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

run_load() {  # label endpoint [bench args...]
  local label=$1 endpoint=$2
  shift 2
  "$BENCH_BIN" --endpoint "$endpoint" --duration "$duration" \
    --scenario put_record_c1,put_record_c32 "$@" | tee "$work/out" >&2
  collect "$label" "$work/out"
}

measure_kinesim() {
  start_listening "$KINESIM_BUILD_DIR/server/kinesim" "$work/kinesim-$1.log" \
    --db "$work/kinesim-$1.db" --threads "$threads"
  run_load kinesim "$SERVER_ENDPOINT"
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
}

measure_floor() {
  local port
  port=$(free_port)
  "$floor_bin" "$port" "$threads" >"$work/floor-$1.log" 2>&1 &
  SERVER_PID=$!
  for ((i = 0; i < 200; i++)); do
    grep -q listening "$work/floor-$1.log" && break
    sleep 0.05
  done
  run_load floor "http://127.0.0.1:$port" --stream floor
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
}

for ((r = 1; r <= reps; r++)); do
  if ((r % 2)); then measure_kinesim "$r"; measure_floor "$r"; else measure_floor "$r"; measure_kinesim "$r"; fi
done

printf '%-16s %-8s %12s %12s %10s\n' scenario metric kinesim floor fraction
for scenario in put_record_c1 put_record_c32; do
  k=$(median kinesim "$scenario" ops/s); f=$(median floor "$scenario" ops/s)
  printf '%-16s %-8s %12s %12s %10s\n' "$scenario" ops/s "$k" "$f" \
    "$(awk -v k="$k" -v f="$f" 'BEGIN { if (k != "n/a" && f != "n/a" && f > 0) printf "%.2f", k / f; else print "-" }')"
done

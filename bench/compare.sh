#!/usr/bin/env bash
# Compares kinesim with a peer Kinesis emulator on this machine, scenario by scenario.
#
#   bench/compare.sh [--quick] [--reps N] [--duration S] [--peer-only] [--peer-durable]
#                    [--no-startup] [--no-rss]
#
# Builds kinesim (target kinesim) and kinesim-bench, installs the peer from npm into
# bench/.peers/ if absent, then:
#   - runs the timed scenarios against a fresh server of each, --reps times (default 3),
#     alternating which goes first; kinesim gets a fresh temporary database file each time;
#   - measures start-up (spawn to first ACTIVE stream and first acknowledged PutRecord) of each;
#   - measures resident memory of each with 200,000 records stored, and of kinesim alone with
#     1,000,000;
# and prints the median of each figure for both with the ratio. Every server it starts listens
# on 127.0.0.1 only and is stopped on exit. A full run takes about 6 minutes; --quick about 1.
#
# The peer keeps its data in memory (its default) unless --peer-durable gives it a LevelDB
# directory. kinesim always writes to its SQLite file, so in the default mode the comparison
# favours the peer on writes.
#
# --peer-only runs the peer alone (no kinesim build), to check the bench itself.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly PEER_PACKAGE=kinesalite@3.3.3  # the peer, pinned
readonly PEER_DIR=$KINESIM_ROOT/bench/.peers
readonly PEER_CLI=$PEER_DIR/node_modules/kinesalite/cli.js

reps=3
duration=5
warmup=0.5
drain_records=200000
rss_records=200000
rss_big_records=1000000
startup_runs=5
peer_only=0
peer_durable=0
do_startup=1
do_rss=1

usage() { sed -n '2,24p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while [[ $# -gt 0 ]]; do
  case $1 in
    --quick)
      reps=1 duration=1 warmup=0.2 drain_records=50000 rss_big_records=0 startup_runs=3 ;;
    --reps) reps=$2; shift ;;
    --duration) duration=$2; shift ;;
    --peer-only) peer_only=1 ;;
    --peer-durable) peer_durable=1 ;;
    --no-startup) do_startup=0 ;;
    --no-rss) do_rss=0 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "compare.sh: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

started=$(date +%s)

# ---- build and install -------------------------------------------------------------------
build_bench
KINESIM_BIN=${KINESIM_BIN:-$KINESIM_BUILD_DIR/server/kinesim}
if [[ $peer_only == 0 ]]; then
  if ! { configure_tree && ninja -C "$KINESIM_BUILD_DIR" -j"$KINESIM_JOBS" kinesim >&2; }; then
    log "kinesim did not build; use --peer-only to measure the peer alone"
    exit 1
  fi
  [[ -x $KINESIM_BIN ]] || { log "no kinesim binary at $KINESIM_BIN"; exit 1; }
fi
if [[ ! -f $PEER_CLI ]]; then
  log "installing the peer into $PEER_DIR"
  npm install --prefix "$PEER_DIR" --no-audit --no-fund "$PEER_PACKAGE" >&2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/kinesim-compare.XXXXXX")
values=$work/values.txt  # lines: target scenario metric value
: >"$values"

# ---- servers -----------------------------------------------------------------------------
# PIDs of servers this script started and has not reaped yet; only these are ever signalled.
live_pids=()

stop_server() {
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || true
  # A child that has exited stays a zombie (state Z) until reaped by `wait` below.
  for ((i = 0; i < 100; i++)); do
    [[ -e /proc/$pid && $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) != Z ]] || break
    sleep 0.05
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  local kept=() p
  for p in "${live_pids[@]}"; do [[ $p == "$pid" ]] || kept+=("$p"); done
  live_pids=("${kept[@]}")
}

cleanup() {
  local pid
  for pid in "${live_pids[@]}"; do stop_server "$pid"; done
  rm -rf "$work"/*.db "$work"/*.db-* "$work"/peer-db-* 2>/dev/null || true
}
trap cleanup EXIT

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# Starts a fresh kinesim with a new database file; sets SERVER_PID and SERVER_ENDPOINT.
start_kinesim() {
  local tag=$1 line="" i
  local log=$work/kinesim-$tag.log
  "$KINESIM_BIN" --host 127.0.0.1 --port 0 --db "$work/kinesim-$tag.db" >"$log" 2>&1 &
  SERVER_PID=$!
  live_pids+=("$SERVER_PID")
  for ((i = 0; i < 600; i++)); do  # 30 s
    line=$(grep -m1 -o 'listening on http://[^ ]*' "$log" || true)
    [[ -n $line ]] && break
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then break; fi
    sleep 0.05
  done
  if [[ -z $line ]]; then
    log "kinesim did not announce its endpoint; its output:"
    cat "$log" >&2
    return 1
  fi
  SERVER_ENDPOINT=${line#listening on }
}

peer_args() {  # port tag
  local args=(--port "$1" --createStreamMs 0 --deleteStreamMs 0 --updateStreamMs 0
    --shardLimit 1000)
  [[ $peer_durable == 1 ]] && args+=(--path "$work/peer-db-$2")
  echo "${args[@]}"
}

# Starts a fresh peer on a free port; sets SERVER_PID and SERVER_ENDPOINT.
start_peer() {
  local tag=$1 port i
  port=$(free_port)
  # shellcheck disable=SC2046  # peer_args yields words without spaces
  node "$PEER_CLI" $(peer_args "$port" "$tag") >"$work/peer-$tag.log" 2>&1 &
  SERVER_PID=$!
  live_pids+=("$SERVER_PID")
  for ((i = 0; i < 600; i++)); do  # 30 s
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      SERVER_ENDPOINT=http://127.0.0.1:$port
      return 0
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.05
  done
  log "the peer did not start; its output:"
  cat "$work/peer-$tag.log" >&2
  return 1
}


bench() {  # out-file bench-args...
  local out=$1
  shift
  "$BENCH_BIN" "$@" >"$out" 2>"$out.err" || true
  sed 's/^/    /' "$out" >&2
  [[ -s $out.err ]] && sed 's/^/    ! /' "$out.err" >&2
  return 0
}

targets=(kinesim peer)
[[ $peer_only == 1 ]] && targets=(peer)

# ---- timed scenarios -----------------------------------------------------------------------
for ((rep = 1; rep <= reps; rep++)); do
  order=("${targets[@]}")
  if ((rep % 2 == 0)) && [[ ${#targets[@]} == 2 ]]; then order=(peer kinesim); fi
  for target in "${order[@]}"; do
    log "rep $rep/$reps: $target"
    "start_$target" "rep$rep"
    bench "$work/rep$rep-$target.txt" --endpoint "$SERVER_ENDPOINT" --duration "$duration" \
      --warmup "$warmup" --drain-records "$drain_records" \
      --scenario put_record_c1,put_record_c32,put_records_500,get_records_drain
    collect "$target" "$work/rep$rep-$target.txt"
    stop_server "$SERVER_PID"
  done
done

# ---- resident memory -----------------------------------------------------------------------
if [[ $do_rss == 1 ]]; then
  for target in "${targets[@]}"; do
    log "rss with $rss_records records: $target"
    "start_$target" rss
    bench "$work/rss-$target.txt" --endpoint "$SERVER_ENDPOINT" --scenario rss \
      --rss-records "$rss_records" --rss-pid "$SERVER_PID"
    collect "$target" "$work/rss-$target.txt"
    stop_server "$SERVER_PID"
  done
  if [[ $peer_only == 0 && $rss_big_records -gt 0 ]]; then
    log "rss with $rss_big_records records: kinesim"
    start_kinesim rss-big
    bench "$work/rss-big-kinesim.txt" --endpoint "$SERVER_ENDPOINT" --scenario rss \
      --rss-records "$rss_big_records" --rss-pid "$SERVER_PID"
    collect kinesim "$work/rss-big-kinesim.txt" rss_1m
    stop_server "$SERVER_PID"
  fi
fi

# ---- start-up ------------------------------------------------------------------------------
if [[ $do_startup == 1 ]]; then
  if [[ $peer_only == 0 ]]; then
    log "startup x$startup_runs: kinesim"
    bench "$work/startup-kinesim.txt" --startup --runs "$startup_runs" -- \
      "$KINESIM_BIN" --host 127.0.0.1 --port 0 --db "$work/startup-{n}.db"
    collect kinesim "$work/startup-kinesim.txt"
  fi
  log "startup x$startup_runs: peer"
  port=$(free_port)
  # shellcheck disable=SC2046
  bench "$work/startup-peer.txt" --startup --runs "$startup_runs" --startup-port "$port" -- \
    node "$PEER_CLI" $(peer_args "$port" "startup-{n}")
  collect peer "$work/startup-peer.txt"
fi

# ---- summary -------------------------------------------------------------------------------

errors_of() {  # target scenario: summed errors, with FAILED if any run failed
  awk -v t="$1" -v s="$2" '
    $1 == t && $2 == s && $3 == "errors" { n += $4; seen = 1 }
    $1 == t && $2 == s && $3 == "status" && $4 == "FAILED" { failed = 1 }
    END { if (!seen) print "-"; else print n (failed ? "!" : "") }' "$values"
}

# scenario metric direction(up: higher is better; down: lower is better)
rows=(
  "put_record_c1 ops/s up" "put_record_c1 p50_ms down" "put_record_c1 p99_ms down"
  "put_record_c32 ops/s up" "put_record_c32 p50_ms down" "put_record_c32 p99_ms down"
  "put_records_500 records/s up" "put_records_500 p50_ms down" "put_records_500 p99_ms down"
  "get_records_drain records/s up" "get_records_drain p50_ms down"
  "rss rss_kib down" "rss_1m rss_kib down"
  "startup listen_ms down" "startup active_ms down" "startup put_ms down"
)

peer_mode=in-memory
[[ $peer_durable == 1 ]] && peer_mode="LevelDB (--path)"
elapsed=$(($(date +%s) - started))
{
  echo "# kinesim vs the peer ($PEER_PACKAGE, $peer_mode); kinesim on a SQLite file"
  echo "# $(nproc) cores shared by server and load generator; reps=$reps duration=${duration}s" \
    "drain=$drain_records rss=$rss_records rss_1m=$rss_big_records startup_runs=$startup_runs;" \
    "took ${elapsed}s; raw results in $work"
  echo "# figures are medians over the reps. ratio > 1 means kinesim is better:"
  echo "#   throughput rows (ops/s, records/s) are kinesim/peer;"
  echo "#   latency, memory and start-up rows (*_ms, rss_kib) are peer/kinesim."
  echo "# errors: summed over reps as kinesim/peer; '!' marks a failed run."
  printf '%-18s %-10s %12s %12s %8s  %s\n' scenario metric kinesim peer ratio errors
  for row in "${rows[@]}"; do
    read -r scenario metric direction <<<"$row"
    k=$(median kinesim "$scenario" "$metric")
    p=$(median peer "$scenario" "$metric")
    [[ $k == n/a && $p == n/a ]] && continue
    ratio=$(awk -v k="$k" -v p="$p" -v d="$direction" 'BEGIN {
      if (k == "n/a" || p == "n/a" || k + 0 == 0 || p + 0 == 0) { print "n/a"; exit }
      printf "%.2f", (d == "up") ? k / p : p / k }')
    printf '%-18s %-10s %12s %12s %8s  %s\n' "$scenario" "$metric" "$k" "$p" "$ratio" \
      "$(errors_of kinesim "$scenario")/$(errors_of peer "$scenario")"
  done
}
if grep -q 'status=' "$work"/*.txt 2>/dev/null; then
  echo "# some runs had errors or failed: see $work/*.txt.err" >&2
  exit 1
fi

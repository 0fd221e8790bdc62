#!/usr/bin/env bash
# Compares kinesim with peer Kinesis emulators on this machine, scenario by scenario.
#
#   bench/compare.sh [--quick] [--reps N] [--duration S] [--peers LIST] [--peer-only]
#                    [--peer-durable] [--no-startup] [--no-rss] [--drain-records N]
#                    [--rss-records N] [--startup-runs N]
#
# Peers (--peers, comma-separated; default: kinesalite,kinesis-mock), pinned in
# bench/.peers/package.json and package-lock.json and installed there with `npm ci` if absent:
#   kinesalite    kinesalite 3.3.3 (Node.js, LevelDB); HTTP/1.1 only, no consumers
#   kinesis-mock  kinesis-local 0.6.2 (the Node.js build of kinesis-mock): HTTP/2, CBOR,
#                 SubscribeToShard
# and, when its Python package is installed (not by this script; --peers moto asks for it):
#   moto          moto's server mode (python3 -m moto.server); HTTP/1.1 JSON only, no consumers
# Builds kinesim (target kinesim) and kinesim-bench, then:
#   - runs the timed scenarios against a fresh server of each target, --reps times (default 3),
#     rotating which goes first; kinesim gets a fresh temporary database file each time;
#   - measures start-up (spawn to first ACTIVE stream and first acknowledged PutRecord) of each;
#   - measures resident memory of each with 200,000 records stored, and of kinesim alone with
#     1,000,000;
# and prints the median of each figure for every target with kinesim's ratio to each peer. A
# scenario a peer cannot serve is not run against it and shows n/a. Every server it starts
# listens on 127.0.0.1 only and is stopped on exit. --quick: 1 rep of 1 s, smaller fills;
# --drain-records, --rss-records (the 200,000) and --startup-runs shrink a check further.
#
# The peers keep their data in memory (their default) unless --peer-durable gives them an
# on-disk store (kinesalite: a LevelDB directory; kinesis-mock: its periodic JSON snapshot).
# kinesim always writes to its SQLite file, so in the default mode the comparison favours the
# peers on writes.
#
# --peer-only runs the peers alone (no kinesim build), to check the bench itself.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly PEER_DIR=$KINESIM_ROOT/bench/.peers
readonly KINESALITE_CLI=$PEER_DIR/node_modules/kinesalite/cli.js
readonly KINESIS_MOCK_DIR=$PEER_DIR/node_modules/kinesis-local
readonly KNOWN_PEERS=(kinesalite kinesis-mock moto)

# Timed scenarios, in the order they run and are printed.
readonly SCENARIOS=(put_record_c1 put_record_c32 put_record_h2c_32 put_records_500
  put_records_500_cbor get_records_drain subscribe_latency)

# What each peer cannot serve, with the reason shown under the table.
declare -A skips=(
  [kinesalite]="put_record_h2c_32 subscribe_latency"
  [moto]="put_record_h2c_32 put_records_500_cbor subscribe_latency"
)
declare -A skip_reasons=(
  [kinesalite]="no HTTP/2, no RegisterStreamConsumer/SubscribeToShard"
  [moto]="no HTTP/2, no CBOR, no SubscribeToShard"
)

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
peers_arg=kinesalite,kinesis-mock

usage() { sed -n '2,30p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while [[ $# -gt 0 ]]; do
  case $1 in
    --quick)
      reps=1 duration=1 warmup=0.2 drain_records=50000 rss_big_records=0 startup_runs=3 ;;
    --reps) reps=$2; shift ;;
    --drain-records) drain_records=$2; shift ;;
    --rss-records) rss_records=$2; shift ;;
    --startup-runs) startup_runs=$2; shift ;;
    --duration) duration=$2; shift ;;
    --peers) peers_arg=$2; shift ;;
    --peer-only) peer_only=1 ;;
    --peer-durable) peer_durable=1 ;;
    --no-startup) do_startup=0 ;;
    --no-rss) do_rss=0 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "compare.sh: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

peers=()
IFS=, read -r -a requested <<<"$peers_arg"
for p in "${requested[@]}"; do
  [[ -z $p ]] && continue
  if [[ ! " ${KNOWN_PEERS[*]} " == *" $p "* ]]; then
    echo "compare.sh: unknown peer '$p' (known: ${KNOWN_PEERS[*]})" >&2
    exit 2
  fi
  peers+=("$p")
done
if [[ ${#peers[@]} == 0 && $peer_only == 1 ]]; then
  echo "compare.sh: --peer-only needs at least one peer" >&2
  exit 2
fi

started=$(date +%s)

# ---- build and install -------------------------------------------------------------------
build_bench
KINESIM_BIN=${KINESIM_BIN:-$KINESIM_BUILD_DIR/server/kinesim}
if [[ $peer_only == 0 ]]; then
  if ! { configure_tree && ninja -C "$KINESIM_BUILD_DIR" -j"$KINESIM_JOBS" kinesim >&2; }; then
    log "kinesim did not build; use --peer-only to measure the peers alone"
    exit 1
  fi
  [[ -x $KINESIM_BIN ]] || { log "no kinesim binary at $KINESIM_BIN"; exit 1; }
fi
if [[ " ${peers[*]} " == *" moto "* ]] && ! python3 -c 'import moto.server' 2>/dev/null; then
  log "moto's server mode is not installed (python3 -m moto.server); leave moto out of --peers"
  exit 1
fi
if [[ " ${peers[*]} " == *" kinesalite "* || " ${peers[*]} " == *" kinesis-mock "* ]] &&
  [[ ! -f $KINESALITE_CLI || ! -f $KINESIS_MOCK_DIR/main.js ]]; then
  log "installing the pinned peers into $PEER_DIR"
  npm ci --prefix "$PEER_DIR" --no-audit --no-fund >&2
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

# Waits until 127.0.0.1:$1 accepts connections while $SERVER_PID lives; sets SERVER_ENDPOINT.
wait_port() {  # port log name
  local i
  for ((i = 0; i < 1200; i++)); do  # 60 s: kinesis-mock takes seconds to start on a busy machine
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
      SERVER_ENDPOINT=http://127.0.0.1:$1
      return 0
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.05
  done
  log "$3 did not start; its output:"
  cat "$2" >&2
  return 1
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

# The command line of kinesalite on `port`, one word per line (no word has spaces).
kinesalite_command() {  # port tag
  local args=(node "$KINESALITE_CLI" --port "$1" --createStreamMs 0 --deleteStreamMs 0
    --updateStreamMs 0 --shardLimit 1000)
  [[ $peer_durable == 1 ]] && args+=(--path "$work/peer-db-kinesalite-$2")
  printf '%s\n' "${args[@]}"
}

# The same for kinesis-mock, through env(1): it is configured by environment variables. Every
# state change is immediate and the shard and on-demand limits are out of the way, as for
# kinesalite; the TLS port it always opens gets a free port of its own.
kinesis_mock_command() {  # port tag
  local tls_port
  tls_port=$(free_port)
  local args=(env "KINESIS_MOCK_PLAIN_PORT=$1" "KINESIS_MOCK_TLS_PORT=$tls_port"
    "KINESIS_MOCK_CERT_PATH=$KINESIS_MOCK_DIR/server.json" LOG_LEVEL=WARN)
  local d
  for d in CREATE_STREAM DELETE_STREAM REGISTER_STREAM_CONSUMER DEREGISTER_STREAM_CONSUMER \
    START_STREAM_ENCRYPTION STOP_STREAM_ENCRYPTION MERGE_SHARDS SPLIT_SHARD UPDATE_SHARD_COUNT \
    UPDATE_STREAM_MODE; do
    args+=("${d}_DURATION=0ms")
  done
  args+=(SHARD_LIMIT=100000 ON_DEMAND_STREAM_COUNT_LIMIT=10000)
  if [[ $peer_durable == 1 ]]; then
    args+=(SHOULD_PERSIST_DATA=true LOAD_DATA_IF_EXISTS=false
      "PERSIST_PATH=$work/peer-db-kinesis-mock-$2")
  fi
  args+=(node "$KINESIS_MOCK_DIR/main.js")
  printf '%s\n' "${args[@]}"
}

# The same for moto's server mode, which keeps everything in memory (--peer-durable has no
# effect). Its streams are ACTIVE as soon as they are created.
moto_command() {  # port tag
  printf '%s\n' python3 -m moto.server -H 127.0.0.1 -p "$1"
}

# The command line of `peer` on `port`, one word per line.
peer_command() {  # peer port tag
  case $1 in
    kinesalite) kinesalite_command "$2" "$3" ;;
    kinesis-mock) kinesis_mock_command "$2" "$3" ;;
    moto) moto_command "$2" "$3" ;;
  esac
}

# Starts a fresh peer on a free port; sets SERVER_PID and SERVER_ENDPOINT.
start_peer() {  # peer tag
  local peer=$1 tag=$2 port cmd
  port=$(free_port)
  mapfile -t cmd < <(peer_command "$peer" "$port" "$tag")
  "${cmd[@]}" >"$work/$peer-$tag.log" 2>&1 &
  SERVER_PID=$!
  live_pids+=("$SERVER_PID")
  wait_port "$port" "$work/$peer-$tag.log" "$peer"
}

start_target() {  # target tag
  if [[ $1 == kinesim ]]; then start_kinesim "$2"; else start_peer "$1" "$2"; fi
}

bench() {  # out-file bench-args...
  local out=$1
  shift
  "$BENCH_BIN" "$@" >"$out" 2>"$out.err" || true
  sed 's/^/    /' "$out" >&2
  [[ -s $out.err ]] && sed 's/^/    ! /' "$out.err" >&2
  return 0
}

# The timed scenarios `target` can serve, comma-separated.
scenarios_of() {  # target
  local s out=()
  for s in "${SCENARIOS[@]}"; do
    [[ " ${skips[$1]:-} " == *" $s "* ]] || out+=("$s")
  done
  local IFS=,
  echo "${out[*]}"
}

targets=(kinesim "${peers[@]}")
[[ $peer_only == 1 ]] && targets=("${peers[@]}")

# ---- timed scenarios -----------------------------------------------------------------------
for ((rep = 1; rep <= reps; rep++)); do
  # Rotate the order so that no target always runs first (or last) on a warm machine.
  order=()
  for ((i = 0; i < ${#targets[@]}; i++)); do
    order+=("${targets[$(((i + rep - 1) % ${#targets[@]}))]}")
  done
  for target in "${order[@]}"; do
    log "rep $rep/$reps: $target"
    start_target "$target" "rep$rep"
    bench "$work/rep$rep-$target.txt" --endpoint "$SERVER_ENDPOINT" --duration "$duration" \
      --warmup "$warmup" --drain-records "$drain_records" --scenario "$(scenarios_of "$target")"
    collect "$target" "$work/rep$rep-$target.txt"
    stop_server "$SERVER_PID"
  done
done

# ---- resident memory -----------------------------------------------------------------------
if [[ $do_rss == 1 ]]; then
  for target in "${targets[@]}"; do
    log "rss with $rss_records records: $target"
    start_target "$target" rss
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
  for peer in "${peers[@]}"; do
    log "startup x$startup_runs: $peer"
    port=$(free_port)
    mapfile -t cmd < <(peer_command "$peer" "$port" "startup-{n}")
    bench "$work/startup-$peer.txt" --startup --runs "$startup_runs" --startup-port "$port" \
      -- "${cmd[@]}"
    collect "$peer" "$work/startup-$peer.txt"
  done
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
  "put_record_h2c_32 ops/s up" "put_record_h2c_32 p50_ms down" "put_record_h2c_32 p99_ms down"
  "put_records_500 records/s up" "put_records_500 p50_ms down" "put_records_500 p99_ms down"
  "put_records_500_cbor records/s up" "put_records_500_cbor p50_ms down"
  "put_records_500_cbor p99_ms down"
  "get_records_drain records/s up" "get_records_drain p50_ms down"
  "subscribe_latency p50_ms down" "subscribe_latency p99_ms down"
  "subscribe_latency max_ms down" "subscribe_latency lost down"
  "rss rss_kib down" "rss_1m rss_kib down"
  "startup listen_ms down" "startup active_ms down" "startup put_ms down"
)

ratio_of() {  # kinesim-value peer-value direction
  awk -v k="$1" -v p="$2" -v d="$3" 'BEGIN {
    if (k == "n/a" || p == "n/a" || k + 0 == 0 || p + 0 == 0) { print "n/a"; exit }
    printf "%.2f", (d == "up") ? k / p : p / k }'
}

peer_mode=in-memory
[[ $peer_durable == 1 ]] && peer_mode="on disk (--peer-durable)"
elapsed=$(($(date +%s) - started))
{
  echo "# kinesim (SQLite file) vs peers (${peers[*]:-none}; $peer_mode)"
  echo "# $(nproc) cores shared by server and load generator; reps=$reps duration=${duration}s" \
    "drain=$drain_records rss=$rss_records rss_1m=$rss_big_records startup_runs=$startup_runs;" \
    "took ${elapsed}s; raw results in $work"
  echo "# figures are medians over the reps. ratio > 1 means kinesim is better:"
  echo "#   throughput rows (ops/s, records/s) are kinesim/peer;"
  echo "#   latency, memory and start-up rows (*_ms, rss_kib) are peer/kinesim."
  echo "# errors: summed over reps as kinesim/peer/...; '!' marks a failed run, '-' not run."
  header=$(printf '%-20s %-10s %12s' scenario metric kinesim)
  for peer in "${peers[@]}"; do header+=$(printf ' %12s %7s' "$peer" ratio); done
  echo "$header  errors"
  for row in "${rows[@]}"; do
    read -r scenario metric direction <<<"$row"
    k=$(median kinesim "$scenario" "$metric")
    line=$(printf '%-20s %-10s %12s' "$scenario" "$metric" "$k")
    errs=$(errors_of kinesim "$scenario")
    any=0
    [[ $k != n/a ]] && any=1
    for peer in "${peers[@]}"; do
      p=$(median "$peer" "$scenario" "$metric")
      [[ $p != n/a ]] && any=1
      line+=$(printf ' %12s %7s' "$p" "$(ratio_of "$k" "$p" "$direction")")
      errs+="/$(errors_of "$peer" "$scenario")"
    done
    [[ $any == 1 ]] && echo "$line  $errs"
  done
  for peer in "${peers[@]}"; do
    if [[ -n ${skips[$peer]:-} ]]; then
      echo "# $peer: not run: ${skips[$peer]} (${skip_reasons[$peer]})"
    fi
  done
}
if grep -q 'status=' "$work"/*.txt 2>/dev/null; then
  echo "# some runs had errors or failed: see $work/*.txt.err" >&2
  exit 1
fi

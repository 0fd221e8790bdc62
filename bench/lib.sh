# shellcheck shell=bash disable=SC2034  # BENCH_BIN is for the scripts that source this
# Shared by bench/run.sh and bench/compare.sh; source it, do not run it.
#
# KINESIM_BUILD_DIR  build directory of the whole tree (default: <repo>/build)
# KINESIM_JOBS       parallel build jobs (default: 2)

KINESIM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KINESIM_BUILD_DIR=${KINESIM_BUILD_DIR:-$KINESIM_ROOT/build}
KINESIM_JOBS=${KINESIM_JOBS:-2}

log() { echo "[bench] $*" >&2; }

# Configures the whole tree in $KINESIM_BUILD_DIR unless that was done already.
configure_tree() {
  [[ -f $KINESIM_BUILD_DIR/build.ninja ]] && return 0
  log "configuring $KINESIM_BUILD_DIR"
  mkdir -p "$KINESIM_BUILD_DIR"
  cmake -S "$KINESIM_ROOT" -B "$KINESIM_BUILD_DIR" -G Ninja >"$KINESIM_BUILD_DIR/configure.log" 2>&1
}

# Builds kinesim-bench and sets BENCH_BIN. Prefers the whole tree; if that does not configure
# (another part mid-change), builds bench/ on its own in <repo>/build-bench-only, which needs
# nothing but the harness HTTP client.
build_bench() {
  if configure_tree && ninja -C "$KINESIM_BUILD_DIR" -j"$KINESIM_JOBS" kinesim_bench >&2; then
    BENCH_BIN=$KINESIM_BUILD_DIR/bench/kinesim-bench
    return 0
  fi
  local solo=$KINESIM_ROOT/build-bench-only
  log "whole-tree build failed (see $KINESIM_BUILD_DIR/configure.log); building bench/ alone"
  if [[ ! -f $solo/build.ninja ]]; then
    cmake -S "$KINESIM_ROOT/bench" -B "$solo" -G Ninja >&2 || return 1
  fi
  ninja -C "$solo" -j"$KINESIM_JOBS" kinesim_bench >&2 || return 1
  BENCH_BIN=$solo/kinesim-bench
}

# Builds kinesim at git revision $1 in <repo>/build-baseline/ (its own worktree, so the working
# tree is untouched) and sets BASELINE_BIN.
build_baseline() {
  local ref=$1 tree=$KINESIM_ROOT/build-baseline/src out=$KINESIM_ROOT/build-baseline/out
  if [[ ! -d $tree ]]; then
    log "checking out $ref into $tree"
    git -C "$KINESIM_ROOT" worktree add --detach "$tree" "$ref" >&2
  fi
  git -C "$tree" checkout -q --detach "$ref"
  cmake -S "$tree" -B "$out" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$out.configure.log" 2>&1
  ninja -C "$out" -j"$KINESIM_JOBS" kinesim >&2
  BASELINE_BIN=$out/server/kinesim
}

# Starts `$1 ARGS...` (a kinesim binary and its flags, without --port) on a free port; waits for
# its listening line and sets SERVER_PID and SERVER_ENDPOINT. Output goes to $2.
start_listening() {
  local bin=$1 log=$2 line="" i
  shift 2
  "$bin" --host 127.0.0.1 --port 0 "$@" >"$log" 2>&1 &
  SERVER_PID=$!
  for ((i = 0; i < 600; i++)); do
    line=$(grep -m1 -o 'listening on http://[^ ]*' "$log" || true)
    [[ -n $line ]] && break
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.05
  done
  if [[ -z $line ]]; then
    log "$bin did not announce its endpoint:"
    cat "$log" >&2
    return 1
  fi
  SERVER_ENDPOINT=${line#listening on }
}

# Results are lines "target scenario metric value" in the file $values (set by the script).

# Appends the key=value fields of a kinesim-bench output file to $values under `target`, optionally
# renaming the scenario. A failed scenario's figures are placeholders (zeros), so of its line
# only errors and status are kept: its medians then come from the runs that worked, or are n/a.
collect() {  # target file [scenario-rename]
  awk -v t="$1" -v rename="${3:-}" '
    NF >= 2 {
      name = (rename != "") ? rename : $1
      failed = ($0 ~ / status=FAILED$/)
      for (i = 2; i <= NF; i++) {
        eq = index($i, "=")
        if (eq == 0) continue
        key = substr($i, 1, eq - 1)
        if (failed && key != "errors" && key != "status") continue
        print t, name, key, substr($i, eq + 1)
      }
    }' "$2" >>"$values"
}

# The median of one figure over the repetitions in $values ("n/a" when there is none).
median() {  # target scenario metric
  awk -v t="$1" -v s="$2" -v m="$3" '$1 == t && $2 == s && $3 == m { print $4 }' "$values" |
    sort -g | awk '{ v[NR] = $1 }
      END {
        if (NR == 0) print "n/a"
        else if (NR % 2) print v[(NR + 1) / 2]
        else print (v[NR / 2] + v[NR / 2 + 1]) / 2
      }'
}

#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan, in build-fuzz/) and runs each for a bounded
# time: first the inputs under regressions/<target>/ once each, then fuzzing from a copy of
# corpus/<target>/ in a temporary folder, so nothing new is written into the repository. Prints
# each target's executions and corpus size; exits non-zero on any crash, leak, timeout or
# out-of-memory, naming the input that caused it.
#
#   tests/fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]    (default: 30 s, every target)
#
# Installs nothing: clang and libclang-rt-14-dev come from .ci/install-deps. Per-target flags
# (e.g. -max_len) are in <target>.options, one a line; <target>.dict is passed as a dictionary.
# KINESIM_FUZZ_BUILD sets the build folder.
set -euo pipefail
cd "$(dirname "$0")/../.."
here=tests/fuzz

seconds=${1:-30}
shift || true
if ! [[ "$seconds" =~ ^[0-9]+$ ]]; then
  echo "usage: $0 [SECONDS_PER_TARGET] [TARGET...]" >&2
  exit 2
fi
targets=("$@")
if ((${#targets[@]} == 0)); then
  for source in "$here"/fuzz_*.cc; do targets+=("$(basename "$source" .cc)"); done
fi

if ! command -v clang++ >/dev/null; then
  echo "tests/fuzz/run.sh: clang++ not found (.ci/install-deps installs clang)" >&2
  exit 2
fi
build=${KINESIM_FUZZ_BUILD:-build-fuzz}
CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DKINESIM_FUZZ=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKINESIM_WERROR=ON >/dev/null
ninja -C "$build" "${targets[@]}"

work=$(mktemp -d "${TMPDIR:-/tmp}/kinesim-fuzz.XXXXXX")
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

# The input a failed run names (the artifact libFuzzer wrote, or the replayed file it was on).
failing_input() {
  local log=$1 written
  written=$(grep -o 'Test unit written to .*' "$log" | tail -1 | sed 's/Test unit written to //')
  if [[ -n "$written" ]]; then
    echo "$written"
  else
    grep -o '^Running: .*' "$log" | tail -1 | sed 's/^Running: //'
  fi
}

report_failure() {
  local target=$1 log=$2
  echo "---- $target: last lines of $log" >&2
  tail -n 60 "$log" >&2
  echo "FAIL $target: crashing input: $(failing_input "$log")" >&2
}

failed=()
for target in "${targets[@]}"; do
  binary="$build/tests/fuzz/$target"
  flags=(-timeout=10 -rss_limit_mb=2048 -max_len=4096 -print_final_stats=1)
  if [[ -f "$here/$target.options" ]]; then
    while read -r flag; do
      [[ -z "$flag" || "$flag" == \#* ]] || flags+=("$flag")
    done <"$here/$target.options"
  fi
  [[ -f "$here/$target.dict" ]] && flags+=("-dict=$here/$target.dict")
  mkdir -p "$work/$target/corpus" "$work/$target/artifacts"

  # Inputs that once failed are replayed first, each once.
  regressions=()
  if [[ -d "$here/regressions/$target" ]]; then
    mapfile -t regressions < <(find "$here/regressions/$target" -type f | sort)
  fi
  if ((${#regressions[@]})); then
    log="$work/$target/regressions.log"
    if ! "$binary" "${flags[@]}" -artifact_prefix="$work/$target/artifacts/" \
      "${regressions[@]}" >"$log" 2>&1; then
      report_failure "$target" "$log"
      failed+=("$target")
      continue
    fi
    echo "$target: ${#regressions[@]} regression inputs pass"
  fi

  if [[ -d "$here/corpus/$target" ]]; then
    cp -R "$here/corpus/$target/." "$work/$target/corpus/"
  fi
  seeds=$(find "$work/$target/corpus" -type f | wc -l)
  log="$work/$target/fuzz.log"
  status=0
  "$binary" "${flags[@]}" -max_total_time="$seconds" -artifact_prefix="$work/$target/artifacts/" \
    "$work/$target/corpus" >"$log" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  if [[ -z "$runs" ]]; then
    runs=$(sed -n 's/^#\([0-9]*\)[[:space:]]*DONE.*/\1/p' "$log" | tail -1)
  fi
  inputs=$(find "$work/$target/corpus" -type f | wc -l)
  bytes=$(du -sb "$work/$target/corpus" | cut -f1)
  echo "$target: ${runs:-?} executions in ${seconds} s, corpus $seeds -> $inputs inputs ($bytes bytes)"
  if ((status != 0)); then
    report_failure "$target" "$log"
    failed+=("$target")
  fi
done

if ((${#failed[@]})); then
  echo "fuzzing failed: ${failed[*]} (logs, corpora and inputs kept in $work)" >&2
  exit 1
fi
rm -rf "$work"

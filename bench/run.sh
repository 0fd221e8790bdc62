#!/usr/bin/env bash
# Runs every kinesim-bench scenario against one Kinesis endpoint on this machine and prints one
# line per scenario.
#
#   bench/run.sh [ENDPOINT] [kinesim-bench options...]
#
# ENDPOINT defaults to http://127.0.0.1:4566. Further options go to kinesim-bench as they are,
# e.g. `bench/run.sh http://127.0.0.1:4566 --duration 2 --rss-pid 1234`. Builds kinesim-bench
# first if needed. Exits non-zero when any scenario had errors.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

endpoint=http://127.0.0.1:4566
if [[ $# -gt 0 && $1 != -* ]]; then
  endpoint=$1
  shift
fi

build_bench
exec "$BENCH_BIN" --endpoint "$endpoint" "$@"

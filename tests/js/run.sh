#!/usr/bin/env bash
# Runs the JavaScript SDK v3 tests (node --test) against the kinesim binary named by KINESIM_BIN,
# after installing the locked dependencies (prepare_node.sh).
set -euo pipefail
cd "$(dirname "$0")"
source ./prepare_node.sh
prepare_node_project js.sdk
exec node --test *.test.mjs

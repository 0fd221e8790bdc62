#!/usr/bin/env bash
# Runs the Jest example against the kinesim binary named by KINESIM_BIN, after installing its
# locked dependencies (tests/js/prepare_node.sh).
set -euo pipefail
cd "$(dirname "$0")"
source ../../tests/js/prepare_node.sh
prepare_node_project examples.jest
exec npx --no-install jest --runInBand

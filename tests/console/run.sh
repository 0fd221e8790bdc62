#!/usr/bin/env bash
# Runs the web console test (console.test.mjs) in headless Chromium against the kinesim binary
# named by KINESIM_BIN, after installing the locked playwright-core (../js/prepare_node.sh).
# Exits 77 (skipped) when node, npm or Chromium is not installed.
set -euo pipefail
cd "$(dirname "$0")"
source ../js/prepare_node.sh
export CHROMIUM_BIN=${CHROMIUM_BIN:-/usr/bin/chromium}
if [[ ! -x "$CHROMIUM_BIN" ]]; then
  echo "console.chromium skipped: $CHROMIUM_BIN is not installed (.ci/install-deps --test installs it)"
  exit 77
fi
prepare_node_project console.chromium
exec node console.test.mjs

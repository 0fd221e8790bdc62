#!/usr/bin/env bash
# Runs the pytest example against the kinesim binary named by KINESIM_BIN. Exits 77, which CTest
# reports as skipped, when the interpreter has no pytest or boto3 (.ci/install-deps --test).
set -euo pipefail
cd "$(dirname "$0")"
PYTHON="${1:-python3}"
if ! "$PYTHON" -c "import pytest, boto3" 2>/dev/null; then
  echo "examples.python skipped: $PYTHON lacks pytest or boto3"
  exit 77
fi
exec "$PYTHON" -m pytest -q -p no:cacheprovider .

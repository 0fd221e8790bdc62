#!/usr/bin/env bash
# Runs the pytest example against the kinesim binary named by KINESIM_BIN. Exits 77, which CTest
# reports as skipped, when the interpreter has no pytest or boto3 (.ci/install-deps --test).
set -euo pipefail
cd "$(dirname "$0")"
PYTHON="${1:-python3}"
# Debian's python3-pytest lives in /usr/lib/python3/dist-packages; an interpreter that has boto3
# but not pytest (a pyenv or venv Python) finds it there, looked up after its own packages so
# that they keep winning.
DEBIAN_PACKAGES=/usr/lib/python3/dist-packages
run_pytest="import sys; sys.path.append('$DEBIAN_PACKAGES'); import pytest; sys.exit(pytest.main(sys.argv[1:]))"
if ! "$PYTHON" -c "import sys; sys.path.append('$DEBIAN_PACKAGES'); import pytest, boto3" 2>/dev/null; then
  echo "examples.python skipped: $PYTHON lacks pytest or boto3"
  exit 77
fi
exec "$PYTHON" -c "$run_pytest" -q -p no:cacheprovider .

#!/usr/bin/env bash
# Runs the Jest example against the kinesim binary named by KINESIM_BIN. Installs the locked
# dependencies first when node_modules is missing or older than package-lock.json. Exits 77,
# which CTest reports as skipped, when node or npm is missing.
set -euo pipefail
cd "$(dirname "$0")"
for tool in node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "examples.jest skipped: $tool is not installed (.ci/install-deps --test installs it)"
    exit 77
  fi
done
if [[ -z "${KINESIM_BIN:-}" ]]; then
  echo "KINESIM_BIN is not set: point it at the kinesim executable" >&2
  exit 2
fi
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund
fi
exec npx --no-install jest --runInBand

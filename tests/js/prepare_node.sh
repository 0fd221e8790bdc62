#!/usr/bin/env bash
# Sourced by the scripts that run a Node.js project against the kinesim binary (tests/js and
# examples/jest): `prepare_node_project NAME` checks that node, npm and KINESIM_BIN are there,
# then installs the locked dependencies of the current directory when node_modules is missing
# or older than package-lock.json. Missing node or npm exits 77, which CTest reports as skipped.
prepare_node_project() {
  local name=$1 tool
  for tool in node npm; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      echo "$name skipped: $tool is not installed (.ci/install-deps --test installs it)"
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
}

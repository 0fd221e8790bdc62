#!/usr/bin/env bash
# Installs a kinesim build into a temporary prefix, then configures, builds and runs this
# consumer project against it (the CTest test consumer.install_and_build).
#   run_test.sh <kinesim build dir> <work dir>
set -euo pipefail
build=$1
work=$2
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work"
mkdir -p "$work"
cmake --install "$build" --prefix "$work/prefix" >/dev/null
cmake -S "$here" -B "$work/build" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$work/build" -j2
"$work/build/consumer"
if [[ -x "$work/build/consumer_gtest" ]]; then
  "$work/build/consumer_gtest"
fi

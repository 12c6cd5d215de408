#!/usr/bin/env bash
# Sets up, builds and runs every test: C++ unit and golden suites, CLI end-to-end runs,
# the find_package consumer, and the Python suite (all registered with CTest); then the
# reliability checks (docs/reliability.md): the C++ suites under ASan+UBSan and under
# ThreadSanitizer (scripts/sanitize.sh), and every fuzz target for FUZZ_SECONDS (default 120)
# seconds, two at a time (scripts/fuzz.sh). CI (.ci/run) runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

step() {
  local name=$1 start=$SECONDS
  shift
  echo "==== test.sh: $name"
  "$@"
  echo "==== test.sh: $name: passed in $((SECONDS - start)) s"
}
suite() {
  bash scripts/setup.sh build
  (cd build && ctest --output-on-failure -j"$(nproc)" --timeout 1200)
}

step "build and test suite" suite
step "sanitizers (ASan+UBSan, TSan)" bash scripts/sanitize.sh
step "fuzzing" env FUZZ_PARALLEL="${FUZZ_PARALLEL:-2}" bash scripts/fuzz.sh
echo "==== test.sh: everything passed in $SECONDS s"

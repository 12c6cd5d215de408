#!/usr/bin/env bash
# Sets up, builds and runs every test: C++ unit and golden suites, CLI end-to-end runs,
# the find_package consumer, and the Python suite (all registered with CTest); then the
# reliability checks (docs/reliability.md): the C++ suites under ASan+UBSan and under
# ThreadSanitizer (scripts/sanitize.sh), and every fuzz target for FUZZ_SECONDS (default 120)
# seconds, two at a time (scripts/fuzz.sh). CI (.ci/run) runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

# Sets cpu to the CPU seconds used so far by finished child processes (user + system), from
# `times`, which must run in this shell (not in a $(...) subshell).
times_file=$(mktemp)
trap 'rm -f "$times_file"' EXIT
read_cpu() {
  times >"$times_file"
  cpu=$(tail -1 "$times_file" | awk '{ n = 0; for (i = 1; i <= 2; i++) { split($i, t, /[ms]/); n += t[1] * 60 + t[2] } printf "%d", n }')
}
# Runs one step and prints its wall-clock and CPU time (CPU time does not depend on what
# else the machine runs: on 2 idle cores a step takes about max(CPU / 2, its serial part)).
step() {
  local name=$1 start=$SECONDS cpu0
  shift
  read_cpu
  cpu0=$cpu
  echo "==== test.sh: $name"
  "$@"
  read_cpu
  echo "==== test.sh: $name: passed in $((SECONDS - start)) s ($((cpu - cpu0)) s CPU)"
}
suite() {
  bash scripts/setup.sh build
  (cd build && ctest --output-on-failure -j"$(nproc)" --timeout 1200)
}

step "build and test suite" suite
step "sanitizers (ASan+UBSan, TSan)" bash scripts/sanitize.sh
step "fuzzing" env FUZZ_PARALLEL="${FUZZ_PARALLEL:-2}" bash scripts/fuzz.sh
read_cpu
echo "==== test.sh: everything passed in $SECONDS s ($cpu s CPU)"

#!/usr/bin/env bash
# Sets up, builds and runs every test: C++ unit and golden suites, CLI end-to-end runs,
# the find_package consumer, and the Python suite (all registered with CTest).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh build
cd build
ctest --output-on-failure -j"$(nproc)" --timeout 1200

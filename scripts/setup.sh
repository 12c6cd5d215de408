#!/usr/bin/env bash
# Installs what cybercover needs from Debian 12's packages, then configures and builds it.
# Usage: scripts/setup.sh [BUILD_DIR]   (default: build)
#        scripts/setup.sh --packages-only  (install, build nothing: scripts/sanitize.sh, fuzz.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:-build}

packages=(
  cmake g++ make pkg-config strace
  nlohmann-json3-dev libgtest-dev libgmock-dev libbenchmark-dev
  pybind11-dev python3-dev python3-numpy python3-pandas python3-pytest
  python3-matplotlib python3-nbclient python3-nbformat python3-ipykernel
  python3-dask python3-distributed
  libboost-dev libeigen3-dev r-base-core r-cran-actuar
  chromium poppler-utils fonts-ipafont-gothic
  clang libclang-rt-14-dev llvm
  libboost-dev wrk python3-jsonschema python3-yaml python3-prometheus-client
  libsqlite3-dev libpqxx-dev postgresql
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

[[ $build_dir == --packages-only ]] && exit 0

# Debian's interpreter: it is the one with numpy, pandas and pybind11's Python side.
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DPython3_EXECUTABLE=/usr/bin/python3 >/dev/null
cmake --build "$build_dir" -j"$(nproc)"

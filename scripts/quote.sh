#!/usr/bin/env bash
# The main job: set up, build, and quote an example company from the default tables.
# Usage: scripts/quote.sh [REQUEST.json] [cybercover quote options...]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh build >/dev/null
request=${1:-examples/requests/manufacturer_30_staff.json}
shift || true
exec build/tools/cybercover quote "$request" "$@"

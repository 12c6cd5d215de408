#!/usr/bin/env bash
# Load on loopback with wrk (Debian package wrk): `cybercover serve` against POST /v1/quote
# (one quote per request), POST /v1/quotes (a batch per request) and, as the baseline of the
# same run, GET /healthz (the server's HTTP path with no pricing). Bounded in time: each run
# lasts $DURATION. wrk shares the machine's cores with the server: both thread settings are
# printed with the figures.
#
# Usage: bench/http_load.sh [BUILD_DIR]
#   env: DURATION (10s), SERVER_THREADS (2), WRK_THREADS (1), CONNECTIONS (16), BATCH (100)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
duration=${DURATION:-10s}
server_threads=${SERVER_THREADS:-2}
wrk_threads=${WRK_THREADS:-1}
connections=${CONNECTIONS:-16}
batch=${BATCH:-100}
cli="$build/tools/cybercover"
request=examples/requests/manufacturer_30_staff.json
work=$(mktemp -d)
trap 'kill "$server_pid" 2>/dev/null || true; rm -rf "$work"' EXIT

/usr/bin/python3 - "$request" "$batch" "$work/batch.json" <<'PY'
import sys
request = open(sys.argv[1], "rb").read()
open(sys.argv[3], "wb").write(b'{"requests": [' + b",".join([request] * int(sys.argv[2])) + b"]}")
PY

start_server() {  # $1: access log
  "$cli" serve --address 127.0.0.1:0 --threads "$server_threads" --workers "$server_threads" \
    --access-log "$1" 2>"$work/server.log" &
  server_pid=$!
  for _ in $(seq 100); do grep -q '"listening"' "$work/server.log" 2>/dev/null && break; sleep 0.05; done
  address=$(grep -o '"address":"[^"]*"' "$work/server.log" | cut -d'"' -f4)
}
stop_server() { kill -TERM "$server_pid"; wait "$server_pid" || true; }

server_cpu_ticks() { awk '{print $14 + $15}' "/proc/$server_pid/stat"; }

run() {  # $1 name, $2 path, $3 body file or "", $4 quotes per request, $5 connections
  local args=()
  [[ -n "$3" ]] && args=(-- "$3")
  local line before after
  before=$(server_cpu_ticks)
  # wrk's own CPU time comes from its rusage: the machine is shared, so the CPU each side
  # spends per request is reported beside the rates.
  line=$(/usr/bin/python3 -c '
import resource, subprocess, sys
p = subprocess.run(sys.argv[1:], capture_output=True, text=True, check=True)
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print(p.stdout.strip().splitlines()[-1][:-1] + ", \"cpu_s\": %.3f}" % (r.ru_utime + r.ru_stime))' \
    wrk -t"$wrk_threads" -c"$5" -d"$duration" --latency -s bench/http_post.lua "http://$address$2" "${args[@]}")
  after=$(server_cpu_ticks)
  echo "{\"name\": \"$1\", \"quotes_per_request\": $4, \"connections\": $5, \"server_cpu_s\": $(( after - before ))e-2, \"wrk\": $line}" \
    >>"$work/results.jsonl"
}

start_server off
# Warm up (first pages of memory, the tables' caches), then the measured runs.
wrk -t1 -c4 -d2s -s bench/http_post.lua "http://$address/v1/quote" -- "$request" >/dev/null
run healthz_before /healthz "" 0 "$connections"
run quote /v1/quote "$request" 1 "$connections"
run batch /v1/quotes "$work/batch.json" "$batch" 4
run healthz_after /healthz "" 0 "$connections"
stop_server
start_server "$work/access.log"
run quote_with_access_log /v1/quote "$request" 1 "$connections"
stop_server

/usr/bin/python3 - "$work/results.jsonl" "$server_threads" "$wrk_threads" "$(nproc)" <<'PY'
import json, sys
runs = {r["name"]: r for r in map(json.loads, open(sys.argv[1]))}
server_threads, wrk_threads, cores = sys.argv[2:5]
print(f"cybercover serve --threads {server_threads} --workers {server_threads}; wrk -t{wrk_threads}; {cores} cores shared")
load = open("/proc/loadavg").read().split()[0]
print(f"load average before the summary: {load} (other work on the machine shares the cores)")
print(f"{'run':22} {'conns':>5} {'requests/s':>10} {'quotes/s':>9} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6}"
      f" {'server us/req':>13} {'wrk us/req':>10} {'2-core capacity q/s':>19}")
bad = 0
for name, r in runs.items():
    w = r["wrk"]
    errors = sum(w["errors"].values())
    bad += errors
    qpr = max(r["quotes_per_request"], 1)
    quotes = w["requests_per_s"] * r["quotes_per_request"]
    server_us = r["server_cpu_s"] / w["requests"] * 1e6
    wrk_us = w["cpu_s"] / w["requests"] * 1e6
    r["capacity_requests_per_s"] = int(cores) / ((server_us + wrk_us) * 1e-6)  # if the cores were ours alone
    print(f"{name:22} {r['connections']:5d} {w['requests_per_s']:10.0f} {quotes:9.0f} "
          f"{w['p50_us'] / 1000:7.2f} {w['p99_us'] / 1000:7.2f} {errors:6d} {server_us:13.1f} {wrk_us:10.1f}"
          f" {r['capacity_requests_per_s'] * qpr:19.0f}")
base = (runs["healthz_before"]["wrk"]["requests_per_s"] + runs["healthz_after"]["wrk"]["requests_per_s"]) / 2
quote = runs["quote"]["wrk"]["requests_per_s"]
print(f"single quotes / GET /healthz baseline (same run): {quote / base:.2f} measured, "
      f"{runs['quote']['capacity_requests_per_s'] / runs['healthz_before']['capacity_requests_per_s']:.2f} by CPU per request")
print(f"batch quotes/s / single quotes/s: {runs['batch']['wrk']['requests_per_s'] * runs['batch']['quotes_per_request'] / quote:.1f}")
print(json.dumps({"server_threads": int(server_threads), "wrk_threads": int(wrk_threads), "runs": list(runs.values())}))
sys.exit(1 if bad else 0)
PY

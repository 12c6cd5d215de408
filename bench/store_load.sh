#!/usr/bin/env bash
# Load on the quote and policy register with wrk, on SQLite and on PostgreSQL (a throw-away
# server from scripts/postgres_for_tests.sh): bind throughput (POST /v1/quotes/{id}/bind of
# quotes issued beforehand), issue-then-bind pairs (one connection per wrk thread; the latency
# of a whole pair, from sending the issue to the bind's answer, is timed by the script), and, as
# the baseline of the same run, POST /v1/quote (the same pricing without the store). Both
# backends commit durably: SQLite synchronous=FULL in WAL mode, PostgreSQL fsync=on. wrk
# shares the machine's cores with the server and the database.
#
# Usage: bench/store_load.sh [BUILD_DIR]
#   env: DURATION (10s), CONNECTIONS (8), WORKERS (4), QUOTES (binds prepared per backend, 30000)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
duration=${DURATION:-10s}
connections=${CONNECTIONS:-8}
workers=${WORKERS:-4}
quotes=${QUOTES:-30000}
cli="$build/tools/cybercover"
request=examples/requests/manufacturer_30_staff.json
work=$(mktemp -d /tmp/cybercover-store-load-XXXXXX)
chmod 755 "$work"
server_pid=
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null || true
  bash scripts/postgres_for_tests.sh stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# The example request dated on the bench's fixed business day, so that it is valid to bind.
/usr/bin/python3 - "$request" "$work/request.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
r["quote_date"] = "2026-12-15"
open(sys.argv[2], "w").write(json.dumps(r))
PY

start_server() {  # $1: store URL
  "$cli" serve --address 127.0.0.1:0 --threads 2 --workers "$workers" --max-queue 1024 --access-log off \
    --store "$1" --store-today 2026-12-15 2>"$work/server.log" &
  server_pid=$!
  for _ in $(seq 200); do grep -q '"listening"' "$work/server.log" 2>/dev/null && break; sleep 0.05; done
  address=$(grep -o '"address":"[^"]*"' "$work/server.log" | cut -d'"' -f4)
  [[ -n "$address" ]] || { cat "$work/server.log" >&2; exit 1; }
}
stop_server() { kill -TERM "$server_pid"; wait "$server_pid" || true; server_pid=; }

# Issues $quotes quotes over a few keep-alive connections; writes their ids.
issue_quotes() {
  /usr/bin/python3 - "$address" "$work/request.json" "$quotes" "$work/ids.txt" <<'PY'
import http.client, sys, threading
host, port = sys.argv[1].rsplit(":", 1)
body, n, out = open(sys.argv[2], "rb").read(), int(sys.argv[3]), sys.argv[4]
ids, lock = [], threading.Lock()
def work(k):
    c = http.client.HTTPConnection(host, int(port), timeout=60)
    for _ in range(k):
        c.request("POST", "/v1/quotes/issue", body=body, headers={"Content-Type": "application/json"})
        r = c.getresponse(); data = r.read()
        assert r.status == 201, data
        with lock: ids.append(data.split(b'"id":"', 1)[1].split(b'"', 1)[0].decode())
threads = [threading.Thread(target=work, args=(n // 8,)) for _ in range(8)]
[t.start() for t in threads]; [t.join() for t in threads]
open(out, "w").write("\n".join(ids) + "\n")
PY
}

run() {  # $1 name, $2 path, $3 wrk options, $4.. the script's arguments
  local name=$1 path=$2 options=$3
  shift 3
  local line
  # shellcheck disable=SC2086
  line=$(wrk $options --latency "http://$address$path" -- "$@" | tail -1)
  echo "{\"backend\": \"$backend\", \"name\": \"$name\", \"wrk\": $line}" >>"$work/results.jsonl"
}

# The disk's own bound, measured in the same run: durable commits cost an fsync each.
/usr/bin/python3 - "$work/fsync.probe" >"$work/fsync.txt" <<'PY'
import os, sys, time
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
n, t0 = 300, time.perf_counter()
for _ in range(n):
    os.write(fd, b"x" * 4096)
    os.fsync(fd)
print(f"{n / (time.perf_counter() - t0):.0f}")
PY
bash scripts/postgres_for_tests.sh start "$work/pg" >/dev/null
for backend in sqlite postgresql; do
  if [[ $backend == sqlite ]]; then url="sqlite://$work/store.db"; else url=$(cat "$work/pg/url"); fi
  start_server "$url"
  issue_quotes
  wrk -t1 -c2 -d2s -s bench/http_post.lua "http://$address/v1/quote" -- "$work/request.json" >/dev/null
  run quote_baseline /v1/quote "-t2 -c$connections -d$duration -s bench/http_post.lua" "$work/request.json"
  run bind /v1/quotes/x/bind "-t2 -c$connections -d$duration -s bench/store_bind.lua" "$work/ids.txt" 2
  run issue_bind /v1/quotes/issue "-t$connections -c$connections -d$duration -s bench/store_bind.lua" \
    issue 1 2026-12-20 "$work/request.json"
  stop_server
done

/usr/bin/python3 - "$work/results.jsonl" "$connections" "$workers" "$(nproc)" "$(cat "$work/fsync.txt")" <<'PY'
import json, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
conns, workers, cores, fsyncs = sys.argv[2:6]
fsyncs = float(fsyncs)
print(f"the disk: {fsyncs:.0f} fsync()s of 4 KiB a second (the bound of durable commits, measured in this run)")
print(f"cybercover serve --threads 2 --workers {workers}; wrk {conns} connections; {cores} cores shared by wrk, the server and the database")
print(f"{'backend':10} {'run':15} {'requests/s':>11} {'p50 ms':>7} {'p99 ms':>7} {'non-2xx':>7} {'errors':>6}")
bad = 0
for r in runs:
    w = r["wrk"]
    errors = w["errors"]["connect"] + w["errors"]["read"] + w["errors"]["write"] + w["errors"]["timeout"]
    bad += errors + w["errors"]["status"]
    print(f"{r['backend']:10} {r['name']:15} {w['requests_per_s']:11.0f} {w['p50_us'] / 1000:7.2f} "
          f"{w['p99_us'] / 1000:7.2f} {w['errors']['status']:7d} {errors:6d}")
by = {(r["backend"], r["name"]): r["wrk"] for r in runs}
for b in ("sqlite", "postgresql"):
    q, bind, pair = by[(b, "quote_baseline")], by[(b, "bind")], by[(b, "issue_bind")]
    print(f"{b}: binds/s = {bind['requests_per_s'] / fsyncs:.2f} x the disk's fsyncs/s, "
          f"{bind['requests_per_s'] / q['requests_per_s']:.3f} x quotes/s of the same run; "
          f"issue+bind pairs/s = {pair['pairs'] / pair['seconds']:.0f}, p99 of a pair (issue sent to bind answered) "
          f"{pair['pair_p99_us'] / 1000:.2f} ms (p50 {pair['pair_p50_us'] / 1000:.2f} ms), "
          f"p99 of a request in them {pair['p99_us'] / 1000:.2f} ms (POST /v1/quote p99 {q['p99_us'] / 1000:.2f} ms)")
print(json.dumps(runs))
sys.exit(1 if bad else 0)
PY

#!/usr/bin/env bash
# Starts a throw-away PostgreSQL server for the tests, on loopback, or stops it.
#
#   scripts/postgres_for_tests.sh start DIR   # initdb into DIR, pg_ctl start on a free port;
#                                             # prints the URL and writes it to DIR/url
#   scripts/postgres_for_tests.sh stop DIR    # stops the server and removes DIR
#   scripts/postgres_for_tests.sh pause DIR   # stops the server, keeps its data (an outage)
#   scripts/postgres_for_tests.sh resume DIR  # starts it again on the same port
#
# Uses Debian's `postgresql` package (binaries in /usr/lib/postgresql/<version>/bin). initdb
# refuses to run as root, so as root the server runs as the unprivileged `postgres` user
# (created by the package) or, failing that, `nobody`. The server listens on 127.0.0.1 only,
# trusts local connections (a test server), and keeps its socket inside DIR.
set -euo pipefail

action=${1:-}
dir=${2:-}
if [[ -z "$action" || -z "$dir" ]]; then
  echo "usage: $0 start|stop|pause|resume DIR" >&2
  exit 2
fi

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [[ -z "$bin" || ! -x "$bin/initdb" ]]; then
  echo "postgres_for_tests: PostgreSQL is not installed (apt-get install postgresql; scripts/setup.sh does)" >&2
  exit 1
fi

as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u "$owner" -- "$@"
  else
    "$@"
  fi
}

owner=$(id -un)
if [[ $(id -u) -eq 0 ]]; then
  owner=postgres
  id -u postgres >/dev/null 2>&1 || owner=nobody
fi

case "$action" in
  start)
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    # The server's files live in DIR, or, when the server's user cannot reach DIR (a parent
    # closed to it, e.g. a clone under /root), in a directory of its own under /tmp; DIR/home
    # says where.
    home=$dir
    if [[ $(id -u) -eq 0 ]]; then
      chown "$owner" "$dir"
      if ! runuser -u "$owner" -- test -w "$dir" 2>/dev/null; then
        home=$(mktemp -d /tmp/cybercover-pg-XXXXXX)
        chown "$owner" "$home"
      fi
    fi
    echo "$home" >"$dir/home"
    rm -rf "$home/data"
    as_owner "$bin/initdb" -D "$home/data" -U cybercover -A trust -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
    # A free port: ask the kernel for one, then hand it to the server (retried if taken meanwhile).
    for attempt in 1 2 3 4 5; do
      port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
      if as_owner "$bin/pg_ctl" -D "$home/data" -l "$home/server.log" -w -t 60 \
           -o "-c listen_addresses=127.0.0.1 -p $port -k $home -c fsync=on -c max_connections=200" start >/dev/null; then
        break
      fi
      port=
    done
    if [[ -z "$port" ]]; then
      cat "$home/server.log" >&2 || true
      exit 1
    fi
    as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U cybercover cybercover_test
    url="postgresql://cybercover@127.0.0.1:$port/cybercover_test"
    echo "$url" >"$dir/url"
    echo "$url"
    ;;
  pause)
    home=$(cat "$dir/home")
    as_owner "$bin/pg_ctl" -D "$home/data" -m fast -w -t 60 stop >/dev/null
    ;;
  resume)
    home=$(cat "$dir/home")
    port=$(sed -E 's|.*:([0-9]+)/.*|\1|' "$dir/url")
    as_owner "$bin/pg_ctl" -D "$home/data" -l "$home/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $home -c fsync=on -c max_connections=200" start >/dev/null
    ;;
  stop)
    home=$(cat "$dir/home" 2>/dev/null || echo "$dir")
    if [[ -d "$home/data" ]]; then
      as_owner "$bin/pg_ctl" -D "$home/data" -m fast -w -t 60 stop >/dev/null 2>&1 ||
        as_owner "$bin/pg_ctl" -D "$home/data" -m immediate stop >/dev/null 2>&1 || true
    fi
    [[ "$home" != "$dir" ]] && rm -rf "$home"
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start|stop|pause|resume DIR" >&2
    exit 2
    ;;
esac

#!/usr/bin/env bash
# Starts a throw-away PostgreSQL for the tests (docs/deploy.md): a temporary data directory, initdb and pg_ctl run as the
# `postgres` user (the server refuses to run as root), listening on 127.0.0.1:<port> only, trust authentication on
# loopback, one database. Prints the connection string on stdout (everything else goes to stderr).
#   usage: tests/postgres/start.sh [port] [database]      (default 12485 mockprocessor)
#   stop:  tests/postgres/stop.sh [port]
set -euo pipefail
PORT="${1:-${MOCKPROCESSOR_POSTGRES_PORT:-12485}}"
DB="${2:-mockprocessor}"
BIN="${POSTGRES_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}"
if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ]; then
  echo "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb; apt-get install postgresql)" >&2
  exit 3
fi
STATE="${TMPDIR:-/tmp}/mockprocessor-pg-$PORT"
if [ -f "$STATE/data/postmaster.pid" ]; then
  # A pid file whose process is gone (a reboot, a kill -9) is left over, not running: start afresh.
  if kill -0 "$(head -n 1 "$STATE/data/postmaster.pid")" 2>/dev/null; then
    echo "a PostgreSQL started by this script already runs on $PORT ($STATE); stop it with tests/postgres/stop.sh $PORT" >&2
    exit 1
  fi
  echo "removing a stale data directory left on $PORT ($STATE: its server is not running)" >&2
fi
rm -rf "$STATE"
mkdir -p "$STATE"
# As root, run the server as `postgres`; as any other user, run it as that user.
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || { echo "no postgres user (the Debian package creates it)" >&2; exit 3; }
  chown postgres "$STATE"
  AS=(runuser -u postgres --)
  USER_NAME=postgres
else
  AS=()
  USER_NAME="$(id -un)"
fi
"${AS[@]}" "$BIN/initdb" -D "$STATE/data" -U "$USER_NAME" --auth=trust --encoding=UTF8 --no-locale >"$STATE/initdb.log" 2>&1 \
  || { cat "$STATE/initdb.log" >&2; exit 1; }
# Loopback only, the socket in the temporary directory (not /var/run/postgresql, which may not exist or be another's);
# fsync stays on: the durability tests mean what they say.
"${AS[@]}" "$BIN/pg_ctl" -D "$STATE/data" -l "$STATE/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -c port=$PORT -c unix_socket_directories=$STATE -c max_connections=200" start >&2 \
  || { cat "$STATE/server.log" >&2; exit 1; }
"${AS[@]}" "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U "$USER_NAME" "$DB" >&2
echo "postgres://$USER_NAME@127.0.0.1:$PORT/$DB"

#!/usr/bin/env bash
# Stops the PostgreSQL that tests/postgres/start.sh started on <port> and deletes its temporary data directory.
#   usage: tests/postgres/stop.sh [port]      (default 12485)
set -euo pipefail
PORT="${1:-${MOCKPROCESSOR_POSTGRES_PORT:-12485}}"
BIN="${POSTGRES_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}"
STATE="${TMPDIR:-/tmp}/mockprocessor-pg-$PORT"
[ -d "$STATE/data" ] || { echo "no PostgreSQL of tests/postgres/start.sh on $PORT" >&2; exit 0; }
if [ "$(id -u)" = 0 ]; then AS=(runuser -u postgres --); else AS=(); fi
"${AS[@]}" "$BIN/pg_ctl" -D "$STATE/data" -m fast -w stop >&2 || true
rm -rf "$STATE"

#!/usr/bin/env bash
# Starts the replica topology of docs/deploy.md on this machine: two emulator replicas (serve --replica) on one
# PostgreSQL database and HAProxy round-robin in front of them, all on 127.0.0.1. The database is created afresh on the
# given server (tests/postgres/start.sh starts one). Prints the balancer's URL on stdout (everything else on stderr).
#   usage: tests/replicas/start.sh <postgres-server-url> [balancer-port] [replica-a-port] [replica-b-port]
#          (default ports 12490, then balancer+1, balancer+2; database mockprocessor_replicas, or $MOCKPROCESSOR_REPLICAS_DB)
#   env:   MOCKPROCESSOR_REPLICAS_BALANCE=roundrobin (default: each request to the next replica) or
#          key (each API key's requests to one replica while both are up: HAProxy `balance hdr(Authorization)` with
#          consistent hashing, so a replica rarely has another's commits to catch up; docs/deploy.md)
#          MOCKPROCESSOR_REPLICA_ARGS: extra `serve` arguments for both replicas (e.g. "--clock manual --webhook-dispatch manual")
#   stop:  tests/replicas/stop.sh [balancer-port]
set -euo pipefail
cd "$(dirname "$0")/../.."
SERVER="${1:?usage: tests/replicas/start.sh <postgres-server-url> [balancer-port] [replica-a-port] [replica-b-port]}"
LB="${2:-${MOCKPROCESSOR_REPLICAS_PORT:-12490}}"
PA="${3:-$((LB + 1))}"
PB="${4:-$((LB + 2))}"
DBNAME="${MOCKPROCESSOR_REPLICAS_DB:-mockprocessor_replicas}"
case "${MOCKPROCESSOR_REPLICAS_BALANCE:-roundrobin}" in
  roundrobin) BALANCE="balance roundrobin" ;;
  key) BALANCE="balance hdr(Authorization)
    hash-type consistent" ;;
  *) echo "MOCKPROCESSOR_REPLICAS_BALANCE must be roundrobin or key" >&2; exit 2 ;;
esac
read -r -a EXTRA <<< "${MOCKPROCESSOR_REPLICA_ARGS:-}"
HAPROXY="${HAPROXY:-$(command -v haproxy || echo /usr/sbin/haproxy)}"
[ -x "$HAPROXY" ] || { echo "HAProxy is not installed (apt-get install haproxy)" >&2; exit 3; }
BIN="${POSTGRES_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}"
[ -x "$BIN/psql" ] || { echo "psql is not installed (apt-get install postgresql)" >&2; exit 3; }
DLL=src/MockProcessor/bin/Release/net10.0/mockprocessor.dll
[ -f "$DLL" ] || { echo "build first: dotnet build MockProcessor.sln -c Release" >&2; exit 1; }
STATE="${TMPDIR:-/tmp}/mockprocessor-replicas-$LB"
if [ -f "$STATE/haproxy.pid" ]; then
  # Pid files whose processes are all gone (a reboot, a kill -9) are left over, not running: start afresh.
  for pidfile in "$STATE"/haproxy.pid "$STATE"/replica-*.pid; do
    if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      echo "replicas started by this script already run on $LB ($STATE); stop them with tests/replicas/stop.sh $LB" >&2
      exit 1
    fi
  done
  echo "removing stale state left on $LB ($STATE: nothing of it is running)" >&2
fi
rm -rf "$STATE"
mkdir -p "$STATE"

# A fresh database on the server (the URL's path names the server's maintenance database).
BASE="${SERVER%/*}"
"$BIN/psql" -q "$SERVER" -c "DROP DATABASE IF EXISTS $DBNAME" -c "CREATE DATABASE $DBNAME" >&2
DB="$BASE/$DBNAME"

# The replicas: started together, they migrate the schema once (an advisory lock) and register as replicas 1 and 2.
for port in "$PA" "$PB"; do
  nohup dotnet "$DLL" serve --replica --db "$DB" --port "$port" --log-level Warning "${EXTRA[@]}" > "$STATE/replica-$port.log" 2>&1 &
  echo $! > "$STATE/replica-$port.pid"
done

cat > "$STATE/haproxy.cfg" <<CFG
global
    maxconn 4096
defaults
    mode http
    timeout connect 5s
    timeout client 300s
    timeout server 300s
    retries 0
frontend api
    bind 127.0.0.1:$LB
    # Dashboard sign-ins live in the memory of the replica that made them: a browser stays on it (a cookie).
    use_backend dashboard if { path_beg /dashboard }
    default_backend replicas
backend replicas
    $BALANCE
    option httpchk GET /healthz
    server a 127.0.0.1:$PA check inter 1s fall 2 rise 1
    server b 127.0.0.1:$PB check inter 1s fall 2 rise 1
backend dashboard
    balance roundrobin
    cookie mp_replica insert indirect nocache httponly
    option httpchk GET /healthz
    server a 127.0.0.1:$PA cookie a check inter 1s fall 2 rise 1
    server b 127.0.0.1:$PB cookie b check inter 1s fall 2 rise 1
CFG
"$HAPROXY" -f "$STATE/haproxy.cfg" -D -p "$STATE/haproxy.pid" >&2

# Ready when each replica answers /healthz directly and the balancer answers it.
for url in "http://127.0.0.1:$PA" "http://127.0.0.1:$PB" "http://127.0.0.1:$LB"; do
  for _ in $(seq 1 120); do
    curl -fsS -o /dev/null "$url/healthz" 2>/dev/null && break
    sleep 0.5
  done
  curl -fsS -o /dev/null "$url/healthz" || { echo "$url did not become ready; logs in $STATE" >&2; cat "$STATE"/replica-*.log >&2; exit 1; }
done
echo "http://127.0.0.1:$LB"

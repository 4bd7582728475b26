#!/usr/bin/env bash
# Benchmark: create-and-confirm PaymentIntents at 16 connections (wrk, as pi-bench.sh) against one emulator on a SQLite
# file and one on PostgreSQL, alternated ROUNDS times, each on a fresh store. Figures: docs/performance.md.
#   usage: MOCKPROCESSOR_TEST_POSTGRES=postgres://postgres@127.0.0.1:12485/mockprocessor bash tests/benchmarks/pg-bench.sh [out-dir]
#   (start PostgreSQL with tests/postgres/start.sh; build first: dotnet build MockProcessor.sln -c Release)
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-/tmp/mockprocessor-pg-bench}
PORT=${BENCH_PORT:-12487}
ROUNDS=${ROUNDS:-2}
SECONDS_RUN=${SECONDS_RUN:-15}
# e.g. PG_QUERY='?Options=-c%20synchronous_commit%3Doff' to measure without waiting for the WAL flush (docs/performance.md)
PG_QUERY=${PG_QUERY:-}
BODY="amount=2000&currency=usd&confirm=true&payment_method=pm_card_visa&allowed_payment_method_types[]=card"
URL="http://127.0.0.1:$PORT/v1/payment_intents"
APP=src/MockProcessor/bin/Release/net10.0/mockprocessor.dll
PSQL="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)/psql"
: "${MOCKPROCESSOR_TEST_POSTGRES:?set MOCKPROCESSOR_TEST_POSTGRES (tests/postgres/start.sh prints it)}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk"; exit 1; }
mkdir -p "$OUT"
SERVER=
stop() { [ -n "$SERVER" ] && { kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; }; SERVER=; }
trap stop EXIT
start() { # --db value
  dotnet "$APP" serve --port "$PORT" --db "$1" --log-level Warning > "$OUT/server.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 400); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && return; sleep 0.05; done
  echo "server did not start"; cat "$OUT/server.log"; exit 1
}
run() {
  wrk -t2 -c16 -d"${SECONDS_RUN}s" --latency -s tests/benchmarks/post-form.lua "$URL" -- "$BODY" \
    | awk '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /Non-2xx/ {err=$0} END {printf "req/s=%s p50=%s p99=%s %s\n", rps, p50, p99, err}'
}
for round in $(seq 1 "$ROUNDS"); do
  rm -rf "$OUT"/bench.db*
  start "$OUT/bench.db"; run >/dev/null; echo "round $round sqlite:     $(run)"; stop
  "$PSQL" -q "$MOCKPROCESSOR_TEST_POSTGRES" -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS pgbench_mp WITH (FORCE)" -c "CREATE DATABASE pgbench_mp"
  start "${MOCKPROCESSOR_TEST_POSTGRES%/*}/pgbench_mp$PG_QUERY"; run >/dev/null; echo "round $round postgresql$PG_QUERY: $(run)"; stop
done

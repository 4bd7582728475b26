#!/usr/bin/env bash
# Benchmark (issue 17): create-and-confirm PaymentIntents at 16 connections (wrk, the pi-bench.sh request) against
#   (a) one emulator process on a fresh SQLite file, and
#   (b) two `serve --replica` processes on one fresh PostgreSQL database behind HAProxy round-robin (tests/replicas/start.sh),
# alternated ROUNDS times on this machine, where PostgreSQL, the replicas, HAProxy and wrk share the cores.
# Each configuration is measured with the load on one merchant and spread over MERCHANTS merchants; the pair with
# HAProxy balancing round-robin and by API key (tests/replicas/start.sh, MOCKPROCESSOR_REPLICAS_BALANCE).
# Figures: docs/performance.md ("Replicas behind HAProxy").
#   usage: MOCKPROCESSOR_TEST_POSTGRES=$(bash tests/postgres/start.sh 12485) bash tests/benchmarks/replica-bench.sh [out-dir]
#   (build first: dotnet build MockProcessor.sln -c Release; needs wrk, haproxy, postgresql)
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-/tmp/mockprocessor-replica-bench}
PORT=${BENCH_PORT:-12487}
LB=${BENCH_LB_PORT:-12496}
ROUNDS=${ROUNDS:-2}
SECONDS_RUN=${SECONDS_RUN:-15}
MERCHANTS=${MERCHANTS:-16}
BODY="amount=2000&currency=usd&confirm=true&payment_method=pm_card_visa&allowed_payment_method_types[]=card"
APP=src/MockProcessor/bin/Release/net10.0/mockprocessor.dll
: "${MOCKPROCESSOR_TEST_POSTGRES:?set MOCKPROCESSOR_TEST_POSTGRES (tests/postgres/start.sh prints it)}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk"; exit 1; }
[ -f "$APP" ] || { echo "build first: dotnet build MockProcessor.sln -c Release"; exit 1; }
mkdir -p "$OUT"
SERVER=
stop() {
  [ -n "$SERVER" ] && { kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; }; SERVER=
  bash tests/replicas/stop.sh "$LB"
}
trap stop EXIT
run() { # base-url merchants(0 = one)
  BENCH_MERCHANTS=$2 wrk -t2 -c16 -d"${SECONDS_RUN}s" --latency -s tests/benchmarks/post-form.lua "$1/v1/payment_intents" -- "$BODY" \
    | awk '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /Non-2xx/ {err=$0} END {printf "req/s=%s p50=%s p99=%s %s\n", rps, p50, p99, err}'
}
warm() { BENCH_MERCHANTS=$MERCHANTS wrk -t2 -c16 -d3s -s tests/benchmarks/post-form.lua "$1/v1/payment_intents" -- "$BODY" >/dev/null; }
for round in $(seq 1 "$ROUNDS"); do
  rm -rf "$OUT"/bench.db*
  dotnet "$APP" serve --port "$PORT" --db "$OUT/bench.db" --log-level Warning > "$OUT/server.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 400); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.05; done
  warm "http://127.0.0.1:$PORT"
  echo "round $round sqlite, 1 process,           1 merchant:  $(run "http://127.0.0.1:$PORT" 0)"
  echo "round $round sqlite, 1 process,  $MERCHANTS merchants: $(run "http://127.0.0.1:$PORT" "$MERCHANTS")"
  stop
  for balance in roundrobin key; do
    lb=$(MOCKPROCESSOR_REPLICAS_BALANCE=$balance MOCKPROCESSOR_REPLICAS_DB=replica_bench bash tests/replicas/start.sh "$MOCKPROCESSOR_TEST_POSTGRES" "$LB")
    warm "$lb"
    echo "round $round postgresql, 2 replicas + HAProxy ($balance), 1 merchant:  $(run "$lb" 0)"
    echo "round $round postgresql, 2 replicas + HAProxy ($balance), $MERCHANTS merchants: $(run "$lb" "$MERCHANTS")"
    stop
  done
done

#!/usr/bin/env bash
# A/B benchmark: create-and-confirm PaymentIntent on two published builds, alternating, in-memory store (or a file), 16
# connections, 3 s warm-up + 10 s measured per run. Then, on the second build, a Connect destination charge
# (transfer_data[destination] + application_fee_amount: charge, transfer, py_ payment, fee, three accounts' worth of
# balance transactions in one unit of work) at the same load.
# Usage: [BENCH_STORE=file] bash tests/benchmarks/pi-ab.sh <base-exe> <new-exe> [rounds]   (figures on stdout; see docs/performance.md)
set -euo pipefail
BASE=$1; NEW=$2; ROUNDS=${3:-2}
PORT=${BENCH_PORT:-13150}
LUA="$(cd "$(dirname "$0")" && pwd)/post-form.lua"
BODY="amount=2000&currency=usd&confirm=true&payment_method=pm_card_visa&allowed_payment_method_types[]=card"
URL="http://127.0.0.1:$PORT/v1/payment_intents"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk"; exit 1; }

start() {
  local store=(--in-memory)
  # BENCH_STORE=file: a fresh file store per run, in a temporary directory removed at the end.
  if [ "${BENCH_STORE:-memory}" = file ]; then DBDIR=${DBDIR:-$(mktemp -d)}; rm -rf "$DBDIR"/bench.db*; store=(--db "$DBDIR/bench.db"); fi
  "$1" serve --port "$PORT" "${store[@]}" --log-level Warning > /dev/null 2>&1 &
  SERVER=$!
  for _ in $(seq 1 200); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && return; sleep 0.05; done
  echo "server did not start"; exit 1
}
stop() { kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; }
trap 'stop; [ -n "${DBDIR:-}" ] && rm -rf "$DBDIR"' EXIT
run() { # body
  wrk -t2 -c16 -d3s -s "$LUA" "$URL" -- "$1" > /dev/null
  wrk -t2 -c16 -d10s --latency -s "$LUA" "$URL" -- "$1" \
    | awk '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /Non-2xx/ {err=$0} END {printf "req/s=%s p50=%s p99=%s %s", rps, p50, p99, err}'
}

for round in $(seq 1 "$ROUNDS"); do
  for build in "$BASE" "$NEW"; do
    start "$build"
    echo "round $round $(basename "$(dirname "$build")"): $(run "$BODY")  (load $(cut -d' ' -f1 /proc/loadavg))"
    stop
  done
done

start "$NEW"
ACCT=$(curl -s -u sk_test_bench: "http://127.0.0.1:$PORT/v1/accounts" -d type=express | grep -o '"id": *"acct_[A-Za-z0-9]*"' | grep -o 'acct_[A-Za-z0-9]*')
echo "destination charge ($(basename "$(dirname "$NEW")")): $(run "$BODY&transfer_data[destination]=$ACCT&application_fee_amount=200")  (load $(cut -d' ' -f1 /proc/loadavg))"

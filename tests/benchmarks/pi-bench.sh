#!/usr/bin/env bash
# Benchmark: create-and-confirm PaymentIntent (confirm=true, pm_card_visa) over HTTP on loopback, against the
# published emulator with the file-backed store. Load generator: wrk (Debian package `wrk`).
# Usage: bash tests/benchmarks/pi-bench.sh [out-dir]    (figures go to stdout; see docs/performance.md)
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-/tmp/mockprocessor-bench}
PORT=${BENCH_PORT:-12140}
BODY="amount=2000&currency=usd&confirm=true&payment_method=pm_card_visa&allowed_payment_method_types[]=card"
URL="http://127.0.0.1:$PORT/v1/payment_intents"
LUA=tests/benchmarks/post-form.lua
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk"; exit 1; }

dotnet publish src/MockProcessor -c Release -o "$OUT/app" -nologo -v quiet
rm -f "$OUT"/bench.db*

start() {
  "$OUT/app/mockprocessor" serve --port "$PORT" --db "$OUT/bench.db" --log-level Warning > "$OUT/server.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 200); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && return; sleep 0.05; done
  echo "server did not start"; cat "$OUT/server.log"; exit 1
}
stop() { kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; }
trap stop EXIT
rss_mb() { echo $(( $(ps -o rss= -p "$SERVER") / 1024 )); }
pis() { curl -s "http://127.0.0.1:$PORT/_mock/stats" | grep -o '"payment_intent":[0-9]*' | cut -d: -f2 | grep . || echo 0; }
run() { # connections seconds
  wrk -t"$([ "$1" -gt 1 ] && echo 2 || echo 1)" -c"$1" -d"${2}s" --latency -s "$LUA" "$URL" -- "$BODY" \
    | awk '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /Non-2xx/ {err=$0} END {printf "req/s=%s p50=%s p99=%s %s\n", rps, p50, p99, err}'
}

start
echo "warm-up (5 s, 16 connections): $(run 16 5)"
echo "1 connection, 15 s:   $(run 1 15)"
echo "16 connections, 15 s: $(run 16 15)"
echo "60 s at 16 connections, in 10 s slices (store keeps growing):"
for i in 1 2 3 4 5 6; do echo "  slice $i: $(run 16 10)   PaymentIntents stored: $(pis)"; done
echo "RSS now: $(rss_mb) MB with $(pis) PaymentIntents"
stop

# RSS after exactly-ish 100,000 PaymentIntents in a fresh store.
rm -f "$OUT"/bench.db*
start
while [ "$(pis)" -lt 95000 ]; do run 16 1 >/dev/null; done
while [ "$(pis)" -lt 100000 ]; do curl -s -u sk_test_bench: "$URL" -d "$BODY" >/dev/null; done
echo "RSS after $(pis) PaymentIntents (fresh store): $(rss_mb) MB; managed heap: $(curl -s "http://127.0.0.1:$PORT/_mock/stats?gc=true" | grep -o '"managed_heap_bytes":[0-9]*' | cut -d: -f2) bytes"

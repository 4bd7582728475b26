#!/usr/bin/env bash
# Stops what tests/replicas/start.sh started on [balancer-port] (the balancer, then both replicas) and removes its state.
set -uo pipefail
LB="${1:-${MOCKPROCESSOR_REPLICAS_PORT:-12490}}"
STATE="${TMPDIR:-/tmp}/mockprocessor-replicas-$LB"
[ -d "$STATE" ] || exit 0
for pidfile in "$STATE"/haproxy.pid "$STATE"/replica-*.pid; do
  [ -f "$pidfile" ] || continue
  pid="$(cat "$pidfile")"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  kill -9 "$pid" 2>/dev/null || true
done
rm -rf "$STATE"

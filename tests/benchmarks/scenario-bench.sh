#!/usr/bin/env bash
# Benchmark: `mockprocessor run` over 100 generated scenario files of 20 steps each (one merchant with a recording
# webhook receiver; payments, capture, refunds, a decline, clock advances, event and delivery checks).
# Usage: bash tests/benchmarks/scenario-bench.sh [out-dir] [files] [runs]    (figures go to stdout; docs/performance.md)
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-/tmp/mockprocessor-scenario-bench}
FILES=${2:-100}
RUNS=${3:-3}
rm -rf "$OUT/files" && mkdir -p "$OUT/files"
# The published build (ReadyToRun, as the Dockerfile ships it) and the plain Release build that tests/run-all.sh uses.
dotnet publish src/MockProcessor -c Release -o "$OUT/app" -nologo -v quiet > /dev/null
dotnet build src/MockProcessor -c Release -nologo -v quiet > /dev/null

for i in $(seq -w 1 "$FILES"); do
  amount=$((1000 + 10#$i * 7))
  cat > "$OUT/files/bench-$i.yaml" <<YAML
name: bench $i
merchants:
  shop:
    webhooks: [{name: hooks}]
steps:
  - request: POST /v1/customers
    params: {email: "c$i@example.com", name: "Customer $i", metadata: {n: "$i"}}
    save: {customer: \$.id}
  - request: POST /v1/payment_intents
    params: {amount: $amount, currency: usd, customer: "\${customer}", payment_method: pm_card_visa, payment_method_types: [card], capture_method: manual, confirm: true}
    expect: {body: {status: requires_capture}}
    save: {pi: \$.id, charge: \$.latest_charge}
  - request: GET /v1/payment_intents/\${pi}
    expect: {body: {amount_capturable: $amount}}
  - request: POST /v1/payment_intents/\${pi}/capture
    expect: {body: {status: succeeded, amount_received: $amount}}
  - request: GET /v1/charges/\${charge}
    expect: {body: {captured: true, customer: "\${customer}"}}
  - request: POST /v1/refunds
    params: {charge: "\${charge}", amount: 100}
    expect: {body: {status: succeeded}}
  - request: POST /v1/refunds
    params: {charge: "\${charge}", amount: 200}
    expect: {body: {status: succeeded}}
  - request: GET /v1/charges/\${charge}
    expect: {body: {amount_refunded: 300, refunded: false}}
  - request: GET /v1/refunds
    query: {charge: "\${charge}"}
    expect: {body: {data: {length: 2}}}
  - request: POST /v1/payment_intents
    params: {amount: 500, currency: usd, payment_method: pm_card_visa_chargeDeclined, payment_method_types: [card], confirm: true}
    expect: {status: 402, error: {decline_code: generic_decline}}
  - advance: 1h
  - events:
      contains: [customer.created, payment_intent.created, charge.captured, refund.created, charge.failed]
  - webhooks:
      contains: [customer.created, payment_intent.succeeded]
      signatures: valid
  - request: POST /v1/payment_intents
    params: {amount: 700, currency: eur, payment_method: pm_card_mastercard, payment_method_types: [card], confirm: true}
    expect: {body: {status: succeeded}}
  - request: GET /v1/balance
    expect: {body: {pending: {length: {gte: 1}}}}
  - request: GET /v1/payment_intents
    query: {limit: 10}
    expect: {body: {data: {length: 3}}}
  - request: POST /v1/customers/\${customer}
    params: {metadata: {tier: gold}}
  - request: GET /v1/customers/\${customer}
    expect: {body: {metadata.tier: gold, metadata.n: "$i"}}
  - advance: 7d
  - events:
      type: "payment_intent.*"
      count: {gte: 5}
YAML
done

echo "files=$FILES steps/file=20 cores=$(nproc)"
measure() { # label command...
  local label=$1; shift
  for r in $(seq 1 "$RUNS"); do
    local load; load=$(cut -d' ' -f1 /proc/loadavg)
    /usr/bin/time -f "%e %U %S" -o "$OUT/time.txt" "$@" run "$OUT/files" --progress false --json "$OUT/report.json" > "$OUT/run.txt" \
      || { tail -n 40 "$OUT/run.txt"; exit 1; }
    read -r wall user sys < "$OUT/time.txt"
    echo "$label run $r: wall ${wall} s, cpu user ${user} s + sys ${sys} s, load before ${load}; $(tail -n 1 "$OUT/run.txt")"
  done
}
measure "published (R2R)" "$OUT/app/mockprocessor"
measure "dotnet mockprocessor.dll" dotnet src/MockProcessor/bin/Release/net10.0/mockprocessor.dll

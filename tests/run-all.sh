#!/usr/bin/env bash
# Runs every test from a fresh clone: restore + build, a throw-away PostgreSQL when installed (tests/postgres), .NET unit
# and in-process HTTP tests, then the
# stripe-node compatibility suite against a freshly started emulator, then the browser tests of the local Stripe.js in
# Debian's Chromium (or a plain "NOT RUN" line without one). Exit code is non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== build"
dotnet build MockProcessor.sln -c Release -nologo -v quiet

echo "== PostgreSQL for the PostgreSQL storage tests (tests/postgres/start.sh; docs/deploy.md)"
if [ -n "${MOCKPROCESSOR_TEST_POSTGRES:-}" ]; then
  echo "using MOCKPROCESSOR_TEST_POSTGRES=$MOCKPROCESSOR_TEST_POSTGRES"
elif ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  PG_PORT="${MOCKPROCESSOR_POSTGRES_PORT:-12485}"
  MOCKPROCESSOR_TEST_POSTGRES="$(bash tests/postgres/start.sh "$PG_PORT")"
  export MOCKPROCESSOR_TEST_POSTGRES
  trap 'bash tests/postgres/stop.sh "$PG_PORT"' EXIT
  echo "PostgreSQL started: MOCKPROCESSOR_TEST_POSTGRES=$MOCKPROCESSOR_TEST_POSTGRES"
else
  echo "NOT RUN: the PostgreSQL storage tests (no /usr/lib/postgresql/*/bin/initdb: apt-get install postgresql; .ci/run installs it); they report themselves skipped below"
fi

echo "== .NET tests"
dotnet test MockProcessor.sln -c Release --no-build -nologo  # default verbosity: a failing test prints its message

echo "== scenario library (mockprocessor run scenarios)"
mkdir -p tests/results
dotnet src/MockProcessor/bin/Release/net10.0/mockprocessor.dll run scenarios --progress false \
  --junit tests/results/scenarios.junit.xml --json tests/results/scenarios.json > tests/results/scenarios.txt \
  || { cat tests/results/scenarios.txt; exit 1; }
tail -n 1 tests/results/scenarios.txt

echo "== scenarios written only from docs/scenarios.md (tests/scenarios-from-docs)"
dotnet src/MockProcessor/bin/Release/net10.0/mockprocessor.dll run tests/scenarios-from-docs --progress false \
  --junit tests/results/scenarios-from-docs.junit.xml --json tests/results/scenarios-from-docs.json \
  > tests/results/scenarios-from-docs.txt || { cat tests/results/scenarios-from-docs.txt; exit 1; }
tail -n 1 tests/results/scenarios-from-docs.txt

echo "== stripe-node compatibility suite (detail: tests/results/compat.txt, TAP: tests/results/compat.tap)"
(cd tests/compat && npm ci --no-audit --no-fund --loglevel=error)
bash tests/compat/run-summarized.sh tests/results

echo "== two replicas on PostgreSQL behind HAProxy (tests/replicas; docs/deploy.md): the stripe-node suite and the scenario library"
HAPROXY_BIN="$(command -v haproxy || echo /usr/sbin/haproxy)"
if [ -n "${MOCKPROCESSOR_TEST_POSTGRES:-}" ] && [ -x "$HAPROXY_BIN" ]; then
  LB_PORT="${MOCKPROCESSOR_REPLICAS_PORT:-12490}"
  LB_URL="$(bash tests/replicas/start.sh "$MOCKPROCESSOR_TEST_POSTGRES" "$LB_PORT")"
  trap 'bash tests/replicas/stop.sh "$LB_PORT"; if [ -n "${PG_PORT:-}" ]; then bash tests/postgres/stop.sh "$PG_PORT"; fi' EXIT
  echo "replicas behind $LB_URL"
  # Every file but those driving process-wide controls, which act on the one replica that receives them (docs/deploy.md,
  # Not built yet): the process clock (/_mock/clock/advance), /_mock/webhooks/flush and fault rules (/_mock/faults).
  REPLICA_FILES=()
  for f in tests/compat/test/*.test.mjs; do
    grep -qE "_mock/clock/advance|webhooks/flush|advanceClock|_mock/faults" "$f" || REPLICA_FILES+=("test/$(basename "$f")")
  done
  MOCKPROCESSOR_URL="$LB_URL" REPORT_NAME=compat-replicas bash tests/compat/run-summarized.sh tests/results "${REPLICA_FILES[@]}"
  # The scenario library minus the scenarios that script fault rules (per replica, like the files left out above) and
  # those asserting how many timers an advance fired one second before a deadline: on a running (unfrozen) merchant
  # clock that boundary is crossed by any pause between steps, which the catch-up of a second replica makes likely
  # (seen once: refund-pending-then-succeeds fired at +59 s; docs/deploy.md, Not built yet).
  REPLICA_SCENARIOS="$(mktemp -d)"
  for f in scenarios/*.yaml; do grep -qE "faults|fired: 0" "$f" || cp "$f" "$REPLICA_SCENARIOS/"; done
  dotnet src/MockProcessor/bin/Release/net10.0/mockprocessor.dll run "$REPLICA_SCENARIOS" --base-url "$LB_URL" --progress false \
    --junit tests/results/scenarios-replicas.junit.xml > tests/results/scenarios-replicas.txt \
    || { cat tests/results/scenarios-replicas.txt; exit 1; }
  tail -n 1 tests/results/scenarios-replicas.txt
  rm -rf "$REPLICA_SCENARIOS"
  bash tests/replicas/stop.sh "$LB_PORT"
elif [ -z "${MOCKPROCESSOR_TEST_POSTGRES:-}" ]; then
  echo "NOT RUN: the replica tests (no PostgreSQL: apt-get install postgresql; .ci/run installs it)"
else
  echo "NOT RUN: the replica tests (no HAProxy at $HAPROXY_BIN: apt-get install haproxy; .ci/run installs it)"
fi

echo "== browser tests: the local Stripe.js in headless Chromium (tests/compat/browser; detail: tests/results/browser.txt)"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
  CHROMIUM="$CHROMIUM" REPORT_NAME=browser bash tests/compat/run-summarized.sh tests/results browser/stripe_js.test.mjs browser/checkout.test.mjs browser/invoice.test.mjs browser/portal.test.mjs browser/dashboard.test.mjs
else
  echo "NOT RUN: no chromium at $CHROMIUM (apt-get install chromium; .ci/run installs it)"
fi

echo "== an older client: Debian's python3-stripe 5.0 (tests/python/legacy_client_check.py)"
# Debian's package installs into the system interpreter, which may not be the first python3 on PATH.
PY="${MOCKPROCESSOR_PYTHON:-/usr/bin/python3}"
if [ -x "$PY" ] && "$PY" -c 'import stripe' 2>/dev/null; then
  "$PY" tests/python/legacy_client_check.py
else
  echo "NOT RUN: python3-stripe is not installed for $PY (apt-get install python3-stripe; .ci/run installs it)"
fi

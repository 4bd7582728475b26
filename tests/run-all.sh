#!/usr/bin/env bash
# Runs every test from a fresh clone: restore + build, .NET unit and in-process HTTP tests, then the
# stripe-node compatibility suite against a freshly started emulator. Exit code is non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== build"
dotnet build MockProcessor.sln -c Release -nologo -v quiet

echo "== .NET tests"
dotnet test MockProcessor.sln -c Release --no-build -nologo -v quiet

echo "== stripe-node compatibility suite"
(cd tests/compat && npm ci --no-audit --no-fund --loglevel=error)
node tests/compat/run.mjs

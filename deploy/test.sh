#!/usr/bin/env bash
# Installs what is missing, then runs every test: unit tests, grain tests on a TestCluster silo,
# integration tests against real PostgreSQL and real Orleans silos, browser tests in Chromium.
#   bash deploy/test.sh            everything (what CI runs)
#   bash deploy/test.sh --fast     the fast tier only (under a minute): rules and grains on a TestCluster
#                                  silo (xunit trait Tier=Fast) and the web client's unit tests (vitest)
# Other arguments go to dotnet test, e.g. --filter Accounts.
set -euo pipefail
cd "$(dirname "$0")/.."
filter=()
if [ "${1:-}" = "--fast" ]; then
  shift
  bash deploy/prerequisites.sh
  filter=(--filter "Tier=Fast")
else
  bash deploy/prerequisites.sh --tests
fi
# The build runs npm ci for the web client; its unit tests run after the .NET tests.
dotnet test GoChat.sln -nologo "${filter[@]}" "$@"
(cd WebFront/ClientApp && npm test --silent)

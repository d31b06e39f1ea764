#!/usr/bin/env bash
# Installs what is missing, then runs every test: unit tests, grain tests on a TestCluster silo,
# integration tests against real PostgreSQL and real Orleans silos, browser tests in Chromium.
#   bash deploy/test.sh            everything (what CI runs)
#   bash deploy/test.sh --fast     the fast tier only: rules and grains, no WebFront, no browser (under a minute)
# Other arguments go to dotnet test, e.g. --filter Accounts.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--fast" ]; then
  shift
  bash deploy/prerequisites.sh
  exec dotnet test GoChat.sln -nologo --filter "Tier=Fast" "$@"
fi
bash deploy/prerequisites.sh --tests
exec dotnet test GoChat.sln -nologo "$@"

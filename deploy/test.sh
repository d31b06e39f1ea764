#!/usr/bin/env bash
# Installs what is missing, then runs every test (unit, integration against real PostgreSQL and
# real Orleans silos). Extra arguments go to dotnet test, e.g. --filter Accounts.
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/prerequisites.sh --tests
exec dotnet test GoChat.sln -nologo "$@"

#!/usr/bin/env bash
# Installs what is missing, then runs GoChat (Release build) with its data in ./data.
# Extra arguments go to GoChat, e.g. --urls=http://0.0.0.0:8080 or --GoChat:DemoData=true.
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/prerequisites.sh
echo "Building GoChat..."
dotnet build WebFront -c Release -v quiet -nologo
echo "Starting GoChat (Ctrl+C stops it); it prints 'GoChat is ready at <url>' when it can take requests."
exec dotnet run --no-build -c Release --project WebFront -- "$@"

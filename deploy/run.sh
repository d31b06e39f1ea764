#!/usr/bin/env bash
# Installs what is missing, then runs GoChat (Release build) with its data in ./data.
# Extra arguments go to GoChat, e.g. --urls=http://0.0.0.0:8080 or --GoChat:DemoData=true.
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/prerequisites.sh
echo "Building GoChat..."
dotnet build WebFront -c Release -v quiet -nologo
# Data beside this checkout (./data) unless GoChat__DataDir or --GoChat:DataDir says otherwise;
# dotnet run would otherwise resolve the default ./data against the project folder.
export GoChat__DataDir="${GoChat__DataDir:-$PWD/data}"
echo "Starting GoChat with its data in $GoChat__DataDir (Ctrl+C stops it); it prints 'GoChat is ready at <url>' when it can take requests."
exec dotnet run --no-build -c Release --project WebFront -- "$@"

#!/usr/bin/env bash
# Installs what GoChat needs on a Debian/Ubuntu machine that already has the .NET SDK:
# the PostgreSQL server binaries (GoChat runs its own PostgreSQL unless given a connection string)
# ffmpeg (probing published videos and cutting their covers) and Node.js 20.19+ with npm (building
# the web client in WebFront/ClientApp; the build runs npm itself).
# Idempotent: installs only what is missing.
# Pass --tests for what the test suite needs as well: Chromium, which the browser tests drive, and
# coturn, the TURN server the call tests relay media through (on loopback).
set -euo pipefail

need=()
have_postgres() {
  command -v pg_ctl >/dev/null 2>&1 && return 0
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null 2>&1
}
have_postgres || need+=(postgresql)
command -v runuser >/dev/null 2>&1 || need+=(util-linux)
command -v ffprobe >/dev/null 2>&1 || need+=(ffmpeg)
node_ok() {
  command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 &&
    node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'
}
node_ok || need+=(nodejs npm)
if [ "${1:-}" = "--tests" ]; then
  [ -x /usr/bin/chromium ] || need+=(chromium fonts-dejavu-core)
  command -v turnserver >/dev/null 2>&1 || need+=(coturn)
fi

if ((${#need[@]})); then
  echo "Installing: ${need[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "Please install as root: apt-get install -y ${need[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q
  $sudo apt-get install -y -q --no-install-recommends "${need[@]}"
fi

node_ok || { echo "Node.js 20.19 or newer with npm is needed to build the web client, and this system's packages are older: install it from https://nodejs.org/en/download (or NodeSource's packages), then run again." >&2; exit 1; }
command -v dotnet >/dev/null 2>&1 || { echo "The .NET 10 SDK is required: https://dot.net" >&2; exit 1; }

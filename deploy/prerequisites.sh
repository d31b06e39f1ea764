#!/usr/bin/env bash
# Installs what GoChat needs on a Debian/Ubuntu machine that already has the .NET SDK:
# the PostgreSQL server binaries (GoChat runs its own PostgreSQL unless given a connection string)
# ffmpeg (probing published videos and cutting their covers) and Node.js 20.19+ with npm (building
# the web client in WebFront/ClientApp; the build runs npm itself).
# Idempotent: installs only what is missing.
# Pass --cluster for what deploy/cluster.sh needs as well: nginx, the reverse proxy in front of the WebFronts.
# Pass --tests for what the test suite needs as well: Chromium, which the browser tests drive, nginx
# (the local cluster test), docker-compose and openssl (checking the Compose file and its proxy without a
# Docker engine), coturn (the TURN server the call tests relay media through, on loopback); kubectl
# (rendering the Kubernetes manifests) it names when missing.
set -euo pipefail
cluster=false tests=false
for arg in "$@"; do
  case "$arg" in
    --cluster) cluster=true ;;
    --tests) tests=true cluster=true ;;
    *) echo "unknown argument: $arg (expected --cluster or --tests)" >&2; exit 2 ;;
  esac
done

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
if $cluster; then
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
fi
if $tests; then
  [ -x /usr/bin/chromium ] || need+=(chromium fonts-dejavu-core)
  command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
  command -v openssl >/dev/null 2>&1 || need+=(openssl)
  # kubectl kustomize renders deploy/k8s. The manifests use kustomize v4+ fields (resources naming
  # folders, patches, replicas, labels): Debian's kubernetes-client (1.20, kustomize v2) is too old
  # for them, so install kubectl 1.21 or newer from Kubernetes' own packages when it is missing.
  command -v kubectl >/dev/null 2>&1 || echo "kubectl is missing: the Kubernetes manifest tests need kubectl 1.21+ (https://kubernetes.io/docs/tasks/tools/)" >&2
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

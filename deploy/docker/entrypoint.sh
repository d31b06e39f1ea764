#!/bin/bash
# GoChat's container entrypoint.
#   gochat             runs the process GOCHAT_ROLE names: webfront (default) or silo; arguments go to it
#   gochat health      exits 0 when /readyz on this container's HTTP port answers 200 (the image's HEALTHCHECK)
# GOCHAT_DB_PASSWORD_FILE: a file holding the database password, added to ConnectionStrings__GoChat
# (Compose and Kubernetes secrets are files; the password then appears in no environment listing).
# GoChat__Silo__AdvertisedIP defaults to this container's own address, which other silos can reach.
set -euo pipefail

if [ "${1:-}" = health ]; then
  # No curl in the runtime image: a plain HTTP/1.0 request over bash's /dev/tcp.
  port="${ASPNETCORE_HTTP_PORTS:-8080}"
  exec 3<>"/dev/tcp/127.0.0.1/${port%%[;,]*}"
  printf 'GET /readyz HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3
  IFS= read -r status <&3
  [[ "$status" == "HTTP/1."?" 200 "* ]]
  exit
fi

if [ -n "${GOCHAT_DB_PASSWORD_FILE:-}" ]; then
  export ConnectionStrings__GoChat="${ConnectionStrings__GoChat:?ConnectionStrings__GoChat is needed with GOCHAT_DB_PASSWORD_FILE};Password=$(<"$GOCHAT_DB_PASSWORD_FILE")"
fi
if [ -z "${GoChat__Silo__AdvertisedIP:-}" ]; then
  read -r GoChat__Silo__AdvertisedIP _ < <(getent hosts "$HOSTNAME")
  export GoChat__Silo__AdvertisedIP
fi

case "${GOCHAT_ROLE:-webfront}" in
  webfront) exec dotnet /app/GoChat.WebFront.dll "$@" ;;
  silo) exec dotnet /app/GoChat.Silo.dll "$@" ;;
  *) echo "GOCHAT_ROLE must be webfront or silo (it is '$GOCHAT_ROLE')" >&2; exit 2 ;;
esac

#!/bin/sh
# Run by the nginx image's entrypoint before nginx starts: a self-signed certificate for
# GOCHAT_TLS_NAME (localhost) unless one is already in /etc/gochat/tls (mounted, or made earlier).
set -eu
dir=/etc/gochat/tls
if [ -s "$dir/tls.crt" ] && [ -s "$dir/tls.key" ]; then exit 0; fi
name="${GOCHAT_TLS_NAME:-localhost}"
mkdir -p "$dir"
openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj "/CN=$name" \
  -addext "subjectAltName=DNS:$name,DNS:localhost,IP:127.0.0.1" \
  -keyout "$dir/tls.key" -out "$dir/tls.crt" 2>/dev/null
chmod 600 "$dir/tls.key"
echo "$0: made a self-signed certificate for $name in $dir; mount your own there (tls.crt, tls.key) to replace it"

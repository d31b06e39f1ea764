#!/usr/bin/env bash
# Backs GoChat up into one archive: its database (pg_dump, custom format) and its media files.
#   bash deploy/backup.sh [--out FILE]        default: ./backups/gochat-YYYYmmdd-HHMMSS.tar.gz
# Reads the settings GoChat reads (ConnectionStrings__GoChat, or the embedded database under
# GoChat__DataDir; GoChat__Media__Dir): set them as for GoChat. GoChat may keep running: the dump is
# one consistent snapshot, and media is copied after it, so every file the dump names is in the
# archive (media files are never changed once written). Restore with deploy/restore.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    *) echo "usage: bash deploy/backup.sh [--out FILE]" >&2; exit 2 ;;
  esac
done
out="$(realpath -m "${out:-./backups/gochat-$(date -u +%Y%m%d-%H%M%S).tar.gz}")"
# shellcheck source=deploy/gochat-data.sh
source deploy/gochat-data.sh
open_database

work="$(mktemp -d)"
trap 'rm -rf "$work"; stop_started_postgres' EXIT
mkdir -p "$work/gochat-backup/media" "$(dirname "$out")"
# Not the cluster's membership: a restored database would list the backed-up nodes as members, and
# new nodes would wait to reach them before joining. Empty tables start a fresh cluster.
"$pgbin/pg_dump" --format=custom --no-owner --no-privileges \
  --exclude-table-data=orleansmembershiptable --exclude-table-data=orleansmembershipversiontable \
  --file="$work/gochat-backup/database.dump" ||
  fail "pg_dump failed (for an external server, pg_dump must be of its major version or newer)"
if [ -d "$media_dir" ]; then
  # Uploads in progress (tmp/) are not media yet.
  tar -C "$media_dir" --exclude=./tmp -cf - . | tar -C "$work/gochat-backup/media" -xf -
fi
schema="$("$pgbin/psql" -X -q -t -A -c "SELECT coalesce(max(version), 0) FROM gochat_schema_version" 2>/dev/null || echo unknown)"
cat >"$work/gochat-backup/backup.txt" <<INFO
GoChat backup
made: $(date -u +%Y-%m-%dT%H:%M:%SZ)
database: $database_kind ($PGHOST:${PGPORT:-5432}/$PGDATABASE)
schema version: $schema
media files: $(find "$work/gochat-backup/media" -type f | wc -l)
INFO
(umask 077; tar -C "$work" -czf "$out" gochat-backup)
echo "GoChat backed up to $out"

#!/usr/bin/env bash
# Restores a GoChat backup made by deploy/backup.sh: the database's contents and the media files
# are replaced by the archive's.
#   bash deploy/restore.sh FILE
# The target is the one GoChat's settings name (ConnectionStrings__GoChat, or the embedded database
# under GoChat__DataDir; GoChat__Media__Dir). Stop every GoChat process that uses it first (for the
# embedded database this is checked). The database must exist: an external one created by its
# administrator, an embedded one by starting GoChat once with that data directory. Start GoChat
# afterwards: it brings a backup of an older version's schema up to date.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 1 ] || { echo "usage: bash deploy/restore.sh FILE" >&2; exit 2; }
archive="$(realpath "$1")"
[ -f "$archive" ] || { echo "restore.sh: no such backup: $1" >&2; exit 2; }
# shellcheck source=deploy/gochat-data.sh
source deploy/gochat-data.sh
open_database
if [ "$database_kind" = embedded ] && $gochat_running; then
  fail "GoChat is running with $data_dir: stop it first"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"; stop_started_postgres' EXIT
tar -C "$work" -xzf "$archive"
[ -f "$work/gochat-backup/database.dump" ] || fail "$1 is not a GoChat backup (no gochat-backup/database.dump inside)"

# --clean drops what the dump holds before recreating it, all in one transaction: on any error
# the database is left as it was.
"$pgbin/pg_restore" --clean --if-exists --no-owner --no-privileges --single-transaction --exit-on-error \
  --dbname="$PGDATABASE" "$work/gochat-backup/database.dump" || fail "pg_restore failed; the database is unchanged"

mkdir -p "$media_dir"
find "$media_dir" -mindepth 1 -delete
tar -C "$work/gochat-backup/media" -cf - . | tar -C "$media_dir" -xf -
# Files owned like their folder, for a GoChat that does not run as the user restoring.
chown -R --reference="$media_dir" "$media_dir"
echo "GoChat restored from $archive into the $database_kind database and $media_dir; start GoChat."

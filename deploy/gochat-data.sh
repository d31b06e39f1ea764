# Sourced by deploy/backup.sh and deploy/restore.sh: where GoChat's data is, read from the same
# settings GoChat reads (environment only: ConnectionStrings__GoChat, GoChat__DataDir,
# GoChat__Media__Dir, GoChat__PostgresBinDir), and a way to reach its database with libpq's tools.
#   external: ConnectionStrings__GoChat is set (an Npgsql connection string: Host/Server, Port,
#             Database, Username/User ID, Password, SSL Mode; values must not hold ';')
#   embedded: GoChat's own PostgreSQL under $GoChat__DataDir/postgres (./data by default). While
#             GoChat runs, its server is used; while it is stopped, a server is started here for the
#             time of the job, holding GoChat's lock so GoChat cannot start meanwhile.

data_dir="$(realpath -m "${GoChat__DataDir:-./data}")"
media_dir="$(realpath -m "${GoChat__Media__Dir:-$data_dir/media}")"
pgdata="$data_dir/postgres/data"
started_here=false

fail() { echo "$(basename "$0"): $*" >&2; exit 1; }
as_root() { [ "$(id -u)" -eq 0 ]; }
# PostgreSQL refuses to run as root: as root its server commands run as the postgres user, as GoChat does.
as_postgres() { if as_root; then runuser -u postgres -- "$@"; else "$@"; fi; }

# Sets pgbin: GoChat__PostgresBinDir, else the newest /usr/lib/postgresql/*/bin, else pg_dump's folder
# on PATH (Debian's /usr/bin/pg_dump is a wrapper script with no tools beside it).
find_pg_bin() {
  pgbin="${GoChat__PostgresBinDir:-}"
  [ -n "$pgbin" ] || pgbin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  if [ ! -x "$pgbin/pg_dump" ] && command -v pg_dump >/dev/null 2>&1; then pgbin="$(dirname "$(realpath "$(command -v pg_dump)")")"; fi
  [ -x "$pgbin/pg_dump" ] && [ -x "$pgbin/pg_restore" ] ||
    fail "PostgreSQL's tools (pg_dump, pg_restore) are missing: bash deploy/prerequisites.sh installs them"
}

# Sets PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD (and PGSSLMODE) from an Npgsql connection string.
use_connection_string() {
  local pair key value
  IFS=';' read -r -a pairs <<<"$1"
  for pair in "${pairs[@]}"; do
    [[ "$pair" == *=* ]] || continue
    key="$(tr -d ' ' <<<"${pair%%=*}" | tr '[:upper:]' '[:lower:]')"
    value="$(sed -E "s/^[[:space:]]+|[[:space:]]+$//g; s/^'(.*)'$/\\1/; s/^\"(.*)\"$/\\1/" <<<"${pair#*=}")"
    case "$key" in
      host | server) export PGHOST="$value" ;;
      port) export PGPORT="$value" ;;
      database | db) export PGDATABASE="$value" ;;
      username | userid | user | uid) export PGUSER="$value" ;;
      password | pwd) export PGPASSWORD="$value" ;;
      sslmode) export PGSSLMODE="$(tr '[:upper:]' '[:lower:]' <<<"$value" | sed 's/verifyfull/verify-full/; s/verifyca/verify-ca/')" ;;
    esac
  done
  [ -n "${PGHOST:-}" ] && [ -n "${PGDATABASE:-}" ] || fail "ConnectionStrings__GoChat names no Host or no Database"
}

free_port() {
  local port
  for _ in $(seq 50); do
    port=$((20000 + RANDOM % 40000))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
  fail "found no free port for PostgreSQL"
}

stop_started_postgres() {
  if $started_here; then as_postgres "$pgbin/pg_ctl" -D "$pgdata" stop -m fast -w -t 60 >/dev/null 2>&1 || true; fi
}

# Points libpq's variables at GoChat's database: the configured one, or the embedded one (started if need be).
open_database() {
  find_pg_bin
  if [ -n "${ConnectionStrings__GoChat:-}" ]; then
    use_connection_string "$ConnectionStrings__GoChat"
    database_kind=external
    return
  fi
  database_kind=embedded
  [ -f "$pgdata/PG_VERSION" ] ||
    fail "no GoChat database in $data_dir (set GoChat__DataDir, or ConnectionStrings__GoChat for an external PostgreSQL; to restore into a new data directory, start GoChat there once so it creates its database, stop it, then restore)"
  [ -f "$data_dir/postgres.secret" ] || fail "$data_dir/postgres.secret, the embedded database's password, is missing"
  export PGHOST=127.0.0.1 PGUSER=gochat PGDATABASE=gochat PGPASSWORD
  PGPASSWORD="$(cat "$data_dir/postgres.secret")"
  # GoChat holds an exclusive lock on this file while it runs.
  exec 9>>"$data_dir/gochat.lock"
  if flock -n 9; then
    gochat_running=false
    export PGPORT; PGPORT="$(free_port)"
    as_postgres "$pgbin/pg_ctl" -D "$pgdata" -l "$data_dir/postgres/postgres.log" -w -t 60 \
      -o "-p $PGPORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=''" start >/dev/null ||
      fail "could not start the embedded PostgreSQL: see $data_dir/postgres/postgres.log"
    started_here=true
    trap stop_started_postgres EXIT
  else
    gochat_running=true
    exec 9>&-
    export PGPORT; PGPORT="$(sed -n 4p "$pgdata/postmaster.pid" 2>/dev/null)"
    [ -n "$PGPORT" ] || fail "GoChat holds $data_dir but its PostgreSQL is not running"
  fi
}

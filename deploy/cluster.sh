#!/usr/bin/env bash
# A GoChat cluster on this machine, no Docker: PostgreSQL, two WebFronts, one headless Silo and
# nginx in front of the WebFronts.
#   bash deploy/cluster.sh up        installs what is missing (nginx), builds, starts everything, prints the URL
#   bash deploy/cluster.sh status    the processes, and the silos as the cluster sees them (its membership table)
#   bash deploy/cluster.sh down      stops everything it started (pid files), PostgreSQL last
# Everything lives in GOCHAT_CLUSTER_DIR (./data/cluster): the database, media shared by the
# WebFronts, logs (logs/*.log), pid files (run/*.pid) and the nginx configuration.
#
# Settings (environment):
#   GOCHAT_CLUSTER_DIR    ./data/cluster
#   GOCHAT_PROXY_PORT     8080            the one URL to open: http://127.0.0.1:$GOCHAT_PROXY_PORT
#   GOCHAT_PROXY_LISTEN   127.0.0.1       0.0.0.0 to let other machines in
#   GOCHAT_WEB_PORTS      "8081 8082"     one WebFront per port (loopback only; nginx reaches them)
#   GOCHAT_SILO_PORTS     "11111 11112 11113"   Orleans silo ports: one per WebFront, then the headless silo
#   GOCHAT_PG_PORT        5433            the cluster's PostgreSQL (loopback only)
#   GOCHAT_BIN_DIR        (build)         a folder with GoChat.WebFront.dll and GoChat.Silo.dll already built;
#                                         unset: Release builds of WebFront and Silo
#   GOCHAT_START_TIMEOUT  120             seconds to wait for every node to be ready
#   GOCHAT_STOP_TIMEOUT   45              seconds a node may take to stop before it is killed
#
# SignalR through the proxy: a hub connection is a negotiate request followed by the connection
# itself, and both must reach the same WebFront. nginx sends /hubs/ by a hash of the caller's
# token (the Authorization header of negotiate, or the access_token query parameter a browser puts
# on the WebSocket), so one client's requests stay on one WebFront while different users spread
# over both (deploy/nginx/maps.conf). Every other request goes to the least busy WebFront.
set -euo pipefail
cd "$(dirname "$0")/.."

dir="$(realpath -m "${GOCHAT_CLUSTER_DIR:-./data/cluster}")"
proxy_port="${GOCHAT_PROXY_PORT:-8080}"
proxy_listen="${GOCHAT_PROXY_LISTEN:-127.0.0.1}"
read -r -a web_ports <<<"${GOCHAT_WEB_PORTS:-8081 8082}"
read -r -a silo_ports <<<"${GOCHAT_SILO_PORTS:-11111 11112 11113}"
pg_port="${GOCHAT_PG_PORT:-5433}"
start_timeout="${GOCHAT_START_TIMEOUT:-120}"
stop_timeout="${GOCHAT_STOP_TIMEOUT:-45}"
run="$dir/run" logs="$dir/logs" pgdata="$dir/postgres/data"

as_root() { [ "$(id -u)" -eq 0 ]; }
# PostgreSQL refuses to run as root: as root, its commands run as the postgres user (as GoChat's embedded one does).
as_postgres() { if as_root; then runuser -u postgres -- "$@"; else "$@"; fi; }
pg_bin() {
  if command -v pg_ctl >/dev/null 2>&1; then dirname "$(realpath "$(command -v pg_ctl)")"; return; fi
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# A pid from a pid file is ours only if its command line names this cluster's folder (a stale file's pid may be reused).
ours() { [ -r "/proc/$1/cmdline" ] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -qF -- "$dir/"; }
alive() { local pid; pid="$(cat "$run/$1.pid" 2>/dev/null)" && ours "$pid"; }
nodes() { local i; for i in "${!web_ports[@]}"; do echo "web$((i + 1))"; done; echo silo1; }
pg_password() { cat "$dir/postgres.secret"; }
connection_string() { echo "Host=127.0.0.1;Port=$pg_port;Username=gochat;Password=$(pg_password);Database=gochat"; }
sql() { PGPASSWORD="$(pg_password)" "$(pg_bin)/psql" -h 127.0.0.1 -p "$pg_port" -U gochat -d "${2:-gochat}" -X -q -t -A -F ' ' -c "$1"; }
fail() { echo "cluster.sh: $*" >&2; exit 1; }

start_postgres() {
  local bin; bin="$(pg_bin)"
  [ -x "$bin/initdb" ] || fail "PostgreSQL's server binaries are missing: run bash deploy/prerequisites.sh"
  mkdir -p "$dir/postgres"
  if as_root; then
    chown postgres: "$dir/postgres"
    runuser -u postgres -- test -x "$dir/postgres" ||
      fail "the postgres user, which runs PostgreSQL for root, cannot enter $dir/postgres: let it pass through the directories above (chmod o+x), or choose another GOCHAT_CLUSTER_DIR"
  fi
  if [ ! -f "$pgdata/PG_VERSION" ]; then
    echo "Creating the cluster's PostgreSQL in $pgdata"
    (umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$dir/postgres.secret")
    install -m 600 /dev/null "$dir/postgres/initdb.pw"
    pg_password >"$dir/postgres/initdb.pw"
    as_root && chown postgres: "$dir/postgres/initdb.pw"
    as_postgres "$bin/initdb" -D "$pgdata" -U gochat --pwfile="$dir/postgres/initdb.pw" --auth=scram-sha-256 \
      --encoding=UTF8 --locale=C --no-instructions >"$logs/initdb.log" 2>&1 || { rm -f "$dir/postgres/initdb.pw"; fail "initdb failed: see $logs/initdb.log"; }
    rm -f "$dir/postgres/initdb.pw"
  fi
  as_postgres "$bin/pg_ctl" -D "$pgdata" -l "$dir/postgres/postgres.log" -w -t 60 \
    -o "-p $pg_port -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=300" start >/dev/null ||
    fail "PostgreSQL did not start: see $dir/postgres/postgres.log"
  [ -n "$(sql "SELECT 1 FROM pg_database WHERE datname = 'gochat'" postgres)" ] || sql "CREATE DATABASE gochat" postgres
}

stop_postgres() {
  [ -f "$pgdata/postmaster.pid" ] || return 0
  as_postgres "$(pg_bin)/pg_ctl" -D "$pgdata" stop -m fast -w -t 60 >/dev/null 2>&1 || true
}

# start_node NAME DLL SILO_PORT [VAR=value...]: a GoChat process in its own session (a closed terminal does not stop it).
start_node() {
  local name=$1 dll=$2 silo_port=$3; shift 3
  mkdir -p "$dir/nodes/$name"
  (
    cd "$(dirname "$dll")"
    exec env ConnectionStrings__GoChat="$(connection_string)" GoChat__Media__Dir="$dir/media" \
      GoChat__Silo__Name="$name" GoChat__Silo__AdvertisedIP=127.0.0.1 GoChat__Silo__Port="$silo_port" "$@" \
      setsid dotnet "$dll" --GoChat:DataDir="$dir/nodes/$name" </dev/null >"$logs/$name.log" 2>&1
  ) &
  echo $! >"$run/$name.pid"
}

write_nginx_conf() {
  local servers="" port
  for port in "${web_ports[@]}"; do servers+="    server 127.0.0.1:$port max_fails=1 fail_timeout=5s;"$'\n'; done
  mkdir -p "$dir/nginx/tmp"
  cat >"$dir/nginx/nginx.conf" <<EOF
# Written by deploy/cluster.sh up; what GoChat needs of a proxy is in deploy/nginx/*.conf (docs/deploy.md).
worker_processes 1;
pid $run/nginx.pid;
error_log $logs/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log $logs/nginx-access.log;
  client_body_temp_path $dir/nginx/tmp/body;
  proxy_temp_path $dir/nginx/tmp/proxy;
  fastcgi_temp_path $dir/nginx/tmp/fastcgi;
  uwsgi_temp_path $dir/nginx/tmp/uwsgi;
  scgi_temp_path $dir/nginx/tmp/scgi;
  include "$PWD/deploy/nginx/maps.conf";

  upstream gochat {
    least_conn;
$servers  }
  upstream gochat_hub {
    hash \$gochat_hub_client consistent;
$servers  }

  server {
    listen $proxy_listen:$proxy_port;
    include "$PWD/deploy/nginx/locations.conf";
  }
}
EOF
}

wait_ready() { # NAME URL
  local deadline=$((SECONDS + start_timeout))
  until curl -fsS -o /dev/null --max-time 5 "$2/readyz" 2>/dev/null; do
    alive "$1" || { tail -n 20 "$logs/$1.log" >&2; fail "$1 stopped while starting: see $logs/$1.log"; }
    [ "$SECONDS" -lt "$deadline" ] || fail "$1 was not ready within ${start_timeout}s: see $logs/$1.log"
    sleep 0.5
  done
}

wait_active() { # NAME SINCE: the headless silo has no HTTP; it is ready when the cluster lists it Active (a row of this start, not an earlier one's).
  local deadline=$((SECONDS + start_timeout))
  until [ -n "$(sql "SELECT 1 FROM OrleansMembershipTable WHERE SiloName = '$1' AND Status = 3 AND StartTime >= '$2'" 2>/dev/null)" ]; do
    alive "$1" || { tail -n 20 "$logs/$1.log" >&2; fail "$1 stopped while starting: see $logs/$1.log"; }
    [ "$SECONDS" -lt "$deadline" ] || fail "$1 did not join the cluster within ${start_timeout}s: see $logs/$1.log"
    sleep 0.5
  done
}

up() {
  [ "${#silo_ports[@]}" -eq $((${#web_ports[@]} + 1)) ] || fail "GOCHAT_SILO_PORTS needs one port per WebFront and one for the headless silo"
  local name running=()
  for name in $(nodes) nginx; do alive "$name" && running+=("$name"); done
  ((${#running[@]} == 0)) || fail "already running (${running[*]}): bash deploy/cluster.sh down first"
  local port
  for port in "$proxy_port" "${web_ports[@]}" "${silo_ports[@]}" "$pg_port"; do
    port_in_use "$port" && fail "port $port is in use; choose others with GOCHAT_PROXY_PORT, GOCHAT_WEB_PORTS, GOCHAT_SILO_PORTS, GOCHAT_PG_PORT"
  done

  bash deploy/prerequisites.sh --cluster
  local webfront silo
  if [ -n "${GOCHAT_BIN_DIR:-}" ]; then
    webfront="$(realpath "$GOCHAT_BIN_DIR/GoChat.WebFront.dll")" silo="$(realpath "$GOCHAT_BIN_DIR/GoChat.Silo.dll")"
  else
    echo "Building GoChat (Release)..."
    dotnet build WebFront -c Release -v quiet -nologo
    dotnet build Silo -c Release -v quiet -nologo
    webfront="$PWD/WebFront/bin/Release/net10.0/GoChat.WebFront.dll" silo="$PWD/Silo/bin/Release/net10.0/GoChat.Silo.dll"
  fi

  mkdir -p "$run" "$logs" "$dir/media"
  trap 'echo "Start-up failed; stopping what started." >&2; down >/dev/null 2>&1' ERR EXIT
  start_postgres
  echo "PostgreSQL      127.0.0.1:$pg_port"
  local since; since="$(sql "SELECT now()" postgres)"
  local i
  for i in "${!web_ports[@]}"; do
    # Forwarded headers: the client's address (sign-in limits) and scheme come from nginx on this
    # machine, which GoChat trusts by default (GoChat:ForwardedHeaders:KnownNetworks is loopback).
    start_node "web$((i + 1))" "$webfront" "${silo_ports[$i]}" ASPNETCORE_URLS="http://127.0.0.1:${web_ports[$i]}"
  done
  start_node silo1 "$silo" "${silo_ports[-1]}"
  for i in "${!web_ports[@]}"; do
    wait_ready "web$((i + 1))" "http://127.0.0.1:${web_ports[$i]}"
    echo "WebFront web$((i + 1))   http://127.0.0.1:${web_ports[$i]}  (silo port ${silo_ports[$i]})"
  done
  wait_active silo1 "$since"
  echo "Silo silo1      (silo port ${silo_ports[-1]})"
  write_nginx_conf
  "$(command -v nginx || echo /usr/sbin/nginx)" -p "$dir/nginx" -c "$dir/nginx/nginx.conf" -e "$logs/nginx-error.log" </dev/null >>"$logs/nginx-error.log" 2>&1 ||
    fail "nginx did not start: see $logs/nginx-error.log"
  trap - ERR EXIT
  echo "Logs in $logs; 'bash deploy/cluster.sh status' shows the cluster, 'bash deploy/cluster.sh down' stops it."
  local host="$proxy_listen"; [ "$host" = 0.0.0.0 ] && host=127.0.0.1
  echo "GoChat cluster is ready at http://$host:$proxy_port"
}

# stop SIGNAL NAME...: asks each to stop, waits (GOCHAT_STOP_TIMEOUT), then kills what is left.
stop() {
  local signal=$1 name pid pids=() deadline=$((SECONDS + stop_timeout)); shift
  for name in "$@"; do
    pid="$(cat "$run/$name.pid" 2>/dev/null)" || continue # nginx removes its own pid file as it stops
    rm -f "$run/$name.pid"
    if ours "$pid" && kill "-$signal" "$pid" 2>/dev/null; then pids+=("$pid"); fi
  done
  for pid in "${pids[@]}"; do
    while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "process $pid did not stop within ${stop_timeout}s; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
}

down() {
  stop QUIT nginx
  # shellcheck disable=SC2046 # one word per node
  stop TERM $(nodes)
  stop_postgres
  echo "GoChat cluster stopped."
}

status() {
  local name
  for name in $(nodes) nginx; do
    if alive "$name"; then echo "$name: running (pid $(cat "$run/$name.pid"))"; else echo "$name: stopped"; fi
  done
  if [ ! -f "$pgdata/postmaster.pid" ]; then echo "postgres: stopped"; return; fi
  echo "postgres: running on 127.0.0.1:$pg_port"
  echo
  echo "Silos as the cluster sees them (OrleansMembershipTable):"
  sql "SELECT rpad(SiloName, 10), rpad(Address || ':' || Port, 22),
              CASE Status WHEN 0 THEN 'None' WHEN 1 THEN 'Created' WHEN 2 THEN 'Joining' WHEN 3 THEN 'Active'
                          WHEN 4 THEN 'ShuttingDown' WHEN 5 THEN 'Stopping' WHEN 6 THEN 'Dead' ELSE Status::text END,
              'alive ' || to_char(IAmAliveTime, 'YYYY-MM-DD HH24:MI:SS')
       FROM OrleansMembershipTable ORDER BY Status = 6, SiloName, Generation DESC" | sed 's/^/  /'
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: bash deploy/cluster.sh up|down|status" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# Start a private PostgreSQL cluster on loopback for the reference site's PostgreSQL mode.
#
#   targets/postgres/up.sh [--dir DIR] [--port PORT]
#
# Installs Debian's postgresql with apt-get when its binaries are missing, creates a cluster in
# DIR/data (default /tmp/anp-pg, owned by the postgres user; trust auth, which is safe only
# because it listens on 127.0.0.1 and a socket inside DIR), starts it on PORT (default: a free
# port), creates database "anp", and prints the last line
#
#   DATABASE_URL=postgresql://postgres@127.0.0.1:PORT/anp
#
# Running it again while the cluster is up prints the same line. Stop with down.sh (by PID).
# Env overrides: ANP_PG_DIR, ANP_PG_PORT. Exit codes: 2 bad arguments, 3 could not start.
set -euo pipefail

dir="${ANP_PG_DIR:-/tmp/anp-pg}"
port="${ANP_PG_PORT:-}"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --dir) dir="${2:?--dir needs a directory}"; shift 2 ;;
        --port) port="${2:?--port needs a number}"; shift 2 ;;
        -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "up.sh: unknown argument '$1' (expected --dir DIR or --port PORT)" >&2; exit 2 ;;
    esac
done
if [[ -n "$port" && ! "$port" =~ ^[0-9]+$ ]]; then
    echo "up.sh: --port '$port' is not a number" >&2; exit 2
fi

find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
bin="$(find_bin)"
if [[ -z "$bin" || ! -x "$bin/pg_ctl" ]]; then
    if [[ "$(id -u)" != 0 ]]; then
        echo "up.sh: PostgreSQL is not installed and installing it needs root (apt-get install postgresql)" >&2
        exit 3
    fi
    echo "up.sh: installing postgresql with apt-get ..." >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >&2
    bin="$(find_bin)"
fi
if ! id postgres >/dev/null 2>&1; then
    echo "up.sh: user 'postgres' does not exist (the postgresql package creates it)" >&2; exit 3
fi

as_pg() {
    if [[ "$(id -un)" == postgres ]]; then "$@"; else runuser -u postgres -- "$@"; fi
}

data="$dir/data"
sock="$dir/sock"
mkdir -p "$dir" "$sock"
chown postgres: "$dir" "$sock" 2>/dev/null || true
chmod 700 "$dir"

if [[ ! -f "$data/PG_VERSION" ]]; then
    as_pg "$bin/initdb" -D "$data" -U postgres -A trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
        || { echo "up.sh: initdb failed; see $dir/initdb.log" >&2; tail -n 20 "$dir/initdb.log" >&2; exit 3; }
fi

if as_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    port="$(sed -n 4p "$data/postmaster.pid")"
    echo "up.sh: already running (pid $(head -n 1 "$data/postmaster.pid"), port $port)" >&2
else
    if [[ -z "$port" ]]; then
        port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
    fi
    as_pg "$bin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $sock" start >&2 \
        || { echo "up.sh: pg_ctl start failed; see $dir/server.log" >&2; tail -n 20 "$dir/server.log" >&2; exit 3; }
fi

psql=("$bin/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1)
if [[ "$("${psql[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname = 'anp'")" != 1 ]]; then
    "${psql[@]}" -c "CREATE DATABASE anp" >&2
fi
echo "DATABASE_URL=postgresql://postgres@127.0.0.1:$port/anp"

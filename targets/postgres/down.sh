#!/usr/bin/env bash
# Stop the private PostgreSQL cluster started by up.sh, by the PID in its postmaster.pid.
#
#   targets/postgres/down.sh [--dir DIR] [--purge]
#
# Sends SIGINT (PostgreSQL's "fast" shutdown) and waits up to 30 s for that PID to exit.
# --purge also deletes DIR afterwards. Nothing running is not an error.
set -euo pipefail

dir="${ANP_PG_DIR:-/tmp/anp-pg}"
purge=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --dir) dir="${2:?--dir needs a directory}"; shift 2 ;;
        --purge) purge=1; shift ;;
        -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "down.sh: unknown argument '$1' (expected --dir DIR or --purge)" >&2; exit 2 ;;
    esac
done

pidfile="$dir/data/postmaster.pid"
if [[ -f "$pidfile" ]]; then
    pid="$(head -n 1 "$pidfile")"
    if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
        kill -INT "$pid"
        for _ in $(seq 1 300); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            echo "down.sh: PostgreSQL pid $pid did not stop within 30 s" >&2; exit 3
        fi
        echo "down.sh: stopped PostgreSQL pid $pid" >&2
    else
        echo "down.sh: no running PostgreSQL for $pidfile" >&2
    fi
else
    echo "down.sh: no cluster running in $dir" >&2
fi
if [[ "$purge" == 1 ]]; then
    rm -rf -- "$dir"
fi

#!/usr/bin/env bash
# Stop the WordPress that targets/wordpress/up.sh started: Apache, then MariaDB, each by the PID it
# recorded under $ANP_WP_ROOT/run. Leaves the files in place (up.sh starts afresh anyway).
# Exit 0 when both are stopped (or were not running).
set -uo pipefail
ROOT=${ANP_WP_ROOT:-/tmp/anp-wp}
status=0
# running: the process exists and is not a zombie (an exited child its parent has not reaped yet)
running() { kill -0 "$1" 2>/dev/null && ! awk '{ exit ($3 == "Z") ? 0 : 1 }' "/proc/$1/stat" 2>/dev/null; }
for name in apache2 mysqld; do
  pidfile="$ROOT/run/$name.pid"
  [ -s "$pidfile" ] || continue
  pid=$(cat "$pidfile")
  case "$pid" in ''|*[!0-9]*) echo "anp-wp: ignoring $pidfile: not a PID" >&2; continue;; esac
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 150); do running "$pid" || break; sleep 0.1; done
    if running "$pid"; then
      echo "anp-wp: $name (pid $pid) still running after 15 s" >&2
      status=1
      continue
    fi
    echo "anp-wp: stopped $name (pid $pid)"
  fi
  rm -f "$pidfile"
done
exit $status

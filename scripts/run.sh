#!/usr/bin/env bash
# shellcheck disable=SC2317  # cleanup functions are called from traps
# `make run`: set up, migrate, load the demo data and serve Chumchon on http://127.0.0.1:$PORT/
# with the background worker (django-tasks db_worker) and the periodic jobs running beside it.
# Everything started here is stopped when the server exits (Ctrl-C, TERM or failure).
# Logs of the background processes: var/log/worker.log, var/log/periodic.log; web access log:
# var/log/access.log.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PORT="${PORT:-8000}"
WORKERS="${WEB_WORKERS:-2}"

bash scripts/setup.sh run

export DJANGO_SETTINGS_MODULE=config.settings.local
export PYTHONUNBUFFERED=1
PY=.venv/bin/python
mkdir -p var/log

echo "run: migrating the database (var/chumchon.sqlite3 unless DATABASE_URL is set)"
"$PY" manage.py migrate --noinput -v 1 >var/log/migrate.log 2>&1 || {
  cat var/log/migrate.log >&2
  echo "run: migrate failed" >&2
  exit 1
}
echo "run: loading the demo data"
"$PY" manage.py load_demo >var/log/load_demo.log 2>&1 || {
  cat var/log/load_demo.log >&2
  echo "run: load_demo failed" >&2
  exit 1
}
echo "run: collecting static files"
"$PY" manage.py collectstatic --noinput -v 0

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
if port_open "$PORT"; then
  echo "run: port $PORT is already in use: try 'make run PORT=8001'" >&2
  exit 1
fi

pids=()
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ "${#pids[@]}" -gt 0 ]; then
    echo "run: stopping the server and background processes"
    kill -TERM "${pids[@]}" 2>/dev/null || true
    # Give them a few seconds to finish the task at hand, then stop them for good.
    for _ in $(seq 50); do
      alive=0
      for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
      [ "$alive" = 0 ] && break
      sleep 0.1
    done
    kill -KILL "${pids[@]}" 2>/dev/null || true
    wait 2>/dev/null || true
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

{ echo "=== $(date -Is) db_worker --no-reload"; } >>var/log/worker.log
"$PY" manage.py db_worker --no-reload >>var/log/worker.log 2>&1 &
pids+=($!)
{ echo "=== $(date -Is) run_periodic --loop 3600"; } >>var/log/periodic.log
"$PY" manage.py run_periodic --loop 3600 >>var/log/periodic.log 2>&1 &
pids+=($!)

# The server runs in the background and the script waits for it, so a TERM sent to this script
# alone stops everything at once (a foreground child would delay the trap until it exits).
# stdin stays attached so the terminal's Ctrl-C reaches the whole group as usual.
.venv/bin/gunicorn config.wsgi --bind "127.0.0.1:$PORT" --workers "$WORKERS" --timeout 120 \
  --env DJANGO_SETTINGS_MODULE=config.settings.local \
  --access-logfile var/log/access.log --error-logfile - --log-level warning <&0 &
server=$!
pids+=("$server")

for _ in $(seq 300); do
  port_open "$PORT" && break
  if ! kill -0 "$server" 2>/dev/null; then
    echo "run: the web server did not start" >&2
    exit 1
  fi
  sleep 0.1
done
cat <<EOF

============================================================================
  Chumchon is running at  http://127.0.0.1:$PORT/
  Demo logins (from manage.py load_demo; also in var/log/load_demo.log):
EOF
sed -e '/^[[:space:]]*$/d' -e 's/^/    /' var/log/load_demo.log
cat <<EOF
  Logs: var/log/worker.log, var/log/periodic.log, var/log/access.log
  Press Ctrl-C to stop.
============================================================================

EOF

set +e
wait "$server"
rc=$?
set -e
for pid in "${pids[@]:0:2}"; do
  kill -0 "$pid" 2>/dev/null || echo "run: a background process (pid $pid) had stopped: see var/log/" >&2
done
exit "$rc"

#!/usr/bin/env bash
# shellcheck disable=SC2317  # cleanup functions are called from traps
# Run the test suite against a throwaway PostgreSQL 15 cluster that this script creates, and
# removes on exit (success, failure or interrupt).
#
#   scripts/pgtest.sh [pytest args...]   pytest (the whole suite unless args narrow it)
#   scripts/pgtest.sh --check            only create the cluster and check Thai order and pg_trgm
#   scripts/pgtest.sh --run CMD [ARGS]   run any command with DATABASE_URL set (used by make bench)
#
# The cluster uses ICU th-TH collation (Django's test database is copied from template1, so the
# cluster default must sort Thai in dictionary order), listens only on a Unix socket inside its
# own temporary folder (so the port never clashes with another server), and runs without fsync.
# As root, the server runs as the `postgres` user (PostgreSQL refuses to run as root).
# Environment: PGTEST_PORT (default 54329), PGBIN (default /usr/lib/postgresql/15/bin),
# PGTEST_KEEP=1 keeps the folder for a post-mortem (the server is still stopped).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PGBIN="${PGBIN:-/usr/lib/postgresql/15/bin}" # not /usr/local/bin/pg_ctl: that is another program
PORT="${PGTEST_PORT:-54329}"
DBNAME=chumchon

mode=pytest
if [ "${1:-}" = --check ]; then
  mode=check
  shift
elif [ "${1:-}" = --run ]; then
  mode=run
  shift
  [ "$#" -gt 0 ] || {
    echo "usage: $0 --run CMD [ARGS...]" >&2
    exit 2
  }
fi

for bin in initdb pg_ctl psql; do
  if ! [ -x "$PGBIN/$bin" ]; then
    echo "pgtest: $PGBIN/$bin not found: run 'scripts/setup.sh test' (Debian package postgresql-15)" >&2
    exit 1
  fi
done
if [ "$mode" != check ] && ! [ -x .venv/bin/python ]; then
  echo "pgtest: .venv missing: run scripts/setup.sh first" >&2
  exit 1
fi

DIR="$(mktemp -d /tmp/chumchon-pg.XXXXXX)"
DATA="$DIR/data"
started=0

as_pg() {
  # Run a PostgreSQL server program as the cluster owner, from a folder that owner can read.
  if [ "$(id -u)" -eq 0 ]; then
    (cd "$DIR" && runuser -u postgres -- "$@")
  else
    (cd "$DIR" && "$@")
  fi
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ "$started" = 1 ]; then
    as_pg "$PGBIN/pg_ctl" -D "$DATA" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  if [ "${PGTEST_KEEP:-0}" = 1 ]; then
    echo "pgtest: kept $DIR" >&2
  else
    rm -rf "$DIR"
  fi
  exit "$rc"
}
# The command runs in the background and the script waits for it, so a signal sent to this script
# alone (timeout, CI) is handled at once: the command gets TERM, then the cluster is removed.
child=""
on_signal() {
  if [ -n "$child" ]; then
    kill -TERM "$child" 2>/dev/null || true
    wait "$child" 2>/dev/null || true
  fi
  exit "$1"
}
run_child() {
  # stdin stays attached (a background command would otherwise read /dev/null): pytest --pdb works.
  "$@" <&0 &
  child=$!
  set +e
  wait "$child"
  local rc=$?
  set -e
  child=""
  return "$rc"
}
trap cleanup EXIT
trap 'on_signal 130' INT
trap 'on_signal 143' TERM

if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || {
    echo "pgtest: running as root but there is no 'postgres' user: install postgresql-15" >&2
    exit 1
  }
  chown postgres:postgres "$DIR"
fi
chmod 700 "$DIR"

t0=$(date +%s%N)
if ! as_pg "$PGBIN/initdb" --no-sync -E UTF8 --locale-provider=icu --icu-locale=th-TH \
  --locale=C.UTF-8 -U postgres -A trust -D "$DATA" >"$DIR/initdb.log" 2>&1; then
  cat "$DIR/initdb.log" >&2
  echo "pgtest: initdb failed" >&2
  exit 1
fi
# Deliberately not durable: a throwaway cluster for tests.
opts="-k $DIR -p $PORT -c listen_addresses='' -c fsync=off -c synchronous_commit=off"
opts+=" -c full_page_writes=off -c max_connections=100 -c shared_buffers=256MB"
if ! as_pg "$PGBIN/pg_ctl" -D "$DATA" -l "$DIR/server.log" -w -t 60 -o "$opts" start >/dev/null; then
  cat "$DIR/server.log" >&2 || true
  echo "pgtest: the server did not start" >&2
  exit 1
fi
started=1

PSQL=("$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$DIR" -p "$PORT" -U postgres)
"${PSQL[@]}" -d postgres -c "CREATE DATABASE $DBNAME"

# Guard: a database copied from template1 (as Django's test database is) must sort Thai in
# dictionary order and accept pg_trgm; otherwise collation tests would fail confusingly.
"${PSQL[@]}" -d postgres -c "CREATE DATABASE pgtest_check"
expected="กา เกม แก้ว ไก่ ขวด โต๊ะ ฮา"
got=$("${PSQL[@]}" -d pgtest_check -At -c "SELECT string_agg(w, ' ' ORDER BY w) FROM
  (VALUES ('ฮา'),('ไก่'),('กา'),('โต๊ะ'),('เกม'),('ขวด'),('แก้ว')) t(w)")
"${PSQL[@]}" -d pgtest_check -c "CREATE EXTENSION pg_trgm"
trgm=$("${PSQL[@]}" -d pgtest_check -At -c "SELECT similarity('community', 'communities') > 0.5")
"${PSQL[@]}" -d postgres -c "DROP DATABASE pgtest_check"
if [ "$got" != "$expected" ]; then
  echo "pgtest: Thai order is wrong: got '$got', expected '$expected'" >&2
  exit 1
fi
if [ "$trgm" != t ]; then
  echo "pgtest: pg_trgm does not work" >&2
  exit 1
fi
t1=$(date +%s%N)
echo "pgtest: PostgreSQL $("$PGBIN/postgres" -V | awk '{print $3}') ready in $(((t1 - t0) / 1000000)) ms" \
  "(socket $DIR, port $PORT; Thai order: $got; pg_trgm ok)"

export DATABASE_URL="postgres://postgres@/$DBNAME?host=$DIR&port=$PORT"
rc=0
case "$mode" in
  check) ;;
  run) run_child "$@" || rc=$? ;;
  pytest) run_child .venv/bin/pytest "$@" || rc=$? ;;
esac
exit "$rc"

#!/usr/bin/env bash
# Prepare this checkout to run or test Chumchon. Idempotent, non-interactive, fast when nothing
# changed (each step checks before it acts).
#
#   scripts/setup.sh          what `make run` needs: system libraries and fonts for PDFs, gettext,
#                             the Python venv (.venv), npm packages, var/secret_key, .mo files
#   scripts/setup.sh test     the same, plus what the test suite needs: PostgreSQL 15 server
#                             (pg_trgm included) and Debian's chromium for Playwright
#
# Environment: CHUMCHON_SKIP_APT=1 skips the system-package step; PYTHON=... picks the interpreter
# that creates .venv (default python3.11, else python3).
set -euo pipefail

MODE="${1:-run}"
case "$MODE" in
  run | test) ;;
  *)
    echo "usage: $0 [run|test]" >&2
    exit 2
    ;;
esac

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

export DEBIAN_FRONTEND=noninteractive
export PIP_DISABLE_PIP_VERSION_CHECK=1
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

START_NS=$(date +%s%N)
step_start=$START_NS
log() { printf 'setup: %s\n' "$*"; }
step_done() {
  local now
  now=$(date +%s%N)
  printf 'setup: %-28s %6d ms\n' "$1" $(((now - step_start) / 1000000))
  step_start=$now
}
hash_of() { cat "$@" | sha256sum | cut -d' ' -f1; }

# --- 1. System packages (Debian) --------------------------------------------------------------
# Runtime: Thai font (Laksaman) and Pango/HarfBuzz for WeasyPrint PDFs, pdftoppm/pdffonts,
# msgfmt for compilemessages.
APT_RUN=(fonts-thai-tlwg libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils gettext)
# Tests: PostgreSQL 15 (on Debian 12 "postgresql-contrib-15" is a virtual package provided by
# postgresql-15, which ships pg_trgm) and chromium for Playwright browser tests.
APT_TEST=(postgresql-15 chromium)

pkg_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

wanted=("${APT_RUN[@]}")
[ "$MODE" = test ] && wanted+=("${APT_TEST[@]}")
missing=()
for p in "${wanted[@]}"; do
  pkg_installed "$p" || missing+=("$p")
done
# pg_trgm lives in postgresql-15 itself; check the file so a stripped install is noticed.
if [ "$MODE" = test ] && pkg_installed postgresql-15 &&
  [ ! -f /usr/share/postgresql/15/extension/pg_trgm.control ]; then
  missing+=(postgresql-contrib)
fi

# Node.js and npm install Bootstrap and htmx (served locally: no CDN).
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)

PYTHON="${PYTHON:-}"
if [ -z "$PYTHON" ]; then
  if command -v python3.11 >/dev/null 2>&1; then PYTHON=python3.11; else PYTHON=python3; fi
fi
if ! [ -x .venv/bin/python ] && ! "$PYTHON" -c 'import venv, ensurepip' >/dev/null 2>&1; then
  # Debian's own python3 needs python3-venv to create a virtual environment.
  missing+=(python3-venv)
fi

if [ "${#missing[@]}" -gt 0 ]; then
  if [ "${CHUMCHON_SKIP_APT:-0}" = 1 ]; then
    log "CHUMCHON_SKIP_APT=1: not installing missing Debian packages: ${missing[*]}"
  elif [ "$(id -u)" -eq 0 ]; then
    log "installing Debian packages: ${missing[*]}"
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
  else
    log "WARNING: missing Debian packages (not root, not installing): ${missing[*]}"
    log "         install them with: sudo apt-get install --no-install-recommends ${missing[*]}"
  fi
fi
step_done "debian packages ($MODE)"

# --- 2. Python virtual environment -------------------------------------------------------------
if [ -x .venv/bin/python ] && ! .venv/bin/python -c 'import sys; assert sys.version_info[:2] == (3, 11)' 2>/dev/null; then
  log ".venv is broken or not Python 3.11: recreating it"
  rm -rf .venv
fi
if ! [ -x .venv/bin/python ]; then
  "$PYTHON" -c 'import sys; assert sys.version_info[:2] == (3, 11), sys.version' ||
    {
      log "ERROR: $PYTHON is not Python 3.11 (set PYTHON=/path/to/python3.11)"
      exit 1
    }
  log "creating .venv with $("$PYTHON" --version)"
  "$PYTHON" -m venv .venv
fi
step_done "venv"

# The stamp lives inside .venv, so a deleted or recreated venv is reinstalled.
PIP_STAMP=.venv/.chumchon-pip.sha256
pip_hash=$(hash_of pyproject.toml)
if [ "$(cat "$PIP_STAMP" 2>/dev/null)" != "$pip_hash" ]; then
  log "pyproject.toml changed since the last install: pip install -e '.[dev]'"
  rm -f "$PIP_STAMP"
  # The machine-wide pip config names local index folders that may not exist: hide that noise.
  .venv/bin/python -m pip install -q -e '.[dev]' \
    2> >(grep -v "is ignored: it is neither a file nor a directory" >&2 || true)
  echo "$pip_hash" >"$PIP_STAMP"
fi
step_done "pip"

# --- 3. Front-end packages (npm) ---------------------------------------------------------------
if [ -f package-lock.json ]; then
  NPM_STAMP=node_modules/.chumchon-npm.sha256
  npm_hash=$(hash_of package.json package-lock.json)
  if [ "$(cat "$NPM_STAMP" 2>/dev/null)" != "$npm_hash" ]; then
    if command -v npm >/dev/null 2>&1; then
      log "package-lock.json changed since the last install: npm ci"
      npm ci --no-audit --no-fund --loglevel=error </dev/null
      echo "$npm_hash" >"$NPM_STAMP"
    else
      log "ERROR: npm not found: Bootstrap and htmx cannot be installed (apt-get install nodejs npm)"
      exit 1
    fi
  fi
fi
step_done "npm"

# --- 4. var/ and the local secret key ----------------------------------------------------------
mkdir -p var/log
if ! [ -s var/secret_key ]; then
  log "creating var/secret_key"
  (
    umask 077
    .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(64))' >var/secret_key.tmp
    mv var/secret_key.tmp var/secret_key
  )
fi
chmod 600 var/secret_key
step_done "var/"

# --- 5. Translations ---------------------------------------------------------------------------
# .mo files are not committed (.gitignore): compile them when a .po file is newer than its .mo
# (or the .mo is missing). Checked here in the shell: starting Django costs about a second.
stale_po=0
while IFS= read -r -d '' po; do
  if [ "$po" -nt "${po%.po}.mo" ]; then
    stale_po=1
    break
  fi
done < <(find . \( -path ./.venv -o -path ./node_modules -o -path ./var -o -path ./static_root \
  -o -path ./.git \) -prune -o -name '*.po' -path '*/LC_MESSAGES/*' -print0)
if [ "$stale_po" = 1 ]; then
  log "compiling translations (.po -> .mo)"
  DJANGO_SETTINGS_MODULE=config.settings.local .venv/bin/python manage.py compilemessages \
    --ignore=.venv --ignore=node_modules --ignore=var --ignore=static_root -v 0
fi
step_done "compilemessages"

printf 'setup: %-28s %6d ms\n' "total" $((($(date +%s%N) - START_NS) / 1000000))

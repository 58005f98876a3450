#!/usr/bin/env bash
# Run the whole test suite: installs the Python test tools and (if missing) Debian's Chromium,
# PostgreSQL and nginx, then runs pytest. With arguments, one pytest run with them, e.g. ./test.sh -k sweep
set -euo pipefail
cd "$(dirname "$0")"
PYTHON="${PYTHON:-python3}"

"$PYTHON" -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt

# Debian packages the tests use: chromium (browser tests), postgresql (class mode against a real server;
# the tests start throwaway clusters of their own, tests/pg_server.py) and nginx (two replicas behind it).
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="$(command -v sudo || true)"
  if [ "$(id -u)" = 0 ] || [ -n "$sudo" ]; then
    echo "Installing Debian's ${missing[*]} for the tests..."
    ($sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null)
  else
    echo "${missing[*]} not installed and cannot be installed here: the tests that need them will be skipped." >&2
  fi
fi

if [ "$#" -gt 0 ]; then
  exec "$PYTHON" -m pytest "$@"
fi
# The whole suite: unit, property and page tests on every core (pytest-xdist), then the browser tests,
# which share one server and one Chromium, on their own. Both always run; either failing fails.
status=0
"$PYTHON" -m pytest -n auto --ignore=tests/browser || status=$?
"$PYTHON" -m pytest tests/browser || status=$?
exit "$status"

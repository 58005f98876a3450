#!/usr/bin/env bash
# Run the whole test suite: installs the Python test tools and (if missing) Debian's Chromium for
# the browser tests, then runs pytest. With arguments, one pytest run with them, e.g. ./test.sh -k sweep
set -euo pipefail
cd "$(dirname "$0")"
PYTHON="${PYTHON:-python3}"

"$PYTHON" -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    echo "Installing Debian's chromium for the browser tests..."
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)
  elif command -v sudo >/dev/null 2>&1; then
    echo "Installing Debian's chromium for the browser tests (sudo)..."
    (sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)
  else
    echo "chromium is not installed and cannot be installed here: the browser tests will be skipped." >&2
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

#!/usr/bin/env bash
# Run the whole test suite: installs the Python test tools and (if missing) Debian's Chromium for
# the browser tests, then runs pytest. Extra arguments go to pytest, e.g. ./test.sh -k sweep
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

exec "$PYTHON" -m pytest "$@"

#!/usr/bin/env bash
# Run the whole test suite: installs the Python test tools and (if missing, where apt-get exists) Debian's
# Chromium for the browser tests, then runs pytest. With arguments, one pytest run with them, e.g.
# ./test.sh -k sweep. The browser tests use $CHROMIUM if it is set (any Chromium or Chrome binary), else
# `chromium` on the PATH; without either they are skipped with the reason (with CI=true they fail).
set -euo pipefail
cd "$(dirname "$0")"
PYTHON="${PYTHON:-python3}"

"$PYTHON" -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt

no_browser() {
  cat >&2 <<'MESSAGE'
No Chromium for the browser tests: they will be skipped (the other tests run). To run them, install
Chromium or Google Chrome and point CHROMIUM at its binary, e.g. on macOS:
    brew install --cask chromium
    export CHROMIUM=/Applications/Chromium.app/Contents/MacOS/Chromium
  or, with Chrome: export CHROMIUM="/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"
On Debian or Ubuntu: sudo apt-get install chromium
MESSAGE
}

if [ -n "${CHROMIUM:-}" ]; then
  [ -x "$CHROMIUM" ] || { echo "CHROMIUM=$CHROMIUM is not an executable file." >&2; no_browser; }
elif ! command -v chromium >/dev/null 2>&1; then
  if ! command -v apt-get >/dev/null 2>&1; then
    no_browser  # not Debian (macOS, ...): nothing to install with
  elif [ "$(id -u)" = 0 ]; then
    echo "Installing Debian's chromium for the browser tests..."
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || no_browser
  elif command -v sudo >/dev/null 2>&1 && { sudo -n true 2>/dev/null || [ -t 0 ]; }; then  # may ask a password
    echo "Installing Debian's chromium for the browser tests (sudo)..."
    (sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
      || no_browser
  else
    no_browser
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

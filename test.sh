#!/usr/bin/env bash
# Run the whole test suite: installs the Python test tools and, where apt-get exists and is allowed, the Debian
# packages some tests need (chromium: browser tests; postgresql: class mode against a real server; nginx: two
# replicas behind it), then runs pytest. With arguments, one pytest run with them, e.g. ./test.sh -k sweep.
# The browser tests use $CHROMIUM if it is set (any Chromium or Chrome binary), else `chromium` on the PATH;
# tests whose tool is missing are skipped with the reason (with CI=true they fail).
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

missing=()
if [ -n "${CHROMIUM:-}" ]; then
  [ -x "$CHROMIUM" ] || { echo "CHROMIUM=$CHROMIUM is not an executable file." >&2; no_browser; }
elif ! command -v chromium >/dev/null 2>&1; then
  missing+=(chromium)
fi
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="$(command -v sudo || true)"
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "Not Debian: ${missing[*]} cannot be installed here; the tests that need them will be skipped." >&2
    [[ " ${missing[*]} " == *" chromium "* ]] && no_browser
  elif [ "$(id -u)" = 0 ] || { [ -n "$sudo" ] && { sudo -n true 2>/dev/null || [ -t 0 ]; }; }; then
    echo "Installing Debian's ${missing[*]} for the tests..."
    ($sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" \
      >/dev/null) || { echo "Could not install ${missing[*]}; the tests that need them will be skipped." >&2; }
  else
    echo "${missing[*]} not installed and cannot be installed here: the tests that need them will be skipped." >&2
    [[ " ${missing[*]} " == *" chromium "* ]] && no_browser
  fi
fi

if [ "$#" -gt 0 ]; then
  exec "$PYTHON" -m pytest "$@"
fi
# The whole suite: unit, property and page tests on every core (pytest-xdist), then the browser tests,
# which share one server and one Chromium, on their own. Both always run; either failing fails.
# A browser test that fails is run once more (pytest-rerunfailures): a real browser on a loaded machine
# can lose a click to a rerun; a broken feature fails twice. The summary counts the reruns ("rerun").
status=0
"$PYTHON" -m pytest -n auto --ignore=tests/browser || status=$?
"$PYTHON" -m pytest --reruns 1 tests/browser || status=$?
exit "$status"

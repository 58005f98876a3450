#!/usr/bin/env bash
# Run K replicas of the Playground behind nginx on loopback, in the foreground.
#
#   deploy/run_replicas.sh [-k REPLICAS] [-p NGINX_PORT] [-b FIRST_REPLICA_PORT]
#   PYTHON=/path/to/venv/bin/python deploy/run_replicas.sh -k 2 -p 8500 -b 8601
#
# Starts `streamlit run app.py` on FIRST_REPLICA_PORT, FIRST_REPLICA_PORT+1, ... (127.0.0.1
# only), waits until each answers /_stcore/health, then runs Debian's nginx with deploy/nginx.conf
# (its upstream rewritten to these K ports, listening on 127.0.0.1:NGINX_PORT) until Ctrl-C or
# SIGTERM, which stops nginx and every replica and removes the run directory. Logs: printed on
# exit when something failed (KEEP_LOGS=1 keeps the directory).
#
# The replicas share one cookie secret (STREAMLIT_SERVER_COOKIE_SECRET, random unless set), so a
# cookie one replica signed (XSRF, st.login) is valid on the others after a failover.
# Needs: nginx (apt-get install nginx), the Python environment of requirements.txt.
set -euo pipefail

REPLICAS=2
NGINX_PORT=8500
FIRST_PORT=8601
while getopts "k:p:b:h" opt; do
  case "$opt" in
    k) REPLICAS="$OPTARG" ;;
    p) NGINX_PORT="$OPTARG" ;;
    b) FIRST_PORT="$OPTARG" ;;
    *) sed -n '2,16p' "$0"; exit 2 ;;
  esac
done

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
NGINX="${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}"
[ -x "$NGINX" ] || { echo "nginx not found (Debian: apt-get install nginx)" >&2; exit 1; }
"$PYTHON" -c "import streamlit" 2>/dev/null || { echo "$PYTHON cannot import streamlit (set PYTHON=)" >&2; exit 1; }

RUN_DIR="$(mktemp -d "${TMPDIR:-/tmp}/playground-replicas.XXXXXX")"
chmod 755 "$RUN_DIR"  # nginx workers (user nobody when started as root) use its temp directories
export STREAMLIT_SERVER_COOKIE_SECRET="${STREAMLIT_SERVER_COOKIE_SECRET:-$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')}"
PIDS=()
NGINX_PID=""
STATUS=0

cleanup() {
  trap - EXIT INT TERM
  [ -n "$NGINX_PID" ] && kill -QUIT "$NGINX_PID" 2>/dev/null || true  # graceful: finish open requests
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}" $NGINX_PID; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  if [ "$STATUS" != 0 ] || [ "${KEEP_LOGS:-0}" = 1 ]; then
    echo "logs kept in $RUN_DIR" >&2
    [ "$STATUS" != 0 ] && tail -n 20 "$RUN_DIR"/*.log >&2 || true
  else
    rm -rf "$RUN_DIR"
  fi
  echo "stopped nginx and $REPLICAS replica(s)"
  exit "$STATUS"
}
trap cleanup EXIT
trap 'STATUS=0; cleanup' INT TERM

# --- the replicas
UPSTREAM=""
for i in $(seq 0 $((REPLICAS - 1))); do
  port=$((FIRST_PORT + i))
  (cd "$ROOT" && exec "$PYTHON" -m streamlit run app.py \
      --server.address 127.0.0.1 --server.port "$port" --server.headless true \
      --browser.gatherUsageStats false --server.fileWatcherType none \
      --runner.postScriptGC false) >"$RUN_DIR/replica-$port.log" 2>&1 &
  PIDS+=("$!")
  UPSTREAM+="        server 127.0.0.1:$port max_fails=3 fail_timeout=10s;\n"
done
printf '%s\n' "${PIDS[@]}" >"$RUN_DIR/replicas.pids"

for i in $(seq 0 $((REPLICAS - 1))); do
  port=$((FIRST_PORT + i))
  "$PYTHON" - "$port" "${PIDS[$i]}" <<'EOF' || { STATUS=1; exit 1; }
import os, sys, time, urllib.request
port, pid = sys.argv[1], int(sys.argv[2])
for _ in range(300):
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit(f"replica on port {port} exited")
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
            if r.read().strip() == b"ok":
                sys.exit(0)
    except OSError:
        time.sleep(0.2)
sys.exit(f"replica on port {port} did not become healthy")
EOF
done

# --- nginx, with deploy/nginx.conf adapted to this run
mkdir -p "$RUN_DIR/nginx"
LOCAL="client_body_temp_path $RUN_DIR/nginx/body; proxy_temp_path $RUN_DIR/nginx/proxy; \
fastcgi_temp_path $RUN_DIR/nginx/fastcgi; uwsgi_temp_path $RUN_DIR/nginx/uwsgi; \
scgi_temp_path $RUN_DIR/nginx/scgi; access_log $RUN_DIR/nginx-access.log;"
awk -v upstream="$UPSTREAM" -v listen="        listen 127.0.0.1:$NGINX_PORT;" -v local="    $LOCAL" '
  /# BEGIN replicas/ { print; printf "%s", upstream; skip = 1; next }
  /# END replicas/   { skip = 0 }
  skip               { next }
  /# @listen/        { print listen; next }
  /# @local/         { print local; next }
  { print }
' "$ROOT/deploy/nginx.conf" >"$RUN_DIR/nginx.conf"

NGINX_ARGS=(-p "$RUN_DIR/nginx" -c "$RUN_DIR/nginx.conf" -e stderr -g "pid $RUN_DIR/nginx.pid; daemon off;")
"$NGINX" -t -q "${NGINX_ARGS[@]}" || { STATUS=1; exit 1; }
"$NGINX" "${NGINX_ARGS[@]}" 2>"$RUN_DIR/nginx.log" &
NGINX_PID=$!

echo "nginx on http://127.0.0.1:$NGINX_PORT -> $REPLICAS replica(s) on ports $FIRST_PORT..$((FIRST_PORT + REPLICAS - 1))" \
     "(pids ${PIDS[*]}); Ctrl-C to stop"
wait "$NGINX_PID" || STATUS=$?
echo "nginx exited (status $STATUS)" >&2

#!/usr/bin/env bash
# demo.sh - one command for the demo: `npm run demo`.
#
# 1. Builds the demo app (`nest build demo`) when its build is missing or older than the sources.
# 2. Unless BUCKET_HOST is set, starts the project's local S3 server (scripts/local-s3.sh: Ceph
#    RGW on loopback, data in memory) and points the demo at it. With BUCKET_HOST set, the demo
#    uses that server, with BUCKET_PORT, BUCKET_USER, BUCKET_PASSWORD... from the environment.
# 3. Starts the demo on HOST:PORT (default 127.0.0.1:3000), waits until it answers, and prints
#    the URLs and the API token (DEMO_API_TOKEN, generated here when unset).
# 4. Ctrl-C (SIGINT) or SIGTERM stops the demo, then the local S3 server, leaving no process
#    behind. The exit status is the demo's (130 after Ctrl-C).
#
# Environment: PORT, HOST, DEMO_API_TOKEN, DEMO_MAX_UPLOAD_BYTES, BUCKET_* (see docs/demo.md).
# shellcheck disable=SC2317 # stop_child and cleanup run from traps
set -euo pipefail
cd "$(dirname "$0")/.."

readonly ENTRY=${DEMO_ENTRY:-dist/apps/demo/apps/demo/src/main.js}
APP_PID=
CHILD=
S3_DIR=

log() { printf 'demo: %s\n' "$*" >&2; }

# True while a process runs (a zombie counts as gone).
alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ ${stat:0:1} != [ZX] ]]
}

# SIGTERM a child of ours, wait for it to exit, SIGKILL it after $2 seconds.
stop_child() {
  local pid=$1 grace=$2 i
  alive "$pid" || { wait "$pid" 2>/dev/null || true; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 50; i++)); do
    alive "$pid" || break
    sleep 0.02
  done
  if alive "$pid"; then
    log "pid $pid did not stop in ${grace} s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

# Runs a step in the background and waits for it, so that a signal is acted on at once rather
# than when the step ends (bash defers traps while a foreground command runs).
run() {
  local status=0
  "$@" &
  CHILD=$!
  wait "$CHILD" || status=$?
  CHILD=
  return "$status"
}

# Stops whatever runs (a build, a server start, the demo), then the local S3 server; idempotent.
cleanup() {
  trap - INT TERM HUP
  if [[ -n $CHILD ]]; then stop_child "$CHILD" 30; fi # local-s3.sh cleans up a start it abandons
  # The library drains uploads in flight for up to BUCKET_SHUTDOWN_DRAIN_MS (10 s) first.
  if [[ -n $APP_PID ]]; then stop_child "$APP_PID" 20; fi
  CHILD='' APP_PID=''
  if [[ -n $S3_DIR ]]; then
    if [[ -f $S3_DIR/.nest-bucket-s3 ]]; then
      bash scripts/local-s3.sh stop "$S3_DIR" || log "could not stop the local S3 server in $S3_DIR"
    else
      rmdir "$S3_DIR" 2>/dev/null || true
    fi
    S3_DIR=
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# ------------------------------------------------------------------ build ---
needs_build() {
  [[ ! -f $ENTRY ]] && return 0
  [[ -n $(find apps/demo/src libs/bucket/src tsconfig.json apps/demo/tsconfig.app.json nest-cli.json \
    -newer "$ENTRY" \( -name '*.ts' -o -name '*.json' \) -print -quit 2>/dev/null) ]]
}
if needs_build; then
  log "building the demo (nest build demo)..."
  run ./node_modules/.bin/nest build demo >&2
  [[ -f $ENTRY ]] || { log "the build did not produce $ENTRY"; exit 1; }
fi

# ---------------------------------------------------------------- storage ---
if [[ -z ${BUCKET_HOST:-} ]]; then
  # Our own folder, known before the start, so that an interrupted start is cleaned up too.
  S3_DIR=$(mktemp -d /tmp/nest-bucket-s3.XXXXXX)
  log "starting the local S3 server (scripts/local-s3.sh)..."
  # It prints `export BUCKET_...=...` lines, and writes the same lines to DIR/env.sh.
  run bash scripts/local-s3.sh start "$S3_DIR" >/dev/null
  while IFS= read -r line; do
    if [[ $line =~ ^export\ (BUCKET_[A-Z_]+)=(.*)$ ]]; then
      value=${BASH_REMATCH[2]}
      value=${value#\'}
      export "${BASH_REMATCH[1]}=${value%\'}"
    fi
  done <"$S3_DIR/env.sh"
  [[ -n ${BUCKET_HOST:-} && -n ${BUCKET_PORT:-} ]] || { log "local-s3.sh printed no settings"; exit 1; }
  storage="http://$BUCKET_HOST:$BUCKET_PORT (local Ceph RGW, in memory, stopped with the demo)"
else
  storage="$BUCKET_HOST${BUCKET_PORT:+ port $BUCKET_PORT} (from BUCKET_HOST)"
fi

# ------------------------------------------------------------------- demo ---
export PORT=${PORT:-3000} HOST=${HOST:-127.0.0.1}
if [[ -z ${DEMO_API_TOKEN:-} ]]; then
  DEMO_API_TOKEN=$(node -e 'process.stdout.write(require("crypto").randomBytes(24).toString("base64url"))')
fi
export DEMO_API_TOKEN

node "$ENTRY" &
APP_PID=$!

probe_host=$HOST
[[ $probe_host == 0.0.0.0 || $probe_host == :: ]] && probe_host=127.0.0.1
http_up() { # any HTTP answer on /health
  (
    exec 4<>"/dev/tcp/$probe_host/$PORT" || exit 1
    printf 'GET /health HTTP/1.0\r\nHost: %s\r\n\r\n' "$probe_host" >&4
    IFS= read -r -t 5 line <&4 || exit 1
    [[ $line == HTTP/* ]]
  ) 2>/dev/null
}
for ((i = 0; ; i++)); do
  if ! alive "$APP_PID"; then
    status=0
    wait "$APP_PID" || status=$?
    APP_PID=
    log "the demo exited during start (status $status)"
    exit "$((status == 0 ? 1 : status))"
  fi
  http_up && break
  if ((i > 600)); then log "the demo does not answer on $probe_host:$PORT after 30 s"; exit 1; fi
  sleep 0.05
done

url_host=$HOST
[[ $url_host == *:* ]] && url_host="[$url_host]"
base="http://$url_host:$PORT"
cat >&2 <<EOF

  nest-bucket demo is running
    API        $base/buckets
    Health     $base/health
    Storage    $storage
    API token  $DEMO_API_TOKEN

  Try it:
    export TOKEN='$DEMO_API_TOKEN'
    curl -X POST -H "Authorization: Bearer \$TOKEN" $base/buckets/demo
    curl -X PUT -H "Authorization: Bearer \$TOKEN" -H 'Content-Type: text/plain' \\
         --data-binary 'hello' $base/buckets/demo/files/notes/hello.txt
    curl $base/buckets/demo/files?prefix=notes/
    curl $base/buckets/demo/files/notes/hello.txt

  Press Ctrl-C to stop the demo and the storage.

EOF

status=0
wait "$APP_PID" || status=$?
APP_PID=
exit "$status"

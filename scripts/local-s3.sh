#!/usr/bin/env bash
# local-s3.sh - a real S3 server on loopback for tests, the demo and benchmarks.
#
# It runs a one-node Ceph (ceph-mon, ceph-osd with the in-memory memstore, and
# the RADOS Gateway `radosgw`) with every file under one state folder; nothing
# goes to /etc/ceph or /var/lib/ceph. Starts in about 2.5 s, stops in 0.6 s.
#
# Usage:
#   eval "$(scripts/local-s3.sh start [DIR])"  # boot; prints `export BUCKET_...` lines
#   scripts/local-s3.sh stop [DIR]             # stop its daemons, remove DIR
#   scripts/local-s3.sh install                # only install the Ceph packages if missing
#   scripts/local-s3.sh status [DIR]           # exit 0 if the gateway answers HTTP
#   scripts/local-s3.sh env [DIR]              # print the export lines again
#   scripts/local-s3.sh stop-rgw [DIR]         # stop only the gateway (simulate an outage)
#   scripts/local-s3.sh start-rgw [DIR]        # start it again on the same port
#   scripts/local-s3.sh restart-rgw [DIR]      # both of the above
#
# DIR defaults to $LOCAL_S3_DIR; for `start`, to a new `mktemp -d
# /tmp/nest-bucket-s3.XXXXXX` folder (an existing DIR must be empty).
# `start` prints ONLY these lines on stdout (progress goes to stderr), and
# writes them to DIR/env.sh too, and {host,port,user,password,region,dir} to
# DIR/env.json:
#   export BUCKET_HOST=127.0.0.1
#   export BUCKET_PORT=<port>
#   export BUCKET_USER=<access key>
#   export BUCKET_PASSWORD=<secret>
#   export BUCKET_REGION=us-east-1
#   export BUCKET_USE_SSL=false
#   export BUCKET_TEST_KMS_KEY_ID=nest-bucket-test-key  (the SSE-KMS key the server knows)
#   export LOCAL_S3_DIR=<state folder>
#
# Environment:
#   LOCAL_S3_DIR              state folder (see above)
#   LOCAL_S3_PORT             gateway port (default: a free one)
#   LOCAL_S3_MEMSTORE_BYTES   memstore size (default 6 GiB; RAM is only taken as
#                             data arrives; a full store makes requests hang)
#
# Installs ceph-mon ceph-osd radosgw ceph-common with apt-get when run as root
# and they are missing. Logs: DIR/log/*.log. Works without a terminal (CI).
# Clients must send path-style requests; with @aws-sdk/client-s3 set
# requestChecksumCalculation/responseChecksumValidation to 'WHEN_REQUIRED'.
set -euo pipefail

readonly PACKAGES=(ceph-mon ceph-osd radosgw ceph-common)
readonly TOOLS=(ceph ceph-mon ceph-osd radosgw radosgw-admin ceph-authtool monmaptool)
readonly REGION=us-east-1
readonly USER_ID=nest-bucket
readonly MARKER=.nest-bucket-s3   # marks a folder as ours (stop only removes those)
# The SSE-KMS key id the local server knows (see the rgw section of the configuration).
readonly SSE_KMS_TEST_KEY_ID=nest-bucket-test-key
readonly BLOCK=16                 # ports per instance: mon, rgw, then the osd's range
REGISTRY="/tmp/nest-bucket-s3-ports.$(id -u)"
readonly REGISTRY

log() { printf 'local-s3: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
now_ms() { local t; t=$(date +%s%N); echo $((t / 1000000)); }

# ----------------------------------------------------------------- helpers ---

# Run a command as a daemon: stdin from /dev/null, output to a log file, and
# every inherited descriptor above 2 closed (lock files, the caller's pipes), so
# that `$(local-s3.sh start)` or execFile returns once the script exits.
spawn() {
  local logfile=$1; shift
  (
    local fd
    for fd in /proc/"$BASHPID"/fd/*; do
      fd=${fd##*/}
      if ((fd > 2)); then exec {fd}>&- 2>/dev/null || true; fi
    done
    exec "$@" </dev/null >>"$logfile" 2>&1
  )
}

# Run a ceph CLI tool bounded in time, its output to the setup log.
cli() { timeout 30 "$@" -c "$CONF" </dev/null >>"$DIR/log/setup.log" 2>&1 3>&- 9>&-; }

# True if something answers HTTP on 127.0.0.1:$1 (pure bash; curl may be absent).
http_up() {
  (
    exec 4<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf 'GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&4
    IFS= read -r -t 3 line <&4 || exit 1
    [[ $line == HTTP/* ]]
  ) 2>/dev/null
}

# True if every port given is free on 127.0.0.1.
ports_free() {
  if command -v node >/dev/null 2>&1; then
    node -e '
      const net = require("net");
      (async () => {
        for (const p of process.argv.slice(1).map(Number)) {
          await new Promise((ok, ko) => {
            const s = net.createServer();
            s.once("error", ko);
            s.listen({ port: p, host: "127.0.0.1", exclusive: true }, () => s.close(ok));
          });
        }
      })().then(() => process.exit(0), () => process.exit(1));' -- "$@" 2>/dev/null
  elif command -v python3 >/dev/null 2>&1; then
    python3 -c '
import socket, sys
for p in sys.argv[1:]:
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try: s.bind(("127.0.0.1", int(p)))
    except OSError: sys.exit(1)
    finally: s.close()' "$@" 2>/dev/null
  else
    local p
    for p in "$@"; do
      if (exec 4<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then return 1; fi
    done
  fi
}

# Read a field written by `start` into DIR/state.
state() { sed -n "s/^$1=//p" "$DIR/state" 2>/dev/null | head -n 1 || true; }

# The pid in a pid file if that process is one of ours (it was given our
# ceph.conf); nothing otherwise. A reused pid never matches.
our_pid() {
  local pid
  pid=$(cat "$1" 2>/dev/null) || return 0
  [[ $pid =~ ^[0-9]+$ ]] || return 0
  is_ours "$pid" && echo "$pid"
  return 0
}
is_ours() {
  local arg
  [[ -r /proc/$1/cmdline ]] || return 1
  while IFS= read -r -d '' arg; do
    [[ $arg == "$CONF" ]] && return 0
  done <"/proc/$1/cmdline" 2>/dev/null
  return 1
}

# True while a process runs. A zombie counts as gone: the daemons are children
# of pid 1, and an init that reaps late (or never, in some containers) would
# otherwise make every stop wait for nothing.
alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ ${stat:0:1} != [ZX] ]]
}

# SIGTERM one process, wait for it to exit, SIGKILL it after $2 seconds.
stop_pid() {
  local pid=$1 grace=${2:-5} i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < grace * 50; i++)); do
    alive "$pid" || return 0
    sleep 0.02
  done
  log "pid $pid did not exit after ${grace}s; killing it"
  kill -KILL "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 250; i++)); do
    alive "$pid" || return 0
    sleep 0.02
  done
}

stop_daemon() { # name grace
  local pid
  pid=$(our_pid "$DIR/run/$1.pid")
  if [[ -n $pid ]]; then stop_pid "$pid" "$2"; fi
  rm -f "$DIR/run/$1.pid"
}

# Daemons of this folder that have no pid file (killed mid-start, for example).
stragglers() {
  local p pid
  for p in /proc/[0-9]*; do
    pid=${p#/proc/}
    [[ $pid == "$$" || $pid == "$BASHPID" ]] && continue
    if is_ours "$pid"; then echo "$pid"; fi
  done
}

show_logs() {
  local f
  for f in "$@"; do
    [[ -s $f ]] || continue
    log "---- last lines of $f ----"
    tail -n 25 "$f" >&2 || true
  done
}

set_dir() { # DIR from the argument, then $LOCAL_S3_DIR
  DIR=${1:-${LOCAL_S3_DIR:-}}
  [[ -n $DIR ]] || die "no state folder: pass DIR or set LOCAL_S3_DIR"
  DIR=$(cd "$DIR" 2>/dev/null && pwd -P || echo "$DIR")
  CONF=$DIR/ceph.conf
  export CEPH_CONF=$CONF
}

# --------------------------------------------------------------- install ---

ensure_packages() {
  local missing=() t
  for t in "${TOOLS[@]}"; do command -v "$t" >/dev/null 2>&1 || missing+=("$t"); done
  ((${#missing[@]} == 0)) && return 0
  if ((EUID != 0)); then
    log "missing commands: ${missing[*]}"
    log "install them first, as root:"
    log "  apt-get update && apt-get install -y --no-install-recommends ${PACKAGES[*]}"
    exit 1
  fi
  command -v apt-get >/dev/null 2>&1 ||
    die "missing commands: ${missing[*]}; no apt-get here to install ${PACKAGES[*]}"
  local ilog
  ilog=$(mktemp /tmp/nest-bucket-s3-install.XXXXXX.log)
  log "installing ${PACKAGES[*]} (log: $ilog)..."
  if ! { DEBIAN_FRONTEND=noninteractive apt-get update -q &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      "${PACKAGES[@]}"; } </dev/null >"$ilog" 2>&1; then
    log "package installation failed:"
    tail -n 40 "$ilog" >&2 || true
    exit 1
  fi
  rm -f "$ilog"
  for t in "${TOOLS[@]}"; do
    command -v "$t" >/dev/null 2>&1 || die "$t still missing after installing ${PACKAGES[*]}"
  done
}

# ----------------------------------------------------------------- ports ---

# Picks a block of $BLOCK free ports outside the kernel's ephemeral range and
# records it in $REGISTRY, under a lock, so that copies starting at the same
# time never pick the same block. Sets BASE_PORT.
pick_ports() {
  local lo hi first last n tries base f owner
  read -r lo hi </proc/sys/net/ipv4/ip_local_port_range || { lo=32768 hi=60999; }
  if ((lo - 10000 >= 64 * BLOCK)); then first=10000 last=$((lo - BLOCK))
  else first=$((hi + 1)) last=$((65535 - BLOCK)); fi
  n=$(((last - first) / BLOCK))
  mkdir -p "$REGISTRY"
  exec 9>>"$REGISTRY/.lock"
  if command -v flock >/dev/null 2>&1; then flock -w 30 9 || die "cannot lock $REGISTRY/.lock"; fi
  for ((tries = 0; tries < 50; tries++)); do
    base=$((first + ((RANDOM << 15 | RANDOM) % n) * BLOCK))
    f=$REGISTRY/$base
    if [[ -e $f ]]; then
      owner=$(cat "$f" 2>/dev/null || true)
      [[ -n $owner && -d $owner ]] && continue # a live (or unstopped) copy holds it
    fi
    # shellcheck disable=SC2046
    ports_free $(seq "$base" $((base + BLOCK - 1))) || continue
    if [[ -n ${LOCAL_S3_PORT:-} ]]; then
      ports_free "$LOCAL_S3_PORT" || die "LOCAL_S3_PORT=$LOCAL_S3_PORT is in use"
    fi
    printf '%s\n' "$DIR" >"$f"
    exec 9>&-
    BASE_PORT=$base
    return 0
  done
  exec 9>&-
  die "found no free block of $BLOCK ports"
}

release_ports() {
  local base f
  base=$(state base_port)
  [[ -n $base ]] || return 0
  f=$REGISTRY/$base
  if [[ -e $f && $(cat "$f" 2>/dev/null) == "$DIR" ]]; then rm -f "$f"; fi
}

# ------------------------------------------------------------------- rgw ---

start_rgw() {
  local port pid deadline
  port=$(state rgw_port)
  [[ -n $port ]] || die "$DIR is not a local-s3 folder (no state file)"
  if [[ -n $(our_pid "$DIR/run/client.rgw.pid") ]] && http_up "$port"; then
    log "radosgw already running on port $port"
    return 0
  fi
  rm -f "$DIR/run/client.rgw.pid"
  # It daemonizes itself (its pid file comes a moment later).
  spawn "$DIR/log/client.rgw.out" radosgw -n client.rgw -c "$CONF" ||
    { show_logs "$DIR/log/client.rgw.log" "$DIR/log/client.rgw.out"; die "radosgw failed to start"; }
  deadline=$(($(now_ms) + 60000))
  until http_up "$port"; do
    if (($(now_ms) > deadline)); then
      show_logs "$DIR/log/client.rgw.log" "$DIR/log/client.rgw.out" "$DIR/log/osd.0.log"
      die "radosgw does not answer on 127.0.0.1:$port after 60 s"
    fi
    pid=$(our_pid "$DIR/run/client.rgw.pid")
    if [[ -f $DIR/run/client.rgw.pid && -z $pid ]]; then
      show_logs "$DIR/log/client.rgw.log" "$DIR/log/client.rgw.out"
      die "radosgw exited during start"
    fi
    # Without the osd (or the mon) it would wait for ever.
    if [[ -z $(our_pid "$DIR/run/osd.0.pid") || -z $(our_pid "$DIR/run/mon.a.pid") ]]; then
      show_logs "$DIR/log/osd.0.log" "$DIR/log/mon.a.log"
      die "the osd or the mon is not running; radosgw cannot start (stop, then start again)"
    fi
    sleep 0.05
  done
}

stop_rgw() { stop_daemon client.rgw 5; }

# --------------------------------------------------------------- osd/mon ---

# Starts osd.0 and waits until the mon marks it up. With auth off, it dies at
# start with "wrong fsid" now and then: retried (after a fresh mkfs) 3 times.
start_osd() {
  local attempt pid deadline up
  for attempt in 1 2 3; do
    rm -rf "$DIR/osd/ceph-0" && mkdir -p "$DIR/osd/ceph-0"
    cli ceph-osd -i 0 --mkfs --mkkey --osd-uuid "$OSD_UUID" || {
      log "osd mkfs failed (attempt $attempt)"; continue; }
    rm -f "$DIR/run/osd.0.pid"
    spawn "$DIR/log/osd.0.out" ceph-osd -i 0 -c "$CONF" || {
      log "osd start failed (attempt $attempt)"; continue; }
    up=
    deadline=$(($(now_ms) + 20000))
    while (($(now_ms) < deadline)); do
      if grep -q 'state: booting -> active' "$DIR/log/osd.0.log" 2>/dev/null; then up=1; break; fi
      pid=$(our_pid "$DIR/run/osd.0.pid")
      [[ -z $pid ]] && break
      if [[ -z $(our_pid "$DIR/run/mon.a.pid") ]]; then
        show_logs "$DIR/log/mon.a.log"
        die "ceph-mon exited"
      fi
      sleep 0.05
    done
    [[ -n $up ]] && return 0
    log "osd did not come up (attempt $attempt):"
    show_logs "$DIR/log/osd.0.log"
    stop_daemon osd.0 3
    [[ -f $DIR/log/osd.0.log ]] && mv "$DIR/log/osd.0.log" "$DIR/log/osd.0.attempt$attempt.log"
  done
  die "osd failed to start 3 times"
}

write_conf() {
  local mon_port=$1 rgw_port=$2 osd_min=$3 osd_max=$4 fsid=$5 bytes=$6
  cat >"$CONF" <<EOF
# Written by scripts/local-s3.sh; everything lives under this folder.
[global]
fsid = $fsid
mon host = v1:127.0.0.1:$mon_port
mon initial members = a
auth cluster required = none
auth service required = none
auth client required = none
ms bind msgr2 = false
keyring = $DIR/keyring
run dir = $DIR/run
admin socket = \$run_dir/\$name.\$pid.asok
pid file = \$run_dir/\$name.pid
log file = $DIR/log/\$name.log
log to stderr = false
err to stderr = false
mon cluster log file = $DIR/log/cluster.log
crash dir = $DIR/crash
mon data = $DIR/mon/\$cluster-\$id
osd data = $DIR/osd/\$cluster-\$id
mgr data = $DIR/mgr/\$cluster-\$id
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
mon mgr mkfs grace = 31536000
mon data avail warn = 2
mon data avail crit = 1
paxos propose interval = 0.05
paxos min wait = 0.01

[mon]
admin socket = \$run_dir/\$name.asok

[osd]
admin socket = \$run_dir/\$name.asok
osd objectstore = memstore
memstore device bytes = $bytes
osd crush update on start = false
osd class update on start = false
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind port min = $osd_min
ms bind port max = $osd_max

[client.rgw]
admin socket = \$run_dir/\$name.asok
rgw data = $DIR/rgw
rgw frontends = beast endpoint=127.0.0.1:$rgw_port tcp_nodelay=1
rgw lc max worker = 1
rgw gc obj min wait = 10
rgw gc processor period = 10
# Server-side encryption for the tests, on plain HTTP (loopback only): SSE-C, and SSE-KMS through
# RGW's "testing" key backend with one key, $SSE_KMS_TEST_KEY_ID, random for each instance.
rgw crypt require ssl = false
rgw crypt s3 kms backend = testing
rgw crypt s3 kms encryption keys = $SSE_KMS_TEST_KEY_ID=$(head -c 32 /dev/urandom | base64)
EOF
}

print_env() {
  local port user password
  port=$(state rgw_port) user=$(state access_key) password=$(state secret_key)
  [[ -n $port && -n $user ]] || die "$DIR has no finished local-s3 instance"
  printf 'export BUCKET_HOST=127.0.0.1\n'
  printf 'export BUCKET_PORT=%s\n' "$port"
  printf 'export BUCKET_USER=%s\n' "$user"
  printf 'export BUCKET_PASSWORD=%s\n' "$password"
  printf 'export BUCKET_REGION=%s\n' "$REGION"
  printf 'export BUCKET_USE_SSL=false\n'
  printf 'export BUCKET_TEST_KMS_KEY_ID=%s\n' "$SSE_KMS_TEST_KEY_ID"
  printf 'export LOCAL_S3_DIR=%q\n' "$DIR"
}

json_str() { local s=${1//\\/\\\\}; s=${s//\"/\\\"}; printf '"%s"' "$s"; }

# ---------------------------------------------------------------- start ---

STARTED=
on_start_exit() {
  local rc=$?
  if [[ -z $STARTED && -n ${DIR:-} && -f $DIR/$MARKER ]]; then
    ((rc == 0)) && rc=1
    log "start failed; cleaning up $DIR"
    show_logs "$DIR/log/setup.log"
    do_stop >/dev/null 2>&1 || true
  fi
  exit "$rc"
}

cmd_start() {
  local t0 bytes mon_port rgw_port fsid access secret
  t0=$(now_ms)
  ensure_packages
  bytes=${LOCAL_S3_MEMSTORE_BYTES:-$((6 * 1024 * 1024 * 1024))}
  [[ $bytes =~ ^[0-9]+$ ]] || die "LOCAL_S3_MEMSTORE_BYTES must be a number of bytes"
  if [[ -n ${LOCAL_S3_PORT:-} && ! $LOCAL_S3_PORT =~ ^[0-9]+$ ]]; then
    die "LOCAL_S3_PORT must be a port number"
  fi

  DIR=${1:-${LOCAL_S3_DIR:-}}
  if [[ -z $DIR ]]; then
    DIR=$(mktemp -d /tmp/nest-bucket-s3.XXXXXX)
  else
    mkdir -p "$DIR"
    [[ -z $(ls -A "$DIR") ]] || die "$DIR is not empty (stop the instance in it, or pick another folder)"
  fi
  DIR=$(cd "$DIR" && pwd -P)
  CONF=$DIR/ceph.conf
  export CEPH_CONF=$CONF
  # Claim the folder atomically: a second `start` on the same folder (say, both
  # given the same LOCAL_S3_DIR) must fail here, before it can clean anything up.
  (set -C && : >"$DIR/$MARKER") 2>/dev/null ||
    die "$DIR is already used by another local-s3 instance"
  trap on_start_exit EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM HUP
  mkdir -p "$DIR"/{run,log,mon,osd,rgw,crash}
  log "state folder: $DIR"

  pick_ports
  mon_port=$BASE_PORT
  rgw_port=${LOCAL_S3_PORT:-$((BASE_PORT + 1))}
  fsid=$(cat /proc/sys/kernel/random/uuid)
  OSD_UUID=$(cat /proc/sys/kernel/random/uuid)
  {
    echo "base_port=$BASE_PORT"
    echo "mon_port=$mon_port"
    echo "rgw_port=$rgw_port"
  } >"$DIR/state"
  write_conf "$mon_port" "$rgw_port" $((BASE_PORT + 2)) $((BASE_PORT + BLOCK - 1)) "$fsid" "$bytes"

  log "mon on 127.0.0.1:$mon_port"
  cli ceph-authtool --create-keyring "$DIR/keyring" --gen-key -n mon. --cap mon 'allow *'
  cli ceph-authtool "$DIR/keyring" --gen-key -n client.admin \
    --cap mon 'allow *' --cap osd 'allow *' --cap mds 'allow *' --cap mgr 'allow *'
  cli monmaptool --create --fsid "$fsid" --addv a "[v1:127.0.0.1:$mon_port]" "$DIR/monmap"
  cli ceph-mon --mkfs -i a --monmap "$DIR/monmap" --keyring "$DIR/keyring"
  spawn "$DIR/log/mon.a.out" ceph-mon -i a -c "$CONF" ||
    { show_logs "$DIR/log/mon.a.log" "$DIR/log/mon.a.out"; die "ceph-mon failed to start"; }

  log "osd on ports $((BASE_PORT + 2))-$((BASE_PORT + BLOCK - 1))"
  cli ceph osd create "$OSD_UUID"
  cli ceph osd crush add osd.0 1.0 host=localhost root=default
  start_osd

  log "radosgw on 127.0.0.1:$rgw_port"
  start_rgw

  access=NB$(od -An -vtx1 -N9 /dev/urandom | tr -d ' \n' | tr 'a-f' 'A-F')
  secret=$(od -An -vtx1 -N20 /dev/urandom | tr -d ' \n')
  cli radosgw-admin user create --uid="$USER_ID" --display-name="nest-bucket local S3" \
    --access-key="$access" --secret="$secret"
  {
    echo "access_key=$access"
    echo "secret_key=$secret"
  } >>"$DIR/state"
  chmod 600 "$DIR/state"

  (umask 077 && print_env >"$DIR/env.sh")
  (
    umask 077
    printf '{"host":"127.0.0.1","port":%s,"user":%s,"password":%s,"region":%s,"dir":%s}\n' \
      "$rgw_port" "$(json_str "$access")" "$(json_str "$secret")" "$(json_str "$REGION")" \
      "$(json_str "$DIR")" >"$DIR/env.json"
  )
  STARTED=1
  trap - EXIT INT TERM HUP
  log "ready in $(($(now_ms) - t0)) ms: http://127.0.0.1:$rgw_port (stop: $0 stop $DIR)"
  print_env >&3
}

# ----------------------------------------------------------------- stop ---

do_stop() {
  local pid
  # Order matters: rgw hangs if the osd is gone, the osd stalls without the mon.
  stop_daemon client.rgw 5
  stop_daemon osd.0 5 # osd_fast_shutdown: exits at once, saves nothing
  stop_daemon mon.a 5
  for pid in $(stragglers); do
    log "stopping leftover daemon $pid"
    stop_pid "$pid" 3
  done
  release_ports
  rm -rf "$DIR"
}

cmd_stop() {
  set_dir "${1:-}"
  if [[ ! -d $DIR ]]; then
    log "nothing to stop: $DIR does not exist"
    return 0
  fi
  [[ -f $DIR/$MARKER ]] || die "$DIR was not made by local-s3.sh; not touching it"
  local t0
  t0=$(now_ms)
  do_stop
  log "stopped and removed $DIR in $(($(now_ms) - t0)) ms"
}

need_instance() {
  set_dir "${1:-}"
  [[ -f $DIR/$MARKER && -f $DIR/state ]] || die "$DIR is not a local-s3 folder"
}

main() {
  local cmd=${1:-}
  (($# > 0)) && shift
  (($# <= 1)) || die "too many arguments (see the header of $0)"
  case $cmd in
    start)
      exec 3>&1 1>&2 # stdout carries only the settings
      cmd_start "$@"
      ;;
    stop) exec 1>&2; cmd_stop "$@" ;;
    install) exec 1>&2; ensure_packages ;;
    status)
      set_dir "${1:-}"
      local port
      port=$(state rgw_port)
      [[ -n $port ]] && http_up "$port"
      ;;
    env) need_instance "$@"; print_env ;;
    stop-rgw) exec 1>&2; need_instance "$@"; stop_rgw ;;
    start-rgw) exec 1>&2; need_instance "$@"; start_rgw ;;
    restart-rgw) exec 1>&2; need_instance "$@"; stop_rgw; start_rgw ;;
    *)
      sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
      exit 2
      ;;
  esac
}

main "$@"

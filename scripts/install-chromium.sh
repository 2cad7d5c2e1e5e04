#!/usr/bin/env bash
# install-chromium.sh - Debian's Chromium for the browser test, installed the way
# scripts/local-s3.sh installs Ceph: with apt-get when run as root and missing,
# else a message that says what to install, and a failure.
#
# Usage: scripts/install-chromium.sh   # exit 0 when $CHROMIUM_PATH (/usr/bin/chromium) runs
set -euo pipefail

readonly CHROMIUM=${CHROMIUM_PATH:-/usr/bin/chromium}
log() { printf 'install-chromium: %s\n' "$*" >&2; }

[[ -x $CHROMIUM ]] && exit 0
if [[ -n ${CHROMIUM_PATH:-} ]]; then
  log "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable file"
  exit 1
fi
if ((EUID != 0)) || ! command -v apt-get >/dev/null 2>&1; then
  log "$CHROMIUM is missing: the browser test needs Debian's chromium package."
  log "install it first, as root:  apt-get update && apt-get install -y chromium"
  log "or set CHROMIUM_PATH to a Chromium or Chrome binary."
  exit 1
fi
ilog=$(mktemp /tmp/nest-bucket-chromium-install.XXXXXX.log)
log "installing chromium (log: $ilog)..."
if ! { DEBIAN_FRONTEND=noninteractive apt-get update -q &&
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; } </dev/null >"$ilog" 2>&1; then
  log "package installation failed:"
  tail -n 40 "$ilog" >&2 || true
  exit 1
fi
rm -f "$ilog"
[[ -x $CHROMIUM ]] || { log "$CHROMIUM still missing after installing chromium"; exit 1; }

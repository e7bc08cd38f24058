#!/usr/bin/env bash
# A private Docker engine for dev and CI on a machine without systemd.
#
#   bash scripts/dockerd.sh          start it (idempotent), then print `export DOCKER_HOST=…`
#   bash scripts/dockerd.sh stop     stop it
#   bash scripts/dockerd.sh status   exit 0 when it answers
#
# The engine runs without a bridge and without iptables rules: containers get either no network
# (`network_mode=none`, the default for trials) or the host's (`network_mode=host`, builds and
# allow_internet tasks).  Its state lives under /var/lib/arena-docker, its socket is
# /run/arena-docker.sock, and its log is /var/log/arena-dockerd.log.
#
# Environment overrides: ARENA_DOCKER_SOCK, ARENA_DOCKER_ROOT, ARENA_DOCKER_LOG, ARENA_DOCKER_WAIT (sec).
set -euo pipefail

SOCK="${ARENA_DOCKER_SOCK:-/run/arena-docker.sock}"
DATA_ROOT="${ARENA_DOCKER_ROOT:-/var/lib/arena-docker}"
EXEC_ROOT="${ARENA_DOCKER_EXEC_ROOT:-/run/arena-docker}"
PIDFILE="${EXEC_ROOT}.pid"
LOG="${ARENA_DOCKER_LOG:-/var/log/arena-dockerd.log}"
WAIT="${ARENA_DOCKER_WAIT:-60}"
HOST="unix://${SOCK}"

say() { echo "dockerd.sh: $*" >&2; }
die() { say "ERROR: $*"; exit 1; }

answers() { docker -H "$HOST" info >/dev/null 2>&1; }

running_pid() {
  [[ -f "$PIDFILE" ]] || return 1
  local pid
  pid="$(cat "$PIDFILE" 2>/dev/null)" || return 1
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

need_root() {
  [[ "$(id -u)" == 0 ]] || die "must run as root (dockerd needs it): sudo bash $0 ${1:-}"
}

install_docker() {
  command -v apt-get >/dev/null || die "dockerd is missing and apt-get is not available: install Docker (docker.io) by hand"
  say "dockerd not found: installing docker.io with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || die "apt-get update failed (is the package mirror reachable?)"
  apt-get install -y -qq docker.io >/dev/null || die "apt-get install docker.io failed; see the output above"
}

start() {
  need_root start
  if answers; then
    say "engine already running on $SOCK"
    echo "export DOCKER_HOST=$HOST"
    return 0
  fi
  command -v dockerd >/dev/null || install_docker
  command -v docker >/dev/null || die "the docker client is missing: apt-get install docker.io (or docker-ce-cli)"
  if pid="$(running_pid)"; then
    say "dockerd (pid $pid) is running but does not answer yet; waiting"
  else
    rm -f "$PIDFILE" "$SOCK"
    mkdir -p "$DATA_ROOT" "$EXEC_ROOT" "$(dirname "$LOG")"
    say "starting dockerd (data root $DATA_ROOT, log $LOG)"
    # setsid + nohup: the engine outlives this shell and the CI step that started it
    setsid nohup dockerd \
      --storage-driver=overlay2 \
      --iptables=false \
      --ip-masq=false \
      --bridge=none \
      --data-root "$DATA_ROOT" \
      --exec-root "$EXEC_ROOT" \
      --pidfile "$PIDFILE" \
      -H "$HOST" \
      >>"$LOG" 2>&1 </dev/null &
  fi
  local deadline=$((SECONDS + WAIT))
  until answers; do
    if ((SECONDS >= deadline)); then
      say "ERROR: dockerd did not answer on $SOCK within ${WAIT}s. Last lines of $LOG:"
      tail -n 30 "$LOG" >&2 || true
      exit 1
    fi
    if [[ -f "$PIDFILE" ]] && ! running_pid >/dev/null; then
      say "ERROR: dockerd exited during startup. Last lines of $LOG:"
      tail -n 30 "$LOG" >&2 || true
      exit 1
    fi
    sleep 0.5
  done
  say "engine ready on $SOCK ($(docker -H "$HOST" version --format '{{.Server.Version}}' 2>/dev/null))"
  echo "export DOCKER_HOST=$HOST"
}

stop() {
  need_root stop
  local pid
  if ! pid="$(running_pid)"; then
    say "not running"
    rm -f "$PIDFILE"
    return 0
  fi
  say "stopping dockerd (pid $pid)"
  kill -TERM "$pid"
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || { say "stopped"; return 0; }
    sleep 0.5
  done
  say "dockerd did not stop within 30s; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status)
    if answers; then echo "running on $SOCK"; else echo "not running"; exit 1; fi ;;
  *) die "usage: $0 [start|stop|status]" ;;
esac

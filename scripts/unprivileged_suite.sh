#!/usr/bin/env bash
# Run the sandbox suites as an unprivileged user: the same escape, adversarial and sabotage trials
# the root run does, started by a user without root (issue 14: "as root and as an unprivileged user").
#
#   sudo bash scripts/unprivileged_suite.sh                 local runtime (bubblewrap), default suites
#   sudo bash scripts/unprivileged_suite.sh --docker        also the docker runtime (see below)
#   sudo bash scripts/unprivileged_suite.sh -- -k remount   extra pytest arguments after --
#
# What it does: makes the user (ARENA_TEST_USER, default arena-u) if missing, clones the committed
# HEAD of this checkout into that user's home (uncommitted changes are not tested: commit first),
# builds a virtual environment there with the system's own python3 (/usr/bin/python3: a stock
# Debian/Ubuntu interpreter, not the caller's pyenv, which an unprivileged user often cannot read),
# installs arena into it and runs pytest as the user.  The pip configuration of the caller (its
# package mirrors) is handed to the user, so nothing here names a registry.
#
# --docker adds the user to the group that owns the engine's socket (DOCKER_HOST, default
# /run/arena-docker.sock).  Membership of that group is root on the host in all but name — that is
# what "an unprivileged docker user" means for a rootful engine; the check here is that arena's
# hardening of the *containers* does not rely on the caller being root.
#
# Exit status: pytest's.
set -euo pipefail

say() { echo "unprivileged_suite.sh: $*" >&2; }
die() { say "ERROR: $*"; exit 1; }

DOCKER=0
EXTRA=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --docker) DOCKER=1; shift ;;
    --) shift; EXTRA=("$@"); break ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
done

[[ "$(id -u)" == 0 ]] || die "run as root (it switches to an unprivileged user): sudo bash $0"
command -v bwrap >/dev/null || die "bubblewrap is missing: apt-get install bubblewrap"
PY=/usr/bin/python3
[[ -x "$PY" ]] || die "no system python3 at $PY: apt-get install python3 python3-venv"
"$PY" -c 'import ensurepip' 2>/dev/null || die "the system python3 has no venv support: apt-get install python3-venv"

USER_NAME="${ARENA_TEST_USER:-arena-u}"
if ! id "$USER_NAME" >/dev/null 2>&1; then
  say "creating user $USER_NAME"
  useradd --create-home --shell /bin/bash "$USER_NAME"
fi
[[ "$(id -u "$USER_NAME")" != 0 ]] || die "$USER_NAME is root"
HOME_DIR="$(getent passwd "$USER_NAME" | cut -d: -f6)"
[[ -d "$HOME_DIR" ]] || { mkdir -p "$HOME_DIR"; chown "$USER_NAME:" "$HOME_DIR"; }
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$HOME_DIR/arena-unprivileged"

rm -rf "$DEST"
git clone -q --no-hardlinks "$REPO" "$DEST"
say "testing $(git -C "$DEST" log -1 --format='%h %s' | cut -c1-80) as $USER_NAME (uid $(id -u "$USER_NAME"))"
if [[ -n "$(git -C "$REPO" status --porcelain --untracked-files=no)" ]]; then
  say "note: $REPO has uncommitted changes; they are not in this run"
fi

# the caller's pip configuration (mirrors, constraints) for the user
mkdir -p "$HOME_DIR/.config/pip"
: > "$HOME_DIR/.config/pip/pip.conf"
for f in "${PIP_CONFIG_FILE:-}" "$HOME/.config/pip/pip.conf" "$HOME/.pip/pip.conf"; do
  [[ -n "$f" && -r "$f" ]] && cat "$f" >> "$HOME_DIR/.config/pip/pip.conf" && break
done
chown -R "$USER_NAME:" "$DEST" "$HOME_DIR/.config"

ENVS=(HOME="$HOME_DIR" PATH=/usr/local/bin:/usr/bin:/bin HF_HUB_OFFLINE=1)
while IFS='=' read -r k v; do ENVS+=("$k=$v"); done < <(env | grep '^PIP_' || true)
if [[ "$DOCKER" == 1 ]]; then
  host="${DOCKER_HOST:-unix:///run/arena-docker.sock}"
  sock="${host#unix://}"
  [[ -S "$sock" ]] || die "no docker socket at $sock: eval \"\$(bash scripts/dockerd.sh)\" first"
  group="$(stat -c %G "$sock")"
  [[ "$group" != root ]] || die "$sock belongs to group root; start the engine with a docker group"
  usermod -aG "$group" "$USER_NAME"
  ENVS+=(DOCKER_HOST="$host")
  SUITES=(tests/test_escape.py tests/test_adversarial.py tests/test_sabotage.py)
else
  SUITES=(tests/test_escape.py tests/test_adversarial.py tests/test_sabotage.py -m "not docker")
fi

cd "$DEST"
runuser -u "$USER_NAME" -- env -i "${ENVS[@]}" bash -c "
  set -e
  $PY -m venv .venv
  .venv/bin/pip install -q -e '.[dev]'
  .venv/bin/python -c 'import os; print(\"python\", os.sys.version.split()[0], \"uid\", os.getuid())'
  exec .venv/bin/python -m pytest -q -rs $(printf '%q ' "${SUITES[@]}" "${EXTRA[@]}")
"

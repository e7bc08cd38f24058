#!/usr/bin/env bash
# Install everything arena needs on a fresh Debian/Ubuntu machine (root or sudo), then the
# package itself in editable mode.  Idempotent: re-running installs only what is missing.
#
#   bash scripts/install.sh            # core + dev, analysis, notebooks, train (CPU torch) extras
#   EXTRAS=dev bash scripts/install.sh     # lighter: validation and trials only
#
# System packages: bubblewrap (the local sandbox), debootstrap + docker.io (the docker runtime
# and its locally built base image), chromium with the notebooks extra (the browser test).  torch is pinned (torch==2.13.0, CPU) by the `train` extra.
set -euo pipefail
cd "$(dirname "$0")/.."
EXTRAS="${EXTRAS:-dev,analysis,notebooks,train}"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
need=()
command -v bwrap >/dev/null 2>&1 || need+=(bubblewrap)
case ",$EXTRAS," in *,notebooks,*) command -v chromium >/dev/null 2>&1 || need+=(chromium) ;; esac
if [ "${ARENA_SKIP_DOCKER:-0}" != 1 ]; then
  command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
  command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
fi
if [ ${#need[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    echo "→ installing system packages: ${need[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "! cannot install ${need[*]} (no apt-get): install them with your package manager" >&2
  fi
fi
echo "→ pip install -e .[$EXTRAS]"
python3 -m pip install -q -e ".[$EXTRAS]" 2>&1 | grep -vE "^(WARNING|DEPRECATION)" || true
python3 -c "import arena" && echo "✓ arena installed ($(command -v arena))"

#!/usr/bin/env bash
# Install everything arena needs on a fresh Debian/Ubuntu machine (root or sudo): the system
# packages, then a project virtual environment `.venv/` holding arena (editable) and its extras.
# Idempotent: re-running installs only what is missing.  Fails loudly (exit 1) when a step fails.
#
#   bash scripts/install.sh                 # core + dev, analysis, notebooks, train (CPU torch) extras
#   EXTRAS=dev bash scripts/install.sh      # lighter: validation and trials only
#   PYTHON=python3.12 bash scripts/install.sh   # another interpreter for the environment (>= 3.11)
#   ARENA_VENV=/opt/arena bash scripts/install.sh  # another place for the environment
#
# Afterwards use `.venv/bin/arena …` and `.venv/bin/python -m pytest -q` (or `source .venv/bin/activate`).
# A virtual environment works the same on a stock Debian 12 / Ubuntu 24.04 Python (whose system pip
# refuses installs: PEP 668 "externally-managed-environment") and on pyenv or conda interpreters.
#
# System packages: bubblewrap (the local sandbox), debootstrap + docker.io (the docker runtime and
# its locally built base image), chromium with the notebooks extra (the browser test), stress-ng with
# the dev extra (the stress benchmark), nodejs + npm with the dev extra (the OpenCode harness prefix
# the harness tests build with npm; the sandbox itself needs no node), python3-venv
# where the interpreter lacks venv/ensurepip.  torch is pinned (torch==2.13.0, CPU) by the `train` extra.
set -euo pipefail
cd "$(dirname "$0")/.."
EXTRAS="${EXTRAS:-dev,analysis,notebooks,train}"
PY="${PYTHON:-python3}"
VENV="${ARENA_VENV:-.venv}"
fail() { echo "✗ install failed: $*" >&2; exit 1; }

command -v "$PY" >/dev/null 2>&1 || fail "no '$PY' on PATH: install Python >= 3.11 (apt-get install python3) or set PYTHON="
"$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
  || fail "$("$PY" -V 2>&1) is too old: arena needs Python >= 3.11 (set PYTHON=python3.11 or newer)"

SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
need=()
command -v bwrap >/dev/null 2>&1 || need+=(bubblewrap)
case ",$EXTRAS," in *,notebooks,*) command -v chromium >/dev/null 2>&1 || need+=(chromium) ;; esac
case ",$EXTRAS," in *,dev,*) command -v stress-ng >/dev/null 2>&1 || need+=(stress-ng) ;; esac  # bench/bench_stress.py
case ",$EXTRAS," in *,dev,*) command -v npm >/dev/null 2>&1 || need+=(nodejs npm) ;; esac  # the OpenCode harness prefix (tests)
if [ "${ARENA_SKIP_DOCKER:-0}" != 1 ]; then
  command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
  command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
fi
if [ ! -x "$VENV/bin/python" ] && ! "$PY" -c 'import venv, ensurepip' >/dev/null 2>&1; then
  need+=("python$("$PY" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')-venv")
fi
if [ ${#need[@]} -gt 0 ]; then
  command -v apt-get >/dev/null 2>&1 \
    || fail "cannot install ${need[*]} (no apt-get): install them with your package manager, then re-run"
  echo "→ installing system packages: ${need[*]}"
  $SUDO apt-get update -qq || fail "apt-get update failed (see above)"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null \
    || fail "apt-get install ${need[*]} failed (see above)"
fi

if [ ! -x "$VENV/bin/python" ]; then
  echo "→ creating the virtual environment $VENV ($("$PY" -V 2>&1))"
  "$PY" -m venv "$VENV" || fail "'$PY -m venv $VENV' failed (see above)"
fi
echo "→ $VENV: pip install -e .[$EXTRAS]"
# (pip's notes about this machine's unused local index folders are dropped; errors are kept)
"$VENV/bin/python" -m pip install -q -e ".[$EXTRAS]" 2> >(grep -vE '^WARNING: Location .* is ignored' >&2) || fail "pip install -e .[$EXTRAS] into $VENV failed (see above)"
VPY="$(cd "$VENV/bin" && pwd)/python"
# checked from / so that `import arena` cannot succeed merely from the checkout's own folder
(cd / && "$VPY" -c 'import arena') || fail "arena does not import from $VENV"
case ",$EXTRAS," in
  *,train,*) (cd / && "$VPY" -c 'import torch, trl, transformers') \
    || fail "the train extra does not import (torch, trl, transformers) in $VENV" ;;
esac
[ -x "$VENV/bin/arena" ] || fail "$VENV/bin/arena was not created"
echo "✓ arena installed: $(cd "$VENV/bin" && pwd)/arena ($("$VENV/bin/python" -V 2>&1); activate with: source $VENV/bin/activate)"

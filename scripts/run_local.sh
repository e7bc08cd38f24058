#!/usr/bin/env bash
# Organizer-compatible local rollout, delegating to `arena run`.
#
# Usage:
#   scripts/run_local.sh <task-dir>                 # oracle replay: expect reward 1.0
#   scripts/run_local.sh <task-dir> --skip-oracle   # empty trial: expect reward below 1.0
#   scripts/run_local.sh <task-dir> --network       # allow network (default: none)
#
# Runtime: docker when a daemon answers, else the local bubblewrap sandbox
# (ARENA_RUNTIME=docker|local to choose). Exit 0 = as expected, 1 = not, 2 = usage.
set -euo pipefail

usage() { sed -n '2,10p' "$0"; exit 2; }

TASK_DIR=""
AGENT=oracle
NETWORK=()
for arg in "$@"; do
  case "$arg" in
    --skip-oracle) AGENT=nop ;;
    --network)     NETWORK=(--network) ;;
    -h|--help)     usage ;;
    -*)            echo "unknown option: $arg" >&2; usage ;;
    *)             TASK_DIR="$arg" ;;
  esac
done
[ -n "$TASK_DIR" ] || usage
[ -d "$TASK_DIR" ] || { echo "✗ $TASK_DIR — not a directory" >&2; exit 2; }
NAME=$(basename "$(cd "$TASK_DIR" && pwd)")
for required in environment/Dockerfile verifier/test.sh oracle/solve.sh; do
  [ -e "$TASK_DIR/$required" ] || { echo "✗ $NAME — missing $required" >&2; exit 2; }
done

HERE=$(cd "$(dirname "$0")/.." && pwd)
# The project's own environment first (scripts/install.sh makes .venv), then an `arena` on PATH,
# then whatever python3 has the package installed.
if [ -x "$HERE/.venv/bin/arena" ]; then ARENA=("$HERE/.venv/bin/arena")
elif command -v arena >/dev/null 2>&1; then ARENA=(arena)
else ARENA=(python3 -m arena.cli.main); fi
JSON=$(cd "$HERE" && PYTHONPATH="$HERE${PYTHONPATH:+:$PYTHONPATH}" "${ARENA[@]}" run "$TASK_DIR" \
  --agent "$AGENT" --runtime "${ARENA_RUNTIME:-auto}" ${NETWORK[@]+"${NETWORK[@]}"} --json) || true
REWARD=$(printf '%s' "$JSON" | python3 -c 'import json,sys
try:
    rows = json.load(sys.stdin)
    r = rows[0]
    print("none" if r["reward"] is None else r["reward"], r["status"], (r.get("reason") or "").replace("\n", " "), sep="\t")
except Exception as exc:
    print("none", "error", f"arena run failed: {exc}", sep="\t")')
IFS=$'\t' read -r VALUE STATUS REASON <<< "$REWARD"
echo "reward: $VALUE (status: $STATUS)"
[ -n "$REASON" ] && echo "reason: $REASON"
if [ "$VALUE" = "none" ]; then
  echo "✗ $NAME — no reward: $REASON" >&2; exit 1
fi
IS_ONE=$(python3 -c "print(float('$VALUE') == 1.0)")
if [ "$AGENT" = oracle ]; then
  [ "$IS_ONE" = True ] && { echo "✓ $NAME — oracle scores 1.0"; exit 0; }
  echo "✗ $NAME — oracle replay scored $VALUE (expected 1.0)" >&2; exit 1
else
  [ "$IS_ONE" = True ] && { echo "✗ $NAME — empty trial scored 1.0: verifier is too weak" >&2; exit 1; }
  echo "✓ $NAME — empty trial correctly scores $VALUE"; exit 0
fi

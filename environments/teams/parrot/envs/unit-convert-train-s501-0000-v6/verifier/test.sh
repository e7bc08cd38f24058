#!/bin/bash
# Verifier entry point of a generated arena task.  verify.py (stdlib only) reads the answer from
# $BENCHFLOW_WORKSPACE/answer.txt and the truth from expected.json beside it, then writes
# reward.txt (one float) and reward.json (reward + which checks passed).
VERIFIER_DIR="${BENCHFLOW_VERIFIER_DIR:-/verifier}"
if [ ! -d "$VERIFIER_DIR" ] && [ -d /tests ]; then
  VERIFIER_DIR=/tests
fi
export BENCHFLOW_WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
export BENCHFLOW_REWARD_TEXT="${BENCHFLOW_REWARD_TEXT:-/logs/verifier/reward.txt}"
export BENCHFLOW_REWARD_JSON="${BENCHFLOW_REWARD_JSON:-/logs/verifier/reward.json}"
mkdir -p "$(dirname "$BENCHFLOW_REWARD_TEXT")" "$(dirname "$BENCHFLOW_REWARD_JSON")"

# -S: the scorer is stdlib-only, so skip site-packages (3x faster start, and no planted .pth
# or sitecustomize can run).  If it crashes, no reward file is written and the harness records a
# verifier error with the traceback, instead of a silent zero.
exec python3 -S "$VERIFIER_DIR/verify.py"

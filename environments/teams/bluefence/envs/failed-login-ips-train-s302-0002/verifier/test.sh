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

python3 "$VERIFIER_DIR/verify.py"
status=$?
if [ $status -ne 0 ]; then
  # the scorer itself failed: record an explicit zero rather than no reward at all
  printf '0.0\n' > "$BENCHFLOW_REWARD_TEXT"
  printf '{"reward": 0.0, "checks": {}, "error": "verify.py exited with status %s"}\n' "$status" \
    > "$BENCHFLOW_REWARD_JSON"
fi
exit 0

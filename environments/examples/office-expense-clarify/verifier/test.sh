#!/bin/bash
# Verifier entry point.  grade.py (stdlib only, no network) recomputes the truth from
# verifier/data/, grades the agent's output check by check and writes reward.txt (the weighted
# share of checks passed), reward.json (reward + checks + details) and ctrf.json.
VERIFIER_DIR="${BENCHFLOW_VERIFIER_DIR:-/verifier}"
if [ ! -d "$VERIFIER_DIR" ] && [ -d /tests ]; then
  VERIFIER_DIR=/tests
fi
export BENCHFLOW_WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
export BENCHFLOW_REWARD_TEXT="${BENCHFLOW_REWARD_TEXT:-/logs/verifier/reward.txt}"
export BENCHFLOW_REWARD_JSON="${BENCHFLOW_REWARD_JSON:-/logs/verifier/reward.json}"
export BENCHFLOW_REWARD_DETAILS_JSON="${BENCHFLOW_REWARD_DETAILS_JSON:-/logs/verifier/ctrf.json}"
export PYTHONDONTWRITEBYTECODE=1
mkdir -p "$(dirname "$BENCHFLOW_REWARD_TEXT")" "$(dirname "$BENCHFLOW_REWARD_JSON")"

if ! python3 "$VERIFIER_DIR/grade.py"; then
  # the scorer itself failed: an explicit zero with the reason, never a missing reward
  printf '0.0\n' > "$BENCHFLOW_REWARD_TEXT"
  printf '{"reward": 0.0, "checks": {}, "error": "grade.py crashed"}\n' > "$BENCHFLOW_REWARD_JSON"
fi
exit 0

#!/bin/bash
# Reference solution for sensor-alarms-heldout-s902-0000: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
LT-203,LT-218,FT-213
ANSWER

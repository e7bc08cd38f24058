#!/bin/bash
# Reference solution for sensor-alarms-heldout-s901-0001: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
FT-202,LT-212,FT-217
ANSWER

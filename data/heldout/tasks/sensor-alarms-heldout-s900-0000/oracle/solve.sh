#!/bin/bash
# Reference solution for sensor-alarms-heldout-s900-0000: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
FT-204,FT-215
ANSWER

#!/bin/bash
# Reference solution for sensor-alarms-train-s100-0000: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
PT-102,PT-120
ANSWER

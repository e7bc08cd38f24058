#!/bin/bash
# Reference solution for sensor-alarms-train-s201-0001: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
PT-120,TT-113,PT-101
ANSWER

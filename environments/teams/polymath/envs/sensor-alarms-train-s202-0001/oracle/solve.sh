#!/bin/bash
# Reference solution for sensor-alarms-train-s202-0001: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
PT-102,PT-110,PT-106,PT-118
ANSWER

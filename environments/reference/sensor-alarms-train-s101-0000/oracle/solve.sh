#!/bin/bash
# Reference solution for sensor-alarms-train-s101-0000: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
TT-107,PT-115,PT-101
ANSWER

#!/bin/bash
# Reference solution for sensor-alarms-train-s201-0000: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
PT-102,TT-115,TT-109
ANSWER

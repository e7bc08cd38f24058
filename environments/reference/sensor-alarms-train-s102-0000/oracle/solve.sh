#!/bin/bash
# Reference solution for sensor-alarms-train-s102-0000: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
TT-108,TT-115,TT-105
ANSWER

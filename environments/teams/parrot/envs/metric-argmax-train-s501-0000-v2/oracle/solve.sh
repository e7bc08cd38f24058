#!/bin/bash
# Reference solution for metric-argmax-train-s501-0000-v2: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
run-gnu
ANSWER

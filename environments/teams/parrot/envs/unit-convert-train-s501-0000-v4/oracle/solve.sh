#!/bin/bash
# Reference solution for unit-convert-train-s501-0000-v4: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
5940
ANSWER

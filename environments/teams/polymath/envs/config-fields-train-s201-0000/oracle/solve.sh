#!/bin/bash
# Reference solution for config-fields-train-s201-0000: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
model.heads=64
data.seed=100
ANSWER

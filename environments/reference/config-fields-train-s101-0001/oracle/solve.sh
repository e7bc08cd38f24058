#!/bin/bash
# Reference solution for config-fields-train-s101-0001: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
eval.hidden=64
train.seed=5
ANSWER

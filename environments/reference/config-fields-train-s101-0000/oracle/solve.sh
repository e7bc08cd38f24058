#!/bin/bash
# Reference solution for config-fields-train-s101-0000: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
model.warmup=2
train.epochs=4
ANSWER

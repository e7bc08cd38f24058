#!/bin/bash
# Reference solution for config-fields-train-s202-0001: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
model.seed=8
model.hidden=24
train.epochs=10
ANSWER

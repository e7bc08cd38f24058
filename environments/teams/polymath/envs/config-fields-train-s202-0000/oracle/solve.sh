#!/bin/bash
# Reference solution for config-fields-train-s202-0000: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
eval.warmup=4
train.seed=48
data.epochs=512
ANSWER

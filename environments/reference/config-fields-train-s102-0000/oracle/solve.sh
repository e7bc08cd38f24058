#!/bin/bash
# Reference solution for config-fields-train-s102-0000: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
model.seed=500
data.batch_size=8
data.seed=128
ANSWER

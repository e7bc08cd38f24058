#!/bin/bash
# Reference solution for config-fields-train-s201-0001: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
model.workers=5
model.batch_size=64
ANSWER

#!/bin/bash
# Reference solution for config-fields-heldout-s902-0001: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
decoder.width=100
loader.max_steps=12
optim.width=16
ANSWER

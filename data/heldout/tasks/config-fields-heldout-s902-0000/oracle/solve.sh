#!/bin/bash
# Reference solution for config-fields-heldout-s902-0000: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
loader.patience=2
decoder.max_steps=3
decoder.dropout_pct=16
ANSWER

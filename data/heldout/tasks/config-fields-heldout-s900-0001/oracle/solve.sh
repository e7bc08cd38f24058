#!/bin/bash
# Reference solution for config-fields-heldout-s900-0001: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
trainer.micro_batch=8
ANSWER

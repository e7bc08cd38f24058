#!/bin/bash
# Reference solution for config-fields-heldout-s901-0000: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
loader.dropout_pct=8
trainer.beams=1000
ANSWER

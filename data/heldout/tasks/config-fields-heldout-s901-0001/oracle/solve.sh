#!/bin/bash
# Reference solution for config-fields-heldout-s901-0001: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
loader.width=24
optim.width=128
ANSWER

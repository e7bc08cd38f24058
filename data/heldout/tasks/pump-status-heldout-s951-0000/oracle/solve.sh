#!/bin/bash
# Reference solution for pump-status-heldout-s951-0000: writes the expected answer to the answer file.
set -e
WORKSPACE="${BENCHFLOW_WORKSPACE:-/root}"
mkdir -p "$WORKSPACE"
cat > "$WORKSPACE/answer.txt" <<'ANSWER'
running=4
stopped=2
fault=1
ANSWER
